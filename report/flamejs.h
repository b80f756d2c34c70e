/*
 * flamejs.h -- the flame graph's inline JavaScript.
 *
 * One constant script serves every graph: it finds each element of class
 * "ffg" in the document (an SVG file, or an HTML page with several inline
 * graphs) and wires it up once, reading its settings from data-*
 * attributes on that element:
 *
 * | attribute       | meaning                                        |
 * |-----------------|------------------------------------------------|
 * | data-nametype   | prefix of the details line ("Function:")       |
 * | data-fs/data-fw | font size and glyph width, to refit labels     |
 * | data-w          | image width in pixels                          |
 * | data-inv        | "1" for an icicle graph                        |
 * | data-k          | prefix of this graph's URL parameters          |
 *
 * Behaviour: hovering a frame shows its title in the details line;
 * clicking a frame zooms to it (ancestors dimmed and stretched, unrelated
 * frames hidden, descendants stretched, labels refitted); "Reset Zoom"
 * (or clicking the root, or Escape) undoes it; "Search" or Ctrl-F (F3)
 * asks for a regular expression, highlights matching frames and shows
 * "Matched: X%" (the share of the visible width they cover); "ic" or
 * Ctrl-I toggles case-insensitive search.  Zoom and search are kept in
 * the page's URL query (x, y, s, prefixed by data-k) and restored on load.
 * Each graph element also gets a small API, element.ffg = { zoom(i),
 * unzoom(), search(re), unsearch(), count } for pages and tests.
 *
 * The script contains neither "]]>" nor "</", so it can sit in a CDATA
 * section or an HTML <script> element as it is.
 */
#ifndef FF_FLAMEJS_H
#define FF_FLAMEJS_H

/* The script text (static, NUL-terminated). */
const char *ff_flamejs_source(void);

#endif
