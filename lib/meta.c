/* meta.c: meta fields to tag properties per format, and template fields. */
#include <strings.h>

#include "ss.h"
#include "meta.h"
#include "tags.h"

enum { T_STR, T_LIST, T_BOOL };

struct field {
	const char *name;	/* in meta, or in meta[sub] */
	const char *sub;	/* "musicbrainz", "spotify" or NULL */
	const char *tname;	/* the template name */
	const char *key;	/* the property */
	int type;
	int mp4;		/* 0: TagLib's MP4 tag cannot hold it */
};

static const struct field fields[] = {
	{ "title", NULL, "title", "TITLE", T_STR, 1 },
	{ "artist", NULL, "artist", "ARTIST", T_STR, 1 },
	{ "artists", NULL, "artists", "ARTISTS", T_LIST, 1 },
	{ "album", NULL, "album", "ALBUM", T_STR, 1 },
	{ "albumartist", NULL, "albumartist", "ALBUMARTIST", T_STR, 1 },
	{ "albumartists", NULL, "albumartists", "ALBUMARTISTS", T_LIST, 0 },
	{ "date", NULL, "date", "DATE", T_STR, 1 },
	{ "originaldate", NULL, "originaldate", "ORIGINALDATE", T_STR, 1 },
	{ "genre", NULL, "genre", "GENRE", T_LIST, 1 },
	{ "isrc", NULL, "isrc", "ISRC", T_STR, 1 },
	{ "label", NULL, "label", "LABEL", T_STR, 1 },
	{ "catalognumber", NULL, "catalognumber", "CATALOGNUMBER", T_STR, 1 },
	{ "barcode", NULL, "barcode", "BARCODE", T_STR, 1 },
	{ "media", NULL, "media", "MEDIA", T_STR, 1 },
	{ "releasetype", NULL, "releasetype", "RELEASETYPE", T_STR, 1 },
	{ "releasestatus", NULL, "releasestatus", "RELEASESTATUS", T_STR, 1 },
	{ "releasecountry", NULL, "releasecountry", "RELEASECOUNTRY", T_STR,
	  1 },
	{ "compilation", NULL, "compilation", "COMPILATION", T_BOOL, 1 },
	{ "comment", NULL, "comment", "COMMENT", T_STR, 1 },
	{ "recording", "musicbrainz", "musicbrainz_recording",
	  "MUSICBRAINZ_TRACKID", T_STR, 1 },
	{ "track", "musicbrainz", "musicbrainz_track",
	  "MUSICBRAINZ_RELEASETRACKID", T_STR, 1 },
	{ "release", "musicbrainz", "musicbrainz_release",
	  "MUSICBRAINZ_ALBUMID", T_STR, 1 },
	{ "releasegroup", "musicbrainz", "musicbrainz_releasegroup",
	  "MUSICBRAINZ_RELEASEGROUPID", T_STR, 1 },
	{ "artist", "musicbrainz", "musicbrainz_artist",
	  "MUSICBRAINZ_ARTISTID", T_LIST, 1 },
	{ "albumartist", "musicbrainz", "musicbrainz_albumartist",
	  "MUSICBRAINZ_ALBUMARTISTID", T_LIST, 1 },
	{ "id", "spotify", "spotify_id", "SPOTIFY_TRACKID", T_STR, 0 },
	{ "url", "spotify", "spotify_url", "AUDIOSOURCEWEBPAGE", T_STR, 0 },
};

/* Template names that are not in the table. */
static const char *const extra_names[] = {
	"track", "tracktotal", "disc", "disctotal", "year"
};

/* The builder: a growing list of properties. */
struct props {
	struct ss_meta_props *p;
	size_t cap;
};

static struct ss_tag_prop *
add_prop(struct props *b, const char *key)
{
	struct ss_tag_prop *tp;

	if (b->p->n == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 16;
		b->p->v = xreallocarray(b->p->v, b->cap, sizeof(*b->p->v));
	}
	tp = &b->p->v[b->p->n++];
	tp->key = xstrdup(key);
	tp->values = NULL;
	tp->nvalues = 0;
	return tp;
}

