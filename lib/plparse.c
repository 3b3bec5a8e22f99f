/* plparse.c: parsers of local playlist files (CSV, NDJSON, M3U, text). */
#include "ss.h"
#include "plparse.h"
#include "want.h"

enum col {
	C_TITLE, C_ARTISTS, C_ARTIST, C_ALBUM, C_ALBUMARTISTS, C_ALBUMARTIST,
	C_DURMS, C_DUR, C_ISRC, C_URI, C_TRACK, C_DISC, C_DATE, C_ADDED,
	C_MAX
};

/* Column names, lower case, letters and digits only. */
static const struct {
	const char *name;
	enum col col;
} columns[] = {
	{ "trackname", C_TITLE }, { "title", C_TITLE }, { "name", C_TITLE },
	{ "songname", C_TITLE }, { "song", C_TITLE },
	{ "tracktitle", C_TITLE }, { "songtitle", C_TITLE },
	{ "artistnames", C_ARTISTS }, { "artists", C_ARTISTS },
	{ "artistname", C_ARTIST }, { "artist", C_ARTIST },
	{ "albumname", C_ALBUM }, { "album", C_ALBUM },
	{ "albumtitle", C_ALBUM },
	{ "albumartistnames", C_ALBUMARTISTS },
	{ "albumartistname", C_ALBUMARTIST }, { "albumartist", C_ALBUMARTIST },
	{ "trackdurationms", C_DURMS }, { "durationms", C_DURMS },
	{ "duration", C_DUR }, { "length", C_DUR }, { "time", C_DUR },
	{ "isrc", C_ISRC },
	{ "trackuri", C_URI }, { "spotifyuri", C_URI }, { "uri", C_URI },
	{ "spotifyid", C_URI }, { "spotifytrackid", C_URI },
	{ "trackid", C_URI }, { "spotifyurl", C_URI }, { "url", C_URI },
	{ "link", C_URI },
	{ "tracknumber", C_TRACK }, { "trackno", C_TRACK },
	{ "discnumber", C_DISC }, { "disc", C_DISC },
	{ "albumreleasedate", C_DATE }, { "releasedate", C_DATE },
	{ "year", C_DATE }, { "date", C_DATE },
	{ "addedat", C_ADDED }, { "dateadded", C_ADDED }, { "added", C_ADDED }
};

