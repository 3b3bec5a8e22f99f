/* config.h: settings from ss.conf, SS_* environment and the command line. */
#ifndef SS_CONFIG_H
#define SS_CONFIG_H

#include <stddef.h>

struct sbuf;
struct ss_err;

/*
 * A setting comes from, lowest precedence first: the built-in default of
 * its key, the config file, an SS_<KEY> environment variable, the command
 * line (ss_config_set).  The file format and every key are documented in
 * ss.conf(5); etc/ss.conf lists every key with its default.
 *
 *   struct ss_config *cf;
 *   struct ss_err e = SS_ERR_INIT;
 *   long long n;
 *
 *   if (ss_config_load(&cf, opt_c, &e) == -1)
 *           ss_die(SS_EX_USAGE, "%s", e.msg);
 *   if (ss_config_get_int(cf, "max_attempts", 1, 100, &n, &e) == -1)
 *           ...
 *   ss_config_free(cf);
 *
 * Error codes put in struct ss_err:
 *   "unknown"  the key (or budget) does not exist
 *   "config"   a malformed line or a bad value for a key
 *   "io"       the config file could not be read
 * Messages name the place: "'/path/ss.conf':12: unknown key 'foo'",
 * "'/path/ss.conf':3: max_attempts: 0 is out of range (1 to 100)",
 * "SS_MAX_ATTEMPTS: 'x' is not a number".  The value of a secret key never
 * appears in a message.
 */

enum ss_config_type {
	SS_CONFIG_STRING,	/* any text */
	SS_CONFIG_PATH,		/* a file name; empty: the computed default */
	SS_CONFIG_INT,		/* a decimal integer in [min, max] */
	SS_CONFIG_ENUM,		/* one of the words of choices */
	SS_CONFIG_BUDGET	/* "COUNT/SECONDS": a rate limit */
};

/*
 * One key of the table.  def is the default as it is written in ss.conf
 * ("" for the keys whose default is computed: home, ledger).  secret
 * keys are never shown (a key whose name ends in _key, _secret, _token or
 * _password is secret too, whatever the table says).
 */
struct ss_config_key {
	const char *name;
	const char *def;
	int secret;
	int type;		/* enum ss_config_type */
	const char *doc;	/* one line, for ss.conf and tools */
	long long min, max;	/* SS_CONFIG_INT only */
	const char *choices;	/* SS_CONFIG_ENUM only: "text|json" */
};

struct ss_config;		/* opaque */

/*
 * Reads the config file and the SS_* environment into a new *cp, which the
 * caller releases with ss_config_free().  On error *cp is NULL.
 *
 * file is the -c argument, or NULL to look for the file: $SS_CONFIG, else
 * $XDG_CONFIG_HOME/soulspot/ss.conf (XDG_CONFIG_HOME defaulting to
 * $HOME/.config), else SS_SYSCONFDIR/ss.conf, else /etc/soulspot/ss.conf.
 * A file named by -c or SS_CONFIG must be readable; a missing default file
 * just means "no file" (an existing one that cannot be read is an error).
 *
 * Then each environment variable SS_<KEY> (the key upper-cased, '.' and
 * '-' turned into '_': SS_MAX_ATTEMPTS, SS_BUDGET_SLSKD_SEARCH) overrides
 * the file.  An empty variable counts as unset.  SS_CONFIG, SS_NOW,
 * SS_DEBUG and SS_TEST_* are not keys and are skipped; any other SS_*
 * variable that names no key is an error.
 *
 * The resulting log_format is applied to the messages
 * (ss_log_default_format), unless the command line's --log-format has
 * set it already.
 */
int ss_config_load(struct ss_config **cp, const char *file,
    struct ss_err *e);

/*
 * Sets key to value (a command-line option; call after ss_config_load so
 * that it wins).  The value is validated as a file value would be; on
 * error nothing changes.  Errors: "unknown", "config"; the message starts
 * with the key ("max_attempts: ...").
 */
int ss_config_set(struct ss_config *c, const char *key, const char *value,
    struct ss_err *e);

/*
 * The value of key, else its built-in default ("" when the default is
 * computed, as for home and ledger).  NULL if the key is unknown, or if it
 * is a budget.NAME that is neither built in nor set.  The string belongs
 * to c and lives until the key is set again or c is freed.
 */
const char *ss_config_get(const struct ss_config *c, const char *key);

/*
 * The value of key as an integer in [min, max].  Errors: "unknown" for an
 * unknown key, "config" for a value that is not such an integer.
 */
int ss_config_get_int(const struct ss_config *c, const char *key,
    long long min, long long max, long long *out, struct ss_err *e);

/*
 * The rate budget budget.NAME (name is NAME, e.g. "slskd-search"): at most
 * *count requests per *period_s seconds.  -1 with code "unknown" if there
 * is no such budget.
 */
int ss_config_budget(const struct ss_config *c, const char *name,
    double *count, double *period_s, struct ss_err *e);

/*
 * The state directory into out (its old contents replaced), without a
 * trailing slash: the key "home", else $XDG_DATA_HOME/soulspot, else
 * $HOME/.local/share/soulspot.  -1 with code "config" if none of them is
 * set (XDG_DATA_HOME counts only if it is an absolute path).
 */
int ss_config_home(const struct ss_config *c, struct sbuf *out,
    struct ss_err *e);

/* The ledger file into out (replaced): key "ledger", else HOME/ledger.db. */
int ss_config_ledger_path(const struct ss_config *c, struct sbuf *out,
    struct ss_err *e);

/* The name of the config file that was read, or NULL if there was none. */
const char *ss_config_file(const struct ss_config *c);

/*
 * The text of the config file that was read into out (replaced), with the
 * value of every secret key replaced by "(secret)"; empty if no file was
 * read.  Returns 0.
 */
int ss_config_redacted(const struct ss_config *c, struct sbuf *out,
    struct ss_err *e);

/* Frees c and everything it owns; NULL is fine. */
void ss_config_free(struct ss_config *c);

/* The key table, in the order of ss.conf; *n gets the number of keys. */
const struct ss_config_key *ss_config_keys(size_t *n);

/*
 * The description of key, or NULL if there is no such key.  For a
 * budget.NAME that is not built in (NAME of [a-z0-9-]+) it is the generic
 * budget entry, named "budget.NAME", with an empty default.
 */
const struct ss_config_key *ss_config_key_find(const char *key);

/* 1 if key is secret by the table or by its name, else 0. */
int ss_config_is_secret(const char *key);

/*
 * Appends the len bytes of config text to out with the value of every
 * secret key replaced by "(secret)", keys not in the table included (the
 * name rule).  Lines commented out ("# api_key = x") are redacted too;
 * empty values are left as they are.  Returns the number of values
 * replaced.
 */
int ss_config_redact_text(const char *text, size_t len, struct sbuf *out);

#endif
