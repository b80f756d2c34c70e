/*
 * ffbrowse.c -- drive Debian's headless Chromium from a test script.
 *
 *   ffbrowse [-v] [--timeout SEC] SCRIPT
 *
 * Starts /usr/bin/chromium (or $FFBROWSE_CHROMIUM) headless with a fresh
 * profile directory, talks to it over the DevTools protocol on
 * --remote-debugging-pipe (fds 3 and 4, NUL-terminated JSON messages) and
 * runs SCRIPT, one command per line:
 *
 * | command            | does                                              |
 * |--------------------|---------------------------------------------------|
 * | open URL           | navigate and wait for the load event              |
 * | eval JS            | evaluate JS, print the result as JSON             |
 * | expect JS          | fail unless JS evaluates to true                  |
 * | click SELECTOR     | scroll the first match into view, click its centre|
 * | hover SELECTOR     | move the mouse to the centre of the first match   |
 * | key [ctrl+]KEY     | press a letter, digit, Escape or F1-F12           |
 * | prompt TEXT        | answer the next prompt() dialog with TEXT         |
 * | wait MS            | sleep                                             |
 * | screenshot FILE    | save a PNG of the viewport                        |
 * | noerrors           | fail if a console error, an uncaught exception or |
 * |                    | a failed load was seen                            |
 * | nodialogs          | fail if an unexpected alert/confirm/prompt opened |
 *
 * Blank lines and lines starting with '#' are ignored.  Every dialog is
 * answered (an unexpected one is dismissed and remembered), so a page
 * cannot hang the test.
 *
 * Exit status: 0 all commands passed, 1 a command failed, 2 usage or
 * protocol error, 77 Chromium is not installed (ctest: skipped).  The
 * browser is always stopped (its whole process group, by id) and its
 * profile directory removed, also on a timeout or a signal.
 */
#define _XOPEN_SOURCE 700
#include <jansson.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { EXIT_FAIL = 1, EXIT_USAGE = 2, EXIT_SKIP = 77 };

static struct {
	pid_t pid;                 /* the browser, leader of its group */
	int to, from;              /* pipe ends: commands out, replies in */
	char profile[256];         /* --user-data-dir */
	char *buf;                 /* unparsed input from the browser */
	size_t len, cap;
	int next_id;
	char session[128];
	int verbose, timeout;
	int loaded;                /* Page.loadEventFired seen */
	char *prompt_answer;       /* for the next prompt() */
	int errors, dialogs;       /* problems seen so far */
	char first_error[512];
} B;

static void
say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("ffbrowse: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static void
msleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* ---- the browser's lifetime ------------------------------------------ */

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(path);
}