static void
add_value(struct ss_tag_prop *tp, const char *v, size_t len)
{
	tp->values = xreallocarray(tp->values, tp->nvalues + 2,
	    sizeof(*tp->values));
	tp->values[tp->nvalues++] = xmemdupz(v, len);
	tp->values[tp->nvalues] = NULL;
}

static void
add_skipped(struct ss_meta_props *p, const char *key)
{
	p->skipped = xreallocarray(p->skipped, p->nskipped + 1,
	    sizeof(*p->skipped));
	p->skipped[p->nskipped++] = xstrdup(key);
}

void
ss_meta_props_release(struct ss_meta_props *p)
{
	size_t i, j;

	for (i = 0; i < p->n; i++) {
		free(p->v[i].key);
		for (j = 0; j < p->v[i].nvalues; j++)
			free(p->v[i].values[j]);
		free(p->v[i].values);
	}
	free(p->v);
	for (i = 0; i < p->nskipped; i++)
		free(p->skipped[i]);
	free(p->skipped);
	memset(p, 0, sizeof(*p));
}

/* A whole number as text into out; -1 if v is not one in 0..9999. */
static int
number_text(jv v, struct sbuf *out)
{
	double d = jv_number_value(v);

	if (!jv_is_integer(v) || d < 0 || d > 9999)
		return -1;
	sbuf_addf(out, "%d", (int)d);
	return 0;
}

/*
 * The values of v (borrowed) as strings appended to tp (created on the
 * first value; *tpp NULL until then).  Returns 0 or -1 for a bad type.
 */
static int
values_of(jv v, int type, struct props *b, const char *key,
    struct ss_tag_prop **tpp)
{
	struct sbuf sb = SBUF_INIT;
	jv_kind k = jv_get_kind(v);
	int i, n, ret = -1;

	*tpp = NULL;
	switch (k) {
	case JV_KIND_NULL:
		return 0;
	case JV_KIND_TRUE:
	case JV_KIND_FALSE:
		if (type != T_BOOL)
			return -1;
		*tpp = add_prop(b, key);
		if (k == JV_KIND_TRUE)
			add_value(*tpp, "1", 1);
		return 0;
	case JV_KIND_NUMBER:
		if (number_text(v, &sb) == -1)
			break;
		if (type == T_BOOL && strcmp(sb.buf, "0") == 0) {
			*tpp = add_prop(b, key);
		} else if (type == T_BOOL) {
			*tpp = add_prop(b, key);
			add_value(*tpp, "1", 1);
		} else {
			*tpp = add_prop(b, key);
			add_value(*tpp, sb.buf, sb.len);
		}
		ret = 0;
		break;
	case JV_KIND_STRING:
		n = jv_string_length_bytes(jv_copy(v));
		if (type == T_BOOL && n > 0) {
			const char *t = jv_string_value(v);

			if (strcmp(t, "1") != 0 && strcmp(t, "true") != 0 &&
			    strcmp(t, "0") != 0 && strcmp(t, "false") != 0)
				break;
			*tpp = add_prop(b, key);
			if (t[0] == '1' || t[0] == 't')
				add_value(*tpp, "1", 1);
			ret = 0;
			break;
		}
		if (n > 0) {
			*tpp = add_prop(b, key);
			add_value(*tpp, jv_string_value(v), (size_t)n);
		}
		ret = 0;
		break;
	case JV_KIND_ARRAY:
		if (type == T_BOOL)
			break;
		n = jv_array_length(jv_copy(v));
		for (i = 0; i < n; i++) {
			jv x = jv_array_get(jv_copy(v), i);
			int len;

			if (jv_get_kind(x) != JV_KIND_STRING) {
				jv_free(x);
				goto out;
			}
			len = jv_string_length_bytes(jv_copy(x));
			if (len > 0) {
				if (*tpp == NULL)
					*tpp = add_prop(b, key);
				add_value(*tpp, jv_string_value(x),
				    (size_t)len);
			}
			jv_free(x);
		}
		ret = 0;
		break;
	default:
		break;
	}
out:
	sbuf_release(&sb);
	return ret;
}

/*
 * A track or disc number: a whole number or a string "3" or "3/12".
 * Sets *num (0 if absent) and *total (0 unless "N/T").  -1 if malformed.
 */
