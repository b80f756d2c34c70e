/*
 * junit.c -- JUnit XML view of an ff_result (see junit.h).
 */
#include "diff/junit.h"
#include "profile/utf8.h"

#include <string.h>

/* Write s as XML character data or attribute text: markup characters
 * escaped, control characters and invalid UTF-8 replaced by U+FFFD. */
static void
xml_text(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, k;

	while (i < n) {
		unsigned char c = p[i];

		switch (c) {
		case '<': fputs("&lt;", out); i++; continue;
		case '>': fputs("&gt;", out); i++; continue;
		case '&': fputs("&amp;", out); i++; continue;
		case '"': fputs("&quot;", out); i++; continue;
		case '\'': fputs("&apos;", out); i++; continue;
		default: break;
		}
		if (c < 0x20 && c != '\t' && c != '\n') {
			fputs("\xef\xbf\xbd", out);
			i++;
		} else if ((k = ff_utf8_seq(p + i, n - i)) == 0) {
			fputs("\xef\xbf\xbd", out);
			i++;
		} else {
			fwrite(p + i, 1, k, out);
			i += k;
		}
	}
}

static void
write_regression(const ff_result *res, const ff_ftest *t, FILE *out)
{
	const char *kind = t->metric == FF_SELF ? "self" : "inclusive";

	fprintf(out, "    <testcase classname=\"flamefleet.%s\" name=\"",
	    kind);
	xml_text(out, ff_result_func(res, t->func));
	fprintf(out, "\">\n      <failure type=\"regression\" message=\"%s "
	    "%+.3f pp (%.3f%% -> %.3f%%), q=%.2g\">", kind, t->delta,
	    t->base_mean, t->new_mean, t->q);
	xml_text(out, ff_result_func(res, t->func));
	fprintf(out, ": %s %.4f%% -> %.4f%% (%+.4f pp, 95%% CI %+.4f .. "
	    "%+.4f, %+.1f%%), p=%.3g, q=%.3g, present in %u/%u profiles"
	    "</failure>\n    </testcase>\n", kind, t->base_mean,
	    t->new_mean, t->delta, t->ci_lo, t->ci_hi, t->rel * 100, t->p,
	    t->q, t->base_present, t->new_present);
}

static void
write_cpi(const ff_result *res, const ff_fcpi *c, FILE *out)
{
	fputs("    <testcase classname=\"flamefleet.cpi\" name=\"", out);
	xml_text(out, ff_result_func(res, c->func));
	fprintf(out, "\">\n      <failure type=\"cpi\" message=\"CPI %.3f -> "
	    "%.3f (%+.1f%%), q=%.2g\"/>\n    </testcase>\n", c->base_cpi,
	    c->new_cpi, c->rel * 100, c->q);
}

ff_rc
ff_junit_write(const ff_result *res, FILE *out, ff_err *err)
{
	size_t i, nreg = 0, ncpi = 0;

	for (i = 0; i < res->ntests; i++)
		nreg += res->tests[i].cls == FF_CLASS_REGRESSION;
	for (i = 0; i < res->ncpi; i++)
		ncpi += res->cpi[i].flagged;
	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<testsuites name=\"flamefleet\" tests=\"%zu\" failures=\"%zu\">\n"
	    "  <testsuite name=\"flamefleet\" tests=\"%zu\" failures=\"%zu\" "
	    "skipped=\"%d\">\n", nreg + ncpi + 1,
	    nreg + ncpi + (res->verdict == FF_VERDICT_REGRESSED),
	    nreg + ncpi + 1,
	    nreg + ncpi + (res->verdict == FF_VERDICT_REGRESSED),
	    res->verdict == FF_VERDICT_INCONCLUSIVE);
	fputs("    <testcase classname=\"flamefleet\" name=\"verdict\">", out);
	if (res->verdict == FF_VERDICT_REGRESSED)
		fputs("\n      <failure type=\"REGRESSED\" message=\"", out);
	else if (res->verdict == FF_VERDICT_INCONCLUSIVE)
		fputs("\n      <skipped message=\"", out);
	if (res->verdict != FF_VERDICT_SAME) {
		xml_text(out, res->reason);
		fputs("\"/>\n    ", out);
	}
	fputs("</testcase>\n", out);
	for (i = 0; i < res->ntests; i++)
		if (res->tests[i].cls == FF_CLASS_REGRESSION)
			write_regression(res, &res->tests[i], out);
	for (i = 0; i < res->ncpi; i++)
		if (res->cpi[i].flagged)
			write_cpi(res, &res->cpi[i], out);
	fputs("  </testsuite>\n</testsuites>\n", out);
	if (ferror(out))
		return ff_err_set(err, FF_ERR_IO, "write error");
	return FF_OK;
}
