/* ss-fetch-playlists: wanted tracks from Spotify and local playlist files. */
#include <sys/stat.h>

#include <fcntl.h>
#include <getopt.h>
#include <unistd.h>

#include "ss.h"
#include "config.h"
#include "fileio.h"
#include "http.h"
#include "ledger.h"
#include "playlists.h"
#include "plparse.h"
#include "record.h"
#include "spotify.h"
#include "want.h"

static const char usage[] =
    "usage: ss-fetch-playlists [-nqv] [-c file] [--log-format=format] "
    "[--no-cache]\n"
    "                          operand ...\n"
    "       ss-fetch-playlists [-qv] [-c file] --login [--headless]\n"
    "       ss-fetch-playlists [-qv] [-c file] --logout\n"
    "       ss-fetch-playlists -h | -V";

#define STAGE "fetch"
#define PAGE_LIMIT 50
#define ALBUM_TTL (7 * 86400.0)
#define LOGIN_TIMEOUT 300.0
#define MAX_FILE (256 * 1024 * 1024)

enum {
	OPT_HEADLESS = 256,
	OPT_LOG_FORMAT,
	OPT_LOGIN,
	OPT_LOGOUT,
	OPT_NO_CACHE
};

static const struct option longopts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "dry-run", no_argument, NULL, 'n' },
	{ "headless", no_argument, NULL, OPT_HEADLESS },
	{ "help", no_argument, NULL, 'h' },
	{ "log-format", required_argument, NULL, OPT_LOG_FORMAT },
	{ "login", no_argument, NULL, OPT_LOGIN },
	{ "logout", no_argument, NULL, OPT_LOGOUT },
	{ "no-cache", no_argument, NULL, OPT_NO_CACHE },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

struct ctx {
	struct ss_config *cf;
	struct ss_ledger *l;
	struct ss_http *http;
	struct ss_spotify *sp;
	struct sbuf ua;
	int dry_run;
	int status;		/* worst so far */
	unsigned long emitted;
	unsigned long failed;
};

/* Raises c->status to st by the order 0 < 1 < 75 < 3. */
static void
worse(struct ctx *c, int st)
{
	static const int rank[] = { SS_EX_OK, SS_EX_PARTIAL, SS_EX_TEMPFAIL,
	    SS_EX_FATAL };
	int a = 0, b = 0, i;

	for (i = 0; i < 4; i++) {
		if (rank[i] == c->status)
			a = i;
		if (rank[i] == st)
			b = i;
	}
	if (b > a)
		c->status = st;
}

static int
status_of(const struct ss_err *e)
{
	if (strcmp(e->code, "sqlite") == 0 || strcmp(e->code, "io") == 0 ||
	    strcmp(e->code, "crypt") == 0 || strcmp(e->code, "too_new") == 0)
		return SS_EX_FATAL;
	return e->temporary ? SS_EX_TEMPFAIL : SS_EX_PARTIAL;
}

static void
trace_cb(const char *line, void *arg)
{
	ss_debug("http: %s", line);
}

/* Writes one record; a write error is fatal. */
static int
emit(struct ctx *c, jv rec)
{
	struct ss_err e = SS_ERR_INIT;

	if (ss_emit(rec, &e) == -1) {
		ss_error("%s", e.msg);
		worse(c, SS_EX_FATAL);
		return -1;
	}
	c->emitted++;
	return 0;
}

/* Sets the source of rec's want; values already set there are kept. */
static jv
with_source(jv rec, const char *kind, const char *playlist,
    const char *name, long position, jv added_at)
{
	static const char *const keys[] = {
		"kind", "playlist", "playlist_name", "position", "added_at"
	};
	jv w = jv_object_get(jv_copy(rec), jv_string("want"));
	jv old = jv_object_get(jv_copy(w), jv_string("source"));
	jv src = jv_object(), v, mine[5];
	size_t i;

	mine[0] = jv_string(kind);
	mine[1] = playlist ? jv_string(playlist) : jv_null();
	mine[2] = name ? jv_string(name) : jv_null();
	mine[3] = jv_number((double)position);
	mine[4] = added_at;
	for (i = 0; i < SS_ARRAY_SIZE(keys); i++) {
		v = jv_get_kind(old) == JV_KIND_OBJECT ? jv_object_get(
		    jv_copy(old), jv_string(keys[i])) : jv_invalid();
		if (jv_is_valid(v) && jv_get_kind(v) != JV_KIND_NULL) {
			src = jv_object_set(src, jv_string(keys[i]), v);
			jv_free(mine[i]);
		} else {
			jv_free(v);
			src = jv_object_set(src, jv_string(keys[i]), mine[i]);
		}
	}
	if (jv_get_kind(old) == JV_KIND_OBJECT)
		src = jv_object_merge(src, jv_copy(old));
	jv_free(old);
	w = jv_object_set(w, jv_string("source"), src);
	return jv_object_set(rec, jv_string("want"), w);
}

