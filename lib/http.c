/* http.c: the libcurl client: retries, Retry-After, budgets, cache, breaker. */
#include <curl/curl.h>
#include <sqlite3.h>
#include <time.h>

#include "ss.h"
#include "config.h"
#include "hash.h"
#include "http.h"
#include "ledger.h"
#include "ledger-int.h"

#define MAX_REDIRECTS 5

struct ss_http {
	CURL *curl;
	struct ss_http_opts o;
	char *user_agent;
	char *ca_bundle;
	struct ss_ledger *l;
	const struct ss_config *cf;
	int no_cache;
	ss_http_trace_fn *trace;
	void *trace_arg;
	char errbuf[CURL_ERROR_SIZE];
	/* the attempt under way */
	struct sbuf *body;
	int too_big;
};

static const char *const secret_words[] = {
	"token", "secret", "key", "password", "passwd", "code", "verifier",
	"authorization", "cookie", "signature"
};

int
ss_http_secret_name(const char *name, size_t len)
{
	char low[64];
	size_t i;

	if (len >= sizeof(low))
		len = sizeof(low) - 1;
	for (i = 0; i < len; i++)
		low[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ?
		    name[i] - 'A' + 'a' : name[i]);
	low[len] = '\0';
	for (i = 0; i < SS_ARRAY_SIZE(secret_words); i++)
		if (strstr(low, secret_words[i]) != NULL)
			return 1;
	return 0;
}

static int
is_name_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
}

/* 1 if s is where a header line starts (after "> " or "< " in traces). */
static int
line_start(const char *t, size_t s)
{
	if (s == 0 || t[s - 1] == '\n')
		return 1;
	return s >= 2 && t[s - 1] == ' ' && (t[s - 2] == '>' ||
	    t[s - 2] == '<') && (s == 2 || t[s - 3] == '\n');
}

/*
 * Redaction, one pass: a header line "Name: value" with a secret name
 * loses its value up to the end of the line; "name=value" loses the value
 * up to '&', whitespace, quote or end; "name": "value" in JSON loses the
 * string.
 */
void
ss_http_redact(const char *t, size_t n, struct sbuf *out)
{
	size_t i = 0, s, ne, v;

	while (i < n) {
		if (!is_name_char((unsigned char)t[i]) || (i > 0 &&
		    is_name_char((unsigned char)t[i - 1]))) {
			sbuf_addch(out, t[i++]);
			continue;
		}
		s = i;
		while (i < n && is_name_char((unsigned char)t[i]))
			i++;
		ne = i;
		sbuf_add(out, t + s, ne - s);
		if (!ss_http_secret_name(t + s, ne - s))
			continue;
		if (i < n && t[i] == '=') {
			sbuf_addch(out, '=');
			i++;
			v = i;
			while (i < n && t[i] != '&' && t[i] != ' ' &&
			    t[i] != '\t' && t[i] != '\r' && t[i] != '\n' &&
			    t[i] != '"' && t[i] != '\'')
				i++;
			if (i > v)
				sbuf_adds(out, "(secret)");
		} else if (i < n && t[i] == ':' && line_start(t, s)) {
			/* a header line */
			sbuf_addch(out, ':');
			i++;
			while (i < n && t[i] != '\r' && t[i] != '\n')
				i++;
			sbuf_adds(out, " (secret)");
		} else if (s > 0 && t[s - 1] == '"' && i < n && t[i] == '"') {
			/* a JSON member name: "name" : "value" */
			v = i + 1;
			while (v < n && (t[v] == ' ' || t[v] == '\t'))
				v++;
			if (v >= n || t[v] != ':')
				continue;
			v++;
			while (v < n && (t[v] == ' ' || t[v] == '\t'))
				v++;
			if (v >= n || t[v] != '"')
				continue;
			sbuf_add(out, t + i, v - i);
			v++;
			while (v < n && t[v] != '"') {
				if (t[v] == '\\' && v + 1 < n)
					v++;
				v++;
			}
			sbuf_adds(out, "\"\"(secret)");
			i = v < n ? v + 1 : v;
			sbuf_addch(out, '"');
		}
	}
}

void
ss_http_escape(const char *s, size_t len, struct sbuf *out)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;
	unsigned char c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~') {
			sbuf_addch(out, c);
		} else {
			sbuf_addch(out, '%');
			sbuf_addch(out, hex[c >> 4]);
			sbuf_addch(out, hex[c & 15]);
		}
	}
}

