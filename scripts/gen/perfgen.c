/*
 * perfgen.c -- a deterministic generator of realistic profiler text for
 * benchmarks: `perf script` output (default ~200 MB) or DTrace
 * aggregation output (~100 MB).
 *
 *     ffgen-perfgen [--format perf|dtrace] [--size BYTES[K|M|G]]
 *                   [--stacks N] [--seed S] [-o FILE]
 *
 * Stacks come from a call tree: each new stack copies most of an earlier
 * stack of the same process (its first 60-95% of frames) and adds new
 * frames below, so stacks share prefixes the way real profiles do.  There
 * are N distinct stacks (default 50,000) of depth 5-60, user and kernel
 * frames (a third of the stacks end in a system call), several processes
 * (names with spaces included) and threads, symbol offsets, [unknown]
 * frames, some inlined "a->b" frames and C++ names with arguments.  Every
 * stack is printed once, then more samples are drawn (a few hot stacks,
 * a long tail) until the output reaches the size.  The same seed gives the
 * same bytes.
 */
#include "profile/hash.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { FMT_PERF, FMT_DTRACE };

enum {
	NFUNCS = 24000,      /* user functions */
	NKFUNCS = 3000,      /* kernel functions */
	NMODS = 40,
	DEPTH_MIN = 5,
	DEPTH_MAX = 60
};

struct opts {
	int format;
	uint64_t size;
	uint32_t stacks;
	uint64_t seed;
	const char *out;
};

struct func {
	char *name;          /* symbol as perf prints it */
	uint16_t mod;
	uint64_t base;       /* address of the symbol */
	uint8_t noff;        /* distinct offsets seen in samples */
};

struct proc {
	const char *comm;
	int pid, nthreads, kernel;
	int root[4];         /* the first frames of every stack */
	int nroot;
};

struct stack {
	uint16_t proc;
	uint8_t depth;
	uint8_t ulen;        /* user frames, before the kernel ones */
	int32_t *frames;     /* root first; kernel frames are negative - 1 */
};

static uint64_t rng;

static uint64_t
next(void)
{
	uint64_t z = (rng += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static uint32_t
below(uint32_t n)
{
	return (uint32_t)((next() >> 32) * n >> 32);
}

static double
unit(void)
{
	return (double)(next() >> 11) / 9007199254740992.0;
}

static void *
xmalloc(size_t n)
{
	void *p = malloc(n);

	if (p == NULL) {
		fprintf(stderr, "perfgen: out of memory\n");
		exit(1);
	}
	return p;
}

static char *
xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xmalloc(n), s, n);
}

/* ---- names ---------------------------------------------------------------- */

static const char *const syll[] = {
	"read", "write", "http", "parse", "request", "cache", "lookup", "hash",
	"buf", "alloc", "free", "send", "recv", "event", "loop", "process",
	"handle", "init", "update", "index", "btree", "page", "lock", "unlock",
	"queue", "push", "pop", "json", "encode", "decode", "compress", "zstd",
	"ssl", "tls", "crypto", "sha256", "memcpy", "memset", "string", "vector",
	"map", "insert", "find", "erase", "sort", "merge", "scan", "filter",
	"exec", "plan", "tuple", "heap", "slot", "tick", "timer", "wake",
};

static const char *const prefix[] = {
	"ngx_", "pg_", "", "", "rocksdb_", "Z_", "v8_", "", "__", "tcmalloc_",
};

