/* err.h: the error value that lib/ functions fill instead of printing. */
#ifndef SS_ERR_H
#define SS_ERR_H

/*
 * Every lib/ function that can fail returns -1 (or another documented
 * negative value) and fills a caller-provided struct ss_err; it never
 * prints and never exits.  The program decides what to do with it.
 *
 *   code       a short machine-readable word ("io", "busy", "parse",
 *              "escape", "http_429", ...); it becomes error.code in records
 *   temporary  1 if trying again later may succeed (exit 75 material)
 *   msg        one line for a person, lowercase, no final full stop; it
 *              may contain remote text, so print it through ss_log which
 *              neutralises control characters
 *
 * A zeroed struct (SS_ERR_INIT) means "no error".  Setting an error over an
 * existing one replaces it.
 */
struct ss_err {
	char code[32];
	int temporary;
	int sys_errno;
	char msg[512];
};

#define SS_ERR_INIT { "", 0, 0, "" }

/* Fill e; returns -1 so that `return ss_err_set(...)` reads naturally. */
int ss_err_set(struct ss_err *e, const char *code, int temporary,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Like ss_err_set with code "io" and ": strerror(errno)" appended. */
int ss_err_errno(struct ss_err *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Prefix the message with "PREFIX: "; keeps code and temporary. */
void ss_err_prefix(struct ss_err *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

void ss_err_clear(struct ss_err *e);

/*
 * The exit status for a program that stops on e: 2 for a configuration
 * or usage problem ("config", "usage"), 75 when e is temporary, else 3.
 */
int ss_err_exit(const struct ss_err *e);

#endif