int
ss_http_opts_from_config(struct ss_http_opts *o, const struct ss_config *cf,
    struct sbuf *ua, struct ss_err *e)
{
	long long timeout, ra, att, bf, bs;
	const char *contact;

	if (ss_config_get_int(cf, "http_timeout_seconds", 1, 3600, &timeout,
	    e) == -1 ||
	    ss_config_get_int(cf, "http_max_retry_after_seconds", 0, 86400,
	    &ra, e) == -1 ||
	    ss_config_get_int(cf, "http_max_attempts", 1, 20, &att, e) == -1 ||
	    ss_config_get_int(cf, "circuit_breaker_failures", 0, 1000, &bf,
	    e) == -1 ||
	    ss_config_get_int(cf, "circuit_breaker_seconds", 1, 86400, &bs,
	    e) == -1)
		return -1;
	memset(o, 0, sizeof(*o));
	contact = ss_config_get(cf, "http_contact");
	sbuf_reset(ua);
	sbuf_addf(ua, "SoulSpot/%s", SS_VERSION);
	if (contact != NULL && *contact != '\0')
		sbuf_addf(ua, " ( %s )", contact);
	o->user_agent = ua->buf;
	o->ca_bundle = ss_config_get(cf, "ca_bundle");
	o->timeout_s = (long)timeout;
	o->connect_timeout_s = timeout < 10 ? (long)timeout : 10;
	o->stall_s = timeout < 30 ? (long)timeout : 30;
	o->max_retry_after = (double)ra;
	o->max_attempts = (int)att;
	o->backoff_base = 0.5;
	o->breaker_failures = (int)bf;
	o->breaker_seconds = (double)bs;
	o->max_body = 64 * 1024 * 1024;
	return 0;
}

static size_t
write_cb(char *p, size_t size, size_t nmemb, void *arg)
{
	struct ss_http *h = arg;
	size_t n = size * nmemb;

	if (h->body->len + n > h->o.max_body) {
		h->too_big = 1;
		return 0;
	}
	sbuf_add(h->body, p, n);
	return n;
}

static void
trace(struct ss_http *h, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
trace(struct ss_http *h, const char *fmt, ...)
{
	struct sbuf raw = SBUF_INIT, red = SBUF_INIT;
	va_list ap;

	if (h->trace == NULL)
		return;
	va_start(ap, fmt);
	sbuf_vaddf(&raw, fmt, ap);
	va_end(ap);
	ss_http_redact(raw.buf, raw.len, &red);
	h->trace(red.buf, h->trace_arg);
	sbuf_release(&raw);
	sbuf_release(&red);
}

/* libcurl's debug callback: headers in and out, one line at a time. */
static int
debug_cb(CURL *c, curl_infotype type, char *data, size_t size, void *arg)
{
	struct ss_http *h = arg;
	const char *dir;
	size_t i, s;

	if (type == CURLINFO_HEADER_OUT)
		dir = "> ";
	else if (type == CURLINFO_HEADER_IN)
		dir = "< ";
	else
		return 0;
	for (i = s = 0; i <= size; i++) {
		if (i < size && data[i] != '\n')
			continue;
		if (i > s && !(i - s == 1 && data[s] == '\r'))
			trace(h, "%s%.*s", dir, (int)(i - s -
			    (data[i - 1] == '\r')), data + s);
		s = i + 1;
	}
	return 0;
}

int
ss_http_new(struct ss_http **hp, const struct ss_http_opts *o,
    struct ss_ledger *l, const struct ss_config *cf, struct ss_err *e)
{
	static int global_done;
	struct ss_http *h;

	*hp = NULL;
	if (!global_done) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return ss_err_set(e, "http", 0,
			    "cannot initialise libcurl");
		global_done = 1;
	}
	h = xcalloc(1, sizeof(*h));
	h->o = *o;
	if (h->o.max_attempts < 1)
		h->o.max_attempts = 1;
	if (h->o.max_body == 0)
		h->o.max_body = 64 * 1024 * 1024;
	h->user_agent = xstrdup(o->user_agent ? o->user_agent : "SoulSpot/"
	    SS_VERSION);
	h->ca_bundle = o->ca_bundle && *o->ca_bundle ?
	    xstrdup(o->ca_bundle) : NULL;
	h->l = l;
	h->cf = cf;
	if ((h->curl = curl_easy_init()) == NULL) {
		ss_http_free(h);
		return ss_err_set(e, "http", 0, "cannot initialise libcurl");
	}
	*hp = h;
	return 0;
}

