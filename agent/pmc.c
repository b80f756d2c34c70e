/*
 * pmc.c -- pmcstat callchain text into stacks (see pmc.h).
 *
 * `pmcstat -R samples.out -G out.txt` writes one section per event; in
 * each, a tree per sampled function: the function at indent 0, its
 * callers one space deeper per level, each with its sample count:
 *
 *     @ CPU_CLK_UNHALTED.THREAD_P [812 samples]
 *
 *     06.16%  [50]      __mtx_lock_flags @ /boot/kernel/kernel
 *      100.0%  [50]       lock_delay
 *       66.00%  [33]        free
 *       34.00%  [17]        sosend_generic
 *
 *   line        rule
 *   ----------  --------------------------------------------------------
 *   @ NAME [N samples]
 *               starts the section of event NAME
 *   blank       ignored
 *   callchain   INDENT spaces, digits and dots, '%', blanks, [COUNT],
 *               blanks, NAME (the first blank-free word; the rest, such
 *               as "@ /boot/kernel/kernel", is ignored).  INDENT is the
 *               depth: 0 for the sampled function, one more for each
 *               caller
 *   other       malformed ("unrecognised line"), skipped
 *
 * Every path from an indent-0 line down to a line with no deeper line
 * after it is one stack, counted with that last line's COUNT (times the
 * column's period option), written root first: deepest caller first,
 * sampled function last.  Identical stacks are summed.  A line deeper
 * than its predecessor by more than one level is malformed (`indent
 * skips a level`) and skipped.  `;` in a NAME becomes `:`.
 *
 * Sections: without event options a file must hold one section (several
 * are an error naming them: the Perl script merged them, which mixes
 * events); --event NAME keeps that section only; --events A,B puts each
 * named section in its own column.  A named event without a section is
 * an error.  Lines before any section header form an unnamed section.
 */
#include "agent/pmc.h"

#include <stdio.h>
#include <string.h>

static const char K_INDENT[] = "indent skips a level";

/* The section names go into error messages (FF_ERR_MSG_MAX bytes): a
 * longer list would be cut there, losing its closing ", ..." and the
 * advice after it. */
enum { NAMES_MAX = 256 };

struct pmc {
	ff_collapse_run *run;
	int col;                /* column of this section, -1 = skipped */
	int nsections;          /* sections seen (the unnamed one included) */
	int in_section;         /* a section (maybe unnamed) has begun */
	int unnamed;            /* it has no header */
	long prev;              /* depth of the pending line, -1 = none */
	uint64_t count;         /* its count */
	uint64_t line;          /* its line */
	unsigned found;         /* bit i: events[i] has a section */
	char names[NAMES_MAX];  /* section names, comma separated */
	int toomany;            /* several sections, no event option */
};

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* ---- parsing ------------------------------------------------------------- */

struct chain {
	size_t depth;
	const char *name;
	size_t namelen;
	int bad_count;          /* COUNT past FF_COUNT_MAX */
	uint64_t count;
};

/* A callchain line: 1 when p[0..n) is one. */
static int
chain_parse(const char *p, size_t n, struct chain *c)
{
	size_t i = 0, pct, cnt;

	while (i < n && p[i] == ' ')
		i++;
	c->depth = i;
	for (pct = i; i < n && (p[i] == '.' || (p[i] >= '0' &&
	    p[i] <= '9')); i++)
		;
	if (i == pct || i == n || p[i++] != '%')
		return 0;
	if (i == n || !is_blank(p[i]))
		return 0;
	while (i < n && is_blank(p[i]))
		i++;
	if (i == n || p[i++] != '[')
		return 0;
	for (cnt = i; i < n && p[i] >= '0' && p[i] <= '9'; i++)
		;
	if (i == cnt || i == n || p[i] != ']')
		return 0;
	c->bad_count = ff_collapse_parse_count(p + cnt, i - cnt,
	    &c->count) != 0;
	for (i++; i < n && is_blank(p[i]); i++)
		;
	c->name = p + i;
	while (i < n && !is_blank(p[i]))
		i++;
	c->namelen = (size_t)(p + i - c->name);
	return c->namelen > 0;
}

