/*
 * fuzz_dtrace.c -- libFuzzer target: the dtrace collapser on any bytes (see
 * fuzz_collapse.h for the options byte and the invariants checked).
 */
#include "fuzz_collapse.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_collapse(FF_COLLAPSE_DTRACE, data, size);
}
