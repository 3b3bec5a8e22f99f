#!/usr/bin/env bash
# t0050-fakes: the loopback service fakes (tests/fakes) behave like the
# real services of reference/apis.md, log what they receive and inject
# faults on demand.
. "$(dirname "$0")/lib.sh"

for c in curl jq python3 sha256sum openssl; do
	have "$c" || skip_all "needs $c"
done

KEY=test-api-key-0123456789abcdef
FLAC_DIR='@@qbzkl\\Music\\Radiohead\\1997 - OK Computer [FLAC]'
head -c 30000 /dev/urandom >airbag.flac

cat >cat.json <<EOF
{
 "settings": {
  "slskd": {"api_keys": ["$KEY"], "speed": 60000, "response_delay_ms": 30,
            "queue_local_ms": 250, "queue_remote_ms": 250, "init_ms": 250},
  "spotify": {"clients": [{"client_id": "cid", "client_secret": "csecret",
                           "redirect_uris": ["http://127.0.0.1/callback"]}]}
 },
 "albums": [{"key": "okc", "title": "OK Computer", "artist": "Radiohead",
   "mbid": "7ba211b3-ca52-4b41-830c-b1354366b513",
   "release_date": "1997-05-21", "country": "GB", "format": "CD",
   "cover_art": [{"id": 21584103811, "front": true, "types": ["Front"],
                  "content": "front-image-bytes"}]}],
 "tracks": [
  {"key": "airbag", "title": "Airbag", "artist": "Radiohead", "album": "okc",
   "isrc": "GBAYE9700389", "duration_ms": 284400, "track_number": 1},
  {"key": "pa", "title": "Paranoid Android", "artist": "Radiohead",
   "album": "okc", "isrc": "GBAYE9700390", "duration_ms": 386813,
   "track_number": 2},
  {"key": "sha", "title": "Subterranean Homesick Alien",
   "artist": "Radiohead", "album": "okc", "duration_ms": 267000,
   "track_number": 3}
 ],
 "spotify": {"playlists": [
  {"id": "3Xk9pQbR7mTz1LwYc5Vn2A", "name": "To Download",
   "snapshot_id": "AAAAB8C3mJtC0n1yq8C2z3WkqW6HqYt1",
   "items": ["airbag", "pa", "sha",
     {"local": {"title": "Demo Song", "artist": "Local Band",
                "album": "Bootlegs 2003", "duration_ms": 215000}},
     null]},
  {"id": "1aB2cD3eF4gH5iJ6kL7mN8", "name": "Followed",
   "owner": {"id": "someoneelse", "display_name": "Someone Else"},
   "items": ["pa"]}]},
 "slskd": {"users": [
  {"username": "vinyl_archivist", "upload_speed": 2883584, "files": [
    {"filename": "$FLAC_DIR\\\\01 - Airbag.flac", "path": "airbag.flac",
     "bit_depth": 16, "sample_rate": 44100, "length": 284},
    {"filename": "$FLAC_DIR\\\\cover.jpg", "generate": {"size": 5000}}]},
  {"username": "mp3_hoarder", "upload_speed": 412000, "queue_length": 14,
   "free_upload_slot": false, "files": [
    {"filename": "Shared\\\\Radiohead - OK Computer (1997)\\\\01 Airbag.mp3",
     "bitrate": 320, "vbr": false, "length": 284, "extension": "",
     "generate": {"size": 3000}},
    {"filename": "Shared\\\\Radiohead - OK Computer (1997)\\\\03 Airbag (demo).mp3",
     "bitrate": 320, "locked": true, "extension": "", "size": 10711040}]}]}
}
EOF

python3 "$TOP/tests/fakes/fake.py" --catalogue cat.json --port-file port \
	--urls urls.json --log requests.jsonl --downloads downloads \
	2>fake.err &
FAKE_PID=$!
trap 'kill "$FAKE_PID" 2>/dev/null; wait "$FAKE_PID" 2>/dev/null; _tap_cleanup' EXIT

