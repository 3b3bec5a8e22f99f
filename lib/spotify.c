/* spotify.c: Spotify tokens (client credentials, PKCE, refresh), GETs. */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sqlite3.h>
#include <unistd.h>

#include "ss.h"
#include "base64.h"
#include "config.h"
#include "crypt.h"
#include "fileio.h"
#include "hash.h"
#include "http.h"
#include "ledger.h"
#include "ledger-int.h"
#include "spotify.h"

#define SERVICE "spotify"
#define SCOPES "playlist-read-private playlist-read-collaborative " \
	"user-library-read"

struct ss_spotify {
	struct ss_http *h;
	struct ss_ledger *l;
	const struct ss_config *cf;
	char *api;		/* no trailing slash */
	char *accounts;
	const char *client_id;
	const char *client_secret;
	unsigned char key[SS_CRYPT_KEYLEN];
	int have_key;
	char *token;		/* the access token in use */
	int user;		/* token is a user token */
};

static char *
dup_base(const char *s)
{
	size_t n = strlen(s);

	while (n > 0 && s[n - 1] == '/')
		n--;
	return xmemdupz(s, n);
}

int
ss_spotify_new(struct ss_spotify **sp, struct ss_http *h,
    struct ss_ledger *l, const struct ss_config *cf, struct ss_err *e)
{
	struct ss_spotify *s = xcalloc(1, sizeof(*s));

	s->h = h;
	s->l = l;
	s->cf = cf;
	s->api = dup_base(ss_config_get(cf, "spotify_api_url"));
	s->accounts = dup_base(ss_config_get(cf, "spotify_accounts_url"));
	s->client_id = ss_config_get(cf, "spotify_client_id");
	s->client_secret = ss_config_get(cf, "spotify_client_secret");
	*sp = s;
	return 0;
}

static void
drop_token(struct ss_spotify *s)
{
	if (s->token != NULL) {
		explicit_bzero(s->token, strlen(s->token));
		free(s->token);
	}
	s->token = NULL;
}

void
ss_spotify_free(struct ss_spotify *s)
{
	if (s == NULL)
		return;
	drop_token(s);
	explicit_bzero(s->key, sizeof(s->key));
	free(s->api);
	free(s->accounts);
	free(s);
}

const char *
ss_spotify_api(const struct ss_spotify *s)
{
	return s->api;
}

static int
load_key(struct ss_spotify *s, struct ss_err *e)
{
	struct sbuf path = SBUF_INIT;
	int ret = -1;

	if (s->have_key)
		return 0;
	if (ss_config_home(s->cf, &path, e) == -1)
		goto out;
	if (ss_mkdirs(path.buf, 0700, e) == -1)
		goto out;
	sbuf_adds(&path, "/token.key");
	if (ss_crypt_key_load(path.buf, s->key, e) == -1)
		goto out;
	s->have_key = 1;
	ret = 0;
out:
	sbuf_release(&path);
	return ret;
}

/* Token storage */

static int
token_get(struct ss_spotify *s, const char *name, struct sbuf *out,
    double *expires, struct ss_err *e)
{
	sqlite3 *db = ss_ledger_sqlite(s->l);
	sqlite3_stmt *st = NULL;
	char aad[64];
	char *sealed = NULL;
	int rc, ret = -1;

	if ((rc = sqlite3_prepare_v2(db, "SELECT value, expires_at FROM "
	    "tokens WHERE service = ?1 AND name = ?2", -1, &st,
	    NULL)) != SQLITE_OK)
		return ss_ledger_db_err(s->l, rc, "reading tokens", e);
	sqlite3_bind_text(st, 1, SERVICE, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		ret = 0;
		goto out;
	}
	if (rc != SQLITE_ROW) {
		ss_ledger_db_err(s->l, rc, "reading tokens", e);
		goto out;
	}
	sealed = xstrdup((const char *)sqlite3_column_text(st, 0));
	if (expires != NULL)
		*expires = sqlite3_column_double(st, 1);
	sqlite3_finalize(st);
	st = NULL;
	if (load_key(s, e) == -1)
		goto out;
	snprintf(aad, sizeof(aad), "%s/%s", SERVICE, name);
	sbuf_reset(out);
	if (ss_crypt_open(s->key, aad, sealed, out, e) == -1) {
		ss_err_prefix(e, "stored Spotify %s token", name);
		goto out;
	}
	ret = 1;
out:
	sqlite3_finalize(st);
	free(sealed);
	return ret;
}

