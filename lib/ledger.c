/* ledger.c: the shared SQLite ledger: schema, memo, leases, budgets, cache. */
#include <sys/stat.h>

#include <fcntl.h>
#include <sqlite3.h>
#include <time.h>
#include <unistd.h>

#include "ss.h"
#include "config.h"
#include "fileio.h"
#include "ledger.h"
#include "ledger-int.h"

#define BUSY_TIMEOUT_MS 10000
#define ITEM_COLS "stage, id, state, attempts, temporary, next_attempt_at, " \
	"last_error, output, priority, lease_owner, lease_until, created_at, " \
	"updated_at"
#define DUE "(state = 'pending' OR (state = 'failed' AND temporary = 1) " \
	"OR (state = 'running' AND lease_until <= ?4))"

/* Every statement the ledger runs, prepared once and kept. */
enum st {
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_GET_SETTING,
	ST_SET_SETTING,
	ST_DEL_SETTING,
	ST_EXPIRE,
	ST_ENQUEUE,
	ST_GET,
	ST_INSERT_RUNNING,
	ST_INSERT_PENDING,
	ST_TAKE,
	ST_CLAIM_NEXT,
	ST_DONE_LEASED,
	ST_DONE_UPSERT,
	ST_FAIL_SET,
	ST_PRIORITY,
	ST_PAUSE,
	ST_RESUME,
	ST_RETRY,
	ST_RETRY_FAILED,
	ST_FORGET,
	ST_PRUNE_ITEMS,
	ST_PRUNE_RUNS,
	ST_LIST,
	ST_COUNTS,
	ST_BUDGET_GET,
	ST_BUDGET_PUT,
	ST_BUDGET_LIST,
	ST_CACHE_GET,
	ST_CACHE_PUT,
	ST_CACHE_PURGE,
	ST_RUN_BEGIN,
	ST_RUN_END,
	ST_RUN_LIST,
	ST_USER_VERSION,
	ST_MAX
};

static const char *const st_sql[ST_MAX] = {
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_GET_SETTING] = "SELECT value FROM settings WHERE key = ?1",
	[ST_SET_SETTING] = "INSERT INTO settings (key, value) VALUES (?1, ?2) "
	    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
	[ST_DEL_SETTING] = "DELETE FROM settings WHERE key = ?1",
	[ST_EXPIRE] = "UPDATE items SET state = 'gave_up', temporary = 0, "
	    "last_error = 'lease expired after ' || attempts || ' attempts', "
	    "lease_owner = NULL, lease_until = NULL, updated_at = ?3 "
	    "WHERE stage = ?1 AND (?4 IS NULL OR id = ?4) AND "
	    "state = 'running' AND lease_until <= ?3 AND attempts >= ?2",
	[ST_ENQUEUE] = "INSERT INTO items (stage, id, priority, created_at, "
	    "updated_at) VALUES (?1, ?2, ?3, ?4, ?4) "
	    "ON CONFLICT (stage, id) DO NOTHING",
	[ST_GET] = "SELECT " ITEM_COLS " FROM items "
	    "WHERE stage = ?1 AND id = ?2",
	[ST_INSERT_RUNNING] = "INSERT INTO items (stage, id, state, attempts, "
	    "lease_owner, lease_until, created_at, updated_at) "
	    "VALUES (?1, ?2, 'running', 1, ?3, ?4, ?5, ?5)",
	[ST_INSERT_PENDING] = "INSERT INTO items (stage, id, created_at, "
	    "updated_at) VALUES (?1, ?2, ?3, ?3)",
	[ST_TAKE] = "UPDATE items SET state = 'running', "
	    "attempts = attempts + ?3, lease_owner = ?4, lease_until = ?5, "
	    "updated_at = ?6 WHERE stage = ?1 AND id = ?2",
	[ST_CLAIM_NEXT] = "UPDATE items SET state = 'running', "
	    "attempts = attempts + 1, lease_owner = ?2, lease_until = ?3, "
	    "updated_at = ?4 WHERE seq = (SELECT seq FROM items "
	    "WHERE stage = ?1 AND next_attempt_at <= ?4 AND " DUE " "
	    "ORDER BY priority DESC, next_attempt_at, seq LIMIT 1) "
	    "RETURNING " ITEM_COLS,
	[ST_DONE_LEASED] = "UPDATE items SET state = 'done', output = ?4, "
	    "last_error = NULL, temporary = 0, next_attempt_at = 0, "
	    "lease_owner = NULL, lease_until = NULL, updated_at = ?5 "
	    "WHERE stage = ?1 AND id = ?2 AND lease_owner = ?3 AND "
	    "state IN ('running', 'paused')",
	[ST_DONE_UPSERT] = "INSERT INTO items (stage, id, state, attempts, "
	    "output, created_at, updated_at) "
	    "VALUES (?1, ?2, 'done', 1, ?3, ?4, ?4) "
	    "ON CONFLICT (stage, id) DO UPDATE SET state = 'done', "
	    "output = excluded.output, last_error = NULL, temporary = 0, "
	    "next_attempt_at = 0, lease_owner = NULL, lease_until = NULL, "
	    "updated_at = excluded.updated_at",
	[ST_FAIL_SET] = "INSERT INTO items (stage, id, state, attempts, "
	    "temporary, next_attempt_at, last_error, created_at, updated_at) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8) "
	    "ON CONFLICT (stage, id) DO UPDATE SET state = excluded.state, "
	    "attempts = excluded.attempts, temporary = excluded.temporary, "
	    "next_attempt_at = excluded.next_attempt_at, "
	    "last_error = excluded.last_error, lease_owner = NULL, "
	    "lease_until = NULL, updated_at = excluded.updated_at",
	[ST_PRIORITY] = "UPDATE items SET priority = ?3, updated_at = ?4 "
	    "WHERE stage = ?1 AND id = ?2",
	[ST_PAUSE] = "UPDATE items SET state = 'paused', updated_at = ?3 "
	    "WHERE (?1 IS NULL OR stage = ?1) AND id = ?2 AND "
	    "state IN ('pending', 'running', 'failed')",
	[ST_RESUME] = "UPDATE items SET state = CASE "
	    "WHEN lease_owner IS NOT NULL AND lease_until > ?3 THEN 'running' "
	    "WHEN last_error IS NOT NULL THEN 'failed' ELSE 'pending' END, "
	    "updated_at = ?3 "
	    "WHERE (?1 IS NULL OR stage = ?1) AND id = ?2 AND state = 'paused'",
	[ST_RETRY] = "UPDATE items SET state = 'pending', attempts = 0, "
	    "temporary = 0, next_attempt_at = 0, last_error = NULL, "
	    "output = NULL, lease_owner = NULL, lease_until = NULL, "
	    "updated_at = ?3 WHERE (?1 IS NULL OR stage = ?1) AND id = ?2",
	[ST_RETRY_FAILED] = "UPDATE items SET state = 'pending', "
	    "attempts = 0, temporary = 0, next_attempt_at = 0, "
	    "last_error = NULL, output = NULL, lease_owner = NULL, "
	    "lease_until = NULL, updated_at = ?2 "
	    "WHERE (?1 IS NULL OR stage = ?1) AND "
	    "state IN ('failed', 'gave_up')",
	[ST_FORGET] = "DELETE FROM items "
	    "WHERE (?1 IS NULL OR stage = ?1) AND id = ?2",
	[ST_PRUNE_ITEMS] = "DELETE FROM items WHERE updated_at < ?1 AND "
	    "(state IN ('done', 'gave_up') OR "
	    "(state = 'failed' AND temporary = 0))",
	[ST_PRUNE_RUNS] = "DELETE FROM runs "
	    "WHERE ended_at IS NOT NULL AND ended_at < ?1",
	[ST_LIST] = "SELECT " ITEM_COLS " FROM items "
	    "WHERE (?1 IS NULL OR stage = ?1) AND (?2 IS NULL OR state = ?2) "
	    "AND (?3 IS NULL OR id = ?3) ORDER BY stage, seq",
	[ST_COUNTS] = "SELECT stage, state, count(*) FROM items "
	    "GROUP BY stage, state ORDER BY stage, state",
	[ST_BUDGET_GET] = "SELECT tokens, capacity, period, updated_at "
	    "FROM budgets WHERE name = ?1",
	[ST_BUDGET_PUT] = "INSERT INTO budgets (name, tokens, capacity, "
	    "period, updated_at) VALUES (?1, ?2, ?3, ?4, ?5) "
	    "ON CONFLICT (name) DO UPDATE SET tokens = excluded.tokens, "
	    "capacity = excluded.capacity, period = excluded.period, "
	    "updated_at = excluded.updated_at",
	[ST_BUDGET_LIST] = "SELECT name, tokens, capacity, period, updated_at "
	    "FROM budgets ORDER BY name",
	[ST_CACHE_GET] = "SELECT value FROM cache "
	    "WHERE key = ?1 AND expires_at > ?2",
	[ST_CACHE_PUT] = "INSERT INTO cache (key, value, expires_at, "
	    "created_at) VALUES (?1, ?2, ?3, ?4) "
	    "ON CONFLICT (key) DO UPDATE SET value = excluded.value, "
	    "expires_at = excluded.expires_at, "
	    "created_at = excluded.created_at",
	[ST_CACHE_PURGE] = "DELETE FROM cache WHERE expires_at <= ?1",
	[ST_RUN_BEGIN] = "INSERT INTO runs (program, pid, started_at) "
	    "VALUES (?1, ?2, ?3)",
	[ST_RUN_END] = "UPDATE runs SET ended_at = ?2, status = ?3, "
	    "handled = ?4, failed = ?5 WHERE id = ?1",
	[ST_RUN_LIST] = "SELECT id, program, pid, started_at, ended_at, "
	    "status, handled, failed FROM runs ORDER BY id DESC LIMIT ?1",
	[ST_USER_VERSION] = "PRAGMA user_version",
};

