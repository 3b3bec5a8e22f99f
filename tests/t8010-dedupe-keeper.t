#!/usr/bin/env bash
# t8010: the keeper policy of ss-dedupe, criterion by criterion, on scan
# records written by hand (one exact group each), and its configuration.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

sha=$(printf x | sha256sum | cut -c 1-64)
# rec PATH KEY=JSON...: a scan record of the group's content, with defaults
rec() {
	local path=$1
	shift
	jq -cn --arg p "$path" --arg sha "$sha" --args '
	    {id: ("file:" + $p), path: $p, file: ({size: 1,
	     mtime: "2024-01-01T00:00:00Z", sha256: $sha, audio_hash: null,
	     format: "mp3", codec: "mp3", bitrate: 128, duration_ms: 1000,
	     tags: {}, has_cover: false, broken: null} +
	     ($ARGS.positional | map(split("=") | {(.[0]): (.[1:] | join("=") | fromjson)}) | add // {}))}' "$@"
}
keeper() { ss-dedupe "$@" | jq -r .dedupe.keeper; }
why() { ss-dedupe | jq -r .dedupe.why; }

{ rec /m/a 'broken={"reason":"truncated","detail":"x"}' format='"flac"' codec='"flac"'
  rec /m/b; } >broken.nd
is 'a broken file is never the keeper while a good copy exists' "$(keeper <broken.nd)" /m/b
is 'and why says so' "$(why <broken.nd)" 'not broken, unlike the others'

{ rec /m/a bitrate=320; rec /m/b format='"flac"' codec='"flac"' bitrate=100; } >lossless.nd
is 'lossless over lossy before bitrate' "$(keeper <lossless.nd)" /m/b
is 'why: lossless' "$(why <lossless.nd)" 'lossless (flac) over lossy (mp3)'

{ rec /m/a bitrate=128; rec /m/b bitrate=320; rec /m/c bitrate=192; } >bitrate.nd
is 'then the higher bitrate' "$(keeper <bitrate.nd)" /m/b
is 'why: bitrate against the runner-up' "$(why <bitrate.nd)" 'higher bitrate (320 over 192 kbps)'

{ rec /m/a has_cover=true; rec /m/b 'tags={"ARTIST":["x"],"TITLE":["y"],"GENRE":[""]}'; } >tags.nd
is 'then tag completeness (empty values do not count)' "$(keeper <tags.nd)" /m/b
is 'why: tags' "$(why <tags.nd)" 'more complete tags (2 over 0)'

{ rec /m/a mtime='"2020-01-01T00:00:00Z"'; rec /m/b has_cover=true; } >cover.nd
is 'then cover art' "$(keeper <cover.nd)" /m/b

{ rec /m/a mtime='"2024-01-01T00:00:00.5Z"'; rec /m/b mtime='"2024-01-01T00:00:00.25Z"'; } >oldest.nd
is 'then the oldest (fractions of a second count)' "$(keeper <oldest.nd)" /m/b

{ rec /m/b; rec /m/a; } >tie.nd
is 'all else equal: path order' "$(keeper <tie.nd)" /m/a
is 'why: path order' "$(why <tie.nd)" 'all else equal: first path in byte order'

is '--keep changes the order' "$(keeper --keep 'oldest lossless' <cover.nd)" /m/a
is 'a criterion left out is not compared' "$(keeper --keep 'oldest' <lossless.nd)" /m/a
is 'dedupe_keep from the environment' "$(SS_DEDUPE_KEEP='cover' keeper <cover.nd)" /m/b
printf 'dedupe_keep = oldest\n' >conf
is 'dedupe_keep from the config file' "$(keeper -c conf <cover.nd)" /m/a
exit_is 2 'an unknown criterion is a usage error' ss-dedupe --keep 'lossless size' <tie.nd 2>err
ok 'and says which' grep -q "unknown criterion 'size'" err
exit_is 2 'a criterion twice is a usage error' ss-dedupe --keep 'tags tags' <tie.nd 2>/dev/null

if grep -q '^# library_dir = ' "$TOP/etc/ss.conf"; then
	mkdir -p lib staging
	{ rec "$TMP/staging/x" mtime='"2020-01-01T00:00:00Z"'; rec "$TMP/lib/x"; } >libdir.nd
	is 'inside library_dir over staging' \
		"$(SS_LIBRARY_DIR=$TMP/lib keeper <libdir.nd)" "$TMP/lib/x"
else
	skip 'inside library_dir over staging' 'no library_dir key in this build'
fi
done_testing