static const char *const modules[NMODS] = {
	"/usr/sbin/nginx", "/usr/lib/postgresql/15/bin/postgres",
	"/usr/lib/x86_64-linux-gnu/libc.so.6",
	"/usr/lib/x86_64-linux-gnu/libssl.so.3",
	"/usr/lib/x86_64-linux-gnu/libcrypto.so.3",
	"/usr/lib/x86_64-linux-gnu/libz.so.1.2.13",
	"/usr/lib/x86_64-linux-gnu/libstdc++.so.6.0.30",
	"/usr/lib/jvm/java-17-openjdk-amd64/lib/server/libjvm.so",
	"/tmp/perf-4242.map", "/usr/bin/node", "[unknown]",
	"/usr/lib/x86_64-linux-gnu/libpthread.so.0",
	"/usr/local/lib/librocksdb.so.7", "/opt/app/bin/cachesrv",
	"/usr/lib/x86_64-linux-gnu/libjemalloc.so.2",
	"/usr/lib/x86_64-linux-gnu/libzstd.so.1.5.4",
	"/usr/lib/x86_64-linux-gnu/libm.so.6", "/usr/bin/python3.11",
	"/usr/lib/x86_64-linux-gnu/libgcc_s.so.1",
	"/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
	"/opt/app/lib/libproto.so", "/opt/app/lib/libnet.so",
	"/opt/app/lib/libstore.so", "/opt/app/lib/libsched.so",
	"/opt/app/lib/libmetrics.so", "/opt/app/lib/liblog.so",
	"/opt/app/lib/libcodec.so", "/opt/app/lib/libauth.so",
	"/opt/app/lib/librpc.so", "/opt/app/lib/libcfg.so",
	"/opt/app/lib/libpool.so", "/opt/app/lib/libhttp2.so",
	"/opt/app/lib/libquic.so", "/opt/app/lib/libdns.so",
	"/opt/app/lib/libtls13.so", "/opt/app/lib/libgeo.so",
	"/opt/app/lib/libacl.so", "/opt/app/lib/librange.so",
	"/opt/app/lib/libcompact.so", "/opt/app/lib/libwal.so",
};

static char *
make_name(uint32_t i, int kernel)
{
	char buf[256];
	int n, k, parts = 2 + (int)below(3);
	uint32_t r = below(100);

	n = snprintf(buf, sizeof buf, "%s", kernel ? "" :
	    prefix[below(sizeof prefix / sizeof prefix[0])]);
	for (k = 0; k < parts; k++)
		n += snprintf(buf + n, sizeof buf - (size_t)n, "%s%s",
		    k ? "_" : "", syll[below(sizeof syll / sizeof syll[0])]);
	n += snprintf(buf + n, sizeof buf - (size_t)n, "%u", i % 97);
	if (kernel)
		return xstrdup(buf);
	if (r < 6)        /* C++ with arguments: tidied away */
		snprintf(buf + n, sizeof buf - (size_t)n, "(std::string "
		    "const&, unsigned long)");
	else if (r < 9)   /* an inlined call */
		snprintf(buf + n, sizeof buf - (size_t)n, "->%s_inl",
		    syll[below(sizeof syll / sizeof syll[0])]);
	else if (r < 12)
		return xstrdup("[unknown]");
	return xstrdup(buf);
}

static struct func *
make_funcs(uint32_t n, int kernel)
{
	struct func *f = xmalloc(n * sizeof *f);
	uint64_t addr = kernel ? 0xffffffff81000000ull : 0x7f3a10000000ull;
	uint32_t i;

	for (i = 0; i < n; i++) {
		f[i].name = make_name(i, kernel);
		f[i].mod = (uint16_t)(kernel ? 0 : below(NMODS));
		f[i].base = addr;
		f[i].noff = (uint8_t)(1 + below(6));
		addr += 0x40 + below(0x400);
	}
	return f;
}

/* ---- processes and stacks ------------------------------------------------- */

static struct proc procs[] = {
	{ "nginx", 1201, 8, 0, { 0 }, 0 },
	{ "postgres", 2301, 12, 0, { 0 }, 0 },
	{ "java", 4242, 40, 0, { 0 }, 0 },
	{ "V8 WorkerThread", 5100, 6, 0, { 0 }, 0 },
	{ "cachesrv", 6100, 24, 0, { 0 }, 0 },
	{ "swapper", 0, 1, 1, { 0 }, 0 },
	{ "kworker/3:1", 311, 1, 1, { 0 }, 0 },
};

enum { NPROCS = sizeof procs / sizeof procs[0] };

struct plist {
	uint32_t *idx, n, cap;
};

struct gen {
	struct opts o;
	struct plist byproc[8];
	struct func *uf, *kf;
	struct stack *st;
	uint32_t nst;
	uint64_t *seen;      /* hash set of stacks (0 = empty) */
	uint32_t seenmask;
};

