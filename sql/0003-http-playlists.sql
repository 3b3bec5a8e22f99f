-- 0003-http-playlists.sql: circuit breakers, encrypted tokens, playlists.

-- One row per remote service (lib/http.c).  failures counts consecutive
-- failed attempts (connection errors, 5xx); once it reaches the threshold
-- the service is left alone until open_until.  A long Retry-After also
-- sets open_until, so every process waits for it.
CREATE TABLE circuits (
	service TEXT PRIMARY KEY,
	failures INTEGER NOT NULL DEFAULT 0,
	open_until REAL NOT NULL DEFAULT 0,
	reason TEXT,
	updated_at REAL NOT NULL
) WITHOUT ROWID;

-- OAuth tokens, encrypted at rest (lib/crypt.c: AES-256-GCM with the key
-- file HOME/token.key); value is "v1:" + base64(nonce, ciphertext, tag).
-- name: "refresh", "access" (user), "client" (client credentials).
CREATE TABLE tokens (
	service TEXT NOT NULL,
	name TEXT NOT NULL,
	value TEXT NOT NULL,
	expires_at REAL NOT NULL DEFAULT 0,
	updated_at REAL NOT NULL,
	PRIMARY KEY (service, name)
) WITHOUT ROWID;

-- Playlists fetched by ss-fetch-playlists ("spotify:playlist:ID"), with
-- the snapshot_id their membership was read at.
CREATE TABLE playlists (
	id TEXT PRIMARY KEY,
	name TEXT,
	snapshot_id TEXT,
	total INTEGER NOT NULL DEFAULT 0,
	generation INTEGER NOT NULL DEFAULT 0,
	fetched_at REAL NOT NULL,
	changed_at REAL NOT NULL
) WITHOUT ROWID;

-- Membership: one row per (playlist, record id).  record is the output
-- record, re-emitted while the snapshot stays the same; generation is the
-- playlist's generation that last saw it; removed_at is set when the
-- track left the playlist (NULL while it is in it).
CREATE TABLE playlist_tracks (
	playlist TEXT NOT NULL REFERENCES playlists (id) ON DELETE CASCADE,
	track TEXT NOT NULL,
	position INTEGER NOT NULL,
	record TEXT NOT NULL,
	generation INTEGER NOT NULL,
	added_at REAL NOT NULL,
	removed_at REAL,
	PRIMARY KEY (playlist, track)
) WITHOUT ROWID;
CREATE INDEX playlist_tracks_removed ON playlist_tracks (removed_at);
