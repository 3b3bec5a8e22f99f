/* files.h: the ledger's file index (ss-scan) and its record of moves. */
#ifndef SS_FILES_H
#define SS_FILES_H

#include <stddef.h>

struct ss_err;
struct ss_ledger;

/*
 * A handle on the files, scans and moves tables of an open ledger, with
 * its prepared statements; close it before the ledger.  Paths are raw
 * bytes (ptr, len): file names need not be UTF-8.  Functions return 0
 * (or the documented count) or -1 with e filled as the ledger module
 * does ("busy" is temporary, "sqlite" is not).  Wrap many calls in
 * ss_ledger_begin/commit for speed: one transaction per batch.
 */
struct ss_files;

int ss_files_open(struct ss_ledger *l, struct ss_files **fp,
    struct ss_err *e);
void ss_files_close(struct ss_files *f);	/* NULL is fine */

/*
 * Starts a read-only transaction (end it with ss_ledger_commit): many
 * ss_files_get calls in one cost one lock instead of one each.  Commit it
 * before any write.
 */
int ss_files_read_begin(struct ss_files *f, struct ss_err *e);

/* What the index holds of one file; record is the "file" object JSON. */
struct ss_file_row {
	long long size, mtime_ns, inode, dev;
	int missing;
	char *record;
};
void ss_file_row_release(struct ss_file_row *r);

/* 1 and *r filled (release it) if path is indexed, 0 if not. */
int ss_files_get(struct ss_files *f, const void *path, size_t plen,
    struct ss_file_row *r, struct ss_err *e);

/* A file read anew: everything ss-scan stores about it. */
struct ss_file_put {
	const void *root;
	size_t rootlen;
	long long size, mtime_ns, inode, dev;
	const char *sha256, *audio_hash, *format, *broken;	/* may be NULL */
	const char *record;
	/* what ss-dedupe needs without the record; -1 / NULL: unknown */
	long long duration_ms, bitrate;
	int lossless, ntags, has_cover;
	const char *artist, *title;
	long long scan_id;
};
int ss_files_put(struct ss_files *f, const void *path, size_t plen,
    const struct ss_file_put *p, struct ss_err *e);

/* Called per file; path and record are valid only during the call. */
typedef int ss_file_fn(const void *path, size_t plen, const char *record,
    void *arg);

/*
 * Marks missing every indexed file under the directory root whose path
 * no longer names a regular file (lstat), calling fn (may be NULL) for
 * each; returns how many.  seen (or -1) is how many files indexed and
 * present under root the caller has just seen: when the index holds no
 * more than that, nothing can be missing and no lstat is made.  An
 * unchanged rescan writes nothing.
 */
int ss_files_mark_missing(struct ss_files *f, const void *root,
    size_t rootlen, long long seen, ss_file_fn *fn, void *arg,
    struct ss_err *e);

/* Calls fn for every file not missing, in path order. */
int ss_files_each(struct ss_files *f, ss_file_fn *fn, void *arg,
    struct ss_err *e);

/* Files indexed (missing ones included), missing, and broken ones. */
int ss_files_summary(struct ss_files *f, long long *files,
    long long *missing, long long *broken, struct ss_err *e);

/* A scan of root starts (*id set) and ends with its counts. */
int ss_scan_begin(struct ss_files *f, const void *root, size_t rootlen,
    long long *id, struct ss_err *e);
int ss_scan_end(struct ss_files *f, long long id, long long files,
    long long read, long long missing, struct ss_err *e);

/*
 * Moves, so a run can be undone: program ("ss-dedupe", "ss-rename") and
 * its run id name the run.  ss_moves_list calls fn for the moves of a run
 * not undone yet, newest first; ss_moves_undone marks one undone.
 */
int ss_moves_add(struct ss_files *f, const char *program, const char *run,
    const void *src, size_t slen, const void *dst, size_t dlen,
    long long size, const char *sha256, struct ss_err *e);
typedef int ss_move_fn(long long id, const void *src, size_t slen,
    const void *dst, size_t dlen, const char *sha256, void *arg);
int ss_moves_list(struct ss_files *f, const char *program, const char *run,
    ss_move_fn *fn, void *arg, struct ss_err *e);
int ss_moves_undone(struct ss_files *f, long long id, struct ss_err *e);

#endif
