/*
 * agentconf.c -- reading agent.conf (see agentconf.h for the grammar).
 *
 * Keys are described by a table (name, section, kind, where the value
 * goes, range); one function per kind checks and stores a value.  Every
 * message starts with "file:line: ".
 */
#include "agent/agentconf.h"
#include "profile/mem.h"
#include "profile/utf8.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum scope { GLOBAL, PROFILE };

enum kind {
	K_TEXT,     /* printable text, a command line */
	K_PATH,     /* an absolute path */
	K_URL,      /* http:// or https:// */
	K_HOST,     /* metadata host: printable UTF-8, 1-255 bytes */
	K_TYPE,     /* metadata type: a word */
	K_U32,      /* unsigned, in [min, max] */
	K_U64,
	K_BYTES,    /* unsigned with an optional K, M, G or T suffix */
	K_LEVEL,    /* int in [min, max] */
	K_FORMAT,   /* perf, dtrace, pmc, procstat, folded, auto */
	K_EVENTS,
	K_PERIODS,
	K_LABELS
};

struct key {
	const char *name;
	enum scope scope;
	enum kind kind;
	size_t off;                  /* in ff_agentconf or the profile */
	uint64_t min, max;
};

#define G(f) offsetof(ff_agentconf, f)
#define P(f) offsetof(ff_agentconf_profile, f)

static const struct key keys[] = {
	{ "server", GLOBAL, K_URL, G(server), 0, 0 },
	{ "token_file", GLOBAL, K_PATH, G(token_file), 0, 0 },
	{ "spool_dir", GLOBAL, K_PATH, G(spool_dir), 0, 0 },
	{ "spool_max_bytes", GLOBAL, K_BYTES, G(spool_max_bytes), 1u << 16,
	    1ull << 40 },
	{ "spool_max_files", GLOBAL, K_U64, G(spool_max_files), 1, 1000000 },
	{ "host", GLOBAL, K_HOST, G(host), 0, 0 },
	{ "build_cmd", GLOBAL, K_TEXT, G(build_cmd), 0, 0 },
	{ "build_file", GLOBAL, K_PATH, G(build_file), 0, 0 },
	{ "splay_s", GLOBAL, K_U32, G(splay_s), 0, 86400 },
	{ "deadline_s", GLOBAL, K_U32, G(deadline_s), 1, 86400 },
	{ "connect_timeout_s", GLOBAL, K_U32, G(connect_timeout_s), 1, 600 },
	{ "upload_timeout_s", GLOBAL, K_U32, G(upload_timeout_s), 1, 86400 },
	{ "tls_ca_file", GLOBAL, K_PATH, G(tls_ca), 0, 0 },
	{ "tls_cert_file", GLOBAL, K_PATH, G(tls_cert), 0, 0 },
	{ "tls_key_file", GLOBAL, K_PATH, G(tls_key), 0, 0 },
	{ "zstd_level", GLOBAL, K_LEVEL, G(zstd_level), 1, 19 },
	{ "labels", GLOBAL, K_LABELS, G(labels), 0, 0 },
	{ "command", PROFILE, K_TEXT, P(command), 0, 0 },
	{ "output", PROFILE, K_PATH, P(output), 0, 0 },
	{ "format", PROFILE, K_FORMAT, 0, 0, 0 },
	{ "type", PROFILE, K_TYPE, P(type), 0, 0 },
	{ "events", PROFILE, K_EVENTS, 0, 0, 0 },
	{ "periods", PROFILE, K_PERIODS, 0, 0, 0 },
	{ "duration_s", PROFILE, K_U32, P(duration_s), 0, 86400 },
	{ "timeout_s", PROFILE, K_U32, P(timeout_s), 1, 86400 },
	{ "labels_cmd", PROFILE, K_TEXT, P(labels_cmd), 0, 0 },
	{ "labels", PROFILE, K_LABELS, P(labels), 0, 0 },
};

enum { NKEYS = sizeof keys / sizeof keys[0] };