void
ss_http_free(struct ss_http *h)
{
	if (h == NULL)
		return;
	if (h->curl != NULL)
		curl_easy_cleanup(h->curl);
	free(h->user_agent);
	free(h->ca_bundle);
	free(h);
}

void
ss_http_set_no_cache(struct ss_http *h, int on)
{
	h->no_cache = on;
}

void
ss_http_set_trace(struct ss_http *h, ss_http_trace_fn *fn, void *arg)
{
	h->trace = fn;
	h->trace_arg = arg;
}

void
ss_http_resp_release(struct ss_http_resp *r)
{
	sbuf_release(&r->body);
	free(r->content_type);
	memset(r, 0, sizeof(*r));
	r->body.buf = sbuf_empty;
}

/* The URL without secrets, for messages. */
static void
safe_url(const char *url, struct sbuf *out)
{
	sbuf_reset(out);
	ss_http_redact(url, strlen(url), out);
}

/* The breaker */

static int
exec_sql(struct ss_ledger *l, const char *sql, const char *service,
    double a, double b, const char *reason, struct ss_err *e)
{
	sqlite3 *db = ss_ledger_sqlite(l);
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL)) != SQLITE_OK)
		return ss_ledger_db_err(l, rc, "preparing the breaker", e);
	sqlite3_bind_text(st, 1, service, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 2, a);
	sqlite3_bind_double(st, 3, b);
	sqlite3_bind_double(st, 4, ss_now());
	if (reason != NULL)
		sqlite3_bind_text(st, 5, reason, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return ss_ledger_db_err(l, rc, "updating the breaker", e);
	return 0;
}

