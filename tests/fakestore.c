/*
 * fakestore.c -- a scripted stand-in for `ffstore serve` in the agent's
 * tests: POST /v1/profiles answered from a script, every request logged.
 *
 *     ff_fakestore --port-file F [--log F] [--save-dir D] [--token T]
 *                  [--script A,B,...] [--max-body N] [--idle S]
 *
 * Listens on 127.0.0.1 with an ephemeral port, written to --port-file
 * once it accepts connections.  Each request takes the next action of
 * the script; when the script is used up, every request is "store":
 *
 *   | action     | answer                                               |
 *   |------------|------------------------------------------------------|
 *   | store      | 201 {"id":"N","hash":"H"} for a new body, 200        |
 *   |            | {"duplicate":true,...} for one seen before            |
 *   | CODE       | that status with {"error":"scripted CODE"}           |
 *   | CODE:ra=S  | the same with "Retry-After: S"                       |
 *   | drop       | read the request, close without an answer            |
 *   | hang:S     | read the request, wait S seconds, close              |
 *
 * Bodies above --max-body get 413 without taking an action.  With
 * --token, a request without "Authorization: Bearer T" gets 401.  The log
 * has one line per request:
 *
 *     MS CONN METHOD PATH STATUS BYTES HASH CONTENT-TYPE AUTH
 *
 * (MS: milliseconds since start; CONN: the connection's number, to see
 * keep-alive; AUTH: "bearer" when a bearer token came, else "-").  With
 * --save-dir, stored bodies are saved as D/N.ffp.  It exits on SIGTERM
 * or SIGINT, or after --idle seconds without a request (default 120).
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { MAXCONN = 16, HEAD_MAX = 16384, MAXSEEN = 100000 };

struct conn {
	int fd;
	unsigned id;
	char head[HEAD_MAX + 1];
	size_t hlen;
	int have_head;
	uint64_t want, got;        /* body bytes */
	uint64_t hash;
	FILE *save;                /* while saving a body */
	char savepath[4200];
	char method[16], path[256], ctype[128];
	int bearer, bad_token, expect, chunked, too_big;
};

static struct {
	const char *port_file, *log_path, *save_dir, *token;
	char **script;
	size_t nscript, next;
	uint64_t max_body;
	unsigned idle_s;
	FILE *log;
	uint64_t seen[MAXSEEN];
	size_t nseen;
	unsigned stored, conns;
	struct timespec t0;
} g;

static volatile sig_atomic_t stop;

static void
on_signal(int s)
{
	(void)s;
	stop = 1;
}

static uint64_t
ms_since_start(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)(t.tv_sec - g.t0.tv_sec) * 1000 +
	    (uint64_t)(t.tv_nsec / 1000000) -
	    (uint64_t)(g.t0.tv_nsec / 1000000);
}

static void
send_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, 0);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

/* One send for head and body: two small sends would meet Nagle and
 * delayed ACKs (40 ms a response). */
static void
respond(int fd, int status, const char *body, const char *extra)
{
	char msg[1024];
	int n = snprintf(msg, sizeof msg, "HTTP/1.1 %d X\r\nContent-Type: "
	    "application/json\r\nContent-Length: %zu\r\n%s\r\n%s", status,
	    strlen(body), extra, body);

	send_all(fd, msg, (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1);
}

/* ---- parsing the request head -------------------------------------------- */

static const char *
header(struct conn *c, const char *name)
{
	size_t n = strlen(name);
	char *p = strstr(c->head, "\r\n");

	while (p != NULL && p[2] != '\r') {
		p += 2;
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			p += n + 1;
			while (*p == ' ')
				p++;
			return p;
		}
		p = strstr(p, "\r\n");
	}
	return NULL;
}

static void
parse_head(struct conn *c)
{
	const char *v;
	char tok[300];

	if (sscanf(c->head, "%15s %255s", c->method, c->path) != 2) {
		strcpy(c->method, "?");
		strcpy(c->path, "?");
	}
	c->want = (v = header(c, "Content-Length")) != NULL ?
	    strtoull(v, NULL, 10) : 0;
	c->chunked = header(c, "Transfer-Encoding") != NULL;
	c->expect = (v = header(c, "Expect")) != NULL &&
	    strncasecmp(v, "100-continue", 12) == 0;
	v = header(c, "Content-Type");
	snprintf(c->ctype, sizeof c->ctype, "%.*s", v != NULL ?
	    (int)strcspn(v, "\r") : 1, v != NULL ? v : "-");
	v = header(c, "Authorization");
	c->bearer = v != NULL && strncmp(v, "Bearer ", 7) == 0;
	if (g.token != NULL) {
		snprintf(tok, sizeof tok, "Bearer %s\r", g.token);
		c->bad_token = v == NULL || strncmp(v, tok, strlen(tok)) != 0;
	}
	c->too_big = g.max_body > 0 && c->want > g.max_body;
	c->got = 0;
	c->hash = 0xCBF29CE484222325ull;
}

