#!/usr/bin/env bash
# t0002: valgrind finds no leak and no memory error in the record loop and
# in ss-ledger status.  Needs a plain build (ASan and valgrind don't mix);
# .ci/run runs it after a rebuild without SANITIZE.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

have valgrind || skip_all 'valgrind is not installed'
if ldd "$TOP/tests/helper/test-record" | grep -q libasan; then
	skip_all 'built with SANITIZE=1; run on a plain build (make check-valgrind)'
fi

# shellcheck disable=SC2317 # called through exit_is
vg() {
	valgrind -q --error-exitcode=99 --leak-check=full \
	    --errors-for-leak-kinds=definite,indirect \
	    --show-leak-kinds=definite,indirect "$@"
}

{
	echo '{"id":"a","n":1,"s":"Bj\u00f6rk"}'
	echo 'not json'
	echo '[1]'
	echo ''
	printf '{"id":"\xff"}\n'
	echo '{"id":"b","error":{"stage":"x"}}'
	echo '{"id":"c","fail":true}'
	echo '{"id":"d","drop":true}'
} >in.ndjson
exit_is 1 'record loop under valgrind: no leak, no error' \
	vg test-record -s k=v in.ndjson >out 2>err
ok 'valgrind said nothing' test "$(grep -c '^==' err)" -eq 0
is 'records still come out' "$(jq -r .id out | tr '\n' ' ')" 'a b c '

if [ -x "$TOP/bin/ss-ledger" ]; then
	exit_is 0 'ss-ledger status (new ledger) under valgrind' \
		vg ss-ledger status >out 2>err
	ok 'valgrind said nothing' test "$(grep -c '^==' err)" -eq 0
	exit_is 0 'ss-ledger status (existing ledger) under valgrind' \
		vg ss-ledger status >out 2>err
else
	skip 'ss-ledger status under valgrind' 'bin/ss-ledger is not built'
fi
# the unit tests of lib/ under valgrind too (TagLib needs glibc's AVX2
# string functions off: valgrind does not know them and reports reads
# past the end that are not there)
export GLIBC_TUNABLES=glibc.cpu.hwcaps=-AVX2
for t in "$TOP"/tests/unit/t-*; do
	[ -x "$t" ] || continue
	vg "$t" >out 2>err
	rc=$?
	is "$(basename "$t") under valgrind: no error, no leak" "$rc" 0
done
if [ -x "$TOP/bin/ss-scan" ] && have sox && have flac; then
	mkdir lib
	sox -n -r 44100 -c 2 -b 16 t.wav synth 1 sine 440 2>/dev/null
	flac -s t.wav -o lib/t.flac
	head -c 9000 lib/t.flac >lib/cut.flac
	exit_is 0 'ss-scan under valgrind' vg ss-scan -j 1 lib >out 2>err
	exit_is 0 'ss-scan rescan under valgrind' vg ss-scan -j 1 lib >out 2>err
fi
done_testing
