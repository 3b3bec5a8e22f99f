/* t-ledger.c: unit tests of the ledger: schema, claims, retries, budgets. */
#include <sys/stat.h>

#include <sqlite3.h>
#include <unistd.h>

#include "ss.h"
#include "config.h"
#include "ledger.h"
#include "tap.h"

static char tmpdir[] = "/tmp/t-ledger.XXXXXX";
static int nfile;

/* A fresh ledger path in the test directory. */
static char *
new_path(void)
{
	struct sbuf sb = SBUF_INIT;

	sbuf_addf(&sb, "%s/l%d/ledger.db", tmpdir, ++nfile);
	return sbuf_detach(&sb, NULL);
}

static void
at(double t)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%.3f", t);
	setenv("SS_NOW", buf, 1);
}

static struct ss_ledger *
open_or_bail(const char *path)
{
	struct ss_ledger *l = NULL;
	struct ss_err e = SS_ERR_INIT;

	if (ss_ledger_open(&l, path, &e) == -1) {
		printf("Bail out! cannot open %s: %s\n", path, e.msg);
		exit(1);
	}
	return l;
}

/* The schema text of a database file and its user_version. */
static char *
schema_of(const char *path, int *version)
{
	struct sbuf sb = SBUF_INIT;
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;

	*version = -1;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) ==
	    SQLITE_OK &&
	    sqlite3_prepare_v2(db, "SELECT sql FROM sqlite_master "
	    "WHERE sql IS NOT NULL ORDER BY name", -1, &s, NULL) == SQLITE_OK) {
		while (sqlite3_step(s) == SQLITE_ROW)
			sbuf_addf(&sb, "%s;\n", sqlite3_column_text(s, 0));
		sqlite3_finalize(s);
		s = NULL;
		if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s,
		    NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
			*version = sqlite3_column_int(s, 0);
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
	return sbuf_detach(&sb, NULL);
}

static void
test_schema(void)
{
	static const char *const tables[] = {
		"CREATE TABLE items", "CREATE TABLE settings",
		"CREATE TABLE budgets", "CREATE TABLE cache",
		"CREATE TABLE runs"
	};
	struct ss_ledger *l;
	struct stat st1, st2, dst;
	char *path = new_path(), *dir, *s1, *s2;
	int v1, v2;
	size_t i;

	l = open_or_bail(path);
	is_int(ss_ledger_version(l), ss_ledger_known_version(),
	    "new ledger is at the newest schema");
	ok(ss_ledger_known_version() == (int)ss_migrations_count,
	    "migrations are numbered without gaps");
	ss_ledger_close(l);
	s1 = schema_of(path, &v1);
	for (i = 0; i < SS_ARRAY_SIZE(tables); i++)
		ok(strstr(s1, tables[i]) != NULL, "schema has %s", tables[i]);
	is_int(v1, ss_ledger_known_version(), "user_version is set");
	ok(stat(path, &st1) == 0 && (st1.st_mode & 0777) == 0600,
	    "ledger file mode is 0600");
	dir = xstrdup(path);
	*strrchr(dir, '/') = '\0';
	ok(stat(dir, &dst) == 0 && (dst.st_mode & 0777) == 0700,
	    "ledger directory created with mode 0700");
	free(dir);

	sleep(1);
	l = open_or_bail(path);
	ss_ledger_close(l);
	s2 = schema_of(path, &v2);
	is_int(v2, v1, "reopen keeps user_version");
	is_str(s2, s1, "reopen keeps the schema");
	ok(stat(path, &st2) == 0 && st2.st_mtime == st1.st_mtime &&
	    st2.st_size == st1.st_size, "reopen does not write the file");
	free(s1);
	free(s2);
	free(path);
}

static void
test_too_new(void)
{
	struct ss_ledger *l = NULL;
	struct ss_err e = SS_ERR_INIT;
	sqlite3 *db;
	char *path = new_path();
	int r;

	l = open_or_bail(path);
	ss_ledger_close(l);
	l = NULL;
	if (sqlite3_open(path, &db) == SQLITE_OK)
		sqlite3_exec(db, "PRAGMA user_version = 999", NULL, NULL, NULL);
	sqlite3_close(db);
	r = ss_ledger_open(&l, path, &e);
	is_int(r, -1, "a ledger from the future is refused");
	is_str(e.code, "too_new", "error code too_new");
	ok(l == NULL, "no handle on failure");
	ok(strstr(e.msg, "999") != NULL, "message names the version: %s",
	    e.msg);
	free(path);
}

