"""Fake MusicBrainz WS/2 (JSON): recording search, ISRC lookup, recording
and release lookups.  Mounted at /musicbrainz (base URL .../musicbrainz/ws/2).

Follows reference/apis.md section 3: {error, help} envelopes, 400
"Invalid mbid." / "Invalid isrc." / bad inc, 404 "Not Found", 503 on rate
excess (when rate_per_s is set), search media use "track" (singular) and
lookups "tracks", limit outside 1..100 silently becomes 25.
"""

import re
import time
import urllib.parse
from collections import deque

from common import Response, Service, dumps, iso_ms, json_response, \
    stable_uuid

HELP = "For usage, please see: https://musicbrainz.org/development/mmd"
JSON_CT = "application/json; charset=utf-8"
MBID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-"
                     r"[0-9a-f]{12}$", re.I)
ISRC_RE = re.compile(r"^[A-Z]{2}[A-Z0-9]{3}[0-9]{7}$", re.I)
NIL = "00000000-0000-0000-0000-000000000000"

# Well-known MusicBrainz type ids (the same on the real server).
STATUS_IDS = {"Official": "4e304316-386d-3409-af2e-78857eec5cfe"}
TYPE_IDS = {"Album": "f529b476-6e62-324f-b0aa-1f3e33d313fc",
            "Single": "d6038452-8ee0-3f68-affc-2de9a1ede0b9",
            "EP": "6d0c5bf6-7a33-3420-a519-44fc63eedebf"}
ARTIST_TYPE_IDS = {"Group": "e431f5f6-b5d2-343d-8b36-72607fffb74b",
                   "Person": "b6e035f4-3ce9-331c-97df-83397230b0df"}
FORMAT_IDS = {"CD": "9712d52a-4509-3d4b-a1a2-67c88c643e31",
              "Digital Media": "907a28d9-b3b2-3ef6-89a8-7b18d91d4794"}
COUNTRIES = {"GB": ("8a754a16-0027-3a29-b6d7-2b40ea0481ed",
                    "United Kingdom"),
             "US": ("489ce91b-6658-3307-9877-795b68554c98",
                    "United States"),
             "XW": ("525d4e18-3d00-31b9-a58b-a146a916de8f", "[Worldwide]")}
RELEASE_INCS = {"artist-credits", "labels", "recordings", "release-groups",
                "media", "discids", "isrcs", "artists", "collections",
                "aliases", "annotation", "tags", "genres", "ratings",
                "user-tags", "user-genres", "user-ratings", "url-rels",
                "artist-rels", "label-rels", "recording-rels",
                "release-rels", "release-group-rels", "work-rels",
                "recording-level-rels", "work-level-rels"}
RECORDING_INCS = {"artist-credits", "artists", "releases", "isrcs",
                  "release-groups", "media", "aliases", "annotation",
                  "tags", "genres", "ratings", "url-rels", "artist-rels",
                  "work-rels", "discids"}
ISRC_INCS = {"artist-credits", "artists", "releases", "isrcs",
             "release-groups", "media", "tags", "genres", "url-rels"}


def mb_error(status, message, headers=None):
    return Response(status, dumps({"error": message, "help": HELP}),
                    headers, JSON_CT)


def norm(s):
    return " ".join(re.sub(r"[^\w]+", " ", (s or "").lower()).split())


def tokenize_query(q):
    """A small subset of Lucene: field:value, field:"phrase",
    field:(a OR b), bare words and phrases, AND / OR.  Returns
    (clauses, op) with clauses = [(field or None, [alternatives])]."""
    pat = re.compile(r'(\w[\w-]*):\(((?:\\.|[^)])*)\)|(\w[\w-]*):"((?:\\.|[^"])*)"'
                     r'|(\w[\w-]*):((?:\\.|\S)+)|"((?:\\.|[^"])*)"|(\S+)')
    clauses, op = [], "AND"

    def unesc(v):
        return re.sub(r"\\(.)", r"\1", v)
    for m in pat.finditer(q):
        if m.group(1):
            alts = [unesc(a.strip().strip('"'))
                    for a in re.split(r"\s+OR\s+", m.group(2))]
            clauses.append((m.group(1).lower(), alts))
        elif m.group(3):
            clauses.append((m.group(3).lower(), [unesc(m.group(4))]))
        elif m.group(5):
            clauses.append((m.group(5).lower(), [unesc(m.group(6))]))
        elif m.group(7) is not None:
            clauses.append((None, [unesc(m.group(7))]))
        else:
            w = m.group(8)
            if w == "OR" or w == "||":
                op = "OR"
            elif w in ("AND", "&&"):
                pass
            else:
                clauses.append((None, [unesc(w)]))
    return clauses, op