int
ss_http_breaker(struct ss_ledger *l, const char *service, int *failures,
    double *open_until, struct ss_err *e)
{
	sqlite3 *db = ss_ledger_sqlite(l);
	sqlite3_stmt *st = NULL;
	int rc;

	*failures = 0;
	*open_until = 0;
	if ((rc = sqlite3_prepare_v2(db, "SELECT failures, open_until "
	    "FROM circuits WHERE service = ?1", -1, &st, NULL)) != SQLITE_OK)
		return ss_ledger_db_err(l, rc, "reading the breaker", e);
	sqlite3_bind_text(st, 1, service, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*failures = sqlite3_column_int(st, 0);
		*open_until = sqlite3_column_double(st, 1);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return ss_ledger_db_err(l, rc, "reading the breaker", e);
	return 0;
}

/* A failed attempt: count it and open the breaker at the threshold. */
static int
breaker_fail(struct ss_http *h, const char *service, const char *reason,
    struct ss_err *e)
{
	if (h->l == NULL || service == NULL || h->o.breaker_failures <= 0)
		return 0;
	return exec_sql(h->l,
	    "INSERT INTO circuits (service, failures, open_until, reason, "
	    "updated_at) VALUES (?1, 1, CASE WHEN ?2 <= 1 THEN ?4 + ?3 "
	    "ELSE 0 END, ?5, ?4) ON CONFLICT (service) DO UPDATE SET "
	    "failures = failures + 1, reason = ?5, updated_at = ?4, "
	    "open_until = CASE WHEN failures + 1 >= ?2 THEN ?4 + ?3 "
	    "ELSE open_until END",
	    service, h->o.breaker_failures, h->o.breaker_seconds, reason, e);
}

static int
breaker_ok(struct ss_http *h, const char *service, struct ss_err *e)
{
	if (h->l == NULL || service == NULL)
		return 0;
	return exec_sql(h->l,
	    "UPDATE circuits SET failures = 0, open_until = 0, reason = NULL, "
	    "updated_at = ?4 WHERE service = ?1 AND (failures != 0 OR "
	    "open_until != 0)",
	    service, 0, 0, NULL, e);
}

/* Holds the service off until now + secs (a long Retry-After). */
static int
breaker_hold(struct ss_http *h, const char *service, double secs,
    const char *reason, struct ss_err *e)
{
	if (h->l == NULL || service == NULL)
		return 0;
	return exec_sql(h->l,
	    "INSERT INTO circuits (service, failures, open_until, reason, "
	    "updated_at) VALUES (?1, 0, ?4 + ?3, ?5, ?4) ON CONFLICT "
	    "(service) DO UPDATE SET open_until = max(open_until, ?4 + ?3), "
	    "reason = ?5, updated_at = ?4",
	    service, 0, secs, reason, e);
}

static int
breaker_check(struct ss_http *h, const char *service, struct ss_err *e)
{
	char when[32];
	int failures;
	double until;

	if (h->l == NULL || service == NULL)
		return 0;
	if (ss_http_breaker(h->l, service, &failures, &until, e) == -1)
		return -1;
	if (until > ss_now()) {
		ss_time_rfc3339(until, when);
		return ss_err_set(e, "circuit_open", 1, "%s is considered "
		    "down or rate limited until %s (%d failures in a row); "
		    "not trying", service, when, failures);
	}
	return 0;
}

static void
sleep_s(double s)
{
	struct timespec ts;

	if (s <= 0)
		return;
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static void
cache_key(const struct ss_http_req *q, const char *method, struct sbuf *k)
{
	unsigned char md[SS_SHA256_LEN];
	char hex[SS_SHA256_HEXLEN + 1];
	struct ss_err e = SS_ERR_INIT;

	sbuf_reset(k);
	sbuf_addf(k, "http %s %s", method, q->url);
	if (q->body != NULL && q->body_len > 0 &&
	    ss_sha256(q->body, q->body_len, md, &e) == 0) {
		ss_hex(md, sizeof(md), hex);
		sbuf_addf(k, " %s", hex);
	}
}

static const char *
status_code(long s)
{
	switch (s) {
	case 429:
		return "http_429";
	case 500:
		return "http_500";
	case 502:
		return "http_502";
	case 503:
		return "http_503";
	default:
		return "http_504";
	}
}

static int
retryable_status(long s)
{
	return s == 429 || s == 500 || s == 502 || s == 503 || s == 504;
}

/* One transfer.  Returns the CURLcode. */
static CURLcode
perform(struct ss_http *h, const struct ss_http_req *q, const char *method,
    struct curl_slist *hdrs, struct ss_http_resp *r)
{
	CURL *c = h->curl;
	CURLcode rc;
	char *ct = NULL;
	curl_off_t ra = -1;

	curl_easy_reset(c);
	sbuf_reset(&r->body);
	free(r->content_type);
	r->content_type = NULL;
	r->status = 0;
	r->retry_after = 0;
	h->body = &r->body;
	h->too_big = 0;
	h->errbuf[0] = '\0';
	curl_easy_setopt(c, CURLOPT_URL, q->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, h->errbuf);
	curl_easy_setopt(c, CURLOPT_USERAGENT, h->user_agent);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(c, CURLOPT_HTTP_VERSION,
	    (long)CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (h->ca_bundle != NULL)
		curl_easy_setopt(c, CURLOPT_CAINFO, h->ca_bundle);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, h->o.connect_timeout_s);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, h->o.timeout_s);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, h->o.stall_s);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, h);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	if (q->follow) {
		curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
		curl_easy_setopt(c, CURLOPT_MAXREDIRS, (long)MAX_REDIRECTS);
	}
	if (q->body != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, q->body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)q->body_len);
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "POST") != 0)
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	else if (strcmp(method, "POST") == 0 && q->body == NULL)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
	if (h->trace != NULL) {
		curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, debug_cb);
		curl_easy_setopt(c, CURLOPT_DEBUGDATA, h);
		curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);
	}
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	if (curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK &&
	    ct != NULL)
		r->content_type = xstrdup(ct);
	if (curl_easy_getinfo(c, CURLINFO_RETRY_AFTER, &ra) == CURLE_OK &&
	    ra > 0)
		r->retry_after = (double)ra;
	return rc;
}

int
ss_http_do(struct ss_http *h, const struct ss_http_req *q,
    struct ss_http_resp *r, struct ss_err *e)
{
	struct curl_slist *hdrs = NULL, *tmp;
	struct sbuf url = SBUF_INIT, key = SBUF_INIT;
	const char *method = q->method;
	const char *const *hp;
	double count, period, wait;
	int attempt, cache = 0, ret = -1;
	CURLcode rc;

