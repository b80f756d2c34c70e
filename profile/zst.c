/*
 * zst.c -- zstd streaming behind flamefleet's conventions (see zst.h).
 */
#include "profile/zst.h"
#include "profile/mem.h"

#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_customMem */
#include <zstd.h>
#include <zstd_errors.h>

#include <string.h>

/* ---- sniffing ---------------------------------------------------------- */

static uint32_t
le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static void
put_le32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

ff_zst_kind
ff_zst_sniff(const void *p, size_t len)
{
	uint32_t magic;

	if (len < 4)
		return FF_ZST_NONE;
	magic = le32(p);
	if (magic == ZSTD_MAGICNUMBER)
		return FF_ZST_FRAME;
	if ((magic & ZSTD_MAGIC_SKIPPABLE_MASK) == ZSTD_MAGIC_SKIPPABLE_START)
		return FF_ZST_SKIPPABLE;
	return FF_ZST_NONE;
}

uint32_t
ff_zst_skip_size(const unsigned char header[FF_ZST_SKIP_HEADER])
{
	return le32(header + 4);
}

void
ff_zst_skip_header(unsigned char header[FF_ZST_SKIP_HEADER],
    unsigned variant, uint32_t size)
{
	put_le32(header, ZSTD_MAGIC_SKIPPABLE_START | (variant & 0xF));
	put_le32(header + 4, size);
}

/* zstd allocates through our wrapper so fault injection reaches it. */
static void *
zst_alloc(void *opaque, size_t size)
{
	(void)opaque;
	return ff_malloc(size);
}

static void
zst_free(void *opaque, void *p)
{
	(void)opaque;
	ff_free(p);
}

static const ZSTD_customMem zst_mem = { zst_alloc, zst_free, NULL };

/* ---- decoding ---------------------------------------------------------- */

struct ff_zst_dec {
	ZSTD_DStream *ds;
	uint64_t max_out;
	uint64_t produced;
	size_t last;       /* last ZSTD_decompressStream() hint; 0 = frame end */
	uint64_t fed;      /* compressed bytes consumed */
};

ff_zst_dec *
ff_zst_dec_new(uint64_t max_out)
{
	ff_zst_dec *d = ff_calloc(1, sizeof *d);

	if (d == NULL)
		return NULL;
	d->ds = ZSTD_createDStream_advanced(zst_mem);
	if (d->ds == NULL) {
		ff_free(d);
		return NULL;
	}
	/* Refuse frames that ask for a window larger than 128 MiB: they
	 * would make us allocate it before producing a byte. */
	ZSTD_DCtx_setParameter(d->ds, ZSTD_d_windowLogMax, 27);
	d->max_out = max_out;
	return d;
}

void
ff_zst_dec_free(ff_zst_dec *d)
{
	if (d == NULL)
		return;
	ZSTD_freeDStream(d->ds);
	ff_free(d);
}

ff_rc
ff_zst_dec_run(ff_zst_dec *d, const void *in, size_t inlen, size_t *used,
    void *out, size_t outcap, size_t *made, ff_err *err)
{
	ZSTD_inBuffer ib = { in, inlen, 0 };
	ZSTD_outBuffer ob = { out, outcap, 0 };
	size_t r;

	if (d->max_out != 0 && outcap > d->max_out - d->produced + 1)
		ob.size = (size_t)(d->max_out - d->produced + 1);
	r = ZSTD_decompressStream(d->ds, &ob, &ib);
	*used = ib.pos;
	*made = ob.pos;
	d->fed += ib.pos;
	if (ZSTD_isError(r) &&
	    ZSTD_getErrorCode(r) == ZSTD_error_memory_allocation)
		return ff_err_nomem(err);
	if (ZSTD_isError(r))
		return ff_err_set(err, FF_ERR_PARSE, "corrupt zstd data: %s",
		    ZSTD_getErrorName(r));
	/* Called with no input after a frame ended, zstd asks for the next
	 * frame's header; that does not make the stream truncated. */
	if (ib.pos != 0 || ob.pos != 0)
		d->last = r;
	d->produced += ob.pos;
	if (d->max_out != 0 && d->produced > d->max_out)
		return ff_err_set(err, FF_ERR_LIMIT,
		    "decompressed data exceeds the limit of %llu bytes",
		    (unsigned long long)d->max_out);
	return FF_OK;
}

int
ff_zst_dec_complete(const ff_zst_dec *d)
{
	return d->fed == 0 || d->last == 0;
}

/* ---- encoding ---------------------------------------------------------- */

struct ff_zst_enc {
	ZSTD_CStream *cs;
	ff_zst_sink sink;
	void *ctx;
	unsigned char *buf;
	size_t cap;
};

ff_zst_enc *
ff_zst_enc_new(int level, ff_zst_sink sink, void *ctx)
{
	ff_zst_enc *e = ff_calloc(1, sizeof *e);

	if (e == NULL)
		return NULL;
	e->cap = ZSTD_CStreamOutSize();
	e->buf = ff_malloc(e->cap);
	e->cs = ZSTD_createCStream_advanced(zst_mem);
	if (e->buf == NULL || e->cs == NULL) {
		ff_zst_enc_free(e);
		return NULL;
	}
	ZSTD_CCtx_setParameter(e->cs, ZSTD_c_compressionLevel,
	    level != 0 ? level : ZSTD_CLEVEL_DEFAULT);
	ZSTD_CCtx_setParameter(e->cs, ZSTD_c_checksumFlag, 1);
	e->sink = sink;
	e->ctx = ctx;
	return e;
}

void
ff_zst_enc_free(ff_zst_enc *e)
{
	if (e == NULL)
		return;
	ZSTD_freeCStream(e->cs);
	ff_free(e->buf);
	ff_free(e);
}

/* Run the compressor with `mode` until it has consumed all input (or, for
 * ZSTD_e_end, finished the frame). */
static ff_rc
enc_pump(ff_zst_enc *e, const void *p, size_t len, ZSTD_EndDirective mode,
    ff_err *err)
{
	ZSTD_inBuffer ib = { p, len, 0 };
	size_t left;
	ff_rc rc;

	do {
		ZSTD_outBuffer ob = { e->buf, e->cap, 0 };

		left = ZSTD_compressStream2(e->cs, &ob, &ib, mode);
		if (ZSTD_isError(left) &&
		    ZSTD_getErrorCode(left) == ZSTD_error_memory_allocation)
			return ff_err_nomem(err);
		if (ZSTD_isError(left))
			return ff_err_set(err, FF_ERR_INTERNAL,
			    "zstd compression failed: %s",
			    ZSTD_getErrorName(left));
		if (ob.pos != 0 &&
		    (rc = e->sink(e->ctx, e->buf, ob.pos, err)) != FF_OK)
			return rc;
	} while (mode == ZSTD_e_end ? left != 0 : ib.pos < ib.size);
	return FF_OK;
}

ff_rc
ff_zst_enc_write(ff_zst_enc *e, const void *p, size_t len, ff_err *err)
{
	return enc_pump(e, p, len, ZSTD_e_continue, err);
}

ff_rc
ff_zst_enc_end(ff_zst_enc *e, ff_err *err)
{
	return enc_pump(e, NULL, 0, ZSTD_e_end, err);
}
