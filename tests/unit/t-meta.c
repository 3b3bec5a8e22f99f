/* t-meta: meta fields to tag properties per format, template fields. */
#include "ss.h"
#include "meta.h"
#include "tags.h"

#include "tap.h"

/* The properties as "KEY=v1;v2 KEY=v ..." for comparison. */
static void
flat(const struct ss_meta_props *p, struct sbuf *out)
{
	size_t i, j;

	sbuf_reset(out);
	for (i = 0; i < p->n; i++) {
		sbuf_addf(out, "%s%s=", i ? " " : "", p->v[i].key);
		for (j = 0; j < p->v[i].nvalues; j++)
			sbuf_addf(out, "%s%s", j ? ";" : "", p->v[i].values[j]);
	}
	for (i = 0; i < p->nskipped; i++)
		sbuf_addf(out, " -%s", p->skipped[i]);
}

int
main(void)
{
	static const struct {
		const char *meta, *format, *want;
	} cases[] = {
		{ "{\"title\":\"T\",\"track\":3,\"tracktotal\":12}", "flac",
		  "TITLE=T TRACKNUMBER=3 TRACKTOTAL=12" },
		{ "{\"title\":\"T\",\"track\":3,\"tracktotal\":12}", "mp3",
		  "TITLE=T TRACKNUMBER=3/12" },
		{ "{\"disc\":\"1/2\"}", "opus", "DISCNUMBER=1 DISCTOTAL=2" },
		{ "{\"disc\":\"1/2\"}", "m4a", "DISCNUMBER=1/2" },
		{ "{\"artists\":[\"A\",\"B\"],\"genre\":\"Rock\"}", "ogg",
		  "ARTISTS=A;B GENRE=Rock" },
		{ "{\"year\":1999}", "mp3", "DATE=1999" },
		{ "{\"year\":1999,\"date\":\"1999-02-03\"}", "mp3",
		  "DATE=1999-02-03" },
		{ "{\"compilation\":true,\"comment\":\"\"}", "flac",
		  "COMPILATION=1" },
		{ "{\"compilation\":false}", "flac", "COMPILATION=" },
		{ "{\"compilation\":\"1\"}", "mp3", "COMPILATION=1" },
		{ "{\"title\":null,\"genre\":[]}", "flac", "" },
		{ "{\"musicbrainz\":{\"recording\":\"r\",\"artist\":[\"a\","
		  "\"b\"]}}", "mp3",
		  "MUSICBRAINZ_ARTISTID=a;b MUSICBRAINZ_TRACKID=r" },
		{ "{\"albumartists\":[\"A\"],\"spotify\":{\"id\":\"x\"},"
		  "\"title\":\"T\"}", "m4a",
		  "TITLE=T -ALBUMARTISTS -SPOTIFY_TRACKID" },
		{ "{\"musicbrainz\":\"oops\"}", "flac", "" },
	};
	static const char *const bad[] = {
		"{\"track\":\"three\"}", "{\"track\":1.5}", "{\"title\":{}}",
		"{\"genre\":[1]}", "{\"compilation\":\"yes\"}", "[]"
	};
	struct ss_meta_props p;
	struct ss_err e = SS_ERR_INIT;
	struct sbuf out = SBUF_INIT;
	struct ss_tags t;
	struct ss_tag_prop props[2];
	char trk0[] = "7/9", date0[] = "2004-01-01", k0[] = "TRACKNUMBER",
	    k1[] = "DATE";
	char *trk[] = { trk0, NULL }, *date[] = { date0, NULL };
	size_t i;
	jv m;

	for (i = 0; i < SS_ARRAY_SIZE(cases); i++) {
		m = jv_parse(cases[i].meta);
		ok(ss_meta_to_props(m, cases[i].format, NULL, NULL, &p, &e) ==
		    0, "case %zu converts", i);
		flat(&p, &out);
		is_str(out.buf, cases[i].want, "case %zu: %s", i,
		    cases[i].format);
		ss_meta_props_release(&p);
		jv_free(m);
	}
	for (i = 0; i < SS_ARRAY_SIZE(bad); i++) {
		m = jv_parse(bad[i]);
		ok(ss_meta_to_props(m, "flac", NULL, NULL, &p, &e) == -1 &&
		    strcmp(e.code, "invalid") == 0 && p.n == 0,
		    "bad meta %zu is refused", i);
		jv_free(m);
	}

	/* a total without its number takes the file's number (ID3) */
	memset(&t, 0, sizeof(t));
	props[0].key = k0;
	props[0].values = trk;
	props[0].nvalues = 1;
	props[1].key = k1;
	props[1].values = date;
	props[1].nvalues = 1;
	t.props = props;
	t.nprops = 2;
	m = jv_parse("{\"tracktotal\":10,\"lyrics\":1}");
	ss_meta_to_props(m, "mp3", "la", &t, &p, &e);
	flat(&p, &out);
	is_str(out.buf, "LYRICS=la TRACKNUMBER=7/10", "total keeps the number");
	ss_meta_props_release(&p);
	jv_free(m);

	/* template fields: meta first, then the tags */
	m = jv_parse("{\"title\":\"T\",\"artists\":[\"A\",\"B\"],"
	    "\"musicbrainz\":{\"release\":\"R\"}}");
	static const struct {
		const char *name, *want;
	} fields[] = {
		{ "title", "T" }, { "artists", "A" }, { "track", "7" },
		{ "tracktotal", "9" }, { "year", "2004" }, { "disc", NULL },
		{ "musicbrainz_release", "R" }, { "album", NULL },
	};
	for (i = 0; i < SS_ARRAY_SIZE(fields); i++) {
		int r;

		sbuf_reset(&out);
		r = ss_meta_field(m, &t, fields[i].name, &out);
		is_str(r ? out.buf : NULL, fields[i].want, "field %s",
		    fields[i].name);
	}
	ok(ss_meta_field_known("musicbrainz_albumartist") &&
	    ss_meta_field_known("year") && !ss_meta_field_known("nope"),
	    "known fields");
	jv_free(m);
	sbuf_release(&out);
	return done_testing();
}
