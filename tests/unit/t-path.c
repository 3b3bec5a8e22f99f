/* t-path: hostile names under a root, safe file names, base64, raw paths. */
#include "ss.h"

#include <sys/stat.h>

#include <ftw.h>
#include <limits.h>
#include <unistd.h>

#include "base64.h"
#include "path.h"
#include "record.h"
#include "tap.h"

static char root[PATH_MAX];

static int
rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	return remove(p);
}

static void
mk(const char *rel, int dir)
{
	char p[PATH_MAX];
	FILE *fp;

	if ((size_t)snprintf(p, sizeof(p), "%s/%s", root, rel) >= sizeof(p))
		abort();
	if (dir) {
		if (mkdir(p, 0755) == -1)
			abort();
	} else {
		if ((fp = fopen(p, "w")) == NULL)
			abort();
		fclose(fp);
	}
}

static void
mklink(const char *target, const char *rel)
{
	char p[PATH_MAX];

	if ((size_t)snprintf(p, sizeof(p), "%s/%s", root, rel) >= sizeof(p) ||
	    symlink(target, p) == -1)
		abort();
}

/* A string of n copies of s (caller frees). */
static char *
repeat(const char *s, size_t n)
{
	struct sbuf sb = SBUF_INIT;

	while (n-- > 0)
		sbuf_adds(&sb, s);
	return sbuf_detach(&sb, NULL);
}

