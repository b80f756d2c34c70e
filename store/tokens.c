/*
 * tokens.c -- the tokens file and constant-time matching (see tokens.h).
 */
#include "store/tokens.h"
#include "profile/mem.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

struct entry {
	unsigned char token[FF_TOKEN_MAX];  /* zero-padded */
	size_t len;
	char *glob;
};

struct ff_tokens {
	struct entry *v;
	size_t n, cap;
};

void
ff_tokens_free(ff_tokens *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->n; i++)
		ff_free(t->v[i].glob);
	ff_free(t->v);
	ff_free(t);
}

size_t
ff_tokens_count(const ff_tokens *t)
{
	return t->n;
}

static int
token_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || strchr("._~+/=-", c) != NULL;
}

static ff_rc
add_entry(ff_tokens *t, const char *tok, size_t tlen, const char *glob,
    size_t glen)
{
	struct entry *e;

	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;

		if ((e = ff_reallocarray(t->v, cap, sizeof *e)) == NULL)
			return FF_ERR_NOMEM;
		t->v = e;
		t->cap = cap;
	}
	e = &t->v[t->n];
	memset(e->token, 0, sizeof e->token);
	memcpy(e->token, tok, tlen);
	e->len = tlen;
	if ((e->glob = ff_strndup(glob, glen)) == NULL)
		return FF_ERR_NOMEM;
	t->n++;
	return FF_OK;
}

/* One line (without its newline). */
static ff_rc
parse_line(ff_tokens *t, char *line, const char *path, unsigned lineno,
    ff_err *err)
{
	char *p = line + strspn(line, " \t"), *tok, *glob;
	size_t tlen, glen, i;

	if (*p == '\0' || *p == '#')
		return FF_OK;
	tok = p;
	tlen = strcspn(tok, " \t");
	glob = tok + tlen + strspn(tok + tlen, " \t");
	glen = strcspn(glob, " \t");
	if (tlen < FF_TOKEN_MIN || tlen > FF_TOKEN_MAX)
		goto bad;
	for (i = 0; i < tlen; i++)
		if (!token_char((unsigned char)tok[i]))
			goto bad;
	if (glen == 0 || glen > 255 || glob[glen + strspn(glob + glen,
	    " \t")] != '\0')
		goto bad;
	if (t->n == FF_TOKENS_MAX)
		return ff_err_set(err, FF_ERR_PARSE, "%s:%u: more than %u "
		    "tokens", path, lineno, FF_TOKENS_MAX);
	if (add_entry(t, tok, tlen, glob, glen) != FF_OK)
		return ff_err_nomem(err);
	return FF_OK;
bad:
	return ff_err_set(err, FF_ERR_PARSE, "%s:%u: expected 'TOKEN "
	    "HOST-GLOB' with a token of %u to %u characters [A-Za-z0-9._~+/=-]",
	    path, lineno, FF_TOKEN_MIN, FF_TOKEN_MAX);
}

ff_rc
ff_tokens_load(ff_tokens **out, const char *path, ff_err *err)
{
	char line[1024];
	unsigned lineno = 0;
	ff_tokens *t;
	FILE *f;
	ff_rc rc = FF_OK;

	*out = NULL;
	if ((f = fopen(path, "r")) == NULL)
		return ff_err_errno(err, errno, "%s", path);
	if ((t = ff_calloc(1, sizeof *t)) == NULL) {
		fclose(f);
		return ff_err_nomem(err);
	}
	while (rc == FF_OK && fgets(line, sizeof line, f) != NULL) {
		size_t n = strlen(line);

		lineno++;
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		else if (!feof(f))
			rc = ff_err_set(err, FF_ERR_PARSE, "%s:%u: line too "
			    "long", path, lineno);
		if (n > 0 && line[n - 1] == '\r')
			line[--n] = '\0';
		if (rc == FF_OK)
			rc = parse_line(t, line, path, lineno, err);
	}
	if (rc == FF_OK && ferror(f))
		rc = ff_err_set(err, FF_ERR_IO, "%s: read error", path);
	fclose(f);
	if (rc != FF_OK) {
		ff_tokens_free(t);
		return rc;
	}
	*out = t;
	return FF_OK;
}

const char *
ff_tokens_match(const ff_tokens *t, const char *token, size_t len)
{
	unsigned char given[FF_TOKEN_MAX];
	const char *found = NULL;
	size_t i, k;

	if (len > FF_TOKEN_MAX)
		return NULL;
	memset(given, 0, sizeof given);
	memcpy(given, token, len);
	/* Every byte of every entry is compared, whatever matches. */
	for (i = 0; i < t->n; i++) {
		unsigned diff = (unsigned)(t->v[i].len ^ len);

		for (k = 0; k < FF_TOKEN_MAX; k++)
			diff |= (unsigned)(t->v[i].token[k] ^ given[k]);
		if (diff == 0)
			found = t->v[i].glob;
	}
	return found;
}

int
ff_tokens_host_ok(const char *glob, const char *host)
{
	return fnmatch(glob, host, 0) == 0;
}
