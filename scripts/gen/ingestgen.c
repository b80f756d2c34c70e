/*
 * ingestgen.c -- a fleet of profile files for the store's tests and its
 * ingest benchmark (scripts/bench/ingest.sh).
 *
 *   ffgen-ingestgen --out DIR [--hosts N] [--builds B] [--stacks S]
 *                   [--universe U] [--events 1|2] [--seed N] [--level L]
 *
 * Writes DIR/<build>/<host>.ffp: for each of B builds and N hosts, a
 * profile of about S distinct stacks drawn (by weight, without
 * replacement) from a shared universe of U stacks.  The universe is a
 * random call tree over a few thousand plausible function names (C,
 * C++ and kernel style, some with +0x offsets), depths 5-60 around a mean
 * of 20.  Each later build renames the leaf function of 2% of the stacks,
 * as a code change would.  Same seed, same files.
 */
#include "profile/ffp.h"
#include "profile/intern.h"
#include "profile/mem.h"
#include "profile/stacks.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { NFUNCS = 6000, DEPTH_MIN = 5, DEPTH_MAX = 60, MAX_CHILDREN = 64 };

static uint64_t rng_state;

static uint64_t
rnd(void)
{
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static double
unif(void)
{
	return (double)(rnd() >> 11) / 9007199254740992.0;
}

static double
gauss(void)
{
	double u = unif() + 1e-12, v = unif();

	return sqrt(-2 * log(u)) * cos(6.283185307179586 * v);
}

static void
die(const char *what)
{
	fprintf(stderr, "ffgen-ingestgen: %s\n", what);
	exit(2);
}

static void *
xcalloc(size_t n, size_t size)
{
	void *p = ff_calloc(n, size);

	if (p == NULL)
		die("out of memory");
	return p;
}

/* ---- function names ------------------------------------------------------ */

static const char *const prefixes[] = {
	"ngx_http_", "ngx_", "tcp_", "ip_", "__", "ssl3_", "SSL_", "ev_",
	"cache_", "vfs_", "do_", "sys_", "mem", "std::vector<char>::",
	"v8::internal::", "CacheStore::", "Http2Session::", "lua_", "zstd_",
	"__libc_", "epoll_", "irq_", "page_", "ext4_", "blk_", "nvme_",
};
static const char *const words[] = {
	"read", "write", "send", "recv", "process", "handle", "parse",
	"request", "response", "header", "body", "chunk", "buffer", "alloc",
	"free", "lookup", "insert", "update", "flush", "poll", "wait", "wake",
	"lock", "unlock", "copy", "hash", "compress", "decrypt", "encrypt",
	"filter", "output", "input", "run", "phase", "event", "timer",
	"queue", "dispatch", "finalize", "init", "open", "close", "map",
	"page", "fault", "schedule", "softirq", "xmit", "rcv", "checksum",
};

static char *
make_name(unsigned i)
{
	char buf[256];
	int n;

	n = snprintf(buf, sizeof buf, "%s%s_%s",
	    prefixes[rnd() % (sizeof prefixes / sizeof *prefixes)],
	    words[rnd() % (sizeof words / sizeof *words)],
	    words[rnd() % (sizeof words / sizeof *words)]);
	if (i % 7 == 0)
		n += snprintf(buf + n, sizeof buf - (size_t)n, "_%u", i);
	if (i % 11 == 0)
		snprintf(buf + n, sizeof buf - (size_t)n, "+0x%x",
		    (unsigned)(rnd() % 4096));
	if (i % 97 == 0)
		snprintf(buf, sizeof buf, "[unknown] 0x%llx",
		    (unsigned long long)(0x7f0000000000ull + rnd() % 0xffffff));
	return ff_strdup(buf);
}

/* ---- the universe: a random call tree ------------------------------------ */

struct node {
	uint32_t func;
	uint32_t parent;
	uint32_t nchild;
	uint32_t child[MAX_CHILDREN];
};

struct universe {
	struct node *nodes;
	uint32_t nnodes, cap;
	uint32_t *stacks;        /* ending node of each stack */
	uint32_t nstacks;
	double *weight;          /* by stack */
	uint8_t *used;           /* by node: a stack ends here */
};

static uint32_t
node_add(struct universe *u, uint32_t parent, uint32_t func)
{
	struct node *n;

	if (u->nnodes == u->cap) {
		u->cap = u->cap ? u->cap * 2 : 4096;
		u->nodes = ff_reallocarray(u->nodes, u->cap, sizeof *u->nodes);
		u->used = ff_realloc(u->used, u->cap);
		if (u->nodes == NULL || u->used == NULL)
			die("out of memory");
	}
	n = &u->nodes[u->nnodes];
	memset(n, 0, sizeof *n);
	n->func = func;
	n->parent = parent;
	u->used[u->nnodes] = 0;
	if (parent != UINT32_MAX) {
		struct node *p = &u->nodes[parent];

		p->child[p->nchild++] = u->nnodes;
	}
	return u->nnodes++;
}

static uint32_t
depth_of(const struct universe *u, uint32_t at)
{
	uint32_t d = 0;

	for (; at != UINT32_MAX; at = u->nodes[at].parent)
		d++;
	return d;
}

/* A new call under `at`: deeper frames come from later (more specific)
 * functions. */
static uint32_t
call(struct universe *u, uint32_t at, unsigned depth)
{
	if (u->nodes[at].nchild == MAX_CHILDREN)
		return u->nodes[at].child[rnd() % MAX_CHILDREN];
	return node_add(u, at, (uint32_t)((depth * 97 + rnd() % 2000) %
	    NFUNCS));
}

static void
stack_add(struct universe *u, uint32_t at)
{
	u->used[at] = 1;
	u->weight[u->nstacks] = exp(2.0 * gauss());
	u->stacks[u->nstacks++] = at;
}

/* A few deep "spines" (the program's main paths), then stacks that branch
 * off a random existing frame with one to four new calls, or end at it:
 * most of a stack is a prefix shared with others, as in real profiles. */
static void
universe_make(struct universe *u, uint32_t want)
{
	uint32_t roots[4], i, at;
	unsigned d, depth, spines = want / 250 + 4;

	for (i = 0; i < 4; i++)
		roots[i] = node_add(u, UINT32_MAX, NFUNCS + i);
	u->stacks = xcalloc(want, sizeof *u->stacks);
	u->weight = xcalloc(want, sizeof *u->weight);
	for (i = 0; i < spines && u->nstacks < want; i++) {
		double g = 30 + 12 * gauss();

		depth = g < DEPTH_MIN ? DEPTH_MIN : g > DEPTH_MAX ?
		    DEPTH_MAX : (unsigned)g;
		at = roots[i % 4 == 3 ? 1 + rnd() % 3 : 0];
		for (d = 1; d < depth; d++)
			at = call(u, at, d);
		if (!u->used[at])
			stack_add(u, at);
	}
	while (u->nstacks < want) {
		unsigned ext = (unsigned)(rnd() % 5);

		at = (uint32_t)(4 + rnd() % (u->nnodes - 4));
		depth = depth_of(u, at);
		if (depth < 3 || depth + ext > DEPTH_MAX)
			continue;
		for (d = 0; d < ext; d++)
			at = call(u, at, depth + d);
		if (!u->used[at])
			stack_add(u, at);
	}
}

/* ---- profiles ------------------------------------------------------------ */

struct gen {
	struct universe u;
	ff_intern *frames;
	uint32_t *fid;           /* function -> frame id, per build variant */
	uint32_t *renamed;       /* function -> frame id of its new name */
	char **names;
	unsigned hosts, builds, stacks, events, level;
	const char *out;
};

static uint32_t
intern(ff_intern *t, const char *s)
{
	uint32_t id;

	if (ff_intern_put(t, s, strlen(s), &id) != FF_OK)
		die("cannot intern a name");
	return id;
}

static void
names_make(struct gen *g)
{
	static const char *const roots[] = { "nginx", "cache-worker",
		"swapper", "ksoftirqd/0" };
	char buf[300];
	unsigned i;

	g->names = xcalloc(NFUNCS + 4, sizeof *g->names);
	g->fid = xcalloc(NFUNCS + 4, sizeof *g->fid);
	g->renamed = xcalloc(NFUNCS + 4, sizeof *g->renamed);
	for (i = 0; i < NFUNCS + 4; i++) {
		g->names[i] = i < NFUNCS ? make_name(i) :
		    ff_strdup(roots[i - NFUNCS]);
		if (g->names[i] == NULL)
			die("out of memory");
		g->fid[i] = intern(g->frames, g->names[i]);
		snprintf(buf, sizeof buf, "%s.isra.0", g->names[i]);
		g->renamed[i] = intern(g->frames, buf);
	}
}

/* Pick `want` stacks by weight without replacement: the smallest keys
 * -log(u)/w (Efraimidis-Spirakis), by partial selection. */
static uint32_t
pick(const struct universe *u, double *key, uint32_t *idx, uint32_t want)
{
	uint32_t i, lo = 0, hi = u->nstacks;

	for (i = 0; i < u->nstacks; i++) {
		key[i] = -log(unif() + 1e-300) / u->weight[i];
		idx[i] = i;
	}
	if (want >= u->nstacks)
		return u->nstacks;
	while (hi - lo > 1) {   /* quickselect on key */
		double pv = key[idx[lo + (hi - lo) / 2]];
		uint32_t a = lo, b = hi - 1, t;

		while (a <= b) {
			while (key[idx[a]] < pv)
				a++;
			while (key[idx[b]] > pv)
				b--;
			if (a <= b) {
				t = idx[a], idx[a] = idx[b], idx[b] = t;
				a++;
				if (b == 0)
					break;
				b--;
			}
		}
		if (want <= b)
			hi = b + 1;
		else if (want >= a)
			lo = a;
		else
			break;
	}
	return want;
}

static void
add_stack(struct gen *g, ff_stacks *s, uint32_t stack, unsigned build,
    double scale)
{
	uint32_t path[DEPTH_MAX + 1], n = 0, at = g->u.stacks[stack];
	uint64_t v[2];
	double w = g->u.weight[stack] * scale * exp(0.3 * gauss());

	for (; at != UINT32_MAX; at = g->u.nodes[at].parent)
		path[n++] = g->fid[g->u.nodes[at].func];
	/* A later build renamed the leaf of some stacks. */
	if (build > 0 && (stack * 2654435761u) % 50 == build % 50)
		path[0] = g->renamed[g->u.nodes[g->u.stacks[stack]].func];
	for (uint32_t i = 0; i < n / 2; i++) {
		uint32_t t = path[i];

		path[i] = path[n - 1 - i];
		path[n - 1 - i] = t;
	}
	v[0] = 1 + (uint64_t)(w * 3);
	v[1] = v[0] * (1 + rnd() % 3);
	if (ff_stacks_add_path(s, path, n, v) != FF_OK)
		die("cannot add a stack");
}

static void
write_profile(struct gen *g, ff_stacks *s, unsigned build, unsigned host)
{
	char path[4096], v[64];
	ff_meta m;
	ff_err err;
	int fd, bad = 0;

	ff_meta_init(&m);
	snprintf(v, sizeof v, "cache-%04u", host);
	bad |= ff_meta_set(&m, &m.host, v, &err);
	snprintf(v, sizeof v, "2026.11.%u", build + 1);
	bad |= ff_meta_set(&m, &m.build, v, &err);
	bad |= ff_meta_set(&m, &m.type, g->events == 2 ? "cpi" : "cpu", &err);
	bad |= ff_meta_set(&m, &m.agent, "ingestgen", &err);
	bad |= ff_meta_add_event(&m, "cycles", 1000003, &err);
	if (g->events == 2)
		bad |= ff_meta_add_event(&m, "instructions", 1000003, &err);
	snprintf(v, sizeof v, "site%u", host % 7);
	bad |= ff_meta_set_label(&m, "site", v, &err);
	snprintf(v, sizeof v, "%.1f", 5 + (host % 13) * 1.5);
	bad |= ff_meta_set_label(&m, "gbps", v, &err);
	bad |= ff_meta_set_label(&m, "kernel", "6.1.0-13-amd64", &err);
	if (bad)
		die("bad metadata");
	m.start = 1795291200 + (int64_t)build * 86400 + host;
	m.duration_s = 60;
	snprintf(path, sizeof path, "%s/2026.11.%u/cache-%04u.ffp", g->out,
	    build + 1, host);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || ff_ffp_write_fd(&m, s, (int)g->level, fd, path,
	    &err) != FF_OK || close(fd) != 0) {
		fprintf(stderr, "ffgen-ingestgen: %s: %s\n", path,
		    fd < 0 ? strerror(errno) : ff_err_msg(&err));
		exit(1);
	}
	ff_meta_free(&m);
}

