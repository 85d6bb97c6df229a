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
