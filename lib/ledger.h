/* ledger.h: the shared SQLite ledger: memo, leases, retries, budgets, cache. */
#ifndef SS_LEDGER_H
#define SS_LEDGER_H

#include <stddef.h>

struct ss_config;
struct ss_err;
struct sbuf;

/*
 * One ledger handle per process (not shared between threads).  Every
 * function returns 0 (or a documented non-negative value) on success and
 * -1 with e filled on failure.  Error codes:
 *   "busy"      the database stayed locked past the busy timeout (10 s);
 *               temporary = 1: try again later (exit 75)
 *   "too_new"   the file's schema is newer than this program (exit 3)
 *   "sqlite"    any other SQLite failure (corrupt file, disk full, ...)
 *   "io"        creating the directory or the file failed
 *   "lease_lost" done/fail by an owner that no longer holds the lease
 *   "not_found" no such item
 *   "budget"    ss_budget_wait would have to wait past its limit
 *               (temporary = 1)
 *   "invalid"   a bad argument (unknown state name, bad budget, ...)
 * Times are seconds since the epoch from ss_now() (so SS_NOW moves them).
 */
struct ss_ledger;

/* The schema migrations embedded from sql/ (generated lib/migrations.c). */
struct ss_migration {
	int version;		/* 1, 2, 3 ... = PRAGMA user_version after */
	const char *name;	/* "0001-init.sql" */
	const char *sql;
};
extern const struct ss_migration ss_migrations[];
extern const size_t ss_migrations_count;

/*
 * Opens (creating it, and its directory with mode 0700, if missing; the
 * file gets mode 0600) the ledger at path, sets WAL, a 10 s busy timeout,
 * foreign keys and synchronous=NORMAL, and applies the missing migrations
 * in order, each in its own IMMEDIATE transaction.  A ledger already up
 * to date is not written to.  A ledger whose user_version is newer than
 * the newest embedded migration is refused ("too_new").  *lp is set only
 * on success; free it with ss_ledger_close().
 */
int ss_ledger_open(struct ss_ledger **lp, const char *path,
    struct ss_err *e);
void ss_ledger_close(struct ss_ledger *l);	/* NULL is fine */

const char *ss_ledger_path(const struct ss_ledger *l);
/* "host:pid:random": the lease owner id of this handle. */
const char *ss_ledger_owner(const struct ss_ledger *l);
/* The schema version of the open file and the newest one known. */
int ss_ledger_version(const struct ss_ledger *l);
int ss_ledger_known_version(void);

/*
 * Batches: BEGIN IMMEDIATE ... COMMIT (or ROLLBACK).  The functions below
 * that need a transaction of their own join an open one instead, so a
 * caller can wrap many calls in one.  Rollback never fails.
 */
int ss_ledger_begin(struct ss_ledger *l, struct ss_err *e);
int ss_ledger_commit(struct ss_ledger *l, struct ss_err *e);
void ss_ledger_rollback(struct ss_ledger *l);

/* Item states, stored by name. */
enum ss_state {
	SS_STATE_PENDING,
	SS_STATE_RUNNING,
	SS_STATE_DONE,
	SS_STATE_FAILED,
	SS_STATE_GAVE_UP,
	SS_STATE_PAUSED
};
#define SS_STATE_COUNT 6
const char *ss_state_name(enum ss_state s);
/* Returns 0 and sets *s, or -1 ("invalid") for an unknown name. */
int ss_state_parse(const char *name, enum ss_state *s, struct ss_err *e);

/* One row of the memo; strings are owned by the struct. */
struct ss_item {
	char *stage;
	char *id;
	enum ss_state state;
	int attempts;		/* claims so far (reset by retry) */
	int temporary;		/* a failed row that will be retried */
	double next_attempt_at;	/* 0 = due now */
	char *last_error;	/* "code: message" or NULL */
	char *output;		/* JSON text stored by done, or NULL */
	long long priority;	/* higher first */
	char *lease_owner;	/* NULL when not leased */
	double lease_until;
	double created_at;
	double updated_at;
};
void ss_item_release(struct ss_item *it);	/* frees strings, zeroes */

/*
 * Retry policy: lease length, attempts before giving up, backoff
 * base * 2^(attempts-1) seconds with jitter (the delay is drawn from
 * [0.8, 1.0] times that), capped at backoff_max.  The ledger starts with
 * SS_POLICY_DEFAULT; programs set theirs from the configuration.
 */
struct ss_policy {
	double lease_seconds;
	int max_attempts;
	double backoff_base;
	double backoff_max;
};
#define SS_POLICY_DEFAULT { 600, 5, 60, 86400 }
/* Fails ("invalid") on a non-positive field; the ledger keeps a copy. */
int ss_ledger_set_policy(struct ss_ledger *l, const struct ss_policy *p,
    struct ss_err *e);
void ss_ledger_policy(const struct ss_ledger *l, struct ss_policy *p);
/*
 * Fills *p from the keys lease_seconds, max_attempts,
 * backoff_base_seconds and backoff_max_seconds; -1 with e filled by the
 * config module on a bad value.
 */
