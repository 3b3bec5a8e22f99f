/* config.c: the key table, the ss.conf parser and SS_* overrides. */
#include <sys/stat.h>

#include <fcntl.h>
#include <unistd.h>

#include "ss.h"
#include "config.h"
#include "fileio.h"

#ifndef SS_SYSCONFDIR
#define SS_SYSCONFDIR "/etc/soulspot"
#endif

#define CONFIG_SYSTEM_FILE "/etc/soulspot/ss.conf"
#define CONFIG_MAX_SIZE (1024 * 1024)
#define BUDGET_MAX 1e9

struct setting {
	char *key;
	char *value;
};

struct ss_config {
	char *file;		/* NULL if no file was read */
	char *text;		/* its contents, for ss_config_redacted */
	size_t textlen;
	struct setting *v;	/* what the file, environment, flags set */
	size_t n, cap;
};

#define INT_KEY(n, d, lo, hi, text) { .name = (n), .def = (d), \
	.type = SS_CONFIG_INT, .doc = (text), .min = (lo), .max = (hi) }
#define BUDGET_KEY(n, d, text) { .name = (n), .def = (d), \
	.type = SS_CONFIG_BUDGET, .doc = (text) }

static const struct ss_config_key keys[] = {
	{ .name = "home", .def = "", .type = SS_CONFIG_PATH,
	  .doc = "state directory (ledger, staging, cache); "
	  "empty: $XDG_DATA_HOME/soulspot" },
	{ .name = "ledger", .def = "", .type = SS_CONFIG_PATH,
	  .doc = "the SQLite ledger file; empty: HOME/ledger.db" },
	{ .name = "log_format", .def = "text", .type = SS_CONFIG_ENUM,
	  .choices = "text|json",
	  .doc = "form of the messages on standard error: text or json" },
	INT_KEY("lease_seconds", "600", 10, 86400,
	    "seconds a claimed job stays with its worker before others may "
	    "take it"),
	INT_KEY("max_attempts", "5", 1, 100,
	    "attempts at a job before it is given up"),
	INT_KEY("backoff_base_seconds", "60", 1, 86400,
	    "wait before the first retry; it doubles with each attempt"),
	INT_KEY("backoff_max_seconds", "86400", 1, 2592000,
	    "longest wait between retries"),
	{ .name = "scan_ignore", .def = ".* @eaDir lost+found #recycle",
	  .type = SS_CONFIG_STRING,
	  .doc = "glob patterns, separated by spaces, of names ss-scan and "
	  "ss-dedupe skip" },
	INT_KEY("scan_jobs", "0", 0, 64,
	    "files ss-scan reads at once; 0: one per processor"),
	{ .name = "dedupe_keep", .def = "lossless bitrate tags cover library "
	  "oldest", .type = SS_CONFIG_STRING,
	  .doc = "the order in which ss-dedupe compares copies to choose the "
	  "one it keeps" },
	{ .name = "library_dir", .def = "", .type = SS_CONFIG_PATH,
	  .doc = "the music library ss-rename files into; empty: $HOME/Music" },
	{ .name = "path_template", .def = "{albumartist|artist|'Unknown "
	  "Artist'}/{album|'Unknown Album'}{year: ({year})}/"
	  "{disc>1:{disc}-}{track:{track:02} }{title|filename}.{ext}",
	  .type = SS_CONFIG_STRING,
	  .doc = "where ss-rename puts a file, below library_dir" },
	{ .name = "rename_collision", .def = "number", .type = SS_CONFIG_ENUM,
	  .choices = "skip|number|replace-if-better",
	  .doc = "what ss-rename does when another file has the name" },
	INT_KEY("http_timeout_seconds", "30", 1, 3600,
	    "longest time one HTTP request may take"),
	INT_KEY("http_max_attempts", "4", 1, 20,
	    "attempts at an HTTP request that fails for a temporary reason"),
	INT_KEY("http_max_retry_after_seconds", "120", 0, 86400,
	    "longest Retry-After a run waits for; longer ones end the run "
	    "with status 75"),
	{ .name = "http_contact", .def = "", .type = SS_CONFIG_STRING,
	  .doc = "contact (e-mail or URL) added to the User-Agent" },
	{ .name = "ca_bundle", .def = "", .type = SS_CONFIG_PATH,
	  .doc = "file of trusted CA certificates; empty: the system's" },
	INT_KEY("circuit_breaker_failures", "5", 0, 1000,
	    "failed requests in a row after which a service is left alone; "
	    "0: never"),
	INT_KEY("circuit_breaker_seconds", "300", 1, 86400,
	    "how long a service is left alone after those failures"),
	{ .name = "spotify_api_url", .def = "https://api.spotify.com/v1",
	  .type = SS_CONFIG_STRING, .doc = "base URL of the Spotify Web API" },
	{ .name = "spotify_accounts_url", .def = "https://accounts.spotify.com",
	  .type = SS_CONFIG_STRING,
	  .doc = "base URL of the Spotify accounts service (OAuth)" },
	{ .name = "spotify_client_id", .def = "", .type = SS_CONFIG_STRING,
	  .doc = "client ID of your Spotify app" },
	{ .name = "spotify_client_secret", .def = "", .secret = 1,
	  .type = SS_CONFIG_STRING,
	  .doc = "client secret of your Spotify app (client credentials)" },
	{ .name = "spotify_redirect_uri", .def = "http://127.0.0.1/callback",
	  .type = SS_CONFIG_STRING,
	  .doc = "redirect URI registered for the app; without a port, "
	  "ss-fetch-playlists --login picks a free one" },
	BUDGET_KEY("budget.musicbrainz", "1/1",
	    "MusicBrainz API requests per second"),
	BUDGET_KEY("budget.slskd-search", "34/220",
	    "Soulseek searches; the server bans clients above this"),
	BUDGET_KEY("budget.spotify", "20/1", "Spotify Web API requests"),
	BUDGET_KEY("budget.lastfm", "5/1", "Last.fm API requests"),
	BUDGET_KEY("budget.acoustid", "3/1", "AcoustID lookups"),
	BUDGET_KEY("budget.lrclib", "5/1", "LRCLIB lyrics requests"),
	BUDGET_KEY("budget.coverartarchive", "5/1",
	    "Cover Art Archive requests")
};