static void
setup_procs(void)
{
	unsigned p, k;

	for (p = 0; p < NPROCS; p++) {
		procs[p].nroot = 2 + (int)below(3);
		for (k = 0; k < (unsigned)procs[p].nroot; k++)
			procs[p].root[k] = (int)below(NFUNCS);
	}
}

/* Insert the stack's hash; 0 when it was already there. */
static int
seen_add(struct gen *g, const struct stack *s)
{
	uint64_t h = ff_hash64(s->frames, s->depth * sizeof *s->frames) ^
	    ((uint64_t)s->proc << 56) ^ s->depth;
	uint32_t i;

	h |= 1;
	for (i = (uint32_t)h & g->seenmask; g->seen[i] != 0;
	    i = (i + 1) & g->seenmask)
		if (g->seen[i] == h)
			return 0;
	g->seen[i] = h;
	return 1;
}

/* A frame below `at`: user frames come from a window of the function
 * table after the caller, so callers and callees cluster. */
static int32_t
child_of(int32_t at, int kernel)
{
	if (kernel)
		return -1 - (int32_t)below(NKFUNCS);
	if (at < 0 || below(10) == 0)
		return (int32_t)below(NFUNCS);
	return (int32_t)(((uint32_t)at + 1 + below(400)) % NFUNCS);
}

/* A new stack of process p: most copy an earlier stack of p up to a
 * point near its leaf and add a few frames (as a call tree grows); a few
 * start a new branch from the process's first frames. */
static uint32_t
user_frames(struct gen *g, uint32_t p, int32_t *fr)
{
	const struct plist *l = &g->byproc[p];
	uint32_t keep = (uint32_t)procs[p].nroot, d, k;
	int kernel = procs[p].kernel;

	for (k = 0; k < keep; k++)
		fr[k] = kernel ? -1 - procs[p].root[k] % NKFUNCS :
		    procs[p].root[k];
	if (l->n > 0 && below(100) >= 3) {
		const struct stack *b = &g->st[l->idx[below(l->n)]];
		uint32_t room = b->ulen - keep;

		keep = b->ulen - below((room < 5 ? room : 5) + 1);
		memcpy(fr, b->frames, keep * sizeof *fr);
		d = keep + 1 + below(4);
	} else {
		d = DEPTH_MIN + below(DEPTH_MAX - DEPTH_MIN - 8);
	}
	if (d > DEPTH_MAX - 4)
		d = DEPTH_MAX - 4;
	for (k = keep; k < d; k++)
		fr[k] = child_of(fr[k - 1], kernel);
	return d;
}

static void
make_stack(struct gen *g, struct stack *s)
{
	uint32_t p = below(NPROCS), d, k, nk = 0;
	int32_t *fr = xmalloc(DEPTH_MAX * sizeof *fr);

	s->proc = (uint16_t)p;
	s->ulen = (uint8_t)(d = user_frames(g, p, fr));
	/* A third of user stacks end in a system call: a kernel path. */
	if (!procs[p].kernel && below(3) == 0)
		nk = 1 + below(4);
	for (k = 0; k < nk; k++)
		fr[d + k] = -1 - (int32_t)((below(200) * 13 + k * 7) %
		    NKFUNCS);
	s->depth = (uint8_t)(d + nk);
	s->frames = fr;
}

static void
make_stacks(struct gen *g)
{
	uint32_t cap = 1;

	while (cap < g->o.stacks * 4)
		cap <<= 1;
	g->seen = calloc(cap, sizeof *g->seen);
	g->seenmask = cap - 1;
	g->st = xmalloc(g->o.stacks * sizeof *g->st);
	if (g->seen == NULL)
		exit(1);
	while (g->nst < g->o.stacks) {
		struct stack *s = &g->st[g->nst];

		make_stack(g, s);
		if (seen_add(g, s)) {
			struct plist *l = &g->byproc[s->proc];

			if (l->n == l->cap) {
				l->cap = l->cap ? l->cap * 2 : 1024;
				l->idx = realloc(l->idx, l->cap * sizeof *l->idx);
				if (l->idx == NULL)
					exit(1);
			}
			l->idx[l->n++] = g->nst++;
		} else {
			free(s->frames);
		}
	}
}

/* ---- output ------------------------------------------------------------------ */

struct out {
	FILE *f;
	char buf[1 << 16];
	size_t n;
	uint64_t total;
};

