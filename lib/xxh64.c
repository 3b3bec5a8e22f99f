/* xxh64.c: the XXH64 hash (Yann Collet's algorithm), written from its spec. */
#include <string.h>

#include "xxh64.h"

#define P1 0x9E3779B185EBCA87ULL
#define P2 0xC2B2AE3D27D4EB4FULL
#define P3 0x165667B19E3779F9ULL
#define P4 0x85EBCA77C2B2AE63ULL
#define P5 0x27D4EB2F165667C5ULL

static uint64_t
rotl(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

/* Little-endian reads, whatever the host and the alignment. */
static uint64_t
rd64(const unsigned char *p)
{
	return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
	    (uint64_t)p[3] << 24 | (uint64_t)p[4] << 32 |
	    (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 |
	    (uint64_t)p[7] << 56;
}

static uint64_t
rd32(const unsigned char *p)
{
	return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
	    (uint64_t)p[3] << 24;
}

static uint64_t
round64(uint64_t acc, uint64_t in)
{
	acc += in * P2;
	acc = rotl(acc, 31);
	return acc * P1;
}

static uint64_t
merge(uint64_t acc, uint64_t v)
{
	acc ^= round64(0, v);
	return acc * P1 + P4;
}

void
ss_xxh64_init(struct ss_xxh64 *h, uint64_t seed)
{
	memset(h, 0, sizeof(*h));
	h->seed = seed;
	h->v[0] = seed + P1 + P2;
	h->v[1] = seed + P2;
	h->v[2] = seed;
	h->v[3] = seed - P1;
}

static const unsigned char *
stripes(uint64_t v[4], const unsigned char *p, const unsigned char *end)
{
	uint64_t a = v[0], b = v[1], c = v[2], d = v[3];

	while (end - p >= 32) {
		a = round64(a, rd64(p));
		b = round64(b, rd64(p + 8));
		c = round64(c, rd64(p + 16));
		d = round64(d, rd64(p + 24));
		p += 32;
	}
	v[0] = a;
	v[1] = b;
	v[2] = c;
	v[3] = d;
	return p;
}

void
ss_xxh64_update(struct ss_xxh64 *h, const void *data, size_t n)
{
	const unsigned char *p = data, *end = p + n;
	size_t k;

	h->total += n;
	if (h->nbuf > 0) {
		k = 32 - h->nbuf < n ? 32 - h->nbuf : n;
		memcpy(h->buf + h->nbuf, p, k);
		h->nbuf += k;
		p += k;
		if (h->nbuf < 32)
			return;
		stripes(h->v, h->buf, h->buf + 32);
		h->nbuf = 0;
	}
	p = stripes(h->v, p, end);
	if (p < end) {
		memcpy(h->buf, p, (size_t)(end - p));
		h->nbuf = (size_t)(end - p);
	}
}

uint64_t
ss_xxh64_digest(const struct ss_xxh64 *h)
{
	const unsigned char *p = h->buf, *end = h->buf + h->nbuf;
	uint64_t acc;

	if (h->total >= 32) {
		acc = rotl(h->v[0], 1) + rotl(h->v[1], 7) + rotl(h->v[2], 12) +
		    rotl(h->v[3], 18);
		acc = merge(acc, h->v[0]);
		acc = merge(acc, h->v[1]);
		acc = merge(acc, h->v[2]);
		acc = merge(acc, h->v[3]);
	} else {
		acc = h->seed + P5;
	}
	acc += h->total;
	for (; end - p >= 8; p += 8) {
		acc ^= round64(0, rd64(p));
		acc = rotl(acc, 27) * P1 + P4;
	}
	if (end - p >= 4) {
		acc ^= rd32(p) * P1;
		acc = rotl(acc, 23) * P2 + P3;
		p += 4;
	}
	for (; p < end; p++) {
		acc ^= *p * P5;
		acc = rotl(acc, 11) * P1;
	}
	acc ^= acc >> 33;
	acc *= P2;
	acc ^= acc >> 29;
	acc *= P3;
	acc ^= acc >> 32;
	return acc;
}

uint64_t
ss_xxh64(const void *p, size_t n, uint64_t seed)
{
	struct ss_xxh64 h;

	ss_xxh64_init(&h, seed);
	ss_xxh64_update(&h, p, n);
	return ss_xxh64_digest(&h);
}
