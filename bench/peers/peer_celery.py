"""The Celery app of the benchmark: a Redis broker and result backend (PEER_REDIS_URL), one queue
(`bench`), the benchmark's tasks. In the worker, each task's start and end are noted in memory
(task_prerun / task_postrun, time.time()) and written to PEER_TIMES once PEER_EXPECT tasks have
ended (or when the worker shuts down), so the rate is taken from first start to last end, as for
Sluice and RQ."""

import json
import os
import time

from celery import Celery
from celery.signals import task_postrun, task_prerun, worker_shutdown

import peer_tasks

URL = os.environ.get("PEER_REDIS_URL", "redis://127.0.0.1:6379/0")
app = Celery("peer_celery", broker=URL, backend=URL)
app.conf.update(
    task_default_queue="bench",
    worker_hijack_root_logger=False,
    broker_connection_retry_on_startup=True,
    result_expires=3600,
)

noop = app.task(name="noop")(peer_tasks.noop)
bash = app.task(name="bash")(peer_tasks.bash)
python = app.task(name="python")(peer_tasks.python)

_starts = []
_ends = []


@task_prerun.connect
def _started(**_):
    _starts.append(time.time())


@task_postrun.connect
def _ended(**_):
    _ends.append(time.time())
    if len(_ends) == int(os.environ.get("PEER_EXPECT", "0")):
        _write_times()


@worker_shutdown.connect
def _write_times(**_):
    path = os.environ.get("PEER_TIMES")
    if path and not os.path.exists(path):
        with open(path + ".part", "w") as out:
            json.dump({"starts": _starts, "ends": _ends}, out)
        os.rename(path + ".part", path)
