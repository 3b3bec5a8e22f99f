#!/usr/bin/env bash
# t7001: ss-scan on a library of real audio: records, broken files,
# incremental rescans, changes, non-UTF-8 names, records on stdin.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

for t in sox lame flac oggenc opusenc ffmpeg; do
	have "$t" || skip_all "$t is not installed"
done

L=$TMP/lib
mkdir -p "$L/Artist/Album" "$L/.hidden" "$L/other"
sox -n -r 44100 -c 2 -b 16 tone.wav synth 2 sine 440 2>/dev/null
sox -n -r 44100 -c 2 -b 16 silence.wav trim 0 2 2>/dev/null
lame --quiet tone.wav "$L/Artist/Album/01 One.mp3"
flac -s tone.wav -o "$L/Artist/Album/02 Two.flac"
oggenc -Q tone.wav -o "$L/Artist/Album/03 Three.ogg"
opusenc --quiet tone.wav "$L/Artist/Album/04 Four.opus"
ffmpeg -loglevel error -i tone.wav -c:a aac "$L/Artist/Album/05 Five.m4a"
test-tags write "$L/Artist/Album/01 One.mp3" TITLE=One ARTIST=Björk \
	ARTIST='坂本龍一' >/dev/null
cp "$L/Artist/Album/02 Two.flac" "$L/other/noext"
cp "$L/Artist/Album/02 Two.flac" "$L/.hidden/hidden.flac"
flac -s silence.wav -o "$L/other/silent.flac"
# broken ones
head -c 30000 "$L/Artist/Album/02 Two.flac" >"$L/other/cut.flac"
head -c 20000 "$L/Artist/Album/01 One.mp3" >"$L/other/cut.mp3"
head -c 50000 /dev/zero >"$L/other/zero.flac"
: >"$L/other/empty.mp3"
echo 'not music' >"$L/other/text.ogg"
cp "$L/Artist/Album/02 Two.flac" "$L/other/flac-named.mp3"
# not audio by name: never looked at
echo 'cover' >"$L/Artist/Album/cover.jpg"
echo 'log' >"$L/Artist/Album/rip.log"
# a non-UTF-8 name
nonutf=$(printf '%s/other/caf\351.mp3' "$L")
cp "$L/Artist/Album/01 One.mp3" "$nonutf"
ln -s "$L/Artist" "$L/other/link-to-artist"

exit_is 0 'full scan' ss-scan "$L" >scan1 2>err
is 'nothing on stderr in a pipe' "$(cat err)" ''
is 'one record per audio file' "$(wc -l <scan1)" 14
is 'every record has id, path and file' \
	"$(jq -c 'select((.id | startswith("file:")) and .path and .file.size != null)' scan1 | wc -l)" 14
ok 'hidden directory skipped' test "$(grep -c hidden.flac scan1)" -eq 0
ok 'symlinked directory not followed' test "$(grep -c link-to-artist scan1)" -eq 0
ok 'non-audio names not scanned' test "$(grep -c -e cover.jpg -e rip.log scan1)" -eq 0

reason() { jq -r --arg p "$L/$1" 'select(.path == $p) | .file.broken.reason // "ok"' scan1; }
is 'truncated flac found' "$(reason other/cut.flac)" truncated
is 'truncated mp3 found' "$(reason other/cut.mp3)" truncated
is 'zero-filled flac is not audio' "$(reason other/zero.flac)" not_audio
is 'empty file found' "$(reason other/empty.mp3)" empty
is 'text named .ogg is not audio' "$(reason other/text.ogg)" not_audio
is 'flac named .mp3 is not what it claims' "$(reason other/flac-named.mp3)" not_audio
is 'no good file is called broken' \
	"$(jq -r 'select(.file.broken == null) | .path' scan1 | wc -l)" 8
is 'a file without extension is sniffed' "$(reason other/noext)" ok

f() { jq -r --arg p "$L/$1" "select(.path == \$p) | .file.$2" scan1; }
is 'mp3 format, codec' "$(f 'Artist/Album/01 One.mp3' 'format + " " + .file.codec')" 'mp3 mp3'
is 'flac bits per sample' "$(f 'Artist/Album/02 Two.flac' bits_per_sample)" 16
is 'opus sample rate' "$(f 'Artist/Album/04 Four.opus' sample_rate)" 48000
is 'm4a codec' "$(f 'Artist/Album/05 Five.m4a' codec)" aac
is 'duration in ms' "$(f 'Artist/Album/02 Two.flac' duration_ms)" 2000
is 'multi-valued tags, unicode kept' \
	"$(f 'Artist/Album/01 One.mp3' 'tags.ARTIST | join("|")')" 'Björk|坂本龍一'
is 'sha256 is the file sha256' "$(f 'Artist/Album/02 Two.flac' sha256)" \
	"$(sha256sum <"$L/Artist/Album/02 Two.flac" | cut -d' ' -f1)"
is 'exact copy: same sha256' "$(f other/noext sha256)" "$(f 'Artist/Album/02 Two.flac' sha256)"
is 'retagged copy: same audio hash' "$(jq -r 'select(.path_b64) | .file.audio_hash' scan1)" \
	"$(f 'Artist/Album/01 One.mp3' audio_hash)"