/* The parser's state between lines. */
struct parser {
	ff_agentconf *c;
	const char *name;
	unsigned line;
	ff_agentconf_profile *prof;  /* current section, or NULL (global) */
	uint64_t seen;               /* keys set in the current section */
	uint64_t seen_global;
	unsigned nperiods;           /* of the current profile */
	unsigned line_periods;
};

/* ---- defaults ------------------------------------------------------------ */

void
ff_agentconf_init(ff_agentconf *c)
{
	memset(c, 0, sizeof *c);
	c->spool_max_bytes = 256ull << 20;
	c->spool_max_files = 1000;
	c->splay_s = 300;
	c->deadline_s = 600;
	c->connect_timeout_s = 10;
	c->upload_timeout_s = 120;
	c->zstd_level = 1;
}

void
ff_agentconf_free_labels(ff_label *labels, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		ff_free(labels[i].key);
		ff_free(labels[i].value);
	}
	ff_free(labels);
}

static void
profile_free(ff_agentconf_profile *p)
{
	ff_free(p->name);
	ff_free(p->command);
	ff_free(p->output);
	ff_free(p->type);
	ff_free(p->labels_cmd);
	ff_agentconf_free_labels(p->labels, p->nlabels);
}

void
ff_agentconf_free(ff_agentconf *c)
{
	unsigned i;

	ff_free(c->path);
	ff_free(c->server);
	ff_free(c->token_file);
	ff_free(c->spool_dir);
	ff_free(c->host);
	ff_free(c->build_cmd);
	ff_free(c->build_file);
	ff_free(c->tls_ca);
	ff_free(c->tls_cert);
	ff_free(c->tls_key);
	ff_agentconf_free_labels(c->labels, c->nlabels);
	for (i = 0; i < c->nprofiles; i++)
		profile_free(&c->profiles[i]);
	ff_free(c->profiles);
	ff_agentconf_init(c);
}

const ff_agentconf_profile *
ff_agentconf_find(const ff_agentconf *c, const char *name)
{
	unsigned i;

	for (i = 0; i < c->nprofiles; i++)
		if (strcmp(c->profiles[i].name, name) == 0)
			return &c->profiles[i];
	return NULL;
}

/* ---- small checks -------------------------------------------------------- */

static int
is_word_char(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' || ch == '-';
}

static int
is_word(const char *s, size_t len, size_t max)
{
	size_t i;

	if (len == 0 || len > max)
		return 0;
	for (i = 0; i < len; i++)
		if (!is_word_char((unsigned char)s[i]))
			return 0;
	return 1;
}

/* Printable UTF-8 of at most max bytes (no control characters). */
static int
is_text(const char *s, size_t len, size_t max)
{
	size_t i;

	if (len > max)
		return 0;
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7F)
			return 0;
	return ff_utf8_valid(s, len);
}

int
ff_agentconf_label_key_ok(const char *key, size_t len)
{
	return is_word(key, len, FF_META_LABEL_KEY_MAX);
}

int
ff_agentconf_label_value_ok(const char *value, size_t len)
{
	return is_text(value, len, FF_META_STR_MAX);
}

static const char *
trim(const char *p, size_t *len)
{
	while (*len > 0 && (*p == ' ' || *p == '\t')) {
		p++;
		(*len)--;
	}
	while (*len > 0 && (p[*len - 1] == ' ' || p[*len - 1] == '\t'))
		(*len)--;
	return p;
}

/* ---- labels -------------------------------------------------------------- */

