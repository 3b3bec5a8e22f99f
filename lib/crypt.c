/* crypt.c: AES-256-GCM sealing of tokens and the 0600 key file (OpenSSL). */
#include <sys/random.h>
#include <sys/stat.h>

#include <fcntl.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include "ss.h"
#include "base64.h"
#include "crypt.h"
#include "fileio.h"

#define NONCE_LEN 12
#define TAG_LEN 16
#define PREFIX "v1:"

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

static int
fill_random(void *p, size_t n, struct ss_err *e)
{
	unsigned char *b = p;
	ssize_t r;

	while (n > 0) {
		if ((r = getrandom(b, n, 0)) == -1) {
			if (errno == EINTR)
				continue;
			return ss_err_errno(e, "getrandom");
		}
		b += r;
		n -= (size_t)r;
	}
	return 0;
}

/* Reads an existing key file; 1 if read, 0 if it does not exist. */
static int
read_key(const char *path, unsigned char key[SS_CRYPT_KEYLEN],
    struct ss_err *e)
{
	struct stat st;
	unsigned char buf[SS_CRYPT_KEYLEN + 1];
	ssize_t n;
	size_t got = 0;
	int fd, ret = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1) {
		if (errno == ENOENT)
			return 0;
		return ss_err_errno(e, "cannot open the key file '%s'", path);
	}
	if (fstat(fd, &st) == -1) {
		ss_err_errno(e, "cannot stat the key file '%s'", path);
		goto out;
	}
	if (!S_ISREG(st.st_mode) || (st.st_mode & 077) != 0 ||
	    st.st_uid != geteuid()) {
		ss_err_set(e, "crypt", 0, "the key file '%s' must be a regular "
		    "file of yours with mode 0600", path);
		goto out;
	}
	while (got < sizeof(buf)) {
		n = read(fd, buf + got, sizeof(buf) - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			ss_err_errno(e, "cannot read the key file '%s'", path);
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (got != SS_CRYPT_KEYLEN) {
		ss_err_set(e, "crypt", 0, "the key file '%s' is not %d bytes "
		    "long", path, SS_CRYPT_KEYLEN);
		goto out;
	}
	memcpy(key, buf, SS_CRYPT_KEYLEN);
	ret = 1;
out:
	OPENSSL_cleanse(buf, sizeof(buf));
	close(fd);
	return ret;
}

int
ss_crypt_key_load(const char *path, unsigned char key[SS_CRYPT_KEYLEN],
    struct ss_err *e)
{
	struct sbuf tmp = SBUF_INIT;
	unsigned char fresh[SS_CRYPT_KEYLEN];
	int fd = -1, r, ret = -1;

	if ((r = read_key(path, key, e)) != 0)
		return r == 1 ? 0 : -1;
	if (fill_random(fresh, sizeof(fresh), e) == -1)
		goto out;
	sbuf_addf(&tmp, "%s.XXXXXX", path);
	if ((fd = mkostemp(tmp.buf, O_CLOEXEC)) == -1) {
		ss_err_errno(e, "cannot create the key file '%s'", path);
		goto out;
	}
	if (fchmod(fd, 0600) == -1 ||
	    ss_write_full(fd, fresh, sizeof(fresh), e) == -1 ||
	    fsync(fd) == -1) {
		if (e->code[0] == '\0')
			ss_err_errno(e, "cannot write the key file '%s'",
			    path);
		goto out;
	}
	/* link(2) never replaces: the first process to get there wins. */
	if (link(tmp.buf, path) == -1 && errno != EEXIST) {
		ss_err_errno(e, "cannot create the key file '%s'", path);
		goto out;
	}
	r = read_key(path, key, e);
	if (r == 0)
		ss_err_set(e, "io", 0, "the key file '%s' vanished", path);
	ret = r == 1 ? 0 : -1;
out:
	OPENSSL_cleanse(fresh, sizeof(fresh));
	if (fd != -1) {
		close(fd);
		unlink(tmp.buf);
	}
	sbuf_release(&tmp);
	return ret;
}

int
ss_crypt_seal(const unsigned char key[SS_CRYPT_KEYLEN], const char *aad,
    const void *p, size_t n, struct sbuf *out, struct ss_err *e)
{
	EVP_CIPHER_CTX *c = NULL;
	unsigned char *buf;
	int len, ret = -1;

	if (n > 1 << 20)
		return ss_err_set(e, "crypto", 0, "secret too long");
	buf = xmalloc(NONCE_LEN + n + TAG_LEN);
	if (fill_random(buf, NONCE_LEN, e) == -1)
		goto out;
	if ((c = EVP_CIPHER_CTX_new()) == NULL ||
	    EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, NONCE_LEN,
	    NULL) != 1 ||
	    EVP_EncryptInit_ex(c, NULL, NULL, key, buf) != 1 ||
	    EVP_EncryptUpdate(c, NULL, &len, (const unsigned char *)aad,
	    (int)strlen(aad)) != 1 ||
	    EVP_EncryptUpdate(c, buf + NONCE_LEN, &len, p, (int)n) != 1 ||
	    EVP_EncryptFinal_ex(c, buf + NONCE_LEN + len, &len) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, TAG_LEN,
	    buf + NONCE_LEN + n) != 1) {
		crypto_error(e, "encryption");
		goto out;
	}
	sbuf_adds(out, PREFIX);
	ss_base64_encode(buf, NONCE_LEN + n + TAG_LEN, out);
	ret = 0;
