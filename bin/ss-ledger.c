/* ss-ledger: show, retry, pause, resume, prune, back up and restore work. */
#include <sys/stat.h>

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <getopt.h>
#include <unistd.h>

#include "ss.h"
#include "config.h"
#include "fileio.h"
#include "files.h"
#include "ledger.h"
#include "record.h"

static const char usage[] =
    "usage: ss-ledger [-nqv] [-c file] [--log-format=format] command ...\n"
    "       ss-ledger status [--json]\n"
    "       ss-ledger list [--stage=stage] [--state=state]\n"
    "       ss-ledger retry [--stage=stage] id | --failed [--stage=stage]\n"
    "       ss-ledger pause [--stage=stage] [id]\n"
    "       ss-ledger resume [--stage=stage] [id]\n"
    "       ss-ledger forget [--stage=stage] id\n"
    "       ss-ledger prune --older-than=days\n"
    "       ss-ledger backup file\n"
    "       ss-ledger restore file\n"
    "       ss-ledger -h | -V";

#define RUNS_SHOWN 10

enum {
	OPT_FAILED = 256,
	OPT_JSON,
	OPT_LOG_FORMAT,
	OPT_OLDER_THAN,
	OPT_STATE
};

static const struct option longopts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "dry-run", no_argument, NULL, 'n' },
	{ "failed", no_argument, NULL, OPT_FAILED },
	{ "help", no_argument, NULL, 'h' },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "log-format", required_argument, NULL, OPT_LOG_FORMAT },
	{ "older-than", required_argument, NULL, OPT_OLDER_THAN },
	{ "quiet", no_argument, NULL, 'q' },
	{ "stage", required_argument, NULL, 's' },
	{ "state", required_argument, NULL, OPT_STATE },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

struct ctx {
	struct ss_config *cf;
	struct ss_ledger *l;
	const char *stage;	/* --stage */
	const char *state;	/* --state */
	const char *older;	/* --older-than */
	int dry_run;
	int failed;		/* --failed */
	int json;		/* --json */
	long long files[3];	/* indexed, missing, broken */
};

/* Options each command accepts besides -c -n -q -v --log-format. */
enum {
	F_STAGE = 1,
	F_STATE = 2,
	F_FAILED = 4,
	F_JSON = 8,
	F_OLDER = 16
};

typedef int cmd_fn(struct ctx *c, int argc, char **argv);

/* Prints e and returns the exit status it calls for. */
static int
report(const struct ss_err *e)
{
	ss_error("%s", e->msg);
	if (e->temporary)
		return SS_EX_TEMPFAIL;
	if (strcmp(e->code, "invalid") == 0)
		return SS_EX_USAGE;
	return SS_EX_FATAL;
}

/* A line for a person on stdout, unless -q. */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
say(const char *fmt, ...)
{
	struct sbuf raw = SBUF_INIT, clean = SBUF_INIT;
	va_list ap;

	if (ss_verbosity < 0)
		return;
	va_start(ap, fmt);
	sbuf_vaddf(&raw, fmt, ap);
	va_end(ap);
	ss_sanitize(&clean, raw.buf, raw.len);
	printf("%s\n", clean.buf);
	sbuf_release(&raw);
	sbuf_release(&clean);
}

static jv
time_or_null(double t)
{
	char buf[32];

	if (t <= 0)
		return jv_null();
	ss_time_rfc3339(t, buf);
	return jv_string(buf);
}

static jv
str_or_null(const char *s)
{
	return s != NULL ? jv_string(s) : jv_null();
}

/* status */

struct stage_counts {
	char *stage;
	long long n[SS_STATE_COUNT];
};

struct counts {
	struct stage_counts *v;
	size_t n, alloc;
};

static int
count_cb(const char *stage, enum ss_state state, long long n, void *arg)
{
	struct counts *c = arg;

	if (c->n == 0 || strcmp(c->v[c->n - 1].stage, stage) != 0) {
		if (c->n == c->alloc) {
			c->alloc = c->alloc ? 2 * c->alloc : 8;
			c->v = xreallocarray(c->v, c->alloc, sizeof(*c->v));
		}
		memset(&c->v[c->n], 0, sizeof(c->v[c->n]));
		c->v[c->n++].stage = xstrdup(stage);
	}
	c->v[c->n - 1].n[state] += n;
	return 0;
}