static ff_rc
label_add(ff_label **labels, unsigned *n, const char *item, size_t len,
    ff_err *err)
{
	const char *eq = memchr(item, '=', len), *k, *v;
	size_t kn, vn;
	ff_label *l;
	unsigned i;

	if (eq == NULL)
		return ff_err_set(err, FF_ERR_USAGE, "label '%.*s' is not "
		    "KEY=VALUE", (int)(len < 80 ? len : 80), item);
	kn = (size_t)(eq - item);
	vn = len - kn - 1;
	k = trim(item, &kn);
	v = trim(eq + 1, &vn);
	if (!ff_agentconf_label_key_ok(k, kn))
		return ff_err_set(err, FF_ERR_USAGE, "label key '%.*s' must be "
		    "1-%u characters [A-Za-z0-9_.-]", (int)(kn < 80 ? kn : 80),
		    k, FF_META_LABEL_KEY_MAX);
	if (!ff_agentconf_label_value_ok(v, vn))
		return ff_err_set(err, FF_ERR_USAGE, "label '%.*s': value must "
		    "be at most %u bytes of printable UTF-8", (int)kn, k,
		    FF_META_STR_MAX);
	for (i = 0; i < *n; i++)
		if (strlen((*labels)[i].key) == kn &&
		    memcmp((*labels)[i].key, k, kn) == 0)
			return ff_err_set(err, FF_ERR_USAGE, "label '%.*s' is "
			    "given twice", (int)kn, k);
	if (*n >= FF_META_LABELS_MAX)
		return ff_err_set(err, FF_ERR_LIMIT, "at most %u labels",
		    FF_META_LABELS_MAX);
	if ((l = ff_reallocarray(*labels, *n + 1, sizeof *l)) == NULL)
		return ff_err_nomem(err);
	*labels = l;
	l[*n].key = ff_strndup(k, kn);
	l[*n].value = ff_strndup(v, vn);
	if (l[*n].key == NULL || l[*n].value == NULL) {
		ff_free(l[*n].key);
		ff_free(l[*n].value);
		return ff_err_nomem(err);
	}
	(*n)++;
	return FF_OK;
}

ff_rc
ff_agentconf_parse_labels(ff_label **labels, unsigned *n, const char *list,
    ff_err *err)
{
	const char *p = list;
	ff_rc rc;

	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma != NULL ? (size_t)(comma - p) : strlen(p);
		size_t tn = len;

		trim(p, &tn);
		if (tn > 0 && (rc = label_add(labels, n, p, len, err)) != FF_OK)
			return rc;
		if (comma == NULL)
			return FF_OK;
		p = comma + 1;
	}
}

/* ---- values -------------------------------------------------------------- */

static ff_rc
set_string(char **field, const char *v, ff_err *err)
{
	char *copy = ff_strdup(v);

	if (copy == NULL)
		return ff_err_nomem(err);
	ff_free(*field);
	*field = copy;
	return FF_OK;
}

/* An unsigned decimal with an optional binary suffix when `suffix`. */
static ff_rc
parse_number(const char *v, int suffix, uint64_t *out, ff_err *err)
{
	uint64_t n = 0, mul = 1;
	const char *p = v;

	if (*p < '0' || *p > '9')
		return ff_err_set(err, FF_ERR_USAGE, "'%s' is not a number", v);
	for (; *p >= '0' && *p <= '9'; p++) {
		if (n > (UINT64_MAX - 9) / 10)
			return ff_err_set(err, FF_ERR_USAGE,
			    "'%s' is too large", v);
		n = n * 10 + (uint64_t)(*p - '0');
	}
	if (suffix && *p != '\0' && p[1] == '\0') {
		const char *units = "KMGT", *u = strchr(units, *p);

		if (u != NULL)
			mul = 1ull << (10 * (u - units + 1));
		p += u != NULL;
	}
	if (*p != '\0')
		return ff_err_set(err, FF_ERR_USAGE, "'%s' is not a%s number",
		    v, suffix ? " byte count (N, NK, NM, NG or NT)" :
		    "n unsigned");
	if (n > UINT64_MAX / mul)
		return ff_err_set(err, FF_ERR_USAGE, "'%s' is too large", v);
	*out = n * mul;
	return FF_OK;
}

