/* base64.h: RFC 4648 base64 (standard alphabet, '=' padding), strict. */
#ifndef SS_BASE64_H
#define SS_BASE64_H

#include <stddef.h>

struct sbuf;
struct ss_err;

/*
 * Appends the base64 text of the len bytes at in to out, padded with '='
 * to a multiple of 4 characters (RFC 4648 section 4, no line breaks).
 */
void ss_base64_encode(const void *in, size_t len, struct sbuf *out);

/*
 * Appends the bytes that the base64 text in[0..len) stands for to out.
 * Strict, so that every byte string has exactly one accepted encoding:
 * the length is a multiple of 4, only the standard alphabet is used, '='
 * appears only as the last one or two characters, the unused low bits of
 * the last group are zero, and no whitespace is allowed.  Returns 0, or
 * -1 with e filled (code "parse") and out as it was before the call.
 */
int ss_base64_decode(const char *in, size_t len, struct sbuf *out,
    struct ss_err *e);

#endif
