/* unicode.c: NFC, case mapping and index letters over utf8proc. */
#include <utf8proc.h>

#include "ss.h"
#include "unicode.h"

static int
check(const char *s, size_t n, struct ss_err *e)
{
	if (memchr(s, '\0', n) != NULL || !ss_utf8_valid(s, n))
		return ss_err_set(e, "invalid", 0, "text is not valid utf-8");
	if (n > (size_t)INT32_MAX / 4)
		return ss_err_set(e, "invalid", 0, "text too long");
	return 0;
}

/* utf8proc_map with options; appends the result to out. */
static int
map(const char *s, size_t n, int options, struct sbuf *out, struct ss_err *e)
{
	utf8proc_uint8_t *dst = NULL;
	utf8proc_ssize_t r;

	if (check(s, n, e) == -1)
		return -1;
	if (n == 0)
		return 0;
	r = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n,
	    &dst, (utf8proc_option_t)options);
	if (r < 0) {
		free(dst);
		return ss_err_set(e, "invalid", 0, "cannot normalise text: %s",
		    utf8proc_errmsg(r));
	}
	sbuf_add(out, dst, (size_t)r);
	free(dst);
	return 0;
}

int
ss_unicode_nfc(const char *s, size_t n, struct sbuf *out, struct ss_err *e)
{
	return map(s, n, UTF8PROC_STABLE | UTF8PROC_COMPOSE, out, e);
}

int
ss_unicode_case(const char *s, size_t n, int upper, struct sbuf *out,
    struct ss_err *e)
{
	struct sbuf nfc = SBUF_INIT;
	utf8proc_uint8_t enc[4];
	utf8proc_ssize_t k;
	uint32_t cp;
	size_t i, len;

	if (ss_unicode_nfc(s, n, &nfc, e) == -1)
		return -1;
	for (i = 0; i < nfc.len; i += len) {
		len = ss_utf8_next(nfc.buf + i, nfc.len - i, &cp);
		cp = (uint32_t)(upper ? utf8proc_toupper((utf8proc_int32_t)cp) :
		    utf8proc_tolower((utf8proc_int32_t)cp));
		k = utf8proc_encode_char((utf8proc_int32_t)cp, enc);
		sbuf_add(out, enc, (size_t)k);
	}
	sbuf_release(&nfc);
	return 0;
}

int
ss_unicode_first_letter(const char *s, size_t n, struct sbuf *out,
    struct ss_err *e)
{
	struct sbuf bare = SBUF_INIT;
	utf8proc_uint8_t enc[4];
	utf8proc_ssize_t k;
	utf8proc_category_t cat;
	uint32_t cp;
	size_t len;

	if (check(s, n, e) == -1)
		return -1;
	if (n == 0)
		return 0;
	len = ss_utf8_next(s, n, &cp);
	/* the first code point with its marks stripped: "É" -> "E" */
	if (map(s, len, UTF8PROC_STABLE | UTF8PROC_DECOMPOSE |
	    UTF8PROC_STRIPMARK, &bare, e) == -1)
		return -1;
	if (bare.len == 0 || ss_utf8_next(bare.buf, bare.len, &cp) == 0)
		cp = '#';
	cat = utf8proc_category((utf8proc_int32_t)cp);
	if (cat < UTF8PROC_CATEGORY_LU || cat > UTF8PROC_CATEGORY_LO)
		cp = '#';
	cp = (uint32_t)utf8proc_toupper((utf8proc_int32_t)cp);
	k = utf8proc_encode_char((utf8proc_int32_t)cp, enc);
	sbuf_add(out, enc, (size_t)k);
	sbuf_release(&bare);
	return 0;
}

size_t
ss_unicode_length(const char *s, size_t n)
{
	size_t i, len, count = 0;
	uint32_t cp;

	for (i = 0; i < n; i += len, count++)
		if ((len = ss_utf8_next(s + i, n - i, &cp)) == 0)
			len = 1;
	return count;
}
