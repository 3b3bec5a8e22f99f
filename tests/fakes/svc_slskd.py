"""Fake slskd REST API (/api/v0): session, searches, download transfers.

Mounted at /slskd, which plays slskd's web.url_base: a client whose base
URL is http://127.0.0.1:PORT/slskd calls .../slskd/api/v0/searches.
Behaviour follows reference/apis.md section 1 (JSON shapes, flag-enum
state strings, empty 401/404 bodies, JSON-string error bodies, responses
only after completion, file written after "Completed, Succeeded").
"""

import base64
import hashlib
import hmac
import json
import os
import random
import re
import time
import urllib.parse
import uuid

from common import Service, dotnet_ticks, dotnet_time, empty, \
    json_response, load_bytes, num, text_response, timespan, version_tuple

GUID_RE = re.compile(r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?"
                     r"[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$")
JSON_CT = "application/json; charset=utf-8"


def jstr(status, message):
    """slskd's error body: a JSON string literal."""
    return json_response(message, status)


def unauthorized(extra=None):
    return empty(401, [("WWW-Authenticate", extra or "Bearer")])


def remote_dir(filename):
    """Remote directory of a backslash path (backslashes kept)."""
    i = filename.rfind("\\")
    return filename[:i] if i >= 0 else ""


def sanitize(component):
    """ReplaceInvalidFileNameCharacters('_') as on Linux ('/' and NUL)."""
    return component.replace("/", "_").replace("\0", "_")


def _b64url(b):
    return base64.urlsafe_b64encode(b).decode().rstrip("=")