/* What any budget.NAME that is not in the table is. */
static const struct ss_config_key budget_any = BUDGET_KEY("budget.NAME", "",
    "requests allowed to service NAME: COUNT per SECONDS");

/* SS_* environment variables that are not settings. */
static const char *const not_keys[] = { "CONFIG", "NOW", "DEBUG" };

static const char *const secret_suffixes[] = {
	"_key", "_secret", "_token", "_password"
};

const struct ss_config_key *
ss_config_keys(size_t *n)
{
	*n = SS_ARRAY_SIZE(keys);
	return keys;
}

static int
budget_name_ok(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		    *s == '-'))
			return 0;
	return 1;
}

const struct ss_config_key *
ss_config_key_find(const char *key)
{
	size_t i;

	for (i = 0; i < SS_ARRAY_SIZE(keys); i++)
		if (strcmp(keys[i].name, key) == 0)
			return &keys[i];
	if (strncmp(key, "budget.", 7) == 0 && budget_name_ok(key + 7))
		return &budget_any;
	return NULL;
}

int
ss_config_is_secret(const char *key)
{
	const struct ss_config_key *k;
	size_t i, n, len = strlen(key);

	k = ss_config_key_find(key);
	if (k != NULL && k->secret)
		return 1;
	for (i = 0; i < SS_ARRAY_SIZE(secret_suffixes); i++) {
		n = strlen(secret_suffixes[i]);
		if (len > n && strcmp(key + len - n, secret_suffixes[i]) == 0)
			return 1;
	}
	return 0;
}

