/* want.c: completing want objects and computing record ids from them. */
#include "ss.h"
#include "unicode.h"
#include "hash.h"
#include "want.h"

static const char *const want_keys[] = {
	"title", "artists", "artist", "album", "albumartist", "duration_ms",
	"isrc", "track", "disc", "year", "spotify", "source"
};

/* The string at key, or NULL if it is not a non-empty string. */
static const char *
str_at(jv o, const char *key)
{
	jv v = jv_object_get(jv_copy(o), jv_string(key));
	const char *s = NULL;

	if (jv_get_kind(v) == JV_KIND_STRING && jv_string_length_bytes(
	    jv_copy(v)) > 0)
		s = jv_string_value(v);	/* o keeps the string alive */
	jv_free(v);
	return s;
}

jv
ss_want_complete(jv w)
{
	struct sbuf sb = SBUF_INIT;
	jv v, arr, out;
	size_t i;
	int n, k;
	const char *s;

	if (jv_get_kind(w) != JV_KIND_OBJECT) {
		jv_free(w);
		w = jv_object();
	}
	for (i = 0; i < SS_ARRAY_SIZE(want_keys); i++) {
		v = jv_object_get(jv_copy(w), jv_string(want_keys[i]));
		if (!jv_is_valid(v) || (jv_get_kind(v) == JV_KIND_STRING &&
		    jv_string_length_bytes(jv_copy(v)) == 0))
			w = jv_object_set(w, jv_string(want_keys[i]),
			    jv_null());
		jv_free(v);
	}
	arr = jv_object_get(jv_copy(w), jv_string("artists"));
	if (jv_get_kind(arr) != JV_KIND_ARRAY || jv_array_length(
	    jv_copy(arr)) == 0) {
		jv_free(arr);
		arr = jv_array();
		if ((s = str_at(w, "artist")) != NULL)
			arr = jv_array_append(arr, jv_string(s));
		w = jv_object_set(w, jv_string("artists"), jv_copy(arr));
	}
	if (str_at(w, "artist") == NULL && (n = jv_array_length(
	    jv_copy(arr))) > 0) {
		for (k = 0; k < n; k++) {
			v = jv_array_get(jv_copy(arr), k);
			if (jv_get_kind(v) == JV_KIND_STRING) {
				if (sb.len > 0)
					sbuf_adds(&sb, ", ");
				sbuf_adds(&sb, jv_string_value(v));
			}
			jv_free(v);
		}
		if (sb.len > 0)
			w = jv_object_set(w, jv_string("artist"),
			    jv_string(sb.buf));
	}
	if (str_at(w, "albumartist") == NULL && str_at(w, "album") != NULL &&
	    jv_array_length(jv_copy(arr)) > 0) {
		v = jv_array_get(jv_copy(arr), 0);
		if (jv_get_kind(v) == JV_KIND_STRING)
			w = jv_object_set(w, jv_string("albumartist"),
			    jv_copy(v));
		jv_free(v);
	}
	jv_free(arr);
	if ((s = str_at(w, "isrc")) != NULL) {
		sbuf_reset(&sb);
		for (; *s != '\0'; s++) {
			if (*s == '-' || *s == ' ')
				continue;
			sbuf_addch(&sb, *s >= 'a' && *s <= 'z' ?
			    *s - 'a' + 'A' : *s);
		}
		w = jv_object_set(w, jv_string("isrc"), sb.len > 0 ?
		    jv_string(sb.buf) : jv_null());
	}
	sbuf_release(&sb);
	/* the documented key order */
	out = jv_object();
	for (i = 0; i < SS_ARRAY_SIZE(want_keys); i++)
		out = jv_object_set(out, jv_string(want_keys[i]),
		    jv_object_get(jv_copy(w), jv_string(want_keys[i])));
	return jv_object_merge(out, w);	/* keys of others kept after */
}

