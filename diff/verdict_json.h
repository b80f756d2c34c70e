/*
 * verdict_json.h -- the verdict as JSON (schema in diff/README.md).
 */
#ifndef FF_VERDICT_JSON_H
#define FF_VERDICT_JSON_H

#include "diff/check.h"
#include "profile/err.h"

#include <stdio.h>

#define FF_VERDICT_FORMAT "flamefleet-verdict/1"

/* Write the whole result (every tested function) to out. */
ff_rc ff_verdict_json_write(const ff_result *res, FILE *out, ff_err *err)
	FF_WUR;

/* The same into a NUL-terminated string the caller frees with ff_free
 * (the HTML report embeds it). */
ff_rc ff_verdict_json_string(const ff_result *res, char **out, ff_err *err)
	FF_WUR;

#endif
