/* ss-scan: index the audio files under directories: hashes, tags, health. */
#include <sys/stat.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <spawn.h>
#include <unistd.h>

#include "ss.h"
#include "audio.h"
#include "base64.h"
#include "config.h"
#include "fileio.h"
#include "files.h"
#include "hash.h"
#include "ledger.h"
#include "path.h"
#include "record.h"
#include "tags.h"
#include "walk.h"
#include "xxh64.h"

extern char **environ;

static const char usage_str[] =
    "usage: ss-scan [-hLnqVvx] [-c file] [-j jobs] [--changes] [--deep] "
    "[--follow]\n"
    "               [--ignore glob] [--log-format fmt] [--rehash] "
    "[dir ...]";

static struct {
	const char *config;
	int changes, deep, dry_run, follow, one_fs, rehash;
	long long jobs;
	char **ignore;
	size_t nignore;
} o;

/* Audio file name extensions and the formats their content may have. */
static const struct {
	const char *ext;
	const char *formats;
} exts[] = {
	{ "flac", "flac" },
	{ "m4a", "m4a" },
	{ "m4b", "m4a" },
	{ "mp3", "mp3" },
	{ "mp4", "m4a" },
	{ "oga", "ogg opus" },
	{ "ogg", "ogg opus" },
	{ "opus", "opus ogg" },
};

enum { J_QUEUED, J_BUSY, J_DONE };
enum { TX_NONE, TX_READ, TX_WRITE };
enum { CH_NONE, CH_NEW, CH_CHANGED, CH_MISSING };
static const char *const change_names[] = { NULL, "new", "changed",
    "missing" };

struct job {
	int state;
	char *path;
	size_t plen;
	struct stat st;
	const char *expect;	/* formats the name allows; NULL: sniff */
	int reuse, change, skip;
	char *stored;		/* the "file" JSON: from the index, or read */
	char sha256[SS_SHA256_HEXLEN + 1];
	char audio_hash[17];
	char format[8];
	const char *broken;
	char detail[512];	/* why it is broken */
	long long bytes;	/* read from disk */
	/* for the index's ss-dedupe columns (read jobs only) */
	long long duration_ms, bitrate;
	int lossless, ntags, has_cover;
	char *artist, *title;
};

#define NSLOT 128

/* Jobs flow main -> workers -> main through a ring, emitted in order. */
struct pool {
	pthread_mutex_t mu;
	pthread_cond_t work, done;
	struct job ring[NSLOT];
	size_t head, take, tail;	/* emit <= take <= tail */
	int quit;
	pthread_t th[64];
	int nth;
};

struct scan {
	struct ss_ledger *l;
	struct ss_files *f;
	struct pool pool;
	const char *root;
	size_t rootlen;
	long long scan_id;
	int in_tx, batch;	/* in_tx: TX_READ or TX_WRITE */
	long long files, read, missing, broken, bytes, failed, total;
	long long seen;		/* files counted before this root */
	double started, last_progress;
	int progress;
	int status;		/* 0, or SS_EX_FATAL / SS_EX_TEMPFAIL */
	jv *target;		/* records on stdin: the record to fill */
};

/* ---- reading one file (in a worker) ---- */

static const char *
expected_formats(const char *name)
{
	const char *dot = strrchr(name, '.');
	size_t i;

	if (dot == NULL || dot == name)
		return NULL;
	for (i = 0; i < SS_ARRAY_SIZE(exts); i++)
		if (strcasecmp(dot + 1, exts[i].ext) == 0)
			return exts[i].formats;
	return "";	/* not audio by name: not scanned */
}

static int
format_allowed(const char *formats, const char *fmt)
{
	size_t n = strlen(fmt);
	const char *p = formats;

	while ((p = strstr(p, fmt)) != NULL) {
		if ((p == formats || p[-1] == ' ') &&
		    (p[n] == '\0' || p[n] == ' '))
			return 1;
		p += n;
	}
	return 0;
}

