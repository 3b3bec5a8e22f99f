/* ss-dedupe: find duplicate audio files, choose keepers, quarantine the rest. */
#include <sys/stat.h>

#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <time.h>
#include <unistd.h>

#include "ss.h"
#include "config.h"
#include "audio.h"
#include "base64.h"
#include "fileio.h"
#include "files.h"
#include "filesum.h"
#include "unicode.h"
#include "hash.h"
#include "ledger.h"
#include "path.h"
#include "record.h"
#include "walk.h"
#include "xxh64.h"

static const char usage_str[] =
    "usage: ss-dedupe [-hnqVv] [-c file] [--keep order] [--log-format fmt]\n"
    "                 [--quarantine dir] [--ledger | --from-scratch dir ... |"
    " file ...]\n"
    "       ss-dedupe [-nqv] [-c file] --undo run";

/* Head and tail bytes hashed by --from-scratch before whole files. */
#define PARTIAL 4096
/* Durations of one recording may differ by this much. */
#define SAME_RECORDING_MS 2000

enum { IN_RECORDS, IN_LEDGER, IN_SCRATCH, IN_UNDO };
enum { K_EXACT, K_SAME_AUDIO, K_SAME_RECORDING };
static const char *const kind_names[] = { "exact", "same_audio",
    "same_recording" };

/* Keeper criteria, in the words of dedupe_keep. */
enum { C_LOSSLESS, C_BITRATE, C_TAGS, C_COVER, C_LIBRARY, C_OLDEST,
    C_COUNT, C_BROKEN, C_PATH };
static const char *const crit_names[C_COUNT] = { "lossless", "bitrate",
    "tags", "cover", "library", "oldest" };

static struct {
	const char *config, *keep, *quarantine, *undo;
	int dry_run, mode;
} o;

/* One file, as the input knows it. */
struct ent {
	char *path;
	size_t plen;
	char sha[SS_SHA256_HEXLEN + 1];
	char ahash[SS_SHA256_HEXLEN + 1];
	int broken;
	long long duration_ms;	/* -1: unknown */
	char *rkey;		/* folded "artist\ttitle", or NULL */
	int loser;		/* an other of an exact or same_audio group */
	int detailed;		/* the fields below are filled */
	long long size;		/* -1: unknown */
	long long mtime_ns;	/* LLONG_MAX: unknown */
	int lossless;		/* -1: unknown */
	long long bitrate;	/* -1: unknown */
	int ntags, cover, inlib;
	char format[8];
	dev_t dev;
	ino_t ino;
};

static struct {
	struct ent *v;
	size_t n, cap;
} ents;

struct dd {
	struct ss_config *cfg;
	struct ss_ledger *l;
	struct ss_files *f;
	int order[C_COUNT];
	int norder;
	char *libdir;
	size_t libdirlen;
	struct sbuf qdir;
	char run[32];
	long long run_id;
	long long groups, moved, skipped, failed;
	int status;		/* 0, or SS_EX_FATAL / SS_EX_TEMPFAIL */
};

/* ---- collecting files ---- */

static struct ent *
ent_new(const void *path, size_t plen)
{
	struct ent *x;

	if (ents.n == ents.cap) {
		ents.cap = ents.cap ? 2 * ents.cap : 1024;
		ents.v = xreallocarray(ents.v, ents.cap, sizeof(*ents.v));
	}
	x = &ents.v[ents.n++];
	memset(x, 0, sizeof(*x));
	x->path = xmemdupz(path, plen);
	x->plen = plen;
	x->duration_ms = -1;
	x->size = -1;
	x->mtime_ns = LLONG_MAX;
	x->lossless = -1;
	x->bitrate = -1;
	return x;
}

static void
set_hex(char dst[SS_SHA256_HEXLEN + 1], const char *s)
{
	/* a FLAC audio hash is the 32 hex digits of its STREAMINFO MD5 */
	if (s != NULL && strlen(s) <= SS_SHA256_HEXLEN)
		snprintf(dst, SS_SHA256_HEXLEN + 1, "%s", s);
	else
		dst[0] = '\0';
}

static void
set_rkey(struct ent *x, const char *artist, const char *title)
{
	struct ss_err e = SS_ERR_INIT;
	struct sbuf key = SBUF_INIT;

	if (ss_fold_recording_key(artist, title, &key, &e) == 1)
		x->rkey = sbuf_detach(&key, NULL);
	sbuf_release(&key);
}

/* "2026-11-26T10:22:51.123456789Z" (as ss-scan writes it) in ns. */
static long long
parse_mtime(const char *s)
{
	struct tm tm;
	const char *p;
	long long ns = 0;
	int digits = 0;
	time_t t;

	if (s == NULL)
		return LLONG_MAX;
	memset(&tm, 0, sizeof(tm));
	p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (p == NULL)
		return LLONG_MAX;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			if (digits < 9) {
				ns = ns * 10 + (*p - '0');
				digits++;
			}
	for (; digits < 9; digits++)
		ns *= 10;
	if (*p != 'Z' || (t = timegm(&tm)) == (time_t)-1)
		return LLONG_MAX;
	return (long long)t * 1000000000LL + ns;
}

static long long
num_or(jv obj, const char *key, long long dflt)
{
	jv v = jv_object_get(jv_copy(obj), jv_string(key));
	long long r = dflt;

	if (jv_get_kind(v) == JV_KIND_NUMBER)
		r = (long long)jv_number_value(v);
	jv_free(v);
	return r;
}

static char *
first_tag(jv tags, const char *key)
{
	jv v = jv_object_get(jv_copy(tags), jv_string(key)), s;
	char *r = NULL;

	if (jv_get_kind(v) == JV_KIND_ARRAY && jv_array_length(jv_copy(v)) > 0) {
		s = jv_array_get(jv_copy(v), 0);
		if (jv_get_kind(s) == JV_KIND_STRING)
			r = xstrdup(jv_string_value(s));
		jv_free(s);
	}
	jv_free(v);
	return r;
}

static int
count_tags(jv tags)
{
	int n = 0, i, len;
	jv v, s;

	if (jv_get_kind(tags) != JV_KIND_OBJECT)
		return 0;
	/* the macro evaluates its first argument often: pass it borrowed */
	jv_object_foreach(tags, key, val) {
		v = val;
		if (jv_get_kind(v) == JV_KIND_ARRAY) {
			len = jv_array_length(jv_copy(v));
			for (i = 0; i < len; i++) {
				s = jv_array_get(jv_copy(v), i);
				if (jv_get_kind(s) == JV_KIND_STRING &&
				    jv_string_length_bytes(jv_copy(s)) > 0) {
					n++;
					jv_free(s);
					break;
				}
				jv_free(s);
			}
		}
		jv_free(key);
		jv_free(v);
	}
	return n;
}

