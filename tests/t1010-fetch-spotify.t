#!/usr/bin/env bash
# t1010-fetch-spotify: ss-fetch-playlists against the Spotify fake: PKCE
# login (the test plays the browser), pagination past 1,000 items, the
# snapshot memo, removed tracks, 401 -> refresh with rotation, the 2026
# 403 on foreign playlists, the legacy /tracks shape, albums through the
# cache, liked songs, logout, no secret in clear anywhere, and two runs
# at once.
. "$(dirname "$0")/lib.sh"

for c in curl jq python3 sqlite3; do
	have "$c" || skip_all "needs $c"
done

BIG=3Xk9pQbR7mTz1LwYc5Vn2A
FOREIGN=1aB2cD3eF4gH5iJ6kL7mN8
# catalogue N: playlist BIG has tracks N..1049 (so 1050-N of them), with
# a local file, an unavailable track and an episode after the fifth
catalogue() {
	python3 "$TOP/tests/fixtures/fetch/catalogue.py" "$1"
}
catalogue 0 >cat.json

python3 "$TOP/tests/fakes/fake.py" --services spotify --catalogue cat.json \
	--port-file port --log requests.jsonl --downloads dl 2>fake.err &
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
} >ss.conf
export SS_CONFIG=$TMP/ss.conf
LEDGER=$SS_HOME/ledger.db
fetch() { ss-fetch-playlists "$@" 2>>all.err; }
nreq() { wc -l <requests.jsonl | tr -d ' '; }
# since N FILTER: requests after line N of the log that match FILTER
since() {
	tail -n +"$(($1 + 1))" requests.jsonl | jq -c "select($2)" | wc -l |
		tr -d ' '
}

# --- client credentials: the 2026 rule -----------------------------------
exit_is 1 "client credentials cannot read playlist items (403)" \
	fetch "spotify:playlist:$BIG" >out
ok "... the message says why and suggests a CSV export" \
	grep -q "403 Forbidden.*export the playlist to CSV" all.err

# --- PKCE login, the test plays the browser -----------------------------
# shellcheck disable=SC2317  # called through exit_is
login() {
	ss-fetch-playlists --login 2>login.err &
	local pid=$! url redirect
	for _ in $(seq 100); do
		grep -q authorize login.err 2>/dev/null && break
		sleep 0.05
	done
	url=$(grep -o 'http://[^ ]*/authorize?[^ ]*' login.err)
	redirect=$(curl -s -o /dev/null -w '%{redirect_url}' "$url")
	curl -s "$redirect" >browser.html
	wait "$pid"
}
exit_is 0 "--login: authorization code + PKCE via the loopback listener" login
ok "... the browser gets a page saying so" grep -q 'logged in' browser.html
authq=$(jq -c 'select(.path|endswith("/authorize")) | .query' requests.jsonl |
	tail -n 1)
is "... S256 challenge, redirect to a loopback IP with a port" \
	"$(jq -c '[.code_challenge_method[0], (.redirect_uri[0]|test("^http://127\\.0\\.0\\.1:[0-9]+/callback$"))]' <<<"$authq")" \
	'["S256",true]'
jq -r 'select(.path|endswith("/api/token")) | .body' requests.jsonl |
	tail -n 1 >exchange.body
ok "... the code exchange sends the verifier" grep -q 'code_verifier=' exchange.body
ok "... and no client secret" sh -c '! grep -q csecret exchange.body'
is "... the key file is 0600" "$(stat -c %a "$SS_HOME/token.key")" 600
is "... a refresh token is stored, sealed" \
	"$(sqlite3 "$LEDGER" "select name, substr(value,1,3) from tokens where name='refresh'")" \
	"refresh|v1:"

# headless: the URL the browser ends at is pasted on standard input
mkfifo paste.fifo
ss-fetch-playlists --login --headless <paste.fifo 2>headless.err &
hpid=$!
exec 7>paste.fifo
for _ in $(seq 100); do
	grep -q authorize headless.err 2>/dev/null && break
	sleep 0.05
done
hurl=$(grep -o 'http://[^ ]*/authorize?[^ ]*' headless.err)
curl -s -o /dev/null -w '%{redirect_url}\n' "$hurl" >&7
exec 7>&-
wait "$hpid"
is "--login --headless takes the pasted redirect URL" "$?" 0
ok "... it told the user what to paste" grep -q 'paste here' headless.err