/* Local files */

struct local {
	struct ctx *c;
	const char *file;
	const char *kind;
	char *name;
	long position;
	int stop;
};

static int
local_track(jv rec, unsigned long line, void *arg)
{
	struct local *lc = arg;
	struct sbuf id = SBUF_INIT;
	jv w, idv, out;

	w = ss_want_complete(jv_object_get(jv_copy(rec), jv_string("want")));
	rec = jv_object_set(rec, jv_string("want"), w);
	rec = with_source(rec, lc->kind, lc->file, lc->name, lc->position,
	    jv_null());
	idv = jv_object_get(jv_copy(rec), jv_string("id"));
	w = jv_object_get(jv_copy(rec), jv_string("want"));
	if (jv_get_kind(idv) == JV_KIND_STRING) {
		sbuf_adds(&id, jv_string_value(idv));
	} else if (ss_want_id(w, &id) == -1) {
		ss_error("%s:%lu: the track has no title; skipped", lc->file,
		    line);
		lc->c->failed++;
		worse(lc->c, SS_EX_PARTIAL);
		jv_free(w);
		jv_free(idv);
		jv_free(rec);
		sbuf_release(&id);
		return 0;
	}
	jv_free(idv);
	/* id and want first, then whatever else the record carried */
	out = JV_OBJECT(jv_string("id"), jv_string(id.buf), jv_string("want"),
	    w);
	rec = jv_object_delete(jv_object_delete(rec, jv_string("id")),
	    jv_string("want"));
	out = jv_object_merge(out, rec);
	sbuf_release(&id);
	lc->position++;
	if (emit(lc->c, out) == -1)
		return lc->stop = -1;
	return 0;
}

static int
local_bad(unsigned long line, const char *why, void *arg)
{
	struct local *lc = arg;

	ss_error("%s:%lu: %s; skipped", lc->file, line, why);
	lc->c->failed++;
	worse(lc->c, SS_EX_PARTIAL);
	return 0;
}


static void
fetch_file(struct ctx *c, const char *file)
{
	struct local lc;
	struct ss_pl_cb cb = { local_track, local_bad, NULL };
	struct ss_err e = SS_ERR_INIT;
	struct sbuf data = SBUF_INIT;
	enum ss_pl_format fmt;
	const char *base, *dot;
	int fd;

	memset(&lc, 0, sizeof(lc));
	lc.c = c;
	lc.file = strcmp(file, "-") == 0 ? "<stdin>" : file;
	cb.arg = &lc;
	fd = strcmp(file, "-") == 0 ? 0 : open(file, O_RDONLY | O_CLOEXEC);
	if (fd == -1 || ss_read_fd(fd, MAX_FILE, &data, &e) == -1) {
		if (fd == -1)
			ss_err_errno(&e, "cannot open");
		ss_error("'%s': %s", file, e.msg);
		worse(c, SS_EX_PARTIAL);
		c->failed++;
		goto out;
	}
	fmt = ss_pl_detect(strcmp(file, "-") == 0 ? NULL : file, data.buf,
	    data.len);
	lc.kind = ss_pl_format_name(fmt);
	base = strrchr(lc.file, '/') ? strrchr(lc.file, '/') + 1 : lc.file;
	dot = strrchr(base, '.');
	lc.name = dot && dot != base ? xmemdupz(base, (size_t)(dot - base)) :
	    xstrdup(base);
	if (ss_pl_parse(data.buf, data.len, fmt, &cb, &e) == -1) {
		ss_error("'%s': %s", file, e.msg);
		worse(c, SS_EX_PARTIAL);
		c->failed++;
	}
	ss_info("'%s': %ld tracks (%s)", lc.file, lc.position, lc.kind);
out:
	if (fd > 0)
		close(fd);
	free(lc.name);
	sbuf_release(&data);
}