static int
budget_cb(const struct ss_budget *b, void *arg)
{
	jv *arr = arg;

	*arr = jv_array_append(*arr, JV_OBJECT(
	    jv_string("name"), jv_string(b->name),
	    jv_string("tokens"), jv_number(b->tokens),
	    jv_string("capacity"), jv_number(b->capacity),
	    jv_string("period"), jv_number(b->period)));
	return 0;
}

static int
run_cb(const struct ss_run *r, void *arg)
{
	jv *arr = arg;
	jv o = JV_OBJECT(jv_string("id"), jv_number((double)r->id),
	    jv_string("program"), jv_string(r->program),
	    jv_string("pid"), jv_number((double)r->pid),
	    jv_string("started_at"), time_or_null(r->started_at));

	if (r->ended)
		o = jv_object_set(o, jv_string("ended_at"),
		    time_or_null(r->ended_at));
	else
		o = jv_object_set(o, jv_string("ended_at"), jv_null());
	o = jv_object_set(o, jv_string("status"),
	    r->ended ? jv_number(r->status) : jv_null());
	o = jv_object_set(o, jv_string("handled"),
	    jv_number((double)r->handled));
	o = jv_object_set(o, jv_string("failed"),
	    jv_number((double)r->failed));
	*arr = jv_array_append(*arr, o);
	return 0;
}

static int
budget_text_cb(const struct ss_budget *b, void *arg)
{
	(*(int *)arg)++;
	say("  %-20s %.2f of %g per %g s left", b->name, b->tokens,
	    b->capacity, b->period);
	return 0;
}

static int
run_text_cb(const struct ss_run *r, void *arg)
{
	char start[32];

	(*(int *)arg)++;
	ss_time_rfc3339(r->started_at, start);
	if (r->ended)
		say("  %-20s %s  exit %d  handled %lld  failed %lld",
		    r->program, start, r->status, r->handled, r->failed);
	else
		say("  %-20s %s  not ended (still running, or it crashed)",
		    r->program, start);
	return 0;
}

static int
file_summary(struct ctx *c, struct ss_err *e)
{
	struct ss_files *f;
	int r;

	if (ss_files_open(c->l, &f, e) == -1)
		return -1;
	r = ss_files_summary(f, &c->files[0], &c->files[1], &c->files[2], e);
	ss_files_close(f);
	return r;
}

static int
print_status(struct ctx *c, const struct counts *cnt, int paused,
    struct ss_err *e)
{
	size_t i;
	int n = 0;

	say("ledger   %s (schema %d)", ss_ledger_path(c->l),
	    ss_ledger_version(c->l));
	say("paused   %s", paused ? "yes (until ss-ledger resume)" : "no");
	say("files    %lld indexed by ss-scan, %lld missing, %lld broken",
	    c->files[0], c->files[1], c->files[2]);
	say("%s", "");
	if (cnt->n == 0) {
		say("items    none");
	} else {
		say("%-20s %8s %8s %8s %8s %8s %8s", "stage", "pending",
		    "running", "done", "failed", "gave_up", "paused");
		for (i = 0; i < cnt->n; i++) {
			const long long *k = cnt->v[i].n;

			say("%-20s %8lld %8lld %8lld %8lld %8lld %8lld",
			    cnt->v[i].stage, k[SS_STATE_PENDING],
			    k[SS_STATE_RUNNING], k[SS_STATE_DONE],
			    k[SS_STATE_FAILED], k[SS_STATE_GAVE_UP],
			    k[SS_STATE_PAUSED]);
		}
	}
	say("%s", "");
	say("budgets");
	if (ss_budget_list(c->l, budget_text_cb, &n, e) != 0)
		return -1;
	if (n == 0)
		say("  none used yet");
	say("%s", "");
	say("last runs, newest first");
	n = 0;
	if (ss_run_list(c->l, RUNS_SHOWN, run_text_cb, &n, e) != 0)
		return -1;
	if (n == 0)
		say("  none");
	return 0;
}