static ff_rc
set_number(void *base, const struct key *k, const char *v, ff_err *err)
{
	uint64_t n = 0;
	ff_rc rc;

	if ((rc = parse_number(v, k->kind == K_BYTES, &n, err)) != FF_OK)
		return rc;
	if (n < k->min || n > k->max)
		return ff_err_set(err, FF_ERR_USAGE, "%s must be between %llu "
		    "and %llu", k->name, (unsigned long long)k->min,
		    (unsigned long long)k->max);
	if (k->kind == K_U32)
		*(unsigned *)((char *)base + k->off) = (unsigned)n;
	else if (k->kind == K_LEVEL)
		*(int *)((char *)base + k->off) = (int)n;
	else
		*(uint64_t *)((char *)base + k->off) = n;
	return FF_OK;
}

static ff_rc
check_url(const char *v, ff_err *err)
{
	const char *host;
	size_t n = strlen(v);

	if (strncmp(v, "https://", 8) == 0)
		host = v + 8;
	else if (strncmp(v, "http://", 7) == 0)
		host = v + 7;
	else
		return ff_err_set(err, FF_ERR_USAGE, "server must be an "
		    "http:// or https:// URL");
	if (*host == '\0' || *host == '/' || n > 2048 ||
	    strpbrk(v, " \"<>\\^`{|}") != NULL)
		return ff_err_set(err, FF_ERR_USAGE,
		    "server '%s' is not a valid URL", v);
	if (strchr(v, '?') != NULL || strchr(v, '#') != NULL)
		return ff_err_set(err, FF_ERR_USAGE, "server must not have a "
		    "query or fragment");
	return FF_OK;
}

static ff_rc
set_text_kind(void *base, const struct key *k, char *v, ff_err *err)
{
	char **field = (char **)((char *)base + k->off);
	size_t n = strlen(v);
	ff_rc rc;

	switch (k->kind) {
	case K_PATH:
		if (v[0] != '/')
			return ff_err_set(err, FF_ERR_USAGE, "%s must be an "
			    "absolute path", k->name);
		break;
	case K_URL:
		if ((rc = check_url(v, err)) != FF_OK)
			return rc;
		while (n > 0 && v[n - 1] == '/')
			v[--n] = '\0';
		break;
	case K_HOST:
		if (n == 0 || n > FF_META_STR_MAX)
			return ff_err_set(err, FF_ERR_USAGE,
			    "host must be 1-%u bytes", FF_META_STR_MAX);
		break;
	case K_TYPE:
		if (!is_word(v, n, FF_META_TYPE_MAX))
			return ff_err_set(err, FF_ERR_USAGE,
			    "type must be a word of 1-%u characters "
			    "[A-Za-z0-9_.-]",
			    FF_META_TYPE_MAX);
		break;
	default:
		break;
	}
	if (n == 0)
		return ff_err_set(err, FF_ERR_USAGE, "%s needs a value",
		    k->name);
	return set_string(field, v, err);
}

static ff_rc
set_format(ff_agentconf_profile *p, const char *v, ff_err *err)
{
	p->folded = strcmp(v, "folded") == 0;
	if (p->folded) {
		p->collapse.format = FF_COLLAPSE_AUTO;
		return FF_OK;
	}
	if (ff_collapse_format_parse(v, &p->collapse.format, err) != FF_OK)
		return ff_err_set(err, FF_ERR_USAGE, "unknown format '%s' "
		    "(expected perf, dtrace, pmc, procstat, folded or auto)",
		    v);
	return FF_OK;
}

/* Event names must also be valid metadata event names. */
static ff_rc
set_events(ff_agentconf_profile *p, const char *v, ff_err *err)
{
	const char *extra = ":/@+=~";
	unsigned i;
	ff_rc rc;

	if ((rc = ff_collapse_opts_events(&p->collapse, v, err)) != FF_OK)
		return rc;
	for (i = 0; i < p->collapse.nevents; i++) {
		const char *e = p->collapse.events[i];

		for (; *e != '\0'; e++)
			if (!is_word_char((unsigned char)*e) &&
			    strchr(extra, *e) == NULL)
				return ff_err_set(err, FF_ERR_USAGE,
				    "event '%s' has a character outside "
				    "[A-Za-z0-9_.:/@+=~-]",
				    p->collapse.events[i]);
	}
	return FF_OK;
}