/* Spotify */

/* The records of one Spotify source, deduplicated by id. */
struct batch {
	const char *kind;
	const char *source;	/* "spotify:playlist:ID" */
	char *name;
	long position;
	jv recs;		/* array */
	jv seen;		/* object: id -> true */
	int skipped;
};

static void
batch_init(struct batch *b, const char *kind, const char *source)
{
	memset(b, 0, sizeof(*b));
	b->kind = kind;
	b->source = source;
	b->recs = jv_array();
	b->seen = jv_object();
}

static void
batch_release(struct batch *b)
{
	jv_free(b->recs);
	jv_free(b->seen);
	free(b->name);
}

static jv
str_or_null_at(jv o, const char *key)
{
	jv v = jv_object_get(jv_copy(o), jv_string(key));

	if (jv_get_kind(v) == JV_KIND_STRING)
		return v;
	jv_free(v);
	return jv_null();
}

/*
 * One playlist entry, saved track or album track: t (consumed) is the
 * track object, album (borrowed) the album of album listings.
 */
static void
batch_add(struct batch *b, jv t, jv album, jv added_at, int is_local)
{
	struct sbuf id = SBUF_INIT;
	const char *why = NULL;
	jv w, rec, name;

	if (is_local) {
		why = "local";
		w = jv_invalid();
	} else {
		w = ss_spotify_track_want(t, album, &why);
	}
	if (!jv_is_valid(w)) {
		name = jv_get_kind(t) == JV_KIND_OBJECT ?
		    str_or_null_at(t, "name") : jv_null();
		ss_warn("'%s': position %ld: skipped %s%s%s%s",
		    b->source, b->position,
		    strcmp(why, "local") == 0 ? "a local file" :
		    strcmp(why, "episode") == 0 ? "a podcast episode" :
		    "an unavailable track",
		    jv_get_kind(name) == JV_KIND_STRING ? " '" : "",
		    jv_get_kind(name) == JV_KIND_STRING ?
		    jv_string_value(name) : "",
		    jv_get_kind(name) == JV_KIND_STRING ? "'" : "");
		jv_free(name);
		jv_free(w);
		jv_free(t);
		jv_free(added_at);
		b->skipped++;
		b->position++;
		return;
	}
	jv_free(t);
	w = ss_want_complete(w);
	ss_want_id(w, &id);
	rec = JV_OBJECT(jv_string("id"), jv_string(id.buf),
	    jv_string("want"), w);
	rec = with_source(rec, b->kind, b->source, b->name, b->position,
	    added_at);
	b->position++;
	if (jv_object_has(jv_copy(b->seen), jv_string(id.buf))) {
		ss_info("'%s': %s is in it more than once", b->source, id.buf);
		jv_free(rec);
	} else {
		b->seen = jv_object_set(b->seen, jv_string(id.buf),
		    jv_true());
		b->recs = jv_array_append(b->recs, rec);
	}
	sbuf_release(&id);
}

/* A paging object's entries; entry: 1 for {item|track, added_at}. */
static int
batch_page(struct batch *b, jv page, int entry, jv album)
{
	jv items, it, t;
	int i, n, local;

	items = jv_object_get(jv_copy(page), jv_string("items"));
	n = jv_get_kind(items) == JV_KIND_ARRAY ?
	    jv_array_length(jv_copy(items)) : 0;
	for (i = 0; i < n; i++) {
		it = jv_array_get(jv_copy(items), i);
		if (!entry) {
			batch_add(b, it, album, jv_null(), 0);
			continue;
		}
		if (jv_get_kind(it) != JV_KIND_OBJECT) {
			batch_add(b, jv_null(), album, jv_null(), 0);
			jv_free(it);
			continue;
		}
		t = jv_object_get(jv_copy(it), jv_string("item"));
		if (jv_get_kind(t) != JV_KIND_OBJECT) {
			jv_free(t);
			t = jv_object_get(jv_copy(it), jv_string("track"));
		}
		local = jv_get_kind(jv_object_get(jv_copy(it),
		    jv_string("is_local"))) == JV_KIND_TRUE;
		batch_add(b, t, album, str_or_null_at(it, "added_at"), local);
		jv_free(it);
	}
	jv_free(items);
	return n;
}

