/* util.h: small helpers: bounded number parsing, clock, UTF-8, time. */
#ifndef SS_UTIL_H
#define SS_UTIL_H

#include <stddef.h>
#include <stdint.h>

struct ss_err;

/*
 * Parses a whole decimal integer in [min, max] (strtonum(3) semantics:
 * no trailing garbage, no empty string).  Returns 0, or -1 with e filled
 * ("parse" code) naming what was wrong.
 */
int ss_strtonum(const char *s, long long min, long long max,
    long long *out, struct ss_err *e);

/*
 * The clock every program uses, in seconds since the epoch.  The
 * environment variable SS_NOW (seconds since the epoch, decimals allowed)
 * replaces the real clock, so tests can move time.
 */
double ss_now(void);

/*
 * Decodes the UTF-8 sequence at s (n bytes available) into *cp and
 * returns its length, or 0 if it is invalid (or n is 0).
 */
size_t ss_utf8_next(const char *s, size_t n, uint32_t *cp);

/* 1 if the n bytes at s are valid UTF-8 (no overlongs, no surrogates). */
int ss_utf8_valid(const char *s, size_t n);

/* Formats t (epoch seconds) as RFC 3339 UTC "2026-11-26T10:22:51Z". */
void ss_time_rfc3339(double t, char buf[32]);

/*
 * qsort(3) that accepts an empty array given as NULL (qsort itself must
 * not be passed NULL, even for 0 elements).
 */
void ss_qsort(void *base, size_t n, size_t size,
    int (*cmp)(const void *, const void *));

/* A random 64-bit value from getrandom(2) (jitter, temp names, owners). */
uint64_t ss_random64(void);

#endif
