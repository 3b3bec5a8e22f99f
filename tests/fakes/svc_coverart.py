"""Fake Cover Art Archive with its archive.org redirect chain.

Mounts: /coverartarchive plays https://coverartarchive.org and
/archive.org plays both archive.org (the 302 hop) and the storage node that
serves the bytes.  Chain, as in reference/apis.md section 4:

  /coverartarchive/release/{mbid}            307 -> /archive.org/download/
                                                    mbid-{mbid}/index.json
  /archive.org/download/mbid-{mbid}/{file}   302 -> /archive.org/ia800100/
                                                    items/mbid-{mbid}/{file}
  /archive.org/ia800100/items/...            200 (JSON index or image)
"""

import re

from common import Response, Service, TINY_JPEG, json_response, load_bytes

MBID_RE = re.compile(r"^[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-"
                     r"[a-f0-9]{12}$")
ACAO = ("Access-Control-Allow-Origin", "*")
STORAGE = "ia800100"


def werkzeug(status, title, message):
    """A werkzeug-style HTML error page."""
    return Response(status, "<!doctype html>\n<html lang=en>\n<title>%d %s"
                    "</title>\n<h1>%s</h1>\n<p>%s</p>\n"
                    % (status, title, title, message), [ACAO],
                    "text/html; charset=utf-8")


def see(url, status=307):
    return Response(status, "See: %s\n" % url,
                    [("Location", url), ACAO], "text/plain; charset=utf-8")


class CoverArtArchive(Service):
    name = "coverartarchive"
    mounts = ["/coverartarchive", "/archive.org"]

    def base_urls(self, origin):
        return {"coverartarchive": origin + "/coverartarchive"}

    def fault(self, kind, rule, req):
        if kind in ("500", "502", "503", "504"):
            return werkzeug(int(kind), "Service Unavailable" if kind == "503"
                            else "Internal Server Error",
                            "The server encountered an error.")
        return None

    def album(self, mbid):
        return next((a for a in self.cat.albums.values()
                     if a["mbid"] == mbid), None)

    def handle(self, req):
        if req.method == "OPTIONS":
            return Response(200, b"", [ACAO, ("Allow",
                                              "GET, HEAD, OPTIONS")])
        if req.mount == "/archive.org":
            return self.archive(req)
        segs = [s for s in req.path.split("/") if s]
        if not segs or segs[0] not in ("release", "release-group"):
            return werkzeug(404, "Not Found", "The requested URL was not "
                            "found on the server.")
        if len(segs) < 2 or not MBID_RE.match(segs[1]):
            return werkzeug(400, "Bad Request", "invalid MBID specified")
        mbid = segs[1]
        if segs[0] == "release-group":
            if len(segs) > 2 and segs[2].startswith("back"):
                return Response(400, "back not supported for release "
                                "groups.", [ACAO],
                                "text/plain; charset=utf-8")
            al = next((a for a in self.cat.albums.values()
                       if a["release_group_mbid"] == mbid and
                       any(c.get("front") for c in a["cover_art"])), None)
            if al is None:
                return werkzeug(404, "Not Found", "No cover art found for "
                                "release group %s" % mbid)
            return self.release(req, al["mbid"], al, segs[2:])
        al = self.album(mbid)
        if al is None or not al["cover_art"]:
            return werkzeug(404, "Not Found", "No cover art found for "
                            "release %s" % mbid)
        return self.release(req, mbid, al, segs[2:])

    def release(self, req, mbid, al, rest):
        dl = "%s/archive.org/download/mbid-%s" % (req.origin, mbid)
        if not rest:
            return see(dl + "/index.json")
        m = re.match(r"^(front|back|\d+)(?:-(250|500|1200|small|large))?"
                     r"(?:\.(?:jpg|jpeg|png|gif|pdf))?$", rest[0])
        if len(rest) != 1 or not m:
            return werkzeug(404, "Not Found", "The requested URL was not "
                            "found on the server.")
        which, size = m.group(1), m.group(2)
        size = {"small": "250", "large": "500"}.get(size, size)
        if which in ("front", "back"):
            img = next((c for c in al["cover_art"] if c.get(which)), None)
            if img is None:
                return werkzeug(404, "Not Found", "No %s cover image found "
                                "for release with identifier %s"
                                % (which, mbid))
        else:
            img = next((c for c in al["cover_art"]
                        if str(c.get("id")) == which), None)
            if img is None:
                return werkzeug(404, "Not Found", "The requested URL was "
                                "not found on the server.")
        suffix = "_thumb%s.jpg" % size if size else \
            "." + img.get("ext", "jpg")
        return see("%s/mbid-%s-%s%s" % (dl, mbid, img["id"], suffix))

    def archive(self, req):
        segs = [s for s in req.path.split("/") if s]
        if len(segs) == 3 and segs[0] == "download":
            return Response(302, b"", [("Location", "%s/archive.org/%s/items/"
                                        "%s/%s" % (req.origin, STORAGE,
                                                   segs[1], segs[2]))])
        if len(segs) != 4 or segs[0] != STORAGE or segs[1] != "items" or \
                not segs[2].startswith("mbid-"):
            return Response(404, "Not found\n",
                            content_type="text/plain; charset=utf-8")
        mbid, fname = segs[2][5:], segs[3]
        al = self.album(mbid)
        if al is None:
            return Response(404, "Not found\n",
                            content_type="text/plain; charset=utf-8")
        if fname == "index.json":
            return json_response(self.index(req, mbid, al), compact=False)
        m = re.match(r"^mbid-%s-(\d+)(?:_thumb(250|500|1200))?\.(\w+)$"
                     % re.escape(mbid), fname)
        img = m and next((c for c in al["cover_art"]
                          if str(c.get("id")) == m.group(1)), None)
        if not img or (m.group(2) == "1200" and img.get("no_1200")):
            return Response(404, "Not found\n",
                            content_type="text/plain; charset=utf-8")
        data = None
        if m.group(2):
            spec = (img.get("thumbnails") or {}).get(m.group(2))
            data = load_bytes(spec, fname, self.cat.base_dir) \
                if spec else None
        if data is None:
            data = load_bytes(img, fname, self.cat.base_dir) or TINY_JPEG
        ext = m.group(3)
        ctype = {"png": "image/png", "gif": "image/gif",
                 "pdf": "application/pdf"}.get(ext, "image/jpeg")
        return Response(200, data, [("Access-Control-Allow-Origin", "*")],
                        ctype)

    def index(self, req, mbid, al):
        base = "%s/coverartarchive/release/%s/" % (req.origin, mbid)
        images = []
        for c in al["cover_art"]:
            i = c["id"]
            th = {}
            if not c.get("no_1200"):
                th["1200"] = "%s%s-1200.jpg" % (base, i)
            th["250"] = "%s%s-250.jpg" % (base, i)
            th["500"] = "%s%s-500.jpg" % (base, i)
            th["large"] = th["500"]
            th["small"] = th["250"]
            images.append({
                "approved": c.get("approved", True),
                "back": bool(c.get("back")), "comment": c.get("comment", ""),
                "edit": c.get("edit", 1), "front": bool(c.get("front")),
                "id": i, "image": "%s%s.%s" % (base, i, c.get("ext", "jpg")),
                "thumbnails": th, "types": c.get("types", [])})
        return {"images": images,
                "release": "https://musicbrainz.org/release/" + mbid}