static ff_rc
set_periods(struct parser *ps, const char *v, ff_err *err)
{
	const char *c;
	ff_rc rc;

	if ((rc = ff_collapse_opts_periods(&ps->prof->collapse, v, err)) !=
	    FF_OK)
		return rc;
	ps->nperiods = 1;
	for (c = v; (c = strchr(c, ',')) != NULL; c++)
		ps->nperiods++;
	ps->line_periods = ps->line;
	return FF_OK;
}

static ff_rc
set_labels(void *base, const struct key *k, const char *v, ff_err *err)
{
	ff_label **labels = (ff_label **)((char *)base + k->off);
	unsigned *n = k->scope == GLOBAL ?
	    &((ff_agentconf *)base)->nlabels :
	    &((ff_agentconf_profile *)base)->nlabels;

	return ff_agentconf_parse_labels(labels, n, v, err);
}

static ff_rc
apply(struct parser *ps, const struct key *k, char *v, ff_err *err)
{
	void *base = k->scope == GLOBAL ? (void *)ps->c : (void *)ps->prof;

	if (k->kind != K_LABELS && !is_text(v, strlen(v),
	    FF_AGENTCONF_LINE_MAX))
		return ff_err_set(err, FF_ERR_USAGE, "%s has control "
		    "characters or invalid UTF-8", k->name);
	switch (k->kind) {
	case K_U32:
	case K_U64:
	case K_BYTES:
	case K_LEVEL:
		return set_number(base, k, v, err);
	case K_FORMAT:
		return set_format(ps->prof, v, err);
	case K_EVENTS:
		return set_events(ps->prof, v, err);
	case K_PERIODS:
		return set_periods(ps, v, err);
	case K_LABELS:
		return set_labels(base, k, v, err);
	default:
		return set_text_kind(base, k, v, err);
	}
}

/* ---- lines --------------------------------------------------------------- */

static const struct key *
find_key(const char *name, size_t len, enum scope scope, unsigned *index)
{
	unsigned i;

	for (i = 0; i < NKEYS; i++)
		if (keys[i].scope == scope && strlen(keys[i].name) == len &&
		    memcmp(keys[i].name, name, len) == 0) {
			*index = i;
			return &keys[i];
		}
	return NULL;
}

static ff_rc
end_profile(struct parser *ps, ff_err *err)
{
	ff_agentconf_profile *p = ps->prof;

	if (p == NULL)
		return FF_OK;
	if (p->command == NULL)
		return ff_err_set(err, FF_ERR_USAGE, "%s:%u: profile '%s' has "
		    "no command", ps->name, p->line, p->name);
	if (ps->nperiods > 0 && ps->nperiods != ff_collapse_ncols(&p->collapse))
		return ff_err_set(err, FF_ERR_USAGE, "%s:%u: profile '%s' has "
		    "%u periods for %u events", ps->name, ps->line_periods,
		    p->name, ps->nperiods, ff_collapse_ncols(&p->collapse));
	if (p->type == NULL && (p->type = ff_strdup("cpu")) == NULL)
		return ff_err_nomem(err);
	return FF_OK;
}