/* One step of a claim scenario: at time t, handle h does op. */
enum op { CLAIM, DONE_, FAIL_TEMP, FAIL_PERM, RETRY, PAUSE, RESUME,
	GPAUSE, GRESUME, FORGET };

struct step {
	double t;
	int h;			/* which handle: 0 or 1 */
	enum op op;
	int want;		/* claim result, or rows changed, or state */
	int attempts;		/* for CLAIM, -1 to skip */
	const char *title;
};

static const struct step steps[] = {
	{ 1000, 0, CLAIM, SS_CLAIM_CLAIMED, 1, "new item is claimed" },
	{ 1000, 1, CLAIM, SS_CLAIM_LEASED, -1, "other owner sees leased" },
	{ 1001, 0, CLAIM, SS_CLAIM_CLAIMED, 1, "holder renews, no attempt" },
	{ 1001, 0, FAIL_TEMP, SS_STATE_FAILED, -1, "temp failure: failed" },
	{ 1002, 1, CLAIM, SS_CLAIM_NOT_DUE, -1, "not due during backoff" },
	{ 1011, 1, CLAIM, SS_CLAIM_CLAIMED, 2, "due after backoff" },
	{ 1011, 1, FAIL_TEMP, SS_STATE_FAILED, -1, "second failure" },
	{ 1040, 0, CLAIM, SS_CLAIM_CLAIMED, 3, "third attempt" },
	{ 1040, 0, FAIL_TEMP, SS_STATE_GAVE_UP, -1, "max attempts: gave up" },
	{ 9999, 0, CLAIM, SS_CLAIM_GAVE_UP, -1, "gave up stays given up" },
	{ 9999, 0, RETRY, 1, -1, "retry resets it" },
	{ 9999, 0, GPAUSE, 0, -1, "global pause" },
	{ 9999, 1, CLAIM, SS_CLAIM_PAUSED, -1, "claims say paused" },
	{ 9999, 0, GRESUME, 0, -1, "global resume" },
	{ 9999, 0, PAUSE, 1, -1, "pause the item" },
	{ 9999, 1, CLAIM, SS_CLAIM_PAUSED, -1, "paused item is not claimed" },
	{ 9999, 0, RESUME, 1, -1, "resume the item" },
	{ 9999, 1, CLAIM, SS_CLAIM_CLAIMED, 1, "claimed again, attempts 1" },
	{ 9999, 1, FAIL_PERM, SS_STATE_FAILED, -1, "permanent failure" },
	{ 9999, 0, CLAIM, SS_CLAIM_FAILED, -1, "failed for good" },
	{ 9999, 0, RETRY, 1, -1, "retry a permanent failure" },
	{ 9999, 0, CLAIM, SS_CLAIM_CLAIMED, 1, "claimable after retry" },
	{ 9999, 0, DONE_, 0, -1, "done" },
	{ 9999, 1, CLAIM, SS_CLAIM_DONE, -1, "done is remembered" },
	{ 9999, 1, GPAUSE, 0, -1, "global pause again" },
	{ 9999, 1, CLAIM, SS_CLAIM_DONE, -1, "done is reported while paused" },
	{ 9999, 1, GRESUME, 0, -1, "global resume again" },
	{ 9999, 0, FORGET, 1, -1, "forget deletes it" },
	{ 9999, 0, FORGET, 0, -1, "forget again changes nothing" },
	{ 9999, 1, CLAIM, SS_CLAIM_CLAIMED, 1, "forgotten item starts anew" },
};

