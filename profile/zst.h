/*
 * zst.h -- the one module that talks to zstd.
 *
 * A decoder that inflates a stream chunk by chunk under a hard output cap
 * (so a zstd bomb costs at most the cap), and an encoder that compresses
 * chunk by chunk into a caller's sink.  Both allocate through ff_malloc.
 *
 * The profile file also needs zstd's skippable frames; their byte layout is
 * fixed by the zstd format (RFC 8878, section 3.1.2) and handled here too.
 */
#ifndef FF_ZST_H
#define FF_ZST_H

#include "profile/err.h"

#include <stddef.h>
#include <stdint.h>

/* ---- sniffing ---------------------------------------------------------- */

/* What the first four bytes of a stream say it is. */
typedef enum ff_zst_kind {
	FF_ZST_NONE = 0,  /* not zstd (plain text) */
	FF_ZST_FRAME,     /* an ordinary zstd frame */
	FF_ZST_SKIPPABLE  /* a skippable frame (magic 0x184D2A50..5F) */
} ff_zst_kind;

/* Classify p[0..len); len < 4 gives FF_ZST_NONE. */
ff_zst_kind ff_zst_sniff(const void *p, size_t len);

/* Skippable frame header: 4-byte magic and 4-byte little-endian size. */
#define FF_ZST_SKIP_HEADER 8u
uint32_t ff_zst_skip_size(const unsigned char header[FF_ZST_SKIP_HEADER]);
void ff_zst_skip_header(unsigned char header[FF_ZST_SKIP_HEADER],
    unsigned variant, uint32_t size);

/* ---- decoding ---------------------------------------------------------- */

typedef struct ff_zst_dec ff_zst_dec;

/* A decoder that refuses to produce more than max_out bytes in total
 * (0 = no cap).  NULL when out of memory. */
ff_zst_dec *ff_zst_dec_new(uint64_t max_out);
void ff_zst_dec_free(ff_zst_dec *d);

/* Decompress from in[0..inlen) into out[0..outcap).  *used and *made say
 * how much was consumed and produced.  FF_ERR_PARSE for corrupt data,
 * FF_ERR_LIMIT when the output cap is passed (message names the cap). */
ff_rc ff_zst_dec_run(ff_zst_dec *d, const void *in, size_t inlen,
    size_t *used, void *out, size_t outcap, size_t *made, ff_err *err)
	FF_WUR;

/* True when the data so far ends at a frame boundary (so end of input is
 * not a truncated stream). */
int ff_zst_dec_complete(const ff_zst_dec *d);

/* ---- encoding ---------------------------------------------------------- */

typedef struct ff_zst_enc ff_zst_enc;

/* Where compressed bytes go.  Return FF_OK or an error with err filled. */
typedef ff_rc (*ff_zst_sink)(void *ctx, const void *p, size_t len,
    ff_err *err);

/* An encoder at `level` (1..19; 0 = zstd's default) writing to sink.
 * NULL when out of memory. */
ff_zst_enc *ff_zst_enc_new(int level, ff_zst_sink sink, void *ctx);
void ff_zst_enc_free(ff_zst_enc *e);

/* Compress p[0..len) (buffered; output goes to the sink as it fills). */
ff_rc ff_zst_enc_write(ff_zst_enc *e, const void *p, size_t len, ff_err *err)
	FF_WUR;

/* Finish the frame and flush everything to the sink. */
ff_rc ff_zst_enc_end(ff_zst_enc *e, ff_err *err) FF_WUR;

#endif