/* Parses DIGITS[.DIGITS] at *pp (no sign, no exponent: locale-proof). */
static int
parse_decimal(const char **pp, double *out)
{
	const char *p = *pp;
	double v = 0, scale = 1;
	int digits = 0;

	for (; *p >= '0' && *p <= '9'; p++, digits++)
		v = v * 10 + (*p - '0');
	if (digits == 0)
		return -1;
	if (*p == '.') {
		p++;
		if (!(*p >= '0' && *p <= '9'))
			return -1;
		for (; *p >= '0' && *p <= '9'; p++) {
			scale /= 10;
			v += (*p - '0') * scale;
		}
	}
	*pp = p;
	*out = v;
	return 0;
}

/* "COUNT/SECONDS", blanks allowed around the slash; both in (0, 1e9]. */
static int
parse_budget(const char *s, double *count, double *period)
{
	double c, p;

	if (parse_decimal(&s, &c) == -1)
		return -1;
	s += strspn(s, " \t");
	if (*s++ != '/')
		return -1;
	s += strspn(s, " \t");
	if (parse_decimal(&s, &p) == -1 || *s != '\0')
		return -1;
	if (c <= 0 || p <= 0 || c > BUDGET_MAX || p > BUDGET_MAX)
		return -1;
	*count = c;
	*period = p;
	return 0;
}

static int
enum_ok(const char *choices, const char *value)
{
	const char *p = choices, *bar;
	size_t n, vlen = strlen(value);

	for (;;) {
		bar = strchr(p, '|');
		n = bar ? (size_t)(bar - p) : strlen(p);
		if (n == vlen && memcmp(p, value, n) == 0)
			return 1;
		if (bar == NULL)
			return 0;
		p = bar + 1;
	}
}

/*
 * Checks value for key k; the message does not name the key (the caller
 * prefixes the place) and shows the value only if secret is 0.
 */
static int
check_value(const struct ss_config_key *k, int secret, const char *value,
    struct ss_err *e)
{
	struct ss_err e2 = SS_ERR_INIT;
	long long v;
	double c, p;

	switch (k->type) {
	case SS_CONFIG_BUDGET:
		if (parse_budget(value, &c, &p) == 0)
			return 0;
		if (secret)
			return ss_err_set(e, "config", 0,
			    "value is not COUNT/SECONDS (not shown: secret)");
		return ss_err_set(e, "config", 0,
		    "'%s' is not COUNT/SECONDS, both above 0 (e.g. 34/220)",
		    value);
	case SS_CONFIG_ENUM:
		if (enum_ok(k->choices, value))
			return 0;
		if (secret)
			return ss_err_set(e, "config", 0,
			    "value is not one of %s (not shown: secret)",
			    k->choices);
		return ss_err_set(e, "config", 0, "'%s' is not one of %s",
		    value, k->choices);
	case SS_CONFIG_INT:
		if (ss_strtonum(value, k->min, k->max, &v, &e2) == 0)
			return 0;
		if (secret)
			return ss_err_set(e, "config", 0,
			    "value is not an integer from %lld to %lld "
			    "(not shown: secret)", k->min, k->max);
		return ss_err_set(e, "config", 0, "%s", e2.msg);
	case SS_CONFIG_PATH:
	case SS_CONFIG_STRING:
		break;
	}
	return 0;
}

static struct setting *
find_setting(const struct ss_config *c, const char *key)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (strcmp(c->v[i].key, key) == 0)
			return &c->v[i];
	return NULL;
}

static void
store(struct ss_config *c, const char *key, const char *value)
{
	struct setting *s;

	if ((s = find_setting(c, key)) != NULL) {
		free(s->value);
		s->value = xstrdup(value);
		return;
	}
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 16;
		c->v = xreallocarray(c->v, c->cap, sizeof(*c->v));
	}
	c->v[c->n].key = xstrdup(key);
	c->v[c->n].value = xstrdup(value);
	c->n++;
}

