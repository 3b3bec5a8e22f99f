-- 0002-files.sql: the file index of ss-scan and the moves that can be undone.

-- One row per audio file seen under a scanned directory.  path is the raw
-- bytes of the absolute path (file names need not be UTF-8).  record is
-- the JSON of the record's "file" object, re-emitted as it is while
-- (size, mtime_ns, inode) stay the same.  The columns after it copy what
-- ss-dedupe groups and chooses by, so it never parses a record: the
-- first ARTIST and TITLE, whether the codec is lossless, the number of
-- tags with a value.
CREATE TABLE files (
	path		BLOB PRIMARY KEY,
	root		BLOB NOT NULL,
	size		INTEGER NOT NULL,
	mtime_ns	INTEGER NOT NULL,
	inode		INTEGER NOT NULL,
	dev		INTEGER NOT NULL,
	sha256		TEXT,
	audio_hash	TEXT,
	format		TEXT,
	broken		TEXT,
	record		TEXT NOT NULL,
	duration_ms	INTEGER,
	bitrate		INTEGER,
	lossless	INTEGER,
	ntags		INTEGER NOT NULL DEFAULT 0,
	has_cover	INTEGER NOT NULL DEFAULT 0,
	artist		TEXT,
	title		TEXT,
	scan_id		INTEGER NOT NULL,
	seen_at		REAL NOT NULL,
	missing		INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX files_root ON files (root, scan_id);
CREATE INDEX files_sha256 ON files (sha256);
CREATE INDEX files_audio_hash ON files (audio_hash);

CREATE TABLE scans (
	id		INTEGER PRIMARY KEY,
	root		BLOB NOT NULL,
	started_at	REAL NOT NULL,
	ended_at	REAL,
	files		INTEGER NOT NULL DEFAULT 0,
	read		INTEGER NOT NULL DEFAULT 0,
	missing		INTEGER NOT NULL DEFAULT 0
);

-- Every file a program moved (quarantine, rename), so that a run can be
-- undone: run is the program's own run id, src and dst raw path bytes.
CREATE TABLE moves (
	id		INTEGER PRIMARY KEY,
	program		TEXT NOT NULL,
	run		TEXT NOT NULL,
	src		BLOB NOT NULL,
	dst		BLOB NOT NULL,
	size		INTEGER,
	sha256		TEXT,
	moved_at	REAL NOT NULL,
	undone_at	REAL
);
CREATE INDEX moves_run ON moves (program, run);
