#!/usr/bin/env bash
# t1000-fetch-local: ss-fetch-playlists reads local playlist files: CSV
# exports (Exportify, semicolons, tabs, BOM, CRLF, quoted commas and line
# breaks, unicode), NDJSON, M3U/M3U8 and "Artist - Title" text; bad rows
# are reported with FILE:LINE and the run goes on.
. "$(dirname "$0")/lib.sh"

have jq || skip_all "needs jq"
FIX=$TOP/tests/fixtures/fetch
cp "$FIX"/* .

for f in exportify.csv exportify-new.csv semicolon.csv tabs.tsv list.m3u8 \
	wants.txt wants.ndjson; do
	ss-fetch-playlists "$f" >"$f.got" 2>"$f.err"
	json_same "$f: records as expected" "$f.out.ndjson" "$f.got"
done

is "Exportify: escaped comma inside an artist name" \
	"$(jq -c 'select(.want.title=="Crazy, Classic Life") | .want.artists' exportify.csv.got)" \
	'["Janelle Monáe","Tyler, The Creator"]'
is "Exportify: quoted line break and doubled quotes in a field" \
	"$(jq -r '.want.title' exportify.csv.got | sed -n 3p)" 'Multi line "title"'
is "Exportify: id from the track URI, then ISRC, then a hash" \
	"$(jq -r .id exportify.csv.got | cut -c1-14 | paste -sd ' ')" \
	"spotify:track: spotify:track: want:a4c5f3ae1"
is "open.spotify.com URL in a CSV gives the track id" \
	"$(jq -r '.want.spotify.id' exportify-new.csv.got | head -n 1)" \
	AMuUpgjMxrIRUW7Ajmlx8F
is "ISRC upper-cased" "$(jq -r '.want.isrc' exportify-new.csv.got | head -n 1)" \
	GBAYE9700389
is "M:SS duration in a semicolon CSV" \
	"$(jq -r '.want.duration_ms' semicolon.csv.got | head -n 1)" 305000
is "malformed CSV row reported with its line" "$(cat exportify-new.csv.err)" \
	"ss-fetch-playlists: error: exportify-new.csv:4: the row has no track name; skipped"
is "bad text line reported with its line" "$(cat wants.txt.err)" \
	"ss-fetch-playlists: error: wants.txt:5: expected 'Artist - Title'; skipped"
is "bad NDJSON lines reported" "$(cut -d' ' -f3- wants.ndjson.err | paste -sd '|')" \
	'wants.ndjson:3: not one JSON object; skipped|wants.ndjson:4: the record has no "want" object; skipped'
is "NDJSON keeps the record's id and other fields" \
	"$(jq -c 'select(.id=="keep:me") | [.other.x, .want.source.kind]' wants.ndjson.got)" \
	'[1,"ndjson"]'
is "M3U: #EXTINF line reported when it has no artist" "$(cat list.m3u8.err)" \
	"ss-fetch-playlists: error: list.m3u8:8: expected '#EXTINF:SECONDS,Artist - Title' or a file named 'Artist - Title'; skipped"
is "the same track from text and M3U gets the same id" \
	"$(jq -r 'select(.want.title=="Airbag") | .id' wants.txt.got)" \
	"$(jq -r 'select(.want.title=="Airbag") | .id' list.m3u8.got)"
is "same artist/title in other case and width: same id" \
	"$(printf 'ＲＡＤＩＯＨＥＡＤ - airbag\n' | ss-fetch-playlists - | jq -r .id)" \
	"$(jq -r 'select(.want.title=="Airbag") | .id' wants.txt.got)"

exit_is 1 "a bad row makes exit status 1" ss-fetch-playlists wants.txt \
	>/dev/null 2>&1
exit_is 0 "a clean file gives 0" ss-fetch-playlists tabs.tsv >/dev/null
printf 'Radiohead - Airbag\r\n' >crlf.txt
is "stdin with '-', format sniffed, CRLF" \
	"$(ss-fetch-playlists - <crlf.txt | jq -c '[.want.title, .want.source.kind, .want.source.playlist]')" \
	'["Airbag","text","<stdin>"]'
is "stdin sniffed as CSV by its header" \
	"$(ss-fetch-playlists - <tabs.tsv | jq -r .want.source.kind)" csv
is "stdin sniffed as M3U" \
	"$(ss-fetch-playlists - <list.m3u8 2>/dev/null | jq -r .want.source.kind | sort -u)" m3u
printf 'a,b\n1,2\n' >noheader.csv
exit_is 1 "a CSV without a title column fails" ss-fetch-playlists noheader.csv \
	>out 2>err
ok "... saying which column is missing" grep -q 'no track name column' err
printf 'Track Name,Artist Name(s)\n"\xff\xfe",X\nGood,Y\n' >badutf8.csv
ss-fetch-playlists badutf8.csv >out 2>err
is "invalid UTF-8 row skipped, the next one kept" "$(jq -r .want.title out)" Good
ok "... and reported" grep -q 'badutf8.csv:2: invalid UTF-8' err
exit_is 1 "missing file: status 1, others still done" \
	ss-fetch-playlists nonexistent.csv tabs.tsv >out 2>err
is "... the other file's records are there" "$(wc -l <out | tr -d ' ')" 1
exit_is 2 "no operand is a usage error" ss-fetch-playlists >/dev/null 2>&1
seq 1 3000 | sed 's/^/Artist - Title /' >big.txt
is "3000 lines" "$(ss-fetch-playlists big.txt | jq -r .id | sort -u | wc -l | tr -d ' ')" 3000

done_testing
