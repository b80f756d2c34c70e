/*
 * fuzz_render.c -- libFuzzer target: the SVG renderer fed hostile frame
 * names.  Input: folded text (one or two counts).  The first byte picks
 * the mode (plain, differential, CPI, CPI change) and the form (file or
 * inline fragment).  Invariants: the output is valid UTF-8, and the only
 * elements it contains are the renderer's own -- every '<' is followed by
 * one of its tag names, and there is exactly one script (or none).
 */
#include "fuzz.h"

#include "profile/fold.h"
#include "profile/utf8.h"
#include "report/flamegraph.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const tags[] = { "?xml", "!DOCTYPE", "!--", "svg",
	"/svg", "g", "/g", "rect", "text", "/text", "title", "/title",
	"style", "/style", "defs", "/defs", "linearGradient",
	"/linearGradient", "stop", "script", "/script", NULL };

static void
check_markup(const char *svg, size_t len)
{
	const char *p = svg, *end = svg + len;
	int scripts = 0;
	size_t i;

	if (!ff_utf8_valid(svg, len))
		abort();
	while ((p = memchr(p, '<', (size_t)(end - p))) != NULL) {
		p++;
		for (i = 0; tags[i] != NULL; i++) {
			size_t n = strlen(tags[i]);

			if ((size_t)(end - p) > n &&
			    strncmp(p, tags[i], n) == 0 &&
			    strchr(" >/\n", p[n]) != NULL)
				break;
		}
		if (tags[i] == NULL)
			abort();
		if (strcmp(tags[i], "script") == 0) {
			/* The renderer's own script: skip its body. */
			scripts++;
			p = strstr(p, "</script>");
			if (p == NULL)
				abort();
			p++;
		}
	}
	if (scripts > 1)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const ff_flame_mode modes[] = { FF_FLAME_PLAIN, FF_FLAME_DIFF,
	    FF_FLAME_CPI, FF_FLAME_CPIDIFF };
	ff_flamegraph_opts o;
	ff_intern *t;
	ff_stacks *s = NULL;
	ff_src *src = NULL;
	ff_src_opts plain = { 0 };
	char *out = NULL;
	size_t len = 0;
	FILE *f;
	ff_err err;
	ff_rc rc;

	if (size == 0)
		return 0;
	plain.plain = 1;
	t = ff_intern_new();
	if (t == NULL || ff_src_open_mem(&src, data + 1, size - 1, "in",
	    &plain, &err) != FF_OK)
		abort();
	ff_flamegraph_opts_init(&o);
	o.detect = 0;
	o.svg.mode = modes[data[0] & 3];
	o.svg.fragment = (data[0] & 4) != 0;
	rc = ff_fold_load_src(&s, t, src, o.svg.mode == FF_FLAME_PLAIN ? 1 : 2,
	    NULL, &err);
	if (rc == FF_OK) {
		if ((f = open_memstream(&out, &len)) == NULL)
			abort();
		rc = ff_flamegraph_stacks(s, &o, f, NULL, &err);
		if (fclose(f) != 0 || (rc != FF_OK && rc != FF_ERR_PARSE))
			abort();
		check_markup(out, len);
		free(out);
	}
	ff_stacks_free(s);
	ff_src_close(src);
	ff_intern_free(t);
	return 0;
}
