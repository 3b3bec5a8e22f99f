#!/usr/bin/env bash
# t5002-tag-rename-faults.t: a full disk and SIGKILL at random points never
# lose or half-write a file, in ss-tag and in a cross-file-system ss-rename.
. "$(dirname "$0")/lib.sh"

have jq || skip_all "jq is not installed"
have sox || skip_all "sox is not installed (needed to make audio)"
have flac || skip_all "flac is not installed"

sox -n -r 44100 -c 2 -b 16 tone.wav synth 4 sine 440 vol 0.5 ||
	skip_all "sox cannot make a wav file"
flac -s tone.wav -o orig.flac
head -c 2000000 /dev/urandom >noise.bin
# a 2 MB "cover" makes the rewrite long enough to be interrupted
{ printf '\x89PNG\r\n\x1a\n'; cat noise.bin; } >big.png
rec() {	# rec PATH
	jq -c -n --arg p "$1" '{id: "t", path: $p, art: "big.png",
	    meta: {title: "Killed", artist: "Kill", album: "Faults",
	    track: 1, genre: ["a", "b"]}}'
}

# the reference: a run that was not interrupted
cp orig.flac ref.flac
rec ref.flac >ref.ndjson
ok "reference run" sh -c 'ss-tag ref.ndjson >/dev/null'

# ENOSPC: a tmpfs too small for the copy
mkdir small
if mount -t tmpfs -o size=3m tmpfs small 2>/dev/null; then
	cp orig.flac small/song.flac
	head -c $((3 * 1024 * 1024)) /dev/zero >small/fill 2>/dev/null
	cp small/song.flac before.flac
	rec small/song.flac >full.ndjson
	exit_is 1 "full disk: the record fails" ss-tag full.ndjson >full.out \
	    2>full.err
	is "full disk: error code io" "$(jq -r .error.code full.out)" io
	ok "full disk: the reason is given" grep -q -i 'space' full.err
	ok "full disk: the original is untouched" cmp -s before.flac \
	    small/song.flac
	is "full disk: no temporary file left" \
	    "$(find small -name '.*' -type f)" ""
	rm -f small/fill
	exit_is 0 "room again: the run completes" ss-tag full.ndjson \
	    >/dev/null
	ok "room again: tagged like the reference" cmp -s ref.flac \
	    small/song.flac
	umount small
else
	skip "full disk checks" "cannot mount a tmpfs (not root?)"
fi

# SIGKILL during ss-tag, many times
ITER=${SS_TEST_KILL_ITER:-40}
lost=0 half=0 killed=0
for _ in $(seq "$ITER"); do
	cp orig.flac k.flac
	rec k.flac >k.ndjson
	ss-tag k.ndjson >/dev/null 2>&1 &
	pid=$!
	sleep "0.0$((RANDOM % 9))$((RANDOM % 10))"
	kill -9 "$pid" 2>/dev/null && killed=$((killed + 1))
	wait "$pid" 2>/dev/null
	if [ ! -e k.flac ]; then
		lost=$((lost + 1))
	elif ! cmp -s k.flac orig.flac && ! cmp -s k.flac ref.flac; then
		half=$((half + 1))
	fi
	ss-tag k.ndjson >/dev/null 2>&1
	cmp -s k.flac ref.flac || half=$((half + 1))
	[ -z "$(find . -maxdepth 1 -name '.k.flac.ss-tmp.*')" ] ||
		half=$((half + 1))
done
note "ss-tag: $killed of $ITER runs killed before they ended"
is "SIGKILL in ss-tag: never lost" "$lost" 0
is "SIGKILL in ss-tag: old or new, and a second run completes" "$half" 0

# SIGKILL during a cross-file-system ss-rename
SHM=$(mktemp -d /dev/shm/ss-t5002.XXXXXX 2>/dev/null) ||
	{ skip "cross-file-system rename" "no /dev/shm"; done_testing; }
trap 'rm -rf "$SHM"; _tap_cleanup' EXIT
if [ "$(stat -f -c %T "$SHM")" = "$(stat -f -c %T "$TMP")" ] &&
    [ "$(stat -c %d "$SHM")" = "$(stat -c %d "$TMP")" ]; then
	skip "cross-file-system rename" "/dev/shm is on the test's file system"
	done_testing
fi
N=6
for j in $(seq $N); do
	{ cat orig.flac; head -c 3000000 /dev/urandom; } >"$SHM/src$j.flac"
done
(cd "$SHM" && sha256sum src*.flac) >sums
bad=0
for _ in $(seq "${SS_TEST_KILL_ITER_RENAME:-20}"); do
	rm -rf lib "$SS_HOME"
	(cd "$SHM" && sha256sum -c --quiet "$TMP/sums") ||
		{ bad=$((bad + 1)); break; }
	for j in $(seq $N); do
		jq -c -n --arg p "$SHM/src$j.flac" --arg j "$j" '{id: $j,
		    path: $p, meta: {title: ("t" + $j), artist: "A",
		    album: "B"}}'
	done >mv.ndjson
	ss-rename -l lib -t '{artist}/{title}.{ext}' mv.ndjson \
	    >/dev/null 2>&1 &
	pid=$!
	sleep "0.$((RANDOM % 3))$((RANDOM % 10))"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	# every file at its source or its target (or both, identical)
	for j in $(seq $N); do
		s="$SHM/src$j.flac" t="lib/A/t$j.flac"
		want=$(grep " src$j.flac\$" sums | cut -c1-64)
		if [ -e "$t" ] && [ "$(sha256sum <"$t" | cut -c1-64)" != "$want" ]
		then
			note "after the kill: $t differs"
			bad=$((bad + 1))
		elif [ ! -e "$t" ] && [ ! -e "$s" ]; then
			note "after the kill: $t and $s are gone"
			bad=$((bad + 1))
		fi
	done
	# a second run finishes the work
	ss-rename -l lib -t '{artist}/{title}.{ext}' mv.ndjson \
	    >again.out 2>again.err
	for j in $(seq $N); do
		want=$(grep " src$j.flac\$" sums | cut -c1-64)
		t="lib/A/t$j.flac"
		{ [ -e "$t" ] && [ ! -e "$SHM/src$j.flac" ] &&
		    [ "$(sha256sum <"$t" | cut -c1-64)" = "$want" ]; } || {
			note "after the second run: src$j.flac not moved:" \
			    "$(head -n 3 again.err)"
			bad=$((bad + 1))
		}
	done
	# put the files back for the next round
	for j in $(seq $N); do
		mv "lib/A/t$j.flac" "$SHM/src$j.flac"
	done
	find lib "$SHM" -name '.*ss-tmp*' -delete
done
is "SIGKILL in a cross-file-system rename: never lost, never half" "$bad" 0

done_testing