static int
has_next(jv page)
{
	jv nx = jv_object_get(jv_copy(page), jv_string("next"));
	int r = jv_get_kind(nx) == JV_KIND_STRING;

	jv_free(nx);
	return r;
}

/*
 * Fetches pages path?offset=N&limit=50 from offset until one has no
 * next; entry as for batch_page.
 */
static int
batch_pages(struct ctx *c, struct batch *b, const char *path, long offset,
    int entry, jv album, double ttl, struct ss_err *e)
{
	struct sbuf url = SBUF_INIT;
	jv page;
	int n, ret = -1;

	for (;;) {
		sbuf_reset(&url);
		sbuf_addf(&url, "%s?offset=%ld&limit=%d%s", path, offset,
		    PAGE_LIMIT, entry ? "&additional_types=track,episode" : "");
		if (ss_spotify_get(c->sp, url.buf, ttl, &page, e) == -1)
			goto out;
		n = batch_page(b, page, entry, album);
		offset += n;
		if (n == 0 || !has_next(page)) {
			jv_free(page);
			break;
		}
		jv_free(page);
		ss_progress("%s: %ld", b->source, offset);
	}
	ret = 0;
out:
	ss_progress_done();
	sbuf_release(&url);
	return ret;
}

static int
emit_batch(struct ctx *c, struct batch *b)
{
	int i, n = jv_array_length(jv_copy(b->recs));

	for (i = 0; i < n; i++)
		if (emit(c, jv_array_get(jv_copy(b->recs), i)) == -1)
			return -1;
	return 0;
}

static int
emit_stored(const char *record, void *arg)
{
	struct ctx *c = arg;
	jv v = jv_parse(record);

	if (!jv_is_valid(v)) {
		jv_free(v);
		return 0;
	}
	return emit(c, v) == -1 ? -1 : 0;
}

/* Stores the batch as the playlist's membership. */
static int
store_batch(struct ctx *c, struct batch *b, const char *snapshot,
    struct ss_err *e)
{
	int i, n = jv_array_length(jv_copy(b->recs)), added = 0, removed = 0,
	    ret;
	char **ids = xcalloc((size_t)n + 1, sizeof(*ids));
	char **recs = xcalloc((size_t)n + 1, sizeof(*recs));
	jv r, s;

	for (i = 0; i < n; i++) {
		r = jv_array_get(jv_copy(b->recs), i);
		ids[i] = ss_jv_strdup(r, "id");
		s = jv_dump_string(r, 0);
		recs[i] = xstrdup(jv_string_value(s));
		jv_free(s);
	}
	ret = ss_playlist_store(c->l, b->source, b->name, snapshot, ids, recs,
	    (size_t)n, &added, &removed, e);
	if (ret == 0 && (added > 0 || removed > 0))
		ss_info("'%s': %d tracks added, %d removed since the last run",
		    b->source, added, removed);
	for (i = 0; i < n; i++) {
		free(ids[i]);
		free(recs[i]);
	}
	free(ids);
	free(recs);
	return ret;
}

static int
fetch_playlist(struct ctx *c, const char *pid, const char *source,
    struct ss_err *e)
{
	struct batch b;
	struct sbuf path = SBUF_INIT, url = SBUF_INIT;
	char *old = NULL;
	const char *endpoint = "items";
	jv pl = jv_invalid(), emb, arr, snap;
	long got = 0;
	int ret = -1, entries;

