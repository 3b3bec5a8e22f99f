"""Fakes of the small enrichment services: LRCLIB (/lrclib), Last.fm
(/lastfm) and AcoustID (/acoustid).  See reference/apis.md sections 5-7.
"""

import re
import urllib.parse
import zlib

from common import Response, Service, dumps, json_response, stable_uuid

# -- LRCLIB ---------------------------------------------------------------


def lay_norm(s):
    """LRCLIB's normalisation: lowercase, apostrophes removed, other
    punctuation to spaces, whitespace collapsed."""
    s = (s or "").lower().replace("'", "").replace("\u2019", "")
    return " ".join(re.sub(r"[^\w\s]", " ", s).split())


def lrclib_error(status, name, message):
    return Response(status, dumps({"message": message, "name": name,
                                   "statusCode": status}, compact=True),
                    content_type="application/json")


class Lrclib(Service):
    name = "lrclib"
    mounts = ["/lrclib"]

    def base_urls(self, origin):
        return {"lrclib": origin + "/lrclib/api"}

    def fault(self, kind, rule, req):
        if kind in ("500", "502", "503", "504"):
            return lrclib_error(int(kind), "UnknownError",
                                "Unknown error happened")
        return None

    def entries(self):
        out = []
        for t in self.cat.tracks.values():
            ly = t.get("lyrics")
            if not ly:
                continue
            al = self.cat.album_of(t)
            inst = bool(ly.get("instrumental"))
            name = ly.get("track_name", t["title"])
            out.append({
                "id": int(ly.get("id", zlib.crc32(t["key"].encode())
                                 % 10000000)),
                "name": name, "trackName": name,
                "artistName": ly.get("artist_name", ", ".join(t["artists"])),
                "albumName": ly.get("album_name", al["title"] if al else ""),
                "duration": float(ly.get("duration",
                                         round(t["duration_ms"] / 1000.0))),
                "instrumental": inst,
                "plainLyrics": None if inst else ly.get("plain"),
                "syncedLyrics": None if inst else ly.get("synced")})
        for e in self.cat.section("lrclib").get("entries", []):
            out.append(dict(e))
        out.sort(key=lambda e: e["id"])
        return out

    def handle(self, req):
        segs = [urllib.parse.unquote(s) for s in req.path.split("/") if s]
        if segs[:1] != ["api"] or req.method not in ("GET", "HEAD"):
            return lrclib_error(404, "NotFound", "Not found")
        if segs == ["api", "get"]:
            return self.get(req)
        if len(segs) == 3 and segs[1] == "get":
            e = next((e for e in self.entries()
                      if str(e["id"]) == segs[2]), None)
            return json_response(e, ctype="application/json") if e else \
                lrclib_error(404, "TrackNotFound",
                             "Failed to find specified track")
        if segs == ["api", "search"]:
            return self.search(req)
        return lrclib_error(404, "NotFound", "Not found")

    def get(self, req):
        for f in ("track_name", "artist_name"):
            if req.q(f) is None:
                return Response(400, "Failed to deserialize query string: "
                                "missing field `%s`" % f,
                                content_type="text/plain; charset=utf-8")
        for f in ("track_name", "artist_name"):
            if not req.q(f).strip():
                return lrclib_error(400, "ValidationError",
                                    "%s: must not be empty" % f)
        dur = req.q("duration")
        if dur is not None:
            try:
                dur = float(dur)
            except ValueError:
                return Response(400, "Failed to deserialize query string: "
                                "duration: invalid float literal",
                                content_type="text/plain; charset=utf-8")
            if not 1 <= dur <= 3600:
                return lrclib_error(400, "ValidationError",
                                    "duration: must be between 1 and 3600")
        tn, an = lay_norm(req.q("track_name")), lay_norm(req.q("artist_name"))
        aln = req.q("album_name")
        for e in self.entries():
            if lay_norm(e["name"]) != tn or lay_norm(e["artistName"]) != an:
                continue
            if aln is not None and lay_norm(e["albumName"]) != lay_norm(aln):
                continue
            if dur is not None and abs(e["duration"] - dur) > 2:
                continue
            return json_response(e, ctype="application/json")
        return lrclib_error(404, "TrackNotFound",
                            "Failed to find specified track")

    def search(self, req):
        q, tn = req.q("q"), req.q("track_name")
        out = []
        for e in self.entries():
            if q:
                hay = lay_norm(" ".join((e["name"], e["artistName"],
                                         e["albumName"])))
                if not all(w in hay.split() for w in lay_norm(q).split()):
                    continue
            elif tn:
                if lay_norm(tn) not in lay_norm(e["name"]):
                    continue
                an, al = req.q("artist_name"), req.q("album_name")
                if an and lay_norm(an) not in lay_norm(e["artistName"]):
                    continue
                if al and lay_norm(al) not in lay_norm(e["albumName"]):
                    continue
            else:
                break
            out.append(e)
        return json_response(out[:20], ctype="application/json")


