/* t-fileio: atomic replacement, no-overwrite moves, mkdirs. */
#include "ss.h"

#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <unistd.h>

#include "fileio.h"
#include "tap.h"

static char dir[PATH_MAX], shm[PATH_MAX];

static int
rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	return remove(p);
}

/* dir/rel into a static buffer (one of four, used in turn). */
static const char *
P(const char *base, const char *rel)
{
	static char bufs[4][PATH_MAX];
	static int n;
	char *b = bufs[n++ % 4];

	if ((size_t)snprintf(b, PATH_MAX, "%s/%s", base, rel) >= PATH_MAX)
		abort();
	return b;
}

static void
put(const char *path, const char *s, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd == -1 || write(fd, s, len) != (ssize_t)len || close(fd) == -1)
		abort();
}

/* 1 if path holds exactly the len bytes at s. */
static int
has(const char *path, const char *s, size_t len)
{
	struct sbuf sb = SBUF_INIT;
	char buf[65536];
	ssize_t n;
	int fd, r;

	if ((fd = open(path, O_RDONLY)) == -1)
		return 0;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		sbuf_add(&sb, buf, (size_t)n);
	close(fd);
	r = n == 0 && sb.len == len && memcmp(sb.buf, s, len) == 0;
	sbuf_release(&sb);
	return r;
}

