#!/usr/bin/env bash
# t0100-ledger-concurrency: four processes share one queue; each item is
# claimed exactly once and no SQLITE_BUSY escapes.
. "$(dirname "$0")/lib.sh"

plan 7
L=$SS_HOME/ledger.db
N=2000

ok 'enqueue 2000 items in one transaction' test-ledger enqueue "$L" search $N
is 'all items pending' \
	"$(sqlite3 "$L" "SELECT count(*) FROM items WHERE state = 'pending'")" $N

pids=()
for w in 1 2 3 4; do
	test-ledger claim-worker "$L" search >"out.$w" 2>"err.$w" &
	pids+=($!)
done
status=0
for p in "${pids[@]}"; do
	wait "$p" || status=$?
done
is 'every worker exits 0' "$status" 0
cat err.1 err.2 err.3 err.4 >err
ok 'nothing on stderr (no busy error escaped)' test ! -s err
sed 's/^/# /' err | head -n 5

cat out.1 out.2 out.3 out.4 | sort >claimed
is 'the union has 2000 lines' "$(wc -l <claimed | tr -d ' ')" $N
is 'no item claimed twice' "$(uniq -d claimed | wc -l | tr -d ' ')" 0
is 'all done in the ledger' \
	"$(sqlite3 "$L" "SELECT count(*) FROM items WHERE state = 'done'")" $N
for w in 1 2 3 4; do
	note "worker $w claimed $(wc -l <"out.$w" | tr -d ' ')"
done
done_testing