# --- pagination past 1,000 items ----------------------------------------
n0=$(nreq)
exit_is 0 "big playlist: exit 0, local/unavailable/episode skipped" \
	fetch -v "spotify:playlist:$BIG" >big1
is "1050 records" "$(wc -l <big1 | tr -d ' ')" 1050
is "... in playlist order" \
	"$(jq -r .want.title big1 | sed -n '1p;1050p' | paste -sd '|')" \
	"Song 0|Song 1049"
is "... all distinct" "$(jq -r .id big1 | sort -u | wc -l | tr -d ' ')" 1050
is "... positions count the skipped entries" \
	"$(jq -r 'select(.want.title=="Song 5") | .want.source.position' big1)" 8
is "... the first 100 embedded, then /items pages of 50" \
	"$(since "$n0" '.service=="spotify" and (.path|endswith("/items"))')" 20
ok "... local file reported" \
	grep -q "position 5: skipped a local file 'Demo Song'" all.err
ok "... unavailable track reported" \
	grep -q "position 6: skipped an unavailable track" all.err
ok "... episode reported" \
	grep -q "position 7: skipped a podcast episode 'A Podcast'" all.err
is "record shape" \
	"$(head -n 1 big1 | jq -c '[.id, (.want|keys_unsorted), .want.isrc, .want.year, .want.album, .want.source.kind, .want.source.playlist_name]')" \
	"$(head -n 1 big1 | jq -c '["spotify:track:" + .want.spotify.id, ["title","artists","artist","album","albumartist","duration_ms","isrc","track","disc","year","spotify","source"], "GBAYE9700389", 1997, "OK Computer", "spotify", "Big One"]')"

# --- snapshot memo -------------------------------------------------------
n0=$(nreq)
fetch "spotify:playlist:$BIG" >big2
is "unchanged playlist (same snapshot_id): one request" \
	"$(since "$n0" '.service=="spotify"')" 1
same "... the same records" big1 big2

# --- 401 -> refresh (rotation) -> retry ----------------------------------
curl -s "$O/_fake/state/spotify" | jq -r '.refresh_tokens[]' | sort >rt.before
old_sealed=$(sqlite3 "$LEDGER" "select value from tokens where name='refresh'")
curl -s -X POST "$O/_fake/spotify/expire" >/dev/null
n0=$(nreq)
exit_is 0 "expired access token: refreshed and retried" \
	fetch "spotify:playlist:$BIG" >big3
is "... a 401, one refresh, then the retry" \
	"$(tail -n +"$((n0 + 1))" requests.jsonl | jq -r '"\(.status) \(.path|split("/")|last)"' | head -n 3 | paste -sd '|')" \
	"401 $BIG|200 token|200 $BIG"
curl -s "$O/_fake/state/spotify" | jq -r '.refresh_tokens[]' | sort >rt.after
old_rt=$(comm -23 rt.before rt.after)
is "... the refresh token was rotated: one gone, one new" \
	"$(comm -3 rt.before rt.after | wc -l | tr -d ' ')" 2
ok "... and the stored one replaced" test "$old_sealed" != \
	"$(sqlite3 "$LEDGER" "select value from tokens where name='refresh'")"
is "... the old refresh token is dead at the fake" \
	"$(curl -s -d "grant_type=refresh_token&refresh_token=$old_rt&client_id=cid" "$O/spotify-accounts/api/token" | jq -r .error_description)" \
	"Invalid refresh token"
curl -s -X POST "$O/_fake/spotify/expire" >/dev/null
exit_is 0 "a second expiry refreshes with the rotated token" \
	fetch "spotify:playlist:$BIG" >/dev/null

# --- the user token meets a foreign playlist -----------------------------
exit_is 1 "foreign playlist: 403 with the clear message" \
	fetch "https://open.spotify.com/playlist/$FOREIGN?si=x" >out
ok "... naming the playlist" \
	grep -q "playlist 'Followed' (403 Forbidden)" all.err

# --- removed tracks are recorded -----------------------------------------
catalogue 2 >cat2.json
curl -s -X POST --data-binary @cat2.json "$O/_fake/catalogue" >/dev/null
exit_is 0 "after a catalogue change (the fake forgot us): login again" login
fetch -v "spotify:playlist:$BIG" >big4
is "changed playlist: 1048 records" "$(wc -l <big4 | tr -d ' ')" 1048
is "... the two removed tracks are marked in the ledger" \
	"$(sqlite3 "$LEDGER" "select count(*) from playlist_tracks where removed_at is not null")" 2
