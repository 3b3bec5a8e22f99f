/* plparse.h: playlists from local files: CSV exports, NDJSON, M3U, text. */
#ifndef SS_PLPARSE_H
#define SS_PLPARSE_H

#include <stddef.h>

#include <jv.h>

struct ss_err;

enum ss_pl_format {
	SS_PL_AUTO,
	SS_PL_CSV,	/* a header row, then one track per row */
	SS_PL_NDJSON,	/* records with "want" */
	SS_PL_M3U,	/* M3U/M3U8, #EXTINF:SECONDS,Artist - Title */
	SS_PL_TEXT	/* "Artist - Title" lines */
};

/*
 * The callbacks of ss_pl_parse.  track gets each track as a record
 * (consumed): {"want": {...}} for CSV, M3U and text (the want has no
 * "source"), the whole record as it came for NDJSON.  line is where the
 * track starts (1-based).  bad gets each row or line that is not a
 * track, with why ("expected 'Artist - Title'").  A callback returns 0
 * to go on; anything else stops the parse and is returned.
 */
struct ss_pl_cb {
	int (*track)(jv rec, unsigned long line, void *arg);
	int (*bad)(unsigned long line, const char *why, void *arg);
	void *arg;
};

/*
 * The format of a file: by the extension of name (.csv .tsv, .ndjson
 * .jsonl .json, .m3u .m3u8, .txt; any case), else by the first bytes of
 * data: '{' is NDJSON, "#EXTM3U" or "#EXTINF" M3U, a first line naming a
 * known column (e.g. "Track Name", "title") with a ',', ';' or tab CSV,
 * anything else text.
 */
enum ss_pl_format ss_pl_detect(const char *name, const char *data,
    size_t len);

/* "csv", "ndjson", "m3u", "text". */
const char *ss_pl_format_name(enum ss_pl_format f);

/*
 * Parses the len bytes at data (the whole file; a UTF-8 byte order mark
 * is skipped, lines may end in LF, CRLF or CR).  CSV follows RFC 4180
 * (quoted fields with "" and line breaks inside them), with ',', ';' or
 * tab as separator (whichever the header row has most of), and maps the
 * columns of the common exports by name, case and punctuation ignored:
 * Exportify ("Track URI", "Track Name", "Artist Name(s)", "Album Name",
 * "Album Artist Name(s)", "Album Release Date", "Disc Number", "Track
 * Number", "Track Duration (ms)" or "Duration (ms)", "ISRC", "Added
 * At"), TuneMyMusic, Soundiiz and plain ones ("title", "artist",
 * "album", "duration" in seconds or M:SS, "isrc", "spotify id").  In an
 * "Artist Name(s)" or "artists" column artists are split at commas
 * (Exportify writes a comma inside a name as "\,").  Invalid UTF-8 in a
 * row makes the row bad.
 *
 * Returns 0, a callback's non-zero value, or -1 with e filled ("parse")
 * when the whole file is unusable (a CSV without a title column).
 */
int ss_pl_parse(const char *data, size_t len, enum ss_pl_format fmt,
    const struct ss_pl_cb *cb, struct ss_err *e);

#endif
