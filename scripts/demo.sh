#!/usr/bin/env bash
# The demo: a private redis-server on a free port, a scheduler and two workers, then the example
# scripts pushed, run and their results printed. Everything started here is stopped on exit.
set -euo pipefail
BIN="${1:-.build/release}"
cd "$(dirname "$0")/.."
WORK="$(mktemp -d /tmp/sluice-demo.XXXXXX)"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  redis-cli -p "$PORT" shutdown nosave >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '$ %s\n' "$*"; "$@"; }

step "private redis-server on port $PORT"
redis-server --port "$PORT" --bind 127.0.0.1 --dir "$WORK" --save "" --appendonly no --daemonize yes \
  --logfile "$WORK/redis.log" --pidfile "$WORK/redis.pid"
for _ in $(seq 1 100); do redis-cli -p "$PORT" ping >/dev/null 2>&1 && break; sleep 0.05; done
export SLUICE_REDIS_URL="redis://127.0.0.1:$PORT/0"

step "scheduler and two workers"
"$BIN/scheduler" >"$WORK/scheduler.log" 2>&1 & PIDS+=($!)
"$BIN/worker" --concurrency 4 --worker-id demo-worker-1 >"$WORK/worker1.log" 2>&1 & PIDS+=($!)
"$BIN/worker" --concurrency 4 --worker-id demo-worker-2 >"$WORK/worker2.log" 2>&1 & PIDS+=($!)
sleep 0.5

step "push the example scripts"
show "$BIN/sluice" script push f/examples/hello examples/scripts/hello.py --summary "Greets someone"
show "$BIN/sluice" script push f/examples/disk_usage examples/scripts/disk_usage.sh --summary "How full is a mount point"
show "$BIN/sluice" script push f/examples/refund examples/scripts/fails.py --summary "Always fails"
show "$BIN/sluice" script list

step "run them and wait for the results"
show "$BIN/sluice" run f/examples/hello -a name=Ada -a times=2 --wait
show "$BIN/sluice" run f/examples/disk_usage --args '{"mount": "/", "threshold": 95}' --wait
echo "(a failing job exits non-zero and prints its error:)"
"$BIN/sluice" run f/examples/refund -a order_id=A-17 --wait 2>&1 | head -n 1 || true

step "a job scheduled 1 second from now, then its record and logs"
ID="$("$BIN/sluice" run f/examples/hello -a name=later --in 1 --as demo-operator)"
show "$BIN/sluice" job show "$ID"
show "$BIN/sluice" job wait "$ID"
show "$BIN/sluice" job show "$ID"
show "$BIN/sluice" job logs "$ID"

step "queues and workers"
show "$BIN/sluice" queues
printf '\ndemo finished: everything it started is being stopped.\n'