static ff_rc
new_profile(struct parser *ps, const char *name, size_t len, ff_err *err)
{
	ff_agentconf *c = ps->c;
	ff_agentconf_profile *p;
	unsigned i;

	if (!is_word(name, len, FF_AGENTCONF_NAME_MAX))
		return ff_err_set(err, FF_ERR_USAGE, "profile name '%.*s' must "
		    "be 1-%u characters [A-Za-z0-9_.-]", (int)(len < 80 ? len :
		    80), name, FF_AGENTCONF_NAME_MAX);
	for (i = 0; i < c->nprofiles; i++)
		if (strlen(c->profiles[i].name) == len &&
		    memcmp(c->profiles[i].name, name, len) == 0)
			return ff_err_set(err, FF_ERR_USAGE,
			    "profile '%.*s' is defined twice (first on "
			    "line %u)", (int)len, name,
			    c->profiles[i].line);
	if (c->nprofiles == FF_AGENTCONF_PROFILES_MAX)
		return ff_err_set(err, FF_ERR_LIMIT, "at most %u profiles",
		    FF_AGENTCONF_PROFILES_MAX);
	p = ff_reallocarray(c->profiles, c->nprofiles + 1, sizeof *p);
	if (p == NULL)
		return ff_err_nomem(err);
	c->profiles = p;
	p += c->nprofiles;
	memset(p, 0, sizeof *p);
	ff_collapse_opts_init(&p->collapse);
	p->timeout_s = 120;
	p->duration_s = 60;
	p->line = ps->line;
	if ((p->name = ff_strndup(name, len)) == NULL)
		return ff_err_nomem(err);
	c->nprofiles++;
	ps->prof = p;
	ps->seen = 0;
	ps->nperiods = 0;
	return FF_OK;
}

/* "[profile NAME]" or "[agent]" in s[0..len) (trimmed, starts with '['). */
static ff_rc
section(struct parser *ps, const char *s, size_t len, ff_err *err)
{
	ff_rc rc;

	if (s[len - 1] != ']')
		return ff_err_set(err, FF_ERR_USAGE,
		    "a section header must end with ']'");
	s++;
	len -= 2;
	s = trim(s, &len);
	if ((rc = end_profile(ps, err)) != FF_OK)
		return rc;
	if (len == 5 && memcmp(s, "agent", 5) == 0) {
		if (ps->prof != NULL)
			return ff_err_set(err, FF_ERR_USAGE,
			    "[agent] must come before the [profile] sections");
		return FF_OK;
	}
	if (len > 8 && memcmp(s, "profile", 7) == 0 &&
	    (s[7] == ' ' || s[7] == '\t')) {
		size_t n = len - 8;
		const char *name = trim(s + 8, &n);

		return new_profile(ps, name, n, err);
	}
	return ff_err_set(err, FF_ERR_USAGE, "unknown section '[%.*s]' "
	    "(expected [agent] or [profile NAME])", (int)(len < 80 ? len : 80),
	    s);
}

static ff_rc
setting(struct parser *ps, const char *s, size_t len, ff_err *err)
{
	const char *eq = memchr(s, '=', len), *k, *v;
	char value[FF_AGENTCONF_LINE_MAX + 1];
	size_t kn, vn;
	const struct key *key;
	uint64_t *seen;
	unsigned idx;

	if (eq == NULL)
		return ff_err_set(err, FF_ERR_USAGE, "expected KEY = VALUE, "
		    "[agent] or [profile NAME]");
	kn = (size_t)(eq - s);
	vn = len - kn - 1;
	k = trim(s, &kn);
	v = trim(eq + 1, &vn);
	key = find_key(k, kn, ps->prof != NULL ? PROFILE : GLOBAL, &idx);
	if (key == NULL)
		return ff_err_set(err, FF_ERR_USAGE, "unknown key '%.*s'%s",
		    (int)(kn < 80 ? kn : 80), k, ps->prof != NULL ?
		    " in a [profile] section" : "");
	seen = ps->prof != NULL ? &ps->seen : &ps->seen_global;
	if ((*seen & (1ull << idx)) && key->kind != K_LABELS)
		return ff_err_set(err, FF_ERR_USAGE, "'%s' is set twice",
		    key->name);
	*seen |= 1ull << idx;
	memcpy(value, v, vn);
	value[vn] = '\0';
	return apply(ps, key, value, err);
}

static ff_rc
one_line(struct parser *ps, const char *s, size_t len, ff_err *err)
{
	ff_rc rc;

	if (len > 0 && s[len - 1] == '\r')
		len--;
	if (len > FF_AGENTCONF_LINE_MAX)
		rc = ff_err_set(err, FF_ERR_LIMIT, "line longer than %u bytes",
		    FF_AGENTCONF_LINE_MAX);
	else if (memchr(s, '\0', len) != NULL)
		rc = ff_err_set(err, FF_ERR_PARSE, "NUL byte");
	else {
		s = trim(s, &len);
		if (len == 0 || s[0] == '#' || s[0] == ';')
			return FF_OK;
		rc = s[0] == '[' ? section(ps, s, len, err) :
		    setting(ps, s, len, err);
	}
	if (rc != FF_OK)
		ff_err_prefix(err, "%s:%u: ", ps->name, ps->line);
	return rc;
}

