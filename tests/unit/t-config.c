/* t-config.c: unit tests of lib/config.c (ss.conf, SS_* variables, keys). */
#include <sys/stat.h>

#include <ftw.h>
#include <limits.h>
#include <unistd.h>

#include "ss.h"
#include "config.h"
#include "tap.h"

static char tmpdir[] = "/tmp/t-config.XXXXXX";
static const char *top = ".";

/* Writes n bytes of text to tmpdir/name (directories made); the path. */
static char *
put(const char *name, const char *text, size_t n)
{
	struct sbuf path = SBUF_INIT;
	char *slash;
	FILE *fp;

	sbuf_addf(&path, "%s/%s", tmpdir, name);
	for (slash = strchr(path.buf + strlen(tmpdir) + 1, '/');
	    slash != NULL; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (mkdir(path.buf, 0700) == -1 && errno != EEXIST)
			ss_die(SS_EX_FATAL, "mkdir %s: %s", path.buf,
			    strerror(errno));
		*slash = '/';
	}
	if ((fp = fopen(path.buf, "w")) == NULL ||
	    fwrite(text, 1, n, fp) != n || fclose(fp) != 0)
		ss_die(SS_EX_FATAL, "cannot write %s", path.buf);
	return sbuf_detach(&path, NULL);
}

static char *
puts_file(const char *name, const char *text)
{
	return put(name, text, strlen(text));
}

static char *
tmp_path(const char *name)
{
	struct sbuf path = SBUF_INIT;

	sbuf_addf(&path, "%s/%s", tmpdir, name);
	return sbuf_detach(&path, NULL);
}

/* Every SS_* variable but SS_TEST_* unset; HOME an empty directory. */
static void
clean_env(void)
{
	struct sbuf name = SBUF_INIT;
	char **ep, *eq, *home;

again:
	for (ep = environ; *ep != NULL; ep++) {
		if (strncmp(*ep, "SS_", 3) != 0 ||
		    strncmp(*ep, "SS_TEST_", 8) == 0 ||
		    (eq = strchr(*ep, '=')) == NULL)
			continue;
		sbuf_reset(&name);
		sbuf_add(&name, *ep, eq - *ep);
		unsetenv(name.buf);
		goto again;
	}
	sbuf_release(&name);
	unsetenv("XDG_CONFIG_HOME");
	unsetenv("XDG_DATA_HOME");
	home = tmp_path("home");
	mkdir(home, 0700);
	setenv("HOME", home, 1);
	free(home);
}

/* Loads text written to tmpdir/name as the -c file. */
static int
load_text(const char *text, struct ss_config **cp, char **path,
    struct ss_err *e)
{
	*path = puts_file("case.conf", text);
	ss_err_clear(e);
	return ss_config_load(cp, *path, e);
}

static void
test_good_files(void)
{
	static const struct {
		const char *name, *text, *key, *want;
	} t[] = {
		{ "spaces around", "  max_attempts   =   7  \n",
		  "max_attempts", "7" },
		{ "tabs around", "\tmax_attempts\t=\t8\t\n",
		  "max_attempts", "8" },
		{ "no spaces", "max_attempts=9\n", "max_attempts", "9" },
		{ "no final newline", "max_attempts = 2", "max_attempts",
		  "2" },
		{ "CRLF", "max_attempts = 6\r\n", "max_attempts", "6" },
		{ "comments and blanks", "# a comment\n   # x = y\n\n\t\n"
		  "max_attempts = 3\n", "max_attempts", "3" },
		{ "quotes removed", "home = \"/a b \"\n", "home", "/a b " },
		{ "empty quotes", "home = \"\"\n", "home", "" },
		{ "quote inside", "home = /a\"b\n", "home", "/a\"b" },
		{ "hash in value", "home = /a # b\n", "home", "/a # b" },
		{ "equals in value", "home = /a=b\n", "home", "/a=b" },
		{ "empty value", "home =\n", "home", "" },
		{ "last wins", "max_attempts = 3\nmax_attempts = 4\n",
		  "max_attempts", "4" },
		{ "enum", "log_format = json\n", "log_format", "json" },
		{ "int low bound", "lease_seconds = 10\n", "lease_seconds",
		  "10" },
		{ "int high bound", "backoff_max_seconds = 2592000\n",
		  "backoff_max_seconds", "2592000" },
		{ "built-in budget", "budget.musicbrainz = 2/1\n",
		  "budget.musicbrainz", "2/1" },
		{ "new budget", "budget.foo-2 = 0.5/3\n", "budget.foo-2",
		  "0.5/3" },
		{ "budget blanks", "budget.x = 2 / 3\n", "budget.x", "2 / 3" },
		{ "other keys keep defaults", "max_attempts = 3\n",
		  "lease_seconds", "600" },
		{ "empty file", "", "max_attempts", "5" },
		{ "comment only", "# max_attempts = 9\n", "max_attempts",
		  "5" },
		{ "unset budget", "", "budget.foo", NULL },
		{ "unknown key get", "", "nope", NULL },
		{ "computed default", "", "ledger", "" },
	};
	struct ss_err e;
	struct ss_config *c;
	size_t i;
	char *path;

	for (i = 0; i < SS_ARRAY_SIZE(t); i++) {
		if (!ok(load_text(t[i].text, &c, &path, &e) == 0,
		    "good file: %s: loads", t[i].name)) {
			printf("#   error: %s\n", e.msg);
			free(path);
			continue;
		}
		is_str(ss_config_get(c, t[i].key), t[i].want,
		    "good file: %s: %s", t[i].name, t[i].key);
		is_str(ss_config_file(c), path, "good file: %s: file name",
		    t[i].name);
		ss_config_free(c);
		free(path);
	}
}

