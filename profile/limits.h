/*
 * limits.h -- every bound flamefleet puts on outside input, in one place.
 *
 * The readers enforce these while streaming, so hostile input costs at most
 * the bound, never the input size.  profile/README.md documents them.
 */
#ifndef FF_LIMITS_H
#define FF_LIMITS_H

#include <stdint.h>

/* Longest input line (profiler text or folded), newline excluded. */
#define FF_LINE_MAX (4u << 20)

/* Longest frame (function) name, in bytes. */
#define FF_FRAME_MAX (64u << 10)

/* Deepest stack, in frames (the process-name root frame included). */
#define FF_DEPTH_MAX 4096u

/* Most count columns on a folded line (one per event). */
#define FF_VALUES_MAX 8u

/* Largest count, and largest sum of counts: fits SQLite's and JSON's
 * signed 64-bit integers. */
#define FF_COUNT_MAX INT64_MAX

/* Most distinct frames or stack nodes in one table. */
#define FF_IDS_MAX (UINT32_MAX / 2)

#endif
