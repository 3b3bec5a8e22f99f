/* playlists.h: playlists in the ledger: snapshot ids and membership. */
#ifndef SS_PLAYLISTS_H
#define SS_PLAYLISTS_H

#include <stddef.h>

struct ss_err;
struct ss_ledger;

/*
 * The ledger keeps, per playlist id ("spotify:playlist:ID"), its name,
 * the snapshot_id its membership was read at, and per member record id
 * the record that was emitted, its position, when it was first seen and,
 * once it has left the playlist, when that was noticed.  Errors are the
 * ledger's ("busy", "sqlite").
 */

/* *snapshot gets the stored snapshot id (caller frees) or NULL. */
int ss_playlist_snapshot(struct ss_ledger *l, const char *id,
    char **snapshot, struct ss_err *e);

/*
 * Calls fn with the record (JSON text) of each current member, by
 * position.  fn returns 0 to go on; anything else stops and is returned.
 */
typedef int ss_playlist_fn(const char *record, void *arg);
int ss_playlist_members(struct ss_ledger *l, const char *id,
    ss_playlist_fn *fn, void *arg, struct ss_err *e);

/*
 * Replaces the membership of id with the n members tracks[i] (record
 * ids) / records[i] (JSON texts), positions 0..n-1, in one transaction,
 * and records name and snapshot (may be NULL).  Members no longer there
 * get removed_at = now; *removed (may be NULL) gets their number, and
 * *added the number of members that were not there before.
 */
int ss_playlist_store(struct ss_ledger *l, const char *id, const char *name,
    const char *snapshot, char *const *tracks, char *const *records,
    size_t n, int *added, int *removed, struct ss_err *e);

#endif
