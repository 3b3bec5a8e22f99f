/* spotify.h: the Spotify Web API client: tokens, authorised GETs, login. */
#ifndef SS_SPOTIFY_H
#define SS_SPOTIFY_H

#include <jv.h>

struct ss_config;
struct ss_err;
struct ss_http;
struct ss_ledger;

/*
 * Tokens live in the ledger's tokens table, sealed with ss_crypt under
 * the key file HOME/token.key (service "spotify"; names "refresh",
 * "access" for the user's access token, "client" for a client-credentials
 * one).  Which token a request uses: the user's when a refresh token is
 * stored (after --login), else client credentials when
 * spotify_client_secret is set.  An access token is reused until a
 * minute before it expires, across runs; a 401 answer drops it, gets a
 * new one (refresh, or client credentials again) and tries once more.
 * A refresh answer that carries a new refresh token replaces the old
 * one (rotation).
 *
 * Error codes besides those of ss_http_do:
 *   "auth"          no usable credentials, or the accounts service
 *                   refused them (not temporary: the user must act)
 *   "forbidden"     403 from the Web API
 *   "not_found"     404 from the Web API
 *   "bad_request"   any other 4xx
 *   "bad_response"  a 2xx whose body is not JSON (temporary)
 *   "crypt", "io"   the key file
 * Messages carry the API's own error message, never a token.
 */
struct ss_spotify;

/* h, l and cf are borrowed and must outlive s. */
int ss_spotify_new(struct ss_spotify **sp, struct ss_http *h,
    struct ss_ledger *l, const struct ss_config *cf, struct ss_err *e);
void ss_spotify_free(struct ss_spotify *s);	/* NULL is fine */

/* The Web API base URL without a trailing slash (borrowed). */
const char *ss_spotify_api(const struct ss_spotify *s);

/*
 * GETs url (absolute, or a path such as "/playlists/ID" under the API
 * base) with a bearer token and sets *out to the parsed JSON (the caller
 * frees it).  cache_ttl > 0 lets the HTTP cache answer.
 */
int ss_spotify_get(struct ss_spotify *s, const char *url, double cache_ttl,
    jv *out, struct ss_err *e);

/* 1 if a refresh token is stored (user mode), 0 if not, -1 on error. */
int ss_spotify_logged_in(struct ss_spotify *s, struct ss_err *e);

/*
 * Login: authorization code with PKCE (S256).
 *
 *   struct ss_spotify_login lg;
 *   ss_spotify_login_begin(s, &lg, listen, e);
 *   show lg.url to the user;
 *   listen ? ss_spotify_login_wait(s, &lg, 300, e)
 *          : ss_spotify_login_finish(s, &lg, pasted_redirect_url, e);
 *   ss_spotify_login_release(&lg);
 *
 * begin makes the verifier, its challenge and a random state, and with
 * listen set opens a one-shot listener on 127.0.0.1 at the port of
 * spotify_redirect_uri (any free port when it has none); lg.redirect is
 * the redirect URI sent.  wait accepts connections until the redirect
 * arrives (or timeout seconds pass: "timeout", temporary), answers the
 * browser with a short page, checks state and exchanges the code.
 * finish does the same with the URL the browser was sent to, pasted by
 * the user.  The refresh and access tokens are then stored.  Errors:
 * "auth" (denied, state mismatch, code refused), "config"
 * (spotify_client_id unset, a redirect URI that is not loopback HTTP),
 * "io" (the listener).
 */
struct ss_spotify_login {
	char verifier[65];
	char state[33];
	char redirect[256];
	char *url;		/* the authorize URL, owned */
	int fd;			/* the listener, or -1 */
};
int ss_spotify_login_begin(struct ss_spotify *s, struct ss_spotify_login *lg,
    int listen, struct ss_err *e);
int ss_spotify_login_wait(struct ss_spotify *s, struct ss_spotify_login *lg,
    double timeout, struct ss_err *e);
int ss_spotify_login_finish(struct ss_spotify *s, struct ss_spotify_login *lg,
    const char *redirect_url, struct ss_err *e);
void ss_spotify_login_release(struct ss_spotify_login *lg);

/* Deletes every stored Spotify token; *had (may be NULL): were there any. */
int ss_spotify_logout(struct ss_spotify *s, int *had, struct ss_err *e);

/*
 * The want of a Spotify track object (borrowed): title, artists, album,
 * albumartist, duration_ms, isrc (external_ids), track, disc, year
 * (album.release_date), spotify {id, uri, album_id}.  album (borrowed;
 * jv_null() if none) stands in for a track without "album" (album
 * track listings).  Returns jv_invalid() when track is not a playable
 * track: null, a local file or an episode; *why (may be NULL) then says
 * which ("unavailable", "local", "episode").
 */
jv ss_spotify_track_want(jv track, jv album, const char **why);

#endif