/* Whether x is below library_dir (the "library" keeper criterion). */
static int
in_library(const struct dd *d, const struct ent *x)
{
	return d->libdir != NULL && x->plen > d->libdirlen &&
	    memcmp(x->path, d->libdir, d->libdirlen) == 0 &&
	    x->path[d->libdirlen] == '/';
}

/* Fills the details of x from a "file" object (borrowed). */
static void
fill_details(struct dd *d, struct ent *x, jv file)
{
	jv tags, v;
	char *fmt, *codec, *artist, *title;

	fmt = ss_jv_strdup(file, "format");
	codec = ss_jv_strdup(file, "codec");
	snprintf(x->format, sizeof(x->format), "%s", fmt ? fmt : "");
	x->lossless = (fmt != NULL && (strcmp(fmt, "flac") == 0 ||
	    strcmp(fmt, "wav") == 0)) || (codec != NULL &&
	    (strcmp(codec, "flac") == 0 || strcmp(codec, "alac") == 0 ||
	    strcmp(codec, "pcm") == 0));
	if (fmt == NULL && codec == NULL)
		x->lossless = -1;
	x->bitrate = num_or(file, "bitrate", -1);
	if (x->size < 0)
		x->size = num_or(file, "size", -1);
	if (x->mtime_ns == LLONG_MAX) {
		char *m = ss_jv_strdup(file, "mtime");

		x->mtime_ns = parse_mtime(m);
		free(m);
	}
	tags = jv_object_get(jv_copy(file), jv_string("tags"));
	x->ntags = count_tags(tags);
	v = jv_object_get(jv_copy(file), jv_string("has_cover"));
	x->cover = jv_get_kind(v) == JV_KIND_TRUE;
	jv_free(v);
	if (!x->detailed) {
		/* records from stdin: the grouping fields too */
		char *sha = ss_jv_strdup(file, "sha256");
		char *ah = ss_jv_strdup(file, "audio_hash");

		set_hex(x->sha, sha);
		set_hex(x->ahash, ah);
		free(sha);
		free(ah);
		v = jv_object_get(jv_copy(file), jv_string("broken"));
		x->broken = jv_get_kind(v) != JV_KIND_NULL &&
		    jv_get_kind(v) != JV_KIND_INVALID;
		jv_free(v);
		x->duration_ms = num_or(file, "duration_ms", -1);
		if (jv_get_kind(tags) == JV_KIND_OBJECT) {
			artist = first_tag(tags, "ARTIST");
			title = first_tag(tags, "TITLE");
			set_rkey(x, artist, title);
			free(artist);
			free(title);
		}
	}
	jv_free(tags);
	x->inlib = in_library(d, x);
	x->detailed = 1;
	free(fmt);
	free(codec);
}

/* Ledger mode: the details of a file come from its stored record. */
static int
ensure_details(struct dd *d, struct ent *x)
{
	struct ss_err e = SS_ERR_INIT;
	struct ss_file_row row;
	jv file;
	int r;

	if (x->detailed)
		return 0;
	memset(&row, 0, sizeof(row));
	r = ss_files_get(d->f, x->path, x->plen, &row, &e);
	if (r == -1) {
		ss_error("ledger: %s", e.msg);
		d->status = e.temporary ? SS_EX_TEMPFAIL : SS_EX_FATAL;
		return -1;
	}
	x->detailed = 1;	/* the grouping fields are already known */
	if (r == 0)
		return 0;
	x->size = row.size;
	x->mtime_ns = row.mtime_ns;
	file = jv_parse(row.record);
	if (jv_get_kind(file) == JV_KIND_OBJECT)
		fill_details(d, x, file);
	jv_free(file);
	ss_file_row_release(&row);
	return 0;
}

/* Ledger mode: everything comes from the index's columns, no record. */
static int
on_sum(const struct ss_file_sum *s, void *arg)
{
	struct dd *d = arg;
	struct ent *x = ent_new(s->path, s->plen);

	set_hex(x->sha, s->sha256);
	set_hex(x->ahash, s->audio_hash);
	x->broken = s->broken;
	x->duration_ms = s->duration_ms;
	set_rkey(x, s->artist, s->title);
	snprintf(x->format, sizeof(x->format), "%s",
	    s->format ? s->format : "");
	x->size = s->size;
	x->mtime_ns = s->mtime_ns >= 0 ? s->mtime_ns : LLONG_MAX;
	x->lossless = s->lossless;
	x->bitrate = s->bitrate;
	x->ntags = s->ntags;
	x->cover = s->has_cover;
	x->inlib = in_library(d, x);
	x->detailed = 1;
	return 0;
}

/* One record from the input: a scan record becomes a file to group. */
static int
take_record(struct dd *d, jv rec, const char *where)
{
	struct ss_err e = SS_ERR_INIT;
	struct sbuf path = SBUF_INIT;
	struct ent *x;
	jv file, missing;
	int r = 0;

	file = jv_object_get(jv_copy(rec), jv_string("file"));
	if (jv_get_kind(file) != JV_KIND_OBJECT) {
		ss_error("%s: not a scan record (no \"file\" object)", where);
		r = -1;
		goto out;
	}
	missing = jv_object_get(jv_copy(file), jv_string("missing"));
	if (jv_get_kind(missing) == JV_KIND_TRUE) {
		jv_free(missing);
		goto out;	/* gone since: nothing to dedupe */
	}
	jv_free(missing);
	if (ss_rec_get_path(rec, "path", &path, &e) == -1) {
		ss_error("%s: %s", where, e.msg);
		r = -1;
		goto out;
	}
	if (path.buf[0] != '/') {
		char *cwd = getcwd(NULL, 0);
		struct sbuf abs = SBUF_INIT;

		if (cwd == NULL)
			ss_die(SS_EX_FATAL, "getcwd: %s", strerror(errno));
		sbuf_addf(&abs, "%s/", cwd);
		sbuf_add(&abs, path.buf, path.len);
		free(cwd);
		sbuf_release(&path);
		path = abs;
	}
	x = ent_new(path.buf, path.len);
	fill_details(d, x, file);
out:
	jv_free(file);
	sbuf_release(&path);
	return r;
}

