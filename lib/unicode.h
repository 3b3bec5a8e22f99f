/* unicode.h: normalisation, case mapping, matching keys (utf8proc inside). */
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

/*
 * Appends to out the folded form of the len bytes of UTF-8 at s, so that
 * spellings of one name that people (and taggers) use interchangeably
 * compare equal:
 *
 *   - Unicode NFKC with full case folding (utf8proc): "ＡＢＣ" and "abc",
 *     "Straße" and "STRASSE", "ﬁ" and "fi" become the same
 *   - apostrophes (' ` U+2018 U+2019 U+02BC) are removed: "Don't" is
 *     "dont"; '&' is the word "and"
 *   - every other run of characters that are not letters, marks or
 *     numbers (punctuation, symbols, spaces) becomes one space; there are
 *     no leading or trailing spaces
 *   - a word "feat", "ft" or "featuring" (so also "feat." and "Ft.") that
 *     is not the first word is dropped together with what follows it, up
 *     to the end of the bracket it stands in ("Song (feat. X) (Live)" is
 *     "song live") or the end of the text ("A feat. B" is "a")
 *
 * Nothing is appended for a text without letters or numbers.  Returns 0,
 * or -1 with e filled (code "parse") when s is not valid UTF-8; out is
 * then as it was.  Pure ASCII takes a fast path without utf8proc.
 */
int ss_fold(const char *s, size_t len, struct sbuf *out, struct ss_err *e);

/*
 * The key under which ss-dedupe groups recordings: the folded artist, a
 * tab, the folded title, into out (replaced).  Returns 1 when both parts
 * are non-empty, 0 when either folds to nothing (out is then empty), -1
 * with e filled for invalid UTF-8.
 */
int ss_fold_recording_key(const char *artist, const char *title,
    struct sbuf *out, struct ss_err *e);

#endif
