-- 0001-init.sql: the first schema: items, settings, budgets, cache, runs.

-- One row per (stage, record id): the outcome memo, retries and the lease.
-- state: pending running done failed gave_up paused.  A failed row with
-- temporary = 1 is retried at next_attempt_at; temporary = 0 is final.
CREATE TABLE items (
	seq INTEGER PRIMARY KEY,
	stage TEXT NOT NULL,
	id TEXT NOT NULL,
	state TEXT NOT NULL DEFAULT 'pending'
	    CHECK (state IN ('pending', 'running', 'done', 'failed',
	    'gave_up', 'paused')),
	attempts INTEGER NOT NULL DEFAULT 0,
	temporary INTEGER NOT NULL DEFAULT 0,
	next_attempt_at REAL NOT NULL DEFAULT 0,
	last_error TEXT,
	output TEXT,
	priority INTEGER NOT NULL DEFAULT 0,
	lease_owner TEXT,
	lease_until REAL,
	created_at REAL NOT NULL,
	updated_at REAL NOT NULL,
	UNIQUE (stage, id)
);
CREATE INDEX items_due ON items (stage, priority DESC, next_attempt_at, seq);
CREATE INDEX items_id ON items (id);

-- Global switches ("paused" = "1").
CREATE TABLE settings (
	key TEXT PRIMARY KEY,
	value TEXT NOT NULL
) WITHOUT ROWID;

-- Token buckets shared by every process: tokens as of updated_at.
CREATE TABLE budgets (
	name TEXT PRIMARY KEY,
	tokens REAL NOT NULL,
	capacity REAL NOT NULL,
	period REAL NOT NULL,
	updated_at REAL NOT NULL
) WITHOUT ROWID;

-- Remote responses, valid until expires_at.
CREATE TABLE cache (
	key TEXT PRIMARY KEY,
	value BLOB NOT NULL,
	expires_at REAL NOT NULL,
	created_at REAL NOT NULL
);
CREATE INDEX cache_expiry ON cache (expires_at);

-- One row per program run, for "last runs".
CREATE TABLE runs (
	id INTEGER PRIMARY KEY,
	program TEXT NOT NULL,
	pid INTEGER NOT NULL,
	started_at REAL NOT NULL,
	ended_at REAL,
	status INTEGER,
	handled INTEGER,
	failed INTEGER
);
