/* t-hash.c: unit tests of lib/hash.c (SHA-256, hex, file and fd hashing). */
#include <fcntl.h>
#include <unistd.h>

#include "ss.h"
#include "hash.h"
#include "tap.h"

static const struct {
	const char *name;
	const char *in;
	const char *hex;
} vectors[] = {
	{ "empty string", "",
	  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
	{ "abc", "abc",
	  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
	{ "448-bit message",
	  "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	{ "896-bit message",
	  "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
	  "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
	  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
};

static const char million_a[] =
    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";

static void
test_vectors(void)
{
	unsigned char md[SS_SHA256_LEN];
	char hex[SS_SHA256_HEXLEN + 1];
	struct ss_err e = SS_ERR_INIT;
	size_t i;

	for (i = 0; i < SS_ARRAY_SIZE(vectors); i++) {
		int r = ss_sha256(vectors[i].in, strlen(vectors[i].in), md, &e);

		ok(r == 0, "one-shot %s succeeds", vectors[i].name);
		ss_hex(md, sizeof(md), hex);
		is_str(hex, vectors[i].hex, "one-shot %s", vectors[i].name);
	}
}

/* A million 'a' fed in chunks of odd, varying sizes. */
static void
test_million(void)
{
	static const size_t steps[] = { 1, 3, 7, 63, 64, 65, 1000, 4093 };
	unsigned char md[SS_SHA256_LEN], block[4096];
	char hex[SS_SHA256_HEXLEN + 1];
	struct ss_err e = SS_ERR_INIT;
	struct ss_sha256 h;
	size_t left = 1000000, k = 0, n;

	memset(block, 'a', sizeof(block));
	ok(ss_sha256_init(&h, &e) == 0, "init");
	while (left > 0) {
		n = steps[k++ % SS_ARRAY_SIZE(steps)];
		if (n > left)
			n = left;
		ss_sha256_update(&h, block, n);
		left -= n;
	}
	ok(ss_sha256_final(&h, md, &e) == 0, "final");
	ok(h.ctx == NULL, "final frees the context");
	ss_hex(md, sizeof(md), hex);
	is_str(hex, million_a, "a million 'a' in odd chunks");

	/* release after final, and on a zeroed context, is harmless */
	ss_sha256_release(&h);
	ok(ss_sha256_init(&h, &e) == 0, "init again");
	ss_sha256_update(&h, "abc", 3);
	ss_sha256_release(&h);
	ok(h.ctx == NULL, "release abandons a started hash");
}

static void
test_hex(void)
{
	static const unsigned char in[] = {
	    0x00, 0x01, 0x7f, 0x80, 0xab, 0xff
	};
	char hex[2 * sizeof(in) + 1];

	ss_hex(in, sizeof(in), hex);
	is_str(hex, "00017f80abff", "hex is lowercase, two digits a byte");
	ss_hex(in, 0, hex);
	is_str(hex, "", "hex of nothing is the empty string");
}

struct chunks {
	struct ss_sha256 h;
	off_t next;		/* the offset the next chunk must start at */
	int calls;
	int in_order;
	size_t biggest;
};

static void
on_chunk(const unsigned char *p, size_t n, off_t off, void *arg)
{
	struct chunks *c = arg;

	if (off != c->next)
		c->in_order = 0;
	c->next = off + (off_t)n;
	c->calls++;
	if (n > c->biggest)
		c->biggest = n;
	ss_sha256_update(&c->h, p, n);
}

/* A file of 2.5 MiB of patterned bytes: several blocks, a short last one. */
static void
test_file(void)
{
	const char *tmpdir = getenv("TMPDIR");
	char path[4096];
	unsigned char *data, md_mem[SS_SHA256_LEN], md_file[SS_SHA256_LEN];
	unsigned char md_fd[SS_SHA256_LEN], md_cb[SS_SHA256_LEN];
	char hex1[SS_SHA256_HEXLEN + 1], hex2[SS_SHA256_HEXLEN + 1];
	struct ss_err e = SS_ERR_INIT;
	struct chunks c;
	size_t size = 5 * 512 * 1024 + 17, i;
	int fd;

	/* mkstemp replaces the six Xs */
	snprintf(path, sizeof(path), "%s/t-hash.XXXXXX",
	    tmpdir != NULL && *tmpdir != '\0' ? tmpdir : "/tmp");
	data = xmalloc(size);
	for (i = 0; i < size; i++)
		data[i] = (unsigned char)(i * 7 + (i >> 11));
	fd = mkstemp(path);
	ok(fd != -1, "temporary file");
	if (fd == -1) {
		free(data);
		return;
	}
	ok(write(fd, data, size) == (ssize_t)size, "write test data");
	ok(ss_sha256(data, size, md_mem, &e) == 0, "hash in memory");

	ok(ss_sha256_file(path, md_file, &e) == 0, "hash the file");
	ss_hex(md_mem, sizeof(md_mem), hex1);
	ss_hex(md_file, sizeof(md_file), hex2);
	is_str(hex2, hex1, "file hash equals the in-memory hash");

	memset(&c, 0, sizeof(c));
	c.in_order = 1;
	ok(ss_sha256_init(&c.h, &e) == 0, "init the hook's own hash");
	ok(ss_sha256_file_cb(path, md_file, on_chunk, &c, &e) == 0,
	    "hash the file with a chunk hook");
	ok(ss_sha256_final(&c.h, md_cb, &e) == 0, "finish the hook's hash");
	ss_hex(md_cb, sizeof(md_cb), hex2);
	is_str(hex2, hex1, "the hook saw every byte");
	ok(c.in_order, "chunks come in order with their offsets");
	is_int(c.next, size, "chunk offsets add up to the file size");
	ok(c.calls >= 3, "large file read in several chunks (%d)", c.calls);
	ok(c.biggest >= 64 * 1024, "chunks are large (%zu bytes)", c.biggest);

	/* from a descriptor positioned at 1000: hashes the rest */
	ok(lseek(fd, 1000, SEEK_SET) == 1000, "seek");
	ok(ss_hash_fd(fd, md_fd, NULL, NULL, &e) == 0,
	    "hash from a descriptor");
	ok(ss_sha256(data + 1000, size - 1000, md_mem, &e) == 0, "hash tail");
	ss_hex(md_mem, sizeof(md_mem), hex1);
	ss_hex(md_fd, sizeof(md_fd), hex2);
	is_str(hex2, hex1, "descriptor hash starts at its position");

	close(fd);
	unlink(path);
	free(data);
}

static void
test_errors(void)
{
	const char *missing = "/nonexistent/dir/t-hash-missing.flac";
	unsigned char md[SS_SHA256_LEN];
	struct ss_err e = SS_ERR_INIT;
	int fd;

	ok(ss_sha256_file(missing, md, &e) == -1, "missing file fails");
	is_str(e.code, "io", "missing file: code io");
	ok(strstr(e.msg, missing) != NULL, "message names the path: %s",
	    e.msg);
	is_int(e.sys_errno, ENOENT, "errno kept");

	ss_err_clear(&e);
	ok(ss_sha256_file("/", md, &e) == -1, "a directory fails");
	is_str(e.code, "io", "directory: code io");
	ok(strstr(e.msg, "'/'") != NULL, "message names the path: %s",
	    e.msg);

	ss_err_clear(&e);
	fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	ok(ss_hash_fd(fd, md, NULL, NULL, &e) == -1,
	    "a write-only descriptor fails");
	is_str(e.code, "io", "unreadable descriptor: code io");
	if (fd != -1)
		close(fd);
}

int
main(void)
{
	test_vectors();
	test_million();
	test_hex();
	test_file();
	test_errors();
	return done_testing();
}
