/* walk.c: depth-first directory walk in byte order, no loops, no surprises. */
#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <unistd.h>

#include "ss.h"
#include "walk.h"

#define MAX_DEPTH 256

struct dirid {
	dev_t dev;
	ino_t ino;
};

struct walker {
	const struct ss_walk_opts *o;
	ss_walk_fn *fn;
	ss_walk_err_fn *errfn;
	void *arg;
	dev_t root_dev;
	struct dirid stack[MAX_DEPTH];	/* the directories above: loops */
	int depth;
	struct sbuf path;
};

struct entry {
	char *name;
};

static int
by_name(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->name,
	    ((const struct entry *)b)->name);
}

static int
ignored(const struct walker *w, const char *name)
{
	size_t i;

	for (i = 0; i < w->o->nignore; i++)
		if (fnmatch(w->o->ignore[i], name, 0) == 0)
			return 1;
	return 0;
}

static void
report(struct walker *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
report(struct walker *w, const char *fmt, ...)
{
	struct ss_err e = SS_ERR_INIT;
	int saved = errno;
	char msg[256];
	va_list ap;

	if (w->errfn == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	errno = saved;
	ss_err_errno(&e, "%s", msg);
	w->errfn(w->path.buf, &e, w->arg);
}

static int walk_dir(struct walker *w, int fd, const struct stat *st);

/* One entry of the directory open on dfd; w->path holds its whole path. */
static int
visit(struct walker *w, int dfd, const char *name)
{
	struct stat st;
	int fd, r, flags = w->o->follow ? 0 : AT_SYMLINK_NOFOLLOW;

	if (fstatat(dfd, name, &st, flags) == -1) {
		report(w, "cannot stat");
		return 0;
	}
	if (S_ISREG(st.st_mode))
		return w->fn(w->path.buf, w->path.len, name, &st, w->arg);
	if (!S_ISDIR(st.st_mode))
		return 0;	/* symlinks (not followed), devices, fifos */
	if (w->o->one_fs && st.st_dev != w->root_dev)
		return 0;
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC |
	    (w->o->follow ? 0 : O_NOFOLLOW));
	if (fd == -1) {
		report(w, "cannot open directory");
		return 0;
	}
	r = walk_dir(w, fd, &st);	/* closes fd */
	return r;
}

static int
walk_dir(struct walker *w, int fd, const struct stat *st)
{
	struct entry *ents = NULL;
	size_t n = 0, cap = 0, i, base;
	struct dirent *de;
	DIR *d;
	int r = 0, k;

	for (k = 0; k < w->depth; k++)
		if (w->stack[k].dev == st->st_dev &&
		    w->stack[k].ino == st->st_ino) {
			close(fd);
			errno = ELOOP;
			report(w, "directory loop");
			return 0;
		}
	if (w->depth == MAX_DEPTH) {
		close(fd);
		errno = ELOOP;
		report(w, "too deep");
		return 0;
	}
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		report(w, "cannot read directory");
		return 0;
	}
	while ((errno = 0, de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0 || ignored(w, de->d_name))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			ents = xreallocarray(ents, cap, sizeof(*ents));
		}
		ents[n].name = xstrdup(de->d_name);
		n++;
	}
	if (errno != 0)
		report(w, "cannot read directory");
	ss_qsort(ents, n, sizeof(*ents), by_name);
	w->stack[w->depth].dev = st->st_dev;
	w->stack[w->depth].ino = st->st_ino;
	w->depth++;
	base = w->path.len;
	for (i = 0; i < n && r == 0; i++) {
		sbuf_setlen(&w->path, base);
		if (base == 0 || w->path.buf[base - 1] != '/')
			sbuf_addch(&w->path, '/');
		sbuf_adds(&w->path, ents[i].name);
		r = visit(w, dirfd(d), ents[i].name);
	}
	sbuf_setlen(&w->path, base);
	w->depth--;
	for (i = 0; i < n; i++)
		free(ents[i].name);
	free(ents);
	closedir(d);
	return r;
}

int
ss_walk(const char *root, const struct ss_walk_opts *o, ss_walk_fn *fn,
    ss_walk_err_fn *errfn, void *arg, struct ss_err *e)
{
	struct walker w;
	struct stat st;
	const char *name;
	int fd, r;

	memset(&w, 0, sizeof(w));
	w.o = o;
	w.fn = fn;
	w.errfn = errfn;
	w.arg = arg;
	sbuf_init(&w.path, 256);
	sbuf_adds(&w.path, root);
	/* the root is followed even when it is a symlink: it was asked for */
	if (stat(root, &st) == -1) {
		r = ss_err_errno(e, "'%s'", root);
		goto out;
	}
	w.root_dev = st.st_dev;
	if (S_ISREG(st.st_mode)) {
		name = strrchr(root, '/');
		r = fn(w.path.buf, w.path.len, name ? name + 1 : root, &st,
		    arg);
		goto out;
	}
	if (!S_ISDIR(st.st_mode)) {
		r = ss_err_set(e, "io", 0, "'%s': not a file or directory",
		    root);
		goto out;
	}
	if ((fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		r = ss_err_errno(e, "'%s'", root);
		goto out;
	}
	r = walk_dir(&w, fd, &st);
out:
	sbuf_release(&w.path);
	return r;
}