int ss_policy_from_config(struct ss_policy *p, const struct ss_config *c,
    struct ss_err *e);

/*
 * What every program does: opens the ledger the configuration names
 * (ss_config_ledger_path) with the retry policy it sets.  Errors as for
 * ss_ledger_open, or code "config" when the configuration names no
 * usable ledger (ss_err_exit maps that to a usage error).
 */
int ss_ledger_open_config(struct ss_ledger **lp, const struct ss_config *c,
    struct ss_err *e);

/*
 * Adds a pending item (nothing happens if (stage, id) exists).  Returns
 * 1 if added, 0 if it was there already.
 */
int ss_ledger_enqueue(struct ss_ledger *l, const char *stage, const char *id,
    long long priority, struct ss_err *e);
/* Returns the number of rows changed (0: no such item). */
int ss_ledger_set_priority(struct ss_ledger *l, const char *stage,
    const char *id, long long priority, struct ss_err *e);

enum ss_claim {
	SS_CLAIM_CLAIMED,	/* yours until lease_until: do the work */
	SS_CLAIM_DONE,		/* finished before: it->output is stored */
	SS_CLAIM_LEASED,	/* another owner holds a live lease */
	SS_CLAIM_NOT_DUE,	/* failed; due at it->next_attempt_at */
	SS_CLAIM_PAUSED,	/* the item, or the whole ledger, is paused */
	SS_CLAIM_GAVE_UP,	/* max_attempts reached */
	SS_CLAIM_FAILED,	/* failed permanently */
	SS_CLAIM_NONE		/* ss_ledger_claim_next: nothing due */
};
const char *ss_claim_name(enum ss_claim c);

/*
 * Claims (stage, id) for this handle's owner, creating the item if it is
 * new, in one IMMEDIATE transaction.  Returns an enum ss_claim (>= 0) and
 * fills *it (release it) with the row as it is afterwards, or -1.  A done
 * item is reported as done even while the ledger is paused.  A claim
 * counts one attempt; an expired lease of an item that used up its
 * attempts makes it gave_up.  The lease holder claiming again renews it.
 */
int ss_ledger_claim(struct ss_ledger *l, const char *stage, const char *id,
    struct ss_item *it, struct ss_err *e);

/*
 * Claims the next due item of stage (priority descending, then
 * next_attempt_at, then insertion order; pending, temporarily failed
 * and expired leases are due) atomically.  Returns SS_CLAIM_CLAIMED with
 * *it filled, SS_CLAIM_NONE, SS_CLAIM_PAUSED (global pause), or -1.
 */
int ss_ledger_claim_next(struct ss_ledger *l, const char *stage,
    struct ss_item *it, struct ss_err *e);

/*
 * Records success: state done, output (JSON text, may be NULL) stored.
 * With owner NULL no lease is needed and the item is created if new;
 * otherwise owner must hold the lease ("lease_lost").
 */
int ss_ledger_done(struct ss_ledger *l, const char *stage, const char *id,
    const char *owner, const char *output, struct ss_err *e);

/*
 * Records a failure described by why ("code: msg" becomes last_error).
 * why->temporary: the item is retried after the backoff, or after
 * retry_after seconds (a Retry-After; 0 for none) if that is longer;
 * once attempts reach max_attempts it is gave_up.  Otherwise it is
 * failed for good.  A paused item stays paused (its outcome is kept
 * for when it is resumed).  owner as for ss_ledger_done; without a
 * lease the failure counts as one attempt.  *state (may be NULL) gets
 * the resulting state and *next (may be NULL) next_attempt_at.
 */
int ss_ledger_fail(struct ss_ledger *l, const char *stage, const char *id,
    const char *owner, const struct ss_err *why, double retry_after,
    enum ss_state *state, double *next, struct ss_err *e);

/*
 * The item functions below take stage NULL to mean "in every stage" and
 * return the number of rows changed (0: nothing matched).
 *
 * pause: pending, running and failed items become paused (a running one
 * keeps its lease: its holder may still finish it).  resume: a paused
 * item goes back to running (live lease), failed (it has an error) or
 * pending.  retry: back to pending with attempts 0, no error, no output.
 * retry_failed: retry of every failed and gave_up item (stage or all).
 * forget: deletes the rows.
 */
int ss_ledger_pause(struct ss_ledger *l, const char *stage, const char *id,
    struct ss_err *e);
int ss_ledger_resume(struct ss_ledger *l, const char *stage, const char *id,
    struct ss_err *e);
int ss_ledger_retry(struct ss_ledger *l, const char *stage, const char *id,
    struct ss_err *e);
int ss_ledger_retry_failed(struct ss_ledger *l, const char *stage,
    struct ss_err *e);
int ss_ledger_forget(struct ss_ledger *l, const char *stage, const char *id,
    struct ss_err *e);

/*
 * Deletes finished items (done, gave_up, permanently failed) and ended
 * runs last updated more than days ago.  *items and *runs (may be NULL)
 * get the numbers deleted.
 */
