/*
 * faultvfs.c -- the failing SQLite VFS of the storage-fault tests (see
 * faultvfs.h).
 *
 * A file opened through it is a struct ffile: SQLite's sqlite3_file
 * header with our methods, followed by the wrapped VFS's own file object
 * (szOsFile is the sum of both), to which every method is passed on.
 */
#include "faultvfs.h"
#include "store/db.h"

#include <sqlite3.h>

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

struct ffile {
	sqlite3_file base;      /* pMethods = &methods */
	sqlite3_file *real;     /* the wrapped file, right after this */
};

/* Where the wrapped file starts: after ours, 8-byte aligned. */
#define HEAD_SIZE ((sizeof(struct ffile) + 7) & ~(size_t)7)

static sqlite3_vfs *real_vfs;
static atomic_int armed_kind;   /* ff_fault_kind */
static atomic_int sticky;
static atomic_long after_n;
static atomic_long writes, syncs, fired;

/* ---- the decision -------------------------------------------------------- */

/* Count one operation of kind k; whether it must fail. */
static int
must_fail(ff_fault_kind op)
{
	ff_fault_kind k = (ff_fault_kind)atomic_load(&armed_kind);
	long n = op == FF_FAULT_SYNC ? atomic_fetch_add(&syncs, 1) :
	    atomic_fetch_add(&writes, 1);
	long after = atomic_load(&after_n);
	int hit;

	/* FULL and WRITE both count writes. */
	if (k == FF_FAULT_OFF || (op == FF_FAULT_SYNC) != (k == FF_FAULT_SYNC))
		return 0;
	hit = atomic_load(&sticky) ? n >= after : n == after;
	if (hit)
		atomic_fetch_add(&fired, 1);
	return hit;
}

/* ---- file methods -------------------------------------------------------- */

static sqlite3_file *
real_of(sqlite3_file *f)
{
	return ((struct ffile *)f)->real;
}

static int
f_close(sqlite3_file *f)
{
	sqlite3_file *r = real_of(f);

	return r->pMethods != NULL ? r->pMethods->xClose(r) : SQLITE_OK;
}

static int
f_read(sqlite3_file *f, void *p, int n, sqlite3_int64 off)
{
	sqlite3_file *r = real_of(f);

	return r->pMethods->xRead(r, p, n, off);
}

static int
f_write(sqlite3_file *f, const void *p, int n, sqlite3_int64 off)
{
	sqlite3_file *r = real_of(f);

	if (must_fail(FF_FAULT_WRITE))
		return atomic_load(&armed_kind) == FF_FAULT_FULL ? SQLITE_FULL :
		    SQLITE_IOERR_WRITE;
	return r->pMethods->xWrite(r, p, n, off);
}

static int
f_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	sqlite3_file *r = real_of(f);

	return r->pMethods->xTruncate(r, size);
}

static int
f_sync(sqlite3_file *f, int flags)
{
	sqlite3_file *r = real_of(f);

	if (must_fail(FF_FAULT_SYNC))
		return SQLITE_IOERR_FSYNC;
	return r->pMethods->xSync(r, flags);
}

static int
f_size(sqlite3_file *f, sqlite3_int64 *size)
{
	sqlite3_file *r = real_of(f);

	return r->pMethods->xFileSize(r, size);
}

static int
f_lock(sqlite3_file *f, int level)
{
	sqlite3_file *r = real_of(f);

	return r->pMethods->xLock(r, level);
}

static int
f_unlock(sqlite3_file *f, int level)
{
	sqlite3_file *r = real_of(f);

	return r->pMethods->xUnlock(r, level);
}

static int
f_reserved(sqlite3_file *f, int *out)
{
	sqlite3_file *r = real_of(f);

	return r->pMethods->xCheckReservedLock(r, out);
}

static int
f_control(sqlite3_file *f, int op, void *arg)
{
	sqlite3_file *r = real_of(f);

	return r->pMethods->xFileControl(r, op, arg);
}

static int
f_sector(sqlite3_file *f)
{
	sqlite3_file *r = real_of(f);

	return r->pMethods->xSectorSize(r);
}

static int
f_device(sqlite3_file *f)
{
	sqlite3_file *r = real_of(f);

	return r->pMethods->xDeviceCharacteristics(r);
}

static int
f_shm_map(sqlite3_file *f, int pg, int pgsz, int extend, void volatile **pp)
{
	sqlite3_file *r = real_of(f);

	if (r->pMethods->iVersion < 2)
		return SQLITE_IOERR;
	return r->pMethods->xShmMap(r, pg, pgsz, extend, pp);
}

static int
f_shm_lock(sqlite3_file *f, int off, int n, int flags)
{
	sqlite3_file *r = real_of(f);

	return r->pMethods->xShmLock(r, off, n, flags);
}

static void
f_shm_barrier(sqlite3_file *f)
{
	sqlite3_file *r = real_of(f);

	r->pMethods->xShmBarrier(r);
}

static int
f_shm_unmap(sqlite3_file *f, int del)
{
	sqlite3_file *r = real_of(f);

	return r->pMethods->xShmUnmap(r, del);
}

static int
f_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **pp)
{
	sqlite3_file *r = real_of(f);

	if (r->pMethods->iVersion < 3) {
		*pp = NULL;
		return SQLITE_OK;
	}
	return r->pMethods->xFetch(r, off, n, pp);
}

static int
f_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
	sqlite3_file *r = real_of(f);

	if (r->pMethods->iVersion < 3)
		return SQLITE_OK;
	return r->pMethods->xUnfetch(r, off, p);
}