static void
set_broken(struct job *j, const char *reason, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The first reason found is the one reported. */
static void
set_broken(struct job *j, const char *reason, const char *fmt, ...)
{
	va_list ap;

	if (j->broken != NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(j->detail, sizeof(j->detail), fmt, ap);
	va_end(ap);
	j->broken = reason;
}

/*
 * Runs argv (no shell) and returns its exit status, or -1 if it could
 * not run.  Standard output goes to out (may be NULL: discarded), the
 * first line of standard error to err.
 */
static int
run_capture(const char *const argv[], void (*out)(const char *, size_t, void *),
    void *arg, char *err, size_t errsize)
{
	posix_spawn_file_actions_t fa;
	int po[2], pe[2], status, open_fds = 2;
	struct pollfd pf[2];
	size_t elen = 0;
	char buf[65536];
	ssize_t n;
	pid_t pid;
	int i;

	err[0] = '\0';
	if (pipe2(po, O_CLOEXEC) == -1)
		return -1;
	if (pipe2(pe, O_CLOEXEC) == -1) {
		close(po[0]);
		close(po[1]);
		return -1;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, po[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
	i = posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv,
	    environ);
	posix_spawn_file_actions_destroy(&fa);
	close(po[1]);
	close(pe[1]);
	if (i != 0) {
		close(po[0]);
		close(pe[0]);
		return -1;
	}
	pf[0].fd = po[0];
	pf[1].fd = pe[0];
	pf[0].events = pf[1].events = POLLIN;
	while (open_fds > 0) {
		if (poll(pf, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (i = 0; i < 2; i++) {
			if (pf[i].fd < 0 || !(pf[i].revents & (POLLIN |
			    POLLHUP | POLLERR)))
				continue;
			n = read(pf[i].fd, buf, sizeof(buf));
			if (n <= 0) {
				close(pf[i].fd);
				pf[i].fd = -1;
				open_fds--;
				continue;
			}
			if (i == 0 && out != NULL)
				out(buf, (size_t)n, arg);
			else if (i == 1 && elen + 1 < errsize) {
				size_t k = (size_t)n < errsize - elen - 1 ?
				    (size_t)n : errsize - elen - 1;

				memcpy(err + elen, buf, k);
				elen += k;
				err[elen] = '\0';
			}
		}
	}
	err[strcspn(err, "\n")] = '\0';
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 +
	    WTERMSIG(status);
}

struct pcm {
	long long samples, loud;
	unsigned char odd;
	int have_odd;
};

static void
count_pcm(const char *p, size_t n, void *arg)
{
	struct pcm *c = arg;
	size_t i = 0;
	int v;

	if (c->have_odd && n > 0) {
		v = (short)(c->odd | (unsigned char)p[0] << 8);
		c->samples++;
		c->loud += v > 1 || v < -1;
		c->have_odd = 0;
		i = 1;
	}
	for (; i + 1 < n; i += 2) {
		v = (short)((unsigned char)p[i] | (unsigned char)p[i + 1] << 8);
		c->samples++;
		c->loud += v > 1 || v < -1;
	}
	if (i < n) {
		c->odd = (unsigned char)p[i];
		c->have_odd = 1;
	}
}

/* --deep: decode the whole file; FLAC's own test checks its MD5 too. */
static void
deep_check(struct job *j)
{
	struct sbuf url = SBUF_INIT;
	struct pcm pcm = { 0, 0, 0, 0 };
	char err[256];
	int st;

	if (strcmp(j->format, "flac") == 0) {
		const char *fargv[] = { "flac", "-t", "-s", "-w", j->path,
		    NULL };

		st = run_capture(fargv, NULL, NULL, err, sizeof(err));
		if (st > 0 && st < 127) {
			set_broken(j, "decode_error", "flac -t: %s",
			    err[0] ? err : "test failed");
			return;
		}
	}
	sbuf_addf(&url, "file:%s", j->path);
	{
		const char *argv[] = { "ffmpeg", "-nostdin", "-v", "error", "-i",
		    url.buf, "-f", "s16le", "-ac", "1", "-", NULL };

		st = run_capture(argv, count_pcm, &pcm, err, sizeof(err));
	}
	sbuf_release(&url);
	if (st == -1 || st == 127)
		return;		/* no ffmpeg: said once by main */
	if (st != 0 || err[0] != '\0')
		set_broken(j, "decode_error", "ffmpeg: %s",
		    err[0] ? err : "decoding failed");
	else if (pcm.samples == 0)
		set_broken(j, "no_audio_frames", "nothing decodes");
	else if (pcm.loud == 0)
		set_broken(j, "silent",
		    "%lld samples, none above the noise floor", pcm.samples);
}

/* The first value of key, or NULL. */
static const char *
first_value(const struct ss_tags *t, const char *key)
{
	size_t i;

	for (i = 0; i < t->nprops; i++)
		if (strcmp(t->props[i].key, key) == 0 && t->props[i].nvalues)
			return t->props[i].values[0];
	return NULL;
}

/* What ss-dedupe compares, kept in the index beside the record. */
static void
summarise(struct job *j, const struct ss_tags *t)
{
	const char *v;
	size_t i, k;

	j->duration_ms = t->duration_ms;
	j->bitrate = t->bitrate;
	j->lossless = strcmp(t->codec, "flac") == 0 ||
	    strcmp(t->codec, "alac") == 0;
	j->has_cover = t->npictures > 0;
	for (i = 0; i < t->nprops; i++)
		for (k = 0; k < t->props[i].nvalues; k++)
			if (t->props[i].values[k][0] != '\0') {
				j->ntags++;
				break;
			}
	if ((v = first_value(t, "ARTIST")) != NULL)
		j->artist = xstrdup(v);
	if ((v = first_value(t, "TITLE")) != NULL)
		j->title = xstrdup(v);
}

/*
 * The "file" object is written as JSON text directly (the worker's part
 * of the record): building a jv and dumping it cost more than reading
 * the file.  Strings that are not UTF-8 get U+FFFD, as jv would.
 */
static void
json_text(struct sbuf *sb, const char *s)
{
	struct sbuf fixed = SBUF_INIT;
	size_t n = strlen(s);

	if (ss_utf8_valid(s, n)) {
		ss_json_add_string(sb, s, n);
		return;
	}
	ss_path_display(s, n, &fixed);
	ss_json_add_string(sb, fixed.buf, fixed.len);
	sbuf_release(&fixed);
}

static void
json_key(struct sbuf *sb, const char *key)
{
	if (sb->len > 1)
		sbuf_addch(sb, ',');
	json_text(sb, key);
	sbuf_addch(sb, ':');
}

static void
json_str_or_null(struct sbuf *sb, const char *key, const char *v)
{
	json_key(sb, key);
	if (v != NULL && *v != '\0')
		json_text(sb, v);
	else
		sbuf_adds(sb, "null");
}

static void
json_num_or_null(struct sbuf *sb, const char *key, long long v, int known)
{
	json_key(sb, key);
	if (known)
		sbuf_addf(sb, "%lld", v);
	else
		sbuf_adds(sb, "null");
}

static void
json_tags(struct sbuf *sb, const struct ss_tags *t)
{
	size_t i, k;

	json_key(sb, "tags");
	sbuf_addch(sb, '{');
	for (i = 0; i < t->nprops; i++) {
		if (i > 0)
			sbuf_addch(sb, ',');
		json_text(sb, t->props[i].key);
		sbuf_adds(sb, ":[");
		for (k = 0; k < t->props[i].nvalues; k++) {
			if (k > 0)
				sbuf_addch(sb, ',');
			json_text(sb, t->props[i].values[k]);
		}
		sbuf_addch(sb, ']');
	}
	sbuf_addch(sb, '}');
}

static void
mtime_string(const struct stat *st, char *buf, size_t size)
{
	char base[32];

	ss_time_rfc3339((double)st->st_mtim.tv_sec, base);
	if (st->st_mtim.tv_nsec == 0)
		snprintf(buf, size, "%s", base);
	else
		snprintf(buf, size, "%.19s.%09ldZ", base,
		    (long)st->st_mtim.tv_nsec);
}

#define READ_BUFSZ (1024 * 1024)


/* Reads one file; buf (READ_BUFSZ bytes) is the worker's own. */
static void
read_file(struct job *j, unsigned char *buf)
{
	struct ss_err e = SS_ERR_INIT;
	struct ss_audio_result r;
	struct ss_audio a;
	struct ss_tags t;
	unsigned char sum[SS_SHA256_LEN];
	struct sbuf f = SBUF_INIT;
	off_t nread = 0;
	int fd, have_tags = 0, have_audio = 0;
	char mtime[48];

	memset(&t, 0, sizeof(t));
	memset(&r, 0, sizeof(r));
	fd = open(j->path, O_RDONLY | O_CLOEXEC | O_NOATIME);
	if (fd == -1 && errno == EPERM)
		fd = open(j->path, O_RDONLY | O_CLOEXEC);
	if (fd == -1 || fstat(fd, &j->st) == -1) {
		set_broken(j, "unreadable", "%s", strerror(errno));
		goto build;
	}
	/*
	 * A file that fits the buffer is read whole with one read and looked
	 * at in memory; a larger one is streamed through the buffer.
	 */
	if (j->st.st_size < READ_BUFSZ) {
		nread = ss_read_full(fd, buf, READ_BUFSZ);
		if (nread < 0 || nread != j->st.st_size) {
			set_broken(j, "unreadable", "%s", nread < 0 ?
			    strerror(errno) : "the file changed while read");
			goto build;
		}
		if (ss_audio_begin_mem(&a, buf, nread, &e) == -1) {
			set_broken(j, "unreadable", "%s", e.msg);
			goto build;
		}
	} else if (ss_audio_begin(&a, fd, j->st.st_size, &e) == -1) {
		set_broken(j, "unreadable", "%s", e.msg);
		goto build;
	}
	if (j->expect == NULL && a.format[0] == '\0') {
		/* no extension and no audio inside: not ours to index */
		ss_audio_release(&a);
		j->skip = 1;
		goto build;
	}
	if (a.mem != NULL) {
		if (nread > 0)
			ss_audio_feed(buf, (size_t)nread, 0, &a);
		if (ss_sha256(buf, (size_t)nread, sum, &e) == -1) {
			ss_audio_release(&a);
			set_broken(j, "unreadable", "%s", e.msg);
			goto build;
		}
	} else if (ss_hash_fd_buf(fd, buf, READ_BUFSZ, sum, &nread,
	    ss_audio_feed, &a, &e) == -1) {
		ss_audio_release(&a);
		set_broken(j, "unreadable", "%s", e.msg);
		goto build;
	}
	j->bytes = j->st.st_size;
	ss_hex(sum, sizeof(sum), j->sha256);
	if (ss_audio_end(&a, fd, &r, &e) == -1) {
		set_broken(j, "unreadable", "%s", e.msg);
		goto build;
	}
	have_audio = 1;
	snprintf(j->format, sizeof(j->format), "%s", r.format);
	snprintf(j->audio_hash, sizeof(j->audio_hash), "%s", r.audio_hash);
	if (j->st.st_size == 0) {
		set_broken(j, "empty", "the file is empty");
		goto build;
	}
	if (r.format[0] == '\0') {
		set_broken(j, "not_audio", "not an audio file");
		goto build;
	}
	if (j->expect != NULL && !format_allowed(j->expect, r.format)) {
		set_broken(j, "not_audio",
		    "the content is %s, not what the name says", r.format);
		goto build;
	}
	if (r.broken != NULL)
		set_broken(j, r.broken, "%s", r.detail);
	/* a file that fit in the buffer is parsed from there */
	if (ss_tags_read_mem(j->path, nread <= READ_BUFSZ ? buf : NULL,
	    (size_t)nread, &t, 0, &e) == -1) {
		set_broken(j, strcmp(e.code, "io") == 0 ?
		    "unreadable" : "not_audio", "%s", e.msg);
		goto build;
	}
	have_tags = 1;
	summarise(j, &t);
	if (t.duration_ms <= 0)
		set_broken(j, "zero_duration", "the length is 0");
	if (o.deep && j->broken == NULL)
		deep_check(j);
build:
	if (fd != -1)
		close(fd);
	if (j->skip)
		return;
	mtime_string(&j->st, mtime, sizeof(mtime));
	sbuf_addch(&f, '{');
	json_num_or_null(&f, "size", (long long)j->st.st_size, 1);
	json_str_or_null(&f, "mtime", mtime);
	json_str_or_null(&f, "sha256", j->sha256);
	json_str_or_null(&f, "audio_hash", j->audio_hash);
	json_str_or_null(&f, "format", have_audio ? j->format : NULL);
	json_str_or_null(&f, "codec", have_tags ? t.codec : NULL);
	json_num_or_null(&f, "bitrate", t.bitrate, have_tags);
	json_num_or_null(&f, "sample_rate", t.sample_rate, have_tags);
	json_num_or_null(&f, "bits_per_sample", t.bits_per_sample,
	    have_tags && t.bits_per_sample);
	json_num_or_null(&f, "channels", t.channels, have_tags);
	json_num_or_null(&f, "duration_ms", t.duration_ms, have_tags);
	if (have_tags) {
		json_tags(&f, &t);
	} else {
		json_key(&f, "tags");
		sbuf_adds(&f, "{}");
	}
	json_key(&f, "has_cover");
	sbuf_adds(&f, have_tags && t.npictures > 0 ? "true" : "false");
	json_key(&f, "broken");
	if (j->broken != NULL) {
		sbuf_adds(&f, "{\"reason\":");
		json_text(&f, j->broken);
		sbuf_adds(&f, ",\"detail\":");
		json_text(&f, j->detail);
		sbuf_addch(&f, '}');
	} else {
		sbuf_adds(&f, "null");
	}
	sbuf_addch(&f, '}');
	j->stored = sbuf_detach(&f, NULL);
	ss_tags_release(&t);
}

/* ---- the worker pool ---- */

static void *
worker(void *arg)
{
	struct pool *p = arg;
	unsigned char *buf = xmalloc(READ_BUFSZ);
	struct job *j;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (p->take < p->tail &&
		    p->ring[p->take % NSLOT].state != J_QUEUED)
			p->take++;
		if (p->take == p->tail) {
			if (p->quit)
				break;
			pthread_cond_wait(&p->work, &p->mu);
			continue;
		}
		j = &p->ring[p->take++ % NSLOT];
		j->state = J_BUSY;
		pthread_mutex_unlock(&p->mu);
		read_file(j, buf);
		pthread_mutex_lock(&p->mu);
		j->state = J_DONE;
		pthread_cond_broadcast(&p->done);
	}
	pthread_mutex_unlock(&p->mu);
	free(buf);
	return NULL;
}

static void
pool_start(struct pool *p, int n)
{
	int i;

	memset(p, 0, sizeof(*p));
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->done, NULL);
	for (i = 0; i < n && i < (int)SS_ARRAY_SIZE(p->th); i++)
		if (pthread_create(&p->th[i], NULL, worker, p) == 0)
			p->nth++;
	if (p->nth == 0)
		ss_die(SS_EX_FATAL, "cannot start a thread");
}

static void
pool_stop(struct pool *p)
{
	int i;

	pthread_mutex_lock(&p->mu);
	p->quit = 1;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->mu);
	for (i = 0; i < p->nth; i++)
		pthread_join(p->th[i], NULL);
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->done);
	pthread_mutex_destroy(&p->mu);
}

/* ---- the ledger and the output (main thread) ---- */

static int
ledger_fail(struct scan *s, const struct ss_err *e)
{
	ss_error("ledger: %s", e->msg);
	s->status = e->temporary ? SS_EX_TEMPFAIL : SS_EX_FATAL;
	return -1;
}

static int
tx_flush(struct scan *s)
{
	struct ss_err e = SS_ERR_INIT;

	if (s->in_tx == TX_NONE)
		return 0;
	s->in_tx = TX_NONE;
	s->batch = 0;
	if (ss_ledger_commit(s->l, &e) == -1)
		return ledger_fail(s, &e);
	return 0;
}

/*
 * The ledger is used in batches of 500 files: lookups share one read
 * transaction, writes one write transaction (a read one is ended first:
 * a write inside it could find its snapshot stale).
 */
static int
tx_want(struct scan *s, int kind)
{
	struct ss_err e = SS_ERR_INIT;

	if (s->in_tx != TX_NONE && (s->in_tx < kind || s->batch >= 500) &&
	    tx_flush(s) == -1)
		return -1;
	if (s->in_tx == TX_NONE) {
		if ((kind == TX_WRITE ? ss_ledger_begin(s->l, &e) :
		    ss_files_read_begin(s->f, &e)) == -1)
			return ledger_fail(s, &e);
		s->in_tx = kind;
	}
	s->batch++;
	return 0;
}

/* "file:" and two XXH64 of the path (32 hex digits): a stable id. */
static void
file_id(const char *path, size_t plen, char id[5 + 33])
{
	static const char hex[] = "0123456789abcdef";
	uint64_t h[2] = { ss_xxh64(path, plen, 0), ss_xxh64(path, plen, 1) };
	int i, k;

	/* by hand: snprintf was a tenth of a rescan */
	memcpy(id, "file:", 5);
	for (k = 0; k < 2; k++)
		for (i = 0; i < 16; i++)
			id[5 + 16 * k + i] = hex[(h[k] >> (60 - 4 * i)) & 15];
	id[37] = '\0';
}

static int
output(struct scan *s, jv rec)
{
	struct ss_err e = SS_ERR_INIT;

	if (ss_emit(rec, &e) == -1) {
		ss_error("%s", e.msg);
		s->status = SS_EX_FATAL;
		return -1;
	}
	return 0;
}

static jv
new_record(const char *path, size_t plen)
{
	char id[5 + 33];
	jv rec = jv_object();

	file_id(path, plen, id);
	rec = jv_object_set(rec, jv_string("id"), jv_string(id));
	ss_rec_set_path(&rec, "path", path, plen);
	return rec;
}

/*
 * The record of a file, spliced around the "file" JSON text (stored or
 * just made) without parsing it.
 */
static int
output_text(struct scan *s, const struct job *j)
{
	struct ss_err e = SS_ERR_INIT;
	struct sbuf line = SBUF_INIT;
	char id[5 + 33];
	int r;

	file_id(j->path, j->plen, id);
	sbuf_adds(&line, "{\"id\":\"");
	sbuf_add(&line, id, 37);
	sbuf_adds(&line, "\",\"path\":");
	if (ss_utf8_valid(j->path, j->plen)) {
		ss_json_add_string(&line, j->path, j->plen);
	} else {
		/* as ss_rec_set_path: a display form, the bytes in base64 */
		struct sbuf disp = SBUF_INIT;

		ss_path_display(j->path, j->plen, &disp);
		ss_json_add_string(&line, disp.buf, disp.len);
		sbuf_adds(&line, ",\"path_b64\":\"");
		ss_base64_encode(j->path, j->plen, &line);
		sbuf_addch(&line, '"');
		sbuf_release(&disp);
	}
	sbuf_adds(&line, ",\"file\":");
	sbuf_adds(&line, j->stored);
	sbuf_addch(&line, '}');
	r = ss_emit_raw(line.buf, line.len, &e);
	sbuf_release(&line);
	if (r == -1) {
		ss_error("%s", e.msg);
		s->status = SS_EX_FATAL;
	}
	return r;
}

static void
show_progress(struct scan *s, int force)
{
	double now = ss_now(), dt = now - s->started, rate;

	if (!s->progress || (!force && now - s->last_progress < 0.2))
		return;
	s->last_progress = now;
	rate = dt > 0 ? (double)s->bytes / dt / 1e6 : 0;
	if (s->total > s->files && s->files > 0)
		ss_progress("%lld/%lld files, %.1f MB/s, %.0f s left",
		    s->files, s->total, rate,
		    dt / (double)s->files * (double)(s->total - s->files));
	else
		ss_progress("%lld files, %.1f MB/s", s->files, rate);
}

static int
store(struct scan *s, const struct job *j)
{
	struct ss_err e = SS_ERR_INIT;
	struct ss_file_put put;

	memset(&put, 0, sizeof(put));
	put.root = s->root;
	put.rootlen = s->rootlen;
	put.size = j->st.st_size;
	put.mtime_ns = (long long)j->st.st_mtim.tv_sec * 1000000000LL +
	    j->st.st_mtim.tv_nsec;
	put.inode = (long long)j->st.st_ino;
	put.dev = (long long)j->st.st_dev;
	put.sha256 = j->sha256[0] ? j->sha256 : NULL;
	put.audio_hash = j->audio_hash[0] ? j->audio_hash : NULL;
	put.format = j->format[0] ? j->format : NULL;
	put.broken = j->broken;
	put.record = j->stored;
	put.duration_ms = j->duration_ms;
	put.bitrate = j->bitrate;
	put.lossless = j->lossless;
	put.ntags = j->ntags;
	put.has_cover = j->has_cover;
	put.artist = j->artist;
	put.title = j->title;
	put.scan_id = s->scan_id;
	if (tx_want(s, TX_WRITE) == -1)
		return -1;
	if (ss_files_put(s->f, j->path, j->plen, &put, &e) == -1)
		return ledger_fail(s, &e);
	return 0;
}

static int
finish_job(struct scan *s, struct job *j)
{
	jv file;
	int r = 0;

	if (j->skip)
		goto out;
	s->files++;
	s->bytes += j->bytes;
	if (!j->reuse) {
		s->read++;
		if (j->broken != NULL)
			s->broken++;
		if (s->f != NULL && (r = store(s, j)) == -1)
			goto out;
	}
	if (s->target == NULL && !o.changes) {
		r = output_text(s, j);
		goto out;
	}
	if (s->target == NULL && j->change == CH_NONE)
		goto out;	/* --changes, and nothing changed */
	file = jv_parse(j->stored);
	if (s->target != NULL) {
		*s->target = jv_object_set(*s->target, jv_string("file"), file);
		goto out;
	}
	file = jv_object_set(file, jv_string("change"),
	    jv_string(change_names[j->change]));
	r = output(s, jv_object_set(new_record(j->path, j->plen),
	    jv_string("file"), file));
out:
	free(j->path);
	free(j->stored);
	free(j->artist);
	free(j->title);
	show_progress(s, 0);
	return r;
}

/* Emits finished jobs in order; with need_room, waits for a free slot. */
static int
drain(struct scan *s, int need_room, int all)
{
	struct pool *p = &s->pool;
	struct job j;
	int r = 0;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (p->head < p->tail &&
		    p->ring[p->head % NSLOT].state == J_DONE) {
			j = p->ring[p->head % NSLOT];
			p->head++;
			pthread_mutex_unlock(&p->mu);
			if (r == 0)
				r = finish_job(s, &j);
			else {
				free(j.path);
				free(j.stored);
				free(j.artist);
				free(j.title);
			}
			pthread_mutex_lock(&p->mu);
		}
		if (all ? p->head == p->tail :
		    !need_room || p->tail - p->head < NSLOT)
			break;
		pthread_cond_wait(&p->done, &p->mu);
	}
	pthread_mutex_unlock(&p->mu);
	return r;
}

