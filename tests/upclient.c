/*
 * upclient.c -- ff-upclient: concurrent uploads to ffstore serve, for the
 * store's tests and its ingest benchmark.
 *
 *   ff-upclient --url URL [--jobs N] [--token T] [--log FILE]
 *               [--count N] [--seconds S] [--rate R] [--unique] FILE...
 *
 * N threads (default 8) POST profile files to URL/v1/profiles over
 * keep-alive connections.  Without --count each file is sent once; with
 * it, N uploads cycle through the files.  --unique gives every upload
 * new content (a label "seq" = its number), so each one is a new
 * profile.  --rate spreads uploads at R per second in total.  --log
 * appends one line per answered upload, "STATUS HASH ID ROWS MS", written
 * only once the answer is in (so a 2xx line means acknowledged), or
 * "ERR MESSAGE".  A summary goes to stderr: counts by status, profiles/s,
 * rows/s, p50 and p99 latency.  A job stops after 3 consecutive
 * connection failures (the server is gone).  Exit 0.
 */
#include "profile/ffp.h"
#include "profile/mem.h"
#include "profile/stacks.h"

#include <curl/curl.h>

#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct file {
	unsigned char *p;
	size_t len;
};

static struct opts {
	const char *url, *token, *log;
	unsigned jobs, unique;
	unsigned long count;
	double seconds, rate;
	char **paths;
	size_t nfiles;
} o;

static struct file *files;
static atomic_ulong next_upload;
static double t_start;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *log_file;
static unsigned long by_status[600], errors, rows;
static double *lat;
static size_t nlat, latcap;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
die(const char *msg)
{
	fprintf(stderr, "ff-upclient: %s\n", msg);
	exit(2);
}

static unsigned char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	long n = 0;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0)
		die(path);
	rewind(f);
	if ((buf = malloc((size_t)n + 1)) == NULL ||
	    fread(buf, 1, (size_t)n, f) != (size_t)n)
		die(path);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* ---- bodies -------------------------------------------------------------- */

struct tmpl {
	ff_intern *frames;
	ff_meta meta;
	ff_stacks *s;
};

struct buf {
	unsigned char *p;
	size_t len, cap;
};

static ff_rc
buf_sink(void *ctx, const void *p, size_t len, ff_err *err)
{
	struct buf *b = ctx;

	(void)err;
	if (b->len + len > b->cap) {
		b->cap = (b->len + len) * 2;
		if ((b->p = realloc(b->p, b->cap)) == NULL)
			return FF_ERR_NOMEM;
	}
	memcpy(b->p + b->len, p, len);
	b->len += len;
	return FF_OK;
}

static void
tmpl_load(struct tmpl *t, const char *path)
{
	ff_err err;

	t->frames = ff_intern_new();
	ff_meta_init(&t->meta);
	if (ff_ffp_read_file(path, NULL, t->frames, &t->meta, &t->s, NULL,
	    &err) != FF_OK)
		die(err.msg);
}

/* Upload k's body: the file, or a new profile made from it. */
static void
body_for(unsigned long k, struct tmpl *t, struct buf *b)
{
	char seq[32];
	ff_err err;
	size_t i = k % o.nfiles;

	if (!o.unique) {
		b->p = files[i].p;
		b->len = files[i].len;
		return;
	}
	snprintf(seq, sizeof seq, "%lu-%.0f", k, t_start * 1000);
	b->len = 0;
	if (ff_meta_set_label(&t[i].meta, "seq", seq, &err) != FF_OK ||
	    ff_ffp_write(&t[i].meta, t[i].s, 1, buf_sink, b, &err) != FF_OK)
		die(err.msg);
}

/* ---- uploads ------------------------------------------------------------- */

struct resp {
	char text[4096];
	size_t len;
};

static size_t
on_data(char *p, size_t size, size_t n, void *ctx)
{
	struct resp *r = ctx;
	size_t len = size * n, room = sizeof r->text - 1 - r->len;

	memcpy(r->text + r->len, p, len < room ? len : room);
	r->len += len < room ? len : room;
	r->text[r->len] = '\0';
	return len;
}

static void
field(const char *json, const char *key, char *out, size_t cap)
{
	const char *p = strstr(json, key);
	size_t n;

	out[0] = '-';
	out[1] = '\0';
	if (p == NULL)
		return;
	p += strlen(key);
	if (*p == '"')
		p++;
	n = strcspn(p, "\",}");
	if (n >= cap)
		n = cap - 1;
	memcpy(out, p, n);
	out[n] = '\0';
}

static void
record(long status, const struct resp *r, double ms, const char *errmsg)
{
	char hash[64], id[32], nrows[32];

	pthread_mutex_lock(&lock);
	if (errmsg != NULL) {
		errors++;
		if (log_file != NULL)
			fprintf(log_file, "ERR %s\n", errmsg);
	} else {
		field(r->text, "\"hash\":", hash, sizeof hash);
		field(r->text, "\"id\":", id, sizeof id);
		field(r->text, "\"rows\":", nrows, sizeof nrows);
		by_status[status >= 0 && status < 600 ? status : 0]++;
		if (status == 201)
			rows += strtoul(nrows, NULL, 10);
		if (log_file != NULL)
			fprintf(log_file, "%ld %s %s %s %.1f\n", status, hash, id,
			    nrows, ms);
		if (nlat == latcap) {
			latcap = latcap ? latcap * 2 : 4096;
			if ((lat = realloc(lat, latcap * sizeof *lat)) == NULL)
				die("out of memory");
		}
		lat[nlat++] = ms;
	}
	if (log_file != NULL)
		fflush(log_file);
	pthread_mutex_unlock(&lock);
}

