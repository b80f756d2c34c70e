/*
 * mkffp.c -- ff-mkffp: craft a profile file byte by byte, valid or not,
 * for the store's integration tests.
 *
 *   ff-mkffp META DATA [--raw] > out.ffp
 *
 * Writes a skippable frame holding the bytes of file META (any bytes: the
 * point is to test bad metadata too), then DATA compressed as one zstd
 * frame, or appended as is with --raw (already zstd, e.g. a bomb).
 * "-" reads DATA from standard input.
 */
#include "profile/zst.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned char *
slurp(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	unsigned char *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (f == NULL) {
		perror(path);
		exit(2);
	}
	do {
		if (cap - n < 65536) {
			cap = cap ? cap * 2 : 1 << 20;
			if ((buf = realloc(buf, cap)) == NULL)
				exit(2);
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
	} while (r > 0);
	if (f != stdin)
		fclose(f);
	*len = n;
	return buf;
}

static ff_rc
out_sink(void *ctx, const void *p, size_t len, ff_err *err)
{
	(void)ctx;
	(void)err;
	return fwrite(p, 1, len, stdout) == len ? FF_OK : FF_ERR_IO;
}

int
main(int argc, char **argv)
{
	unsigned char h[FF_ZST_SKIP_HEADER], *meta, *data;
	size_t mlen, dlen;
	int raw = argc == 4 && strcmp(argv[3], "--raw") == 0;
	ff_zst_enc *e;
	ff_err err;

	if (argc != 3 && !raw) {
		fprintf(stderr, "usage: ff-mkffp META DATA [--raw]\n");
		return 2;
	}
	meta = slurp(argv[1], &mlen);
	data = slurp(argv[2], &dlen);
	ff_zst_skip_header(h, 0, (uint32_t)mlen);
	fwrite(h, 1, sizeof h, stdout);
	fwrite(meta, 1, mlen, stdout);
	if (raw) {
		fwrite(data, 1, dlen, stdout);
	} else {
		if ((e = ff_zst_enc_new(3, out_sink, NULL)) == NULL ||
		    ff_zst_enc_write(e, data, dlen, &err) != FF_OK ||
		    ff_zst_enc_end(e, &err) != FF_OK)
			return 1;
		ff_zst_enc_free(e);
	}
	free(meta);
	free(data);
	return fflush(stdout) == 0 ? 0 : 1;
}
