/*
 * fuzz_ffp.c -- libFuzzer target: the profile file reader (skippable
 * metadata frame, zstd, JSON, folded lines) on any bytes, with the limits
 * an ingest uses.  Invariants: an accepted file has valid metadata, its
 * table is consistent, and writing it back gives a file that reads back
 * with the same metadata and sums.
 */
#include "fuzz.h"

#include "profile/ffp.h"
#include "profile/mem.h"

#include <stdlib.h>
#include <string.h>

struct buf {
	unsigned char *p;
	size_t len, cap;
};

static ff_rc
buf_sink(void *ctx, const void *p, size_t len, ff_err *err)
{
	struct buf *b = ctx;

	(void)err;
	if (b->len + len > b->cap) {
		b->cap = (b->len + len) * 2;
		if ((b->p = realloc(b->p, b->cap)) == NULL)
			abort();
	}
	memcpy(b->p + b->len, p, len);
	b->len += len;
	return FF_OK;
}

static void
check_roundtrip(const ff_meta *m, const ff_stacks *s)
{
	ff_intern *t = ff_intern_new();
	ff_stacks *back = NULL;
	struct buf b = { 0 };
	ff_src *src = NULL;
	ff_meta m2;
	ff_err err;
	unsigned i;

	ff_meta_init(&m2);
	if (t == NULL || ff_meta_validate(m, &err) != FF_OK)
		abort();
	if (ff_ffp_write(m, s, 1, buf_sink, &b, &err) != FF_OK ||
	    ff_src_open_mem(&src, b.p, b.len, "back", NULL, &err) != FF_OK ||
	    ff_ffp_read(src, t, &m2, &back, NULL, &err) != FF_OK)
		abort();
	if (strcmp(m->host, m2.host) != 0 || strcmp(m->build, m2.build) != 0 ||
	    m->nevents != m2.nevents || m->nlabels != m2.nlabels ||
	    m->start != m2.start)
		abort();
	for (i = 0; i < m->nevents; i++)
		if (ff_stacks_totals(back)[i] != ff_stacks_totals(s)[i])
			abort();
	ff_stacks_free(back);
	ff_src_close(src);
	ff_meta_free(&m2);
	ff_intern_free(t);
	free(b.p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ff_src_opts o = { .max_decompressed = 8u << 20, .max_meta = 64u << 10 };
	ff_intern *t = ff_intern_new();
	ff_stacks *s = NULL;
	ff_src *src = NULL;
	ff_meta m;
	ff_err err;
	ff_rc rc;

	ff_meta_init(&m);
	if (t == NULL ||
	    ff_src_open_mem(&src, data, size, "in.ffp", &o, &err) != FF_OK)
		abort();
	rc = ff_ffp_read(src, t, &m, &s, NULL, &err);
	if (rc == FF_ERR_NOMEM || rc == FF_ERR_INTERNAL)
		abort();
	if (rc == FF_OK) {
#ifndef NDEBUG
		ff_stacks_check(s);
#endif
		check_roundtrip(&m, s);
	} else if (s != NULL || m.host != NULL) {
		abort(); /* a rejected file leaves nothing behind */
	}
	ff_stacks_free(s);
	ff_src_close(src);
	ff_meta_free(&m);
	ff_intern_free(t);
	return 0;
}