/* The record loop's function: keep the file of a scan record for later. */
static int
on_record(jv *rec, const char *where, void *arg)
{
	struct dd *d = arg;

	if (take_record(d, *rec, where) == -1) {
		d->failed++;
		return SS_REC_DROP;
	}
	return SS_REC_DROP;
}

/* ---- --from-scratch: size, then head and tail, then whole files ---- */

static int
on_walk_file(const char *path, size_t plen, const char *name,
    const struct stat *st, void *arg)
{
	struct ent *x;

	if (st->st_size == 0 || ss_is_tmp_name(path))
		return 0;
	x = ent_new(path, plen);
	x->size = st->st_size;
	x->mtime_ns = (long long)st->st_mtim.tv_sec * 1000000000LL +
	    st->st_mtim.tv_nsec;
	x->dev = st->st_dev;
	x->ino = st->st_ino;
	x->detailed = 1;
	return 0;
}

static void
on_walk_error(const char *path, const struct ss_err *e, void *arg)
{
	struct dd *d = arg;

	ss_error("%s", e->msg);
	d->failed++;
}

static int
cmp_size_ino(const void *a, const void *b)
{
	const struct ent *x = a, *y = b;
	int c;

	if (x->size != y->size)
		return x->size < y->size ? -1 : 1;
	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	c = memcmp(x->path, y->path, x->plen < y->plen ? x->plen : y->plen);
	return c ? c : (x->plen > y->plen) - (x->plen < y->plen);
}

static int
cmp_size_sha(const void *a, const void *b)
{
	const struct ent *x = a, *y = b;

	if (x->size != y->size)
		return x->size < y->size ? -1 : 1;
	return strcmp(x->sha, y->sha);
}

/*
 * The first and last PARTIAL bytes: their XXH64 (cheap, only to sort out
 * files that differ), or for a small file, read whole, its SHA-256.
 */
