/*
 * fuzz_html.c -- libFuzzer target: the HTML report fed hostile function
 * and host names.  The input is split at NUL bytes into names that are
 * put, as JSON strings, into a small verdict; the page must be valid
 * UTF-8 and contain exactly one <script> element (its own) however the
 * names look.
 */
#include "fuzz.h"

#include "profile/utf8.h"
#include "report/html.h"

#include <jansson.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The index-th NUL-separated piece of data, as a JSON string (invalid
 * UTF-8 bytes dropped, as ffdiff writes names). */
static json_t *
piece(const uint8_t *data, size_t size, int index)
{
	size_t start = 0, i;
	int k = 0;

	for (i = 0; i <= size; i++) {
		if (i == size || data[i] == 0) {
			if (k++ == index) {
				char *s = malloc(i - start + 1);
				size_t o = 0, j;
				json_t *v;

				for (j = start; j < i;) {
					size_t n = ff_utf8_seq(data + j, i - j);

					if (n == 0) {
						j++;
						continue;
					}
					memcpy(s + o, data + j, n);
					o += n;
					j += n;
				}
				v = json_stringn(s, o);
				free(s);
				return v;
			}
			start = i + 1;
		}
	}
	return json_string("");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *v, *f;
	ff_html_page page;
	char *json, *out = NULL, *p;
	size_t len = 0;
	int scripts = 0;
	FILE *fp;
	ff_err err;

	v = json_pack("{s:s,s:s,s:o,s:{s:f,s:f,s:f,s:s},"
	    "s:{s:o,s:i,s:i,s:f,s:s,s:s,s:s},s:{s:o,s:i,s:i,s:f,s:s,s:s,s:s},"
	    "s:[{s:s,s:o},{s:s,s:o}],s:i}",
	    "format", "flamefleet-verdict/1", "verdict", "REGRESSED",
	    "reason", piece(data, size, 0),
	    "options", "threshold_pp", 0.1, "min_rel", 0.02, "alpha", 0.01,
	    "metric", "share",
	    "base", "selection", piece(data, size, 1), "profiles", 1, "hosts",
	    1, "samples", 10.0, "event", "cycles", "first_start", "x",
	    "last_start", "y",
	    "new", "selection", piece(data, size, 2), "profiles", 1, "hosts",
	    1, "samples", 10.0, "event", "cycles", "first_start", "x",
	    "last_start", "y",
	    "profiles", "side", "base", "host", piece(data, size, 3), "side",
	    "new", "host", piece(data, size, 4), "tests", 1);
	if (v == NULL)
		abort();
	f = json_pack("[{s:o,s:s,s:s,s:f,s:f,s:f,s:[f,f],s:f,s:f,s:f,s:i,"
	    "s:i,s:[f,f]}]", "function", piece(data, size, 5), "metric", "self",
	    "class", "regression", "base_mean", 1.0, "new_mean", 2.0,
	    "delta_pp", 1.0, "ci95", 0.5, 1.5, "rel", 1.0, "p", 0.001, "q",
	    0.001, "base_present", 1, "new_present", 1, "values", 1.0, 2.0);
	json_object_set_new(v, "functions", f);
	json_object_set_new(v, "one_side_only", json_pack("[{s:o,s:s,s:f,"
	    "s:i}]", "function", piece(data, size, 6), "status", "appeared",
	    "mean_inclusive", 1.0, "profiles", 1));
	json = json_dumps(v, 0);
	json_decref(v);
	if (json == NULL)
		abort();
	memset(&page, 0, sizeof page);
	page.verdict_json = json;
	if ((fp = open_memstream(&out, &len)) == NULL)
		abort();
	if (ff_html_write(&page, fp, &err) != FF_OK || fclose(fp) != 0)
		abort();
	if (!ff_utf8_valid(out, len))
		abort();
	for (p = out; (p = strstr(p, "<script")) != NULL; p++)
		scripts++;
	if (scripts != 1)
		abort();
	free(out);
	free(json);
	return 0;
}
