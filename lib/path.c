/* path.c: hostile names under a root, safe file names, raw paths in JSON. */
#include <sys/stat.h>

#include <fcntl.h>
#include <limits.h>
#include <strings.h>
#include <unistd.h>

#include "ss.h"
#include "base64.h"
#include "path.h"

/* How much of a hostile name goes into an error message. */
#define SHOW 200
#define SHOWLEN(n) ((int)((n) > SHOW ? SHOW : (n)))

/* 1 if the component p[0..n) has a ".." piece between backslashes. */
static int
backslash_dotdot(const char *p, size_t n)
{
	size_t i, start = 0;

	if (memchr(p, '\\', n) == NULL)
		return 0;
	for (i = 0; i <= n; i++) {
		if (i < n && p[i] != '\\')
			continue;
		if (i - start == 2 && p[start] == '.' && p[start + 1] == '.')
			return 1;
		start = i + 1;
	}
	return 0;
}

/*
 * Walks path[base..] (components separated by single slashes) from root
 * without following symbolic links; -1 with "escape" at the first link.
 */
static int
check_no_links(const char *root, const char *path, size_t base,
    struct ss_err *e)
{
	char name[NAME_MAX + 1];
	const char *p, *slash;
	struct stat st;
	size_t n;
	int dfd, nfd, r = -1;

	if ((dfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			return 0;
		return ss_err_errno(e, "cannot open '%s'", root);
	}
	for (p = path + base; *p != '\0'; p = slash + 1) {
		slash = strchr(p, '/');
		n = slash != NULL ? (size_t)(slash - p) : strlen(p);
		memcpy(name, p, n);
		name[n] = '\0';
		if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == -1) {
			if (errno == ENOENT)
				r = 0;
			else
				ss_err_errno(e, "cannot examine '%.*s'",
				    (int)(p - path + n), path);
			goto out;
		}
		if (S_ISLNK(st.st_mode)) {
			ss_err_set(e, "escape", 0,
			    "'%.*s' is a symbolic link", (int)(p - path + n),
			    path);
			goto out;
		}
		if (slash == NULL || !S_ISDIR(st.st_mode)) {
			/* nothing can exist below a file */
			r = 0;
			goto out;
		}
		nfd = openat(dfd, name,
		    O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (nfd == -1) {
			if (errno == ENOENT)
				r = 0;
			else if (errno == ELOOP || errno == ENOTDIR)
				ss_err_set(e, "escape", 0,
				    "'%.*s' was replaced by a symbolic link",
				    (int)(p - path + n), path);
			else
				ss_err_errno(e, "cannot open '%.*s'",
				    (int)(p - path + n), path);
			goto out;
		}
		close(dfd);
		dfd = nfd;
	}
	r = 0;
out:
	close(dfd);
	return r;
}

int
ss_path_join_n(const char *root, const char *rel, size_t len,
    struct sbuf *out, struct ss_err *e)
{
	size_t i, start, n, rootlen, base;
	int ncomp = 0, r = -1;

