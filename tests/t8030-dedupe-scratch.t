#!/usr/bin/env bash
# t8030: ss-dedupe --from-scratch: size, head/tail, whole-file hashes;
# the same exact groups as jdupes; hard links, empty files, -n, quarantine.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

mkdir -p d/x d/y e
head -c 100000 /dev/urandom >d/x/big
cp d/x/big d/y/big-copy
cp d/x/big e/big-3
# same size, same head and tail, other middle: not a duplicate
cp d/x/big d/x/big-mid
printf 'Z' | dd of=d/x/big-mid bs=1 seek=50000 conv=notrunc 2>/dev/null
printf 'small' >d/x/s1
printf 'small' >"d/y/s$(printf '\377')"
printf 'other' >d/y/s3
: >d/x/empty1
: >d/y/empty2
ln d/x/s1 d/x/s1-link
printf 'hidden' >d/.h1
printf 'hidden' >d/.h2

exit_is 0 'from scratch exits 0' ss-dedupe --from-scratch d e >out.ndjson
groups() { jq -r '.dedupe | [.keeper] + .others | map(sub(".*/(d|e)/"; "")) | sort | join(" ")' "$1" | sort; }
is 'the exact groups' "$(groups out.ndjson)" \
	"$(printf '%s\n' 'big x/big y/big-copy' "x/s1 y/s$(printf '\357\277\275')" | sed 's/^big /big-3 /' | sort)"
ok 'the non-UTF-8 name comes with others_b64' \
	test "$(jq -r '.dedupe.others_b64 // empty | .[] | select(. != null)' out.ndjson | base64 -d | tail -c 2 | od -An -tx1 | tr -d ' ')" = 73ff
is 'all kinds are exact' "$(jq -r .dedupe.kind out.ndjson | sort -u)" exact
ok 'the same file found twice is one file' \
	test "$(ss-dedupe --from-scratch d d | jq -s length)" -eq 2

exit_is 0 'from scratch with -n --quarantine' ss-dedupe -n --from-scratch --quarantine q d e >dry.ndjson
ok 'nothing moved' test ! -e q
exit_is 0 'from scratch with --quarantine' ss-dedupe --from-scratch --quarantine q d e >q.ndjson 2>q.err
is 'three copies moved' "$(jq -r '.dedupe.quarantine[].status' q.ndjson | grep -c moved)" 3
run=$(sed -n 's/^ss-dedupe: run \([0-9]*\):.*/\1/p' q.err)
exit_is 0 'and undone' ss-dedupe --undo "$run" >/dev/null
exit_is 0 'the same groups again' ss-dedupe --from-scratch d e >again.ndjson
same 'after the round trip' out.ndjson again.ndjson

if have jdupes; then
	# jdupes reads hidden files and may pick either name of a hard link
	rm d/x/s1-link
	SS_SCAN_IGNORE=lost+found ss-dedupe --from-scratch d e | jq -r '.dedupe | [.keeper] + .others | sort | join("|")' |
	    LC_ALL=C sort >ours
	jdupes -r -q d e | awk 'NF == 0 { if (n) print s; s = ""; n = 0; next }
	    { s = n ? s "|" $0 : $0; n++ } END { if (n) print s }' |
	    while IFS= read -r line; do
		printf '%s\n' "$line" | tr '|' '\n' | while IFS= read -r p; do
			realpath "$p"
		done | LC_ALL=C sort | paste -sd '|'
	done | LC_ALL=C sort >theirs
	# jdupes prints raw bytes; ours are U+FFFD display forms for that one
	sed "s/$(printf '\377')/$(printf '\357\277\275')/g" theirs >theirs.u
	same 'the same exact groups as jdupes' theirs.u ours
else
	skip 'the same exact groups as jdupes' 'jdupes is not installed'
fi
done_testing