static void
stop_browser(void)
{
	int i, status;

	if (B.pid > 0) {
		if (B.to >= 0)
			close(B.to);
		B.to = -1;
		for (i = 0; i < 30; i++) {
			if (waitpid(B.pid, &status, WNOHANG) != 0)
				break;
			msleep(100);
		}
		kill(-B.pid, SIGKILL);
		waitpid(B.pid, &status, 0);
		B.pid = 0;
	}
	if (B.profile[0] != '\0') {
		nftw(B.profile, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
		B.profile[0] = '\0';
	}
}

static void
on_signal(int sig)
{
	if (B.pid > 0)
		kill(-B.pid, SIGKILL);
	signal(sig, SIG_DFL);
	raise(sig);
}

static const char *
chromium_path(void)
{
	const char *p = getenv("FFBROWSE_CHROMIUM");

	return p != NULL && p[0] != '\0' ? p : "/usr/bin/chromium";
}

static void
exec_browser(const char *path, int in, int out)
{
	char dir[300];
	int devnull = open("/dev/null", O_RDWR);

	snprintf(dir, sizeof dir, "--user-data-dir=%s", B.profile);
	setpgid(0, 0);
	if (dup2(in, 3) < 0 || dup2(out, 4) < 0)
		_exit(127);
	if (devnull >= 0 && !B.verbose) {
		dup2(devnull, 1);
		dup2(devnull, 2);
	}
	execl(path, path, "--headless", "--no-sandbox", "--disable-gpu",
	    "--disable-background-networking", "--disable-component-update",
	    "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
	    "--disable-extensions", "--hide-scrollbars", "--mute-audio",
	    "--window-size=1280,1400", "--remote-debugging-pipe", dir,
	    "about:blank", (char *)NULL);
	_exit(127);
}

static int
start_browser(void)
{
	const char *path = chromium_path();
	const char *tmp = getenv("TMPDIR");
	int in[2], out[2];

	snprintf(B.profile, sizeof B.profile, "%s/ffbrowse.XXXXXX",
	    tmp != NULL ? tmp : "/tmp");
	if (mkdtemp(B.profile) == NULL) {
		B.profile[0] = '\0';
		say("mkdtemp: %s", strerror(errno));
		return -1;
	}
	if (pipe(in) != 0 || pipe(out) != 0)
		return -1;
	B.pid = fork();
	if (B.pid < 0)
		return -1;
	if (B.pid == 0) {
		close(in[1]);
		close(out[0]);
		exec_browser(path, in[0], out[1]);
	}
	setpgid(B.pid, B.pid);
	close(in[0]);
	close(out[1]);
	B.to = in[1];
	B.from = out[0];
	return 0;
}

/* ---- messages ------------------------------------------------------- */

static int
send_msg(json_t *msg)
{
	char *s = json_dumps(msg, JSON_COMPACT);
	size_t n = s != NULL ? strlen(s) + 1 : 0, off = 0;

	if (s == NULL)
		return -1;
	if (B.verbose)
		fprintf(stderr, "-> %.300s\n", s);
	while (off < n) {
		ssize_t w = write(B.to, s + off, n - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			free(s);
			return -1;
		}
		off += (size_t)w;
	}
	free(s);
	return 0;
}

/* Send method(params) to the page session; the message id. */
static int
call_async(const char *method, json_t *params, int session)
{
	json_t *msg = json_object();
	int id = ++B.next_id;

	json_object_set_new(msg, "id", json_integer(id));
	json_object_set_new(msg, "method", json_string(method));
	json_object_set_new(msg, "params", params != NULL ? params :
	    json_object());
	if (session && B.session[0] != '\0')
		json_object_set_new(msg, "sessionId", json_string(B.session));
	id = send_msg(msg) == 0 ? id : -1;
	json_decref(msg);
	return id;
}

/* The next whole message from the browser, or NULL at the deadline. */
static json_t *
read_msg(time_t deadline)
{
	for (;;) {
		char *nul = B.len > 0 ? memchr(B.buf, '\0', B.len) : NULL;
		struct pollfd p = { B.from, POLLIN, 0 };
		ssize_t r;

		if (nul != NULL) {
			size_t n = (size_t)(nul - B.buf) + 1;
			json_t *m = json_loadb(B.buf, n - 1, 0, NULL);

			if (B.verbose)
				fprintf(stderr, "<- %.300s\n", B.buf);
			memmove(B.buf, B.buf + n, B.len - n);
			B.len -= n;
			return m != NULL ? m : json_object();
		}
		if (time(NULL) >= deadline || poll(&p, 1, 200) < 0)
			return NULL;
		if (!(p.revents & (POLLIN | POLLHUP)))
			continue;
		if (B.cap - B.len < 65536) {
			char *nb = realloc(B.buf, B.cap * 2 + 65536);

			if (nb == NULL)
				return NULL;
			B.buf = nb;
			B.cap = B.cap * 2 + 65536;
		}
		r = read(B.from, B.buf + B.len, B.cap - B.len);
		if (r <= 0 && !(r < 0 && errno == EINTR))
			return NULL;
		if (r > 0)
			B.len += (size_t)r;
	}
}

static void
note_error(const char *what, const char *text)
{
	if (B.errors++ == 0)
		snprintf(B.first_error, sizeof B.first_error, "%s: %s", what,
		    text != NULL ? text : "(no text)");
}

static void
on_dialog(json_t *params)
{
	const char *type = json_string_value(json_object_get(params, "type"));
	const char *text = json_string_value(json_object_get(params,
	    "message"));
	json_t *p = json_object();

	if (type != NULL && strcmp(type, "prompt") == 0 &&
	    B.prompt_answer != NULL) {
		json_object_set_new(p, "accept", json_true());
		json_object_set_new(p, "promptText",
		    json_string(B.prompt_answer));
		free(B.prompt_answer);
		B.prompt_answer = NULL;
	} else {
		say("unexpected %s dialog: %s", type != NULL ? type : "?",
		    text != NULL ? text : "");
		B.dialogs++;
		json_object_set_new(p, "accept", json_false());
	}
	call_async("Page.handleJavaScriptDialog", p, 1);
}

/* Console errors, exceptions and failed loads all count as errors. */
static void
on_event(const char *method, json_t *params)
{
	if (strcmp(method, "Page.loadEventFired") == 0) {
		B.loaded = 1;
	} else if (strcmp(method, "Page.javascriptDialogOpening") == 0) {
		on_dialog(params);
	} else if (strcmp(method, "Runtime.exceptionThrown") == 0) {
		json_t *d = json_object_get(params, "exceptionDetails");
		json_t *ex = json_object_get(d, "exception");

		note_error("exception", json_string_value(json_object_get(
		    ex != NULL ? ex : d, ex != NULL ? "description" : "text")));
	} else if (strcmp(method, "Runtime.consoleAPICalled") == 0) {
		const char *type = json_string_value(json_object_get(params,
		    "type"));
		json_t *args = json_object_get(params, "args");
		json_t *arg = json_array_get(args, 0);

		if (type != NULL && strcmp(type, "error") == 0)
			note_error("console.error", json_string_value(
			    json_object_get(arg, "value")));
	} else if (strcmp(method, "Log.entryAdded") == 0) {
		json_t *e = json_object_get(params, "entry");
		const char *level = json_string_value(json_object_get(e,
		    "level"));

		if (level != NULL && strcmp(level, "error") == 0)
			note_error("log", json_string_value(json_object_get(e,
			    "text")));
	}
}

/* Wait for the reply to id, handling events meanwhile.  The result
 * object (a new reference), or NULL on error or timeout. */
static json_t *
wait_reply(int id)
{
	time_t deadline = time(NULL) + B.timeout;
	json_t *m;

	while ((m = read_msg(deadline)) != NULL) {
		json_t *mid = json_object_get(m, "id");
		const char *method = json_string_value(json_object_get(m,
		    "method"));

		if (mid != NULL && json_integer_value(mid) == id) {
			json_t *res = json_object_get(m, "result");
			json_t *err = json_object_get(m, "error");

			if (err != NULL)
				say("protocol error: %s", json_string_value(
				    json_object_get(err, "message")));
			res = err == NULL && res != NULL ? json_incref(res) :
			    NULL;
			json_decref(m);
			return res;
		}
		if (method != NULL)
			on_event(method, json_object_get(m, "params"));
		json_decref(m);
	}
	say("no reply from the browser (timeout %d s)", B.timeout);
	return NULL;
}

static json_t *
call(const char *method, json_t *params, int session)
{
	int id = call_async(method, params, session);

	return id < 0 ? NULL : wait_reply(id);
}

/* Call and drop the result; 0 on success. */
static int
call0(const char *method, json_t *params)
{
	json_t *r = call(method, params, 1);

	json_decref(r);
	return r != NULL ? 0 : -1;
}

/* Attach to the first page and enable the domains we listen to. */
static int
attach(void)
{
	json_t *r = NULL, *infos, *t, *p;
	const char *target = NULL, *sid;
	size_t i;
	int tries;

	/* The first page may take a moment to appear. */
	for (tries = 0; target == NULL && tries < 100; tries++) {
		json_decref(r);
		if (tries > 0)
			msleep(100);
		if ((r = call("Target.getTargets", NULL, 0)) == NULL)
			return -1;
		infos = json_object_get(r, "targetInfos");
		json_array_foreach(infos, i, t) {
			const char *type = json_string_value(json_object_get(t,
			    "type"));

			if (type != NULL && strcmp(type, "page") == 0) {
				target = json_string_value(json_object_get(t,
				    "targetId"));
				break;
			}
		}
	}
	if (target == NULL) {
		json_decref(r);
		say("no page target");
		return -1;
	}
	p = json_pack("{s:s, s:b}", "targetId", target, "flatten", 1);
	json_decref(r);
	r = call("Target.attachToTarget", p, 0);
	sid = json_string_value(json_object_get(r, "sessionId"));
	if (sid == NULL) {
		json_decref(r);
		return -1;
	}
	snprintf(B.session, sizeof B.session, "%s", sid);
	json_decref(r);
	return call0("Page.enable", NULL) || call0("Runtime.enable", NULL) ||
	    call0("Log.enable", NULL);
}

/* ---- commands ------------------------------------------------------- */

/* Evaluate js; the value (new reference) or NULL, with the exception
 * reported. */
static json_t *
evaluate(const char *js)
{
	json_t *p = json_pack("{s:s, s:b, s:b}", "expression", js,
	    "returnByValue", 1, "awaitPromise", 1);
	json_t *r = call("Runtime.evaluate", p, 1), *v;

	if (r == NULL)
		return NULL;
	if (json_object_get(r, "exceptionDetails") != NULL) {
		json_t *d = json_object_get(r, "exceptionDetails");
		json_t *ex = json_object_get(d, "exception");

		say("exception: %s", json_string_value(json_object_get(ex,
		    "description")));
		json_decref(r);
		return NULL;
	}
	v = json_object_get(json_object_get(r, "result"), "value");
	v = v != NULL ? json_incref(v) : json_null();
	json_decref(r);
	return v;
}

static int
cmd_open(const char *url)
{
	time_t deadline = time(NULL) + B.timeout;
	json_t *m;

	B.loaded = 0;
	if (call0("Page.navigate", json_pack("{s:s}", "url", url)) != 0)
		return -1;
	while (!B.loaded && (m = read_msg(deadline)) != NULL) {
		const char *method = json_string_value(json_object_get(m,
		    "method"));

		if (method != NULL)
			on_event(method, json_object_get(m, "params"));
		json_decref(m);
	}
	if (!B.loaded)
		say("%s did not load", url);
	return B.loaded ? 0 : -1;
}

static int
cmd_eval(const char *js, int expect)
{
	json_t *v = evaluate(js);
	char *s;

	if (v == NULL)
		return -1;
	if (expect) {
		int ok = json_is_true(v);

		if (!ok) {
			s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
			say("expected true: %s (got %s)", js, s);
			free(s);
		}
		json_decref(v);
		return ok ? 0 : -1;
	}
	s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	printf("%s\n", s != NULL ? s : "?");
	free(s);
	json_decref(v);
	return 0;
}

/* The centre of the first element matching selector. */
static int
centre(const char *selector, double *x, double *y)
{
	json_t *sel = json_string(selector), *v;
	char *q = json_dumps(sel, JSON_ENCODE_ANY);
	char js[2048];

	snprintf(js, sizeof js, "(function(){var e=document.querySelector(%s);"
	    "if(!e)return null;e.scrollIntoView({block:'center',"
	    "inline:'center'});var r=e.getBoundingClientRect();"
	    "return [r.left+r.width/2,r.top+r.height/2];})()", q);
	free(q);
	json_decref(sel);
	v = evaluate(js);
	if (!json_is_array(v)) {
		say("no element matches %s", selector);
		json_decref(v);
		return -1;
	}
	*x = json_number_value(json_array_get(v, 0));
	*y = json_number_value(json_array_get(v, 1));
	json_decref(v);
	return 0;
}

static int
mouse(const char *type, double x, double y)
{
	json_t *p = json_pack("{s:s, s:f, s:f, s:s, s:i}", "type", type, "x",
	    x, "y", y, "button", strcmp(type, "mouseMoved") == 0 ? "none" :
	    "left", "clickCount", strcmp(type, "mouseMoved") == 0 ? 0 : 1);

	return call0("Input.dispatchMouseEvent", p);
}

static int
cmd_click(const char *selector, int click)
{
	double x, y;

	if (centre(selector, &x, &y) != 0 || mouse("mouseMoved", x, y) != 0)
		return -1;
	if (!click)
		return 0;
	return mouse("mousePressed", x, y) || mouse("mouseReleased", x, y);
}

/* key [ctrl+]K: K a letter, a digit, Escape or F1..F12. */
static int
cmd_key(const char *spec)
{
	int ctrl = strncmp(spec, "ctrl+", 5) == 0, code;
	const char *k = ctrl ? spec + 5 : spec;
	char key[16], codename[16];
	const char *type[2] = { "rawKeyDown", "keyUp" };
	int i;

	if (strlen(k) == 1 && ((*k >= 'a' && *k <= 'z') ||
	    (*k >= '0' && *k <= '9'))) {
		code = *k >= 'a' ? *k - 'a' + 'A' : *k;
		snprintf(key, sizeof key, "%c", *k);
		snprintf(codename, sizeof codename, *k >= 'a' ? "Key%c" :
		    "Digit%c", code);
	} else if (strcmp(k, "Escape") == 0) {
		code = 27;
		snprintf(key, sizeof key, "Escape");
		snprintf(codename, sizeof codename, "Escape");
	} else if (k[0] == 'F' && atoi(k + 1) >= 1 && atoi(k + 1) <= 12) {
		code = 111 + atoi(k + 1);
		snprintf(key, sizeof key, "%s", k);
		snprintf(codename, sizeof codename, "%s", k);
	} else {
		say("unknown key %s", spec);
		return -1;
	}
	for (i = 0; i < 2; i++)
		if (call0("Input.dispatchKeyEvent", json_pack("{s:s, s:i, s:s, "
		    "s:s, s:i, s:i}", "type", type[i], "modifiers",
		    ctrl ? 2 : 0, "key", key, "code", codename,
		    "windowsVirtualKeyCode", code, "nativeVirtualKeyCode",
		    code)) != 0)
			return -1;
	return 0;
}

static int
b64val(int c)
{
	const char *t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789+/", *p = c != 0 ? strchr(t, c) : NULL;

	return p != NULL ? (int)(p - t) : -1;
}

static int
cmd_screenshot(const char *path)
{
	json_t *r = call("Page.captureScreenshot",
	    json_pack("{s:s}", "format", "png"), 1);
	const char *data = json_string_value(json_object_get(r, "data"));
	unsigned acc = 0;
	int bits = 0, v, rc = -1;
	FILE *f;

	if (data == NULL || (f = fopen(path, "wb")) == NULL) {
		say("screenshot %s failed", path);
		json_decref(r);
		return -1;
	}
	for (; *data != '\0' && *data != '='; data++) {
		if ((v = b64val(*data)) < 0)
			continue;
		acc = acc << 6 | (unsigned)v;
		if ((bits += 6) >= 8) {
			bits -= 8;
			fputc((int)(acc >> bits) & 0xff, f);
		}
	}
	rc = fclose(f) == 0 ? 0 : -1;
	json_decref(r);
	return rc;
}

static int
cmd_check(int errors)
{
	if (errors && B.errors > 0) {
		say("%d error(s) in the page, the first: %s", B.errors,
		    B.first_error);
		return -1;
	}
	if (!errors && B.dialogs > 0) {
		say("%d unexpected dialog(s)", B.dialogs);
		return -1;
	}
	return 0;
}

static int
run_command(char *line)
{
	char *arg = strchr(line, ' ');

	if (arg != NULL)
		*arg++ = '\0';
	else
		arg = line + strlen(line);
	if (strcmp(line, "open") == 0)
		return cmd_open(arg);
	if (strcmp(line, "eval") == 0 || strcmp(line, "expect") == 0)
		return cmd_eval(arg, line[1] == 'x');
	if (strcmp(line, "click") == 0 || strcmp(line, "hover") == 0)
		return cmd_click(arg, line[0] == 'c');
	if (strcmp(line, "key") == 0)
		return cmd_key(arg);
	if (strcmp(line, "prompt") == 0) {
		free(B.prompt_answer);
		B.prompt_answer = strdup(arg);
		return 0;
	}
	if (strcmp(line, "wait") == 0)
		return msleep(atol(arg)), 0;
	if (strcmp(line, "screenshot") == 0)
		return cmd_screenshot(arg);
	if (strcmp(line, "noerrors") == 0 || strcmp(line, "nodialogs") == 0)
		return cmd_check(line[2] == 'e');
	say("unknown command '%s'", line);
	return -1;
}

static int
run_script(FILE *f)
{
	char line[8192];
	int lineno = 0;

	while (fgets(line, sizeof line, f) != NULL) {
		size_t n = strlen(line);

		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n == 0 || line[0] == '#')
			continue;
		if (B.verbose)
			say("%d: %s", lineno, line);
		if (run_command(line) != 0) {
			say("line %d failed: %s", lineno, line);
			return EXIT_FAIL;
		}
	}
	return 0;
}

int
main(int argc, char **argv)
{
	const char *script = NULL;
	FILE *f;
	int i, rc;

	B.timeout = 30;
	B.to = B.from = -1;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-v") == 0)
			B.verbose = 1;
		else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc)
			B.timeout = atoi(argv[++i]);
		else
			script = argv[i];
	}
	if (script == NULL || B.timeout <= 0) {
		fprintf(stderr,
		    "usage: ffbrowse [-v] [--timeout SEC] SCRIPT\n");
		return EXIT_USAGE;
	}
	if (access(chromium_path(), X_OK) != 0) {
		say("%s is not installed: skipped", chromium_path());
		return EXIT_SKIP;
	}
	if ((f = fopen(script, "r")) == NULL) {
		say("%s: %s", script, strerror(errno));
		return EXIT_USAGE;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGALRM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	alarm((unsigned)B.timeout * 10);
	atexit(stop_browser);
	if (start_browser() != 0 || attach() != 0) {
		say("could not start or attach to %s", chromium_path());
		fclose(f);
		return EXIT_USAGE;
	}
	rc = run_script(f);
	fclose(f);
	json_decref(call("Browser.close", NULL, 0));
	free(B.buf);
	free(B.prompt_answer);
	return rc;
}
