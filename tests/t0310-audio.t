#!/usr/bin/env bash
# t0310: lib/audio on real files: formats, audio hash across retagging,
# truncation found at any cut, whole files never called broken.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

for t in sox lame flac oggenc opusenc ffmpeg; do
	have "$t" || skip_all "$t is not installed"
done

sox -n -r 44100 -c 2 -b 16 tone.wav synth 3 sine 440 2>/dev/null
lame --quiet tone.wav t.mp3
lame --quiet -V 2 tone.wav vbr.mp3
flac -s tone.wav -o t.flac
flac -s --no-md5-sum tone.wav -o nomd5.flac 2>/dev/null
oggenc -Q tone.wav -o t.ogg
opusenc --quiet tone.wav t.opus
ffmpeg -loglevel error -i tone.wav -c:a aac t.m4a

info() { test-audio "$1" | jq -r "$2"; }

for f in t.mp3 vbr.mp3 t.flac nomd5.flac t.ogg t.opus t.m4a; do
	want=${f##*.}
	[ "$want" = m4a ] || [ "$want" = mp3 ] || [ "$want" = flac ] ||
	    [ "$want" = opus ] || want=ogg
	is "$f: format from content" "$(info "$f" .format)" "$want"
	is "$f: whole file is not broken" "$(info "$f" .broken)" null
done

# the audio hash survives retagging (even when the tags grow a lot)
long=$(head -c 5000 /dev/zero | tr '\0' x)
for f in t.mp3 t.flac nomd5.flac t.ogg t.opus t.m4a; do
	cp "$f" "re.$f"
	test-tags write "re.$f" "TITLE=$long" ARTIST=Someone >/dev/null
	ok "$f: retagged copy differs as a file" \
		test "$(info "$f" .sha256)" != "$(info "re.$f" .sha256)"
	is "$f: retagged copy has the same audio hash" \
		"$(info "re.$f" .audio_hash)" "$(info "$f" .audio_hash)"
done
ok 'different encodings have different audio hashes' \
	test "$(info t.mp3 .audio_hash)" != "$(info vbr.mp3 .audio_hash)"

# an ID3v1 tag and an APE tag appended to an mp3 are not audio
cp t.mp3 v1.mp3
{ printf 'TAG'; head -c 125 /dev/zero; } >>v1.mp3
is 'ID3v1 trailer left out of the audio hash' \
	"$(info v1.mp3 .audio_hash)" "$(info t.mp3 .audio_hash)"
is 'ID3v1 trailer is not a cut frame' "$(info v1.mp3 .broken)" null
cp t.mp3 ape.mp3
python3 - ape.mp3 <<'PY'
import struct, sys
items = b"".join(struct.pack("<II", len(v), 0) + k + b"\0" + v
                 for k, v in [(b"Title", b"ape title"), (b"Artist", b"x")])
size = len(items) + 32
hdr = b"APETAGEX" + struct.pack("<IIII", 2000, size, 2, 0xa0000000) + b"\0" * 8
ftr = b"APETAGEX" + struct.pack("<IIII", 2000, size, 2, 0x80000000) + b"\0" * 8
open(sys.argv[1], "ab").write(hdr + items + ftr)
PY
is 'APEv2 trailer left out of the audio hash' \
	"$(info ape.mp3 .audio_hash)" "$(info t.mp3 .audio_hash)"

# cuts anywhere are found
for f in t.mp3 vbr.mp3 t.flac nomd5.flac t.ogg t.opus t.m4a; do
	size=$(stat -c %s "$f")
	bad=0
	for cut in 3000 $((size / 3)) $((size / 2)) $((size - 300)) $((size - 1)); do
		head -c "$cut" "$f" >cut.bin
		[ "$(info cut.bin .broken)" = truncated ] || { note "$f cut at $cut: $(test-audio cut.bin)"; bad=1; }
	done
	is "$f: every cut is truncated" "$bad" 0
done

# cuts exactly at a frame or page boundary: the headers still tell
python3 - t.mp3 vbr.mp3 t.ogg <<'PY'
import sys
def mp3_frames(b):
    i = 10 + (b[6] << 21 | b[7] << 14 | b[8] << 7 | b[9]) if b[:3] == b"ID3" else 0
    rates = {3: (44100, 48000, 32000)}
    kbps = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
    out = []
    while i + 4 <= len(b) and b[i] == 0xff:
        br, sr, pad = b[i + 2] >> 4, (b[i + 2] >> 2) & 3, (b[i + 2] >> 1) & 1
        i += 144 * kbps[br] * 1000 // rates[3][sr] + pad
        out.append(i)
    return out
for name in sys.argv[1:]:
    b = open(name, "rb").read()
    if name.endswith(".mp3"):
        ends = mp3_frames(b)
        cut = ends[len(ends) // 2]
    else:
        pages, i = [], 0
        while i < len(b):
            n = b[i + 26]
            i += 27 + n + sum(b[i + 27:i + 27 + n])
            pages.append(i)
        cut = pages[-2]
    open("edge." + name, "wb").write(b[:cut])
PY
is 'mp3 cut at a frame boundary: fewer frames than Xing says' \
	"$(info edge.t.mp3 .broken)" truncated
is 'VBR mp3 cut at a frame boundary' "$(info edge.vbr.mp3 .broken)" truncated
is 'ogg cut at a page boundary: no end-of-stream page' \
	"$(info edge.t.ogg .broken)" truncated

# not audio at all
head -c 50000 /dev/zero >zero.flac
is 'zero-filled file is no audio format' "$(info zero.flac .format)" ''
echo 'hello' >text.mp3
is 'text is no audio format' "$(info text.mp3 .format)" ''
head -c 100000 /dev/urandom >random.mp3
ok 'random bytes are not audio, or not whole' \
	test "$(info random.mp3 '.format + ":" + (.broken // "ok")')" != mp3:ok
done_testing
