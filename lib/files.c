/* files.c: the file index, scans and moves tables of the ledger. */
#include "ss.h"
#include "files.h"
#include "ledger.h"
#include "ledger-int.h"

#include <sys/stat.h>

enum {
	F_GET, F_PUT, F_UNDER, F_COUNT_UNDER, F_MISSING, F_EACH, F_SCAN_BEGIN, F_SCAN_END,
	F_MOVE_ADD, F_MOVE_LIST, F_MOVE_UNDONE, F_SUMMARY, F_MAX
};

static const char *const f_sql[F_MAX] = {
	[F_GET] = "SELECT size, mtime_ns, inode, dev, missing, record "
	    "FROM files WHERE path = ?1",
	[F_PUT] = "INSERT INTO files (path, root, size, mtime_ns, inode, dev, "
	    "sha256, audio_hash, format, broken, record, scan_id, seen_at, "
	    "missing, duration_ms, bitrate, lossless, ntags, has_cover, "
	    "artist, title) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
	    "?11, ?12, ?13, 0, ?14, ?15, ?16, ?17, ?18, ?19, ?20) "
	    "ON CONFLICT (path) DO UPDATE SET root = ?2, "
	    "size = ?3, mtime_ns = ?4, inode = ?5, dev = ?6, sha256 = ?7, "
	    "audio_hash = ?8, format = ?9, broken = ?10, record = ?11, "
	    "scan_id = ?12, seen_at = ?13, missing = 0, duration_ms = ?14, "
	    "bitrate = ?15, lossless = ?16, ntags = ?17, has_cover = ?18, "
	    "artist = ?19, title = ?20",
	/* every path under a directory: from "DIR/" up to "DIR0" */
	[F_UNDER] = "SELECT path, record FROM files WHERE path > ?1 AND "
	    "path < ?2 AND missing = 0",
	[F_COUNT_UNDER] = "SELECT count(*) FROM files WHERE path > ?1 AND "
	    "path < ?2 AND missing = 0",
	[F_MISSING] = "UPDATE files SET missing = 1 WHERE path = ?1",
	[F_EACH] = "SELECT path, record FROM files WHERE missing = 0 "
	    "ORDER BY path",
	[F_SCAN_BEGIN] = "INSERT INTO scans (root, started_at) VALUES (?1, ?2)",
	[F_SCAN_END] = "UPDATE scans SET ended_at = ?2, files = ?3, read = ?4, "
	    "missing = ?5 WHERE id = ?1",
	[F_MOVE_ADD] = "INSERT INTO moves (program, run, src, dst, size, "
	    "sha256, moved_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[F_MOVE_LIST] = "SELECT id, src, dst, sha256 FROM moves WHERE "
	    "program = ?1 AND run = ?2 AND undone_at IS NULL ORDER BY id DESC",
	[F_MOVE_UNDONE] = "UPDATE moves SET undone_at = ?2 WHERE id = ?1",
	[F_SUMMARY] = "SELECT count(*), coalesce(sum(missing), 0), "
	    "coalesce(sum(broken IS NOT NULL AND missing = 0), 0) FROM files",
};

struct ss_files {
	struct ss_ledger *l;
	sqlite3 *db;
	sqlite3_stmt *st[F_MAX];
};

int
ss_files_open(struct ss_ledger *l, struct ss_files **fp, struct ss_err *e)
{
	struct ss_files *f = xcalloc(1, sizeof(*f));
	int i, rc;

	f->l = l;
	f->db = ss_ledger_sqlite(l);
	for (i = 0; i < F_MAX; i++) {
		rc = sqlite3_prepare_v3(f->db, f_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &f->st[i], NULL);
		if (rc != SQLITE_OK) {
			ss_ledger_db_err(l, rc, "preparing the file index", e);
			ss_files_close(f);
			return -1;
		}
	}
	*fp = f;
	return 0;
}

void
ss_files_close(struct ss_files *f)
{
	int i;

	if (f == NULL)
		return;
	for (i = 0; i < F_MAX; i++)
		sqlite3_finalize(f->st[i]);
	free(f);
}

int
ss_files_read_begin(struct ss_files *f, struct ss_err *e)
{
	int rc = sqlite3_exec(f->db, "BEGIN DEFERRED", NULL, NULL, NULL);

	if (rc != SQLITE_OK)
		return ss_ledger_db_err(f->l, rc, "starting a read", e);
	return 0;
}

void
ss_file_row_release(struct ss_file_row *r)
{
	free(r->record);
	memset(r, 0, sizeof(*r));
}

static sqlite3_stmt *
stmt(struct ss_files *f, int which)
{
	sqlite3_reset(f->st[which]);
	sqlite3_clear_bindings(f->st[which]);
	return f->st[which];
}

static void
bind_blob(sqlite3_stmt *s, int i, const void *p, size_t n)
{
	sqlite3_bind_blob64(s, i, p, n, SQLITE_STATIC);
}