/* ---- answering ----------------------------------------------------------- */

static int
seen_before(uint64_t h)
{
	size_t i;

	for (i = 0; i < g.nseen; i++)
		if (g.seen[i] == h)
			return 1;
	if (g.nseen < MAXSEEN)
		g.seen[g.nseen++] = h;
	return 0;
}

static int
do_store(struct conn *c, char *body, size_t cap)
{
	if (seen_before(c->hash)) {
		snprintf(body, cap, "{\"duplicate\":true,\"hash\":\"%016llx\"}",
		    (unsigned long long)c->hash);
		return 200;
	}
	g.stored++;
	if (g.save_dir != NULL) {
		char final[4300];

		snprintf(final, sizeof final, "%s/%u.ffp", g.save_dir,
		    g.stored);
		rename(c->savepath, final);
	}
	snprintf(body, cap, "{\"id\":\"%u\",\"hash\":\"%016llx\"}", g.stored,
	    (unsigned long long)c->hash);
	return 201;
}

/* Answer the request; 0 to keep the connection, -1 to close it. */
static int
answer(struct conn *c)
{
	const char *act = "store";
	char body[256], extra[64] = "";
	int status, keep = 0;
	unsigned secs;

	if (c->save != NULL) {
		fclose(c->save);
		c->save = NULL;
	}
	if (!c->bad_token && g.next < g.nscript)
		act = g.script[g.next++];
	if (c->bad_token) {
		status = 401;
		snprintf(body, sizeof body, "{\"error\":\"bad token\"}");
	} else if (strcmp(act, "store") == 0) {
		status = do_store(c, body, sizeof body);
	} else if (strcmp(act, "drop") == 0) {
		status = 0;
		keep = -1;
	} else if (sscanf(act, "hang:%u", &secs) == 1) {
		sleep(secs);
		status = 0;
		keep = -1;
	} else {
		status = atoi(act);
		snprintf(body, sizeof body, "{\"error\":\"scripted %d\"}",
		    status);
		if (strstr(act, ":ra=") != NULL)
			snprintf(extra, sizeof extra, "Retry-After: %s\r\n",
			    strstr(act, ":ra=") + 4);
	}
	if (status != 201 && g.save_dir != NULL)
		unlink(c->savepath);
	fprintf(g.log, "%llu %u %s %s %d %llu %016llx %s %s\n",
	    (unsigned long long)ms_since_start(), c->id, c->method, c->path,
	    status, (unsigned long long)c->got, (unsigned long long)c->hash,
	    c->ctype, c->bearer ? "bearer" : "-");
	fflush(g.log);
	if (status != 0)
		respond(c->fd, status, body, extra);
	return keep;
}

static int
reject_early(struct conn *c, int status, const char *msg)
{
	char body[128];

	snprintf(body, sizeof body, "{\"error\":\"%s\"}", msg);
	fprintf(g.log, "%llu %u %s %s %d 0 0 %s %s\n",
	    (unsigned long long)ms_since_start(), c->id, c->method, c->path,
	    status, c->ctype, c->bearer ? "bearer" : "-");
	fflush(g.log);
	respond(c->fd, status, body, "Connection: close\r\n");
	return -1;
}

/* ---- the connection's bytes ---------------------------------------------- */

static void
body_bytes(struct conn *c, const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		c->hash = (c->hash ^ (unsigned char)p[i]) * 0x100000001B3ull;
	if (c->save != NULL)
		fwrite(p, 1, n, c->save);
	c->got += n;
}

static int
head_done(struct conn *c)
{
	parse_head(c);
	if (c->chunked)
		return reject_early(c, 411, "length required");
	if (c->too_big)
		return reject_early(c, 413, "profile too large");
	if (c->expect)
		send_all(c->fd, "HTTP/1.1 100 Continue\r\n\r\n", 25);
	if (g.save_dir != NULL) {
		snprintf(c->savepath, sizeof c->savepath, "%s/.part-%u",
		    g.save_dir, c->id);
		c->save = fopen(c->savepath, "wb");
	}
	return 0;
}

