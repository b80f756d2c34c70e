/*
 * test_schema.c -- the schema and its forward migrations.
 */
#include "testutil.h"

#include "store/db.h"
#include "store/schema.h"

#include <string.h>

static ff_db *
open_db(const char *name)
{
	ff_db *db;
	ff_err err;

	assert_int_equal(ff_db_open(&db, ff_test_fmt("%s/%s",
	    ff_test_tmpdir(), name), FF_DB_CREATE | FF_DB_NOSYNC, &err), FF_OK);
	return db;
}

static int64_t
version(ff_db *db)
{
	int64_t v;

	assert_int_equal(ff_db_int(db, "PRAGMA user_version", &v, NULL),
	    FF_OK);
	return v;
}

static void
test_migrate_fresh(void **state)
{
	ff_db *db = open_db("fresh.db");
	int64_t n;
	ff_err err;

	(void)state;
	assert_int_equal(ff_schema_check(db, &err), FF_ERR_DB);
	assert_non_null(strstr(err.msg, "not a flamefleet store"));
	assert_int_equal(ff_schema_migrate(db, &err), FF_OK);
	assert_int_equal(version(db), ff_schema_version());
	assert_int_equal(ff_schema_check(db, &err), FF_OK);
	/* Again: nothing to do. */
	assert_int_equal(ff_schema_migrate(db, &err), FF_OK);
	assert_int_equal(ff_db_int(db, "SELECT count(*) FROM sqlite_master "
	    "WHERE type = 'table' AND name IN ('frame', 'func', 'stack', "
	    "'profile', 'label', 'pdata', 'agg')", &n, &err), FF_OK);
	assert_int_equal(n, 7);
	/* A new file gets incremental auto-vacuum (for prune) and WAL. */
	assert_int_equal(ff_db_int(db, "PRAGMA auto_vacuum", &n, &err), FF_OK);
	assert_int_equal(n, 2);
	ff_db_close(db);
}

static const ff_schema_step fake[] = {
	{ 1, "CREATE TABLE a (x); PRAGMA user_version = 1;" },
	{ 2, "ALTER TABLE a ADD COLUMN y; PRAGMA user_version = 2;" },
	{ 3, "CREATE TABLE b (z); PRAGMA user_version = 3;" },
};

static void
test_migrate_forward(void **state)
{
	ff_db *db = open_db("forward.db");
	int64_t n;
	ff_err err;

	(void)state;
	/* A store at version 1 gets steps 2 and 3 only. */
	assert_int_equal(ff_schema_apply(db, fake, 1, &err), FF_OK);
	assert_int_equal(version(db), 1);
	assert_int_equal(ff_db_exec(db, "INSERT INTO a VALUES (1)", &err),
	    FF_OK);
	assert_int_equal(ff_schema_apply(db, fake, 3, &err), FF_OK);
	assert_int_equal(version(db), 3);
	assert_int_equal(ff_db_int(db, "SELECT count(*) FROM a WHERE y IS NULL",
	    &n, &err), FF_OK);
	assert_int_equal(n, 1);
	/* Newer than the program: refused, untouched. */
	assert_int_equal(ff_schema_apply(db, fake, 2, &err), FF_ERR_DB);
	assert_non_null(strstr(err.msg, "newer"));
	assert_int_equal(version(db), 3);
	ff_db_close(db);
}

static void
test_migrate_failure(void **state)
{
	static const ff_schema_step bad[] = {
		{ 1, "CREATE TABLE a (x); PRAGMA user_version = 1;" },
		{ 2, "CREATE TABLE c (x); CREATE TABLE a (x); "
		    "PRAGMA user_version = 2;" },
	};
	ff_db *db = open_db("failure.db");
	int64_t n;
	ff_err err;

	(void)state;
	/* Step 2 fails half-way: the database stays at version 1, without
	 * the table the step created before failing. */
	assert_int_equal(ff_schema_apply(db, bad, 2, &err), FF_ERR_DB);
	assert_non_null(strstr(err.msg, "migration to schema version 2"));
	assert_int_equal(version(db), 1);
	assert_int_equal(ff_db_int(db, "SELECT count(*) FROM sqlite_master "
	    "WHERE name = 'c'", &n, &err), FF_OK);
	assert_int_equal(n, 0);
	ff_db_close(db);
}

static void
test_not_a_store(void **state)
{
	const char *path = ff_test_fmt("%s/junk.db", ff_test_tmpdir());
	ff_db *db;
	ff_err err;

	(void)state;
	assert_int_equal(ff_test_write(path, "this is not sqlite at all, "
	    "really not", 38), 0);
	if (ff_db_open(&db, path, FF_DB_READONLY, &err) == FF_OK) {
		assert_int_equal(ff_schema_check(db, &err), FF_ERR_DB);
		ff_db_close(db);
	}
	assert_int_equal(ff_db_open(&db, ff_test_fmt("%s/missing.db",
	    ff_test_tmpdir()), FF_DB_READONLY, &err), FF_ERR_IO);
	assert_null(db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_migrate_fresh),
		cmocka_unit_test(test_migrate_forward),
		cmocka_unit_test(test_migrate_failure),
		cmocka_unit_test(test_not_a_store),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
