#!/usr/bin/env bash
# t0101-ledger-budget: two processes share one token bucket and together
# never take more than capacity + rate * window in any window.
. "$(dirname "$0")/lib.sh"

plan 5
L=$SS_HOME/ledger.db
test-ledger enqueue "$L" none 0 || exit 1

# 5 tokens per second, two takers wanting 10 each: 5 at once, then the
# other 15 at 5/s, so about 3 s in all.
start=$(date +%s.%N)
test-ledger budget-taker "$L" mb 5 1 10 >t.1 2>err.1 &
p1=$!
test-ledger budget-taker "$L" mb 5 1 10 >t.2 2>err.2 &
p2=$!
s1=0 s2=0
wait $p1 || s1=$?
wait $p2 || s2=$?
end=$(date +%s.%N)
is 'both takers exit 0' "$s1 $s2" '0 0'
cat err.1 err.2 >err
ok 'nothing on stderr' test ! -s err
sort -n t.1 t.2 >takes
is '20 takes in all' "$(wc -l <takes | tr -d ' ')" 20

# For every take i, count the takes in [t_i, t_i + w) for a few windows
# and compare with capacity + rate * w (a little slack for the clock).
worst=$(awk '
	{ t[NR] = $1 }
	END {
		split("0.001 0.25 0.5 1 2 3", ws, " ")
		bad = ""
		for (k in ws) {
			w = ws[k]
			for (i = 1; i <= NR; i++) {
				n = 0
				for (j = i; j <= NR && t[j] < t[i] + w; j++)
					n++
				if (n > 5 + 5 * w + 0.01)
					bad = bad sprintf("%d takes in %.3f s at %d; ",
					    n, w, i)
			}
		}
		print bad
	}' takes)
is 'no window holds more than capacity + rate * window' "$worst" ''
elapsed=$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')
note "20 takes took $elapsed s"
ok 'the takes took about 3 s (2.8 to 8)' \
	awk -v e="$elapsed" 'BEGIN { exit !(e >= 2.8 && e < 8) }'
done_testing
