#!/usr/bin/env bash
# t5001-tag-roundtrip.t: ss-tag writes every meta field into real mp3, flac,
# ogg, opus and m4a files; TagLib and mutagen read them back the same.
. "$(dirname "$0")/lib.sh"

have jq || skip_all "jq is not installed"
have sox || skip_all "sox is not installed (needed to make audio)"
PY=
for p in /usr/bin/python3 python3; do
	if "$p" -c 'import mutagen' 2>/dev/null; then
		PY=$p
		break
	fi
done
[ -n "$PY" ] || skip_all "python3-mutagen is not installed"

sox -n -r 44100 -c 2 -b 16 tone.wav synth 1 sine 440 vol 0.5 ||
	skip_all "sox cannot make a wav file"

# a ~500 KB PNG of noise
"$PY" - <<'EOF2'
import random, struct, zlib
random.seed(5001)
w = h = 410
raw = b"".join(b"\0" + bytes(random.getrandbits(8) for _ in range(w * 3))
               for _ in range(h))
def chunk(t, d):
    return (struct.pack(">I", len(d)) + t + d +
            struct.pack(">I", zlib.crc32(t + d) & 0xffffffff))
open("cover.png", "wb").write(b"\x89PNG\r\n\x1a\n" +
    chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
    chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))
EOF2
COVER_SHA=$(sha256sum cover.png | cut -c1-64)

# mutagen's view, in Picard's names: {KEY: [values]}, plus the cover
cat >mread.py <<'EOF2'
import hashlib, json, sys, base64
import mutagen
from mutagen.flac import Picture
f = mutagen.File(sys.argv[1])
out, pics = {}, []
kind = type(f).__name__
def put(k, v):
    out[k] = [str(x) for x in v]
if kind == "MP3":
    id3 = {"TIT2": "TITLE", "TPE1": "ARTIST", "TALB": "ALBUM",
           "TPE2": "ALBUMARTIST", "TRCK": "TRACKNUMBER", "TPOS": "DISCNUMBER",
           "TDRC": "DATE", "TDOR": "ORIGINALDATE", "TCON": "GENRE",
           "TSRC": "ISRC", "TPUB": "LABEL", "TMED": "MEDIA",
           "TCMP": "COMPILATION"}
    for key, fr in f.tags.items():
        if key.startswith("APIC"):
            pics.append([fr.type, fr.mime, hashlib.sha256(fr.data).hexdigest()])
        elif key in id3:
            put(id3[key], fr.text)
        elif key.startswith("TXXX:"):
            put("TXXX:" + fr.desc, fr.text)
        elif key == "UFID:http://musicbrainz.org":
            put("MUSICBRAINZ_TRACKID", [fr.data.decode()])
        elif key.startswith("USLT"):
            put("LYRICS", [fr.text])
        elif key.startswith("COMM"):
            put("COMMENT", fr.text)
    out["id3version"] = ["2.%d" % f.tags.version[1]]
elif kind == "MP4":
    m = {"\xa9nam": "TITLE", "\xa9ART": "ARTIST", "\xa9alb": "ALBUM",
         "aART": "ALBUMARTIST", "\xa9day": "DATE", "\xa9gen": "GENRE",
         "\xa9lyr": "LYRICS", "\xa9cmt": "COMMENT", "cpil": "COMPILATION"}
    for key, v in f.tags.items():
        if key == "covr":
            for c in v:
                pics.append([3, "image/png" if c.imageformat == c.FORMAT_PNG
                             else "image/jpeg", hashlib.sha256(bytes(c)).hexdigest()])
        elif key in ("trkn", "disk"):
            n, t = v[0]
            put("TRACKNUMBER" if key == "trkn" else "DISCNUMBER",
                ["%d/%d" % (n, t) if t else "%d" % n])
        elif key == "cpil":
            put("COMPILATION", ["1" if v else "0"])
        elif key in m:
            put(m[key], v)
        elif key.startswith("----:com.apple.iTunes:"):
            put(key[22:], [x.decode() for x in v])