class Slskd(Service):
    name = "slskd"
    mounts = ["/slskd"]

    def __init__(self, fake):
        super().__init__(fake)
        self.jwt_secret = os.urandom(32)
        self.reset()

    def reset(self):
        self.searches = {}          # id -> dict (internal)
        self.transfers = {}         # id -> dict (internal), insertion order
        self._content = {}          # (username, filename) -> bytes

    def base_urls(self, origin):
        return {"slskd": origin + "/slskd"}

    @property
    def version(self):
        return version_tuple(self.conf.get("version", "0.26.0"))

    # -- catalogue --------------------------------------------------------

    def users(self):
        return self.cat.section("slskd").get("users", [])

    def user(self, name):
        for u in self.users():
            if u.get("username") == name:
                return u
        return None

    def shared_file(self, user, filename):
        for f in (user or {}).get("files", []):
            if f.get("filename") == filename:
                return f
        return None

    def content(self, user, f):
        key = (user["username"], f["filename"])
        if key not in self._content:
            data = load_bytes(f, "%s\x1f%s" % key, self.cat.base_dir)
            if data is None:
                data = load_bytes({"generate": {
                    "size": int(f.get("size") or 1024),
                    "seed": "%s\x1f%s" % key}}, "", "")
            self._content[key] = data
        return self._content[key]

    def advertised_size(self, user, f):
        if f.get("size") is not None:
            return int(f["size"])
        return len(self.content(user, f))

    def file_json(self, user, f):
        """Search File object; null fields omitted, field order as slskd."""
        d = {}
        for src, dst in (("bit_depth", "bitDepth"), ("bitrate", "bitRate")):
            if f.get(src) is not None:
                d[dst] = f[src]
        d["code"] = 1
        ext = f.get("extension")
        if ext is None:
            name = f["filename"].rsplit("\\", 1)[-1]
            ext = name.rsplit(".", 1)[1] if "." in name else ""
        d["extension"] = ext
        d["filename"] = f["filename"]
        if f.get("vbr") is not None:
            d["isVariableBitRate"] = bool(f["vbr"])
        if f.get("length") is not None:
            d["length"] = f["length"]
        if f.get("sample_rate") is not None:
            d["sampleRate"] = f["sample_rate"]
        d["size"] = self.advertised_size(user, f)
        d["isLocked"] = False       # always false, even in lockedFiles
        return d

    # -- auth -------------------------------------------------------------

    def make_jwt(self, name, now, ttl):
        head = _b64url(b'{"alg":"HS256","typ":"JWT"}')
        body = _b64url(json.dumps({
            "name": name, "iss": "slskd", "nbf": int(now), "iat": int(now),
            "exp": int(now + ttl)}, separators=(",", ":")).encode())
        sig = hmac.new(self.jwt_secret, (head + "." + body).encode(),
                       hashlib.sha256).digest()
        return head + "." + body + "." + _b64url(sig)

    def jwt_ok(self, tok):
        try:
            head, body, sig = tok.split(".")
            want = hmac.new(self.jwt_secret, (head + "." + body).encode(),
                            hashlib.sha256).digest()
            if not hmac.compare_digest(_b64url(want), sig):
                return False
            claims = json.loads(base64.urlsafe_b64decode(
                body + "=" * (-len(body) % 4)))
            return claims["exp"] + 300 >= time.time()
        except (ValueError, KeyError):
            return False

    def authorized(self, req):
        if self.conf.get("auth_disabled"):
            return True
        key = req.header("X-API-Key")
        if key is not None and key in self.conf.get("api_keys", []):
            return True
        auth = req.header("Authorization") or ""
        if auth.startswith("Bearer ") and self.jwt_ok(auth[7:].strip()):
            return True
        return False

    def fault(self, kind, rule, req):
        if kind == "429":
            return jstr(429, "Only one concurrent operation is permitted. "
                        "Wait until the previous request completes")
        if kind == "500":
            return jstr(500, "An unexpected error occurred")
        if kind == "expired_token":
            return unauthorized('Bearer error="invalid_token", '
                                'error_description="The token expired"')
        return None

    # -- routing ----------------------------------------------------------

    def handle(self, req):
        segs = [urllib.parse.unquote(s) for s in req.path.split("/") if s]
        low = [s.lower() for s in segs]
        m = req.method
        if low == ["health"]:
            return text_response("Healthy")
        if low[:2] != ["api", "v0"]:
            return empty(404)
        rest, lrest = segs[2:], low[2:]
        if lrest[:1] == ["session"]:
            return self.session(req, lrest[1:])
        if not self.authorized(req):
            return unauthorized()
        if lrest == ["server"] and m == "GET":
            return json_response({
                "address": "vps.slsknet.org", "ipEndPoint": "1.2.3.4:2271",
                "state": "Connected, LoggedIn", "isConnected": True,
                "isLoggedIn": True, "isTransitioning": False})
        if lrest == ["application", "version"] and m == "GET":
            return json_response(self.conf.get("version", "0.26.0"))
        if lrest == ["application"] and m == "GET":
            return json_response({"version": {
                "current": self.conf.get("version", "0.26.0"),
                "isUpdateAvailable": False}})
        if lrest[:1] == ["searches"]:
            return self.route_searches(req, rest[1:])
        if lrest[:2] == ["transfers", "downloads"]:
            return self.route_downloads(req, rest[2:], lrest[2:])
        return empty(404)

    def session(self, req, rest):
        m = req.method
        if rest == ["enabled"] and m == "GET":
            return json_response(not self.conf.get("auth_disabled"))
        if rest == [] and m == "GET":
            return empty(200) if self.authorized(req) else unauthorized()
        if rest == [] and m == "POST":
            if not req.body.strip():
                return empty(400)
            try:
                d = req.json()
            except ValueError:
                return empty(400)
            if not isinstance(d, dict):
                return empty(400)
            d = {k.lower(): v for k, v in d.items()}
            u, p = d.get("username"), d.get("password")
            if not u or not p:
                return jstr(400, "Username and/or Password missing or "
                            "invalid")
            if u != self.conf.get("username") or \
                    p != self.conf.get("password"):
                return empty(401)
            now = int(time.time())
            ttl = int(self.conf.get("jwt_ttl_s", 604800))
            return json_response({
                "expires": now + ttl, "issued": now, "name": u,
                "notBefore": now, "token": self.make_jwt(u, now, ttl),
                "tokenType": "Bearer"})
        return empty(404)

    # -- searches ---------------------------------------------------------

    def route_searches(self, req, rest):
        m = req.method
        if not rest:
            if m == "POST":
                return self.create_search(req)
            if m == "GET":
                return json_response([self.search_json(s) for s in
                                      self.searches.values()])
            return empty(405)
        s = self.searches.get(rest[0].lower())
        if s is None:
            return empty(404)
        if len(rest) == 2 and rest[1].lower() == "responses" and m == "GET":
            return json_response(s["responses"] if s["complete"] else [])
        if len(rest) != 1:
            return empty(404)
        if m == "GET":
            inc = (req.q("includeResponses") or "").lower() == "true"
            return json_response(self.search_json(s, inc))
        if m == "PUT":
            if not s["complete"]:
                self.finish_search(s, "Completed, Cancelled", time.time())
            return empty(200)
        if m == "DELETE":
            del self.searches[s["id"]]
            return empty(204)
        return empty(405)

    def create_search(self, req):
        if self.conf.get("connected", True) is False:
            return jstr(409, "The server connection must be connected and "
                        "logged in to perform a search (currently: "
                        "Disconnected)")
        try:
            d = req.json()
        except ValueError:
            return jstr(400, "The request body could not be parsed as JSON")
        if not isinstance(d, dict):
            return jstr(400, "The request body must be a JSON object")
        d = {k.lower(): v for k, v in d.items()}    # case-insensitive input
        text = d.get("searchtext")
        if not isinstance(text, str) or not text.strip():
            return jstr(400, "The field SearchText can not be null, empty, "
                        "or consist of only whitespace")
        terms = text.split()
        inc = [t.lower() for t in terms if not t.startswith("-")
               and len(t) > 1]
        exc = [t[1:].lower() for t in terms if t.startswith("-")
               and len(t) > 2]
        if not inc:
            return jstr(400, "Search query must contain at least one "
                        "non-exclusion term with length greater than 1 "
                        "(Parameter 'query')")
        timeout_ms = d.get("searchtimeout")
        timeout_ms = 15000 if timeout_ms is None else int(timeout_ms)
        if timeout_ms < 5:
            return jstr(400, "The field SearchTimeout must be between 5 and "
                        "2147483647.")
        sid = str(d.get("id") or uuid.uuid4()).lower()
        if sid in self.searches:
            return jstr(500, "An error occurred while saving the entity "
                        "changes. See the inner exception for details.")
        now = time.time()
        s = {
            "id": sid, "searchText": text, "token": random.randint(
                100000, 2147483647), "start": now, "end": None,
            "state": "InProgress", "complete": False,
            "timeout": timeout_ms / 1000.0 *
            float(self.conf.get("search_time_scale", 1.0)),
            "responseLimit": int(d.get("responselimit") or 250),
            "fileLimit": int(d.get("filelimit") or 25000),
            "pending": [], "responses": [], "last": now,
        }
        flt = d.get("filterresponses", True) is not False
        maxq = d.get("maximumpeerqueuelength")
        minspeed = int(d.get("minimumpeeruploadspeed") or 0)
        minfiles = d.get("minimumresponsefilecount")
        minfiles = 1 if minfiles is None else int(minfiles)
        for i, u in enumerate(self.users()):
            if u.get("online", True) is False:
                continue
            files, locked = [], []
            for f in u.get("files", []):
                low = f["filename"].lower()
                if all(t in low for t in inc) and \
                        not any(t in low for t in exc):
                    (locked if f.get("locked") else files).append(
                        self.file_json(u, f))
            if not files and not locked:
                continue
            qlen = int(u.get("queue_length", 0))
            speed = int(u.get("upload_speed", 1048576))
            if flt and ((maxq is not None and qlen > int(maxq)) or
                        speed < minspeed or len(files) < minfiles):
                continue
            delay = u.get("response_delay_ms")
            if delay is None:
                delay = float(self.conf.get("response_delay_ms", 50)) * (i + 1)
            s["pending"].append((now + float(delay) / 1000.0, {
                "fileCount": len(files), "files": files,
                "hasFreeUploadSlot": bool(u.get("free_upload_slot", True)),
                "lockedFileCount": len(locked), "lockedFiles": locked,
                "queueLength": qlen, "token": s["token"],
                "uploadSpeed": speed, "username": u["username"]}))
        s["pending"].sort(key=lambda p: p[0])
        self.searches[sid] = s
        return json_response(self.search_json(s))

    def search_json(self, s, include_responses=False):
        d = {}
        if s["end"] is not None:
            d["endedAt"] = dotnet_time(s["end"])
        d["fileCount"] = sum(r["fileCount"] for r in s["responses"])
        d["id"] = s["id"]
        d["isComplete"] = s["complete"]
        d["lockedFileCount"] = sum(r["lockedFileCount"]
                                   for r in s["responses"])
        d["responseCount"] = len(s["responses"])
        d["responses"] = list(s["responses"]) \
            if include_responses and s["complete"] else []
        d["searchText"] = s["searchText"]
        d["startedAt"] = dotnet_time(s["start"])
        d["state"] = s["state"]
        d["token"] = s["token"]
        return d

    def finish_search(self, s, state, now):
        s["state"], s["complete"], s["end"] = state, True, now
        s["pending"] = []

    def tick_search(self, s, now):
        while s["pending"] and s["pending"][0][0] <= now:
            t, r = s["pending"].pop(0)
            s["responses"].append(r)
            s["last"] = t
            if len(s["responses"]) >= s["responseLimit"]:
                return self.finish_search(
                    s, "Completed, ResponseLimitReached", now)
            if sum(x["fileCount"] for x in s["responses"]) >= s["fileLimit"]:
                return self.finish_search(
                    s, "Completed, FileLimitReached", now)
        if now >= s["last"] + s["timeout"]:
            self.finish_search(s, "Completed, TimedOut", now)

    # -- transfers --------------------------------------------------------

    def route_downloads(self, req, rest, lrest):
        m = req.method
        if not rest:
            if m != "GET":
                return empty(405)
            inc = (req.q("includeRemoved") or "").lower() == "true"
            return json_response(self.listing(None, inc))
        if lrest == ["all", "completed"] and m == "DELETE":
            for t in self.transfers.values():
                if t["state"].startswith("Completed"):
                    t["removed"] = True
            return empty(204)
        username = rest[0]
        if len(rest) == 1:
            if m == "POST":
                return self.enqueue(req, username)
            if m == "GET":
                inc = (req.q("includeRemoved") or "").lower() == "true"
                groups = self.listing(username, inc)
                return json_response(groups[0]) if groups else empty(404)
            return empty(405)
        tid = rest[1]
        if not GUID_RE.match(tid):
            return empty(400)
        t = self.transfers.get(str(uuid.UUID(tid)))
        if t is not None and t["username"] != username:
            t = None
        if len(rest) == 3 and lrest[2] == "position" and m == "GET":
            if t is None:
                return empty(404)
            place = int((self.user(username) or {}).get("queue_length", 0))
            if t["state"] == "Queued, Remotely":
                place = max(place, 1)
            t["placeInQueue"] = place
            return json_response(place)
        if len(rest) != 2:
            return empty(404)
        if m == "GET":
            return json_response(self.transfer_json(t)) if t else empty(404)
        if m == "DELETE":
            remove = (req.q("remove") or "").lower() == "true"
            old = self.version < (0, 24, 5)
            if t is None:
                return empty(404) if old else empty(204)
            done = t["state"].startswith("Completed")
            if remove and not done and old:
                return jstr(500, "Invalid attempt to remove a download "
                            "before it is complete")
            if not done:
                self.end_transfer(t, "Completed, Cancelled", time.time(),
                                  "Transfer cancelled")
            if remove:
                t["removed"] = True
            return empty(204)
        return empty(405)

    def enqueue(self, req, username):
        v = self.version
        try:
            files = req.json()
        except ValueError:
            return jstr(400, "The request body could not be parsed as JSON")
        if not isinstance(files, list):
            return jstr(400, "The request body must be a JSON array")
        if v >= (0, 24, 0):
            if not files:
                return jstr(400, "At least one file is required")
            if any(f is None for f in files):
                return jstr(400, "One or more files in the request are null")
        if v >= (0, 26, 0):
            for f in files:
                parts = re.split(r"[\\/]", str(f.get("filename", "")))
                if ".." in parts:
                    return jstr(400, "One or more files in the request "
                                "contain a dangerous path traversal segment")
        user = self.user(username)
        if user is None or user.get("online", True) is False:
            return jstr(500, "User %s appears to be offline" % username)
        now = time.time()
        enqueued, failed = [], []
        for f in files:
            if not isinstance(f, dict):
                continue
            f = {k.lower(): val for k, val in f.items()}
            fn, size = f.get("filename"), f.get("size")
            active = [t for t in self.transfers.values()
                      if t["username"] == username and t["filename"] == fn
                      and not t["state"].startswith("Completed")]
            if active:
                if v < (0, 24, 0):
                    t = self.new_transfer(username, fn, size, now, user)
                    self.end_transfer(
                        t, "Completed, Errored", now,
                        "An active or queued download of %s from %s is "
                        "already in progress" % (fn, username))
                elif v >= (0, 26, 0):
                    failed.append({})   # C# value tuple: serializes as {}
                else:
                    failed.append(fn)
                continue
            t = self.new_transfer(username, fn, size, now, user)
            enqueued.append(self.transfer_json(t, db=False))
        if v < (0, 24, 0):
            return empty(201)
        return json_response({"enqueued": enqueued, "failed": failed}, 201)

    def new_transfer(self, username, filename, size, now, user):
        f = self.shared_file(user, filename)
        t = {
            "id": str(uuid.uuid4()), "username": username,
            "filename": filename,
            "size": int(size) if size is not None else (
                self.advertised_size(user, f) if f else 0),
            "state": "Queued, Locally", "phase": now, "requested": now,
            "enqueued": None, "started": None, "ended": None, "bytes": 0,
            "exception": None, "removed": False, "placeInQueue": None,
            "file": f, "user": user,
            "outcome": (f or {}).get("outcome", "succeeded"),
            "local_path": None, "partial": None, "written": 0,
            "moved": False,
        }
        self.transfers[t["id"]] = t
        return t

    def end_transfer(self, t, state, now, exception=None):
        t["state"], t["ended"], t["phase"] = state, now, now
        if exception:
            t["exception"] = exception
        if state != "Completed, Succeeded" and t["partial"]:
            try:
                os.unlink(t["partial"])
            except OSError:
                pass
            t["partial"] = None

    def transfer_json(self, t, db=True):
        """Transfer object, field set per configured version.  db=True:
        as loaded from slskd's database (requestedAt/enqueuedAt without Z)."""
        v = self.version
        now = time.time()
        d = {}
        d["id"] = t["id"]
        d["username"] = t["username"]
        d["direction"] = "Download"
        d["filename"] = t["filename"]
        d["size"] = t["size"]
        if v < (0, 26, 0):
            d["startOffset"] = 0
        d["state"] = t["state"]
        if (0, 23, 0) <= v < (0, 26, 0):
            d["stateDescription"] = t["state"]
        d["requestedAt"] = dotnet_time(t["requested"], z=not db)
        if t["enqueued"] is not None:
            d["enqueuedAt"] = dotnet_time(t["enqueued"], z=not db)
        if t["started"] is not None:
            d["startedAt"] = dotnet_time(t["started"])
        if t["ended"] is not None:
            d["endedAt"] = dotnet_time(t["ended"])
        d["bytesTransferred"] = t["bytes"]
        elapsed = None
        if t["started"] is not None:
            elapsed = max((t["ended"] or now) - t["started"], 1e-7)
        avg = t["bytes"] / elapsed if elapsed and t["bytes"] else 0
        d["averageSpeed"] = num(float(avg))
        if t["placeInQueue"] is not None:
            d["placeInQueue"] = t["placeInQueue"]
        if t["exception"]:
            d["exception"] = t["exception"]
        if v >= (0, 25, 0):
            d["attempts"] = 0
        if v >= (0, 26, 0):
            d["removed"] = t["removed"]
        remaining = max(t["size"] - t["bytes"], 0)
        d["bytesRemaining"] = remaining
        if elapsed is not None:
            d["elapsedTime"] = timespan(elapsed)
        d["percentComplete"] = num(100.0 * t["bytes"] / t["size"]) \
            if t["size"] else 0
        if avg > 0:
            d["remainingTime"] = timespan(remaining / avg)
        return d

    def listing(self, username, include_removed):
        groups = {}
        for t in self.transfers.values():
            if t["removed"] and not include_removed:
                continue
            if username is not None and t["username"] != username:
                continue
            dirs = groups.setdefault(t["username"], {})
            dirs.setdefault(remote_dir(t["filename"]), []).append(
                self.transfer_json(t))
        return [{"username": u, "directories": [
            {"directory": d, "fileCount": len(fs), "files": fs}
            for d, fs in dirs.items()]} for u, dirs in groups.items()]

    def destination(self, t):
        """Local path per slskd: downloads/<subdirectory>/<file name>."""
        parts = t["filename"].split("\\")
        name = sanitize(parts[-1])
        tmpl = self.conf.get("subdirectory", "${SOURCE_DIRECTORY}")
        src_dir = sanitize(parts[-2]) if len(parts) > 1 else ""
        sub = "" if tmpl in ("", "{}") else tmpl \
            .replace("${SOURCE_DIRECTORY}", src_dir) \
            .replace("${SOURCE_USERNAME}", sanitize(t["username"])) \
            .replace("${SOURCE_PATH}", "/".join(
                sanitize(p) for p in parts[:-1] if p))
        return sub, name

    def tick_transfer(self, t, now):
        conf = self.conf
        st = t["state"]
        age = (now - t["phase"]) * 1000.0
        if st == "Queued, Locally":
            if age < float(conf.get("queue_local_ms", 100)):
                return
            if t["file"] is None:
                return self.end_transfer(t, "Completed, Rejected", now,
                                         "File not shared.")
            if t["outcome"] == "rejected":
                return self.end_transfer(
                    t, "Completed, Rejected", now,
                    t["file"].get("exception", "File not shared."))
            t["state"], t["phase"], t["enqueued"] = \
                "Queued, Remotely", now, now
        elif st == "Queued, Remotely":
            if t["outcome"] == "queued":
                return
            if t["outcome"] == "timedout":
                if age >= float(conf.get("timeout_ms", 2000)):
                    self.end_transfer(t, "Completed, TimedOut", now,
                                      "The operation has timed out.")
                return
            if age >= float(conf.get("queue_remote_ms", 100)):
                t["state"], t["phase"] = "Initializing", now
        elif st == "Initializing":
            if age >= float(conf.get("init_ms", 50)):
                t["state"], t["phase"], t["started"] = "InProgress", now, now
                t["placeInQueue"] = None
        elif st == "InProgress":
            speed = conf.get("speed") or t["user"].get("upload_speed",
                                                       1048576)
            speed = max(float(speed), 1.0)
            t["bytes"] = min(t["size"], int((now - t["started"]) * speed))
            if t["outcome"] == "errored" and t["bytes"] >= t["size"] // 2:
                t["bytes"] = t["size"] // 2
                return self.end_transfer(
                    t, "Completed, Errored", now,
                    t["file"].get("exception",
                                  "Transfer failed: Remote connection "
                                  "closed"))
            self.write_partial(t)
            if t["bytes"] >= t["size"]:
                self.end_transfer(t, "Completed, Succeeded", now)
        elif st == "Completed, Succeeded" and not t["moved"]:
            if age >= float(conf.get("move_delay_ms", 50)):
                self.move_into_place(t, now)

    def payload(self, t):
        data = self.content(t["user"], t["file"])
        n = t["file"].get("write_bytes")
        return data[:int(n)] if n is not None else data

    def write_partial(self, t):
        if not self.fake.incomplete:
            return
        data = self.payload(t)
        if t["partial"] is None:
            sub, name = self.destination(t)
            d = os.path.join(self.fake.incomplete, sub)
            os.makedirs(d, exist_ok=True)
            t["partial"] = os.path.join(d, name)
            open(t["partial"], "wb").close()
        upto = len(data) if t["bytes"] >= t["size"] else \
            min(len(data), t["bytes"])
        if upto > t["written"]:
            with open(t["partial"], "ab") as f:
                f.write(data[t["written"]:upto])
            t["written"] = upto

    def move_into_place(self, t, now):
        t["moved"] = True
        if not self.fake.downloads:
            return
        sub, name = self.destination(t)
        d = os.path.join(self.fake.downloads, sub)
        os.makedirs(d, exist_ok=True)
        path = os.path.join(d, name)
        if os.path.exists(path):
            stem, ext = os.path.splitext(name)
            path = os.path.join(d, "%s_%d%s" % (stem, dotnet_ticks(now), ext))
        tmp = path + ".fake-tmp"
        if t["partial"]:
            os.replace(t["partial"], tmp)
            t["partial"] = None
        else:
            with open(tmp, "wb") as f:
                f.write(self.payload(t))
        os.replace(tmp, path)
        t["local_path"] = path

    # -- time, state ------------------------------------------------------

    def tick(self, now):
        for s in self.searches.values():
            if not s["complete"]:
                self.tick_search(s, now)
        for t in self.transfers.values():
            if not t["moved"] and t["state"] not in (
                    "Completed, Rejected", "Completed, Errored",
                    "Completed, TimedOut", "Completed, Cancelled"):
                self.tick_transfer(t, now)

    def state(self):
        return {
            "version": self.conf.get("version"),
            "searches": [{
                "id": s["id"], "searchText": s["searchText"],
                "state": s["state"], "responseCount": len(s["responses"]),
                "pending": len(s["pending"])}
                for s in self.searches.values()],
            "transfers": [{
                "id": t["id"], "username": t["username"],
                "filename": t["filename"], "state": t["state"],
                "bytesTransferred": t["bytes"], "size": t["size"],
                "removed": t["removed"], "local_path": t["local_path"]}
                for t in self.transfers.values()],
        }
