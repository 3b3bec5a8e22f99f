/* unicode.c: NFC, case mapping, index letters, matching keys (utf8proc). */
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

/* ---- matching keys (ss-dedupe, ids of wanted tracks) ---- */

enum { T_WORD, T_OPEN, T_CLOSE };

struct tok {
	int kind;
	size_t off, len;	/* T_WORD: the word in the words buffer */
};

struct toks {
	struct tok *v;
	size_t n, cap;
	struct sbuf words;
	int in_word;
};

static void
tok_push(struct toks *t, int kind)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 16;
		t->v = xreallocarray(t->v, t->cap, sizeof(*t->v));
	}
	t->v[t->n].kind = kind;
	t->v[t->n].off = t->words.len;
	t->v[t->n].len = 0;
	t->n++;
}

static void
tok_break(struct toks *t)
{
	t->in_word = 0;
}

/* Adds the n bytes of one word character. */
static void
tok_char(struct toks *t, const char *p, size_t n)
{
	if (!t->in_word) {
		tok_push(t, T_WORD);
		t->in_word = 1;
	}
	sbuf_add(&t->words, p, n);
	t->v[t->n - 1].len += n;
}

static void
tok_word(struct toks *t, const char *w)
{
	tok_break(t);
	tok_char(t, w, strlen(w));
	tok_break(t);
}

static int
is_apostrophe(int32_t c)
{
	return c == '\'' || c == '`' || c == 0x2018 || c == 0x2019 ||
	    c == 0x02bc;
}

/* Splits the folded text (valid UTF-8) into words and bracket marks. */
static void
tokenize(const char *s, size_t len, struct toks *t)
{
	utf8proc_int32_t c;
	utf8proc_ssize_t n;
	utf8proc_category_t cat;
	size_t i = 0;

	while (i < len) {
		n = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
		    (utf8proc_ssize_t)(len - i), &c);
		if (n <= 0)
			break;	/* cannot happen: the text was checked */
		cat = utf8proc_category(c);
		if (is_apostrophe(c))
			;	/* "don't" is one word */
		else if (c == '&')
			tok_word(t, "and");
		else if (c == '(' || c == '[' || c == '{') {
			tok_break(t);
			tok_push(t, T_OPEN);
		} else if (c == ')' || c == ']' || c == '}') {
			tok_break(t);
			tok_push(t, T_CLOSE);
		} else if ((cat >= UTF8PROC_CATEGORY_LU &&
		    cat <= UTF8PROC_CATEGORY_NO))
			tok_char(t, s + i, (size_t)n);
		else
			tok_break(t);
		i += (size_t)n;
	}
}

static int
is_feat(const struct toks *t, const struct tok *k)
{
	const char *w = t->words.buf + k->off;

	return k->kind == T_WORD && ((k->len == 4 && memcmp(w, "feat", 4) ==
	    0) || (k->len == 2 && memcmp(w, "ft", 2) == 0) || (k->len == 9 &&
	    memcmp(w, "featuring", 9) == 0));
}

/* Writes the words, leaving out "feat ..." up to its closing bracket. */
static void
emit(const struct toks *t, struct sbuf *out)
{
	size_t i, words = 0, start = out->len;
	int depth = 0, skip_below = -1;

	for (i = 0; i < t->n; i++) {
		const struct tok *k = &t->v[i];

		if (k->kind == T_OPEN) {
			depth++;
			continue;
		}
		if (k->kind == T_CLOSE) {
			if (depth > 0)
				depth--;
			if (skip_below >= 0 && depth < skip_below)
				skip_below = -1;
			continue;
		}
		if (skip_below >= 0)
			continue;
		if (words > 0 && is_feat(t, k)) {
			skip_below = depth > 0 ? depth : 0;
			if (depth == 0)
				break;
			continue;
		}
		if (out->len > start)
			sbuf_addch(out, ' ');
		sbuf_add(out, t->words.buf + k->off, k->len);
		words++;
	}
}

int
ss_fold(const char *s, size_t len, struct sbuf *out, struct ss_err *e)
{
	struct toks t = { NULL, 0, 0, SBUF_INIT, 0 };
	utf8proc_uint8_t *folded = NULL;
	utf8proc_ssize_t n;
	struct sbuf ascii = SBUF_INIT;
	size_t i;
	int plain = 1;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80 || s[i] == '\0') {
			plain = 0;
			break;
		}
	if (plain) {
		sbuf_grow(&ascii, len);
		for (i = 0; i < len; i++)
			sbuf_addch(&ascii, s[i] >= 'A' && s[i] <= 'Z' ?
			    s[i] - 'A' + 'a' : s[i]);
		tokenize(ascii.buf, ascii.len, &t);
	} else {
		if (!ss_utf8_valid(s, len) || memchr(s, '\0', len) != NULL)
			return ss_err_set(e, "parse", 0, "invalid UTF-8");
		n = utf8proc_map((const utf8proc_uint8_t *)s,
		    (utf8proc_ssize_t)len, &folded, UTF8PROC_STABLE |
		    UTF8PROC_COMPAT | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD);
		if (n < 0)
			return ss_err_set(e, "parse", 0, "cannot fold: %s",
			    utf8proc_errmsg(n));
		tokenize((const char *)folded, (size_t)n, &t);
		free(folded);
	}
	emit(&t, out);
	free(t.v);
	sbuf_release(&t.words);
	sbuf_release(&ascii);
	return 0;
}

int
ss_fold_recording_key(const char *artist, const char *title,
    struct sbuf *out, struct ss_err *e)
{
	size_t mid;

	sbuf_reset(out);
	if (artist == NULL || title == NULL)
		return 0;
	if (ss_fold(artist, strlen(artist), out, e) == -1)
		return -1;
	if (out->len == 0)
		return 0;
	sbuf_addch(out, '\t');
	mid = out->len;
	if (ss_fold(title, strlen(title), out, e) == -1) {
		sbuf_reset(out);
		return -1;
	}
	if (out->len == mid) {
		sbuf_reset(out);
		return 0;
	}
	return 1;
}
