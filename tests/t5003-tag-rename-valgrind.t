#!/usr/bin/env bash
# t5003-tag-rename-valgrind.t: ss-tag and ss-rename (and --undo) under
# valgrind: no leak, no memory error.  Needs a plain build (make
# check-valgrind after a build without SANITIZE).
. "$(dirname "$0")/lib.sh"

have valgrind || skip_all "valgrind is not installed"
have jq || skip_all "jq is not installed"
have sox || skip_all "sox is not installed (needed to make audio)"
if ldd "$TOP/bin/ss-tag" | grep -q libasan; then
	skip_all "built with SANITIZE=1; run on a plain build"
fi

# TagLib's strings meet glibc's AVX2 wmemcmp, which valgrind misreads
# shellcheck disable=SC2317 # called through exit_is
vg() {
	GLIBC_TUNABLES=glibc.cpu.hwcaps=-AVX2 valgrind -q --error-exitcode=99 \
	    --leak-check=full --errors-for-leak-kinds=definite,indirect \
	    --show-leak-kinds=definite,indirect "$@"
}

sox -n -r 44100 -c 2 -b 16 tone.wav synth 1 sine 440 vol 0.5 ||
	skip_all "sox cannot make a wav file"
mkdir -p lib/in
have lame && lame --quiet tone.wav lib/in/a.mp3
have flac && flac -s tone.wav -o lib/in/b.flac
have ffmpeg && ffmpeg -nostdin -v error -i tone.wav -c:a aac lib/in/c.m4a
{ printf '\x89PNG\r\n\x1a\n'; head -c 3000 /dev/urandom; } >cover.png
for p in lib/in/*; do
	jq -c -n --arg p "$p" '{id: $p, path: $p, art: "cover.png",
	    lyrics: {plain: "x", synced: "[00:01.00]x"},
	    meta: {title: ("T " + $p), artist: "The A", artists: ["A", "B"],
	    album: "Al", track: 2, disc: 2, genre: ["g1", "g2"],
	    musicbrainz: {artist: ["1", "2"]}}}'
done >in.ndjson
echo '{"id":"bad","path":"nope.mp3"}' >>in.ndjson

exit_is 1 "ss-tag under valgrind" vg ss-tag in.ndjson >t.out 2>err
ok "ss-tag: valgrind said nothing" test "$(grep -c '^==' err)" -eq 0
exit_is 1 "ss-tag -n under valgrind" vg ss-tag -n in.ndjson >/dev/null 2>err
ok "ss-tag -n: valgrind said nothing" test "$(grep -c '^==' err)" -eq 0
exit_is 0 "ss-rename -n under valgrind" vg ss-rename -l lib -n t.out \
    >/dev/null 2>err
ok "ss-rename -n: valgrind said nothing" test "$(grep -c '^==' err)" -eq 0
exit_is 0 "ss-rename under valgrind" vg ss-rename -l lib t.out >r.out 2>err
ok "ss-rename: valgrind said nothing" test "$(grep -c '^==' err)" -eq 0
exit_is 0 "ss-rename --undo under valgrind" vg ss-rename -l lib \
    --undo=last >/dev/null 2>err
ok "ss-rename --undo: valgrind said nothing" test "$(grep -c '^==' err)" -eq 0
exit_is 2 "a bad template under valgrind" vg ss-rename -l lib -t '{x' \
    t.out >/dev/null 2>err
ok "bad template: valgrind said nothing" test "$(grep -c '^==' err)" -eq 0

done_testing
