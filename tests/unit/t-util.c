/* t-util: bounded numbers, UTF-8 checks, the clock and time format. */
#include "ss.h"
#include <limits.h>

#include "tap.h"

int
main(void)
{
	static const struct {
		const char *in;
		long long min, max, want;
		int ok;
	} nums[] = {
		{ "0", 0, 10, 0, 1 },
		{ "10", 0, 10, 10, 1 },
		{ "11", 0, 10, 0, 0 },
		{ "-1", 0, 10, 0, 0 },
		{ "-5", -10, 10, -5, 1 },
		{ "", 0, 10, 0, 0 },
		{ "5x", 0, 10, 0, 0 },
		{ " 5", 0, 10, 5, 1 },	/* strtoll skips leading space */
		{ "0x10", 0, 100, 0, 0 },
		{ "99999999999999999999", 0, LLONG_MAX, 0, 0 },
		{ "9223372036854775807", 0, LLONG_MAX, LLONG_MAX, 1 },
	};
	static const struct {
		const char *s;
		size_t n;
		int valid;
	} utf8[] = {
		{ "", 0, 1 },
		{ "plain ascii", 11, 1 },
		{ "Bj\xc3\xb6rk", 6, 1 },
		{ "\xe5\x9d\x82", 3, 1 },
		{ "\xf0\x9f\x8e\xb5", 4, 1 },	/* U+1F3B5 */
		{ "\xff", 1, 0 },
		{ "\xc3", 1, 0 },		/* truncated */
		{ "\xc0\xaf", 2, 0 },		/* overlong '/' */
		{ "\xe0\x80\xaf", 3, 0 },	/* overlong '/' */
		{ "\xed\xa0\x80", 3, 0 },	/* surrogate */
		{ "\xf4\x90\x80\x80", 4, 0 },	/* above U+10FFFF */
		{ "a\0b", 3, 1 },		/* NUL is valid UTF-8 */
	};
	struct ss_err e = SS_ERR_INIT;
	char buf[32];
	long long v;
	size_t i;
	int r;

	for (i = 0; i < SS_ARRAY_SIZE(nums); i++) {
		v = -12345;
		r = ss_strtonum(nums[i].in, nums[i].min, nums[i].max, &v, &e);
		ok((r == 0) == nums[i].ok && (!nums[i].ok || v == nums[i].want),
		    "strtonum '%s' in [%lld, %lld]", nums[i].in, nums[i].min,
		    nums[i].max);
		if (!nums[i].ok)
			is_str(e.code, "parse", "error code for '%s'",
			    nums[i].in);
	}
	for (i = 0; i < SS_ARRAY_SIZE(utf8); i++)
		is_int(ss_utf8_valid(utf8[i].s, utf8[i].n), utf8[i].valid,
		    "utf8 case %zu", i);

	setenv("SS_NOW", "1764152571.5", 1);
	ok(ss_now() == 1764152571.5, "SS_NOW replaces the clock");
	ss_time_rfc3339(ss_now(), buf);
	is_str(buf, "2025-11-26T10:22:51Z", "RFC 3339 in UTC");
	unsetenv("SS_NOW");
	ok(ss_now() > 1700000000.0, "the real clock otherwise");
	ok(ss_random64() != ss_random64(), "random values differ");
	return done_testing();
}