struct ss_ledger {
	sqlite3 *db;
	char *path;
	char *owner;
	int version;
	struct ss_policy policy;
	sqlite3_stmt *st[ST_MAX];
};

static const char *const state_names[SS_STATE_COUNT] = {
	"pending", "running", "done", "failed", "gave_up", "paused"
};

static const char *const claim_names[] = {
	"claimed", "done", "leased", "not_due", "paused", "gave_up", "failed",
	"none"
};

const char *
ss_state_name(enum ss_state s)
{
	if ((unsigned)s >= SS_STATE_COUNT)
		return "unknown";
	return state_names[s];
}

int
ss_state_parse(const char *name, enum ss_state *s, struct ss_err *e)
{
	size_t i;

	for (i = 0; i < SS_STATE_COUNT; i++) {
		if (strcmp(name, state_names[i]) == 0) {
			*s = (enum ss_state)i;
			return 0;
		}
	}
	return ss_err_set(e, "invalid", 0, "unknown state '%s' (one of "
	    "pending, running, done, failed, gave_up, paused)", name);
}

const char *
ss_claim_name(enum ss_claim c)
{
	if ((unsigned)c >= SS_ARRAY_SIZE(claim_names))
		return "unknown";
	return claim_names[c];
}

sqlite3 *
ss_ledger_sqlite(struct ss_ledger *l)
{
	return l->db;
}

int
ss_ledger_db_err(struct ss_ledger *l, int rc, const char *what,
    struct ss_err *e)
{
	int prim = rc & 0xff;

	if (prim == SQLITE_BUSY || prim == SQLITE_LOCKED)
		return ss_err_set(e, "busy", 1, "ledger '%s' is busy: %s: %s",
		    l->path, what, sqlite3_errstr(rc));
	return ss_err_set(e, "sqlite", 0, "ledger '%s': %s: %s", l->path,
	    what, l->db != NULL && sqlite3_errcode(l->db) == rc ?
	    sqlite3_errmsg(l->db) : sqlite3_errstr(rc));
}

/* The cached statement, reset and unbound, or NULL with e filled. */
static sqlite3_stmt *
prep(struct ss_ledger *l, enum st which, struct ss_err *e)
{
	sqlite3_stmt *s = l->st[which];
	int rc;

	if (s != NULL) {
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
		return s;
	}
	rc = sqlite3_prepare_v3(l->db, st_sql[which], -1,
	    SQLITE_PREPARE_PERSISTENT, &s, NULL);
	if (rc != SQLITE_OK) {
		ss_ledger_db_err(l, rc, "preparing a statement", e);
		return NULL;
	}
	l->st[which] = s;
	return s;
}

static void
finalize_all(struct ss_ledger *l)
{
	size_t i;

	for (i = 0; i < ST_MAX; i++) {
		sqlite3_finalize(l->st[i]);
		l->st[i] = NULL;
	}
}

static void
bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v == NULL)
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
}

/* Steps a statement that returns no rows; resets it. */
static int
run(struct ss_ledger *l, sqlite3_stmt *s, const char *what, struct ss_err *e)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return ss_ledger_db_err(l, rc, what, e);
	return 0;
}

/* Like run, then returns the number of rows changed. */
static int
run_changes(struct ss_ledger *l, sqlite3_stmt *s, const char *what,
    struct ss_err *e)
{
	if (run(l, s, what, e) == -1)
		return -1;
	return sqlite3_changes(l->db);
}

