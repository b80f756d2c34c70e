/*
 * fdiff.c -- combine two profiles into a differential one (see fdiff.h).
 */
#include "diff/fdiff.h"
#include "profile/fold.h"
#include "profile/func.h"
#include "profile/mem.h"

/* Map each frame of src to its hex-stripped name in frames. */
static ff_rc
strip_map(const ff_stacks *src, ff_intern *frames, uint32_t **out,
    ff_err *err)
{
	const ff_intern *from = ff_stacks_frames(src);
	uint32_t n = ff_intern_count(from), i, *map;
	char *buf = NULL;
	size_t cap = 0;
	ff_rc rc = FF_OK;

	*out = map = ff_calloc(n ? n : 1, sizeof *map);
	if (map == NULL)
		return ff_err_nomem(err);
	for (i = 0; i < n && rc == FF_OK; i++) {
		size_t len, m;
		const char *name = ff_intern_str(from, i, &len);

		if (FF_FUNC_CAP(len) > cap) {
			char *b = ff_realloc(buf, FF_FUNC_CAP(len));

			if (b == NULL) {
				rc = ff_err_nomem(err);
				break;
			}
			buf = b;
			cap = FF_FUNC_CAP(len);
		}
		m = ff_func_strip_hex(name, len, buf, cap);
		if (ff_intern_put(frames, buf, m, &map[i]) != FF_OK)
			rc = ff_err_set(err, FF_ERR_LIMIT, "frame name too long "
			    "after rewriting hex numbers");
	}
	ff_free(buf);
	return rc;
}

/* Add src (one column) as column col of dst. */
static ff_rc
add_side(ff_stacks *dst, const ff_stacks *src, unsigned col,
    const ff_fdiff_opts *o, ff_err *err)
{
	uint32_t *map = NULL;
	ff_rc rc = FF_OK;

	if (ff_stacks_nvalues(src) != 1)
		return ff_err_set(err, FF_ERR_USAGE, "each side of a "
		    "differential profile must have one count column, not %u",
		    ff_stacks_nvalues(src));
	if (o->strip_hex)
		rc = strip_map(src, ff_stacks_frames(dst), &map, err);
	if (rc == FF_OK)
		rc = ff_stacks_merge_cols(dst, src, col, map, err);
	ff_free(map);
	return rc;
}

ff_rc
ff_fdiff_combine(ff_stacks **out, ff_intern *frames, const ff_stacks *a,
    const ff_stacks *b, const ff_fdiff_opts *o, ff_err *err)
{
	ff_stacks *s = ff_stacks_new(frames, 2);
	const uint64_t *t;
	ff_rc rc;

	*out = NULL;
	if (s == NULL)
		return ff_err_nomem(err);
	if ((rc = add_side(s, a, 0, o, err)) != FF_OK ||
	    (rc = add_side(s, b, 1, o, err)) != FF_OK) {
		ff_stacks_free(s);
		return rc;
	}
	t = ff_stacks_totals(s);
	if (o->normalize && t[0] != t[1] && t[0] != 0)
		ff_stacks_scale(s, 0, t[1], t[0]);
	*out = s;
	return FF_OK;
}

ff_rc
ff_fdiff_files(ff_stacks **out, ff_intern *frames, const char *a,
    const char *b, const ff_fdiff_opts *o, ff_diag *diag, ff_err *err)
{
	ff_intern *fa = ff_intern_new(), *fb = ff_intern_new();
	ff_stacks *sa = NULL, *sb = NULL;
	ff_rc rc;

	*out = NULL;
	if (fa == NULL || fb == NULL) {
		rc = ff_err_nomem(err);
		goto out;
	}
	if ((rc = ff_fold_load_file(&sa, fa, a, 1, diag, err)) == FF_OK &&
	    (rc = ff_fold_load_file(&sb, fb, b, 1, diag, err)) == FF_OK)
		rc = ff_fdiff_combine(out, frames, sa, sb, o, err);
out:
	ff_stacks_free(sa);
	ff_stacks_free(sb);
	ff_intern_free(fa);
	ff_intern_free(fb);
	return rc;
}