# wait for the port file (the fake writes it once listening)
for _ in $(seq 100); do
	[ -s port ] && break
	sleep 0.1
done
[ -s port ] || { cat fake.err; echo "Bail out! fake did not start"; exit 1; }
P=$(cat port)
O=http://127.0.0.1:$P
SL=$O/slskd/api/v0

sl() { curl -s -H "X-API-Key: $KEY" "$@"; }
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
# poll CMD until its output equals WANT (up to ~5 s); prints the last output
poll() {
	local want=$1 got
	shift
	for _ in $(seq 100); do
		got=$("$@")
		[ "$got" = "$want" ] && break
		sleep 0.05
	done
	printf '%s' "$got"
}

is "urls file maps slskd base URL" "$(jq -r .slskd urls.json)" "$O/slskd"

# --- slskd: auth ---------------------------------------------------------
is "slskd: no API key -> 401" "$(code "$SL/searches")" 401
is "slskd: 401 carries WWW-Authenticate: Bearer" \
	"$(curl -s -D - -o /dev/null "$SL/searches" | tr -d '\r' |
		sed -n 's/^WWW-Authenticate: //p')" Bearer
tok=$(curl -s -d '{"username":"slskd","password":"slskd"}' "$SL/session" |
	jq -r .token)
is "slskd: session JWT authorizes" \
	"$(code -H "Authorization: Bearer $tok" "$SL/searches")" 200
is "slskd: wrong password -> 401" \
	"$(code -d '{"username":"slskd","password":"x"}' "$SL/session")" 401

# --- slskd: search lifecycle -------------------------------------------
created=$(sl -H 'Content-Type: application/json' \
	-d '{"searchText":"radiohead airbag","searchTimeout":400}' \
	"$SL/searches")
sid=$(jq -r .id <<<"$created")
is "search created InProgress with the sample's key order" \
	"$(jq -c '[.state, keys_unsorted]' <<<"$created")" \
	'["InProgress",["fileCount","id","isComplete","lockedFileCount","responseCount","responses","searchText","startedAt","state","token"]]'
is "responses are [] while in progress" \
	"$(sl "$SL/searches/$sid/responses")" "[]"
st=$(poll true sh -c "curl -s -H 'X-API-Key: $KEY' '$SL/searches/$sid' | jq .isComplete")
is "search completes" "$st" true
done_json=$(sl "$SL/searches/$sid")
is "completed state string and counts" \
	"$(jq -c '[.state, .responseCount, .fileCount, .lockedFileCount, has("endedAt")]' <<<"$done_json")" \
	'["Completed, TimedOut",2,2,1,true]'
resp=$(sl "$SL/searches/$sid/responses")
is "response object keys as the sample" \
	"$(jq -c '.[0] | keys_unsorted' <<<"$resp")" \
	'["fileCount","files","hasFreeUploadSlot","lockedFileCount","lockedFiles","queueLength","token","uploadSpeed","username"]'
is "lossless file keys (nulls omitted)" \
	"$(jq -c '.[] | select(.username=="vinyl_archivist") | .files[0] | keys_unsorted' <<<"$resp")" \
	'["bitDepth","code","extension","filename","length","sampleRate","size","isLocked"]'
is "lossy file: empty extension quirk, locked file in lockedFiles" \
	"$(jq -c '.[] | select(.username=="mp3_hoarder") | [.files[0].extension, .files[0].isVariableBitRate, .lockedFiles[0].isLocked, .hasFreeUploadSlot]' <<<"$resp")" \
	'["",false,false,false]'
is "file size = bytes of the catalogue file" \
	"$(jq '.[] | select(.username=="vinyl_archivist") | .files[0].size' <<<"$resp")" 30000
is "blank searchText -> 400 JSON string" \
	"$(sl -d '{"searchText":"  "}' "$SL/searches")" \
	'"The field SearchText can not be null, empty, or consist of only whitespace"'
is "delete search -> 204" "$(code -X DELETE -H "X-API-Key: $KEY" "$SL/searches/$sid")" 204
is "deleted search -> 404" "$(code -H "X-API-Key: $KEY" "$SL/searches/$sid")" 404