static int
token_put(struct ss_spotify *s, const char *name, const char *value,
    double expires, struct ss_err *e)
{
	sqlite3 *db = ss_ledger_sqlite(s->l);
	sqlite3_stmt *st = NULL;
	struct sbuf sealed = SBUF_INIT;
	char aad[64];
	int rc, ret = -1;

	if (load_key(s, e) == -1)
		return -1;
	snprintf(aad, sizeof(aad), "%s/%s", SERVICE, name);
	if (ss_crypt_seal(s->key, aad, value, strlen(value), &sealed,
	    e) == -1)
		goto out;
	if ((rc = sqlite3_prepare_v2(db, "INSERT INTO tokens (service, name, "
	    "value, expires_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5) "
	    "ON CONFLICT (service, name) DO UPDATE SET value = ?3, "
	    "expires_at = ?4, updated_at = ?5", -1, &st,
	    NULL)) != SQLITE_OK) {
		ss_ledger_db_err(s->l, rc, "storing a token", e);
		goto out;
	}
	sqlite3_bind_text(st, 1, SERVICE, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, sealed.buf, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 4, expires);
	sqlite3_bind_double(st, 5, ss_now());
	if ((rc = sqlite3_step(st)) != SQLITE_DONE) {
		ss_ledger_db_err(s->l, rc, "storing a token", e);
		goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(st);
	sbuf_release(&sealed);
	return ret;
}

int
ss_spotify_logout(struct ss_spotify *s, int *had, struct ss_err *e)
{
	sqlite3 *db = ss_ledger_sqlite(s->l);
	sqlite3_stmt *st = NULL;
	int rc;

	drop_token(s);
	if ((rc = sqlite3_prepare_v2(db, "DELETE FROM tokens WHERE "
	    "service = ?1", -1, &st, NULL)) != SQLITE_OK)
		return ss_ledger_db_err(s->l, rc, "deleting tokens", e);
	sqlite3_bind_text(st, 1, SERVICE, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return ss_ledger_db_err(s->l, rc, "deleting tokens", e);
	if (had != NULL)
		*had = sqlite3_changes(db) > 0;
	return 0;
}

int
ss_spotify_logged_in(struct ss_spotify *s, struct ss_err *e)
{
	sqlite3 *db = ss_ledger_sqlite(s->l);
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = sqlite3_prepare_v2(db, "SELECT 1 FROM tokens WHERE "
	    "service = ?1 AND name = 'refresh'", -1, &st, NULL)) != SQLITE_OK)
		return ss_ledger_db_err(s->l, rc, "reading tokens", e);
	sqlite3_bind_text(st, 1, SERVICE, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return ss_ledger_db_err(s->l, rc, "reading tokens", e);
	return rc == SQLITE_ROW;
}

/* The token endpoint */

static void
form_add(struct sbuf *f, const char *name, const char *value)
{
	if (f->len > 0)
		sbuf_addch(f, '&');
	sbuf_addf(f, "%s=", name);
	ss_http_escape(value, strlen(value), f);
}

static const char *
jv_str(jv o, const char *key)
{
	jv v = jv_object_get(jv_copy(o), jv_string(key));
	const char *s = jv_get_kind(v) == JV_KIND_STRING ?
	    jv_string_value(v) : NULL;

	jv_free(v);
	return s;
}

/*
 * POSTs form to the token endpoint (with Basic credentials if basic) and
 * stores what comes back: the access token under access_name and a
 * refresh token, if any.
 */
static int
token_request(struct ss_spotify *s, const char *form, int basic,
    const char *access_name, struct ss_err *e)
{
	struct ss_http_resp r = SS_HTTP_RESP_INIT;
	struct sbuf url = SBUF_INIT, auth = SBUF_INIT, cred = SBUF_INIT;
	const char *hdrs[3] = { "Content-Type: "
	    "application/x-www-form-urlencoded", NULL, NULL };
	struct ss_http_req q;
	const char *tok, *rt, *err, *desc;
	jv v = jv_invalid(), ex;
	double expires_in = 3600;
	int ret = -1;

	sbuf_addf(&url, "%s/api/token", s->accounts);
	if (basic) {
		sbuf_addf(&cred, "%s:%s", s->client_id, s->client_secret);
		sbuf_adds(&auth, "Authorization: Basic ");
		ss_base64_encode(cred.buf, cred.len, &auth);
		hdrs[1] = auth.buf;
	}
	memset(&q, 0, sizeof(q));
	q.service = "spotify-accounts";
	q.method = "POST";
	q.url = url.buf;
	q.headers = hdrs;
	q.body = form;
	q.body_len = strlen(form);
	if (ss_http_do(s->h, &q, &r, e) == -1)
		goto out;
	v = jv_parse_sized(r.body.buf, (int)r.body.len);
	if (r.status != 200) {
		err = jv_get_kind(v) == JV_KIND_OBJECT ? jv_str(v, "error") :
		    NULL;
		desc = jv_get_kind(v) == JV_KIND_OBJECT ?
		    jv_str(v, "error_description") : NULL;
		ss_err_set(e, "auth", 0, "the Spotify accounts service "
		    "refused: %s (%s, status %ld)%s", desc ? desc : "no reason",
		    err ? err : "?", r.status,
		    err != NULL && strcmp(err, "invalid_grant") == 0 &&
		    strstr(form, "refresh_token") != NULL ?
		    "; log in again with ss-fetch-playlists --login" : "");
		goto out;
	}
	if (jv_get_kind(v) != JV_KIND_OBJECT ||
	    (tok = jv_str(v, "access_token")) == NULL) {
		ss_err_set(e, "bad_response", 1, "the Spotify token answer "
		    "is not what was expected");
		goto out;
	}
	ex = jv_object_get(jv_copy(v), jv_string("expires_in"));
	if (jv_get_kind(ex) == JV_KIND_NUMBER)
		expires_in = jv_number_value(ex);
	jv_free(ex);
	if (ss_ledger_begin(s->l, e) == -1)
		goto out;
	if (token_put(s, access_name, tok, ss_now() + expires_in, e) == -1 ||
	    ((rt = jv_str(v, "refresh_token")) != NULL &&
	    token_put(s, "refresh", rt, 0, e) == -1) ||
	    ss_ledger_commit(s->l, e) == -1) {
		ss_ledger_rollback(s->l);
		goto out;
	}
	drop_token(s);
	s->token = xstrdup(tok);
	s->user = strcmp(access_name, "access") == 0;
	ret = 0;
out:
	jv_free(v);
	ss_http_resp_release(&r);
	sbuf_release(&url);
	explicit_bzero(auth.buf, auth.len);
	explicit_bzero(cred.buf, cred.len);
	sbuf_release(&auth);
	sbuf_release(&cred);
	return ret;
}

/* Gets a new access token: refresh if logged in, else client credentials. */
static int
new_token(struct ss_spotify *s, struct ss_err *e)
{
	struct sbuf rt = SBUF_INIT, form = SBUF_INIT;
	int r, ret = -1;

	if (s->client_id == NULL || *s->client_id == '\0')
		return ss_err_set(e, "auth", 0, "spotify_client_id is not set "
		    "(see ss.conf(5))");
	if ((r = token_get(s, "refresh", &rt, NULL, e)) == -1)
		goto out;
	if (r == 1) {
		form_add(&form, "grant_type", "refresh_token");
		form_add(&form, "refresh_token", rt.buf);
		form_add(&form, "client_id", s->client_id);
		ret = token_request(s, form.buf, 0, "access", e);
	} else if (s->client_secret != NULL && *s->client_secret != '\0') {
		form_add(&form, "grant_type", "client_credentials");
		ret = token_request(s, form.buf, 1, "client", e);
	} else {
		ss_err_set(e, "auth", 0, "no Spotify credentials: run "
		    "ss-fetch-playlists --login, or set spotify_client_secret "
		    "for client-credentials access");
	}
out:
	explicit_bzero(rt.buf, rt.len);
	explicit_bzero(form.buf, form.len);
	sbuf_release(&rt);
	sbuf_release(&form);
	return ret;
}

/* A token from memory, the ledger (if still good for a minute), or new. */
static int
get_token(struct ss_spotify *s, struct ss_err *e)
{
	struct sbuf tok = SBUF_INIT;
	double exp = 0;
	int user, r;

	if (s->token != NULL)
		return 0;
	if ((user = ss_spotify_logged_in(s, e)) == -1)
		return -1;
	r = token_get(s, user ? "access" : "client", &tok, &exp, e);
	if (r == -1) {
		sbuf_release(&tok);
		return -1;
	}
	if (r == 1 && exp > ss_now() + 60) {
		s->token = sbuf_detach(&tok, NULL);
		s->user = user;
		return 0;
	}
	explicit_bzero(tok.buf, tok.len);
	sbuf_release(&tok);
	return new_token(s, e);
}

/* The Web API */

static void
api_message(jv v, struct sbuf *out)
{
	jv err, msg;

	sbuf_reset(out);
	if (jv_get_kind(v) != JV_KIND_OBJECT)
		return;
	err = jv_object_get(jv_copy(v), jv_string("error"));
	if (jv_get_kind(err) == JV_KIND_OBJECT) {
		msg = jv_object_get(jv_copy(err), jv_string("message"));
		if (jv_get_kind(msg) == JV_KIND_STRING)
			sbuf_adds(out, jv_string_value(msg));
		jv_free(msg);
	} else if (jv_get_kind(err) == JV_KIND_STRING) {
		sbuf_adds(out, jv_string_value(err));
	}
	jv_free(err);
}

int
ss_spotify_get(struct ss_spotify *s, const char *url, double cache_ttl,
    jv *out, struct ss_err *e)
{
	struct ss_http_resp r = SS_HTTP_RESP_INIT;
	struct sbuf full = SBUF_INIT, auth = SBUF_INIT, msg = SBUF_INIT;
	const char *hdrs[3] = { "Accept: application/json", NULL, NULL };
	struct ss_http_req q;
	jv v = jv_invalid();
	int tries, ret = -1;

	*out = jv_invalid();
	if (strncmp(url, "http://", 7) == 0 || strncmp(url, "https://", 8) == 0)
		sbuf_adds(&full, url);
	else
		sbuf_addf(&full, "%s%s", s->api, url);
	memset(&q, 0, sizeof(q));
	q.service = SERVICE;
	q.url = full.buf;
	q.headers = hdrs;
	q.cache_ttl = cache_ttl;
	for (tries = 0; tries < 2; tries++) {
		/* after a 401 the stored token is no good either */
		if ((tries == 0 ? get_token(s, e) : new_token(s, e)) == -1)
			goto out;
		explicit_bzero(auth.buf, auth.len);
		sbuf_reset(&auth);
		sbuf_addf(&auth, "Authorization: Bearer %s", s->token);
		hdrs[1] = auth.buf;
		if (ss_http_do(s->h, &q, &r, e) == -1)
			goto out;
		if (r.status != 401)
			break;
		drop_token(s);
	}
	jv_free(v);
	v = jv_parse_sized(r.body.buf, (int)r.body.len);
	if (r.status >= 200 && r.status < 300) {
		if (!jv_is_valid(v)) {
			ss_err_set(e, "bad_response", 1, "GET %s: the answer "
			    "is not JSON", full.buf);
			goto out;
		}
		*out = v;
		v = jv_invalid();
		ret = 0;
		goto out;
	}
	api_message(v, &msg);
	if (msg.len == 0)
		sbuf_adds(&msg, "no message");
	ss_err_set(e, r.status == 401 ? "auth" : r.status == 403 ?
	    "forbidden" : r.status == 404 ? "not_found" : "bad_request", 0,
	    "GET %s: %ld %s", full.buf, r.status, msg.buf);
out:
	jv_free(v);
	ss_http_resp_release(&r);
	explicit_bzero(auth.buf, auth.len);
	sbuf_release(&auth);
	sbuf_release(&full);
	sbuf_release(&msg);
	return ret;
}

/* Login */

static void
random_text(char *out, size_t n)
{
	static const char set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789";
	uint64_t r = 0;
	size_t i, left = 0;

	for (i = 0; i < n; i++) {
		if (left == 0) {
			r = ss_random64();
			left = 10;
		}
		out[i] = set[r % 62];
		r /= 62;
		left--;
	}
	out[n] = '\0';
}

/* base64url without padding of SHA-256(verifier). */
static int
challenge(const char *verifier, struct sbuf *out, struct ss_err *e)
{
	unsigned char md[SS_SHA256_LEN];
	size_t i;

	if (ss_sha256(verifier, strlen(verifier), md, e) == -1)
		return -1;
	ss_base64_encode(md, sizeof(md), out);
	while (out->len > 0 && out->buf[out->len - 1] == '=')
		sbuf_setlen(out, out->len - 1);
	for (i = 0; i < out->len; i++)
		if (out->buf[i] == '+')
			out->buf[i] = '-';
		else if (out->buf[i] == '/')
			out->buf[i] = '_';
	return 0;
}

/* Splits "http://127.0.0.1[:PORT]/PATH"; -1 if it is not that. */
static int
parse_redirect(const char *uri, long *port, const char **path)
{
	static const char pfx[] = "http://127.0.0.1";
	struct ss_err e = SS_ERR_INIT;
	char buf[8];
	const char *p;
	long long v;
	size_t n;

	if (strncmp(uri, pfx, sizeof(pfx) - 1) != 0)
		return -1;
	p = uri + sizeof(pfx) - 1;
	*port = 0;
	if (*p == ':') {
		n = strcspn(p + 1, "/");
		if (n == 0 || n >= sizeof(buf))
			return -1;
		memcpy(buf, p + 1, n);
		buf[n] = '\0';
		if (ss_strtonum(buf, 1, 65535, &v, &e) == -1)
			return -1;
		*port = (long)v;
		p += 1 + n;
	}
	if (*p != '/' && *p != '\0')
		return -1;
	*path = *p != '\0' ? p : "/";
	return 0;
}

int
ss_spotify_login_begin(struct ss_spotify *s, struct ss_spotify_login *lg,
    int listen_now, struct ss_err *e)
{
	struct sbuf url = SBUF_INIT, ch = SBUF_INIT;
	struct sockaddr_in sa;
	socklen_t salen = sizeof(sa);
	const char *ruri = ss_config_get(s->cf, "spotify_redirect_uri");
	const char *path;
	long port;
	int one = 1;

	memset(lg, 0, sizeof(*lg));
	lg->fd = -1;
	if (s->client_id == NULL || *s->client_id == '\0')
		return ss_err_set(e, "config", 0, "spotify_client_id is not "
		    "set (see ss.conf(5))");
	if (parse_redirect(ruri, &port, &path) == -1) {
		if (listen_now)
			return ss_err_set(e, "config", 0, "spotify_redirect_uri "
			    "'%s' is not http://127.0.0.1[:PORT]/PATH",
			    ruri);
		snprintf(lg->redirect, sizeof(lg->redirect), "%s", ruri);
	} else if (listen_now) {
		if ((lg->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC,
		    0)) == -1)
			return ss_err_errno(e, "socket");
		setsockopt(lg->fd, SOL_SOCKET, SO_REUSEADDR, &one,
		    sizeof(one));
		memset(&sa, 0, sizeof(sa));
		sa.sin_family = AF_INET;
		sa.sin_port = htons((uint16_t)port);
		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (bind(lg->fd, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
		    listen(lg->fd, 4) == -1 ||
		    getsockname(lg->fd, (struct sockaddr *)&sa,
		    &salen) == -1) {
			ss_err_errno(e, "cannot listen on 127.0.0.1:%ld", port);
			ss_spotify_login_release(lg);
			return -1;
		}
		snprintf(lg->redirect, sizeof(lg->redirect),
		    "http://127.0.0.1:%u%s", ntohs(sa.sin_port), path);
	} else {
		snprintf(lg->redirect, sizeof(lg->redirect), "%s", ruri);
	}
	random_text(lg->verifier, 64);
	random_text(lg->state, 32);
	if (challenge(lg->verifier, &ch, e) == -1) {
		ss_spotify_login_release(lg);
		sbuf_release(&ch);
		return -1;
	}
	sbuf_addf(&url, "%s/authorize?client_id=", s->accounts);
	ss_http_escape(s->client_id, strlen(s->client_id), &url);
	sbuf_adds(&url, "&response_type=code&redirect_uri=");
	ss_http_escape(lg->redirect, strlen(lg->redirect), &url);
	sbuf_adds(&url, "&code_challenge_method=S256&code_challenge=");
	sbuf_adds(&url, ch.buf);
	sbuf_addf(&url, "&state=%s&scope=", lg->state);
	ss_http_escape(SCOPES, strlen(SCOPES), &url);
	lg->url = sbuf_detach(&url, NULL);
	sbuf_release(&ch);
	return 0;
}

void
ss_spotify_login_release(struct ss_spotify_login *lg)
{
	if (lg->fd != -1)
		close(lg->fd);
	lg->fd = -1;
	free(lg->url);
	lg->url = NULL;
	explicit_bzero(lg->verifier, sizeof(lg->verifier));
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The decoded value of name in the query q (up to '#', ' ' or end). */
static int
query_param(const char *q, const char *name, struct sbuf *out)
{
	size_t n = strlen(name);
	const char *p = q, *end;
	int a, b;

	sbuf_reset(out);
	while (*p != '\0' && *p != '#' && *p != ' ') {
		end = p + strcspn(p, "&# ");
		if ((size_t)(end - p) > n && strncmp(p, name, n) == 0 &&
		    p[n] == '=') {
			for (p += n + 1; p < end; p++) {
				if (*p == '+') {
					sbuf_addch(out, ' ');
				} else if (*p == '%' && end - p >= 3 &&
				    (a = hexval(p[1])) >= 0 &&
				    (b = hexval(p[2])) >= 0) {
					sbuf_addch(out, a * 16 + b);
					p += 2;
				} else {
					sbuf_addch(out, *p);
				}
			}
			return 1;
		}
		p = *end == '&' ? end + 1 : end;
	}
	return 0;
}

/* Checks the redirect's query and exchanges its code. */
static int
finish_query(struct ss_spotify *s, struct ss_spotify_login *lg,
    const char *query, struct ss_err *e)
{
	struct sbuf v = SBUF_INIT, form = SBUF_INIT;
	int ret = -1;

	if (query_param(query, "error", &v)) {
		ss_err_set(e, "auth", 0, "Spotify login refused: %s", v.buf);
		goto out;
	}
	if (!query_param(query, "state", &v) || strcmp(v.buf, lg->state)) {
		ss_err_set(e, "auth", 0, "the login answer does not belong to "
		    "this login (state mismatch)");
		goto out;
	}
	if (!query_param(query, "code", &v) || v.len == 0) {
		ss_err_set(e, "auth", 0, "the login answer has no code");
		goto out;
	}
	form_add(&form, "grant_type", "authorization_code");
	form_add(&form, "code", v.buf);
	form_add(&form, "redirect_uri", lg->redirect);
	form_add(&form, "client_id", s->client_id);
	form_add(&form, "code_verifier", lg->verifier);
	ret = token_request(s, form.buf, 0, "access", e);
out:
	explicit_bzero(form.buf, form.len);
	sbuf_release(&v);
	sbuf_release(&form);
	return ret;
}

int
ss_spotify_login_finish(struct ss_spotify *s, struct ss_spotify_login *lg,
    const char *redirect_url, struct ss_err *e)
{
	const char *q = strchr(redirect_url, '?');

	if (q == NULL)
		return ss_err_set(e, "auth", 0, "that is not the URL the "
		    "browser was sent to (it has no '?code=...')");
	return finish_query(s, lg, q + 1, e);
}

static void
reply(int fd, const char *status, const char *text)
{
	struct sbuf sb = SBUF_INIT;
	struct ss_err e = SS_ERR_INIT;

	sbuf_addf(&sb, "HTTP/1.1 %s\r\nContent-Type: text/html; "
	    "charset=utf-8\r\nConnection: close\r\nContent-Length: %zu\r\n\r\n"
	    "%s", status, strlen(text), text);
	ss_write_full(fd, sb.buf, sb.len, &e);
	sbuf_release(&sb);
}

int
ss_spotify_login_wait(struct ss_spotify *s, struct ss_spotify_login *lg,
    double timeout, struct ss_err *e)
{
	char req[8192];
	struct pollfd pfd;
	const char *path = strchr(lg->redirect + 7, '/');
	double end = ss_now() + timeout;
	size_t n, plen;
	ssize_t k;
	int c, r;
	char *sp, *q;

	plen = strlen(path);
	for (;;) {
		pfd.fd = lg->fd;
		pfd.events = POLLIN;
		r = poll(&pfd, 1, (int)((end - ss_now()) * 1000));
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			return ss_err_errno(e, "poll");
		if (r == 0 || ss_now() >= end)
			return ss_err_set(e, "timeout", 1, "no answer from the "
			    "browser within %.0f s", timeout);
		if ((c = accept4(lg->fd, NULL, NULL, SOCK_CLOEXEC)) == -1)
			continue;
		n = 0;
		while (n < sizeof(req) - 1) {
			pfd.fd = c;
			pfd.events = POLLIN;
			if (poll(&pfd, 1, 5000) <= 0)
				break;
			if ((k = read(c, req + n, sizeof(req) - 1 - n)) <= 0)
				break;
			n += (size_t)k;
			req[n] = '\0';
			if (strstr(req, "\r\n\r\n") != NULL ||
			    strstr(req, "\n\n") != NULL)
				break;
		}
		req[n] = '\0';
		sp = strchr(req, ' ');
		if (strncmp(req, "GET ", 4) != 0 || sp == NULL ||
		    strncmp(sp + 1, path, plen) != 0 ||
		    (sp[1 + plen] != '?' && sp[1 + plen] != ' ')) {
			reply(c, "404 Not Found", "not found\n");
			close(c);
			continue;
		}
		q = sp[1 + plen] == '?' ? sp + 2 + plen : sp + 1 + plen;
		q[strcspn(q, " \r\n")] = '\0';
		r = finish_query(s, lg, q, e);
		reply(c, r == 0 ? "200 OK" : "400 Bad Request", r == 0 ?
		    "<!DOCTYPE html><title>SoulSpot</title><p>SoulSpot is "
		    "logged in to Spotify. You may close this window.\n" :
		    "<!DOCTYPE html><title>SoulSpot</title><p>The login "
		    "failed; see the terminal.\n");
		close(c);
		return r;
	}
}

/* Tracks */

jv
ss_spotify_track_want(jv t, jv album, const char **why)
{
	jv w, al, arts, names, a, ids, v;
	const char *type, *id, *date;
	char uri[64];
	int i, n;

	if (why != NULL)
		*why = NULL;
	if (jv_get_kind(t) != JV_KIND_OBJECT) {
		if (why != NULL)
			*why = "unavailable";
		return jv_invalid();
	}
	type = jv_str(t, "type");
	v = jv_object_get(jv_copy(t), jv_string("is_local"));
	if (jv_get_kind(v) == JV_KIND_TRUE) {
		jv_free(v);
		if (why != NULL)
			*why = "local";
		return jv_invalid();
	}
	jv_free(v);
	if (type != NULL && strcmp(type, "episode") == 0) {
		if (why != NULL)
			*why = "episode";
		return jv_invalid();
	}
	if ((id = jv_str(t, "id")) == NULL || jv_str(t, "name") == NULL) {
		if (why != NULL)
			*why = "unavailable";
		return jv_invalid();
	}
	al = jv_object_get(jv_copy(t), jv_string("album"));
	if (jv_get_kind(al) != JV_KIND_OBJECT) {
		jv_free(al);
		al = jv_copy(album);
	}
	names = jv_array();
	arts = jv_object_get(jv_copy(t), jv_string("artists"));
	n = jv_get_kind(arts) == JV_KIND_ARRAY ? jv_array_length(
	    jv_copy(arts)) : 0;
	for (i = 0; i < n; i++) {
		a = jv_array_get(jv_copy(arts), i);
		if (jv_get_kind(a) == JV_KIND_OBJECT && jv_str(a, "name"))
			names = jv_array_append(names,
			    jv_string(jv_str(a, "name")));
		jv_free(a);
	}
	jv_free(arts);
	snprintf(uri, sizeof(uri), "spotify:track:%s", id);
	w = JV_OBJECT(jv_string("title"), jv_string(jv_str(t, "name")),
	    jv_string("artists"), names,
	    jv_string("duration_ms"), jv_object_get(jv_copy(t),
	    jv_string("duration_ms")),
	    jv_string("track"), jv_object_get(jv_copy(t),
	    jv_string("track_number")),
	    jv_string("disc"), jv_object_get(jv_copy(t),
	    jv_string("disc_number")));
	ids = jv_object_get(jv_copy(t), jv_string("external_ids"));
	if (jv_get_kind(ids) == JV_KIND_OBJECT && jv_str(ids, "isrc"))
		w = jv_object_set(w, jv_string("isrc"),
		    jv_string(jv_str(ids, "isrc")));
	jv_free(ids);
	if (jv_get_kind(al) == JV_KIND_OBJECT) {
		if (jv_str(al, "name"))
			w = jv_object_set(w, jv_string("album"),
			    jv_string(jv_str(al, "name")));
		arts = jv_object_get(jv_copy(al), jv_string("artists"));
		if (jv_get_kind(arts) == JV_KIND_ARRAY &&
		    jv_array_length(jv_copy(arts)) > 0) {
			a = jv_array_get(jv_copy(arts), 0);
			if (jv_get_kind(a) == JV_KIND_OBJECT &&
			    jv_str(a, "name"))
				w = jv_object_set(w, jv_string("albumartist"),
				    jv_string(jv_str(a, "name")));
			jv_free(a);
		}
		jv_free(arts);
		if ((date = jv_str(al, "release_date")) != NULL &&
		    strlen(date) >= 4 && date[0] >= '0' && date[0] <= '9')
			w = jv_object_set(w, jv_string("year"),
			    jv_number((double)strtol(date, NULL, 10)));
	}
	w = jv_object_set(w, jv_string("spotify"), JV_OBJECT(
	    jv_string("id"), jv_string(id), jv_string("uri"), jv_string(uri),
	    jv_string("album_id"), jv_get_kind(al) == JV_KIND_OBJECT &&
	    jv_str(al, "id") ? jv_string(jv_str(al, "id")) : jv_null()));
	jv_free(al);
	return w;
}