/* Validates and stores a value for a known key k. */
static int
set_known(struct ss_config *c, const struct ss_config_key *k,
    const char *key, const char *value, struct ss_err *e)
{
	if (check_value(k, ss_config_is_secret(key), value, e) == -1)
		return -1;
	store(c, key, value);
	return 0;
}

int
ss_config_set(struct ss_config *c, const char *key, const char *value,
    struct ss_err *e)
{
	const struct ss_config_key *k;

	if ((k = ss_config_key_find(key)) == NULL)
		return ss_err_set(e, "unknown", 0, "unknown key '%s'", key);
	if (set_known(c, k, key, value, e) == -1) {
		ss_err_prefix(e, "%s", key);
		return -1;
	}
	return 0;
}

static int
is_blank(int ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r';
}

/* Narrows [*s, *s + *n) to exclude blanks at both ends. */
static void
trim(const char **s, size_t *n)
{
	while (*n > 0 && is_blank((unsigned char)**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && is_blank((unsigned char)(*s)[*n - 1]))
		(*n)--;
}

/* One line of the file, without its newline; the caller adds FILE:LINE. */
static int
parse_line(struct ss_config *c, const char *s, size_t n, struct ss_err *e)
{
	const struct ss_config_key *k;
	const char *eq, *v;
	char *key = NULL, *value = NULL;
	size_t klen, vlen;
	int rc = -1;

	if (memchr(s, '\0', n) != NULL)
		return ss_err_set(e, "config", 0, "NUL byte in line");
	trim(&s, &n);
	if (n == 0 || *s == '#')
		return 0;
	if ((eq = memchr(s, '=', n)) == NULL)
		return ss_err_set(e, "config", 0, "expected 'key = value'");
	klen = eq - s;
	trim(&s, &klen);
	if (klen == 0)
		return ss_err_set(e, "config", 0, "no key before '='");
	key = xmemdupz(s, klen);
	v = eq + 1;
	vlen = n - (eq + 1 - s);
	trim(&v, &vlen);
	if ((k = ss_config_key_find(key)) == NULL) {
		ss_err_set(e, "unknown", 0, "unknown key '%s'", key);
		goto out;
	}
	if (vlen > 0 && *v == '"') {
		if (vlen < 2 || v[vlen - 1] != '"') {
			ss_err_set(e, "config", 0, "%s: unterminated quote",
			    key);
			goto out;
		}
		v++;
		vlen -= 2;
	}
	value = xmemdupz(v, vlen);
	if (set_known(c, k, key, value, e) == -1) {
		ss_err_prefix(e, "%s", key);
		goto out;
	}
	rc = 0;
out:
	free(key);
	free(value);
	return rc;
}

static int
parse_text(struct ss_config *c, struct ss_err *e)
{
	const char *p = c->text, *end = c->text + c->textlen, *nl;
	unsigned long line = 0;

	while (p < end) {
		line++;
		nl = memchr(p, '\n', end - p);
		if (parse_line(c, p, (nl ? nl : end) - p, e) == -1) {
			ss_err_prefix(e, "'%s':%lu", c->file, line);
			return -1;
		}
		p = nl ? nl + 1 : end;
	}
	return 0;
}

/*
 * Reads path into c.  A missing file is not an error unless required;
 * *found says whether there was one.
 */
static int
read_file(struct ss_config *c, const char *path, int required, int *found,
    struct ss_err *e)
{
	struct sbuf sb = SBUF_INIT;
	struct stat st;
	int fd, rc = -1;

	*found = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		if (!required && (errno == ENOENT || errno == ENOTDIR))
			return 0;
		return ss_err_errno(e, "cannot open config file '%s'", path);
	}
	if (fstat(fd, &st) == -1) {
		ss_err_errno(e, "cannot stat config file '%s'", path);
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		ss_err_set(e, "io", 0, "config file '%s' is a directory",
		    path);
		goto out;
	}
	if (ss_read_fd(fd, CONFIG_MAX_SIZE, &sb, e) == -1) {
		if (strcmp(e->code, "too_big") == 0)
			ss_err_set(e, "config", 0,
			    "config file '%s' is larger than %d bytes", path,
			    CONFIG_MAX_SIZE);
		else
			ss_err_prefix(e, "cannot read config file '%s'", path);
		goto out;
	}
	c->file = xstrdup(path);
	c->text = sbuf_detach(&sb, &c->textlen);
	*found = 1;
	rc = 0;
out:
	sbuf_release(&sb);
	close(fd);
	return rc;
}

