"""The helpers bash scripts call (sluice-var, sluice-resource, sluice-state, sluice-resume-urls).

Each command is this file under the command's name; what it does is chosen by that name. They
reach the worker through the `sluice` module, i.e. through this job's own channel.
"""

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "python"))
import sluice  # noqa: E402 (found through the path set just above)


def fail(error):
    sys.stderr.write("%s: %s\n" % (os.path.basename(sys.argv[0]), error))
    sys.exit(1)


def variable(arguments):
    """sluice-var PATH: prints the variable's (or secret's) value."""
    if len(arguments) != 1:
        fail("usage: sluice-var PATH")
    print(sluice.get_variable(arguments[0]))


def resource(arguments):
    """sluice-resource PATH: prints the resource as JSON, its $var: fields resolved."""
    if len(arguments) != 1:
        fail("usage: sluice-resource PATH")
    print(json.dumps(sluice.get_resource(arguments[0])))


def state(arguments):
    """sluice-state: prints the script's state as JSON; sluice-state set JSON keeps a new one."""
    if not arguments:
        print(json.dumps(sluice.get_state()))
    elif len(arguments) == 2 and arguments[0] == "set":
        try:
            value = json.loads(arguments[1])
        except json.JSONDecodeError as error:
            fail("the state is not valid JSON: %s" % error)
        sluice.set_state(value)
    else:
        fail("usage: sluice-state [set JSON]")


def resume_urls(arguments):
    """sluice-resume-urls [APPROVER]: prints the gate's links as JSON, bound to APPROVER when given."""
    print(json.dumps(sluice.get_resume_urls(arguments[0] if arguments else None)))


COMMANDS = {
    "sluice-var": variable,
    "sluice-resource": resource,
    "sluice-state": state,
    "sluice-resume-urls": resume_urls,
}


def main():
    command = COMMANDS.get(os.path.basename(sys.argv[0]))
    if command is None:
        fail("unknown command; this file runs as one of %s" % ", ".join(sorted(COMMANDS)))
    try:
        command(sys.argv[1:])
    except SystemExit:
        raise
    except Exception as error:
        fail(error)


if __name__ == "__main__":
    main()
