#!/usr/bin/env python3
"""Issue 22's goals as rows: read what `make bench` printed and say, for each, the figure of this
run, the baseline it is held against and whether the goal is met.

The baseline is a figure of the same run where the goal names one there (the unsandboxed bash
rate, Celery, Redis's own ceiling); the regression goals name the figures main had when the issue
was filed on this machine (2026-12-06) — `make bench-compare REF=<commit>` measures those against
an older build alternately instead. A figure the run did not print (BENCH_QUICK=1 runs fewer) is
said so, never guessed.

  scripts/bench-goals.py LOG
"""

import re
import sys

# What main did when issue 22 was filed (2026-12-06, this 2-core machine), for the goals that
# are multiples of it.
FILED = {"parallel 3-step flows/s": 1100, "3-step median ms": 2.08, "TypeScript per-job jobs/s": 39}


def number(text):
    return float(text.replace(",", ""))


def first(pattern, log):
    match = re.search(pattern, log, re.MULTILINE)
    return number(match.group(1)) if match else None


def spread(values, form):
    """`low – high` of `values`, or the one value when they are all the same."""
    low, high = form.format(min(values)), form.format(max(values))
    return low if low == high else f"{low} – {high}"


def sandbox_row(jobs, sandboxed, unsandboxed):
    """The sandbox goal's row for `jobs`: the sandboxed rate against `--sandbox none`'s, same run."""
    ratio = sandboxed / unsandboxed if sandboxed and unsandboxed else None
    return (
        f"{jobs} sandboxed at ≥ 0.8× the unsandboxed rate",
        "≥ 0.80×",
        f"{sandboxed:g} jobs/s ({ratio:.2f}×)" if ratio else None,
        f"--sandbox none {unsandboxed:g} jobs/s, same run" if unsandboxed else None,
        ratio >= 0.8 if ratio else None,
    )


def filed_row(goal, figure, filed, factor, unit):
    """A goal that is `factor` times the figure main had when the issue was filed: a rate to reach
    (factor above 1) or a time to get under (factor below 1)."""
    target = factor * FILED[filed]
    rate = factor > 1
    return (
        goal,
        f"{'≥' if rate else '≤'} {target:,g} {unit}",
        f"{figure:g} {unit}" if figure else None,
        f"{FILED[filed]:,g} {unit} when filed",
        (figure >= target if rate else figure <= target) if figure else None,
    )


def rows(log):
    """(goal, target, this run, baseline, met) for each goal; None where the run has no figure."""
    found = []

    found.append(
        sandbox_row(
            "bash jobs",
            first(r"^bash \(--bash-runner slot\): .*--sandbox bwrap: [\d.]+ s, ([\d.]+) jobs/s", log),
            first(r"^bash: .*--sandbox none: [\d.]+ s, ([\d.]+) jobs/s", log),
        )
    )
    found.append(
        sandbox_row(
            "python fork-mode jobs",
            first(r"^python \(--python-runner fork\): .*--sandbox bwrap: [\d.]+ s, ([\d.]+) jobs/s", log),
            first(r"^python \(--python-runner fork\): .*--sandbox none: [\d.]+ s, ([\d.]+) jobs/s", log),
        )
    )

    fork_row = r"^\| python main\(x\), round \d+ \| Sluice fork[^|]*\|"
    fork = [number(m) for m in re.findall(fork_row + r"(?:[^|]*\|){4}\s*([\d.]+)×", log, re.MULTILINE)]
    celery = [number(m) for m in re.findall(fork_row + r"(?:[^|]*\|){2}\s*([\d.]+)\s*\|", log, re.MULTILINE)]
    found.append(
        (
            "python fork mode ≥ 1× Celery solo, sandboxed",
            "≥ 1.00× in every round",
            f"{spread(fork, '{:.2f}')}× ({len(fork)} round{'s' if len(fork) > 1 else ''})" if fork else None,
            f"Celery solo {spread(celery, '{:g}')} jobs/s, same run" if celery else None,
            min(fork) >= 1 if fork else None,
        )
    )

    noop = first(r"^identity: \d+ jobs, 1 worker process, concurrency 8, --sandbox \w+: [\d.]+ s, ([\d.]+) jobs/s", log)
    ceiling = first(r"^\s*EVAL \(a 1-command script\): ([\d.]+) requests/s", log)
    found.append(
        (
            "no-op jobs from one worker process",
            "≥ 50,000 jobs/s",
            f"{noop:g} jobs/s" if noop else None,
            f"Redis ceiling (one-command EVAL, 8 clients) {ceiling:g}/s, same run" if ceiling else None,
            noop >= 50000 if noop else None,
        )
    )

    loop = first(r"^for loop of 10000 identity iterations, parallelism 50: [\d.]+ s, ([\d.]+) step transitions/s", log)
    found.append(
        ("flow transitions, 10,000-iteration loop", "≥ 20,000/s", f"{loop:g}/s" if loop else None, "none (absolute)", loop >= 20000 if loop else None)
    )

    found.append(
        filed_row(
            "1,000 parallel 3-step flows at ≥ 3× the filed figure",
            first(r"^1000 3-step flows in parallel: [\d.]+ s, ([\d.]+) flows/s", log),
            "parallel 3-step flows/s",
            3,
            "flows/s",
        )
    )
    found.append(
        filed_row(
            "3-step flow median at most half the filed figure",
            first(r"^3-step identity flow, idle worker \(concurrency \d+\), \d+ runs: median ([\d.]+) ms", log),
            "3-step median ms",
            0.5,
            "ms",
        )
    )
    found.append(
        filed_row(
            "TypeScript per-job (not dedicated) jobs at ≥ 10× the filed rate",
            first(r"^deno \(a deno process per job\): .*: [\d.]+ s, ([\d.]+) jobs/s", log),
            "TypeScript per-job jobs/s",
            10,
            "jobs/s",
        )
    )
    return found


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
        return 2
    with open(sys.argv[1], encoding="utf-8", errors="replace") as file:
        log = file.read()
    print("== issue 22's goals in this run")
    print("| goal | target | this run | baseline | met |")
    print("|---|---|---|---|---|")
    for goal, target, figure, baseline, met in rows(log):
        verdict = "not in this run" if met is None else ("yes" if met else "no")
        print(f"| {goal} | {target} | {figure or '—'} | {baseline or '—'} | {verdict} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