static void
flush(struct out *o)
{
	if (fwrite(o->buf, 1, o->n, o->f) != o->n) {
		fprintf(stderr, "perfgen: write: %s\n", strerror(errno));
		exit(1);
	}
	o->total += o->n;
	o->n = 0;
}

static void
put(struct out *o, const char *s, size_t n)
{
	if (o->n + n > sizeof o->buf)
		flush(o);
	memcpy(o->buf + o->n, s, n);
	o->n += n;
}

static void
puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void
put_num(struct out *o, uint64_t v, int base, int width)
{
	char tmp[32];
	int n = 0;

	do
		tmp[n++] = "0123456789abcdef"[v % (unsigned)base];
	while ((v /= (unsigned)base) != 0);
	while (n < width)
		tmp[n++] = ' ';
	while (n > 0)
		put(o, &tmp[--n], 1);
}

static const struct func *
frame_func(const struct gen *g, int32_t f)
{
	return f < 0 ? &g->kf[-1 - f] : &g->uf[f];
}

static void
perf_frame(struct out *o, const struct gen *g, int32_t f)
{
	const struct func *fn = frame_func(g, f);
	uint64_t off = 0x10 + 0x1c * below(fn->noff);

	puts_(o, "\t    ");
	put_num(o, fn->base + off, 16, 12);
	put(o, " ", 1);
	puts_(o, fn->name);
	if (strcmp(fn->name, "[unknown]") != 0) {
		puts_(o, "+0x");
		put_num(o, off, 16, 0);
	}
	puts_(o, " (");
	puts_(o, f < 0 ? "[kernel.kallsyms]" : modules[fn->mod]);
	puts_(o, ")\n");
}

static void
perf_sample(struct out *o, const struct gen *g, const struct stack *s,
    uint64_t *clock)
{
	const struct proc *p = &procs[s->proc];
	int k;

	*clock += 1 + below(2000);
	puts_(o, p->comm);
	put(o, " ", 1);
	put_num(o, (uint64_t)p->pid, 10, 0);
	put(o, "/", 1);
	put_num(o, (uint64_t)(p->pid + (int)below((uint32_t)p->nthreads)), 10,
	    0);
	puts_(o, " [0");
	put_num(o, below(10) + 10, 10, 0);
	puts_(o, "] ");
	put_num(o, 400000 + *clock / 1000000, 10, 0);
	put(o, ".", 1);
	put_num(o, 100000 + *clock % 900000, 10, 0);
	puts_(o, ":     ");
	put_num(o, 250000 + below(1000), 10, 0);
	puts_(o, " cycles: \n");
	for (k = s->depth; k-- > 0;)
		perf_frame(o, g, s->frames[k]);
	put(o, "\n", 1);
}

static void
dtrace_frame(struct out *o, const struct gen *g, int32_t f)
{
	const struct func *fn = frame_func(g, f);
	const char *m = f < 0 ? (fn->base & 0x100 ? "unix" : "genunix") :
	    strrchr(modules[fn->mod], '/') != NULL ?
	    strrchr(modules[fn->mod], '/') + 1 : modules[fn->mod];

	puts_(o, "              ");
	puts_(o, m);
	put(o, "`", 1);
	puts_(o, fn->name);
	puts_(o, "+0x");
	put_num(o, 0x10 + 0x1c * below(fn->noff), 16, 0);
	put(o, "\n", 1);
}

static void
dtrace_sample(struct out *o, const struct gen *g, const struct stack *s)
{
	int k;

	for (k = s->depth; k-- > 0;)
		dtrace_frame(o, g, s->frames[k]);
	puts_(o, "             ");
	put_num(o, 1 + below(200), 10, 0);
	puts_(o, "\n\n");
}

