import array
import ctypes
import gc
import _signal
import json
import json.encoder
import json.scanner
import os
import select
import signal
import socket
import struct
import sys
import time
import types

sys.dont_write_bytecode = True
LIBC = ctypes.CDLL(None, use_errno=True)
LIBC.syscall.restype = ctypes.c_long
LIBC.prctl.restype = ctypes.c_int
PR_SET_NO_NEW_PRIVS = 38
PR_SET_CHILD_SUBREAPER = 36
PR_SET_DUMPABLE = 4
READ = (1 << 0) | (1 << 2) | (1 << 3)
READ_FILE = (1 << 0) | (1 << 2)
DEVICE = (1 << 1) | (1 << 2) | (1 << 14)
FILE_RIGHTS = (1 << 0) | (1 << 1) | (1 << 2) | (1 << 14) | (1 << 15)
HANDLED = (1 << 16) - 1


def landlock_abi():
    return LIBC.syscall(ctypes.c_long(444), None, ctypes.c_size_t(0), ctypes.c_uint32(1))


def syscall(*argtypes):
    """libc's syscall(2) with these argument types: a call converts plain ints in C, no ctypes objects made per call."""
    function = LIBC["syscall"]
    function.restype = ctypes.c_long
    function.argtypes = (ctypes.c_long,) + argtypes
    return function


CREATE_RULESET = syscall(ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint32)
ADD_RULE = syscall(ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_uint32)
RESTRICT_SELF = syscall(ctypes.c_long, ctypes.c_uint32)
RULE = struct.Struct("=Qi")  # struct landlock_path_beneath_attr (packed)


class Confinement:
    """Landlock rules prepared once (the system paths' descriptors opened in the server, the rules
    packed in one buffer), so a forked job only adds its own directory and enters the domain."""

    def __init__(self, readable, devices):
        if landlock_abi() < 6:
            raise OSError("Landlock ABI %d: at least 6 (Linux 6.12) is needed to isolate warm jobs" % landlock_abi())
        self.descriptors = []
        packed = []
        for paths, access in ((readable, READ), (devices, DEVICE)):
            for path in paths:
                try:
                    fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
                except OSError:
                    continue
                allowed = access if os.path.isdir(path) else access & FILE_RIGHTS
                self.descriptors.append(fd)
                packed.append(RULE.pack(allowed, fd))
        self.rules = ctypes.create_string_buffer(b"".join(packed) + RULE.pack(HANDLED, -1))
        self.count = len(packed)
        self.attr = ctypes.create_string_buffer(struct.pack("=QQQ", HANDLED, 0, 3))

    def enter(self, writable):
        """Enters a new Landlock domain: read the prepared paths, the one directory `writable`, nothing else."""
        base = ctypes.addressof(self.rules)
        ruleset = CREATE_RULESET(444, ctypes.addressof(self.attr), 24, 0)
        if ruleset < 0:
            raise OSError(ctypes.get_errno(), "landlock_create_ruleset")
        try:
            fd = os.open(writable, os.O_PATH | os.O_CLOEXEC)
            RULE.pack_into(self.rules, RULE.size * self.count, HANDLED, fd)
            for index in range(self.count + 1):
                if ADD_RULE(445, ruleset, 1, base + RULE.size * index, 0) < 0:
                    raise OSError(ctypes.get_errno(), "landlock_add_rule")
            if LIBC.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
                raise OSError(ctypes.get_errno(), "PR_SET_NO_NEW_PRIVS")
            if RESTRICT_SELF(446, ruleset, 0) != 0:
                raise OSError(ctypes.get_errno(), "landlock_restrict_self")
        finally:
            os.close(ruleset)


FS_ENCODING = sys.getfilesystemencoding()
JSON_SCAN = json.scanner.c_make_scanner(json.JSONDecoder()) if json.scanner.c_make_scanner else None


def loads(text):
    """json.loads of text from the worker, by the C scanner json's own Python code ends in."""
    if JSON_SCAN is not None and isinstance(text, str):
        try:
            value, end = JSON_SCAN(text, 0)
            if end == len(text):
                return value
        except StopIteration:
            pass
    return json.loads(text)


