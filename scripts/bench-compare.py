#!/usr/bin/env python3
"""make bench-compare REF=<commit>: the core figures of the working tree against another build.

Builds REF (release) in its own worktree under .build-compare/, builds the working tree (release),
then runs each side's own sluice-bench alternately, ROUNDS times (the side that goes first swaps
every round, so a machine getting slower or faster over the run weighs on both): no-op jobs, 3- and
10-step flows (latency of one at a time, 1,000 started together), and the approval round trip. Each
side drives its own build (a tree's bench speaks its own key layout). Prints every round's figures
and a table of medians with the ratio working tree / REF, each round's own ratio and how many rounds
the working tree won, and calls a figure better or worse only when every round agrees (this
machine's speed drifts by ±20 % within an hour: a median of a few rounds alone misleads).

  scripts/bench-compare.py REF [--rounds 3] [--quick]
"""

import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(command, cwd):
    print("$", " ".join(command), f"(in {cwd})", flush=True)
    subprocess.run(command, cwd=cwd, check=True)


def prepare_reference(ref):
    sha = subprocess.run(["git", "rev-parse", "--verify", ref + "^{commit}"], cwd=ROOT, check=True, capture_output=True, text=True).stdout.strip()
    tree = ROOT / ".build-compare" / sha[:12]
    if not tree.exists():
        tree.parent.mkdir(exist_ok=True)
        run(["git", "worktree", "add", "--detach", str(tree), sha], ROOT)
    return sha, tree


class Figure:
    """One number a benchmark prints: its name, the pattern that finds it, whether more is better."""

    def __init__(self, name, pattern, higher_is_better):
        self.name = name
        self.pattern = re.compile(pattern)
        self.higher_is_better = higher_is_better


def benchmarks(quick):
    jobs = "20000" if quick else "50000"
    samples = "100" if quick else "300"
    approvals = "100" if quick else "300"
    return [
        (
            ["throughput", "--kind", "identity", "--count", jobs, "--concurrency", "8", "--round-trip-sample", "0"],
            [Figure("no-op jobs/s (1 worker, concurrency 8)", r"identity: .* ([\d.]+) jobs/s", True)],
            None,
        ),
        (
            ["flows", "--steps", "3", "--steps", "10", "--samples", samples, "--parallel", "1000"],
            [
                Figure("3-step flow median ms", r"3-step identity flow.*median ([\d.]+) ms", False),
                Figure("3-step flow p99 ms", r"3-step identity flow.*p99 ([\d.]+) ms", False),
                Figure("1,000 3-step flows: flows/s", r"1000 3-step flows in parallel: .* ([\d.]+) flows/s", True),
                Figure("10-step flow median ms", r"10-step identity flow.*median ([\d.]+) ms", False),
                Figure("1,000 10-step flows: flows/s", r"1000 10-step flows in parallel: .* ([\d.]+) flows/s", True),
            ],
            None,
        ),
        # The approvals benchmark goes on to park many flows and wait for their deadlines: stop it
        # once the round-trip lines are out.
        (
            ["approvals", "--samples", approvals, "--parked", "100"],
            [
                Figure("approval POST round trip median ms", r"POST round trip \(accepted\): +median ([\d.]+) ms", False),
                Figure("approval POST → flow finished median ms", r"POST sent → flow finished \(2 steps\): median ([\d.]+) ms", False),
            ],
            "POST sent → flow finished",
        ),
    ]


def descendants(root):
    """Every process below `root`, from /proc."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(parent, []).append(int(entry))
    found, pending = [], [root]
    while pending:
        for child in children.get(pending.pop(), []):
            found.append(child)
            pending.append(child)
    return found


def run_benchmark(tree, arguments, figures, stop_after):
    binaries = tree / ".build" / "release"
    # Line-buffered: the figures are read as they are printed (the approvals run is stopped then).
    command = ["stdbuf", "-oL", str(binaries / "sluice-bench")] + arguments + ["--binaries", str(binaries)]
    process = subprocess.Popen(command, cwd=tree, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, start_new_session=True)
    found = {}
    assert process.stdout is not None
    try:
        for line in process.stdout:
            for figure in figures:
                match = figure.pattern.search(line)
                if match and figure.name not in found:
                    found[figure.name] = float(match.group(1))
            if stop_after and stop_after in line:
                break
    finally:
        if process.poll() is None and stop_after:
            # Its redis-server and Sluice processes may run in sessions of their own: stop every
            # descendant by pid, found before the benchmark goes (they are reparented then).
            victims = descendants(process.pid)
            for pid in [process.pid] + victims:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        process.wait()
    missing = [figure.name for figure in figures if figure.name not in found]
    if missing:
        raise SystemExit(f"{' '.join(command)}: no figure for {missing}")
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ref")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="smaller counts (about a third of the time)")
    parser.add_argument("--no-build", action="store_true", help="use both release builds as they are")
    options = parser.parse_args()

    sha, reference = prepare_reference(options.ref)
    if not options.no_build:
        run(["swift", "build", "-c", "release"], reference)
        run(["swift", "build", "-c", "release"], ROOT)
    sides = [("REF " + sha[:8], reference), ("working tree", ROOT)]
    results = {side: {} for side, _ in sides}
    plan = benchmarks(options.quick)
    for round_number in range(options.rounds):
        order = sides if round_number % 2 == 0 else list(reversed(sides))
        for arguments, figures, stop_after in plan:
            for side, tree in order:
                found = run_benchmark(tree, arguments, figures, stop_after)
                print(
                    f"round {round_number + 1}, {side}, {arguments[0]}: " + ", ".join(f"{name} {value:g}" for name, value in found.items()),
                    flush=True,
                )
                for name, value in found.items():
                    results[side].setdefault(name, []).append(value)

    (ref_side, _), (head_side, _) = sides
    print()
    print(
        f"{options.rounds} rounds, alternating; medians (min – max); ratio = working tree / REF of the medians; "
        "per round: the ratio of the two runs made back to back in each round (min – max) and in how many rounds "
        "the working tree was better"
    )
    print()
    print(f"| figure | {ref_side} | working tree | ratio | per round | better in | |")
    print("|---|---|---|---|---|---|---|")
    for _, figures, _ in plan:
        for figure in figures:
            before, after = results[ref_side][figure.name], results[head_side][figure.name]
            ratio = statistics.median(after) / statistics.median(before)
            paired = [a / b for a, b in zip(after, before, strict=True)]
            wins = sum(1 for r in paired if (r > 1 if figure.higher_is_better else r < 1))
            print(
                f"| {figure.name} | {statistics.median(before):g} ({min(before):g} – {max(before):g}) | "
                f"{statistics.median(after):g} ({min(after):g} – {max(after):g}) | {ratio:.2f} | "
                f"{min(paired):.2f} – {max(paired):.2f} | {wins} of {len(paired)} | {verdict(ratio, wins, len(paired), figure)} |"
            )


def verdict(ratio, wins, rounds, figure):
    """Says "better" or "worse" only when every round points the same way and the medians differ by 3 %
    or more: on a shared machine whose speed moves by ±20 % within an hour, a median alone (or a
    majority of rounds) is often drift, not the change. Otherwise "no difference shown"."""
    better = ratio > 1 if figure.higher_is_better else ratio < 1
    if abs(ratio - 1) < 0.03:
        return "no difference shown"
    if better and wins == rounds:
        return "better"
    if not better and wins == 0:
        return "worse"
    return "no difference shown"


if __name__ == "__main__":
    sys.exit(main())