static int
parse_number(jv v, long long *num, long long *total)
{
	struct ss_err e = SS_ERR_INIT;
	const char *s, *slash;
	char *head;
	int ret;

	*num = *total = 0;
	switch (jv_get_kind(v)) {
	case JV_KIND_NULL:
		return 0;
	case JV_KIND_NUMBER:
		if (!jv_is_integer(v) || jv_number_value(v) < 0 ||
		    jv_number_value(v) > 9999)
			return -1;
		*num = (long long)jv_number_value(v);
		return 0;
	case JV_KIND_STRING:
		s = jv_string_value(v);
		if (*s == '\0')
			return 0;
		if ((slash = strchr(s, '/')) == NULL)
			return ss_strtonum(s, 0, 9999, num, &e);
		head = xmemdupz(s, (size_t)(slash - s));
		ret = ss_strtonum(head, 0, 9999, num, &e);
		free(head);
		if (ret == 0 && slash[1] != '\0')
			ret = ss_strtonum(slash + 1, 0, 9999, total, &e);
		return ret;
	default:
		return -1;
	}
}

const struct ss_tag_prop *
ss_tags_find(const struct ss_tags *t, const char *key)
{
	size_t i;

	if (t == NULL)
		return NULL;
	for (i = 0; i < t->nprops; i++)
		if (strcasecmp(t->props[i].key, key) == 0 &&
		    t->props[i].nvalues > 0)
			return &t->props[i];
	return NULL;
}

/* The number part of a "N/T" property in cur, or 0. */
static long long
current_number(const struct ss_tags *cur, const char *key)
{
	const struct ss_tag_prop *tp = ss_tags_find(cur, key);
	long long n, total;
	jv v;

	if (tp == NULL)
		return 0;
	v = jv_string(tp->values[0]);
	if (parse_number(v, &n, &total) == -1)
		n = 0;
	jv_free(v);
	return n;
}

/* TRACKNUMBER/TRACKTOTAL or DISCNUMBER/DISCTOTAL from meta. */
static int
numbers(jv meta, const char *nname, const char *tname, const char *nkey,
    const char *tkey, int vorbis, const struct ss_tags *cur, struct props *b,
    struct ss_err *e)
{
	jv nv = jv_object_get(jv_copy(meta), jv_string(nname));
	jv tv = jv_object_get(jv_copy(meta), jv_string(tname));
	long long num, total, t2, dummy;
	struct ss_tag_prop *tp;
	struct sbuf sb = SBUF_INIT;
	int ret = -1;

	if (!jv_is_valid(nv)) {
		jv_free(nv);
		nv = jv_null();
	}
	if (!jv_is_valid(tv)) {
		jv_free(tv);
		tv = jv_null();
	}
	if (parse_number(nv, &num, &total) == -1) {
		ss_err_set(e, "invalid", 0, "meta.%s is not a number", nname);
		goto out;
	}
	if (parse_number(tv, &t2, &dummy) == -1) {
		ss_err_set(e, "invalid", 0, "meta.%s is not a number", tname);
		goto out;
	}
	if (t2 > 0)
		total = t2;
	if (vorbis) {
		if (num > 0) {
			sbuf_addf(&sb, "%lld", num);
			tp = add_prop(b, nkey);
			add_value(tp, sb.buf, sb.len);
		}
		if (total > 0) {
			sbuf_reset(&sb);
			sbuf_addf(&sb, "%lld", total);
			tp = add_prop(b, tkey);
			add_value(tp, sb.buf, sb.len);
		}
	} else {
		if (num == 0 && total > 0)
			num = current_number(cur, nkey);
		if (num > 0) {
			sbuf_addf(&sb, "%lld", num);
			if (total > 0)
				sbuf_addf(&sb, "/%lld", total);
			tp = add_prop(b, nkey);
			add_value(tp, sb.buf, sb.len);
		}
	}
	ret = 0;
out:
	jv_free(nv);
	jv_free(tv);
	sbuf_release(&sb);
	return ret;
}

static int
cmp_prop(const void *a, const void *b)
{
	return strcmp(((const struct ss_tag_prop *)a)->key,
	    ((const struct ss_tag_prop *)b)->key);
}

