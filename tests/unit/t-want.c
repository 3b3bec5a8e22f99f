/* t-want.c: unit tests of lib/want.c and lib/plparse.c detection. */
#include "ss.h"
#include "plparse.h"
#include "want.h"
#include "tap.h"

static const struct {
	const char *in;
	int ok;
	const char *kind, *id;
} refs[] = {
	{ "spotify:playlist:3Xk9pQbR7mTz1LwYc5Vn2A", 1, "playlist",
	  "3Xk9pQbR7mTz1LwYc5Vn2A" },
	{ "https://open.spotify.com/playlist/3Xk9pQbR7mTz1LwYc5Vn2A?si=ab", 1,
	  "playlist", "3Xk9pQbR7mTz1LwYc5Vn2A" },
	{ "https://open.spotify.com/intl-de/album/6dVIqQ8qmQ5GBnJ9shOYGE", 1,
	  "album", "6dVIqQ8qmQ5GBnJ9shOYGE" },
	{ "open.spotify.com/track/AMuUpgjMxrIRUW7Ajmlx8F", 1, "track",
	  "AMuUpgjMxrIRUW7Ajmlx8F" },
	{ "spotify:local:a:b:c:100", 0, NULL, NULL },
	{ "https://example.com/playlist/3Xk9pQbR7mTz1LwYc5Vn2A", 0, NULL,
	  NULL },
	{ "spotify:playlist:../../etc", 0, NULL, NULL },
};

static const char *
id_of(const char *json)
{
	static struct sbuf sb = SBUF_INIT;
	jv w = ss_want_complete(jv_parse(json));

	if (ss_want_id(w, &sb) == -1)
		sbuf_reset(&sb);
	jv_free(w);
	return sb.buf;
}

int
main(void)
{
	char kind[16], id[32];
	const char *a;
	size_t i;
	jv w, v;

	for (i = 0; i < SS_ARRAY_SIZE(refs); i++) {
		int r = ss_spotify_ref(refs[i].in, kind, id);

		is_int(r, refs[i].ok, "ref %s", refs[i].in);
		if (r && refs[i].ok) {
			is_str(kind, refs[i].kind, "... kind");
			is_str(id, refs[i].id, "... id");
		}
	}
	is_str(id_of("{\"title\":\"x\",\"isrc\":\"gb-aye-97-00389\","
	    "\"spotify\":{\"id\":\"AMuUpgjMxrIRUW7Ajmlx8F\"}}"),
	    "spotify:track:AMuUpgjMxrIRUW7Ajmlx8F", "Spotify id first");
	is_str(id_of("{\"title\":\"x\",\"isrc\":\"gb-aye-97-00389\"}"),
	    "isrc:GBAYE9700389", "then the ISRC, normalised");
	a = xstrdup(id_of("{\"title\":\"Airbag\",\"artist\":\"Radiohead\","
	    "\"album\":\"OK Computer\"}"));
	ok(strncmp(a, "want:", 5) == 0 && strlen(a) == 37,
	    "else want: and 32 hex digits");
	is_str(id_of("{\"title\":\"AIRBAG\",\"artists\":[\"ＲＡＤＩＯＨＥＡＤ\","
	    "\"X\"],\"album\":\"ok computer\"}"), a,
	    "folded: case, width, the first artist");
	ok(strcmp(id_of("{\"title\":\"Airbag\",\"artist\":\"Radiohead\"}"),
	    a) != 0, "the album counts");
	is_str(id_of("{\"artist\":\"Radiohead\"}"), "", "no title: no id");
	free((void *)a);

	w = ss_want_complete(jv_parse("{\"artists\":[\"A\",\"B\"],"
	    "\"title\":\"T\",\"album\":\"\",\"extra\":1}"));
	v = jv_object_get(jv_copy(w), jv_string("artist"));
	is_str(jv_get_kind(v) == JV_KIND_STRING ? jv_string_value(v) : NULL,
	    "A, B", "artist made from artists");
	jv_free(v);
	v = jv_object_get(jv_copy(w), jv_string("album"));
	ok(jv_get_kind(v) == JV_KIND_NULL, "an empty string becomes null");
	jv_free(v);
	v = jv_object_get(jv_copy(w), jv_string("extra"));
	ok(jv_get_kind(v) == JV_KIND_NUMBER, "other keys are kept");
	jv_free(v);
	jv_free(w);

	is_int(ss_pl_detect("x.CSV", "", 0), SS_PL_CSV, "by extension");
	is_int(ss_pl_detect(NULL, "\xef\xbb\xbf{\"want\":{}}", 14),
	    SS_PL_NDJSON, "sniffed: NDJSON after a BOM");
	is_int(ss_pl_detect(NULL, "#EXTM3U\n", 8), SS_PL_M3U, "sniffed: M3U");
	is_int(ss_pl_detect(NULL, "Track Name;Artist\n", 18), SS_PL_CSV,
	    "sniffed: CSV header");
	is_int(ss_pl_detect(NULL, "A - B\n", 6), SS_PL_TEXT, "else text");
	return done_testing();
}