static void
test_bad_files(void)
{
	static const struct {
		const char *name, *text, *code, *msg;
	} t[] = {
		{ "unknown key", "max_attempts = 3\nfoo = 1\n", "unknown",
		  "2: unknown key 'foo'" },
		{ "unknown key with spaces", "max attempts = 3\n", "unknown",
		  "1: unknown key 'max attempts'" },
		{ "upper case key", "MAX_ATTEMPTS = 3\n", "unknown",
		  "1: unknown key 'MAX_ATTEMPTS'" },
		{ "no equals", "\n\nhello world\n", "config",
		  "3: expected 'key = value'" },
		{ "no key", "  = 3\n", "config", "1: no key before '='" },
		{ "line count with comments",
		  "# c\n\nmax_attempts = 3\n  # d\nlog_format = x\n",
		  "config", "5: log_format: 'x' is not one of text|json" },
		{ "int too small", "max_attempts = 0\n", "config",
		  "1: max_attempts: 0 is out of range (1 to 100)" },
		{ "int too large", "lease_seconds = 86401\n", "config",
		  "1: lease_seconds: 86401 is out of range (10 to 86400)" },
		{ "int overflow", "max_attempts = 99999999999999999999\n",
		  "config", "1: max_attempts: 99999999999999999999 is out "
		  "of range (1 to 100)" },
		{ "int garbage", "max_attempts = 5x\n", "config",
		  "1: max_attempts: '5x' is not a number" },
		{ "int comment after", "max_attempts = 5 # five\n", "config",
		  "1: max_attempts: '5 # five' is not a number" },
		{ "int empty", "max_attempts =\n", "config",
		  "1: max_attempts: empty number" },
		{ "enum", "log_format = xml\n", "config",
		  "1: log_format: 'xml' is not one of text|json" },
		{ "enum case", "log_format = JSON\n", "config",
		  "1: log_format: 'JSON' is not one of text|json" },
		{ "budget no slash", "budget.musicbrainz = 1\n", "config",
		  "1: budget.musicbrainz: '1' is not COUNT/SECONDS, both "
		  "above 0 (e.g. 34/220)" },
		{ "budget zero", "budget.x = 0/1\n", "config",
		  "1: budget.x: '0/1' is not COUNT/SECONDS, both above 0 "
		  "(e.g. 34/220)" },
		{ "budget zero period", "budget.x = 1/0.0\n", "config",
		  "1: budget.x: '1/0.0' is not COUNT/SECONDS, both above 0 "
		  "(e.g. 34/220)" },
		{ "budget sign", "budget.x = -1/1\n", "config",
		  "1: budget.x: '-1/1' is not COUNT/SECONDS, both above 0 "
		  "(e.g. 34/220)" },
		{ "budget exponent", "budget.x = 1e3/1\n", "config",
		  "1: budget.x: '1e3/1' is not COUNT/SECONDS, both above 0 "
		  "(e.g. 34/220)" },
		{ "budget trailing", "budget.x = 1/1s\n", "config",
		  "1: budget.x: '1/1s' is not COUNT/SECONDS, both above 0 "
		  "(e.g. 34/220)" },
		{ "budget bare dot", "budget.x = 1./1\n", "config",
		  "1: budget.x: '1./1' is not COUNT/SECONDS, both above 0 "
		  "(e.g. 34/220)" },
		{ "budget too big", "budget.x = 1/1000000001\n", "config",
		  "1: budget.x: '1/1000000001' is not COUNT/SECONDS, both "
		  "above 0 (e.g. 34/220)" },
		{ "budget bad name", "budget.Foo = 1/1\n", "unknown",
		  "1: unknown key 'budget.Foo'" },
		{ "budget underscore", "budget.a_b = 1/1\n", "unknown",
		  "1: unknown key 'budget.a_b'" },
		{ "budget empty name", "budget. = 1/1\n", "unknown",
		  "1: unknown key 'budget.'" },
		{ "unterminated quote", "home = \"/abc\n", "config",
		  "1: home: unterminated quote" },
		{ "lone quote", "home = \"\n", "config",
		  "1: home: unterminated quote" },
		{ "secret value not shown", "my_api_key = hunter2\n",
		  "unknown", "1: unknown key 'my_api_key'" },
	};
	struct sbuf want = SBUF_INIT;
	struct ss_err e;
	struct ss_config *c;
	size_t i;
	char *path;

	for (i = 0; i < SS_ARRAY_SIZE(t); i++) {
		ok(load_text(t[i].text, &c, &path, &e) == -1 && c == NULL,
		    "bad file: %s: fails", t[i].name);
		sbuf_reset(&want);
		sbuf_addf(&want, "'%s':%s", path, t[i].msg);
		is_str(e.msg, want.buf, "bad file: %s: message", t[i].name);
		is_str(e.code, t[i].code, "bad file: %s: code", t[i].name);
		ss_config_free(c);
		free(path);
	}
	ok(strstr(e.msg, "hunter2") == NULL, "secret value not in message");

	/* A NUL byte cannot sit in a table of C strings. */
	path = put("nul.conf", "home = /x\nhome = a\0b\n", 21);
	ss_err_clear(&e);
	ok(ss_config_load(&c, path, &e) == -1, "NUL byte: fails");
	sbuf_reset(&want);
	sbuf_addf(&want, "'%s':2: NUL byte in line", path);
	is_str(e.msg, want.buf, "NUL byte: message");
	free(path);
	sbuf_release(&want);
}

