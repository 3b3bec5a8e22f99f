/* t-err: filling and prefixing struct ss_err. */
#include "ss.h"
#include "tap.h"

int
main(void)
{
	struct ss_err e = SS_ERR_INIT;
	char longer[600];

	ok(e.code[0] == '\0' && e.msg[0] == '\0', "SS_ERR_INIT is no error");
	is_int(ss_err_set(&e, "busy", 1, "ledger '%s' locked", "x.db"), -1,
	    "ss_err_set returns -1");
	is_str(e.code, "busy", "code");
	is_int(e.temporary, 1, "temporary");
	is_str(e.msg, "ledger 'x.db' locked", "message");

	errno = ENOENT;
	ss_err_errno(&e, "cannot open '%s'", "a.flac");
	is_str(e.code, "io", "errno code is io");
	is_int(e.sys_errno, ENOENT, "errno kept");
	is_str(e.msg, "cannot open 'a.flac': No such file or directory",
	    "strerror appended");

	ss_err_prefix(&e, "stage %d", 2);
	is_str(e.msg, "stage 2: cannot open 'a.flac': No such file or directory",
	    "prefix");
	is_str(e.code, "io", "prefix keeps the code");

	ss_err_set(&e, "a-code-that-is-much-longer-than-thirty-one-bytes", 0,
	    "x");
	is_int(strlen(e.code), sizeof(e.code) - 1, "long code truncated");
	memset(longer, 'm', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	ss_err_set(&e, "x", 0, "%s", longer);
	is_int(strlen(e.msg), sizeof(e.msg) - 1, "long message truncated");
	ss_err_prefix(&e, "p");
	is_int(strlen(e.msg), sizeof(e.msg) - 1, "prefixed long message fits");
	ss_err_set(&e, "config", 0, "x");
	is_int(ss_err_exit(&e), SS_EX_USAGE, "a configuration error exits 2");
	ss_err_set(&e, "busy", 1, "x");
	is_int(ss_err_exit(&e), SS_EX_TEMPFAIL, "a temporary error exits 75");
	ss_err_set(&e, "sqlite", 0, "x");
	is_int(ss_err_exit(&e), SS_EX_FATAL, "anything else exits 3");
	ss_err_clear(&e);
	ok(e.code[0] == '\0', "clear");
	return done_testing();
}
