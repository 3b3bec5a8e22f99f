/* playlists.c: the playlists and playlist_tracks tables of the ledger. */
#include <sqlite3.h>

#include "ss.h"
#include "ledger.h"
#include "ledger-int.h"
#include "playlists.h"

static int
prep(struct ss_ledger *l, const char *sql, sqlite3_stmt **st,
    struct ss_err *e)
{
	int rc = sqlite3_prepare_v2(ss_ledger_sqlite(l), sql, -1, st, NULL);

	if (rc != SQLITE_OK)
		return ss_ledger_db_err(l, rc, "preparing playlists", e);
	return 0;
}

int
ss_playlist_snapshot(struct ss_ledger *l, const char *id, char **snapshot,
    struct ss_err *e)
{
	sqlite3_stmt *st;
	const unsigned char *s;
	int rc;

	*snapshot = NULL;
	if (prep(l, "SELECT snapshot_id FROM playlists WHERE id = ?1", &st,
	    e) == -1)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && (s = sqlite3_column_text(st, 0)) != NULL)
		*snapshot = xstrdup((const char *)s);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return ss_ledger_db_err(l, rc, "reading playlists", e);
	return 0;
}

int
ss_playlist_members(struct ss_ledger *l, const char *id, ss_playlist_fn *fn,
    void *arg, struct ss_err *e)
{
	sqlite3_stmt *st;
	int rc, r = 0;

	if (prep(l, "SELECT record FROM playlist_tracks WHERE playlist = ?1 "
	    "AND removed_at IS NULL ORDER BY position", &st, e) == -1)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if ((r = fn((const char *)sqlite3_column_text(st, 0),
		    arg)) != 0)
			break;
	sqlite3_finalize(st);
	if (r != 0)
		return r;
	if (rc != SQLITE_DONE)
		return ss_ledger_db_err(l, rc, "reading playlist members", e);
	return 0;
}

static int
step_done(struct ss_ledger *l, sqlite3_stmt *st, struct ss_err *e)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return ss_ledger_db_err(l, rc, "writing playlists", e);
	return 0;
}

int
ss_playlist_store(struct ss_ledger *l, const char *id, const char *name,
    const char *snapshot, char *const *tracks, char *const *records,
    size_t n, int *added, int *removed, struct ss_err *e)
{
	sqlite3_stmt *pl = NULL, *gen = NULL, *old = NULL, *up = NULL,
	    *gone = NULL;
	sqlite3 *db = ss_ledger_sqlite(l);
	double now = ss_now();
	long long g = 0;
	size_t i;
	int rc, ret = -1, nadded = 0;

	if (ss_ledger_begin(l, e) == -1)
		return -1;
	if (prep(l, "INSERT INTO playlists (id, name, snapshot_id, total, "
	    "generation, fetched_at, changed_at) VALUES (?1, ?2, ?3, ?4, 1, "
	    "?5, ?5) ON CONFLICT (id) DO UPDATE SET name = ?2, "
	    "snapshot_id = ?3, total = ?4, generation = generation + 1, "
	    "fetched_at = ?5, changed_at = CASE WHEN snapshot_id IS ?3 "
	    "THEN changed_at ELSE ?5 END", &pl, e) == -1 ||
	    prep(l, "SELECT generation FROM playlists WHERE id = ?1", &gen,
	    e) == -1 ||
	    prep(l, "SELECT 1 FROM playlist_tracks WHERE playlist = ?1 AND "
	    "track = ?2 AND removed_at IS NULL", &old, e) == -1 ||
	    prep(l, "INSERT INTO playlist_tracks (playlist, track, position, "
	    "record, generation, added_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
	    "ON CONFLICT (playlist, track) DO UPDATE SET position = ?3, "
	    "record = ?4, generation = ?5, removed_at = NULL, "
	    "added_at = CASE WHEN removed_at IS NULL THEN added_at ELSE ?6 "
	    "END", &up, e) == -1 ||
	    prep(l, "UPDATE playlist_tracks SET removed_at = ?3 WHERE "
	    "playlist = ?1 AND removed_at IS NULL AND generation < ?2",
	    &gone, e) == -1)
		goto out;
	sqlite3_bind_text(pl, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(pl, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(pl, 3, snapshot, -1, SQLITE_STATIC);
	sqlite3_bind_int64(pl, 4, (sqlite3_int64)n);
	sqlite3_bind_double(pl, 5, now);
	if (step_done(l, pl, e) == -1)
		goto out;
	sqlite3_bind_text(gen, 1, id, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(gen)) != SQLITE_ROW) {
		ss_ledger_db_err(l, rc, "reading playlists", e);
		goto out;
	}
	g = sqlite3_column_int64(gen, 0);
	for (i = 0; i < n; i++) {
		sqlite3_bind_text(old, 1, id, -1, SQLITE_STATIC);
		sqlite3_bind_text(old, 2, tracks[i], -1, SQLITE_STATIC);
		rc = sqlite3_step(old);
		sqlite3_reset(old);
		if (rc == SQLITE_DONE)
			nadded++;
		else if (rc != SQLITE_ROW) {
			ss_ledger_db_err(l, rc, "reading playlists", e);
			goto out;
		}
		sqlite3_bind_text(up, 1, id, -1, SQLITE_STATIC);
		sqlite3_bind_text(up, 2, tracks[i], -1, SQLITE_STATIC);
		sqlite3_bind_int64(up, 3, (sqlite3_int64)i);
		sqlite3_bind_text(up, 4, records[i], -1, SQLITE_STATIC);
		sqlite3_bind_int64(up, 5, g);
		sqlite3_bind_double(up, 6, now);
		if (step_done(l, up, e) == -1)
			goto out;
	}
	sqlite3_bind_text(gone, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(gone, 2, g);
	sqlite3_bind_double(gone, 3, now);
	if (step_done(l, gone, e) == -1)
		goto out;
	if (removed != NULL)
		*removed = sqlite3_changes(db);
	if (added != NULL)
		*added = nadded;
	ret = 0;
out:
	sqlite3_finalize(pl);
	sqlite3_finalize(gen);
	sqlite3_finalize(old);
	sqlite3_finalize(up);
	sqlite3_finalize(gone);
	if (ret == 0)
		ret = ss_ledger_commit(l, e);
	else
		ss_ledger_rollback(l);
	return ret;
}
