"""Shared plumbing for the SoulSpot loopback fakes: request/response types,
JSON helpers, .NET-style timestamps, deterministic ids, file-content specs.

Nothing here knows about a particular service.
"""

import base64
import hashlib
import json
import os
import random
import time
import urllib.parse
import uuid

# .NET DateTime.Ticks of the Unix epoch (100 ns units since 0001-01-01).
TICKS_AT_EPOCH = 621355968000000000


class Request:
    """One parsed HTTP request, as seen by a service.

    path is relative to the service's mount prefix ("/api/v0/searches" for
    "/slskd/api/v0/searches"); full_path is what the client sent.
    query maps each name to the list of its values, in order.
    """

    def __init__(self, method, full_path, path, query, headers, body, origin,
                 base):
        self.method = method
        self.full_path = full_path
        self.path = path
        self.query = query
        self.headers = headers      # email.message.Message: case-insensitive
        self.body = body            # bytes
        self.origin = origin        # "http://127.0.0.1:PORT"
        self.base = base            # origin + service prefix

    def q(self, name, default=None):
        """First value of query parameter name, or default."""
        v = self.query.get(name)
        return v[0] if v else default

    def header(self, name, default=None):
        v = self.headers.get(name)
        return default if v is None else v

    def json(self):
        """The body parsed as JSON; raises ValueError when it is not."""
        return json.loads(self.body.decode("utf-8"))

    def form(self):
        """The body parsed as application/x-www-form-urlencoded."""
        return urllib.parse.parse_qs(self.body.decode("utf-8", "replace"),
                                     keep_blank_values=True)


class Response:
    """Status, headers (list of pairs) and body bytes."""

    def __init__(self, status=200, body=b"", headers=None, content_type=None):
        self.status = status
        self.body = body if isinstance(body, bytes) else body.encode("utf-8")
        self.headers = list(headers or [])
        if content_type is not None:
            self.headers.append(("Content-Type", content_type))

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def set_header(self, name, value):
        self.headers = [(k, v) for k, v in self.headers
                        if k.lower() != name.lower()]
        self.headers.append((name, value))


def dumps(obj, compact=False, sort_keys=False):
    """JSON text; compact=True for ',' ':' separators (serde, .NET, Spotify
    use compact output; Python servers such as AcoustID use ', ' ': ')."""
    if compact:
        return json.dumps(obj, separators=(",", ":"), ensure_ascii=False,
                          sort_keys=sort_keys)
    return json.dumps(obj, ensure_ascii=False, sort_keys=sort_keys)


def json_response(obj, status=200, ctype="application/json; charset=utf-8",
                  compact=True, sort_keys=False, headers=None):
    return Response(status, dumps(obj, compact, sort_keys), headers, ctype)


def text_response(text, status=200, ctype="text/plain; charset=utf-8",
                  headers=None):
    return Response(status, text, headers, ctype)


def empty(status, headers=None):
    return Response(status, b"", headers)


def num(x):
    """A float that is integral is written as an integer, like .NET's
    System.Text.Json does for doubles (100.0 -> 100)."""
    if isinstance(x, float) and x.is_integer():
        return int(x)
    return x