static char *
col_strdup(sqlite3_stmt *s, int i)
{
	const unsigned char *t;

	if (sqlite3_column_type(s, i) == SQLITE_NULL)
		return NULL;
	t = sqlite3_column_text(s, i);
	return xmemdupz(t, (size_t)sqlite3_column_bytes(s, i));
}

/* Reads the ITEM_COLS of the current row into *it. */
static void
read_item(sqlite3_stmt *s, struct ss_item *it)
{
	enum ss_state st = SS_STATE_PENDING;

	it->stage = col_strdup(s, 0);
	it->id = col_strdup(s, 1);
	ss_state_parse((const char *)sqlite3_column_text(s, 2), &st, NULL);
	it->state = st;
	it->attempts = sqlite3_column_int(s, 3);
	it->temporary = sqlite3_column_int(s, 4);
	it->next_attempt_at = sqlite3_column_double(s, 5);
	it->last_error = col_strdup(s, 6);
	it->output = col_strdup(s, 7);
	it->priority = sqlite3_column_int64(s, 8);
	it->lease_owner = col_strdup(s, 9);
	it->lease_until = sqlite3_column_double(s, 10);
	it->created_at = sqlite3_column_double(s, 11);
	it->updated_at = sqlite3_column_double(s, 12);
}

void
ss_item_release(struct ss_item *it)
{
	free(it->stage);
	free(it->id);
	free(it->last_error);
	free(it->output);
	free(it->lease_owner);
	memset(it, 0, sizeof(*it));
}

/* Starts a transaction unless one is open; *own says who ends it. */
static int
tx_begin(struct ss_ledger *l, int *own, struct ss_err *e)
{
	*own = 0;
	if (!sqlite3_get_autocommit(l->db))
		return 0;
	if (ss_ledger_begin(l, e) == -1)
		return -1;
	*own = 1;
	return 0;
}

/* Ends what tx_begin started: commit if ret is 0, else roll back. */
static int
tx_end(struct ss_ledger *l, int own, int ret, struct ss_err *e)
{
	if (!own)
		return ret;
	if (ret == -1) {
		ss_ledger_rollback(l);
		return -1;
	}
	if (ss_ledger_commit(l, e) == -1)
		return -1;
	return ret;
}

int
ss_ledger_begin(struct ss_ledger *l, struct ss_err *e)
{
	sqlite3_stmt *s = prep(l, ST_BEGIN, e);

	if (s == NULL)
		return -1;
	return run(l, s, "starting a transaction", e);
}

int
ss_ledger_commit(struct ss_ledger *l, struct ss_err *e)
{
	sqlite3_stmt *s = prep(l, ST_COMMIT, e);

	if (s == NULL || run(l, s, "committing", e) == -1) {
		ss_ledger_rollback(l);
		return -1;
	}
	return 0;
}

void
ss_ledger_rollback(struct ss_ledger *l)
{
	sqlite3_stmt *s;

	if (sqlite3_get_autocommit(l->db))
		return;
	if ((s = prep(l, ST_ROLLBACK, NULL)) != NULL)
		run(l, s, "rolling back", NULL);
}

/* Creates the directory holding path (mode 0700) if it is missing. */
static int
make_parent(const char *path, struct ss_err *e)
{
	char *dir = xstrdup(path), *p;
	int ret = 0;

	if ((p = strrchr(dir, '/')) != NULL && p != dir) {
		*p = '\0';
		ret = ss_mkdirs(dir, 0700, e);
	}
	free(dir);
	return ret;
}

static int
user_version(struct ss_ledger *l, int *v, struct ss_err *e)
{
	sqlite3_stmt *s = prep(l, ST_USER_VERSION, e);
	int rc;

	if (s == NULL)
		return -1;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW)
		return ss_ledger_db_err(l, rc, "reading the schema version", e);
	return 0;
}

/* The user_version of another database file, for restore. */
static int
file_version(sqlite3 *db, const char *path, int *v, struct ss_err *e)
{
	sqlite3_stmt *s = NULL;
	int rc, ret = -1;

	rc = sqlite3_prepare_v2(db, st_sql[ST_USER_VERSION], -1, &s, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		ss_err_set(e, "corrupt", 0, "'%s': %s", path,
		    sqlite3_errmsg(db));
		goto out;
	}
	*v = sqlite3_column_int(s, 0);
	ret = 0;
out:
	sqlite3_finalize(s);
	return ret;
}

int
ss_ledger_known_version(void)
{
	return ss_migrations[ss_migrations_count - 1].version;
}

static int
too_new(const char *what, const char *path, int v, struct ss_err *e)
{
	return ss_err_set(e, "too_new", 0, "%s '%s' has schema version %d, "
	    "newer than this program knows (%d); upgrade SoulSpot", what,
	    path, v, ss_ledger_known_version());
}

/* Applies the missing migrations, one IMMEDIATE transaction each. */
static int
migrate(struct ss_ledger *l, struct ss_err *e)
{
	const struct ss_migration *m;
	char pragma[64], *msg = NULL;
	size_t i;
	int v, rc, ret = -1;

	if (user_version(l, &v, e) == -1)
		return -1;
	if (v > ss_ledger_known_version())
		return too_new("ledger", l->path, v, e);
	for (i = 0; i < ss_migrations_count; i++) {
		m = &ss_migrations[i];
		if (m->version <= v)
			continue;
		if (ss_ledger_begin(l, e) == -1)
			goto out;
		/* Another process may have migrated while we waited. */
		if (user_version(l, &v, e) == -1)
			goto fail;
		if (v > ss_ledger_known_version()) {
			too_new("ledger", l->path, v, e);
			goto fail;
		}
		if (m->version <= v) {
			ss_ledger_rollback(l);
			continue;
		}
		rc = sqlite3_exec(l->db, m->sql, NULL, NULL, &msg);
		if (rc != SQLITE_OK) {
			ss_err_set(e, "sqlite", 0, "ledger '%s': migration %s: "
			    "%s", l->path, m->name, msg ? msg : "failed");
			goto fail;
		}
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d",
		    m->version);
		rc = sqlite3_exec(l->db, pragma, NULL, NULL, NULL);
		if (rc != SQLITE_OK) {
			ss_ledger_db_err(l, rc, "setting the schema version", e);
			goto fail;
		}
		if (ss_ledger_commit(l, e) == -1)
			goto out;
		v = m->version;
	}
	l->version = v;
	ret = 0;
	goto out;
fail:
	ss_ledger_rollback(l);
out:
	sqlite3_free(msg);
	return ret;
}

static void
make_owner(struct ss_ledger *l)
{
	struct sbuf sb = SBUF_INIT;
	char host[256];

	if (gethostname(host, sizeof(host)) == -1)
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	sbuf_addf(&sb, "%s:%ld:%08x", host, (long)getpid(),
	    (unsigned)(ss_random64() & 0xffffffffu));
	l->owner = sbuf_detach(&sb, NULL);
}

