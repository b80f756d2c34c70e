/*
 * cmd_util.c -- helpers shared by ffstore's subcommands (see cmd.h).
 */
#include "store/cmd.h"
#include "profile/stamp.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

int
ff_cmd_fail(const ff_err *err)
{
	fprintf(stderr, "%s: %s\n", FF_CMD_PROG, ff_err_msg(err));
	return err->rc == FF_ERR_USAGE ? 2 : 1;
}

int
ff_cmd_usage_error(const char *sub, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s %s: ", FF_CMD_PROG, sub);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(see %s %s --help)\n", FF_CMD_PROG, sub);
	return 2;
}

ff_rc
ff_cmd_uint(const char *s, uint64_t lo, uint64_t hi, uint64_t *out,
    ff_err *err)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		goto bad;
	v = strtoull(s, &end, 10);
	if (*end != '\0' || v < lo || v > hi)
		goto bad;
	*out = v;
	return FF_OK;
bad:
	return ff_err_set(err, FF_ERR_USAGE, "'%s' is not a number from %llu "
	    "to %llu", s, (unsigned long long)lo, (unsigned long long)hi);
}

ff_rc
ff_cmd_size(const char *s, uint64_t *out, ff_err *err)
{
	unsigned long long v;
	unsigned shift = 0;
	char *end;

	if (*s < '0' || *s > '9')
		goto bad;
	v = strtoull(s, &end, 10);
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	default: break;
	}
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end != '\0' || v == 0 || v > (UINT64_MAX >> 1) >> shift)
		goto bad;
	*out = (uint64_t)v << shift;
	return FF_OK;
bad:
	return ff_err_set(err, FF_ERR_USAGE, "'%s' is not a size (e.g. 64M)",
	    s);
}

ff_rc
ff_cmd_sel_opt(ff_sel *sel, int opt, const char *arg, int *handled,
    ff_err *err)
{
	static const char *const keys[] = { "build", "host", "type", "since",
		"until" };
	const char *eq;
	char key[80];

	*handled = 1;
	if (opt >= FF_CMD_OPT_BUILD && opt <= FF_CMD_OPT_UNTIL) {
		const char *k = keys[opt - FF_CMD_OPT_BUILD];

		return ff_sel_set(sel, k, strlen(k), arg, strlen(arg),
		    ff_stamp_now(), err);
	}
	if (opt == FF_CMD_OPT_LABEL) {
		if ((eq = strchr(arg, '=')) == NULL || eq == arg ||
		    (size_t)(eq - arg) > 64)
			return ff_err_set(err, FF_ERR_USAGE, "--label takes "
			    "KEY=VALUE, not '%s'", arg);
		snprintf(key, sizeof key, "label.%.*s", (int)(eq - arg), arg);
		return ff_sel_set(sel, key, strlen(key), eq + 1,
		    strlen(eq + 1), ff_stamp_now(), err);
	}
	*handled = 0;
	return FF_OK;
}