static const sqlite3_io_methods methods = {
	3, f_close, f_read, f_write, f_truncate, f_sync, f_size, f_lock,
	f_unlock, f_reserved, f_control, f_sector, f_device, f_shm_map,
	f_shm_lock, f_shm_barrier, f_shm_unmap, f_fetch, f_unfetch
};

/* ---- VFS methods --------------------------------------------------------- */

static int
v_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *file,
    int flags, int *out)
{
	struct ffile *f = (struct ffile *)file;
	int rc;

	(void)vfs;
	f->real = (sqlite3_file *)((char *)f + HEAD_SIZE);
	f->real->pMethods = NULL;
	rc = real_vfs->xOpen(real_vfs, name, f->real, flags, out);
	if (rc != SQLITE_OK) {
		if (f->real->pMethods != NULL)
			f->real->pMethods->xClose(f->real);
		f->base.pMethods = NULL;
		return rc;
	}
	f->base.pMethods = &methods;
	return SQLITE_OK;
}

static int
v_delete(sqlite3_vfs *vfs, const char *name, int sync_dir)
{
	(void)vfs;
	return real_vfs->xDelete(real_vfs, name, sync_dir);
}

static int
v_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
	(void)vfs;
	return real_vfs->xAccess(real_vfs, name, flags, out);
}

static int
v_fullpath(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
	(void)vfs;
	return real_vfs->xFullPathname(real_vfs, name, n, out);
}

static void *
v_dlopen(sqlite3_vfs *vfs, const char *name)
{
	(void)vfs;
	return real_vfs->xDlOpen(real_vfs, name);
}

static void
v_dlerror(sqlite3_vfs *vfs, int n, char *msg)
{
	(void)vfs;
	real_vfs->xDlError(real_vfs, n, msg);
}

static void (*v_dlsym(sqlite3_vfs *vfs, void *h, const char *sym))(void)
{
	(void)vfs;
	return real_vfs->xDlSym(real_vfs, h, sym);
}

static void
v_dlclose(sqlite3_vfs *vfs, void *h)
{
	(void)vfs;
	real_vfs->xDlClose(real_vfs, h);
}

static int
v_random(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return real_vfs->xRandomness(real_vfs, n, out);
}

static int
v_sleep(sqlite3_vfs *vfs, int us)
{
	(void)vfs;
	return real_vfs->xSleep(real_vfs, us);
}

static int
v_time(sqlite3_vfs *vfs, double *out)
{
	(void)vfs;
	return real_vfs->xCurrentTime(real_vfs, out);
}

static int
v_lasterror(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return real_vfs->xGetLastError(real_vfs, n, out);
}

static int
v_time64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
	(void)vfs;
	return real_vfs->xCurrentTimeInt64(real_vfs, out);
}

static sqlite3_vfs fault_vfs = {
	2, 0, 0, NULL, FF_FAULTVFS_NAME, NULL, v_open, v_delete, v_access,
	v_fullpath, v_dlopen, v_dlerror, v_dlsym, v_dlclose, v_random, v_sleep,
	v_time, v_lasterror, v_time64, NULL, NULL, NULL
};

/* ---- the interface ------------------------------------------------------- */

int
ff_faultvfs_register(void)
{
	if (real_vfs != NULL)
		return 0;
	ff_db_global_init();
	if ((real_vfs = sqlite3_vfs_find(NULL)) == NULL ||
	    real_vfs->iVersion < 2)
		return -1;
	fault_vfs.szOsFile = (int)HEAD_SIZE + real_vfs->szOsFile;
	fault_vfs.mxPathname = real_vfs->mxPathname;
	return sqlite3_vfs_register(&fault_vfs, 0) == SQLITE_OK ? 0 : -1;
}

void
ff_faultvfs_arm(ff_fault_kind kind, long after, int is_sticky)
{
	atomic_store(&armed_kind, FF_FAULT_OFF);
	atomic_store(&writes, 0);
	atomic_store(&syncs, 0);
	atomic_store(&fired, 0);
	atomic_store(&after_n, after);
	atomic_store(&sticky, is_sticky);
	atomic_store(&armed_kind, kind);
}

void
ff_faultvfs_disarm(void)
{
	atomic_store(&armed_kind, FF_FAULT_OFF);
}

long
ff_faultvfs_writes(void)
{
	return atomic_load(&writes);
}

long
ff_faultvfs_syncs(void)
{
	return atomic_load(&syncs);
}

long
ff_faultvfs_fired(void)
{
	return atomic_load(&fired);
}

const char *
ff_faultvfs_kind_name(ff_fault_kind kind)
{
	static const char *const names[] = { "off", "write", "fsync", "full" };

	return (unsigned)kind < 4 ? names[kind] : "?";
}

int
ff_faultvfs_arm_spec(const char *spec)
{
	ff_fault_kind k;
	const char *colon;
	char *end;
	long n;
	size_t len;

	if (spec == NULL || *spec == '\0' || strcmp(spec, "off") == 0) {
		ff_faultvfs_disarm();
		return 0;
	}
	if ((colon = strchr(spec, ':')) == NULL)
		return -1;
	len = (size_t)(colon - spec);
	for (k = FF_FAULT_WRITE; k <= FF_FAULT_FULL; k++)
		if (strlen(ff_faultvfs_kind_name(k)) == len &&
		    memcmp(spec, ff_faultvfs_kind_name(k), len) == 0)
			break;
	if (k > FF_FAULT_FULL || colon[1] < '0' || colon[1] > '9')
		return -1;
	n = strtol(colon + 1, &end, 10);
	if (*end != '\0' && strcmp(end, ":once") != 0)
		return -1;
	ff_faultvfs_arm(k, n, *end == '\0');
	return 0;
}