out:
	EVP_CIPHER_CTX_free(c);
	OPENSSL_cleanse(buf, NONCE_LEN + n + TAG_LEN);
	free(buf);
	return ret;
}

int
ss_crypt_open(const unsigned char key[SS_CRYPT_KEYLEN], const char *aad,
    const char *text, struct sbuf *out, struct ss_err *e)
{
	struct sbuf raw = SBUF_INIT;
	struct ss_err de = SS_ERR_INIT;
	EVP_CIPHER_CTX *c = NULL;
	unsigned char *plain = NULL;
	size_t n;
	int len, ret = -1;

	if (strncmp(text, PREFIX, strlen(PREFIX)) != 0 ||
	    ss_base64_decode(text + strlen(PREFIX),
	    strlen(text + strlen(PREFIX)), &raw, &de) == -1 ||
	    raw.len < NONCE_LEN + TAG_LEN) {
		ss_err_set(e, "crypt", 0, "a sealed secret is malformed");
		goto out;
	}
	n = raw.len - NONCE_LEN - TAG_LEN;
	plain = xmalloc(n + 1);
	if ((c = EVP_CIPHER_CTX_new()) == NULL ||
	    EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, NONCE_LEN,
	    NULL) != 1 ||
	    EVP_DecryptInit_ex(c, NULL, NULL, key,
	    (unsigned char *)raw.buf) != 1 ||
	    EVP_DecryptUpdate(c, NULL, &len, (const unsigned char *)aad,
	    (int)strlen(aad)) != 1 ||
	    EVP_DecryptUpdate(c, plain, &len,
	    (unsigned char *)raw.buf + NONCE_LEN, (int)n) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, TAG_LEN,
	    raw.buf + NONCE_LEN + n) != 1 ||
	    EVP_DecryptFinal_ex(c, plain + len, &len) != 1) {
		ERR_clear_error();
		ss_err_set(e, "crypt", 0, "a sealed secret does not decrypt "
		    "(another key file, or tampering)");
		goto out;
	}
	sbuf_add(out, plain, n);
	ret = 0;
out:
	EVP_CIPHER_CTX_free(c);
	if (plain != NULL) {
		OPENSSL_cleanse(plain, n);
		free(plain);
	}
	OPENSSL_cleanse(raw.buf, raw.len);
	sbuf_release(&raw);
	return ret;
}