static void
test_environment(void)
{
	static const struct {
		const char *name, *file, *var, *value, *key, *want;
	} t[] = {
		{ "env beats file", "max_attempts = 3\n", "SS_MAX_ATTEMPTS",
		  "7", "max_attempts", "7" },
		{ "env beats default", "", "SS_LEASE_SECONDS", "20",
		  "lease_seconds", "20" },
		{ "empty env is unset", "max_attempts = 3\n",
		  "SS_MAX_ATTEMPTS", "", "max_attempts", "3" },
		{ "home", "home = /f\n", "SS_HOME", "/e", "home", "/e" },
		{ "enum", "", "SS_LOG_FORMAT", "json", "log_format", "json" },
		{ "dash in budget", "budget.slskd-search = 1/1\n",
		  "SS_BUDGET_SLSKD_SEARCH", "10/220", "budget.slskd-search",
		  "10/220" },
		{ "new budget", "", "SS_BUDGET_NEW_THING", "1/2",
		  "budget.new-thing", "1/2" },
		{ "quotes kept", "", "SS_HOME", "\"/q\"", "home", "\"/q\"" },
		{ "SS_NOW ignored", "", "SS_NOW", "12", "max_attempts", "5" },
		{ "SS_DEBUG ignored", "", "SS_DEBUG", "1", "max_attempts",
		  "5" },
		{ "SS_TEST_ ignored", "", "SS_TEST_WHATEVER", "x",
		  "max_attempts", "5" },
		{ "SS_CONFIG ignored with -c", "", "SS_CONFIG",
		  "/nonexistent/ss.conf", "max_attempts", "5" },
	};
	static const struct {
		const char *name, *var, *value, *code, *msg;
	} bad[] = {
		{ "int range", "SS_MAX_ATTEMPTS", "0", "config",
		  "SS_MAX_ATTEMPTS: 0 is out of range (1 to 100)" },
		{ "int garbage", "SS_LEASE_SECONDS", "ten", "config",
		  "SS_LEASE_SECONDS: 'ten' is not a number" },
		{ "enum", "SS_LOG_FORMAT", "xml", "config",
		  "SS_LOG_FORMAT: 'xml' is not one of text|json" },
		{ "budget", "SS_BUDGET_X", "abc", "config",
		  "SS_BUDGET_X: 'abc' is not COUNT/SECONDS, both above 0 "
		  "(e.g. 34/220)" },
		{ "unknown", "SS_FOO", "1", "unknown",
		  "SS_FOO: no such setting" },
		{ "lower case", "SS_max_attempts", "1", "unknown",
		  "SS_max_attempts: no such setting" },
		{ "budget without name", "SS_BUDGET_", "1/1", "unknown",
		  "SS_BUDGET_: no such setting" },
		{ "budget lower case", "SS_BUDGET_x", "1/1", "unknown",
		  "SS_BUDGET_x: no such setting" },
		{ "SS_TEST is a key name", "SS_TEST", "1", "unknown",
		  "SS_TEST: no such setting" },
		{ "secret not shown", "SS_MY_API_KEY", "hunter2", "unknown",
		  "SS_MY_API_KEY: no such setting" },
	};
	struct ss_err e;
	struct ss_config *c;
	size_t i;
	char *path;

	for (i = 0; i < SS_ARRAY_SIZE(t); i++) {
		clean_env();
		setenv(t[i].var, t[i].value, 1);
		if (ok(load_text(t[i].file, &c, &path, &e) == 0,
		    "env: %s: loads", t[i].name))
			is_str(ss_config_get(c, t[i].key), t[i].want,
			    "env: %s: %s", t[i].name, t[i].key);
		else
			printf("#   error: %s\n", e.msg);
		ss_config_free(c);
		free(path);
	}
	for (i = 0; i < SS_ARRAY_SIZE(bad); i++) {
		clean_env();
		setenv(bad[i].var, bad[i].value, 1);
		ok(load_text("max_attempts = 3\n", &c, &path, &e) == -1 &&
		    c == NULL, "bad env: %s: fails", bad[i].name);
		is_str(e.msg, bad[i].msg, "bad env: %s: message", bad[i].name);
		is_str(e.code, bad[i].code, "bad env: %s: code", bad[i].name);
		ss_config_free(c);
		free(path);
	}
	clean_env();
}

