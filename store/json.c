/*
 * json.c -- JSON output through jansson (see json.h).
 */
#include "store/json.h"
#include "profile/limits.h"
#include "profile/mem.h"
#include "profile/stamp.h"
#include "profile/utf8.h"

#include <pthread.h>
#include <string.h>

static void
alloc_setup(void)
{
	json_set_alloc_funcs(ff_malloc, ff_free);
}

void
ff_json_init(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, alloc_setup);
}

json_t *
ff_json_text(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	ff_buf b;
	json_t *j;
	size_t i = 0, n;

	ff_json_init();
	if (ff_utf8_valid(s, len))
		return json_stringn(s, len);
	ff_buf_init(&b);
	if (ff_buf_reserve(&b, len * 3) != FF_OK)
		return NULL;
	while (i < len) {
		if ((n = ff_utf8_seq(p + i, len - i)) != 0) {
			memcpy(b.p + b.len, p + i, n);
			b.len += n;
			i += n;
		} else {
			memcpy(b.p + b.len, "\xef\xbf\xbd", 3);
			b.len += 3;
			i++;
		}
	}
	j = json_stringn((const char *)b.p, b.len);
	ff_buf_free(&b);
	return j;
}

json_t *
ff_json_str(const char *s)
{
	ff_json_init();
	return s != NULL ? ff_json_text(s, strlen(s)) : json_null();
}

json_t *
ff_json_u64s(const uint64_t *v, unsigned n)
{
	json_t *a;
	unsigned i;

	ff_json_init();
	if ((a = json_array()) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		json_int_t x = v[i] > (uint64_t)FF_COUNT_MAX ?
		    (json_int_t)FF_COUNT_MAX : (json_int_t)v[i];

		if (json_array_append_new(a, json_integer(x)) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

int
ff_json_set(json_t *obj, const char *key, json_t *v)
{
	if (v == NULL)
		return 1;
	return json_object_set_new(obj, key, v) != 0;
}

static int
dump_cb(const char *p, size_t len, void *ctx)
{
	return ff_buf_append(ctx, p, len) == FF_OK ? 0 : -1;
}

ff_rc
ff_json_dump(json_t *v, ff_buf *out)
{
	int r;

	if (v == NULL)
		return FF_ERR_NOMEM;
	r = json_dump_callback(v, dump_cb, out, JSON_COMPACT |
	    JSON_PRESERVE_ORDER);
	json_decref(v);
	return r == 0 ? FF_OK : FF_ERR_NOMEM;
}

ff_rc
ff_json_error(ff_buf *out, const char *msg)
{
	json_t *o = json_object();

	if (o == NULL || ff_json_set(o, "error", ff_json_str(msg))) {
		json_decref(o);
		return FF_ERR_NOMEM;
	}
	return ff_json_dump(o, out);
}

json_t *
ff_json_build_row(const ff_build_row *b)
{
	char first[FF_STAMP_LEN], last[FF_STAMP_LEN];
	json_t *o = json_object();
	int bad = o == NULL;

	ff_stamp_format(b->first, first);
	ff_stamp_format(b->last, last);
	bad |= ff_json_set(o, "build", ff_json_str(b->build));
	bad |= ff_json_set(o, "type", ff_json_str(b->type));
	bad |= ff_json_set(o, "profiles",
	    json_integer((json_int_t)b->profiles));
	bad |= ff_json_set(o, "hosts", json_integer((json_int_t)b->hosts));
	bad |= ff_json_set(o, "rows", json_integer((json_int_t)b->rows));
	bad |= ff_json_set(o, "first", json_string(first));
	bad |= ff_json_set(o, "last", json_string(last));
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}
