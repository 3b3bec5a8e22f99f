#!/usr/bin/env bash
# t8040: a file that forges another's audio hash (a FLAC claiming the
# STREAMINFO MD5 of a different recording) is grouped as same_audio by the
# fast hash, but ss-dedupe checks the audio itself before it moves
# anything, and moves nothing.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

for t in sox flac; do
	have "$t" || skip_all "$t is not installed"
done

mkdir -p lib
sox -n -r 44100 -c 1 -b 16 a.wav synth 2 sine 440 2>/dev/null
sox -n -r 44100 -c 1 -b 16 b.wav synth 2 sine 660 2>/dev/null
flac -s a.wav -o lib/good.flac
flac -s b.wav -o lib/forged.flac
test-tags write lib/good.flac ARTIST=Good TITLE=Song >/dev/null
# copy the good file's MD5 (STREAMINFO bytes 18..33) into the other one
python3 - lib/good.flac lib/forged.flac <<'PY'
import sys
good = open(sys.argv[1], "rb").read()
forged = bytearray(open(sys.argv[2], "rb").read())
assert good[:4] == b"fLaC" and forged[:4] == b"fLaC"
forged[8 + 18:8 + 34] = good[8 + 18:8 + 34]
open(sys.argv[2], "wb").write(forged)
PY
touch -d '2001-01-01' lib/forged.flac	# older: the keeper policy's pick
sums=$(sha256sum lib/*.flac)

ss-scan "$TMP/lib" >scan.ndjson 2>/dev/null
is 'the forged file has the same fast audio hash' \
	"$(jq -r .file.audio_hash scan.ndjson | sort -u | wc -l)" 1
ss-dedupe <scan.ndjson >groups.ndjson
is 'so they are grouped as same_audio' "$(jq -r .dedupe.kind groups.ndjson)" same_audio
exit_is 1 'quarantine refuses to act on it' \
	ss-dedupe --quarantine q <scan.ndjson >q.ndjson 2>q.err
is 'the move is skipped' "$(jq -r '.dedupe.quarantine[].status' q.ndjson)" skipped
ok 'and says why' grep -q "audio differs from the keeper" q.err
is 'both files are where they were, unchanged' "$(sha256sum lib/*.flac)" "$sums"
done_testing