static void
test_set(void)
{
	struct ss_err e = SS_ERR_INIT;
	struct ss_config *c;
	char *path;

	clean_env();
	setenv("SS_MAX_ATTEMPTS", "7", 1);
	if (!ok(load_text("max_attempts = 3\n", &c, &path, &e) == 0,
	    "set: loads")) {
		free(path);
		return;
	}
	is_str(ss_config_get(c, "max_attempts"), "7", "set: env first");
	ok(ss_config_set(c, "max_attempts", "9", &e) == 0,
	    "set: command line");
	is_str(ss_config_get(c, "max_attempts"), "9", "set: beats env");
	ok(ss_config_set(c, "max_attempts", "101", &e) == -1,
	    "set: bad value fails");
	is_str(e.msg, "max_attempts: 101 is out of range (1 to 100)",
	    "set: bad value message");
	is_str(e.code, "config", "set: bad value code");
	is_str(ss_config_get(c, "max_attempts"), "9",
	    "set: bad value changes nothing");
	ok(ss_config_set(c, "colour", "red", &e) == -1,
	    "set: unknown key fails");
	is_str(e.msg, "unknown key 'colour'", "set: unknown key message");
	is_str(e.code, "unknown", "set: unknown key code");
	ok(ss_config_set(c, "budget.new", "3/4", &e) == 0,
	    "set: new budget");
	is_str(ss_config_get(c, "budget.new"), "3/4", "set: new budget value");
	ok(ss_config_set(c, "home", "\"/q\"", &e) == 0, "set: quotes kept");
	is_str(ss_config_get(c, "home"), "\"/q\"", "set: quotes kept value");
	ss_config_free(c);
	free(path);
	clean_env();
}

static void
test_lookup(void)
{
	struct ss_err e = SS_ERR_INIT;
	struct ss_config *c;
	char *a, *b, *xdg, *dflt, *dir, *rel;
	int sys;

	clean_env();
	a = puts_file("a.conf", "max_attempts = 11\n");
	b = puts_file("b.conf", "max_attempts = 12\n");
	xdg = puts_file("xdg/soulspot/ss.conf", "max_attempts = 13\n");
	dflt = puts_file("home/.config/soulspot/ss.conf",
	    "max_attempts = 14\n");
	dir = tmp_path("xdg");
	rel = tmp_path("missing.conf");

	setenv("SS_CONFIG", a, 1);
	ok(ss_config_load(&c, b, &e) == 0, "lookup: -c loads");
	is_str(ss_config_file(c), b, "lookup: -c beats SS_CONFIG");
	is_str(ss_config_get(c, "max_attempts"), "12", "lookup: -c value");
	ss_config_free(c);

	setenv("XDG_CONFIG_HOME", dir, 1);
	ok(ss_config_load(&c, NULL, &e) == 0, "lookup: SS_CONFIG loads");
	is_str(ss_config_file(c), a, "lookup: SS_CONFIG beats XDG");
	ss_config_free(c);

	setenv("SS_CONFIG", "", 1);
	ok(ss_config_load(&c, NULL, &e) == 0, "lookup: XDG loads");
	is_str(ss_config_file(c), xdg,
	    "lookup: empty SS_CONFIG is unset, XDG_CONFIG_HOME used");
	is_str(ss_config_get(c, "max_attempts"), "13", "lookup: XDG value");
	ss_config_free(c);
	unsetenv("SS_CONFIG");

	setenv("XDG_CONFIG_HOME", "relative/dir", 1);
	ok(ss_config_load(&c, NULL, &e) == 0, "lookup: HOME loads");
	is_str(ss_config_file(c), dflt,
	    "lookup: relative XDG_CONFIG_HOME ignored, HOME used");
	ss_config_free(c);
	unsetenv("XDG_CONFIG_HOME");
	ok(ss_config_load(&c, NULL, &e) == 0, "lookup: HOME loads again");
	is_str(ss_config_file(c), dflt,
	    "lookup: XDG_CONFIG_HOME defaults to HOME/.config");
	ss_config_free(c);

	setenv("XDG_CONFIG_HOME", a, 1);	/* a file: ENOTDIR below it */
	sys = access(SS_SYSCONFDIR "/ss.conf", F_OK) == 0 ||
	    access("/etc/soulspot/ss.conf", F_OK) == 0;
	if (sys) {
		ok(1, "lookup: no file at all # SKIP a system ss.conf exists");
		ok(1, "lookup: no file, defaults # SKIP a system ss.conf "
		    "exists");
	} else {
		ok(ss_config_load(&c, NULL, &e) == 0 &&
		    ss_config_file(c) == NULL, "lookup: no file at all");
		is_str(c ? ss_config_get(c, "max_attempts") : NULL, "5",
		    "lookup: no file, defaults");
		ss_config_free(c);
	}

	setenv("SS_CONFIG", rel, 1);
	ok(ss_config_load(&c, NULL, &e) == -1 && c == NULL,
	    "lookup: missing SS_CONFIG file fails");
	is_str(e.code, "io", "lookup: missing SS_CONFIG code");
	ok(strstr(e.msg, rel) != NULL && strstr(e.msg, "No such file"),
	    "lookup: message names the file: %s", e.msg);
	unsetenv("SS_CONFIG");
	ok(ss_config_load(&c, rel, &e) == -1 && c == NULL,
	    "lookup: missing -c file fails");
	is_str(e.code, "io", "lookup: missing -c code");
	ok(ss_config_load(&c, dir, &e) == -1 && c == NULL,
	    "lookup: -c directory fails");
	ok(strstr(e.msg, "is a directory") != NULL,
	    "lookup: directory message: %s", e.msg);

	unsetenv("XDG_CONFIG_HOME");
	if (geteuid() == 0) {
		ok(1, "lookup: unreadable default fails # SKIP root reads "
		    "anything");
	} else {
		chmod(dflt, 0);
		ok(ss_config_load(&c, NULL, &e) == -1 && c == NULL,
		    "lookup: unreadable default fails");
		ok(strstr(e.msg, dflt) != NULL,
		    "lookup: unreadable default message: %s", e.msg);
		chmod(dflt, 0600);
	}
	free(a);
	free(b);
	free(xdg);
	free(dflt);
	free(dir);
	free(rel);
	clean_env();
}

