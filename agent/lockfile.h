/*
 * lockfile.h -- one agent at a time per spool.
 *
 * An exclusive POSIX record lock (fcntl F_SETLK) on a file: the kernel
 * drops it when the holder exits or dies, so a killed agent never leaves
 * a stale lock behind.  The file keeps the holder's pid as text for
 * people; the lock itself is the authority.  Record locks belong to a
 * process, so a second ff_lockfile_take in the same process succeeds:
 * use them between processes.
 */
#ifndef FF_LOCKFILE_H
#define FF_LOCKFILE_H

#include "profile/err.h"

typedef struct ff_lockfile ff_lockfile;

/* Create path (mode 0644) if needed and lock it without waiting.
 * FF_ERR_BUSY when another process holds it: *holder (may be NULL) gets
 * its pid, or 0 when the system does not say.  FF_ERR_IO otherwise. */
ff_rc ff_lockfile_take(ff_lockfile **out, const char *path, long *holder,
    ff_err *err) FF_WUR;

/* Release the lock and free.  Accepts NULL. */
void ff_lockfile_release(ff_lockfile *l);

/* Without taking it: *holder = the pid of the process holding path, or
 * 0 when it is free (or the file does not exist). */
ff_rc ff_lockfile_probe(const char *path, long *holder, ff_err *err)
	FF_WUR;

#endif
