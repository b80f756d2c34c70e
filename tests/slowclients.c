/*
 * slowclients.c -- ff-slowclients: hostile HTTP clients for the store's
 * tests (store_hostile.sh), on 127.0.0.1.
 *
 *   ff-slowclients flood --port P --conns N [--seconds S] [--status F]
 *       Opens N connections and holds them: a third idle (connected,
 *       silent), a third sending a POST's headers one byte at a time
 *       (slowloris), a third sending complete POST headers and then the
 *       body one byte at a time.  Every 200 ms each dripping connection
 *       sends one byte.  Writes "ready N" to F once all are connected,
 *       then "open X closed Y answered Z bytes B" each second; stops after
 *       S seconds (default: at SIGTERM or SIGINT) and prints that line.
 *       Exit 77 when N + 64 file descriptors cannot be had.
 *
 *   ff-slowclients probe --port P KIND [--bytes N]
 *       Sends one oversized request and prints "STATUS SENT": the status
 *       of the answer and how many bytes of the oversized part (header,
 *       URL or body) were sent before it came (the sender stops as soon
 *       as an answer is readable):
 *         header   a 70 KiB header value              (want 431)
 *         headers  10,000 small headers               (want 431)
 *         url      a 70 KiB URL                       (want 414)
 *         length   POST with Content-Length 10^12 and no body (want 413
 *                  with nothing sent)
 *         expect   the same with Expect: 100-continue (want 413, no 100)
 *         chunked  POST, chunked, N bytes (default 8 MiB) of body
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { SKIP = 77, ROUND_MS = 200, SLACK_FDS = 64 };

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
nap_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR && !stop)
		;
}

static int
connect_to(unsigned port)
{
	struct sockaddr_in sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* ---- flood --------------------------------------------------------------- */

enum kind { IDLE, HEADER_DRIP, BODY_DRIP };

struct conn {
	int fd;              /* -1 once closed */
	enum kind kind;
	size_t pos;          /* bytes of its script sent */
};

static const char header_script[] = "POST /v1/profiles HTTP/1.1\r\n"
    "Host: 127.0.0.1\r\nContent-Type: application/zstd\r\n"
    "X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
static const char body_head[] = "POST /v1/profiles HTTP/1.1\r\n"
    "Host: 127.0.0.1\r\nContent-Type: application/zstd\r\n"
    "Content-Length: 100000\r\n\r\n";

/* Raise the descriptor limit to want; 0 or -1. */
static int
enough_fds(unsigned long want)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return -1;
	if (rl.rlim_cur >= want)
		return 0;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want)
		return -1;
	rl.rlim_cur = want;
	return setrlimit(RLIMIT_NOFILE, &rl);
}

/* One byte of c's script (the body drip sends its headers at once). */
static void
drip(struct conn *c, unsigned long *bytes)
{
	const char *s = c->kind == HEADER_DRIP ? header_script : "x";
	size_t len = c->kind == HEADER_DRIP ? sizeof header_script - 1 : 1;
	ssize_t w;

	if (c->kind == IDLE || c->fd < 0)
		return;
	if (c->kind == HEADER_DRIP && c->pos >= len)
		return;   /* the header never ends: it just stops growing */
	w = send(c->fd, s + (c->kind == HEADER_DRIP ? c->pos : 0), 1,
	    MSG_NOSIGNAL);
	if (w == 1) {
		c->pos++;
		(*bytes)++;
	}
}

/* Notice connections the server closed or answered. */
static void
reap(struct conn *cs, struct pollfd *pf, unsigned n, unsigned *closed,
    unsigned *answered)
{
	char buf[4096];
	unsigned i, k = 0;

	for (i = 0; i < n; i++) {
		if (cs[i].fd < 0)
			continue;
		pf[k].fd = cs[i].fd;
		pf[k].events = POLLIN;
		pf[k].revents = 0;
		k++;
	}
	if (k == 0 || poll(pf, k, 0) <= 0)
		return;
	for (i = 0, k = 0; i < n; i++) {
		ssize_t r;

		if (cs[i].fd < 0)
			continue;
		if (pf[k++].revents == 0)
			continue;
		r = recv(cs[i].fd, buf, sizeof buf, MSG_DONTWAIT);
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			continue;
		if (r > 0)
			(*answered)++;
		else
			(*closed)++;
		close(cs[i].fd);
		cs[i].fd = -1;
	}
}