static int
partial_hash(struct ent *x, struct ss_err *e)
{
	unsigned char buf[2 * PARTIAL], sum[SS_SHA256_LEN];
	size_t want, got = 0;
	off_t off;
	ssize_t n;
	int fd;

	fd = open(x->path, O_RDONLY | O_CLOEXEC | O_NOATIME);
	if (fd == -1 && errno == EPERM)
		fd = open(x->path, O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return ss_err_errno(e, "'%s'", x->path);
	want = x->size <= 2 * PARTIAL ? (size_t)x->size : PARTIAL;
	while (got < want && (n = pread(fd, buf + got, want - got,
	    (off_t)got)) > 0)
		got += (size_t)n;
	if (x->size > 2 * PARTIAL) {
		off = x->size - PARTIAL;
		while (got < 2 * PARTIAL && (n = pread(fd, buf + got,
		    2 * PARTIAL - got, off + (off_t)(got - PARTIAL))) > 0)
			got += (size_t)n;
		want = 2 * PARTIAL;
	}
	close(fd);
	if (got != want)
		return ss_err_set(e, "changed", 0, "'%s': shorter than it was",
		    x->path);
	if (x->size > 2 * PARTIAL) {
		snprintf(x->sha, sizeof(x->sha), "xxh64:%016llx",
		    (unsigned long long)ss_xxh64(buf, got, 0));
		return 0;
	}
	if (ss_sha256(buf, got, sum, e) == -1)
		return -1;
	ss_hex(sum, sizeof(sum), x->sha);
	return 0;
}

static void
scratch_fail(struct dd *d, struct ent *x, const struct ss_err *e)
{
	ss_error("%s", e->msg);
	x->sha[0] = '\0';
	d->failed++;
}

/* Leaves x->sha set to the whole-file SHA-256 of every possible dupe. */
static void
hash_from_scratch(struct dd *d)
{
	struct ss_err e = SS_ERR_INIT;
	unsigned char sum[SS_SHA256_LEN];
	size_t i, j, k;

	/* hard links of one file are one file (as jdupes and fdupes see it) */
	ss_qsort(ents.v, ents.n, sizeof(*ents.v), cmp_size_ino);
	for (i = 0; i < ents.n; i = j) {
		for (j = i + 1; j < ents.n && ents.v[j].size ==
		    ents.v[i].size; j++)
			;
		if (j - i < 2)
			continue;
		for (k = i; k < j; k++) {
			if (k > i && ents.v[k].dev == ents.v[k - 1].dev &&
			    ents.v[k].ino == ents.v[k - 1].ino)
				continue;
			if (partial_hash(&ents.v[k], &e) == -1)
				scratch_fail(d, &ents.v[k], &e);
		}
	}
	ss_qsort(ents.v, ents.n, sizeof(*ents.v), cmp_size_sha);
	for (i = 0; i < ents.n; i = j) {
		for (j = i + 1; j < ents.n && ents.v[j].size ==
		    ents.v[i].size && strcmp(ents.v[j].sha, ents.v[i].sha) == 0;
		    j++)
			;
		if (j - i < 2 || ents.v[i].sha[0] == '\0' ||
		    ents.v[i].size <= 2 * PARTIAL)
			continue;	/* a small file's partial hash is whole */
		for (k = i; k < j; k++) {
			if (ss_sha256_file(ents.v[k].path, sum, &e) == -1) {
				scratch_fail(d, &ents.v[k], &e);
				continue;
			}
			ss_hex(sum, sizeof(sum), ents.v[k].sha);
		}
	}
}

/* ---- the keeper ---- */

static int
cmp_ll(long long a, long long b, int higher_better)
{
	if (a == b)
		return 0;
	return (a > b) == higher_better ? -1 : 1;
}

/* < 0 if a is the better keeper; *crit gets the deciding criterion. */
static int
better(const struct dd *d, const struct ent *a, const struct ent *b,
    int *crit)
{
	int i, c = 0;

	*crit = C_BROKEN;
	if (a->broken != b->broken)
		return a->broken ? 1 : -1;
	for (i = 0; i < d->norder && c == 0; i++) {
		*crit = d->order[i];
		switch (d->order[i]) {
		case C_LOSSLESS:
			c = cmp_ll(a->lossless, b->lossless, 1);
			break;
		case C_BITRATE:
			c = cmp_ll(a->bitrate, b->bitrate, 1);
			break;
		case C_TAGS:
			c = cmp_ll(a->ntags, b->ntags, 1);
			break;
		case C_COVER:
			c = cmp_ll(a->cover, b->cover, 1);
			break;
		case C_LIBRARY:
			c = cmp_ll(a->inlib, b->inlib, 1);
			break;
		case C_OLDEST:
			c = cmp_ll(a->mtime_ns, b->mtime_ns, 0);
			break;
		}
	}
	if (c != 0)
		return c;
	*crit = C_PATH;
	c = memcmp(a->path, b->path, a->plen < b->plen ? a->plen : b->plen);
	return c ? c : (a->plen > b->plen) - (a->plen < b->plen);
}

static void
why_text(struct sbuf *out, int crit, const struct ent *k,
    const struct ent *r)
{
	switch (crit) {
	case C_BROKEN:
		sbuf_adds(out, "not broken, unlike the others");
		break;
	case C_LOSSLESS:
		sbuf_addf(out, "lossless (%s) over lossy (%s)",
		    k->format[0] ? k->format : "?",
		    r->format[0] ? r->format : "?");
		break;
	case C_BITRATE:
		sbuf_addf(out, "higher bitrate (%lld over %lld kbps)",
		    k->bitrate, r->bitrate);
		break;
	case C_TAGS:
		sbuf_addf(out, "more complete tags (%d over %d)", k->ntags,
		    r->ntags);
		break;
	case C_COVER:
		sbuf_adds(out, "has cover art");
		break;
	case C_LIBRARY:
		sbuf_adds(out, "inside library_dir");
		break;
	case C_OLDEST:
		sbuf_adds(out, "oldest modification time");
		break;
	default:
		sbuf_adds(out, "all else equal: first path in byte order");
	}
}

/* ---- actions ---- */

struct group {
	int kind;
	const char *key;
	size_t *m;		/* indexes into ents.v; m[0] is the keeper */
	size_t nm;
};

/* Checks that x is still what the input said; 0, or -1 and why it is not. */
static int
verify(const struct ent *x, struct sbuf *why)
{
	struct ss_err e = SS_ERR_INIT;
	unsigned char sum[SS_SHA256_LEN];
	char hex[SS_SHA256_HEXLEN + 1];
	struct stat st;

	if (lstat(x->path, &st) == -1) {
		sbuf_addf(why, "is gone: %s", strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		sbuf_adds(why, "is no longer a regular file");
		return -1;
	}
	if (x->size >= 0 && st.st_size != x->size) {
		sbuf_addf(why, "changed size (%lld bytes, %lld when scanned)",
		    (long long)st.st_size, x->size);
		return -1;
	}
	if (x->sha[0] == '\0') {
		sbuf_adds(why, "has no known sha256");
		return -1;
	}
	if (ss_sha256_file(x->path, sum, &e) == -1) {
		sbuf_adds(why, e.msg);
		return -1;
	}
	ss_hex(sum, sizeof(sum), hex);
	if (strcmp(hex, x->sha) != 0) {
		sbuf_adds(why, "changed content since it was scanned");
		return -1;
	}
	return 0;
}

static int
first_move(long long id, const void *src, size_t slen, const void *dst,
    size_t dlen, const char *sha256, void *arg)
{
	*(long long *)arg = id;
	return 1;
}

static int
ledger_fail(struct dd *d, const struct ss_err *e)
{
	ss_error("ledger: %s", e->msg);
	d->status = e->temporary ? SS_EX_TEMPFAIL : SS_EX_FATAL;
	return -1;
}

static char *
dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xmemdupz(path, (size_t)(slash - path));
}

/*
 * Moves one other of a group into the quarantine; returns the status
 * word for the record ("moved", "would_move", "skipped"), or NULL after
 * a ledger failure (d->status set).
 */
/*
 * same_audio groups come from a fast hash: before a file is moved its
 * audio must be the keeper's, byte for byte (SHA-256 of both payloads;
 * FLAC frames themselves, not the MD5 a file claims).
 */
static int
same_payload(const struct ent *k, const struct ent *x, struct sbuf *why)
{
	struct ss_err e = SS_ERR_INIT;
	char a[SS_SHA256_HEXLEN + 1], b[SS_SHA256_HEXLEN + 1];

	if (ss_audio_payload_sha256(k->path, a, &e) == -1 ||
	    ss_audio_payload_sha256(x->path, b, &e) == -1) {
		sbuf_adds(why, e.msg);
		return -1;
	}
	if (strcmp(a, b) != 0) {
		sbuf_adds(why, "its audio differs from the keeper's, although "
		    "their audio hashes are equal");
		return -1;
	}
	return 0;
}

static const char *
quarantine_one(struct dd *d, int kind, const struct ent *k, int *keeper_ok,
    const struct ent *x, struct sbuf *to, struct sbuf *why)
{
	struct ss_err e = SS_ERR_INIT;
	long long id = -1;
	const char *rel = x->path;
	char *dir;
	int r;

	while (*rel == '/')
		rel++;
	if (x->path[0] != '/') {
		sbuf_adds(why, "not an absolute path");
		return "skipped";
	}
	if (x->plen > d->qdir.len && memcmp(x->path, d->qdir.buf,
	    d->qdir.len) == 0 && x->path[d->qdir.len] == '/') {
		sbuf_adds(why, "already in the quarantine folder");
		return "skipped";
	}
	if (ss_path_join(d->qdir.buf, rel, to, &e) == -1) {
		sbuf_adds(why, e.msg);
		return "skipped";
	}
	if (*keeper_ok == 0) {
		sbuf_addf(why, "the keeper '%s' ", k->path);
		*keeper_ok = verify(k, why) == 0 ? 1 : -1;
		if (*keeper_ok == 1)
			sbuf_reset(why);
	} else if (*keeper_ok == -1)
		sbuf_addf(why, "the keeper '%s' could not be checked", k->path);
	if (*keeper_ok == -1) {
		ss_warn("not moving '%s': %s", x->path, why->buf);
		return "skipped";
	}
	/* a broken copy goes when a good keeper stays, whatever it claims */
	if (verify(x, why) == -1 || (kind == K_SAME_AUDIO &&
	    !(x->broken && !k->broken) && same_payload(k, x, why) == -1)) {
		ss_warn("not moving '%s': %s", x->path, why->buf);
		return "skipped";
	}
	if (o.dry_run)
		return "would_move";
	dir = dir_of(to->buf);
	r = ss_mkdirs(dir, 0755, &e);
	free(dir);
	if (r == -1) {
		sbuf_adds(why, e.msg);
		ss_error("not moving '%s': %s", x->path, e.msg);
		return "skipped";
	}
	/* recorded first: a crash after the move still leaves it undoable */
	if (ss_moves_add(d->f, "ss-dedupe", d->run, x->path, x->plen,
	    to->buf, to->len, x->size, x->sha, &e) == -1) {
		ledger_fail(d, &e);
		return NULL;
	}
	if (ss_move(x->path, to->buf, &e) == -1) {
		sbuf_adds(why, e.msg);
		ss_error("not moving '%s': %s", x->path, e.msg);
		if (ss_moves_list(d->f, "ss-dedupe", d->run, first_move, &id,
		    &e) == -1 || (id >= 0 && ss_moves_undone(d->f, id,
		    &e) == -1)) {
			ledger_fail(d, &e);
			return NULL;
		}
		return "skipped";
	}
	if (ss_files_set_missing(d->l, x->path, x->plen, 1, &e) == -1) {
		ledger_fail(d, &e);
		return NULL;
	}
	return "moved";
}

/* A path as a JSON string: its display form when it is not UTF-8. */
static void
json_display(struct sbuf *sb, const char *path, size_t len)
{
	struct sbuf disp = SBUF_INIT;

	if (ss_utf8_valid(path, len)) {
		ss_json_add_string(sb, path, len);
		return;
	}
	ss_path_display(path, len, &disp);
	ss_json_add_string(sb, disp.buf, disp.len);
	sbuf_release(&disp);
}

/* "key":path, and "key_b64":bytes for a path that is not UTF-8. */
static void
json_path(struct sbuf *sb, const char *key, const char *path, size_t len)
{
	ss_json_add_string(sb, key, strlen(key));
	sbuf_addch(sb, ':');
	json_display(sb, path, len);
	if (ss_utf8_valid(path, len))
		return;
	sbuf_addch(sb, ',');
	sbuf_addch(sb, '"');
	sbuf_adds(sb, key);
	sbuf_adds(sb, "_b64\":\"");
	ss_base64_encode(path, len, sb);
	sbuf_addch(sb, '"');
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void
group_id(const struct group *g, char id[6 + 33])
{
	struct ss_err e = SS_ERR_INIT;
	struct sbuf all = SBUF_INIT;
	unsigned char sum[SS_SHA256_LEN];
	char hex[SS_SHA256_HEXLEN + 1];
	const char **paths = xcalloc(g->nm, sizeof(*paths));
	size_t i;

	for (i = 0; i < g->nm; i++)
		paths[i] = ents.v[g->m[i]].path;
	ss_qsort(paths, g->nm, sizeof(*paths), cmp_str);
	sbuf_adds(&all, kind_names[g->kind]);
	for (i = 0; i < g->nm; i++) {
		sbuf_addch(&all, '\0');
		sbuf_adds(&all, paths[i]);
	}
	if (ss_sha256(all.buf, all.len, sum, &e) == -1)
		ss_die(SS_EX_FATAL, "%s", e.msg);
	ss_hex(sum, sizeof(sum), hex);
	snprintf(id, 6 + 33, "dupe:%.32s", hex);
	free(paths);
	sbuf_release(&all);
}

/* Chooses the keeper (moved to m[0]), acts, and writes the record. */
static int
do_group(struct dd *d, struct group *g)
{
	struct ss_err e = SS_ERR_INIT;
	struct sbuf why = SBUF_INIT, to = SBUF_INIT, reason = SBUF_INIT;
	struct sbuf rec = SBUF_INIT, moves = SBUF_INIT;
	struct ent *k, *x;
	size_t i, best = 0, second = 1, t;
	int crit = C_PATH, c, any_b64 = 0, keeper_ok = 0;
	char id[6 + 33];
	const char *st;

	for (i = 0; i < g->nm; i++)
		if (ensure_details(d, &ents.v[g->m[i]]) == -1)
			return -1;
	for (i = 1; i < g->nm; i++)
		if (better(d, &ents.v[g->m[i]], &ents.v[g->m[best]], &c) < 0)
			best = i;
	t = g->m[0];
	g->m[0] = g->m[best];
	g->m[best] = t;
	for (i = 2; i < g->nm; i++)
		if (better(d, &ents.v[g->m[i]], &ents.v[g->m[second]], &c) < 0)
			second = i;
	k = &ents.v[g->m[0]];
	better(d, k, &ents.v[g->m[second]], &crit);
	if (g->kind == K_SAME_RECORDING)
		sbuf_adds(&why, "same artist and title, durations within 2 s, "
		    "different audio: flagged only; the keeper would be the "
		    "one by policy: ");
	why_text(&why, crit, k, &ents.v[g->m[second]]);

	/* the record is written as JSON text: a jv per path cost the most */
	group_id(g, id);
	sbuf_adds(&rec, "{\"id\":");
	ss_json_add_string(&rec, id, strlen(id));
	sbuf_adds(&rec, ",\"dedupe\":{\"kind\":");
	ss_json_add_string(&rec, kind_names[g->kind],
	    strlen(kind_names[g->kind]));
	sbuf_adds(&rec, ",\"key\":");
	ss_json_add_string(&rec, g->key, strlen(g->key));
	sbuf_addch(&rec, ',');
	json_path(&rec, "keeper", k->path, k->plen);
	sbuf_adds(&rec, ",\"others\":[");
	for (i = 1; i < g->nm; i++) {
		x = &ents.v[g->m[i]];
		if (i > 1)
			sbuf_addch(&rec, ',');
		json_display(&rec, x->path, x->plen);
		if (!ss_utf8_valid(x->path, x->plen))
			any_b64 = 1;
		if (o.quarantine == NULL || g->kind == K_SAME_RECORDING)
			continue;
		sbuf_reset(&to);
		sbuf_reset(&reason);
		st = quarantine_one(d, g->kind, k, &keeper_ok, x, &to,
		    &reason);
		if (st == NULL)
			break;
		sbuf_adds(&moves, moves.len ? ",{" : "{");
		json_path(&moves, "path", x->path, x->plen);
		if (to.len > 0) {
			sbuf_addch(&moves, ',');
			json_path(&moves, "to", to.buf, to.len);
		}
		sbuf_adds(&moves, ",\"status\":");
		ss_json_add_string(&moves, st, strlen(st));
		if (reason.len > 0) {
			sbuf_adds(&moves, ",\"reason\":");
			json_display(&moves, reason.buf, reason.len);
		}
		sbuf_addch(&moves, '}');
		if (strcmp(st, "moved") == 0)
			d->moved++;
		else if (strcmp(st, "skipped") == 0)
			d->skipped++;
	}
	sbuf_addch(&rec, ']');
	if (any_b64) {
		sbuf_adds(&rec, ",\"others_b64\":[");
		for (i = 1; i < g->nm; i++) {
			x = &ents.v[g->m[i]];
			if (i > 1)
				sbuf_addch(&rec, ',');
			if (ss_utf8_valid(x->path, x->plen)) {
				sbuf_adds(&rec, "null");
				continue;
			}
			sbuf_addch(&rec, '"');
			ss_base64_encode(x->path, x->plen, &rec);
			sbuf_addch(&rec, '"');
		}
		sbuf_addch(&rec, ']');
	}
	sbuf_adds(&rec, ",\"why\":");
	json_display(&rec, why.buf, why.len);
	if (o.quarantine != NULL && g->kind != K_SAME_RECORDING) {
		if (d->run[0]) {
			sbuf_adds(&rec, ",\"run\":");
			ss_json_add_string(&rec, d->run, strlen(d->run));
		}
		sbuf_adds(&rec, ",\"quarantine\":[");
		sbuf_add(&rec, moves.buf, moves.len);
		sbuf_addch(&rec, ']');
	}
	sbuf_adds(&rec, "}}");
	sbuf_release(&why);
	sbuf_release(&to);
	sbuf_release(&reason);
	d->groups++;
	if (d->status == 0 && ss_emit_raw(rec.buf, rec.len, &e) == -1) {
		ss_error("%s", e.msg);
		d->status = SS_EX_FATAL;
	}
	sbuf_release(&rec);
	sbuf_release(&moves);
	return d->status ? -1 : 0;
}

/* ---- grouping ---- */

static int
cmp_sha(const void *a, const void *b)
{
	const struct ent *x = &ents.v[*(const size_t *)a];
	const struct ent *y = &ents.v[*(const size_t *)b];
	int c = strcmp(x->sha, y->sha);

	return c ? c : (*(const size_t *)a > *(const size_t *)b) -
	    (*(const size_t *)a < *(const size_t *)b);
}

static int
cmp_ahash(const void *a, const void *b)
{
	const struct ent *x = &ents.v[*(const size_t *)a];
	const struct ent *y = &ents.v[*(const size_t *)b];
	int c = strcmp(x->ahash, y->ahash);

	return c ? c : (*(const size_t *)a > *(const size_t *)b) -
	    (*(const size_t *)a < *(const size_t *)b);
}

static int
cmp_rec(const void *a, const void *b)
{
	const struct ent *x = &ents.v[*(const size_t *)a];
	const struct ent *y = &ents.v[*(const size_t *)b];
	int c = strcmp(x->rkey, y->rkey);

	if (c)
		return c;
	if (x->duration_ms != y->duration_ms)
		return x->duration_ms < y->duration_ms ? -1 : 1;
	return (*(const size_t *)a > *(const size_t *)b) -
	    (*(const size_t *)a < *(const size_t *)b);
}

static int
cmp_path(const void *a, const void *b)
{
	const struct ent *x = a, *y = b;
	int c = memcmp(x->path, y->path, x->plen < y->plen ? x->plen :
	    y->plen);

	return c ? c : (x->plen > y->plen) - (x->plen < y->plen);
}

/* The same path twice in the input is one file (the last word wins). */
static void
drop_repeated_paths(void)
{
	size_t i, n = 0;

	ss_qsort(ents.v, ents.n, sizeof(*ents.v), cmp_path);
	for (i = 0; i < ents.n; i++) {
		if (n > 0 && cmp_path(&ents.v[n - 1], &ents.v[i]) == 0) {
			free(ents.v[n - 1].path);
			free(ents.v[n - 1].rkey);
			ents.v[n - 1] = ents.v[i];
			continue;
		}
		ents.v[n++] = ents.v[i];
	}
	ents.n = n;
}

/* Groups the members idx[i..j) that pass and marks the others losers. */
static int
run_group(struct dd *d, int kind, const char *key, size_t *m, size_t nm)
{
	struct group g;
	size_t i;

	g.kind = kind;
	g.key = key;
	g.m = m;
	g.nm = nm;
	if (do_group(d, &g) == -1)
		return -1;
	if (kind != K_SAME_RECORDING)
		for (i = 1; i < nm; i++)
			ents.v[m[i]].loser = 1;
	return 0;
}

static int
find_groups(struct dd *d)
{
	size_t *idx = xcalloc(ents.n ? ents.n : 1, sizeof(*idx));
	size_t *m = xcalloc(ents.n ? ents.n : 1, sizeof(*m));
	size_t n, i, j, k, nm;
	char *key;
	int r = -1;

	/* exact: one sha256 */
	for (n = i = 0; i < ents.n; i++)
		if (ents.v[i].sha[0])
			idx[n++] = i;
	ss_qsort(idx, n, sizeof(*idx), cmp_sha);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && strcmp(ents.v[idx[j]].sha,
		    ents.v[idx[i]].sha) == 0; j++)
			;
		if (j - i > 1 && run_group(d, K_EXACT, ents.v[idx[i]].sha,
		    idx + i, j - i) == -1)
			goto out;
	}
	/* same_audio: one audio hash, different files (one per sha256) */
	for (n = i = 0; i < ents.n; i++)
		if (ents.v[i].ahash[0] && !ents.v[i].loser)
			idx[n++] = i;
	ss_qsort(idx, n, sizeof(*idx), cmp_ahash);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && strcmp(ents.v[idx[j]].ahash,
		    ents.v[idx[i]].ahash) == 0; j++)
			;
		if (j - i > 1 && run_group(d, K_SAME_AUDIO,
		    ents.v[idx[i]].ahash, idx + i, j - i) == -1)
			goto out;
	}
	/* same_recording: artist and title, durations within 2 s */
	for (n = i = 0; i < ents.n; i++)
		if (ents.v[i].rkey != NULL && !ents.v[i].loser &&
		    !ents.v[i].broken && ents.v[i].duration_ms >= 0)
			idx[n++] = i;
	ss_qsort(idx, n, sizeof(*idx), cmp_rec);
	for (i = 0; i < n; i = j) {
		key = ents.v[idx[i]].rkey;
		for (j = i + 1; j < n && strcmp(ents.v[idx[j]].rkey, key) == 0 &&
		    ents.v[idx[j]].duration_ms - ents.v[idx[i]].duration_ms <=
		    SAME_RECORDING_MS; j++)
			;
		if (j - i < 2)
			continue;
		/* files with the same audio hash here differ by broken-ness */
		for (nm = 0, k = i; k < j; k++)
			m[nm++] = idx[k];
		if (run_group(d, K_SAME_RECORDING, key, m, nm) == -1)
			goto out;
	}
	r = 0;
