/*
 * backoff.c -- retry timing and splay (see backoff.h).
 */
#include "agent/backoff.h"
#include "profile/stamp.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* splitmix64: one multiply-xorshift mix per output, any seed is fine. */
static uint64_t
mix(uint64_t *state)
{
	uint64_t z = (*state += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

void
ff_backoff_init(ff_backoff *b, uint64_t seed, uint64_t base_ms,
    uint64_t cap_ms)
{
	b->rng = seed;
	b->base_ms = base_ms > 0 ? base_ms : 1;
	b->cap_ms = cap_ms >= b->base_ms ? cap_ms : b->base_ms;
	b->attempt = 0;
}

static uint64_t
urandom64(void)
{
	uint64_t v = 0;
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (read(fd, &v, sizeof v) != (ssize_t)sizeof v)
			v = 0;
		close(fd);
	}
	return v;
}

uint64_t
ff_backoff_seed_mix(uint64_t urandom, int64_t sec, long nsec, long pid,
    const char *host)
{
	uint64_t s = urandom, h = 0xCBF29CE484222325ull;
	size_t i;

	for (i = 0; host[i] != '\0'; i++)   /* FNV-1a */
		h = (h ^ (unsigned char)host[i]) * 0x100000001B3ull;
	s ^= mix(&h);
	s ^= (uint64_t)sec * 1000000007ull ^ (uint64_t)nsec;
	s = mix(&s);
	s ^= (uint64_t)pid * 0xD6E8FEB86659FD93ull;
	return mix(&s);
}

uint64_t
ff_backoff_seed(void)
{
	struct timespec ts;
	char host[256] = "";

	clock_gettime(CLOCK_REALTIME, &ts);
	(void)gethostname(host, sizeof host - 1);
	host[sizeof host - 1] = '\0';
	return ff_backoff_seed_mix(urandom64(), (int64_t)ts.tv_sec, ts.tv_nsec,
	    (long)getpid(), host);
}

uint64_t
ff_backoff_bits(ff_backoff *b)
{
	return mix(&b->rng);
}

uint64_t
ff_backoff_below(ff_backoff *b, uint64_t n)
{
	uint64_t limit, v;

	if (n <= 1)
		return 0;
	/* Reject the top partial range so every value is equally likely. */
	limit = UINT64_MAX - UINT64_MAX % n;
	do
		v = ff_backoff_bits(b);
	while (v >= limit);
	return v % n;
}

uint64_t
ff_backoff_splay_ms(ff_backoff *b, unsigned splay_s)
{
	return splay_s == 0 ? 0 : ff_backoff_below(b, (uint64_t)splay_s * 1000);
}

uint64_t
ff_backoff_next_ms(ff_backoff *b, uint64_t retry_after_ms)
{
	uint64_t window = b->base_ms, wait;
	unsigned i;

	for (i = 0; i < b->attempt && window < b->cap_ms; i++)
		window *= 2;
	if (window > b->cap_ms)
		window = b->cap_ms;
	if (b->attempt < 64)
		b->attempt++;
	wait = ff_backoff_below(b, window);
	if (retry_after_ms > 0) {
		uint64_t honour = retry_after_ms +
		    ff_backoff_below(b, retry_after_ms / 2 + 1);

		if (honour > wait)
			wait = honour;
	}
	return wait;
}

void
ff_backoff_reset(ff_backoff *b)
{
	b->attempt = 0;
}

/* "Sun, 06 Nov 1994 08:49:37 GMT" -> "1994-11-06T08:49:37Z". */
static int
imf_to_rfc3339(const char *v, size_t n, char out[FF_STAMP_LEN])
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	const char *m;
	int mon;

	if (n != 29 || v[3] != ',' || v[4] != ' ' || v[7] != ' ' ||
	    v[11] != ' ' || v[16] != ' ' || v[19] != ':' || v[22] != ':' ||
	    v[25] != ' ' || memcmp(v + 26, "GMT", 3) != 0)
		return -1;
	for (m = months; *m != '\0'; m += 3)
		if (memcmp(m, v + 8, 3) == 0)
			break;
	if (*m == '\0')
		return -1;
	mon = (int)(m - months) / 3 + 1;
	memcpy(out, v + 12, 4);
	out[4] = '-';
	out[5] = (char)('0' + mon / 10);
	out[6] = (char)('0' + mon % 10);
	out[7] = '-';
	memcpy(out + 8, v + 5, 2);
	out[10] = 'T';
	memcpy(out + 11, v + 17, 8);
	out[19] = 'Z';
	out[20] = '\0';
	return 0;
}

static ff_rc
parse_delta(const char *v, size_t n, uint64_t *secs, ff_err *err)
{
	uint64_t s = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return ff_err_set(err, FF_ERR_PARSE, "bad Retry-After");
		if (s <= FF_BACKOFF_RETRY_AFTER_MAX)
			s = s * 10 + (uint64_t)(v[i] - '0');
	}
	*secs = s > FF_BACKOFF_RETRY_AFTER_MAX ? FF_BACKOFF_RETRY_AFTER_MAX : s;
	return FF_OK;
}

ff_rc
ff_backoff_retry_after(const char *v, size_t len, int64_t now,
    uint64_t *secs, ff_err *err)
{
	char stamp[FF_STAMP_LEN];
	int64_t when;

	while (len > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		len--;
	}
	while (len > 0 && (v[len - 1] == ' ' || v[len - 1] == '\t' ||
	    v[len - 1] == '\r' || v[len - 1] == '\n'))
		len--;
	if (len == 0)
		return ff_err_set(err, FF_ERR_PARSE, "empty Retry-After");
	if (v[0] >= '0' && v[0] <= '9')
		return parse_delta(v, len, secs, err);
	if (imf_to_rfc3339(v, len, stamp) != 0 ||
	    ff_stamp_parse(stamp, strlen(stamp), &when, NULL) != FF_OK)
		return ff_err_set(err, FF_ERR_PARSE, "bad Retry-After date");
	if (when <= now)
		*secs = 0;
	else if (when - now > (int64_t)FF_BACKOFF_RETRY_AFTER_MAX)
		*secs = FF_BACKOFF_RETRY_AFTER_MAX;
	else
		*secs = (uint64_t)(when - now);
	return FF_OK;
}

void
ff_backoff_sleep_ms(uint64_t ms)
{
	struct timespec ts, rem;

	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &rem) != 0 && errno == EINTR)
		ts = rem;
}