static int
submit(struct scan *s, const char *path, size_t plen, const struct stat *st,
    const char *expect)
{
	struct ss_err e = SS_ERR_INIT;
	struct ss_file_row row;
	struct pool *p = &s->pool;
	struct job j;
	long long mtime_ns = (long long)st->st_mtim.tv_sec * 1000000000LL +
	    st->st_mtim.tv_nsec;
	int found = 0;

	memset(&j, 0, sizeof(j));
	j.path = xmemdupz(path, plen);
	j.plen = plen;
	j.st = *st;
	j.expect = expect;
	j.change = CH_NEW;
	j.duration_ms = j.bitrate = -1;
	j.lossless = -1;
	if (s->f != NULL) {
		memset(&row, 0, sizeof(row));
		if (tx_want(s, TX_READ) == -1) {
			free(j.path);
			return -1;
		}
		found = ss_files_get(s->f, path, plen, &row, &e);
		if (found == -1) {
			free(j.path);
			return ledger_fail(s, &e);
		}
	}
	if (found) {
		j.change = CH_CHANGED;
		if (!o.rehash && !o.deep &&
		    row.size == (long long)st->st_size &&
		    row.mtime_ns == mtime_ns &&
		    row.inode == (long long)st->st_ino) {
			j.reuse = 1;
			j.change = row.missing ? CH_NEW : CH_NONE;
			j.stored = row.record;
			row.record = NULL;
		}
		ss_file_row_release(&row);
	}
	if (drain(s, 1, 0) == -1) {
		free(j.path);
		free(j.stored);
		return -1;
	}
	pthread_mutex_lock(&p->mu);
	j.state = j.reuse ? J_DONE : J_QUEUED;
	p->ring[p->tail % NSLOT] = j;
	p->tail++;
	if (!j.reuse)
		pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->mu);
	return 0;
}