# --- slskd: downloads ----------------------------------------------------
file=$(jq -r '.[] | select(.username=="vinyl_archivist") | .files[0].filename' <<<"$resp")
body=$(jq -nc --arg f "$file" '[{filename: $f, size: 30000}]')
enq=$(sl -d "$body" "$SL/transfers/downloads/vinyl_archivist")
tid=$(jq -r '.enqueued[0].id' <<<"$enq")
is "enqueue -> Queued, Locally with the sample's keys" \
	"$(jq -c '[.enqueued[0].state, (.enqueued[0]|keys_unsorted), .failed]' <<<"$enq")" \
	'["Queued, Locally",["id","username","direction","filename","size","state","requestedAt","bytesTransferred","averageSpeed","attempts","removed","bytesRemaining","percentComplete"],[]]'
# poll until the transfer ends (at most 20 s); a busy machine may miss a
# short state, so check the order of what was seen, not that all were
order='Queued, Locally|Queued, Remotely|Initializing|InProgress|Completed, Succeeded'
seen=$(for _ in $(seq 400); do
	st=$(sl "$SL/transfers/downloads/vinyl_archivist/$tid" | jq -r .state)
	echo "$st"
	case $st in Completed*) break ;; esac
	sleep 0.05
done | uniq | paste -sd '|')
in_order() {	# in_order SEEN: each state of SEEN comes later in $order
	local rest=$order st
	while IFS= read -r st; do
		case "|$rest|" in
		*"|$st|"*) rest=${rest#*"$st"} ;;
		*) return 1 ;;
		esac
	done < <(tr '|' '\n' <<<"$1")
}
ok "transfer states progress in order" in_order "$seen"
is "transfer ends Completed, Succeeded" "${seen##*|}" 'Completed, Succeeded'
tr=$(sl "$SL/transfers/downloads")
is "listing grouped by user and remote directory" \
	"$(jq -c '[.[0].username, .[0].directories[0].directory, .[0].directories[0].fileCount]' <<<"$tr")" \
	"$(jq -nc --arg d "${file%\\*}" '["vinyl_archivist", $d, 1]')"
is "succeeded transfer fields" \
	"$(jq -c '.[0].directories[0].files[0] | [.bytesTransferred, .percentComplete, .bytesRemaining, .remainingTime, (.requestedAt|endswith("Z")), (.endedAt|endswith("Z"))]' <<<"$tr")" \
	'[30000,100,0,"00:00:00",false,true]'
dest="downloads/1997 - OK Computer [FLAC]/01 - Airbag.flac"
poll yes sh -c "test -f '$dest' && echo yes" >/dev/null
is "downloaded file has the catalogue file's sha256" \
	"$(sha256sum <"$dest" 2>/dev/null | cut -d' ' -f1)" \
	"$(sha256sum <airbag.flac | cut -d' ' -f1)"

enq2=$(sl -d "$body" "$SL/transfers/downloads/vinyl_archivist")
tid2=$(jq -r '.enqueued[0].id' <<<"$enq2")
poll "Completed, Succeeded" sh -c "curl -s -H 'X-API-Key: $KEY' '$SL/transfers/downloads/vinyl_archivist/$tid2' | jq -r .state" >/dev/null
coll=$(poll 2 sh -c "ls 'downloads/1997 - OK Computer [FLAC]' | wc -l | tr -d ' '")
is "second download of the same file lands beside the first" "$coll" 2
ok "collision gets the _<ticks> suffix" \
	sh -c "ls 'downloads/1997 - OK Computer [FLAC]' | grep -Eqx '01 - Airbag_[0-9]{18}\.flac'"

is "unknown user -> 500 JSON string" \
	"$(sl -d "$body" "$SL/transfers/downloads/nobody")" \
	'"User nobody appears to be offline"'
is "cancel/remove -> 204" \
	"$(code -X DELETE -H "X-API-Key: $KEY" "$SL/transfers/downloads/vinyl_archivist/$tid?remove=true")" 204