static int
cmd_status(struct ctx *c, int argc, char **argv)
{
	struct counts cnt = { NULL, 0, 0 };
	struct ss_err e = SS_ERR_INIT;
	jv budgets = jv_array(), runs = jv_array(), stages, o;
	size_t i;
	int paused, k, status = SS_EX_OK;

	if (ss_ledger_counts(c->l, count_cb, &cnt, &e) == -1 ||
	    ss_ledger_paused(c->l, &paused, &e) == -1 ||
	    file_summary(c, &e) == -1) {
		status = report(&e);
		goto out;
	}
	if (!c->json) {
		if (print_status(c, &cnt, paused, &e) == -1)
			status = report(&e);
		goto out;
	}
	if (ss_budget_list(c->l, budget_cb, &budgets, &e) == -1 ||
	    ss_run_list(c->l, RUNS_SHOWN, run_cb, &runs, &e) == -1) {
		status = report(&e);
		goto out;
	}
	stages = jv_object();
	for (i = 0; i < cnt.n; i++) {
		o = jv_object();
		for (k = 0; k < SS_STATE_COUNT; k++)
			o = jv_object_set(o,
			    jv_string(ss_state_name((enum ss_state)k)),
			    jv_number((double)cnt.v[i].n[k]));
		stages = jv_object_set(stages, jv_string(cnt.v[i].stage), o);
	}
	o = JV_OBJECT(jv_string("ledger"), jv_string(ss_ledger_path(c->l)),
	    jv_string("schema"), jv_number(ss_ledger_version(c->l)),
	    jv_string("paused"), jv_bool(paused),
	    jv_string("files"), JV_OBJECT(
	    jv_string("indexed"), jv_number((double)c->files[0]),
	    jv_string("missing"), jv_number((double)c->files[1]),
	    jv_string("broken"), jv_number((double)c->files[2])),
	    jv_string("stages"), stages,
	    jv_string("budgets"), jv_copy(budgets),
	    jv_string("runs"), jv_copy(runs));
	if (ss_emit(o, &e) == -1)
		status = report(&e);
out:
	for (i = 0; i < cnt.n; i++)
		free(cnt.v[i].stage);
	free(cnt.v);
	jv_free(budgets);
	jv_free(runs);
	return status;
}

/* list */

static jv
item_json(const struct ss_item *it)
{
	jv o, out;

	o = JV_OBJECT(jv_string("stage"), jv_string(it->stage),
	    jv_string("id"), jv_string(it->id),
	    jv_string("state"), jv_string(ss_state_name(it->state)),
	    jv_string("attempts"), jv_number(it->attempts),
	    jv_string("next_attempt_at"), time_or_null(it->next_attempt_at),
	    jv_string("last_error"), str_or_null(it->last_error),
	    jv_string("priority"), jv_number((double)it->priority),
	    jv_string("updated_at"), time_or_null(it->updated_at));
	if (it->lease_owner != NULL && it->state == SS_STATE_RUNNING)
		o = jv_object_set(jv_object_set(o, jv_string("lease_owner"),
		    jv_string(it->lease_owner)), jv_string("lease_until"),
		    time_or_null(it->lease_until));
	if (it->output != NULL) {
		out = jv_parse(it->output);
		if (!jv_is_valid(out)) {
			jv_free(out);
			out = jv_string(it->output);
		}
		o = jv_object_set(o, jv_string("output"), out);
	}
	return o;
}

static int
list_cb(const struct ss_item *it, void *arg)
{
	struct ss_err *e = arg;

	return ss_emit(item_json(it), e) == -1 ? -1 : 0;
}

static int
cmd_list(struct ctx *c, int argc, char **argv)
{
	struct ss_err e = SS_ERR_INIT;

	if (ss_ledger_list(c->l, c->stage, c->state, NULL, list_cb, &e,
	    &e) != 0)
		return report(&e);
	return SS_EX_OK;
}

