"""Where a python3 job's time goes, part by part, on this machine (printed by make bench).

- interpreter start: `python3 -I -c pass`, a fresh interpreter and nothing else;
- start + the wrapper's imports: what a cold job pays before the script itself;
- fork + exit of a warm process that has those modules imported: what a forked job pays instead;
- bubblewrap: a sandbox around /bin/true, the per-job sandbox a cold job pays on top.
"""

import os
import subprocess
import sys
import time

PYTHON = sys.argv[1] if len(sys.argv) > 1 else "/usr/bin/python3"
COUNT = 200


def timed(label, action, count=COUNT):
    start = time.perf_counter()
    for _ in range(count):
        action()
    elapsed = (time.perf_counter() - start) / count * 1000
    print(f"  {label:58s} {elapsed:7.2f} ms")


def fork_exit():
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)


print(f"python3 job costs, one at a time ({COUNT} each, {PYTHON}):")
timed("interpreter start (python3 -I -c pass)", lambda: subprocess.run([PYTHON, "-I", "-c", "pass"], check=True))
timed(
    "start + the wrapper's imports (json, inspect, importlib)",
    lambda: subprocess.run([PYTHON, "-I", "-c", "import json, inspect, importlib.util, traceback"], check=True),
)
import ctypes, inspect, json, select, socket, traceback  # noqa: E401,E402,F401  (what the fork server has loaded)

timed("fork + exit of a warm process (what a forked job pays)", fork_exit, COUNT * 5)
if os.path.exists("/usr/bin/bwrap"):
    sandbox = [
        "/usr/bin/bwrap",
        "--die-with-parent",
        "--unshare-pid",
        "--ro-bind",
        "/usr",
        "/usr",
        "--symlink",
        "usr/lib",
        "/lib",
        "--symlink",
        "usr/lib64",
        "/lib64",
        "--symlink",
        "usr/bin",
        "/bin",
        "--ro-bind",
        "/etc",
        "/etc",
        "--dev",
        "/dev",
        "--proc",
        "/proc",
        "--tmpfs",
        "/tmp",
        "/bin/true",
    ]
    timed("a bubblewrap sandbox around /bin/true", lambda: subprocess.run(sandbox, check=True))
