#!/usr/bin/env bash
# t8020: ss-dedupe --quarantine and --undo on real audio: the round trip,
# a non-UTF-8 name end to end, files changed or gone since the scan, -n.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

for t in sox lame flac; do
	have "$t" || skip_all "$t is not installed"
done

mkdir -p lib/a lib/b
sox -n -r 44100 -c 1 -b 16 t.wav synth 2 sine 440 2>/dev/null
sox -n -r 44100 -c 1 -b 16 u.wav synth 2 sine 550 2>/dev/null
lame --quiet -b 128 t.wav lib/a/song.mp3
flac -s u.wav -o lib/a/other.flac
touch -d '2020-01-01' lib/a/song.mp3 lib/a/other.flac
cp -p lib/a/song.mp3 lib/b/song.mp3
cp lib/a/song.mp3 "lib/b/$(printf 'caf\351').mp3"
cp lib/a/song.mp3 lib/b/changed.mp3
cp lib/a/song.mp3 lib/b/gone.mp3
cp lib/a/other.flac lib/b/other.flac
cp lib/a/other.flac lib/b/other-retag.flac
test-tags write lib/b/other-retag.flac ARTIST=Someone TITLE=Else >/dev/null
find lib -type f -exec sha256sum {} + | sort >before.sums

ss-scan "$TMP/lib" >scan.ndjson 2>/dev/null
# dry run first: nothing moves, nothing is recorded
exit_is 0 '-n --quarantine exits 0' ss-dedupe -n --quarantine q <scan.ndjson >dry.ndjson 2>dry.err
ok '-n moves nothing' test ! -e q
is '-n says what would move' \
	"$(jq -r '.dedupe.quarantine[]?.status' dry.ndjson | sort -u)" would_move
ok '-n prints no run' test ! -s dry.err

# now the world changes between the scan and the action
printf 'x' >>lib/b/changed.mp3
rm lib/b/gone.mp3
exit_is 1 'quarantine with changed and vanished files: exit 1' \
	ss-dedupe --quarantine q <scan.ndjson >q.ndjson 2>q.err
run=$(sed -n 's/^ss-dedupe: run \([0-9]*\):.*/\1/p' q.err)
ok 'the run id is printed on stderr' test -n "$run"
is 'and it is in the records' "$(jq -r '.dedupe.run // empty' q.ndjson | sort -u)" "$run"
size=$(stat -c %s lib/a/song.mp3)
is 'the changed file is skipped with a reason' \
	"$(jq -r '.dedupe.quarantine[]? | select(.path | endswith("changed.mp3")) | .status + ": " + .reason' q.ndjson)" \
	"skipped: changed size ($((size + 1)) bytes, $size when scanned)"
ok 'the vanished file is skipped' \
	test "$(jq -r '.dedupe.quarantine[]? | select(.path | endswith("gone.mp3")) | .status' q.ndjson)" = skipped
ok 'the skips are reported on stderr' grep -q "not moving '$TMP/lib/b/gone.mp3'" q.err
ok 'the changed file is still in place' test -e lib/b/changed.mp3
ok 'the keeper stays' test -e lib/a/song.mp3
ok 'copies are gone from the library' test ! -e lib/b/song.mp3
ok 'the non-UTF-8 copy too' test ! -e "lib/b/$(printf 'caf\351').mp3"
ok 'it sits under q with its path from /' test -e "q$TMP/lib/b/$(printf 'caf\351').mp3"
ok 'the same_audio loser (fewer tags) moved' test ! -e lib/a/other.flac -a ! -e lib/b/other.flac
ok 'the best-tagged copy stays' test -e lib/b/other-retag.flac
is 'ss-ledger knows the run' \
	"$(sqlite3 "$SS_HOME/ledger.db" "SELECT count(*) FROM moves WHERE program = 'ss-dedupe' AND run = '$run' AND undone_at IS NULL")" 4
is 'moved files are marked missing in the index' \
	"$(sqlite3 "$SS_HOME/ledger.db" 'SELECT count(*) FROM files WHERE missing = 1')" 4
ss-dedupe --ledger </dev/null >after.ndjson
ok 'a ledger run afterwards no longer sees the moved copies' \
	test -z "$(jq -r '.dedupe.others[]' after.ndjson | grep -e 'lib/b/song' -e caf)"

exit_is 0 'undo -n' ss-dedupe -n --undo "$run" >undo-dry.ndjson
is 'undo -n would restore all four' "$(jq -r .undo.status undo-dry.ndjson | sort | uniq -c | tr -s ' ')" ' 4 would_restore'
exit_is 0 'undo' ss-dedupe --undo "$run" >undo.ndjson
rm -f lib/b/changed.mp3
cp lib/a/song.mp3 lib/b/changed.mp3
cp lib/a/song.mp3 lib/b/gone.mp3
find lib -type f -exec sha256sum {} + | sort >after.sums
same 'every file is back, byte for byte, under its old name' before.sums after.sums
ok 'the quarantine holds no files' test -z "$(find q -type f)"
is 'the index has them again' \
	"$(sqlite3 "$SS_HOME/ledger.db" 'SELECT count(*) FROM files WHERE missing = 1')" 0
exit_is 1 'a second undo has nothing to do' ss-dedupe --undo "$run" 2>undo2.err >/dev/null
ok 'and says so' grep -q 'nothing to undo' undo2.err
ok 'the non-UTF-8 name in the undo record' \
	test "$(jq -r 'select(.undo.path_b64) | .undo.path_b64' undo.ndjson | base64 -d | od -An -tx1 | tr -d ' \n')" = \
	"$(printf '%s/lib/b/caf\351.mp3' "$TMP" | od -An -tx1 | tr -d ' \n')"

# a keeper that changed: nothing of its group moves
ss-scan "$TMP/lib" >scan2.ndjson 2>/dev/null
printf 'y' >>lib/a/song.mp3
exit_is 1 'a changed keeper: exit 1' ss-dedupe --quarantine q <scan2.ndjson >k.ndjson 2>/dev/null
is 'no copy of its group moved' \
	"$(jq -r 'select(.dedupe.keeper | endswith("a/song.mp3")) | .dedupe.quarantine[].status' k.ndjson | sort -u)" skipped
ok 'same_recording groups are never acted on' \
	test -z "$(jq -r 'select(.dedupe.kind == "same_recording") | .dedupe.quarantine // empty' k.ndjson)"
done_testing