static void
test_int(void)
{
	static const struct {
		const char *key;
		long long min, max;
		int rc;
		long long want;
		const char *code, *msg;
	} t[] = {
		{ "max_attempts", 1, 100, 0, 5, "", "" },
		{ "lease_seconds", 0, LLONG_MAX, 0, 600, "", "" },
		{ "backoff_max_seconds", 1, 2592000, 0, 86400, "", "" },
		{ "max_attempts", 6, 10, -1, 0, "config",
		  "max_attempts: 5 is out of range (6 to 10)" },
		{ "log_format", 0, 10, -1, 0, "config",
		  "log_format: 'text' is not a number" },
		{ "home", 0, 10, -1, 0, "config", "home: empty number" },
		{ "nope", 0, 10, -1, 0, "unknown", "unknown key 'nope'" },
		{ "budget.none", 0, 10, -1, 0, "unknown",
		  "unknown key 'budget.none'" },
	};
	struct ss_err e = SS_ERR_INIT;
	struct ss_config *c;
	long long v;
	size_t i;
	char *path;

	if (!ok(load_text("", &c, &path, &e) == 0, "int: loads")) {
		free(path);
		return;
	}
	for (i = 0; i < SS_ARRAY_SIZE(t); i++) {
		v = 0;
		ss_err_clear(&e);
		is_int(ss_config_get_int(c, t[i].key, t[i].min, t[i].max, &v,
		    &e), t[i].rc, "int: %s in %lld..%lld", t[i].key, t[i].min,
		    t[i].max);
		is_int(v, t[i].want, "int: %s value", t[i].key);
		is_str(e.code, t[i].code, "int: %s code", t[i].key);
		is_str(e.msg, t[i].msg, "int: %s message", t[i].key);
	}
	ss_config_free(c);
	free(path);
}

static void
test_budgets(void)
{
	static const struct {
		const char *name;
		int rc;
		double count, period;
	} t[] = {
		{ "musicbrainz", 0, 1, 1 },
		{ "slskd-search", 0, 34, 220 },
		{ "spotify", 0, 20, 1 },
		{ "lastfm", 0, 5, 1 },
		{ "acoustid", 0, 3, 1 },
		{ "lrclib", 0, 5, 1 },
		{ "coverartarchive", 0, 5, 1 },
		{ "extra", 0, 0.5, 2.25 },
		{ "spaced", 0, 2, 3 },
		{ "none", -1, 0, 0 },
		{ "Bad", -1, 0, 0 },
		{ "", -1, 0, 0 },
		{ "budget.extra", -1, 0, 0 },
	};
	struct ss_err e = SS_ERR_INIT;
	struct ss_config *c;
	double count, period;
	size_t i;
	char *path;
	int rc;

	if (!ok(load_text("budget.extra = 0.5/2.25\nbudget.spaced = 2 / 3\n"
	    "budget.acoustid = 3/1\n", &c, &path, &e) == 0,
	    "budget: loads")) {
		free(path);
		return;
	}
	for (i = 0; i < SS_ARRAY_SIZE(t); i++) {
		count = period = 0;
		ss_err_clear(&e);
		rc = ss_config_budget(c, t[i].name, &count, &period, &e);
		is_int(rc, t[i].rc ? -1 : 0, "budget '%s': rc", t[i].name);
		if (rc == 0) {
			ok(count == t[i].count && period == t[i].period,
			    "budget '%s': %g/%g", t[i].name, count, period);
		} else {
			is_str(e.code, "unknown", "budget '%s': code",
			    t[i].name);
		}
	}
	ss_config_free(c);
	free(path);
}

