/*
 * metrics.h -- counters for /metrics, in the Prometheus text format.
 *
 *   ffstore_uploads_total{result="accepted"|"duplicate"}
 *   ffstore_rejected_total{reason="bad_request"|"unauthorized"|
 *       "forbidden"|"too_large"|"busy"|"error"}
 *   ffstore_received_bytes_total     bytes of stored profile files
 *   ffstore_sample_rows_total        sample rows stored
 *   ffstore_commit_seconds           histogram: a batch's transaction
 *   ffstore_ack_seconds              histogram: queued to acknowledged
 *   ffstore_queue_profiles, ffstore_queue_bytes   gauges
 *   ffstore_requests_total{method="GET"|"POST"}
 *
 * Thread-safe.
 */
#ifndef FF_METRICS_H
#define FF_METRICS_H

#include "profile/err.h"
#include "store/buf.h"

#include <stdint.h>

typedef enum ff_reject {
	FF_REJECT_BAD_REQUEST = 0,
	FF_REJECT_UNAUTHORIZED,
	FF_REJECT_FORBIDDEN,
	FF_REJECT_TOO_LARGE,
	FF_REJECT_BUSY,
	FF_REJECT_ERROR,
	FF_REJECT_COUNT
} ff_reject;

typedef struct ff_metrics ff_metrics;

ff_metrics *ff_metrics_new(void);
void ff_metrics_free(ff_metrics *m);

void ff_metrics_request(ff_metrics *m, int post);
void ff_metrics_accepted(ff_metrics *m, uint64_t bytes, uint64_t rows,
    double ack_s, double commit_s);
void ff_metrics_duplicate(ff_metrics *m);
void ff_metrics_rejected(ff_metrics *m, ff_reject why);

/* The text format, with the queue gauges given. */
ff_rc ff_metrics_render(ff_metrics *m, unsigned queue_profiles,
    uint64_t queue_bytes, ff_buf *out) FF_WUR;

#endif
