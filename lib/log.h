/* log.h: messages to stderr: "PROG: LEVEL: message", one line each. */
#ifndef SS_LOG_H
#define SS_LOG_H

#include <stdarg.h>

enum ss_level {
	SS_LOG_FATAL,
	SS_LOG_ERROR,
	SS_LOG_WARNING,
	SS_LOG_INFO,
	SS_LOG_DEBUG
};

/*
 * ss_verbosity: -1 with -q (errors only), 0 by default (warnings and
 * errors), 1 with -v (info), 2 with -vv or SS_DEBUG=1 (debug).
 * ss_log_json: 1 for --log-format=json: each message is then one JSON
 * object {"prog","level","msg"} per line instead of the text form.
 */
extern const char *ss_progname;
extern int ss_verbosity;
extern int ss_log_json;

/*
 * Call first in main: sets the program name from argv0, restores SIGPIPE
 * to its default action (a stage whose reader has gone exits with 141),
 * and reads SS_DEBUG.
 */
void ss_init(const char *argv0);

/*
 * Sets ss_log_json from "text" or "json"; returns -1 for anything else.
 * ss_log_set_format is the command line's --log-format, which wins;
 * ss_log_default_format is the configuration's log_format (applied by
 * ss_config_load), which changes nothing once the command line chose.
 */
int ss_log_set_format(const char *name);
int ss_log_default_format(const char *name);

/*
 * Each message goes out as one line; control characters (C0, DEL, C1)
 * and bidirectional overrides in the formatted text are replaced with
 * '?', so remote strings cannot forge lines or move the cursor.
 */
void ss_log(enum ss_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void ss_vlog(enum ss_level level, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
void ss_die(int status, const char *fmt, ...)
    __attribute__((noreturn, format(printf, 2, 3)));

#define ss_error(...) ss_log(SS_LOG_ERROR, __VA_ARGS__)
#define ss_warn(...) ss_log(SS_LOG_WARNING, __VA_ARGS__)
#define ss_info(...) ss_log(SS_LOG_INFO, __VA_ARGS__)
#define ss_debug(...) ss_log(SS_LOG_DEBUG, __VA_ARGS__)

/* Prints "usage: ..." (stdout if status is 0, else stderr) and exits. */
void ss_usage(const char *usage, int status) __attribute__((noreturn));

/* Prints "PROG VERSION" on stdout and exits 0. */
void ss_version(void) __attribute__((noreturn));

/*
 * A transient progress line on stderr, redrawn in place; only when stderr
 * is a terminal and ss_verbosity >= 0.  ss_progress_done() ends it.
 */
void ss_progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ss_progress_done(void);

/*
 * Appends s to out with control characters and bidi overrides replaced
 * by '?' (the rule ss_log applies).  Invalid UTF-8 bytes are replaced too.
 */
struct sbuf;
void ss_sanitize(struct sbuf *out, const char *s, size_t n);

#endif