	ss_http_resp_release(r);
	if (method == NULL)
		method = q->body != NULL ? "POST" : "GET";
	safe_url(q->url, &url);
	if (q->cache_ttl > 0 && strcmp(method, "GET") == 0 &&
	    h->l != NULL && !h->no_cache) {
		cache = 1;
		cache_key(q, method, &key);
		if ((ret = ss_cache_get(h->l, key.buf, &r->body, e)) == -1)
			goto out;
		if (ret == 1) {
			trace(h, "cache hit: %s %s", method, url.buf);
			r->status = 200;
			r->from_cache = 1;
			ret = 0;
			goto out;
		}
		ret = -1;
	}
	if (breaker_check(h, q->service, e) == -1)
		goto out;
	if (h->l != NULL && h->cf != NULL && q->service != NULL) {
		struct ss_err be = SS_ERR_INIT;
		struct sbuf name = SBUF_INIT;

		sbuf_addf(&name, "budget.%s", q->service);
		if (ss_config_get(h->cf, name.buf) != NULL &&
		    ss_config_budget(h->cf, q->service, &count, &period,
		    &be) == 0 &&
		    ss_budget_wait(h->l, q->service, count, period,
		    h->o.max_retry_after, NULL, e) == -1) {
			sbuf_release(&name);
			goto out;
		}
		sbuf_release(&name);
	}
	for (hp = q->headers; hp != NULL && *hp != NULL; hp++) {
		if ((tmp = curl_slist_append(hdrs, *hp)) == NULL) {
			ss_err_set(e, "http", 0, "out of memory for headers");
			goto out;
		}
		hdrs = tmp;
	}
	for (attempt = 1;; attempt++) {
		r->attempts = attempt;
		trace(h, "%s %s (attempt %d)", method, q->url, attempt);
		rc = perform(h, q, method, hdrs, r);
		if (rc == CURLE_WRITE_ERROR && h->too_big) {
			ss_err_set(e, "too_big", 0, "%s %s: the response is "
			    "larger than %zu bytes", method, url.buf,
			    h->o.max_body);
			goto out;
		}
		if (rc == CURLE_PEER_FAILED_VERIFICATION ||
		    rc == CURLE_SSL_CACERT_BADFILE) {
			ss_err_set(e, "http_tls", 0, "%s %s: %s", method,
			    url.buf, h->errbuf[0] ? h->errbuf :
			    curl_easy_strerror(rc));
			goto out;
		}
		if (rc == CURLE_URL_MALFORMAT ||
		    rc == CURLE_UNSUPPORTED_PROTOCOL ||
		    rc == CURLE_TOO_MANY_REDIRECTS) {
			ss_err_set(e, "http", 0, "%s %s: %s", method, url.buf,
			    h->errbuf[0] ? h->errbuf : curl_easy_strerror(rc));
			goto out;
		}
		if (rc != CURLE_OK) {
			trace(h, "failed: %s", curl_easy_strerror(rc));
			ss_err_set(e, "http_conn", 1, "%s %s: %s", method,
			    url.buf, h->errbuf[0] ? h->errbuf :
			    curl_easy_strerror(rc));
			r->status = 0;
			if (breaker_fail(h, q->service, "no answer", e) == -1)
				goto out;
		} else if (!retryable_status(r->status)) {
			if (r->status < 500 &&
			    breaker_ok(h, q->service, e) == -1)
				goto out;
			ret = 0;
			break;
		} else {
			trace(h, "status %ld, Retry-After %.0f", r->status,
			    r->retry_after);
			if (r->status == 429)
				ss_err_set(e, "http_429", 1, "%s %s: rate "
				    "limited (429)", method, url.buf);
			else
				ss_err_set(e, status_code(r->status), 1,
				    "%s %s: server error (%ld)", method,
				    url.buf, r->status);
			if (r->status != 429) {
				if (breaker_fail(h, q->service, "server error",
				    e) == -1)
					goto out;
			}
			if (r->retry_after > h->o.max_retry_after) {
				char when[32];

				ss_time_rfc3339(ss_now() + r->retry_after,
				    when);
				ss_err_set(e, status_code(r->status), 1, "%s %s: the server asks to wait "
				    "%.0f s (until %s), longer than "
				    "http_max_retry_after_seconds (%.0f)",
				    method, url.buf, r->retry_after, when,
				    h->o.max_retry_after);
				if (breaker_hold(h, q->service, r->retry_after,
				    "Retry-After", e) == -1)
					goto out;
				goto out;
			}
		}
		if (attempt >= h->o.max_attempts)
			goto out;
		wait = h->o.backoff_base * (double)(1u << (attempt - 1 > 10 ?
		    10 : attempt - 1));
		wait *= 0.5 + (double)(ss_random64() % 1000) / 2000.0;
		if (r->retry_after > wait)
			wait = r->retry_after;
		trace(h, "retrying in %.2f s", wait);
		sleep_s(wait);
		if (breaker_check(h, q->service, e) == -1)
			goto out;
	}
	if (cache && r->status == 200 &&
	    ss_cache_put(h->l, key.buf, r->body.buf, r->body.len,
	    q->cache_ttl, e) == -1)
		ret = -1;
out:
	curl_slist_free_all(hdrs);
	sbuf_release(&url);
	sbuf_release(&key);
	return ret;
}
