/* fileio.c: atomic replacement, no-overwrite moves across file systems. */
#include <sys/stat.h>

#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

#include "ss.h"
#include "fileio.h"

#define TMP_TAG ".ss-tmp."
#define TMP_TAGLEN 8
#define TMP_RANDLEN 16
#define COPY_CHUNK (1024 * 1024)

/*
 * Puts the directory part of path into dir ("." when there is none) and
 * returns the last component (empty when path ends in '/').
 */
static const char *
split_path(const char *path, struct sbuf *dir)
{
	const char *slash = strrchr(path, '/');
	size_t n;

	sbuf_reset(dir);
	if (slash == NULL) {
		sbuf_addch(dir, '.');
		return path;
	}
	for (n = (size_t)(slash - path); n > 0 && path[n - 1] == '/'; n--)
		;
	if (n == 0)
		sbuf_addch(dir, '/');
	else
		sbuf_add(dir, path, n);
	return slash + 1;
}

int
ss_is_tmp_name(const char *path)
{
	const char *name = strrchr(path, '/');
	size_t n, i;

	name = name != NULL ? name + 1 : path;
	n = strlen(name);
	if (n < 2 + TMP_TAGLEN + TMP_RANDLEN || name[0] != '.')
		return 0;
	if (memcmp(name + n - TMP_RANDLEN - TMP_TAGLEN, TMP_TAG,
	    TMP_TAGLEN) != 0)
		return 0;
	for (i = n - TMP_RANDLEN; i < n; i++)
		if (!((name[i] >= '0' && name[i] <= '9') ||
		    (name[i] >= 'a' && name[i] <= 'f')))
			return 0;
	return 1;
}

/*
 * Creates a new temporary file for target with the given mode; *tmp gets
 * its path (caller frees).  Returns the descriptor, or -1 with e filled.
 */
static int
open_tmp(const char *target, mode_t mode, char **tmp, struct ss_err *e)
{
	struct sbuf dir = SBUF_INIT, t = SBUF_INIT;
	const char *name;
	struct stat st;
	size_t n;
	int fd = -1, tries;

	*tmp = NULL;
	mode &= 07777;
	name = split_path(target, &dir);
	if (*name == '\0' || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0) {
		ss_err_set(e, "invalid", 0, "'%s' names no file", target);
		goto out;
	}
	n = strlen(name);
	if (n > NAME_MAX - (1 + TMP_TAGLEN + TMP_RANDLEN)) {
		n = NAME_MAX - (1 + TMP_TAGLEN + TMP_RANDLEN);
		while (n > 0 && ((unsigned char)name[n] & 0xc0) == 0x80)
			n--;
	}
	for (tries = 0; tries < 100; tries++) {
		sbuf_reset(&t);
		sbuf_add(&t, target, (size_t)(name - target));
		sbuf_addf(&t, ".%.*s" TMP_TAG "%016" PRIx64, (int)n, name,
		    ss_random64());
		fd = open(t.buf, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
		    O_NOFOLLOW, mode);
		if (fd != -1 || errno != EEXIST)
			break;
	}
	if (fd == -1) {
		ss_err_errno(e, "cannot create a temporary file in '%s'",
		    dir.buf);
		goto out;
	}
	/* the umask took bits away; vfat and exFAT may refuse modes */
	if (fstat(fd, &st) == 0 && (st.st_mode & 07777) != mode &&
	    fchmod(fd, mode) == -1 && errno != EPERM && errno != EOPNOTSUPP) {
		ss_err_errno(e, "cannot set the mode of '%s'", t.buf);
		close(fd);
		unlink(t.buf);
		fd = -1;
		goto out;
	}
	*tmp = sbuf_detach(&t, NULL);
out:
	sbuf_release(&dir);
	sbuf_release(&t);
	return fd;
}

int
ss_fsync_dir(const char *dir, struct ss_err *e)
{
	int fd, r = 0;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return ss_err_errno(e, "cannot open directory '%s'", dir);
	if (fsync(fd) == -1 && errno != EINVAL && errno != EOPNOTSUPP)
		r = ss_err_errno(e, "cannot fsync directory '%s'", dir);
	close(fd);
	return r;
}