/* Finds and reads the config file when no -c was given. */
static int
read_default(struct ss_config *c, struct ss_err *e)
{
	struct sbuf path = SBUF_INIT;
	const char *s, *home;
	int found = 0, rc = -1;

	if ((s = getenv("SS_CONFIG")) != NULL && *s != '\0')
		return read_file(c, s, 1, &found, e);
	s = getenv("XDG_CONFIG_HOME");
	home = getenv("HOME");
	if (s != NULL && *s == '/')
		sbuf_addf(&path, "%s/soulspot/ss.conf", s);
	else if (home != NULL && *home != '\0')
		sbuf_addf(&path, "%s/.config/soulspot/ss.conf", home);
	if (path.len > 0 && read_file(c, path.buf, 0, &found, e) == -1)
		goto out;
	if (!found &&
	    read_file(c, SS_SYSCONFDIR "/ss.conf", 0, &found, e) == -1)
		goto out;
	if (!found &&
	    strcmp(SS_SYSCONFDIR "/ss.conf", CONFIG_SYSTEM_FILE) != 0 &&
	    read_file(c, CONFIG_SYSTEM_FILE, 0, &found, e) == -1)
		goto out;
	rc = 0;
out:
	sbuf_release(&path);
	return rc;
}

/* 1 if the key's environment name is SS_ followed by the n bytes at name. */
static int
env_matches(const char *key, const char *name, size_t n)
{
	size_t i;
	int ch;

	for (i = 0; i < n; i++) {
		ch = (unsigned char)key[i];
		if (ch == '\0')
			return 0;
		if (ch == '.' || ch == '-')
			ch = '_';
		else if (ch >= 'a' && ch <= 'z')
			ch -= 'a' - 'A';
		if (ch != (unsigned char)name[i])
			return 0;
	}
	return key[n] == '\0';
}

/* The key for the environment name SS_<name[0..n)>, into key; 0 or -1. */
static int
env_key(const char *name, size_t n, struct sbuf *key)
{
	size_t i;

	for (i = 0; i < SS_ARRAY_SIZE(keys); i++)
		if (env_matches(keys[i].name, name, n)) {
			sbuf_adds(key, keys[i].name);
			return 0;
		}
	if (n <= 7 || memcmp(name, "BUDGET_", 7) != 0)
		return -1;
	sbuf_adds(key, "budget.");
	for (i = 7; i < n; i++) {
		if (name[i] >= 'A' && name[i] <= 'Z')
			sbuf_addch(key, name[i] - 'A' + 'a');
		else if (name[i] >= '0' && name[i] <= '9')
			sbuf_addch(key, name[i]);
		else if (name[i] == '_')
			sbuf_addch(key, '-');
		else
			return -1;
	}
	return 0;
}

static int
is_not_key(const char *name, size_t n)
{
	size_t i;

	if (n >= 5 && memcmp(name, "TEST_", 5) == 0)
		return 1;
	for (i = 0; i < SS_ARRAY_SIZE(not_keys); i++)
		if (strlen(not_keys[i]) == n && memcmp(not_keys[i], name,
		    n) == 0)
			return 1;
	return 0;
}

