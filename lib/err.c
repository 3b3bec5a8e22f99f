/* err.c: filling struct ss_err. */
#include "ss.h"

static void
copy_code(struct ss_err *e, const char *code)
{
	size_t n = strlen(code);

	if (n >= sizeof(e->code))
		n = sizeof(e->code) - 1;
	memcpy(e->code, code, n);
	e->code[n] = '\0';
}

int
ss_err_set(struct ss_err *e, const char *code, int temporary,
    const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return -1;
	copy_code(e, code);
	e->temporary = temporary;
	e->sys_errno = 0;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -1;
}

int
ss_err_errno(struct ss_err *e, const char *fmt, ...)
{
	int saved = errno;
	size_t n;
	va_list ap;

	if (e == NULL)
		return -1;
	copy_code(e, "io");
	e->sys_errno = saved;
	e->temporary = 0;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	n = strlen(e->msg);
	snprintf(e->msg + n, sizeof(e->msg) - n, ": %s", strerror(saved));
	errno = saved;
	return -1;
}

void
ss_err_prefix(struct ss_err *e, const char *fmt, ...)
{
	char old[sizeof(e->msg)];
	size_t n;
	va_list ap;

	memcpy(old, e->msg, sizeof(old));
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	n = strlen(e->msg);
	if (n + 2 < sizeof(e->msg)) {
		memcpy(e->msg + n, ": ", 2);
		n += 2;
		memcpy(e->msg + n, old, sizeof(e->msg) - n - 1);
		e->msg[sizeof(e->msg) - 1] = '\0';
	}
}

int
ss_err_exit(const struct ss_err *e)
{
	if (strcmp(e->code, "config") == 0 || strcmp(e->code, "usage") == 0)
		return SS_EX_USAGE;
	return e->temporary ? SS_EX_TEMPFAIL : SS_EX_FATAL;
}

void
ss_err_clear(struct ss_err *e)
{
	memset(e, 0, sizeof(*e));
}
