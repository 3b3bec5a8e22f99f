/* t-log: messages are one line with remote control characters neutralised. */
#include <unistd.h>

#include "ss.h"
#include "tap.h"

static char *
capture(enum ss_level level, const char *msg)
{
	char path[] = "/tmp/t-log.XXXXXX";
	int fd = mkstemp(path), saved = dup(STDERR_FILENO);
	char buf[4096];
	ssize_t n;

	fflush(stderr);
	dup2(fd, STDERR_FILENO);
	ss_log(level, "%s", msg);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	close(fd);
	unlink(path);
	buf[n > 0 ? n : 0] = '\0';
	return xstrdup(buf);
}

int
main(int argc, char *argv[])
{
	static const struct {
		const char *in, *want;
	} san[] = {
		{ "plain", "plain" },
		{ "new\nline", "new?line" },
		{ "bell\a esc\x1b[2J", "bell? esc?[2J" },
		{ "del\x7f", "del?" },
		{ "c1 \xc2\x9b", "c1 ?" },
		{ "rtl \xe2\x80\xae" "evil", "rtl ?evil" },
		{ "isolate \xe2\x81\xa6x", "isolate ?x" },
		{ "Bj\xc3\xb6rk", "Bj\xc3\xb6rk" },
		{ "bad \xff byte", "bad ? byte" },
		{ "tab\there", "tab?here" },
	};
	static const struct {
		int verbosity, json;
		enum ss_level level;
		const char *msg, *want;
	} lines[] = {
		{ 0, 0, SS_LOG_ERROR, "boom", "t-log: error: boom\n" },
		{ 0, 0, SS_LOG_WARNING, "hmm", "t-log: warning: hmm\n" },
		{ 0, 0, SS_LOG_INFO, "chat", "" },
		{ 1, 0, SS_LOG_INFO, "chat", "t-log: info: chat\n" },
		{ 1, 0, SS_LOG_DEBUG, "dbg", "" },
		{ 2, 0, SS_LOG_DEBUG, "dbg", "t-log: debug: dbg\n" },
		{ -1, 0, SS_LOG_WARNING, "hmm", "" },
		{ -1, 0, SS_LOG_ERROR, "boom", "t-log: error: boom\n" },
		{ 0, 0, SS_LOG_ERROR, "a\nb", "t-log: error: a?b\n" },
		{ 0, 1, SS_LOG_ERROR, "say \"hi\" \\o/",
		  "{\"prog\":\"t-log\",\"level\":\"error\","
		  "\"msg\":\"say \\\"hi\\\" \\\\o/\"}\n" },
	};
	struct sbuf sb = SBUF_INIT;
	char *got;
	size_t i;

	ss_init(argc > 0 ? argv[0] : "t-log");
	for (i = 0; i < SS_ARRAY_SIZE(san); i++) {
		sbuf_reset(&sb);
		ss_sanitize(&sb, san[i].in, strlen(san[i].in));
		is_str(sb.buf, san[i].want, "sanitize case %zu", i);
	}
	for (i = 0; i < SS_ARRAY_SIZE(lines); i++) {
		ss_verbosity = lines[i].verbosity;
		ss_log_json = lines[i].json;
		got = capture(lines[i].level, lines[i].msg);
		is_str(got, lines[i].want, "log line case %zu", i);
		free(got);
	}
	ok(ss_log_set_format("json") == 0 && ss_log_json == 1, "json format");
	ok(ss_log_set_format("text") == 0 && ss_log_json == 0, "text format");
	ok(ss_log_set_format("xml") == -1, "unknown format refused");
	sbuf_release(&sb);
	return done_testing();
}
