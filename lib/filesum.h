/* filesum.h: a quick pass over the ledger's file index for ss-dedupe. */
#ifndef SS_FILESUM_H
#define SS_FILESUM_H

#include <stddef.h>

struct ss_err;
struct ss_ledger;

/*
 * What grouping duplicates needs of each indexed file, read by SQLite
 * from the stored "file" JSON without building it in memory, so that a
 * library of 100,000 files is gone through in a fraction of a second.
 * Every pointer is valid only during the callback; strings are NULL when
 * the index does not know them.
 *
 *   sha256, audio_hash  lowercase hex
 *   broken              1 if file.broken is not null
 *   duration_ms         -1 if unknown
 *   artist, title       the first ARTIST and TITLE tag values
 */
struct ss_file_sum {
	const void *path;
	size_t plen;
	const char *sha256;
	const char *audio_hash;
	int broken;
	long long duration_ms;
	const char *artist;
	const char *title;
};

typedef int ss_file_sum_fn(const struct ss_file_sum *s, void *arg);

/*
 * Calls fn for every file of the index that is not missing, in no
 * particular order; fn returns 0 to go on, anything else stops the walk
 * (and is returned).  Returns 0, or -1 with e filled as the ledger module
 * does ("busy" is temporary, "sqlite" otherwise, including a stored
 * record that is not JSON).
 */
int ss_files_each_sum(struct ss_ledger *l, ss_file_sum_fn *fn, void *arg,
    struct ss_err *e);

/*
 * Marks the indexed file path missing (missing = 1) or present again
 * (0), as when a program moved it away or back; the next ss-scan of its
 * directory sets the truth anyway.  A path that is not indexed is no
 * error.  Returns 0, or -1 with e filled.
 */
int ss_files_set_missing(struct ss_ledger *l, const void *path, size_t plen,
    int missing, struct ss_err *e);

#endif
