/*
 * html.c -- the HTML comparison report (see html.h).
 */
#include "report/html.h"
#include "report/flamegraph.h"
#include "report/flamejs.h"
#include "report/obuf.h"
#include "report/xml.h"

#include "profile/mem.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

/* Everything the page is written with. */
struct page {
	ff_obuf *b;
	json_t *v;           /* the verdict document */
	json_t *profiles;    /* its "profiles" array */
};

/* ---- small helpers --------------------------------------------------------- */

static void
esc(ff_obuf *b, const char *s)
{
	ff_xml_text(b, s, strlen(s));
}

static const char *
jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

static double
jnum(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

/* A number formatted with fmt, or "–" when it is not finite. */
static void
num(ff_obuf *b, const char *fmt, double v)
{
	if (isfinite(v))
		ff_obuf_printf(b, fmt, v);
	else
		ff_obuf_str(b, "&#8211;");
}

/* A table cell with a numeric sort key. */
static void
cell_num(ff_obuf *b, const char *fmt, double v)
{
	ff_obuf_str(b, "<td class=\"n\" data-v=\"");
	ff_obuf_printf(b, "%.17g", isfinite(v) ? v : -1e308);
	ff_obuf_str(b, "\">");
	num(b, fmt, v);
	ff_obuf_str(b, "</td>");
}

static void
cell_text(ff_obuf *b, const char *s)
{
	ff_obuf_str(b, "<td>");
	esc(b, s);
	ff_obuf_str(b, "</td>");
}

/* 1234567 -> "1,234,567". */
static void
grouped(ff_obuf *b, double v)
{
	if (isfinite(v) && v >= 0 && v < 1.8e19)
		ff_obuf_u64_grouped(b, (uint64_t)llround(v));
	else
		num(b, "%.0f", v);
}

/* ---- head and banner ---------------------------------------------------------- */

static const char style[] =
    "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Helvetica,"
    "Arial,sans-serif;margin:0 auto;max-width:1240px;padding:0 16px 40px;"
    "color:#1d1d1f;background:#fff}"
    "h1{margin:0;font-size:28px}h2{margin:32px 0 8px;font-size:19px;"
    "border-bottom:1px solid #ddd;padding-bottom:4px}"
    "h3{margin:20px 0 4px;font-size:15px}"
    ".banner{margin:16px 0;padding:16px 20px;border-radius:8px;color:#fff}"
    ".banner p{margin:6px 0 0}.banner .opts{opacity:.85;font-size:12px}"
    ".SAME{background:#2e7d32}.REGRESSED{background:#c62828}"
    ".INCONCLUSIVE{background:#b26a00}"
    "table{border-collapse:collapse;width:100%;font-size:13px}"
    "th,td{padding:3px 8px;border-bottom:1px solid #eee;text-align:left;"
    "vertical-align:top}"
    "th{background:#f5f5f7;position:sticky;top:0}"
    "table.sortable th{cursor:pointer;user-select:none}"
    "table.sortable th[aria-sort=ascending]::after{content:' \\25B2'}"
    "table.sortable th[aria-sort=descending]::after{content:' \\25BC'}"
    "td.n{text-align:right;font-variant-numeric:tabular-nums;"
    "white-space:nowrap}"
    "td.f{font-family:ui-monospace,Menlo,Consolas,monospace;"
    "word-break:break-all}"
    "tr.regression td:first-child{border-left:4px solid #c62828}"
    "tr.improvement td:first-child{border-left:4px solid #1565c0}"
    "tr.possible td:first-child{border-left:4px solid #b26a00}"
    ".note{color:#555;font-size:13px;margin:4px 0 8px}"
    ".graph{overflow-x:auto;margin:8px 0}"
    "svg.plot{display:block;margin:4px 0 12px}"
    "svg.plot .b{fill:#1565c0;fill-opacity:.6}"
    "svg.plot .n{fill:#c62828;fill-opacity:.6}"
    "svg.plot .mb{stroke:#1565c0;stroke-width:2}"
    "svg.plot .mn{stroke:#c62828;stroke-width:2}"
    "svg.plot .ax{stroke:#999}svg.plot text{font-size:11px;fill:#444}"
    "footer{margin-top:40px;color:#777;font-size:12px}"
    "details summary{cursor:pointer}"
    "nav{margin:12px 0 0;font-size:13px}nav a{margin-right:14px}";

static void
write_head(struct page *p, const char *title)
{
	ff_obuf *b = p->b;

	ff_obuf_str(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta http-equiv=\"Content-Security-Policy\" content=\""
	    "default-src 'none'; style-src 'unsafe-inline'; "
	    "script-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
	    "form-action 'none'\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">\n<title>");
	esc(b, title);
	ff_obuf_str(b, "</title>\n<style>");
	ff_obuf_str(b, style);
	ff_obuf_str(b, "</style>\n</head>\n<body>\n");
}

static void
write_banner(struct page *p)
{
	ff_obuf *b = p->b;
	const json_t *o = json_object_get(p->v, "options");
	const char *verdict = jstr(p->v, "verdict");

	ff_obuf_str(b, "<header class=\"banner ");
	esc(b, verdict);
	ff_obuf_str(b, "\" id=\"verdict\"><h1>");
	esc(b, verdict);
	ff_obuf_str(b, "</h1><p>");
	esc(b, jstr(p->v, "reason"));
	ff_obuf_str(b, "</p><p class=\"opts\">A regression is a function whose ");
	ff_obuf_str(b, strcmp(jstr(o, "metric"), "cost_per_work") == 0 ?
	    "cost per unit of work" : "share of samples");
	ff_obuf_str(b, " rose by at least ");
	num(b, "%.2f", jnum(o, "threshold_pp"));
	ff_obuf_str(b, " percentage points and ");
	num(b, "%.0f", 100 * jnum(o, "min_rel"));
	ff_obuf_str(b, "%, with a false discovery rate q below ");
	num(b, "%g", jnum(o, "alpha"));
	ff_obuf_str(b, " (Mann&#8211;Whitney U across hosts, "
	    "Benjamini&#8211;Hochberg).</p></header>\n");
}

static void
write_sides(struct page *p)
{
	static const char *const names[2] = { "base", "new" };
	ff_obuf *b = p->b;
	int g;

	ff_obuf_str(b, "<h2 id=\"sides\">What was compared</h2>\n<table>"
	    "<thead><tr><th>Side</th><th>Selection</th><th>Profiles</th>"
	    "<th>Hosts</th><th>Counts</th><th>First profile</th>"
	    "<th>Last profile</th></tr></thead><tbody>\n");
	for (g = 0; g < 2; g++) {
		const json_t *s = json_object_get(p->v, names[g]);

		ff_obuf_printf(b, "<tr><td>%s</td>", names[g]);
		cell_text(b, jstr(s, "selection"));
		cell_num(b, "%.0f", jnum(s, "profiles"));
		cell_num(b, "%.0f", jnum(s, "hosts"));
		ff_obuf_str(b, "<td class=\"n\">");
		grouped(b, jnum(s, "samples"));
		ff_obuf_char(b, ' ');
		esc(b, jstr(s, "event"));
		ff_obuf_str(b, "</td>");
		cell_text(b, jstr(s, "first_start"));
		cell_text(b, jstr(s, "last_start"));
		ff_obuf_str(b, "</tr>\n");
	}
	ff_obuf_str(b, "</tbody></table>\n");
}

/* ---- the findings table -------------------------------------------------------- */

static int
is_finding(const json_t *f)
{
	return strcmp(jstr(f, "class"), "none") != 0;
}

static void
write_finding_row(struct page *p, const json_t *f, size_t rank, size_t idx)
{
	ff_obuf *b = p->b;
	const json_t *ci = json_object_get(f, "ci95");
	double lo = json_number_value(json_array_get(ci, 0));
	double hi = json_number_value(json_array_get(ci, 1));

	ff_obuf_str(b, "<tr class=\"");
	esc(b, jstr(f, "class"));
	ff_obuf_str(b, "\">");
	cell_num(b, "%.0f", (double)rank);
	ff_obuf_str(b, "<td class=\"f\">");
	if (json_object_get(f, "values") != NULL) {
		ff_obuf_printf(b, "<a href=\"#fn%zu\">", idx);
		esc(b, jstr(f, "function"));
		ff_obuf_str(b, "</a>");
	} else {
		esc(b, jstr(f, "function"));
	}
	ff_obuf_str(b, "</td>");
	cell_text(b, jstr(f, "metric"));
	cell_text(b, jstr(f, "class"));
	cell_num(b, "%.3f", jnum(f, "base_mean"));
	cell_num(b, "%.3f", jnum(f, "new_mean"));
	cell_num(b, "%+.3f", jnum(f, "delta_pp"));
	ff_obuf_str(b, "<td class=\"n\" data-v=\"");
	ff_obuf_printf(b, "%.17g", isfinite(lo) ? lo : -1e308);
	ff_obuf_str(b, "\">[");
	num(b, "%+.3f", lo);
	ff_obuf_str(b, ", ");
	num(b, "%+.3f", hi);
	ff_obuf_str(b, "]</td>");
	cell_num(b, "%+.1f%%", 100 * jnum(f, "rel"));
	cell_num(b, "%.2g", jnum(f, "q"));
	ff_obuf_str(b, "<td class=\"n\">");
	num(b, "%.0f", jnum(f, "base_present"));
	ff_obuf_str(b, " / ");
	num(b, "%.0f", jnum(f, "new_present"));
	ff_obuf_str(b, "</td></tr>\n");
}

static void
write_findings(struct page *p)
{
	ff_obuf *b = p->b;
	const json_t *fs = json_object_get(p->v, "functions"), *f;
	size_t i, n = 0;

	ff_obuf_str(b, "<h2 id=\"findings\">Regressions and improvements</h2>\n");
	json_array_foreach(fs, i, f)
		n += is_finding(f);
	if (n == 0) {
		ff_obuf_str(b, "<p class=\"note\">No function changed "
		    "significantly (");
		num(b, "%.0f", jnum(p->v, "tests"));
		ff_obuf_str(b, " tests).</p>\n");
		return;
	}
	ff_obuf_str(b, "<p class=\"note\">Shares in percent of each profile's "
	    "samples, averaged over profiles; delta and its 95% interval in "
	    "percentage points; q is the false discovery rate.  Click a "
	    "heading to sort.</p>\n<table class=\"sortable\" id=\"findings-"
	    "table\"><thead><tr><th>#</th><th>Function</th><th>Kind</th>"
	    "<th>Class</th><th>Base %</th><th>New %</th><th>Delta pp</th>"
	    "<th>95% CI</th><th>Relative</th><th>q</th><th>Present in</th>"
	    "</tr></thead><tbody>\n");
	n = 0;
	json_array_foreach(fs, i, f)
		if (is_finding(f))
			write_finding_row(p, f, ++n, i);
	ff_obuf_str(b, "</tbody></table>\n");
}

/* ---- per-function plots --------------------------------------------------------- */

enum { PW = 640, PH = 74, PL = 48, PR = 16 };

/* x of value v on the plot's axis [lo, hi]. */
static double
plot_x(double v, double lo, double hi)
{
	return PL + (hi > lo ? (v - lo) / (hi - lo) : 0.5) * (PW - PL - PR);
}

static void
plot_dots(struct page *p, const json_t *vals, int side, double lo, double hi)
{
	ff_obuf *b = p->b;
	double y = side == 0 ? 22 : 46, sum = 0, x;
	size_t i, n = 0;
	const json_t *v;

	json_array_foreach(vals, i, v) {
		const json_t *pr = json_array_get(p->profiles, i);

		if (!json_is_number(v) ||
		    strcmp(jstr(pr, "side"), side == 0 ? "base" : "new") != 0)
			continue;
		sum += json_number_value(v);
		n++;
		ff_obuf_str(b, "<circle r=\"3.5\" class=\"");
		ff_obuf_str(b, side == 0 ? "b" : "n");
		ff_obuf_str(b, "\" cx=\"");
		ff_obuf_num(b, plot_x(json_number_value(v), lo, hi), 1);
		ff_obuf_str(b, "\" cy=\"");
		ff_obuf_num(b, y + (double)((i * 37) % 9) - 4, 1);
		ff_obuf_str(b, "\"><title>");
		esc(b, jstr(pr, "host"));
		ff_obuf_printf(b, ": %.4f</title></circle>",
		    json_number_value(v));
	}
	if (n == 0)
		return;
	x = plot_x(sum / (double)n, lo, hi);
	ff_obuf_str(b, "<line class=\"");
	ff_obuf_str(b, side == 0 ? "mb" : "mn");
	ff_obuf_str(b, "\" x1=\"");
	ff_obuf_num(b, x, 1);
	ff_obuf_str(b, "\" x2=\"");
	ff_obuf_num(b, x, 1);
	ff_obuf_printf(b, "\" y1=\"%.0f\" y2=\"%.0f\"/>", y - 9, y + 9);
}

static void
write_plot(struct page *p, const json_t *f, size_t idx)
{
	ff_obuf *b = p->b;
	const json_t *vals = json_object_get(f, "values"), *v;
	double lo = INFINITY, hi = -INFINITY, pad;
	size_t i;

	json_array_foreach(vals, i, v) {
		if (!json_is_number(v))
			continue;
		lo = fmin(lo, json_number_value(v));
		hi = fmax(hi, json_number_value(v));
	}
	if (!isfinite(lo))
		return;
	pad = (hi - lo) * 0.05 + 1e-9;
	lo -= pad;
	hi += pad;
	ff_obuf_printf(b, "<h3 id=\"fn%zu\">", idx);
	esc(b, jstr(f, "function"));
	ff_obuf_str(b, " (");
	esc(b, jstr(f, "metric"));
	ff_obuf_str(b, ")</h3>\n<svg class=\"plot\" xmlns=\"http://www.w3.org/"
	    "2000/svg\" role=\"img\"");
	ff_obuf_printf(b, " width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\"",
	    PW, PH, PW, PH);
	ff_obuf_str(b, " aria-label=\"values across hosts\">");
	ff_obuf_str(b, "<text x=\"0\" y=\"26\">base</text>"
	    "<text x=\"0\" y=\"50\">new</text>");
	ff_obuf_printf(b, "<line class=\"ax\" x1=\"%d\" x2=\"%d\" y1=\"62\" "
	    "y2=\"62\"/>", PL, PW - PR);
	ff_obuf_printf(b, "<text x=\"%d\" y=\"73\">%.4f%%</text>", PL, lo);
	ff_obuf_printf(b, "<text x=\"%d\" y=\"73\" text-anchor=\"end\">%.4f%%"
	    "</text>", PW - PR, hi);
	plot_dots(p, vals, 0, lo, hi);
	plot_dots(p, vals, 1, lo, hi);
	ff_obuf_str(b, "</svg>\n");
}

static void
write_details(struct page *p)
{
	const json_t *fs = json_object_get(p->v, "functions"), *f;
	size_t i, n = 0;

	json_array_foreach(fs, i, f)
		n += json_object_get(f, "values") != NULL;
	if (n == 0)
		return;
	ff_obuf_str(p->b, "<h2 id=\"details\">Across hosts</h2>\n<p class=\""
	    "note\">Each dot is one profile (one host, one time window): base "
	    "in blue, new in red; the bars are the means.  Hover a dot for its "
	    "host.</p>\n");
	json_array_foreach(fs, i, f)
		if (json_object_get(f, "values") != NULL)
			write_plot(p, f, i);
}

/* ---- other sections ------------------------------------------------------------- */

static void
write_only(struct page *p)
{
	ff_obuf *b = p->b;
	const json_t *a = json_object_get(p->v, "one_side_only"), *f;
	size_t i;

	if (json_array_size(a) == 0)
		return;
	ff_obuf_str(b, "<h2 id=\"one-side\">Seen on one side only</h2>\n"
	    "<p class=\"note\">Not tested (a renamed function would look like "
	    "both a regression and an improvement); their cost still shows in "
	    "their callers' inclusive shares and in the graphs.</p>\n"
	    "<table class=\"sortable\"><thead><tr><th>Function</th>"
	    "<th>Status</th><th>Mean inclusive %</th><th>Profiles</th></tr>"
	    "</thead><tbody>\n");
	json_array_foreach(a, i, f) {
		ff_obuf_str(b, "<tr><td class=\"f\">");
		esc(b, jstr(f, "function"));
		ff_obuf_str(b, "</td>");
		cell_text(b, jstr(f, "status"));
		cell_num(b, "%.3f", jnum(f, "mean_inclusive"));
		cell_num(b, "%.0f", jnum(f, "profiles"));
		ff_obuf_str(b, "</tr>\n");
	}
	ff_obuf_str(b, "</tbody></table>\n");
}

static void
write_cpi(struct page *p)
{
	ff_obuf *b = p->b;
	const json_t *a = json_object_get(p->v, "cpi"), *c;
	size_t i, shown = 0;

	if (json_array_size(a) == 0)
		return;
	ff_obuf_str(b, "<h2 id=\"cpi\">Cycles per instruction</h2>\n<p class="
	    "\"note\">Self cycles over self instructions per profile, compared "
	    "the same way; flagged when CPI rose significantly.  The 30 most "
	    "significant:</p>\n<table class=\"sortable\"><thead><tr>"
	    "<th>Function</th><th>Base CPI</th><th>New CPI</th><th>Delta</th>"
	    "<th>Relative</th><th>q</th><th>Flagged</th></tr></thead><tbody>"
	    "\n");
	json_array_foreach(a, i, c) {
		if (shown++ == 30)
			break;
		ff_obuf_str(b, json_is_true(json_object_get(c, "flagged")) ?
		    "<tr class=\"regression\">" : "<tr>");
		ff_obuf_str(b, "<td class=\"f\">");
		esc(b, jstr(c, "function"));
		ff_obuf_str(b, "</td>");
		cell_num(b, "%.3f", jnum(c, "base_cpi"));
		cell_num(b, "%.3f", jnum(c, "new_cpi"));
		cell_num(b, "%+.3f", jnum(c, "delta"));
		cell_num(b, "%+.1f%%", 100 * jnum(c, "rel"));
		cell_num(b, "%.2g", jnum(c, "q"));
		cell_text(b, json_is_true(json_object_get(c, "flagged")) ?
		    "yes" : "");
		ff_obuf_str(b, "</tr>\n");
	}
	ff_obuf_str(b, "</tbody></table>\n");
}

static void
write_totals(struct page *p)
{
	ff_obuf *b = p->b;
	const json_t *t = json_object_get(p->v, "totals");
	const json_t *ci = json_object_get(t, "ci95_rel");

	if (!json_is_object(t))
		return;
	ff_obuf_str(b, "<h2 id=\"totals\">Whole program, per unit of work</h2>"
	    "\n<p>Cost per unit of work: base ");
	num(b, "%.4g", jnum(t, "base_cost_per_work"));
	ff_obuf_str(b, ", new ");
	num(b, "%.4g", jnum(t, "new_cost_per_work"));
	ff_obuf_str(b, ": <strong>");
	num(b, "%+.2f", 100 * jnum(t, "rel"));
	ff_obuf_str(b, "%</strong> (95% CI ");
	num(b, "%+.2f", 100 * json_number_value(json_array_get(ci, 0)));
	ff_obuf_str(b, "% to ");
	num(b, "%+.2f", 100 * json_number_value(json_array_get(ci, 1)));
	ff_obuf_str(b, "%, p = ");
	num(b, "%.2g", jnum(t, "p"));
	ff_obuf_str(b, ").</p>\n");
}

/* ---- graphs --------------------------------------------------------------------- */

static ff_rc
write_graph(struct page *p, const ff_html_graph *g, size_t i, FILE *out,
    ff_err *err)
{
	ff_flamegraph_opts o;
	char id[32];
	ff_rc rc;

	ff_obuf_printf(p->b, "<h2 id=\"graph%zu\">", i);
	esc(p->b, g->heading);
	ff_obuf_str(p->b, "</h2>\n");
	if (g->note != NULL) {
		ff_obuf_str(p->b, "<p class=\"note\">");
		esc(p->b, g->note);
		ff_obuf_str(p->b, "</p>\n");
	}
	if (g->stacks == NULL) {
		ff_obuf_str(p->b, "<p class=\"note\">No data.</p>\n");
		return FF_OK;
	}
	ff_obuf_str(p->b, "<div class=\"graph\">");
	if ((rc = ff_obuf_flush(p->b, err)) != FF_OK)
		return rc;
	snprintf(id, sizeof id, "g%zu", i);
	ff_flamegraph_opts_init(&o);
	/* Four graphs share the page: leave out frames under half a pixel
	 * (flamegraph.pl keeps 0.1 px), which keeps the page light. */
	o.layout.min_width = 0.5;
	o.detect = 0;
	o.svg.mode = g->mode;
	o.svg.negate = g->negate;
	o.svg.fragment = 1;
	o.svg.no_script = 1;
	o.svg.id = id;
	o.svg.title = g->heading;
	if (g->mode == FF_FLAME_CPI || g->mode == FF_FLAME_CPIDIFF)
		o.svg.countname = "cycles";
	rc = ff_flamegraph_stacks(g->stacks, &o, out, NULL, err);
	if (rc == FF_ERR_PARSE)
		rc = FF_OK; /* the empty picture says so */
	ff_obuf_str(p->b, "</div>\n");
	return rc;
}

/* ---- the table sorter ----------------------------------------------------------- */

static const char sorter[] =
    "(function () {\n"
    "\t[].forEach.call(document.querySelectorAll('table.sortable'),\n"
    "\t    function (t) {\n"
    "\t\tvar ths = t.tHead.rows[0].cells;\n"
    "\t\t[].forEach.call(ths, function (th, col) {\n"
    "\t\t\tth.addEventListener('click', function () {\n"
    "\t\t\t\tvar asc = th.getAttribute('aria-sort') !== 'ascending';\n"
    "\t\t\t\tvar body = t.tBodies[0];\n"
    "\t\t\t\tvar rows = [].slice.call(body.rows);\n"
    "\t\t\t\t[].forEach.call(ths, function (h) {\n"
    "\t\t\t\t\th.removeAttribute('aria-sort');\n"
    "\t\t\t\t});\n"
    "\t\t\t\tth.setAttribute('aria-sort', asc ? 'ascending' :\n"
    "\t\t\t\t    'descending');\n"
    "\t\t\t\trows.sort(function (a, b) {\n"
    "\t\t\t\t\tvar x = a.cells[col], y = b.cells[col], c;\n"
    "\t\t\t\t\tvar vx = x.getAttribute('data-v');\n"
    "\t\t\t\t\tvar vy = y.getAttribute('data-v');\n"
    "\t\t\t\t\tif (vx !== null && vy !== null)\n"
    "\t\t\t\t\t\tc = (+vx) - (+vy);\n"
    "\t\t\t\t\telse\n"
    "\t\t\t\t\t\tc = x.textContent.localeCompare(y.textContent);\n"
    "\t\t\t\t\treturn asc ? c : -c;\n"
    "\t\t\t\t});\n"
    "\t\t\t\trows.forEach(function (r) { body.appendChild(r); });\n"
    "\t\t\t});\n"
    "\t\t});\n"
    "\t});\n"
    "})();\n";

/* ---- the page ------------------------------------------------------------------- */

static ff_rc
write_page(struct page *p, const ff_html_page *page, FILE *out, ff_err *err)
{
	char title[512];
	size_t i;
	ff_rc rc = FF_OK;

	snprintf(title, sizeof title, "flamefleet: %s (%s vs %s)",
	    jstr(p->v, "verdict"), jstr(json_object_get(p->v, "base"),
	    "selection"), jstr(json_object_get(p->v, "new"), "selection"));
	write_head(p, page->title != NULL ? page->title : title);
	if (page->nlinks > 0) {
		ff_obuf_str(p->b, "<nav>");
		for (i = 0; i < page->nlinks; i++) {
			ff_obuf_str(p->b, "<a href=\"");
			esc(p->b, page->links[i].href);
			ff_obuf_str(p->b, "\">");
			esc(p->b, page->links[i].text);
			ff_obuf_str(p->b, "</a>");
		}
		ff_obuf_str(p->b, "</nav>\n");
	}
	write_banner(p);
	write_sides(p);
	write_findings(p);
	for (i = 0; i < page->ngraphs && rc == FF_OK; i++)
		rc = write_graph(p, &page->graphs[i], i, out, err);
	if (rc != FF_OK)
		return rc;
	write_details(p);
	write_only(p);
	write_cpi(p);
	write_totals(p);
	ff_obuf_str(p->b, "<footer>Made by flamefleet " FF_VERSION ".  Every "
	    "profile is one replicate (one host, one time window); the method "
	    "is described in flamefleet's diff/README.md.</footer>\n<script>");
	ff_obuf_str(p->b, ff_flamejs_source());
	ff_obuf_str(p->b, sorter);
	ff_obuf_str(p->b, "</script>\n</body>\n</html>\n");
	return ff_obuf_flush(p->b, err);
}

ff_rc
ff_html_write(const ff_html_page *page, FILE *out, ff_err *err)
{
	struct page p;
	json_error_t jerr;
	ff_obuf *b;
	ff_rc rc;

	p.v = json_loads(page->verdict_json, 0, &jerr);
	if (p.v == NULL)
		return ff_err_set(err, FF_ERR_PARSE, "the verdict is not JSON: "
		    "%s (line %d)", jerr.text, jerr.line);
	if (strcmp(jstr(p.v, "format"), "flamefleet-verdict/1") != 0) {
		json_decref(p.v);
		return ff_err_set(err, FF_ERR_PARSE, "not a flamefleet verdict "
		    "(format flamefleet-verdict/1)");
	}
	if ((b = ff_malloc(sizeof *b)) == NULL) {
		json_decref(p.v);
		return ff_err_nomem(err);
	}
	ff_obuf_init(b, out);
	p.b = b;
	p.profiles = json_object_get(p.v, "profiles");
	rc = write_page(&p, page, out, err);
	ff_free(b);
	json_decref(p.v);
	return rc;
}
