#!/usr/bin/env bash
# t0001: the NDJSON record loop: strict framing, pass-through, exit codes.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

# input: good, malformed, array, 1 MB good, invalid UTF-8, empty, good
big=$(head -c 1048576 /dev/zero | tr '\0' 'x')
{
	echo '{"id":"a","n":1}'
	echo '{"id":"b",'
	echo '[1,2,3]'
	printf '{"id":"big","s":"%s"}\n' "$big"
	printf '{"id":"\xff\xfe"}\n'
	echo ''
	echo '{"id":"c","nested":{"k":[1,"two",null,true]}}'
} >in.ndjson

exit_is 1 'bad lines make exit 1' test-record in.ndjson >out 2>err
is 'good records come out, bad ones do not' "$(jq -r .id out | tr '\n' ' ')" 'a big c '
head -n 1 in.ndjson >want
sed -n 4p in.ndjson >>want
sed -n 7p in.ndjson >>want
same 'good records are unchanged, byte for byte' want out
is 'one error per bad line' "$(wc -l <err)" 4
ok 'malformed line named with its number' grep -q '^test-record: error: in.ndjson:2: not JSON' err
ok 'array line named' grep -q '^test-record: error: in.ndjson:3: expected a JSON object, got an array$' err
ok 'invalid UTF-8 named' grep -q '^test-record: error: in.ndjson:5: invalid UTF-8$' err
ok 'empty line named' grep -q '^test-record: error: in.ndjson:6: empty line' err
ok 'a big line is not echoed into the error' test "$(wc -c <err)" -lt 1000

# stdin is named <stdin>
printf '{"id":"x"}\n{oops}\n' | test-record >out 2>err
is 'stdin is called <stdin>' "$(cut -d: -f2-3 err)" ' error: <stdin>'
ok 'position is <stdin>:2' grep -q '<stdin>:2:' err

# a record that already failed upstream passes untouched and does not count
printf '{"id":"f","error":{"stage":"x","code":"y"},  "z" : 1}\n{"id":"g"}\n' >in2
exit_is 0 'upstream failures do not fail this stage' test-record -s k=v in2 >out 2>err
is 'failed record passed byte for byte' "$(head -n 1 out)" "$(head -n 1 in2)"
is 'good record handled' "$(sed -n 2p out)" '{"id":"g","k":"v"}'

# a record the stage fails carries error{} and exit is 1
printf '{"id":"h","fail":true}\n{"id":"i"}\n' >in3
exit_is 1 'a failed record makes exit 1' test-record in3 >out 2>err
is 'error object added' "$(jq -c '.error | [.stage, .code, .temporary]' out | head -n 1)" '["test","test",false]'
is 'the next record still handled' "$(jq -r .id out | tail -n 1)" i
ok 'error logged with the record id' grep -q "^test-record: error: 'h': asked to fail" err

# temporary failure stops the run with 75; later records are not read
printf '{"id":"j"}\n{"id":"k","tempfail":true}\n{"id":"l"}\n' >in4
exit_is 75 'temporary failure exits 75' test-record in4 >out 2>/dev/null
is 'stops after the temporary failure' "$(jq -r .id out | tr '\n' ' ')" 'j k '

# drop
printf '{"id":"m","drop":true}\n{"id":"n"}\n' | test-record >out
is 'dropped records are not written' "$(jq -r .id out)" n

# operands: files and -, a missing file is an error but the run goes on
printf '{"id":"o"}\n' >a.ndjson
printf '{"id":"p"}\n' | test-record a.ndjson - missing.ndjson >out 2>err
is 'operands read in order, - is stdin' "$(jq -r .id out | tr '\n' ' ')" 'o p '
ok 'missing operand reported' grep -q "cannot open 'missing.ndjson'" err

# write errors are fatal: exit 3
exit_is 3 'full disk on stdout exits 3' test-record a.ndjson >/dev/full 2>err
ok 'write error reported' grep -q 'write error on stdout' err

# SIGPIPE: a reader that goes away ends the stage quietly with 141
yes '{"id":"y"}' | head -n 200000 >many.ndjson
set -o pipefail
test-record many.ndjson 2>err | head -n 1 >/dev/null
is 'SIGPIPE ends the stage with 141' "${PIPESTATUS[0]}" 141
set +o pipefail
is 'nothing said on SIGPIPE' "$(wc -c <err)" 0

# per-record flushing into a pipe: the first record arrives before input ends
mkfifo in.fifo out.fifo
(test-record <in.fifo >out.fifo 2>/dev/null &)
(cat out.fifo >got.pipe &)
exec 4>in.fifo
echo '{"id":"early"}' >&4
for _ in $(seq 50); do [ -s got.pipe ] && break; sleep 0.1; done
is 'records are flushed one by one into a pipe' "$(cat got.pipe)" '{"id":"early"}'
exec 4>&-

done_testing
