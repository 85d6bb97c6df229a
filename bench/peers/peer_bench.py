"""Runs one peer (RQ or Celery) against a Redis and prints one JSON line of what it measured.

  peer_bench.py rq|celery throughput noop|bash|python --count N --redis URL [--script PATH]
  peer_bench.py rq|celery latency noop --count N --redis URL

throughput: N jobs are queued first (not timed), then ONE worker process (RQ's SimpleWorker,
Celery's solo pool) runs them; the rate is N over first job start → last job end, as Sluice's
figure. latency: with an idle worker, N jobs one at a time, each timed from before queueing to
its result in the client (RQ: latest_result with a blocking wait; Celery: AsyncResult.get);
the samples (µs) are printed for the caller's HdrHistogram. Progress goes to stderr."""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import peer_tasks  # noqa: E402


def progress(label, done, total):
    print(f"\r  {label}: {done}/{total}   ", end="", file=sys.stderr, flush=True)


def job_args(kind, n, script):
    return (script, n) if kind == "bash" else (n,)


def rq_throughput(args):
    from redis import Redis
    from rq import Queue
    from rq.job import Job

    redis = Redis.from_url(args.redis)
    queue = Queue("bench", connection=redis)
    function = getattr(peer_tasks, args.kind)
    ids = []
    for start in range(0, args.count, 500):
        batch = [
            Queue.prepare_data(function, args=job_args(args.kind, n, args.script), result_ttl=3600)
            for n in range(start, min(args.count, start + 500))
        ]
        ids += [job.id for job in queue.enqueue_many(batch)]
    worker = rq_worker(args, burst=True)
    while worker.poll() is None:
        progress(f"rq {args.kind}", args.count - queue.count, args.count)
        time.sleep(0.5)
    print(file=sys.stderr)
    starts, ends, failed = [], [], 0
    for start in range(0, len(ids), 1000):
        for job in Job.fetch_many(ids[start : start + 1000], connection=redis):
            if job is None or job.get_status() != "finished":
                failed += 1
                continue
            starts.append(job.started_at.timestamp())
            ends.append(job.ended_at.timestamp())
    return report(args, starts, ends, failed)


def rq_worker(args, burst):
    """RQ's SimpleWorker (one process, no fork per job) on the queue `bench`; `burst`: it ends once the queue is empty."""
    return subprocess.Popen(
        [os.path.join(os.path.dirname(sys.executable), "rq"), "worker"]
        + (["--burst"] if burst else [])
        + ["--worker-class", "rq.worker.SimpleWorker", "--url", args.redis, "--path", HERE, "--logging_level", "WARNING", "bench"],
        stdout=subprocess.DEVNULL,
    )


def stop(worker):
    """SIGKILL: called once what is measured is over (every task's result is stored before its
    task_postrun). Celery's warm shutdown on SIGTERM took 10 s and more here, most of a quick run."""
    worker.kill()
    worker.wait()


def celery_worker(args, times, expect=0):
    environment = dict(os.environ, PEER_REDIS_URL=args.redis, PEER_TIMES=times, PEER_EXPECT=str(expect), PYTHONPATH=HERE)
    return subprocess.Popen(
        [
            os.path.join(os.path.dirname(sys.executable), "celery"),
            "-A",
            "peer_celery",
            "worker",
            "--pool",
            "solo",
            "--concurrency",
            "1",
            "-Q",
            "bench",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "WARNING",
        ],
        cwd=HERE,
        env=environment,
        stdout=subprocess.DEVNULL,
    )


def celery_throughput(args):
    os.environ["PEER_REDIS_URL"] = args.redis
    import peer_celery
    from redis import Redis

    redis = Redis.from_url(args.redis)
    task = getattr(peer_celery, args.kind)
    results = [task.apply_async(job_args(args.kind, n, args.script)) for n in range(args.count)]
    times = tempfile.mktemp(suffix=".json")
    worker = celery_worker(args, times, expect=args.count)
    while not os.path.exists(times) and worker.poll() is None:
        progress(f"celery {args.kind}", args.count - redis.llen("bench"), args.count)
        time.sleep(0.5)
    stop(worker)
    with open(times) as found:
        measured = json.load(found)
    os.unlink(times)
    print(file=sys.stderr)
    failed = sum(1 for result in results if result.state != "SUCCESS")
    return report(args, measured["starts"], measured["ends"], failed)


def report(args, starts, ends, failed):
    seconds = (max(ends) - min(starts)) if starts and ends else float("nan")
    return {
        "peer": args.peer,
        "mode": "throughput",
        "kind": args.kind,
        "jobs": args.count,
        "seconds": seconds,
        "jobs_per_second": args.count / seconds if seconds == seconds and seconds > 0 else 0,
        "failed": failed,
    }


def latency(args):
    samples = []
    if args.peer == "rq":
        from redis import Redis
        from rq import Queue

        redis = Redis.from_url(args.redis)
        queue = Queue("bench", connection=redis)
        worker = rq_worker(args, burst=False)
        submit = lambda n: queue.enqueue(peer_tasks.noop, n, result_ttl=3600)  # noqa: E731
        wait = lambda job: job.latest_result(timeout=30)  # noqa: E731
        warm = submit(-1)
        wait(warm)
    else:
        os.environ["PEER_REDIS_URL"] = args.redis
        import peer_celery

        worker = celery_worker(args, tempfile.mktemp(suffix=".json"))
        submit = lambda n: peer_celery.noop.apply_async((n,))  # noqa: E731
        wait = lambda result: result.get(timeout=30)  # noqa: E731
        wait(submit(-1))
    for n in range(args.count):
        begin = time.perf_counter()
        wait(submit(n))
        samples.append(int((time.perf_counter() - begin) * 1_000_000))
        if n % 50 == 0:
            progress(f"{args.peer} latency", n, args.count)
    print(file=sys.stderr)
    stop(worker)
    return {"peer": args.peer, "mode": "latency", "kind": "noop", "samples_us": samples}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("peer", choices=["rq", "celery"])
    parser.add_argument("mode", choices=["throughput", "latency"])
    parser.add_argument("kind", choices=["noop", "bash", "python"])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--redis", required=True)
    parser.add_argument("--script", default="")
    args = parser.parse_args()
    if args.mode == "latency":
        result = latency(args)
    else:
        result = rq_throughput(args) if args.peer == "rq" else celery_throughput(args)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