static void
test_claims(void)
{
	static const struct ss_policy pol = { 600, 3, 10, 20 };
	struct ss_ledger *l[2];
	struct ss_item it;
	struct ss_err e = SS_ERR_INIT, why = SS_ERR_INIT;
	enum ss_state st;
	char *path = new_path();
	double next;
	size_t i;
	int r = 0;

	l[0] = open_or_bail(path);
	l[1] = open_or_bail(path);
	ss_ledger_set_policy(l[0], &pol, &e);
	ss_ledger_set_policy(l[1], &pol, &e);
	ok(strcmp(ss_ledger_owner(l[0]), ss_ledger_owner(l[1])) != 0,
	    "owners differ");
	for (i = 0; i < SS_ARRAY_SIZE(steps); i++) {
		const struct step *s = &steps[i];
		struct ss_ledger *h = l[s->h];

		at(s->t);
		switch (s->op) {
		case CLAIM:
			r = ss_ledger_claim(h, "search", "id:1", &it, &e);
			is_str(ss_claim_name(r), ss_claim_name(s->want),
			    "%s", s->title);
			if (s->attempts >= 0)
				is_int(it.attempts, s->attempts,
				    "%s: attempts", s->title);
			if (s->want == SS_CLAIM_DONE)
				is_str(it.output, "{\"x\":1}",
				    "%s: output", s->title);
			ss_item_release(&it);
			continue;
		case DONE_:
			r = ss_ledger_done(h, "search", "id:1",
			    ss_ledger_owner(h), "{\"x\":1}", &e);
			break;
		case FAIL_TEMP:
		case FAIL_PERM:
			ss_err_set(&why, "http_503", s->op == FAIL_TEMP,
			    "service unavailable");
			r = ss_ledger_fail(h, "search", "id:1",
			    ss_ledger_owner(h), &why, 0, &st, &next, &e);
			if (r == 0)
				r = (int)st;
			if (s->op == FAIL_TEMP && st == SS_STATE_FAILED)
				ok(next >= s->t + 8 && next <= s->t + 20,
				    "%s: next attempt %.1f s later", s->title,
				    next - s->t);
			break;
		case RETRY:
			r = ss_ledger_retry(h, NULL, "id:1", &e);
			break;
		case PAUSE:
			r = ss_ledger_pause(h, "search", "id:1", &e);
			break;
		case RESUME:
			r = ss_ledger_resume(h, NULL, "id:1", &e);
			break;
		case GPAUSE:
		case GRESUME:
			r = ss_ledger_set_paused(h, s->op == GPAUSE, &e);
			break;
		case FORGET:
			r = ss_ledger_forget(h, "search", "id:1", &e);
			break;
		}
		is_int(r, s->want, "%s", s->title);
	}
	ss_ledger_get(l[0], "search", "id:1", &it, &e);
	ss_ledger_done(l[0], "search", "id:1", ss_ledger_owner(l[0]), NULL,
	    &e);
	is_str(e.code, "lease_lost", "done by a non-holder is refused");
	ss_item_release(&it);
	ss_ledger_close(l[0]);
	ss_ledger_close(l[1]);
	free(path);
}

/* Backoff: base * 2^(n-1) with jitter in [0.8, 1], capped; Retry-After. */
static const struct {
	int attempt;
	double retry_after;
	double lo, hi;
} backoffs[] = {
	{ 1, 0, 48, 60 },
	{ 2, 0, 96, 120 },
	{ 3, 0, 192, 240 },
	{ 4, 0, 384, 480 },
	{ 5, 0, 400, 500 },	/* capped at backoff_max */
	{ 6, 3600, 3600, 3600 },	/* a longer Retry-After wins */
	{ 7, 1, 400, 500 },	/* a shorter one does not */
};

static void
test_backoff(void)
{
	static const struct ss_policy pol = { 600, 100, 60, 500 };
	struct ss_ledger *l;
	struct ss_item it;
	struct ss_err e = SS_ERR_INIT, why = SS_ERR_INIT;
	enum ss_state st;
	char *path = new_path();
	double t = 100000, next;
	size_t i;
	int r;

	l = open_or_bail(path);
	ss_ledger_set_policy(l, &pol, &e);
	ss_err_set(&why, "http_429", 1, "too many requests");
	for (i = 0; i < SS_ARRAY_SIZE(backoffs); i++) {
		at(t);
		r = ss_ledger_claim(l, "enrich", "b", &it, &e);
		ok(r == SS_CLAIM_CLAIMED && it.attempts == backoffs[i].attempt,
		    "attempt %d claimed", backoffs[i].attempt);
		ss_item_release(&it);
		ss_ledger_fail(l, "enrich", "b", ss_ledger_owner(l), &why,
		    backoffs[i].retry_after, &st, &next, &e);
		ok(st == SS_STATE_FAILED && next - t > backoffs[i].lo - 0.01 &&
		    next - t < backoffs[i].hi + 0.01,
		    "attempt %d: delay %.1f in [%.0f, %.0f]",
		    backoffs[i].attempt, next - t, backoffs[i].lo,
		    backoffs[i].hi);
		ss_ledger_get(l, "enrich", "b", &it, &e);
		is_str(it.last_error, "http_429: too many requests",
		    "last_error is kept");
		ss_item_release(&it);
		t = next + 0.01;	/* SS_NOW has 3 decimals */
	}
	ss_ledger_close(l);
	free(path);
}

