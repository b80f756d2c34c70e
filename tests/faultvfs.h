/*
 * faultvfs.h -- a SQLite VFS for tests that fails writes or fsyncs on
 * purpose, or says the disk is full.
 *
 * It wraps the default VFS (every call is passed on) and counts xWrite
 * and xSync calls on every file SQLite opens through it (database, WAL,
 * journal).  Armed with (kind, after), it lets `after` operations of
 * that kind succeed, then fails the next one -- and, when sticky, every
 * later one, like a disk that stays full -- until disarmed:
 *
 *   | kind           | fails    | with                                   |
 *   |----------------|----------|----------------------------------------|
 *   | FF_FAULT_WRITE | xWrite   | SQLITE_IOERR_WRITE (EIO)               |
 *   | FF_FAULT_SYNC  | xSync    | SQLITE_IOERR_FSYNC                     |
 *   | FF_FAULT_FULL  | xWrite   | SQLITE_FULL (ENOSPC)                   |
 *
 * Use: ff_faultvfs_register(), then ff_db_set_vfs(FF_FAULTVFS_NAME)
 * before opening the store.  Counters are atomic: the writer thread, the
 * readers and the test may run at once.  Test-only code: the one file of
 * tests/ that includes <sqlite3.h>.
 */
#ifndef FF_FAULTVFS_H
#define FF_FAULTVFS_H

#define FF_FAULTVFS_NAME "ff-fault"

typedef enum ff_fault_kind {
	FF_FAULT_OFF = 0,
	FF_FAULT_WRITE,
	FF_FAULT_SYNC,
	FF_FAULT_FULL
} ff_fault_kind;

/* Register the VFS (not as the default); idempotent.  Initialises
 * SQLite through ff_db_global_init first.  0, or -1 when SQLite has no
 * default VFS to wrap. */
int ff_faultvfs_register(void);

/* Count from zero and fail the operation after `after` successful ones
 * (every later one too when sticky).  FF_FAULT_OFF only counts. */
void ff_faultvfs_arm(ff_fault_kind kind, long after, int sticky);

/* Stop failing (the counters go on). */
void ff_faultvfs_disarm(void);

/* Writes and syncs seen since the last arm, and faults injected. */
long ff_faultvfs_writes(void);
long ff_faultvfs_syncs(void);
long ff_faultvfs_fired(void);

/* Arm from text: "write:N", "fsync:N" or "full:N", with ":once" for a
 * single failure (sticky otherwise); "off" or "" disarms.  0, or -1 when
 * the text is not understood. */
int ff_faultvfs_arm_spec(const char *spec);

/* The kind's name ("write", "fsync", "full", "off"). */
const char *ff_faultvfs_kind_name(ff_fault_kind kind);

#endif