int
ss_want_id(jv w, struct sbuf *out)
{
	struct sbuf key = SBUF_INIT;
	struct ss_err e = SS_ERR_INIT;
	unsigned char md[SS_SHA256_LEN];
	char hex[SS_SHA256_HEXLEN + 1];
	const char *parts[3], *s;
	jv sp, arr, a0;
	int i, ret = -1;

	sbuf_reset(out);
	sp = jv_object_get(jv_copy(w), jv_string("spotify"));
	if (jv_get_kind(sp) == JV_KIND_OBJECT &&
	    (s = str_at(sp, "id")) != NULL) {
		sbuf_addf(out, "spotify:track:%s", s);
		jv_free(sp);
		return 0;
	}
	jv_free(sp);
	if ((s = str_at(w, "isrc")) != NULL) {
		sbuf_addf(out, "isrc:%s", s);
		return 0;
	}
	if ((parts[1] = str_at(w, "title")) == NULL)
		return -1;
	arr = jv_object_get(jv_copy(w), jv_string("artists"));
	a0 = jv_get_kind(arr) == JV_KIND_ARRAY && jv_array_length(
	    jv_copy(arr)) > 0 ? jv_array_get(jv_copy(arr), 0) : jv_null();
	parts[0] = jv_get_kind(a0) == JV_KIND_STRING ? jv_string_value(a0) :
	    str_at(w, "artist");
	parts[2] = str_at(w, "album");
	for (i = 0; i < 3; i++) {
		if (i > 0)
			sbuf_addch(&key, '\t');
		if (parts[i] != NULL &&
		    ss_fold(parts[i], strlen(parts[i]), &key, &e) == -1)
			goto out;
	}
	if (ss_sha256(key.buf, key.len, md, &e) == -1)
		goto out;
	ss_hex(md, 16, hex);
	sbuf_addf(out, "want:%s", hex);
	ret = 0;
out:
	jv_free(a0);
	jv_free(arr);
	sbuf_release(&key);
	return ret;
}

jv
ss_want_record(jv want)
{
	struct sbuf id = SBUF_INIT;
	jv rec;

	want = ss_want_complete(want);
	if (ss_want_id(want, &id) == -1) {
		jv_free(want);
		sbuf_release(&id);
		return jv_invalid();
	}
	rec = JV_OBJECT(jv_string("id"), jv_string(id.buf),
	    jv_string("want"), want);
	sbuf_release(&id);
	return rec;
}

static int
is_b62(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/* Copies a kind word and a base62 id from "KIND<sep>ID" at p. */
static int
kind_and_id(const char *p, int sep, char kind[16], char id[32])
{
	size_t k = 0, n = 0;

	while (p[k] >= 'a' && p[k] <= 'z' && k < 15)
		k++;
	if (k == 0 || p[k] != sep)
		return 0;
	memcpy(kind, p, k);
	kind[k] = '\0';
	p += k + 1;
	while (is_b62((unsigned char)p[n]) && n < 31)
		n++;
	if (n < 16 || n > 30 || (p[n] != '\0' && p[n] != '?' &&
	    p[n] != '#' && p[n] != '/'))
		return 0;
	memcpy(id, p, n);
	id[n] = '\0';
	return 1;
}

int
ss_spotify_ref(const char *s, char kind[16], char id[32])
{
	static const char *const hosts[] = {
		"https://open.spotify.com/", "http://open.spotify.com/",
		"open.spotify.com/"
	};
	size_t i, n;

	if (strncmp(s, "spotify:", 8) == 0)
		return kind_and_id(s + 8, ':', kind, id);
	for (i = 0; i < SS_ARRAY_SIZE(hosts); i++) {
		n = strlen(hosts[i]);
		if (strncmp(s, hosts[i], n) != 0)
			continue;
		s += n;
		if (strncmp(s, "intl-", 5) == 0 && (s = strchr(s, '/')) != NULL)
			s++;
		return s != NULL && kind_and_id(s, '/', kind, id);
	}
	return 0;
}
