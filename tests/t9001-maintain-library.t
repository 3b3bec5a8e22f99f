#!/usr/bin/env bash
# t9001: pipelines/maintain-library on a small real library: the change
# log, the broken and duplicate reports, quarantine and its undo.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

for t in sox lame flac; do
	have "$t" || skip_all "$t is not installed"
done
P=$TOP/pipelines/maintain-library
R=$SS_HOME/reports

mkdir -p lib/a lib/b
sox -n -r 44100 -c 2 -b 16 t.wav synth 2 sine 440 2>/dev/null
lame --quiet t.wav lib/a/one.mp3
flac -s t.wav -o lib/a/two.flac
cp lib/a/one.mp3 lib/b/one-copy.mp3
touch -d '2020-01-01' lib/a/one.mp3
head -c 20000 lib/a/two.flac >lib/b/cut.flac

exit_is 0 'first run' "$P" "$TMP/lib" 2>err
is 'nothing on stderr' "$(cat err)" ''
is 'change log: every file is new' \
	"$(jq -r .file.change "$R/changes.ndjson" | sort | uniq -c | tr -s ' ')" ' 4 new'
is 'broken report names the cut file' \
	"$(jq -r '.path + " " + .file.broken.reason' "$R/broken.ndjson")" "$TMP/lib/b/cut.flac truncated"
is 'duplicate report: the copy, and the cut file as a broken same-audio copy' \
	"$(jq -r '.dedupe.kind + " " + .dedupe.keeper + " " + .dedupe.others[0]' "$R/duplicates.ndjson")" \
	"exact $TMP/lib/a/one.mp3 $TMP/lib/b/one-copy.mp3
same_audio $TMP/lib/a/two.flac $TMP/lib/b/cut.flac"
ok 'no temporary report files left' test -z "$(find "$R" -name '.*')"

exit_is 0 'second run, nothing changed' "$P" "$TMP/lib"
is 'change log grows by nothing' "$(wc -l <"$R/changes.ndjson")" 4

exit_is 0 'a run with quarantine' "$P" -q "$TMP/q" "$TMP/lib" 2>err
ok 'the copy was moved away' test ! -e lib/b/one-copy.mp3
ok 'into the quarantine' test -f "q$TMP/lib/b/one-copy.mp3"
ok 'the broken copy too' test -f "q$TMP/lib/b/cut.flac"
ok 'the keepers stay' test -f lib/a/one.mp3 -a -f lib/a/two.flac
run=$(jq -r '.dedupe.run' "$R/duplicates.ndjson" | head -n 1)
exit_is 0 'undo the run' ss-dedupe --undo "$run" >/dev/null 2>&1
ok 'the copy is back' cmp -s lib/a/one.mp3 lib/b/one-copy.mp3
ok 'the broken copy is back' test -f lib/b/cut.flac
exit_is 2 'no directory is a usage error' "$P"
done_testing