static void
test_lease_expiry(void)
{
	static const struct ss_policy pol = { 10, 2, 1, 1 };
	struct ss_ledger *a, *b;
	struct ss_item it;
	struct ss_err e = SS_ERR_INIT;
	char *path = new_path();
	int r;

	a = open_or_bail(path);
	b = open_or_bail(path);
	ss_ledger_set_policy(a, &pol, &e);
	ss_ledger_set_policy(b, &pol, &e);
	at(5000);
	ss_ledger_enqueue(a, "dl", "x", 0, &e);
	r = ss_ledger_claim_next(a, "dl", &it, &e);
	ok(r == SS_CLAIM_CLAIMED && strcmp(it.id, "x") == 0, "a claims x");
	ss_item_release(&it);
	at(5009);
	is_int(ss_ledger_claim_next(b, "dl", &it, &e), SS_CLAIM_NONE,
	    "b finds nothing while the lease lives");
	at(5011);
	r = ss_ledger_claim_next(b, "dl", &it, &e);
	ok(r == SS_CLAIM_CLAIMED && it.attempts == 2,
	    "expired lease is claimed by b (attempt 2)");
	ss_item_release(&it);
	r = ss_ledger_done(a, "dl", "x", ss_ledger_owner(a), "{}", &e);
	ok(r == -1 && strcmp(e.code, "lease_lost") == 0,
	    "a's late done is refused: %s", e.msg);
	at(5030);
	r = ss_ledger_claim(a, "dl", "x", &it, &e);
	is_str(ss_claim_name(r), "gave_up",
	    "lease expired on the last attempt: gave up");
	ok(it.last_error != NULL && strstr(it.last_error, "lease expired"),
	    "last_error says why");
	ss_item_release(&it);
	ss_ledger_close(a);
	ss_ledger_close(b);
	free(path);
}

/* claim_next order: priority desc, then next_attempt_at, then insertion. */
static const struct {
	const char *id;
	long long priority;
} queue[] = {
	{ "a", 0 }, { "b", 5 }, { "c", 0 }, { "d", 5 }, { "e", -1 }, { "f", 9 },
};
static const char *const order[] = { "f", "b", "d", "a", "c", "e" };

static void
test_priority(void)
{
	struct ss_ledger *l;
	struct ss_item it;
	struct ss_err e = SS_ERR_INIT;
	char *path = new_path();
	size_t i;
	int r;

	l = open_or_bail(path);
	at(7000);
	ss_ledger_begin(l, &e);
	for (i = 0; i < SS_ARRAY_SIZE(queue); i++)
		ss_ledger_enqueue(l, "tag", queue[i].id, 0, &e);
	ok(ss_ledger_commit(l, &e) == 0, "batch committed");
	for (i = 0; i < SS_ARRAY_SIZE(queue); i++)
		ss_ledger_set_priority(l, "tag", queue[i].id,
		    queue[i].priority, &e);
	is_int(ss_ledger_enqueue(l, "tag", "a", 3, &e), 0,
	    "enqueue of a known item adds nothing");
	is_int(ss_ledger_set_priority(l, "tag", "zz", 1, &e), 0,
	    "priority of an unknown item changes nothing");
	for (i = 0; i < SS_ARRAY_SIZE(order); i++) {
		r = ss_ledger_claim_next(l, "tag", &it, &e);
		ok(r == SS_CLAIM_CLAIMED && strcmp(it.id, order[i]) == 0,
		    "claim %zu is %s (got %s)", i + 1, order[i],
		    it.id ? it.id : "nothing");
		ss_item_release(&it);
	}
	is_int(ss_ledger_claim_next(l, "tag", &it, &e), SS_CLAIM_NONE,
	    "then nothing is due");
	is_int(ss_ledger_claim_next(l, "other", &it, &e), SS_CLAIM_NONE,
	    "other stages are separate");
	ss_ledger_close(l);
	free(path);
}

