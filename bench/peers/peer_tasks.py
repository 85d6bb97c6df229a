"""The jobs the peers run, the same work as Sluice's: nothing, the two-line bash script, and
`def main(x): return x + 1` (called in-process, as RQ and Celery run Python functions)."""

import subprocess


def noop(n):
    return n


def bash(script, n):
    out = subprocess.run(["/bin/bash", script, str(n)], capture_output=True, text=True, check=True).stdout
    lines = [line for line in out.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def main(x):
    return x + 1


def python(x):
    return main(x)