/* Items named on the command line */

struct found {
	size_t n;
	char *stage;		/* of the first row */
	enum ss_state state;	/* of the first row */
	struct sbuf stages;	/* "a, b" */
};

static int
found_cb(const struct ss_item *it, void *arg)
{
	struct found *f = arg;

	if (f->n++ == 0) {
		f->stage = xstrdup(it->stage);
		f->state = it->state;
	} else {
		sbuf_adds(&f->stages, ", ");
	}
	sbuf_adds(&f->stages, it->stage);
	return 0;
}

/*
 * Finds the one row of id (in --stage if given) and sets *stage to its
 * stage (caller frees) and *state.  Prints why not and returns the exit
 * status otherwise: 1 for an unknown id, 2 for an id in several stages
 * without --stage.
 */
static int
resolve(struct ctx *c, const char *id, char **stage, enum ss_state *state)
{
	struct found f = { 0, NULL, SS_STATE_PENDING, SBUF_INIT };
	struct ss_err e = SS_ERR_INIT;
	int status = SS_EX_OK;

	*stage = NULL;
	if (ss_ledger_list(c->l, c->stage, NULL, id, found_cb, &f, &e) != 0) {
		status = report(&e);
	} else if (f.n == 0 && c->stage != NULL) {
		ss_error("no item '%s' in stage %s", id, c->stage);
		status = SS_EX_PARTIAL;
	} else if (f.n == 0) {
		ss_error("no item '%s' in the ledger", id);
		status = SS_EX_PARTIAL;
	} else if (f.n > 1) {
		ss_error("'%s' is in several stages (%s): choose one with "
		    "--stage", id, f.stages.buf);
		status = SS_EX_USAGE;
	} else {
		*stage = f.stage;
		*state = f.state;
		f.stage = NULL;
	}
	free(f.stage);
	sbuf_release(&f.stages);
	return status;
}

typedef int item_op(struct ss_ledger *l, const char *stage, const char *id,
    struct ss_err *e);

/*
 * Applies op to one item; want is a mask of the states op acts on
 * (0: any), verb and past say what it does.
 */
static int
one_item(struct ctx *c, const char *id, item_op *op, unsigned want,
    const char *verb, const char *past)
{
	struct ss_err e = SS_ERR_INIT;
	enum ss_state state;
	char *stage;
	int status, n;

	if ((status = resolve(c, id, &stage, &state)) != SS_EX_OK)
		return status;
	if (want != 0 && !(want & (1u << state))) {
		ss_error("cannot %s '%s' in stage %s: it is %s", verb, id,
		    stage, ss_state_name(state));
		status = SS_EX_PARTIAL;
	} else if (c->dry_run) {
		say("would %s %s %s (%s)", verb, stage, id,
		    ss_state_name(state));
	} else if ((n = op(c->l, stage, id, &e)) == -1) {
		status = report(&e);
	} else if (n == 0) {
		ss_error("cannot %s '%s' in stage %s: it changed meanwhile",
		    verb, id, stage);
		status = SS_EX_PARTIAL;
	} else {
		say("%s %s %s", past, stage, id);
	}
	free(stage);
	return status;
}

static int
failed_cb(const struct ss_item *it, void *arg)
{
	int *n = arg;

	if (it->state == SS_STATE_FAILED || it->state == SS_STATE_GAVE_UP) {
		say("would retry %s %s (%s, %d attempts)", it->stage, it->id,
		    ss_state_name(it->state), it->attempts);
		(*n)++;
	}
	return 0;
}

static int
cmd_retry(struct ctx *c, int argc, char **argv)
{
	struct ss_err e = SS_ERR_INIT;
	int n = 0;

	if (c->failed == (argc == 1))
		ss_usage(usage, SS_EX_USAGE);
	if (!c->failed)
		return one_item(c, argv[0], ss_ledger_retry, 0, "retry",
		    "retried");
	if (c->dry_run) {
		if (ss_ledger_list(c->l, c->stage, NULL, NULL, failed_cb, &n,
		    &e) != 0)
			return report(&e);
		say("would retry %d items", n);
		return SS_EX_OK;
	}
	if ((n = ss_ledger_retry_failed(c->l, c->stage, &e)) == -1)
		return report(&e);
	say("retried %d items", n);
	return SS_EX_OK;
}