static void
test_home(void)
{
	static const struct {
		const char *name, *file, *home, *xdg, *want_home, *want_ledger;
	} t[] = {
		{ "HOME", "", "/h", NULL, "/h/.local/share/soulspot",
		  "/h/.local/share/soulspot/ledger.db" },
		{ "HOME with slash", "", "/h/", NULL,
		  "/h/.local/share/soulspot",
		  "/h/.local/share/soulspot/ledger.db" },
		{ "XDG_DATA_HOME", "", "/h", "/x/", "/x/soulspot",
		  "/x/soulspot/ledger.db" },
		{ "relative XDG_DATA_HOME", "", "/h", "x",
		  "/h/.local/share/soulspot",
		  "/h/.local/share/soulspot/ledger.db" },
		{ "home key", "home = /s//\n", "/h", "/x", "/s",
		  "/s/ledger.db" },
		{ "home root", "home = /\n", "/h", NULL, "/", "/ledger.db" },
		{ "ledger key", "ledger = /l.db\n", NULL, NULL, NULL,
		  "/l.db" },
		{ "empty home key", "home =\n", "/h", NULL,
		  "/h/.local/share/soulspot",
		  "/h/.local/share/soulspot/ledger.db" },
		{ "nothing set", "", NULL, NULL, NULL, NULL },
		{ "empty HOME", "", "", NULL, NULL, NULL },
	};
	struct sbuf out = SBUF_INIT;
	struct ss_err e = SS_ERR_INIT;
	struct ss_config *c;
	size_t i;
	char *path;
	int rc;

	for (i = 0; i < SS_ARRAY_SIZE(t); i++) {
		clean_env();
		if (!ok(load_text(t[i].file, &c, &path, &e) == 0,
		    "home: %s: loads", t[i].name)) {
			free(path);
			continue;
		}
		unsetenv("HOME");
		if (t[i].home != NULL)
			setenv("HOME", t[i].home, 1);
		if (t[i].xdg != NULL)
			setenv("XDG_DATA_HOME", t[i].xdg, 1);
		sbuf_reset(&out);
		sbuf_adds(&out, "junk");
		rc = ss_config_home(c, &out, &e);
		if (t[i].want_home == NULL && t[i].file[0] == '\0') {
			ok(rc == -1 && strcmp(e.code, "config") == 0,
			    "home: %s: fails", t[i].name);
			is_str(out.buf, "", "home: %s: out empty", t[i].name);
		} else if (t[i].want_home != NULL) {
			ok(rc == 0, "home: %s: ok", t[i].name);
			is_str(out.buf, t[i].want_home, "home: %s: home",
			    t[i].name);
		}
		sbuf_reset(&out);
		sbuf_adds(&out, "junk");
		rc = ss_config_ledger_path(c, &out, &e);
		if (t[i].want_ledger == NULL) {
			ok(rc == -1, "home: %s: ledger fails", t[i].name);
		} else {
			ok(rc == 0, "home: %s: ledger ok", t[i].name);
			is_str(out.buf, t[i].want_ledger, "home: %s: ledger",
			    t[i].name);
		}
		ss_config_free(c);
		free(path);
	}
	sbuf_release(&out);
	clean_env();
}