int
ss_meta_to_props(jv meta, const char *format, const char *lyrics,
    const struct ss_tags *cur, struct ss_meta_props *p, struct ss_err *e)
{
	struct props b = { p, 0 };
	struct ss_tag_prop *tp;
	int vorbis, mp4, has_date = 0;
	size_t i;
	jv v;

	memset(p, 0, sizeof(*p));
	if (jv_get_kind(meta) != JV_KIND_OBJECT)
		return ss_err_set(e, "invalid", 0, "meta is not an object");
	vorbis = strcmp(format, "flac") == 0 || strcmp(format, "ogg") == 0 ||
	    strcmp(format, "opus") == 0;
	mp4 = strcmp(format, "m4a") == 0;
	for (i = 0; i < SS_ARRAY_SIZE(fields); i++) {
		const struct field *f = &fields[i];

		if (f->sub != NULL) {
			v = jv_object_get(jv_copy(meta), jv_string(f->sub));
			if (jv_get_kind(v) == JV_KIND_OBJECT) {
				v = jv_object_get(v, jv_string(f->name));
			} else {
				jv_free(v);
				v = jv_invalid();
			}
		} else {
			v = jv_object_get(jv_copy(meta), jv_string(f->name));
		}
		if (!jv_is_valid(v)) {
			jv_free(v);
			continue;
		}
		if (values_of(v, f->type, &b, f->key, &tp) == -1) {
			jv_free(v);
			ss_meta_props_release(p);
			return ss_err_set(e, "invalid", 0,
			    "meta.%s%s%s has the wrong type",
			    f->sub ? f->sub : "", f->sub ? "." : "", f->name);
		}
		jv_free(v);
		if (tp != NULL && strcmp(f->key, "DATE") == 0)
			has_date = 1;
		if (tp != NULL && mp4 && !f->mp4) {
			/* drop it again: MP4 has no atom TagLib maps to it */
			add_skipped(p, tp->key);
			free(tp->key);
			while (tp->nvalues > 0)
				free(tp->values[--tp->nvalues]);
			free(tp->values);
			p->n--;
		}
	}
	if (!has_date) {
		v = jv_object_get(jv_copy(meta), jv_string("year"));
		if (jv_is_valid(v) && values_of(v, T_STR, &b, "DATE", &tp) ==
		    -1) {
			jv_free(v);
			ss_meta_props_release(p);
			return ss_err_set(e, "invalid", 0,
			    "meta.year has the wrong type");
		}
		jv_free(v);
	}
	if (numbers(meta, "track", "tracktotal", "TRACKNUMBER", "TRACKTOTAL",
	    vorbis, cur, &b, e) == -1 || numbers(meta, "disc", "disctotal",
	    "DISCNUMBER", "DISCTOTAL", vorbis, cur, &b, e) == -1) {
		ss_meta_props_release(p);
		return -1;
	}
	if (lyrics != NULL && *lyrics != '\0') {
		tp = add_prop(&b, "LYRICS");
		add_value(tp, lyrics, strlen(lyrics));
	}
	if (p->n > 0)
		qsort(p->v, p->n, sizeof(*p->v), cmp_prop);
	return 0;
}

int
ss_meta_field_known(const char *name)
{
	size_t i;

	for (i = 0; i < SS_ARRAY_SIZE(fields); i++)
		if (strcmp(fields[i].tname, name) == 0)
			return 1;
	for (i = 0; i < SS_ARRAY_SIZE(extra_names); i++)
		if (strcmp(extra_names[i], name) == 0)
			return 1;
	return 0;
}

/* The first value of v as text (numbers whole); 1 if there is one. */
static int
first_value(jv v, struct sbuf *out)
{
	jv x;
	int ret = 0, n;

	switch (jv_get_kind(v)) {
	case JV_KIND_STRING:
		/* the bytes, NULs included: the caller neutralises them */
		if ((n = jv_string_length_bytes(jv_copy(v))) == 0)
			return 0;
		sbuf_add(out, jv_string_value(v), (size_t)n);
		return 1;
	case JV_KIND_NUMBER:
		return number_text(v, out) == 0;
	case JV_KIND_TRUE:
		sbuf_adds(out, "1");
		return 1;
	case JV_KIND_ARRAY:
		if (jv_array_length(jv_copy(v)) == 0)
			return 0;
		x = jv_array_get(jv_copy(v), 0);
		if (jv_get_kind(x) == JV_KIND_STRING)
			ret = first_value(x, out);
		jv_free(x);
		return ret;
	default:
		return 0;
	}
}