# -- Last.fm --------------------------------------------------------------

def lfm_error(status, code, message, links=False):
    d = {"error": code, "message": message}
    if links:
        d["links"] = []
    return Response(status, dumps(d, compact=True),
                    content_type="application/json; charset=utf-8")


def tag_url(name):
    return "https://www.last.fm/tag/" + urllib.parse.quote_plus(name)


class LastFm(Service):
    name = "lastfm"
    mounts = ["/lastfm"]

    def base_urls(self, origin):
        return {"lastfm": origin + "/lastfm/2.0/"}

    def fault(self, kind, rule, req):
        if kind == "429":
            return lfm_error(429, 29, "Rate Limit Exceeded - Your IP has "
                             "made too many requests in a short period, "
                             "exceeding our API guidelines")
        if kind in ("500", "502", "503", "504"):
            return lfm_error(int(kind), 16, "There was a temporary error "
                             "processing your request. Please try again")
        return None

    def one(self, items):
        """The XML->JSON quirk: a one-element list becomes an object."""
        if self.conf.get("single_as_object") and len(items) == 1:
            return items[0]
        return items

    def find_track(self, p):
        mbid, artist, track = p.get("mbid"), p.get("artist"), p.get("track")
        for t in self.cat.tracks.values():
            if mbid and t["mbid"] == mbid:
                return t
            if artist and track and \
                    t["title"].lower() == track.lower() and \
                    any(a.lower() == artist.lower() for a in t["artists"]):
                return t
        return None

    def handle(self, req):
        if req.path.rstrip("/") != "/2.0":
            return lfm_error(404, 3, "Invalid Method - No method with that "
                             "name in this package")
        p = {k: v[0] for k, v in req.query.items()}
        if req.method == "POST":
            p.update({k: v[0] for k, v in req.form().items()})
        if p.get("api_key") not in self.conf.get("api_keys", []):
            return lfm_error(403, 10, "Invalid API key - You must be "
                             "granted a valid key by last.fm")
        method = (p.get("method") or "").lower()
        if method == "track.getinfo":
            return self.track_info(p)
        if method == "track.gettoptags":
            return self.track_tags(p)
        if method == "artist.gettoptags":
            return self.artist_tags(p)
        return lfm_error(400, 3, "Invalid Method - No method with that name "
                         "in this package")

    def track_info(self, p):
        if not p.get("mbid") and not (p.get("artist") and p.get("track")):
            return lfm_error(400, 6, "Track not found", True)
        t = self.find_track(p)
        if t is None:
            return lfm_error(404, 6, "Track not found", True)
        lf = t.get("lastfm", {})
        art = self.cat.artist(t["artists"][0])
        q = urllib.parse.quote_plus
        url = lf.get("url", "https://www.last.fm/music/%s/_/%s"
                     % (q(art["name"]), q(t["title"])))
        d = {"name": t["title"]}
        mbid = lf.get("mbid", t["mbid"])
        if mbid is not None:
            d["mbid"] = mbid
        stub = lf.get("stub")
        d.update({
            "url": url,
            "duration": "0" if stub else str(lf.get("duration_ms",
                                                    t["duration_ms"])),
            "streamable": {"#text": "0", "fulltrack": "0"},
            "listeners": str(lf.get("listeners", 1 if stub else 1000)),
            "playcount": str(lf.get("playcount", 1 if stub else 10000)),
            "artist": {"name": art["name"], "mbid": art["mbid"],
                       "url": "https://www.last.fm/music/" + q(art["name"])}})
        if stub:
            d["artist"].pop("mbid")
            d.pop("mbid", None)
        al = self.cat.album_of(t)
        if al and not stub:
            d["album"] = {
                "artist": al["artists"][0], "title": al["title"],
                "mbid": al["mbid"],
                "url": "https://www.last.fm/music/%s/%s"
                % (q(al["artists"][0]), q(al["title"])),
                "image": [{"#text": "", "size": s} for s in
                          ("small", "medium", "large", "extralarge")],
                "@attr": {"position": str(t["track_number"])}}
        d["toptags"] = {"tag": self.one([
            {"name": g["name"], "url": tag_url(g["name"])}
            for g in lf.get("tags", [])[:5]])}
        if lf.get("wiki"):
            d["wiki"] = lf["wiki"]
        return json_response({"track": d})

    def track_tags(self, p):
        if not p.get("mbid") and not (p.get("artist") and p.get("track")):
            return lfm_error(400, 6, "Track not found", True)
        t = self.find_track(p)
        tags = (t or {}).get("lastfm", {}).get("tags", [])
        attr = {"artist": t["artists"][0] if t else p.get("artist", ""),
                "track": t["title"] if t else p.get("track", "")}
        return json_response({"toptags": {"tag": self.one([
            {"count": g.get("count", 0), "name": g["name"],
             "url": tag_url(g["name"])} for g in tags]), "@attr": attr}})

    def artist_tags(self, p):
        name = p.get("artist") or ""
        a = next((a for a in self.cat.artists.values()
                  if a["name"].lower() == name.lower() or
                  (p.get("mbid") and a["mbid"] == p.get("mbid"))), None)
        if a is None:
            return lfm_error(200, 6, "The artist you supplied could not be "
                             "found", True)
        return json_response({"toptags": {"tag": self.one([
            {"count": g.get("count", 0), "name": g["name"],
             "url": tag_url(g["name"])} for g in a.get("tags", [])]),
            "@attr": {"artist": a["name"]}}})