static int
exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* The number of entries in d; *ntmp gets how many are temporary files. */
static int
entries(const char *d, int *ntmp)
{
	struct dirent *de;
	DIR *dp;
	int n = 0;

	*ntmp = 0;
	if ((dp = opendir(d)) == NULL)
		return -1;
	while ((de = readdir(dp)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		n++;
		*ntmp += ss_is_tmp_name(de->d_name);
	}
	closedir(dp);
	return n;
}

static mode_t
mode_of(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_mode & 07777 : (mode_t)-1;
}

static void
test_tmp_names(void)
{
	static const struct {
		const char *name;
		int want;
	} t[] = {
		{ ".a.ss-tmp.0123456789abcdef", 1 },
		{ "dir/.song.flac.ss-tmp.fedcba9876543210", 1 },
		{ "/x/y/.y.ss-tmp.0000000000000000", 1 },
		{ "a.ss-tmp.0123456789abcdef", 0 },
		{ ".a.ss-tmp.0123456789ABCDEF", 0 },
		{ ".a.ss-tmp.0123456789abcde", 0 },
		{ ".a.ss-tmp.0123456789abcdefg", 0 },
		{ ".a.ss-tmp0123456789abcdef", 0 },
		{ "song.flac", 0 },
		{ ".ss-tmp.0123456789abcdef/x", 0 },
		{ "", 0 },
	};
	size_t i;

	for (i = 0; i < SS_ARRAY_SIZE(t); i++)
		is_int(ss_is_tmp_name(t[i].name), t[i].want,
		    "ss_is_tmp_name '%s'", t[i].name);
}

static void
test_atomic(void)
{
	struct ss_err e = SS_ERR_INIT;
	struct ss_atomic a = SS_ATOMIC_INIT;
	struct sbuf name = SBUF_INIT;
	struct stat st1, st2;
	char f[PATH_MAX];
	int ntmp;
	size_t i;

	snprintf(f, sizeof(f), "%s", P(dir, "at/file.txt"));
	mkdir(P(dir, "at"), 0755);
	ss_err_clear(&e);
	ok(ss_atomic_write(f, "hello\n", 6, 0640, &e) == 0,
	    "atomic write creates a file %s", e.msg);
	ok(has(f, "hello\n", 6), "with the content");
	is_int(mode_of(f), 0640, "with the mode");
	stat(f, &st1);
	ss_err_clear(&e);
	ok(ss_atomic_write(f, "second", 6, 0666, &e) == 0,
	    "atomic write replaces a file %s", e.msg);
	ok(has(f, "second", 6), "with the new content");
	is_int(mode_of(f), 0666, "the mode is exact (no umask)");
	stat(f, &st2);
	ok(st1.st_ino != st2.st_ino, "a new inode replaced the old one");
	is_int(entries(P(dir, "at"), &ntmp), 1, "no file is left over");
	ok(ss_atomic_write(f, "", 0, 0600, &e) == 0 && has(f, "", 0),
	    "atomic write of nothing");

	ok(ss_atomic_open(&a, f, 0644, &e) == 0, "atomic open");
	ok(a.fd >= 0 && a.tmp != NULL && strcmp(a.path, f) == 0,
	    "atomic open fills the struct");
	ok(a.tmp != NULL && ss_is_tmp_name(a.tmp) &&
	    strncmp(a.tmp, P(dir, "at/.file.txt.ss-tmp."),
	    strlen(P(dir, "at/.file.txt.ss-tmp."))) == 0,
	    "the temporary file is '.NAME.ss-tmp.RANDOM' next to the target");
	ok(write(a.fd, "partial", 7) == 7, "write to the temporary file");
	ok(has(f, "", 0), "the target is unchanged meanwhile");
	ss_atomic_abort(&a);
	ok(a.fd == -1 && a.tmp == NULL && a.path == NULL,
	    "abort releases the struct");
	ss_atomic_abort(&a);
	ok(has(f, "", 0), "abort leaves the original");
	is_int(entries(P(dir, "at"), &ntmp), 1, "abort removes the temporary");

	ok(ss_atomic_open(&a, f, 0644, &e) == 0 &&
	    write(a.fd, "third", 5) == 5 && ss_atomic_commit(&a, &e) == 0,
	    "open, write, commit");
	ok(has(f, "third", 5), "commit put the content in place");
	ok(a.fd == -1 && a.tmp == NULL && a.path == NULL,
	    "commit releases the struct");
	ss_atomic_abort(&a);
	ok(has(f, "third", 5), "abort after commit does nothing");

	/* only files and links are replaced: not a directory, a device, a fifo */
	mkdir(P(dir, "at/isdir"), 0755);
	ok(ss_atomic_open(&a, P(dir, "at/isdir"), 0644, &e) == -1 &&
	    strcmp(e.code, "invalid") == 0 && a.fd == -1,
	    "open over a directory is refused (%s)", e.msg);
	ok(ss_atomic_write("/dev/null", "x", 1, 0644, &e) == -1 &&
	    strcmp(e.code, "invalid") == 0, "/dev/null is never replaced");
	mkfifo(P(dir, "at/fifo"), 0644);
	ok(ss_atomic_write(P(dir, "at/fifo"), "x", 1, 0644, &e) == -1 &&
	    strcmp(e.code, "invalid") == 0, "nor is a fifo");
	is_int(entries(P(dir, "at"), &ntmp), 3,
	    "a refused open leaves no temporary file");
	ok(exists(P(dir, "at/isdir")), "and leaves the target alone");
	ok(ss_atomic_commit(&a, &e) == -1 && strcmp(e.code, "invalid") == 0,
	    "commit without open fails");

	ok(ss_atomic_open(&a, P(dir, "nonexistent/x"), 0644, &e) == -1 &&
	    e.sys_errno == ENOENT && a.fd == -1 && a.tmp == NULL,
	    "open in a missing directory fails cleanly (%s)", e.msg);
	ss_atomic_abort(&a);
	ok(ss_atomic_write(P(dir, "at/"), "x", 1, 0644, &e) == -1 &&
	    strcmp(e.code, "invalid") == 0, "a path ending in '/' is invalid");

	/* a name so long that ".NAME.ss-tmp.R" would pass NAME_MAX */
	for (i = 0; i < 125; i++)
		sbuf_adds(&name, "\xc3\xa9");
	sbuf_adds(&name, ".flac");
	ss_err_clear(&e);
	ok(ss_atomic_write(P(P(dir, "at"), name.buf), "long", 4, 0644, &e) == 0,
	    "atomic write of a 255-byte name %s", e.msg);
	ok(has(P(P(dir, "at"), name.buf), "long", 4), "long name written");
	is_int(entries(P(dir, "at"), &ntmp), 4, "no temporary left");
	sbuf_release(&name);
}

/* Move tests for one and two file systems: from in dir_a, to in dir_b. */
static void
test_move_in(const char *dir_a, const char *dir_b, const char *what)
{
	char fa[PATH_MAX], fb[PATH_MAX];
	struct ss_err e = SS_ERR_INIT;
	struct timespec ts[2] = { { 1000000000, 0 }, { 1000000123, 0 } };
	char from[PATH_MAX], to[PATH_MAX];
	struct sbuf big = SBUF_INIT;
	struct stat st;
	size_t i;
	int ntmp;

	snprintf(fa, sizeof(fa), "%s", dir_a);
	snprintf(fb, sizeof(fb), "%s", dir_b);
	snprintf(from, sizeof(from), "%s", P(fa, "from.bin"));
	snprintf(to, sizeof(to), "%s", P(fb, "sub/to.bin"));
	for (i = 0; i < 3 * 1024 * 1024 + 17; i++)
		sbuf_addch(&big, (int)(i * 7 + i / 4099));
	ok(ss_mkdirs(P(fb, "sub"), 0755, &e) == 0, "%s: mkdirs", what);

	/* a plain move keeps content, mode and mtime */
	put(from, big.buf, big.len);
	chmod(from, 0604);
	utimensat(AT_FDCWD, from, ts, 0);
	ss_err_clear(&e);
	ok(ss_move(from, to, &e) == 0, "%s: move %s", what, e.msg);
	ok(!exists(from), "%s: from is gone", what);
	ok(has(to, big.buf, big.len), "%s: to has the content", what);
	is_int(mode_of(to), 0604, "%s: mode kept", what);
	ok(stat(to, &st) == 0 && st.st_mtim.tv_sec == 1000000123,
	    "%s: mtime kept", what);
	is_int(entries(P(fb, "sub"), &ntmp), 1, "%s: nothing else in to's dir",
	    what);

	/* never overwrites */
	put(from, "other", 5);
	ok(ss_move(from, to, &e) == -1 && strcmp(e.code, "exists") == 0,
	    "%s: refuses to overwrite (%s)", what, e.msg);
	ok(has(from, "other", 5) && has(to, big.buf, big.len),
	    "%s: both left alone", what);
	put(from, big.buf, big.len - 1);
	sbuf_addch(&big, 'x');
	ok(ss_move(from, to, &e) == -1 && strcmp(e.code, "exists") == 0,
	    "%s: refuses a different size", what);
	sbuf_setlen(&big, big.len - 1);
	put(from, big.buf, big.len);
	big.buf[big.len / 2] ^= 1;
	put(from, big.buf, big.len);
	big.buf[big.len / 2] ^= 1;
	ok(ss_move(from, to, &e) == -1 && strcmp(e.code, "exists") == 0,
	    "%s: refuses same size, one bit different", what);
	ok(exists(from), "%s: from still there", what);

	/* a half-done move (identical to present) is completed */
	put(from, big.buf, big.len);
	ss_err_clear(&e);
	ok(ss_move(from, to, &e) == 0, "%s: completes a half-done move %s",
	    what, e.msg);
	ok(!exists(from) && has(to, big.buf, big.len),
	    "%s: from unlinked, to intact", what);
	is_int(entries(P(fb, "sub"), &ntmp), 1, "%s: no temporary left", what);

	ok(ss_move(from, to, &e) == -1 && strcmp(e.code, "missing") == 0,
	    "%s: a missing from is 'missing'", what);

	/* copy */
	ss_err_clear(&e);
	ok(ss_copy_file(to, from, &e) == 0, "%s: copy %s", what, e.msg);
	ok(has(from, big.buf, big.len) && has(to, big.buf, big.len),
	    "%s: copy has the content, the original too", what);
	ok(stat(from, &st) == 0 && st.st_mtim.tv_sec == 1000000123 &&
	    (st.st_mode & 07777) == 0604, "%s: copy keeps mode and mtime",
	    what);
	ok(ss_copy_file(to, from, &e) == -1 && strcmp(e.code, "exists") == 0,
	    "%s: copy never overwrites", what);
	ok(ss_same_content(from, to, &e) == 1, "%s: same content", what);
	unlink(from);
	unlink(to);
	sbuf_release(&big);
}

static void
test_move(void)
{
	struct ss_err e = SS_ERR_INIT;
	struct stat s1, s2;
	int ntmp;

	mkdir(P(dir, "mv"), 0755);
	test_move_in(P(dir, "mv"), P(dir, "mv"), "same fs");

	/* a hard link left by link+unlink: same file, unlink from */
	put(P(dir, "mv/h1"), "data", 4);
	link(P(dir, "mv/h1"), P(dir, "mv/h2"));
	ok(ss_move(P(dir, "mv/h1"), P(dir, "mv/h2"), &e) == 0,
	    "a hard link at to completes the move");
	ok(!exists(P(dir, "mv/h1")) && has(P(dir, "mv/h2"), "data", 4),
	    "from unlinked, to intact");

	/* one and the same entry: nothing to do, nothing lost */
	ok(ss_move(P(dir, "mv/h2"), P(dir, "mv/./h2"), &e) == 0,
	    "moving a file onto itself succeeds");
	ok(has(P(dir, "mv/h2"), "data", 4), "and keeps it");
	link(P(dir, "mv/h2"), P(dir, "mv/h3"));
	ok(ss_move(P(dir, "mv/h2"), P(dir, "mv//h2"), &e) == 0 &&
	    has(P(dir, "mv/h2"), "data", 4),
	    "onto itself with another hard link elsewhere: kept");
	unlink(P(dir, "mv/h3"));

	/* directories move within one file system */
	mkdir(P(dir, "mv/d1"), 0755);
	put(P(dir, "mv/d1/f"), "f", 1);
	ok(ss_move(P(dir, "mv/d1"), P(dir, "mv/d2"), &e) == 0 &&
	    has(P(dir, "mv/d2/f"), "f", 1), "a directory moves");
	mkdir(P(dir, "mv/d3"), 0755);
	ok(ss_move(P(dir, "mv/d2"), P(dir, "mv/d3"), &e) == -1 &&
	    strcmp(e.code, "exists") == 0, "not over another directory");
	ok(ss_move(P(dir, "mv/h2"), P(dir, "mv/nodir/x"), &e) == -1 &&
	    strcmp(e.code, "io") == 0 && e.sys_errno == ENOENT,
	    "into a missing directory: io, ENOENT");

	if (shm[0] == '\0') {
		ok(1, "# SKIP cross-file-system moves: %s", "no /dev/shm");
		return;
	}
	stat(shm, &s1);
	stat(dir, &s2);
	if (s1.st_dev == s2.st_dev) {
		ok(1, "# SKIP cross-file-system moves: %s",
		    "/dev/shm and the temporary directory are one file system");
		return;
	}
	test_move_in(shm, P(dir, "mv"), "across file systems");
	test_move_in(P(dir, "mv"), shm, "back across file systems");

	mkdir(P(shm, "adir"), 0755);
	ok(ss_move(P(shm, "adir"), P(dir, "mv/adir"), &e) == -1 &&
	    strcmp(e.code, "unsupported") == 0,
	    "no directories across file systems (%s)", e.msg);
	ok(exists(P(shm, "adir")) && !exists(P(dir, "mv/adir")),
	    "the directory stays");
	symlink("target", P(shm, "alink"));
	ok(ss_move(P(shm, "alink"), P(dir, "mv/alink"), &e) == -1 &&
	    strcmp(e.code, "unsupported") == 0,
	    "no symbolic links across file systems");
	is_int(entries(P(dir, "mv"), &ntmp), 4, "only what the tests left");
	is_int(entries(P(dir, "mv/sub"), &ntmp), 0, "no temporary files");
}

static void
test_mkdirs(void)
{
	struct ss_err e = SS_ERR_INIT;
	mode_t old = umask(022);

	ok(ss_mkdirs(P(dir, "mk/a/b/c"), 0750, &e) == 0, "mkdirs a/b/c");
	is_int(mode_of(P(dir, "mk/a/b/c")), 0750, "mode of the new directory");
	is_int(mode_of(P(dir, "mk/a")), 0750, "mode of a new parent");
	ok(ss_mkdirs(P(dir, "mk/a/b/c"), 0700, &e) == 0, "again: no error");
	ok(ss_mkdirs(P(dir, "mk/a//x/./y/"), 0755, &e) == 0 &&
	    mode_of(P(dir, "mk/a/x/y")) == 0755, "slashes and dots");
	put(P(dir, "mk/file"), "", 0);
	ok(ss_mkdirs(P(dir, "mk/file/sub"), 0755, &e) == -1 &&
	    e.sys_errno == ENOTDIR, "a file in the way: ENOTDIR (%s)", e.msg);
	ok(ss_mkdirs(P(dir, "mk/file"), 0755, &e) == -1,
	    "a file at the name itself");
	symlink("a", P(dir, "mk/link"));
	ok(ss_mkdirs(P(dir, "mk/link/new"), 0755, &e) == 0 &&
	    mode_of(P(dir, "mk/a/new")) == 0755,
	    "a symbolic link to a directory is followed");
	ok(ss_mkdirs("", 0755, &e) == -1, "an empty name fails");
	ok(ss_fsync_dir(P(dir, "mk/a"), &e) == 0, "fsync a directory");
	ok(ss_fsync_dir(P(dir, "mk/none"), &e) == -1 &&
	    e.sys_errno == ENOENT, "fsync a missing directory fails");
	umask(old);
}

static void
test_copy_fd(void)
{
	struct ss_err e = SS_ERR_INIT;
	int in, out;

	put(P(dir, "cf-in"), "0123456789", 10);
	in = open(P(dir, "cf-in"), O_RDONLY);
	out = open(P(dir, "cf-out"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
	lseek(in, 3, SEEK_SET);
	ok(ss_copy_fd(in, out, &e) == 0, "copy_fd");
	close(in);
	close(out);
	ok(has(P(dir, "cf-out"), "3456789", 7),
	    "copy_fd copies from the current offset");
	in = open(P(dir, "cf-in"), O_RDONLY);
	ok(ss_copy_fd(in, -1, &e) == -1, "copy_fd to a bad descriptor fails");
	close(in);
	ok(ss_same_content(P(dir, "cf-in"), P(dir, "cf-out"), &e) == 0,
	    "different content");
	ok(ss_same_content(P(dir, "cf-in"), P(dir, "none"), &e) == -1,
	    "same_content of a missing file fails");
	ok(ss_same_content(P(dir, "cf-in"), dir, &e) == 0,
	    "a directory is not the same content");
}

static void
test_read_fd(void)
{
	static const struct {
		size_t len, max;
		const char *code;	/* "" for success */
	} cases[] = {
		{ 0, 10, "" },
		{ 10, 10, "" },
		{ 11, 10, "too_big" },
		{ 200000, 200000, "" },
		{ 200001, 200000, "too_big" },
	};
	struct ss_err e = SS_ERR_INIT;
	struct sbuf sb = SBUF_INIT, want = SBUF_INIT;
	size_t i, k;
	int fd, r;

	for (i = 0; i < SS_ARRAY_SIZE(cases); i++) {
		sbuf_reset(&want);
		for (k = 0; k < cases[i].len; k++)
			sbuf_addch(&want, (char)('a' + k % 26));
		ss_atomic_write(P(dir, "rd"), want.buf, want.len, 0644, &e);
		fd = open(P(dir, "rd"), O_RDONLY);
		sbuf_reset(&sb);
		sbuf_adds(&sb, "kept:");
		ss_err_clear(&e);
		r = ss_read_fd(fd, cases[i].max, &sb, &e);
		close(fd);
		if (cases[i].code[0] == '\0')
			ok(r == 0 && sb.len == 5 + want.len &&
			    memcmp(sb.buf + 5, want.buf, want.len) == 0 &&
			    memcmp(sb.buf, "kept:", 5) == 0,
			    "read_fd %zu bytes of at most %zu, appended", cases[i].len,
			    cases[i].max);
		else
			ok(r == -1 && strcmp(e.code, cases[i].code) == 0,
			    "read_fd %zu bytes of at most %zu: %s (%s)",
			    cases[i].len, cases[i].max, cases[i].code, e.msg);
	}
	sbuf_release(&sb);
	sbuf_release(&want);
}

int
main(void)
{
	const char *tmpdir = getenv("TMPDIR");
	int rc;

	umask(022);
	if ((size_t)snprintf(dir, sizeof(dir), "%s/ss-t-fileio.XXXXXX",
	    tmpdir && *tmpdir ? tmpdir : "/tmp") >= sizeof(dir) ||
	    mkdtemp(dir) == NULL) {
		printf("1..0 # SKIP cannot make a temporary directory\n");
		return 0;
	}
	snprintf(shm, sizeof(shm), "/dev/shm/ss-t-fileio.XXXXXX");
	if (mkdtemp(shm) == NULL)
		shm[0] = '\0';
	test_tmp_names();
	test_atomic();
	test_move();
	test_mkdirs();
	test_copy_fd();
	test_read_fd();
	rc = done_testing();
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	if (shm[0] != '\0')
		nftw(shm, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return rc;
}
