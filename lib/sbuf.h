/* sbuf.h: a growable byte string (git's strbuf invariants). */
#ifndef SS_SBUF_H
#define SS_SBUF_H

#include <stdarg.h>
#include <stddef.h>

/*
 * Invariants: buf is never NULL and always NUL-terminated at buf[len],
 * even after SBUF_INIT; len may include embedded NULs.  The buffer owns
 * buf; sbuf_detach() hands it to the caller.
 *
 *   struct sbuf sb = SBUF_INIT;
 *   sbuf_addf(&sb, "%s/%s", dir, name);
 *   use(sb.buf);
 *   sbuf_release(&sb);
 */
struct sbuf {
	char *buf;
	size_t len;
	size_t cap;
};

extern char sbuf_empty[];
#define SBUF_INIT { sbuf_empty, 0, 0 }

void sbuf_init(struct sbuf *sb, size_t hint);
void sbuf_release(struct sbuf *sb);	/* frees; sb is SBUF_INIT again */
char *sbuf_detach(struct sbuf *sb, size_t *len);	/* caller frees */
void sbuf_grow(struct sbuf *sb, size_t extra);
void sbuf_reset(struct sbuf *sb);	/* len = 0, keeps the memory */
void sbuf_setlen(struct sbuf *sb, size_t len);	/* len <= current len */
void sbuf_add(struct sbuf *sb, const void *p, size_t n);
void sbuf_adds(struct sbuf *sb, const char *s);
void sbuf_addch(struct sbuf *sb, int c);
void sbuf_addf(struct sbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void sbuf_vaddf(struct sbuf *sb, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

#endif
