/* xalloc.h: allocation that never returns NULL (it dies with exit 3). */
#ifndef SS_XALLOC_H
#define SS_XALLOC_H

#include <stddef.h>

/* Each dies with "PROG: fatal: out of memory" and exit 3 on failure. */
void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
void *xreallocarray(void *p, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xmemdupz(const void *p, size_t n);	/* n bytes plus a NUL */

#endif
