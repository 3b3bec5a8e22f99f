/* fold.h: matching keys for names: NFKC case folding, "feat." and punctuation. */
#ifndef SS_FOLD_H
#define SS_FOLD_H

#include <stddef.h>

struct sbuf;
struct ss_err;

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
