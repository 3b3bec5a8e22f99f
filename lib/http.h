/* http.h: the one HTTP client (libcurl): retries, budgets, cache, breaker. */
#ifndef SS_HTTP_H
#define SS_HTTP_H

#include <stddef.h>

#include "sbuf.h"

struct ss_config;
struct ss_err;
struct ss_ledger;

/*
 * One client per process; it keeps one libcurl handle, so connections
 * are reused between requests (HTTP/2 over TLS where the server offers
 * it, HTTP/1.1 otherwise).  TLS verification is always on; ca_bundle
 * only replaces the trusted certificates.  Responses may be gzip.
 *
 * A request goes through, in order:
 *   1. the response cache in the ledger, when the request asks for one
 *      (cache_ttl > 0, GET only) and the client is not set to bypass it;
 *   2. the circuit breaker of its service in the ledger: while it is
 *      open the request fails at once, "circuit_open", temporary;
 *   3. the rate budget budget.SERVICE of the configuration, if there is
 *      one, shared through the ledger (ss_budget_wait, waiting at most
 *      max_retry_after seconds);
 *   4. the transfer, retried on connection errors, 429, 500, 502, 503
 *      and 504, up to max_attempts in all, with exponential backoff
 *      (backoff_base * 2^n, drawn from [0.5, 1.0] of that) or the
 *      server's Retry-After (seconds or an HTTP date) when it is longer.
 *      A Retry-After longer than max_retry_after is not waited for: the
 *      request fails at once ("http_429" or "http_503", temporary) with
 *      resp->retry_after set, and the service's breaker is held open
 *      until then, so other runs do not try either.
 * Every failed attempt (connection error or 5xx) adds one to the
 * breaker's count, any answer below 500 resets it; at breaker_failures
 * the breaker opens for breaker_seconds.  After that one request is let
 * through: success closes the breaker, failure opens it again.
 *
 * The client never prints.  Messages and the trace never contain
 * secrets: header values of Authorization, Proxy-Authorization, Cookie,
 * X-API-Key, and URL or form parameters whose names say token, secret,
 * key, password, code or verifier are shown as "(secret)".
 */
struct ss_http;

struct ss_http_opts {
	const char *user_agent;		/* the whole User-Agent header */
	const char *ca_bundle;		/* NULL or "": the system's */
	long timeout_s;			/* whole transfer */
	long connect_timeout_s;
	long stall_s;			/* below 1 byte/s this long: abort */
	double max_retry_after;		/* longest wait the run accepts */
	int max_attempts;		/* >= 1 */
	double backoff_base;		/* seconds */
	int breaker_failures;		/* 0: no breaker */
	double breaker_seconds;
	size_t max_body;		/* larger responses fail ("too_big") */
};

/*
 * Fills o from the configuration: http_timeout_seconds,
 * http_max_retry_after_seconds, http_max_attempts, http_contact (added to
 * the User-Agent "SoulSpot/VERSION ( CONTACT )"), ca_bundle,
 * circuit_breaker_failures, circuit_breaker_seconds.  The strings belong
 * to cf.  -1 with e filled by the config module on a bad value.
 */
int ss_http_opts_from_config(struct ss_http_opts *o,
    const struct ss_config *cf, struct sbuf *ua, struct ss_err *e);

/*
 * A new client.  l (may be NULL: no cache, breaker or budgets) and cf
 * (may be NULL: no budgets) are borrowed and must outlive the client.
 * o is copied (its strings too).  -1 with e filled ("http") if libcurl
 * cannot be set up.
 */
int ss_http_new(struct ss_http **hp, const struct ss_http_opts *o,
    struct ss_ledger *l, const struct ss_config *cf, struct ss_err *e);
void ss_http_free(struct ss_http *h);	/* NULL is fine */

/* With on set, the cache is neither read nor written (--no-cache). */
void ss_http_set_no_cache(struct ss_http *h, int on);

/*
 * A trace of every attempt, for -vv: fn gets one line at a time (request
 * line, headers sent and received, outcome), already redacted, without
 * a newline.  fn NULL turns it off.
 */
typedef void ss_http_trace_fn(const char *line, void *arg);
void ss_http_set_trace(struct ss_http *h, ss_http_trace_fn *fn, void *arg);

struct ss_http_req {
	const char *service;	/* "spotify": breaker, budget.SERVICE, cache */
	const char *method;	/* NULL: GET, or POST when there is a body */
	const char *url;
	const char *const *headers;	/* "Name: value", NULL-terminated */
	const char *body;	/* may be NULL */
	size_t body_len;
	double cache_ttl;	/* > 0: cache a 200 to a GET this long */
	int follow;		/* follow redirects (at most 5, http/https) */
};

struct ss_http_resp {
	long status;		/* the final status */
	struct sbuf body;
	char *content_type;	/* NULL if none */
	double retry_after;	/* seconds asked for by a 429/503, else 0 */
	int attempts;		/* transfers made (0: from the cache) */
	int from_cache;
};

#define SS_HTTP_RESP_INIT { 0, SBUF_INIT, NULL, 0, 0, 0 }

/* Frees what r owns; r is SS_HTTP_RESP_INIT again. */
void ss_http_resp_release(struct ss_http_resp *r);

/*
 * Performs q and fills r (released first).  Returns 0 when the server
 * gave a final answer: 2xx, 3xx not followed, and every 4xx except 429;
 * the caller judges r->status.  Returns -1 with e filled otherwise;
 * r->status and r->body hold the last answer, if any:
 *   "circuit_open"  the service's breaker is open (temporary)
 *   "budget"        the rate budget would wait too long (temporary)
 *   "http_429"      rate limited past the retries or past max_retry_after
 *                   (temporary; r->retry_after says how long)
 *   "http_5xx"      the server failed on every attempt (temporary; the
 *                   code names the status, e.g. "http_503")
 *   "http_conn"     no answer: refused, reset, timeout, truncated body
 *                   (temporary)
 *   "http_tls"      the certificate could not be verified
 *   "too_big"       the body passed max_body
 *   "http"          a bad URL or another libcurl failure
 *   "sqlite"/"busy" from the ledger
 */
int ss_http_do(struct ss_http *h, const struct ss_http_req *q,
    struct ss_http_resp *r, struct ss_err *e);

/*
 * Appends text to out with secrets replaced by "(secret)": header lines
 * "Authorization: ...", URL query and form parameters (name=value) whose
 * name is secret, and JSON members ("access_token": "...") whose name is
 * secret.  For messages about URLs, bodies and headers.
 */
void ss_http_redact(const char *text, size_t len, struct sbuf *out);

/* 1 if a parameter or header name is secret by the rule above. */
int ss_http_secret_name(const char *name, size_t len);

/*
 * Percent-encodes the len bytes at s for a URL query or form value
 * (RFC 3986 unreserved characters are kept) and appends them to out.
 */
void ss_http_escape(const char *s, size_t len, struct sbuf *out);

/*
 * The state of service's breaker: *failures, *open_until (0: closed).
 * For tools and tests; returns 0 or -1 with e filled.
 */
int ss_http_breaker(struct ss_ledger *l, const char *service, int *failures,
    double *open_until, struct ss_err *e);

#endif
