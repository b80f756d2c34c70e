/*
 * lockfile.c -- an fcntl record lock on a file (see lockfile.h).
 */
#include "agent/lockfile.h"
#include "profile/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct ff_lockfile {
	int fd;
};

static void
whole_file(struct flock *fl, short type)
{
	memset(fl, 0, sizeof *fl);
	fl->l_type = type;
	fl->l_whence = SEEK_SET;
	fl->l_start = 0;
	fl->l_len = 0;
}

/* The holder of fd's lock, or 0. */
static long
holder_of(int fd)
{
	struct flock fl;

	whole_file(&fl, F_WRLCK);
	if (fcntl(fd, F_GETLK, &fl) != 0 || fl.l_type == F_UNLCK)
		return 0;
	return (long)fl.l_pid;
}

static void
write_pid(int fd)
{
	char buf[32];
	int n = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());

	if (ftruncate(fd, 0) == 0 && n > 0)
		(void)!pwrite(fd, buf, (size_t)n, 0);
}

ff_rc
ff_lockfile_take(ff_lockfile **out, const char *path, long *holder,
    ff_err *err)
{
	ff_lockfile *l;
	struct flock fl;
	int fd, e;

	*out = NULL;
	if (holder != NULL)
		*holder = 0;
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0)
		return ff_err_errno(err, errno, "%s", path);
	whole_file(&fl, F_WRLCK);
	while (fcntl(fd, F_SETLK, &fl) != 0) {
		if ((e = errno) == EINTR)
			continue;
		if (holder != NULL && (e == EACCES || e == EAGAIN))
			*holder = holder_of(fd);
		close(fd);
		if (e == EACCES || e == EAGAIN)
			return ff_err_set(err, FF_ERR_BUSY, "%s is locked by "
			    "another process", path);
		return ff_err_errno(err, e, "%s: lock", path);
	}
	if ((l = ff_malloc(sizeof *l)) == NULL) {
		close(fd);
		return ff_err_nomem(err);
	}
	write_pid(fd);
	l->fd = fd;
	*out = l;
	return FF_OK;
}

void
ff_lockfile_release(ff_lockfile *l)
{
	if (l == NULL)
		return;
	close(l->fd);   /* closing drops the lock */
	ff_free(l);
}

ff_rc
ff_lockfile_probe(const char *path, long *holder, ff_err *err)
{
	int fd;

	*holder = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		if (errno == ENOENT)
			return FF_OK;
		return ff_err_errno(err, errno, "%s", path);
	}
	*holder = holder_of(fd);
	close(fd);
	return FF_OK;
}
