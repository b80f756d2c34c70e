/*
 * err.c -- error codes and caller-supplied messages (see err.h).
 */
#include "profile/err.h"

#include <stdio.h>
#include <string.h>

void
ff_err_init(ff_err *err)
{
	err->rc = FF_OK;
	err->msg[0] = '\0';
}

ff_rc
ff_err_vset(ff_err *err, ff_rc rc, const char *fmt, va_list ap)
{
	if (err == NULL)
		return rc;
	err->rc = rc;
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	return rc;
}

ff_rc
ff_err_set(ff_err *err, ff_rc rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ff_err_vset(err, rc, fmt, ap);
	va_end(ap);
	return rc;
}

ff_rc
ff_err_prefix(ff_err *err, const char *fmt, ...)
{
	char head[FF_ERR_MSG_MAX];
	size_t hn, tn;
	va_list ap;

	if (err == NULL)
		return FF_ERR_INTERNAL;
	if (err->msg[0] == '\0')
		snprintf(err->msg, sizeof err->msg, "%s", ff_strerror(err->rc));
	va_start(ap, fmt);
	vsnprintf(head, sizeof head, fmt, ap);
	va_end(ap);
	hn = strlen(head);
	tn = strlen(err->msg);
	if (hn + tn >= sizeof err->msg)
		tn = sizeof err->msg - 1 - hn;
	memmove(err->msg + hn, err->msg, tn);
	memcpy(err->msg, head, hn);
	err->msg[hn + tn] = '\0';
	return err->rc;
}

ff_rc
ff_err_nomem(ff_err *err)
{
	if (err != NULL) {
		err->rc = FF_ERR_NOMEM;
		memcpy(err->msg, "out of memory", sizeof "out of memory");
	}
	return FF_ERR_NOMEM;
}

ff_rc
ff_err_errno(ff_err *err, int errnum, const char *fmt, ...)
{
	char what[FF_ERR_MSG_MAX];
	va_list ap;

	if (err == NULL)
		return FF_ERR_IO;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	return ff_err_set(err, FF_ERR_IO, "%s: %s", what, strerror(errnum));
}

const char *
ff_strerror(ff_rc rc)
{
	switch (rc) {
	case FF_OK:           return "success";
	case FF_DONE:         return "end of data";
	case FF_ERR_NOMEM:    return "out of memory";
	case FF_ERR_IO:       return "input/output error";
	case FF_ERR_PARSE:    return "malformed input";
	case FF_ERR_LIMIT:    return "input exceeds a limit";
	case FF_ERR_USAGE:    return "usage error";
	case FF_ERR_NOTFOUND: return "not found";
	case FF_ERR_DB:       return "database error";
	case FF_ERR_NET:      return "network error";
	case FF_ERR_BUSY:     return "busy, try again later";
	case FF_ERR_AUTH:     return "not authorised";
	case FF_ERR_INTERNAL: return "internal error";
	}
	return "unknown error";
}

const char *
ff_err_msg(const ff_err *err)
{
	if (err == NULL)
		return "unknown error";
	return err->msg[0] != '\0' ? err->msg : ff_strerror(err->rc);
}