int
ss_ledger_open(struct ss_ledger **lp, const char *path, struct ss_err *e)
{
	static const struct ss_policy def = SS_POLICY_DEFAULT;
	struct ss_ledger *l = xcalloc(1, sizeof(*l));
	int fd, rc, ret = -1;

	l->path = xstrdup(path);
	l->policy = def;
	make_owner(l);
	if (make_parent(path, e) == -1)
		goto out;
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1) {
		ss_err_errno(e, "cannot open ledger '%s'", path);
		goto out;
	}
	close(fd);
	rc = sqlite3_open_v2(path, &l->db, SQLITE_OPEN_READWRITE, NULL);
	if (rc != SQLITE_OK) {
		ss_ledger_db_err(l, rc, "opening", e);
		goto out;
	}
	sqlite3_extended_result_codes(l->db, 1);
	sqlite3_busy_timeout(l->db, BUSY_TIMEOUT_MS);
	/*
	 * 16 KiB pages (only a new, empty file takes it): the file index
	 * keeps a JSON record of 1-2 KB per row, which 4 KiB pages split
	 * into overflow pages, several writes per row.
	 */
	rc = sqlite3_exec(l->db, "PRAGMA page_size = 16384; "
	    "PRAGMA journal_mode = WAL; "
	    "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL",
	    NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		ss_ledger_db_err(l, rc, "setting up", e);
		goto out;
	}
	if (migrate(l, e) == -1)
		goto out;
	*lp = l;
	l = NULL;
	ret = 0;
out:
	ss_ledger_close(l);
	return ret;
}

void
ss_ledger_close(struct ss_ledger *l)
{
	if (l == NULL)
		return;
	finalize_all(l);
	sqlite3_close(l->db);
	free(l->path);
	free(l->owner);
	free(l);
}

const char *
ss_ledger_path(const struct ss_ledger *l)
{
	return l->path;
}

const char *
ss_ledger_owner(const struct ss_ledger *l)
{
	return l->owner;
}

int
ss_ledger_version(const struct ss_ledger *l)
{
	return l->version;
}

int
ss_ledger_set_policy(struct ss_ledger *l, const struct ss_policy *p,
    struct ss_err *e)
{
	if (!(p->lease_seconds > 0) || p->max_attempts < 1 ||
	    !(p->backoff_base > 0) || !(p->backoff_max > 0))
		return ss_err_set(e, "invalid", 0, "retry policy values must "
		    "be positive");
	l->policy = *p;
	return 0;
}

void
ss_ledger_policy(const struct ss_ledger *l, struct ss_policy *p)
{
	*p = l->policy;
}

int
ss_ledger_open_config(struct ss_ledger **lp, const struct ss_config *c,
    struct ss_err *e)
{
	struct sbuf path = SBUF_INIT;
	struct ss_policy p;
	int r = -1;

	*lp = NULL;
	if (ss_config_ledger_path(c, &path, e) == -1 ||
	    ss_policy_from_config(&p, c, e) == -1 ||
	    ss_ledger_open(lp, path.buf, e) == -1)
		goto out;
	if (ss_ledger_set_policy(*lp, &p, e) == -1) {
		ss_ledger_close(*lp);
		*lp = NULL;
		goto out;
	}
	r = 0;
out:
	sbuf_release(&path);
	return r;
}

int
ss_policy_from_config(struct ss_policy *p, const struct ss_config *c,
    struct ss_err *e)
{
	long long lease, max, base, cap;

	if (ss_config_get_int(c, "lease_seconds", 1, 86400 * 365, &lease,
	    e) == -1 ||
	    ss_config_get_int(c, "max_attempts", 1, 1000, &max, e) == -1 ||
	    ss_config_get_int(c, "backoff_base_seconds", 1, 86400 * 365,
	    &base, e) == -1 ||
	    ss_config_get_int(c, "backoff_max_seconds", 1, 86400 * 365, &cap,
	    e) == -1)
		return -1;
	p->lease_seconds = (double)lease;
	p->max_attempts = (int)max;
	p->backoff_base = (double)base;
	p->backoff_max = (double)cap;
	return 0;
}

int
ss_ledger_enqueue(struct ss_ledger *l, const char *stage, const char *id,
    long long priority, struct ss_err *e)
{
	sqlite3_stmt *s = prep(l, ST_ENQUEUE, e);

	if (s == NULL)
		return -1;
	bind_text(s, 1, stage);
	bind_text(s, 2, id);
	sqlite3_bind_int64(s, 3, priority);
	sqlite3_bind_double(s, 4, ss_now());
	return run_changes(l, s, "adding an item", e);
}

int
ss_ledger_set_priority(struct ss_ledger *l, const char *stage,
    const char *id, long long priority, struct ss_err *e)
{
	sqlite3_stmt *s = prep(l, ST_PRIORITY, e);

	if (s == NULL)
		return -1;
	bind_text(s, 1, stage);
	bind_text(s, 2, id);
	sqlite3_bind_int64(s, 3, priority);
	sqlite3_bind_double(s, 4, ss_now());
	return run_changes(l, s, "setting a priority", e);
}

int
ss_ledger_get(struct ss_ledger *l, const char *stage, const char *id,
    struct ss_item *it, struct ss_err *e)
{
	sqlite3_stmt *s = prep(l, ST_GET, e);
	int rc, ret = -1;

	if (s == NULL)
		return -1;
	bind_text(s, 1, stage);
	bind_text(s, 2, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		read_item(s, it);
		ret = 1;
	} else if (rc == SQLITE_DONE) {
		ret = 0;
	} else {
		ss_ledger_db_err(l, rc, "reading an item", e);
	}
	sqlite3_reset(s);
	return ret;
}

/* Gives up on leases that expired after the last allowed attempt. */
static int
expire(struct ss_ledger *l, const char *stage, const char *id, double now,
    struct ss_err *e)
{
	sqlite3_stmt *s = prep(l, ST_EXPIRE, e);

	if (s == NULL)
		return -1;
	bind_text(s, 1, stage);
	sqlite3_bind_int(s, 2, l->policy.max_attempts);
	sqlite3_bind_double(s, 3, now);
	bind_text(s, 4, id);
	return run(l, s, "expiring leases", e);
}

static int
is_paused(struct ss_ledger *l, int *paused, struct ss_err *e)
{
	sqlite3_stmt *s = prep(l, ST_GET_SETTING, e);
	int rc;

	if (s == NULL)
		return -1;
	bind_text(s, 1, "paused");
	rc = sqlite3_step(s);
	*paused = rc == SQLITE_ROW &&
	    strcmp((const char *)sqlite3_column_text(s, 0), "1") == 0;
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return ss_ledger_db_err(l, rc, "reading the pause switch", e);
	return 0;
}

