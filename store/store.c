/*
 * store.c -- read handles on a store (see store.h).
 */
#include "store/store.h"
#include "profile/mem.h"
#include "store/schema.h"

struct ff_store {
	ff_db *db;
	ff_dict *dict;
	int own_dict;
};

static ff_rc
store_open(ff_store **out, const char *path, ff_dict *dict, ff_err *err)
{
	ff_store *st;
	ff_rc rc;

	*out = NULL;
	if ((st = ff_calloc(1, sizeof *st)) == NULL)
		return ff_err_nomem(err);
	st->dict = dict;
	if (dict == NULL) {
		st->own_dict = 1;
		if ((st->dict = ff_dict_new(0)) == NULL) {
			ff_free(st);
			return ff_err_nomem(err);
		}
	}
	rc = ff_db_open(&st->db, path, FF_DB_READONLY, err);
	if (rc == FF_OK)
		rc = ff_schema_check(st->db, err);
	if (rc != FF_OK) {
		ff_store_close(st);
		return rc;
	}
	*out = st;
	return FF_OK;
}

ff_rc
ff_store_open(ff_store **out, const char *path, ff_err *err)
{
	return store_open(out, path, NULL, err);
}

ff_rc
ff_store_open_shared(ff_store **out, const char *path, ff_dict *dict,
    ff_err *err)
{
	return store_open(out, path, dict, err);
}

void
ff_store_close(ff_store *st)
{
	if (st == NULL)
		return;
	ff_db_close(st->db);
	if (st->own_dict)
		ff_dict_free(st->dict);
	ff_free(st);
}

ff_db *
ff_store_db(ff_store *st)
{
	return st->db;
}

ff_dict *
ff_store_dict(ff_store *st)
{
	return st->dict;
}

ff_rc
ff_store_begin(ff_store *st, ff_err *err)
{
	ff_rc rc;

	if ((rc = ff_db_begin(st->db, 0, err)) != FF_OK)
		return rc;
	if ((rc = ff_dict_refresh(st->dict, st->db, err)) != FF_OK)
		ff_db_rollback(st->db);
	return rc;
}

void
ff_store_end(ff_store *st)
{
	ff_db_rollback(st->db);   /* a read snapshot: nothing to keep */
}

uint32_t
ff_store_func_count(ff_store *st)
{
	return ff_intern_count(ff_dict_funcs(st->dict));
}

const char *
ff_store_func_name(ff_store *st, uint32_t id, size_t *len)
{
	return ff_intern_str(ff_dict_funcs(st->dict), id, len);
}