is "removed transfer hidden from the listing" \
	"$(sl "$SL/transfers/downloads/vinyl_archivist" | jq '[.directories[].files[].id] | index("'"$tid"'")')" null

curl -s -d '{"slskd":{"version":"0.24.0"}}' "$O/_fake/config" >/dev/null
is "legacy (0.24) transfer shape on request" \
	"$(sl "$SL/transfers/downloads/vinyl_archivist" | jq -c '.directories[0].files[0] | [has("startOffset"), has("stateDescription"), has("attempts"), has("removed")]')" \
	'[true,true,false,false]'
curl -s -d '{"slskd":{"version":"0.26.0"}}' "$O/_fake/config" >/dev/null

# --- Spotify -------------------------------------------------------------
AC=$O/spotify-accounts
API=$O/spotify/v1
cc=$(curl -s -u cid:csecret -d grant_type=client_credentials "$AC/api/token")
is "client credentials token shape" \
	"$(jq -c '[keys, .token_type, .expires_in]' <<<"$cc")" \
	'[["access_token","expires_in","token_type"],"Bearer",3600]'
is "bad client secret -> invalid_client" \
	"$(curl -s -u cid:nope -d grant_type=client_credentials "$AC/api/token" | jq -r .error)" \
	invalid_client

VER=fake-verifier-0123456789-abcdefghijklmnopqrstuvwxyz
CH=$(printf %s "$VER" | openssl dgst -sha256 -binary | base64 | tr '+/' '-_' | tr -d '=')
RU=http://127.0.0.1:43210/callback
authorize() {
	curl -s -o /dev/null -w '%{redirect_url}' \
		"$AC/authorize?client_id=cid&response_type=code&redirect_uri=$RU&state=st8&scope=playlist-read-private&code_challenge_method=S256&code_challenge=$CH"
}
loc=$(authorize)
ok "authorize redirects to redirect_uri with code and state" \
	grep -Eq "^$RU\?code=[^&]+&state=st8$" <<<"$loc"
