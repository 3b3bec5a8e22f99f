/* record.h: the NDJSON record loop every filter program runs. */
#ifndef SS_RECORD_H
#define SS_RECORD_H

#include <jv.h>

struct ss_err;

/*
 * What a record function returns for one record:
 *   SS_REC_EMIT      write *rec out (the usual case)
 *   SS_REC_DROP      write nothing (only ss-dedupe drops records)
 *   SS_REC_FAILED    write *rec out (it carries "error"); counts as failed
 *   SS_REC_TEMPFAIL  write *rec out, stop reading input, exit 75
 *   SS_REC_FATAL     stop at once, write nothing more, exit 3
 */
enum ss_rec_result {
	SS_REC_EMIT,
	SS_REC_DROP,
	SS_REC_FAILED,
	SS_REC_TEMPFAIL,
	SS_REC_FATAL
};

/*
 * The function handles one record.  *rec is owned by the loop; the
 * function replaces it as it likes (jv_object_set(*rec, ...) consumes the
 * old value and returns the new one).  where is "<stdin>:LINE" or
 * "FILE:LINE", for messages.
 */
typedef int ss_record_fn(jv *rec, const char *where, void *arg);

struct ss_loop_stats {
	unsigned long lines;	/* lines read */
	unsigned long handled;	/* records given to the function */
	unsigned long failed;	/* SS_REC_FAILED plus malformed lines */
	unsigned long passed;	/* records that already carried "error" */
	unsigned long malformed;	/* lines that are not one JSON object */
};

/*
 * Reads records from each file in files[0..nfiles) ("-" is stdin), or
 * from stdin when nfiles is 0, one JSON object per line, strictly: an
 * empty line, invalid UTF-8, a line that is not exactly one JSON object
 * is reported as "NAME:LINE: ..." and skipped, and the run goes on.
 * Records that already carry a non-null "error" are written out byte for
 * byte as they came, without calling fn.  Output is compact, one record
 * per line, flushed after each record when stdout is a pipe, a socket or
 * a terminal (a reader is waiting), buffered into files and /dev/null.
 * SIGINT and SIGTERM stop the loop between records (exit 75).
 *
 * Returns the exit status for main, after ss_output_close(): 0 all
 * handled, 1 some failed or malformed, 3 fatal (including a write error
 * on stdout), 75 temporary.  stats may be NULL.
 */
int ss_record_loop(char **files, int nfiles, ss_record_fn *fn, void *arg,
    struct ss_loop_stats *stats);

/*
 * The same without closing stdout at the end, for a program that reads
 * all its records first and writes afterwards (ss-dedupe): fn returns
 * SS_REC_DROP for a record it keeps for later.  The exit status returned
 * does not yet account for the output; end with ss_output_close.
 */
int ss_record_scan(char **files, int nfiles, ss_record_fn *fn, void *arg,
    struct ss_loop_stats *stats);

/*
 * Marks *rec as failed in stage: sets "error" to {stage, code, message,
 * temporary} from e, logs "PROG: error: 'ID': message" and returns
 * SS_REC_FAILED.
 */
int ss_rec_fail(jv *rec, const char *stage, const struct ss_err *e);

/*
 * Writes one record (consumed) to stdout, as the loop does.  For source
 * programs that make records from operands.  Returns 0, or -1 with e
 * filled after a write error.
 */
int ss_emit(jv rec, struct ss_err *e);

/*
 * Writes len bytes of an already serialised record (one compact JSON
 * object, no newline) and a newline, as ss_emit does.
 */
int ss_emit_raw(const char *line, size_t len, struct ss_err *e);

/*
 * Appends s (n bytes of valid UTF-8) to sb as a JSON string, quotes
 * included, escaping what JSON requires.
 */
struct sbuf;
void ss_json_add_string(struct sbuf *sb, const char *s, size_t n);

/*
 * Flushes and closes stdout; -1 with e filled if anything written was
 * lost (full disk, closed pipe, I/O error).
 */
int ss_output_close(struct ss_err *e);

/* The string at obj.key as a new C string (caller frees), or NULL. */
char *ss_jv_strdup(jv obj, const char *key);	/* obj is borrowed */

#endif