static void
generate(struct gen *g)
{
	double *key = xcalloc(g->u.nstacks, sizeof *key);
	uint32_t *idx = xcalloc(g->u.nstacks, sizeof *idx);
	char dir[4096];
	unsigned b, h;
	uint32_t i, n;

	for (b = 0; b < g->builds; b++) {
		snprintf(dir, sizeof dir, "%s/2026.11.%u", g->out, b + 1);
		if (mkdir(dir, 0755) != 0 && errno != EEXIST)
			die("cannot create the output directory");
		for (h = 0; h < g->hosts; h++) {
			ff_stacks *s = ff_stacks_new(g->frames, g->events);
			double scale = exp(0.25 * gauss());

			if (s == NULL)
				die("out of memory");
			n = pick(&g->u, key, idx, g->stacks);
			for (i = 0; i < n; i++)
				add_stack(g, s, idx[i], b, scale);
			write_profile(g, s, b, h);
			ff_stacks_free(s);
		}
	}
	ff_free(key);
	ff_free(idx);
}

static void
gen_free(struct gen *g)
{
	unsigned i;

	for (i = 0; i < NFUNCS + 4; i++)
		ff_free(g->names[i]);
	ff_free(g->names);
	ff_free(g->fid);
	ff_free(g->renamed);
	ff_free(g->u.nodes);
	ff_free(g->u.used);
	ff_free(g->u.stacks);
	ff_free(g->u.weight);
	ff_intern_free(g->frames);
}