/* A section header "@ NAME [N samples]": 1 and the name. */
static int
header_parse(const char *p, size_t n, const char **name, size_t *len)
{
	size_t end;

	if (n < 3 || p[0] != '@' || p[1] != ' ')
		return 0;
	/* The last " [" after the name (which starts at 2). */
	for (end = n; end > 3 && !(p[end - 1] == '[' && is_blank(p[end - 2]));
	    end--)
		;
	if (end <= 3)
		return 0;
	end -= 2;
	while (end > 2 && is_blank(p[end - 1]))
		end--;
	*name = p + 2;
	*len = end - 2;
	return *len > 0;
}

/* ---- sections ------------------------------------------------------------ */

/* Add a section name to the list kept for messages ("A, B, ..."). */
static void
name_add(struct pmc *pm, const char *name, size_t len)
{
	size_t used = strlen(pm->names), room = sizeof pm->names;

	if (len > room || used + len + 6 > room) {
		if (used + 6 <= room && strstr(pm->names, "...") == NULL)
			memcpy(pm->names + used, ", ...", 6);
		return;
	}
	if (used > 0) {
		memcpy(pm->names + used, ", ", 2);
		used += 2;
	}
	memcpy(pm->names + used, name, len);
	pm->names[used + len] = '\0';
}

/* The column of section `name` (NULL: unnamed), or -1 to skip it. */
static int
section_col(struct pmc *pm, const char *name, size_t len)
{
	const ff_collapse_opts *o = pm->run->opts;
	unsigned i;

	if (o->nevents > 0) {
		for (i = 0; name != NULL && i < o->nevents; i++)
			if (strlen(o->events[i]) == len &&
			    memcmp(o->events[i], name, len) == 0) {
				pm->found |= 1u << i;
				return (int)i;
			}
		return -1;
	}
	if (o->event[0] != '\0') {
		if (name != NULL && strlen(o->event) == len &&
		    memcmp(o->event, name, len) == 0) {
			pm->found = 1;
			return 0;
		}
		return -1;
	}
	if (pm->nsections > 1)
		pm->toomany = 1;
	return 0;
}

static ff_rc flush(struct pmc *pm, ff_err *err);

static ff_rc
section_start(struct pmc *pm, const char *name, size_t len, ff_err *err)
{
	ff_rc rc;

	if ((rc = flush(pm, err)) != FF_OK)
		return rc;
	pm->nsections++;
	pm->in_section = 1;
	pm->unnamed = name == NULL;
	if (name != NULL)
		name_add(pm, name, len);
	else
		name_add(pm, "(unnamed)", 9);
	pm->col = section_col(pm, name, len);
	if (pm->col < 0 && name != NULL)
		ff_collapse_note_event(pm->run, name, len);
	return FF_OK;
}

/* ---- stacks -------------------------------------------------------------- */

/* The pending path is a stack: count it (or skip it with its section). */
static ff_rc
flush(struct pmc *pm, ff_err *err)
{
	ff_collapse_run *run = pm->run;
	uint64_t w;

	if (pm->prev < 0)
		return FF_OK;
	run->depth = (uint32_t)pm->prev + 1;
	pm->prev = -1;
	if (pm->col < 0 || pm->toomany) {
		if (pm->col < 0 && pm->unnamed)
			run->stats->skipped_noevent++;
		else if (pm->col < 0)
			run->stats->skipped_event++;
		ff_collapse_reset(run);
		return FF_OK;
	}
	if (ff_collapse_weight(run, (unsigned)pm->col, pm->count, &w) != FF_OK)
		ff_collapse_spoil(run, FF_COLLAPSE_K_OVERFLOW);
	return ff_collapse_end(run, FF_STACKS_NONE, (unsigned)pm->col, w,
	    pm->line, err);
}

