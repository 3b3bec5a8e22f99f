/* ss-rename: move files into the library by a template; undo such moves. */
#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <strings.h>
#include <unistd.h>

#include "ss.h"
#include "config.h"
#include "fileio.h"
#include "files.h"
#include "ledger.h"
#include "meta.h"
#include "path.h"
#include "record.h"
#include "tags.h"
#include "template.h"
#include "unicode.h"

static const char usage[] =
    "usage: ss-rename [-nqv] [-c file] [-l dir] [-t template] "
    "[--collision=policy]\n"
    "                 [--remove-duplicates] [--log-format=format] "
    "[file ...]\n"
    "       ss-rename [-nqv] [-c file] [-l dir] --undo=run[:move] | "
    "--undo=last\n"
    "       ss-rename -h | -V";

#define PROG "ss-rename"
#define NUMBER_MAX 999
#define RUNS_REMEMBERED 100

enum policy { P_SKIP, P_NUMBER, P_BETTER };

enum {
	OPT_COLLISION = 256,
	OPT_LOG_FORMAT,
	OPT_REMOVE_DUPLICATES,
	OPT_UNDO
};

static const struct option longopts[] = {
	{ "collision", required_argument, NULL, OPT_COLLISION },
	{ "config", required_argument, NULL, 'c' },
	{ "dry-run", no_argument, NULL, 'n' },
	{ "help", no_argument, NULL, 'h' },
	{ "library", required_argument, NULL, 'l' },
	{ "log-format", required_argument, NULL, OPT_LOG_FORMAT },
	{ "quiet", no_argument, NULL, 'q' },
	{ "remove-duplicates", no_argument, NULL, OPT_REMOVE_DUPLICATES },
	{ "template", required_argument, NULL, 't' },
	{ "undo", required_argument, NULL, OPT_UNDO },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

/* A move (src, dst) a run recorded; for finishing interrupted moves. */
struct pair {
	char *src, *dst;
};

struct ctx {
	struct ss_ledger *l;
	struct ss_files *f;
	struct ss_template *tpl;
	struct sbuf root;	/* library_dir */
	struct sbuf staging;	/* HOME/staging */
	char run[32];
	enum policy policy;
	int dry_run;
	int remove_dups;
	struct pair *known;	/* recorded moves, sorted by src */
	size_t nknown;
};

/* What the template sees of one file. */
struct fields {
	jv meta;
	const struct ss_tags *tags;
	const char *src;
};

static int
known_field(const char *name)
{
	return ss_meta_field_known(name) || strcmp(name, "ext") == 0 ||
	    strcmp(name, "filename") == 0;
}

static const char *
base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* The extension of path's last component (after the dot), or "". */
static const char *
ext_of(const char *path)
{
	const char *b = base_name(path), *dot = strrchr(b, '.');

	return dot != NULL && dot > b ? dot + 1 : "";
}

static int
field_value(const char *name, struct sbuf *out, void *arg)
{
	struct fields *fl = arg;
	const char *b, *dot, *x;

	if (strcmp(name, "ext") == 0) {
		/* the format found in the file, else the name's */
		x = fl->tags->format[0] ? fl->tags->format : ext_of(fl->src);
		for (; *x != '\0'; x++)
			sbuf_addch(out, *x >= 'A' && *x <= 'Z' ? *x + 32 : *x);
		return out->len > 0;
	}
	if (strcmp(name, "filename") == 0) {
		b = base_name(fl->src);
		dot = strrchr(b, '.');
		sbuf_add(out, b, dot != NULL && dot > b ? (size_t)(dot - b) :
		    strlen(b));
		return 1;
	}
	return ss_meta_field(fl->meta, fl->tags, name, out);
}

static void
dir_of(const char *path, struct sbuf *out)
{
	const char *slash = strrchr(path, '/');

	sbuf_reset(out);
	if (slash == NULL)
		sbuf_adds(out, ".");
	else if (slash == path)
		sbuf_adds(out, "/");
	else
		sbuf_add(out, path, (size_t)(slash - path));
}

/*
 * The target of one file: the template expanded, each component in NFC
 * and sanitised, joined under the library root.
 */
static int
target_path(struct ctx *c, struct fields *fl, struct sbuf *dst,
    struct ss_err *e)
{
	struct sbuf raw = SBUF_INIT, rel = SBUF_INIT, nfc = SBUF_INIT;
	const char *p, *end, *slash;
	int ret = -1;

	if (ss_template_render(c->tpl, field_value, fl, &raw, e) == -1)
		goto out;
	p = raw.buf;
	end = raw.buf + raw.len;
	while (p <= end) {
		slash = memchr(p, '/', (size_t)(end - p));
		if (slash == NULL)
			slash = end;
		sbuf_reset(&nfc);
		if (ss_unicode_nfc(p, (size_t)(slash - p), &nfc, e) == -1)
			goto out;
		if (rel.len > 0)
			sbuf_addch(&rel, '/');
		ss_path_sanitize_component(nfc.buf, nfc.len, &rel);
		p = slash + 1;
	}
	if (ss_path_join(c->root.buf, rel.buf, dst, e) == -1)
		goto out;
	ret = 0;
out:
	sbuf_release(&raw);
	sbuf_release(&rel);
	sbuf_release(&nfc);
	return ret;
}

static int
cmp_pair(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;
	int c = strcmp(x->src, y->src);

	return c != 0 ? c : strcmp(x->dst, y->dst);
}

static int
remember_move(long long id, const void *src, size_t slen, const void *dst,
    size_t dlen, const char *sha, void *arg)
{
	struct ctx *c = arg;

	c->known = xreallocarray(c->known, c->nknown + 1, sizeof(*c->known));
	c->known[c->nknown].src = xmemdupz(src, slen);
	c->known[c->nknown++].dst = xmemdupz(dst, dlen);
	return 0;
}

static int
remember_run(const struct ss_run *r, void *arg)
{
	struct ctx *c = arg;
	struct ss_err e = SS_ERR_INIT;
	char id[32];

	if (strcmp(r->program, PROG) != 0)
		return 0;
	snprintf(id, sizeof(id), "%lld", r->id);
	return ss_moves_list(c->f, PROG, id, remember_move, c, &e) == -1;
}

/* 1 if an earlier run recorded the move src -> dst (and it is not undone). */
static int
was_started(struct ctx *c, const char *src, const char *dst)
{
	struct pair key;

	key.src = (char *)src;
	key.dst = (char *)dst;
	return c->nknown > 0 && bsearch(&key, c->known, c->nknown,
	    sizeof(*c->known), cmp_pair) != NULL;
}

/* Removes empty directories from dir upward, never a root or above. */
static void
prune_dirs(struct ctx *c, const char *dir)
{
	const struct sbuf *roots[2] = { &c->root, &c->staging };
	struct sbuf d = SBUF_INIT, up = SBUF_INIT;
	const struct sbuf *r = NULL;
	size_t i;

	for (i = 0; i < 2; i++) {
		size_t n = roots[i]->len;

		if (n > 0 && strncmp(dir, roots[i]->buf, n) == 0 &&
		    dir[n] == '/' && dir[n + 1] != '\0')
			r = roots[i];
	}
	if (r == NULL)
		return;
	sbuf_adds(&d, dir);
	while (d.len > r->len && rmdir(d.buf) == 0) {
		ss_debug("removed the empty folder '%s'", d.buf);
		dir_of(d.buf, &up);
		sbuf_reset(&d);
		sbuf_add(&d, up.buf, up.len);
	}
	sbuf_release(&d);
	sbuf_release(&up);
}

/* Records and performs one move; the ledger first, so a crash is known. */
static int
do_move(struct ctx *c, const char *src, const char *dst, struct ss_err *e)
{
	struct sbuf dir = SBUF_INIT;
	struct stat st;
	int ret = -1;

	if (lstat(src, &st) == -1)
		return ss_err_errno(e, "cannot stat '%s'", src);
	dir_of(dst, &dir);
	if (ss_mkdirs(dir.buf, 0755, e) == -1)
		goto out;
	if (ss_moves_add(c->f, PROG, c->run, src, strlen(src), dst,
	    strlen(dst), (long long)st.st_size, NULL, e) == -1)
		goto out;
	if (ss_move(src, dst, e) == -1)
		goto out;
	ret = 0;
out:
	sbuf_release(&dir);
	return ret;
}

/* The same name with the extension replaced by ext (".lrc"). */
static void
with_ext(const char *path, const char *ext, struct sbuf *out)
{
	const char *b = base_name(path), *dot = strrchr(b, '.');

	sbuf_reset(out);
	sbuf_add(out, path, dot != NULL && dot > b ? (size_t)(dot - path) :
	    strlen(path));
	sbuf_adds(out, ext);
}

/* Moves path's sidecar to go with dst, unless one is there already. */
static void
move_sidecar(struct ctx *c, const char *from, const char *to)
{
	struct ss_err e = SS_ERR_INIT;
	struct stat st;

	if (lstat(from, &st) == -1 || !S_ISREG(st.st_mode))
		return;
	if (lstat(to, &st) == 0 && ss_same_content(from, to, &e) != 1) {
		ss_warn("'%s' is in the way of '%s'; left alone", to, from);
		return;
	}
	if (do_move(c, from, to, &e) == -1)
		ss_warn("cannot move '%s': %s", from, e.msg);
}

static int
is_audio_name(const char *name)
{
	static const char *const exts[] = {
		"mp3", "flac", "ogg", "opus", "m4a", "mp4", "aac", "wav",
		"wma", "ape", "wv", "aiff", "aif", "alac", "dsf"
	};
	const char *x = ext_of(name);
	size_t i;

	for (i = 0; i < SS_ARRAY_SIZE(exts); i++)
		if (strcasecmp(x, exts[i]) == 0)
			return 1;
	return 0;
}

static int
is_cover_name(const char *name)
{
	static const char *const stems[] = {
		"cover", "folder", "front", "album", "albumart"
	};
	static const char *const exts[] = { "jpg", "jpeg", "png", "gif" };
	const char *x = ext_of(name);
	size_t i, j, n = strlen(name) - strlen(x) - 1;

	if (*x == '\0')
		return 0;
	for (i = 0; i < SS_ARRAY_SIZE(stems); i++)
		for (j = 0; j < SS_ARRAY_SIZE(exts); j++)
			if (strlen(stems[i]) == n &&
			    strncasecmp(name, stems[i], n) == 0 &&
			    strcasecmp(x, exts[j]) == 0)
				return 1;
	return 0;
}

/*
 * When the source folder holds no audio any more, its cover images go
 * where the last file went.
 */
static void
move_covers(struct ctx *c, const char *srcdir, const char *dstdir)
{
	struct sbuf from = SBUF_INIT, to = SBUF_INIT;
	char **covers = NULL;
	size_t n = 0, i;
	struct dirent *d;
	DIR *dp;
	int audio = 0;

	if (strcmp(srcdir, dstdir) == 0 || (dp = opendir(srcdir)) == NULL)
		return;
	while ((d = readdir(dp)) != NULL) {
		if (is_audio_name(d->d_name) && !ss_is_tmp_name(d->d_name))
			audio = 1;
		else if (is_cover_name(d->d_name)) {
			covers = xreallocarray(covers, n + 1, sizeof(*covers));
			covers[n++] = xstrdup(d->d_name);
		}
	}
	closedir(dp);
	for (i = 0; i < n; i++) {
		if (!audio) {
			sbuf_reset(&from);
			sbuf_reset(&to);
			sbuf_addf(&from, "%s/%s", srcdir, covers[i]);
			sbuf_addf(&to, "%s/%s", dstdir, covers[i]);
			move_sidecar(c, from.buf, to.buf);
		}
		free(covers[i]);
	}
	free(covers);
	sbuf_release(&from);
	sbuf_release(&to);
}

/* 1 if a is better: lossless, bitrate, bits, rate, size (as ss-dedupe). */
static int
better(const struct ss_tags *a, off_t asize, const struct ss_tags *b,
    off_t bsize)
{
	int la = strcmp(a->codec, "flac") == 0 || strcmp(a->codec, "alac") ==
	    0, lb = strcmp(b->codec, "flac") == 0 ||
	    strcmp(b->codec, "alac") == 0;

	if (la != lb)
		return la > lb;
	if (a->bitrate != b->bitrate)
		return a->bitrate > b->bitrate;
	if (a->bits_per_sample != b->bits_per_sample)
		return a->bits_per_sample > b->bits_per_sample;
	if (a->sample_rate != b->sample_rate)
		return a->sample_rate > b->sample_rate;
	return asize > bsize;
}

/* "DIR/NAME (n).EXT" from "DIR/NAME.EXT". */
static void
numbered(const char *path, int n, struct sbuf *out)
{
	const char *b = base_name(path), *dot = strrchr(b, '.');
	size_t stem = dot != NULL && dot > b ? (size_t)(dot - path) :
	    strlen(path);

	sbuf_reset(out);
	sbuf_add(out, path, stem);
	sbuf_addf(out, " (%d)%s", n, path + stem);
}

static void
set_rename(jv *rec, const char *from, const char *to, const char *run,
    const char *what)
{
	jv r = jv_object();

	ss_rec_set_path(&r, "from", from, strlen(from));
	if (to != NULL)
		ss_rec_set_path(&r, "to", to, strlen(to));
	else
		r = jv_object_set(r, jv_string("to"), jv_null());
	if (run != NULL)
		r = jv_object_set(r, jv_string("run"), jv_string(run));
	if (what != NULL)
		r = jv_object_set(r, jv_string(what), jv_true());
	*rec = jv_object_set(*rec, jv_string("rename"), r);
}

static void
plan(const char *from, const char *what, const char *to)
{
	struct sbuf raw = SBUF_INIT, clean = SBUF_INIT;

	sbuf_addf(&raw, "%s %s %s", from, what, to);
	ss_sanitize(&clean, raw.buf, raw.len);
	printf("%s\n", clean.buf);
	sbuf_release(&raw);
	sbuf_release(&clean);
}

/* The file of a record: rename.to, tag.path, download.path or path. */
static int
record_path(jv rec, struct sbuf *out, struct ss_err *e)
{
	static const char *const where[][2] = {
		{ "rename", "to" }, { "tag", "path" }, { "download", "path" },
		{ NULL, "path" }
	};
	size_t i;
	jv obj, v;
	int ret, kind;

	for (i = 0; i < SS_ARRAY_SIZE(where); i++) {
		obj = where[i][0] ? jv_object_get(jv_copy(rec),
		    jv_string(where[i][0])) : jv_copy(rec);
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
	return ss_err_set(e, "missing", 0, "no file: neither rename.to, "
	    "tag.path, download.path nor path");
}

/* Makes a relative path absolute, so the ledger can undo from anywhere. */
static int
absolute(struct sbuf *path, struct ss_err *e)
{
	struct sbuf abs = SBUF_INIT;
	char *cwd;

	if (path->buf[0] == '/')
		return 0;
	if ((cwd = getcwd(NULL, 0)) == NULL)
		return ss_err_errno(e, "cannot get the current directory");
	sbuf_addf(&abs, "%s/%s", cwd, path->buf);
	free(cwd);
	sbuf_reset(path);
	sbuf_add(path, abs.buf, abs.len);
	sbuf_release(&abs);
	return 0;
}

/* The side effects after the audio file went from src to dst. */
static void
after_move(struct ctx *c, const char *src, const char *dst)
{
	struct sbuf a = SBUF_INIT, b = SBUF_INIT, sd = SBUF_INIT,
	    dd = SBUF_INIT;

	with_ext(src, ".lrc", &a);
	with_ext(dst, ".lrc", &b);
	move_sidecar(c, a.buf, b.buf);
	dir_of(src, &sd);
	dir_of(dst, &dd);
	move_covers(c, sd.buf, dd.buf);
	prune_dirs(c, sd.buf);
	sbuf_release(&a);
	sbuf_release(&b);
	sbuf_release(&sd);
	sbuf_release(&dd);
}

static int
rename_record(jv *rec, const char *where, void *arg)
{
	struct ctx *c = arg;
	struct ss_err e = SS_ERR_INIT;
	struct sbuf src = SBUF_INIT, dst = SBUF_INIT, alt = SBUF_INIT,
	    aside = SBUF_INIT, dir = SBUF_INIT;
	struct ss_tags t, other;
	struct fields fl;
	struct stat sst, dstst;
	int ret = SS_REC_FAILED, same, n, resume = 0;
	const char *what = NULL;

	memset(&t, 0, sizeof(t));
	memset(&other, 0, sizeof(other));
	fl.meta = jv_object_get(jv_copy(*rec), jv_string("meta"));
	if (record_path(*rec, &src, &e) == -1 || absolute(&src, &e) == -1)
		goto fail;
	if (lstat(src.buf, &sst) == -1) {
		ss_err_errno(&e, "cannot stat '%s'", src.buf);
		if (e.sys_errno == ENOENT)
			snprintf(e.code, sizeof(e.code), "missing");
		goto fail;
	}
	if (!S_ISREG(sst.st_mode)) {
		ss_err_set(&e, "invalid", 0, "'%s' is not a regular file",
		    src.buf);
		goto fail;
	}
	if (ss_tags_read(src.buf, &t, 0, &e) == -1)
		goto fail;
	fl.tags = &t;
	fl.src = src.buf;
	if (target_path(c, &fl, &dst, &e) == -1)
		goto fail;

	if (lstat(dst.buf, &dstst) == 0 && dstst.st_ino == sst.st_ino &&
	    dstst.st_dev == sst.st_dev) {
		if (c->dry_run)
			plan(src.buf, "stays", "");
		set_rename(rec, src.buf, src.buf, NULL, "unchanged");
		ret = c->dry_run ? SS_REC_DROP : SS_REC_EMIT;
		goto out;
	}
	/* find a free target, or one holding this very content */
	for (n = 1; ; n++) {
		if (n > 1)
			numbered(dst.buf, n, &alt);
		else
			sbuf_adds(&alt, dst.buf);
		if (lstat(alt.buf, &dstst) == -1) {
			if (errno != ENOENT) {
				ss_err_errno(&e, "cannot stat '%s'", alt.buf);
				goto fail;
			}
			break;
		}
		if ((same = ss_same_content(src.buf, alt.buf, &e)) == -1)
			goto fail;
		if (same) {
			what = "duplicate";
			break;
		}
		if (c->policy != P_NUMBER)
			break;
		if (n == NUMBER_MAX) {
			ss_err_set(&e, "exists", 0, "'%s' and %d numbered "
			    "names are taken", dst.buf, NUMBER_MAX);
			goto fail;
		}
		sbuf_reset(&alt);
	}
	if (what != NULL && !c->dry_run && was_started(c, src.buf, alt.buf)) {
		/* an interrupted move of ours: finish it */
		what = NULL;
		resume = 1;
	}

	if (what != NULL) {
		/* identical content is there already */
		if (c->dry_run) {
			plan(src.buf, c->remove_dups ? "is removed, a "
			    "duplicate of" : "is a duplicate of", alt.buf);
		} else if (c->remove_dups) {
			if (unlink(src.buf) == -1) {
				ss_err_errno(&e, "cannot remove '%s'",
				    src.buf);
				goto fail;
			}
			ss_info("removed '%s', a duplicate of '%s'", src.buf,
			    alt.buf);
			after_move(c, src.buf, alt.buf);
		}
		set_rename(rec, src.buf, alt.buf, NULL, what);
		ret = c->dry_run ? SS_REC_DROP : SS_REC_EMIT;
		goto out;
	}
	if (!resume && lstat(alt.buf, &dstst) == 0) {
		/* different content under the name: skip or replace-if-better */
		if (c->policy == P_BETTER &&
		    ss_tags_read(alt.buf, &other, 0, &e) == 0 &&
		    better(&t, sst.st_size, &other, dstst.st_size)) {
			/* the worse one goes where the better one came from */
			dir_of(src.buf, &dir);
			sbuf_addf(&dir, "/%s", base_name(alt.buf));
			for (n = 1; ; n++) {
				if (n > 1)
					numbered(dir.buf, n, &aside);
				else
					sbuf_adds(&aside, dir.buf);
				if (access(aside.buf, F_OK) == -1 &&
				    errno == ENOENT)
					break;
				if (n == NUMBER_MAX) {
					ss_err_set(&e, "exists", 0, "no free "
					    "name beside '%s'", src.buf);
					goto fail;
				}
				sbuf_reset(&aside);
			}
			if (c->dry_run) {
				plan(alt.buf, "->", aside.buf);
			} else if (do_move(c, alt.buf, aside.buf, &e) == -1) {
				goto fail;
			} else {
				ss_warn("'%s' is better than '%s', which "
				    "moves to '%s'", src.buf, alt.buf,
				    aside.buf);
			}
		} else {
			ss_err_clear(&e);
			if (c->dry_run)
				plan(src.buf, "is skipped: taken by", alt.buf);
			else
				ss_warn("%s: '%s' is taken by another file; "
				    "'%s' stays", where, alt.buf, src.buf);
			set_rename(rec, src.buf, NULL, NULL, "skipped");
			ret = c->dry_run ? SS_REC_DROP : SS_REC_EMIT;
			goto out;
		}
	}
	if (c->dry_run) {
		plan(src.buf, "->", alt.buf);
		ret = SS_REC_DROP;
		goto out;
	}
	if (resume) {
		if (ss_move(src.buf, alt.buf, &e) == -1)
			goto fail;
	} else if (do_move(c, src.buf, alt.buf, &e) == -1) {
		goto fail;
	}
	after_move(c, src.buf, alt.buf);
	set_rename(rec, src.buf, alt.buf, c->run, NULL);
	ss_info("'%s' -> '%s'", src.buf, alt.buf);
	ret = SS_REC_EMIT;
	goto out;
fail:
	ret = ss_rec_fail(rec, "rename", &e);
out:
	jv_free(fl.meta);
	ss_tags_release(&t);
	ss_tags_release(&other);
	sbuf_release(&src);
	sbuf_release(&dst);
	sbuf_release(&alt);
	sbuf_release(&aside);
	sbuf_release(&dir);
	return ret;
}

/* --undo */

struct undo {
	struct ctx *c;
	long long only;		/* a move id, or 0 for all */
	long long moved, failed, found;
};

static int
undo_one(long long id, const void *srcp, size_t slen, const void *dstp,
    size_t dlen, const char *sha, void *arg)
{
	struct undo *u = arg;
	struct ctx *c = u->c;
	struct ss_err e = SS_ERR_INIT;
	struct sbuf dir = SBUF_INIT;
	char *src = xmemdupz(srcp, slen), *dst = xmemdupz(dstp, dlen);
	struct stat st;

	if (u->only != 0 && id != u->only)
		goto out;
	u->found++;
	if (c->dry_run) {
		plan(dst, "->", src);
		goto out;
	}
	if (lstat(dst, &st) == -1 && lstat(src, &st) == 0) {
		/* never moved (a crash between ledger and move) or done */
		if (ss_moves_undone(c->f, id, &e) == -1)
			goto fail;
		goto out;
	}
	dir_of(src, &dir);
	if (ss_mkdirs(dir.buf, 0755, &e) == -1 || ss_move(dst, src, &e) == -1)
		goto fail;
	if (ss_moves_undone(c->f, id, &e) == -1)
		goto fail;
	u->moved++;
	ss_info("'%s' -> '%s'", dst, src);
	dir_of(dst, &dir);
	prune_dirs(c, dir.buf);
	goto out;
fail:
	u->failed++;
	ss_error("cannot undo move %lld of '%s': %s", id, src, e.msg);
out:
	sbuf_release(&dir);
	free(src);
	free(dst);
	return 0;
}

struct runs {
	long long *id;
	size_t n;
};

static int
collect_run(const struct ss_run *r, void *arg)
{
	struct runs *rs = arg;

	if (strcmp(r->program, PROG) == 0) {
		rs->id = xreallocarray(rs->id, rs->n + 1, sizeof(*rs->id));
		rs->id[rs->n++] = r->id;
	}
	return 0;
}

static int
any_move(long long id, const void *src, size_t slen, const void *dst,
    size_t dlen, const char *sha, void *arg)
{
	return 1;
}

/* The newest run of ss-rename with moves left to undo; 0 if none. */
static long long
last_run(struct ctx *c, struct ss_err *e)
{
	struct runs rs = { NULL, 0 };
	long long found = 0;
	char id[32];
	size_t i;
	int r;

	if (ss_run_list(c->l, RUNS_REMEMBERED, collect_run, &rs, e) == -1) {
		free(rs.id);
		return -1;
	}
	for (i = 0; i < rs.n && found == 0; i++) {
		snprintf(id, sizeof(id), "%lld", rs.id[i]);
		if ((r = ss_moves_list(c->f, PROG, id, any_move, NULL, e)) ==
		    -1)
			break;
		if (r > 0)
			found = rs.id[i];
	}
	free(rs.id);
	return found == 0 && e->code[0] != '\0' ? -1 : found;
}

static int
undo(struct ctx *c, const char *spec)
{
	struct ss_err e = SS_ERR_INIT;
	struct undo u;
	const char *colon;
	char *head;
	long long run = 0;

	memset(&u, 0, sizeof(u));
	u.c = c;
	if (strcmp(spec, "last") == 0) {
		if ((run = last_run(c, &e)) == -1) {
			ss_error("%s", e.msg);
			return SS_EX_FATAL;
		}
		if (run == 0) {
			ss_error("no run of ss-rename has moves left to undo");
			return SS_EX_PARTIAL;
		}
	} else {
		colon = strchr(spec, ':');
		head = xmemdupz(spec, colon ? (size_t)(colon - spec) :
		    strlen(spec));
		if (ss_strtonum(head, 1, LLONG_MAX, &run, &e) == -1 ||
		    (colon != NULL && ss_strtonum(colon + 1, 1, LLONG_MAX,
		    &u.only, &e) == -1)) {
			free(head);
			ss_error("--undo: %s", e.msg);
			return SS_EX_USAGE;
		}
		free(head);
	}
	snprintf(c->run, sizeof(c->run), "%lld", run);
	if (ss_moves_list(c->f, PROG, c->run, undo_one, &u, &e) == -1) {
		ss_error("%s", e.msg);
		return SS_EX_FATAL;
	}
	if (u.found == 0) {
		ss_error("run %s has no moves left to undo%s", c->run,
		    u.only ? " with that id" : "");
		return SS_EX_PARTIAL;
	}
	ss_info("run %s: %lld moved back, %lld failed", c->run, u.moved,
	    u.failed);
	return u.failed > 0 ? SS_EX_PARTIAL : SS_EX_OK;
}

static int
parse_policy(const char *s, enum policy *p)
{
	if (strcmp(s, "skip") == 0)
		*p = P_SKIP;
	else if (strcmp(s, "number") == 0)
		*p = P_NUMBER;
	else if (strcmp(s, "replace-if-better") == 0)
		*p = P_BETTER;
	else
		return -1;
	return 0;
}

/* library_dir: the key, else $HOME/Music; made absolute, no final '/'. */
static int
library_root(struct ss_config *cf, const char *flag, struct sbuf *out,
    struct ss_err *e)
{
	const char *v = flag ? flag : ss_config_get(cf, "library_dir");
	const char *home = getenv("HOME");
	char *cwd;

	sbuf_reset(out);
	if (v == NULL || *v == '\0') {
		if (home == NULL || *home != '/')
			return ss_err_set(e, "config", 0, "library_dir is "
			    "not set and HOME is not an absolute path");
		sbuf_addf(out, "%s/Music", home);
	} else if (*v != '/') {
		if ((cwd = getcwd(NULL, 0)) == NULL)
			return ss_err_errno(e, "getcwd");
		sbuf_addf(out, "%s/%s", cwd, v);
		free(cwd);
	} else {
		sbuf_adds(out, v);
	}
	while (out->len > 1 && out->buf[out->len - 1] == '/')
		sbuf_setlen(out, out->len - 1);
	return 0;
}

int
main(int argc, char *argv[])
{
	struct ss_config *cf = NULL;
	struct ss_err e = SS_ERR_INIT;
	struct ctx c;
	const char *cfile = NULL, *tflag = NULL, *lflag = NULL, *pflag = NULL,
	    *undo_spec = NULL;
	long long runid = 0;
	struct ss_loop_stats stats;
	size_t i;
	int ch, status = SS_EX_OK;

	ss_init(argv[0]);
	memset(&c, 0, sizeof(c));
	c.root = (struct sbuf)SBUF_INIT;
	c.staging = (struct sbuf)SBUF_INIT;
	memset(&stats, 0, sizeof(stats));
	while ((ch = getopt_long(argc, argv, "c:hl:nqt:Vv", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'c':
			cfile = optarg;
			break;
		case 'h':
			ss_usage(usage, SS_EX_OK);
		case 'l':
			lflag = optarg;
			break;
		case 'n':
			c.dry_run = 1;
			break;
		case 'q':
			ss_verbosity = -1;
			break;
		case 't':
			tflag = optarg;
			break;
		case 'V':
			ss_version();
		case 'v':
			if (ss_verbosity < 2)
				ss_verbosity++;
			break;
		case OPT_COLLISION:
			pflag = optarg;
			break;
		case OPT_LOG_FORMAT:
			if (ss_log_set_format(optarg) == -1) {
				ss_error("--log-format: '%s' is not text or "
				    "json", optarg);
				ss_usage(usage, SS_EX_USAGE);
			}
			break;
		case OPT_REMOVE_DUPLICATES:
			c.remove_dups = 1;
			break;
		case OPT_UNDO:
			undo_spec = optarg;
			break;
		default:
			ss_usage(usage, SS_EX_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (undo_spec != NULL && (argc > 0 || tflag || pflag ||
	    c.remove_dups))
		ss_usage(usage, SS_EX_USAGE);
	if (ss_config_load(&cf, cfile, &e) == -1) {
		ss_error("%s", e.msg);
		return SS_EX_USAGE;
	}
	if (library_root(cf, lflag, &c.root, &e) == -1 ||
	    ss_config_home(cf, &c.staging, &e) == -1) {
		ss_error("%s", e.msg);
		status = SS_EX_USAGE;
		goto out;
	}
	sbuf_adds(&c.staging, "/staging");
	if (parse_policy(pflag ? pflag : ss_config_get(cf,
	    "rename_collision"), &c.policy) == -1) {
		ss_error("rename_collision: '%s' is not skip, number or "
		    "replace-if-better", pflag ? pflag : "");
		status = SS_EX_USAGE;
		goto out;
	}
	if (undo_spec == NULL && ss_template_parse(tflag ? tflag :
	    ss_config_get(cf, "path_template"), known_field, &c.tpl,
	    &e) == -1) {
		ss_error("%s: %s", tflag ? "-t" : "path_template", e.msg);
		status = SS_EX_USAGE;
		goto out;
	}
	if (!c.dry_run || undo_spec != NULL) {
		if (ss_ledger_open_config(&c.l, cf, &e) == -1 ||
		    ss_files_open(c.l, &c.f, &e) == -1) {
			ss_error("%s", e.msg);
			status = ss_err_exit(&e);
			goto out;
		}
	}
	if (undo_spec != NULL) {
		status = undo(&c, undo_spec);
		if (ss_output_close(&e) == -1) {
			ss_error("%s", e.msg);
			status = SS_EX_FATAL;
		}
		goto out;
	}
	if (!c.dry_run) {
		if (ss_run_list(c.l, RUNS_REMEMBERED, remember_run, &c, &e) ==
		    -1 || ss_run_begin(c.l, PROG, &runid, &e) == -1) {
			ss_error("%s", e.msg);
			status = e.temporary ? SS_EX_TEMPFAIL : SS_EX_FATAL;
			goto out;
		}
		if (c.nknown > 0)
			qsort(c.known, c.nknown, sizeof(*c.known), cmp_pair);
		snprintf(c.run, sizeof(c.run), "%lld", runid);
		ss_info("run %s", c.run);
	}
	status = ss_record_loop(argv, argc, rename_record, &c, &stats);
	if (!c.dry_run && ss_run_end(c.l, runid, status,
	    (long long)stats.handled, (long long)stats.failed, &e) == -1)
		ss_warn("%s", e.msg);
out:
	for (i = 0; i < c.nknown; i++) {
		free(c.known[i].src);
		free(c.known[i].dst);
	}
	free(c.known);
	ss_template_free(c.tpl);
	ss_files_close(c.f);
	ss_ledger_close(c.l);
	ss_config_free(cf);
	sbuf_release(&c.root);
	sbuf_release(&c.staging);
	return status;
}
