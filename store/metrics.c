/*
 * metrics.c -- Prometheus counters (see metrics.h).
 */
#include "store/metrics.h"
#include "profile/mem.h"

#include <pthread.h>
#include <string.h>

static const double bounds[] = { 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
	1, 2.5, 5, 10 };
#define NBOUNDS (sizeof bounds / sizeof bounds[0])

static const char *const reasons[FF_REJECT_COUNT] = { "bad_request",
	"unauthorized", "forbidden", "too_large", "busy", "error" };

struct hist {
	uint64_t le[NBOUNDS];   /* cumulative counts are built at render */
	uint64_t count;
	double sum;
};

struct ff_metrics {
	pthread_mutex_t lock;
	uint64_t gets, posts, accepted, duplicate, bytes, rows;
	uint64_t rejected[FF_REJECT_COUNT];
	struct hist commit, ack;
};

ff_metrics *
ff_metrics_new(void)
{
	ff_metrics *m = ff_calloc(1, sizeof *m);

	if (m != NULL)
		pthread_mutex_init(&m->lock, NULL);
	return m;
}

void
ff_metrics_free(ff_metrics *m)
{
	if (m == NULL)
		return;
	pthread_mutex_destroy(&m->lock);
	ff_free(m);
}

static void
observe(struct hist *h, double v)
{
	size_t i;

	for (i = 0; i < NBOUNDS; i++)
		if (v <= bounds[i]) {
			h->le[i]++;
			break;
		}
	h->count++;
	h->sum += v;
}

void
ff_metrics_request(ff_metrics *m, int post)
{
	pthread_mutex_lock(&m->lock);
	if (post)
		m->posts++;
	else
		m->gets++;
	pthread_mutex_unlock(&m->lock);
}

void
ff_metrics_accepted(ff_metrics *m, uint64_t bytes, uint64_t rows,
    double ack_s, double commit_s)
{
	pthread_mutex_lock(&m->lock);
	m->accepted++;
	m->bytes += bytes;
	m->rows += rows;
	observe(&m->ack, ack_s);
	observe(&m->commit, commit_s);
	pthread_mutex_unlock(&m->lock);
}

void
ff_metrics_duplicate(ff_metrics *m)
{
	pthread_mutex_lock(&m->lock);
	m->duplicate++;
	pthread_mutex_unlock(&m->lock);
}

void
ff_metrics_rejected(ff_metrics *m, ff_reject why)
{
	pthread_mutex_lock(&m->lock);
	m->rejected[why < FF_REJECT_COUNT ? why : FF_REJECT_ERROR]++;
	pthread_mutex_unlock(&m->lock);
}

static ff_rc
render_hist(ff_buf *b, const char *name, const char *help,
    const struct hist *h)
{
	uint64_t cum = 0;
	size_t i;

	if (ff_buf_printf(b, "# HELP %s %s\n# TYPE %s histogram\n", name, help,
	    name) != FF_OK)
		return FF_ERR_NOMEM;
	for (i = 0; i < NBOUNDS; i++) {
		cum += h->le[i];
		if (ff_buf_printf(b, "%s_bucket{le=\"%g\"} %llu\n", name,
		    bounds[i], (unsigned long long)cum) != FF_OK)
			return FF_ERR_NOMEM;
	}
	return ff_buf_printf(b, "%s_bucket{le=\"+Inf\"} %llu\n%s_sum %.6f\n"
	    "%s_count %llu\n", name, (unsigned long long)h->count, name,
	    h->sum, name, (unsigned long long)h->count);
}

static ff_rc
render(const ff_metrics *m, unsigned qp, uint64_t qb, ff_buf *b)
{
	size_t i;

	if (ff_buf_printf(b,
	    "# HELP ffstore_requests_total HTTP requests by method.\n"
	    "# TYPE ffstore_requests_total counter\n"
	    "ffstore_requests_total{method=\"GET\"} %llu\n"
	    "ffstore_requests_total{method=\"POST\"} %llu\n"
	    "# HELP ffstore_uploads_total Profiles acknowledged.\n"
	    "# TYPE ffstore_uploads_total counter\n"
	    "ffstore_uploads_total{result=\"accepted\"} %llu\n"
	    "ffstore_uploads_total{result=\"duplicate\"} %llu\n"
	    "# HELP ffstore_rejected_total Uploads refused, by reason.\n"
	    "# TYPE ffstore_rejected_total counter\n",
	    (unsigned long long)m->gets, (unsigned long long)m->posts,
	    (unsigned long long)m->accepted,
	    (unsigned long long)m->duplicate) != FF_OK)
		return FF_ERR_NOMEM;
	for (i = 0; i < FF_REJECT_COUNT; i++)
		if (ff_buf_printf(b, "ffstore_rejected_total{reason=\"%s\"} "
		    "%llu\n", reasons[i],
		    (unsigned long long)m->rejected[i]) != FF_OK)
			return FF_ERR_NOMEM;
	if (ff_buf_printf(b,
	    "# HELP ffstore_received_bytes_total Bytes of stored profiles.\n"
	    "# TYPE ffstore_received_bytes_total counter\n"
	    "ffstore_received_bytes_total %llu\n"
	    "# HELP ffstore_sample_rows_total Sample rows stored.\n"
	    "# TYPE ffstore_sample_rows_total counter\n"
	    "ffstore_sample_rows_total %llu\n"
	    "# HELP ffstore_queue_profiles Profiles waiting for the writer.\n"
	    "# TYPE ffstore_queue_profiles gauge\n"
	    "ffstore_queue_profiles %u\n"
	    "# HELP ffstore_queue_bytes Memory held by the write queue.\n"
	    "# TYPE ffstore_queue_bytes gauge\n"
	    "ffstore_queue_bytes %llu\n", (unsigned long long)m->bytes,
	    (unsigned long long)m->rows, qp, (unsigned long long)qb) != FF_OK)
		return FF_ERR_NOMEM;
	if (render_hist(b, "ffstore_commit_seconds", "Duration of a batch's "
	    "transaction, per stored profile.", &m->commit) != FF_OK ||
	    render_hist(b, "ffstore_ack_seconds", "From queued to "
	    "acknowledged (committed).", &m->ack) != FF_OK)
		return FF_ERR_NOMEM;
	return FF_OK;
}

ff_rc
ff_metrics_render(ff_metrics *m, unsigned qp, uint64_t qb, ff_buf *out)
{
	ff_rc rc;

	pthread_mutex_lock(&m->lock);
	rc = render(m, qp, qb, out);
	pthread_mutex_unlock(&m->lock);
	return rc;
}