int
ss_ledger_paused(struct ss_ledger *l, int *paused, struct ss_err *e)
{
	return is_paused(l, paused, e);
}

int
ss_ledger_set_paused(struct ss_ledger *l, int paused, struct ss_err *e)
{
	sqlite3_stmt *s = prep(l, paused ? ST_SET_SETTING : ST_DEL_SETTING, e);

	if (s == NULL)
		return -1;
	bind_text(s, 1, "paused");
	if (paused)
		bind_text(s, 2, "1");
	return run(l, s, "setting the pause switch", e);
}

/* Takes (stage, id) for this owner; adds is 1 to count an attempt. */
static int
take(struct ss_ledger *l, const char *stage, const char *id, int adds,
    double now, struct ss_err *e)
{
	sqlite3_stmt *s = prep(l, ST_TAKE, e);

	if (s == NULL)
		return -1;
	bind_text(s, 1, stage);
	bind_text(s, 2, id);
	sqlite3_bind_int(s, 3, adds);
	bind_text(s, 4, l->owner);
	sqlite3_bind_double(s, 5, now + l->policy.lease_seconds);
	sqlite3_bind_double(s, 6, now);
	return run(l, s, "claiming an item", e);
}

static int
insert_new(struct ss_ledger *l, const char *stage, const char *id,
    int running, double now, struct ss_err *e)
{
	sqlite3_stmt *s;

	s = prep(l, running ? ST_INSERT_RUNNING : ST_INSERT_PENDING, e);
	if (s == NULL)
		return -1;
	bind_text(s, 1, stage);
	bind_text(s, 2, id);
	if (running) {
		bind_text(s, 3, l->owner);
		sqlite3_bind_double(s, 4, now + l->policy.lease_seconds);
		sqlite3_bind_double(s, 5, now);
	} else {
		sqlite3_bind_double(s, 3, now);
	}
	return run(l, s, "adding an item", e);
}

/* Decides a claim of the existing item *it; may take it. */
static int
claim_existing(struct ss_ledger *l, struct ss_item *it, int paused,
    double now, struct ss_err *e)
{
	int mine;

	switch (it->state) {
	case SS_STATE_DONE:
		return SS_CLAIM_DONE;
	case SS_STATE_PAUSED:
		return SS_CLAIM_PAUSED;
	case SS_STATE_GAVE_UP:
		return SS_CLAIM_GAVE_UP;
	case SS_STATE_FAILED:
		if (!it->temporary)
			return SS_CLAIM_FAILED;
		break;
	default:
		break;
	}
	if (paused)
		return SS_CLAIM_PAUSED;
	mine = it->lease_owner != NULL &&
	    strcmp(it->lease_owner, l->owner) == 0;
	if (it->state == SS_STATE_RUNNING && it->lease_until > now) {
		if (!mine)
			return SS_CLAIM_LEASED;
		if (take(l, it->stage, it->id, 0, now, e) == -1)
			return -1;
		return SS_CLAIM_CLAIMED;
	}
	if (it->next_attempt_at > now)
		return SS_CLAIM_NOT_DUE;
	if (take(l, it->stage, it->id, 1, now, e) == -1)
		return -1;
	return SS_CLAIM_CLAIMED;
}

int
ss_ledger_claim(struct ss_ledger *l, const char *stage, const char *id,
    struct ss_item *it, struct ss_err *e)
{
	double now = ss_now();
	int own, paused, r, ret = -1;

	memset(it, 0, sizeof(*it));
	if (tx_begin(l, &own, e) == -1)
		return -1;
	if (expire(l, stage, id, now, e) == -1 ||
	    is_paused(l, &paused, e) == -1 ||
	    (r = ss_ledger_get(l, stage, id, it, e)) == -1)
		goto out;
	if (r == 0) {
		if (insert_new(l, stage, id, !paused, now, e) == -1)
			goto out;
		ret = paused ? SS_CLAIM_PAUSED : SS_CLAIM_CLAIMED;
	} else if ((ret = claim_existing(l, it, paused, now, e)) == -1) {
		goto out;
	}
	ss_item_release(it);
	if (ss_ledger_get(l, stage, id, it, e) != 1) {
		ss_err_set(e, "sqlite", 0, "ledger '%s': item '%s' vanished",
		    l->path, id);
		ret = -1;
	}
out:
	ret = tx_end(l, own, ret, e);
	if (ret == -1)
		ss_item_release(it);
	return ret;
}

int
ss_ledger_claim_next(struct ss_ledger *l, const char *stage,
    struct ss_item *it, struct ss_err *e)
{
	sqlite3_stmt *s;
	double now = ss_now();
	int own, paused, rc, ret = -1;

	memset(it, 0, sizeof(*it));
	if (tx_begin(l, &own, e) == -1)
		return -1;
	if (is_paused(l, &paused, e) == -1)
		goto out;
	if (paused) {
		ret = SS_CLAIM_PAUSED;
		goto out;
	}
	if (expire(l, stage, NULL, now, e) == -1 ||
	    (s = prep(l, ST_CLAIM_NEXT, e)) == NULL)
		goto out;
	bind_text(s, 1, stage);
	bind_text(s, 2, l->owner);
	sqlite3_bind_double(s, 3, now + l->policy.lease_seconds);
	sqlite3_bind_double(s, 4, now);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		read_item(s, it);
		ret = SS_CLAIM_CLAIMED;
		rc = sqlite3_step(s);
	} else {
		ret = SS_CLAIM_NONE;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		ss_ledger_db_err(l, rc, "claiming the next item", e);
		ret = -1;
	}
out:
	ret = tx_end(l, own, ret, e);
	if (ret == -1)
		ss_item_release(it);
	return ret;
}

static int
lease_lost(struct ss_ledger *l, const char *stage, const char *id,
    struct ss_err *e)
{
	return ss_err_set(e, "lease_lost", 0, "'%s' in stage %s is no longer "
	    "leased to this process (%s)", id, stage, l->owner);
}

int
ss_ledger_done(struct ss_ledger *l, const char *stage, const char *id,
    const char *owner, const char *output, struct ss_err *e)
{
	sqlite3_stmt *s;
	int n;

	s = prep(l, owner != NULL ? ST_DONE_LEASED : ST_DONE_UPSERT, e);
	if (s == NULL)
		return -1;
	bind_text(s, 1, stage);
	bind_text(s, 2, id);
	if (owner != NULL) {
		bind_text(s, 3, owner);
		bind_text(s, 4, output);
		sqlite3_bind_double(s, 5, ss_now());
	} else {
		bind_text(s, 3, output);
		sqlite3_bind_double(s, 4, ss_now());
	}
	if ((n = run_changes(l, s, "recording a result", e)) == -1)
		return -1;
	if (n == 0)
		return lease_lost(l, stage, id, e);
	return 0;
}

