/*
 * foldgen.c -- deterministic folded-stack input for tests and benchmarks.
 *
 *   ffgen-foldgen [-n STACKS] [--seed N] [--two | --cpi] [--shuffle]
 *                 [--min-depth D] [--max-depth D] > input.folded
 *
 * Writes STACKS distinct stacks (default 20,000), one per line, with
 * depths uniform in [min-depth, max-depth] (5..60).  Stacks grow like a
 * profiler's: each new one takes a prefix of an earlier stack and adds new
 * frames, so prefixes are shared as in real profiles.  Frame names mimic
 * C, C++, Java and kernel symbols (about 26 bytes on average, so 200,000
 * stacks make about 173 MB).  Counts are heavy-tailed (Pareto, alpha 1.1):
 * most stacks have a few samples, a few have very many.
 *
 *   --two      a second count column, as a differential profile: most
 *              stacks change a little, some grow 2-5x (regressions), some
 *              vanish (0 after) and some are new (0 before)
 *   --cpi      a second column of instructions (stack CYCLES INSTRUCTIONS)
 *              with a per-function CPI between 0.4 and 6
 *   --shuffle  random line order (default: sorted bytewise, as flamefleet
 *              writes folded files)
 *
 * The same arguments always give the same bytes.
 */
#include "profile/fold.h"
#include "profile/intern.h"
#include "profile/mem.h"
#include "profile/stacks.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MODE_ONE, MODE_TWO, MODE_CPI };

struct gen {
	uint64_t rng;
	unsigned long nstacks;
	unsigned min_depth, max_depth;
	int mode, shuffle;
	ff_intern *names;
	ff_stacks *stacks;
	uint32_t nvocab;         /* frame ids 0..nvocab) are the vocabulary */
	uint32_t *paths;         /* max_depth ids per generated stack */
	uint32_t *depth;         /* per generated stack */
	uint32_t *node;          /* per generated stack: its stack node */
};