static void
test_join(void)
{
	static const struct {
		const char *name;
		size_t len;	/* 0: strlen(name) */
	} bad[] = {
		{ "..", 0 },
		{ "../x", 0 },
		{ "../../../../etc/passwd", 0 },
		{ "a/..", 0 },
		{ "a/../b", 0 },	/* stays inside, still rejected */
		{ "a/../../x", 0 },
		{ "a/b/../../..", 0 },
		{ "./..", 0 },
		{ ".//..", 0 },
		{ "x/../", 0 },
		{ "../", 0 },
		{ "a/./../b", 0 },
		{ "...//../x", 0 },
		{ "/etc/passwd", 0 },
		{ "//x", 0 },
		{ "/", 0 },
		{ "/..", 0 },
		{ "..\\x", 0 },
		{ "a\\..\\b", 0 },
		{ "a/..\\b", 0 },
		{ "\\..\\", 0 },
		{ "", 0 },
		{ ".", 0 },
		{ "./", 0 },
		{ "./.", 0 },
		{ "//", 0 },
		{ "a\0b", 3 },
		{ "\0", 1 },
		{ "a/\0/../x", 8 },
		{ "x\0/../../etc", 12 },
		{ "out/passwd", 0 },	/* root/out -> /etc */
		{ "out", 0 },
		{ "a/final", 0 },	/* root/a/final -> /etc/passwd */
		{ "a/dangle", 0 },	/* root/a/dangle -> /nonexistent */
		{ "a/dangle/x", 0 },
		{ "inlink/x", 0 },	/* root/inlink -> a, inside: still */
		{ "a/sub/up/x", 0 },	/* root/a/sub/up -> .. */
	};
	static const struct {
		const char *name, *want;
	} good[] = {
		{ "a", "a" },
		{ "a/b", "a/b" },
		{ "./a", "a" },
		{ "a//b", "a/b" },
		{ "a/./b", "a/b" },
		{ "a/b/", "a/b" },
		{ "a/b//", "a/b" },
		{ "././a/./", "a" },
		{ "....", "...." },	/* only ".." itself is special */
		{ "...", "..." },
		{ "..a", "..a" },
		{ "a..", "a.." },
		{ ".hidden", ".hidden" },
		{ "a\\b", "a\\b" },	/* a backslash alone is a byte */
		{ "AC\\DC/x.flac", "AC\\DC/x.flac" },
		{ "a/sub/file", "a/sub/file" },	/* through real dirs */
		{ "a/file/below", "a/file/below" },	/* below a file */
		{ "Bj\xc3\xb6rk/Homogenic/01 Hunter.flac",
		  "Bj\xc3\xb6rk/Homogenic/01 Hunter.flac" },
		{ "\xff\xfe/x", "\xff\xfe/x" },	/* bytes are fine */
		{ "nonexistent/deep/er", "nonexistent/deep/er" },
	};
	struct ss_err e = SS_ERR_INIT;
	struct sbuf out = SBUF_INIT, want = SBUF_INIT;
	char *long_comp, *long_name, *ok_comp, *s, rootlink[PATH_MAX];
	size_t i;
	int r;

	mk("a", 1);
	mk("a/sub", 1);
	mk("a/file", 0);
	mklink("/etc", "out");
	mklink("/etc/passwd", "a/final");
	mklink("/nonexistent/ss-t-path", "a/dangle");
	mklink("a", "inlink");
	mklink("..", "a/sub/up");

	for (i = 0; i < SS_ARRAY_SIZE(bad); i++) {
		ss_err_clear(&e);
		sbuf_addf(&out, "junk");
		r = ss_path_join_n(root, bad[i].name,
		    bad[i].len ? bad[i].len : strlen(bad[i].name), &out, &e);
		ok(r == -1 && strcmp(e.code, "escape") == 0 && out.len == 0,
		    "join rejects hostile name #%zu '%s' (%s)", i, bad[i].name,
		    e.msg);
	}

	long_comp = repeat("a", NAME_MAX + 1);
	ok(ss_path_join(root, long_comp, &out, &e) == -1 &&
	    strcmp(e.code, "escape") == 0,
	    "join rejects a %d-byte component", NAME_MAX + 1);
	s = xmalloc(NAME_MAX + 4);
	snprintf(s, NAME_MAX + 4, "a/%s", long_comp);
	ok(ss_path_join(root, s, &out, &e) == -1 &&
	    strcmp(e.code, "escape") == 0,
	    "join rejects a %d-byte second component", NAME_MAX + 1);
	free(s);
	long_name = repeat("cccccccccccccccccccccccccccccccccccccccc/", 110);
	ok(ss_path_join(root, long_name, &out, &e) == -1 &&
	    strcmp(e.code, "escape") == 0,
	    "join rejects a %zu-byte name (PATH_MAX %d)", strlen(long_name),
	    PATH_MAX);
	long_name[41 * 97] = '\0';
	ok(ss_path_join(root, long_name, &out, &e) == 0,
	    "a %zu-byte name fits under a short root", strlen(long_name));
	s = repeat("/rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr", 5);
	ok(ss_path_join(s, long_name, &out, &e) == -1 &&
	    strcmp(e.code, "escape") == 0,
	    "join rejects a result of PATH_MAX bytes or more (%s)", e.msg);
	free(s);
	free(long_name);
	ok_comp = repeat("b", NAME_MAX);
	ok(ss_path_join(root, ok_comp, &out, &e) == 0 &&
	    out.len == strlen(root) + 1 + NAME_MAX,
	    "join accepts a %d-byte component", NAME_MAX);
	free(ok_comp);
	free(long_comp);

	for (i = 0; i < SS_ARRAY_SIZE(good); i++) {
		sbuf_reset(&want);
		sbuf_addf(&want, "%s/%s", root, good[i].want);
		ss_err_clear(&e);
		r = ss_path_join(root, good[i].name, &out, &e);
		ok(r == 0, "join accepts '%s' %s", good[i].name, e.msg);
		is_str(out.buf, want.buf, "join '%s'", good[i].name);
	}

	/* root itself may be a symbolic link, and may end in slashes */
	if ((size_t)snprintf(rootlink, sizeof(rootlink), "%s-link", root) >=
	    sizeof(rootlink) || symlink(root, rootlink) == -1)
		abort();
	sbuf_reset(&want);
	sbuf_addf(&want, "%s/a/sub/x", rootlink);
	ok(ss_path_join(rootlink, "a/sub/x", &out, &e) == 0,
	    "root may be a symbolic link");
	is_str(out.buf, want.buf, "join under a linked root");
	ok(ss_path_join(rootlink, "out/x", &out, &e) == -1,
	    "links below a linked root are still rejected");
	sbuf_reset(&want);
	sbuf_addf(&want, "%s//", root);
	ok(ss_path_join(want.buf, "a", &out, &e) == 0, "root ending in '/'");
	sbuf_setlen(&want, want.len - 1);
	sbuf_addch(&want, 'a');
	is_str(out.buf, want.buf, "trailing slashes of root dropped");
	ok(ss_path_join("/", "ss-t-path-nonexistent/x", &out, &e) == 0,
	    "root '/'");
	is_str(out.buf, "/ss-t-path-nonexistent/x", "join under '/'");
	ok(ss_path_join("rel", "x", &out, &e) == 0, "a relative root");
	is_str(out.buf, "rel/x", "join under a relative root");
	ok(ss_path_join("", "x", &out, &e) == -1 &&
	    strcmp(e.code, "invalid") == 0, "an empty root is invalid");
	ok(ss_path_join(root, NULL, &out, &e) == -1 &&
	    strcmp(e.code, "escape") == 0, "a NULL name is rejected");
	unlink(rootlink);
	sbuf_release(&out);
	sbuf_release(&want);
}