else:
    for key in f.tags.keys():
        if key.lower() == "metadata_block_picture":
            for v in f.tags[key]:
                p = Picture(base64.b64decode(v))
                pics.append([p.type, p.mime, hashlib.sha256(p.data).hexdigest()])
        else:
            put(key.upper(), f.tags[key])
    for p in getattr(f, "pictures", []):
        pics.append([p.type, p.mime, hashlib.sha256(p.data).hexdigest()])
out["pictures"] = pics
print(json.dumps(out, ensure_ascii=False, sort_keys=True))
EOF2

cat >meta.json <<'EOF2'
{"title": "Ελληνικά \"quoted\"", "artist": "Björk feat. 坂本龍一",
 "artists": ["Björk", "坂本龍一"], "album": "Album ☃",
 "albumartist": "Various Artists", "albumartists": ["Various Artists"],
 "track": 3, "tracktotal": 12, "disc": "1", "disctotal": 2,
 "date": "2001-05-01", "originaldate": "1999-01-02", "year": 2001,
 "genre": ["Electronic", "Ambient"], "isrc": "USRC17607839",
 "label": "One Little Indian", "catalognumber": "TPLP 101",
 "barcode": "0123456789012", "media": "CD", "releasetype": "album",
 "releasestatus": "official", "releasecountry": "GB",
 "musicbrainz": {"recording": "0b7f8f6d-3b61-4b0e-9a8a-1f8f0a9d7c11",
   "track": "1b7f8f6d-3b61-4b0e-9a8a-1f8f0a9d7c11",
   "release": "2b7f8f6d-3b61-4b0e-9a8a-1f8f0a9d7c11",
   "releasegroup": "3b7f8f6d-3b61-4b0e-9a8a-1f8f0a9d7c11",
   "artist": ["4b7f8f6d-3b61-4b0e-9a8a-1f8f0a9d7c11",
              "5b7f8f6d-3b61-4b0e-9a8a-1f8f0a9d7c11"],
   "albumartist": ["89ad4ac3-39f7-470e-963a-56509c546377"]},
 "spotify": {"id": "6rqhFgbbKwnb9MLmUQDhG6",
   "url": "https://open.spotify.com/track/6rqhFgbbKwnb9MLmUQDhG6"},
 "compilation": true, "comment": "ripped in a test"}
EOF2

# What TagLib must read back: the Vorbis forms, or ID3/MP4 ones.
want_taglib() {	# want_taglib FMT
	jq -S --arg fmt "$1" '
	  def ids: .musicbrainz;
	  {TITLE: [.title], ARTIST: [.artist], ARTISTS: .artists,
	   ALBUM: [.album], ALBUMARTIST: [.albumartist],
	   ALBUMARTISTS: .albumartists, DATE: [.date],
	   ORIGINALDATE: [.originaldate], GENRE: .genre, ISRC: [.isrc],
	   LABEL: [.label], CATALOGNUMBER: [.catalognumber],
	   BARCODE: [.barcode], MEDIA: [.media], RELEASETYPE: [.releasetype],
	   RELEASESTATUS: [.releasestatus],
	   RELEASECOUNTRY: [.releasecountry],
	   MUSICBRAINZ_TRACKID: [ids.recording],
	   MUSICBRAINZ_RELEASETRACKID: [ids.track],
	   MUSICBRAINZ_ALBUMID: [ids.release],
	   MUSICBRAINZ_RELEASEGROUPID: [ids.releasegroup],
	   MUSICBRAINZ_ARTISTID: ids.artist,
	   MUSICBRAINZ_ALBUMARTISTID: ids.albumartist,
	   SPOTIFY_TRACKID: [.spotify.id],
	   AUDIOSOURCEWEBPAGE: [.spotify.url],
	   COMPILATION: ["1"], COMMENT: [.comment], LYRICS: ["la la la"]}
	  + (if $fmt == "mp3" or $fmt == "m4a" then
	      {TRACKNUMBER: ["3/12"], DISCNUMBER: ["1/2"]}
	    else {TRACKNUMBER: ["3"], TRACKTOTAL: ["12"], DISCNUMBER: ["1"],
	      DISCTOTAL: ["2"]} end)
	  | if $fmt == "m4a" then
	      del(.ALBUMARTISTS, .SPOTIFY_TRACKID, .AUDIOSOURCEWEBPAGE)
	    else . end' meta.json
}