static int
read_environment(struct ss_config *c, struct ss_err *e)
{
	const struct ss_config_key *k;
	struct sbuf key = SBUF_INIT;
	const char *name, *eq;
	char **ep;
	size_t n;
	int rc = -1;

	for (ep = environ; *ep != NULL; ep++) {
		if (strncmp(*ep, "SS_", 3) != 0 ||
		    (eq = strchr(*ep, '=')) == NULL || eq[1] == '\0')
			continue;
		name = *ep + 3;
		n = eq - name;
		if (is_not_key(name, n))
			continue;
		sbuf_reset(&key);
		if (env_key(name, n, &key) == -1 ||
		    (k = ss_config_key_find(key.buf)) == NULL) {
			ss_err_set(e, "unknown", 0,
			    "%.*s: no such setting", (int)(eq - *ep), *ep);
			goto out;
		}
		if (set_known(c, k, key.buf, eq + 1, e) == -1) {
			ss_err_prefix(e, "%.*s", (int)(eq - *ep), *ep);
			goto out;
		}
	}
	rc = 0;
out:
	sbuf_release(&key);
	return rc;
}

int
ss_config_load(struct ss_config **cp, const char *file, struct ss_err *e)
{
	struct ss_config *c;
	int found;

	*cp = NULL;
	c = xcalloc(1, sizeof(*c));
	if (file != NULL) {
		if (read_file(c, file, 1, &found, e) == -1)
			goto fail;
	} else if (read_default(c, e) == -1)
		goto fail;
	if (c->file != NULL && parse_text(c, e) == -1)
		goto fail;
	if (read_environment(c, e) == -1)
		goto fail;
	/* the key is checked to be text or json when it is set */
	ss_log_default_format(ss_config_get(c, "log_format"));
	*cp = c;
	return 0;
fail:
	ss_config_free(c);
	return -1;
}

const char *
ss_config_get(const struct ss_config *c, const char *key)
{
	const struct ss_config_key *k;
	const struct setting *s;

	if ((k = ss_config_key_find(key)) == NULL)
		return NULL;
	if ((s = find_setting(c, key)) != NULL)
		return s->value;
	if (k == &budget_any)
		return NULL;
	return k->def;
}

int
ss_config_get_int(const struct ss_config *c, const char *key,
    long long min, long long max, long long *out, struct ss_err *e)
{
	struct ss_err e2 = SS_ERR_INIT;
	const char *s;

	if ((s = ss_config_get(c, key)) == NULL)
		return ss_err_set(e, "unknown", 0, "unknown key '%s'", key);
	if (ss_strtonum(s, min, max, out, &e2) == -1) {
		if (ss_config_is_secret(key))
			return ss_err_set(e, "config", 0,
			    "%s: value is not an integer from %lld to %lld "
			    "(not shown: secret)", key, min, max);
		return ss_err_set(e, "config", 0, "%s: %s", key, e2.msg);
	}
	return 0;
}

int
ss_config_budget(const struct ss_config *c, const char *name,
    double *count, double *period_s, struct ss_err *e)
{
	struct sbuf key = SBUF_INIT;
	const char *s;
	int rc = -1;

	sbuf_addf(&key, "budget.%s", name);
	if (!budget_name_ok(name) || (s = ss_config_get(c, key.buf)) == NULL) {
		ss_err_set(e, "unknown", 0, "no budget '%s'", name);
		goto out;
	}
	if (parse_budget(s, count, period_s) == -1) {
		ss_err_set(e, "config", 0,
		    "%s: '%s' is not COUNT/SECONDS", key.buf, s);
		goto out;
	}
	rc = 0;
out:
	sbuf_release(&key);
	return rc;
}

/* Appends dir without its trailing slashes (but "/" stays "/"). */
static void
add_dir(struct sbuf *out, const char *dir)
{
	sbuf_adds(out, dir);
	while (out->len > 1 && out->buf[out->len - 1] == '/')
		sbuf_setlen(out, out->len - 1);
}

