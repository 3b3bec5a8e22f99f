/* t-unicode: NFC, case mapping, index letters and lengths over utf8proc. */
#include "ss.h"
#include "unicode.h"

#include "tap.h"

int
main(void)
{
	static const struct {
		const char *in, *nfc, *lower, *upper, *first;
		size_t len;
	} cases[] = {
		{ "", "", "", "", "", 0 },
		{ "abc", "abc", "abc", "ABC", "A", 3 },
		{ "e\xcc\x81lan", "\xc3\xa9lan", "\xc3\xa9lan", "\xc3\x89LAN",
		  "E", 4 },
		{ "\xc3\x89LAN", "\xc3\x89LAN", "\xc3\xa9lan", "\xc3\x89LAN",
		  "E", 4 },
		{ "\xce\xb1\xce\xb2", "\xce\xb1\xce\xb2", "\xce\xb1\xce\xb2",
		  "\xce\x91\xce\x92", "\xce\x91", 2 },
		{ "\xe5\x9d\x82\xe6\x9c\xac", "\xe5\x9d\x82\xe6\x9c\xac",
		  "\xe5\x9d\x82\xe6\x9c\xac", "\xe5\x9d\x82\xe6\x9c\xac",
		  "\xe5\x9d\x82", 2 },
		{ "2Pac", "2Pac", "2pac", "2PAC", "#", 4 },
		{ "...And", "...And", "...and", "...AND", "#", 6 },
		{ "\xc3\x9f", "\xc3\x9f", "\xc3\x9f", "\xe1\xba\x9e",
		  "\xe1\xba\x9e", 1 },
	};
	struct ss_err e = SS_ERR_INIT;
	struct sbuf out = SBUF_INIT;
	size_t i;

	for (i = 0; i < SS_ARRAY_SIZE(cases); i++) {
		sbuf_reset(&out);
		ok(ss_unicode_nfc(cases[i].in, strlen(cases[i].in), &out,
		    &e) == 0, "nfc %zu works", i);
		is_str(out.buf, cases[i].nfc, "nfc %zu", i);
		sbuf_reset(&out);
		ss_unicode_case(cases[i].in, strlen(cases[i].in), 0, &out, &e);
		is_str(out.buf, cases[i].lower, "lower %zu", i);
		sbuf_reset(&out);
		ss_unicode_case(cases[i].in, strlen(cases[i].in), 1, &out, &e);
		is_str(out.buf, cases[i].upper, "upper %zu", i);
		sbuf_reset(&out);
		ss_unicode_first_letter(cases[i].in, strlen(cases[i].in),
		    &out, &e);
		is_str(out.buf, cases[i].first, "first letter %zu", i);
		is_int(ss_unicode_length(cases[i].nfc, strlen(cases[i].nfc)),
		    cases[i].len, "length %zu", i);
	}
	sbuf_reset(&out);
	sbuf_adds(&out, "kept");
	ok(ss_unicode_nfc("a\xff", 2, &out, &e) == -1 &&
	    strcmp(e.code, "invalid") == 0, "invalid utf-8 is refused");
	is_str(out.buf, "kept", "out unchanged on error");
	ok(ss_unicode_nfc("a\0b", 3, &out, &e) == -1, "a NUL is refused");
	ok(ss_unicode_first_letter("\xed\xa0\x80", 3, &out, &e) == -1,
	    "a surrogate is refused");
	sbuf_release(&out);
	return done_testing();
}