static int
on_file(const char *path, size_t plen, const char *name,
    const struct stat *st, void *arg)
{
	const char *expect = expected_formats(name);

	if (expect != NULL && *expect == '\0')
		return 0;
	return submit(arg, path, plen, st, expect);
}

static int
count_file(const char *path, size_t plen, const char *name,
    const struct stat *st, void *arg)
{
	const char *expect = expected_formats(name);

	if (expect == NULL || *expect != '\0')
		(*(long long *)arg)++;
	return 0;
}

static void
on_walk_error(const char *path, const struct ss_err *e, void *arg)
{
	struct scan *s = arg;

	if (e->sys_errno == ELOOP) {
		ss_warn("'%s': %s", path, e->msg);
		return;
	}
	ss_error("'%s': %s", path, e->msg);
	s->failed++;
}

static int
on_missing(const void *path, size_t plen, const char *record, void *arg)
{
	struct scan *s = arg;
	jv file;

	if (!o.changes)
		return 0;
	file = jv_parse(record);
	file = jv_object_set(file, jv_string("change"),
	    jv_string(change_names[CH_MISSING]));
	file = jv_object_set(file, jv_string("missing"), jv_true());
	return output(s, jv_object_set(new_record(path, plen),
	    jv_string("file"), file));
}

static int
scan_root(struct scan *s, const char *dir, const struct ss_walk_opts *wo)
{
	struct ss_err e = SS_ERR_INIT;
	char *root = realpath(dir, NULL);
	int r, n;

	if (root == NULL) {
		ss_error("cannot scan '%s': %s", dir, strerror(errno));
		s->failed++;
		return 0;
	}
	s->root = root;
	s->rootlen = strlen(root);
	s->seen = s->files;
	if (s->f != NULL && ss_scan_begin(s->f, root, s->rootlen, &s->scan_id,
	    &e) == -1) {
		free(root);
		return ledger_fail(s, &e);
	}
	r = ss_walk(root, wo, on_file, on_walk_error, s, &e);
	if (r == -1) {
		ss_error("cannot scan %s", e.msg);
		s->failed++;
		r = 0;
	}
	if (drain(s, 0, 1) == -1 || r != 0 || s->status)
		goto out;
	if (s->f != NULL) {
		if (tx_flush(s) == -1)
			goto out;
		/* every file of this walk is in the index now */
		n = ss_files_mark_missing(s->f, root, s->rootlen,
		    s->files - s->seen, on_missing, s, &e);
		if (n == -1) {
			ledger_fail(s, &e);
			goto out;
		}
		s->missing += n;
		if (ss_scan_end(s->f, s->scan_id, s->files, s->read, n,
		    &e) == -1)
			ledger_fail(s, &e);
	}
out:
	free(root);
	s->root = NULL;
	return s->status ? -1 : 0;
}