/* base * 2^(attempts-1), capped, times a jitter factor in [0.8, 1]. */
static double
backoff(const struct ss_policy *p, int attempts)
{
	double d = p->backoff_base, r;
	int i;

	for (i = 1; i < attempts && d < p->backoff_max; i++)
		d *= 2;
	if (d > p->backoff_max)
		d = p->backoff_max;
	r = (double)(ss_random64() >> 11) / 9007199254740992.0;
	return d * (1.0 - 0.2 * r);
}

int
ss_ledger_fail(struct ss_ledger *l, const char *stage, const char *id,
    const char *owner, const struct ss_err *why, double retry_after,
    enum ss_state *state, double *next, struct ss_err *e)
{
	struct ss_item it = { 0 };
	struct sbuf msg = SBUF_INIT;
	sqlite3_stmt *s;
	enum ss_state st;
	double now = ss_now(), when = 0, delay;
	int own, r, attempts, temporary = 0, ret = -1;

	if (tx_begin(l, &own, e) == -1)
		return -1;
	if ((r = ss_ledger_get(l, stage, id, &it, e)) == -1)
		goto out;
	if (owner != NULL && (r == 0 || it.lease_owner == NULL ||
	    strcmp(it.lease_owner, owner) != 0 ||
	    (it.state != SS_STATE_RUNNING && it.state != SS_STATE_PAUSED))) {
		lease_lost(l, stage, id, e);
		goto out;
	}
	attempts = r == 0 ? 0 : it.attempts;
	if (owner == NULL && (r == 0 || it.state != SS_STATE_RUNNING))
		attempts++;
	if (attempts < 1)
		attempts = 1;
	if (why->temporary && attempts >= l->policy.max_attempts) {
		st = SS_STATE_GAVE_UP;
	} else if (why->temporary) {
		st = SS_STATE_FAILED;
		temporary = 1;
		delay = backoff(&l->policy, attempts);
		if (retry_after > delay)
			delay = retry_after;
		when = now + delay;
	} else {
		st = SS_STATE_FAILED;
	}
	if (r == 1 && it.state == SS_STATE_PAUSED && st == SS_STATE_FAILED)
		st = SS_STATE_PAUSED;
	if (why->code[0] != '\0')
		sbuf_addf(&msg, "%s: ", why->code);
	sbuf_adds(&msg, why->msg);
	if ((s = prep(l, ST_FAIL_SET, e)) == NULL)
		goto out;
	bind_text(s, 1, stage);
	bind_text(s, 2, id);
	bind_text(s, 3, ss_state_name(st));
	sqlite3_bind_int(s, 4, attempts);
	sqlite3_bind_int(s, 5, temporary);
	sqlite3_bind_double(s, 6, when);
	bind_text(s, 7, msg.buf);
	sqlite3_bind_double(s, 8, now);
	if (run(l, s, "recording a failure", e) == -1)
		goto out;
	if (state != NULL)
		*state = st;
	if (next != NULL)
		*next = when;
	ret = 0;
out:
	ss_item_release(&it);
	sbuf_release(&msg);
	return tx_end(l, own, ret, e);
}

/* Runs one of the (stage, id, now) item updates; returns rows changed. */
static int
item_update(struct ss_ledger *l, enum st which, const char *stage,
    const char *id, const char *what, struct ss_err *e)
{
	sqlite3_stmt *s = prep(l, which, e);

	if (s == NULL)
		return -1;
	bind_text(s, 1, stage);
	bind_text(s, 2, id);
	if (which != ST_FORGET)
		sqlite3_bind_double(s, 3, ss_now());
	return run_changes(l, s, what, e);
}

int
ss_ledger_pause(struct ss_ledger *l, const char *stage, const char *id,
    struct ss_err *e)
{
	return item_update(l, ST_PAUSE, stage, id, "pausing", e);
}

int
ss_ledger_resume(struct ss_ledger *l, const char *stage, const char *id,
    struct ss_err *e)
{
	return item_update(l, ST_RESUME, stage, id, "resuming", e);
}

int
ss_ledger_retry(struct ss_ledger *l, const char *stage, const char *id,
    struct ss_err *e)
{
	return item_update(l, ST_RETRY, stage, id, "resetting", e);
}

int
ss_ledger_forget(struct ss_ledger *l, const char *stage, const char *id,
    struct ss_err *e)
{
	return item_update(l, ST_FORGET, stage, id, "forgetting", e);
}

int
ss_ledger_retry_failed(struct ss_ledger *l, const char *stage,
    struct ss_err *e)
{
	sqlite3_stmt *s = prep(l, ST_RETRY_FAILED, e);

	if (s == NULL)
		return -1;
	bind_text(s, 1, stage);
	sqlite3_bind_double(s, 2, ss_now());
	return run_changes(l, s, "resetting failed items", e);
}

int
ss_ledger_prune(struct ss_ledger *l, double days, int *items, int *runs,
    struct ss_err *e)
{
	sqlite3_stmt *s;
	double cut = ss_now() - days * 86400;
	int own, ni = 0, nr = 0, ret = -1;

	if (!(days >= 0))
		return ss_err_set(e, "invalid", 0, "negative age");
	if (tx_begin(l, &own, e) == -1)
		return -1;
	if ((s = prep(l, ST_PRUNE_ITEMS, e)) == NULL)
		goto out;
	sqlite3_bind_double(s, 1, cut);
	if ((ni = run_changes(l, s, "pruning items", e)) == -1)
		goto out;
	if ((s = prep(l, ST_PRUNE_RUNS, e)) == NULL)
		goto out;
	sqlite3_bind_double(s, 1, cut);
	if ((nr = run_changes(l, s, "pruning runs", e)) == -1)
		goto out;
	if (items != NULL)
		*items = ni;
	if (runs != NULL)
		*runs = nr;
	ret = 0;
out:
	return tx_end(l, own, ret, e);
}

int
ss_ledger_list(struct ss_ledger *l, const char *stage, const char *state,
    const char *id, ss_item_fn *fn, void *arg, struct ss_err *e)
{
	struct ss_item it;
	sqlite3_stmt *s;
	enum ss_state st;
	int rc, r = 0;

	if (state != NULL && ss_state_parse(state, &st, e) == -1)
		return -1;
	if ((s = prep(l, ST_LIST, e)) == NULL)
		return -1;
	bind_text(s, 1, stage);
	bind_text(s, 2, state);
	bind_text(s, 3, id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		read_item(s, &it);
		r = fn(&it, arg);
		ss_item_release(&it);
		if (r != 0)
			break;
	}
	sqlite3_reset(s);
	if (r != 0)
		return r;
	if (rc != SQLITE_DONE)
		return ss_ledger_db_err(l, rc, "listing items", e);
	return 0;
}

