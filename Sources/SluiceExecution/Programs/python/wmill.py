"""The part of Windmill's `wmill` client that Sluice provides, so Windmill scripts run unchanged."""

from sluice import *  # noqa: F401,F403
from sluice import get_resume_urls, get_variable, get_resource, get_state, set_state  # noqa: F401

getResumeUrls = get_resume_urls


class Windmill:
    """Windmill's client object: `wmill.Windmill().run_script_by_path(...)` calls the module's functions."""

    def __init__(self, base_url=None, token=None):
        pass

    def __getattr__(self, name):
        import wmill

        return getattr(wmill, name)


def get_job_id():
    import os

    return os.environ.get("SLUICE_JOB_ID")


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    raise AttributeError(
        "wmill.%s is not supported by Sluice (supported: get_variable, get_resource, get_state, set_state, "
        "get_resume_urls, get_job_id, set_variable, set_resource, run_script_by_path[_async], "
        "run_script_by_hash[_async], run_script[_async], run_flow_async, run_flow_by_path[_async], wait_job, "
        "get_result, get_job_status, cancel_job)" % name
    )
