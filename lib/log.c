/* log.c: the reporting layer: messages, usage, die, progress. */
#include <signal.h>
#include <unistd.h>

#include "ss.h"

const char *ss_progname = "ss";
int ss_verbosity;
int ss_log_json;

static int progress_shown;

static const char *const level_names[] = {
	"fatal", "error", "warning", "info", "debug"
};

void
ss_init(const char *argv0)
{
	const char *p, *dbg;

	if (argv0 != NULL && *argv0 != '\0') {
		p = strrchr(argv0, '/');
		ss_progname = p ? p + 1 : argv0;
	}
	signal(SIGPIPE, SIG_DFL);
	dbg = getenv("SS_DEBUG");
	if (dbg != NULL && *dbg != '\0' && strcmp(dbg, "0") != 0)
		ss_verbosity = 2;
}

static int format_chosen;	/* by the command line: it wins */

static int
set_format(const char *name)
{
	if (strcmp(name, "text") == 0)
		ss_log_json = 0;
	else if (strcmp(name, "json") == 0)
		ss_log_json = 1;
	else
		return -1;
	return 0;
}

int
ss_log_set_format(const char *name)
{
	if (set_format(name) == -1)
		return -1;
	format_chosen = 1;
	return 0;
}

int
ss_log_default_format(const char *name)
{
	if (format_chosen)
		return 0;
	return set_format(name);
}

void
ss_sanitize(struct sbuf *out, const char *str, size_t n)
{
	uint32_t cp;
	size_t i = 0, len;

	while (i < n) {
		len = ss_utf8_next(str + i, n - i, &cp);
		if (len == 0) {
			sbuf_addch(out, '?');
			i++;
			continue;
		}
		if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) ||
		    (cp >= 0x202a && cp <= 0x202e) ||
		    (cp >= 0x2066 && cp <= 0x2069))
			sbuf_addch(out, '?');
		else
			sbuf_add(out, str + i, len);
		i += len;
	}
}

static void
add_json_string(struct sbuf *sb, const char *s)
{
	sbuf_addch(sb, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			sbuf_addch(sb, '\\');
		sbuf_addch(sb, *s);
	}
	sbuf_addch(sb, '"');
}

void
ss_vlog(enum ss_level level, const char *fmt, va_list ap)
{
	struct sbuf raw = SBUF_INIT, clean = SBUF_INIT, line = SBUF_INIT;

	if (level >= SS_LOG_WARNING && (int)level - SS_LOG_WARNING > ss_verbosity)
		return;
	sbuf_vaddf(&raw, fmt, ap);
	ss_sanitize(&clean, raw.buf, raw.len);
	if (ss_log_json) {
		sbuf_adds(&line, "{\"prog\":");
		add_json_string(&line, ss_progname);
		sbuf_adds(&line, ",\"level\":");
		add_json_string(&line, level_names[level]);
		sbuf_adds(&line, ",\"msg\":");
		add_json_string(&line, clean.buf);
		sbuf_adds(&line, "}\n");
	} else {
		sbuf_addf(&line, "%s: %s: %s\n", ss_progname,
		    level_names[level], clean.buf);
	}
	ss_progress_done();
	fwrite(line.buf, 1, line.len, stderr);
	fflush(stderr);
	sbuf_release(&raw);
	sbuf_release(&clean);
	sbuf_release(&line);
}

void
ss_log(enum ss_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ss_vlog(level, fmt, ap);
	va_end(ap);
}

void
ss_die(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ss_vlog(SS_LOG_FATAL, fmt, ap);
	va_end(ap);
	exit(status);
}

void
ss_usage(const char *usage, int status)
{
	FILE *f = status == 0 ? stdout : stderr;

	fprintf(f, "%s\n", usage);
	if (status == 0 && fflush(stdout) == EOF)
		status = SS_EX_FATAL;
	exit(status);
}

void
ss_version(void)
{
	printf("%s %s\n", ss_progname, SS_VERSION);
	exit(fflush(stdout) == EOF ? SS_EX_FATAL : SS_EX_OK);
}

void
ss_progress(const char *fmt, ...)
{
	struct sbuf raw = SBUF_INIT, clean = SBUF_INIT;
	va_list ap;

	if (ss_verbosity < 0 || !isatty(STDERR_FILENO))
		return;
	va_start(ap, fmt);
	sbuf_vaddf(&raw, fmt, ap);
	va_end(ap);
	ss_sanitize(&clean, raw.buf, raw.len);
	fprintf(stderr, "\r%s: %s\033[K", ss_progname, clean.buf);
	fflush(stderr);
	progress_shown = 1;
	sbuf_release(&raw);
	sbuf_release(&clean);
}

void
ss_progress_done(void)
{
	if (!progress_shown)
		return;
	fputs("\r\033[K", stderr);
	progress_shown = 0;
}