int
ss_ledger_counts(struct ss_ledger *l, ss_count_fn *fn, void *arg,
    struct ss_err *e)
{
	sqlite3_stmt *s = prep(l, ST_COUNTS, e);
	enum ss_state st;
	int rc, r = 0;

	if (s == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		st = SS_STATE_PENDING;
		ss_state_parse((const char *)sqlite3_column_text(s, 1), &st,
		    NULL);
		r = fn((const char *)sqlite3_column_text(s, 0), st,
		    sqlite3_column_int64(s, 2), arg);
		if (r != 0)
			break;
	}
	sqlite3_reset(s);
	if (r != 0)
		return r;
	if (rc != SQLITE_DONE)
		return ss_ledger_db_err(l, rc, "counting items", e);
	return 0;
}

/* Tokens in a bucket at now, refilled since updated_at. */
static double
refill(double tokens, double capacity, double period, double updated,
    double now)
{
	if (now > updated)
		tokens += (now - updated) * capacity / period;
	if (tokens > capacity)
		tokens = capacity;
	return tokens;
}

int
ss_budget_take(struct ss_ledger *l, const char *name, double capacity,
    double period, double *wait, struct ss_err *e)
{
	sqlite3_stmt *s;
	double now = ss_now(), tokens;
	int own, rc, ret = -1;

	if (!(capacity > 0) || !(period > 0))
		return ss_err_set(e, "invalid", 0, "budget '%s': capacity and "
		    "period must be positive", name);
	if (tx_begin(l, &own, e) == -1)
		return -1;
	if ((s = prep(l, ST_BUDGET_GET, e)) == NULL)
		goto out;
	bind_text(s, 1, name);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		tokens = refill(sqlite3_column_double(s, 0), capacity, period,
		    sqlite3_column_double(s, 3), now);
	else
		tokens = capacity;
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		ss_ledger_db_err(l, rc, "reading a budget", e);
		goto out;
	}
	/* A tiny slack so rounding cannot make a waiter wait forever. */
	if (tokens < 1 - 1e-9) {
		*wait = (1 - tokens) * period / capacity;
		ret = 0;
		goto out;
	}
	if ((s = prep(l, ST_BUDGET_PUT, e)) == NULL)
		goto out;
	bind_text(s, 1, name);
	sqlite3_bind_double(s, 2, tokens > 1 ? tokens - 1 : 0);
	sqlite3_bind_double(s, 3, capacity);
	sqlite3_bind_double(s, 4, period);
	sqlite3_bind_double(s, 5, now);
	if (run(l, s, "taking from a budget", e) == -1)
		goto out;
	*wait = 0;
	ret = 0;
out:
	return tx_end(l, own, ret, e);
}

int
ss_budget_wait(struct ss_ledger *l, const char *name, double capacity,
    double period, double max_wait, double *waited, struct ss_err *e)
{
	struct timespec ts;
	double wait, total = 0;

	for (;;) {
		if (ss_budget_take(l, name, capacity, period, &wait, e) == -1)
			break;
		if (wait == 0) {
			if (waited != NULL)
				*waited = total;
			return 0;
		}
		if (total + wait > max_wait) {
			ss_err_set(e, "budget", 1, "budget '%s' exhausted: "
			    "next token in %.1f s", name, wait);
			break;
		}
		if (wait < 0.001)
			wait = 0.001;
		ts.tv_sec = (time_t)wait;
		ts.tv_nsec = (long)((wait - (double)ts.tv_sec) * 1e9);
		while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
			;
		total += wait;
	}
	if (waited != NULL)
		*waited = total;
	return -1;
}

int
ss_budget_list(struct ss_ledger *l, ss_budget_fn *fn, void *arg,
    struct ss_err *e)
{
	struct ss_budget b;
	sqlite3_stmt *s = prep(l, ST_BUDGET_LIST, e);
	double now = ss_now();
	int rc, r = 0;

	if (s == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		b.name = (const char *)sqlite3_column_text(s, 0);
		b.capacity = sqlite3_column_double(s, 2);
		b.period = sqlite3_column_double(s, 3);
		b.tokens = refill(sqlite3_column_double(s, 1), b.capacity,
		    b.period, sqlite3_column_double(s, 4), now);
		if ((r = fn(&b, arg)) != 0)
			break;
	}
	sqlite3_reset(s);
	if (r != 0)
		return r;
	if (rc != SQLITE_DONE)
		return ss_ledger_db_err(l, rc, "listing budgets", e);
	return 0;
}

int
ss_cache_get(struct ss_ledger *l, const char *key, struct sbuf *out,
    struct ss_err *e)
{
	sqlite3_stmt *s = prep(l, ST_CACHE_GET, e);
	const void *p;
	int rc, ret = -1;

	if (s == NULL)
		return -1;
	bind_text(s, 1, key);
	sqlite3_bind_double(s, 2, ss_now());
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		p = sqlite3_column_blob(s, 0);
		if (p != NULL)
			sbuf_add(out, p, (size_t)sqlite3_column_bytes(s, 0));
		ret = 1;
	} else if (rc == SQLITE_DONE) {
		ret = 0;
	} else {
		ss_ledger_db_err(l, rc, "reading the cache", e);
	}
	sqlite3_reset(s);
	return ret;
}

int
ss_cache_put(struct ss_ledger *l, const char *key, const void *value,
    size_t len, double ttl, struct ss_err *e)
{
	sqlite3_stmt *s = prep(l, ST_CACHE_PUT, e);
	double now = ss_now();

	if (s == NULL)
		return -1;
	bind_text(s, 1, key);
	sqlite3_bind_blob64(s, 2, len ? value : "", len, SQLITE_TRANSIENT);
	sqlite3_bind_double(s, 3, now + ttl);
	sqlite3_bind_double(s, 4, now);
	return run(l, s, "writing the cache", e);
}

int
ss_cache_purge(struct ss_ledger *l, int *n, struct ss_err *e)
{
	sqlite3_stmt *s = prep(l, ST_CACHE_PURGE, e);
	int r;

	if (s == NULL)
		return -1;
	sqlite3_bind_double(s, 1, ss_now());
	if ((r = run_changes(l, s, "purging the cache", e)) == -1)
		return -1;
	if (n != NULL)
		*n = r;
	return 0;
}

