/* crypt.h: secrets at rest: AES-256-GCM under a key file only the user reads. */
#ifndef SS_CRYPT_H
#define SS_CRYPT_H

#include <stddef.h>

struct sbuf;
struct ss_err;

#define SS_CRYPT_KEYLEN 32

/*
 * Reads the key file path (32 random bytes), creating it with mode 0600
 * if it does not exist: the bytes come from getrandom(2), are written to
 * a temporary file that is then linked into place, so two processes that
 * race both end up with the same key.  A key file that is readable or
 * writable by group or others, or that is not 32 bytes long, is refused
 * (code "crypt"): fix or remove it.  Returns 0, or -1 with e filled
 * ("io", "crypt").
 */
int ss_crypt_key_load(const char *path, unsigned char key[SS_CRYPT_KEYLEN],
    struct ss_err *e);

/*
 * Encrypts the n bytes at p with AES-256-GCM under key, binding aad (a
 * NUL-terminated label such as "spotify/refresh": a value sealed for one
 * label does not open under another), and appends "v1:" and the base64
 * of nonce (12 bytes, random), ciphertext and tag (16 bytes) to out.
 * Returns 0, or -1 with e filled ("crypto").
 */
int ss_crypt_seal(const unsigned char key[SS_CRYPT_KEYLEN], const char *aad,
    const void *p, size_t n, struct sbuf *out, struct ss_err *e);

/*
 * The reverse: appends the plain text of text (what ss_crypt_seal made)
 * to out.  -1 with e filled ("crypt") when it is malformed or does not
 * authenticate (another key, another label, tampering); out is then as
 * it was.
 */
int ss_crypt_open(const unsigned char key[SS_CRYPT_KEYLEN], const char *aad,
    const char *text, struct sbuf *out, struct ss_err *e);

#endif
