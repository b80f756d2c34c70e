/*
 * web.h -- ffstore serve's web page and comparison API.
 *
 *   | method, path   | answer                                            |
 *   |----------------|---------------------------------------------------|
 *   | GET /          | HTML: the builds, with profile and host counts,   |
 *   |                | and a form to compare two of them                 |
 *   | GET /compare   | a comparison, HTML report by default              |
 *   | GET /v1/compare| the same, JSON verdict by default                 |
 *
 * A comparison's parameters: base=SEL and new=SEL (selections, as
 * ffdiff --base/--new), or base_build=B, new_build=B and extra=TERMS (what
 * the form sends: SEL = build=B[,TERMS]); type=T; format= html, json,
 * junit, svg (differential graph), negated.svg, cpi.svg, cpi-diff.svg or
 * folded; and the check's threshold=, min_rel=, alpha=, normalize_by=,
 * totals=1.  Its URL is its permalink.  The exit code of ffdiff is in
 * the JSON ("exit_code"); the HTTP status is 200 for every verdict.
 *
 * Rendered comparisons are kept in a small cache keyed by the request and
 * the set of profiles it selects, so a permalink opened again, or the
 * report's graphs and JSON fetched one after another, are not computed
 * again until new profiles arrive.
 *
 * This module is part of the ffstore program, not of the store library:
 * it composes store/ (queries), diff/ (the check) and report/ (graphs,
 * HTML), which the library must not depend on.
 */
#ifndef FF_WEB_H
#define FF_WEB_H

#include "store/api.h"
#include "store/store.h"

typedef struct ff_web ff_web;

/* The web routes' state (the cache), or NULL when out of memory. */
ff_web *ff_web_new(void);
void ff_web_free(ff_web *w);

/* Whether path is one of the routes above. */
int ff_web_known(const char *path);

/* Answer a GET (thread-safe; w is an ff_web). */
void ff_web_get(void *w, ff_store *st, const ff_api_req *req,
    ff_api_resp *resp);

#endif
