/* template.h: the file name template language of ss-rename. */
#ifndef SS_TEMPLATE_H
#define SS_TEMPLATE_H

#include <stddef.h>

struct sbuf;
struct ss_err;

/*
 * A template is text with expressions in braces; ss-rename(1) documents
 * the language with examples.  In short:
 *
 *   text        copied; '/' separates directories; "\{" "\}" "\\" "\:"
 *               "\|" stand for the character itself
 *   {a|b|'x'}   the first of the alternatives that is not empty: a
 *               field, a quoted string, or a function call
 *   {track:02}  a number padded with zeros to a width (1 to 9 digits)
 *   {c:T}       T (text with expressions) if c is not empty
 *   {c:T:E}     T if c is not empty, else E
 *   {c OP v:T}  T if the value of c compares to v (a number, a bare word
 *               or a quoted string) by OP: = != < > <= >=; numbers as
 *               numbers, anything else as bytes; {c OP v:T:E} too
 *   lower(x) upper(x) first(x) nothe(x) truncate(x,N)
 *               lower or upper case; the index letter (A-Z, "#" for a
 *               digit or symbol); without a leading "The "; at most N
 *               characters (trailing spaces cut)
 *
 * Field values never make a directory: '/' and NUL in a value become
 * '_' (and invalid UTF-8 bytes too), so only the template's own '/'
 * separates components.
 */
struct ss_template;

/* 1 if name is a field the caller can fill; checked while parsing. */
typedef int ss_template_known_fn(const char *name);

/*
 * Parses text into *tp (free it with ss_template_free).  Returns 0, or -1
 * with e filled (code "template") and a message that starts with the
 * column of the fault, counted in characters from 1: "column 12: unknown
 * field 'titel'".
 */
int ss_template_parse(const char *text, ss_template_known_fn *known,
    struct ss_template **tp, struct ss_err *e);
void ss_template_free(struct ss_template *t);	/* NULL is fine */

/*
 * Appends the value of field name to out and returns 1, or returns 0 when
 * there is none (the same as an empty value).  Values must be UTF-8.
 */
typedef int ss_template_field_fn(const char *name, struct sbuf *out,
    void *arg);

/*
 * Appends the expansion of t to out: '/'-separated components, each
 * still to be sanitised by the caller.  Returns 0 (-1 is reserved for
 * errors of the Unicode library, with e filled).
 */
int ss_template_render(const struct ss_template *t, ss_template_field_fn *fn,
    void *arg, struct sbuf *out, struct ss_err *e);

#endif