static ff_rc
chain_line(struct pmc *pm, const struct chain *c, ff_err *err)
{
	ff_collapse_run *run = pm->run;
	const char *kind = NULL;
	char *buf;
	size_t i;
	uint32_t id;
	ff_rc rc;

	if (!pm->in_section && (rc = section_start(pm, NULL, 0, err)) != FF_OK)
		return rc;
	if (c->bad_count)
		return ff_collapse_malformed(run, err, FF_COLLAPSE_K_COUNT,
		    "count larger than 2^63-1: line skipped");
	if ((long)c->depth > pm->prev + 1)
		return ff_collapse_malformed(run, err, K_INDENT, "indent %zu "
		    "after %ld: line skipped", c->depth, pm->prev);
	if (c->depth >= FF_DEPTH_MAX)
		return ff_collapse_malformed(run, err, FF_COLLAPSE_K_DEEP,
		    "stack deeper than %u frames: line skipped", FF_DEPTH_MAX);
	if ((long)c->depth <= pm->prev && (rc = flush(pm, err)) != FF_OK)
		return rc;
	if ((buf = ff_collapse_scratch(run, c->namelen, err)) == NULL)
		return FF_ERR_NOMEM;
	for (i = 0; i < c->namelen; i++)
		buf[i] = c->name[i] == ';' ? ':' : c->name[i];
	rc = ff_collapse_name(run, buf, c->namelen, &id, &kind, err);
	if (rc == FF_ERR_LIMIT && kind != NULL)
		return ff_collapse_malformed(run, err, kind, "frame name longer "
		    "than %u bytes: line skipped", FF_FRAME_MAX);
	if (rc != FF_OK)
		return rc;
	run->ids[c->depth] = id;
	pm->prev = (long)c->depth;
	pm->count = c->count;
	pm->line = ff_src_lineno(run->src);
	return FF_OK;
}

static ff_rc
pmc_line(struct pmc *pm, const char *p, size_t n, ff_err *err)
{
	struct chain c;
	const char *name;
	size_t len, i;

	for (i = 0; i < n && is_blank(p[i]); i++)
		;
	if (i == n)
		return FF_OK;
	if (memchr(p, '\0', n) != NULL)
		return ff_collapse_malformed(pm->run, err, FF_COLLAPSE_K_NUL,
		    "NUL byte in line: line skipped");
	if (header_parse(p, n, &name, &len))
		return section_start(pm, name, len, err);
	if (chain_parse(p, n, &c))
		return chain_line(pm, &c, err);
	return ff_collapse_malformed(pm->run, err, FF_COLLAPSE_K_UNRECOGNISED,
	    "not a pmcstat callchain line: '%.*s%s' skipped",
	    (int)(n > 60 ? 60 : n),
	    p, n > 60 ? "..." : "");
}

/* The options asked for events the file lacks: a usage error. */
static ff_rc
check_found(const struct pmc *pm, ff_err *err)
{
	const ff_collapse_opts *o = pm->run->opts;
	const char *names = pm->names[0] != '\0' ? pm->names : "none";
	unsigned i;

	if (o->nevents == 0 && o->event[0] != '\0' && pm->found == 0)
		return ff_err_set(err, FF_ERR_USAGE, "%s: no section for event "
		    "'%s' (sections: %s)", ff_src_name(pm->run->src), o->event,
		    names);
	for (i = 0; i < o->nevents; i++)
		if (!(pm->found & (1u << i)))
			return ff_err_set(err, FF_ERR_USAGE, "%s: no section for "
			    "event '%s' (sections: %s)",
			    ff_src_name(pm->run->src), o->events[i], names);
	return FF_OK;
}

ff_rc
ff_pmc_collapse(ff_collapse_run *run, ff_err *err)
{
	struct pmc pm;
	const char *p;
	size_t n;
	ff_rc rc;

	memset(&pm, 0, sizeof pm);
	pm.run = run;
	pm.prev = -1;
	while ((rc = ff_collapse_line(run, &p, &n, err)) == FF_OK)
		if ((rc = pmc_line(&pm, p, n, err)) != FF_OK)
			return rc;
	if (rc != FF_DONE || (rc = flush(&pm, err)) != FF_OK)
		return rc;
	if (pm.toomany)
		return ff_err_set(err, FF_ERR_USAGE, "%s: %d event sections "
		    "(%s): choose one with --event NAME, or several with "
		    "--events A,B", ff_src_name(run->src), pm.nsections,
		    pm.names);
	return check_found(&pm, err);
}

int
ff_pmc_sniff(const char *line, size_t len)
{
	struct chain c;
	const char *name;
	size_t n;

	return header_parse(line, len, &name, &n) || chain_parse(line, len,
	    &c);
}