static int
count_fn(const struct ss_item *it, void *arg)
{
	(*(int *)arg)++;
	return 0;
}

static void
test_prune(void)
{
	struct ss_ledger *l;
	struct ss_err e = SS_ERR_INIT, why = SS_ERR_INIT;
	char *path = new_path();
	long long run;
	int n = 0, ni = -1, nr = -1;

	l = open_or_bail(path);
	ss_err_set(&why, "bad", 0, "permanent");
	at(86400 * 10);
	ss_ledger_done(l, "s", "old-done", NULL, "{}", &e);
	ss_ledger_fail(l, "s", "old-failed", NULL, &why, 0, NULL, NULL, &e);
	ss_ledger_enqueue(l, "s", "old-pending", 0, &e);
	ss_run_begin(l, "ss-test", &run, &e);
	ss_run_end(l, run, 0, 3, 0, &e);
	at(86400 * 15);
	ss_ledger_done(l, "s", "new-done", NULL, "{}", &e);
	at(86400 * 16);
	ok(ss_ledger_prune(l, 3, &ni, &nr, &e) == 0, "prune runs");
	is_int(ni, 2, "two finished old items pruned");
	is_int(nr, 1, "one old run pruned");
	ss_ledger_list(l, NULL, NULL, NULL, count_fn, &n, &e);
	is_int(n, 2, "pending and recent items stay");
	ss_ledger_close(l);
	free(path);
}

static void
test_cache(void)
{
	struct ss_ledger *l;
	struct sbuf sb = SBUF_INIT;
	struct ss_err e = SS_ERR_INIT;
	char *path = new_path();
	int n = -1;

	l = open_or_bail(path);
	at(1000);
	ss_cache_put(l, "mb:1", "a\0b", 3, 10, &e);
	ss_cache_put(l, "mb:2", "x", 1, 100, &e);
	at(1009.5);
	is_int(ss_cache_get(l, "mb:1", &sb, &e), 1, "cache hit before ttl");
	ok(sb.len == 3 && memcmp(sb.buf, "a\0b", 3) == 0,
	    "value comes back byte for byte");
	sbuf_reset(&sb);
	is_int(ss_cache_get(l, "nope", &sb, &e), 0, "unknown key misses");
	at(1010.5);
	is_int(ss_cache_get(l, "mb:1", &sb, &e), 0, "expired entry misses");
	is_int(ss_cache_purge(l, &n, &e), 0, "purge");
	is_int(n, 1, "purge removes the expired entry only");
	is_int(ss_cache_get(l, "mb:2", &sb, &e), 1, "live entry stays");
	sbuf_release(&sb);
	ss_ledger_close(l);
	free(path);
}

/* Budget 5 per 10 s: takes at given times, wanted waits. */
static const struct {
	double t;
	double wait;
} takes[] = {
	{ 2000, 0 }, { 2000, 0 }, { 2000, 0 }, { 2000, 0 }, { 2000, 0 },
	{ 2000, 2 },		/* empty: 1 token takes 10/5 s */
	{ 2001, 1 },
	{ 2002, 0 },
	{ 2002, 2 },
	{ 2100, 0 },		/* full again, but never above capacity */
	{ 2100, 0 }, { 2100, 0 }, { 2100, 0 }, { 2100, 0 },
	{ 2100, 2 },
};

static int
budget_fn(const struct ss_budget *b, void *arg)
{
	*(double *)arg = b->tokens;
	return 0;
}

