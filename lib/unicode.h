/* unicode.h: Unicode normalisation and case mapping (utf8proc inside). */
#ifndef SS_UNICODE_H
#define SS_UNICODE_H

#include <stddef.h>

struct sbuf;
struct ss_err;

/*
 * Each function appends to out the transformed form of the n bytes at
 * s, which must be valid UTF-8 (embedded NULs are refused).  Returns 0,
 * or -1 with e filled ("invalid") and out unchanged.
 *
 * ss_unicode_nfc: Unicode Normalization Form C (what macOS-made names in
 * NFD become, so "é" is one code point wherever it came from).
 */
int ss_unicode_nfc(const char *s, size_t n, struct sbuf *out,
    struct ss_err *e);

/* Upper case (upper != 0) or lower case, code point by code point, NFC. */
int ss_unicode_case(const char *s, size_t n, int upper, struct sbuf *out,
    struct ss_err *e);

/*
 * The index letter of s, for A-Z folders: its first code point, accents
 * removed and upper-cased as utf8proc does ("élan" gives "E", "ß" gives
 * "ẞ"); a first code point that is not a letter (a digit, a symbol) gives
 * "#"; an empty s gives nothing.  Letters of other scripts stay themselves
 * ("坂").
 */
int ss_unicode_first_letter(const char *s, size_t n, struct sbuf *out,
    struct ss_err *e);

/* The number of code points in the n bytes of valid UTF-8 at s. */
size_t ss_unicode_length(const char *s, size_t n);

#endif