out:
	free(idx);
	free(m);
	return r;
}

/* ---- --undo ---- */

struct mv {
	long long id;
	char *src, *dst;
	size_t slen, dlen;
};

struct mvs {
	struct mv *v;
	size_t n;
};

static int
collect_move(long long id, const void *src, size_t slen, const void *dst,
    size_t dlen, const char *sha256, void *arg)
{
	struct mvs *ms = arg;

	ms->v = xreallocarray(ms->v, ms->n + 1, sizeof(*ms->v));
	ms->v[ms->n].id = id;
	ms->v[ms->n].src = xmemdupz(src, slen);
	ms->v[ms->n].slen = slen;
	ms->v[ms->n].dst = xmemdupz(dst, dlen);
	ms->v[ms->n].dlen = dlen;
	ms->n++;
	return 0;
}

static int
undo(struct dd *d)
{
	struct ss_err e = SS_ERR_INIT;
	struct mvs ms = { NULL, 0 };
	struct stat st;
	const char *status;
	char id[96], *dir;
	size_t i;
	jv rec, u;

	if (ss_moves_list(d->f, "ss-dedupe", o.undo, collect_move, &ms,
	    &e) == -1)
		return ledger_fail(d, &e);
	if (ms.n == 0) {
		ss_error("run '%s': nothing to undo", o.undo);
		d->failed++;
	}
	for (i = 0; i < ms.n && d->status == 0; i++) {
		struct mv *m = &ms.v[i];

		ss_err_clear(&e);
		if (o.dry_run) {
			status = lstat(m->dst, &st) == 0 ? "would_restore" :
			    lstat(m->src, &st) == 0 ? "already_restored" :
			    "failed";
			if (*status == 'f')
				ss_err_set(&e, "missing", 0, "'%s' is gone",
				    m->dst);
		} else {
			dir = dir_of(m->src);
			if (ss_mkdirs(dir, 0755, &e) == 0 &&
			    ss_move(m->dst, m->src, &e) == 0)
				status = "restored";
			else if (strcmp(e.code, "missing") == 0 &&
			    lstat(m->src, &st) == 0)
				status = "already_restored";
			else
				status = "failed";
			free(dir);
			if (*status != 'f') {
				ss_err_clear(&e);
				if (ss_moves_undone(d->f, m->id, &e) == -1 ||
				    ss_files_set_missing(d->l, m->src, m->slen,
				    0, &e) == -1)
					ledger_fail(d, &e);
			}
		}
		if (*status == 'f') {
			ss_error("cannot restore '%s': %s", m->src, e.msg);
			d->failed++;
		}
		snprintf(id, sizeof(id), "undo:%s:%lld", o.undo, m->id);
		u = jv_object_set(jv_object(), jv_string("run"),
		    jv_string(o.undo));
		ss_rec_set_path(&u, "path", m->src, m->slen);
		ss_rec_set_path(&u, "from", m->dst, m->dlen);
		u = jv_object_set(u, jv_string("status"), jv_string(status));
		if (*status == 'f')
			u = jv_object_set(u, jv_string("reason"),
			    jv_string(e.msg));
		rec = jv_object_set(jv_object(), jv_string("id"), jv_string(id));
		rec = jv_object_set(rec, jv_string("undo"), u);
		if (ss_emit(rec, &e) == -1) {
			ss_error("%s", e.msg);
			d->status = SS_EX_FATAL;
		}
	}
	for (i = 0; i < ms.n; i++) {
		free(ms.v[i].src);
		free(ms.v[i].dst);
	}
	free(ms.v);
	return d->status ? -1 : 0;
}