	batch_init(&b, "spotify", source);
	sbuf_addf(&path, "/playlists/%s", pid);
	sbuf_addf(&url, "%s?additional_types=track,episode", path.buf);
	if (ss_spotify_get(c->sp, url.buf, 0, &pl, e) == -1)
		goto out;
	b.name = ss_jv_strdup(pl, "name");
	snap = str_or_null_at(pl, "snapshot_id");
	if (ss_playlist_snapshot(c->l, source, &old, e) == -1) {
		jv_free(snap);
		goto out;
	}
	if (old != NULL && jv_get_kind(snap) == JV_KIND_STRING &&
	    strcmp(old, jv_string_value(snap)) == 0) {
		jv_free(snap);
		ss_info("'%s': unchanged (snapshot %s)", source, old);
		if ((ret = ss_playlist_members(c->l, source, emit_stored, c,
		    e)) > 0)
			ret = 0;
		goto out;
	}
	/* the first page, embedded: "items" (2026) or "tracks" (before) */
	emb = jv_object_get(jv_copy(pl), jv_string("items"));
	arr = jv_get_kind(emb) == JV_KIND_OBJECT ?
	    jv_object_get(jv_copy(emb), jv_string("items")) : jv_invalid();
	if (jv_get_kind(arr) != JV_KIND_ARRAY) {
		jv_free(emb);
		jv_free(arr);
		emb = jv_object_get(jv_copy(pl), jv_string("tracks"));
		arr = jv_get_kind(emb) == JV_KIND_OBJECT ?
		    jv_object_get(jv_copy(emb), jv_string("items")) :
		    jv_invalid();
		if (jv_get_kind(arr) == JV_KIND_ARRAY)
			endpoint = "tracks";
	}
	entries = jv_get_kind(arr) == JV_KIND_ARRAY;
	if (entries) {
		got = batch_page(&b, emb, 1, jv_null());
	}
	jv_free(arr);
	if (!entries || has_next(emb)) {
		sbuf_addf(&path, "/%s", endpoint);
		if (batch_pages(c, &b, path.buf, got, 1, jv_null(), 0,
		    e) == -1) {
			jv_free(emb);
			jv_free(snap);
			if (strcmp(e->code, "forbidden") == 0)
				ss_err_set(e, "forbidden", 0, "Spotify does "
				    "not let this app read the tracks of "
				    "playlist '%s' (403 Forbidden): since 2026 "
				    "only playlists the logged-in user owns or "
				    "collaborates on can be read; log in as its "
				    "owner with ss-fetch-playlists --login, or "
				    "export the playlist to CSV (for example "
				    "with Exportify) and give the file instead",
				    b.name ? b.name : pid);
			goto out;
		}
	}
	jv_free(emb);
	if (!c->dry_run && store_batch(c, &b, jv_get_kind(snap) ==
	    JV_KIND_STRING ? jv_string_value(snap) : NULL, e) == -1) {
		jv_free(snap);
		goto out;
	}
	jv_free(snap);
	if (b.skipped > 0)
		ss_info("'%s': %d entries skipped", source, b.skipped);
	ret = emit_batch(c, &b) == -1 ? 1 : 0;
out:
	jv_free(pl);
	free(old);
	sbuf_release(&path);
	sbuf_release(&url);
	batch_release(&b);
	return ret;
}

static int
fetch_album(struct ctx *c, const char *aid, const char *source,
    struct ss_err *e)
{
	struct batch b;
	struct sbuf path = SBUF_INIT;
	jv al = jv_invalid(), emb;
	long got;
	int ret = -1;

	batch_init(&b, "spotify-album", source);
	sbuf_addf(&path, "/albums/%s", aid);
	if (ss_spotify_get(c->sp, path.buf, ALBUM_TTL, &al, e) == -1)
		goto out;
	b.name = ss_jv_strdup(al, "name");
	emb = jv_object_get(jv_copy(al), jv_string("tracks"));
	got = batch_page(&b, emb, 0, al);
	if (has_next(emb)) {
		sbuf_adds(&path, "/tracks");
		if (batch_pages(c, &b, path.buf, got, 0, al, ALBUM_TTL,
		    e) == -1) {
			jv_free(emb);
			goto out;
		}
	}
	jv_free(emb);
	ret = emit_batch(c, &b) == -1 ? 1 : 0;
out:
	jv_free(al);
	sbuf_release(&path);
	batch_release(&b);
	return ret;
}

static int
fetch_track(struct ctx *c, const char *tid, const char *source,
    struct ss_err *e)
{
	struct batch b;
	struct sbuf path = SBUF_INIT;
	jv t = jv_invalid();
	int ret = -1;

