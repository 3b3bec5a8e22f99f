/* t-sbuf: the growable string buffer keeps its invariants. */
#include "ss.h"
#include "tap.h"

int
main(void)
{
	static const struct {
		const char *parts[4];
		const char *want;
	} cases[] = {
		{ { "", NULL }, "" },
		{ { "a", NULL }, "a" },
		{ { "abc", "def", NULL }, "abcdef" },
		{ { "x", "", "y", NULL }, "xy" },
	};
	struct sbuf sb = SBUF_INIT;
	char *p, big[1000];
	size_t i, j, len;

	ok(sb.buf != NULL && sb.buf[0] == '\0' && sb.len == 0,
	    "SBUF_INIT is an empty NUL-terminated string");
	for (i = 0; i < SS_ARRAY_SIZE(cases); i++) {
		sbuf_reset(&sb);
		for (j = 0; cases[i].parts[j] != NULL; j++)
			sbuf_adds(&sb, cases[i].parts[j]);
		is_str(sb.buf, cases[i].want, "adds case %zu", i);
		is_int(sb.len, strlen(cases[i].want), "len case %zu", i);
	}

	sbuf_reset(&sb);
	memset(big, 'q', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	for (i = 0; i < 100; i++)
		sbuf_addf(&sb, "%s", big);
	is_int(sb.len, 99900, "addf grows past many reallocations");
	ok(sb.buf[sb.len] == '\0', "still NUL-terminated");

	sbuf_reset(&sb);
	sbuf_add(&sb, "a\0b", 3);
	is_int(sb.len, 3, "embedded NUL kept in len");
	sbuf_addch(&sb, 'c');
	ok(memcmp(sb.buf, "a\0bc", 5) == 0, "addch appends after a NUL");
	sbuf_setlen(&sb, 1);
	is_str(sb.buf, "a", "setlen truncates and terminates");

	sbuf_addf(&sb, "%d-%s", 42, "z");
	p = sbuf_detach(&sb, &len);
	is_str(p, "a42-z", "detach hands over the string");
	is_int(len, 5, "detach reports the length");
	ok(sb.buf != NULL && sb.len == 0, "detached buffer is empty again");
	free(p);

	p = sbuf_detach(&sb, NULL);
	ok(p != NULL && p[0] == '\0', "detach of an empty buffer is freeable");
	free(p);
	sbuf_release(&sb);
	return done_testing();
}