static uint64_t
next(struct gen *g)
{
	uint64_t z = (g->rng += UINT64_C(0x9E3779B97F4A7C15));

	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

/* Uniform in [0, n). */
static uint32_t
below(struct gen *g, uint32_t n)
{
	return (uint32_t)(next(g) % n);
}

/* Uniform in (0, 1]. */
static double
unit(struct gen *g)
{
	return ((double)(next(g) >> 11) + 1) / 9007199254740992.0;
}

static const char *const words[] = {
	"alloc", "buffer", "cache", "channel", "check", "chunk", "commit",
	"compress", "decode", "dentry", "dispatch", "encode", "enqueue",
	"event", "exec", "fault", "fetch", "file", "fill", "find", "flush",
	"frame", "free", "handle", "index", "inflate", "init", "inode", "irq",
	"json", "list", "load", "lock", "lookup", "loop", "map", "merge",
	"meta", "mount", "mutex", "name", "net", "node", "open", "packet",
	"page", "parse", "path", "pipe", "poll", "pool", "process", "push",
	"query", "queue", "read", "reader", "recv", "region", "render",
	"request", "reset", "response", "sample", "sched", "segment", "select",
	"send", "shard", "signal", "skb", "sleep", "socket", "sort", "spin",
	"stat", "store", "stream", "string", "sync", "table", "task", "tcp",
	"thread", "tick", "timer", "trace", "tree", "udp", "unlock", "unmap",
	"update", "validate", "vector", "wait", "wake", "worker", "write"
};
#define NWORDS (sizeof words / sizeof words[0])

static const char *const packages[] = {
	"java/util/", "java/nio/", "org/apache/kafka/", "io/netty/",
	"com/fasterxml/jackson/", "org/springframework/", "sun/nio/ch/",
	"jdk/internal/misc/"
};
static const char *const spaces[] = {
	"svc", "kv", "rpc", "net", "io", "ui", "jit", "app", "engine", "sql"
};

static void
cap_word(char *out, const char *w)
{
	strcpy(out, w);
	out[0] = (char)(out[0] - 'a' + 'A');
}

/* One synthetic function name in buf. */
static void
make_name(struct gen *g, char *buf, size_t cap)
{
	const char *a = words[below(g, NWORDS)], *b = words[below(g, NWORDS)];
	const char *c = words[below(g, NWORDS)], *d = words[below(g, NWORDS)];
	char A[32], B[32];

	cap_word(A, a);
	cap_word(B, b);
	switch (below(g, 6)) {
	case 0:   /* C++ */
		snprintf(buf, cap, "%s::%s%s::%s%s", spaces[below(g, 10)], A,
		    B, c, (cap_word(A, d), A));
		break;
	case 1:   /* Java */
		snprintf(buf, cap, "%s%s%s:::%s%s", packages[below(g, 8)], A, B,
		    c, (cap_word(A, d), A));
		break;
	case 2:   /* kernel */
		snprintf(buf, cap, "%s_%s_%s_%s_[k]", a, b, c, d);
		break;
	case 3:   /* C, internal */
		snprintf(buf, cap, "__%s_%s_%s_%s", a, b, c, d);
		break;
	case 4:   /* C */
		snprintf(buf, cap, "%s_%s_%s_%s", a, b, c, d);
		break;
	default:  /* C */
		snprintf(buf, cap, "%s_%s_%s", a, b, c);
		break;
	}
}

static int
make_vocabulary(struct gen *g, uint32_t n)
{
	static const char *const roots[] = {
		"java", "mysqld", "nginx", "postgres", "redis-server",
		"kworker/0:1", "swapper", "envoy"
	};
	char buf[256];
	uint32_t id, i;

	for (i = 0; i < 8; i++)
		if (ff_intern_put(g->names, roots[i], strlen(roots[i]), &id) !=
		    FF_OK)
			return -1;
	while (ff_intern_count(g->names) < n) {
		make_name(g, buf, sizeof buf);
		if (ff_intern_put(g->names, buf, strlen(buf), &id) != FF_OK)
			return -1;
	}
	g->nvocab = ff_intern_count(g->names);
	return 0;
}

/* A frame id for depth d: roots at depth 0, a Zipf-ish pick elsewhere so
 * that some functions are everywhere and most are rare. */
static uint32_t
pick_frame(struct gen *g, uint32_t d)
{
	double u = unit(g);

	if (d == 0)
		return below(g, 8);
	return 8 + (uint32_t)((double)(g->nvocab - 8) * u * u * u) %
	    (g->nvocab - 8);
}

/* Fill the path of stack i from a prefix of an earlier stack. */
static uint32_t
make_path(struct gen *g, unsigned long i, uint32_t *path)
{
	uint32_t want = g->min_depth + below(g, g->max_depth - g->min_depth +
	    1), keep = 0, d;

	if (i > 0) {
		unsigned long j = below(g, (uint32_t)i);
		uint32_t dj = g->depth[j], limit = dj < want ? dj : want - 1;
		uint32_t cut = 1 + below(g, 12);

		keep = limit > cut ? limit - cut : 1;
		memcpy(path, g->paths + (size_t)j * g->max_depth,
		    keep * sizeof *path);
		/* Now and then, the same code in another process. */
		if (below(g, 16) == 0)
			path[0] = pick_frame(g, 0);
	}
	for (d = keep; d < want; d++)
		path[d] = pick_frame(g, d);
	return want;
}

/* Pareto(alpha 1.1) counts, capped. */
static uint64_t
heavy_count(struct gen *g)
{
	double c = floor(1 / pow(unit(g), 1 / 1.1));

	return c > 5e6 ? 5000000 : (uint64_t)c;
}

static void
make_values(struct gen *g, const uint32_t *path, uint32_t depth,
    uint64_t *v)
{
	uint32_t r = below(g, 100);

	v[0] = heavy_count(g);
	if (g->mode == MODE_TWO) {
		if (r < 3)
			v[1] = 0, v[0] += 1;                /* vanished */
		else if (r < 6)
			v[1] = v[0] + 1, v[0] = 0;          /* new */
		else if (r < 11)
			v[1] = v[0] * (2 + below(g, 4));    /* regression */
		else
			v[1] = (uint64_t)llround((double)v[0] *
			    (0.9 + 0.2 * unit(g)));
	} else if (g->mode == MODE_CPI) {
		/* A per-leaf CPI in [0.4, 6), from the leaf's id. */
		double cpi = 0.4 + (double)(path[depth - 1] % 56) / 10;

		v[0] *= 1000;
		v[1] = (uint64_t)llround((double)v[0] / cpi);
	}
}

static int
generate(struct gen *g)
{
	uint64_t v[2];
	unsigned long i;
	uint32_t *path;

	for (i = 0; i < g->nstacks; i++) {
		uint32_t depth, node, tries = 0;

		path = g->paths + (size_t)i * g->max_depth;
		do {
			depth = make_path(g, i, path);
			if (ff_stacks_intern_path(g->stacks, path, depth,
			    &node) != FF_OK)
				return -1;
		} while (ff_stacks_values(g->stacks, node) != NULL &&
		    ++tries < 1000);
		if (tries == 1000)
			return -1;
		make_values(g, path, depth, v);
		if (ff_stacks_add(g->stacks, node, v) != FF_OK)
			return -1;
		g->depth[i] = depth;
		g->node[i] = node;
	}
	return 0;
}

/* Print the stacks in a random order. */
static int
write_shuffled(struct gen *g, FILE *out)
{
	unsigned nv = ff_stacks_nvalues(g->stacks), k;
	unsigned long i;
	uint32_t d;

	for (i = g->nstacks; i > 1; i--) {
		uint32_t j = below(g, (uint32_t)i), t = g->node[i - 1];

		g->node[i - 1] = g->node[j];
		g->node[j] = t;
	}
	for (i = 0; i < g->nstacks; i++) {
		uint32_t path[64], depth = ff_stacks_path(g->stacks, g->node[i],
		    path);
		const uint64_t *v = ff_stacks_values(g->stacks, g->node[i]);

		for (d = 0; d < depth; d++) {
			size_t len;
			const char *s = ff_intern_str(g->names, path[d], &len);

			if (d > 0)
				fputc(';', out);
			fwrite(s, 1, len, out);
		}
		for (k = 0; k < nv; k++)
			fprintf(out, " %llu", (unsigned long long)v[k]);
		fputc('\n', out);
	}
	return ferror(out) ? -1 : 0;
}

static int
usage(void)
{
	fprintf(stderr, "usage: ffgen-foldgen [-n STACKS] [--seed N] "
	    "[--two | --cpi] [--shuffle] [--min-depth D] [--max-depth D]\n");
	return 2;
}

static int
parse(struct gen *g, int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--two") == 0)
			g->mode = MODE_TWO;
		else if (strcmp(a, "--cpi") == 0)
			g->mode = MODE_CPI;
		else if (strcmp(a, "--shuffle") == 0)
			g->shuffle = 1;
		else if (v != NULL && strcmp(a, "-n") == 0 && ++i)
			g->nstacks = strtoul(v, NULL, 10);
		else if (v != NULL && strcmp(a, "--seed") == 0 && ++i)
			g->rng = strtoull(v, NULL, 10);
		else if (v != NULL && strcmp(a, "--min-depth") == 0 && ++i)
			g->min_depth = (unsigned)strtoul(v, NULL, 10);
		else if (v != NULL && strcmp(a, "--max-depth") == 0 && ++i)
			g->max_depth = (unsigned)strtoul(v, NULL, 10);
		else
			return usage();
	}
	if (g->nstacks == 0 || g->nstacks > 50000000 || g->min_depth < 2 ||
	    g->max_depth < g->min_depth || g->max_depth > 64)
		return usage();
	return 0;
}

