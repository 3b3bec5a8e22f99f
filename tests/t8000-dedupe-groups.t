#!/usr/bin/env bash
# t8000: ss-dedupe on real audio: the exact and same_audio groups are the
# injected ones, same_recording is flagged, stdin and ledger agree.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

for t in sox lame flac oggenc; do
	have "$t" || skip_all "$t is not installed"
done

mkdir lib
for i in 1 2 3 4; do
	sox -n -r 44100 -c 1 -b 16 "t$i.wav" synth 2 sine $((300 + 100 * i)) 2>/dev/null
done
lame --quiet -b 128 t1.wav lib/one.mp3
flac -s t2.wav -o lib/two.flac
oggenc -Q t3.wav -o lib/three.ogg
lame --quiet -b 192 t4.wav lib/four.mp3
test-tags write lib/one.mp3 ARTIST=Alpha TITLE=One >/dev/null
test-tags write lib/two.flac ARTIST=Beta TITLE=Two >/dev/null
# exact copies, one under a name that is not UTF-8
cp lib/one.mp3 lib/one-copy.mp3
mkdir lib/sub
cp lib/one.mp3 "lib/sub/one-$(printf '\351').mp3"
cp lib/two.flac lib/two-copy.flac
# re-tagged copies: same audio, other bytes
cp lib/two.flac lib/two-retag.flac
test-tags write lib/two-retag.flac ARTIST=Beta TITLE=Two ALBUM=Zwei >/dev/null
cp lib/three.ogg lib/three-retag.ogg
test-tags write lib/three-retag.ogg ARTIST=Gamma >/dev/null
# a re-encode of one.mp3 with other spellings of its tags
lame --quiet -b 320 t1.wav lib/one-320.mp3
test-tags write lib/one-320.mp3 'ARTIST=ALPHA feat. Someone' 'TITLE=One (feat. Someone)' >/dev/null
# broken: a truncated copy and a zero-filled one
head -c 3000 lib/four.mp3 >lib/four-cut.mp3
head -c 20000 /dev/zero >lib/zero.mp3
touch -d '2020-01-01' lib/one.mp3

ss-scan "$TMP/lib" >scan.ndjson 2>scan.err
exit_is 0 'scan' test $? -eq 0
exit_is 0 'dedupe of scan records exits 0' ss-dedupe <scan.ndjson >out.ndjson
groups() {	# kind -> one line per group: sorted member names, keeper first
	jq -r --arg k "$1" 'select(.dedupe.kind == $k) | .dedupe |
	    ([.keeper] + (.others | sort)) | map(sub(".*/lib/"; "")) | join(" ")' "$2" | sort
}
is 'exact groups are the injected ones' "$(groups exact out.ndjson)" \
	"$(printf '%s\n' "one.mp3 one-copy.mp3 sub/one-$(printf '\357\277\275').mp3" \
	    'two.flac two-copy.flac' | sort)"
is 'same_audio groups are the injected ones (keeper: more tags)' \
	"$(groups same_audio out.ndjson)" \
	"$(printf '%s\n' 'three-retag.ogg three.ogg' 'two-retag.flac two.flac' | sort)"
is 'same_recording: the re-encode, feat. and case folded' \
	"$(groups same_recording out.ndjson)" 'one-320.mp3 one.mp3'
b64=$(jq -r 'select(.dedupe.kind == "exact") | .dedupe.others_b64 // empty |
	map(select(. != null))[]' out.ndjson)
is 'the non-UTF-8 name is carried byte for byte in others_b64' \
	"$(printf '%s' "$b64" | base64 -d | od -An -tx1)" \
	"$(printf '%s/lib/sub/one-\351.mp3' "$TMP" | od -An -tx1)"
ok 'broken files are in no group' \
	test -z "$(jq -r '.dedupe | [.keeper] + .others | .[]' out.ndjson | grep -e cut -e zero)"
is 'exact keeper: the oldest' \
	"$(jq -r 'select(.dedupe.kind == "exact" and (.dedupe.keeper | test("one"))) | .dedupe.why' out.ndjson)" \
	'oldest modification time'
is 'same_recording keeper: higher bitrate' \
	"$(jq -r 'select(.dedupe.kind == "same_recording") | .dedupe.keeper | sub(".*/"; "")' out.ndjson)" \
	one-320.mp3
ok 'ids are stable "dupe:" ids' \
	test "$(jq -r .id out.ndjson | grep -c '^dupe:[0-9a-f]\{32\}$')" -eq 5
exit_is 0 'ledger mode (--ledger)' ss-dedupe --ledger >ledger.ndjson </dev/null
json_same 'the ledger gives the same groups as the records' out.ndjson ledger.ndjson
ss-dedupe <scan.ndjson >again.ndjson
same 'a second run gives the same output' out.ndjson again.ndjson

# a scan record that failed upstream passes through; a bad line is reported
{ echo '{"id":"x","error":{"stage":"scan","code":"io","message":"m","temporary":false}}'
  echo 'not json'
  cat scan.ndjson; } >mixed.ndjson
exit_is 1 'a malformed line: exit 1, the rest is done' \
	ss-dedupe <mixed.ndjson >mixed.out 2>mixed.err
ok 'the error record passed through' grep -q '"id":"x"' mixed.out
ok 'the bad line is named' grep -q '<stdin>:2:' mixed.err
is 'and the groups are still found' "$(grep -c '"dedupe"' mixed.out)" 5

exit_is 2 'usage: --ledger with operands' ss-dedupe --ledger x 2>/dev/null
exit_is 2 'usage: --from-scratch without directories' ss-dedupe --from-scratch 2>/dev/null
# the record loop's framing: bad lines reported, failed records passed on,
# and no input at all is no group (regression: qsort of nothing)
printf '{"id":"x","error":{"stage":"scan"}}\nnot json\n' >odd.ndjson
exit_is 1 'a bad line makes exit 1' ss-dedupe odd.ndjson >odd.out 2>odd.err
is 'a record that failed upstream passes through' "$(cat odd.out)" \
	'{"id":"x","error":{"stage":"scan"}}'
ok 'the bad line is named' grep -q 'odd.ndjson:2: not JSON' odd.err
exit_is 0 'empty input: no group, exit 0' ss-dedupe </dev/null

done_testing
