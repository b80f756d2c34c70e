/*
 * collapsetest.h -- running a collapser on text in memory, for the tests
 * of the collapsers: the folded output (or the error), the malformed
 * lines counted and what the diag printed about them, the statistics.
 */
#ifndef FF_COLLAPSETEST_H
#define FF_COLLAPSETEST_H

#include "agent/collapse.h"

#include <stdint.h>

typedef struct ff_ct_result {
	ff_rc rc;
	char *out;              /* folded output, or the error message */
	uint64_t bad;           /* malformed lines reported */
	ff_collapse_stats st;
	char *diag;             /* what the diag printed */
} ff_ct_result;

/* Collapse text[0..len), named name in messages, with o; strict: every
 * malformed line is fatal.  fail: 0, or make the fail-th allocation of
 * the collapse and every later one fail (ff_mem_fail_at(fail, 1)); *made,
 * when not NULL, then gets the allocations counted. */
ff_ct_result ff_ct_run(const ff_collapse_opts *o, const char *text,
    size_t len, const char *name, int strict, unsigned long fail,
    unsigned long *made);

/* o, or the default options with format fmt in *def. */
const ff_collapse_opts *ff_ct_opts(const ff_collapse_opts *o,
    ff_collapse_format fmt, ff_collapse_opts *def);

void ff_ct_free(ff_ct_result *r);

/* Run `call` (an expression giving an ff_ct_result): it must succeed,
 * print exactly `expect` and report nbad malformed lines. */
#define FF_CT_EXPECT(call, expect, nbad) do {                           \
	ff_ct_result r_ = (call);                                       \
	if (r_.rc != FF_OK)                                             \
		fail_msg("collapse failed: %s", r_.out);                \
	assert_string_equal(r_.out, expect);                            \
	assert_int_equal(r_.bad, nbad);                                 \
	ff_ct_free(&r_);                                                \
} while (0)

/* Fail each allocation of a whole run of format fmt on text[0..len) in
 * turn (the tables, the source, the collapse): every run must end in
 * FF_OK or a clean FF_ERR_NOMEM, leaking nothing (the ASan build checks).
 * Returns how many allocations the run makes, so each was failed once. */
unsigned long ff_ct_nomem_sweep(ff_collapse_format fmt, const char *text,
    size_t len);

#endif
