/*
 * fuzz.h -- what every libFuzzer target in tests/fuzz/ defines.
 *
 * A target is one fuzz_<name>.c defining LLVMFuzzerTestOneInput.  It is
 * linked either with libFuzzer (a real fuzzer, FUZZ=ON with clang) or
 * with replay.c (a plain program that runs the saved corpus as a test).
 * A target must not leak, must not keep state between calls, and calls
 * abort() when an invariant fails.
 */
#ifndef FF_FUZZ_H
#define FF_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
