#!/usr/bin/env bash
# t1020-fetch-http: lib/http under ss-fetch-playlists, with faults from the
# Spotify fake: 429 with a short Retry-After is waited for, one of 86400 s
# ends the run with 75 and reschedules the item in the ledger, 503s open
# the circuit breaker which closes after the cool-off (fake clock), resets
# and truncated bodies are retried, a body that is not JSON is temporary.
. "$(dirname "$0")/lib.sh"

for c in curl jq python3 sqlite3; do
	have "$c" || skip_all "needs $c"
done

BIG=3Xk9pQbR7mTz1LwYc5Vn2A
python3 "$TOP/tests/fixtures/fetch/catalogue.py" 900 >cat.json
python3 "$TOP/tests/fakes/fake.py" --services spotify --catalogue cat.json \
	--port-file port --log requests.jsonl --downloads dl \
	--set spotify.mode=legacy 2>fake.err &
FAKE_PID=$!
trap 'kill "$FAKE_PID" 2>/dev/null; wait "$FAKE_PID" 2>/dev/null; _tap_cleanup' EXIT
for _ in $(seq 100); do
	[ -s port ] && break
	sleep 0.1
done
[ -s port ] || { cat fake.err; echo "Bail out! fake did not start"; exit 1; }
O=http://127.0.0.1:$(cat port)
{
	echo "spotify_api_url = $O/spotify/v1"
	echo "spotify_accounts_url = $O/spotify-accounts"
	echo "spotify_client_id = cid"
	echo "spotify_client_secret = csecret-0xDEADBEEF"
	echo "http_max_attempts = 3"
	echo "http_max_retry_after_seconds = 5"
	echo "circuit_breaker_failures = 4"
	echo "circuit_breaker_seconds = 300"
	echo "backoff_base_seconds = 1"
} >ss.conf
export SS_CONFIG=$TMP/ss.conf
LEDGER=$SS_HOME/ledger.db
nreq() { wc -l <requests.jsonl | tr -d ' '; }
since() {
	tail -n +"$(($1 + 1))" requests.jsonl | jq -c "select($2)" | wc -l |
		tr -d ' '
}
fault() { curl -s -d "$1" "$O/_fake/faults" >/dev/null; }
forget() {
	sqlite3 "$LEDGER" "delete from playlist_tracks; delete from playlists;
	    delete from items; delete from circuits"
}

exit_is 0 "a first run works" ss-fetch-playlists "$BIG" >ref.out 2>err
is "... 150 records" "$(wc -l <ref.out | tr -d ' ')" 150

# --- 429 with a short Retry-After ------------------------------------------
forget
fault '{"service":"spotify","path_regex":"/tracks$","fault":"429","retry_after":"1"}'
n0=$(nreq)
exit_is 0 "429 with Retry-After: 1 is waited for" \
	ss-fetch-playlists "$BIG" >out 2>err
same "... and the records are complete" ref.out out
ts=$(tail -n +"$((n0 + 1))" requests.jsonl |
	jq -r 'select(.path|endswith("/tracks")) | .ts' | head -n 2 | paste -sd ' ')
ok "... the retry came at least 1 s later" \
	awk -v a="${ts% *}" -v b="${ts#* }" 'BEGIN { exit !(b - a >= 1.0) }'

forget
when=$(date -u -d "@$(($(date +%s) + 3))" '+%a, %d %b %Y %H:%M:%S GMT')
fault "{\"service\":\"spotify\",\"path_regex\":\"/tracks\$\",\"fault\":\"503\",\"retry_after\":\"$when\"}"
n0=$(nreq)
exit_is 0 "503 with Retry-After as an HTTP date is waited for" \
	ss-fetch-playlists "$BIG" >out 2>err
ts=$(tail -n +"$((n0 + 1))" requests.jsonl |
	jq -r 'select(.path|endswith("/tracks")) | .ts' | head -n 2 | paste -sd ' ')
ok "... the retry came about then" \
	awk -v a="${ts% *}" -v b="${ts#* }" 'BEGIN { exit !(b - a >= 1.0) }'