# -- AcoustID -------------------------------------------------------------

ACOUSTID_CT = "application/json; charset=UTF-8"
ACOUSTID_STATUS = {5: 500, 13: 503, 14: 429, 18: 404, 19: 413}


def acoustid_error(code, message):
    return Response(ACOUSTID_STATUS.get(code, 400), dumps({
        "error": {"code": code, "message": message}, "status": "error"},
        sort_keys=True), content_type=ACOUSTID_CT)


class AcoustId(Service):
    name = "acoustid"
    mounts = ["/acoustid"]

    def base_urls(self, origin):
        return {"acoustid": origin + "/acoustid/v2"}

    def fault(self, kind, rule, req):
        if kind == "429":
            return acoustid_error(14, "rate limit (3.000000 requests per "
                                  "second) exceeded, try again later")
        if kind == "503":
            return acoustid_error(13, "service currently unavailable, try "
                                  "again later")
        if kind == "500":
            return acoustid_error(5, "internal error")
        return None

    def handle(self, req):
        if req.path.rstrip("/") != "/v2/lookup":
            return Response(404, "Not Found\n",
                            content_type="text/plain; charset=utf-8")
        p = {k: v[0] for k, v in req.query.items()}
        if req.method == "POST":
            p.update({k: v[0] for k, v in req.form().items()})
        if p.get("format", "json") != "json":
            return acoustid_error(1, "unknown format")
        if not p.get("client"):
            return acoustid_error(2, 'missing required parameter "client"')
        if p["client"] not in self.conf.get("client_keys", []):
            return acoustid_error(4, "invalid API key")
        if not p.get("duration"):
            return acoustid_error(2, 'missing required parameter "duration"')
        try:
            duration = int(p["duration"])
        except ValueError:
            return acoustid_error(8, "invalid duration")
        fp = p.get("fingerprint")
        if not fp:
            return acoustid_error(2, 'missing required parameter '
                                  '"fingerprint"')
        if not re.match(r"^[A-Za-z0-9_\-]+$", fp):
            return acoustid_error(3, "invalid fingerprint")
        try:
            maxdiff = int(p.get("maxdurationdiff", 7))
        except ValueError:
            maxdiff = 0
        if not 1 <= maxdiff <= 30:
            return acoustid_error(11, "invalid maxdurationdiff")
        meta = set(re.split(r"[ +]", p.get("meta", "")))
        results = {}
        for t in self.cat.tracks.values():
            ac = t.get("acoustid")
            if not ac or ac.get("fingerprint") != fp:
                continue
            if abs(t["duration_ms"] / 1000.0 - duration) > maxdiff:
                continue
            rid = ac.get("id") or stable_uuid("acoustid", t["key"])
            r = results.setdefault(rid, {"id": rid,
                                         "score": ac.get("score", 1.0)})
            for x in ac.get("extra_results", []):
                results.setdefault(x["id"], dict(x))
            if "recordings" in meta or "recordingids" in meta:
                r.setdefault("recordings", []).append(
                    self.recording(t, meta))
        body = {"results": sorted(results.values(),
                                  key=lambda r: -r["score"]),
                "status": "ok"}
        return Response(200, dumps(body, sort_keys=True),
                        content_type=ACOUSTID_CT)

    def recording(self, t, meta):
        if "recordings" not in meta:
            return {"id": t["mbid"]}
        d = {"artists": [{"id": self.cat.artist(n)["mbid"], "name": n}
                         for n in t["artists"]],
             "duration": t.get("mb_length_ms", t["duration_ms"]) / 1000.0,
             "id": t["mbid"], "title": t["title"]}
        al = self.cat.album_of(t)
        if al and "releasegroups" in meta:
            d["releasegroups"] = [{"id": al["release_group_mbid"],
                                   "title": al["title"],
                                   "type": al["primary_type"]}]
        return d
