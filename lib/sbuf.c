/* sbuf.c: growable byte strings. */
#include "ss.h"

char sbuf_empty[1];

void
sbuf_init(struct sbuf *sb, size_t hint)
{
	sb->buf = sbuf_empty;
	sb->len = sb->cap = 0;
	if (hint)
		sbuf_grow(sb, hint);
}

void
sbuf_release(struct sbuf *sb)
{
	if (sb->cap)
		free(sb->buf);
	sbuf_init(sb, 0);
}

char *
sbuf_detach(struct sbuf *sb, size_t *len)
{
	char *p;

	sbuf_grow(sb, 0);
	p = sb->buf;
	if (len)
		*len = sb->len;
	sbuf_init(sb, 0);
	return p;
}

void
sbuf_grow(struct sbuf *sb, size_t extra)
{
	size_t need;

	if (extra > SIZE_MAX - sb->len - 1)
		ss_die(SS_EX_FATAL, "out of memory");
	need = sb->len + extra + 1;
	if (need <= sb->cap)
		return;
	if (sb->cap == 0) {
		sb->buf = NULL;
		sb->cap = 64;
	}
	while (sb->cap < need)
		sb->cap = sb->cap < SIZE_MAX / 2 ? sb->cap * 2 : need;
	sb->buf = xrealloc(sb->buf, sb->cap);
	sb->buf[sb->len] = '\0';
}

void
sbuf_reset(struct sbuf *sb)
{
	sbuf_setlen(sb, 0);
}

void
sbuf_setlen(struct sbuf *sb, size_t len)
{
	if (len > sb->len)
		abort();
	sb->len = len;
	if (sb->cap)
		sb->buf[len] = '\0';
}

void
sbuf_add(struct sbuf *sb, const void *p, size_t n)
{
	if (n == 0)
		return;
	sbuf_grow(sb, n);
	memcpy(sb->buf + sb->len, p, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void
sbuf_adds(struct sbuf *sb, const char *s)
{
	sbuf_add(sb, s, strlen(s));
}

void
sbuf_addch(struct sbuf *sb, int c)
{
	sbuf_grow(sb, 1);
	sb->buf[sb->len++] = (char)c;
	sb->buf[sb->len] = '\0';
}

void
sbuf_vaddf(struct sbuf *sb, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(sb->buf + sb->len, sb->cap ? sb->cap - sb->len : 0,
	    fmt, cp);
	va_end(cp);
	if (n < 0)
		ss_die(SS_EX_FATAL, "vsnprintf failed");
	if (sb->cap == 0 || (size_t)n >= sb->cap - sb->len) {
		sbuf_grow(sb, (size_t)n);
		n = vsnprintf(sb->buf + sb->len, sb->cap - sb->len, fmt, ap);
	}
	sb->len += (size_t)n;
}

void
sbuf_addf(struct sbuf *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sbuf_vaddf(sb, fmt, ap);
	va_end(ap);
}