static void
test_redaction(void)
{
	static const struct {
		const char *name, *in, *want;
		int n;
	} t[] = {
		{ "name rule _key", "api_key = abc\n",
		  "api_key = (secret)\n", 1 },
		{ "quotes and blanks", "  slskd_api_key=\"x y\"  \n",
		  "  slskd_api_key=(secret)  \n", 1 },
		{ "commented out", "# spotify_refresh_token = abc\n",
		  "# spotify_refresh_token = (secret)\n", 1 },
		{ "_secret CRLF", "db_secret = s\r\n",
		  "db_secret = (secret)\r\n", 1 },
		{ "_password no newline", "mail_password =p",
		  "mail_password =(secret)", 1 },
		{ "empty value kept", "x_password =\n", "x_password =\n", 0 },
		{ "not secret", "home = /x\n", "home = /x\n", 0 },
		{ "suffix without underscore", "monkey = x\ntokens = y\n",
		  "monkey = x\ntokens = y\n", 0 },
		{ "suffix alone", "_key = x\n", "_key = x\n", 0 },
		{ "prose comment", "# the api_key = value form\n",
		  "# the api_key = value form\n", 0 },
		{ "no equals", "api_key\n", "api_key\n", 0 },
		{ "mixed", "# c\nhome = /h\na_token = t1\n\nb_key = k2\n",
		  "# c\nhome = /h\na_token = (secret)\n\nb_key = (secret)\n",
		  2 },
		{ "empty text", "", "", 0 },
	};
	static const struct {
		const char *key;
		int secret;
	} s[] = {
		{ "api_key", 1 }, { "client_secret", 1 }, { "a_token", 1 },
		{ "a_password", 1 }, { "key", 0 }, { "home", 0 },
		{ "max_attempts", 0 }, { "budget.spotify", 0 },
		{ "token", 0 }, { "a_keys", 0 },
	};
	struct sbuf out = SBUF_INIT;
	struct ss_err e = SS_ERR_INIT;
	struct ss_config *c;
	size_t i;
	char *path;
	int n;

	for (i = 0; i < SS_ARRAY_SIZE(t); i++) {
		sbuf_reset(&out);
		n = ss_config_redact_text(t[i].in, strlen(t[i].in), &out);
		is_str(out.buf, t[i].want, "redact: %s", t[i].name);
		is_int(n, t[i].n, "redact: %s: count", t[i].name);
	}
	for (i = 0; i < SS_ARRAY_SIZE(s); i++)
		is_int(ss_config_is_secret(s[i].key), s[i].secret,
		    "is_secret %s", s[i].key);

	clean_env();
	if (ok(load_text("max_attempts = 3\n# my_token = zzz\n", &c, &path,
	    &e) == 0, "redacted: loads")) {
		sbuf_adds(&out, "junk");
		ok(ss_config_redacted(c, &out, &e) == 0, "redacted: ok");
		is_str(out.buf, "max_attempts = 3\n# my_token = (secret)\n",
		    "redacted: file text");
		ss_config_free(c);
	}
	free(path);
	setenv("XDG_CONFIG_HOME", tmpdir, 1);
	if (access(SS_SYSCONFDIR "/ss.conf", F_OK) == 0 ||
	    access("/etc/soulspot/ss.conf", F_OK) == 0) {
		ok(1, "redacted: no file # SKIP a system ss.conf exists");
	} else if (ok(ss_config_load(&c, NULL, &e) == 0, "redacted: no file "
	    "loads")) {
		sbuf_adds(&out, "junk");
		ss_config_redacted(c, &out, &e);
		is_str(out.buf, "", "redacted: no file, empty");
		ss_config_free(c);
	}
	sbuf_release(&out);
	clean_env();
}

static char *
slurp(const char *path, size_t *len)
{
	struct sbuf sb = SBUF_INIT;
	char buf[4096];
	size_t n;
	FILE *fp;

	if ((fp = fopen(path, "r")) == NULL)
		return NULL;
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		sbuf_add(&sb, buf, n);
	fclose(fp);
	return sbuf_detach(&sb, len);
}

/* "# key = value" (or "# key =") with key of [a-z0-9_.-]: 1 and parts. */
static int
key_line(const char *line, struct sbuf *key, struct sbuf *value)
{
	const char *p;

	if (strncmp(line, "# ", 2) != 0)
		return 0;
	p = line + 2;
	p += strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789_.-");
	if (p == line + 2 || strncmp(p, " =", 2) != 0)
		return 0;
	if (p[2] != '\0' && p[2] != ' ')
		return 0;
	sbuf_reset(key);
	sbuf_add(key, line + 2, p - (line + 2));
	sbuf_reset(value);
	if (p[2] == ' ')
		sbuf_adds(value, p + 3);
	return 1;
}

