/*
 * load.c -- batch import of profile files (see load.h).
 */
#include "store/load.h"
#include "profile/mem.h"
#include "profile/progress.h"
#include "store/ingest.h"
#include "store/memo.h"
#include "store/prep.h"
#include "store/query.h"
#include "store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { THREADS_MAX = 64 };

struct loader {
	const char *db;
	ff_load_opts opts;
	char *const *files;
	size_t n;
	atomic_size_t next;
	ff_ingest *ing;
	pthread_mutex_t lock;   /* guards st, progress, the error stream and
	                         * store_err */
	ff_load_stats st;
	atomic_int stop;        /* the store failed: read no more files */
	ff_err store_err;       /* its first failure */
	ff_progress progress;
	uint64_t done;
};

ff_rc
ff_load_slurp(const char *path, uint64_t max, unsigned char **out,
    size_t *len, ff_err *err)
{
	unsigned char *buf = NULL;
	struct stat sb;
	size_t got = 0;
	ff_rc rc = FF_OK;
	int fd;

	*out = NULL;
	*len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return ff_err_errno(err, errno, "%s", path);
	if (fstat(fd, &sb) != 0) {
		rc = ff_err_errno(err, errno, "%s", path);
		goto out;
	}
	if (!S_ISREG(sb.st_mode) || (uint64_t)sb.st_size > max) {
		rc = S_ISREG(sb.st_mode) ? ff_err_set(err, FF_ERR_LIMIT,
		    "%s: %lld bytes exceed the limit of %llu", path,
		    (long long)sb.st_size, (unsigned long long)max) :
		    ff_err_set(err, FF_ERR_USAGE, "%s: not a regular file",
		    path);
		goto out;
	}
	if ((buf = ff_malloc((size_t)sb.st_size + 1)) == NULL) {
		rc = ff_err_nomem(err);
		goto out;
	}
	while (got < (size_t)sb.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)sb.st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			rc = r < 0 ? ff_err_errno(err, errno, "%s", path) :
			    ff_err_set(err, FF_ERR_IO, "%s: file shrank while "
			    "read", path);
			goto out;
		}
		got += (size_t)r;
	}
	*out = buf;
	*len = got;
	buf = NULL;
out:
	ff_free(buf);
	close(fd);
	return rc;
}

/* Count and print a bad file (lock held). */
static void
file_failed(struct loader *ld, const char *msg)
{
	ld->st.failed++;
	if (ld->opts.errors != NULL)
		fprintf(ld->opts.errors, "%s: %s\n", ld->opts.prog, msg);
}

static void
file_done(struct loader *ld)
{
	ld->done++;
	ff_progress_update(&ld->progress, ld->done, ld->n, "profiles");
}

/* Writer thread: a file's outcome (ctx: the loader and the file's name).
 * A queued file was checked completely, so when the writer fails it is
 * the store's fault (disk full, I/O error, locked, out of memory), not
 * the file's: the load stops there instead of calling every later file
 * bad. */
static void
on_stored(void *ctx, const ff_ingest_result *r)
{
	struct loader *ld = *(struct loader **)ctx;

	pthread_mutex_lock(&ld->lock);
	if (r->rc != FF_OK) {
		if (!atomic_load(&ld->stop))
			ld->store_err = r->err;
		atomic_store(&ld->stop, 1);
	} else if (r->put.duplicate) {
		ld->st.duplicates++;
	} else {
		ld->st.stored++;
		ld->st.rows += r->put.rows;
		ld->st.bytes += r->bytes;
	}
	file_done(ld);
	pthread_mutex_unlock(&ld->lock);
	ff_free(ctx);
}

/* Whether the store has the file's content already (then it is counted
 * as a duplicate without being parsed). */
static int
stored_before(struct loader *ld, ff_store *st, const unsigned char *data,
    size_t len)
{
	char hash[FF_DIGEST_HEX];
	int64_t id;

	if (st == NULL)
		return 0;
	ff_prep_hash(data, len, hash);
	if (ff_query_hash(st, hash, &id, NULL) != FF_OK)
		return 0;
	pthread_mutex_lock(&ld->lock);
	ld->st.duplicates++;
	file_done(ld);
	pthread_mutex_unlock(&ld->lock);
	return 1;
}