static void
norm_name(const char *s, size_t n, struct sbuf *out)
{
	size_t i;

	sbuf_reset(out);
	for (i = 0; i < n; i++) {
		if (s[i] >= 'A' && s[i] <= 'Z')
			sbuf_addch(out, s[i] - 'A' + 'a');
		else if ((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9'))
			sbuf_addch(out, s[i]);
	}
}

static int
col_of(const char *s, size_t n)
{
	struct sbuf sb = SBUF_INIT;
	size_t i;
	int c = -1;

	norm_name(s, n, &sb);
	for (i = 0; i < SS_ARRAY_SIZE(columns); i++)
		if (strcmp(sb.buf, columns[i].name) == 0) {
			c = (int)columns[i].col;
			break;
		}
	sbuf_release(&sb);
	return c;
}

/* Trims blanks at both ends of s[0..*n) and returns the new start. */
static const char *
trim(const char *s, size_t *n)
{
	while (*n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		(*n)--;
	}
	while (*n > 0 && (s[*n - 1] == ' ' || s[*n - 1] == '\t' ||
	    s[*n - 1] == '\r'))
		(*n)--;
	return s;
}

/*
 * A string or null for the n bytes at s, trimmed; line breaks inside (a
 * quoted CSV field may hold them) become single spaces.
 */
static jv
str_or_null(const char *s, size_t n)
{
	struct sbuf sb = SBUF_INIT;
	size_t i;
	jv v;

	s = trim(s, &n);
	if (n == 0)
		return jv_null();
	if (memchr(s, '\n', n) == NULL && memchr(s, '\r', n) == NULL)
		return jv_string_sized(s, (int)n);
	for (i = 0; i < n; i++) {
		if (s[i] != '\r' && s[i] != '\n')
			sbuf_addch(&sb, s[i]);
		else if (sb.len > 0 && sb.buf[sb.len - 1] != ' ')
			sbuf_addch(&sb, ' ');
	}
	v = jv_string_sized(sb.buf, (int)sb.len);
	sbuf_release(&sb);
	return v;
}

/* The next line of d from *pos: [*s, *s + *n), without its ending. */
static int
next_line(const char *d, size_t len, size_t *pos, const char **s, size_t *n)
{
	size_t i = *pos;

	if (i >= len)
		return 0;
	*s = d + i;
	while (i < len && d[i] != '\n' && d[i] != '\r')
		i++;
	*n = (size_t)(d + i - *s);
	if (i < len && d[i] == '\r') {
		if (++i < len && d[i] == '\n')
			i++;
	} else if (i < len) {
		i++;
	}
	*pos = i;
	return 1;
}

/* Splits "Artist - Title" (also en and em dashes); 1 if found. */
static int
split_artist_title(const char *s, size_t n, jv *want)
{
	static const char *const seps[] = {
		" - ", " \xe2\x80\x93 ", " \xe2\x80\x94 "
	};
	const char *best = NULL;
	size_t i, seplen = 0, an, tn;
	const char *p, *a, *t;

	s = trim(s, &n);
	for (i = 0; i < SS_ARRAY_SIZE(seps); i++) {
		p = memmem(s, n, seps[i], strlen(seps[i]));
		if (p != NULL && (best == NULL || p < best)) {
			best = p;
			seplen = strlen(seps[i]);
		}
	}
	if (best == NULL)
		return 0;
	an = (size_t)(best - s);
	tn = n - an - seplen;
	a = trim(s, &an);
	t = trim(best + seplen, &tn);
	if (an == 0 || tn == 0)
		return 0;
	*want = jv_object_set(*want, jv_string("artist"),
	    jv_string_sized(a, (int)an));
	*want = jv_object_set(*want, jv_string("title"),
	    jv_string_sized(t, (int)tn));
	return 1;
}

static int
emit_want(const struct ss_pl_cb *cb, jv want, unsigned long line)
{
	return cb->track(JV_OBJECT(jv_string("want"), want), line, cb->arg);
}

/* Text */

static int
parse_text(const char *d, size_t len, const struct ss_pl_cb *cb)
{
	size_t pos = 0, n;
	const char *s;
	unsigned long line = 0;
	jv w;
	int r;

	while (next_line(d, len, &pos, &s, &n)) {
		line++;
		s = trim(s, &n);
		if (n == 0 || *s == '#')
			continue;
		if (!ss_utf8_valid(s, n)) {
			if ((r = cb->bad(line, "invalid UTF-8", cb->arg)) != 0)
				return r;
			continue;
		}
		w = jv_object();
		if (!split_artist_title(s, n, &w)) {
			jv_free(w);
			r = cb->bad(line, "expected 'Artist - Title'", cb->arg);
		} else {
			r = emit_want(cb, w, line);
		}
		if (r != 0)
			return r;
	}
	return 0;
}

/* NDJSON */

static int
parse_ndjson(const char *d, size_t len, const struct ss_pl_cb *cb)
{
	size_t pos = 0, n;
	const char *s;
	unsigned long line = 0;
	jv v, w;
	int r;

	while (next_line(d, len, &pos, &s, &n)) {
		line++;
		s = trim(s, &n);
		if (n == 0)
			continue;
		if (!ss_utf8_valid(s, n)) {
			r = cb->bad(line, "invalid UTF-8", cb->arg);
		} else {
			v = jv_parse_sized(s, (int)n);
			w = jv_get_kind(v) == JV_KIND_OBJECT ?
			    jv_object_get(jv_copy(v), jv_string("want")) :
			    jv_invalid();
			if (!jv_is_valid(v) ||
			    jv_get_kind(v) != JV_KIND_OBJECT) {
				r = cb->bad(line, "not one JSON object",
				    cb->arg);
				jv_free(v);
			} else if (jv_get_kind(w) != JV_KIND_OBJECT) {
				r = cb->bad(line, "the record has no \"want\" "
				    "object", cb->arg);
				jv_free(v);
			} else {
				r = cb->track(v, line, cb->arg);
			}
			jv_free(w);
		}
		if (r != 0)
			return r;
	}
	return 0;
}

/* M3U */

static void
spotify_from_ref(const char *s, size_t n, jv *want)
{
	char kind[16], id[32], buf[512];

	if (n >= sizeof(buf))
		return;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (ss_spotify_ref(buf, kind, id) && strcmp(kind, "track") == 0) {
		snprintf(buf, sizeof(buf), "spotify:track:%s", id);
		*want = jv_object_set(*want, jv_string("spotify"),
		    JV_OBJECT(jv_string("id"), jv_string(id),
		    jv_string("uri"), jv_string(buf),
		    jv_string("album_id"), jv_null()));
	}
}

static int
parse_m3u(const char *d, size_t len, const struct ss_pl_cb *cb)
{
	size_t pos = 0, n, k;
	const char *s, *p, *base, *dot;
	unsigned long line = 0, start = 0;
	jv info = jv_invalid(), album = jv_null(), w;
	long long secs;
	int r = 0, have = 0;

	while (next_line(d, len, &pos, &s, &n)) {
		line++;
		s = trim(s, &n);
		if (n == 0)
			continue;
		if (!ss_utf8_valid(s, n)) {
			if ((r = cb->bad(line, "invalid UTF-8", cb->arg)) != 0)
				break;
			continue;
		}
		if (n > 8 && strncmp(s, "#EXTINF:", 8) == 0) {
			jv_free(info);
			info = jv_object();
			have = 1;
			start = line;
			p = memchr(s, ',', n);
			secs = strtoll(s + 8, NULL, 10);
			if (secs > 0 && secs < 1000000)
				info = jv_object_set(info,
				    jv_string("duration_ms"),
				    jv_number((double)secs * 1000));
			if (p == NULL || !split_artist_title(p + 1,
			    n - (size_t)(p + 1 - s), &info)) {
				jv_free(info);
				info = jv_invalid();
			}
			continue;
		}
		if (n > 8 && strncmp(s, "#EXTALB:", 8) == 0) {
			jv_free(album);
			album = str_or_null(s + 8, n - 8);
			continue;
		}
		if (*s == '#')
			continue;
		/* a location */
		if (have && jv_is_valid(info)) {
			w = jv_copy(info);
		} else {
			w = jv_object();
			base = s;
			for (k = 0; k < n; k++)
				if (s[k] == '/' || s[k] == '\\')
					base = s + k + 1;
			k = n - (size_t)(base - s);
			dot = memrchr(base, '.', k);
			if (dot != NULL && dot > base && s + n - dot <= 6)
				k = (size_t)(dot - base);
			if (!split_artist_title(base, k, &w)) {
				jv_free(w);
				w = jv_invalid();
			}
			if (!have)
				start = line;
		}
		if (!jv_is_valid(w)) {
			jv_free(w);
			r = cb->bad(start, "expected '#EXTINF:SECONDS,Artist - "
			    "Title' or a file named 'Artist - Title'", cb->arg);
		} else {
			if (jv_get_kind(album) == JV_KIND_STRING)
				w = jv_object_set(w, jv_string("album"),
				    jv_copy(album));
			spotify_from_ref(s, n, &w);
			r = emit_want(cb, w, start);
		}
		jv_free(info);
		info = jv_invalid();
		jv_free(album);
		album = jv_null();
		have = 0;
		if (r != 0)
			break;
	}
	jv_free(info);
	jv_free(album);
	return r;
}

/* CSV */

struct row {
	struct sbuf *f;
	size_t n, cap;
	unsigned long line;	/* where it starts */
};

static void
row_release(struct row *r)
{
	size_t i;

	for (i = 0; i < r->cap; i++)
		sbuf_release(&r->f[i]);
	free(r->f);
}

static struct sbuf *
row_add(struct row *r)
{
	size_t ncap, i;

	if (r->n == r->cap) {
		ncap = r->cap ? r->cap * 2 : 16;
		r->f = xreallocarray(r->f, ncap, sizeof(*r->f));
		for (i = r->cap; i < ncap; i++)
			sbuf_init(&r->f[i], 0);
		r->cap = ncap;
	}
	sbuf_reset(&r->f[r->n]);
	return &r->f[r->n++];
}

/*
 * Reads one record at *pos; 0 at the end, 1 for a row, -1 for a row
 * whose quote is not closed (it runs to the end of the data).
 */
static int
csv_row(const char *d, size_t len, size_t *pos, unsigned long *line,
    char sep, struct row *r)
{
	size_t i = *pos;
	struct sbuf *f;

	if (i >= len)
		return 0;
	r->n = 0;
	r->line = *line;
	for (;;) {
		f = row_add(r);
		if (i < len && d[i] == '"') {
			i++;
			for (;;) {
				if (i >= len) {
					*pos = i;
					return -1;
				}
				if (d[i] == '"') {
					if (i + 1 < len && d[i + 1] == '"') {
						sbuf_addch(f, '"');
						i += 2;
						continue;
					}
					i++;
					break;
				}
				if (d[i] == '\n' || (d[i] == '\r' &&
				    (i + 1 >= len || d[i + 1] != '\n')))
					(*line)++;
				sbuf_addch(f, d[i++]);
			}
		}
		while (i < len && d[i] != sep && d[i] != '\n' && d[i] != '\r')
			sbuf_addch(f, d[i++]);
		if (i < len && d[i] == sep) {
			i++;
			continue;
		}
		if (i < len && d[i] == '\r')
			i++;
		if (i < len && d[i] == '\n')
			i++;
		(*line)++;
		*pos = i;
		return 1;
	}
}

static char
csv_sep(const char *d, size_t len)
{
	size_t i, n[3] = { 0, 0, 0 };
	int q = 0;

	for (i = 0; i < len && (q || (d[i] != '\n' && d[i] != '\r')); i++) {
		if (d[i] == '"')
			q = !q;
		else if (!q && d[i] == ',')
			n[0]++;
		else if (!q && d[i] == ';')
			n[1]++;
		else if (!q && d[i] == '\t')
			n[2]++;
	}
	if (n[1] > n[0] && n[1] >= n[2])
		return ';';
	if (n[2] > n[0] && n[2] > n[1])
		return '\t';
	return ',';
}

/* Artists of an "Artist Name(s)" cell: split at unescaped commas. */
static jv
split_artists(const char *s, size_t n)
{
	struct sbuf cur = SBUF_INIT;
	jv arr = jv_array();
	size_t i, k;
	const char *t;

	for (i = 0; i <= n; i++) {
		if (i < n && s[i] == '\\' && i + 1 < n && s[i + 1] == ',') {
			sbuf_addch(&cur, ',');
			i++;
		} else if (i == n || s[i] == ',' || s[i] == ';') {
			k = cur.len;
			t = trim(cur.buf, &k);
			if (k > 0)
				arr = jv_array_append(arr,
				    jv_string_sized(t, (int)k));
			sbuf_reset(&cur);
		} else {
			sbuf_addch(&cur, s[i]);
		}
	}
	sbuf_release(&cur);
	return arr;
}

static jv
int_or_null(const char *s, size_t n, long long max)
{
	struct ss_err e = SS_ERR_INIT;
	char buf[32];
	long long v;

	s = trim(s, &n);
	if (n == 0 || n >= sizeof(buf))
		return jv_null();
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (strchr(buf, '.') != NULL)
		*strchr(buf, '.') = '\0';	/* "215000.0" */
	if (ss_strtonum(buf, 0, max, &v, &e) == -1)
		return jv_null();
	return jv_number((double)v);
}

/* "215", "3:35" or "1:02:03" as milliseconds. */
static jv
duration_ms(const char *s, size_t n)
{
	long long t = 0, part;
	size_t i;
	int digits = 0;

	s = trim(s, &n);
	for (i = 0, part = 0; i <= n; i++) {
		if (i < n && s[i] >= '0' && s[i] <= '9' && part < 1000000) {
			part = part * 10 + (s[i] - '0');
			digits++;
		} else if (i == n || s[i] == ':') {
			if (digits == 0)
				return jv_null();
			t = t * 60 + part;
			part = 0;
			digits = 0;
			if (i == n)
				break;
		} else if (s[i] == '.') {
			break;
		} else {
			return jv_null();
		}
	}
	if (digits != 0) {
		t = t * 60 + part;
	}
	if (t <= 0 || t > 24 * 3600)
		return jv_null();
	return jv_number((double)t * 1000);
}

static int
csv_track(const struct row *r, const int *map, const struct ss_pl_cb *cb)
{
	const struct sbuf *c[C_MAX];
	jv w, arr, src;
	size_t i, n;
	const char *s;
	int k, empty = 1;

	for (i = 0; i < r->n; i++) {
		n = r->f[i].len;
		trim(r->f[i].buf, &n);
		if (n > 0)
			empty = 0;
		if (!ss_utf8_valid(r->f[i].buf, r->f[i].len))
			return cb->bad(r->line, "invalid UTF-8", cb->arg);
	}
	if (empty)
		return 0;
	for (k = 0; k < C_MAX; k++)
		c[k] = map[k] >= 0 && (size_t)map[k] < r->n ?
		    &r->f[map[k]] : NULL;
	n = c[C_TITLE] ? c[C_TITLE]->len : 0;
	if (c[C_TITLE] == NULL || (trim(c[C_TITLE]->buf, &n), n == 0))
		return cb->bad(r->line, "the row has no track name", cb->arg);
	w = JV_OBJECT(jv_string("title"), str_or_null(c[C_TITLE]->buf,
	    c[C_TITLE]->len));
	if (c[C_ARTISTS] != NULL) {
		arr = split_artists(c[C_ARTISTS]->buf, c[C_ARTISTS]->len);
		w = jv_object_set(w, jv_string("artists"), arr);
	}
	if (c[C_ARTIST] != NULL)
		w = jv_object_set(w, jv_string("artist"),
		    str_or_null(c[C_ARTIST]->buf, c[C_ARTIST]->len));
	if (c[C_ALBUM] != NULL)
		w = jv_object_set(w, jv_string("album"),
		    str_or_null(c[C_ALBUM]->buf, c[C_ALBUM]->len));
	if (c[C_ALBUMARTISTS] != NULL) {
		arr = split_artists(c[C_ALBUMARTISTS]->buf,
		    c[C_ALBUMARTISTS]->len);
		if (jv_array_length(jv_copy(arr)) > 0)
			w = jv_object_set(w, jv_string("albumartist"),
			    jv_array_get(jv_copy(arr), 0));
		jv_free(arr);
	} else if (c[C_ALBUMARTIST] != NULL) {
		w = jv_object_set(w, jv_string("albumartist"),
		    str_or_null(c[C_ALBUMARTIST]->buf,
		    c[C_ALBUMARTIST]->len));
	}
	if (c[C_DURMS] != NULL)
		w = jv_object_set(w, jv_string("duration_ms"),
		    int_or_null(c[C_DURMS]->buf, c[C_DURMS]->len, 86400000));
	else if (c[C_DUR] != NULL)
		w = jv_object_set(w, jv_string("duration_ms"),
		    duration_ms(c[C_DUR]->buf, c[C_DUR]->len));
	if (c[C_ISRC] != NULL)
		w = jv_object_set(w, jv_string("isrc"),
		    str_or_null(c[C_ISRC]->buf, c[C_ISRC]->len));
	if (c[C_TRACK] != NULL)
		w = jv_object_set(w, jv_string("track"),
		    int_or_null(c[C_TRACK]->buf, c[C_TRACK]->len, 100000));
	if (c[C_DISC] != NULL)
		w = jv_object_set(w, jv_string("disc"),
		    int_or_null(c[C_DISC]->buf, c[C_DISC]->len, 1000));
	if (c[C_DATE] != NULL) {
		n = c[C_DATE]->len;
		s = trim(c[C_DATE]->buf, &n);
		if (n >= 4)
			w = jv_object_set(w, jv_string("year"),
			    int_or_null(s, 4, 9999));
	}
	if (c[C_URI] != NULL)
		spotify_from_ref(c[C_URI]->buf, c[C_URI]->len, &w);
	if (c[C_ADDED] != NULL) {
		src = str_or_null(c[C_ADDED]->buf, c[C_ADDED]->len);
		if (jv_get_kind(src) == JV_KIND_STRING)
			w = jv_object_set(w, jv_string("source"),
			    JV_OBJECT(jv_string("added_at"), src));
		else
			jv_free(src);
	}
	return emit_want(cb, w, r->line);
}

static int
parse_csv(const char *d, size_t len, const struct ss_pl_cb *cb,
    struct ss_err *e)
{
	struct row r = { NULL, 0, 0, 0 };
	int map[C_MAX];
	size_t pos = 0, i;
	unsigned long line = 1;
	char sep = csv_sep(d, len);
	int k, got, ret = 0;

	for (k = 0; k < C_MAX; k++)
		map[k] = -1;
	got = csv_row(d, len, &pos, &line, sep, &r);
	if (got != 1) {
		ret = ss_err_set(e, "parse", 0, "no header row");
		goto out;
	}
	for (i = 0; i < r.n; i++)
		if ((k = col_of(r.f[i].buf, r.f[i].len)) >= 0 && map[k] < 0)
			map[k] = (int)i;
	if (map[C_TITLE] < 0) {
		ret = ss_err_set(e, "parse", 0, "line 1: the header row has no "
		    "track name column (such as \"Track Name\" or \"title\")");
		goto out;
	}
	while ((got = csv_row(d, len, &pos, &line, sep, &r)) != 0) {
		if (got == -1)
			ret = cb->bad(r.line, "a quoted field is not closed",
			    cb->arg);
		else
			ret = csv_track(&r, map, cb);
		if (ret != 0)
			break;
	}
out:
	row_release(&r);
	return ret;
}

/* Detection */

static int
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

static int
looks_like_csv_header(const char *d, size_t len)
{
	size_t i = 0, s;
	int found = 0, seps = 0;

	while (i < len && d[i] != '\n' && d[i] != '\r') {
		s = i;
		while (i < len && d[i] != ',' && d[i] != ';' && d[i] != '\t' &&
		    d[i] != '\n' && d[i] != '\r')
			i++;
		if (col_of(d + s, i - s) == C_TITLE)
			found = 1;
		if (i < len && (d[i] == ',' || d[i] == ';' || d[i] == '\t')) {
			seps++;
			i++;
		}
	}
	return found && seps > 0;
}

enum ss_pl_format
ss_pl_detect(const char *name, const char *d, size_t len)
{
	size_t i = 0;

	if (name != NULL) {
		if (ends_with(name, ".csv") || ends_with(name, ".tsv"))
			return SS_PL_CSV;
		if (ends_with(name, ".ndjson") || ends_with(name, ".jsonl") ||
		    ends_with(name, ".json"))
			return SS_PL_NDJSON;
		if (ends_with(name, ".m3u") || ends_with(name, ".m3u8"))
			return SS_PL_M3U;
		if (ends_with(name, ".txt"))
			return SS_PL_TEXT;
	}
	if (len >= 3 && memcmp(d, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < len && (d[i] == ' ' || d[i] == '\t' || d[i] == '\r' ||
	    d[i] == '\n'))
		i++;
	if (i < len && d[i] == '{')
		return SS_PL_NDJSON;
	if (len - i >= 7 && (strncmp(d + i, "#EXTM3U", 7) == 0 ||
	    strncmp(d + i, "#EXTINF", 7) == 0))
		return SS_PL_M3U;
	if (looks_like_csv_header(d + i, len - i))
		return SS_PL_CSV;
	return SS_PL_TEXT;
}

const char *
ss_pl_format_name(enum ss_pl_format f)
{
	switch (f) {
	case SS_PL_CSV:
		return "csv";
	case SS_PL_NDJSON:
		return "ndjson";
	case SS_PL_M3U:
		return "m3u";
	default:
		return "text";
	}
}

int
ss_pl_parse(const char *d, size_t len, enum ss_pl_format fmt,
    const struct ss_pl_cb *cb, struct ss_err *e)
{
	if (fmt == SS_PL_AUTO)
		fmt = ss_pl_detect(NULL, d, len);
	if (len >= 3 && memcmp(d, "\xef\xbb\xbf", 3) == 0) {
		d += 3;
		len -= 3;
	}
	switch (fmt) {
	case SS_PL_CSV:
		return parse_csv(d, len, cb, e);
	case SS_PL_NDJSON:
		return parse_ndjson(d, len, cb);
	case SS_PL_M3U:
		return parse_m3u(d, len, cb);
	default:
		return parse_text(d, len, cb);
	}
}