	sbuf_reset(out);
	if (root == NULL || *root == '\0') {
		ss_err_set(e, "invalid", 0, "empty root directory");
		goto out;
	}
	if (rel == NULL) {
		ss_err_set(e, "escape", 0, "no name");
		goto out;
	}
	if (memchr(rel, '\0', len) != NULL) {
		ss_err_set(e, "escape", 0, "name '%.*s' contains a NUL byte",
		    SHOWLEN(len), rel);
		goto out;
	}
	if (len >= PATH_MAX) {
		ss_err_set(e, "escape", 0, "name '%.*s...' is too long",
		    SHOWLEN(len), rel);
		goto out;
	}
	if (len > 0 && rel[0] == '/') {
		ss_err_set(e, "escape", 0, "name '%.*s' is absolute",
		    SHOWLEN(len), rel);
		goto out;
	}
	rootlen = strlen(root);
	while (rootlen > 1 && root[rootlen - 1] == '/')
		rootlen--;
	sbuf_add(out, root, rootlen);
	if (out->buf[out->len - 1] != '/')
		sbuf_addch(out, '/');
	base = out->len;
	for (start = i = 0; i <= len; i++) {
		if (i < len && rel[i] != '/')
			continue;
		n = i - start;
		if (n == 0 || (n == 1 && rel[start] == '.')) {
			start = i + 1;
			continue;
		}
		if ((n == 2 && rel[start] == '.' && rel[start + 1] == '.') ||
		    backslash_dotdot(rel + start, n)) {
			ss_err_set(e, "escape", 0,
			    "name '%.*s' has a '..' component", SHOWLEN(len),
			    rel);
			goto out;
		}
		if (n > NAME_MAX) {
			ss_err_set(e, "escape", 0,
			    "name '%.*s...' has a component longer than %d "
			    "bytes", SHOWLEN(len), rel, NAME_MAX);
			goto out;
		}
		if (ncomp++ > 0)
			sbuf_addch(out, '/');
		sbuf_add(out, rel + start, n);
		start = i + 1;
	}
	if (ncomp == 0) {
		ss_err_set(e, "escape", 0, "name '%.*s' is empty",
		    SHOWLEN(len), rel);
		goto out;
	}
	if (out->len >= PATH_MAX) {
		ss_err_set(e, "escape", 0, "path '%.*s...' is too long",
		    SHOWLEN(out->len), out->buf);
		goto out;
	}
	if (check_no_links(root, out->buf, base, e) == -1)
		goto out;
	r = 0;
out:
	if (r == -1)
		sbuf_reset(out);
	return r;
}

int
ss_path_join(const char *root, const char *rel, struct sbuf *out,
    struct ss_err *e)
{
	return ss_path_join_n(root, rel, rel != NULL ? strlen(rel) : 0, out,
	    e);
}

/*
 * Windows device names, reserved with any extension.  The superscript
 * digits ¹ ² ³ count as digits there (UTF-8 C2 B9, C2 B2, C2 B3).
 */
static const char *const reserved_names[] = {
	"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
	"COM0", "COM1", "COM2", "COM3", "COM4",
	"COM5", "COM6", "COM7", "COM8", "COM9",
	"LPT0", "LPT1", "LPT2", "LPT3", "LPT4",
	"LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
	"COM\xc2\xb9", "COM\xc2\xb2", "COM\xc2\xb3",
	"LPT\xc2\xb9", "LPT\xc2\xb2", "LPT\xc2\xb3",
};

/* The length of the reserved name that s starts with as a base, or 0. */
static size_t
reserved_len(const char *s, size_t len)
{
	const char *dot = memchr(s, '.', len);
	size_t n = dot != NULL ? (size_t)(dot - s) : len, i;

	while (n > 0 && s[n - 1] == ' ')
		n--;
	for (i = 0; i < SS_ARRAY_SIZE(reserved_names); i++)
		if (strlen(reserved_names[i]) == n &&
		    strncasecmp(s, reserved_names[i], n) == 0)
			return n;
	return 0;
}

/* The length of the extension ".abc" that s ends with, or 0. */
static size_t
ext_len(const char *s, size_t len)
{
	size_t i;

	for (i = len; i > 0 && len - i < 16; i--) {
		if (s[i - 1] == '.')
			return i - 1 > 0 && i < len ? len - (i - 1) : 0;
		if (!((s[i - 1] >= 'a' && s[i - 1] <= 'z') ||
		    (s[i - 1] >= 'A' && s[i - 1] <= 'Z') ||
		    (s[i - 1] >= '0' && s[i - 1] <= '9')))
			return 0;
	}
	return 0;
}

/* Cuts s to at most max bytes on a character boundary, keeping ".ext". */
static void
cut_name(struct sbuf *s, size_t max)
{
	size_t ext, n;

	if (s->len <= max)
		return;
	ext = ext_len(s->buf, s->len);
	if (ext > max / 2)
		ext = 0;
	n = max - ext;
	while (n > 0 && ((unsigned char)s->buf[n] & 0xc0) == 0x80)
		n--;
	while (n > 0 && (s->buf[n - 1] == ' ' || s->buf[n - 1] == '.'))
		n--;
	if (n == 0)
		s->buf[n++] = '_';
	memmove(s->buf + n, s->buf + s->len - ext, ext);
	sbuf_setlen(s, n + ext);
}

/* 1 if code point c must not appear in a library file name. */
static int
bad_char(uint32_t c)
{
	if (c < 0x20 || (c >= 0x7f && c < 0xa0))
		return 1;
	if ((c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069))
		return 1;
	return c < 0x80 && strchr("/\\:*?\"<>|", (int)c) != NULL;
}

int
ss_path_sanitize_component_max(const char *in, size_t len, size_t max,
    struct sbuf *out)
{
	struct sbuf s = SBUF_INIT;
	size_t i, n, start, end, rlen;
	uint32_t c;
	int changed;

