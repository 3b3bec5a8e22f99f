/* t-xxh64: XXH64 gives xxhsum's values, streamed in any chunk sizes. */
#include "ss.h"
#include "xxh64.h"
#include "tap.h"

int
main(void)
{
	/* values from `xxh64sum` (xxhash 0.8) */
	static const struct {
		const char *in;
		size_t repeat;
		uint64_t want;
	} cases[] = {
		{ "", 1, 0xef46db3751d8e999ULL },
		{ "a", 1, 0xd24ec4f1a98c6e5bULL },
		{ "abc", 1, 0x44bc2cf5ad770999ULL },
		{ "x", 100, 0x92f0de5a88a3c094ULL },
	};
	static const size_t chunks[] = { 1, 3, 7, 31, 32, 33, 64, 1000 };
	struct ss_xxh64 h;
	char buf[1000];
	size_t i, k, n, off;

	for (i = 0; i < SS_ARRAY_SIZE(cases); i++) {
		n = 0;
		for (k = 0; k < cases[i].repeat; k++) {
			memcpy(buf + n, cases[i].in, strlen(cases[i].in));
			n += strlen(cases[i].in);
		}
		ok(ss_xxh64(buf, n, 0) == cases[i].want, "one call, case %zu",
		    i);
		for (k = 0; k < SS_ARRAY_SIZE(chunks); k++) {
			ss_xxh64_init(&h, 0);
			for (off = 0; off < n; off += chunks[k])
				ss_xxh64_update(&h, buf + off, n - off <
				    chunks[k] ? n - off : chunks[k]);
			ok(ss_xxh64_digest(&h) == cases[i].want,
			    "case %zu in chunks of %zu", i, chunks[k]);
		}
	}
	ok(ss_xxh64("abc", 3, 1) != ss_xxh64("abc", 3, 0), "the seed matters");
	return done_testing();
}