static void
test_sanitize(void)
{
	static const struct {
		const char *in;
		size_t len;	/* 0: strlen(in) */
		const char *want;
	} t[] = {
		{ "Hunter.flac", 0, "Hunter.flac" },
		{ "caf\xc3\xa9", 0, "caf\xc3\xa9" },
		{ "CON", 0, "CON_" },
		{ "con", 0, "con_" },
		{ "con.txt", 0, "con_.txt" },
		{ "Com1", 0, "Com1_" },
		{ "nul.tar.gz", 0, "nul_.tar.gz" },
		{ "LPT9.mp3", 0, "LPT9_.mp3" },
		{ "nul .txt", 0, "nul_ .txt" },
		{ "CONSOLE", 0, "CONSOLE" },
		{ "COM10", 0, "COM10" },
		{ "xCON", 0, "xCON" },
		{ "Con Air.flac", 0, "Con Air.flac" },
		{ "name. . ", 0, "name" },
		{ "name...", 0, "name" },
		{ "name   ", 0, "name" },
		{ "  lead", 0, "lead" },
		{ ".hidden", 0, "_hidden" },
		{ " .x", 0, "_x" },
		{ "..x", 0, "_.x" },
		{ "...", 0, "_" },
		{ ".", 0, "_" },
		{ "..", 0, "_" },
		{ "", 0, "_" },
		{ "   ", 0, "_" },
		{ " . . ", 0, "_" },
		{ "a/b", 0, "a_b" },
		{ "AC/DC - Back in Black.flac", 0,
		  "AC_DC - Back in Black.flac" },
		{ "a\\b:c*d?e\"f<g>h|i", 0, "a_b_c_d_e_f_g_h_i" },
		{ "What?.mp3", 0, "What_.mp3" },
		{ "tab\there\nnl\x7f\x01", 0, "tab_here_nl__" },
		{ "a\0b", 3, "a_b" },
		{ "\x1b[31mred", 0, "_[31mred" },
		{ "\xff\xfe" "bad", 0, "__bad" },
		{ "\xc3", 0, "_" },
		{ "\xc0\xaf", 0, "__" },	/* overlong '/' */
		{ "\xed\xa0\x80x", 0, "___x" },	/* a surrogate */
		{ "a\xc2\x85" "b", 0, "a_b" },	/* C1 control NEL */
		{ "evil\xe2\x80\xaegnp.exe", 0, "evil_gnp.exe" },
		{ "x\xe2\x81\xa6y", 0, "x_y" },	/* U+2066 */
		{ "\xf0\x9f\x8e\xb5 song", 0, "\xf0\x9f\x8e\xb5 song" },
	};
	static const char *const reserved[] = {
		"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
		"COM0", "COM1", "COM2", "COM3", "COM4",
		"COM5", "COM6", "COM7", "COM8", "COM9",
		"LPT0", "LPT1", "LPT2", "LPT3", "LPT4",
		"LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
		"COM\xc2\xb9", "COM\xc2\xb2", "COM\xc2\xb3",
		"LPT\xc2\xb9", "LPT\xc2\xb2", "LPT\xc2\xb3",
	};
	struct sbuf out = SBUF_INIT, in = SBUF_INIT, want = SBUF_INIT;
	char low[16];
	size_t i, j, len;
	int r;

	for (i = 0; i < SS_ARRAY_SIZE(t); i++) {
		sbuf_reset(&out);
		len = t[i].len ? t[i].len : strlen(t[i].in);
		r = ss_path_sanitize_component(t[i].in, len, &out);
		is_str(out.buf, t[i].want, "sanitize #%zu", i);
		is_int(r, len != strlen(t[i].want) ||
		    memcmp(t[i].in, t[i].want, len) != 0,
		    "sanitize #%zu says whether it changed the name", i);
	}
	for (i = 0; i < SS_ARRAY_SIZE(reserved); i++) {
		for (j = 0; reserved[i][j] != '\0'; j++)
			low[j] = (char)(reserved[i][j] >= 'A' &&
			    reserved[i][j] <= 'Z' ? reserved[i][j] + 32 :
			    reserved[i][j]);
		low[j] = '\0';
		sbuf_reset(&out);
		ss_path_sanitize_component(reserved[i], strlen(reserved[i]),
		    &out);
		sbuf_reset(&want);
		sbuf_addf(&want, "%s_", reserved[i]);
		is_str(out.buf, want.buf, "reserved name %s", reserved[i]);
		sbuf_reset(&in);
		sbuf_addf(&in, "%s.flac", low);
		sbuf_reset(&out);
		ss_path_sanitize_component(in.buf, in.len, &out);
		sbuf_reset(&want);
		sbuf_addf(&want, "%s_.flac", low);
		is_str(out.buf, want.buf, "reserved name %s", in.buf);
	}

	/* appends to what out holds */
	sbuf_reset(&out);
	sbuf_adds(&out, "dir/");
	ss_path_sanitize_component("x:y", 3, &out);
	is_str(out.buf, "dir/x_y", "sanitize appends to out");
	sbuf_release(&out);
	sbuf_release(&in);
	sbuf_release(&want);
}