/* ---- setup ---- */

static void
parse_order(struct dd *d, const char *text)
{
	char *copy = xstrdup(text), *tok, *save;
	int i, k;

	d->norder = 0;
	for (tok = strtok_r(copy, " \t,", &save); tok != NULL;
	    tok = strtok_r(NULL, " \t,", &save)) {
		for (i = 0; i < C_COUNT; i++)
			if (strcmp(tok, crit_names[i]) == 0)
				break;
		if (i == C_COUNT)
			ss_die(SS_EX_USAGE, "dedupe_keep: unknown criterion "
			    "'%s' (lossless bitrate tags cover library oldest)",
			    tok);
		for (k = 0; k < d->norder; k++)
			if (d->order[k] == i)
				ss_die(SS_EX_USAGE, "dedupe_keep: '%s' twice",
				    tok);
		d->order[d->norder++] = i;
	}
	free(copy);
}

static void
open_ledger(struct dd *d)
{
	struct ss_err e = SS_ERR_INIT;

	if (ss_ledger_open_config(&d->l, d->cfg, &e) == -1)
		ss_die(ss_err_exit(&e), "%s", e.msg);
	if (ss_files_open(d->l, &d->f, &e) == -1)
		ss_die(SS_EX_FATAL, "%s", e.msg);
}