int
ss_run_begin(struct ss_ledger *l, const char *program, long long *id,
    struct ss_err *e)
{
	sqlite3_stmt *s = prep(l, ST_RUN_BEGIN, e);

	if (s == NULL)
		return -1;
	bind_text(s, 1, program);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)getpid());
	sqlite3_bind_double(s, 3, ss_now());
	if (run(l, s, "recording a run", e) == -1)
		return -1;
	*id = sqlite3_last_insert_rowid(l->db);
	return 0;
}

int
ss_run_end(struct ss_ledger *l, long long id, int status, long long handled,
    long long failed, struct ss_err *e)
{
	sqlite3_stmt *s = prep(l, ST_RUN_END, e);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_double(s, 2, ss_now());
	sqlite3_bind_int(s, 3, status);
	sqlite3_bind_int64(s, 4, handled);
	sqlite3_bind_int64(s, 5, failed);
	return run(l, s, "recording the end of a run", e);
}

int
ss_run_list(struct ss_ledger *l, int limit, ss_run_fn *fn, void *arg,
    struct ss_err *e)
{
	struct ss_run r;
	sqlite3_stmt *s = prep(l, ST_RUN_LIST, e);
	int rc, stop = 0;

	if (s == NULL)
		return -1;
	sqlite3_bind_int(s, 1, limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		r.id = sqlite3_column_int64(s, 0);
		r.program = (const char *)sqlite3_column_text(s, 1);
		r.pid = sqlite3_column_int64(s, 2);
		r.started_at = sqlite3_column_double(s, 3);
		r.ended = sqlite3_column_type(s, 4) != SQLITE_NULL;
		r.ended_at = sqlite3_column_double(s, 4);
		r.status = sqlite3_column_int(s, 5);
		r.handled = sqlite3_column_int64(s, 6);
		r.failed = sqlite3_column_int64(s, 7);
		if ((stop = fn(&r, arg)) != 0)
			break;
	}
	sqlite3_reset(s);
	if (stop != 0)
		return stop;
	if (rc != SQLITE_DONE)
		return ss_ledger_db_err(l, rc, "listing runs", e);
	return 0;
}

/* Copies src's main database into dst's with the backup API. */
static int
copy_db(struct ss_ledger *l, sqlite3 *dst, sqlite3 *src, struct ss_err *e)
{
	sqlite3_backup *b;
	int rc, frc, tries = 0;

	if ((b = sqlite3_backup_init(dst, "main", src, "main")) == NULL)
		return ss_err_set(e, "sqlite", 0, "ledger '%s': backup: %s",
		    l->path, sqlite3_errmsg(dst));
	do {
		rc = sqlite3_backup_step(b, -1);
		if (((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
		    && ++tries <= 200) {
			sqlite3_sleep(50);
			rc = SQLITE_OK;
		}
	} while (rc == SQLITE_OK);
	frc = sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE)
		return ss_ledger_db_err(l, rc, "backup", e);
	if (frc != SQLITE_OK)
		return ss_ledger_db_err(l, frc, "backup", e);
	return 0;
}

int
ss_ledger_backup_to(struct ss_ledger *l, const char *path, struct ss_err *e)
{
	sqlite3 *dst = NULL;
	int rc, ret = -1;

	rc = sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		ss_err_set(e, "sqlite", 0, "cannot create '%s': %s", path,
		    dst ? sqlite3_errmsg(dst) : sqlite3_errstr(rc));
		goto out;
	}
	sqlite3_busy_timeout(dst, BUSY_TIMEOUT_MS);
	if (copy_db(l, dst, l->db, e) == -1)
		goto out;
	rc = sqlite3_exec(dst, "PRAGMA journal_mode = DELETE", NULL, NULL,
	    NULL);
	if (rc != SQLITE_OK) {
		ss_err_set(e, "sqlite", 0, "'%s': %s", path,
		    sqlite3_errmsg(dst));
		goto out;
	}
	ret = 0;
out:
	if (dst != NULL && sqlite3_close(dst) != SQLITE_OK && ret == 0)
		ret = ss_err_set(e, "sqlite", 0, "closing '%s' failed", path);
	return ret;
}

/* PRAGMA integrity_check on db must answer exactly "ok". */
static int
check_integrity(sqlite3 *db, const char *path, struct ss_err *e)
{
	sqlite3_stmt *s = NULL;
	const char *t;
	int rc, ret = -1;

	rc = sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, NULL);
	if (rc != SQLITE_OK) {
		ss_err_set(e, "corrupt", 0, "'%s' is not a usable ledger: %s",
		    path, sqlite3_errmsg(db));
		goto out;
	}
	rc = sqlite3_step(s);
	t = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(s, 0) : NULL;
	if (t == NULL || strcmp(t, "ok") != 0) {
		ss_err_set(e, "corrupt", 0, "'%s' fails its integrity check: "
		    "%s", path, t ? t : sqlite3_errmsg(db));
		goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(s);
	return ret;
}

int
ss_ledger_check_file(const char *path, struct ss_err *e)
{
	sqlite3 *db = NULL;
	int rc, v, ret = -1;

	rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL);
	if (rc != SQLITE_OK) {
		ss_err_set(e, "corrupt", 0, "cannot open '%s': %s", path,
		    db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		goto out;
	}
	sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
	if (check_integrity(db, path, e) == -1 ||
	    file_version(db, path, &v, e) == -1)
		goto out;
	if (v > ss_ledger_known_version()) {
		too_new("backup", path, v, e);
		goto out;
	}
	if (v < 1) {
		ss_err_set(e, "corrupt", 0, "'%s' is not a SoulSpot ledger",
		    path);
		goto out;
	}
	ret = 0;
out:
	sqlite3_close(db);
	return ret;
}

int
ss_ledger_restore_from(struct ss_ledger *l, const char *path,
    struct ss_err *e)
{
	sqlite3 *src = NULL;
	int rc, ret = -1;

	if (!sqlite3_get_autocommit(l->db))
		return ss_err_set(e, "invalid", 0, "restore inside a "
		    "transaction");
	if (ss_ledger_check_file(path, e) == -1)
		return -1;
	rc = sqlite3_open_v2(path, &src, SQLITE_OPEN_READONLY, NULL);
	if (rc != SQLITE_OK) {
		ss_err_set(e, "corrupt", 0, "cannot open '%s': %s", path,
		    src ? sqlite3_errmsg(src) : sqlite3_errstr(rc));
		goto out;
	}
	sqlite3_busy_timeout(src, BUSY_TIMEOUT_MS);
	/* Nothing of ours may be running on the connection we overwrite. */
	finalize_all(l);
	if (copy_db(l, l->db, src, e) == -1)
		goto out;
	ret = migrate(l, e);
out:
	sqlite3_close(src);
	return ret;
}