class MusicBrainz(Service):
    name = "musicbrainz"
    mounts = ["/musicbrainz"]

    def __init__(self, fake):
        super().__init__(fake)
        self.reset()

    def reset(self):
        self.recent = deque()

    def base_urls(self, origin):
        return {"musicbrainz": origin + "/musicbrainz/ws/2"}

    def fault(self, kind, rule, req):
        if kind in ("503", "429"):
            return self.rate_limited(int(kind))
        if kind in ("500", "502", "504"):
            return mb_error(int(kind), "Internal server error")
        return None

    def rate_limited(self, status=503):
        return mb_error(status, "Your requests are exceeding the allowable "
                        "rate limit. Please see https://musicbrainz.org/doc/"
                        "MusicBrainz_API/Rate_Limiting for more information.",
                        [("Retry-After", "1"), ("X-RateLimit-Limit", "1200"),
                         ("X-RateLimit-Remaining", "0"),
                         ("X-RateLimit-Reset", str(int(time.time()) + 1))])

    def handle(self, req):
        if self.conf.get("require_user_agent", True) and \
                not (req.header("User-Agent") or "").strip():
            return mb_error(403, "Requests without a meaningful User-Agent "
                            "are blocked. Please see https://musicbrainz.org"
                            "/doc/MusicBrainz_API/Rate_Limiting")
        rate = float(self.conf.get("rate_per_s") or 0)
        if rate > 0:
            now = time.time()
            while self.recent and self.recent[0] <= now - 1.0:
                self.recent.popleft()
            if len(self.recent) >= rate:
                return self.rate_limited()
            self.recent.append(now)
        fmt = req.q("fmt")
        if fmt != "json" and not (fmt is None and "application/json" in
                                  (req.header("Accept") or "")):
            return Response(406, '<?xml version="1.0"?>\n<error><text>Invalid'
                            ' format. Either set an Accept header (recognized'
                            ' mime types are application/json and application'
                            '/xml), or include a fmt= argument in the query '
                            'string (valid values for fmt are json and xml).'
                            '</text><text>%s</text></error>' % HELP,
                            content_type="application/xml; charset=utf-8")
        segs = [urllib.parse.unquote(s) for s in req.path.split("/") if s]
        if segs[:2] != ["ws", "2"] or len(segs) < 3:
            return mb_error(404, "Not Found")
        entity, rest = segs[2], segs[3:]
        incs = [i for i in re.split(r"[ +]", req.q("inc", "")) if i]
        if entity == "recording" and not rest:
            return self.search(req)
        if entity == "recording" and len(rest) == 1:
            return self.lookup(rest[0], incs, RECORDING_INCS, "recording",
                               self.recording_lookup)
        if entity == "release" and len(rest) == 1:
            return self.lookup(rest[0], incs, RELEASE_INCS, "release",
                               self.release_lookup)
        if entity == "isrc" and len(rest) == 1:
            return self.isrc(rest[0], incs)
        return mb_error(404, "Not Found")

    def lookup(self, mbid, incs, valid, entity, fn):
        if not MBID_RE.match(mbid) or mbid == NIL:
            return mb_error(400, "Invalid mbid.")
        for i in incs:
            if i not in valid:
                return mb_error(400, "%s is not a valid inc parameter for "
                                "the %s resource." % (i, entity))
        obj = fn(mbid.lower(), set(incs))
        return json_response(obj) if obj else mb_error(404, "Not Found")

    # -- objects ----------------------------------------------------------

    def artist(self, name, full=True):
        a = self.cat.artist(name)
        d = {"id": a["mbid"], "name": a["name"], "sort-name": a["sort_name"]}
        if full:
            d["type"] = a["type"]
            d["type-id"] = ARTIST_TYPE_IDS.get(a["type"],
                                               stable_uuid("type", a["type"]))
            d["disambiguation"] = a.get("disambiguation", "")
        return d

    def credit(self, names, full=True):
        out = []
        for i, n in enumerate(names):
            jp = "" if i == len(names) - 1 else (
                " & " if i == len(names) - 2 else ", ")
            c = {"name": n}
            if full or jp:
                c["joinphrase"] = jp
            c["artist"] = self.artist(n, full)
            out.append(c)
        return out

    def area(self, country, full=True):
        aid, name = COUNTRIES.get(country, (stable_uuid("area", country),
                                            country))
        d = {"id": aid, "name": name, "sort-name": name}
        if full:
            d.update({"disambiguation": "", "type": None, "type-id": None})
        d["iso-3166-1-codes"] = [country]
        return d

    def length(self, t):
        return t.get("mb_length_ms", t["duration_ms"])

    def release_basic(self, al):
        st = al["status"]
        d = {"id": al["mbid"], "title": al["title"], "status": st,
             "status-id": STATUS_IDS.get(st, stable_uuid("status", st)),
             "quality": "normal",
             "packaging": al.get("packaging"),
             "packaging-id": stable_uuid("packaging", al["packaging"])
             if al.get("packaging") else None,
             "text-representation": {"language": "eng", "script": "Latn"},
             "date": al["release_date"], "country": al["country"],
             "release-events": [{"date": al["release_date"],
                                 "area": self.area(al["country"])}],
             "barcode": al["barcode"], "disambiguation": ""}
        return d

    def release_group(self, al, full=True):
        pt = al["primary_type"]
        d = {"id": al["release_group_mbid"]}
        if not full:
            d.update({"type-id": TYPE_IDS.get(pt), "primary-type-id":
                      TYPE_IDS.get(pt), "title": al["title"],
                      "primary-type": pt})
            return d
        d.update({"title": al["title"], "primary-type": pt,
                  "primary-type-id": TYPE_IDS.get(pt),
                  "secondary-types": [], "secondary-type-ids": [],
                  "first-release-date": al["release_date"],
                  "disambiguation": ""})
        return d

    def recording_basic(self, t):
        al = self.cat.album_of(t)
        return {"id": t["mbid"], "title": t["title"],
                "length": self.length(t), "video": False,
                "disambiguation": t.get("disambiguation", ""),
                "first-release-date": al["release_date"] if al else ""}

    def release_lookup(self, mbid, incs):
        al = next((a for a in self.cat.albums.values()
                   if a["mbid"] == mbid), None)
        if al is None:
            return None
        d = self.release_basic(al)
        d["asin"] = al.get("asin")
        arts = al["cover_art"]
        d["cover-art-archive"] = {
            "artwork": bool(arts), "count": len(arts),
            "front": any(c.get("front") for c in arts),
            "back": any(c.get("back") for c in arts), "darkened": False}
        ac = "artist-credits" in incs
        if ac:
            d["artist-credit"] = self.credit(al["artists"])
        if "labels" in incs:
            d["label-info"] = [{
                "catalog-number": al.get("catalog_number"),
                "label": {"id": stable_uuid("label", al["label"]),
                          "name": al["label"], "sort-name": al["label"],
                          "disambiguation": "", "label-code": None,
                          "type": "Original Production",
                          "type-id": "7aaa37fe-2def-3476-b359-80245850062d"}}
                for _ in [0] if al.get("label")]
        if "release-groups" in incs:
            rg = self.release_group(al)
            if ac:
                rg["artist-credit"] = self.credit(al["artists"])
            d["release-group"] = rg
        if "recordings" in incs or "media" in incs:
            media = {}
            for t in al["tracks"]:
                media.setdefault(t["disc_number"], []).append(t)
            d["media"] = []
            for pos in sorted(media):
                ts = media[pos]
                m = {"id": stable_uuid("medium", al["key"], pos),
                     "position": pos, "title": "", "format": al["format"],
                     "format-id": FORMAT_IDS.get(al["format"]),
                     "track-count": len(ts), "track-offset": 0}
                if "recordings" in incs:
                    m["tracks"] = []
                    for i, t in enumerate(ts):
                        tr = {"id": t["mb_track_id"], "position": i + 1,
                              "number": str(t.get("number",
                                                  t["track_number"])),
                              "title": t["title"], "length": self.length(t)}
                        if ac:
                            tr["artist-credit"] = self.credit(t["artists"])
                        rec = self.recording_basic(t)
                        if ac:
                            rec["artist-credit"] = self.credit(t["artists"])
                        tr["recording"] = rec
                        m["tracks"].append(tr)
                d["media"].append(m)
        return d

    def recording_lookup(self, mbid, incs):
        t = next((t for t in self.cat.tracks.values()
                  if t["mbid"] == mbid), None)
        if t is None:
            return None
        return self.recording_full(t, incs)

    def recording_full(self, t, incs):
        d = self.recording_basic(t)
        if "artist-credits" in incs or "artists" in incs:
            d["artist-credit"] = self.credit(t["artists"])
        if "isrcs" in incs:
            d["isrcs"] = [t["isrc"]] if t.get("isrc") else []
        if "releases" in incs:
            al = self.cat.album_of(t)
            rels = []
            if al:
                r = self.release_basic(al)
                if "artist-credits" in incs:
                    r["artist-credit"] = self.credit(al["artists"])
                rels.append(r)
            d["releases"] = rels
        return d

    def isrc(self, code, incs):
        if not ISRC_RE.match(code):
            return mb_error(400, "Invalid isrc.")
        for i in incs:
            if i not in ISRC_INCS:
                return mb_error(400, "%s is not a valid inc parameter for "
                                "the isrc resource." % i)
        code = code.upper()
        recs = [self.recording_full(t, set(incs))
                for t in self.cat.tracks.values()
                if (t.get("isrc") or "").upper() == code]
        if not recs:
            return mb_error(404, "Not Found")
        return json_response({"isrc": code, "recordings": recs})

    # -- search -----------------------------------------------------------

    def field_values(self, t, field):
        al = self.cat.album_of(t) or {}
        arts = [self.cat.artist(n) for n in t["artists"]]
        f = {
            "isrc": [t.get("isrc") or ""],
            "recording": [t["title"]], "recordingaccent": [t["title"]],
            "artist": [" ".join(t["artists"])],
            "artistname": t["artists"], "creditname": t["artists"],
            "release": [al.get("title", "")],
            "rid": [t["mbid"]], "reid": [al.get("mbid", "")],
            "rgid": [al.get("release_group_mbid", "")],
            "arid": [a["mbid"] for a in arts],
            "tnum": [str(t["track_number"])],
            "number": [str(t["track_number"])],
            "position": [str(t["disc_number"])],
            "country": [al.get("country", "")],
            "date": [al.get("release_date", "")],
            "status": [al.get("status", "")],
            "primarytype": [al.get("primary_type", "")],
            "format": [al.get("format", "")],
            "dur": [str(self.length(t))],
            "qdur": [str(self.length(t) // 2000)],
        }
        if field is None:
            return [t["title"], " ".join(t["artists"]), al.get("title", "")]
        return f.get(field)

    def clause_matches(self, t, field, alts):
        vals = self.field_values(t, field)
        if vals is None:
            return False
        for alt in alts:
            a = norm(alt)
            if not a:
                continue
            for v in vals:
                nv = norm(v)
                if field in ("isrc", "rid", "reid", "rgid", "arid", "tnum",
                             "number", "position", "dur", "qdur",
                             "country", "status", "primarytype"):
                    if a == nv:
                        return True
                elif (" " + a + " ") in (" " + nv + " "):
                    return True
        return False

    def search(self, req):
        qs = req.query.get("query", [])
        if len(qs) > 1:
            return mb_error(400, "Must specify at most 1 query argument")
        q = qs[0] if qs else ""
        if not q.strip():
            return Response(400, dumps({
                "help": HELP, "error": "The given parameters do not match "
                "any available query type for the recording resource."}),
                content_type=JSON_CT)
        try:
            limit = int(req.q("limit", "25"))
        except ValueError:
            limit = 25
        if not 1 <= limit <= 100:
            limit = 25
        try:
            offset = max(int(req.q("offset", "0")), 0)
        except ValueError:
            offset = 0
        clauses, op = tokenize_query(q)
        hits = []
        for t in self.cat.tracks.values():
            n = sum(1 for f, alts in clauses
                    if self.clause_matches(t, f, alts))
            if not clauses or (op == "AND" and n < len(clauses)) or n == 0:
                continue
            hits.append((int(round(100.0 * n / len(clauses))), t))
        hits.sort(key=lambda h: (-h[0], h[1]["mbid"]))
        recs = [self.search_recording(t, score)
                for score, t in hits[offset:offset + limit]]
        return json_response({"created": iso_ms(), "count": len(hits),
                              "offset": offset, "recordings": recs})

    def search_recording(self, t, score):
        al = self.cat.album_of(t)
        d = {"id": t["mbid"], "score": score, "title": t["title"],
             "length": self.length(t), "video": None,
             "artist-credit": self.credit(t["artists"], full=False)}
        if al:
            d["first-release-date"] = al["release_date"]
            d["releases"] = [{
                "id": al["mbid"],
                "status-id": STATUS_IDS.get(al["status"]),
                "count": 1, "title": al["title"], "status": al["status"],
                "release-group": self.release_group(al, full=False),
                "date": al["release_date"], "country": al["country"],
                "release-events": [{"date": al["release_date"],
                                    "area": self.area(al["country"],
                                                      full=False)}],
                "track-count": al["total_tracks"],
                "media": [{"position": t["disc_number"],
                           "format": al["format"],
                           "track": [{"id": t["mb_track_id"],
                                      "number": str(t["track_number"]),
                                      "title": t["title"],
                                      "length": self.length(t)}],
                           "track-count": len([
                               x for x in al["tracks"]
                               if x["disc_number"] == t["disc_number"]]),
                           "track-offset": t["track_number"] - 1}]}]
        if t.get("isrc"):
            d["isrcs"] = [t["isrc"]]
        if t.get("mb_tags"):
            d["tags"] = t["mb_tags"]
        return d
