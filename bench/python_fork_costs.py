"""What a forked python3 job costs the fork server and its child (printed by make bench).

Drives the worker's own fork server (Sources/SluiceExecution/Programs/python/_sluice_warm.py)
directly over its control socket, as the worker does — a job's output file, its arguments and
environment in a memory file, an outcome memory file — for jobs one after another, and prints per
job the server's CPU, the children's CPU and the children's minor page faults (each one a page the
child wrote that it shared with the server, or a page it mapped). The worker, Redis and bubblewrap
are left out, so these are the python side's figures alone. Landlock is on when the kernel has ABI
6, as in the worker; the job's environment has 18 variables, about what a worker gives.

Usage: python_fork_costs.py [PYTHON] [JOBS] [PROGRAM] (another version of the fork server, to compare)
"""

import array
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

PROGRAM = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Sources", "SluiceExecution", "Programs", "python", "_sluice_warm.py")


def stat(pid):
    """utime, stime, cutime, cstime (clock ticks) and minflt, cminflt of a process."""
    with open("/proc/%d/stat" % pid) as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return [int(fields[i]) for i in (11, 12, 13, 14, 7, 8)]


def main():
    python = sys.argv[1] if len(sys.argv) > 1 else "/usr/bin/python3"
    jobs = int(sys.argv[2]) if len(sys.argv) > 2 else 500
    program = sys.argv[3] if len(sys.argv) > 3 else PROGRAM
    root = tempfile.mkdtemp(prefix="sluice-fork-costs-")
    directory = os.path.join(root, "job")
    os.mkdir(directory)
    script = os.path.join(root, "script.py")
    with open(script, "w") as handle:
        handle.write("def main(x):\n    return x + 1\n")
    abi = subprocess.run([python, "-I", "-c", "import ctypes; print(ctypes.CDLL(None).syscall(444, None, 0, 1))"], capture_output=True, text=True)
    landlock = abi.returncode == 0 and int(abi.stdout.strip() or -1) >= 6
    config = {
        "mode": "fork",
        "landlock": landlock,
        "readable": ["/usr", "/lib", "/lib64", "/bin", "/etc", "/proc", root],
        "devices": ["/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom"],
        "directory": root,
        "script": script,
        "helpers": os.path.dirname(PROGRAM),
    }
    ours, theirs = socket.socketpair()
    command = [python, "-u", "-I", program, json.dumps(config)]
    server = subprocess.Popen(command, stdin=theirs, stdout=theirs, env={"PATH": "/usr/bin:/bin", "HOME": root})
    theirs.close()
    replies = ours.makefile("rb")
    if not replies.readline().startswith(b"ready"):
        sys.exit("the fork server did not start")
    environment = {"PATH": "/usr/bin:/bin", "HOME": directory, "TMPDIR": directory}
    for index in range(15):
        environment["WM_VARIABLE_%d" % index] = "value-%d-of-a-typical-length" % index
    job = json.dumps({"args": {"x": 1}, "env": environment}).encode()
    before, started = stat(server.pid), time.perf_counter()
    for index in range(jobs):
        output = os.open(os.path.join(directory, ".sluice-output"), os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o600)
        arguments = os.memfd_create("job", os.MFD_CLOEXEC)
        os.write(arguments, job)
        outcome = os.memfd_create("outcome", os.MFD_CLOEXEC)
        message = ("run\tj%d\t%s\t%s\n" % (index, directory, script)).encode()
        ours.sendmsg([message], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [output, arguments, os.dup(outcome)]))])
        os.close(output)
        os.close(arguments)
        while True:
            reply = replies.readline()
            if not reply:
                sys.exit("the fork server ended (exit status %s)" % server.wait())
            if reply.startswith((b"exit", b"signal")):
                break
        result = os.pread(outcome, 4096, 0)
        os.close(outcome)
        if result != b'{"result":2}':
            sys.exit("job %d: unexpected outcome %r" % (index, result))
    elapsed, after = time.perf_counter() - started, stat(server.pid)
    replies.close()
    ours.close()
    server.wait()
    tick = os.sysconf("SC_CLK_TCK")
    used = [b - a for a, b in zip(before, after, strict=True)]
    print("  %d forked jobs one at a time (Landlock %s): %.0f jobs/s" % (jobs, "on" if landlock else "off", jobs / elapsed))
    print("  fork server CPU per job      %7.0f µs" % ((used[0] + used[1]) / tick / jobs * 1e6))
    print("  child CPU per job            %7.0f µs" % ((used[2] + used[3]) / tick / jobs * 1e6))
    print("  child page faults per job    %7.0f" % (used[5] / jobs))


if __name__ == "__main__":
    main()