static void
emit(struct gen *g, struct out *o)
{
	uint32_t *perm = xmalloc(g->nst * sizeof *perm), i;
	uint64_t clock = 0;

	for (i = 0; i < g->nst; i++)
		perm[i] = i;
	for (i = g->nst; i > 1; i--) {
		uint32_t j = below(i), t = perm[i - 1];

		perm[i - 1] = perm[j];
		perm[j] = t;
	}
	if (g->o.format == FMT_DTRACE)
		puts_(o, "CPU     ID                    FUNCTION:NAME\n"
		    "  0  64091                        :tick-60s \n\n");
	/* Every stack once, then hot stacks more often than cold ones. */
	for (i = 0;; i++) {
		uint32_t k = i < g->nst ? perm[i] :
		    perm[(uint32_t)(g->nst * unit() * unit() * unit())];

		if (i >= g->nst && o->total + o->n >= g->o.size)
			break;
		if (g->o.format == FMT_PERF)
			perf_sample(o, g, &g->st[k], &clock);
		else
			dtrace_sample(o, g, &g->st[k]);
	}
	flush(o);
	free(perm);
}

/* ---- arguments ---------------------------------------------------------------- */

static int
usage(void)
{
	fputs("usage: ffgen-perfgen [--format perf|dtrace] "
	    "[--size BYTES[K|M|G]] [--stacks N] [--seed S] [-o FILE]\n"
	    "  defaults: perf, 200M (dtrace: 100M), 50000 stacks, seed 1, "
	    "stdout\n", stderr);
	return 2;
}

static int
parse_size(const char *s, uint64_t *v)
{
	char *end;
	unsigned long long n = strtoull(s, &end, 10);

	switch (*end) {
	case 'K': case 'k': n <<= 10; end++; break;
	case 'M': case 'm': n <<= 20; end++; break;
	case 'G': case 'g': n <<= 30; end++; break;
	}
	*v = n;
	return end != s && *end == '\0';
}

/* Options come in pairs: NAME VALUE. */
static int
parse_args(int argc, char **argv, struct opts *o)
{
	uint64_t v;
	int i, sized = 0;

	o->format = FMT_PERF;
	o->stacks = 50000;
	o->seed = 1;
	o->out = NULL;
	if (argc % 2 == 0)
		return 0;
	for (i = 1; i + 1 < argc; i += 2) {
		const char *a = argv[i], *val = argv[i + 1];

		if (strcmp(a, "--format") == 0 && strcmp(val, "perf") == 0)
			o->format = FMT_PERF;
		else if (strcmp(a, "--format") == 0 &&
		    strcmp(val, "dtrace") == 0)
			o->format = FMT_DTRACE;
		else if (strcmp(a, "--size") == 0 && parse_size(val, &o->size))
			sized = 1;
		else if (strcmp(a, "--stacks") == 0 && parse_size(val, &v) &&
		    v > 0 && v < (1u << 24))
			o->stacks = (uint32_t)v;
		else if (strcmp(a, "--seed") == 0 && parse_size(val, &v))
			o->seed = v;
		else if (strcmp(a, "-o") == 0)
			o->out = val;
		else
			return 0;
	}
	if (!sized)
		o->size = (o->format == FMT_PERF ? 200ull : 100ull) << 20;
	return 1;
}

static void
free_funcs(struct func *f, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		free(f[i].name);
	free(f);
}

static void
free_gen(struct gen *g)
{
	uint32_t i;

	free_funcs(g->uf, NFUNCS);
	free_funcs(g->kf, NKFUNCS);
	for (i = 0; i < g->nst; i++)
		free(g->st[i].frames);
	free(g->st);
	free(g->seen);
	for (i = 0; i < NPROCS; i++)
		free(g->byproc[i].idx);
}

int
main(int argc, char **argv)
{
	static struct out o;
	struct gen g;

	memset(&g, 0, sizeof g);
	if (!parse_args(argc, argv, &g.o))
		return usage();
	rng = g.o.seed * 0x2545F4914F6CDD1Dull + 1;
	o.f = g.o.out != NULL ? fopen(g.o.out, "wb") : stdout;
	if (o.f == NULL) {
		fprintf(stderr, "perfgen: %s: %s\n", g.o.out, strerror(errno));
		return 1;
	}
	g.uf = make_funcs(NFUNCS, 0);
	g.kf = make_funcs(NKFUNCS, 1);
	setup_procs();
	make_stacks(&g);
	emit(&g, &o);
	free_gen(&g);
	if (fflush(o.f) != 0 || (o.f != stdout && fclose(o.f) != 0)) {
		fprintf(stderr, "perfgen: write: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}