static int
pause_or_resume(struct ctx *c, int argc, char **argv, int pause)
{
	struct ss_err e = SS_ERR_INIT;
	int paused;

	if (argc == 1 && pause)
		return one_item(c, argv[0], ss_ledger_pause,
		    1u << SS_STATE_PENDING | 1u << SS_STATE_RUNNING |
		    1u << SS_STATE_FAILED, "pause", "paused");
	if (argc == 1)
		return one_item(c, argv[0], ss_ledger_resume,
		    1u << SS_STATE_PAUSED, "resume", "resumed");
	if (c->stage != NULL)
		ss_usage(usage, SS_EX_USAGE);
	if (ss_ledger_paused(c->l, &paused, &e) == -1)
		return report(&e);
	if (paused == pause) {
		say("the ledger is already %s", pause ? "paused" : "running");
		return SS_EX_OK;
	}
	if (c->dry_run) {
		say("would %s the ledger", pause ? "pause" : "resume");
		return SS_EX_OK;
	}
	if (ss_ledger_set_paused(c->l, pause, &e) == -1)
		return report(&e);
	say("ledger %s", pause ? "paused" : "resumed");
	return SS_EX_OK;
}

static int
cmd_pause(struct ctx *c, int argc, char **argv)
{
	return pause_or_resume(c, argc, argv, 1);
}

static int
cmd_resume(struct ctx *c, int argc, char **argv)
{
	return pause_or_resume(c, argc, argv, 0);
}

static int
cmd_forget(struct ctx *c, int argc, char **argv)
{
	return one_item(c, argv[0], ss_ledger_forget, 0, "forget", "forgot");
}

/* prune */

struct prune_count {
	double cut;
	int items;
	int runs;
};

static int
prunable_cb(const struct ss_item *it, void *arg)
{
	struct prune_count *p = arg;

	if (it->updated_at < p->cut && (it->state == SS_STATE_DONE ||
	    it->state == SS_STATE_GAVE_UP ||
	    (it->state == SS_STATE_FAILED && !it->temporary)))
		p->items++;
	return 0;
}

static int
prunable_run_cb(const struct ss_run *r, void *arg)
{
	struct prune_count *p = arg;

	if (r->ended && r->ended_at < p->cut)
		p->runs++;
	return 0;
}

static int
cmd_prune(struct ctx *c, int argc, char **argv)
{
	struct prune_count p = { 0, 0, 0 };
	struct ss_err e = SS_ERR_INIT;
	long long days;

	if (c->older == NULL)
		ss_usage(usage, SS_EX_USAGE);
	if (ss_strtonum(c->older, 0, 36500, &days, &e) == -1) {
		ss_error("--older-than: %s", e.msg);
		return SS_EX_USAGE;
	}
	if (c->dry_run) {
		p.cut = ss_now() - (double)days * 86400;
		if (ss_ledger_list(c->l, NULL, NULL, NULL, prunable_cb, &p,
		    &e) != 0 ||
		    ss_run_list(c->l, 1 << 30, prunable_run_cb, &p, &e) != 0)
			return report(&e);
		say("would prune %d items and %d runs", p.items, p.runs);
		return SS_EX_OK;
	}
	if (ss_ledger_prune(c->l, (double)days, &p.items, &p.runs, &e) == -1)
		return report(&e);
	say("pruned %d items and %d runs", p.items, p.runs);
	return SS_EX_OK;
}

/* backup and restore */

/* A new empty temporary file named after the ledger; caller frees. */
static char *
ledger_tmp(struct ctx *c, const char *what, struct ss_err *e)
{
	struct sbuf sb = SBUF_INIT;
	int fd;

	sbuf_addf(&sb, "%s.%s-XXXXXX", ss_ledger_path(c->l), what);
	if ((fd = mkstemp(sb.buf)) == -1) {
		ss_err_errno(e, "cannot create '%s'", sb.buf);
		sbuf_release(&sb);
		return NULL;
	}
	close(fd);
	return sbuf_detach(&sb, NULL);
}

