/* record.c: reads NDJSON records line by line, writes them compactly. */
#include <sys/stat.h>

#include <signal.h>
#include <stdio_ext.h>
#include <unistd.h>

#include "ss.h"
#include "record.h"

static int out_checked, out_flush_each;
static volatile sig_atomic_t stop_signal;

static void
on_stop(int sig)
{
	stop_signal = sig;
}

static void
check_output_kind(void)
{
	struct stat st;

	if (out_checked)
		return;
	out_checked = 1;
	/* single-threaded: jv_dumpf makes one fwrite per token, unlocked */
	__fsetlocking(stdout, FSETLOCKING_BYCALLER);
	/* a reader that waits for each record: a pipe, a socket, a terminal */
	out_flush_each = fstat(STDOUT_FILENO, &st) == -1 ||
	    S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) ||
	    isatty(STDOUT_FILENO);
	/* into a file: large blocks, one write per 64 KiB of records */
	if (!out_flush_each)
		setvbuf(stdout, NULL, _IOFBF, 65536);
}

static int
finish_write(struct ss_err *e)
{
	if (out_flush_each)
		fflush(stdout);
	if (ferror(stdout))
		return ss_err_errno(e, "write error on stdout");
	return 0;
}

int
ss_emit(jv rec, struct ss_err *e)
{
	check_output_kind();
	jv_dumpf(rec, stdout, 0);
	putchar('\n');
	return finish_write(e);
}

int
ss_emit_raw(const char *line, size_t len, struct ss_err *e)
{
	check_output_kind();
	fwrite(line, 1, len, stdout);
	putchar('\n');
	return finish_write(e);
}

int
ss_output_close(struct ss_err *e)
{
	int bad = fflush(stdout) == EOF || ferror(stdout);
	int saved = errno;

	if (fclose(stdout) == EOF)
		bad = 1;
	else
		errno = saved;
	if (bad)
		return ss_err_errno(e, "write error on stdout");
	return 0;
}

void
ss_json_add_string(struct sbuf *sb, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char c;
	size_t i;

	sbuf_addch(sb, '"');
	for (i = 0; i < n; i++) {
		size_t run;

		/* the plain bytes up to the next one to escape, at once */
		for (run = i; run < n && (unsigned char)s[run] >= 0x20 &&
		    s[run] != '"' && s[run] != '\\' && s[run] != 0x7f; run++)
			;
		if (run > i) {
			sbuf_add(sb, s + i, run - i);
			i = run - 1;
			continue;
		}
		c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			sbuf_addch(sb, '\\');
			sbuf_addch(sb, c);
		} else if (c < 0x20 || c == 0x7f) {
			sbuf_adds(sb, "\\u00");
			sbuf_addch(sb, hex[c >> 4]);
			sbuf_addch(sb, hex[c & 15]);
		} else {
			sbuf_addch(sb, c);
		}
	}
	sbuf_addch(sb, '"');
}

char *
ss_jv_strdup(jv obj, const char *key)
{
	jv v;
	char *s = NULL;

	if (jv_get_kind(obj) != JV_KIND_OBJECT)
		return NULL;
	v = jv_object_get(jv_copy(obj), jv_string(key));
	if (jv_get_kind(v) == JV_KIND_STRING)
		s = xstrdup(jv_string_value(v));
	jv_free(v);
	return s;
}

int
ss_rec_fail(jv *rec, const char *stage, const struct ss_err *e)
{
	jv err = jv_object();
	char *id = ss_jv_strdup(*rec, "id");

	err = jv_object_set(err, jv_string("stage"), jv_string(stage));
	err = jv_object_set(err, jv_string("code"),
	    jv_string(e->code[0] ? e->code : "error"));
	err = jv_object_set(err, jv_string("message"), jv_string(e->msg));
	err = jv_object_set(err, jv_string("temporary"),
	    jv_bool(e->temporary));
	*rec = jv_object_set(*rec, jv_string("error"), err);
	ss_error("'%s': %s", id ? id : "(no id)", e->msg);
	free(id);
	return SS_REC_FAILED;
}

/* A record that an earlier stage marked failed: "error" present, not null. */
static int
has_error(jv rec)
{
	jv v = jv_object_get(jv_copy(rec), jv_string("error"));
	int kind = jv_get_kind(v);

	jv_free(v);
	return kind != JV_KIND_INVALID && kind != JV_KIND_NULL;
}

static const char *
kind_name(jv_kind k)
{
	switch (k) {
	case JV_KIND_ARRAY:
		return "an array";
	case JV_KIND_STRING:
		return "a string";
	case JV_KIND_NUMBER:
		return "a number";
	case JV_KIND_NULL:
		return "null";
	case JV_KIND_TRUE:
	case JV_KIND_FALSE:
		return "a boolean";
	default:
		return "something else";
	}
}

/*
 * Parses one line into an object; on failure fills why and returns an
 * invalid jv.
 */