/* etc/ss.conf and etc/ss.conf.5 against the key table. */
static void
test_shipped_files(void)
{
	const struct ss_config_key *keys, *k;
	struct sbuf conf = SBUF_INIT, man = SBUF_INIT, key = SBUF_INIT;
	struct sbuf value = SBUF_INIT, live = SBUF_INIT, pat = SBUF_INIT;
	struct ss_err e = SS_ERR_INIT;
	struct ss_config *c;
	size_t nkeys, i, len;
	char *text, *mantext, *line, *nl, *path;
	int *seen, live_lines = 0;

	sbuf_addf(&conf, "%s/etc/ss.conf", top);
	sbuf_addf(&man, "%s/etc/ss.conf.5", top);
	mantext = slurp(man.buf, &len);
	text = slurp(conf.buf, &len);
	if (!ok(text != NULL && mantext != NULL, "shipped: found %s",
	    conf.buf))
		goto out;
	keys = ss_config_keys(&nkeys);
	seen = xcalloc(nkeys, sizeof(*seen));

	clean_env();
	ok(ss_config_load(&c, conf.buf, &e) == 0, "shipped: ss.conf loads");
	ss_config_free(c);

	for (i = 0; i < nkeys; i++) {
		sbuf_reset(&pat);
		if (strncmp(keys[i].name, "budget.", 7) == 0)
			sbuf_addf(&pat, "\n.It %s Ta %s Ta ", keys[i].name + 7,
			    keys[i].def);
		else
			sbuf_addf(&pat, "\n.It Cm %s No = ", keys[i].name);
		ok(strstr(mantext, pat.buf) != NULL, "shipped: %s in ss.conf.5",
		    keys[i].name);
		if (keys[i].type != SS_CONFIG_INT)
			continue;
		sbuf_reset(&pat);
		sbuf_addf(&pat, "from %lld to %lld", keys[i].min, keys[i].max);
		ok(strstr(mantext, pat.buf) != NULL,
		    "shipped: %s range in ss.conf.5", keys[i].name);
		sbuf_reset(&pat);
		sbuf_addf(&pat, "Default: %s.", keys[i].def);
		ok(strstr(mantext, pat.buf) != NULL,
		    "shipped: %s default in ss.conf.5", keys[i].name);
		sbuf_reset(&pat);
		sbuf_addf(&pat, "(%lld to %lld)", keys[i].min, keys[i].max);
		ok(strstr(text, pat.buf) != NULL,
		    "shipped: %s range in ss.conf", keys[i].name);
	}

	ok(len > 0 && text[len - 1] == '\n', "shipped: ends in a newline");
	for (line = text; (nl = strchr(line, '\n')) != NULL; line = nl + 1) {
		*nl = '\0';
		if (!key_line(line, &key, &value)) {
			if (line[0] != '\0' && line[0] != '#') {
				printf("# not a comment: '%s'\n", line);
				live_lines++;
			}
			continue;
		}
		sbuf_addf(&live, "%s = %s\n", key.buf, value.buf);
		k = ss_config_key_find(key.buf);
		if (!ok(k != NULL && strcmp(k->name, key.buf) == 0,
		    "shipped: '%s' is in the table", key.buf))
			continue;
		is_str(value.buf, k->def, "shipped: %s default", k->name);
		seen[k - keys]++;
	}
	is_int(live_lines, 0, "shipped: only comments and blank lines");
	for (i = 0; i < nkeys; i++)
		is_int(seen[i], 1, "shipped: %s listed once", keys[i].name);

	/* Uncommented, the file sets every key to its default. */
	path = puts_file("live.conf", live.buf);
	if (ok(ss_config_load(&c, path, &e) == 0,
	    "shipped: uncommented ss.conf loads")) {
		for (i = 0; i < nkeys; i++)
			is_str(ss_config_get(c, keys[i].name), keys[i].def,
			    "shipped: uncommented %s", keys[i].name);
		ss_config_free(c);
	} else {
		printf("#   error: %s\n", e.msg);
	}
	free(path);
	free(seen);
out:
	free(text);
	free(mantext);
	sbuf_release(&conf);
	sbuf_release(&man);
	sbuf_release(&key);
	sbuf_release(&value);
	sbuf_release(&live);
	sbuf_release(&pat);
}

static void
test_table(void)
{
	const struct ss_config_key *keys, *k;
	size_t n, i;

	keys = ss_config_keys(&n);
	for (i = 0; i < n; i++) {
		k = ss_config_key_find(keys[i].name);
		ok(k == &keys[i], "table: find %s", keys[i].name);
		ok(keys[i].doc != NULL && keys[i].doc[0] != '\0' &&
		    keys[i].def != NULL, "table: %s has doc and default",
		    keys[i].name);
	}
	k = ss_config_key_find("budget.anything-1");
	ok(k != NULL && k->type == SS_CONFIG_BUDGET &&
	    strcmp(k->name, "budget.NAME") == 0, "table: budget family");
	ok(ss_config_key_find("budget.NAME") == NULL,
	    "table: budget.NAME itself is no key");
	ok(ss_config_key_find("nope") == NULL, "table: unknown key");
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	return remove(path);
}

int
main(int argc, char **argv)
{
	struct sbuf dir = SBUF_INIT;
	const char *slash;

	ss_init(argv[0]);
	/* Tests run from the top of the tree; else find it from argv[0]. */
	if (access("etc/ss.conf", F_OK) != 0 && argc > 0 &&
	    (slash = strrchr(argv[0], '/')) != NULL) {
		sbuf_add(&dir, argv[0], slash - argv[0]);
		sbuf_adds(&dir, "/../..");
		top = dir.buf;
	}
	if (mkdtemp(tmpdir) == NULL)
		ss_die(SS_EX_FATAL, "mkdtemp: %s", strerror(errno));
	clean_env();

	test_table();
	test_good_files();
	test_bad_files();
	test_environment();
	test_set();
	test_lookup();
	test_int();
	test_budgets();
	test_home();
	test_redaction();
	test_shipped_files();

	nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	sbuf_release(&dir);
	return done_testing();
}
