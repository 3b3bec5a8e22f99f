"""Fake Spotify: the accounts service (OAuth) and the Web API.

Mounts: /spotify-accounts plays https://accounts.spotify.com
(/authorize, /api/token) and /spotify plays https://api.spotify.com
(/v1/...).  Behaviour follows reference/apis.md section 2: client
credentials, authorization code with PKCE S256, refresh-token rotation,
the 2026 /items shape and the legacy /tracks shape, 403 on foreign
playlists in "restricted" mode, local files, null items, episodes.
"""

import base64
import hashlib
import time
import urllib.parse

from common import Response, Service, dumps, empty, json_response, \
    stable_b62, token

JSON_CT = "application/json; charset=utf-8"


def api_error(status, message, headers=None):
    """Web API error envelope (spacing as in the captured raw bodies)."""
    return Response(status, dumps({"error": {"status": status,
                                             "message": message}}),
                    headers, JSON_CT)


def oauth_error(error, description, status=400):
    return Response(status, dumps({"error": error,
                                   "error_description": description}),
                    None, JSON_CT)


def pkce_challenge(verifier):
    digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def date_precision(d):
    return {4: "year", 7: "month", 10: "day"}.get(len(d or ""), None)


class Spotify(Service):
    name = "spotify"
    mounts = ["/spotify-accounts", "/spotify"]

    def __init__(self, fake):
        super().__init__(fake)
        self.reset()

    def reset(self):
        self.codes = {}         # code -> grant
        self.access = {}        # access token -> {kind, client_id, exp, ...}
        self.refresh = {}       # refresh token -> {client_id, scope}
        self.stats = {"issued_access": 0, "issued_refresh": 0,
                      "refresh_rotations": 0}

    def base_urls(self, origin):
        return {"spotify_accounts": origin + "/spotify-accounts",
                "spotify_api": origin + "/spotify/v1"}

    def fault(self, kind, rule, req):
        if kind == "429":
            return empty(429)
        if kind in ("500", "502", "503", "504"):
            return api_error(int(kind), {
                500: "Server error.", 502: "Bad gateway.",
                503: "Service unavailable", 504: "Gateway timeout"}[int(kind)])
        if kind == "expired_token":
            return self.expired()
        return None

    def expired(self):
        return api_error(401, "The access token expired", [(
            "WWW-Authenticate", 'Bearer realm="spotify", '
            'error="invalid_token", error_description='
            '"The access token expired"')])

    def control(self, action, req):
        if action == "expire":
            for a in self.access.values():
                a["exp"] = time.time() - 1
            return empty(204)
        if action == "revoke":
            self.refresh = {}
            return empty(204)
        return None

    def state(self):
        return {"mode": self.conf.get("mode"),
                "access_tokens": len(self.access),
                "refresh_tokens": list(self.refresh),
                "codes": len(self.codes), **self.stats}

    def handle(self, req):
        if req.mount == "/spotify-accounts":
            return self.accounts(req)
        return self.web_api(req)

    # -- accounts ---------------------------------------------------------

    def client(self, client_id):
        for c in self.conf.get("clients", []):
            if c.get("client_id") == client_id:
                return c
        return None

    def redirect_ok(self, client, uri):
        """Exact match, or a loopback IP registered without a port, which
        accepts any port.  'localhost' never matches (2025 rules)."""
        u = urllib.parse.urlsplit(uri or "")
        if u.hostname == "localhost":
            return False
        for r in client.get("redirect_uris", []):
            if r == uri:
                return True
            ru = urllib.parse.urlsplit(r)
            if ru.hostname in ("127.0.0.1", "::1") and ru.port is None and \
                    u.scheme == ru.scheme and u.hostname == ru.hostname and \
                    u.path == ru.path:
                return True
        return False

    def accounts(self, req):
        if req.path == "/authorize" and req.method == "GET":
            return self.authorize(req)
        if req.path == "/api/token" and req.method == "POST":
            return self.token(req)
        return Response(404, "<html><body>Not found</body></html>",
                        content_type="text/html; charset=utf-8")

    def authorize(self, req):
        """Plays the user's browser too: approves (or denies, per the
        "authorize" setting) at once and redirects to redirect_uri."""
        c = self.client(req.q("client_id"))
        if c is None:
            return Response(400, "INVALID_CLIENT: Invalid client",
                            content_type="text/plain; charset=utf-8")
        uri = req.q("redirect_uri")
        if not self.redirect_ok(c, uri):
            return Response(400, "INVALID_CLIENT: Invalid redirect URI",
                            content_type="text/plain; charset=utf-8")
        params = {}
        if req.q("response_type") != "code":
            params["error"] = "unsupported_response_type"
        elif req.q("code_challenge") and \
                req.q("code_challenge_method") != "S256":
            params["error"] = "invalid_request"
        elif self.conf.get("authorize") == "deny":
            params["error"] = "access_denied"
        else:
            code = token(48, "AQ")
            self.codes[code] = {
                "client_id": c["client_id"], "redirect_uri": uri,
                "challenge": req.q("code_challenge"),
                "scope": req.q("scope", ""), "exp": time.time() + 600}
            params["code"] = code
        if req.q("state") is not None:
            params["state"] = req.q("state")
        sep = "&" if "?" in uri else "?"
        return Response(302, b"", [(
            "Location", uri + sep + urllib.parse.urlencode(params))])

    def issue(self, kind, client_id, scope="", with_refresh=False):
        now = time.time()
        ttl = int(self.conf.get("token_ttl", 3600))
        at = token(60, "BQ")
        self.access[at] = {"kind": kind, "client_id": client_id,
                           "exp": now + ttl, "scope": scope}
        self.stats["issued_access"] += 1
        d = {"access_token": at, "token_type": "Bearer", "expires_in": ttl}
        if with_refresh:
            rt = token(60, "AQ")
            self.refresh[rt] = {"client_id": client_id, "scope": scope}
            self.stats["issued_refresh"] += 1
            d["refresh_token"] = rt
        if kind == "user":
            d["scope"] = scope
        return d

    def token(self, req):
        form = {k: v[0] for k, v in req.form().items()}
        auth = req.header("Authorization") or ""
        client_id, secret = form.get("client_id"), form.get("client_secret")
        if auth.startswith("Basic "):
            try:
                raw = base64.b64decode(auth[6:].strip()).decode()
                client_id, _, secret = raw.partition(":")
            except (ValueError, UnicodeDecodeError):
                return oauth_error("invalid_client", "Invalid client")
        c = self.client(client_id)
        if c is None or (secret is not None and
                         secret != c.get("client_secret")):
            return oauth_error("invalid_client", "Invalid client")
        grant = form.get("grant_type")
        if grant == "client_credentials":
            if secret is None:
                return oauth_error("invalid_client", "Invalid client")
            return json_response(self.issue("client", client_id))
        if grant == "authorization_code":
            g = self.codes.pop(form.get("code", ""), None)
            if g is None or g["client_id"] != client_id or \
                    g["exp"] < time.time():
                return oauth_error("invalid_grant",
                                   "Invalid authorization code")
            if form.get("redirect_uri") != g["redirect_uri"]:
                return oauth_error("invalid_grant", "Invalid redirect URI")
            if g["challenge"]:
                v = form.get("code_verifier")
                if not v or pkce_challenge(v) != g["challenge"]:
                    return oauth_error("invalid_grant",
                                       "code_verifier was incorrect")
            elif secret is None:
                return oauth_error("invalid_client", "Invalid client")
            return json_response(self.issue("user", client_id, g["scope"],
                                            with_refresh=True))
        if grant == "refresh_token":
            rt = form.get("refresh_token", "")
            r = self.refresh.get(rt)
            if r is None or r["client_id"] != client_id:
                return oauth_error("invalid_grant", "Invalid refresh token")
            rotate = self.conf.get("rotate_refresh_tokens", True)
            if rotate:
                del self.refresh[rt]
                self.stats["refresh_rotations"] += 1
            return json_response(self.issue("user", client_id, r["scope"],
                                            with_refresh=rotate))
        return oauth_error("unsupported_grant_type",
                           "grant_type parameter is missing")

    # -- Web API ----------------------------------------------------------

    def bearer(self, req):
        """(token info, None) or (None, error Response)."""
        auth = req.header("Authorization")
        if not auth:
            return None, api_error(401, "No token provided")
        if not auth.startswith("Bearer "):
            return None, api_error(401, "Invalid access token")
        a = self.access.get(auth[7:].strip())
        if a is None:
            return None, api_error(401, "Invalid access token")
        if a["exp"] <= time.time():
            return None, self.expired()
        return a, None

    @property
    def user(self):
        return self.conf.get("user", {"id": "testuser42"})

    def user_obj(self, base, uid, name=None):
        return {"display_name": name if name is not None else uid,
                "external_urls": {"spotify":
                                  "https://open.spotify.com/user/" + uid},
                "href": base + "/v1/users/" + uid, "id": uid,
                "type": "user", "uri": "spotify:user:" + uid}

    def web_api(self, req):
        segs = [urllib.parse.unquote(s) for s in req.path.split("/") if s]
        if segs[:1] != ["v1"]:
            return api_error(404, "Service not found")
        segs = segs[1:]
        a, err = self.bearer(req)
        if err:
            return err
        if req.method != "GET":
            return api_error(405, "Method not allowed")
        user_needed = segs[:1] == ["me"]
        if user_needed and a["kind"] != "user":
            return api_error(401, "Valid user authentication required")
        try:
            if segs == ["me"]:
                u = self.user
                return json_response(self.user_obj(
                    req.base, u["id"], u.get("display_name")))
            if segs == ["me", "playlists"]:
                return self.me_playlists(req)
            if segs == ["me", "tracks"]:
                return self.me_tracks(req)
            if segs[:1] == ["playlists"] and len(segs) in (2, 3):
                return self.playlist_route(req, a, segs)
            if segs[:1] == ["albums"] and len(segs) in (2, 3):
                return self.album_route(req, segs)
            if segs[:1] == ["tracks"] and len(segs) == 2:
                for t in self.cat.tracks.values():
                    if t["spotify_id"] == segs[1]:
                        return json_response(self.track_obj(req.base, t))
                return api_error(404, "Resource not found")
        except PagingError as e:
            return api_error(400, str(e))
        return api_error(404, "Service not found")

    # objects

    def artist_obj(self, base, name):
        a = self.cat.artist(name)
        sid = a["spotify_id"]
        return {"external_urls": {"spotify":
                                  "https://open.spotify.com/artist/" + sid},
                "href": base + "/v1/artists/" + sid, "id": sid,
                "name": a["name"], "type": "artist",
                "uri": "spotify:artist:" + sid}

    def images(self, al):
        if "images" in al:
            return al["images"]
        h = hashlib.sha1(al["key"].encode()).hexdigest()[:24]
        return [{"url": "https://i.scdn.co/image/ab67616d0000b273" + h,
                 "height": 640, "width": 640},
                {"url": "https://i.scdn.co/image/ab67616d00001e02" + h,
                 "height": 300, "width": 300},
                {"url": "https://i.scdn.co/image/ab67616d00004851" + h,
                 "height": 64, "width": 64}]

    def album_simple(self, base, al, extended=False):
        sid = al["spotify_id"]
        d = {"album_type": al.get("album_type",
                                  al["primary_type"].lower()),
             "total_tracks": al["total_tracks"],
             "external_urls": {"spotify":
                               "https://open.spotify.com/album/" + sid},
             "href": base + "/v1/albums/" + sid, "id": sid,
             "images": self.images(al), "name": al["title"],
             "release_date": al["release_date"],
             "release_date_precision": date_precision(al["release_date"]),
             "type": "album", "uri": "spotify:album:" + sid,
             "artists": [self.artist_obj(base, n) for n in al["artists"]]}
        if extended:
            d["available_markets"] = ["GB", "US", "DE"]
        return d

    def track_obj(self, base, t, context=False, extended=False,
                  with_album=True):
        sid = t["spotify_id"]
        d = {}
        al = self.cat.album_of(t)
        if with_album:
            d["album"] = self.album_simple(base, al, extended) if al else \
                self.album_simple(base, {
                    "key": "single:" + t["key"], "title": t["title"],
                    "artists": t["artists"], "primary_type": "single",
                    "total_tracks": 1, "release_date": "",
                    "spotify_id": stable_b62("album", "single", t["key"])},
                    extended)
        d["artists"] = [self.artist_obj(base, n) for n in t["artists"]]
        d["disc_number"] = t["disc_number"]
        d["duration_ms"] = t["duration_ms"]
        d["explicit"] = bool(t["explicit"])
        d["external_ids"] = {"isrc": t["isrc"]} if t.get("isrc") else {}
        d["external_urls"] = {"spotify":
                              "https://open.spotify.com/track/" + sid}
        d["href"] = base + "/v1/tracks/" + sid
        d["id"] = sid
        d["is_local"] = False
        d["name"] = t["title"]
        d["preview_url"] = None
        d["track_number"] = t["track_number"]
        d["type"] = "track"
        d["uri"] = "spotify:track:" + sid
        if context:
            d["episode"] = False
            d["track"] = True
        if extended:
            d["available_markets"] = ["GB", "US", "DE"]
            d["popularity"] = int(t.get("popularity", 50))
        return d

    def local_obj(self, lf):
        title = lf.get("title", "Unknown")
        artist = lf.get("artist", "")
        album = lf.get("album", "")
        secs = int(lf.get("duration_ms", 0)) // 1000
        q = urllib.parse.quote_plus
        return {
            "album": {"album_type": None, "artists": [],
                      "available_markets": [], "external_urls": {},
                      "href": None, "id": None, "images": [], "name": album,
                      "release_date": None, "release_date_precision": None,
                      "type": "album", "uri": None},
            "artists": [{"external_urls": {}, "href": None, "id": None,
                         "name": artist, "type": "artist", "uri": None}],
            "available_markets": [], "disc_number": 0,
            "duration_ms": int(lf.get("duration_ms", 0)), "explicit": False,
            "external_ids": {}, "external_urls": {}, "href": None,
            "id": None, "is_local": True, "name": title, "popularity": 0,
            "preview_url": None, "track_number": 0, "type": "track",
            "uri": "spotify:local:%s:%s:%s:%d" % (q(artist), q(album),
                                                 q(title), secs),
            "episode": False, "track": True}

    def episode_obj(self, base, ep):
        eid = ep.get("id") or stable_b62("episode", ep.get("name", ""))
        return {
            "description": ep.get("description", ""),
            "duration_ms": int(ep.get("duration_ms", 1800000)),
            "explicit": False,
            "external_urls": {"spotify":
                              "https://open.spotify.com/episode/" + eid},
            "href": base + "/v1/episodes/" + eid, "id": eid, "images": [],
            "is_playable": True, "name": ep.get("name", "Episode"),
            "release_date": ep.get("release_date", "2025-01-01"),
            "release_date_precision": "day", "type": "episode",
            "uri": "spotify:episode:" + eid,
            "show": {"id": stable_b62("show", ep.get("show", "")),
                     "name": ep.get("show", "Show"), "type": "show"},
            "episode": True, "track": False}

    # playlists

    def playlists(self):
        return self.cat.section("spotify").get("playlists", [])

    def playlist(self, pid):
        for p in self.playlists():
            if p.get("id") == pid:
                return p
        return None

    def owner(self, p):
        o = p.get("owner", self.user)
        return {"id": o} if isinstance(o, str) else o

    def readable(self, a, p):
        """Whether a token may read the playlist's items (2026 rule)."""
        if self.conf.get("mode") == "legacy":
            return True
        if a["kind"] != "user":
            return False
        return self.owner(p)["id"] == self.user["id"] or \
            bool(p.get("collaborative"))

    def snapshot(self, p):
        if p.get("snapshot_id"):
            return p["snapshot_id"]
        return "AAAA" + stable_b62("snapshot", p.get("id"),
                                   dumps(p.get("items", [])), length=28)

    def entry(self, base, p, i, e, shape, extended, episodes):
        """One PlaylistTrackObject; shape "items" (item+track) or "tracks"."""
        if isinstance(e, str) or e is None:
            e = {"track": e} if e else {"unavailable": True}
        added_by = e.get("added_by", self.owner(p)["id"])
        obj = None
        is_local = False
        if "local" in e:
            obj, is_local = self.local_obj(e["local"]), True
        elif "episode" in e:
            obj = self.episode_obj(base, e["episode"]) if episodes else None
        elif "track" in e and e["track"] in self.cat.tracks:
            obj = self.track_obj(base, self.cat.tracks[e["track"]],
                                 context=True, extended=extended)
        d = {"added_at": e.get("added_at", "2024-05-01T10:%02d:%02dZ"
                               % (i // 60 % 60, i % 60)),
             "added_by": self.user_obj(base, added_by),
             "is_local": is_local, "primary_color": None}
        if shape == "items":
            d["item"] = obj
        d["track"] = obj
        d["video_thumbnail"] = {"url": None}
        return d

    def page(self, req, href, entries, build, default_limit, max_limit,
             embedded=False):
        """A paging object; embedded pages ignore limit/offset parameters."""
        limit = None if embedded else req.q("limit")
        offset = None if embedded else req.q("offset")
        try:
            limit = default_limit if limit is None else int(limit)
        except ValueError:
            raise PagingError("Invalid limit")
        if not 1 <= limit <= max_limit:
            raise PagingError("Invalid limit")
        try:
            offset = 0 if offset is None else int(offset)
        except ValueError:
            raise PagingError("Invalid offset")
        if offset < 0:
            raise PagingError("Invalid offset")
        total = len(entries)
        items = [build(i, entries[i])
                 for i in range(offset, min(offset + limit, total))]

        def at(o):
            return "%s?offset=%d&limit=%d" % (href, o, limit)
        return {"href": at(offset), "items": items, "limit": limit,
                "next": at(offset + limit) if offset + limit < total
                else None,
                "offset": offset,
                "previous": at(max(0, offset - limit)) if offset > 0
                else None,
                "total": total}

    def playlist_route(self, req, a, segs):
        pid = segs[1]
        p = self.playlist(pid)
        if p is None:
            return api_error(404, "Resource not found")
        legacy = self.conf.get("mode") == "legacy"
        episodes = "episode" in (req.q("additional_types") or "")
        entries = p.get("items", [])
        href = "%s/v1/playlists/%s" % (req.base, pid)
        if len(segs) == 3:
            if segs[2] == "items":
                if not self.readable(a, p):
                    return api_error(403, "Forbidden")
                return json_response(self.page(
                    req, href + "/items", entries,
                    lambda i, e: self.entry(req.base, p, i, e, "items",
                                            False, episodes),
                    20, 100 if legacy else 50))
            if segs[2] == "tracks":
                if not legacy:
                    return api_error(403, "Forbidden")
                return json_response(self.page(
                    req, href + "/tracks", entries,
                    lambda i, e: self.entry(req.base, p, i, e, "tracks",
                                            True, episodes),
                    100, 100))
            return api_error(404, "Service not found")
        d = self.playlist_simple(req.base, p)
        del d["items"], d["tracks"]
        d["followers"] = {"href": None, "total": int(p.get("followers", 0))}
        # keep the documented field order
        out = {}
        for k in ("collaborative", "description", "external_urls",
                  "followers", "href", "id", "images", "name", "owner",
                  "primary_color", "public", "snapshot_id"):
            out[k] = d[k]
        if self.readable(a, p):
            if not legacy:
                out["items"] = self.page(
                    req, href + "/items", entries,
                    lambda i, e: self.entry(req.base, p, i, e, "items",
                                            False, episodes), 100, 100, True)
            out["tracks"] = self.page(
                req, href + "/tracks", entries,
                lambda i, e: self.entry(req.base, p, i, e, "tracks",
                                        legacy, episodes), 100, 100, True)
        else:
            out["items"] = {"href": href + "/items", "total": len(entries)}
            out["tracks"] = {"href": href + "/tracks", "total": len(entries)}
        out["type"] = "playlist"
        out["uri"] = "spotify:playlist:" + pid
        return json_response(out)

    def playlist_simple(self, base, p):
        pid = p["id"]
        o = self.owner(p)
        href = "%s/v1/playlists/%s" % (base, pid)
        n = len(p.get("items", []))
        legacy = self.conf.get("mode") == "legacy"
        return {
            "collaborative": bool(p.get("collaborative", False)),
            "description": p.get("description", ""),
            "external_urls": {"spotify":
                              "https://open.spotify.com/playlist/" + pid},
            "href": href, "id": pid, "images": p.get("images", []),
            "name": p.get("name", pid),
            "owner": self.user_obj(base, o["id"],
                                   o.get("display_name", o["id"])),
            "primary_color": None, "public": bool(p.get("public", False)),
            "snapshot_id": self.snapshot(p),
            "items": {"href": href + "/items", "total": n},
            "tracks": {"href": href + "/tracks", "total": n}
            if legacy else None,
            "type": "playlist", "uri": "spotify:playlist:" + pid}

    def me_playlists(self, req):
        ps = [p for p in self.playlists() if p.get("in_library", True)]
        return json_response(self.page(
            req, req.base + "/v1/me/playlists", ps,
            lambda i, p: self.playlist_simple(req.base, p), 20, 50))

    def me_tracks(self, req):
        saved = self.cat.section("spotify").get("saved_tracks", [])

        def build(i, e):
            if isinstance(e, str):
                e = {"track": e}
            t = self.cat.tracks.get(e.get("track"))
            return {"added_at": e.get("added_at", "2024-06-01T00:%02d:%02dZ"
                                      % (i // 60 % 60, i % 60)),
                    "track": self.track_obj(req.base, t) if t else None}
        return json_response(self.page(req, req.base + "/v1/me/tracks",
                                       saved, build, 20, 50))

    # albums

    def album_route(self, req, segs):
        al = None
        for x in self.cat.albums.values():
            if x["spotify_id"] == segs[1]:
                al = x
        if al is None:
            return api_error(404, "Resource not found")
        href = "%s/v1/albums/%s" % (req.base, al["spotify_id"])

        def build(i, t):
            return self.track_obj(req.base, t, with_album=False)
        if len(segs) == 3:
            if segs[2] != "tracks":
                return api_error(404, "Service not found")
            return json_response(self.page(req, href + "/tracks",
                                           al["tracks"], build, 20, 50))
        d = self.album_simple(req.base, al)
        d["tracks"] = self.page(req, href + "/tracks", al["tracks"], build,
                                50, 50, True)
        d["copyrights"] = []
        d["external_ids"] = {"upc": al["barcode"]} if al["barcode"] else {}
        return json_response(d)


class PagingError(Exception):
    """A bad limit/offset: 400 with the message."""
