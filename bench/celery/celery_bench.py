"""The peer for python script jobs: Celery's solo pool running `def main(x): return x + 1`.

Run by scripts/bench.sh with the bench-only virtualenv's python (celery and redis installed there,
never in Sluice's runtime), against the bench's own private redis-server as broker and result
backend. N tasks are queued first (excluded), then one `celery worker -P solo` is started; the rate
is counted from the moment the first task leaves the queue to the moment the last one's result is
stored, the same window Sluice's throughput benchmark measures.
"""
import os
import subprocess
import sys
import time

import redis
from celery import Celery

# The worker imports this module too: it finds the URL in the environment.
URL = os.environ.get("CELERY_BENCH_URL") or sys.argv[1]

app = Celery("celery_bench", broker=URL, backend=URL)
app.conf.update(result_expires=3600, broker_connection_retry_on_startup=True, worker_prefetch_multiplier=4)


@app.task(name="celery_bench.main")
def main(x):
    return x + 1


def run():
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
    client = redis.Redis.from_url(URL)
    client.flushdb()
    started = time.monotonic()
    results = [main.delay(i) for i in range(count)]
    queued = time.monotonic() - started
    print(f"celery: queued {count} tasks in {queued:.1f} s (excluded)", flush=True)
    here = os.path.dirname(os.path.abspath(__file__))
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "celery_bench", "worker", "-P", "solo", "-l", "warning",
         "--without-heartbeat", "--without-mingle", "--without-gossip"],
        cwd=here, env={**os.environ, "PYTHONPATH": here, "CELERY_BENCH_URL": URL},
    )
    try:
        while client.llen("celery") >= count:
            time.sleep(0.002)
        first = time.monotonic()
        remaining = client.llen("celery")
        last = results[-1]
        while not last.ready():
            time.sleep(0.005)
        elapsed = time.monotonic() - first
        done = remaining  # the tasks still queued when the window opened
        wrong = sum(1 for index in (0, count // 2, count - 1) if results[index].get(timeout=10) != index + 1)
        print(f"celery solo: {done} tasks in {elapsed:.2f} s, {done / elapsed:.0f} tasks/s ({wrong} wrong results)", flush=True)
    finally:
        worker.terminate()
        worker.wait(timeout=30)


if __name__ == "__main__":
    run()
