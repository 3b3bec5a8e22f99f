/* ss-tag: write a record's meta, lyrics and cover into its file, atomically. */
#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <getopt.h>
#include <strings.h>
#include <unistd.h>

#include "ss.h"
#include "base64.h"
#include "config.h"
#include "fileio.h"
#include "meta.h"
#include "path.h"
#include "record.h"
#include "tags.h"

static const char usage[] =
    "usage: ss-tag [-nqv] [--clear] [--strip-v1] [-c file] "
    "[--log-format=format]\n"
    "              [file ...]\n"
    "       ss-tag -h | -V";

#define ART_MAX (32 * 1024 * 1024)

enum {
	OPT_CLEAR = 256,
	OPT_LOG_FORMAT,
	OPT_STRIP_V1
};

static const struct option longopts[] = {
	{ "clear", no_argument, NULL, OPT_CLEAR },
	{ "config", required_argument, NULL, 'c' },
	{ "dry-run", no_argument, NULL, 'n' },
	{ "help", no_argument, NULL, 'h' },
	{ "log-format", required_argument, NULL, OPT_LOG_FORMAT },
	{ "quiet", no_argument, NULL, 'q' },
	{ "strip-v1", no_argument, NULL, OPT_STRIP_V1 },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

struct opts {
	int dry_run;
	int clear;
	int strip_v1;
};

/* What one record asks for. */
struct job {
	struct sbuf path;
	char *plain;		/* lyrics to embed, or NULL */
	char *synced;		/* LRC text for the sidecar, or NULL */
	struct ss_picture art;	/* data NULL: no cover given */
	struct ss_tags cur;
	struct ss_meta_props mp;
	jv written;		/* array of the keys that change */
	int cover_changes;
};

static void
job_release(struct job *j)
{
	sbuf_release(&j->path);
	free(j->plain);
	free(j->synced);
	free(j->art.data);
	free(j->art.mime);
	ss_tags_release(&j->cur);
	ss_meta_props_release(&j->mp);
	jv_free(j->written);
}

/* The file of a record: rename.to, else download.path, else path. */
static int
record_path(jv rec, struct sbuf *out, struct ss_err *e)
{
	static const char *const where[][2] = {
		{ "rename", "to" }, { "download", "path" }, { NULL, "path" }
	};
	size_t i;
	jv obj, v;
	int ret, kind;

	for (i = 0; i < SS_ARRAY_SIZE(where); i++) {
		if (where[i][0] != NULL)
			obj = jv_object_get(jv_copy(rec),
			    jv_string(where[i][0]));
		else
			obj = jv_copy(rec);
		if (jv_get_kind(obj) != JV_KIND_OBJECT) {
			jv_free(obj);
			continue;
		}
		ss_err_clear(e);
		v = jv_object_get(jv_copy(obj), jv_string(where[i][1]));
		kind = jv_get_kind(v);
		jv_free(v);
		if (kind == JV_KIND_NULL) {
			/* "to": null, a rename that was skipped */
			jv_free(obj);
			continue;
		}
		ret = ss_rec_get_path(obj, where[i][1], out, e);
		jv_free(obj);
		if (ret == 0)
			return 0;
		if (strcmp(e->code, "missing") != 0)
			return -1;
	}
	return ss_err_set(e, "missing", 0,
	    "no file: neither rename.to, download.path nor path");
}

/* A string member of obj (borrowed), or NULL; "" counts as absent. */
static char *
str_member(jv obj, const char *key)
{
	char *s = ss_jv_strdup(obj, key);

	if (s != NULL && *s == '\0') {
		free(s);
		s = NULL;
	}
	return s;
}

/*
 * "lyrics": a string (plain text), or {plain, synced} (LRCLIB's
 * plainLyrics and syncedLyrics are taken too).  Embedded: the plain text,
 * else the synced one; the synced one also goes to the .lrc sidecar.
 */
static int
read_lyrics(jv rec, struct job *j, struct ss_err *e)
{
	jv v = jv_object_get(jv_copy(rec), jv_string("lyrics"));
	int ret = 0;

	switch (jv_get_kind(v)) {
	case JV_KIND_STRING:
		if (jv_string_length_bytes(jv_copy(v)) > 0)
			j->plain = xstrdup(jv_string_value(v));
		break;
	case JV_KIND_OBJECT:
		if ((j->plain = str_member(v, "plain")) == NULL)
			j->plain = str_member(v, "plainLyrics");
		if ((j->synced = str_member(v, "synced")) == NULL)
			j->synced = str_member(v, "syncedLyrics");
		break;
	case JV_KIND_INVALID:
	case JV_KIND_NULL:
		break;
	default:
		ret = ss_err_set(e, "invalid", 0,
		    "lyrics is neither text nor an object");
	}
	jv_free(v);
	return ret;
}

static const char *
sniff_image(const unsigned char *p, size_t n)
{
	if (n >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
		return "image/jpeg";
	if (n >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0)
		return "image/png";
	if (n >= 4 && memcmp(p, "GIF8", 4) == 0)
		return "image/gif";
	return NULL;
}

static int
read_file(const char *path, struct sbuf *out, struct ss_err *e)
{
	struct stat st;
	int fd, ret = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return ss_err_errno(e, "cannot open cover '%s'", path);
	if (fstat(fd, &st) == -1) {
		ss_err_errno(e, "cannot stat cover '%s'", path);
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > ART_MAX) {
		ss_err_set(e, "invalid", 0,
		    "cover '%s' is not a regular file of at most %d bytes",
		    path, ART_MAX);
		goto out;
	}
	if (ss_read_fd(fd, ART_MAX, out, e) == -1) {
		ss_err_prefix(e, "cover '%s'", path);
		goto out;
	}
	ret = 0;
out:
	close(fd);
	return ret;
}

/*
 * "art": a local image file (a string, or {path}) or the image itself
 * ({data: base64, mime}); the mime type is taken from the bytes when they
 * are JPEG, PNG or GIF.
 */
static int
read_art(jv rec, struct job *j, struct ss_err *e)
{
	struct sbuf bytes = SBUF_INIT, path = SBUF_INIT;
	jv v = jv_object_get(jv_copy(rec), jv_string("art"));
	const char *mime;
	char *given = NULL, *data;
	int ret = -1;

	switch (jv_get_kind(v)) {
	case JV_KIND_INVALID:
	case JV_KIND_NULL:
		ret = 0;
		goto out;
	case JV_KIND_STRING:
		if (read_file(jv_string_value(v), &bytes, e) == -1)
			goto out;
		break;
	case JV_KIND_OBJECT:
		given = str_member(v, "mime");
		if ((data = str_member(v, "data")) != NULL) {
			ret = ss_base64_decode(data, strlen(data), &bytes, e);
			free(data);
			if (ret == -1) {
				ss_err_prefix(e, "art.data");
				goto out;
			}
			ret = -1;
		} else if (ss_rec_get_path(v, "path", &path, e) == 0) {
			if (read_file(path.buf, &bytes, e) == -1)
				goto out;
		} else if (strcmp(e->code, "missing") == 0) {
			ss_err_clear(e);
			ret = 0;
			goto out;
		} else {
			goto out;
		}
		break;
	default:
		ss_err_set(e, "invalid", 0, "art is neither a path nor an "
		    "object");
		goto out;
	}
	if (bytes.len == 0) {
		ss_err_set(e, "invalid", 0, "the cover image is empty");
		goto out;
	}
	if ((mime = sniff_image((unsigned char *)bytes.buf, bytes.len)) ==
	    NULL)
		mime = given;
	if (mime == NULL) {
		ss_err_set(e, "invalid", 0, "the cover is not a jpeg, png or "
		    "gif image and has no mime type");
		goto out;
	}
	j->art.mime = xstrdup(mime);
	j->art.type = SS_PICTURE_FRONT_COVER;
	j->art.size = bytes.len;
	j->art.data = (unsigned char *)sbuf_detach(&bytes, NULL);
	ret = 0;
out:
	free(given);
	jv_free(v);
	sbuf_release(&bytes);
	sbuf_release(&path);
	return ret;
}

static int
same_values(const struct ss_tag_prop *want, const struct ss_tag_prop *have)
{
	size_t i;

	if (have == NULL)
		return want->nvalues == 0;
	if (want->nvalues != have->nvalues)
		return 0;
	for (i = 0; i < want->nvalues; i++)
		if (strcmp(want->values[i], have->values[i]) != 0)
			return 0;
	return 1;
}

static const struct ss_tag_prop *
find_want(const struct ss_meta_props *mp, const char *key)
{
	size_t i;

	for (i = 0; i < mp->n; i++)
		if (strcasecmp(mp->v[i].key, key) == 0)
			return &mp->v[i];
	return NULL;
}

/* 1 if t holds exactly one front cover, with the bytes of art. */
static int
cover_in_place(const struct ss_tags *t, const struct ss_picture *art)
{
	const struct ss_picture *found = NULL;
	size_t i;

	for (i = 0; i < t->npictures; i++) {
		if (t->pictures[i].type != SS_PICTURE_FRONT_COVER)
			continue;
		if (found != NULL)
			return 0;
		found = &t->pictures[i];
	}
	return found != NULL && found->size == art->size &&
	    found->data != NULL && memcmp(found->data, art->data,
	    art->size) == 0;
}

/*
 * 1 if the MP3 at path ends in an ID3v1 tag or an APE tag (whose footer
 * is at the end, or just before an ID3v1 tag); --strip-v1 removes them.
 */
static int
has_v1_or_ape(const char *path)
{
	unsigned char b[160];
	struct stat st;
	ssize_t n;
	int fd, found = 0;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	if (fstat(fd, &st) == 0 && st.st_size >= (off_t)sizeof(b)) {
		n = pread(fd, b, sizeof(b), st.st_size - (off_t)sizeof(b));
		if (n == (ssize_t)sizeof(b))
			found = memcmp(b + 32, "TAG", 3) == 0 ||
			    memcmp(b + 128, "APETAGEX", 8) == 0 ||
			    memcmp(b, "APETAGEX", 8) == 0;
	}
	close(fd);
	return found;
}

/*
 * The keys that t must change to match the job (into j->written), and
 * whether the cover must change.  Returns the number of changes.
 */
static size_t
changes(const struct opts *o, struct job *j, const struct ss_tags *t,
    const char *path, jv *written)
{
	size_t i, n = 0;

	for (i = 0; i < j->mp.n; i++) {
		if (same_values(&j->mp.v[i], ss_tags_find(t, j->mp.v[i].key)))
			continue;
		*written = jv_array_append(*written,
		    jv_string(j->mp.v[i].key));
		n++;
	}
	if (o->clear) {
		for (i = 0; i < t->nprops; i++) {
			if (t->props[i].nvalues == 0 ||
			    find_want(&j->mp, t->props[i].key) != NULL)
				continue;
			*written = jv_array_append(*written,
			    jv_string(t->props[i].key));
			n++;
		}
	}
	if (o->strip_v1 && strcmp(t->format, "mp3") == 0 &&
	    has_v1_or_ape(path)) {
		*written = jv_array_append(*written, jv_string("ID3V1"));
		n++;
	}
	j->cover_changes = j->art.data != NULL && !cover_in_place(t, &j->art);
	if (j->cover_changes) {
		*written = jv_array_append(*written, jv_string("COVER"));
		n++;
	}
	return n;
}

static void
add_values(struct sbuf *sb, const struct ss_tag_prop *p)
{
	size_t i;

	if (p == NULL || p->nvalues == 0) {
		sbuf_adds(sb, "(none)");
		return;
	}
	for (i = 0; i < p->nvalues; i++) {
		if (i > 0)
			sbuf_adds(sb, ", ");
		sbuf_addf(sb, "'%s'", p->values[i]);
	}
}

static void
print_line(const struct sbuf *raw)
{
	struct sbuf clean = SBUF_INIT;

	ss_sanitize(&clean, raw->buf, raw->len);
	printf("%s\n", clean.buf);
	sbuf_release(&clean);
}

/* -n: the change of each key, old -> new, one per line. */
static void
print_diff(const struct opts *o, struct job *j, jv written)
{
	struct sbuf sb = SBUF_INIT;
	const struct ss_tag_prop *want;
	int i, n = jv_array_length(jv_copy(written));

	sbuf_addf(&sb, "%s: %s", j->path.buf, n == 0 ? "unchanged" :
	    "would change");
	print_line(&sb);
	for (i = 0; i < n; i++) {
		jv k = jv_array_get(jv_copy(written), i);
		const char *key = jv_string_value(k);

		sbuf_reset(&sb);
		sbuf_addf(&sb, "  %s: ", key);
		if (strcmp(key, "COVER") == 0) {
			sbuf_addf(&sb, "%zu picture(s) -> %s, %zu bytes",
			    j->cur.npictures, j->art.mime, j->art.size);
		} else {
			add_values(&sb, ss_tags_find(&j->cur, key));
			sbuf_adds(&sb, " -> ");
			want = find_want(&j->mp, key);
			add_values(&sb, want);
		}
		print_line(&sb);
		jv_free(k);
	}
	sbuf_release(&sb);
}

/*
 * Removes temporary files a killed run of ours left next to path: they
 * are never a target (fileio.h), and ours is made afresh.
 */
static void
remove_leftovers(const char *path)
{
	const char *slash = strrchr(path, '/'), *base;
	struct sbuf dir = SBUF_INIT, prefix = SBUF_INIT, full = SBUF_INIT;
	struct dirent *d;
	DIR *dp;

	base = slash ? slash + 1 : path;
	if (slash != NULL)
		sbuf_add(&dir, path, (size_t)(slash - path) + 1);
	else
		sbuf_adds(&dir, "./");
	sbuf_addf(&prefix, ".%s.ss-tmp.", base);
	if ((dp = opendir(dir.buf)) != NULL) {
		while ((d = readdir(dp)) != NULL) {
			if (strncmp(d->d_name, prefix.buf, prefix.len) != 0 ||
			    !ss_is_tmp_name(d->d_name))
				continue;
			sbuf_reset(&full);
			sbuf_addf(&full, "%s%s", dir.buf, d->d_name);
			if (unlink(full.buf) == 0)
				ss_info("removed the leftover '%s'", full.buf);
		}
		closedir(dp);
	}
	sbuf_release(&dir);
	sbuf_release(&prefix);
	sbuf_release(&full);
}

/* Reads tmp back: every value given, nothing cleared, the cover. */
static int
verify(const struct opts *o, struct job *j, const char *tmp,
    struct ss_err *e)
{
	struct ss_tags t;
	jv left = jv_array();
	int ret = -1;

	if (ss_tags_read(tmp, &t, SS_TAGS_PICTURE_DATA, e) == -1) {
		ss_err_prefix(e, "reading back");
		jv_free(left);
		return -1;
	}
	if (changes(o, j, &t, tmp, &left) != 0) {
		jv k = jv_array_get(jv_copy(left), 0);

		ss_err_set(e, "verify", 0, "'%s': %s reads back differently "
		    "after writing", j->path.buf, jv_string_value(k));
		jv_free(k);
		goto out;
	}
	ret = 0;
out:
	jv_free(left);
	ss_tags_release(&t);
	return ret;
}

/* Copy, write, fsync, read back, rename over the original. */
static int
rewrite(const struct opts *o, struct job *j, struct ss_err *e)
{
	struct ss_atomic a = SS_ATOMIC_INIT;
	struct stat st;
	unsigned flags = 0;
	int in = -1, ret = -1;

	if ((in = open(j->path.buf, O_RDONLY | O_CLOEXEC)) == -1) {
		ss_err_errno(e, "cannot open '%s'", j->path.buf);
		goto out;
	}
	if (fstat(in, &st) == -1) {
		ss_err_errno(e, "cannot stat '%s'", j->path.buf);
		goto out;
	}
	remove_leftovers(j->path.buf);
	if (ss_atomic_open(&a, j->path.buf, st.st_mode & 07777, e) == -1)
		goto out;
	/* keep the owner where we may; a file of ours needs nothing */
	if ((st.st_uid != geteuid() || st.st_gid != getegid()) &&
	    fchown(a.fd, st.st_uid, st.st_gid) == -1)
		ss_debug("cannot keep the owner of '%s': %s", j->path.buf,
		    strerror(errno));
	if (ss_copy_fd(in, a.fd, e) == -1) {
		ss_err_prefix(e, "copying '%s'", j->path.buf);
		goto out;
	}
	if (o->clear)
		flags |= SS_TAGS_CLEAR;
	if (o->strip_v1)
		flags |= SS_TAGS_STRIP_V1;
	if (ss_tags_write(a.tmp, j->mp.v, j->mp.n, flags,
	    j->cover_changes ? &j->art : NULL, e) == -1)
		goto out;
	if (verify(o, j, a.tmp, e) == -1)
		goto out;
	if (ss_atomic_commit(&a, e) == -1)
		goto out;
	ret = 0;
out:
	ss_atomic_abort(&a);
	if (in != -1)
		close(in);
	return ret;
}

/* The .lrc beside the audio file: same name, extension replaced. */
static void
lrc_path(const char *path, struct sbuf *out)
{
	const char *slash = strrchr(path, '/'), *dot = strrchr(path, '.');

	sbuf_reset(out);
	if (dot != NULL && (slash == NULL || dot > slash + 1))
		sbuf_add(out, path, (size_t)(dot - path));
	else
		sbuf_adds(out, path);
	sbuf_adds(out, ".lrc");
}

/* Writes the sidecar unless it holds that text already; 1 if written. */
static int
write_lrc(const char *lrc, const char *text, struct ss_err *e)
{
	struct sbuf old = SBUF_INIT;
	char buf[8192];
	size_t len = strlen(text);
	int fd, same = 0;
	ssize_t r;

	if ((fd = open(lrc, O_RDONLY | O_CLOEXEC)) != -1) {
		while ((r = read(fd, buf, sizeof(buf))) > 0)
			sbuf_add(&old, buf, (size_t)r);
		close(fd);
		same = old.len == len && memcmp(old.buf, text, len) == 0;
	}
	sbuf_release(&old);
	if (same)
		return 0;
	if (ss_atomic_write(lrc, text, len, 0644, e) == -1)
		return -1;
	return 1;
}

static int
tag_record(jv *rec, const char *where, void *arg)
{
	const struct opts *o = arg;
	struct ss_err e = SS_ERR_INIT;
	struct sbuf lrc = SBUF_INIT;
	struct job j;
	jv meta = jv_invalid(), tag, skipped;
	size_t i;
	int ret = SS_REC_FAILED, n, lrc_written = 0;

	memset(&j, 0, sizeof(j));
	j.path = (struct sbuf)SBUF_INIT;
	j.written = jv_array();
	if (record_path(*rec, &j.path, &e) == -1 ||
	    read_lyrics(*rec, &j, &e) == -1 || read_art(*rec, &j, &e) == -1)
		goto fail;
	meta = jv_object_get(jv_copy(*rec), jv_string("meta"));
	if (jv_get_kind(meta) == JV_KIND_INVALID ||
	    jv_get_kind(meta) == JV_KIND_NULL) {
		jv_free(meta);
		meta = jv_object();
	}
	if (ss_tags_read(j.path.buf, &j.cur, SS_TAGS_PICTURE_DATA, &e) == -1)
		goto fail;
	if (ss_meta_to_props(meta, j.cur.format, j.plain ? j.plain : j.synced,
	    &j.cur, &j.mp, &e) == -1)
		goto fail;
	n = (int)changes(o, &j, &j.cur, j.path.buf, &j.written);
	if (j.synced != NULL)
		lrc_path(j.path.buf, &lrc);
	if (o->dry_run) {
		print_diff(o, &j, j.written);
		if (j.synced != NULL) {
			struct sbuf sb = SBUF_INIT;

			sbuf_addf(&sb, "  lyrics sidecar: %s", lrc.buf);
			print_line(&sb);
			sbuf_release(&sb);
		}
		ret = SS_REC_DROP;
		goto out;
	}
	if (n > 0 && rewrite(o, &j, &e) == -1)
		goto fail;
	if (j.synced != NULL &&
	    (lrc_written = write_lrc(lrc.buf, j.synced, &e)) == -1)
		goto fail;
	tag = jv_object();
	ss_rec_set_path(&tag, "path", j.path.buf, j.path.len);
	tag = jv_object_set(tag, jv_string("written"), jv_copy(j.written));
	tag = jv_object_set(tag, jv_string("unchanged"),
	    jv_bool(n == 0 && lrc_written == 0));
	if (j.mp.nskipped > 0) {
		skipped = jv_array();
		for (i = 0; i < j.mp.nskipped; i++)
			skipped = jv_array_append(skipped,
			    jv_string(j.mp.skipped[i]));
		tag = jv_object_set(tag, jv_string("skipped"), skipped);
		ss_info("%s: '%s': %s cannot hold %zu field(s)", where,
		    j.path.buf, j.cur.format, j.mp.nskipped);
	}
	if (j.synced != NULL)
		ss_rec_set_path(&tag, "lrc", lrc.buf, lrc.len);
	*rec = jv_object_set(*rec, jv_string("tag"), tag);
	ss_info("'%s': %s", j.path.buf, n == 0 ? "unchanged" : "written");
	ret = SS_REC_EMIT;
	goto out;
fail:
	ret = ss_rec_fail(rec, "tag", &e);
out:
	jv_free(meta);
	sbuf_release(&lrc);
	job_release(&j);
	return ret;
}

int
main(int argc, char *argv[])
{
	struct ss_config *cf = NULL;
	struct ss_err e = SS_ERR_INIT;
	struct opts o;
	const char *cfile = NULL;
	int ch, status;

	ss_init(argv[0]);
	memset(&o, 0, sizeof(o));
	while ((ch = getopt_long(argc, argv, "c:hnqVv", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'c':
			cfile = optarg;
			break;
		case 'h':
			ss_usage(usage, SS_EX_OK);
		case 'n':
			o.dry_run = 1;
			break;
		case 'q':
			ss_verbosity = -1;
			break;
		case 'V':
			ss_version();
		case 'v':
			if (ss_verbosity < 2)
				ss_verbosity++;
			break;
		case OPT_CLEAR:
			o.clear = 1;
			break;
		case OPT_LOG_FORMAT:
			if (ss_log_set_format(optarg) == -1) {
				ss_error("--log-format: '%s' is not text or "
				    "json", optarg);
				ss_usage(usage, SS_EX_USAGE);
			}
			break;
		case OPT_STRIP_V1:
			o.strip_v1 = 1;
			break;
		default:
			ss_usage(usage, SS_EX_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (ss_config_load(&cf, cfile, &e) == -1) {
		ss_error("%s", e.msg);
		return SS_EX_USAGE;
	}
	status = ss_record_loop(argv, argc, tag_record, &o, NULL);
	ss_config_free(cf);
	return status;
}