/* Appends "/name" to the directory in out, unless out already ends in '/'. */
static void
add_name(struct sbuf *out, const char *name)
{
	if (out->len == 0 || out->buf[out->len - 1] != '/')
		sbuf_addch(out, '/');
	sbuf_adds(out, name);
}

int
ss_config_home(const struct ss_config *c, struct sbuf *out,
    struct ss_err *e)
{
	const char *s;

	sbuf_reset(out);
	if ((s = ss_config_get(c, "home")) != NULL && *s != '\0') {
		add_dir(out, s);
		return 0;
	}
	if ((s = getenv("XDG_DATA_HOME")) != NULL && *s == '/') {
		add_dir(out, s);
		add_name(out, "soulspot");
		return 0;
	}
	if ((s = getenv("HOME")) != NULL && *s != '\0') {
		add_dir(out, s);
		add_name(out, ".local/share/soulspot");
		return 0;
	}
	return ss_err_set(e, "config", 0, "no state directory: set SS_HOME, "
	    "XDG_DATA_HOME or HOME");
}

int
ss_config_ledger_path(const struct ss_config *c, struct sbuf *out,
    struct ss_err *e)
{
	const char *s;

	sbuf_reset(out);
	if ((s = ss_config_get(c, "ledger")) != NULL && *s != '\0') {
		sbuf_adds(out, s);
		return 0;
	}
	if (ss_config_home(c, out, e) == -1)
		return -1;
	add_name(out, "ledger.db");
	return 0;
}

const char *
ss_config_file(const struct ss_config *c)
{
	return c->file;
}

/* 1 if the n bytes at s could be a key name (for commented-out lines). */
static int
key_like(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '_' || s[i] == '.' || s[i] == '-'))
			return 0;
	return 1;
}

/*
 * If the line [s, s + n) sets a secret key to a non-empty value, *vs and
 * *vn get the place of the value (quotes included) and 1 is returned.
 */
static int
secret_value(const char *s, size_t n, const char **vs, size_t *vn)
{
	const char *k, *eq;
	char *key;
	size_t kn;
	int commented = 0, secret;

	trim(&s, &n);
	if (n > 0 && *s == '#') {
		commented = 1;
		s++;
		n--;
		trim(&s, &n);
	}
	if ((eq = memchr(s, '=', n)) == NULL)
		return 0;
	k = s;
	kn = eq - s;
	trim(&k, &kn);
	if (kn == 0 || memchr(k, '\0', kn) != NULL ||
	    (commented && !key_like(k, kn)))
		return 0;
	key = xmemdupz(k, kn);
	secret = ss_config_is_secret(key);
	free(key);
	*vs = eq + 1;
	*vn = n - (eq + 1 - s);
	trim(vs, vn);
	return secret && *vn > 0;
}

int
ss_config_redact_text(const char *text, size_t len, struct sbuf *out)
{
	const char *p = text, *end = text + len, *nl, *lend, *vs;
	size_t vn;
	int count = 0;

	while (p < end) {
		nl = memchr(p, '\n', end - p);
		lend = nl ? nl + 1 : end;
		if (secret_value(p, (nl ? nl : end) - p, &vs, &vn)) {
			sbuf_add(out, p, vs - p);
			sbuf_adds(out, "(secret)");
			sbuf_add(out, vs + vn, lend - (vs + vn));
			count++;
		} else {
			sbuf_add(out, p, lend - p);
		}
		p = lend;
	}
	return count;
}

int
ss_config_redacted(const struct ss_config *c, struct sbuf *out,
    struct ss_err *e)
{
	sbuf_reset(out);
	if (c->text != NULL)
		ss_config_redact_text(c->text, c->textlen, out);
	return 0;
}

void
ss_config_free(struct ss_config *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++) {
		free(c->v[i].key);
		free(c->v[i].value);
	}
	free(c->v);
	free(c->file);
	free(c->text);
	free(c);
}
