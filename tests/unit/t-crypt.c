/* t-crypt.c: unit tests of lib/crypt.c: key file, seal and open. */
#include <sys/stat.h>

#include <fcntl.h>
#include <unistd.h>

#include "ss.h"
#include "crypt.h"
#include "tap.h"

int
main(void)
{
	char dir[] = "/tmp/t-crypt.XXXXXX";
	unsigned char k1[SS_CRYPT_KEYLEN], k2[SS_CRYPT_KEYLEN];
	struct sbuf path = SBUF_INIT, sealed = SBUF_INIT, sealed2 = SBUF_INIT,
	    plain = SBUF_INIT;
	struct ss_err e = SS_ERR_INIT;
	struct stat st;
	size_t mid;
	int fd;

	if (mkdtemp(dir) == NULL)
		return 1;
	sbuf_addf(&path, "%s/token.key", dir);
	ok(ss_crypt_key_load(path.buf, k1, &e) == 0, "a key file is created");
	ok(stat(path.buf, &st) == 0 && (st.st_mode & 0777) == 0600 &&
	    st.st_size == SS_CRYPT_KEYLEN, "... 32 bytes, mode 0600");
	ok(ss_crypt_key_load(path.buf, k2, &e) == 0 &&
	    memcmp(k1, k2, sizeof(k1)) == 0, "... and read back the same");

	ok(ss_crypt_seal(k1, "spotify/refresh", "AQD-secret", 10, &sealed,
	    &e) == 0, "seal");
	ok(strncmp(sealed.buf, "v1:", 3) == 0 &&
	    strstr(sealed.buf, "AQD-secret") == NULL,
	    "... 'v1:' and no plain text");
	ok(ss_crypt_seal(k1, "spotify/refresh", "AQD-secret", 10, &sealed2,
	    &e) == 0 && strcmp(sealed.buf, sealed2.buf) != 0,
	    "... a fresh nonce each time");
	ok(ss_crypt_open(k1, "spotify/refresh", sealed.buf, &plain, &e) == 0,
	    "open");
	is_str(plain.buf, "AQD-secret", "... gives the secret back");
	sbuf_reset(&plain);
	ok(ss_crypt_open(k1, "spotify/access", sealed.buf, &plain, &e) == -1,
	    "another label does not open it");
	is_str(e.code, "crypt", "... code crypt");
	k2[0] ^= 1;
	ok(ss_crypt_open(k2, "spotify/refresh", sealed.buf, &plain, &e) == -1,
	    "another key does not open it");
	mid = sealed.len / 2;
	sealed.buf[mid] = sealed.buf[mid] == 'A' ? 'B' : 'A';
	ok(ss_crypt_open(k1, "spotify/refresh", sealed.buf, &plain, &e) == -1,
	    "a changed byte does not open");
	ok(ss_crypt_open(k1, "x", "v1:!!", &plain, &e) == -1 &&
	    ss_crypt_open(k1, "x", "plain", &plain, &e) == -1,
	    "malformed values are refused");
	is_int(plain.len, 0, "... and nothing is appended");

	chmod(path.buf, 0644);
	ok(ss_crypt_key_load(path.buf, k2, &e) == -1 &&
	    strcmp(e.code, "crypt") == 0,
	    "a key file readable by others is refused");
	unlink(path.buf);
	fd = open(path.buf, O_WRONLY | O_CREAT, 0600);
	if (write(fd, "short", 5) != 5)
		printf("# write failed\n");
	close(fd);
	ok(ss_crypt_key_load(path.buf, k2, &e) == -1,
	    "a key file of the wrong length is refused");
	unlink(path.buf);
	rmdir(dir);
	sbuf_release(&path);
	sbuf_release(&sealed);
	sbuf_release(&sealed2);
	sbuf_release(&plain);
	return done_testing();
}