	batch_init(&b, "spotify-track", source);
	sbuf_addf(&path, "/tracks/%s", tid);
	if (ss_spotify_get(c->sp, path.buf, ALBUM_TTL, &t, e) == -1)
		goto out;
	batch_add(&b, jv_copy(t), jv_null(), jv_null(), 0);
	ret = emit_batch(c, &b) == -1 ? 1 : 0;
out:
	jv_free(t);
	sbuf_release(&path);
	batch_release(&b);
	return ret;
}

static int
fetch_liked(struct ctx *c, const char *source, struct ss_err *e)
{
	struct batch b;
	int ret = -1;

	batch_init(&b, "spotify-liked", source);
	b.name = xstrdup("Liked Songs");
	if (batch_pages(c, &b, "/me/tracks", 0, 1, jv_null(), 0, e) == -1)
		goto out;
	ret = emit_batch(c, &b) == -1 ? 1 : 0;
out:
	batch_release(&b);
	return ret;
}

static int fetch_spotify(struct ctx *c, const char *kind, const char *id);

static int
fetch_me(struct ctx *c, struct ss_err *e)
{
	struct sbuf url = SBUF_INIT;
	jv page, items, p;
	long offset = 0;
	int i, n, ret = -1;
	char *pid;

	for (;;) {
		sbuf_reset(&url);
		sbuf_addf(&url, "/me/playlists?offset=%ld&limit=%d", offset,
		    PAGE_LIMIT);
		if (ss_spotify_get(c->sp, url.buf, 0, &page, e) == -1)
			goto out;
		items = jv_object_get(jv_copy(page), jv_string("items"));
		n = jv_get_kind(items) == JV_KIND_ARRAY ?
		    jv_array_length(jv_copy(items)) : 0;
		for (i = 0; i < n; i++) {
			p = jv_array_get(jv_copy(items), i);
			if (jv_get_kind(p) == JV_KIND_OBJECT &&
			    (pid = ss_jv_strdup(p, "id")) != NULL) {
				fetch_spotify(c, "playlist", pid);
				free(pid);
			}
			jv_free(p);
		}
		jv_free(items);
		offset += n;
		if (n == 0 || !has_next(page)) {
			jv_free(page);
			break;
		}
		jv_free(page);
	}
	ret = 0;
out:
	sbuf_release(&url);
	return ret;
}

/*
 * One Spotify operand, with its outcome in the ledger's "fetch" stage:
 * a temporary failure is rescheduled (Retry-After honoured), and a run
 * before that time skips it with status 75.
 */
static int
fetch_spotify(struct ctx *c, const char *kind, const char *id)
{
	struct ss_err e = SS_ERR_INIT, le = SS_ERR_INIT;
	struct ss_item it;
	struct sbuf source = SBUF_INIT;
	char when[32];
	double next = 0, until = 0, wait = 0;
	int r, fails, ret = 0;

	memset(&it, 0, sizeof(it));
	if (strcmp(kind, "liked") == 0 || strcmp(kind, "me") == 0)
		sbuf_addf(&source, "spotify:%s", kind);
	else
		sbuf_addf(&source, "spotify:%s:%s", kind, id);
	if (c->sp == NULL &&
	    ss_spotify_new(&c->sp, c->http, c->l, c->cf, &e) == -1)
		goto fail;
	if ((r = ss_ledger_get(c->l, STAGE, source.buf, &it, &e)) == -1)
		goto fail;
	if (r == 1 && it.state == SS_STATE_FAILED && it.temporary &&
	    it.next_attempt_at > ss_now()) {
		ss_time_rfc3339(it.next_attempt_at, when);
		ss_warn("'%s': rescheduled until %s (%s); not fetching",
		    source.buf, when, it.last_error ? it.last_error : "");
		worse(c, SS_EX_TEMPFAIL);
		goto out;
	}
	if (strcmp(kind, "playlist") == 0)
		r = fetch_playlist(c, id, source.buf, &e);
	else if (strcmp(kind, "album") == 0)
		r = fetch_album(c, id, source.buf, &e);
	else if (strcmp(kind, "track") == 0)
		r = fetch_track(c, id, source.buf, &e);
	else if (strcmp(kind, "liked") == 0)
		r = fetch_liked(c, source.buf, &e);
	else
		r = fetch_me(c, &e);
	if (r == 1) {
		ret = -1;
		goto out;
	}
	if (r == -1)
		goto fail;
	if (!c->dry_run && strcmp(kind, "me") != 0 &&
	    ss_ledger_done(c->l, STAGE, source.buf, NULL, NULL, &le) == -1) {
		ss_error("%s", le.msg);
		worse(c, status_of(&le));
	}
	goto out;
fail:
	c->failed++;
	worse(c, status_of(&e));
	if (!c->dry_run && strcmp(e.code, "sqlite") != 0 &&
	    strcmp(e.code, "busy") != 0) {
		if (e.temporary && ss_http_breaker(c->l, "spotify", &fails,
		    &until, &le) == 0 && until > ss_now())
			wait = until - ss_now();
		if (ss_ledger_fail(c->l, STAGE, source.buf, NULL, &e, wait,
		    NULL, &next, &le) == -1) {
			ss_error("%s", le.msg);
			worse(c, status_of(&le));
		}
	}
	if (e.temporary && next > 0) {
		ss_time_rfc3339(next, when);
		ss_error("'%s': %s; rescheduled for %s", source.buf, e.msg,
		    when);
	} else {
		ss_error("'%s': %s", source.buf, e.msg);
	}
out:
	ss_item_release(&it);
	sbuf_release(&source);
	return ret;
}