# the non-UTF-8 name travels losslessly
b64=$(jq -r 'select(.path_b64) | .path_b64' scan1)
is 'non-UTF-8 path carried as path_b64' "$(printf '%s' "$b64" | base64 -d | od -An -tx1 | tr -d ' \n')" \
	"$(printf '%s' "$nonutf" | od -An -tx1 | tr -d ' \n')"

# incremental: unchanged files are not read again.  Overwrite a file's
# bytes, keep its size and mtime: a rescan that read it would notice.
victim="$L/Artist/Album/03 Three.ogg"
stamp=$(stat -c %y "$victim")
size=$(stat -c %s "$victim")
head -c $((size / 4)) /dev/urandom |
	dd of="$victim" bs=1 seek=$((size / 2)) conv=notrunc status=none
touch -d "$stamp" "$victim"
exit_is 0 'rescan' ss-scan -v "$L" >scan2 2>err
same 'rescan output equals the first scan' scan1 scan2
ok 'rescan read no file' grep -q ' 0 read' err
exit_is 0 'rescan --changes with nothing changed' ss-scan --changes "$L" >changes
is '--changes prints nothing when nothing changed' "$(wc -l <changes)" 0
exit_is 0 'rescan --rehash' ss-scan --rehash "$L" >scan3
is '--rehash reads the bytes again' \
	"$(jq -r --arg p "$victim" 'select(.path == $p) | .file.sha256' scan3)" \
	"$(sha256sum <"$victim" | cut -d' ' -f1)"
is 'damage inside an Ogg stream fails a page CRC' \
	"$(jq -r --arg p "$victim" 'select(.path == $p) | .file.broken.reason' scan3)" corrupt

ss-ledger status >status.txt
ok 'ss-ledger status counts the index' grep -q '^files  *14 indexed by ss-scan, 0 missing, 7 broken' status.txt
ok 'ss-ledger status lists the scan runs' grep -q '^  ss-scan .* exit 0 ' status.txt

# changes: new, changed, missing
rm "$L/other/cut.mp3"
cp tone.wav "$L/other/tone.wav"
cp "$L/Artist/Album/02 Two.flac" "$L/other/new.flac"
touch -d '2001-01-01' "$L/Artist/Album/05 Five.m4a"
exit_is 0 'scan --changes' ss-scan --changes "$L" >changes
is 'changes: new, changed and missing' \
	"$(jq -r '.file.change + " " + (.path | split("/") | last)' changes | sort | tr '\n' ',')" \
	'changed 05 Five.m4a,missing cut.mp3,new new.flac,'
is 'the ledger knows the missing file' \
	"$(sqlite3 "$SS_HOME/ledger.db" 'SELECT count(*) FROM files WHERE missing = 1')" 1

# records on stdin: the file a record names is scanned into it
printf '{"id":"want:1","want":{"title":"Two"},"path":"%s"}\n{"id":"want:2","path":"%s/nope.flac"}\n' \
	"$L/Artist/Album/02 Two.flac" "$L" >recs
exit_is 1 'records on stdin, one bad' ss-scan <recs >out 2>err
is 'the record keeps its fields and gets file' \
	"$(jq -r 'select(.id == "want:1") | .want.title + " " + .file.format' out)" 'Two flac'
is 'the bad one carries an error' \
	"$(jq -r 'select(.id == "want:2") | .error.stage' out)" scan

# --deep finds silence and damage inside a file
cp "$L/Artist/Album/02 Two.flac" "$L/other/damaged.flac"
python3 - "$L/other/damaged.flac" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
for i in range(len(b) // 2, len(b) // 2 + 64):
    b[i] ^= 0x5a
open(p, "wb").write(b)
PY
exit_is 0 'deep scan' ss-scan --deep "$L/other" >deep 2>err
dr() { jq -r --arg p "$L/other/$1" 'select(.path == $p) | .file.broken.reason // "ok"' deep; }
is '--deep: all-zero audio is silent' "$(dr silent.flac)" silent
is '--deep: damage inside a flac' "$(dr damaged.flac)" decode_error
is '--deep: a good file stays good' "$(dr new.flac)" ok

# --follow follows links and survives a loop
ln -s "$L/other" "$L/other/loop"
exit_is 0 '--follow with a symlink loop' ss-scan -n --follow "$L/other" >out 2>err
ok '--follow sees the linked directory' grep -q 'link-to-artist' out
ok 'the loop was reported once, not walked' test "$(grep -c 'loop' err)" -le 2

exit_is 1 'a missing directory is an error, the rest is scanned' \
	ss-scan -n "$L/nope" "$L/Artist" >out 2>err
ok 'error names the directory' grep -q "nope" err
is 'the other directory was scanned' "$(wc -l <out)" 5
exit_is 2 'bad option' ss-scan --bogus
# --log-format on the command line wins over the configuration's
printf 'log_format = text\n' >text.conf
ss-scan -n -c text.conf --log-format=json "$L/nope" >/dev/null 2>err
is 'the command line chooses the log format over ss.conf' \
	"$(jq -r .level err)" error
SS_LOG_FORMAT=json ss-scan -n "$L/nope" >/dev/null 2>err
is 'SS_LOG_FORMAT=json sets it when the command line does not' \
	"$(jq -r .prog err)" ss-scan
done_testing