check_format() {
	local fmt=$1 f=song.$1
	ok "$fmt: make a real file" make_audio "$fmt" "$f" || return
	jq -c -n --arg f "$f" --slurpfile m meta.json '{id: "r1", path: $f,
	    meta: $m[0], lyrics: {plain: "la la la",
	    synced: "[00:01.00]la la la\n"}, art: "cover.png"}' >in.ndjson

	ok "$fmt: -n changes nothing" sh -c 'ss-tag -n in.ndjson >plan.txt'
	ok "$fmt: -n prints a diff" grep -q "^  TITLE: (none) -> 'Ελληνικά" \
	    plan.txt
	cp "$f" "before.$fmt"
	ok "$fmt: -n left the bytes" cmp -s "$f" "before.$fmt"

	ok "$fmt: tag it" sh -c 'ss-tag in.ndjson >out.ndjson'
	is "$fmt: tag.unchanged is false" \
	    "$(jq -c .tag.unchanged out.ndjson)" false
	is "$fmt: COVER written" \
	    "$(jq -c '.tag.written | index("COVER") != null' out.ndjson)" true
	test-tags read --pictures "$f" >read.json
	want_taglib "$fmt" >want.json
	jq -S '.tags | del(.ENCODER, .ENCODEDBY)' read.json >got.json
	json_same "$fmt: TagLib reads every field back" want.json got.json
	is "$fmt: one front cover of 500 KB, same bytes" \
	    "$(jq -c '[.pictures[] | [.type, .sha256]]' read.json)" \
	    "[[3,\"$COVER_SHA\"]]"
	is "$fmt: the .lrc sidecar" "$(cat song.lrc)" "[00:01.00]la la la"

	"$PY" mread.py "$f" >mut.json
	is "$fmt: mutagen sees the cover" "$(jq -c '.pictures' mut.json)" \
	    "[[3,\"image/png\",\"$COVER_SHA\"]]"
	case $fmt in
	mp3)
		jq -S '{TITLE: [.title], ARTIST: [.artist], ALBUM: [.album],
		  TRACKNUMBER: ["3/12"], DISCNUMBER: ["1/2"], DATE: [.date],
		  ORIGINALDATE: [.originaldate], GENRE: .genre,
		  "TXXX:ARTISTS": .artists,
		  "TXXX:MusicBrainz Album Id": [.musicbrainz.release],
		  "TXXX:MusicBrainz Artist Id": .musicbrainz.artist,
		  "TXXX:MusicBrainz Release Group Id":
		    [.musicbrainz.releasegroup],
		  "TXXX:MusicBrainz Release Track Id": [.musicbrainz.track],
		  "TXXX:MusicBrainz Album Artist Id": .musicbrainz.albumartist,
		  "TXXX:MusicBrainz Album Type": [.releasetype],
		  "TXXX:MusicBrainz Album Status": [.releasestatus],
		  "TXXX:MusicBrainz Album Release Country": [.releasecountry],
		  "TXXX:CATALOGNUMBER": [.catalognumber],
		  "TXXX:BARCODE": [.barcode],
		  MUSICBRAINZ_TRACKID: [.musicbrainz.recording],
		  ISRC: [.isrc], LABEL: [.label], MEDIA: [.media],
		  COMPILATION: ["1"], LYRICS: ["la la la"],
		  COMMENT: [.comment], id3version: ["2.4"]}' meta.json \
		    >mwant.json
		jq -S 'del(.pictures, ."TXXX:ALBUMARTISTS",
		    ."TXXX:SPOTIFY_TRACKID", .ALBUMARTIST)' mut.json >mgot.json
		;;
	m4a)
		jq -S '{TITLE: [.title], ARTIST: [.artist], ALBUM: [.album],
		  ALBUMARTIST: [.albumartist], TRACKNUMBER: ["3/12"],
		  DISCNUMBER: ["1/2"], DATE: [.date], GENRE: .genre,
		  LYRICS: ["la la la"], COMMENT: [.comment],
		  COMPILATION: ["1"], ARTISTS: .artists,
		  "MusicBrainz Track Id": [.musicbrainz.recording],
		  "MusicBrainz Album Id": [.musicbrainz.release],
		  "MusicBrainz Artist Id": .musicbrainz.artist,
		  ISRC: [.isrc], BARCODE: [.barcode]}' meta.json >mwant.json
		jq -S --slurpfile w mwant.json \
		    'with_entries(select(.key as $k | $w[0] | has($k)))' \
		    mut.json >mgot.json
		;;
	*)
		jq -S 'del(.LYRICS)' want.json >mwant.json
		jq -S 'del(.pictures, .ENCODER, .LYRICS)' mut.json >mgot.json
		is "$fmt: mutagen reads the lyrics" \
		    "$(jq -c .LYRICS mut.json)" '["la la la"]'
		;;
	esac
	json_same "$fmt: mutagen reads the same fields" mwant.json mgot.json

	# the same values again: not a byte changes, the file is not rewritten
	ino=$(stat -c %i "$f")
	cp "$f" "tagged.$fmt"
	ok "$fmt: tag again" sh -c 'ss-tag in.ndjson >out2.ndjson'
	is "$fmt: unchanged:true, nothing written" \
	    "$(jq -c '[.tag.unchanged, .tag.written]' out2.ndjson)" '[true,[]]'
	ok "$fmt: same bytes" cmp -s "$f" "tagged.$fmt"
	is "$fmt: same inode (not rewritten)" "$(stat -c %i "$f")" "$ino"
	ok "$fmt: no temporary file left" \
	    test -z "$(find . -name '.*ss-tmp*')"

	# a field not given is kept; --clear removes it
	jq -c '.meta = {title: "Only"} | del(.lyrics, .art)' in.ndjson \
	    >only.ndjson
	ss-tag only.ndjson >/dev/null
	is "$fmt: other fields kept" \
	    "$(test-tags read "$f" | jq -c '.tags.ALBUM')" '["Album ☃"]'
	ss-tag --clear only.ndjson >/dev/null
	is "$fmt: --clear keeps only what is given" \
	    "$(test-tags read "$f" | jq -c '.tags')" '{"TITLE":["Only"]}'
	rm -f song.lrc
}

