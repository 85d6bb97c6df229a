#!/usr/bin/env bash
# Benchmarks (make bench): each starts its own private redis-server; figures are printed and
# recorded by hand in docs/benchmarks.md with the date and machine.
set -euo pipefail
BIN="${1:-.build/release}"
cd "$(dirname "$0")/.."
echo "== machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(redis-server --version | awk '{print $3}')"
echo "== identity jobs: full lifecycle through one worker process, concurrency 8"
"$BIN/sluice-bench" throughput --kind identity --count 100000 --concurrency 8 --binaries "$BIN"
echo "== bash jobs against a plain spawn loop with the same parallelism (same run): sandboxed (default) and --sandbox none"
"$BIN/sluice-bench" throughput --kind bash --count 3000 --concurrency 8 --round-trip-sample 0 --binaries "$BIN"
"$BIN/sluice-bench" throughput --kind bash --count 3000 --concurrency 8 --round-trip-sample 0 --sandbox none --binaries "$BIN"
"$BIN/sluice-bench" spawn-baseline --count 3000 --parallelism 8
echo "== flows of identity steps: latency with an idle worker, then 1,000 in parallel"
"$BIN/sluice-bench" flows --steps 3 --steps 10 --binaries "$BIN"
echo "== big fan-outs: a 10,000-iteration for loop (parallelism 50) and a 1,000-branch branchall of identity steps"
"$BIN/sluice-bench" loops --iterations 10000 --parallelism 50 --branches 1000 --binaries "$BIN"
echo "== schedules: 10,000 schedules, next fires computed, fired by one scheduler (spread over a minute, then in bursts), then by two racing"
"$BIN/sluice-bench" schedules --count 10000 --bursts 3 --binaries "$BIN"
"$BIN/sluice-bench" schedules --count 10000 --bursts 3 --schedulers 2 --binaries "$BIN"
echo "== partitioned over a 3-master Redis Cluster: 1, 2 and 3 masters in use, one prefix and one worker each"
"$BIN/sluice-bench" cluster --count 20000 --binaries "$BIN"
echo "== python3 and TypeScript script jobs (def main(x): return x + 1) against Celery's solo pool running the same function, same run"
# Celery lives in a bench-only virtualenv (git-ignored), never in Sluice's runtime; its broker and
# result backend is a private redis-server started here.
BENCH_VENV=.venv-bench
if [ ! -x "$BENCH_VENV/bin/celery" ]; then
  .venv-tools/bin/uv venv --quiet --python /usr/bin/python3 "$BENCH_VENV"
  .venv-tools/bin/uv pip install --quiet --python "$BENCH_VENV/bin/python" "celery[redis]==5.7.0"
fi
CELERY_DIR="$(mktemp -d /tmp/sluice-celery.XXXXXX)"
CELERY_PORT="$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
redis-server --port "$CELERY_PORT" --bind 127.0.0.1 --dir "$CELERY_DIR" --save "" --appendonly no --daemonize yes \
  --logfile "$CELERY_DIR/redis.log" --pidfile "$CELERY_DIR/redis.pid"
for _ in $(seq 1 100); do redis-cli -p "$CELERY_PORT" ping >/dev/null 2>&1 && break; sleep 0.05; done
# Three rounds, each Celery then Sluice's fork and dedicated modes back to back, so that each
# ratio compares runs made under the same load of the machine.
for round in 1 2 3; do
  echo "-- round $round"
  "$BENCH_VENV/bin/python" bench/celery/celery_bench.py "redis://127.0.0.1:$CELERY_PORT/0" 10000 2>&1 | grep -E '^celery solo'
  "$BIN/sluice-bench" throughput --kind python --python-runner fork --count 4000 --concurrency 8 --round-trip-sample 0 --binaries "$BIN" | grep 'jobs/s,'
  "$BIN/sluice-bench" throughput --kind python --python-runner dedicated --count 8000 --concurrency 8 --round-trip-sample 0 --binaries "$BIN" | grep 'jobs/s,'
done
redis-cli -p "$CELERY_PORT" shutdown nosave >/dev/null 2>&1 || true
rm -rf "$CELERY_DIR"
"$BIN/sluice-bench" throughput --kind python --python-runner process --count 400 --concurrency 8 --round-trip-sample 0 --binaries "$BIN"
"$BIN/sluice-bench" throughput --kind deno --count 400 --concurrency 8 --round-trip-sample 0 --binaries "$BIN"
"$BIN/sluice-bench" throughput --kind deno --python-runner dedicated --count 5000 --concurrency 8 --round-trip-sample 0 --binaries "$BIN"
echo "== where a python3 job's time goes"
/usr/bin/python3 bench/python_costs.py /usr/bin/python3
