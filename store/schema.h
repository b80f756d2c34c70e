/*
 * schema.h -- the store's tables, and forward migrations between their
 * versions (PRAGMA user_version).  store/README.md documents the schema.
 *
 * A migration step is constant SQL that ends by setting user_version to
 * its own number; steps run in order, one transaction each, so a crash
 * leaves the database at the previous version, never half-way.
 */
#ifndef FF_SCHEMA_H
#define FF_SCHEMA_H

#include "profile/err.h"
#include "store/db.h"

#include <stddef.h>

typedef struct ff_schema_step {
	int version;        /* user_version after the step */
	const char *sql;    /* constant SQL; sets user_version = version */
} ff_schema_step;

/* The version this program writes and reads. */
int ff_schema_version(void);

/* Bring db (read-write) to the current version.  FF_ERR_DB when the file
 * is newer than this program or not a store. */
ff_rc ff_schema_migrate(ff_db *db, ff_err *err) FF_WUR;

/* Apply steps[0..n) (ascending versions) above the database's version;
 * for tests and for ff_schema_migrate. */
ff_rc ff_schema_apply(ff_db *db, const ff_schema_step *steps, size_t n,
    ff_err *err) FF_WUR;

/* For readers: FF_OK when db is at the current version, else FF_ERR_DB
 * with a message saying what to do. */
ff_rc ff_schema_check(ff_db *db, ff_err *err) FF_WUR;

#endif
