/*
 * html.h -- the self-contained HTML comparison report.
 *
 * One file, opened from disk, no network: the verdict banner, the two
 * selections, a sortable table of regressions and improvements with their
 * statistics, the flame graphs (differential, its negated view, CPI),
 * per-function plots of the base and new values across hosts, the
 * functions seen on one side only, CPI findings and totals.
 *
 * The report is a view of ffdiff's result: it reads the verdict JSON
 * (format flamefleet-verdict/1, diff/README.md) rather than the result
 * structure, so report/ depends on nothing but profile/.  Every name is
 * escaped (report/xml.h), the page carries a Content-Security-Policy that
 * forbids every load, and the only script is inline: the flame graph
 * script (once for all graphs) and a small table sorter.
 */
#ifndef FF_HTML_H
#define FF_HTML_H

#include "report/flamesvg.h"

#include "profile/err.h"
#include "profile/stacks.h"

#include <stddef.h>
#include <stdio.h>

/* One flame graph of the page. */
typedef struct ff_html_graph {
	const char *heading;      /* "Differential flame graph" */
	const char *note;         /* a sentence under the heading, or NULL */
	const ff_stacks *stacks;  /* borrowed; NULL = "no data" */
	ff_flame_mode mode;
	int negate;
} ff_html_graph;

/* A link in the bar above the banner (the store's web page adds its
 * home page and the other formats of a comparison). */
typedef struct ff_html_link {
	const char *text;
	const char *href;         /* escaped when written */
} ff_html_link;

typedef struct ff_html_page {
	const char *title;        /* the page title (NULL: from the verdict) */
	const ff_html_link *links;
	size_t nlinks;
	const char *verdict_json; /* ffdiff's JSON, NUL-terminated */
	const ff_html_graph *graphs;
	size_t ngraphs;
} ff_html_page;

/* Write the page to out.  FF_ERR_PARSE when the JSON is not a verdict,
 * FF_ERR_IO, FF_ERR_NOMEM. */
ff_rc ff_html_write(const ff_html_page *page, FILE *out, ff_err *err)
	FF_WUR;

#endif