static void
setup_quarantine(struct dd *d)
{
	struct ss_err e = SS_ERR_INIT;
	char *real, *cwd;

	if (!o.dry_run && ss_mkdirs(o.quarantine, 0755, &e) == -1)
		ss_die(SS_EX_USAGE, "--quarantine: %s", e.msg);
	if ((real = realpath(o.quarantine, NULL)) != NULL) {
		sbuf_adds(&d->qdir, real);
		free(real);
	} else if (o.quarantine[0] == '/')
		sbuf_adds(&d->qdir, o.quarantine);
	else {
		if ((cwd = getcwd(NULL, 0)) == NULL)
			ss_die(SS_EX_FATAL, "getcwd: %s", strerror(errno));
		sbuf_addf(&d->qdir, "%s/%s", cwd, o.quarantine);
		free(cwd);
	}
}

static void
usage_exit(int status)
{
	ss_usage(usage_str, status);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "from-scratch", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ "keep", required_argument, NULL, 'K' },
		{ "ledger", no_argument, NULL, 'L' },
		{ "log-format", required_argument, NULL, 'F' },
		{ "quarantine", required_argument, NULL, 'Q' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "undo", required_argument, NULL, 'U' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct ss_err e = SS_ERR_INIT;
	struct ss_walk_opts wo;
	struct dd d;
	char *globs = NULL, *tok, *save, **ignore = NULL, *real;
	const char *lib;
	size_t nignore = 0;
	struct ss_loop_stats stats;
	int ch, i, r, ledger = 0, scratch = 0, status = SS_EX_OK;

	ss_init(argv[0]);
	memset(&d, 0, sizeof(d));
	sbuf_init(&d.qdir, 0);
	while ((ch = getopt_long(argc, argv, "c:F:hK:LnQ:qSU:Vv", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'c':
			o.config = optarg;
			break;
		case 'F':
			if (ss_log_set_format(optarg) == -1)
				usage_exit(SS_EX_USAGE);
			break;
		case 'h':
			usage_exit(SS_EX_OK);
			break;
		case 'K':
			o.keep = optarg;
			break;
		case 'L':
			ledger = 1;
			break;
		case 'n':
			o.dry_run = 1;
			break;
		case 'Q':
			o.quarantine = optarg;
			break;
		case 'q':
			ss_verbosity = -1;
			break;
		case 'S':
			scratch = 1;
			break;
		case 'U':
			o.undo = optarg;
			break;
		case 'V':
			ss_version();
			break;
		case 'v':
			ss_verbosity++;
			break;
		default:
			usage_exit(SS_EX_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (ledger + scratch + (o.undo != NULL) > 1 ||
	    (o.undo != NULL && (argc > 0 || o.quarantine != NULL)) ||
	    (ledger && argc > 0) || (scratch && argc == 0))
		usage_exit(SS_EX_USAGE);
	if (o.undo != NULL)
		o.mode = IN_UNDO;
	else if (scratch)
		o.mode = IN_SCRATCH;
	else if (ledger || (argc == 0 && isatty(STDIN_FILENO)))
		o.mode = IN_LEDGER;
	else
		o.mode = IN_RECORDS;

	if (ss_config_load(&d.cfg, o.config, &e) == -1)
		ss_die(SS_EX_USAGE, "%s", e.msg);
	parse_order(&d, o.keep ? o.keep : ss_config_get(d.cfg, "dedupe_keep"));
	/* library_dir, where the configuration has it */
	lib = ss_config_get(d.cfg, "library_dir");
	if (lib != NULL && *lib != '\0') {
		real = realpath(lib, NULL);
		d.libdir = real ? real : xstrdup(lib);
		d.libdirlen = strlen(d.libdir);
		while (d.libdirlen > 1 && d.libdir[d.libdirlen - 1] == '/')
			d.libdir[--d.libdirlen] = '\0';
	}
	if (o.mode == IN_LEDGER || o.mode == IN_UNDO ||
	    (o.quarantine != NULL && !o.dry_run))
		open_ledger(&d);
	if (o.quarantine != NULL)
		setup_quarantine(&d);

	if (o.mode == IN_UNDO) {
		undo(&d);
		goto done;
	}
	if (o.mode == IN_LEDGER) {
		if (ss_files_each_sum(d.l, on_sum, &d, &e) == -1) {
			ledger_fail(&d, &e);
			goto done;
		}
	} else if (o.mode == IN_SCRATCH) {
		globs = xstrdup(ss_config_get(d.cfg, "scan_ignore"));
		for (tok = strtok_r(globs, " \t", &save); tok != NULL;
		    tok = strtok_r(NULL, " \t", &save)) {
			ignore = xreallocarray(ignore, nignore + 1,
			    sizeof(*ignore));
			ignore[nignore++] = tok;
		}
		memset(&wo, 0, sizeof(wo));
		wo.ignore = ignore;
		wo.nignore = nignore;
		for (i = 0; i < argc; i++) {
			if ((real = realpath(argv[i], NULL)) == NULL) {
				ss_error("cannot read '%s': %s", argv[i],
				    strerror(errno));
				d.failed++;
				continue;
			}
			if (ss_walk(real, &wo, on_walk_file, on_walk_error, &d,
			    &e) == -1) {
				ss_error("cannot read %s", e.msg);
				d.failed++;
			}
			free(real);
		}
		hash_from_scratch(&d);
	} else {
		/* records that carry "error" pass through as they came */
		r = ss_record_scan(argv, argc, on_record, &d, &stats);
		if (r == SS_EX_FATAL || r == SS_EX_TEMPFAIL)
			d.status = r;
		d.failed += stats.malformed;
	}
	if (d.status)
		goto done;
	/* the index has each path once, already in path order */
	if (o.mode != IN_LEDGER)
		drop_repeated_paths();
	if (o.quarantine != NULL && !o.dry_run) {
		if (ss_run_begin(d.l, "ss-dedupe", &d.run_id, &e) == -1) {
			ledger_fail(&d, &e);
			goto done;
		}
		snprintf(d.run, sizeof(d.run), "%lld", d.run_id);
		if (ss_verbosity >= 0)
			fprintf(stderr, "%s: run %s: quarantine in '%s'; "
			    "undo with: ss-dedupe --undo %s\n", ss_progname,
			    d.run, d.qdir.buf, d.run);
	}
	find_groups(&d);
	if (d.run_id > 0 && ss_run_end(d.l, d.run_id, d.status ? d.status :
	    d.failed + d.skipped > 0, d.groups, d.failed + d.skipped,
	    &e) == -1)
		ledger_fail(&d, &e);
	ss_info("%zu files, %lld groups, %lld moved, %lld skipped", ents.n,
	    d.groups, d.moved, d.skipped);
done:
	if (ss_output_close(&e) == -1) {
		if (d.status != SS_EX_FATAL)
			ss_error("%s", e.msg);
		d.status = SS_EX_FATAL;
	}
	if (d.status)
		status = d.status;
	else if (d.failed + d.skipped > 0)
		status = SS_EX_PARTIAL;
	for (i = 0; i < (int)ents.n; i++) {
		free(ents.v[i].path);
		free(ents.v[i].rkey);
	}
	free(ents.v);
	free(ignore);
	free(globs);
	free(d.libdir);
	sbuf_release(&d.qdir);
	ss_files_close(d.f);
	ss_ledger_close(d.l);
	ss_config_free(d.cfg);
	return status;
}
