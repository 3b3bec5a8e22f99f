/* t-template: the file name template language: parsing, errors, output. */
#include "ss.h"
#include "template.h"

#include "tap.h"

static const char *const names[] = {
	"title", "artist", "albumartist", "album", "track", "disc", "year",
	"ext", "empty", "slashy"
};

static int
known(const char *name)
{
	size_t i;

	for (i = 0; i < SS_ARRAY_SIZE(names); i++)
		if (strcmp(names[i], name) == 0)
			return 1;
	return 0;
}

static int
field(const char *name, struct sbuf *out, void *arg)
{
	static const char *const values[][2] = {
		{ "title", "Song" }, { "artist", "The Beatles" },
		{ "album", "Élan" }, { "track", "3" }, { "disc", "2" },
		{ "year", "1969" }, { "ext", "flac" }, { "slashy", "a/b\\c" }
	};
	size_t i;

	for (i = 0; i < SS_ARRAY_SIZE(values); i++)
		if (strcmp(values[i][0], name) == 0) {
			sbuf_adds(out, values[i][1]);
			return 1;
		}
	return 0;
}

int
main(void)
{
	static const struct {
		const char *tpl, *want;
	} good[] = {
		{ "{title}", "Song" },
		{ "{albumartist|artist}/{album}", "The Beatles/Élan" },
		{ "{empty|'Unknown'}", "Unknown" },
		{ "{empty|\"x y\"}", "x y" },
		{ "{track:02} {title}.{ext}", "03 Song.flac" },
		{ "{track:3}", "003" },
		{ "{empty:02}", "" },
		{ "{disc>1:{disc}-}{track:02}", "2-03" },
		{ "{disc>2:{disc}-}{track:02}", "03" },
		{ "{disc=2:two:other}", "two" },
		{ "{disc!=2:two:other}", "other" },
		{ "{disc<=2:le}{disc>=3:ge}{disc<10:lt}", "lelt" },
		{ "{year: ({year})}", " (1969)" },
		{ "{empty: ({empty})}", "" },
		{ "{empty:yes:no}", "no" },
		{ "{artist='The Beatles':B}", "B" },
		{ "{lower(artist)}", "the beatles" },
		{ "{upper(album)}", "ÉLAN" },
		{ "{first(album)}", "E" },
		{ "{first(nothe(artist))}/{nothe(artist)}", "B/Beatles" },
		{ "{first(track)}", "#" },
		{ "{truncate(artist,4)}", "The" },
		{ "{truncate(album, 2)}", "Él" },
		{ "{slashy}", "a_b\\c" },
		{ "a\\{b\\}c\\:d", "a{b}c:d" },
		{ "x:y", "x:y" },
		{ "{ title | artist }", "Song" },
		{ "", "" },
	};
	static const struct {
		const char *tpl, *msg;
	} bad[] = {
		{ "{titel}", "column 2: unknown field 'titel'" },
		{ "{title", "column 7: unexpected end, expected '}'" },
		{ "ab}", "column 3: '}' without '{'" },
		{ "{}", "column 2: expected a field, a string or a function" },
		{ "{title:0}", "column 8: a width must be 1 to 9" },
		{ "{lowr(title)}", "column 2: unknown function 'lowr'" },
		{ "{lower(title}", "column 13: expected ')'" },
		{ "{truncate(title)}", "column 16: truncate needs a length" },
		{ "{truncate(title,0)}", "column 17: the length must be" },
		{ "{disc>1}", "column 8: a comparison needs ':'" },
		{ "{'x}", "column 2: unterminated string" },
		{ "Élan/{x}", "column 7: unknown field 'x'" },
		{ "{disc>1:{nope}}", "column 10: unknown field 'nope'" },
		{ "a\\", "column 2: '\\' at the end" },
	};
	struct ss_template *t;
	struct ss_err e = SS_ERR_INIT;
	struct sbuf out = SBUF_INIT;
	size_t i;

	for (i = 0; i < SS_ARRAY_SIZE(good); i++) {
		sbuf_reset(&out);
		ss_err_clear(&e);
		if (!ok(ss_template_parse(good[i].tpl, known, &t, &e) == 0,
		    "parse '%s'", good[i].tpl)) {
			printf("#   %s\n", e.msg);
			continue;
		}
		ok(ss_template_render(t, field, NULL, &out, &e) == 0,
		    "render '%s'", good[i].tpl);
		is_str(out.buf, good[i].want, "template %zu expands right", i);
		ss_template_free(t);
	}
	for (i = 0; i < SS_ARRAY_SIZE(bad); i++) {
		ss_err_clear(&e);
		ok(ss_template_parse(bad[i].tpl, known, &t, &e) == -1 &&
		    t == NULL, "'%s' is refused", bad[i].tpl);
		if (!ok(strncmp(e.msg, bad[i].msg, strlen(bad[i].msg)) == 0 &&
		    strcmp(e.code, "template") == 0, "with '%s'", bad[i].msg))
			printf("#   got: %s\n", e.msg);
	}
	ok(ss_template_parse("\xff", known, &t, &e) == -1,
	    "invalid utf-8 is refused");
	sbuf_release(&out);
	return done_testing();
}
