/* hash.c: SHA-256 through OpenSSL EVP, for buffers, descriptors and files. */
#include <sys/stat.h>

#include <fcntl.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include "ss.h"
#include "hash.h"

#define HASH_BUFSZ (1024 * 1024)

/* Fills e with "crypto" and the newest OpenSSL error, if there is one. */
static int
crypto_error(struct ss_err *e, const char *what)
{
	unsigned long code = ERR_get_error();
	char buf[256];

	if (code == 0)
		return ss_err_set(e, "crypto", 0, "%s failed", what);
	ERR_error_string_n(code, buf, sizeof(buf));
	ERR_clear_error();
	return ss_err_set(e, "crypto", 0, "%s failed: %s", what, buf);
}

int
ss_sha256_init(struct ss_sha256 *h, struct ss_err *e)
{
	EVP_MD_CTX *ctx;

	h->ctx = NULL;
	h->failed = 0;
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return crypto_error(e, "sha-256 context");
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(ctx);
		return crypto_error(e, "sha-256 init");
	}
	h->ctx = ctx;
	return 0;
}

void
ss_sha256_update(struct ss_sha256 *h, const void *p, size_t n)
{
	if (h->ctx == NULL || h->failed || n == 0)
		return;
	if (EVP_DigestUpdate(h->ctx, p, n) != 1)
		h->failed = 1;
}

int
ss_sha256_final(struct ss_sha256 *h, unsigned char out[SS_SHA256_LEN],
    struct ss_err *e)
{
	unsigned int len = 0;
	int ret = -1;

	if (h->ctx == NULL) {
		ss_err_set(e, "crypto", 0, "sha-256 context not initialised");
		goto out;
	}
	if (h->failed) {
		crypto_error(e, "sha-256 update");
		goto out;
	}
	if (EVP_DigestFinal_ex(h->ctx, out, &len) != 1 ||
	    len != SS_SHA256_LEN) {
		crypto_error(e, "sha-256 final");
		goto out;
	}
	ret = 0;
out:
	ss_sha256_release(h);
	return ret;
}

void
ss_sha256_release(struct ss_sha256 *h)
{
	EVP_MD_CTX_free(h->ctx);
	h->ctx = NULL;
	h->failed = 0;
}

int
ss_sha256(const void *p, size_t n, unsigned char out[SS_SHA256_LEN],
    struct ss_err *e)
{
	struct ss_sha256 h;

	if (ss_sha256_init(&h, e) == -1)
		return -1;
	ss_sha256_update(&h, p, n);
	return ss_sha256_final(&h, out, e);
}

void
ss_hex(const unsigned char *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 0xf];
	}
	out[2 * n] = '\0';
}

int
ss_hash_fd_buf(int fd, unsigned char *buf, size_t bufsize,
    unsigned char out[SS_SHA256_LEN], off_t *total, ss_hash_chunk_fn *chunk,
    void *arg, struct ss_err *e)
{
	struct ss_sha256 h = { NULL, 0 };
	off_t off = 0;
	size_t have;
	ssize_t n;
	int ret = -1, eof = 0;

	if (ss_sha256_init(&h, e) == -1)
		goto out;
	while (!eof) {
		/* fill the whole buffer: a small file ends up whole in it */
		for (have = 0; have < bufsize;) {
			n = read(fd, buf + have, bufsize - have);
			if (n == -1 && errno == EINTR)
				continue;
			if (n == -1) {
				ss_err_errno(e, "read error");
				goto out;
			}
			if (n == 0) {
				eof = 1;
				break;
			}
			have += (size_t)n;
		}
		/* a file longer than the buffer: the kernel may read ahead */
		if (off == 0 && !eof)
			(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
		if (have == 0)
			break;
		ss_sha256_update(&h, buf, have);
		if (chunk != NULL)
			chunk(buf, have, off, arg);
		off += (off_t)have;
	}
	if (total != NULL)
		*total = off;
	ret = ss_sha256_final(&h, out, e);
out:
	ss_sha256_release(&h);
	return ret;
}

int
ss_hash_fd(int fd, unsigned char out[SS_SHA256_LEN],
    ss_hash_chunk_fn *chunk, void *arg, struct ss_err *e)
{
	unsigned char *buf = xmalloc(HASH_BUFSZ);
	int ret;

	ret = ss_hash_fd_buf(fd, buf, HASH_BUFSZ, out, NULL, chunk, arg, e);
	free(buf);
	return ret;
}

int
ss_sha256_file_cb(const char *path, unsigned char out[SS_SHA256_LEN],
    ss_hash_chunk_fn *chunk, void *arg, struct ss_err *e)
{
	int fd, ret = -1;

	/* O_NOATIME is refused (EPERM) on files the caller does not own. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOATIME);
	if (fd == -1 && errno == EPERM)
		fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1) {
		ss_err_errno(e, "cannot open '%s'", path);
		goto out;
	}
	if (ss_hash_fd(fd, out, chunk, arg, e) == -1) {
		ss_err_prefix(e, "'%s'", path);
		goto out;
	}
	ret = 0;
out:
	if (fd != -1)
		close(fd);
	return ret;
}

int
ss_sha256_file(const char *path, unsigned char out[SS_SHA256_LEN],
    struct ss_err *e)
{
	return ss_sha256_file_cb(path, out, NULL, NULL, e);
}