static int
is_b62_id(const char *s)
{
	size_t n = strlen(s), i;

	if (n != 22)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9')))
			return 0;
	return 1;
}

static void
fetch_operand(struct ctx *c, const char *op)
{
	struct stat st;
	char kind[16], id[32];

	if (strcmp(op, "-") == 0 || stat(op, &st) == 0) {
		fetch_file(c, op);
	} else if (strcmp(op, "liked") == 0 || strcmp(op, "me") == 0) {
		fetch_spotify(c, op, "");
	} else if (ss_spotify_ref(op, kind, id) &&
	    (strcmp(kind, "playlist") == 0 || strcmp(kind, "album") == 0 ||
	    strcmp(kind, "track") == 0)) {
		fetch_spotify(c, kind, id);
	} else if (is_b62_id(op)) {
		fetch_spotify(c, "playlist", op);
	} else {
		ss_error("'%s': no such file, and not a Spotify playlist, "
		    "album or track", op);
		c->failed++;
		worse(c, SS_EX_PARTIAL);
	}
}

/* --login and --logout */

static int
do_login(struct ctx *c, int headless)
{
	struct ss_spotify_login lg;
	struct ss_err e = SS_ERR_INIT;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int ret;

	if (ss_spotify_new(&c->sp, c->http, c->l, c->cf, &e) == -1 ||
	    ss_spotify_login_begin(c->sp, &lg, !headless, &e) == -1) {
		ss_error("%s", e.msg);
		return strcmp(e.code, "config") == 0 ? SS_EX_USAGE :
		    status_of(&e);
	}
	fprintf(stderr, "Open this URL in a browser and allow access:\n"
	    "\n  %s\n\n", lg.url);
	if (headless)
		fprintf(stderr, "Then paste here the whole address the "
		    "browser was sent to (it starts with %s):\n",
		    lg.redirect);
	else
		fprintf(stderr, "Waiting for the browser at %s ...\n",
		    lg.redirect);
	fflush(stderr);
	if (headless) {
		if ((n = getline(&line, &cap, stdin)) <= 0) {
			ss_error("no address given");
			ss_spotify_login_release(&lg);
			free(line);
			return SS_EX_USAGE;
		}
		line[strcspn(line, "\r\n")] = '\0';
		ret = ss_spotify_login_finish(c->sp, &lg, line, &e);
		explicit_bzero(line, cap);
		free(line);
	} else {
		ret = ss_spotify_login_wait(c->sp, &lg, LOGIN_TIMEOUT, &e);
	}
	ss_spotify_login_release(&lg);
	if (ret == -1) {
		ss_error("%s", e.msg);
		return status_of(&e);
	}
	fprintf(stderr, "Logged in; the refresh token is stored encrypted "
	    "in the ledger.\n");
	return SS_EX_OK;
}