static void
test_budget(void)
{
	struct ss_ledger *l;
	struct ss_err e = SS_ERR_INIT;
	char *path = new_path();
	double wait, tokens = -1, waited;
	size_t i;
	int r;

	l = open_or_bail(path);
	for (i = 0; i < SS_ARRAY_SIZE(takes); i++) {
		at(takes[i].t);
		r = ss_budget_take(l, "mb", 5, 10, &wait, &e);
		ok(r == 0 && wait > takes[i].wait - 1e-6 &&
		    wait < takes[i].wait + 1e-6,
		    "take %zu at %.0f: wait %.3f, want %.3f", i + 1,
		    takes[i].t, wait, takes[i].wait);
	}
	at(2101);
	ss_budget_list(l, budget_fn, &tokens, &e);
	ok(tokens > 0.5 - 1e-6 && tokens < 0.5 + 1e-6,
	    "list shows refilled tokens (%.3f)", tokens);
	r = ss_budget_wait(l, "mb", 5, 10, 0.5, &waited, &e);
	ok(r == -1 && strcmp(e.code, "budget") == 0 && e.temporary,
	    "wait past the limit fails, temporary: %s", e.msg);
	r = ss_budget_take(l, "mb", 0, 10, &wait, &e);
	ok(r == -1 && strcmp(e.code, "invalid") == 0, "capacity 0 refused");
	unsetenv("SS_NOW");
	r = ss_budget_wait(l, "fast", 1, 0.2, 5, &waited, &e);
	ok(r == 0 && waited == 0, "first token of a new bucket at once");
	r = ss_budget_wait(l, "fast", 1, 0.2, 5, &waited, &e);
	ok(r == 0 && waited > 0.1 && waited < 0.3,
	    "second token after a sleep (%.3f s)", waited);
	ss_ledger_close(l);
	free(path);
}

static int
run_fn(const struct ss_run *r, void *arg)
{
	struct sbuf *sb = arg;

	sbuf_addf(sb, "%s:%d:%lld:%lld:%d;", r->program, r->status,
	    r->handled, r->failed, r->ended);
	return 0;
}

static void
test_runs(void)
{
	struct ss_ledger *l;
	struct sbuf sb = SBUF_INIT;
	struct ss_err e = SS_ERR_INIT;
	char *path = new_path();
	long long a, b;

	l = open_or_bail(path);
	at(3000);
	ss_run_begin(l, "ss-search", &a, &e);
	ss_run_begin(l, "ss-tag", &b, &e);
	ok(b > a, "run ids grow");
	ss_run_end(l, a, 1, 10, 2, &e);
	ss_run_list(l, 10, run_fn, &sb, &e);
	is_str(sb.buf, "ss-tag:0:0:0:0;ss-search:1:10:2:1;",
	    "runs listed newest first");
	sbuf_release(&sb);
	ss_ledger_close(l);
	free(path);
}

static void
test_backup_restore(void)
{
	struct ss_ledger *l;
	struct ss_item it;
	struct ss_err e = SS_ERR_INIT;
	struct sbuf copy = SBUF_INIT, junk = SBUF_INIT;
	char *path = new_path();
	FILE *f;
	int r;

	l = open_or_bail(path);
	at(4000);
	ss_ledger_done(l, "s", "keep", NULL, "{\"a\":1}", &e);
	sbuf_addf(&copy, "%s.copy", path);
	r = ss_ledger_backup_to(l, copy.buf, &e);
	ok(r == 0, "backup to a file: %s", r ? e.msg : "ok");
	ss_ledger_forget(l, "s", "keep", &e);
	ss_ledger_done(l, "s", "later", NULL, NULL, &e);
	r = ss_ledger_restore_from(l, copy.buf, &e);
	ok(r == 0, "restore from it: %s", r ? e.msg : "ok");
	is_int(ss_ledger_get(l, "s", "keep", &it, &e), 1,
	    "forgotten row is back");
	is_str(it.output, "{\"a\":1}", "with its output");
	ss_item_release(&it);
	is_int(ss_ledger_get(l, "s", "later", &it, &e), 0,
	    "row added after the backup is gone");

	sbuf_addf(&junk, "%s.junk", path);
	if ((f = fopen(junk.buf, "w")) != NULL) {
		fputs("this is not a database\n", f);
		fclose(f);
	}
	r = ss_ledger_restore_from(l, junk.buf, &e);
	ok(r == -1 && strcmp(e.code, "corrupt") == 0,
	    "restore of junk fails: %s", e.msg);
	is_int(ss_ledger_get(l, "s", "keep", &it, &e), 1,
	    "ledger untouched by the failed restore");
	ss_item_release(&it);
	is_int(ss_ledger_enqueue(l, "s", "new", 0, &e), 1,
	    "ledger still writable");
	sbuf_release(&copy);
	sbuf_release(&junk);
	ss_ledger_close(l);
	free(path);
}

