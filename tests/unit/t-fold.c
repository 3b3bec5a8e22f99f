/* t-fold: matching keys: NFKC case folding, feat., punctuation. */
#include "ss.h"
#include "unicode.h"

#include "tap.h"

int
main(void)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "Hello", "hello" },
		{ "  Hello,   World!! ", "hello world" },
		{ "Beyonc\xc3\xa9", "beyonc\xc3\xa9" },
		{ "BEYONC\xc3\x89", "beyonc\xc3\xa9" },
		{ "Beyonce\xcc\x81", "beyonc\xc3\xa9" },	/* NFD in */
		{ "\xef\xbc\xa1\xef\xbc\xa2\xef\xbc\xa3", "abc" },	/* fullwidth */
		{ "Stra\xc3\x9f" "e", "strasse" },
		{ "STRASSE", "strasse" },
		{ "\xef\xac\x81le", "file" },	/* the fi ligature */
		{ "Don't Stop", "dont stop" },
		{ "Don\xe2\x80\x99t Stop", "dont stop" },
		{ "Simon & Garfunkel", "simon and garfunkel" },
		{ "Daft Punk feat. Pharrell Williams", "daft punk" },
		{ "Daft Punk Ft. Pharrell", "daft punk" },
		{ "Daft Punk featuring Pharrell", "daft punk" },
		{ "Get Lucky (feat. Pharrell Williams)", "get lucky" },
		{ "Get Lucky [ft. Pharrell] (Radio Edit)", "get lucky radio edit" },
		{ "Get Lucky (Radio Edit) (feat. A (B))", "get lucky radio edit" },
		{ "Get Lucky - feat. Pharrell", "get lucky" },
		{ "Feat of Strength", "feat of strength" },
		{ "AC/DC", "ac dc" },
		{ "!!!", "" },
		{ "", "" },
		{ "Sigur R\xc3\xb3s \xe2\x80\x93 Hopp\xc3\xadpolla",
		    "sigur r\xc3\xb3s hopp\xc3\xadpolla" },
		{ "\xce\xa3\xce\x99\xce\x93\xce\x9c\xce\x91",
		    "\xcf\x83\xce\xb9\xce\xb3\xce\xbc\xce\xb1" },	/* Greek */
	};
	struct ss_err e = SS_ERR_INIT;
	struct sbuf out = SBUF_INIT, a = SBUF_INIT, b = SBUF_INIT;
	size_t i;

	for (i = 0; i < SS_ARRAY_SIZE(cases); i++) {
		sbuf_reset(&out);
		ok(ss_fold(cases[i].in, strlen(cases[i].in), &out, &e) == 0,
		    "fold '%s' succeeds", cases[i].in);
		is_str(out.buf, cases[i].want, "fold '%s'", cases[i].in);
	}

	sbuf_reset(&out);
	sbuf_adds(&out, "kept");
	ok(ss_fold("a\xff", 2, &out, &e) == -1, "invalid UTF-8 is refused");
	is_str(e.code, "parse", "with code parse");
	is_str(out.buf, "kept", "out is left as it was");

	is_int(ss_fold_recording_key("Daft Punk feat. Pharrell",
	    "Get Lucky (feat. Pharrell)", &a, &e), 1, "a recording key");
	is_str(a.buf, "daft punk\tget lucky", "artist, tab, title");
	is_int(ss_fold_recording_key("DAFT PUNK", "Get Lucky!", &b, &e), 1,
	    "the same recording spelt otherwise");
	is_str(a.buf, b.buf, "has the same key");
	is_int(ss_fold_recording_key("...", "Title", &a, &e), 0,
	    "no key without an artist");
	is_int((int)a.len, 0, "and the key is empty");
	is_int(ss_fold_recording_key("Artist", NULL, &a, &e), 0,
	    "no key without a title");
	is_int(ss_fold_recording_key("Artist", "\xc3", &a, &e), -1,
	    "invalid UTF-8 in the title");

	sbuf_release(&out);
	sbuf_release(&a);
	sbuf_release(&b);
	return done_testing();
}