static void
bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v == NULL)
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
}

/* Steps s to its end; -1 with e filled on an error. */
static int
finish(struct ss_files *f, sqlite3_stmt *s, const char *what,
    struct ss_err *e)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return ss_ledger_db_err(f->l, rc, what, e);
	return 0;
}

int
ss_files_get(struct ss_files *f, const void *path, size_t plen,
    struct ss_file_row *r, struct ss_err *e)
{
	sqlite3_stmt *s = stmt(f, F_GET);
	const unsigned char *rec;
	int rc;

	bind_blob(s, 1, path, plen);
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(s);
		return 0;
	}
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		return ss_ledger_db_err(f->l, rc, "reading the file index", e);
	}
	r->size = sqlite3_column_int64(s, 0);
	r->mtime_ns = sqlite3_column_int64(s, 1);
	r->inode = sqlite3_column_int64(s, 2);
	r->dev = sqlite3_column_int64(s, 3);
	r->missing = sqlite3_column_int(s, 4);
	rec = sqlite3_column_text(s, 5);
	r->record = xstrdup(rec ? (const char *)rec : "{}");
	sqlite3_reset(s);
	return 1;
}

int
ss_files_put(struct ss_files *f, const void *path, size_t plen,
    const struct ss_file_put *p, struct ss_err *e)
{
	sqlite3_stmt *s = stmt(f, F_PUT);

	bind_blob(s, 1, path, plen);
	bind_blob(s, 2, p->root, p->rootlen);
	sqlite3_bind_int64(s, 3, p->size);
	sqlite3_bind_int64(s, 4, p->mtime_ns);
	sqlite3_bind_int64(s, 5, p->inode);
	sqlite3_bind_int64(s, 6, p->dev);
	bind_text(s, 7, p->sha256);
	bind_text(s, 8, p->audio_hash);
	bind_text(s, 9, p->format);
	bind_text(s, 10, p->broken);
	bind_text(s, 11, p->record);
	sqlite3_bind_int64(s, 12, p->scan_id);
	sqlite3_bind_double(s, 13, ss_now());
	if (p->duration_ms >= 0)
		sqlite3_bind_int64(s, 14, p->duration_ms);
	if (p->bitrate >= 0)
		sqlite3_bind_int64(s, 15, p->bitrate);
	if (p->lossless >= 0)
		sqlite3_bind_int(s, 16, p->lossless);
	sqlite3_bind_int(s, 17, p->ntags);
	sqlite3_bind_int(s, 18, p->has_cover);
	bind_text(s, 19, p->artist);
	bind_text(s, 20, p->title);
	return finish(f, s, "writing the file index", e);
}

/* Steps a statement whose rows are (path, record), calling fn. */
static int
walk_rows(struct ss_files *f, sqlite3_stmt *s, ss_file_fn *fn, void *arg,
    const char *what, struct ss_err *e)
{
	const unsigned char *rec;
	int rc, n = 0, stop = 0;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		n++;
		if (fn == NULL || stop)
			continue;
		rec = sqlite3_column_text(s, 1);
		stop = fn(sqlite3_column_blob(s, 0),
		    (size_t)sqlite3_column_bytes(s, 0),
		    rec ? (const char *)rec : "{}", arg);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return ss_ledger_db_err(f->l, rc, what, e);
	return n;
}

struct gone {
	char *path, *record;
	size_t plen;
};

int
ss_files_mark_missing(struct ss_files *f, const void *root, size_t rootlen,
    long long seen, ss_file_fn *fn, void *arg, struct ss_err *e)
{
	sqlite3_stmt *s;
	struct sbuf lo = SBUF_INIT, hi = SBUF_INIT;
	struct gone *gone = NULL;
	size_t ngone = 0, cap = 0, i;
	const unsigned char *rec;
	struct stat st;
	char *path;
	int rc, n = -1;

	sbuf_add(&lo, root, rootlen);
	if (lo.len == 0 || lo.buf[lo.len - 1] != '/')
		sbuf_addch(&lo, '/');
	sbuf_add(&hi, lo.buf, lo.len);
	hi.buf[hi.len - 1] = '/' + 1;
	if (seen >= 0) {
		/* every indexed file was seen: none can be missing */
		s = stmt(f, F_COUNT_UNDER);
		bind_blob(s, 1, lo.buf, lo.len);
		bind_blob(s, 2, hi.buf, hi.len);
		rc = sqlite3_step(s);
		if (rc != SQLITE_ROW) {
			sqlite3_reset(s);
			ss_ledger_db_err(f->l, rc, "counting files", e);
			goto out;
		}
		if (sqlite3_column_int64(s, 0) <= seen) {
			sqlite3_reset(s);
			n = 0;
			goto out;
		}
		sqlite3_reset(s);
	}
	s = stmt(f, F_UNDER);
	bind_blob(s, 1, lo.buf, lo.len);
	bind_blob(s, 2, hi.buf, hi.len);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		path = xmemdupz(sqlite3_column_blob(s, 0),
		    (size_t)sqlite3_column_bytes(s, 0));
		if (lstat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			free(path);
			continue;
		}
		if (ngone == cap) {
			cap = cap ? 2 * cap : 16;
			gone = xreallocarray(gone, cap, sizeof(*gone));
		}
		rec = sqlite3_column_text(s, 1);
		gone[ngone].path = path;
		gone[ngone].plen = (size_t)sqlite3_column_bytes(s, 0);
		gone[ngone].record = xstrdup(rec ? (const char *)rec : "{}");
		ngone++;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		ss_ledger_db_err(f->l, rc, "reading the file index", e);
		goto out;
	}
	for (i = 0; i < ngone; i++) {
		s = stmt(f, F_MISSING);
		bind_blob(s, 1, gone[i].path, gone[i].plen);
		if (finish(f, s, "marking missing files", e) == -1)
			goto out;
		if (fn != NULL && fn(gone[i].path, gone[i].plen,
		    gone[i].record, arg) != 0)
			break;
	}
	n = (int)ngone;
