/*
 * svgframes.h -- read the frames of a flame graph SVG, for tests.
 *
 * A frame is a <title> followed by a <rect>, as both flamegraph.pl and
 * ffreport write them.  Titles are unescaped; only their first line is
 * kept (ffreport adds a second line to differential and CPI titles).
 */
#ifndef FF_SVGFRAMES_H
#define FF_SVGFRAMES_H

#include <stddef.h>

typedef struct svg_frame {
	char *title;
	double x, y, w, h;
	char fill[32];
	int matched;
} svg_frame;

typedef struct svg_frames {
	svg_frame *v;
	size_t n;
} svg_frames;

/* Parse the SVG text; frames are sorted by title, y, x.  0 on success. */
int svg_frames_parse(const char *svg, svg_frames *out);
void svg_frames_free(svg_frames *f);

/* Match every frame of `want` with a frame of `got` of the same title
 * whose rect is within tol on x, y, width and height.  Returns the
 * number of unmatched frames of want; *extra gets the number of frames
 * of got left over.  Prints up to `show` mismatches to stderr. */
size_t svg_frames_compare(svg_frames *want, svg_frames *got, double tol,
    size_t *extra, int show);

#endif
