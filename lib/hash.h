/* hash.h: SHA-256 of memory, streams and files (OpenSSL EVP underneath). */
#ifndef SS_HASH_H
#define SS_HASH_H

#include <sys/types.h>

#include <stddef.h>

struct ss_err;

#define SS_SHA256_LEN 32
#define SS_SHA256_HEXLEN 64	/* plus one for the NUL */

/*
 * A streaming SHA-256.  The context is opaque (an EVP_MD_CTX underneath);
 * only hash.c looks inside.
 *
 *   struct ss_sha256 h;
 *   if (ss_sha256_init(&h, e) == -1)
 *           return -1;
 *   ss_sha256_update(&h, p, n);      (any number of times)
 *   if (ss_sha256_final(&h, out, e) == -1)
 *           return -1;
 *
 * ss_sha256_init allocates; ss_sha256_final always frees, whether it
 * succeeds or not.  A caller that gives up between the two calls
 * ss_sha256_release().  Errors (code "crypto") come only from OpenSSL
 * itself; an update that fails is remembered and reported by final.
 */
struct ss_sha256 {
	void *ctx;
	int failed;
};

int ss_sha256_init(struct ss_sha256 *h, struct ss_err *e);
void ss_sha256_update(struct ss_sha256 *h, const void *p, size_t n);
int ss_sha256_final(struct ss_sha256 *h, unsigned char out[SS_SHA256_LEN],
    struct ss_err *e);
/* Frees the context; harmless on a finished or zeroed struct. */
void ss_sha256_release(struct ss_sha256 *h);

/* One call: the SHA-256 of the n bytes at p.  0, or -1 with e filled. */
int ss_sha256(const void *p, size_t n, unsigned char out[SS_SHA256_LEN],
    struct ss_err *e);

/*
 * Writes the n bytes at p as lowercase hex to out, which must have room
 * for 2 * n + 1 bytes (NUL-terminated).
 */
void ss_hex(const unsigned char *p, size_t n, char *out);

/*
 * A chunk hook for ss_hash_fd: called for every block read, in order,
 * before the next read.  p holds n > 0 bytes (valid only during the call);
 * off is the number of bytes read before this block (the file offset when
 * the descriptor started at 0).  It lets a caller compute something else
 * (an audio payload hash, a checksum of a range) from the same read.
 */
typedef void ss_hash_chunk_fn(const unsigned char *p, size_t n, off_t off,
    void *arg);

/*
 * Reads fd from its current position to end of file in large blocks
 * (1 MiB, one buffer per call), hashing everything into out and handing
 * each block to chunk (may be NULL) with arg.  Advises the kernel of
 * sequential access.  fd is not closed.  Returns 0, or -1 with e filled
 * (code "io", message "read error: CAUSE", or "crypto").
 */
int ss_hash_fd(int fd, unsigned char out[SS_SHA256_LEN],
    ss_hash_chunk_fn *chunk, void *arg, struct ss_err *e);

/*
 * The same with the caller's buffer of bufsize bytes (a worker keeps one
 * for every file it reads), and *total (may be NULL) set to the bytes
 * read.  Each block fills the buffer before it is hashed, so a file of at
 * most bufsize bytes is whole in buf afterwards.  The kernel is told of
 * sequential reading only for files longer than the buffer.
 */
int ss_hash_fd_buf(int fd, unsigned char *buf, size_t bufsize,
    unsigned char out[SS_SHA256_LEN], off_t *total, ss_hash_chunk_fn *chunk,
    void *arg, struct ss_err *e);

/*
 * The SHA-256 of the file at path: opened O_RDONLY|O_CLOEXEC, with
 * O_NOATIME where the caller owns the file.  Returns 0, or -1 with e
 * filled, code "io" and the path in the message ("'PATH': ...").
 */
int ss_sha256_file(const char *path, unsigned char out[SS_SHA256_LEN],
    struct ss_err *e);

/* The same, with the chunk hook of ss_hash_fd. */
int ss_sha256_file_cb(const char *path, unsigned char out[SS_SHA256_LEN],
    ss_hash_chunk_fn *chunk, void *arg, struct ss_err *e);

#endif