static void
pace(unsigned long k)
{
	double due, t;
	struct timespec ts;

	if (o.rate <= 0)
		return;
	due = t_start + (double)k / o.rate;
	if ((t = due - now()) > 0) {
		ts.tv_sec = (time_t)t;
		ts.tv_nsec = (long)((t - (double)ts.tv_sec) * 1e9);
		nanosleep(&ts, NULL);
	}
}

static void *
job(void *arg)
{
	struct tmpl *t = NULL;
	struct curl_slist *h = NULL;
	struct buf b = { NULL, 0, 0 };
	char url[1024], auth[512];
	unsigned fails = 0;
	unsigned long k;
	size_t i;
	CURL *c;

	(void)arg;
	if (o.unique) {
		t = calloc(o.nfiles, sizeof *t);
		for (i = 0; i < o.nfiles; i++)
			tmpl_load(&t[i], o.paths[i]);
	}
	snprintf(url, sizeof url, "%s/v1/profiles", o.url);
	h = curl_slist_append(h, "Content-Type: application/zstd");
	h = curl_slist_append(h, "Expect:");
	if (o.token != NULL) {
		snprintf(auth, sizeof auth, "Authorization: Bearer %s", o.token);
		h = curl_slist_append(h, auth);
	}
	c = curl_easy_init();
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	while ((k = atomic_fetch_add(&next_upload, 1)) < o.count &&
	    (o.seconds <= 0 || now() - t_start < o.seconds) && fails < 3) {
		struct resp r = { "", 0 };
		long status = 0;
		double t0;
		CURLcode cc;

		pace(k);
		if (o.unique)
			b.len = 0;
		body_for(k, t, &b);
		curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, b.p);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)b.len);
		t0 = now();
		cc = curl_easy_perform(c);
		if (cc == CURLE_OK) {
			curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
			record(status, &r, (now() - t0) * 1000, NULL);
			fails = 0;
		} else {
			record(0, NULL, 0, curl_easy_strerror(cc));
			fails++;
		}
		if (!o.unique)
			b.p = NULL;
	}
	curl_easy_cleanup(c);
	curl_slist_free_all(h);
	if (o.unique) {
		for (i = 0; i < o.nfiles; i++) {
			ff_stacks_free(t[i].s);
			ff_intern_free(t[i].frames);
			ff_meta_free(&t[i].meta);
		}
		free(t);
		free(b.p);
	}
	return NULL;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
summary(double secs)
{
	unsigned long total = 0, ok = 0;
	int s;

	for (s = 0; s < 600; s++) {
		total += by_status[s];
		if (s >= 200 && s < 300)
			ok += by_status[s];
	}
	if (nlat > 0)
		qsort(lat, nlat, sizeof *lat, cmp_double);
	fprintf(stderr, "ff-upclient: %lu answered (%lu 2xx:", total, ok);
	for (s = 0; s < 600; s++)
		if (by_status[s] != 0)
			fprintf(stderr, " %d=%lu", s, by_status[s]);
	fprintf(stderr, "), %lu errors, %.2f s, %.1f profiles/s, %.0f rows/s, "
	    "p50 %.1f ms, p99 %.1f ms\n", errors, secs, total / secs,
	    rows / secs, nlat ? lat[nlat / 2] : 0,
	    nlat ? lat[(size_t)((double)nlat * 0.99)] : 0);
}

static void
parse_args(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "url", required_argument, NULL, 'u' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "token", required_argument, NULL, 't' },
		{ "log", required_argument, NULL, 'l' },
		{ "count", required_argument, NULL, 'c' },
		{ "seconds", required_argument, NULL, 's' },
		{ "rate", required_argument, NULL, 'r' },
		{ "unique", no_argument, NULL, 'U' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	o.jobs = 8;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'u': o.url = optarg; break;
		case 'j': o.jobs = (unsigned)atoi(optarg); break;
		case 't': o.token = optarg; break;
		case 'l': o.log = optarg; break;
		case 'c': o.count = strtoul(optarg, NULL, 10); break;
		case 's': o.seconds = atof(optarg); break;
		case 'r': o.rate = atof(optarg); break;
		case 'U': o.unique = 1; break;
		default: die("bad option (see the comment at the top)");
		}
	}
	if (o.url == NULL || optind == argc || o.jobs < 1 || o.jobs > 1024)
		die("usage: ff-upclient --url URL [--jobs N] [--token T] "
		    "[--log FILE] [--count N] [--seconds S] [--rate R] "
		    "[--unique] FILE...");
	o.paths = argv + optind;
	o.nfiles = (size_t)(argc - optind);
	if (o.count == 0)
		o.count = o.seconds > 0 ? ~0ul : o.nfiles;
}

int
main(int argc, char **argv)
{
	pthread_t *tids;
	unsigned i;
	size_t f;

	parse_args(argc, argv);
	if ((files = calloc(o.nfiles, sizeof *files)) == NULL)
		die("out of memory");
	for (f = 0; f < o.nfiles; f++)
		files[f].p = slurp(o.paths[f], &files[f].len);
	if (o.log != NULL && (log_file = fopen(o.log, "a")) == NULL)
		die(o.log);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	tids = calloc(o.jobs, sizeof *tids);
	t_start = now();
	for (i = 0; i < o.jobs; i++)
		if (pthread_create(&tids[i], NULL, job, NULL) != 0)
			die("cannot start a thread");
	for (i = 0; i < o.jobs; i++)
		pthread_join(tids[i], NULL);
	summary(now() - t_start);
	curl_global_cleanup();
	for (f = 0; f < o.nfiles; f++)
		free(files[f].p);
	free(files);
	free(tids);
	free(lat);
	if (log_file != NULL)
		fclose(log_file);
	return 0;
}