static int
do_logout(struct ctx *c)
{
	struct ss_err e = SS_ERR_INIT;
	int had;

	if (ss_spotify_new(&c->sp, c->http, c->l, c->cf, &e) == -1 ||
	    ss_spotify_logout(c->sp, &had, &e) == -1) {
		ss_error("%s", e.msg);
		return status_of(&e);
	}
	if (ss_verbosity >= 0)
		fprintf(stderr, "%s\n", had ? "Logged out: the Spotify tokens "
		    "are deleted." : "There were no Spotify tokens.");
	return SS_EX_OK;
}

static int
open_all(struct ctx *c, const char *cfile, int no_cache)
{
	struct ss_http_opts o;
	struct ss_err e = SS_ERR_INIT;
	int status = SS_EX_OK;

	if (ss_config_load(&c->cf, cfile, &e) == -1) {
		ss_error("%s", e.msg);
		return SS_EX_USAGE;
	}
	if (ss_http_opts_from_config(&o, c->cf, &c->ua, &e) == -1) {
		ss_error("%s", e.msg);
		status = SS_EX_USAGE;
	} else if (ss_ledger_open_config(&c->l, c->cf, &e) == -1) {
		ss_error("%s", e.msg);
		status = ss_err_exit(&e);
	} else if (ss_http_new(&c->http, &o, c->l, c->cf, &e) == -1) {
		ss_error("%s", e.msg);
		status = SS_EX_FATAL;
	} else {
		ss_http_set_no_cache(c->http, no_cache);
		if (ss_verbosity >= 2)
			ss_http_set_trace(c->http, trace_cb, NULL);
	}
	return status;
}

int
main(int argc, char *argv[])
{
	struct ctx c;
	struct ss_err e = SS_ERR_INIT;
	const char *cfile = NULL;
	long long run = 0;
	int ch, i, login = 0, logout = 0, headless = 0, no_cache = 0;

	ss_init(argv[0]);
	memset(&c, 0, sizeof(c));
	sbuf_init(&c.ua, 0);
	while ((ch = getopt_long(argc, argv, "c:hnqVv", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'c':
			cfile = optarg;
			break;
		case 'h':
			ss_usage(usage, SS_EX_OK);
		case 'n':
			c.dry_run = 1;
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
		case OPT_HEADLESS:
			headless = 1;
			break;
		case OPT_LOG_FORMAT:
			if (ss_log_set_format(optarg) == -1) {
				ss_error("--log-format: '%s' is not text or "
				    "json", optarg);
				ss_usage(usage, SS_EX_USAGE);
			}
			break;
		case OPT_LOGIN:
			login = 1;
			break;
		case OPT_LOGOUT:
			logout = 1;
			break;
		case OPT_NO_CACHE:
			no_cache = 1;
			break;
		default:
			ss_usage(usage, SS_EX_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if ((login || logout) ? (argc != 0 || login + logout != 1 ||
	    (logout && headless) || c.dry_run || no_cache) :
	    (argc == 0 || headless))
		ss_usage(usage, SS_EX_USAGE);
	if ((c.status = open_all(&c, cfile, no_cache)) != SS_EX_OK)
		goto out;
	if (login) {
		c.status = do_login(&c, headless);
		goto out;
	}
	if (logout) {
		c.status = do_logout(&c);
		goto out;
	}
	if (!c.dry_run && ss_run_begin(c.l, "ss-fetch-playlists", &run,
	    &e) == -1) {
		ss_error("%s", e.msg);
		c.status = status_of(&e);
		goto out;
	}
	for (i = 0; i < argc && c.status != SS_EX_FATAL; i++)
		fetch_operand(&c, argv[i]);
	if (!c.dry_run && ss_run_end(c.l, run, c.status, (long long)c.emitted,
	    (long long)c.failed, &e) == -1)
		ss_warn("%s", e.msg);
out:
	ss_spotify_free(c.sp);
	ss_http_free(c.http);
	ss_ledger_close(c.l);
	ss_config_free(c.cf);
	sbuf_release(&c.ua);
	if (ss_output_close(&e) == -1) {
		ss_error("%s", e.msg);
		c.status = SS_EX_FATAL;
	}
	return c.status;
}