/* Checks one long-name case: the result and its properties. */
static void
check_cut(const char *unit, size_t n, const char *ext, size_t max,
    size_t want_len, const char *title)
{
	struct sbuf in = SBUF_INIT, out = SBUF_INIT;
	size_t i, el = strlen(ext);

	for (i = 0; i < n; i++)
		sbuf_adds(&in, unit);
	sbuf_adds(&in, ext);
	if (max == 0)
		ss_path_sanitize_component(in.buf, in.len, &out);
	else
		ss_path_sanitize_component_max(in.buf, in.len, max, &out);
	is_int(out.len, want_len, "%s: length", title);
	ok(ss_utf8_valid(out.buf, out.len), "%s: valid UTF-8", title);
	ok(out.len <= (max == 0 ? 255 : max < 16 ? 16 : max),
	    "%s: at most the limit", title);
	ok(el == 0 || (out.len >= el &&
	    memcmp(out.buf + out.len - el, ext, el) == 0),
	    "%s: extension '%s' kept", title, ext);
	ok(memcmp(out.buf, in.buf, out.len - el) == 0,
	    "%s: a prefix of the name", title);
	sbuf_release(&in);
	sbuf_release(&out);
}

static void
test_cut(void)
{
	struct sbuf in = SBUF_INIT, out = SBUF_INIT;
	size_t i;

	check_cut("\xc3\xa9", 150, "", 0, 254, "300 bytes of 2-byte chars");
	check_cut("\xe6\x97\xa5", 100, "", 0, 255,
	    "300 bytes of 3-byte chars");
	check_cut("\xe6\x97\xa5", 100, ".flac", 0, 254,
	    "3-byte chars with .flac");
	check_cut("\xf0\x9f\x8e\xb5", 80, "", 0, 252,
	    "320 bytes of 4-byte chars");
	check_cut("\xf0\x9f\x8e\xb5", 80, ".mp3", 0, 252,
	    "4-byte chars with .mp3");
	check_cut("a", 300, "", 0, 255, "300 ASCII bytes");
	check_cut("a", 300, ".mp3", 0, 255, "300 ASCII bytes with .mp3");
	check_cut("\xc3\xa9", 150, ".opus", 0, 255, "2-byte chars with .opus");
	check_cut("abcdefghijklmnopqrstuvwxyz", 1, ".flac", 20, 20,
	    "max 20 keeps .flac");
	check_cut("\xe6\x97\xa5", 10, ".flac", 20, 20,
	    "max 20 with 3-byte chars");
	check_cut("a", 30, "", 3, 16, "max below 16 counts as 16");

	/* an extension longer than 15 letters is not kept */
	for (i = 0; i < 300; i++)
		sbuf_addch(&in, 'a');
	sbuf_adds(&in, ".verylongextension12345");
	ss_path_sanitize_component(in.buf, in.len, &out);
	ok(out.len == 255 && strchr(out.buf, '.') == NULL,
	    "a long 'extension' is cut like the rest");

	/* the cut leaves spaces: they are trimmed */
	sbuf_reset(&in);
	sbuf_reset(&out);
	sbuf_addch(&in, 'a');
	for (i = 0; i < 300; i++)
		sbuf_addch(&in, ' ');
	sbuf_addch(&in, 'b');
	ss_path_sanitize_component(in.buf, in.len, &out);
	is_str(out.buf, "a", "spaces at the cut are trimmed");

	/* the cut leaves a reserved name */
	sbuf_reset(&in);
	sbuf_reset(&out);
	sbuf_adds(&in, "CON");
	for (i = 0; i < 300; i++)
		sbuf_addch(&in, ' ');
	sbuf_addch(&in, 'x');
	ss_path_sanitize_component(in.buf, in.len, &out);
	is_str(out.buf, "CON_", "a reserved name left by the cut");

	/* a reserved name at the limit stays within it */
	sbuf_reset(&in);
	sbuf_reset(&out);
	sbuf_adds(&in, "aux");
	for (i = 0; i < 300; i++)
		sbuf_adds(&in, " ");
	sbuf_adds(&in, ".flac");
	ss_path_sanitize_component(in.buf, in.len, &out);
	is_str(out.buf, "aux_.flac", "reserved base with spaces and .flac");
	sbuf_release(&in);
	sbuf_release(&out);
}