/* ---- the whole file ------------------------------------------------------ */

static ff_rc
finish(struct parser *ps, ff_err *err)
{
	ff_agentconf *c = ps->c;
	ff_rc rc;

	if ((rc = end_profile(ps, err)) != FF_OK)
		return rc;
	if (c->server == NULL)
		return ff_err_set(err, FF_ERR_USAGE, "%s: 'server' is required",
		    ps->name);
	if (c->build_cmd != NULL && c->build_file != NULL)
		return ff_err_set(err, FF_ERR_USAGE, "%s: set build_cmd or "
		    "build_file, not both", ps->name);
	if (c->nprofiles > 0 && c->build_cmd == NULL && c->build_file == NULL)
		return ff_err_set(err, FF_ERR_USAGE, "%s: profiles need "
		    "build_cmd or build_file (the build being measured)",
		    ps->name);
	if ((c->tls_cert == NULL) != (c->tls_key == NULL))
		return ff_err_set(err, FF_ERR_USAGE, "%s: tls_cert_file and "
		    "tls_key_file go together", ps->name);
	if (c->spool_dir == NULL &&
	    (c->spool_dir = ff_strdup(FF_AGENTCONF_SPOOL_DEFAULT)) == NULL)
		return ff_err_nomem(err);
	return FF_OK;
}

ff_rc
ff_agentconf_parse(ff_agentconf *c, const char *text, size_t len,
    const char *name, ff_err *err)
{
	struct parser ps;
	const char *p = text, *end = text + len;
	ff_rc rc = FF_OK;

	ff_agentconf_free(c);
	memset(&ps, 0, sizeof ps);
	ps.c = c;
	ps.name = name;
	if ((c->path = ff_strdup(name)) == NULL)
		return ff_err_nomem(err);
	while (p < end && rc == FF_OK) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);

		ps.line++;
		rc = one_line(&ps, p, n, err);
		p += n + (nl != NULL);
	}
	if (rc == FF_OK)
		rc = finish(&ps, err);
	if (rc != FF_OK)
		ff_agentconf_free(c);
	return rc;
}

/* Read at most FF_AGENTCONF_FILE_MAX bytes of path into *out. */
static ff_rc
slurp(const char *path, char **out, size_t *len, ff_err *err)
{
	size_t cap = FF_AGENTCONF_FILE_MAX + 1, n = 0;
	char *buf = NULL;
	ff_rc rc = FF_OK;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return ff_err_errno(err, errno, "%s", path);
	if ((buf = ff_malloc(cap)) == NULL) {
		close(fd);
		return ff_err_nomem(err);
	}
	while (n < cap) {
		ssize_t r = read(fd, buf + n, cap - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = ff_err_errno(err, errno, "%s", path);
			break;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (rc == FF_OK && n > FF_AGENTCONF_FILE_MAX)
		rc = ff_err_set(err, FF_ERR_LIMIT, "%s: larger than %u bytes",
		    path, FF_AGENTCONF_FILE_MAX);
	if (rc != FF_OK) {
		ff_free(buf);
		return rc;
	}
	*out = buf;
	*len = n;
	return FF_OK;
}

ff_rc
ff_agentconf_load(ff_agentconf *c, const char *path, ff_err *err)
{
	char *text = NULL;
	size_t len = 0;
	ff_rc rc;

	ff_agentconf_free(c);
	if ((rc = slurp(path, &text, &len, err)) != FF_OK)
		return rc;
	rc = ff_agentconf_parse(c, text, len, path, err);
	ff_free(text);
	return rc;
}