int
main(int argc, char **argv)
{
	struct gen g;
	ff_err err;
	int rc = 1;

	memset(&g, 0, sizeof g);
	g.nstacks = 20000;
	g.min_depth = 5;
	g.max_depth = 60;
	g.rng = 1;
	if (parse(&g, argc, argv) != 0)
		return 2;
	g.names = ff_intern_new();
	g.stacks = g.names != NULL ? ff_stacks_new(g.names,
	    g.mode == MODE_ONE ? 1 : 2) : NULL;
	g.paths = ff_reallocarray(NULL, g.nstacks,
	    g.max_depth * sizeof(uint32_t));
	g.depth = ff_reallocarray(NULL, g.nstacks, sizeof *g.depth);
	g.node = ff_reallocarray(NULL, g.nstacks, sizeof *g.node);
	if (g.stacks == NULL || g.paths == NULL || g.depth == NULL ||
	    g.node == NULL || make_vocabulary(&g, 4000) != 0 ||
	    generate(&g) != 0) {
		fprintf(stderr, "ffgen-foldgen: out of memory or stacks\n");
		goto out;
	}
	if (g.shuffle)
		rc = write_shuffled(&g, stdout) != 0;
	else
		rc = ff_fold_write(g.stacks, stdout, &err) != FF_OK;
	if (fflush(stdout) != 0 || rc != 0) {
		fprintf(stderr, "ffgen-foldgen: write error\n");
		rc = 1;
	}
out:
	ff_free(g.paths);
	ff_free(g.depth);
	ff_free(g.node);
	ff_stacks_free(g.stacks);
	ff_intern_free(g.names);
	return rc;
}