static void
test_base64(void)
{
	static const struct {
		const char *plain, *enc;
	} t[] = {
		{ "", "" },
		{ "f", "Zg==" },
		{ "fo", "Zm8=" },
		{ "foo", "Zm9v" },
		{ "foob", "Zm9vYg==" },
		{ "fooba", "Zm9vYmE=" },
		{ "foobar", "Zm9vYmFy" },
		{ "\xff\xfe.flac", "//4uZmxhYw==" },
	};
	static const char *const bad[] = {
		"Zg=", "Zg", "Zh==", "Zm9=", "Z===", "====", "=Zg=",
		"Zg==Zg==", "Zm9v\n", "Zm-v", "Zm_v", "Zm 9v", "Zm9vY",
	};
	struct ss_err e = SS_ERR_INIT;
	struct sbuf out = SBUF_INIT, enc = SBUF_INIT;
	unsigned char all[256];
	size_t i, n;

	for (i = 0; i < SS_ARRAY_SIZE(t); i++) {
		sbuf_reset(&out);
		ss_base64_encode(t[i].plain, strlen(t[i].plain), &out);
		is_str(out.buf, t[i].enc, "base64 of '%s'", t[i].plain);
		sbuf_reset(&out);
		ok(ss_base64_decode(t[i].enc, strlen(t[i].enc), &out, &e) == 0,
		    "decode '%s'", t[i].enc);
		is_str(out.buf, t[i].plain, "decode '%s'", t[i].enc);
	}
	for (i = 0; i < SS_ARRAY_SIZE(bad); i++) {
		sbuf_reset(&out);
		sbuf_adds(&out, "kept");
		ss_err_clear(&e);
		ok(ss_base64_decode(bad[i], strlen(bad[i]), &out, &e) == -1 &&
		    strcmp(e.code, "parse") == 0 &&
		    strcmp(out.buf, "kept") == 0,
		    "decode rejects bad base64 #%zu (%s)", i, e.msg);
	}
	for (i = 0; i < sizeof(all); i++)
		all[i] = (unsigned char)(255 - i);
	for (n = 0; n <= sizeof(all); n += 37) {
		sbuf_reset(&enc);
		sbuf_reset(&out);
		ss_base64_encode(all, n, &enc);
		ok(ss_base64_decode(enc.buf, enc.len, &out, &e) == 0 &&
		    out.len == n && memcmp(out.buf, all, n) == 0,
		    "base64 round trip of %zu binary bytes", n);
	}
	sbuf_release(&out);
	sbuf_release(&enc);
}

/* Serialises obj (consumed) and parses it back, as a pipe would. */
static jv
through_text(jv obj, struct sbuf *text)
{
	jv s = jv_dump_string(obj, 0);

	sbuf_reset(text);
	sbuf_adds(text, jv_string_value(s));
	jv_free(s);
	return jv_parse_sized(text->buf, (int)text->len);
}