/* track, tracktotal, disc, disctotal from meta or the tags. */
static int
number_field(jv meta, const struct ss_tags *t, const char *name,
    struct sbuf *out)
{
	int is_total = strstr(name, "total") != NULL;
	int is_track = strncmp(name, "track", 5) == 0;
	long long num = 0, total = 0, n2;
	const struct ss_tag_prop *tp;
	jv v;

	if (jv_get_kind(meta) == JV_KIND_OBJECT) {
		v = jv_object_get(jv_copy(meta), jv_string(is_track ? "track" :
		    "disc"));
		if (jv_is_valid(v) && parse_number(v, &num, &total) == -1)
			num = total = 0;
		jv_free(v);
		v = jv_object_get(jv_copy(meta), jv_string(is_track ?
		    "tracktotal" : "disctotal"));
		if (jv_is_valid(v) && parse_number(v, &n2, &total) == 0 &&
		    n2 > 0)
			total = n2;
		jv_free(v);
	}
	if (num == 0 && (tp = ss_tags_find(t, is_track ? "TRACKNUMBER" :
	    "DISCNUMBER")) != NULL) {
		v = jv_string(tp->values[0]);
		if (parse_number(v, &num, &n2) == 0 && total == 0)
			total = n2;
		jv_free(v);
	}
	if (total == 0 && (tp = ss_tags_find(t, is_track ? "TRACKTOTAL" :
	    "DISCTOTAL")) != NULL) {
		v = jv_string(tp->values[0]);
		if (parse_number(v, &total, &n2) == -1)
			total = 0;
		jv_free(v);
	}
	n2 = is_total ? total : num;
	if (n2 <= 0)
		return 0;
	sbuf_addf(out, "%lld", n2);
	return 1;
}

/* Four digits at the start of s, as a year. */
static int
year_of(const char *s, struct sbuf *out)
{
	int i;

	for (i = 0; i < 4; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	sbuf_add(out, s, 4);
	return 1;
}

int
ss_meta_field(jv meta, const struct ss_tags *t, const char *name,
    struct sbuf *out)
{
	struct sbuf tmp = SBUF_INIT;
	const struct ss_tag_prop *tp;
	const struct field *f = NULL;
	int obj = jv_get_kind(meta) == JV_KIND_OBJECT, ret = 0;
	size_t i;
	jv v;

	if (strcmp(name, "track") == 0 || strcmp(name, "tracktotal") == 0 ||
	    strcmp(name, "disc") == 0 || strcmp(name, "disctotal") == 0)
		return number_field(meta, t, name, out);
	if (strcmp(name, "year") == 0) {
		if (obj) {
			v = jv_object_get(jv_copy(meta), jv_string("year"));
			ret = first_value(v, &tmp) && year_of(tmp.buf, out);
			jv_free(v);
			sbuf_reset(&tmp);
			if (!ret) {
				v = jv_object_get(jv_copy(meta),
				    jv_string("date"));
				ret = first_value(v, &tmp) &&
				    year_of(tmp.buf, out);
				jv_free(v);
			}
		}
		if (!ret && (tp = ss_tags_find(t, "DATE")) != NULL)
			ret = year_of(tp->values[0], out);
		sbuf_release(&tmp);
		return ret;
	}
	for (i = 0; i < SS_ARRAY_SIZE(fields); i++)
		if (strcmp(fields[i].tname, name) == 0)
			f = &fields[i];
	if (f == NULL)
		return 0;
	if (obj) {
		if (f->sub != NULL) {
			v = jv_object_get(jv_copy(meta), jv_string(f->sub));
			if (jv_get_kind(v) == JV_KIND_OBJECT) {
				v = jv_object_get(v, jv_string(f->name));
			} else {
				jv_free(v);
				v = jv_invalid();
			}
		} else {
			v = jv_object_get(jv_copy(meta), jv_string(f->name));
		}
		if (jv_is_valid(v))
			ret = first_value(v, out);
		jv_free(v);
		if (ret)
			return 1;
	}
	if ((tp = ss_tags_find(t, f->key)) != NULL && tp->values[0][0] != '\0') {
		sbuf_adds(out, tp->values[0]);
		return 1;
	}
	return 0;
}
