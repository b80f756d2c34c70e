/*
 * tokens.h -- the upload tokens file: which agent may upload for which
 * hosts.
 *
 *   | element   | rule                                                  |
 *   |-----------|-------------------------------------------------------|
 *   | line      | `TOKEN HOST-GLOB`, separated by spaces or tabs         |
 *   | comment   | a line starting with `#`; blank lines are ignored     |
 *   | TOKEN     | 16 to 256 bytes of [A-Za-z0-9._~+/=-]                  |
 *   | HOST-GLOB | 1 to 255 bytes, fnmatch(3) syntax: `*`, `?`, `[...]`  |
 *
 * An upload presents `Authorization: Bearer TOKEN`; the profile's host
 * must match that token's glob.  Tokens are compared in constant time
 * (the time does not depend on where a guess goes wrong, nor on which
 * entry matches).  At most 4096 entries.
 */
#ifndef FF_TOKENS_H
#define FF_TOKENS_H

#include "profile/err.h"

#include <stddef.h>

#define FF_TOKEN_MIN 16
#define FF_TOKEN_MAX 256
#define FF_TOKENS_MAX 4096

typedef struct ff_tokens ff_tokens;

/* Read a tokens file.  FF_ERR_PARSE names the bad line. */
ff_rc ff_tokens_load(ff_tokens **out, const char *path, ff_err *err) FF_WUR;
void ff_tokens_free(ff_tokens *t);

size_t ff_tokens_count(const ff_tokens *t);

/* The host glob of token[0..len), or NULL when it is not in the table.
 * Owned by t. */
const char *ff_tokens_match(const ff_tokens *t, const char *token,
    size_t len);

/* Whether host matches glob. */
int ff_tokens_host_ok(const char *glob, const char *host);

#endif
