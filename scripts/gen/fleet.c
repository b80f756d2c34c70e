/*
 * fleet.c -- ffgen-fleet, a deterministic fleet simulator.
 *
 * Writes one profile per host and build, as a real fleet would upload
 * them, drawn from one synthetic program:
 *
 *   - a call tree of U distinct stacks (depth 5..60) over F function
 *     names, built by random walks with preferential attachment, so hot
 *     paths are shared the way real profiles share them;
 *   - a heavy-tailed (lognormal) cost per stack;
 *   - per host: a throughput (the "gbps" work label), total samples
 *     proportional to it, a lognormal factor per subtree (the second level
 *     of the tree), a few outlier hosts with one subtree much hotter, and
 *     Poisson sampling noise on every stack;
 *   - optionally cycles and instructions (a CPI per leaf function);
 *   - an injected change in one build: a function's self share raised by
 *     X percentage points on every host of that build (in expectation),
 *     the extra cost adding to the host's CPU time, and/or the function's
 *     CPI multiplied.
 *
 * The same arguments and seed always give the same bytes.  Every host's
 * draws come from its own generator, seeded from (seed, build, host).
 *
 * Output: DIR/BUILD/HOST.ffp (or .folded), DIR/manifest.tsv (one line per
 * profile: build, host, path, gbps, site) and DIR/truth.tsv (what was
 * injected, for tests).
 */
#include "profile/err.h"
#include "profile/ffp.h"
#include "profile/mem.h"
#include "profile/sort.h"
#include "profile/stamp.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- random numbers: xoshiro256** seeded by splitmix64 -------------------- */

typedef struct rng {
	uint64_t s[4];
} rng;

static uint64_t
splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static void
rng_seed(rng *r, uint64_t a, uint64_t b, uint64_t c)
{
	uint64_t x = a * 0x100000001B3ull ^ b * 0xC2B2AE3D27D4EB4Full ^ c;
	int i;

	for (i = 0; i < 4; i++)
		r->s[i] = splitmix(&x);
}

static uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t
rng_next(rng *r)
{
	uint64_t *s = r->s, out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return out;
}