static void
report(const char *path, const char *line)
{
	char tmp[4096];
	FILE *f;

	if (path == NULL)
		return;
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	if ((f = fopen(tmp, "w")) == NULL)
		return;
	fprintf(f, "%s\n", line);
	if (fclose(f) == 0)
		rename(tmp, path);
}

static int
flood(unsigned port, unsigned n, double seconds, const char *status)
{
	struct conn *cs = calloc(n, sizeof *cs);
	struct pollfd *pf = calloc(n, sizeof *pf);
	unsigned i, closed = 0, answered = 0, open;
	unsigned long bytes = 0;
	double t0, next;
	char line[200];

	if (cs == NULL || pf == NULL)
		return 1;
	if (enough_fds(n + SLACK_FDS) != 0) {
		fprintf(stderr, "ff-slowclients: cannot have %u file "
		    "descriptors: skipped\n", n + SLACK_FDS);
		return SKIP;
	}
	for (i = 0; i < n; i++) {
		cs[i].kind = (enum kind)(i % 3);
		if ((cs[i].fd = connect_to(port)) < 0) {
			fprintf(stderr, "ff-slowclients: connection %u: %s\n",
			    i, strerror(errno));
			return 1;
		}
		fcntl(cs[i].fd, F_SETFL, O_NONBLOCK);
		if (cs[i].kind == BODY_DRIP &&
		    send(cs[i].fd, body_head, sizeof body_head - 1,
		    MSG_NOSIGNAL) != (ssize_t)(sizeof body_head - 1))
			return 1;
	}
	snprintf(line, sizeof line, "ready %u", n);
	report(status, line);
	t0 = now_s();
	next = t0;
	while (!stop && (seconds <= 0 || now_s() - t0 < seconds)) {
		for (i = 0; i < n; i++)
			drip(&cs[i], &bytes);
		reap(cs, pf, n, &closed, &answered);
		for (open = 0, i = 0; i < n; i++)
			open += cs[i].fd >= 0;
		snprintf(line, sizeof line, "open %u closed %u answered %u "
		    "bytes %lu", open, closed, answered, bytes);
		if (now_s() >= next) {
			report(status, line);
			next += 1;
		}
		nap_ms(ROUND_MS);
	}
	report(status, line);
	printf("%s\n", line);
	for (i = 0; i < n; i++)
		if (cs[i].fd >= 0)
			close(cs[i].fd);
	free(cs);
	free(pf);
	return 0;
}

/* ---- probes -------------------------------------------------------------- */

/* Whether an answer is readable on fd now. */
static int
answered(int fd)
{
	struct pollfd p = { fd, POLLIN, 0 };

	return poll(&p, 1, 0) > 0;
}

/* Send all of p unless an answer arrives first; adds what went out to
 * *sent.  0, or 1 when answered. */