# --- 429 with Retry-After: 86400 -------------------------------------------
forget
fault '{"service":"spotify","path_regex":"/tracks$","fault":"429","retry_after":"86400"}'
NOW=$(date +%s)
n0=$(nreq)
exit_is 75 "Retry-After: 86400 ends the run with 75" \
	env SS_NOW="$NOW" ss-fetch-playlists "$BIG" >out 2>err
ok "... at once, without sleeping" test "$(since "$n0" '.path|endswith("/tracks")')" -eq 1
ok "... saying how long the server asks to wait" grep -q 'asks to wait 86400 s' err
is "... the ledger reschedules the playlist for then" \
	"$(sqlite3 "$LEDGER" "select state, temporary, cast(next_attempt_at - $NOW as int) from items where stage='fetch' and id='spotify:playlist:$BIG'")" \
	"failed|1|86400"
is "... ss-ledger shows it" \
	"$(ss-ledger list --stage=fetch | jq -r '.next_attempt_at')" \
	"$(jq -rn --argjson t "$((NOW + 86400))" '$t | todate')"
n0=$(nreq)
exit_is 75 "a run before then does not try" \
	env SS_NOW="$((NOW + 60))" ss-fetch-playlists "$BIG" >out 2>err
is "... no request at all" "$(since "$n0" 'true')" 0
ok "... and says until when" grep -q 'rescheduled until' err
curl -s -X DELETE "$O/_fake/faults" >/dev/null
exit_is 0 "a run after then works again" \
	env SS_NOW="$((NOW + 86401))" ss-fetch-playlists "$BIG" >out 2>err
same "... with every record" ref.out out

# --- 503s open the circuit breaker ------------------------------------------
forget
fault '{"service":"spotify","path_regex":"/playlists/","fault":"503","times":-1}'
n0=$(nreq)
exit_is 75 "503 on every attempt: exit 75" \
	env SS_NOW="$NOW" ss-fetch-playlists "$BIG" >out 2>err
is "... after http_max_attempts tries" "$(since "$n0" '.status==503')" 3
n0=$(nreq)
exit_is 75 "another operand: the fourth failure opens the breaker" \
	env SS_NOW="$NOW" ss-fetch-playlists 1aB2cD3eF4gH5iJ6kL7mN8 >out 2>err
is "... after one more try" "$(since "$n0" '.status==503')" 1
ok "... saying the service is considered down" grep -q 'considered down' err
is "... the breaker is open in the ledger for 300 s" \
	"$(sqlite3 "$LEDGER" "select failures, cast(open_until - $NOW as int) from circuits where service='spotify'")" \
	"4|300"
n0=$(nreq)
exit_is 75 "while it is open: 75 at once" \
	env SS_NOW="$((NOW + 100))" ss-fetch-playlists liked >out 2>err
is "... without a request" "$(since "$n0" 'true')" 0
curl -s -X DELETE "$O/_fake/faults" >/dev/null
exit_is 0 "after the cool-off one try goes through and closes it" \
	env SS_NOW="$((NOW + 400))" ss-fetch-playlists "$BIG" >out 2>err
is "... breaker closed" \
	"$(sqlite3 "$LEDGER" "select failures, open_until from circuits where service='spotify'")" \
	"0|0.0"

# --- connection reset, truncated body, not JSON -------------------------------
forget
fault '[{"service":"spotify","path_regex":"/tracks$","fault":"reset"},
	{"service":"spotify","path_regex":"/tracks$","fault":"truncate"}]'
exit_is 0 "a reset and a truncated body are retried" \
	ss-fetch-playlists "$BIG" >out 2>err
same "... and the records are complete" ref.out out
forget
fault '{"service":"spotify","path_regex":"/tracks$","fault":"badjson"}'
exit_is 75 "a 200 that is not JSON is temporary" \
	ss-fetch-playlists "$BIG" >out 2>err
ok "... said so" grep -q 'is not JSON' err
forget
fault '{"service":"spotify","path_regex":"/tracks$","fault":"slow","delay_ms":3000,"times":-1}'
echo "http_timeout_seconds = 1" >>ss.conf
exit_is 75 "a stalled answer times out (http_timeout_seconds)" \
	ss-fetch-playlists "$BIG" >out 2>err
ok "... a temporary error naming the timeout" grep -qi 'timeout\|timed out' err

done_testing
