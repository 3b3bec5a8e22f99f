/* filesum.c: a quick pass over the ledger's file index for ss-dedupe. */
#include "ss.h"
#include "filesum.h"
#include "ledger.h"
#include "ledger-int.h"

static const char sum_sql[] =
    "SELECT path, sha256, audio_hash, broken IS NOT NULL, duration_ms, "
    "artist, title, format, size, mtime_ns, bitrate, lossless, ntags, "
    "has_cover FROM files WHERE missing = 0 ORDER BY path";

static const char *
text_or_null(sqlite3_stmt *s, int col)
{
	if (sqlite3_column_type(s, col) != SQLITE_TEXT)
		return NULL;
	return (const char *)sqlite3_column_text(s, col);
}

static long long
int_or(sqlite3_stmt *s, int col)
{
	if (sqlite3_column_type(s, col) == SQLITE_NULL)
		return -1;
	return sqlite3_column_int64(s, col);
}

int
ss_files_each_sum(struct ss_ledger *l, ss_file_sum_fn *fn, void *arg,
    struct ss_err *e)
{
	sqlite3 *db = ss_ledger_sqlite(l);
	sqlite3_stmt *s = NULL;
	struct ss_file_sum fs;
	int rc, r = 0;

	rc = sqlite3_prepare_v2(db, sum_sql, -1, &s, NULL);
	if (rc != SQLITE_OK)
		return ss_ledger_db_err(l, rc, "reading the file index", e);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		fs.path = sqlite3_column_blob(s, 0);
		fs.plen = (size_t)sqlite3_column_bytes(s, 0);
		fs.sha256 = text_or_null(s, 1);
		fs.audio_hash = text_or_null(s, 2);
		fs.broken = sqlite3_column_int(s, 3);
		fs.duration_ms = int_or(s, 4);
		fs.artist = text_or_null(s, 5);
		fs.title = text_or_null(s, 6);
		fs.format = text_or_null(s, 7);
		fs.size = int_or(s, 8);
		fs.mtime_ns = int_or(s, 9);
		fs.bitrate = int_or(s, 10);
		fs.lossless = (int)int_or(s, 11);
		fs.ntags = (int)int_or(s, 12);
		fs.has_cover = (int)int_or(s, 13);
		if (fs.path == NULL)
			continue;
		if ((r = fn(&fs, arg)) != 0)
			break;
	}
	if (r == 0 && rc != SQLITE_DONE) {
		ss_ledger_db_err(l, rc, "reading the file index", e);
		r = -1;
	}
	sqlite3_finalize(s);
	return r;
}

int
ss_files_set_missing(struct ss_ledger *l, const void *path, size_t plen,
    int missing, struct ss_err *e)
{
	sqlite3 *db = ss_ledger_sqlite(l);
	sqlite3_stmt *s = NULL;
	int rc;

	rc = sqlite3_prepare_v2(db, "UPDATE files SET missing = ?2 "
	    "WHERE path = ?1", -1, &s, NULL);
	if (rc != SQLITE_OK)
		return ss_ledger_db_err(l, rc, "updating the file index", e);
	sqlite3_bind_blob(s, 1, path, (int)plen, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, missing != 0);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return ss_ledger_db_err(l, rc, "updating the file index", e);
	return 0;
}