/* Removes a temporary database and the files SQLite may put beside it. */
static void
remove_db(const char *path)
{
	static const char *const suffixes[] = {
		"", "-journal", "-wal", "-shm"
	};
	struct sbuf sb = SBUF_INIT;
	size_t i;

	for (i = 0; i < SS_ARRAY_SIZE(suffixes); i++) {
		sbuf_reset(&sb);
		sbuf_addf(&sb, "%s%s", path, suffixes[i]);
		unlink(sb.buf);
	}
	sbuf_release(&sb);
}

static int
ar_err(struct archive *ar, const char *file, struct ss_err *e)
{
	const char *msg = archive_error_string(ar);

	return ss_err_set(e, "archive", 0, "'%s': %s", file,
	    msg ? msg : "archive error");
}

static int
add_entry(struct archive *ar, const char *file, const char *name,
    int fd, const char *buf, size_t len, struct ss_err *e)
{
	struct archive_entry *ent = archive_entry_new();
	char chunk[65536];
	struct stat st;
	ssize_t n;
	int ret = -1;

	if (fd != -1) {
		if (fstat(fd, &st) == -1) {
			ss_err_errno(e, "cannot stat the copy of the ledger");
			goto out;
		}
		len = (size_t)st.st_size;
	}
	archive_entry_set_pathname(ent, name);
	archive_entry_set_filetype(ent, AE_IFREG);
	archive_entry_set_perm(ent, 0600);
	archive_entry_set_size(ent, (la_int64_t)len);
	archive_entry_set_mtime(ent, (time_t)ss_now(), 0);
	if (archive_write_header(ar, ent) != ARCHIVE_OK) {
		ar_err(ar, file, e);
		goto out;
	}
	if (fd == -1) {
		if (archive_write_data(ar, buf, len) != (la_ssize_t)len) {
			ar_err(ar, file, e);
			goto out;
		}
	} else {
		while ((n = read(fd, chunk, sizeof(chunk))) > 0) {
			if (archive_write_data(ar, chunk, (size_t)n) != n) {
				ar_err(ar, file, e);
				goto out;
			}
		}
		if (n == -1) {
			ss_err_errno(e, "cannot read the copy of the ledger");
			goto out;
		}
	}
	ret = 0;
out:
	archive_entry_free(ent);
	return ret;
}

static int
write_backup(struct ctx *c, const char *file, const char *db,
    struct ss_err *e)
{
	struct ss_atomic a = SS_ATOMIC_INIT;
	struct archive *ar = archive_write_new();
	struct sbuf conf = SBUF_INIT;
	int fd = -1, opened = 0, ret = -1;

	if ((fd = open(db, O_RDONLY | O_CLOEXEC)) == -1) {
		ss_err_errno(e, "cannot open '%s'", db);
		goto out;
	}
	if (ss_config_file(c->cf) != NULL &&
	    ss_config_redacted(c->cf, &conf, e) == -1)
		goto out;
	if (ss_atomic_open(&a, file, 0600, e) == -1)
		goto out;
	if (archive_write_add_filter_gzip(ar) != ARCHIVE_OK ||
	    archive_write_set_format_pax_restricted(ar) != ARCHIVE_OK ||
	    archive_write_open_fd(ar, a.fd) != ARCHIVE_OK) {
		ar_err(ar, file, e);
		goto out;
	}
	opened = 1;
	if (add_entry(ar, file, "ledger.db", fd, NULL, 0, e) == -1)
		goto out;
	if (ss_config_file(c->cf) != NULL &&
	    add_entry(ar, file, "ss.conf", -1, conf.buf, conf.len, e) == -1)
		goto out;
	opened = 0;
	if (archive_write_close(ar) != ARCHIVE_OK) {
		ar_err(ar, file, e);
		goto out;
	}
	ret = ss_atomic_commit(&a, e);
out:
	if (opened)
		archive_write_close(ar);
	archive_write_free(ar);
	ss_atomic_abort(&a);
	if (fd != -1)
		close(fd);
	sbuf_release(&conf);
	return ret;
}

