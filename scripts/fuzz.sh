#!/usr/bin/env bash
# make fuzz: builds sluice-fuzz with libFuzzer and AddressSanitizer (its own scratch path,
# .build-fuzz, git-ignored) and runs each fuzz target for FUZZ_SECONDS (default 60), starting
# from the hand-written seeds (fuzz/seeds/<target>), the committed corpus (fuzz/corpus/<target>)
# and the inputs that once broke something (fuzz/regressions/<target>). New inputs go to
# .build-fuzz/corpus/<target>; FUZZ_UPDATE_CORPUS=1 then replaces fuzz/corpus/<target> with a
# small set that covers every edge reached so far (to commit). A crash or a broken invariant is
# saved under .build-fuzz/artifacts: copy it to fuzz/regressions/<target>/, where the corpus
# replay test (make test) keeps checking it once fixed.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET="${FUZZ_SECONDS:-60}"
TARGETS="${FUZZ_TARGETS:-json expressions flows payloads}"
SCRATCH=.build-fuzz
mkdir -p "$SCRATCH/artifacts"
echo "== building sluice-fuzz with -sanitize=fuzzer,address (log: $SCRATCH/build.log)"
if ! swift build -c debug --scratch-path "$SCRATCH" -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING --product sluice-fuzz \
    > "$SCRATCH/build.log" 2>&1; then
  grep -E "error" "$SCRATCH/build.log" | head -20
  exit 1
fi
FUZZER="$SCRATCH/debug/sluice-fuzz"
# The Swift runtime's crash backtracer trips AddressSanitizer (libFuzzer reports crashes itself),
# and LeakSanitizer takes Swift's lazily made globals for leaks: both off.
export SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0
failed=""
for target in $TARGETS; do
  work="$SCRATCH/corpus/$target"
  mkdir -p "$work"
  inputs=()
  for kept in seeds corpus regressions; do [ -d "fuzz/$kept/$target" ] && inputs+=("fuzz/$kept/$target"); done
  echo "== fuzz $target for ${SECONDS_PER_TARGET}s"
  if ! SLUICE_FUZZ_TARGET="$target" "$FUZZER" "$work" "${inputs[@]}" \
      -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 -max_len=4096 -detect_leaks=0 -print_final_stats=1 \
      -artifact_prefix="$SCRATCH/artifacts/$target-" > "$SCRATCH/$target.log" 2>&1; then
    failed="$failed $target"
    grep -E "Fatal error|ERROR: AddressSanitizer|ERROR: libFuzzer|Test unit written" "$SCRATCH/$target.log" | head -5 || true
  fi
  grep -E "^stat::number_of_executed_units|^stat::new_units_added|^#[0-9]+.*DONE" "$SCRATCH/$target.log" | tr -s ' ' | tr '\n' ' ' || true
  echo
  if [ "${FUZZ_UPDATE_CORPUS:-0}" = 1 ]; then
    fresh="$SCRATCH/merged/$target"
    rm -rf "$fresh" && mkdir -p "$fresh"
    [ -d "fuzz/corpus/$target" ] || mkdir -p "fuzz/corpus/$target"
    SLUICE_FUZZ_TARGET="$target" "$FUZZER" -set_cover_merge=1 -use_counters=0 -max_len=4096 -detect_leaks=0 \
      -artifact_prefix="$SCRATCH/artifacts/$target-" "$fresh" "fuzz/corpus/$target" "$work" > "$SCRATCH/$target-merge.log" 2>&1
    rm -rf "fuzz/corpus/$target" && mv "$fresh" "fuzz/corpus/$target"
    echo "   corpus: $(ls "fuzz/corpus/$target" | wc -l) inputs in fuzz/corpus/$target"
  fi
done
if [ -n "$failed" ]; then
  echo "fuzzing found problems in:$failed (inputs in $SCRATCH/artifacts; logs in $SCRATCH/<target>.log)"
  exit 1
fi
echo "fuzzing: no problem found in $TARGETS"
