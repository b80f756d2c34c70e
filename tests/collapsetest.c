/*
 * collapsetest.c -- running a collapser on text in memory (see
 * collapsetest.h).
 */
#include "collapsetest.h"
#include "testutil.h"

#include "profile/fold.h"
#include "profile/mem.h"
#include "profile/src.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

ff_ct_result
ff_ct_run(const ff_collapse_opts *o, const char *text, size_t len,
    const char *name, int strict, unsigned long fail, unsigned long *made)
{
	ff_ct_result r;
	ff_intern *t = ff_intern_new();
	ff_stacks *s;
	ff_diag *d;
	ff_src *src;
	size_t n, dn;
	FILE *f, *df;
	ff_err err;

	memset(&r, 0, sizeof r);
	assert_non_null(t);
	s = ff_stacks_new(t, ff_collapse_ncols(o));
	assert_non_null(s);
	df = open_memstream(&r.diag, &dn);
	assert_non_null(df);
	d = ff_diag_new(df, "test", strict);
	assert_non_null(d);
	assert_int_equal(ff_src_open_mem(&src, text, len, name, NULL, &err),
	    FF_OK);
	if (fail != 0)
		ff_mem_fail_at(fail, 1);
	r.rc = ff_collapse_src(o, src, s, &r.st, d, &err);
	if (fail != 0) {
		unsigned long counted = ff_mem_fail_at(0, 0);

		if (made != NULL)
			*made = counted;
	}
	r.bad = ff_diag_count(d);
	if (r.rc == FF_OK) {
		f = open_memstream(&r.out, &n);
		assert_non_null(f);
		assert_int_equal(ff_fold_write(s, f, &err), FF_OK);
		fclose(f);
	} else {
		r.out = strdup(ff_err_msg(&err));
	}
#ifndef NDEBUG
	ff_stacks_check(s);
#endif
	ff_src_close(src);
	ff_stacks_free(s);
	ff_intern_free(t);
	ff_diag_free(d);
	fclose(df);
	return r;
}

const ff_collapse_opts *
ff_ct_opts(const ff_collapse_opts *o, ff_collapse_format fmt,
    ff_collapse_opts *def)
{
	if (o != NULL)
		return o;
	ff_collapse_opts_init(def);
	def->format = fmt;
	return def;
}

void
ff_ct_free(ff_ct_result *r)
{
	free(r->out);
	free(r->diag);
	r->out = r->diag = NULL;
}

unsigned long
ff_ct_nomem_sweep(ff_collapse_format fmt, const char *text, size_t len)
{
	ff_collapse_opts o;
	unsigned long n, total;
	ff_ct_result r;

	ff_collapse_opts_init(&o);
	o.format = fmt;
	ff_mem_fail_at(ULONG_MAX, 0);
	r = ff_ct_run(&o, text, len, "m", 0, 0, NULL);
	total = ff_mem_fail_at(0, 0);
	assert_int_equal(r.rc, FF_OK);
	ff_ct_free(&r);
	for (n = 1; n <= total; n++) {
		ff_intern *t;
		ff_stacks *s;
		ff_src *src = NULL;
		ff_err err;
		ff_rc rc = FF_ERR_NOMEM;

		ff_mem_fail_at(n, 0);
		t = ff_intern_new();
		s = t != NULL ? ff_stacks_new(t, ff_collapse_ncols(&o)) : NULL;
		if (s != NULL && ff_src_open_mem(&src, text, len, "m", NULL,
		    &err) == FF_OK)
			rc = ff_collapse_src(&o, src, s, NULL, NULL, &err);
		ff_mem_fail_at(0, 0);
		assert_true(rc == FF_OK || rc == FF_ERR_NOMEM);
		ff_src_close(src);
		ff_stacks_free(s);
		ff_intern_free(t);
	}
	return total;
}
