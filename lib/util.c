/* util.c: bounded number parsing, the clock, UTF-8 checks, time format. */
#include <sys/random.h>

#include <time.h>

#include "ss.h"

int
ss_strtonum(const char *s, long long min, long long max, long long *out,
    struct ss_err *e)
{
	char *end;
	long long v;

	if (s == NULL || *s == '\0')
		return ss_err_set(e, "parse", 0, "empty number");
	errno = 0;
	v = strtoll(s, &end, 10);
	if (end == s || *end != '\0')
		return ss_err_set(e, "parse", 0, "'%s' is not a number", s);
	if (errno == ERANGE || v < min)
		return ss_err_set(e, "parse", 0,
		    "%s is out of range (%lld to %lld)", s, min, max);
	if (v > max)
		return ss_err_set(e, "parse", 0,
		    "%s is out of range (%lld to %lld)", s, min, max);
	*out = v;
	return 0;
}

double
ss_now(void)
{
	struct timespec ts;
	const char *fake = getenv("SS_NOW");
	char *end;
	double v;

	if (fake != NULL && *fake != '\0') {
		v = strtod(fake, &end);
		if (*end == '\0' && v >= 0)
			return v;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

size_t
ss_utf8_next(const char *str, size_t n, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t len, i;
	uint32_t c;

	if (n == 0)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	} else if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		c = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

int
ss_utf8_valid(const char *s, size_t n)
{
	size_t i = 0, len;
	uint32_t c;

	while (i < n) {
		len = ss_utf8_next(s + i, n - i, &c);
		if (len == 0)
			return 0;
		i += len;
	}
	return 1;
}

void
ss_time_rfc3339(double t, char buf[32])
{
	struct tm tm;
	time_t s = (time_t)t;

	if (gmtime_r(&s, &tm) == NULL ||
	    strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, 32, "1970-01-01T00:00:00Z");
}

uint64_t
ss_random64(void)
{
	uint64_t v;
	ssize_t n;

	do
		n = getrandom(&v, sizeof(v), 0);
	while (n == -1 && errno == EINTR);
	if (n != (ssize_t)sizeof(v))
		ss_die(SS_EX_FATAL, "getrandom failed");
	return v;
}

void
ss_qsort(void *base, size_t n, size_t size,
    int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(base, n, size, cmp);
}