static void
test_states(void)
{
	struct ss_err e = SS_ERR_INIT;
	enum ss_state s;
	int i;

	for (i = 0; i < SS_STATE_COUNT; i++)
		ok(ss_state_parse(ss_state_name((enum ss_state)i), &s, &e) ==
		    0 && (int)s == i, "state %s round-trips",
		    ss_state_name((enum ss_state)i));
	ok(ss_state_parse("bogus", &s, &e) == -1 &&
	    strcmp(e.code, "invalid") == 0, "unknown state refused");
}

/* The ledger the configuration names, with the policy it sets. */
static void
test_open_config(void)
{
	struct ss_err e = SS_ERR_INIT;
	struct ss_config *cf = NULL;
	struct ss_ledger *l = NULL;
	struct ss_policy p;
	struct sbuf conf = SBUF_INIT, text = SBUF_INIT;
	char *path = new_path();
	FILE *f;

	unsetenv("SS_HOME");	/* the file alone decides */
	unsetenv("SS_LEDGER");
	sbuf_addf(&conf, "%s/policy.conf", tmpdir);
	sbuf_addf(&text, "ledger = %s\nmax_attempts = 2\n"
	    "backoff_base_seconds = 7\nlease_seconds = 30\n", path);
	f = fopen(conf.buf, "w");
	fputs(text.buf, f);
	fclose(f);
	ok(ss_config_load(&cf, conf.buf, &e) == 0, "config loads (%s)", e.msg);
	ok(cf != NULL && ss_ledger_open_config(&l, cf, &e) == 0,
	    "ledger opened from the configuration (%s)", e.msg);
	if (l != NULL) {
		is_str(ss_ledger_path(l), path, "at the configured path");
		ss_ledger_policy(l, &p);
		ok(p.max_attempts == 2 && p.backoff_base == 7 &&
		    p.lease_seconds == 30 && p.backoff_max == 86400,
		    "with the configured retry policy");
	}
	ss_ledger_close(l);
	ss_config_free(cf);
	unsetenv("HOME");
	unsetenv("XDG_DATA_HOME");
	ok(ss_config_load(&cf, conf.buf, &e) == 0 && ss_config_set(cf,
	    "ledger", "", &e) == 0, "a config that names no ledger");
	ok(ss_ledger_open_config(&l, cf, &e) == -1 && l == NULL &&
	    ss_err_exit(&e) == SS_EX_USAGE,
	    "without a home it is a usage error (%s)", e.msg);
	ss_config_free(cf);
	sbuf_release(&conf);
	sbuf_release(&text);
	free(path);
}

static const struct {
	const char *name;
	void (*fn)(void);
} tests[] = {
	{ "schema", test_schema },
	{ "too_new", test_too_new },
	{ "states", test_states },
	{ "claims", test_claims },
	{ "backoff", test_backoff },
	{ "lease expiry", test_lease_expiry },
	{ "priority", test_priority },
	{ "prune", test_prune },
	{ "cache", test_cache },
	{ "budget", test_budget },
	{ "runs", test_runs },
	{ "backup and restore", test_backup_restore },
	{ "open from the configuration", test_open_config },
};

int
main(void)
{
	struct sbuf cmd = SBUF_INIT;
	size_t i;
	int ret;

	ss_init("t-ledger");
	if (mkdtemp(tmpdir) == NULL) {
		printf("Bail out! mkdtemp failed\n");
		return 1;
	}
	for (i = 0; i < SS_ARRAY_SIZE(tests); i++) {
		printf("# %s\n", tests[i].name);
		unsetenv("SS_NOW");
		tests[i].fn();
	}
	ret = done_testing();
	if (ret == 0) {
		sbuf_addf(&cmd, "rm -rf '%s'", tmpdir);
		if (system(cmd.buf) != 0)
			printf("# could not remove %s\n", tmpdir);
	} else {
		printf("# files kept in %s\n", tmpdir);
	}
	sbuf_release(&cmd);
	return ret;
}