static int
cmd_backup(struct ctx *c, int argc, char **argv)
{
	struct ss_err e = SS_ERR_INIT;
	char *tmp = NULL;
	int status = SS_EX_OK;

	if (c->dry_run) {
		say("would back up %s%s to %s", ss_ledger_path(c->l),
		    ss_config_file(c->cf) ? " and the settings" : "", argv[0]);
		return SS_EX_OK;
	}
	if ((tmp = ledger_tmp(c, "backup", &e)) == NULL ||
	    ss_ledger_backup_to(c->l, tmp, &e) == -1 ||
	    write_backup(c, argv[0], tmp, &e) == -1) {
		status = report(&e);
		goto out;
	}
	say("backed up %s to %s", ss_ledger_path(c->l), argv[0]);
out:
	if (tmp != NULL)
		remove_db(tmp);
	free(tmp);
	return status;
}

/* Copies the entry "ledger.db" of the backup file into the file tmp. */
static int
extract_db(const char *file, const char *tmp, struct ss_err *e)
{
	struct archive *ar = archive_read_new();
	struct archive_entry *ent;
	const char *name;
	char chunk[65536];
	la_ssize_t n;
	int fd = -1, r, found = 0, ret = -1;

	archive_read_support_filter_gzip(ar);
	archive_read_support_format_tar(ar);
	if (archive_read_open_filename(ar, file, 65536) != ARCHIVE_OK) {
		ar_err(ar, file, e);
		goto out;
	}
	while ((r = archive_read_next_header(ar, &ent)) == ARCHIVE_OK) {
		name = archive_entry_pathname(ent);
		if (name == NULL || (strcmp(name, "ledger.db") != 0 &&
		    strcmp(name, "./ledger.db") != 0) ||
		    archive_entry_filetype(ent) != AE_IFREG)
			continue;
		if ((fd = open(tmp, O_WRONLY | O_TRUNC | O_CLOEXEC)) == -1) {
			ss_err_errno(e, "cannot open '%s'", tmp);
			goto out;
		}
		while ((n = archive_read_data(ar, chunk, sizeof(chunk))) > 0)
			if (ss_write_full(fd, chunk, (size_t)n, e) == -1)
				goto out;
		if (n < 0) {
			ar_err(ar, file, e);
			goto out;
		}
		if (close(fd) == -1) {
			fd = -1;
			ss_err_errno(e, "cannot write '%s'", tmp);
			goto out;
		}
		fd = -1;
		found = 1;
		break;
	}
	if (!found && r != ARCHIVE_OK && r != ARCHIVE_EOF) {
		ar_err(ar, file, e);
		goto out;
	}
	if (!found) {
		ss_err_set(e, "archive", 0, "'%s' holds no ledger.db", file);
		goto out;
	}
	ret = 0;
out:
	if (fd != -1)
		close(fd);
	archive_read_free(ar);
	return ret;
}

static int
cmd_restore(struct ctx *c, int argc, char **argv)
{
	struct ss_err e = SS_ERR_INIT;
	char *tmp = NULL;
	int status = SS_EX_OK;

	if ((tmp = ledger_tmp(c, "restore", &e)) == NULL) {
		status = report(&e);
		goto out;
	}
	if (extract_db(argv[0], tmp, &e) == -1 ||
	    ss_ledger_check_file(tmp, &e) == -1) {
		ss_error("not restoring from '%s': %s", argv[0], e.msg);
		status = strcmp(e.code, "too_new") == 0 ? SS_EX_FATAL :
		    SS_EX_PARTIAL;
		goto out;
	}
	if (c->dry_run) {
		say("would restore %s from %s", ss_ledger_path(c->l), argv[0]);
		goto out;
	}
	if (ss_ledger_restore_from(c->l, tmp, &e) == -1) {
		status = report(&e);
		goto out;
	}
	say("restored %s from %s", ss_ledger_path(c->l), argv[0]);
out:
	if (tmp != NULL)
		remove_db(tmp);
	free(tmp);
	return status;
}