def dumps(value):
    """json.dumps(value, default=str), by the C encoder json's own Python code ends in (json.dumps
    itself where that encoder is missing or not made as here). What encoding raises is what
    json.dumps raises — the same encoder — and is not retried: the value's own `__str__` runs once."""
    if json.encoder.c_make_encoder is None or isinstance(value, str):
        return json.dumps(value, default=str)
    try:
        encode = json.encoder.c_make_encoder({}, str, json.encoder.c_encode_basestring_ascii, None, ": ", ", ", False, False, True)
    except TypeError:
        return json.dumps(value, default=str)
    return "".join(encode(value, 0))


def set_environment(variables):
    """This process's environment becomes exactly `variables`, by the C calls behind os.environ
    (its dict changed in place: os.environb shares it)."""
    data = getattr(os.environ, "_data", None)
    if not isinstance(data, dict):
        os.environ.clear()
        os.environ.update(variables)
        return
    for key in data:
        os.unsetenv(key)
    data.clear()
    for key, value in variables.items():
        key, value = key.encode(FS_ENCODING, "surrogateescape"), value.encode(FS_ENCODING, "surrogateescape")
        os.putenv(key, value)
        data[key] = value


def load(path):
    module = types.ModuleType("script")
    module.__file__ = path
    sys.modules["script"] = module
    with open(path, "rb") as handle:
        code = compile(handle.read(), path, "exec", dont_inherit=True)
    exec(code, module.__dict__)
    return entry(module)


def entry(module):
    """The script's main — or, for a script that only has a preprocessor (a flow's
    preprocessor module), a main that says it is missing if it is ever called."""
    main = getattr(module, "main", None)
    if callable(main):
        return main
    if callable(getattr(module, "preprocessor", None)):

        def missing(**_):
            raise NameError("the script defines no main function")

        return missing
    raise NameError("the script defines no main function")


def preprocess(module, event, fallback=None):
    """A triggered run's preprocessor(event): the arguments it returns for main (with a
    fallback — a flow's preprocessor step — whatever it returns, or main(event)'s)."""
    import inspect

    preprocessor = getattr(module, "preprocessor", None) or fallback
    if not callable(preprocessor):
        raise NameError("the script defines no preprocessor function")
    accepted = inspect.signature(preprocessor).parameters
    args = preprocessor(**({"event": event} if "event" in accepted else {}))
    if inspect.iscoroutine(args):
        import asyncio

        args = asyncio.run(args)
    if fallback is None and not isinstance(args, dict):
        raise TypeError("the preprocessor must return a dict: main's arguments by name")
    return args


def call(main, job, compiled=None):
    """Runs main with the job's arguments; returns the exit code and the outcome as JSON text."""
    try:
        args = job["args"]
        if main is None:
            code, failure = compiled
            if failure is not None:
                raise failure
            module = types.ModuleType("script")
            module.__file__ = code.co_filename
            sys.modules["script"] = module
            exec(code, module.__dict__)
            main = entry(module)
        if "__sluice_preprocess_only__" in args:
            # A flow's preprocessor step: preprocessor(event), else main(event), is the step.
            result = preprocess(sys.modules.get("script"), args["__sluice_preprocess_only__"], fallback=main)
            main, args = (lambda: result), {}
        elif "__sluice_preprocess__" in args:
            args = preprocess(sys.modules.get("script"), args["__sluice_preprocess__"])
        code = getattr(main, "__code__", None)
        # A decorated main (functools.wraps) is read through to the function it wraps, as
        # inspect.signature does in process mode: the wrapper's own code takes **kwargs.
        if code is not None and not isinstance(main, type) and not hasattr(main, "__wrapped__"):
            if not code.co_flags & 0x08:  # no **kwargs: pass only what main names
                accepted = set(code.co_varnames[: code.co_argcount + code.co_kwonlyargcount])
                args = {k: v for k, v in args.items() if k in accepted}
        else:
            import inspect

            parameters = inspect.signature(main).parameters.values()
            if not any(p.kind == inspect.Parameter.VAR_KEYWORD for p in parameters):
                accepted = {p.name for p in parameters}
                args = {k: v for k, v in args.items() if k in accepted}
        text = dumps(main(**args))
    except BaseException as error:
        import traceback

        trace = traceback.format_exc()
        sys.stderr.write(trace)
        described = {"name": type(error).__name__, "message": str(error), "traceback": trace}
        return 1, json.dumps({"error": described})
    return 0, '{"result":' + text + "}"


def read_all(fd):
    """Everything a (memory) file holds, from its start."""
    chunks = []
    offset = 0
    while True:
        chunk = os.pread(fd, 65536, offset)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        offset += len(chunk)


