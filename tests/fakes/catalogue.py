"""The fixture catalogue: one JSON document the tests write, shared by every
fake service.  tests/fakes/README describes the schema.

Loading fills in what a fixture may leave out (ids derived
deterministically from keys, album/artist cross references), so each
service can rely on complete objects.
"""

import copy
import json
import os

from common import stable_b62, stable_uuid

# Defaults for settings; the catalogue's "settings" and /_fake/config are
# merged over these (one level deep per service).
DEFAULT_SETTINGS = {
    "slskd": {
        "api_keys": ["fake-slskd-api-key-0123456789"],
        "username": "slskd",
        "password": "slskd",
        "auth_disabled": False,
        "version": "0.26.0",
        "search_time_scale": 1.0,       # multiplies the request's searchTimeout
        "response_delay_ms": 50,        # default per-user response arrival
        "queue_local_ms": 100,          # Queued, Locally -> Queued, Remotely
        "queue_remote_ms": 100,         # Queued, Remotely -> Initializing
        "init_ms": 50,                  # Initializing -> InProgress
        "speed": None,                  # bytes/s; None = the user's uploadSpeed
        "move_delay_ms": 50,            # Completed, Succeeded -> file present
        "subdirectory": "${SOURCE_DIRECTORY}",
        "timeout_ms": 2000,             # outcome "timedout": time in remote queue
    },
    "spotify": {
        "mode": "restricted",           # or "legacy" (pre-2026 behaviour)
        "token_ttl": 3600,
        "rotate_refresh_tokens": True,
        "authorize": "approve",         # or "deny"
        "user": {"id": "testuser42", "display_name": "Test User"},
        "clients": [{"client_id": "fakeclientid",
                     "client_secret": "fakeclientsecret",
                     "redirect_uris": ["http://127.0.0.1/callback"]}],
    },
    "musicbrainz": {
        "require_user_agent": True,
        "rate_per_s": 0,                # 0 = no rate limit; 1 = the real one
    },
    "coverartarchive": {},
    "lrclib": {},
    "lastfm": {
        "api_keys": ["fakelastfmkey"],
        "single_as_object": False,      # the XML->JSON 1-element quirk
    },
    "acoustid": {
        "client_keys": ["fakeacoustidkey"],
    },
}


def merge_settings(base, over):
    out = copy.deepcopy(base)
    for svc, vals in (over or {}).items():
        if isinstance(vals, dict):
            out.setdefault(svc, {}).update(vals)
        else:
            out[svc] = vals
    return out


def _artists_of(obj):
    if "artists" in obj:
        a = obj["artists"]
        return [a] if isinstance(a, str) else list(a)
    if "artist" in obj:
        return [obj["artist"]]
    return []


class Catalogue:
    """Indexed view of the fixture JSON."""

    def __init__(self, doc, base_dir="."):
        self.doc = doc
        self.base_dir = base_dir
        self.settings = merge_settings(DEFAULT_SETTINGS,
                                       doc.get("settings"))
        self.artists = {}       # lower(name) -> artist dict
        self.albums = {}        # key -> album dict
        self.tracks = {}        # key -> track dict
        self._index()

    @classmethod
    def load(cls, path):
        if not path:
            return cls({}, ".")
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        return cls(doc, os.path.dirname(os.path.abspath(path)))

    def artist(self, name):
        """The artist dict for name, created on first use."""
        a = self.artists.get(name.lower())
        if a is None:
            a = {"name": name}
            self._fill_artist(a)
            self.artists[name.lower()] = a
        return a

    def _fill_artist(self, a):
        a.setdefault("sort_name", a["name"])
        a.setdefault("mbid", stable_uuid("artist", a["name"]))
        a.setdefault("spotify_id", stable_b62("artist", a["name"]))
        a.setdefault("type", "Group")
        a.setdefault("tags", [])

    def _index(self):
        for a in self.doc.get("artists", []):
            self._fill_artist(a)
            self.artists[a["name"].lower()] = a
        for i, al in enumerate(self.doc.get("albums", [])):
            key = al.setdefault("key", al.get("title", "album%d" % i))
            al.setdefault("title", key)
            al["artists"] = _artists_of(al) or ["Various Artists"]
            al.setdefault("mbid", stable_uuid("release", key))
            al.setdefault("release_group_mbid",
                          stable_uuid("release-group", key))
            al.setdefault("spotify_id", stable_b62("album", key))
            al.setdefault("release_date", "")
            al.setdefault("country", "XW")
            al.setdefault("status", "Official")
            al.setdefault("primary_type", "Album")
            al.setdefault("format", "Digital Media")
            al.setdefault("barcode", "")
            al.setdefault("cover_art", [])
            al["tracks"] = []
            self.albums[key] = al
            for n in al["artists"]:
                self.artist(n)
        for i, t in enumerate(self.doc.get("tracks", [])):
            key = t.setdefault("key", t.get("title", "track%d" % i))
            t.setdefault("title", key)
            t["artists"] = _artists_of(t) or ["Unknown Artist"]
            for n in t["artists"]:
                self.artist(n)
            t.setdefault("mbid", stable_uuid("recording", key))
            t.setdefault("mb_track_id", stable_uuid("track", key))
            t.setdefault("spotify_id", stable_b62("track", key))
            t.setdefault("duration_ms", 180000)
            t.setdefault("track_number", 1)
            t.setdefault("disc_number", 1)
            t.setdefault("explicit", False)
            album = t.get("album")
            if isinstance(album, str) and album not in self.albums:
                # an album named only by title: create it
                self.albums[album] = {
                    "key": album, "title": album, "artists": t["artists"],
                    "mbid": stable_uuid("release", album),
                    "release_group_mbid": stable_uuid("release-group", album),
                    "spotify_id": stable_b62("album", album),
                    "release_date": "", "country": "XW",
                    "status": "Official", "primary_type": "Album",
                    "format": "Digital Media", "barcode": "",
                    "cover_art": [], "tracks": []}
            if isinstance(album, str):
                self.albums[album]["tracks"].append(t)
            self.tracks[key] = t
        for al in self.albums.values():
            al["tracks"].sort(key=lambda t: (t["disc_number"],
                                             t["track_number"]))
            al.setdefault("total_tracks", len(al["tracks"]))

    def album_of(self, track):
        a = track.get("album")
        return self.albums.get(a) if isinstance(a, str) else None

    def section(self, name):
        """The service-specific part of the document ("slskd", "spotify"...)."""
        return self.doc.get(name, {})