/* Read, check and queue one file. */
static void
load_one(struct loader *ld, ff_store *st, const char *path)
{
	ff_prep_opts po = { ld->opts.max_decompressed };
	unsigned char *data = NULL;
	ff_prep *p = NULL;
	void **ctx = NULL;
	size_t len;
	ff_err err;
	ff_rc rc;

	ff_err_init(&err);
	rc = ff_load_slurp(path, ld->opts.max_upload, &data, &len, &err);
	if (rc == FF_OK && stored_before(ld, st, data, len)) {
		ff_free(data);
		return;
	}
	if (rc == FF_OK)
		rc = ff_prep_parse(&p, data, len, path, &po, &err);
	ff_free(data);
	if (rc == FF_OK && (ctx = ff_malloc(2 * sizeof *ctx)) == NULL)
		rc = ff_err_nomem(&err);
	if (rc == FF_OK) {
		ctx[0] = ld;
		ctx[1] = (void *)path;
		rc = ff_ingest_submit(ld->ing, p, 1, on_stored, ctx, &err);
	}
	if (rc == FF_OK)
		return;
	ff_free(ctx);
	ff_prep_free(p);
	pthread_mutex_lock(&ld->lock);
	file_failed(ld, ff_err_msg(&err));
	file_done(ld);
	pthread_mutex_unlock(&ld->lock);
}

static void *
parser_main(void *arg)
{
	struct loader *ld = arg;
	ff_store *st = NULL;
	size_t i;

	/* A reader of its own, to skip files stored before; without it the
	 * writer still recognises them, after the parse. */
	if (ff_store_open(&st, ld->db, NULL) != FF_OK)
		st = NULL;
	while (!atomic_load(&ld->stop) &&
	    (i = atomic_fetch_add(&ld->next, 1)) < ld->n)
		load_one(ld, st, ld->files[i]);
	ff_store_close(st);
	ff_memo_thread_end();
	return NULL;
}

static unsigned
thread_count(const ff_load_opts *o, size_t files)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned n = o->threads != 0 ? o->threads :
	    (unsigned)(cpus > 0 ? cpus : 1);

	if (n > THREADS_MAX)
		n = THREADS_MAX;
	if (n > files)
		n = files > 0 ? (unsigned)files : 1;
	return n;
}

static void
run_parsers(struct loader *ld, unsigned nthreads)
{
	pthread_t tids[THREADS_MAX];
	unsigned i, started = 0;

	for (i = 1; i < nthreads; i++)
		if (pthread_create(&tids[started], NULL, parser_main, ld) == 0)
			started++;
	parser_main(ld);
	for (i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
}

ff_rc
ff_load_files(const char *db, char *const *files, size_t n,
    const ff_load_opts *opts, ff_load_stats *st, ff_err *err)
{
	ff_ingest_opts io = { 0 };
	struct loader ld;
	ff_rc rc;

	memset(&ld, 0, sizeof ld);
	if (st != NULL)
		memset(st, 0, sizeof *st);
	if (opts != NULL)
		ld.opts = *opts;
	if (ld.opts.max_upload == 0)
		ld.opts.max_upload = FF_LOAD_MAX_FILE;
	if (ld.opts.max_decompressed == 0)
		ld.opts.max_decompressed = FF_LOAD_MAX_INFLATED;
	if (ld.opts.prog == NULL)
		ld.opts.prog = "ffstore";
	ld.db = db;
	ld.files = files;
	ld.n = n;
	ld.st.files = n;
	io.batch_max = ld.opts.batch_max;
	io.nosync = ld.opts.nosync;
	/* Room to go on parsing while the writer waits for the disk. */
	io.queue_max = 64 + 2 * thread_count(&ld.opts, n);
	if ((rc = ff_ingest_start(&ld.ing, db, &io, err)) != FF_OK) {
		if (st != NULL)
			st->files = st->unstored = n;
		return rc;
	}
	pthread_mutex_init(&ld.lock, NULL);
	ff_progress_init(&ld.progress, "loading", stderr);
	run_parsers(&ld, thread_count(&ld.opts, n));
	ff_ingest_stop(ld.ing);
	ff_progress_done(&ld.progress);
	pthread_mutex_destroy(&ld.lock);
	ld.st.unstored = n - ld.st.stored - ld.st.duplicates - ld.st.failed;
	if (st != NULL)
		*st = ld.st;
	if (atomic_load(&ld.stop))
		return ff_err_set(err, ld.store_err.rc == FF_ERR_PARSE ?
		    FF_ERR_DB : ld.store_err.rc, "%s; stopped after "
		    "storing %llu of %zu files (the store is intact: run the "
		    "same command again to store the others)",
		    ff_err_msg(&ld.store_err), (unsigned long long)ld.st.stored,
		    n);
	if (ld.st.failed > 0)
		return ff_err_set(err, FF_ERR_PARSE, "%llu of %zu files were "
		    "not stored", (unsigned long long)ld.st.failed, n);
	return FF_OK;
}
