/* xxh64.h: XXH64, a fast non-cryptographic 64-bit hash, streaming. */
#ifndef SS_XXH64_H
#define SS_XXH64_H

#include <stddef.h>
#include <stdint.h>

/*
 * The XXH64 algorithm (the same values as xxhsum -H64).  About ten times
 * faster than SHA-256: for grouping and ids, never for trust (a grouping
 * that leads to an action is verified byte for byte or with SHA-256).
 *
 *   struct ss_xxh64 h;
 *   ss_xxh64_init(&h, 0);
 *   ss_xxh64_update(&h, p, n);      (any number of times)
 *   v = ss_xxh64_digest(&h);        (h may be updated further)
 */
struct ss_xxh64 {
	uint64_t v[4];
	uint64_t seed, total;
	unsigned char buf[32];
	size_t nbuf;
};

void ss_xxh64_init(struct ss_xxh64 *h, uint64_t seed);
void ss_xxh64_update(struct ss_xxh64 *h, const void *p, size_t n);
uint64_t ss_xxh64_digest(const struct ss_xxh64 *h);
uint64_t ss_xxh64(const void *p, size_t n, uint64_t seed);

#endif