/* Consume buf[0..n); -1 to close. */
static int
feed(struct conn *c, const char *buf, size_t n)
{
	while (n > 0) {
		if (!c->have_head) {
			char *end;
			size_t room = HEAD_MAX - c->hlen;
			size_t take = room < n ? room : n;

			memcpy(c->head + c->hlen, buf, take);
			c->hlen += take;
			c->head[c->hlen] = '\0';
			if ((end = strstr(c->head, "\r\n\r\n")) == NULL) {
				if (c->hlen == HEAD_MAX)
					return -1;
				return 0;
			}
			size_t used = (size_t)(end + 4 - c->head) -
			    (c->hlen - take);
			c->have_head = 1;
			buf += used;
			n -= used;
			if (head_done(c) != 0)
				return -1;
		}
		size_t want = (size_t)(c->want - c->got < n ? c->want - c->got :
		    n);

		body_bytes(c, buf, want);
		buf += want;
		n -= want;
		if (c->got == c->want) {
			if (answer(c) != 0)
				return -1;
			c->have_head = 0;
			c->hlen = 0;
		}
	}
	return 0;
}

/* ---- main loop ----------------------------------------------------------- */

static int
listen_local(void)
{
	struct sockaddr_in a;
	socklen_t len = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	FILE *f;
	char tmp[4200];

	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
	    listen(fd, 64) != 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
		perror("ff_fakestore: listen");
		exit(1);
	}
	snprintf(tmp, sizeof tmp, "%s.tmp", g.port_file);
	if ((f = fopen(tmp, "w")) == NULL) {
		perror(tmp);
		exit(1);
	}
	fprintf(f, "%u\n", ntohs(a.sin_port));
	fclose(f);
	rename(tmp, g.port_file);
	return fd;
}

static void
close_conn(struct conn *c)
{
	if (c->save != NULL) {
		fclose(c->save);
		unlink(c->savepath);
	}
	close(c->fd);
	c->fd = -1;
}

static void
serve(int lfd)
{
	static struct conn conns[MAXCONN];
	struct pollfd pf[MAXCONN + 1];
	uint64_t last = ms_since_start();
	char buf[65536];
	int i, n;

	for (i = 0; i < MAXCONN; i++)
		conns[i].fd = -1;
	while (!stop && ms_since_start() - last < g.idle_s * 1000ull) {
		pf[0].fd = lfd;
		pf[0].events = POLLIN;
		for (i = 0; i < MAXCONN; i++) {
			pf[i + 1].fd = conns[i].fd;
			pf[i + 1].events = POLLIN;
		}
		if (poll(pf, MAXCONN + 1, 200) <= 0)
			continue;
		if (pf[0].revents & POLLIN) {
			int fd = accept(lfd, NULL, NULL);

			for (i = 0; fd >= 0 && i < MAXCONN; i++)
				if (conns[i].fd < 0) {
					memset(&conns[i], 0, sizeof conns[i]);
					conns[i].fd = fd;
					conns[i].id = ++g.conns;
					break;
				}
			if (fd >= 0 && i == MAXCONN)
				close(fd);
		}
		for (i = 0; i < MAXCONN; i++) {
			if (conns[i].fd < 0 || !(pf[i + 1].revents &
			    (POLLIN | POLLHUP | POLLERR)))
				continue;
			last = ms_since_start();
			n = (int)recv(conns[i].fd, buf, sizeof buf, 0);
			if (n <= 0 || feed(&conns[i], buf, (size_t)n) != 0)
				close_conn(&conns[i]);
		}
	}
}

static void
split_script(char *s)
{
	char *p;

	for (p = strtok(s, ","); p != NULL; p = strtok(NULL, ",")) {
		g.script = realloc(g.script,
		    (g.nscript + 1) * sizeof *g.script);
		g.script[g.nscript++] = p;
	}
}

int
main(int argc, char **argv)
{
	struct sigaction sa;
	int i, lfd;

	g.idle_s = 120;
	for (i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--port-file") == 0)
			g.port_file = argv[i + 1];
		else if (strcmp(argv[i], "--log") == 0)
			g.log_path = argv[i + 1];
		else if (strcmp(argv[i], "--save-dir") == 0)
			g.save_dir = argv[i + 1];
		else if (strcmp(argv[i], "--token") == 0)
			g.token = argv[i + 1];
		else if (strcmp(argv[i], "--script") == 0)
			split_script(argv[i + 1]);
		else if (strcmp(argv[i], "--max-body") == 0)
			g.max_body = strtoull(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "--idle") == 0)
			g.idle_s = (unsigned)atoi(argv[i + 1]);
		else
			break;
	}
	if (i < argc || g.port_file == NULL) {
		fputs("usage: ff_fakestore --port-file F [--log F] "
		    "[--save-dir D] [--token T] [--script A,B,...] "
		    "[--max-body N] [--idle S]\n", stderr);
		return 2;
	}
	g.log = g.log_path != NULL ? fopen(g.log_path, "a") : stderr;
	if (g.log == NULL) {
		perror(g.log_path);
		return 1;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	clock_gettime(CLOCK_MONOTONIC, &g.t0);
	lfd = listen_local();
	serve(lfd);
	close(lfd);
	free(g.script);
	return 0;
}
