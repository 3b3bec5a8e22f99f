/* test-fileio: drives lib/fileio for the crash tests (t0200). */
#include <fcntl.h>
#include <limits.h>
#include <unistd.h>

#include "ss.h"
#include "fileio.h"

#define USAGE "usage: test-fileio atomic-write path size seed [usleep]\n" \
    "       test-fileio move from to\n" \
    "       test-fileio verify path size seed"
#define CHUNK 4096

/*
 * The content for (size, seed): a splitmix64 stream, so that any two
 * seeds differ almost everywhere and a torn file cannot pass verify.
 */
struct pattern {
	uint64_t state;
	unsigned char buf[8];
	size_t used;
};

static void
pattern_init(struct pattern *p, uint64_t seed)
{
	p->state = seed;
	p->used = sizeof(p->buf);
}

static void
pattern_next(struct pattern *p)
{
	uint64_t z;
	size_t k;

	z = (p->state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	for (k = 0; k < sizeof(p->buf); k++)
		p->buf[k] = (unsigned char)(z >> (8 * k));
	p->used = 0;
}

static void
pattern_fill(struct pattern *p, unsigned char *out, size_t n)
{
	size_t i = 0, k;

	while (i < n) {
		if (p->used == sizeof(p->buf))
			pattern_next(p);
		k = sizeof(p->buf) - p->used;
		if (k > n - i)
			k = n - i;
		memcpy(out + i, p->buf + p->used, k);
		p->used += k;
		i += k;
	}
}

static long long
number(const char *s, long long max)
{
	struct ss_err e = SS_ERR_INIT;
	long long v;

	if (ss_strtonum(s, 0, max, &v, &e) == -1)
		ss_die(SS_EX_USAGE, "%s", e.msg);
	return v;
}

/* Writes size bytes of the pattern through ss_atomic, chunk by chunk. */
static int
atomic_write(const char *path, size_t size, uint64_t seed, long pause)
{
	struct ss_err e = SS_ERR_INIT;
	struct ss_atomic a = SS_ATOMIC_INIT;
	struct pattern p;
	unsigned char buf[CHUNK];
	size_t done, n;
	int r = SS_EX_PARTIAL;

	pattern_init(&p, seed);
	if (ss_atomic_open(&a, path, 0644, &e) == -1)
		goto out;
	for (done = 0; done < size; done += n) {
		n = size - done < CHUNK ? size - done : CHUNK;
		pattern_fill(&p, buf, n);
		if (ss_write_full(a.fd, buf, n, &e) == -1)
			goto out;
		if (pause > 0)
			usleep((useconds_t)pause);
	}
	if (ss_atomic_commit(&a, &e) == -1)
		goto out;
	r = SS_EX_OK;
out:
	ss_atomic_abort(&a);
	if (r != SS_EX_OK)
		ss_error("%s: %s", e.code, e.msg);
	return r;
}

/* 0 if path holds exactly the pattern for (size, seed). */
static int
verify(const char *path, size_t size, uint64_t seed)
{
	struct pattern p;
	unsigned char want[CHUNK], got[CHUNK];
	size_t done = 0, i;
	ssize_t n;
	int fd, r = SS_EX_PARTIAL;

	pattern_init(&p, seed);
	if ((fd = open(path, O_RDONLY)) == -1) {
		ss_error("'%s': %s", path, strerror(errno));
		return r;
	}
	while ((n = read(fd, got, sizeof(got))) > 0) {
		if (done + (size_t)n > size) {
			ss_error("'%s' is longer than %zu bytes", path, size);
			goto out;
		}
		pattern_fill(&p, want, (size_t)n);
		if (memcmp(want, got, (size_t)n) != 0) {
			for (i = 0; want[i] == got[i]; i++)
				;
			ss_error("'%s' differs at byte %zu", path, done + i);
			goto out;
		}
		done += (size_t)n;
	}
	if (n == -1) {
		ss_error("read error on '%s': %s", path, strerror(errno));
		goto out;
	}
	if (done != size) {
		ss_error("'%s' has %zu bytes, not %zu", path, done, size);
		goto out;
	}
	r = SS_EX_OK;
out:
	close(fd);
	return r;
}

int
main(int argc, char *argv[])
{
	struct ss_err e = SS_ERR_INIT;
	long pause = 0;

	ss_init(argv[0]);
	if (argc >= 5 && argc <= 6 && strcmp(argv[1], "atomic-write") == 0) {
		if (argc == 6)
			pause = (long)number(argv[5], 1000000);
		return atomic_write(argv[2], (size_t)number(argv[3], 1LL << 40),
		    (uint64_t)number(argv[4], LLONG_MAX), pause);
	}
	if (argc == 5 && strcmp(argv[1], "verify") == 0)
		return verify(argv[2], (size_t)number(argv[3], 1LL << 40),
		    (uint64_t)number(argv[4], LLONG_MAX));
	if (argc == 4 && strcmp(argv[1], "move") == 0) {
		if (ss_move(argv[2], argv[3], &e) == -1) {
			ss_error("%s: %s", e.code, e.msg);
			return SS_EX_PARTIAL;
		}
		return SS_EX_OK;
	}
	ss_usage(USAGE, SS_EX_USAGE);
}