def dotnet_time(t=None, z=True):
    """ISO-8601 with 7 fractional digits, as .NET writes DateTime.
    z=False drops the 'Z' (DateTimeKind.Unspecified, slskd's DB-loaded
    requestedAt/enqueuedAt)."""
    if t is None:
        t = time.time()
    ns = int(t * 1e9)
    secs, rem = divmod(ns, 10**9)
    base = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(secs))
    return "%s.%07d%s" % (base, rem // 100, "Z" if z else "")


def iso_ms(t=None):
    """ISO-8601 with milliseconds and Z (MusicBrainz 'created')."""
    if t is None:
        t = time.time()
    ms = int(t * 1000) % 1000
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + ".%03dZ" % ms


def timespan(seconds):
    """.NET TimeSpan constant format: [d.]hh:mm:ss[.fffffff]."""
    ticks = int(round(seconds * 1e7))
    whole, frac = divmod(ticks, 10**7)
    days, rest = divmod(whole, 86400)
    h, rest = divmod(rest, 3600)
    m, s = divmod(rest, 60)
    out = "%02d:%02d:%02d" % (h, m, s)
    if days:
        out = "%d.%s" % (days, out)
    if frac:
        out += ".%07d" % frac
    return out


def dotnet_ticks(t=None):
    """DateTime.UtcNow.Ticks for time t (slskd's _<ticks> collision suffix)."""
    if t is None:
        t = time.time()
    return TICKS_AT_EPOCH + int(t * 1e7)


def stable_uuid(*parts):
    """A deterministic UUID (v5) for a catalogue object without an explicit
    MBID, so fixtures stay short and runs are reproducible."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "soulspot-fake:" +
                          "\x1f".join(str(p) for p in parts)))


_B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def stable_b62(*parts, length=22):
    """A deterministic Spotify-style base62 id (22 characters)."""
    h = int.from_bytes(hashlib.sha256(
        "\x1f".join(str(p) for p in parts).encode()).digest(), "big")
    out = []
    for _ in range(length):
        h, r = divmod(h, 62)
        out.append(_B62[r])
    return "".join(out)


def token(nbytes=48, prefix=""):
    """An opaque random token (urlsafe base64, no padding)."""
    return prefix + base64.urlsafe_b64encode(os.urandom(nbytes)) \
        .decode().rstrip("=")


# A 1x1 greyscale JPEG: the default bytes for cover art without a file.
TINY_JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////"
    "////////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBAB"
    "AAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=")


def load_bytes(spec, where, base_dir):
    """The bytes a catalogue object stands for.  spec is a dict holding one
    of: "path" (a local file, relative to the catalogue's directory),
    "content" (UTF-8 text), "content_b64", or "generate":
    {"size": N, "seed": S} (deterministic pseudo-random bytes).
    Returns None when the dict holds none of these."""
    if "path" in spec:
        p = spec["path"]
        if not os.path.isabs(p):
            p = os.path.join(base_dir, p)
        with open(p, "rb") as f:
            return f.read()
    if "content" in spec:
        return spec["content"].encode("utf-8")
    if "content_b64" in spec:
        return base64.b64decode(spec["content_b64"])
    if "generate" in spec:
        g = spec["generate"]
        size = int(g.get("size", 1024))
        rng = random.Random(str(g.get("seed", where)))
        return rng.randbytes(size)
    return None


def version_tuple(v):
    """'0.24.5' -> (0, 24, 5) for comparisons."""
    out = []
    for p in str(v).split("."):
        digits = "".join(c for c in p if c.isdigit())
        out.append(int(digits or 0))
    while len(out) < 3:
        out.append(0)
    return tuple(out[:3])


class Service:
    """Base class of one fake service.

    mounts: path prefixes served (e.g. ["/slskd"]); a request's path is
    made relative to the matching mount and the mount is in req.mount.
    handle() runs under the fake's global lock and returns a Response.
    """

    name = ""
    mounts = []

    def __init__(self, fake):
        self.fake = fake

    @property
    def cat(self):
        return self.fake.catalogue

    @property
    def conf(self):
        return self.fake.catalogue.settings.get(self.name, {})

    def base_urls(self, origin):
        """{config name: base URL} for the client's configuration."""
        return {}

    def handle(self, req):
        raise NotImplementedError

    def fault(self, kind, rule, req):
        """A service-specific Response for an injected fault kind ("429",
        "500", "503", "expired_token"), or None for the generic one."""
        return None

    def tick(self, now):
        """Advance time-driven state (searches, transfers)."""

    def state(self):
        """A JSON-able snapshot for GET /_fake/state."""
        return {}

    def control(self, action, req):
        """POST /_fake/<service>/<action>; returns a Response or None."""
        return None

    def reset(self):
        """Forget runtime state (called when the catalogue is replaced)."""