out:
	for (i = 0; i < ngone; i++) {
		free(gone[i].path);
		free(gone[i].record);
	}
	free(gone);
	sbuf_release(&lo);
	sbuf_release(&hi);
	return n;
}

int
ss_files_each(struct ss_files *f, ss_file_fn *fn, void *arg,
    struct ss_err *e)
{
	return walk_rows(f, stmt(f, F_EACH), fn, arg, "reading the file index",
	    e) < 0 ? -1 : 0;
}

int
ss_scan_begin(struct ss_files *f, const void *root, size_t rootlen,
    long long *id, struct ss_err *e)
{
	sqlite3_stmt *s = stmt(f, F_SCAN_BEGIN);

	bind_blob(s, 1, root, rootlen);
	sqlite3_bind_double(s, 2, ss_now());
	if (finish(f, s, "recording the scan", e) == -1)
		return -1;
	*id = sqlite3_last_insert_rowid(f->db);
	return 0;
}

int
ss_scan_end(struct ss_files *f, long long id, long long files,
    long long read, long long missing, struct ss_err *e)
{
	sqlite3_stmt *s = stmt(f, F_SCAN_END);

	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_double(s, 2, ss_now());
	sqlite3_bind_int64(s, 3, files);
	sqlite3_bind_int64(s, 4, read);
	sqlite3_bind_int64(s, 5, missing);
	return finish(f, s, "recording the scan", e);
}

int
ss_moves_add(struct ss_files *f, const char *program, const char *run,
    const void *src, size_t slen, const void *dst, size_t dlen,
    long long size, const char *sha256, struct ss_err *e)
{
	sqlite3_stmt *s = stmt(f, F_MOVE_ADD);

	bind_text(s, 1, program);
	bind_text(s, 2, run);
	bind_blob(s, 3, src, slen);
	bind_blob(s, 4, dst, dlen);
	sqlite3_bind_int64(s, 5, size);
	bind_text(s, 6, sha256);
	sqlite3_bind_double(s, 7, ss_now());
	return finish(f, s, "recording a move", e);
}

int
ss_moves_list(struct ss_files *f, const char *program, const char *run,
    ss_move_fn *fn, void *arg, struct ss_err *e)
{
	sqlite3_stmt *s = stmt(f, F_MOVE_LIST);
	const unsigned char *sha;
	int rc, stop = 0;

	bind_text(s, 1, program);
	bind_text(s, 2, run);
	while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		sha = sqlite3_column_text(s, 3);
		stop = fn(sqlite3_column_int64(s, 0),
		    sqlite3_column_blob(s, 1),
		    (size_t)sqlite3_column_bytes(s, 1),
		    sqlite3_column_blob(s, 2),
		    (size_t)sqlite3_column_bytes(s, 2),
		    sha ? (const char *)sha : NULL, arg);
	}
	sqlite3_reset(s);
	if (!stop && rc != SQLITE_DONE)
		return ss_ledger_db_err(f->l, rc, "reading moves", e);
	return stop;
}

int
ss_moves_undone(struct ss_files *f, long long id, struct ss_err *e)
{
	sqlite3_stmt *s = stmt(f, F_MOVE_UNDONE);

	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_double(s, 2, ss_now());
	return finish(f, s, "recording an undo", e);
}

int
ss_files_summary(struct ss_files *f, long long *files, long long *missing,
    long long *broken, struct ss_err *e)
{
	sqlite3_stmt *s = stmt(f, F_SUMMARY);
	int rc = sqlite3_step(s);

	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		return ss_ledger_db_err(f->l, rc, "counting files", e);
	}
	*files = sqlite3_column_int64(s, 0);
	*missing = sqlite3_column_int64(s, 1);
	*broken = sqlite3_column_int64(s, 2);
	sqlite3_reset(s);
	return 0;
}