def enter(directory, log, job):
    """Makes this process the job's: its environment, directory, stdout and stderr on its output file."""
    set_environment(job["env"])
    os.chdir(directory)
    sys.path[0:0] = [directory]
    os.dup2(log, 1)
    os.dup2(log, 2)
    return job


class Runner:
    def __init__(self, config):
        self.config = config
        # The control socket leaves standard input, which becomes /dev/null: a dedicated job
        # reading stdin must not read (and swallow) the worker's next message.
        self.control = socket.socket(fileno=os.dup(0))
        null = os.open("/dev/null", os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        # Descriptors received for a message whose line has not all arrived yet (a dedicated
        # job's arguments travel in the message and may take several reads).
        self.descriptors = []
        self.jobs = {}
        self.codes = {}
        self.main = None
        self.sweep_due = False
        self.swept_at = 0.0
        self.confinement = None
        if config.get("helpers"):
            sys.path.insert(0, config["helpers"])  # sluice and wmill, for every job and for a dedicated script's imports
        if config.get("landlock"):
            self.confinement = Confinement(config["readable"], config["devices"])

    def send(self, text):
        self.control.sendall((text + "\n").encode())

    def receive(self):
        # Up to three descriptors per message (a forked job's output, job and outcome
        # files), close-on-exec so nothing a job execs inherits them (socket.recv_fds
        # drops its flags argument, hence recvmsg here).
        data, ancillary, _, _ = self.control.recvmsg(65536, socket.CMSG_SPACE(3 * 4), socket.MSG_CMSG_CLOEXEC)
        fds = []
        for level, kind, payload in ancillary:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds += array.array("i", payload[: len(payload) - len(payload) % 4]).tolist()
        return data, fds

    def compiled(self, path):
        """The script's code, compiled once per cached file (never run here: compiling runs no code)."""
        entry = self.codes.get(path)
        if entry is None:
            try:
                with open(path, "rb") as handle:
                    entry = (compile(handle.read(), path, "exec", dont_inherit=True), None)
            except BaseException as error:
                entry = (None, error)
            if len(self.codes) >= 256:
                self.codes.clear()
            self.codes[path] = entry
        return entry

    def fork_job(self, token, directory, log, job_file, outcome_file, script):
        compiled = self.compiled(script)
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                gc.disable()
                _signal.set_wakeup_fd(-1)
                for number in (_signal.SIGCHLD, _signal.SIGTERM, _signal.SIGINT, _signal.SIGPIPE):
                    _signal.signal(number, _signal.SIG_DFL)
                os.setpgid(0, 0)
                LIBC.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
                null = os.open("/dev/null", os.O_RDONLY)
                os.dup2(null, 0)
                job = enter(directory, log, loads(read_all(job_file).decode()))
                if self.confinement is not None:
                    self.confinement.enter(directory)
                os.closerange(3, outcome_file)
                os.closerange(outcome_file + 1, 65536)
                code, outcome = call(None, job, compiled)
                data = outcome.encode()
                os.ftruncate(outcome_file, 0)
                written = 0
                while written < len(data):
                    written += os.pwrite(outcome_file, data[written:], written)
            except BaseException:
                try:
                    import traceback

                    traceback.print_exc()
                except BaseException:
                    pass
            finally:
                try:
                    sys.stdout.flush()
                    sys.stderr.flush()
                except BaseException:
                    pass
                os._exit(code)
        try:
            os.setpgid(pid, pid)  # as the child does: a kill that comes before the child ran reaches its group
        except OSError:
            pass
        for fd in (log, job_file, outcome_file):
            os.close(fd)
        self.jobs[pid] = token
        self.send("started %s %d" % (token, pid))

    def run_in_process(self, token, directory, log, payload):
        saved = (os.dup(1), os.dup(2), dict(os.environ), list(sys.path))
        code, outcome = 1, json.dumps({"error": {"name": "RuntimeError", "message": "the job did not run", "traceback": ""}})
        try:
            job = enter(directory, log, json.loads(payload))
            code, outcome = call(self.main, job)
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in (saved[0], saved[1], log):
                os.close(fd)
            os.environ.clear()
            os.environ.update(saved[2])
            sys.path[:] = saved[3]
            os.chdir("/")
            self.kill_children()
        self.send("exit %s %d\t%s" % (token, code, outcome))

    def kill_children(self):
        """Kills what a dedicated job left running — every child of this process: the job's own,
        and what those left, reparented to this subreaper — until none is left (a job cannot
        outlive itself here either)."""
        for _ in range(64):
            children = []
            for task in os.listdir("/proc/self/task"):
                try:
                    with open("/proc/self/task/%s/children" % task, "rb") as handle:
                        children += [int(pid) for pid in handle.read().split()]
                except (OSError, ValueError):
                    pass
            if not children:
                return
            for pid in children:
                for kill in (os.killpg, os.kill):
                    try:
                        kill(pid, signal.SIGKILL)
                    except OSError:
                        pass
            for pid in children:
                try:
                    os.waitpid(pid, 0)
                except ChildProcessError:
                    pass

    def reap(self):
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                break
            token = self.jobs.pop(pid, None)
            if token is None:
                continue
            if os.WIFSIGNALED(status):
                self.send("signal %s %d" % (token, os.WTERMSIG(status)))
            else:
                self.send("exit %s %d" % (token, os.WEXITSTATUS(status)))
            try:
                os.killpg(pid, signal.SIGKILL)  # what the job left in its own process group
            except OSError:
                pass
            self.sweep_due = True
        self.sweep()

    def sweep(self):
        """Kills leftovers at most every 20 ms (a /proc scan costs more than a job on a busy host)."""
        now = time.monotonic()
        if self.sweep_due and now - self.swept_at >= 0.02:
            self.sweep_due = False
            self.swept_at = now
            self.kill_leftovers()

    def kill_leftovers(self):
        """Kills children that are not jobs: what jobs left running, reparented to this subreaper."""
        me = os.getpid()
        for name in os.listdir("/proc"):
            if not name.isdigit():
                continue
            pid = int(name)
            if pid in self.jobs:
                continue
            try:
                with open("/proc/%d/stat" % pid, "rb") as handle:
                    stat = handle.read()
                parent = int(stat[stat.rindex(b")") + 2 :].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            if parent == me:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass

    def kill(self, token):
        for pid, owner in list(self.jobs.items()):
            if owner == token:
                try:
                    os.killpg(pid, signal.SIGKILL)
                except OSError:
                    try:
                        os.kill(pid, signal.SIGKILL)  # not yet its own group's leader
                    except OSError:
                        pass

    def serve(self):
        mode = self.config["mode"]
        signal.pthread_sigmask(signal.SIG_SETMASK, set())
        LIBC.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
        # What a job leaves running is reparented here, to be killed.
        LIBC.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
        if mode == "dedicated":
            self.main = load(self.config["script"])
            if self.confinement is not None:
                self.confinement.enter(self.config["directory"])
                for fd in self.confinement.descriptors:
                    os.close(fd)
        wake_read, wake_write = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        signal.set_wakeup_fd(wake_write)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        # What the server has built so far is shared with every child: keep the collector
        # away from it, so children do not copy those pages by touching them.
        gc.collect()
        gc.freeze()
        self.send("ready %d" % max(landlock_abi(), 0))
        pending = []  # the start of a line not yet ended, in the chunks it came in
        while True:
            readable, _, _ = select.select([self.control, wake_read], [], [], 0.02 if self.sweep_due else None)
            self.sweep()
            if wake_read in readable:
                try:
                    os.read(wake_read, 4096)
                except BlockingIOError:
                    pass
                self.reap()
            if self.control not in readable:
                continue
            data, received = self.receive()
            fds = self.descriptors
            fds += received
            if not data:
                for pid in list(self.jobs):
                    try:
                        os.killpg(pid, signal.SIGKILL)
                    except OSError:
                        pass
                self.kill_leftovers()
                os._exit(0)
            if b"\n" not in data:
                pending.append(data)
                continue
            lines = (b"".join(pending) + data).split(b"\n")
            rest = lines.pop()
            pending = [rest] if rest else []
            for line in lines:
                parts = line.decode().split("\t", 4)
                if parts[0] == "run" and fds and len(parts) >= 3:
                    log = fds.pop(0)
                    if mode == "dedicated" and len(parts) == 5:
                        self.run_in_process(parts[1], parts[2], log, parts[4])
                    elif len(parts) == 4 and len(fds) >= 2:
                        self.fork_job(parts[1], parts[2], log, fds.pop(0), fds.pop(0), parts[3])
                    else:
                        os.close(log)
                        self.send("exit %s 1" % parts[1])
                elif parts[0] == "kill" and len(parts) >= 2:
                    self.kill(parts[1])


if __name__ == "__main__":
    Runner(json.loads(sys.argv[1])).serve()
