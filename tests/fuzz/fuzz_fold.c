/*
 * fuzz_fold.c -- libFuzzer target: the folded reader and loader on any
 * bytes.  The first byte picks the column count (detected, one or two)
 * and strict mode.  Invariants: a loaded table is consistent, and its
 * output reads back with no malformed line and the same sums.
 */
#include "fuzz.h"

#include "profile/fold.h"

#include <stdio.h>
#include <stdlib.h>

/* Write s, read it back, compare the sums. */
static void
check_roundtrip(const ff_stacks *s)
{
	ff_intern *t = ff_intern_new();
	ff_diag *d = ff_diag_new(NULL, "fuzz", 0);
	ff_stacks *back = NULL;
	ff_src *src = NULL;
	char *text = NULL;
	size_t len = 0;
	unsigned i, nv = ff_stacks_nvalues(s);
	FILE *f = open_memstream(&text, &len);
	ff_src_opts plain = { 0 };
	ff_err err;

	plain.plain = 1;
	if (t == NULL || d == NULL || f == NULL)
		abort();
	if (ff_fold_write(s, f, &err) != FF_OK || fclose(f) != 0)
		abort();
	/* Plain: folded text that happens to start with a zstd magic
	 * number must not be taken for compressed input. */
	if (ff_src_open_mem(&src, text, len, "out", &plain, &err) != FF_OK ||
	    ff_fold_load_src(&back, t, src, nv, d, &err) != FF_OK ||
	    ff_diag_count(d) != 0)
		abort();
	for (i = 0; i < nv; i++)
		if (ff_stacks_totals(back)[i] != ff_stacks_totals(s)[i])
			abort();
	if (ff_stacks_count(back) > ff_stacks_count(s))
		abort();
	ff_stacks_free(back);
	ff_src_close(src);
	ff_diag_free(d);
	ff_intern_free(t);
	free(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ff_intern *t;
	ff_stacks *s = NULL;
	ff_diag *d;
	ff_src *src = NULL;
	ff_err err;
	ff_rc rc;

	if (size == 0)
		return 0;
	t = ff_intern_new();
	d = ff_diag_new(NULL, "fuzz", (data[0] & 4) != 0);
	if (t == NULL || d == NULL)
		abort();
	if (ff_src_open_mem(&src, data + 1, size - 1, "in", NULL, &err) !=
	    FF_OK)
		abort();
	rc = ff_fold_load_src(&s, t, src, data[0] % 3, d, &err);
	if (rc == FF_ERR_NOMEM || rc == FF_ERR_INTERNAL)
		abort();
	if (rc == FF_OK) {
#ifndef NDEBUG
		ff_stacks_check(s);
		ff_intern_check(t);
#endif
		check_roundtrip(s);
	}
	ff_stacks_free(s);
	ff_src_close(src);
	ff_diag_free(d);
	ff_intern_free(t);
	return 0;
}
