/* filesum.h: a quick pass over the ledger's file index for ss-dedupe. */
#ifndef SS_FILESUM_H
#define SS_FILESUM_H

#include <stddef.h>

struct ss_err;
struct ss_ledger;

/*
 * What grouping duplicates and choosing keepers needs of each indexed
 * file, from the columns ss-scan fills beside the stored record (no JSON
 * is parsed), so that a library of 100,000 files is gone through fast.
 * Every pointer is valid only during the callback; strings are NULL and
 * numbers -1 when the index does not know them.
 *
 *   sha256, audio_hash  lowercase hex
 *   broken              1 if file.broken is not null
 *   artist, title       the first ARTIST and TITLE tag values
 *   lossless            1 for FLAC and ALAC, 0 for lossy codecs
 *   ntags               tags with a value; has_cover 1 or 0
 */
struct ss_file_sum {
	const void *path;
	size_t plen;
	const char *sha256;
	const char *audio_hash;
	const char *format;
	int broken;
	long long size, mtime_ns, duration_ms, bitrate;
	int lossless, ntags, has_cover;
	const char *artist;
	const char *title;
};

typedef int ss_file_sum_fn(const struct ss_file_sum *s, void *arg);

/*
 * Calls fn for every file of the index that is not missing, in byte
 * order of the paths (the order of the primary key: no sort); fn returns 0 to go on, anything else stops the walk
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
