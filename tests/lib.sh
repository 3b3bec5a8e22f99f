# tests/lib.sh: TAP helpers and the sandbox every shell test runs in.
# shellcheck shell=bash
#
# Source it first:  . "$(dirname "$0")/lib.sh"
# The test then runs in a fresh temporary directory ($TMP, also the cwd)
# with HOME, SS_HOME and the XDG directories inside it, TZ=UTC, LC_ALL=C,
# every SS_* variable unset and bin/ first on PATH.  The directory is
# removed at the end unless a test failed or SS_TEST_KEEP=1.

set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export TOP
for v in $(env | sed -n 's/^\(SS_[A-Za-z0-9_]*\)=.*/\1/p'); do
	[ "$v" = SS_TEST_LOG ] || [ "$v" = SS_TEST_KEEP ] || unset "$v"
done
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ss-test.XXXXXX")
export TMP HOME=$TMP/home TZ=UTC LC_ALL=C
export XDG_CONFIG_HOME=$HOME/.config XDG_DATA_HOME=$HOME/.local/share
export SS_HOME=$TMP/ss
export PATH=$TOP/bin:$TOP/tests/helper:$PATH
mkdir -p "$HOME"
cd "$TMP" || exit 1

# TAP goes to fd 9, so a test may redirect a checked command's output:
#   exit_is 1 'title' prog >out 2>err
exec 9>&1
_tap_n=0
_tap_failed=0
_tap_planned=

_tap_cleanup() {
	if [ "$_tap_failed" -ne 0 ] || [ -n "${SS_TEST_KEEP:-}" ]; then
		echo "# sandbox kept in $TMP" >&9
	else
		cd / && rm -rf "$TMP"
	fi
}
trap _tap_cleanup EXIT

plan() { _tap_planned=$1; echo "1..$1" >&9; }

skip_all() { echo "1..0 # SKIP $*" >&9; exit 0; }

note() { printf '# %s\n' "$*" >&9; }

_tap_result() {	# _tap_result STATUS TITLE
	_tap_n=$((_tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $_tap_n - $2" >&9
	else
		echo "not ok $_tap_n - $2" >&9
		_tap_failed=$((_tap_failed + 1))
	fi
	return "$1"
}

# ok TITLE CMD...: passes if CMD succeeds
ok() {
	local title=$1
	shift
	"$@"
	_tap_result $? "$title"
}

# fails TITLE CMD...: passes if CMD fails
fails() {
	local title=$1
	shift
	! "$@"
	_tap_result $? "$title"
}

# exit_is CODE TITLE CMD...: passes if CMD exits with CODE
exit_is() {
	local want=$1 title=$2 got
	shift 2
	"$@"
	got=$?
	[ "$got" -eq "$want" ] || note "exit status $got, want $want"
	[ "$got" -eq "$want" ]
	_tap_result $? "$title"
}

# same TITLE EXPECTED_FILE ACTUAL_FILE: byte-equal, diff shown otherwise
same() {
	local title=$1
	if cmp -s "$2" "$3"; then
		_tap_result 0 "$title"
	else
		diff -u "$2" "$3" | cut -c 1-200 | sed 's/^/# /' | head -n 40 >&9
		_tap_result 1 "$title"
	fi
}

# json_same TITLE EXPECTED ACTUAL: NDJSON equal after jq -cS .
json_same() {
	local title=$1
	jq -cS . <"$2" >"$TMP/.json_want" 2>&1
	jq -cS . <"$3" >"$TMP/.json_got" 2>&1
	same "$title" "$TMP/.json_want" "$TMP/.json_got"
}

# is TITLE GOT WANT: string equality
is() {
	if [ "$2" = "$3" ]; then
		_tap_result 0 "$1"
	else
		note "got:  '$2'"
		note "want: '$3'"
		_tap_result 1 "$1"
	fi
}

# skip TITLE REASON: a skipped test that says why
skip() {
	_tap_n=$((_tap_n + 1))
	echo "ok $_tap_n - $1 # SKIP $2" >&9
}

# make_audio FMT OUT: encode tone.wav (made by the test) as mp3, flac,
# ogg, opus or m4a with the usual tools; tool_for FMT names that tool
make_audio() {
	case $1 in
	mp3)	lame --quiet tone.wav "$2" ;;
	flac)	flac -s tone.wav -o "$2" ;;
	ogg)	oggenc -Q tone.wav -o "$2" ;;
	opus)	opusenc --quiet tone.wav "$2" ;;
	m4a)	ffmpeg -nostdin -v error -i tone.wav -c:a aac "$2" ;;
	esac
}

tool_for() {
	case $1 in
	mp3) echo lame ;; flac) echo flac ;; ogg) echo oggenc ;;
	opus) echo opusenc ;; m4a) echo ffmpeg ;;
	esac
}

# have CMD: true if CMD is on PATH
have() { command -v "$1" >/dev/null 2>&1; }

done_testing() {
	[ -n "$_tap_planned" ] || echo "1..$_tap_n" >&9
	[ "$_tap_failed" -eq 0 ]
	exit $?
}