/* Uniform in [0, 1). */
static double
uniform(rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

static uint32_t
below(rng *r, uint32_t n)
{
	return (uint32_t)(uniform(r) * n);
}

static double
normal(rng *r)
{
	double u = uniform(r), v = uniform(r);

	return sqrt(-2 * log(u > 0 ? u : 1e-300)) * cos(2 * 3.14159265358979323846 * v);
}

static double
lognormal(rng *r, double mu, double sigma)
{
	return exp(mu + sigma * normal(r));
}

/* Poisson(lambda): multiplication method for small lambda, a rounded
 * normal approximation above 30 (relative error well under sampling noise). */
static uint64_t
poisson(rng *r, double lambda)
{
	if (lambda <= 0)
		return 0;
	if (lambda < 30) {
		double l = exp(-lambda), p = uniform(r);
		uint64_t k = 0;

		while (p > l) {
			p *= uniform(r);
			k++;
		}
		return k;
	} else {
		double x = floor(lambda + sqrt(lambda) * normal(r) + 0.5);

		return x > 0 ? (uint64_t)x : 0;
	}
}

/* ---- options ----------------------------------------------------------------- */

struct opts {
	const char *out;
	unsigned hosts;
	char *builds[16];        /* into build_list */
	unsigned nbuilds;
	char *build_list;
	uint64_t seed;
	uint32_t universe;
	uint32_t functions;
	double samples;          /* expected samples of a 20 Gbps host */
	double sigma;            /* per-subtree lognormal sigma */
	double outliers;         /* fraction of outlier hosts */
	char *inject;            /* "auto" or a function name */
	double inject_pp;
	const char *inject_build;
	int cpi;
	char *cpi_func;          /* "auto" or a name, NULL = none */
	double cpi_factor;
	const char *type;
	int folded;
	int level;
	int64_t start;
	int quiet;
};

/* ---- the synthetic program ----------------------------------------------------- */

struct node {
	uint32_t parent;
	uint32_t func;
	uint32_t first_child, next_sibling;
	uint32_t visits;
	uint32_t depth;
	int32_t stack;           /* index of the stack ending here, or -1 */
};

struct program {
	char **fnames;           /* by function */
	uint32_t nfuncs;
	double *cpi;             /* base CPI by function */
	struct node *nodes;
	uint32_t nnodes, cap;
	uint32_t nstacks;
	uint32_t *stack_node;    /* by stack */
	uint32_t *stack_leaf;    /* leaf function by stack */
	uint32_t *stack_group;   /* depth-2 ancestor node by stack */
	double *weight;          /* base cost by stack */
	char **text;             /* folded text by stack */
	uint32_t *order;         /* stacks in bytewise order of text */
	uint32_t ngroups;
	uint32_t *group_of_node; /* dense group index by depth-2 node */
};

static const char *const prefixes[] = { "ngx_http", "ngx_event", "ngx_stream",
	"cache", "ssl", "tcp", "ip", "vfs", "ext4", "zstd", "lua", "json",
	"mem", "slab", "epoll", "sched", "page", "bio", "crypto", "h2", "quic",
	"dns", "log", "hash", "tls", "nvme", "blk", "net", "sock", "skb" };
static const char *const verbs[] = { "read", "write", "send", "recv", "parse",
	"lookup", "insert", "evict", "alloc", "free", "update", "flush", "copy",
	"hash", "encode", "decode", "compress", "validate", "process", "handle",
	"init", "finish", "queue", "poll", "wake" };
static const char *const nouns[] = { "header", "buffer", "chain", "request",
	"response", "node", "entry", "page", "key", "block", "frame",
	"segment", "packet", "session", "record", "table", "range", "object",
	"cookie", "token", "window", "stream" };
static const char *const suffixes[] = { "", "", "", "", "", "", ".isra.0",
	".constprop.0", "_slow", "_fast", "_v2", "_locked" };
static const char *const roots[] = { "nginx", "cache-worker", "swapper",
	"sshd", "cron" };
static const double root_share[] = { 0.70, 0.20, 0.06, 0.03, 0.01 };

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static void *
xalloc(size_t n, size_t size)
{
	void *p = ff_calloc(n, size);

	if (p == NULL) {
		fprintf(stderr, "ffgen-fleet: out of memory\n");
		exit(2);
	}
	return p;
}

static char *
xstrdup(const char *s)
{
	char *d = ff_strdup(s);

	if (d == NULL) {
		fprintf(stderr, "ffgen-fleet: out of memory\n");
		exit(2);
	}
	return d;
}

/* F distinct names; the first few are the root process names. */
static void
make_names(struct program *p, rng *r, uint32_t nfuncs)
{
	uint32_t i, j;
	char name[128];

	p->fnames = xalloc(nfuncs, sizeof *p->fnames);
	p->cpi = xalloc(nfuncs, sizeof *p->cpi);
	for (i = 0; i < NELEM(roots); i++)
		p->fnames[i] = xstrdup(roots[i]);
	for (; i < nfuncs; i++) {
		for (;;) {
			snprintf(name, sizeof name, "%s_%s_%s%s",
			    prefixes[below(r, NELEM(prefixes))],
			    verbs[below(r, NELEM(verbs))],
			    nouns[below(r, NELEM(nouns))],
			    suffixes[below(r, NELEM(suffixes))]);
			for (j = 0; j < i && strcmp(p->fnames[j], name) != 0;
			    j++)
				;
			if (j == i)
				break;
			/* Taken: make it unique the way compilers do. */
			snprintf(name + strlen(name),
			    sizeof name - strlen(name), ".%u", i);
			break;
		}
		p->fnames[i] = xstrdup(name);
	}
	for (i = 0; i < nfuncs; i++) {
		double c = lognormal(r, 0, 0.5);

		p->cpi[i] = c < 0.3 ? 0.3 : c > 6 ? 6 : c;
	}
	p->nfuncs = nfuncs;
}

static uint32_t
add_node(struct program *p, uint32_t parent, uint32_t func)
{
	struct node *n;

	if (p->nnodes == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 4096;
		p->nodes = ff_reallocarray(p->nodes, p->cap, sizeof *p->nodes);
		if (p->nodes == NULL) {
			fprintf(stderr, "ffgen-fleet: out of memory\n");
			exit(2);
		}
	}
	n = &p->nodes[p->nnodes];
	memset(n, 0, sizeof *n);
	n->parent = parent;
	n->func = func;
	n->stack = -1;
	n->first_child = n->next_sibling = UINT32_MAX;
	if (parent != UINT32_MAX) {
		n->depth = p->nodes[parent].depth + 1;
		n->next_sibling = p->nodes[parent].first_child;
		p->nodes[parent].first_child = p->nnodes;
	}
	return p->nnodes++;
}

/* A function for a new child: Zipf-like preference for low ids, so some
 * functions (allocators, hashing, locks) appear under many callers. */
static uint32_t
pick_func(struct program *p, rng *r)
{
	double u = uniform(r);
	uint32_t n = p->nfuncs - NELEM(roots);

	return (uint32_t)NELEM(roots) + (uint32_t)(n * u * u * u) % n;
}

/* The next node of a walk: an existing child in proportion to its
 * visits (preferential attachment), or a new one. */
static uint32_t
walk_step(struct program *p, rng *r, uint32_t at)
{
	uint32_t c, total = 0;
	double alpha = 1.0 + p->nodes[at].depth * 0.15, x;

	for (c = p->nodes[at].first_child; c != UINT32_MAX;
	    c = p->nodes[c].next_sibling)
		total += p->nodes[c].visits;
	x = uniform(r) * (total + alpha);
	if (x < total) {
		for (c = p->nodes[at].first_child; c != UINT32_MAX;
		    c = p->nodes[c].next_sibling) {
			if (x < p->nodes[c].visits)
				return c;
			x -= p->nodes[c].visits;
		}
	}
	return add_node(p, at, pick_func(p, r));
}

static uint32_t
pick_root(rng *r)
{
	double u = uniform(r), acc = 0;
	uint32_t i;

	for (i = 0; i < NELEM(roots); i++) {
		acc += root_share[i];
		if (u < acc)
			return i;
	}
	return 0;
}

static void
make_tree(struct program *p, rng *r, uint32_t universe)
{
	uint32_t i, rootnode[NELEM(roots)], tries = 0;

	for (i = 0; i < NELEM(roots); i++)
		rootnode[i] = add_node(p, UINT32_MAX, i);
	p->stack_node = xalloc(universe, sizeof *p->stack_node);
	while (p->nstacks < universe && tries++ < universe * 20u) {
		uint32_t at = rootnode[pick_root(r)], depth;
		double d = 5 + lognormal(r, log(14), 0.55);

		depth = d > 60 ? 60 : (uint32_t)d;
		while (p->nodes[at].depth + 1 < depth) {
			p->nodes[at].visits++;
			at = walk_step(p, r, at);
		}
		p->nodes[at].visits++;
		if (p->nodes[at].stack >= 0)
			continue;
		p->nodes[at].stack = (int32_t)p->nstacks;
		p->stack_node[p->nstacks++] = at;
	}
}

/* Folded text of a node's stack, root first. */
static char *
stack_text(const struct program *p, uint32_t node)
{
	uint32_t path[64], d = 0, i;
	size_t len = 0, n;
	char *t;

	for (; node != UINT32_MAX; node = p->nodes[node].parent)
		path[d++] = node;
	for (i = 0; i < d; i++)
		len += strlen(p->fnames[p->nodes[path[i]].func]) + 1;
	t = xalloc(len, 1);
	len = 0;
	while (d-- > 0) {
		n = strlen(p->fnames[p->nodes[path[d]].func]);
		memcpy(t + len, p->fnames[p->nodes[path[d]].func], n);
		len += n;
		t[len++] = d > 0 ? ';' : '\0';
	}
	return t;
}

static int
text_cmp(void *ctx, uint32_t a, uint32_t b)
{
	const struct program *p = ctx;

	return strcmp(p->text[a], p->text[b]);
}

/* Weights, leaf functions, subtree groups, texts and sorted order. */
static void
finish_program(struct program *p, rng *r)
{
	uint32_t i;

	p->weight = xalloc(p->nstacks, sizeof *p->weight);
	p->stack_leaf = xalloc(p->nstacks, sizeof *p->stack_leaf);
	p->stack_group = xalloc(p->nstacks, sizeof *p->stack_group);
	p->text = xalloc(p->nstacks, sizeof *p->text);
	p->order = xalloc(p->nstacks, sizeof *p->order);
	p->group_of_node = xalloc(p->nnodes, sizeof *p->group_of_node);
	for (i = 0; i < p->nnodes; i++)
		if (p->nodes[i].depth == 1)
			p->group_of_node[i] = p->ngroups++;
	for (i = 0; i < p->nstacks; i++) {
		uint32_t n = p->stack_node[i], g = n;

		while (p->nodes[g].depth > 1)
			g = p->nodes[g].parent;
		p->stack_group[i] = p->nodes[g].depth == 1 ?
		    p->group_of_node[g] : 0;
		p->stack_leaf[i] = p->nodes[n].func;
		p->weight[i] = lognormal(r, 0, 1.8);
		p->text[i] = stack_text(p, n);
		p->order[i] = i;
	}
	if (ff_sort_ids(p->order, p->nstacks, text_cmp, p) != FF_OK) {
		fprintf(stderr, "ffgen-fleet: out of memory\n");
		exit(2);
	}
}

static void
program_free(struct program *p)
{
	uint32_t i;

	for (i = 0; i < p->nfuncs; i++)
		ff_free(p->fnames[i]);
	for (i = 0; i < p->nstacks; i++)
		ff_free(p->text[i]);
	ff_free(p->fnames);
	ff_free(p->cpi);
	ff_free(p->nodes);
	ff_free(p->stack_node);
	ff_free(p->stack_leaf);
	ff_free(p->stack_group);
	ff_free(p->weight);
	ff_free(p->text);
	ff_free(p->order);
	ff_free(p->group_of_node);
}

/* ---- injected changes ------------------------------------------------------------ */

static double
self_share(const struct program *p, const double *w, uint32_t func)
{
	double total = 0, mine = 0;
	uint32_t i;

	for (i = 0; i < p->nstacks; i++) {
		total += w[i];
		if (p->stack_leaf[i] == func)
			mine += w[i];
	}
	return total > 0 ? mine / total : 0;
}

static uint32_t
find_func(const struct program *p, const char *name)
{
	uint32_t i;

	for (i = 0; i < p->nfuncs; i++)
		if (strcmp(p->fnames[i], name) == 0)
			return i;
	fprintf(stderr, "ffgen-fleet: no function named '%s'\n", name);
	exit(2);
}

/* A function whose self share is between lo and hi, chosen by the seed
 * (and different from `not`). */
static uint32_t
auto_func(const struct program *p, rng *r, double lo, double hi,
    uint32_t not)
{
	uint32_t *cand = xalloc(p->nfuncs, sizeof *cand), n = 0, i, pick;

	for (i = NELEM(roots); i < p->nfuncs; i++) {
		double s = self_share(p, p->weight, i);

		if (s >= lo && s <= hi && i != not)
			cand[n++] = i;
	}
	if (n == 0) {
		fprintf(stderr, "ffgen-fleet: no function has a self share "
		    "between %.2f%% and %.2f%%; use a larger --universe\n",
		    lo * 100, hi * 100);
		exit(2);
	}
	pick = cand[below(r, n)];
	ff_free(cand);
	return pick;
}

/* ---- writing one profile --------------------------------------------------------- */

struct buf {
	char *p;
	size_t len, cap;
};

static void
buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2;
		b->p = ff_realloc(b->p, b->cap);
		if (b->p == NULL) {
			fprintf(stderr, "ffgen-fleet: out of memory\n");
			exit(2);
		}
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

struct fd_sink {
	int fd;
};

static ff_rc
fd_write(void *ctx, const void *p, size_t len, ff_err *err)
{
	struct fd_sink *f = ctx;
	const char *b = p;

	while (len > 0) {
		ssize_t n = write(f->fd, b, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return ff_err_errno(err, errno, "write");
		b += n;
		len -= (size_t)n;
	}
	return FF_OK;
}

struct host {
	char name[64];
	char site[16];
	double gbps;
};

/* The folded text of one host's profile into b.  With inject_f set, the
 * host's stacks ending in that function are scaled so that its self share
 * on this host rises by exactly inject_d (a fraction), and the host needs
 * that much more CPU for the same work. */
static void
host_profile(const struct opts *o, const struct program *p,
    uint32_t inject_f, double inject_d, uint32_t cpi_func, double cpi_factor,
    rng *r, struct host *h, struct buf *b)
{
	double *gf = xalloc(p->ngroups + 1, sizeof *gf), total = 0, expect;
	double mine = 0, scale = 1;
	const double *w = p->weight;
	uint32_t i, g;
	char num[64];

	h->gbps = 20 + 4 * normal(r);
	if (h->gbps < 2)
		h->gbps = 2;
	snprintf(h->site, sizeof h->site, "site%u", below(r, 8) + 1);
	for (g = 0; g < p->ngroups + 1; g++)
		gf[g] = lognormal(r, 0, o->sigma);
	if (uniform(r) < o->outliers && p->ngroups > 0)
		gf[below(r, p->ngroups)] *= 4;
	for (i = 0; i < p->nstacks; i++) {
		total += w[i] * gf[p->stack_group[i]];
		if (p->stack_leaf[i] == inject_f)
			mine += w[i] * gf[p->stack_group[i]];
	}
	/* Work scales samples. */
	expect = o->samples * h->gbps / 20 * lognormal(r, 0, 0.05);
	if (inject_f != UINT32_MAX && mine > 0) {
		double add = inject_d * total / (1 - mine / total - inject_d);

		scale = (mine + add) / mine;
		expect *= (total + add) / total;
		total += add;
	}
	b->len = 0;
	for (i = 0; i < p->nstacks; i++) {
		uint32_t s = p->order[i];
		double ws = w[s] * (p->stack_leaf[s] == inject_f ? scale : 1);
		uint64_t c = poisson(r, expect * ws * gf[p->stack_group[s]] /
		    total);
		int n;

		if (c == 0)
			continue;
		buf_add(b, p->text[s], strlen(p->text[s]));
		if (o->cpi) {
			double cpi = p->cpi[p->stack_leaf[s]];
			double cycles = (double)c * 100000;

			if (p->stack_leaf[s] == cpi_func)
				cpi *= cpi_factor;
			n = snprintf(num, sizeof num, " %.0f %.0f\n", cycles,
			    cycles / cpi * lognormal(r, 0, 0.03));
		} else {
			n = snprintf(num, sizeof num, " %llu\n",
			    (unsigned long long)c);
		}
		buf_add(b, num, (size_t)n);
	}
	ff_free(gf);
}

static void
write_profile(const struct opts *o, const char *build, const struct host *h,
    const struct buf *b, const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	struct fd_sink f = { fd };
	ff_ffp_stream *w = NULL;
	char gbps[32];
	ff_meta m;
	ff_err err;
	ff_rc rc = FF_OK;

	if (fd < 0) {
		fprintf(stderr, "ffgen-fleet: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	if (o->folded) {
		rc = fd_write(&f, b->p, b->len, &err);
	} else {
		ff_meta_init(&m);
		snprintf(gbps, sizeof gbps, "%.2f", h->gbps);
		if ((rc = ff_meta_set(&m, &m.host, h->name, &err)) == FF_OK &&
		    (rc = ff_meta_set(&m, &m.build, build, &err)) == FF_OK &&
		    (rc = ff_meta_set(&m, &m.type, o->type, &err)) == FF_OK &&
		    (rc = ff_meta_set(&m, &m.agent, "ffgen-fleet", &err)) ==
		    FF_OK &&
		    (rc = ff_meta_add_event(&m, o->cpi ? "cycles" :
		    "cpu-clock", o->cpi ? 100000 : 0, &err)) == FF_OK &&
		    (!o->cpi || (rc = ff_meta_add_event(&m, "instructions",
		    100000, &err)) == FF_OK) &&
		    (rc = ff_meta_set_label(&m, "gbps", gbps, &err)) == FF_OK &&
		    (rc = ff_meta_set_label(&m, "site", h->site, &err)) ==
		    FF_OK) {
			m.start = o->start;
			m.duration_s = 60;
			rc = ff_ffp_stream_begin(&w, &m, o->level, fd_write, &f,
			    &err);
			if (rc == FF_OK)
				rc = ff_ffp_stream_write(w, b->p, b->len, &err);
			if (rc == FF_OK)
				rc = ff_ffp_stream_end(w, &err);
			else
				ff_ffp_stream_free(w);
		}
		ff_meta_free(&m);
	}
	if (close(fd) != 0 && rc == FF_OK)
		rc = ff_err_errno(&err, errno, "close");
	if (rc != FF_OK) {
		fprintf(stderr, "ffgen-fleet: %s: %s\n", path, ff_err_msg(&err));
		exit(2);
	}
}

/* ---- main ---------------------------------------------------------------------- */

static void
usage(FILE *f)
{
	fprintf(f,
"usage: ffgen-fleet --out DIR [options]\n"
"\n"
"Simulate a fleet: one profile per host and build, drawn from one synthetic\n"
"program with per-host variation and an optional injected regression.\n"
"\n"
"  --out DIR            output directory (created)\n"
"  --hosts N            hosts per build (default 40)\n"
"  --builds A,B,...     build names (default A,B)\n"
"  --seed N             random seed (default 1); same seed, same bytes\n"
"  --universe N         distinct stacks in the program (default 20000)\n"
"  --functions N        distinct function names (default 3000)\n"
"  --samples N          expected samples of a 20 Gbps host (default 60000)\n"
"  --subtree-sigma X    per-host lognormal sigma per subtree (default 0.15)\n"
"  --outliers X         fraction of outlier hosts (default 0.05)\n"
"  --inject F:PP        raise function F's self share by PP percentage\n"
"                       points in the inject build (F = auto picks one with\n"
"                       a 0.2-1%% self share)\n"
"  --inject-build B     the build that gets the changes (default: the last)\n"
"  --cpi                write cycles and instructions (type cpi)\n"
"  --cpi-change F:X     multiply function F's CPI by X in the inject build\n"
"                       (F = auto picks one)\n"
"  --type T             profile type (default cpu, or cpi with --cpi)\n"
"  --start TIME         RFC 3339 start time (default 2026-11-20T00:00:00Z)\n"
"  --folded             write .folded text instead of .ffp files\n"
"  --level N            zstd level (default 3)\n"
"  -q, --quiet          no progress\n"
"\n"
"Writes DIR/BUILD/HOST.ffp, DIR/manifest.tsv (build host path gbps site)\n"
"and DIR/truth.tsv (the injected changes).\n");
}

static void
parse_change(const char *arg, char **name, double *value)
{
	const char *colon = strrchr(arg, ':');
	char *end;

	if (colon == NULL || colon == arg) {
		fprintf(stderr, "ffgen-fleet: expected FUNC:VALUE, got '%s'\n",
		    arg);
		exit(2);
	}
	*value = strtod(colon + 1, &end);
	if (*end != '\0' || !(*value > 0)) {
		fprintf(stderr, "ffgen-fleet: bad value in '%s'\n", arg);
		exit(2);
	}
	ff_free(*name);
	*name = ff_strndup(arg, (size_t)(colon - arg));
}

static unsigned long
num_arg(const char *s, const char *what, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || *s == '\0' || v > max) {
		fprintf(stderr, "ffgen-fleet: bad %s '%s'\n", what, s);
		exit(2);
	}
	return v;
}

static void
parse_args(struct opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "hosts", required_argument, NULL, 'n' },
		{ "builds", required_argument, NULL, 'b' },
		{ "seed", required_argument, NULL, 's' },
		{ "universe", required_argument, NULL, 'u' },
		{ "functions", required_argument, NULL, 'f' },
		{ "samples", required_argument, NULL, 'S' },
		{ "subtree-sigma", required_argument, NULL, 'g' },
		{ "outliers", required_argument, NULL, 'O' },
		{ "inject", required_argument, NULL, 'i' },
		{ "inject-build", required_argument, NULL, 'I' },
		{ "cpi", no_argument, NULL, 'c' },
		{ "cpi-change", required_argument, NULL, 'C' },
		{ "type", required_argument, NULL, 't' },
		{ "start", required_argument, NULL, 'T' },
		{ "folded", no_argument, NULL, 'F' },
		{ "level", required_argument, NULL, 'l' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *builds = "A,B";
	ff_err err;
	int c;

	memset(o, 0, sizeof *o);
	o->hosts = 40;
	o->seed = 1;
	o->universe = 20000;
	o->functions = 3000;
	o->samples = 60000;
	o->sigma = 0.15;
	o->outliers = 0.05;
	o->level = 3;
	o->start = 1795132800; /* 2026-11-20T00:00:00Z */
	while ((c = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': o->out = optarg; break;
		case 'n': o->hosts = (unsigned)num_arg(optarg, "host count",
		    100000); break;
		case 'b': builds = optarg; break;
		case 's': o->seed = num_arg(optarg, "seed", ~0ul); break;
		case 'u': o->universe = (uint32_t)num_arg(optarg, "universe",
		    10000000); break;
		case 'f': o->functions = (uint32_t)num_arg(optarg, "functions",
		    1000000); break;
		case 'S': o->samples = (double)num_arg(optarg, "samples",
		    1ul << 40); break;
		case 'g': o->sigma = atof(optarg); break;
		case 'O': o->outliers = atof(optarg); break;
		case 'i': parse_change(optarg, &o->inject, &o->inject_pp);
		    break;
		case 'I': o->inject_build = optarg; break;
		case 'c': o->cpi = 1; break;
		case 'C': parse_change(optarg, &o->cpi_func, &o->cpi_factor);
		    break;
		case 't': o->type = optarg; break;
		case 'T':
			if (ff_stamp_parse(optarg, strlen(optarg), &o->start,
			    &err) != FF_OK) {
				fprintf(stderr, "ffgen-fleet: %s\n", err.msg);
				exit(2);
			}
			break;
		case 'F': o->folded = 1; break;
		case 'l': o->level = (int)num_arg(optarg, "level", 19); break;
		case 'q': o->quiet = 1; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); exit(2);
		}
	}
	if (o->out == NULL || optind != argc || o->hosts == 0 ||
	    o->functions < 20 || o->universe < 10) {
		usage(stderr);
		exit(2);
	}
	if (o->inject_pp >= 50) {
		fprintf(stderr, "ffgen-fleet: --inject takes percentage points "
		    "below 50\n");
		exit(2);
	}
	{
		char *list = o->build_list = xstrdup(builds), *tok, *save = NULL;

		for (tok = strtok_r(list, ",", &save); tok != NULL &&
		    o->nbuilds < NELEM(o->builds);
		    tok = strtok_r(NULL, ",", &save)) {
			if (strspn(tok, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ"
			    "KLMNOPQRSTUVWXYZ0123456789._-") != strlen(tok) ||
			    tok[0] == '.') {
				fprintf(stderr, "ffgen-fleet: build name '%s' "
				    "must be [A-Za-z0-9._-]\n", tok);
				exit(2);
			}
			o->builds[o->nbuilds++] = tok;
		}
		if (o->nbuilds == 0) {
			usage(stderr);
			exit(2);
		}
	}
	if (o->type == NULL)
		o->type = o->cpi ? "cpi" : "cpu";
	if (o->inject_build == NULL)
		o->inject_build = o->builds[o->nbuilds - 1];
}

static void
mkdir_or_die(const char *path)
{
	if (mkdir(path, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "ffgen-fleet: %s: %s\n", path, strerror(errno));
		exit(2);
	}
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct program p;
	struct buf b = { 0 };
	uint32_t inject_f = UINT32_MAX, cpi_f = UINT32_MAX;
	double p_before = 0;
	FILE *manifest, *truth;
	char path[4096];
	unsigned bi, h;
	rng r;

	parse_args(&o, argc, argv);
	memset(&p, 0, sizeof p);
	rng_seed(&r, o.seed, 0x5EED, 0);
	make_names(&p, &r, o.functions);
	make_tree(&p, &r, o.universe);
	finish_program(&p, &r);

	if (o.inject != NULL) {
		inject_f = strcmp(o.inject, "auto") == 0 ?
		    auto_func(&p, &r, 0.002, 0.01, UINT32_MAX) :
		    find_func(&p, o.inject);
		p_before = self_share(&p, p.weight, inject_f);
	}
	if (o.cpi_func != NULL)
		cpi_f = strcmp(o.cpi_func, "auto") == 0 ?
		    auto_func(&p, &r, 0.003, 0.05, inject_f) :
		    find_func(&p, o.cpi_func);

	mkdir_or_die(o.out);
	snprintf(path, sizeof path, "%s/manifest.tsv", o.out);
	manifest = fopen(path, "w");
	snprintf(path, sizeof path, "%s/truth.tsv", o.out);
	truth = fopen(path, "w");
	if (manifest == NULL || truth == NULL) {
		fprintf(stderr, "ffgen-fleet: cannot write into %s\n", o.out);
		return 2;
	}
	fprintf(truth, "stacks\t%u\nfunctions\t%u\n", p.nstacks, p.nfuncs);
	if (inject_f != UINT32_MAX)
		fprintf(truth, "inject\t%s\t%g\t%s\t%.6f\n",
		    p.fnames[inject_f], o.inject_pp, o.inject_build,
		    p_before * 100);
	if (cpi_f != UINT32_MAX)
		fprintf(truth, "cpi\t%s\t%g\t%s\n", p.fnames[cpi_f],
		    o.cpi_factor, o.inject_build);
	fclose(truth);

	for (bi = 0; bi < o.nbuilds; bi++) {
		int hit = strcmp(o.builds[bi], o.inject_build) == 0;

		snprintf(path, sizeof path, "%s/%s", o.out, o.builds[bi]);
		mkdir_or_die(path);
		for (h = 0; h < o.hosts; h++) {
			struct host host;

			rng_seed(&r, o.seed, bi + 1, h + 1);
			snprintf(host.name, sizeof host.name, "cache-%02u-%04u",
			    bi, h);
			host_profile(&o, &p, hit ? inject_f : UINT32_MAX,
			    o.inject_pp / 100, hit ? cpi_f : UINT32_MAX,
			    o.cpi_factor, &r, &host, &b);
			snprintf(path, sizeof path, "%s/%s/%s.%s", o.out,
			    o.builds[bi], host.name, o.folded ? "folded" :
			    "ffp");
			write_profile(&o, o.builds[bi], &host, &b, path);
			fprintf(manifest, "%s\t%s\t%s\t%.2f\t%s\n",
			    o.builds[bi], host.name, path, host.gbps,
			    host.site);
			if (!o.quiet && isatty(2))
				fprintf(stderr, "\rffgen-fleet: %s %u/%u   ",
				    o.builds[bi], h + 1, o.hosts);
		}
	}
	if (!o.quiet && isatty(2))
		fprintf(stderr, "\r\033[K");
	ff_free(b.p);
	program_free(&p);
	ff_free(o.inject);
	ff_free(o.cpi_func);
	ff_free(o.build_list);
	if (fclose(manifest) != 0) {
		fprintf(stderr, "ffgen-fleet: manifest: %s\n", strerror(errno));
		return 2;
	}
	return 0;
}
