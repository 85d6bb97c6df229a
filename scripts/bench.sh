#!/usr/bin/env bash
# Benchmarks (make bench): each starts its own private redis-server; figures are printed and
# recorded by hand in docs/benchmarks.md with the date and machine. The peers (RQ, Celery) run
# from the virtualenv make bench installs (.build-peers/venv). BENCH_QUICK=1: small counts, the
# peers comparison and a few Sluice figures, in under two minutes. At the end, issue 22's goals as
# rows (scripts/bench-goals.py over what the run printed, kept in .build/bench-last.log).
set -euo pipefail
BIN="${1:-.build/release}"
PYTHON="${PEERS_PYTHON:-.build-peers/venv/bin/python}"
cd "$(dirname "$0")/.."
LOG=.build/bench-last.log
mkdir -p .build

benchmarks() {
echo "== machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(redis-server --version | awk '{print $3}')"
if [ "${BENCH_QUICK:-0}" = 1 ]; then
  echo "== [1/3] Sluice against RQ and Celery (quick counts), same private redis-server"
  "$BIN/sluice-bench" peers --quick --binaries "$BIN" --python "$PYTHON"
  echo "== [2/3] identity jobs: full lifecycle through one worker process, concurrency 8"
  "$BIN/sluice-bench" throughput --kind identity --count 10000 --concurrency 8 --round-trip-sample 0 --binaries "$BIN"
  echo "== [3/3] flows of 3 identity steps: latency with an idle worker, then 200 in parallel"
  "$BIN/sluice-bench" flows --steps 3 --samples 100 --parallel 200 --binaries "$BIN"
  return 0
fi
echo "== [1/7] Sluice against RQ and Celery, same private redis-server"
"$BIN/sluice-bench" peers --binaries "$BIN" --python "$PYTHON"
echo "== [2/7] identity jobs: full lifecycle through one worker process, concurrency 8"
"$BIN/sluice-bench" throughput --kind identity --count 100000 --concurrency 8 --binaries "$BIN"
echo "== [3/7] bash jobs against a plain spawn loop with the same parallelism (same run): sandboxed in a warm sandbox per slot (default), in a sandbox per job, and --sandbox none"
"$BIN/sluice-bench" throughput --kind bash --count 3000 --concurrency 8 --round-trip-sample 0 --binaries "$BIN"
"$BIN/sluice-bench" throughput --kind bash --count 3000 --concurrency 8 --round-trip-sample 0 --bash-runner process --binaries "$BIN"
"$BIN/sluice-bench" throughput --kind bash --count 3000 --concurrency 8 --round-trip-sample 0 --sandbox none --binaries "$BIN"
"$BIN/sluice-bench" spawn-baseline --count 3000 --parallelism 8
echo "== [3/7, part 2] python3 jobs in fork mode (the default warm runner), sandboxed and --sandbox none"
"$BIN/sluice-bench" throughput --kind python --python-runner fork --count 2000 --concurrency 8 --round-trip-sample 0 --binaries "$BIN"
"$BIN/sluice-bench" throughput --kind python --python-runner fork --count 2000 --concurrency 8 --round-trip-sample 0 --sandbox none --binaries "$BIN"
echo "== [4/7] flows of identity steps: latency with an idle worker, then 1,000 in parallel; then flows whose steps carry 110 KB of data each"
"$BIN/sluice-bench" flows --steps 3 --steps 10 --binaries "$BIN"
"$BIN/sluice-bench" flows --steps 3 --samples 100 --parallel 200 --input-bytes 100000 --binaries "$BIN"
echo "== [5/7] big fan-outs: a 10,000-iteration for loop (parallelism 50) and a 1,000-branch branchall of identity steps; then a 1,000-iteration loop after a step returning 110 KB"
"$BIN/sluice-bench" loops --iterations 10000 --parallelism 50 --branches 1000 --binaries "$BIN"
"$BIN/sluice-bench" loops --iterations 1000 --parallelism 50 --input-bytes 100000 --binaries "$BIN"
echo "== [6/7] schedules: 10,000 schedules, next fires computed, fired by one scheduler (spread over a minute, then in bursts)"
"$BIN/sluice-bench" schedules --count 10000 --bursts 3 --binaries "$BIN"
echo "== [7/7] the same with two schedulers racing"
"$BIN/sluice-bench" schedules --count 10000 --bursts 3 --schedulers 2 --binaries "$BIN"
echo "== flow expressions: the in-process subset and the JavaScript engine (warm Deno, sandboxed)"
"$BIN/sluice-bench" expressions --samples 5000
echo "== partitioned over a 3-master Redis Cluster: 1, 2 and 3 masters in use, one prefix and one worker each"
"$BIN/sluice-bench" cluster --count 20000 --binaries "$BIN"
echo "== python3 (a process per job) and TypeScript script jobs (a deno per job, and dedicated); the warm python runners against Celery are in [1/7]"
"$BIN/sluice-bench" throughput --kind python --python-runner process --count 400 --concurrency 8 --round-trip-sample 0 --binaries "$BIN"
"$BIN/sluice-bench" throughput --kind deno --count 400 --concurrency 8 --round-trip-sample 0 --binaries "$BIN"
"$BIN/sluice-bench" throughput --kind deno --python-runner dedicated --count 5000 --concurrency 8 --round-trip-sample 0 --binaries "$BIN"
echo "== triggers: webhook to job start and deliveries accepted per second, against sluice run"
"$BIN/sluice-bench" triggers --samples 100 --deliveries 2000 --binaries "$BIN"
echo "== the web console: page times with 1,000,000 finished jobs and a 1,000-step flow, and the memory its index adds"
"$BIN/sluice-bench" console --binaries "$BIN"
echo "== durable acknowledgements: an approval's round trip without and with --ack replicas=1 (a master and a replica on loopback)"
"$BIN/sluice-bench" ack --samples 300 --rounds 2 --binaries "$BIN"
echo "== where a TypeScript job's time goes: a deno process against a fresh Worker isolate in a warm deno"
DENO_NO_UPDATE_CHECK=1 .venv-tools/bin/deno run --quiet --unstable-worker-options --allow-read --allow-run bench/deno/deno_costs.ts 100 8
echo "== where a python3 job's time goes"
/usr/bin/python3 bench/python_costs.py /usr/bin/python3
echo "== what a forked python3 job costs its fork server and its child"
/usr/bin/python3 bench/python_fork_costs.py /usr/bin/python3 300
}

benchmarks 2>&1 | tee "$LOG"
python3 scripts/bench-goals.py "$LOG"