/* ---- records on stdin: scan the file each one names ---- */

static int
scan_record(jv *rec, const char *where, void *arg)
{
	struct scan *s = arg;
	struct ss_err e = SS_ERR_INIT;
	struct sbuf path = SBUF_INIT;
	struct stat st;
	char *real = NULL, *slash;
	int r = SS_REC_EMIT;

	if (ss_rec_get_path(*rec, "path", &path, &e) == -1) {
		r = ss_rec_fail(rec, "scan", &e);
		goto out;
	}
	if ((real = realpath(path.buf, NULL)) == NULL ||
	    stat(real, &st) == -1) {
		ss_err_errno(&e, "'%s'", path.buf);
		r = ss_rec_fail(rec, "scan", &e);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ss_err_set(&e, "invalid", 0, "'%s': not a regular file",
		    path.buf);
		r = ss_rec_fail(rec, "scan", &e);
		goto out;
	}
	slash = strrchr(real, '/');
	s->root = real;
	s->rootlen = slash > real ? (size_t)(slash - real) : 1;
	s->target = rec;
	if (submit(s, real, strlen(real), &st, expected_formats(slash + 1))
	    == -1 || drain(s, 0, 1) == -1)
		r = s->status == SS_EX_TEMPFAIL ? SS_REC_TEMPFAIL :
		    SS_REC_FATAL;
	s->target = NULL;
out:
	free(real);
	sbuf_release(&path);
	return r;
}