int ss_ledger_prune(struct ss_ledger *l, double days, int *items, int *runs,
    struct ss_err *e);

/* Global pause: claims return SS_CLAIM_PAUSED while it is on. */
int ss_ledger_set_paused(struct ss_ledger *l, int paused, struct ss_err *e);
int ss_ledger_paused(struct ss_ledger *l, int *paused, struct ss_err *e);

/* Fetches one item: 1 and *it filled, 0 if there is no such item. */
int ss_ledger_get(struct ss_ledger *l, const char *stage, const char *id,
    struct ss_item *it, struct ss_err *e);

/*
 * Calls fn for each item of stage (NULL: all) in state (NULL: all), in
 * stage then insertion order; the item is only valid during the call.
 * fn returns 0 to go on, anything else stops the walk (and is returned).
 * id, when not NULL, limits the walk to that record id.
 */
typedef int ss_item_fn(const struct ss_item *it, void *arg);
int ss_ledger_list(struct ss_ledger *l, const char *stage, const char *state,
    const char *id, ss_item_fn *fn, void *arg, struct ss_err *e);

/* Calls fn(stage, state, count) per stage and state present. */
typedef int ss_count_fn(const char *stage, enum ss_state state, long long n,
    void *arg);
int ss_ledger_counts(struct ss_ledger *l, ss_count_fn *fn, void *arg,
    struct ss_err *e);

/*
 * Token buckets shared by every process using the ledger: name holds at
 * most capacity tokens and refills continuously at capacity/period per
 * second (a new bucket starts full).  ss_budget_take takes one token in
 * one IMMEDIATE transaction: *wait is 0 if it was taken, else the
 * seconds until one will be there (nothing taken).  capacity and period
 * must be > 0 ("invalid"); changing them for an existing name rescales
 * nothing but caps the tokens at the new capacity.
 */
int ss_budget_take(struct ss_ledger *l, const char *name, double capacity,
    double period, double *wait, struct ss_err *e);
/*
 * Takes a token, sleeping and trying again as long as the total wait
 * stays within max_wait seconds; otherwise fails with "budget"
 * (temporary) before sleeping.  *waited (may be NULL) gets the time
 * slept.
 */
int ss_budget_wait(struct ss_ledger *l, const char *name, double capacity,
    double period, double max_wait, double *waited, struct ss_err *e);

struct ss_budget {
	const char *name;
	double tokens;		/* as of now, refilled */
	double capacity;
	double period;
};
typedef int ss_budget_fn(const struct ss_budget *b, void *arg);
int ss_budget_list(struct ss_ledger *l, ss_budget_fn *fn, void *arg,
    struct ss_err *e);

/*
 * Response cache.  ss_cache_get: 1 and the value appended to out if key
 * is there and not expired, 0 if not.  ss_cache_put stores value for ttl
 * seconds, replacing any older one.  ss_cache_purge deletes expired rows
 * and sets *n (may be NULL) to their number.
 */
int ss_cache_get(struct ss_ledger *l, const char *key, struct sbuf *out,
    struct ss_err *e);
int ss_cache_put(struct ss_ledger *l, const char *key, const void *value,
    size_t len, double ttl, struct ss_err *e);
int ss_cache_purge(struct ss_ledger *l, int *n, struct ss_err *e);

/* Runs: ss_run_begin sets *id of a new run of program, started now. */
int ss_run_begin(struct ss_ledger *l, const char *program, long long *id,
    struct ss_err *e);
int ss_run_end(struct ss_ledger *l, long long id, int status,
    long long handled, long long failed, struct ss_err *e);

struct ss_run {
	long long id;
	const char *program;
	long long pid;
	double started_at;
	double ended_at;	/* 0 while running (or crashed) */
	int ended;
	int status;
	long long handled;
	long long failed;
};
typedef int ss_run_fn(const struct ss_run *r, void *arg);
/* Calls fn for the last limit runs, newest first. */
int ss_run_list(struct ss_ledger *l, int limit, ss_run_fn *fn, void *arg,
    struct ss_err *e);

/*
 * Online backup of the open ledger into a new SQLite file at path (which
 * may exist and be empty); the copy is in rollback-journal mode, so it is
 * one self-contained file.
 */
int ss_ledger_backup_to(struct ss_ledger *l, const char *path,
    struct ss_err *e);

/*
 * Checks that the SQLite file at path could be restored: PRAGMA
 * integrity_check says ok ("corrupt" otherwise, also for a file that is
 * no database), its user_version is at least 1 ("corrupt") and not newer
 * than known ("too_new").
 */
int ss_ledger_check_file(const char *path, struct ss_err *e);

/*
 * Replaces the contents of the open ledger with the SQLite file at path,
 * through the backup API (so other connections see a consistent switch),
 * after checking it: PRAGMA integrity_check must say ok ("corrupt") and
 * its user_version must not be newer than known ("too_new").  Missing
 * migrations are applied afterwards.  On any failure the live ledger is
 * left as it was.
 */
int ss_ledger_restore_from(struct ss_ledger *l, const char *path,
    struct ss_err *e);

#endif
