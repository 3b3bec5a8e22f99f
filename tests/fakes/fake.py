#!/usr/bin/env python3
"""fake.py: loopback fakes of the remote services SoulSpot talks to (slskd,
Spotify, MusicBrainz, Cover Art Archive, LRCLIB, Last.fm, AcoustID), all in
one process on one 127.0.0.1 port, routed by path prefix.

    python3 tests/fakes/fake.py --services slskd,spotify \\
        --catalogue cat.json --port-file port --log requests.jsonl \\
        --downloads DIR [--urls urls.json] [--faults faults.json]

See tests/fakes/README for the catalogue schema, the request log, fault
injection and what each service does.  Python 3 standard library only.
"""

import argparse
import base64
import json
import os
import re
import signal
import socket
import struct
import sys
import threading
import time
import traceback
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.dont_write_bytecode = True     # keep the work tree free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from catalogue import Catalogue, merge_settings           # noqa: E402
from common import Request, Response, dumps, empty, json_response, \
    text_response                                          # noqa: E402
import svc_slskd                                           # noqa: E402
import svc_spotify                                         # noqa: E402
import svc_musicbrainz                                     # noqa: E402
import svc_coverart                                        # noqa: E402
import svc_lyrics                                          # noqa: E402

SERVICES = {
    "slskd": svc_slskd.Slskd,
    "spotify": svc_spotify.Spotify,
    "musicbrainz": svc_musicbrainz.MusicBrainz,
    "coverartarchive": svc_coverart.CoverArtArchive,
    "lrclib": svc_lyrics.Lrclib,
    "lastfm": svc_lyrics.LastFm,
    "acoustid": svc_lyrics.AcoustId,
}

FAULT_KINDS = ("429", "500", "502", "503", "504", "status", "slow", "reset",
               "truncate", "badjson", "expired_token", "content_type")


class Fault:
    """One fault-injection rule; see README "Fault injection"."""

    _next_id = 1

    def __init__(self, d):
        kind = str(d.get("fault", ""))
        if kind not in FAULT_KINDS:
            raise ValueError("unknown fault %r (one of %s)"
                             % (kind, ", ".join(FAULT_KINDS)))
        self.id = Fault._next_id
        Fault._next_id += 1
        self.kind = kind
        self.service = d.get("service")
        self.method = d.get("method")
        self.path_regex = d.get("path_regex")
        self._re = re.compile(self.path_regex) if self.path_regex else None
        t = d.get("times", 1)
        self.times = None if t is None or int(t) < 0 else int(t)
        self.retry_after = d.get("retry_after")
        self.delay_ms = int(d.get("delay_ms", 2000))
        self.status = int(d.get("status", 500))
        self.body = d.get("body")
        self.content_type = d.get("content_type")
        self.hits = 0

    def matches(self, service, req):
        if self.times is not None and self.hits >= self.times:
            return False
        if self.service and self.service != service:
            return False
        if self.method and self.method.upper() != req.method:
            return False
        if self._re and not self._re.search(req.path):
            return False
        return True

    def to_json(self):
        return {"id": self.id, "fault": self.kind, "service": self.service,
                "method": self.method, "path_regex": self.path_regex,
                "times": self.times, "hits": self.hits,
                "retry_after": self.retry_after, "delay_ms": self.delay_ms}