	if (max < 16)
		max = 16;
	if (max > NAME_MAX)
		max = NAME_MAX;
	sbuf_grow(&s, len);
	for (i = 0; i < len; i += n) {
		if ((n = ss_utf8_next(in + i, len - i, &c)) == 0) {
			n = 1;
			sbuf_addch(&s, '_');
		} else if (bad_char(c)) {
			sbuf_addch(&s, '_');
		} else {
			sbuf_add(&s, in + i, n);
		}
	}
	for (start = 0; start < s.len && s.buf[start] == ' '; start++)
		;
	for (end = s.len; end > start &&
	    (s.buf[end - 1] == '.' || s.buf[end - 1] == ' '); end--)
		;
	memmove(s.buf, s.buf + start, end - start);
	sbuf_setlen(&s, end - start);
	if (s.len == 0)
		sbuf_addch(&s, '_');
	if (s.buf[0] == '.')
		s.buf[0] = '_';
	cut_name(&s, max);
	if ((rlen = reserved_len(s.buf, s.len)) > 0) {
		sbuf_addch(&s, '_');
		memmove(s.buf + rlen + 1, s.buf + rlen, s.len - rlen - 1);
		s.buf[rlen] = '_';
		/* the base now starts "CON_", which a cut cannot shorten */
		cut_name(&s, max);
	}
	changed = s.len != len || memcmp(s.buf, in, len) != 0;
	sbuf_add(out, s.buf, s.len);
	sbuf_release(&s);
	return changed;
}

int
ss_path_sanitize_component(const char *in, size_t len, struct sbuf *out)
{
	return ss_path_sanitize_component_max(in, len, NAME_MAX, out);
}

void
ss_path_display(const char *path, size_t len, struct sbuf *out)
{
	size_t i, n;
	uint32_t c;

	for (i = 0; i < len; i += n) {
		if ((n = ss_utf8_next(path + i, len - i, &c)) == 0) {
			n = 1;
			sbuf_adds(out, "\xef\xbf\xbd");
		} else {
			sbuf_add(out, path + i, n);
		}
	}
}

void
ss_rec_set_path(jv *obj, const char *key, const char *path, size_t len)
{
	struct sbuf k = SBUF_INIT, d = SBUF_INIT, b = SBUF_INIT;

	sbuf_addf(&k, "%s_b64", key);
	if (ss_utf8_valid(path, len)) {
		*obj = jv_object_set(*obj, jv_string(key),
		    jv_string_sized(path, (int)len));
		*obj = jv_object_delete(*obj, jv_string(k.buf));
		goto out;
	}
	ss_path_display(path, len, &d);
	ss_base64_encode(path, len, &b);
	*obj = jv_object_set(*obj, jv_string(key),
	    jv_string_sized(d.buf, (int)d.len));
	*obj = jv_object_set(*obj, jv_string(k.buf),
	    jv_string_sized(b.buf, (int)b.len));
out:
	sbuf_release(&k);
	sbuf_release(&d);
	sbuf_release(&b);
}

int
ss_rec_get_path(jv obj, const char *key, struct sbuf *out, struct ss_err *e)
{
	struct sbuf k = SBUF_INIT;
	jv v = jv_invalid(), b = jv_invalid();
	int r = -1;

	sbuf_reset(out);
	if (jv_get_kind(obj) != JV_KIND_OBJECT) {
		ss_err_set(e, "missing", 0, "no '%s' (not an object)", key);
		goto out;
	}
	sbuf_addf(&k, "%s_b64", key);
	b = jv_object_get(jv_copy(obj), jv_string(k.buf));
	if (jv_get_kind(b) == JV_KIND_STRING) {
		if (ss_base64_decode(jv_string_value(b),
		    (size_t)jv_string_length_bytes(jv_copy(b)), out, e) == -1) {
			ss_err_prefix(e, "'%s'", k.buf);
			goto out;
		}
	} else if (jv_get_kind(b) != JV_KIND_INVALID &&
	    jv_get_kind(b) != JV_KIND_NULL) {
		ss_err_set(e, "parse", 0, "'%s' is not a string", k.buf);
		goto out;
	} else {
		v = jv_object_get(jv_copy(obj), jv_string(key));
		if (jv_get_kind(v) == JV_KIND_INVALID ||
		    jv_get_kind(v) == JV_KIND_NULL) {
			ss_err_set(e, "missing", 0, "no '%s'", key);
			goto out;
		}
		if (jv_get_kind(v) != JV_KIND_STRING) {
			ss_err_set(e, "parse", 0, "'%s' is not a string", key);
			goto out;
		}
		sbuf_add(out, jv_string_value(v),
		    (size_t)jv_string_length_bytes(jv_copy(v)));
	}
	if (out->len == 0) {
		ss_err_set(e, "parse", 0, "'%s' is an empty path", key);
		goto out;
	}
	if (memchr(out->buf, '\0', out->len) != NULL) {
		ss_err_set(e, "parse", 0, "'%s' contains a NUL byte", key);
		goto out;
	}
	r = 0;
out:
	if (r == -1)
		sbuf_reset(out);
	jv_free(v);
	jv_free(b);
	sbuf_release(&k);
	return r;
}
