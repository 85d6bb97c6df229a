import Foundation

/// What scripts use to reach their job's channel, written once per worker process into
/// `<worker scratch>/helpers/` and shown read-only to every job:
///
/// - `python/sluice.py` and `python/wmill.py` (on every python3 job's `sys.path`):
///   `get_variable`, `get_resource`, `get_state`, `set_state`, `get_resume_urls`, under Sluice's
///   name and Windmill's, so Windmill scripts run unchanged;
/// - `bin/sluice-var`, `bin/sluice-resource`, `bin/sluice-state`, `bin/sluice-resume-urls` (on
///   bash jobs' `PATH`): the same for bash.
///
/// Each call opens the socket named by `SLUICE_CHANNEL` and sends the request with
/// `SLUICE_CHANNEL_TOKEN`: the job's own channel and token, never Redis, never a key.
enum JobHelpers {
    /// Writes the helpers into `directory` (made read-only), their commands run by `python`.
    static func install(in directory: String, python: String) throws {
        let files = FileManager.default
        try? files.removeItem(atPath: directory)
        for folder in [directory, directory + "/python", directory + "/bin"] {
            try files.createDirectory(atPath: folder, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        }
        let modules = ["python/sluice.py": sluiceModule, "python/wmill.py": wmillModule]
        for (name, content) in modules {
            guard files.createFile(atPath: directory + "/" + name, contents: Data(content.utf8), attributes: [.posixPermissions: 0o400]) else {
                throw ScratchError("cannot write \(directory)/\(name)")
            }
        }
        for (name, body) in commands {
            let text = "#!\(python) -I\n" + commandPrelude + body
            guard files.createFile(atPath: directory + "/bin/" + name, contents: Data(text.utf8), attributes: [.posixPermissions: 0o500]) else {
                throw ScratchError("cannot write \(directory)/bin/\(name)")
            }
        }
        for folder in [directory + "/python", directory + "/bin", directory] {
            try files.setAttributes([.posixPermissions: 0o500], ofItemAtPath: folder)
        }
    }

    static let sluiceModule = #"""
        """Sluice helpers for scripts: variables, resources, state and resume links.

        Each call asks the worker through this job's own channel (the Unix socket named by
        SLUICE_CHANNEL, with the job's token SLUICE_CHANNEL_TOKEN). A refused read raises
        PermissionError; anything else that fails raises SluiceError.
        """
        import json
        import os
        import socket

        __all__ = ["SluiceError", "get_variable", "get_resource", "get_state", "set_state", "get_resume_urls", "get_state_path"]


        class SluiceError(RuntimeError):
            """The worker could not answer: the variable does not exist, the step has no gate..."""


        def _connect(connection, path):
            if len(os.fsencode(path)) < 108:
                connection.connect(path)
                return
            # A path longer than a socket address holds: through the directory's descriptor.
            directory = os.open(os.path.dirname(path), os.O_PATH | os.O_DIRECTORY)
            try:
                connection.connect("/proc/self/fd/%d/%s" % (directory, os.path.basename(path)))
            finally:
                os.close(directory)


        def _call(op, **fields):
            path = os.environ.get("SLUICE_CHANNEL")
            token = os.environ.get("SLUICE_CHANNEL_TOKEN")
            if not path or not token:
                raise SluiceError("this job has no Sluice channel (it is not run by a Sluice worker)")
            fields["op"] = op
            fields["token"] = token
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
                _connect(connection, path)
                connection.sendall((json.dumps(fields) + "\n").encode("utf-8"), socket.MSG_NOSIGNAL)
                answer = b""
                while not answer.endswith(b"\n"):
                    chunk = connection.recv(65536)
                    if not chunk:
                        raise SluiceError("the worker closed this job's channel")
                    answer += chunk
            reply = json.loads(answer)
            if reply.get("ok"):
                return reply.get("value")
            if reply.get("kind") == "permission":
                raise PermissionError(reply.get("error"))
            raise SluiceError(reply.get("error"))


        def get_variable(path):
            """The value of the variable (or secret) at `path`, a string."""
            return _call("get_variable", path=path)


        def get_resource(path):
            """The resource at `path`: its JSON value, its $var: fields resolved."""
            return _call("get_resource", path=path)


        def get_state():
            """This script's state (a flow step's own), as the last set_state left it; None when there is none."""
            return _call("get_state")


        def set_state(value):
            """Keeps `value` (JSON) as this script's state for its next runs."""
            _call("set_state", value=value)


        def get_state_path():
            """Where the state is kept: the script's path, or <flow path>/<step id> in a flow."""
            return os.environ.get("SLUICE_STATE_PATH")


        def get_resume_urls(approver=None):
            """Links to approve (resume), reject (cancel) or open the approval page of this step's gate.

            With `approver`, the links are bound to that name: it is signed into them, and the
            approval counts once for that person. Without, each call makes a new anonymous link.
            """
            return _call("get_resume_urls", approver=approver)


        getVariable = get_variable
        getResource = get_resource
        getState = get_state
        setState = set_state
        getResumeUrls = get_resume_urls
        """#

    static let wmillModule = #"""
        """The part of Windmill's `wmill` client that Sluice provides, so Windmill scripts run unchanged."""
        from sluice import *  # noqa: F401,F403
        from sluice import get_resume_urls, get_variable, get_resource, get_state, set_state  # noqa: F401

        getResumeUrls = get_resume_urls


        def get_job_id():
            import os

            return os.environ.get("SLUICE_JOB_ID")


        def __getattr__(name):
            if name.startswith("__"):
                raise AttributeError(name)
            raise AttributeError(
                "wmill.%s is not supported by Sluice (supported: get_variable, get_resource, get_state, set_state, "
                "get_resume_urls, get_job_id)" % name
            )
        """#

    /// What every command starts with: the `sluice` module from the helpers' directory.
    static let commandPrelude = #"""
        import json
        import os
        import sys

        sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "python"))
        import sluice


        def fail(error):
            sys.stderr.write("%s: %s\n" % (os.path.basename(sys.argv[0]), error))
            sys.exit(1)


        """#

    /// The bash commands, by name.
    static let commands: [String: String] = [
        "sluice-var": #"""
        # sluice-var PATH: prints the variable's (or secret's) value.
        if len(sys.argv) != 2:
            fail("usage: sluice-var PATH")
        try:
            print(sluice.get_variable(sys.argv[1]))
        except Exception as error:
            fail(error)
        """#,
        "sluice-resource": #"""
        # sluice-resource PATH: prints the resource as JSON, its $var: fields resolved.
        if len(sys.argv) != 2:
            fail("usage: sluice-resource PATH")
        try:
            print(json.dumps(sluice.get_resource(sys.argv[1])))
        except Exception as error:
            fail(error)
        """#,
        "sluice-state": #"""
        # sluice-state: prints the script's state as JSON; sluice-state set JSON keeps a new one.
        try:
            if len(sys.argv) == 1:
                print(json.dumps(sluice.get_state()))
            elif len(sys.argv) == 3 and sys.argv[1] == "set":
                sluice.set_state(json.loads(sys.argv[2]))
            else:
                fail("usage: sluice-state [set JSON]")
        except json.JSONDecodeError as error:
            fail("the state is not valid JSON: %s" % error)
        except Exception as error:
            fail(error)
        """#,
        "sluice-resume-urls": #"""
        # sluice-resume-urls [APPROVER]: prints the gate's links as JSON, bound to APPROVER when given.
        try:
            print(json.dumps(sluice.get_resume_urls(sys.argv[1] if len(sys.argv) > 1 else None)))
        except Exception as error:
            fail(error)
        """#,
    ]
}
