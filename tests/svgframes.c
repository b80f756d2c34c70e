/*
 * svgframes.c -- read the frames of a flame graph SVG (see svgframes.h).
 */
#include "svgframes.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The first needle in p[..end), or NULL.  (Not strstr: sanitizers make
 * each strstr call cost the length of the whole document.) */
static const char *
find(const char *p, const char *end, const char *needle)
{
	size_t n = strlen(needle);

	for (; p + n <= end; p++) {
		p = memchr(p, needle[0], (size_t)(end - p));
		if (p == NULL || p + n > end)
			return NULL;
		if (memcmp(p, needle, n) == 0)
			return p;
	}
	return NULL;
}

/* Unescape the XML text s[0..len) into a new string (first line only). */
static char *
unescape(const char *s, size_t len)
{
	char *out = malloc(len + 1), *o = out;
	size_t i = 0;

	if (out == NULL)
		return NULL;
	while (i < len && s[i] != '\n') {
		if (s[i] != '&') {
			*o++ = s[i++];
			continue;
		}
		if (strncmp(s + i, "&amp;", 5) == 0)
			*o++ = '&', i += 5;
		else if (strncmp(s + i, "&lt;", 4) == 0)
			*o++ = '<', i += 4;
		else if (strncmp(s + i, "&gt;", 4) == 0)
			*o++ = '>', i += 4;
		else if (strncmp(s + i, "&quot;", 6) == 0)
			*o++ = '"', i += 6;
		else if (strncmp(s + i, "&apos;", 6) == 0)
			*o++ = '\'', i += 6;
		else if (strncmp(s + i, "&#39;", 5) == 0)
			*o++ = '\'', i += 5;
		else
			*o++ = s[i++];
	}
	*o = '\0';
	return out;
}

/* The value of attribute name in the tag tag[0..len), or NAN. */
static double
attr_num(const char *tag, size_t len, const char *name)
{
	char key[32];
	const char *p;

	snprintf(key, sizeof key, " %s=\"", name);
	p = find(tag, tag + len, key);
	return p != NULL ? strtod(p + strlen(key), NULL) : NAN;
}

static void
attr_str(const char *tag, size_t len, const char *name, char *out,
    size_t cap)
{
	char key[32];
	const char *p, *q;

	out[0] = '\0';
	snprintf(key, sizeof key, " %s=\"", name);
	p = find(tag, tag + len, key);
	if (p == NULL)
		return;
	p += strlen(key);
	q = memchr(p, '"', (size_t)(tag + len - p));
	if (q == NULL || (size_t)(q - p) >= cap)
		return;
	memcpy(out, p, (size_t)(q - p));
	out[q - p] = '\0';
}

static int
frame_cmp(const void *a, const void *b)
{
	const svg_frame *x = a, *y = b;
	int c = strcmp(x->title, y->title);

	if (c != 0)
		return c;
	if (x->y != y->y)
		return x->y < y->y ? -1 : 1;
	return (x->x > y->x) - (x->x < y->x);
}

int
svg_frames_parse(const char *svg, svg_frames *out)
{
	const char *p = svg, *end = svg + strlen(svg);
	size_t cap = 0;

	out->v = NULL;
	out->n = 0;
	while ((p = find(p, end, "<title>")) != NULL) {
		const char *t = p + 7, *te = find(t, end, "</title>"), *r, *re;
		svg_frame *f;

		if (te == NULL)
			return -1;
		r = find(te, end, "<rect");
		p = te;
		if (r == NULL)
			break;
		if ((re = memchr(r, '>', (size_t)(end - r))) == NULL)
			break;
		if (out->n == cap) {
			cap = cap ? cap * 2 : 1024;
			out->v = realloc(out->v, cap * sizeof *out->v);
			if (out->v == NULL)
				return -1;
		}
		f = &out->v[out->n++];
		f->title = unescape(t, (size_t)(te - t));
		f->x = attr_num(r, (size_t)(re - r), "x");
		f->y = attr_num(r, (size_t)(re - r), "y");
		f->w = attr_num(r, (size_t)(re - r), "width");
		f->h = attr_num(r, (size_t)(re - r), "height");
		attr_str(r, (size_t)(re - r), "fill", f->fill, sizeof f->fill);
		f->matched = 0;
	}
	qsort(out->v, out->n, sizeof *out->v, frame_cmp);
	return 0;
}

void
svg_frames_free(svg_frames *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		free(f->v[i].title);
	free(f->v);
	f->v = NULL;
	f->n = 0;
}

static int
close_to(const svg_frame *a, const svg_frame *b, double tol)
{
	return fabs(a->x - b->x) <= tol && fabs(a->y - b->y) <= tol &&
	    fabs(a->w - b->w) <= tol && fabs(a->h - b->h) <= tol;
}

size_t
svg_frames_compare(svg_frames *want, svg_frames *got, double tol,
    size_t *extra, int show)
{
	size_t i, j = 0, missing = 0, left = 0;

	tol += 1e-9;
	for (i = 0; i < want->n; i++) {
		svg_frame *w = &want->v[i];
		size_t k;

		while (j < got->n && strcmp(got->v[j].title, w->title) < 0)
			j++;
		for (k = j;
		    k < got->n && strcmp(got->v[k].title, w->title) == 0; k++)
			if (!got->v[k].matched && close_to(w, &got->v[k], tol))
				break;
		if (k < got->n && strcmp(got->v[k].title, w->title) == 0) {
			got->v[k].matched = 1;
			w->matched = 1;
			continue;
		}
		if (missing++ < (size_t)show)
			fprintf(stderr, "  missing: %s x=%g y=%g w=%g h=%g\n",
			    w->title, w->x, w->y, w->w, w->h);
	}
	for (i = 0; i < got->n; i++)
		if (!got->v[i].matched && left++ < (size_t)show)
			fprintf(stderr, "  extra:   %s x=%g y=%g w=%g h=%g\n",
			    got->v[i].title, got->v[i].x, got->v[i].y,
			    got->v[i].w, got->v[i].h);
	*extra = left;
	return missing;
}
