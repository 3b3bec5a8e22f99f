/* walk.h: walking directory trees in a stable order, safely. */
#ifndef SS_WALK_H
#define SS_WALK_H

#include <sys/stat.h>

#include <stddef.h>

struct ss_err;

/*
 * follow   follow symbolic links (to files and directories); without it
 *          symlinks are not followed at all.  Directory loops are
 *          detected either way (by device and inode).
 * one_fs   do not descend into directories on another file system
 * ignore   glob patterns (fnmatch) matched against each entry's name;
 *          matching entries are skipped (the root itself never is)
 */
struct ss_walk_opts {
	int follow;
	int one_fs;
	char **ignore;
	size_t nignore;
};

/*
 * Called for every regular file: path is the whole path (plen bytes,
 * NUL-terminated), name its last component, st its stat.  Return 0 to
 * go on; anything else stops the walk and is returned by ss_walk.
 */
typedef int ss_walk_fn(const char *path, size_t plen, const char *name,
    const struct stat *st, void *arg);

/* Called for a directory or entry that cannot be read; the walk goes on. */
typedef void ss_walk_err_fn(const char *path, const struct ss_err *e,
    void *arg);

/*
 * Walks root depth-first, entries of each directory in byte order of
 * their names.  root may be a file (fn is called once).  Returns 0, the
 * value a callback stopped with, or -1 with e filled when root itself
 * cannot be read.  Errors below root go to errfn (may be NULL).
 */
int ss_walk(const char *root, const struct ss_walk_opts *o, ss_walk_fn *fn,
    ss_walk_err_fn *errfn, void *arg, struct ss_err *e);

#endif
