/* base64.c: RFC 4648 base64 encoding and strict decoding. */
#include "ss.h"
#include "base64.h"

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void
ss_base64_encode(const void *in, size_t len, struct sbuf *out)
{
	const unsigned char *p = in;
	char q[4];
	uint32_t v;
	size_t i;

	sbuf_grow(out, (len + 2) / 3 * 4);
	for (i = 0; i + 3 <= len; i += 3) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		q[0] = b64_alphabet[v >> 18 & 0x3f];
		q[1] = b64_alphabet[v >> 12 & 0x3f];
		q[2] = b64_alphabet[v >> 6 & 0x3f];
		q[3] = b64_alphabet[v & 0x3f];
		sbuf_add(out, q, 4);
	}
	if (len - i == 1) {
		v = (uint32_t)p[i] << 16;
		q[0] = b64_alphabet[v >> 18 & 0x3f];
		q[1] = b64_alphabet[v >> 12 & 0x3f];
		q[2] = q[3] = '=';
		sbuf_add(out, q, 4);
	} else if (len - i == 2) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
		q[0] = b64_alphabet[v >> 18 & 0x3f];
		q[1] = b64_alphabet[v >> 12 & 0x3f];
		q[2] = b64_alphabet[v >> 6 & 0x3f];
		q[3] = '=';
		sbuf_add(out, q, 4);
	}
}

/* The value of base64 digit c, or -1. */
static int
b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int
ss_base64_decode(const char *in, size_t len, struct sbuf *out,
    struct ss_err *e)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t i, j, oldlen = out->len, npad;
	unsigned char b[3];
	uint32_t v;
	int d, r = -1;

	if (len % 4 != 0) {
		ss_err_set(e, "parse", 0,
		    "base64 length %zu is not a multiple of 4", len);
		goto out;
	}
	sbuf_grow(out, len / 4 * 3);
	for (i = 0; i < len; i += 4) {
		npad = 0;
		if (i + 4 == len) {
			if (p[i + 3] == '=')
				npad++;
			if (npad && p[i + 2] == '=')
				npad++;
		}
		v = 0;
		for (j = 0; j < 4; j++) {
			if (j >= 4 - npad) {
				v <<= 6;
				continue;
			}
			if ((d = b64_value(p[i + j])) == -1) {
				ss_err_set(e, "parse", 0,
				    "invalid base64 character at offset %zu",
				    i + j);
				goto out;
			}
			v = v << 6 | (uint32_t)d;
		}
		if ((npad == 1 && (v & 0xff) != 0) ||
		    (npad == 2 && (v & 0xffff) != 0)) {
			ss_err_set(e, "parse", 0,
			    "non-canonical base64 padding at offset %zu", i);
			goto out;
		}
		b[0] = (unsigned char)(v >> 16);
		b[1] = (unsigned char)(v >> 8);
		b[2] = (unsigned char)v;
		sbuf_add(out, b, 3 - npad);
	}
	r = 0;
out:
	if (r == -1)
		sbuf_setlen(out, oldlen);
	return r;
}
