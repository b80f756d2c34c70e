/*
 * schema.c -- tables and migrations (see schema.h, store/README.md).
 */
#include "store/schema.h"

/* Version 1: frames, functions, stack nodes (packed, many per row; see
 * dict.c), profiles and their labels, the packed per-profile data and the
 * per-build summed stacks. */
static const char V1[] =
	"CREATE TABLE func ("
	" id INTEGER PRIMARY KEY,"
	" name BLOB NOT NULL UNIQUE);"
	"CREATE TABLE frame ("
	" id INTEGER PRIMARY KEY,"
	" name BLOB NOT NULL UNIQUE,"
	" func INTEGER NOT NULL);"
	"CREATE TABLE stack ("
	" first INTEGER PRIMARY KEY,"
	" count INTEGER NOT NULL,"
	" nodes BLOB NOT NULL);"
	"CREATE TABLE profile ("
	" id INTEGER PRIMARY KEY,"
	" hash TEXT NOT NULL UNIQUE,"
	" host TEXT NOT NULL,"
	" build TEXT NOT NULL,"
	" type TEXT NOT NULL,"
	" start INTEGER NOT NULL,"
	" duration REAL NOT NULL,"
	" events TEXT NOT NULL,"
	" periods TEXT,"
	" agent TEXT,"
	" totals TEXT NOT NULL,"
	" stacks INTEGER NOT NULL,"
	" bytes INTEGER NOT NULL,"
	" received INTEGER NOT NULL);"
	"CREATE INDEX profile_build ON profile (build, type, start);"
	"CREATE INDEX profile_type ON profile (type, start);"
	"CREATE INDEX profile_start ON profile (start);"
	"CREATE INDEX profile_host ON profile (host, start);"
	"CREATE TABLE label ("
	" profile INTEGER NOT NULL,"
	" key TEXT NOT NULL,"
	" value TEXT NOT NULL,"
	" PRIMARY KEY (profile, key)) WITHOUT ROWID;"
	"CREATE INDEX label_kv ON label (key, value);"
	"CREATE TABLE pdata ("
	" profile INTEGER PRIMARY KEY,"
	" funcs BLOB NOT NULL,"
	" samples BLOB NOT NULL);"
	"CREATE TABLE agg ("
	" id INTEGER PRIMARY KEY,"
	" build TEXT NOT NULL,"
	" type TEXT NOT NULL,"
	" events TEXT NOT NULL,"
	" profiles INTEGER NOT NULL,"
	" data BLOB NOT NULL);"
	"CREATE INDEX agg_key ON agg (build, type, events);"
	"PRAGMA user_version = 1;";

static const ff_schema_step steps[] = {
	{ 1, V1 },
};

#define NSTEPS (sizeof steps / sizeof steps[0])

int
ff_schema_version(void)
{
	return steps[NSTEPS - 1].version;
}

static ff_rc
schema_newer(ff_db *db, int64_t v, int mine, ff_err *err)
{
	return ff_err_set(err, FF_ERR_DB, "%s: schema version %lld is newer "
	    "than this program's (%d): use a newer ffstore",
	    ff_db_path(db), (long long)v, mine);
}

/* Run one step inside its own write transaction. */
static ff_rc
schema_step(ff_db *db, const ff_schema_step *s, ff_err *err)
{
	int64_t v;
	ff_rc rc;

	if ((rc = ff_db_begin(db, 1, err)) != FF_OK)
		return rc;
	/* Another process may have migrated while we waited for the lock. */
	if ((rc = ff_db_int(db, "PRAGMA user_version", &v, err)) != FF_OK)
		goto out;
	if (v >= s->version)
		goto out;
	if ((rc = ff_db_exec(db, s->sql, err)) != FF_OK) {
		ff_err_prefix(err, "migration to schema version %d: ",
		    s->version);
		goto out;
	}
	if ((rc = ff_db_int(db, "PRAGMA user_version", &v, err)) == FF_OK &&
	    v != s->version)
		rc = ff_err_set(err, FF_ERR_INTERNAL, "migration to schema "
		    "version %d left version %lld", s->version, (long long)v);
out:
	if (rc == FF_OK)
		return ff_db_commit(db, err);
	ff_db_rollback(db);
	return rc;
}

ff_rc
ff_schema_apply(ff_db *db, const ff_schema_step *s, size_t n, ff_err *err)
{
	int64_t v;
	size_t i;
	ff_rc rc;

	if ((rc = ff_db_int(db, "PRAGMA user_version", &v, err)) != FF_OK)
		return rc;
	if (n > 0 && v > s[n - 1].version)
		return schema_newer(db, v, s[n - 1].version, err);
	for (i = 0; i < n; i++)
		if (s[i].version > v &&
		    (rc = schema_step(db, &s[i], err)) != FF_OK)
			return rc;
	return FF_OK;
}

ff_rc
ff_schema_migrate(ff_db *db, ff_err *err)
{
	return ff_schema_apply(db, steps, NSTEPS, err);
}

ff_rc
ff_schema_check(ff_db *db, ff_err *err)
{
	int64_t v;
	ff_rc rc;

	if ((rc = ff_db_int(db, "PRAGMA user_version", &v, err)) != FF_OK)
		return rc;
	if (v > ff_schema_version())
		return schema_newer(db, v, ff_schema_version(), err);
	if (v < ff_schema_version())
		return ff_err_set(err, FF_ERR_DB, "%s: %s", ff_db_path(db),
		    v == 0 ? "not a flamefleet store (run ffstore serve or "
		    "ffstore load on it first)" : "old schema version: open "
		    "it once with ffstore load or serve to migrate it");
	return FF_OK;
}