static void
usage(void)
{
	fprintf(stderr, "usage: ffgen-ingestgen --out DIR [--hosts N] "
	    "[--builds B] [--stacks S] [--universe U] [--events 1|2] "
	    "[--seed N] [--level L]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "hosts", required_argument, NULL, 'h' },
		{ "builds", required_argument, NULL, 'b' },
		{ "stacks", required_argument, NULL, 's' },
		{ "universe", required_argument, NULL, 'u' },
		{ "events", required_argument, NULL, 'e' },
		{ "seed", required_argument, NULL, 'S' },
		{ "level", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 }
	};
	struct gen g = { .hosts = 10, .builds = 2, .stacks = 5000,
		.events = 1, .level = 3 };
	unsigned universe = 50000;
	int c;

	rng_state = 1;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'o': g.out = optarg; break;
		case 'h': g.hosts = (unsigned)atoi(optarg); break;
		case 'b': g.builds = (unsigned)atoi(optarg); break;
		case 's': g.stacks = (unsigned)atoi(optarg); break;
		case 'u': universe = (unsigned)atoi(optarg); break;
		case 'e': g.events = (unsigned)atoi(optarg); break;
		case 'S': rng_state = strtoull(optarg, NULL, 10); break;
		case 'l': g.level = (unsigned)atoi(optarg); break;
		default: usage();
		}
	}
	if (g.out == NULL || g.hosts == 0 || g.builds == 0 ||
	    g.stacks == 0 || universe == 0 || g.events < 1 || g.events > 2)
		usage();
	if (mkdir(g.out, 0755) != 0 && errno != EEXIST)
		die("cannot create the output directory");
	if ((g.frames = ff_intern_new()) == NULL)
		die("out of memory");
	names_make(&g);
	universe_make(&g.u, universe);
	fprintf(stderr, "ffgen-ingestgen: universe of %u stacks, %u nodes\n",
	    g.u.nstacks, g.u.nnodes);
	generate(&g);
	gen_free(&g);
	return 0;
}