/* fsyncs the directory that holds path. */
static int
fsync_parent(const char *path, struct ss_err *e)
{
	struct sbuf dir = SBUF_INIT;
	int r;

	split_path(path, &dir);
	r = ss_fsync_dir(dir.buf, e);
	sbuf_release(&dir);
	return r;
}

/* fsyncs the directories of a and b (once if they are the same). */
static int
fsync_parents(const char *a, const char *b, struct ss_err *e)
{
	struct sbuf da = SBUF_INIT, db = SBUF_INIT;
	int r = -1;

	split_path(a, &da);
	split_path(b, &db);
	if (ss_fsync_dir(da.buf, e) == -1)
		goto out;
	if (strcmp(da.buf, db.buf) != 0 && ss_fsync_dir(db.buf, e) == -1)
		goto out;
	r = 0;
out:
	sbuf_release(&da);
	sbuf_release(&db);
	return r;
}

/* fsyncs the data of the regular file at path. */
static int
fsync_file(const char *path, struct ss_err *e)
{
	int fd, r = 0;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1) {
		if (errno == EACCES)	/* unreadable: rename it as it is */
			return 0;
		return ss_err_errno(e, "cannot open '%s'", path);
	}
	if (fsync(fd) == -1 && errno != EINVAL)
		r = ss_err_errno(e, "cannot fsync '%s'", path);
	close(fd);
	return r;
}

int
ss_atomic_open(struct ss_atomic *a, const char *path, mode_t mode,
    struct ss_err *e)
{
	struct stat st;

	a->tmp = NULL;
	a->path = NULL;
	a->fd = -1;
	/* a file or a link is replaced: never /dev/null, a fifo, a dir */
	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode) &&
	    !S_ISLNK(st.st_mode))
		return ss_err_set(e, "invalid", 0,
		    "'%s': not a regular file, not replaced", path);
	if ((a->fd = open_tmp(path, mode, &a->tmp, e)) == -1)
		return -1;
	a->path = xstrdup(path);
	return 0;
}

void
ss_atomic_abort(struct ss_atomic *a)
{
	int saved = errno;

	if (a->fd != -1)
		close(a->fd);
	if (a->tmp != NULL)
		unlink(a->tmp);
	free(a->tmp);
	free(a->path);
	a->fd = -1;
	a->tmp = NULL;
	a->path = NULL;
	errno = saved;
}

int
ss_atomic_commit(struct ss_atomic *a, struct ss_err *e)
{
	int fd = a->fd, r = -1;

	if (fd == -1 || a->tmp == NULL || a->path == NULL) {
		ss_err_set(e, "invalid", 0, "no open temporary file to commit");
		goto out;
	}
	if (fsync(fd) == -1) {
		ss_err_errno(e, "cannot fsync '%s'", a->tmp);
		goto out;
	}
	a->fd = -1;
	if (close(fd) == -1) {
		ss_err_errno(e, "cannot close '%s'", a->tmp);
		goto out;
	}
	if (rename(a->tmp, a->path) == -1) {
		ss_err_errno(e, "cannot rename '%s' to '%s'", a->tmp,
		    a->path);
		goto out;
	}
	free(a->tmp);
	a->tmp = NULL;
	if (fsync_parent(a->path, e) == -1) {
		ss_err_prefix(e, "'%s' was replaced but may not be durable",
		    a->path);
		goto out;
	}
	r = 0;
out:
	ss_atomic_abort(a);
	return r;
}

int
ss_write_full(int fd, const void *buf, size_t len, struct ss_err *e)
{
	const char *p = buf;
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == 0)
			errno = ENOSPC;
		if (n <= 0)
			return ss_err_errno(e, "write error");
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
ss_atomic_write(const char *path, const void *buf, size_t len, mode_t mode,
    struct ss_err *e)
{
	struct ss_atomic a = SS_ATOMIC_INIT;
	int r = -1;

	if (ss_atomic_open(&a, path, mode, e) == -1)
		goto out;
	if (ss_write_full(a.fd, buf, len, e) == -1) {
		ss_err_prefix(e, "'%s'", a.tmp);
		goto out;
	}
	if (ss_atomic_commit(&a, e) == -1)
		goto out;
	r = 0;
out:
	ss_atomic_abort(&a);
	return r;
}