c1=${loc#*code=}
c1=${c1%%&*}
bad=$(curl -s -d grant_type=authorization_code -d "code=$c1" -d "redirect_uri=$RU" \
	-d client_id=cid -d code_verifier=wrong-verifier "$AC/api/token")
is "PKCE: wrong verifier -> 400 invalid_grant" \
	"$(jq -c '[.error, .error_description]' <<<"$bad")" \
	'["invalid_grant","code_verifier was incorrect"]'
c2=$(authorize | sed 's/.*code=\([^&]*\).*/\1/')
ut=$(curl -s -d grant_type=authorization_code -d "code=$c2" -d "redirect_uri=$RU" \
	-d client_id=cid -d "code_verifier=$VER" "$AC/api/token")
is "PKCE: right verifier -> tokens" \
	"$(jq -c '[has("access_token"), has("refresh_token"), .scope]' <<<"$ut")" \
	'[true,true,"playlist-read-private"]'
is "authorization code is single-use" \
	"$(curl -s -d grant_type=authorization_code -d "code=$c2" -d "redirect_uri=$RU" \
		-d client_id=cid -d "code_verifier=$VER" "$AC/api/token" | jq -r .error_description)" \
	"Invalid authorization code"
rt1=$(jq -r .refresh_token <<<"$ut")
rf=$(curl -s -d grant_type=refresh_token -d "refresh_token=$rt1" -d client_id=cid "$AC/api/token")
rt2=$(jq -r .refresh_token <<<"$rf")
ok "refresh returns a new (rotated) refresh token" test -n "$rt2" -a "$rt2" != null -a "$rt2" != "$rt1"
is "old refresh token rejected after rotation" \
	"$(curl -s -w ' %{http_code}' -d grant_type=refresh_token -d "refresh_token=$rt1" -d client_id=cid "$AC/api/token")" \
	'{"error": "invalid_grant", "error_description": "Invalid refresh token"} 400'
AT=$(jq -r .access_token <<<"$rf")
sp() { curl -s -H "Authorization: Bearer $AT" "$@"; }

p1=$(sp "$API/playlists/3Xk9pQbR7mTz1LwYc5Vn2A/items?limit=2")
is "items page 1: total, limit, next" \
	"$(jq -c '[.total, .limit, .offset, .next, (.items|length)]' <<<"$p1")" \
	"[5,2,0,\"$API/playlists/3Xk9pQbR7mTz1LwYc5Vn2A/items?offset=2&limit=2\",2]"
is "2026 /items shape: item + track" \
	"$(jq -c '.items[0] | keys' <<<"$p1")" \
	'["added_at","added_by","is_local","item","primary_color","track","video_thumbnail"]'
all=$(
	url="$API/playlists/3Xk9pQbR7mTz1LwYc5Vn2A/items?limit=2"
	while [ -n "$url" ] && [ "$url" != null ]; do
		page=$(sp "$url")
		jq -c '.items[] | [.is_local, (.item.uri // null)]' <<<"$page"
		url=$(jq -r .next <<<"$page")
	done | paste -sd ' ')
is "following next visits every item: tracks, local file, null item" "$all" \
	"$(printf '%s ' "[false,\"spotify:track:$(jq -r '.items[0].item.id' <<<"$p1")\"]" \
		"[false,\"spotify:track:$(jq -r '.items[1].item.id' <<<"$p1")\"]" | sed 's/ $//') $(sp "$API/playlists/3Xk9pQbR7mTz1LwYc5Vn2A/items?offset=2&limit=1" | jq -c '.items[0] | [.is_local, .item.uri]') [true,\"spotify:local:Local+Band:Bootlegs+2003:Demo+Song:215\"] [false,null]"
is "legacy /tracks is 403 in restricted mode" \
	"$(code -H "Authorization: Bearer $AT" "$API/playlists/3Xk9pQbR7mTz1LwYc5Vn2A/tracks")" 403
curl -s -d '{"spotify":{"mode":"legacy"}}' "$O/_fake/config" >/dev/null
lt=$(sp "$API/playlists/3Xk9pQbR7mTz1LwYc5Vn2A/tracks?limit=2&offset=2")
is "legacy /tracks shape: track only, paginated" \
	"$(jq -c '[(.items[0]|keys), .offset, .previous != null, .next != null]' <<<"$lt")" \
	'[["added_at","added_by","is_local","primary_color","track","video_thumbnail"],2,true,true]'
curl -s -d '{"spotify":{"mode":"restricted"}}' "$O/_fake/config" >/dev/null
is "foreign playlist items -> 403" \
	"$(sp -w ' %{http_code}' "$API/playlists/1aB2cD3eF4gH5iJ6kL7mN8/items")" \
	'{"error": {"status": 403, "message": "Forbidden"}} 403'
is "playlist object carries snapshot_id" \
	"$(sp "$API/playlists/3Xk9pQbR7mTz1LwYc5Vn2A" | jq -r .snapshot_id)" \
	AAAAB8C3mJtC0n1yq8C2z3WkqW6HqYt1
is "garbage token -> 401 Invalid access token" \
	"$(curl -s -H 'Authorization: Bearer nope' "$API/me/playlists" | jq -r .error.message)" \
	"Invalid access token"
curl -s -X POST "$O/_fake/spotify/expire" >/dev/null
is "expired token -> 401 The access token expired" \
	"$(sp "$API/me/playlists" | jq -r .error.message)" "The access token expired"

# --- faults --------------------------------------------------------------
AT=$(curl -s -d grant_type=refresh_token -d "refresh_token=$rt2" -d client_id=cid "$AC/api/token" | jq -r .access_token)
curl -s -d '{"service":"spotify","path_regex":"/items$","fault":"429","retry_after":"7","times":1}' \
	"$O/_fake/faults" >/dev/null
h=$(sp -D - -o /dev/null "$API/playlists/3Xk9pQbR7mTz1LwYc5Vn2A/items" | tr -d '\r')
is "injected 429 with Retry-After" \
	"$(sed -n '1s/^HTTP[^ ]* \([0-9]*\).*/\1/p; s/^Retry-After: //p' <<<"$h" | paste -sd ' ')" "429 7"
is "then normal service" \
	"$(code -H "Authorization: Bearer $AT" "$API/playlists/3Xk9pQbR7mTz1LwYc5Vn2A/items")" 200
curl -s -d '{"service":"slskd","method":"GET","fault":"reset"}' "$O/_fake/faults" >/dev/null
sl "$SL/searches" >/dev/null 2>&1
is "injected reset: curl sees a receive failure (56)" "$?" 56
is "then normal service" "$(code -H "X-API-Key: $KEY" "$SL/searches")" 200
curl -s -d '{"service":"slskd","fault":"truncate"}' "$O/_fake/faults" >/dev/null
sl "$SL/transfers/downloads" >/dev/null 2>&1
is "injected truncate: curl sees a partial body (18)" "$?" 18

# --- MusicBrainz, Cover Art Archive -----------------------------------------
MB=$O/musicbrainz/ws/2
UA='SoulSpotTest/0.1 ( test@example.invalid )'
ms=$(curl -s -A "$UA" "$MB/recording?query=isrc:(GBAYE9700389%20OR%20GBAYE9700390)&fmt=json")
is "MB search: count and recording keys" \
	"$(jq -c '[.count, .offset, (.recordings[0]|keys)]' <<<"$ms")" \
	'[2,0,["artist-credit","first-release-date","id","isrcs","length","releases","score","title","video"]]'
is "MB search media use 'track' (singular)" \
	"$(jq -c '.recordings[0].releases[0].media[0] | keys' <<<"$ms")" \
	'["format","position","track","track-count","track-offset"]'
is "MB without User-Agent -> 403" \
	"$(code -A '' "$MB/recording?query=airbag&fmt=json")" 403
is "MB malformed mbid -> 400 Invalid mbid." \
	"$(curl -s -A "$UA" "$MB/release/00000000-0000-0000-0000-000000000000?fmt=json" | jq -r .error)" \
	"Invalid mbid."
ci=$(curl -s -A "$UA" -L -o caa.img -w '%{http_code} %{num_redirects}' \
	"$O/coverartarchive/release/7ba211b3-ca52-4b41-830c-b1354366b513/front")
is "CAA front: 307 -> 302 -> image" "$ci $(cat caa.img)" "200 2 front-image-bytes"
is "CAA first hop is a 307 to archive.org/download" \
	"$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "$O/coverartarchive/release/7ba211b3-ca52-4b41-830c-b1354366b513")" \
	"307 $O/archive.org/download/mbid-7ba211b3-ca52-4b41-830c-b1354366b513/index.json"
is "CAA index JSON via the chain" \
	"$(curl -sL "$O/coverartarchive/release/7ba211b3-ca52-4b41-830c-b1354366b513" | jq -c '[.images[0].front, .images[0].id, (.images[0].thumbnails|keys)]')" \
	'[true,21584103811,["1200","250","500","large","small"]]'
is "CAA uppercase mbid -> 400" \
	"$(code "$O/coverartarchive/release/7BA211B3-CA52-4B41-830C-B1354366B513/front")" 400

# --- request log -----------------------------------------------------------
# shellcheck disable=SC2016 # $k is jq's
ok "request log has the X-API-Key header that was sent" \
	jq -se --arg k "$KEY" 'map(select(.service=="slskd" and .headers["X-API-Key"]==$k)) | length > 0' requests.jsonl >/dev/null
ok "request log has method, path, query, body and status" \
	jq -se 'map(select(.service=="spotify" and .path=="/spotify-accounts/api/token" and (.body|test("grant_type=")) and .status==200)) | length > 0' requests.jsonl >/dev/null
ok "request log records injected faults" \
	jq -se 'map(select(.fault=="reset" and .status==null)) | length == 1' requests.jsonl >/dev/null

kill -TERM "$FAKE_PID"
wait "$FAKE_PID"
is "SIGTERM: clean exit" "$?" 0
ok "port file removed on exit" test ! -e port

done_testing