static jv
parse_line(const char *line, size_t len, struct sbuf *why)
{
	jv v, msg;
	size_t i;

	for (i = 0; i < len; i++)
		if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r')
			break;
	if (i == len) {
		sbuf_adds(why, "empty line, expected one JSON object");
		return jv_invalid();
	}
	if (!ss_utf8_valid(line, len)) {
		sbuf_adds(why, "invalid UTF-8");
		return jv_invalid();
	}
	if (len > INT32_MAX) {
		sbuf_adds(why, "line too long");
		return jv_invalid();
	}
	v = jv_parse_sized(line, (int)len);
	if (!jv_is_valid(v)) {
		msg = jv_invalid_get_msg(v);
		if (jv_get_kind(msg) == JV_KIND_STRING) {
			/* jq quotes the whole line; keep only the reason */
			const char *m = jv_string_value(msg);
			const char *cut = strstr(m, " (while parsing");

			sbuf_adds(why, "not JSON: ");
			sbuf_add(why, m, cut ? (size_t)(cut - m) : strlen(m));
		} else
			sbuf_adds(why, "not JSON");
		jv_free(msg);
		return jv_invalid();
	}
	if (jv_get_kind(v) != JV_KIND_OBJECT) {
		sbuf_addf(why, "expected a JSON object, got %s",
		    kind_name(jv_get_kind(v)));
		jv_free(v);
		return jv_invalid();
	}
	return v;
}

/* Runs the loop over one stream; returns -1 to stop (status in *status). */
static int
run_stream(FILE *in, const char *name, ss_record_fn *fn, void *arg,
    struct ss_loop_stats *st, int *status)
{
	struct ss_err e = SS_ERR_INIT;
	struct sbuf why = SBUF_INIT, where = SBUF_INIT;
	char *line = NULL;
	size_t cap = 0, len;
	unsigned long lineno = 0;
	ssize_t n;
	int r, ret = 0;
	jv rec;

	while (!stop_signal && (n = getline(&line, &cap, in)) != -1) {
		lineno++;
		st->lines++;
		len = (size_t)n;
		if (len > 0 && line[len - 1] == '\n')
			len--;
		sbuf_reset(&where);
		sbuf_addf(&where, "%s:%lu", name, lineno);
		sbuf_reset(&why);
		rec = parse_line(line, len, &why);
		if (!jv_is_valid(rec)) {
			jv_free(rec);
			ss_error("%s: %s", where.buf, why.buf);
			st->malformed++;
			st->failed++;
			continue;
		}
		if (has_error(rec)) {
			jv_free(rec);
			st->passed++;
			if (ss_emit_raw(line, len, &e) == -1)
				goto fatal;
			continue;
		}
		st->handled++;
		r = fn(&rec, where.buf, arg);
		switch (r) {
		case SS_REC_DROP:
			jv_free(rec);
			break;
		case SS_REC_FATAL:
			jv_free(rec);
			*status = SS_EX_FATAL;
			ret = -1;
			goto out;
		default:
			if (r == SS_REC_FAILED)
				st->failed++;
			if (ss_emit(rec, &e) == -1)
				goto fatal;
			if (r == SS_REC_TEMPFAIL) {
				*status = SS_EX_TEMPFAIL;
				ret = -1;
				goto out;
			}
		}
	}
	if (ferror(in)) {
		ss_error("read error on '%s': %s", name, strerror(errno));
		*status = SS_EX_FATAL;
		ret = -1;
	}
	goto out;
fatal:
	ss_error("%s", e.msg);
	*status = SS_EX_FATAL;
	ret = -1;
out:
	free(line);
	sbuf_release(&why);
	sbuf_release(&where);
	return ret;
}

int
ss_record_scan(char **files, int nfiles, ss_record_fn *fn, void *arg,
    struct ss_loop_stats *stats)
{
	struct ss_loop_stats local = { 0, 0, 0, 0, 0 };
	struct ss_loop_stats *st = stats ? stats : &local;
	struct sigaction sa;
	int status = SS_EX_OK, i;
	FILE *in;

	memset(st, 0, sizeof(*st));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	if (nfiles == 0) {
		run_stream(stdin, "<stdin>", fn, arg, st, &status);
	} else {
		for (i = 0; i < nfiles && status == SS_EX_OK; i++) {
			if (strcmp(files[i], "-") == 0) {
				run_stream(stdin, "<stdin>", fn, arg, st,
				    &status);
				continue;
			}
			if ((in = fopen(files[i], "r")) == NULL) {
				ss_error("cannot open '%s': %s", files[i],
				    strerror(errno));
				st->failed++;
				continue;
			}
			run_stream(in, files[i], fn, arg, st, &status);
			fclose(in);
		}
	}
	if (stop_signal && status == SS_EX_OK) {
		ss_warn("stopped by signal %d; run again to go on",
		    (int)stop_signal);
		status = SS_EX_TEMPFAIL;
	}
	if (status == SS_EX_OK && st->failed > 0)
		status = SS_EX_PARTIAL;
	ss_info("%lu records: %lu handled, %lu failed, %lu passed through",
	    st->lines, st->handled, st->failed, st->passed);
	return status;
}

int
ss_record_loop(char **files, int nfiles, ss_record_fn *fn, void *arg,
    struct ss_loop_stats *stats)
{
	struct ss_err e = SS_ERR_INIT;
	int status = ss_record_scan(files, nfiles, fn, arg, stats);

	if (ss_output_close(&e) == -1) {
		if (status != SS_EX_FATAL)
			ss_error("%s", e.msg);
		status = SS_EX_FATAL;
	}
	return status;
}