static void
usage_exit(int status)
{
	ss_usage(usage_str, status);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "changes", no_argument, NULL, 'C' },
		{ "config", required_argument, NULL, 'c' },
		{ "deep", no_argument, NULL, 'D' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "follow", no_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ "ignore", required_argument, NULL, 'I' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "log-format", required_argument, NULL, 'F' },
		{ "one-file-system", no_argument, NULL, 'x' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "rehash", no_argument, NULL, 'R' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct ss_err e = SS_ERR_INIT;
	struct ss_walk_opts wo;
	struct ss_config *cfg = NULL;
	struct scan s;
	char *globs = NULL, *tok, *save;
	long long jobs = 0, run_id = 0;
	int ch, i, status;

	ss_init(argv[0]);
	memset(&s, 0, sizeof(s));
	while ((ch = getopt_long(argc, argv, "Cc:DF:hI:j:LnqRVvx", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'C':
			o.changes = 1;
			break;
		case 'c':
			o.config = optarg;
			break;
		case 'D':
			o.deep = 1;
			break;
		case 'F':
			if (ss_log_set_format(optarg) == -1)
				usage_exit(SS_EX_USAGE);
			break;
		case 'h':
			usage_exit(SS_EX_OK);
			break;
		case 'I':
			o.ignore = xreallocarray(o.ignore, o.nignore + 1,
			    sizeof(*o.ignore));
			o.ignore[o.nignore++] = xstrdup(optarg);
			break;
		case 'j':
			if (ss_strtonum(optarg, 1, 64, &jobs, &e) == -1)
				ss_die(SS_EX_USAGE, "-j: %s", e.msg);
			break;
		case 'L':
			o.follow = 1;
			break;
		case 'n':
			o.dry_run = 1;
			break;
		case 'q':
			ss_verbosity = -1;
			break;
		case 'R':
			o.rehash = 1;
			break;
		case 'V':
			ss_version();
			break;
		case 'v':
			ss_verbosity++;
			break;
		case 'x':
			o.one_fs = 1;
			break;
		default:
			usage_exit(SS_EX_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0 && isatty(STDIN_FILENO))
		usage_exit(SS_EX_USAGE);

	if (ss_config_load(&cfg, o.config, &e) == -1)
		ss_die(SS_EX_USAGE, "%s", e.msg);
	if (jobs == 0 && ss_config_get_int(cfg, "scan_jobs", 0, 64, &jobs,
	    &e) == -1)
		ss_die(SS_EX_USAGE, "%s", e.msg);
	if (jobs == 0)
		jobs = sysconf(_SC_NPROCESSORS_ONLN) > 0 ?
		    sysconf(_SC_NPROCESSORS_ONLN) : 1;
	globs = xstrdup(ss_config_get(cfg, "scan_ignore"));
	for (tok = strtok_r(globs, " \t", &save); tok != NULL;
	    tok = strtok_r(NULL, " \t", &save)) {
		o.ignore = xreallocarray(o.ignore, o.nignore + 1,
		    sizeof(*o.ignore));
		o.ignore[o.nignore++] = xstrdup(tok);
	}
	if (!o.dry_run) {
		if (ss_ledger_open_config(&s.l, cfg, &e) == -1)
			ss_die(ss_err_exit(&e), "%s", e.msg);
		if (ss_files_open(s.l, &s.f, &e) == -1 ||
		    ss_run_begin(s.l, "ss-scan", &run_id, &e) == -1)
			ss_die(e.temporary ? SS_EX_TEMPFAIL : SS_EX_FATAL,
			    "%s", e.msg);
	}
	if (o.deep && access("/usr/bin/ffmpeg", X_OK) == -1 &&
	    access("/usr/local/bin/ffmpeg", X_OK) == -1)
		ss_warn("--deep: ffmpeg not found; only FLAC files get "
		    "a decode check");

	memset(&wo, 0, sizeof(wo));
	wo.follow = o.follow;
	wo.one_fs = o.one_fs;
	wo.ignore = o.ignore;
	wo.nignore = o.nignore;
	s.started = ss_now();
	s.progress = argc > 0 && ss_verbosity >= 0 && isatty(STDERR_FILENO);
	if (s.progress)
		for (i = 0; i < argc; i++)
			ss_walk(argv[i], &wo, count_file, NULL, &s.total, &e);
	pool_start(&s.pool, (int)jobs);
	if (argc == 0) {
		status = ss_record_loop(NULL, 0, scan_record, &s, NULL);
	} else {
		for (i = 0; i < argc && s.status == 0; i++)
			scan_root(&s, argv[i], &wo);
		if (s.status == 0)
			tx_flush(&s);
		status = s.status;
		if (status == 0 && ss_output_close(&e) == -1) {
			ss_error("%s", e.msg);
			status = SS_EX_FATAL;
		}
		if (status == 0 && s.failed > 0)
			status = SS_EX_PARTIAL;
	}
	if (s.status == 0)
		tx_flush(&s);
	else if (s.in_tx)
		ss_ledger_rollback(s.l);
	pool_stop(&s.pool);
	show_progress(&s, 1);
	ss_progress_done();
	ss_info("%lld files: %lld read (%.1f MB), %lld broken, %lld missing",
	    s.files, s.read, (double)s.bytes / 1e6, s.broken, s.missing);
	if (status == 0 && s.status != 0)
		status = s.status;
	if (s.l != NULL && ss_run_end(s.l, run_id, status, s.files,
	    s.failed, &e) == -1)
		ss_error("%s", e.msg);
	ss_files_close(s.f);
	ss_ledger_close(s.l);
	ss_config_free(cfg);
	for (i = 0; i < (int)o.nignore; i++)
		free(o.ignore[i]);
	free(o.ignore);
	free(globs);
	return status;
}