while read -r fmt; do
	if have "$(tool_for "$fmt")"; then
		check_format "$fmt"
	else
		skip "$fmt: all checks" "$(tool_for "$fmt") is not installed"
	fi
done <<'EOF2'
mp3
flac
ogg
opus
m4a
EOF2

# --strip-v1 drops an ID3v1 tag; without it the tag is kept in step
if have lame; then
	lame --quiet --id3v1-only --tt Old tone.wav v1.mp3
	echo '{"id":"v","path":"v1.mp3","meta":{"title":"New"}}' >v1.ndjson
	ss-tag v1.ndjson >/dev/null
	is "id3v1 kept in step" "$(tail -c 128 v1.mp3 | head -c 6)" TAGNew
	ss-tag --strip-v1 v1.ndjson >/dev/null
	fails "--strip-v1 removes it" \
	    test "$(tail -c 128 v1.mp3 | head -c 3)" = TAG
fi

# records that cannot be tagged are passed on marked failed
printf '%s\n' '{"id":"a","path":"nothere.mp3","meta":{"title":"x"}}' \
    '{"id":"b","meta":{"title":"x"}}' 'not json' \
    '{"id":"c","path":"song.flac","meta":{"track":"three"}}' >bad.ndjson
exit_is 1 "failures: exit 1" ss-tag bad.ndjson >bad.out 2>bad.err
is "failures: codes" "$(jq -c '[.id, .error.stage, .error.code]' bad.out |
    tr '\n' ' ')" '["a","tag","io"] ["b","tag","missing"] ["c","tag","invalid"] '
ok "failures: a message per record" test "$(grep -c error: bad.err)" -ge 4

done_testing
