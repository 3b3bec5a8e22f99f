/* fileio.h: files that are never half-written: atomic replace, safe moves. */
#ifndef SS_FILEIO_H
#define SS_FILEIO_H

#include <sys/types.h>

#include <stddef.h>

struct ss_err;
struct sbuf;

/*
 * Temporary files are named ".NAME.ss-tmp.XXXXXXXXXXXXXXXX" (16 random
 * lowercase hex digits) in the directory of the file they become, NAME
 * being the target's name (shortened on a UTF-8 boundary if the whole
 * would pass NAME_MAX).  Such a name is never a target: a crash can leave
 * one behind, never a partial file under the target's name.  Scanners
 * skip them with ss_is_tmp_name(); a leftover older than any running
 * job may be removed.
 */
int ss_is_tmp_name(const char *path);	/* 1 if the last component is one */

/*
 * Atomic replacement of a file:
 *
 *   struct ss_atomic a = SS_ATOMIC_INIT;
 *   if (ss_atomic_open(&a, path, 0644, &e) == -1) goto out;
 *   ... write(a.fd, ...) ...
 *   if (ss_atomic_commit(&a, &e) == -1) goto out;
 *   out: ss_atomic_abort(&a);	(harmless after commit or a failed open)
 *
 * Readers see either the old file or the complete new one, before and
 * after a crash.  fd is the temporary file opened for writing (O_CLOEXEC),
 * tmp its path, path the target; the struct owns tmp and path.
 */
struct ss_atomic {
	int fd;
	char *tmp;
	char *path;
};

#define SS_ATOMIC_INIT { -1, NULL, NULL }

/*
 * Creates a new temporary file (O_EXCL) next to path and fills *a.  The
 * file gets exactly mode (& 07777; the umask is not applied, so pass
 * 0644 rather than 0666); where the file system has no Unix modes
 * (vfat, exFAT) and refuses the change, the mode is left as it is.  The
 * caller may fchown(a->fd) to keep an owner.  Returns 0, or -1 with e
 * filled and *a released (fd -1, pointers NULL): "io" (errno kept in
 * e->sys_errno, e.g. ENOENT when the directory does not exist),
 * "invalid" when path names no file (empty, ends in '/') or something
 * that is neither a regular file nor a symbolic link (a device such as
 * /dev/null, a fifo, a directory: a rename would replace it).
 */
int ss_atomic_open(struct ss_atomic *a, const char *path, mode_t mode,
    struct ss_err *e);

/*
 * fsyncs and closes the temporary file, renames it over path (a symbolic
 * link at path is replaced, not followed) and fsyncs the directory.  *a
 * is released in every case.  Returns 0, or -1 with e filled ("io"): the
 * temporary file is removed and path is untouched, with one exception:
 * when only the final fsync of the directory fails, the new content is
 * already in place (e says so) but may not survive a crash.
 */
int ss_atomic_commit(struct ss_atomic *a, struct ss_err *e);

/* Closes and removes the temporary file and releases *a; idempotent. */
void ss_atomic_abort(struct ss_atomic *a);

/* Writes len bytes at buf as the new content of path, atomically. */
int ss_atomic_write(const char *path, const void *buf, size_t len,
    mode_t mode, struct ss_err *e);

/*
 * Moves from to to, never overwriting an existing to.  Within one file
 * system: an fsync of from's data (so it is durable before it gets its
 * new name), then renameat2(RENAME_NOREPLACE), or where that is unsupported
 * link(2) + unlink(2), or where hard links are unsupported too (vfat) a
 * check that to is absent followed by rename(2) (a small race).  Across
 * file systems (EXDEV), for regular files only: a copy into a temporary
 * file in to's directory keeping mode, atime and mtime, fsync, fsync of
 * the directory, a check that from did not change meanwhile, a
 * no-replace rename to to, fsync of to's directory, then unlink of from
 * and fsync of from's directory.  Both directories are fsynced after a
 * rename within one file system too.
 *
 * A crash at any instant leaves: from intact (perhaps with a leftover
 * temporary file), or from and to both complete and identical, or only
 * to.  Recovery: calling ss_move(from, to) again finishes the job.  When
 * to exists and is the same file as from (a hard link) or a regular file
 * with the same size and bytes, from is unlinked and 0 returned; so a
 * duplicate that already sits at to also ends the move.  When from and
 * to are one and the same directory entry, nothing is done and 0
 * returned.
 *
 * Returns 0, or -1 with e filled: "exists" (to exists with other
 * content; both left alone), "missing" (from does not exist: a caller
 * resuming a move it recorded treats this with to present as done),
 * "changed" (temporary: from was modified during the copy; nothing
 * moved), "unsupported" (a non-regular file across file systems), "io".
 */
int ss_move(const char *from, const char *to, struct ss_err *e);

/*
 * Copies the regular file from to a new file to (never overwriting),
 * through a temporary file as in a cross-file-system ss_move, keeping
 * mode, atime and mtime; to is complete and durable when 0 is returned.
 * Errors as for ss_move ("exists" if to exists at all).
 */
int ss_copy_file(const char *from, const char *to, struct ss_err *e);

/*
 * Copies from the current offset of in until its end to out
 * (copy_file_range(2) where the kernel can, else 1 MiB reads and writes).
 * Returns 0, or -1 with e filled ("io").
 */
int ss_copy_fd(int in, int out, struct ss_err *e);

/* Writes all len bytes (retrying short writes and EINTR); 0 or -1. */
int ss_write_full(int fd, const void *buf, size_t len, struct ss_err *e);

/*
 * 1 if the regular files a and b have the same size and the same bytes,
 * 0 if not (or either is not a regular file), -1 with e filled on error.
 */
/* Reads up to n bytes (fewer only at end of file); -1 with errno set. */
ssize_t ss_read_full(int fd, void *buf, size_t n);

/*
 * Appends everything left to read on fd to out, refusing more than max
 * bytes: -1 with e filled, "too_big" ("larger than MAX bytes") or "io"
 * ("read error: ...").  fd is not closed.  Callers say which file.
 */
int ss_read_fd(int fd, size_t max, struct sbuf *out, struct ss_err *e);

int ss_same_content(const char *a, const char *b, struct ss_err *e);

/*
 * mkdir -p: creates dir and its missing parents with mode (the umask
 * applies, as for mkdir(2)), and fsyncs the parent of each directory it
 * creates, so a file later made durable inside it does not vanish with
 * its directory in a crash.  An existing directory (or a symbolic link
 * to one) is fine.  Returns 0, or -1 with e filled ("io"; ENOTDIR when a
 * component is not a directory).
 */
int ss_mkdirs(const char *dir, mode_t mode, struct ss_err *e);

/*
 * fsyncs the directory dir, so entries created, renamed or removed in it
 * are durable.  File systems that cannot fsync a directory (EINVAL) are
 * taken as done.  Returns 0, or -1 with e filled ("io").
 */
int ss_fsync_dir(const char *dir, struct ss_err *e);

#endif