static int
send_part(int fd, const char *p, size_t len, unsigned long *sent)
{
	while (len > 0) {
		ssize_t w;

		if (answered(fd))
			return 1;
		w = send(fd, p, len, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return 1;   /* the server closed: read its answer */
		p += w;
		len -= (size_t)w;
		*sent += (unsigned long)w;
	}
	return 0;
}

/* The status of the answer on fd (waiting up to 10 s), or 0. */
static unsigned
status_of(int fd)
{
	struct pollfd p = { fd, POLLIN, 0 };
	char buf[256];
	ssize_t r;
	unsigned st = 0;

	if (poll(&p, 1, 10000) <= 0)
		return 0;
	r = recv(fd, buf, sizeof buf - 1, 0);
	if (r <= 0)
		return 0;
	buf[r] = '\0';
	if (sscanf(buf, "HTTP/1.%*d %u", &st) != 1)
		return 0;
	return st;
}

static int
probe(unsigned port, const char *kind, unsigned long bytes)
{
	static char chunk[65536];
	unsigned long sent = 0, i;
	char head[512];
	int fd = connect_to(port), done = 0;
	unsigned st;

	if (fd < 0) {
		perror("ff-slowclients: connect");
		return 1;
	}
	memset(chunk, 'a', sizeof chunk);
	if (strcmp(kind, "header") == 0 || strcmp(kind, "url") == 0) {
		unsigned long dummy = 0;

		snprintf(head, sizeof head, strcmp(kind, "url") == 0 ?
		    "GET /v1/profiles?build=" : "GET /healthz HTTP/1.1\r\n"
		    "Host: 127.0.0.1\r\nX-Big: ");
		done = send_part(fd, head, strlen(head), &dummy);
		for (i = 0; !done && i < 70; i++)
			done = send_part(fd, chunk, 1024, &sent);
		snprintf(head, sizeof head, "%s", strcmp(kind, "url") == 0 ?
		    " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" : "\r\n\r\n");
		if (!done)
			done = send_part(fd, head, strlen(head), &dummy);
	} else if (strcmp(kind, "headers") == 0) {
		unsigned long dummy = 0;

		snprintf(head, sizeof head, "GET /healthz HTTP/1.1\r\n"
		    "Host: 127.0.0.1\r\n");
		done = send_part(fd, head, strlen(head), &dummy);
		for (i = 0; !done && i < 10000; i++) {
			snprintf(head, sizeof head, "X-H%lu: 1\r\n", i);
			done = send_part(fd, head, strlen(head), &sent);
		}
		if (!done)
			done = send_part(fd, "\r\n", 2, &dummy);
	} else if (strcmp(kind, "length") == 0 || strcmp(kind, "expect") == 0) {
		unsigned long dummy = 0;

		snprintf(head, sizeof head, "POST /v1/profiles HTTP/1.1\r\n"
		    "Host: 127.0.0.1\r\nContent-Type: application/zstd\r\n"
		    "Content-Length: 1000000000000\r\n%s\r\n",
		    strcmp(kind, "expect") == 0 ? "Expect: 100-continue\r\n" :
		    "");
		done = send_part(fd, head, strlen(head), &dummy);
	} else if (strcmp(kind, "chunked") == 0) {
		unsigned long dummy = 0;

		snprintf(head, sizeof head, "POST /v1/profiles HTTP/1.1\r\n"
		    "Host: 127.0.0.1\r\nContent-Type: application/zstd\r\n"
		    "Transfer-Encoding: chunked\r\n\r\n");
		done = send_part(fd, head, strlen(head), &dummy);
		while (!done && sent < bytes) {
			done = send_part(fd, "10000\r\n", 7, &dummy);
			if (!done)
				done = send_part(fd, chunk, sizeof chunk,
				    &sent);
			if (!done)
				done = send_part(fd, "\r\n", 2, &dummy);
		}
		if (!done)
			done = send_part(fd, "0\r\n\r\n", 5, &dummy);
	} else {
		fprintf(stderr, "ff-slowclients: unknown probe %s\n", kind);
		close(fd);
		return 2;
	}
	st = status_of(fd);
	printf("%u %lu\n", st, sent);
	close(fd);
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: ff-slowclients flood --port P --conns N "
	    "[--seconds S] [--status FILE]\n"
	    "       ff-slowclients probe --port P KIND [--bytes N]\n");
}

int
main(int argc, char **argv)
{
	const char *status = NULL, *kind = NULL;
	unsigned port = 0, conns = 1000;
	unsigned long bytes = 8ul << 20;
	double seconds = 0;
	struct sigaction sa;
	int i;

	if (argc < 2) {
		usage();
		return 2;
	}
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--port") == 0 && i + 1 < argc)
			port = (unsigned)strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--conns") == 0 && i + 1 < argc)
			conns = (unsigned)strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
			seconds = strtod(argv[++i], NULL);
		else if (strcmp(argv[i], "--status") == 0 && i + 1 < argc)
			status = argv[++i];
		else if (strcmp(argv[i], "--bytes") == 0 && i + 1 < argc)
			bytes = strtoul(argv[++i], NULL, 10);
		else if (argv[i][0] != '-' && kind == NULL)
			kind = argv[i];
		else {
			usage();
			return 2;
		}
	}
	if (port == 0 || port > 65535) {
		usage();
		return 2;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (strcmp(argv[1], "flood") == 0 && kind == NULL && conns > 0)
		return flood(port, conns, seconds, status);
	if (strcmp(argv[1], "probe") == 0 && kind != NULL)
		return probe(port, kind, bytes);
	usage();
	return 2;
}
