#ifndef CLIBFUZZER_H
#define CLIBFUZZER_H

#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver (compiler-rt, linked in by -sanitize=fuzzer): runs the fuzzing loop with
/// `callback` as the target. Only referenced by fuzz builds (-DFUZZING), where SwiftPM's renamed
/// entry point calls it in place of libFuzzer's own main.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