ok "... and reported" grep -q "0 tracks added, 2 removed" all.err

exit_is 1 "me: every playlist of the library (the foreign one fails)" \
	fetch me >me.out
is "... the user's own playlist is all there" "$(wc -l <me.out | tr -d ' ')" 1048
t0=$(head -n 1 big1 | jq -r .want.spotify.uri)
is "a single track by URI" "$(fetch "$t0" | jq -c '[.id, .want.title, .want.source.kind]')" \
	"[\"$t0\",\"Song 0\",\"spotify-track\"]"

# --- liked songs, albums through the cache -------------------------------
is "liked songs" \
	"$(fetch liked | jq -c '[.want.title, .want.source.kind, .want.source.added_at]' | tail -n 1)" \
	'["Song 3","spotify-liked","2025-01-02T03:04:05Z"]'
n0=$(nreq)
fetch spotify:album:6dVIqQ8qmQ5GBnJ9shOYGE >al1
is "album: its tracks with the album filled in" \
	"$(jq -c '[.want.title, .want.album, .want.albumartist, .want.spotify.album_id]' al1 | head -n 1)" \
	'["Song 0","OK Computer","Radiohead","6dVIqQ8qmQ5GBnJ9shOYGE"]'
n1=$(nreq)
fetch spotify:album:6dVIqQ8qmQ5GBnJ9shOYGE >al2
same "album again: same records" al1 al2
is "... from the cache, no request" "$(since "$n1" 'true')" 0
fetch --no-cache spotify:album:6dVIqQ8qmQ5GBnJ9shOYGE >/dev/null
is "--no-cache asks again" "$(since "$n1" 'true')" "$((n1 - n0))"

# --- two runs at once ------------------------------------------------------
sqlite3 "$LEDGER" "delete from playlist_tracks; delete from playlists"
fetch "spotify:playlist:$BIG" >one.out &
p1=$!
fetch "spotify:playlist:$BIG" >two.out &
p2=$!
wait "$p1"
s1=$?
wait "$p2"
s2=$?
is "two runs at once both succeed" "$s1 $s2" "0 0"
same "... with the same records" one.out two.out
same "... the same as one run alone" big4 one.out
is "... and one membership in the ledger" \
	"$(sqlite3 "$LEDGER" "select count(*) from playlist_tracks where removed_at is null")" 1048

# --- logout; the legacy shape (/tracks) with client credentials ----------
ss-fetch-playlists --logout 2>logout.err
is "--logout deletes the tokens" \
	"$(sqlite3 "$LEDGER" "select count(*) from tokens where name in ('refresh','access')")" 0
curl -s -d '{"spotify":{"mode":"legacy"}}' "$O/_fake/config" >/dev/null
sqlite3 "$LEDGER" "delete from playlist_tracks; delete from playlists"
n0=$(nreq)
exit_is 0 "legacy mode: client credentials read the playlist" \
	fetch "spotify:playlist:$BIG" >legacy.out
is "... through the /tracks pages" \
	"$(since "$n0" '.path|endswith("/tracks")') $(since "$n0" '.path|endswith("/items")')" \
	"20 0"
same "... giving the same records" big4 legacy.out

# --- secrets ---------------------------------------------------------------
sqlite3 "$LEDGER" .dump >dump.sql
{
	jq -r '.headers.Authorization // empty' requests.jsonl |
		sed -n 's/^Bearer //p' | sort -u
	jq -r 'select(.path|endswith("/api/token")) | .body' requests.jsonl |
		tr '&' '\n' | sed -n 's/^refresh_token=//p' | sort -u
	curl -s "$O/_fake/state/spotify" | jq -r '.refresh_tokens[]'
	echo csecret-0xDEADBEEF
} >secrets
ok "there are tokens to look for" test "$(sort -u secrets | wc -l)" -gt 4
ss-fetch-playlists -vv "spotify:playlist:$BIG" >trace.out 2>trace.err
ok "-vv traces the HTTP headers" \
	grep -q 'http: > Authorization: (secret)' trace.err
leaks=$(grep -F -l -f secrets all.err login.err headless.err logout.err \
	trace.err dump.sql big1 big4 legacy.out al1 trace.out)
is "no secret in logs, records or the ledger dump" "$leaks" ""

done_testing