class Fake:
    """Shared state of the process: catalogue, services, faults, log."""

    def __init__(self, args):
        self.args = args
        self.lock = threading.RLock()
        self.catalogue = Catalogue.load(args.catalogue)
        self.overrides = {}
        for s in args.set or []:
            k, _, v = s.partition("=")
            svc, _, key = k.partition(".")
            try:
                v = json.loads(v)
            except ValueError:
                pass
            self.overrides.setdefault(svc, {})[key] = v
        self._apply_overrides()
        self.downloads = args.downloads
        self.incomplete = args.incomplete
        names = [s.strip() for s in args.services.split(",") if s.strip()]
        if names == ["all"]:
            names = list(SERVICES)
        self.services = []
        for n in names:
            if n not in SERVICES:
                raise SystemExit("fake.py: unknown service '%s' (known: %s)"
                                 % (n, ", ".join(SERVICES)))
            self.services.append(SERVICES[n](self))
        self.mounts = sorted(((m, s) for s in self.services for m in s.mounts),
                             key=lambda x: -len(x[0]))
        self.faults = []
        if args.faults:
            with open(args.faults, encoding="utf-8") as f:
                d = json.load(f)
            for r in d if isinstance(d, list) else [d]:
                self.faults.append(Fault(r))
        self.log_file = open(args.log, "a", encoding="utf-8") \
            if args.log else None
        self.stopping = threading.Event()

    def _apply_overrides(self):
        self.catalogue.settings = merge_settings(self.catalogue.settings,
                                                 self.overrides)

    def route(self, path):
        for m, svc in self.mounts:
            if path == m or path.startswith(m + "/"):
                return m, svc
        return None, None

    def take_fault(self, service, req):
        with self.lock:
            for f in self.faults:
                if f.matches(service, req):
                    f.hits += 1
                    return f
        return None

    def log(self, entry):
        if not self.log_file:
            return
        line = json.dumps(entry, ensure_ascii=False)
        with self.lock:
            self.log_file.write(line + "\n")
            self.log_file.flush()

    def ticker(self):
        while not self.stopping.wait(0.02):
            now = time.time()
            with self.lock:
                for s in self.services:
                    try:
                        s.tick(now)
                    except Exception:
                        traceback.print_exc()

    # -- /_fake/ control endpoints ----------------------------------------

    def control(self, handler, req):
        parts = [p for p in req.path.split("/") if p][1:]
        what = parts[0] if parts else ""
        m = req.method
        with self.lock:
            if what == "health":
                return text_response("ok\n")
            if what == "faults":
                if m == "GET":
                    return json_response([f.to_json() for f in self.faults])
                if m == "DELETE":
                    self.faults = []
                    return empty(204)
                if m == "POST":
                    try:
                        d = req.json()
                        new = [Fault(r) for r in
                               (d if isinstance(d, list) else [d])]
                    except (ValueError, TypeError, re.error) as e:
                        return text_response(str(e) + "\n", 400)
                    self.faults.extend(new)
                    return json_response([f.to_json() for f in new], 201)
            if what == "state" and m == "GET":
                st = {s.name: s.state() for s in self.services}
                if len(parts) > 1:
                    if parts[1] not in st:
                        return text_response("no such service\n", 404)
                    st = st[parts[1]]
                else:
                    st["faults"] = [f.to_json() for f in self.faults]
                return json_response(st, compact=False)
            if what == "config":
                if m == "POST":
                    try:
                        d = req.json()
                    except ValueError as e:
                        return text_response(str(e) + "\n", 400)
                    for svc, vals in d.items():
                        self.overrides.setdefault(svc, {}).update(vals)
                    self._apply_overrides()
                return json_response(self.catalogue.settings, compact=False)
            if what == "catalogue" and m == "POST":
                try:
                    doc = req.json()
                except ValueError as e:
                    return text_response(str(e) + "\n", 400)
                base = os.path.dirname(os.path.abspath(self.args.catalogue)) \
                    if self.args.catalogue else "."
                self.catalogue = Catalogue(doc, base)
                self._apply_overrides()
                for s in self.services:
                    s.reset()
                return empty(204)
            if what == "shutdown" and m == "POST":
                threading.Thread(target=handler.server.shutdown,
                                 daemon=True).start()
                return text_response("bye\n")
            for s in self.services:
                if s.name == what and len(parts) > 1 and m == "POST":
                    r = s.control(parts[1], req)
                    if r is not None:
                        return r
        return text_response("unknown control request\n", 404)


def _headers_dict(msg):
    out = {}
    for k, v in msg.items():
        out[k] = out[k] + ", " + v if k in out else v
    return out


