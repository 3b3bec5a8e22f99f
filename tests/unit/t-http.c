/* t-http.c: unit tests of lib/http.c: redaction, escaping, cache, breaker. */
#include <sys/socket.h>

#include <netinet/in.h>
#include <unistd.h>

#include "ss.h"
#include "http.h"
#include "ledger.h"
#include "tap.h"

static const struct {
	const char *in;
	const char *want;
} redactions[] = {
	{ "Authorization: Bearer abc.def", "Authorization: (secret)" },
	{ "> Authorization: Basic Y2lkOnNlY3JldA==",
	  "> Authorization: (secret)" },
	{ "< Set-Cookie: s=1\n> X-API-Key: k123\n> Accept: */*",
	  "< Set-Cookie: (secret)\n> X-API-Key: (secret)\n> Accept: */*" },
	{ "grant_type=refresh_token&refresh_token=RT1&client_id=cid",
	  "grant_type=refresh_token&refresh_token=(secret)&client_id=cid" },
	{ "https://x/y?api_key=K&q=a+b&client_secret=S",
	  "https://x/y?api_key=(secret)&q=a+b&client_secret=(secret)" },
	{ "code=AQx&code_verifier=v&state=s",
	  "code=(secret)&code_verifier=(secret)&state=s" },
	{ "{\"access_token\": \"BQ\\\"x\", \"expires_in\":3600}",
	  "{\"access_token\": \"\"(secret)\", \"expires_in\":3600}" },
	{ "GET /v1/playlists/abc?offset=0", "GET /v1/playlists/abc?offset=0" },
	{ "keyboard=1&monkey=2", "keyboard=(secret)&monkey=(secret)" },
	{ "", "" },
};

static void
test_redact(void)
{
	struct sbuf out = SBUF_INIT;
	size_t i;

	for (i = 0; i < SS_ARRAY_SIZE(redactions); i++) {
		sbuf_reset(&out);
		ss_http_redact(redactions[i].in, strlen(redactions[i].in),
		    &out);
		is_str(out.buf, redactions[i].want, "redact %zu", i);
	}
	ok(ss_http_secret_name("X-Api-Key", 9), "header names: any case");
	ok(!ss_http_secret_name("offset", 6), "offset is not secret");
	sbuf_release(&out);
}

static void
test_escape(void)
{
	struct sbuf out = SBUF_INIT;

	ss_http_escape("a b&c=d/é~-._", strlen("a b&c=d/é~-._"), &out);
	is_str(out.buf, "a%20b%26c%3Dd%2F%C3%A9~-._", "percent-encoding");
	sbuf_release(&out);
}

/* A port nobody listens on: bound, never listened to, then closed. */
static int
dead_port(void)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	getsockname(fd, (struct sockaddr *)&sa, &len);
	port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

static void
set_now(double t)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%.3f", t);
	setenv("SS_NOW", buf, 1);
}

static void
test_client(const char *dir)
{
	struct ss_http_opts o;
	struct ss_http *h = NULL;
	struct ss_ledger *l = NULL;
	struct ss_http_resp r = SS_HTTP_RESP_INIT;
	struct ss_http_req q;
	struct ss_err e = SS_ERR_INIT;
	struct sbuf path = SBUF_INIT, url = SBUF_INIT;
	double until;
	int failures;

	set_now(1000000);
	sbuf_addf(&path, "%s/ledger.db", dir);
	if (!ok(ss_ledger_open(&l, path.buf, &e) == 0, "ledger opens"))
		return;
	memset(&o, 0, sizeof(o));
	o.user_agent = "t-http/1";
	o.timeout_s = 5;
	o.connect_timeout_s = 2;
	o.stall_s = 5;
	o.max_retry_after = 10;
	o.max_attempts = 2;
	o.backoff_base = 0.01;
	o.breaker_failures = 3;
	o.breaker_seconds = 60;
	ok(ss_http_new(&h, &o, l, NULL, &e) == 0, "client made");
	sbuf_addf(&url, "http://127.0.0.1:%d/x?token=SECRET", dead_port());
	memset(&q, 0, sizeof(q));
	q.service = "svc";
	q.url = url.buf;

	ok(ss_http_do(h, &q, &r, &e) == -1, "refused connection fails");
	is_str(e.code, "http_conn", "... code http_conn");
	ok(e.temporary, "... temporary");
	is_int(r.attempts, 2, "... after max_attempts");
	ok(strstr(e.msg, "SECRET") == NULL && strstr(e.msg, "token=(secret)"),
	    "... the message has the URL without the secret");
	ss_http_breaker(l, "svc", &failures, &until, &e);
	is_int(failures, 2, "each attempt counts for the breaker");
	ok(until == 0, "... still closed");

	ss_http_do(h, &q, &r, &e);
	ss_http_breaker(l, "svc", &failures, &until, &e);
	ok(failures >= 3 && until == 1000000 + 60,
	    "the breaker opens at the threshold, for breaker_seconds");
	is_str(e.code, "circuit_open", "... the request then stops at once");
	ok(ss_http_do(h, &q, &r, &e) == -1 && r.attempts == 0 &&
	    strcmp(e.code, "circuit_open") == 0,
	    "while open: no attempt, circuit_open");
	ok(e.temporary, "... temporary");
	set_now(1000000 + 61);
	ok(ss_http_do(h, &q, &r, &e) == -1 && r.attempts >= 1,
	    "after the cool-off a request is tried again");
	ss_http_breaker(l, "svc", &failures, &until, &e);
	ok(until > 1000000 + 61, "... and its failure opens it again");

	/* a cached answer is served without the network */
	q.service = "other";
	q.cache_ttl = 100;
	sbuf_reset(&path);
	sbuf_addf(&path, "http GET %s", url.buf);
	ok(ss_cache_put(l, path.buf, "cached body", 11, 100, &e) == 0,
	    "an answer is put in the cache");
	ok(ss_http_do(h, &q, &r, &e) == 0 && r.from_cache &&
	    r.status == 200, "a cached GET is answered from the ledger");
	is_str(r.body.buf, "cached body", "... with the stored body");
	ss_http_set_no_cache(h, 1);
	ok(ss_http_do(h, &q, &r, &e) == -1 && !r.from_cache,
	    "--no-cache goes to the network");
	ss_http_set_no_cache(h, 0);
	set_now(1000000 + 61 + 200);
	ok(ss_http_do(h, &q, &r, &e) == -1 && !r.from_cache,
	    "an expired entry is not used");

	q.url = "ftp://127.0.0.1/x";
	q.cache_ttl = 0;
	q.service = NULL;
	ok(ss_http_do(h, &q, &r, &e) == -1 && strcmp(e.code, "http") == 0 &&
	    !e.temporary && r.attempts == 1,
	    "a protocol other than HTTP is refused for good");
	ss_http_resp_release(&r);
	ss_http_free(h);
	ss_ledger_close(l);
	sbuf_release(&path);
	sbuf_release(&url);
}

int
main(void)
{
	char dir[] = "/tmp/t-http.XXXXXX";
	struct sbuf cmd = SBUF_INIT;

	test_redact();
	test_escape();
	if (mkdtemp(dir) != NULL) {
		test_client(dir);
		sbuf_addf(&cmd, "rm -rf '%s'", dir);
		if (system(cmd.buf) != 0)
			printf("# could not remove %s\n", dir);
		sbuf_release(&cmd);
	}
	return done_testing();
}
