"""Sluice helpers for scripts: variables, resources, state and resume links.

Each call asks the worker through this job's own channel (the Unix socket named by
SLUICE_CHANNEL, with the job's token SLUICE_CHANNEL_TOKEN). A refused read raises
PermissionError; anything else that fails raises SluiceError.
"""

import json
import os
import socket

__all__ = [
    "SluiceError",
    "get_variable",
    "get_resource",
    "get_state",
    "set_state",
    "get_resume_urls",
    "get_state_path",
    "set_variable",
    "set_resource",
    "run_script_by_path",
    "run_script_by_hash",
    "run_script_by_path_async",
    "run_script_by_hash_async",
    "run_script",
    "run_script_async",
    "run_script_sync",
    "run_script_by_path_sync",
    "run_flow_by_path",
    "run_flow_by_path_async",
    "run_flow_async",
    "wait_job",
    "get_result",
    "get_job_status",
    "cancel_job",
]


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
    if reply.get("kind") == "timeout":
        raise TimeoutError(reply.get("error"))
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


def set_variable(path, value, is_secret=False, description=None):
    """Creates or changes the variable at `path` (in this script's folder); `is_secret` seals a new one."""
    _call("set_variable", path=path, value=value, is_secret=bool(is_secret), description=description)


def set_resource(value, path, resource_type=None):
    """Creates or changes the resource at `path` (in this script's folder); a new one needs its type."""
    _call("set_resource", path=path, value=value, type=resource_type)


def _seconds(timeout):
    if not timeout:
        return None
    if hasattr(timeout, "total_seconds"):
        return timeout.total_seconds()
    return float(timeout)


def _start(kind, path=None, hash_=None, args=None, scheduled_in_secs=None, queue=None):
    return _call("run", kind=kind, path=path, hash=hash_, args=args or {}, scheduled_in_secs=scheduled_in_secs, queue=queue)


def wait_job(job_id, timeout=None, verbose=False, cleanup=True, assert_result_is_not_none=False):
    """Waits for a job this script started; its result, or SluiceError with its error (TimeoutError past `timeout`)."""
    if verbose:
        print("waiting for job %s" % job_id)
    result = _call("wait", id=job_id, timeout=_seconds(timeout))
    if assert_result_is_not_none and result is None:
        raise SluiceError("result is None for job %s" % job_id)
    return result


def run_script_by_path_async(path, args=None, scheduled_in_secs=None, queue=None):
    """Starts the script at `path` with `args`; returns its job id."""
    return _start("script", path=path, args=args, scheduled_in_secs=scheduled_in_secs, queue=queue)


def run_script_by_hash_async(hash_, args=None, scheduled_in_secs=None, queue=None):
    """Starts the script version with this content hash; returns its job id."""
    return _start("script", hash_=hash_, args=args, scheduled_in_secs=scheduled_in_secs, queue=queue)


def run_script_async(hash_or_path=None, args=None, scheduled_in_secs=None, path=None, hash_=None, queue=None):
    """Windmill's older name: a path (it has a "/") or a version hash."""
    if hash_or_path is not None:
        if "/" in hash_or_path:
            path = hash_or_path
        else:
            hash_ = hash_or_path
    return _start("script", path=path, hash_=hash_, args=args, scheduled_in_secs=scheduled_in_secs, queue=queue)


def run_script_by_path(path, args=None, timeout=None, verbose=False, cleanup=True, assert_result_is_not_none=False, queue=None):
    """Runs the script at `path` and waits: its result, or SluiceError with its error."""
    job_id = run_script_by_path_async(path, args, queue=queue)
    return wait_job(job_id, timeout, verbose, cleanup, assert_result_is_not_none)


def run_script_by_hash(hash_, args=None, timeout=None, verbose=False, cleanup=True, assert_result_is_not_none=False, queue=None):
    """Runs the script version with this content hash and waits for its result."""
    job_id = run_script_by_hash_async(hash_, args, queue=queue)
    return wait_job(job_id, timeout, verbose, cleanup, assert_result_is_not_none)


def run_script(path=None, hash_=None, args=None, timeout=None, verbose=False, cleanup=True, assert_result_is_not_none=True):
    """Windmill's older name: runs a script by path or hash and waits for its result."""
    job_id = _start("script", path=path, hash_=hash_, args=args)
    return wait_job(job_id, timeout, verbose, cleanup, assert_result_is_not_none)


def run_script_sync(hash, args=None, verbose=False, assert_result_is_not_none=True, cleanup=True, timeout=None):
    return wait_job(run_script_by_hash_async(hash, args), timeout, verbose, cleanup, assert_result_is_not_none)


def run_script_by_path_sync(path, args=None, verbose=False, assert_result_is_not_none=True, cleanup=True, timeout=None):
    return wait_job(run_script_by_path_async(path, args), timeout, verbose, cleanup, assert_result_is_not_none)


def run_flow_async(path, args=None, scheduled_in_secs=None, do_not_track_in_parent=True, queue=None):
    """Starts the flow at `path` with `args` (its flow_input); returns its job id."""
    return _start("flow", path=path, args=args, scheduled_in_secs=scheduled_in_secs, queue=queue)


run_flow_by_path_async = run_flow_async


def run_flow_by_path(path, args=None, timeout=None, verbose=False, cleanup=True, assert_result_is_not_none=False, queue=None):
    """Runs the flow at `path` and waits: its result, or SluiceError with its error."""
    return wait_job(run_flow_async(path, args, queue=queue), timeout, verbose, cleanup, assert_result_is_not_none)


def get_result(job_id, assert_result_is_not_none=True):
    """The result of a job this script started, once it succeeded (SluiceError if it failed or has not finished)."""
    result = _call("get_result", id=job_id)
    if assert_result_is_not_none and result is None:
        raise SluiceError("result is None for job %s" % job_id)
    return result


def get_job_status(job_id):
    """WAITING, RUNNING or COMPLETED, for a job this script started."""
    return _call("job_status", id=job_id)


def cancel_job(job_id, reason=None):
    """Cancels a job this script started (with what it started in turn); returns its id."""
    _call("cancel_job", id=job_id, reason=reason)
    return job_id


getVariable = get_variable
getResource = get_resource
setVariable = set_variable
setResource = set_resource
getState = get_state
setState = set_state
getResumeUrls = get_resume_urls