class Handler(BaseHTTPRequestHandler):
    """HTTP/1.1 with keep-alive; every response carries Content-Length."""

    protocol_version = "HTTP/1.1"
    server_version = "soulspot-fake/1"
    fake = None     # set by main()

    def log_message(self, fmt, *args):
        if self.fake.args.verbose:
            sys.stderr.write("fake: %s\n" % (fmt % args))

    def _read_body(self):
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            out = b""
            while True:
                n = int(self.rfile.readline().split(b";")[0].strip() or b"0",
                        16)
                if n == 0:
                    while self.rfile.readline().strip():
                        pass
                    return out
                out += self.rfile.read(n)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def _dispatch(self):
        fake = self.fake
        body = self._read_body()
        url = urllib.parse.urlsplit(self.path)
        path = url.path
        query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        host = self.headers.get("Host") or \
            "127.0.0.1:%d" % self.server.server_address[1]
        origin = "http://" + host
        if path.startswith("/_fake/") or path == "/_fake":
            req = Request(self.command, path, path, query, self.headers,
                          body, origin, origin)
            return self._send(fake.control(self, req))
        mount, svc = fake.route(path)
        if svc is None:
            return self._send(text_response(
                "no fake service is mounted at this path\n", 404))
        req = Request(self.command, path, path[len(mount):] or "/", query,
                      self.headers, body, origin, origin + mount)
        req.mount = mount
        entry = {"ts": round(time.time(), 6), "service": svc.name,
                 "method": self.command, "path": path,
                 "query": query, "headers": _headers_dict(self.headers)}
        try:
            entry["body"] = body.decode("utf-8")
        except UnicodeDecodeError:
            entry["body_b64"] = base64.b64encode(body).decode()
        fault = fake.take_fault(svc.name, req)
        if fault:
            entry["fault"] = fault.kind
        if fault and fault.kind == "reset":
            entry["status"] = None
            fake.log(entry)
            return self._reset()
        if fault and fault.kind == "slow":
            time.sleep(fault.delay_ms / 1000.0)
        resp = None
        if fault and fault.kind not in ("slow", "truncate", "content_type"):
            with fake.lock:
                resp = self._fault_response(svc, fault, req)
        if resp is None:
            try:
                with fake.lock:
                    resp = svc.handle(req)
            except Exception:
                traceback.print_exc()
                resp = text_response("fake: internal error\n"
                                     + traceback.format_exc(), 500)
        if fault and fault.kind == "content_type":
            resp = Response(200, "<!DOCTYPE html>\n<html><head><title>"
                            "Service Unavailable</title></head><body>"
                            "<h1>Please try again later</h1></body></html>\n",
                            content_type="text/html; charset=utf-8")
        entry["status"] = resp.status
        fake.log(entry)
        if fault and fault.kind == "truncate":
            return self._send(resp, truncate=True)
        self._send(resp)

    def _fault_response(self, svc, fault, req):
        kind = fault.kind
        if kind == "badjson":
            return Response(200, b'{"error": tru', content_type=(
                "application/json; charset=utf-8"))
        if kind == "status":
            body = fault.body if fault.body is not None else ""
            resp = Response(fault.status, body,
                            content_type=fault.content_type)
        else:
            resp = svc.fault(kind, fault, req)
            if resp is None:
                status = 401 if kind == "expired_token" else int(kind)
                resp = empty(status)
        if fault.retry_after is not None:
            resp.set_header("Retry-After", str(fault.retry_after))
        elif kind == "429" and resp.header("Retry-After") is None:
            resp.set_header("Retry-After", "1")
        return resp

    def _reset(self):
        """Drop the connection with a TCP RST, no response at all."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass

    def _send(self, resp, truncate=False):
        body = resp.body
        self.send_response(resp.status)
        for k, v in resp.headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        if truncate:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command != "HEAD" and resp.status not in (204, 304):
            self.wfile.write(body[:len(body) // 2] if truncate else body)
        self.wfile.flush()

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = \
        do_OPTIONS = _dispatch


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        # A client hanging up mid-response is not worth a traceback.
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, BrokenPipeError)):
            return
        super().handle_error(request, client_address)


def write_atomic(path, text):
    tmp = "%s.tmp.%d" % (path, os.getpid())
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.rename(tmp, path)


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Loopback fakes of SoulSpot's remote services.")
    ap.add_argument("--services", default="all",
                    help="comma-separated subset of: %s (default all)"
                    % ",".join(SERVICES))
    ap.add_argument("--catalogue", help="fixture catalogue (JSON)")
    ap.add_argument("--port", type=int, default=0,
                    help="port to bind on 127.0.0.1 (default 0: any free)")
    ap.add_argument("--port-file",
                    help="write the port here once listening")
    ap.add_argument("--urls",
                    help="write a JSON map of base URLs here once listening")
    ap.add_argument("--log", help="append one JSON line per request here")
    ap.add_argument("--downloads", help="slskd downloads directory")
    ap.add_argument("--incomplete", help="slskd incomplete directory "
                    "(optional; partial files are written there)")
    ap.add_argument("--faults", help="JSON file of fault rules to start with")
    ap.add_argument("--set", action="append", metavar="SVC.KEY=VALUE",
                    help="override a setting (VALUE parsed as JSON if it is)")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="log each request to stderr")
    args = ap.parse_args(argv)

    fake = Fake(args)
    Handler.fake = fake
    server = Server(("127.0.0.1", args.port), Handler)
    port = server.server_address[1]

    def stop(signum, frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    threading.Thread(target=fake.ticker, daemon=True).start()

    origin = "http://127.0.0.1:%d" % port
    if args.urls:
        urls = {}
        for s in fake.services:
            urls.update(s.base_urls(origin))
        urls["control"] = origin + "/_fake"
        write_atomic(args.urls, dumps(urls) + "\n")
    if args.port_file:
        write_atomic(args.port_file, "%d\n" % port)
    try:
        server.serve_forever(poll_interval=0.1)
    finally:
        fake.stopping.set()
        server.server_close()
        if args.port_file:
            try:
                os.unlink(args.port_file)
            except OSError:
                pass
        if fake.log_file:
            fake.log_file.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