static void
test_rec_path(void)
{
	static const struct {
		const char *path;
		size_t len;
		const char *shown, *b64;	/* b64 NULL: no _b64 key */
	} t[] = {
		{ "\xff\xfe.flac", 7, "\xef\xbf\xbd\xef\xbf\xbd.flac",
		  "//4uZmxhYw==" },
		{ "Music/\xe9t\xe9/01 \xff.mp3", 18,
		  "Music/\xef\xbf\xbdt\xef\xbf\xbd/01 \xef\xbf\xbd.mp3",
		  "TXVzaWMv6XTpLzAxIP8ubXAz" },
		{ "Bj\xc3\xb6rk/x.flac", 13, "Bj\xc3\xb6rk/x.flac", NULL },
		{ "plain", 5, "plain", NULL },
	};
	struct ss_err e = SS_ERR_INIT;
	struct sbuf out = SBUF_INIT, text = SBUF_INIT;
	char *s;
	size_t i;
	jv obj, back;

	for (i = 0; i < SS_ARRAY_SIZE(t); i++) {
		obj = jv_object();
		obj = jv_object_set(obj, jv_string("id"), jv_string("x"));
		ss_rec_set_path(&obj, "path", t[i].path, t[i].len);
		back = through_text(obj, &text);
		ok(jv_get_kind(back) == JV_KIND_OBJECT,
		    "record #%zu survives dump and parse: %s", i, text.buf);
		s = ss_jv_strdup(back, "path");
		is_str(s, t[i].shown, "record #%zu: display form", i);
		free(s);
		s = ss_jv_strdup(back, "path_b64");
		is_str(s, t[i].b64, "record #%zu: path_b64", i);
		free(s);
		ss_err_clear(&e);
		ok(ss_rec_get_path(back, "path", &out, &e) == 0 &&
		    out.len == t[i].len &&
		    memcmp(out.buf, t[i].path, t[i].len) == 0,
		    "record #%zu: the path comes back byte for byte %s", i,
		    e.msg);
		jv_free(back);
	}

	/* a valid path replaces an old raw one: no stale _b64 is left */
	obj = jv_object();
	ss_rec_set_path(&obj, "path", "\xff", 1);
	ss_rec_set_path(&obj, "path", "new", 3);
	ok(ss_rec_get_path(obj, "path", &out, &e) == 0 &&
	    strcmp(out.buf, "new") == 0, "a stale path_b64 is removed");
	s = ss_jv_strdup(obj, "path_b64");
	ok(s == NULL, "no path_b64 after a valid path");
	free(s);
	jv_free(obj);

	/* errors */
	obj = jv_parse("{\"a\":1,\"b_b64\":\"Zh==\",\"c\":\"\",\"d\":"
	    "\"x\\u0000y\",\"e_b64\":5,\"f\":null,\"g_b64\":null,"
	    "\"g\":\"fine\"}");
	ok(jv_get_kind(obj) == JV_KIND_OBJECT, "error cases parse");
	ok(ss_rec_get_path(obj, "nope", &out, &e) == -1 &&
	    strcmp(e.code, "missing") == 0 && out.len == 0,
	    "a missing key is 'missing'");
	ok(ss_rec_get_path(obj, "f", &out, &e) == -1 &&
	    strcmp(e.code, "missing") == 0, "a null path is 'missing'");
	ok(ss_rec_get_path(obj, "a", &out, &e) == -1 &&
	    strcmp(e.code, "parse") == 0, "a number is not a path");
	ok(ss_rec_get_path(obj, "b", &out, &e) == -1 &&
	    strcmp(e.code, "parse") == 0, "bad base64 is rejected (%s)",
	    e.msg);
	ok(ss_rec_get_path(obj, "c", &out, &e) == -1 &&
	    strcmp(e.code, "parse") == 0, "an empty path is rejected");
	ok(ss_rec_get_path(obj, "d", &out, &e) == -1 &&
	    strcmp(e.code, "parse") == 0, "a NUL byte is rejected");
	ok(ss_rec_get_path(obj, "e", &out, &e) == -1 &&
	    strcmp(e.code, "parse") == 0, "a non-string _b64 is rejected");
	ok(ss_rec_get_path(obj, "g", &out, &e) == 0 &&
	    strcmp(out.buf, "fine") == 0, "a null _b64 is ignored");
	jv_free(obj);
	ok(ss_rec_get_path(jv_null(), "x", &out, &e) == -1 &&
	    strcmp(e.code, "missing") == 0, "not an object: 'missing'");
	sbuf_release(&out);
	sbuf_release(&text);
}

int
main(void)
{
	const char *tmpdir = getenv("TMPDIR");
	int rc;

	if ((size_t)snprintf(root, sizeof(root), "%s/ss-t-path.XXXXXX",
	    tmpdir && *tmpdir ? tmpdir : "/tmp") >= sizeof(root) ||
	    mkdtemp(root) == NULL) {
		printf("1..0 # SKIP cannot make a temporary directory\n");
		return 0;
	}
	test_join();
	test_sanitize();
	test_cut();
	test_base64();
	test_rec_path();
	rc = done_testing();
	nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return rc;
}