static const struct command {
	const char *name;
	cmd_fn *fn;
	int min, max;		/* operands */
	int flags;		/* F_*: options it takes */
} commands[] = {
	{ "backup", cmd_backup, 1, 1, 0 },
	{ "forget", cmd_forget, 1, 1, F_STAGE },
	{ "list", cmd_list, 0, 0, F_STAGE | F_STATE },
	{ "pause", cmd_pause, 0, 1, F_STAGE },
	{ "prune", cmd_prune, 0, 0, F_OLDER },
	{ "restore", cmd_restore, 1, 1, 0 },
	{ "resume", cmd_resume, 0, 1, F_STAGE },
	{ "retry", cmd_retry, 0, 1, F_STAGE | F_FAILED },
	{ "status", cmd_status, 0, 0, F_JSON },
};

static int
open_all(struct ctx *c, const char *cfile)
{
	struct ss_err e = SS_ERR_INIT;
	int status = SS_EX_OK;

	if (ss_config_load(&c->cf, cfile, &e) == -1) {
		ss_error("%s", e.msg);
		return SS_EX_USAGE;
	}
	if (ss_ledger_open_config(&c->l, c->cf, &e) == -1) {
		ss_error("%s", e.msg);
		status = ss_err_exit(&e);
	}
	return status;
}

int
main(int argc, char *argv[])
{
	struct ctx c;
	struct ss_err e = SS_ERR_INIT;
	const struct command *cmd = NULL;
	const char *cfile = NULL;
	size_t i;
	int ch, flags = 0, status;
	enum ss_state st;

	ss_init(argv[0]);
	memset(&c, 0, sizeof(c));
	while ((ch = getopt_long(argc, argv, "c:hnqs:Vv", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'c':
			cfile = optarg;
			break;
		case 'h':
			ss_usage(usage, SS_EX_OK);
		case 'n':
			c.dry_run = 1;
			break;
		case 'q':
			ss_verbosity = -1;
			break;
		case 's':
			c.stage = optarg;
			flags |= F_STAGE;
			break;
		case 'V':
			ss_version();
		case 'v':
			if (ss_verbosity < 2)
				ss_verbosity++;
			break;
		case OPT_FAILED:
			c.failed = 1;
			flags |= F_FAILED;
			break;
		case OPT_JSON:
			c.json = 1;
			flags |= F_JSON;
			break;
		case OPT_LOG_FORMAT:
			if (ss_log_set_format(optarg) == -1) {
				ss_error("--log-format: '%s' is not text or "
				    "json", optarg);
				ss_usage(usage, SS_EX_USAGE);
			}
			break;
		case OPT_OLDER_THAN:
			c.older = optarg;
			flags |= F_OLDER;
			break;
		case OPT_STATE:
			if (ss_state_parse(optarg, &st, &e) == -1) {
				ss_error("--state: %s", e.msg);
				return SS_EX_USAGE;
			}
			c.state = optarg;
			flags |= F_STATE;
			break;
		default:
			ss_usage(usage, SS_EX_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		ss_usage(usage, SS_EX_USAGE);
	for (i = 0; i < SS_ARRAY_SIZE(commands); i++)
		if (strcmp(argv[0], commands[i].name) == 0)
			cmd = &commands[i];
	if (cmd == NULL) {
		ss_error("unknown command '%s'", argv[0]);
		ss_usage(usage, SS_EX_USAGE);
	}
	argc--;
	argv++;
	if (argc < cmd->min || argc > cmd->max || (flags & ~cmd->flags)) {
		ss_error("wrong arguments for %s", cmd->name);
		ss_usage(usage, SS_EX_USAGE);
	}
	if ((status = open_all(&c, cfile)) == SS_EX_OK)
		status = cmd->fn(&c, argc, argv);
	ss_ledger_close(c.l);
	ss_config_free(c.cf);
	if (ss_output_close(&e) == -1) {
		ss_error("%s", e.msg);
		status = SS_EX_FATAL;
	}
	return status;
}
