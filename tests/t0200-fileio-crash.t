#!/usr/bin/env bash
# t0200: SIGKILL lands at random points of an atomic replace and of a
# cross-file-system move; the target is never torn and nothing is lost.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

ROUNDS=40
shopt -s nullglob dotglob

now_us() { echo "${EPOCHREALTIME/./}"; }

# sleep_us N: sleep N microseconds
sleep_us() { sleep "$(printf '%d.%06d' $(($1 / 1000000)) $(($1 % 1000000)))"; }

# random_us MAX: a random number of microseconds in [0, MAX]
random_us() { echo $(((RANDOM * 32768 + RANDOM) % ($1 + 1))); }

# killed_run DELAY_US CMD...: runs CMD in the background, SIGKILLs it
# after DELAY_US (if it is still running) and reaps it
killed_run() {
	local delay=$1 pid
	shift
	"$@" 2>/dev/null &
	pid=$!
	sleep_us "$delay"
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

# stray DIR: prints and removes the temporary files left in DIR
stray() {
	local f n=0
	for f in "$1"/.*.ss-tmp.*; do
		n=$((n + 1))
		rm -f "$f"
	done
	echo "$n"
}

# --- 1. atomic replacement killed at random points -----------------------
SIZE=131072
PAUSE=1000
mkdir lib
target=lib/song.flac
test-fileio atomic-write "$target" $SIZE 1 0 || exit 1
start=$(now_us)
test-fileio atomic-write lib/probe.flac $SIZE 2 $PAUSE || exit 1
span=$(($(now_us) - start))
rm -f lib/probe.flac
note "an unkilled atomic write of $SIZE bytes takes $((span / 1000)) ms"

cur=1 bad=0 n_old=0 n_new=0 n_tmp=0 others=0
for i in $(seq 1 "$ROUNDS"); do
	new=$((cur + 1))
	killed_run "$(random_us $((span * 6 / 5)))" \
		test-fileio atomic-write "$target" $SIZE $new $PAUSE
	if test-fileio verify "$target" $SIZE $new 2>/dev/null; then
		n_new=$((n_new + 1))
		cur=$new
	elif test-fileio verify "$target" $SIZE $cur 2>/dev/null; then
		n_old=$((n_old + 1))
	else
		bad=$((bad + 1))
		note "round $i: '$target' is neither old (seed $cur) nor new"
		test-fileio verify "$target" $SIZE $cur 2>&1 | sed 's/^/# /' >&9
		cp "$target" "torn.$i"
		test-fileio atomic-write "$target" $SIZE $cur 0
	fi
	n_tmp=$((n_tmp + $(stray lib)))
	files=(lib/*)
	if [ ${#files[@]} -ne 1 ]; then
		note "round $i: unexpected files: ${files[*]}"
		others=$((others + ${#files[@]} - 1))
	fi
done
note "atomic write: $n_old kills kept the old file, $n_new the new one," \
	"$n_tmp left a temporary file (removed)"
is "after $ROUNDS kills the target was always exactly old or new" "$bad" 0
is 'nothing but the target and temporary files appeared' "$others" 0
ok 'some kills landed before the commit, some after' \
	test "$n_old" -gt 0 -a "$n_new" -gt 0
ok 'some kills landed while the temporary file was written' \
	test "$n_tmp" -gt 0

# --- 2. cross-file-system move killed at random points -------------------
other=
mnt=
if shm=$(mktemp -d /dev/shm/ss-t0200.XXXXXX 2>/dev/null); then
	if [ "$(stat -c %d "$shm")" != "$(stat -c %d "$TMP")" ]; then
		other=$shm
	fi
fi
if [ -z "$other" ] && [ "$(id -u)" -eq 0 ] && mkdir mnt &&
	mount -t tmpfs -o size=64m tmpfs mnt 2>/dev/null; then
	mnt=$TMP/mnt
	other=$mnt
fi
# shellcheck disable=SC2317 # called by the trap
cleanup() {
	[ -n "${shm:-}" ] && rm -rf "$shm"
	[ -n "$mnt" ] && umount "$mnt"
	_tap_cleanup
}
trap cleanup EXIT
if [ -z "$other" ]; then
	skip 'cross-file-system moves survive SIGKILL' \
		'no second file system: /dev/shm is not one and mount failed'
	done_testing
fi
note "moving from $other (a $(stat -f -c %T "$other")) to $TMP/lib" \
	"($(stat -f -c %T "$TMP"))"

MSIZE=$((2 * 1024 * 1024))
from=$other/from.flac
to=lib/moved/to.flac
mkdir lib/moved
# two sources to copy from, so that each round is quick to set up
test-fileio atomic-write "$other/seed.7" $MSIZE 7 0 || exit 1
test-fileio atomic-write "$other/seed.8" $MSIZE 8 0 || exit 1
cp "$other/seed.7" "$from"
start=$(now_us)
test-fileio move "$from" "$to" || exit 1
span=$(($(now_us) - start))
note "an unkilled move of $MSIZE bytes takes $((span / 1000)) ms"
ok 'an unkilled move arrives complete' test-fileio verify "$to" $MSIZE 7
ok 'and leaves no source behind' test ! -e "$from"
rm -f "$to"

lost=0 torn=0 changed=0 unfinished=0 n_from=0 n_both=0 n_to=0 n_tmp=0
for i in $(seq 1 "$ROUNDS"); do
	seed=$((7 + i % 2))
	rm -f "$to"
	cp "$other/seed.$seed" "$from"
	killed_run "$(random_us $((span * 6 / 5)))" \
		test-fileio move "$from" "$to"
	from_ok=0 to_ok=0
	[ -e "$from" ] && test-fileio verify "$from" $MSIZE $seed && from_ok=1
	[ -e "$to" ] && test-fileio verify "$to" $MSIZE $seed && to_ok=1
	if [ -e "$to" ] && [ $to_ok -eq 0 ]; then
		torn=$((torn + 1))
		note "round $i: '$to' exists but is not complete"
	fi
	if [ -e "$from" ] && [ $from_ok -eq 0 ]; then
		changed=$((changed + 1))
		note "round $i: '$from' was damaged"
	fi
	if [ $from_ok -eq 0 ] && [ $to_ok -eq 0 ]; then
		lost=$((lost + 1))
		note "round $i: the file is lost"
	fi
	case $from_ok$to_ok in
	10) n_from=$((n_from + 1)) ;;
	11) n_both=$((n_both + 1)) ;;
	01) n_to=$((n_to + 1)) ;;
	esac
	# a second run finishes the job, temporary files still lying around
	if [ -e "$from" ]; then
		test-fileio move "$from" "$to" 2>err ||
			note "round $i: second move failed: $(cat err)"
	fi
	if [ -e "$from" ] || ! test-fileio verify "$to" $MSIZE $seed; then
		unfinished=$((unfinished + 1))
		note "round $i: after the second run the move is not complete"
	fi
	n_tmp=$((n_tmp + $(stray lib/moved)))
done
note "move: $n_from kills left only the source, $n_both both copies," \
	"$n_to only the target; $n_tmp temporary files left (removed)"
is "after $ROUNDS kills no file was lost" "$lost" 0
is 'the target name never held an incomplete file' "$torn" 0
is 'the source was never damaged' "$changed" 0
is 'a second run always completed the move (one copy, at the target)' \
	"$unfinished" 0
ok 'kills landed both before and after the rename' \
	test "$n_from" -gt 0 -a $((n_both + n_to)) -gt 0
files=(lib/moved/*)
is 'nothing else is left in the target directory' "${files[*]}" "$to"
done_testing