int
ss_copy_fd(int in, int out, struct ss_err *e)
{
	char *buf = NULL;
	ssize_t n;
	int r = -1, cfr = 1;

	for (;;) {
		if (cfr) {
			/*
			 * Any failure (EXDEV, EINVAL, ENOSYS...) and even a
			 * 0 (some file systems report no data) hands over
			 * to read/write, which finds the end or the real
			 * error.
			 */
			n = copy_file_range(in, NULL, out, NULL, COPY_CHUNK,
			    0);
			if (n <= 0 && !(n == -1 && errno == EINTR))
				cfr = 0;
			continue;
		}
		if (buf == NULL)
			buf = xmalloc(COPY_CHUNK);
		n = read(in, buf, COPY_CHUNK);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			ss_err_errno(e, "read error");
			goto out;
		}
		if (n == 0)
			break;
		if (ss_write_full(out, buf, (size_t)n, e) == -1)
			goto out;
	}
	r = 0;
out:
	free(buf);
	return r;
}

int
ss_read_fd(int fd, size_t max, struct sbuf *out, struct ss_err *e)
{
	size_t start = out->len;
	ssize_t n;

	for (;;) {
		sbuf_grow(out, 65536);
		n = read(fd, out->buf + out->len, out->cap - out->len - 1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return ss_err_errno(e, "read error");
		if (n == 0)
			return 0;
		out->len += (size_t)n;
		out->buf[out->len] = '\0';
		if (out->len - start > max)
			return ss_err_set(e, "too_big", 0,
			    "larger than %zu bytes", max);
	}
}

ssize_t
ss_read_full(int fd, void *buf, size_t n)
{
	size_t got = 0;
	ssize_t k;

	while (got < n) {
		k = read(fd, buf + got, n - got);
		if (k == -1 && errno == EINTR)
			continue;
		if (k == -1)
			return -1;
		if (k == 0)
			break;
		got += (size_t)k;
	}
	return (ssize_t)got;
}

int
ss_same_content(const char *a, const char *b, struct ss_err *e)
{
	struct stat sa, sb;
	char *ba = NULL, *bb = NULL;
	ssize_t na, nb;
	int fa = -1, fb = -1, r = -1;

	if ((fa = open(a, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1 ||
	    fstat(fa, &sa) == -1) {
		r = errno == ELOOP ? 0 : ss_err_errno(e, "cannot open '%s'", a);
		goto out;
	}
	if ((fb = open(b, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1 ||
	    fstat(fb, &sb) == -1) {
		r = errno == ELOOP ? 0 : ss_err_errno(e, "cannot open '%s'", b);
		goto out;
	}
	if (!S_ISREG(sa.st_mode) || !S_ISREG(sb.st_mode) ||
	    sa.st_size != sb.st_size) {
		r = 0;
		goto out;
	}
	ba = xmalloc(COPY_CHUNK);
	bb = xmalloc(COPY_CHUNK);
	for (;;) {
		if ((na = ss_read_full(fa, ba, COPY_CHUNK)) == -1) {
			ss_err_errno(e, "read error on '%s'", a);
			goto out;
		}
		if ((nb = ss_read_full(fb, bb, COPY_CHUNK)) == -1) {
			ss_err_errno(e, "read error on '%s'", b);
			goto out;
		}
		if (na != nb || memcmp(ba, bb, (size_t)na) != 0) {
			r = 0;
			goto out;
		}
		if (na == 0)
			break;
	}
	r = 1;
out:
	if (fa != -1)
		close(fa);
	if (fb != -1)
		close(fb);
	free(ba);
	free(bb);
	return r;
}

/*
 * Renames src to dst unless dst exists (errno EEXIST): renameat2 where
 * the file system supports RENAME_NOREPLACE, else link and unlink, else
 * (no hard links: vfat) a check followed by rename(2).  Sets errno.
 */
static int
rename_noreplace(const char *src, const char *dst)
{
	struct stat st;

	if (renameat2(AT_FDCWD, src, AT_FDCWD, dst, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
		return -1;
	if (link(src, dst) == 0)
		return unlink(src);
	if (errno != EPERM && errno != EOPNOTSUPP && errno != EMLINK)
		return -1;
	if (lstat(dst, &st) == 0) {
		errno = EEXIST;
		return -1;
	}
	if (errno != ENOENT)
		return -1;
	return rename(src, dst);
}

/* 1 if a and b are one directory entry: same directory, same name. */
static int
same_entry(const char *a, const char *b)
{
	struct sbuf da = SBUF_INIT, db = SBUF_INIT;
	const char *na, *nb;
	struct stat sa, sb;
	int r = 0;

	na = split_path(a, &da);
	nb = split_path(b, &db);
	if (strcmp(na, nb) == 0 && stat(da.buf, &sa) == 0 &&
	    stat(db.buf, &sb) == 0 && sa.st_dev == sb.st_dev &&
	    sa.st_ino == sb.st_ino)
		r = 1;
	sbuf_release(&da);
	sbuf_release(&db);
	return r;
}

/*
 * to exists: the move is complete if it holds what from holds (a hard
 * link to it, or a regular file with the same bytes); make to durable,
 * then unlink from.  Otherwise fail with "exists".
 */
static int
finish_existing(const char *from, const struct stat *fst, const char *to,
    const struct stat *tst, struct ss_err *e)
{
	int same;

	if (fst->st_dev == tst->st_dev && fst->st_ino == tst->st_ino) {
		if (tst->st_nlink <= 1 || same_entry(from, to))
			return 0;
	} else {
		if (!S_ISREG(fst->st_mode) || !S_ISREG(tst->st_mode) ||
		    fst->st_size != tst->st_size)
			goto exists;
		if ((same = ss_same_content(from, to, e)) == -1)
			return -1;
		if (!same)
			goto exists;
	}
	if (S_ISREG(tst->st_mode) && fsync_file(to, e) == -1)
		return -1;
	if (fsync_parent(to, e) == -1)
		return -1;
	if (unlink(from) == -1)
		return ss_err_errno(e, "cannot remove '%s' (already at '%s')",
		    from, to);
	return fsync_parent(from, e);
exists:
	ss_err_set(e, "exists", 0, "'%s' already exists", to);
	e->sys_errno = EEXIST;
	return -1;
}

/* Like finish_existing after a rename found to present after all. */
static int
recheck_existing(const char *from, const struct stat *fst, const char *to,
    struct ss_err *e)
{
	struct stat tst;

	if (lstat(to, &tst) == -1)
		return ss_err_errno(e, "cannot examine '%s'", to);
	return finish_existing(from, fst, to, &tst, e);
}

/*
 * Copies the regular file from to a new file to through a temporary
 * file in to's directory.  Returns 0 when to is complete and durable,
 * -2 when to turned out to exist (e "exists"), -1 on other errors.
 */
static int
copy_new(const char *from, const char *to, struct ss_err *e)
{
	struct sbuf dir = SBUF_INIT;
	struct timespec ts[2];
	struct stat st, now;
	char *tmp = NULL;
	int in = -1, out = -1, r = -1;

	if ((in = open(from, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1 ||
	    fstat(in, &st) == -1) {
		ss_err_errno(e, "cannot open '%s'", from);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ss_err_set(e, "unsupported", 0,
		    "cannot copy '%s': not a regular file", from);
		goto out;
	}
	if ((out = open_tmp(to, st.st_mode, &tmp, e)) == -1)
		goto out;
	if (ss_copy_fd(in, out, e) == -1) {
		ss_err_prefix(e, "copying '%s' to '%s'", from, tmp);
		goto out;
	}
	ts[0] = st.st_atim;
	ts[1] = st.st_mtim;
	if (futimens(out, ts) == -1) {
		ss_err_errno(e, "cannot set the times of '%s'", tmp);
		goto out;
	}
	if (fsync(out) == -1) {
		ss_err_errno(e, "cannot fsync '%s'", tmp);
		goto out;
	}
	if (fstat(in, &now) == -1) {
		ss_err_errno(e, "cannot examine '%s'", from);
		goto out;
	}
	if (now.st_size != st.st_size ||
	    now.st_mtim.tv_sec != st.st_mtim.tv_sec ||
	    now.st_mtim.tv_nsec != st.st_mtim.tv_nsec ||
	    now.st_ctim.tv_sec != st.st_ctim.tv_sec ||
	    now.st_ctim.tv_nsec != st.st_ctim.tv_nsec) {
		ss_err_set(e, "changed", 1, "'%s' changed while it was copied",
		    from);
		goto out;
	}
	if (fstat(out, &now) == -1 || now.st_size != st.st_size) {
		ss_err_set(e, "io", 0, "the copy of '%s' is incomplete", from);
		goto out;
	}
	if (close(out) == -1) {
		out = -1;
		ss_err_errno(e, "cannot close '%s'", tmp);
		goto out;
	}
	out = -1;
	split_path(to, &dir);
	if (ss_fsync_dir(dir.buf, e) == -1)
		goto out;
	if (rename_noreplace(tmp, to) == -1) {
		if (errno == EEXIST) {
			ss_err_set(e, "exists", 0, "'%s' already exists", to);
			e->sys_errno = EEXIST;
			r = -2;
		} else {
			ss_err_errno(e, "cannot rename '%s' to '%s'", tmp, to);
		}
		goto out;
	}
	free(tmp);
	tmp = NULL;
	if (ss_fsync_dir(dir.buf, e) == -1)
		goto out;
	r = 0;
out:
	if (in != -1)
		close(in);
	if (out != -1)
		close(out);
	if (tmp != NULL)
		unlink(tmp);
	free(tmp);
	sbuf_release(&dir);
	return r;
}

int
ss_copy_file(const char *from, const char *to, struct ss_err *e)
{
	struct stat st;

	if (lstat(to, &st) == 0) {
		ss_err_set(e, "exists", 0, "'%s' already exists", to);
		e->sys_errno = EEXIST;
		return -1;
	}
	if (errno != ENOENT)
		return ss_err_errno(e, "cannot examine '%s'", to);
	return copy_new(from, to, e) == 0 ? 0 : -1;
}

int
ss_move(const char *from, const char *to, struct ss_err *e)
{
	struct stat fst, tst;
	int r;

	if (lstat(from, &fst) == -1) {
		if (errno != ENOENT)
			return ss_err_errno(e, "cannot examine '%s'", from);
		ss_err_set(e, "missing", 0, "'%s' does not exist", from);
		e->sys_errno = ENOENT;
		return -1;
	}
	if (lstat(to, &tst) == 0)
		return finish_existing(from, &fst, to, &tst, e);
	if (errno != ENOENT)
		return ss_err_errno(e, "cannot examine '%s'", to);
	/* the data must be durable before it gets its new name */
	if (S_ISREG(fst.st_mode) && fsync_file(from, e) == -1)
		return -1;
	if (rename_noreplace(from, to) == 0)
		return fsync_parents(to, from, e);
	if (errno == EEXIST)
		return recheck_existing(from, &fst, to, e);
	if (errno != EXDEV)
		return ss_err_errno(e, "cannot move '%s' to '%s'", from, to);
	if (!S_ISREG(fst.st_mode))
		return ss_err_set(e, "unsupported", 0,
		    "cannot move '%s' across file systems: not a regular "
		    "file", from);
	if ((r = copy_new(from, to, e)) == -2)
		return recheck_existing(from, &fst, to, e);
	if (r == -1)
		return -1;
	if (unlink(from) == -1)
		return ss_err_errno(e, "copied '%s' to '%s' but cannot remove "
		    "it", from, to);
	return fsync_parent(from, e);
}

int
ss_mkdirs(const char *dir, mode_t mode, struct ss_err *e)
{
	struct sbuf p = SBUF_INIT, parent = SBUF_INIT;
	struct stat st;
	size_t i;
	int r = -1;
	char c;

	if (dir == NULL || *dir == '\0') {
		ss_err_set(e, "invalid", 0, "empty directory name");
		goto out;
	}
	if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode)) {
		r = 0;
		goto out;
	}
	sbuf_adds(&p, dir);
	for (i = 1; i <= p.len; i++) {
		if ((i < p.len && p.buf[i] != '/') || p.buf[i - 1] == '/')
			continue;
		c = p.buf[i];
		p.buf[i] = '\0';
		if (mkdir(p.buf, mode) == 0) {
			split_path(p.buf, &parent);
			if (ss_fsync_dir(parent.buf, e) == -1)
				goto out;
		} else if (errno != EEXIST) {
			ss_err_errno(e, "cannot create directory '%s'", p.buf);
			goto out;
		} else if (stat(p.buf, &st) == -1 || !S_ISDIR(st.st_mode)) {
			errno = ENOTDIR;
			ss_err_errno(e, "cannot create directory '%s'", p.buf);
			goto out;
		}
		p.buf[i] = c;
	}
	r = 0;
out:
	sbuf_release(&p);
	sbuf_release(&parent);
	return r;
}
