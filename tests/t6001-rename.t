#!/usr/bin/env bash
# t6001-rename.t: ss-rename builds the tree the template says from a messy
# folder tagged by ss-tag, keeps hostile names inside the library and valid
# on FAT, handles collisions, and --undo restores the tree exactly.
. "$(dirname "$0")/lib.sh"

have jq || skip_all "jq is not installed"
have sox || skip_all "sox is not installed (needed to make audio)"
have lame || skip_all "lame is not installed"
have flac || skip_all "flac is not installed"

sox -n -r 44100 -c 2 -b 16 tone.wav synth 1 sine 440 vol 0.5 ||
	skip_all "sox cannot make a wav file"
sox -n -r 44100 -c 2 -b 16 tone2.wav synth 1 sine 660 vol 0.5
LIB=$TMP/lib
mkdir -p "$LIB/incoming/CD 1" "$LIB/incoming/misc"
lame --quiet tone.wav "$LIB/incoming/CD 1/TRACK01.MP3"
flac -s tone.wav -o "$LIB/incoming/CD 1/track 2 (final).flac"
lame --quiet tone2.wav "$LIB/incoming/misc/x.mp3"
# badly tagged: wrong values that ss-tag must replace, one to keep
test-tags write "$LIB/incoming/CD 1/TRACK01.MP3" "TITLE=Track 1" \
    ARTIST=Unknown "ALBUM=New Folder" TRACKNUMBER=9 COMPOSER=Lennon
test-tags write "$LIB/incoming/misc/x.mp3" TITLE=x ALBUMARTIST=Nobody
echo "[00:01.00]hi" >"$LIB/incoming/CD 1/TRACK01.lrc"
echo "not really a jpeg" >"$LIB/incoming/CD 1/cover.jpg"
snapshot() {	# snapshot DIR: every path with the sha256 of each file
	(cd "$1" && find . -print0 | sort -z | while IFS= read -r -d '' p; do
		if [ -f "$p" ]; then
			printf '%s %s\n' "$(sha256sum <"$p" | cut -c1-16)" "$p"
		else
			printf 'dir %s\n' "$p"
		fi
	done)
}
snapshot "$LIB" >tree.before

cat >in.ndjson <<EOF2
{"id":"1","path":"$LIB/incoming/CD 1/TRACK01.MP3","meta":{"title":"Come Together","artist":"The Beatles","albumartist":"The Beatles","album":"Abbey Road","track":1,"tracktotal":17,"disc":1,"disctotal":1,"date":"1969-09-26"}}
{"id":"2","path":"$LIB/incoming/CD 1/track 2 (final).flac","meta":{"title":"Something","artist":"The Beatles","albumartist":"The Beatles","album":"Abbey Road","track":2,"disc":2,"date":"1969"}}
{"id":"3","path":"$LIB/incoming/misc/x.mp3","meta":{"title":"Café","artist":"Zoë","album":"Ünïcode"}}
EOF2
ok "tag the messy folder" sh -c 'ss-tag in.ndjson >tagged.ndjson'
snapshot "$LIB" >tree.tagged
ok "-n prints the plan" sh -c "ss-rename -n -l '$LIB' tagged.ndjson >plan.txt"
snapshot "$LIB" >tree.planned
same "-n moved nothing" tree.tagged tree.planned
ok "the plan names the target" grep -q \
    "Abbey Road (1969)/01 Come Together.mp3" plan.txt

exit_is 0 "rename into the library" ss-rename -l "$LIB" tagged.ndjson \
    >renamed.ndjson
(cd "$LIB" && find . -type f | sort) >got.txt
# x.mp3's meta has no albumartist: the one in its tags (kept) is used
cat >want.txt <<'EOF2'
./Nobody/Ünïcode/Café.mp3
./The Beatles/Abbey Road (1969)/01 Come Together.lrc
./The Beatles/Abbey Road (1969)/01 Come Together.mp3
./The Beatles/Abbey Road (1969)/2-02 Something.flac
./The Beatles/Abbey Road (1969)/cover.jpg
EOF2
same "the tree the template says, sidecar and cover moved" want.txt got.txt
ok "emptied source folders are removed" test ! -e "$LIB/incoming"
is "the wrong tags are replaced, others kept" "$(test-tags read \
    "$LIB/The Beatles/Abbey Road (1969)/01 Come Together.mp3" |
    jq -c '.tags | [.TITLE, .ARTIST, .ALBUM, .TRACKNUMBER, .COMPOSER]')" \
    '[["Come Together"],["The Beatles"],["Abbey Road"],["1/17"],["Lennon"]]'

ok "the library root stays" test -d "$LIB"
is "rename.from and rename.to" "$(jq -r '.rename.to' renamed.ndjson |
    head -n 1)" "$LIB/The Beatles/Abbey Road (1969)/01 Come Together.mp3"

# a second run: every file is where it belongs
exit_is 0 "rename again" ss-rename -l "$LIB" renamed.ndjson >again.ndjson
is "nothing moves twice" "$(jq -c .rename.unchanged again.ndjson |
    sort -u)" true

# --undo restores the tree exactly
run=$(jq -r .rename.run renamed.ndjson | head -n 1)
exit_is 0 "undo the last run that moved something" ss-rename -l "$LIB" \
    --undo=last
snapshot "$LIB" >tree.after
# the tags changed (ss-tag), the names and the folders did not
same "undo restores every name and folder" \
    <(sed 's/^[0-9a-f]* //; s/^dir //' tree.before) \
    <(sed 's/^[0-9a-f]* //; s/^dir //' tree.after)
exit_is 1 "a second undo finds nothing" ss-rename --undo="$run" 2>/dev/null

# collisions
mkdir -p c
lame --quiet tone.wav c/a.mp3
lame --quiet tone2.wav c/b.mp3
cp c/a.mp3 c/a-copy.mp3
for f in a b a-copy; do
	printf '{"id":"%s","path":"%s/c/%s.mp3","meta":{"title":"Same",'\
'"artist":"X","album":"Y"}}\n' "$f" "$TMP" "$f"
done >coll.ndjson
ss-rename -l "$TMP/lib2" coll.ndjson >coll.out
is "number: the second gets (2), the copy is a duplicate" \
    "$(jq -c '[.rename.to, .rename.duplicate] | map(. // "" | tostring |
    sub(".*/"; ""))' coll.out | tr '\n' ' ')" \
    '["Same.mp3",""] ["Same (2).mp3",""] ["Same.mp3","true"] '
ok "the duplicate source is left for ss-dedupe" test -e c/a-copy.mp3
ss-rename -l "$TMP/lib2" --remove-duplicates coll.ndjson >/dev/null 2>&1
ok "--remove-duplicates removes it" test ! -e c/a-copy.mp3
lame --quiet tone2.wav c/d.mp3
printf '{"id":"d","path":"%s/c/d.mp3","meta":{"title":"Same","artist":"X","album":"Y"}}\n' \
    "$TMP" >d.ndjson
ss-rename -l "$TMP/lib2" --collision=skip d.ndjson >d.out 2>d.err
is "skip: the file stays" "$(jq -c .rename.skipped d.out)" true
ok "skip: still there" test -e c/d.mp3
flac -s tone2.wav -o c/d.flac
printf '{"id":"e","path":"%s/c/d.flac","meta":{"title":"Same","artist":"X","album":"Y"}}\n' \
    "$TMP" >e.ndjson
ss-rename -l "$TMP/lib2" -t '{artist}/{title}' --collision=skip \
    d.ndjson >/dev/null 2>&1
ss-rename -l "$TMP/lib2" -t '{artist}/{title}' d.ndjson >/dev/null 2>&1
mv c/d.flac c/d2.flac
printf '{"id":"f","path":"%s/c/d2.flac","meta":{"title":"Same","artist":"X","album":"Y"}}\n' \
    "$TMP" >f.ndjson
ss-rename -l "$TMP/lib2" -t '{artist}/{title}' \
    --collision=replace-if-better f.ndjson >f.out 2>f.err
is "replace-if-better: the flac takes the name" \
    "$(test-tags read "$TMP/lib2/X/Same" | jq -r .format)" flac
ok "replace-if-better: the mp3 moved to where the flac was" \
    test -e c/Same

# the settings come from ss.conf and SS_* too
SS_PATH_TEMPLATE='{upper(artist)}/{title}.{ext}' ss-rename -n \
    -l "$TMP/lib2" f.out >env.txt 2>&1
ok "SS_PATH_TEMPLATE is used" grep -q "lib2/X/Same.flac" env.txt
mkdir -p "$XDG_CONFIG_HOME/soulspot"
echo "rename_collision = sometimes" >"$XDG_CONFIG_HOME/soulspot/ss.conf"
exit_is 2 "a bad rename_collision in ss.conf: exit 2" ss-rename -n \
    f.out >/dev/null 2>err
ok "it names the key" grep -q rename_collision err
echo "library_dir = $TMP/lib4" >"$XDG_CONFIG_HOME/soulspot/ss.conf"
ss-rename -n -t '{title}.{ext}' f.out >conf.txt 2>&1
ok "library_dir from ss.conf" grep -q "$TMP/lib4/Same.flac" conf.txt
rm "$XDG_CONFIG_HOME/soulspot/ss.conf"

# a bad template is refused with its column
exit_is 2 "bad template: exit 2" ss-rename -l "$TMP/lib2" \
    -t '{artist}/{titel}' coll.ndjson 2>err
ok "bad template: the column" grep -q "column 11: unknown field 'titel'" err

# hostile titles and artists stay inside the library, valid on FAT
lame --quiet tone.wav hostile-src.mp3
LONG=$(printf 'x%.0s' $(seq 1000))
i=0
while IFS= read -r t; do
	i=$((i + 1))
	cp hostile-src.mp3 "h$i.mp3"
	jq -c -n --arg t "$t" --arg p "$TMP/h$i.mp3" --arg i "$i" \
	    '{id: $i, path: $p, meta: {title: $t, artist: $t, album: $t,
	    albumartist: $t}}'
done >hostile.ndjson <<EOF2
../../../../etc/passwd
/absolute/path
..
.
...
CON
nul.txt
a\\b:c*d?e"f<g>h|i
$(printf 'ctl\001\002\033[31m')
$(printf 'rtl \342\200\256gpj.exe')
back\\u0000slash
$LONG
  spaces and dots. . .
EOF2
cp hostile-src.mp3 hnul.mp3
printf '{"id":"nul","path":"%s/hnul.mp3","meta":{"title":"a\\u0000/../b",'\
'"artist":"\\u0000","album":"x\\u0000y"}}\n' "$TMP" >>hostile.ndjson
ss-rename -l "$TMP/lib3" --remove-duplicates hostile.ndjson \
    >hostile.out 2>hostile.err
is "hostile: every record handled" \
    "$(jq -r 'select(.error) | .id' hostile.out)" ""
ok "hostile: every file inside the library" \
    test "$(find "$TMP/lib3" -type f | wc -l)" -ge 1
bad=$(cd "$TMP/lib3" && find . -mindepth 1 | while IFS= read -r p; do
	n=${p##*/}
	case $n in
	*[\\:*?\"\<\>\|]* | .* | *. | *' ' | ' '*) echo "$p" ;;
	esac
	[ "${#n}" -le 255 ] || echo "$p (long)"
	printf '%s' "$n" | LC_ALL=C grep -q '[[:cntrl:]]' && echo "$p (ctl)"
	case $(echo "$n" | cut -d. -f1 | tr '[:lower:]' '[:upper:]') in
	CON | NUL | PRN | AUX) echo "$p (reserved)" ;;
	esac
done)
is "hostile: no name invalid on FAT" "$bad" ""
is "hostile: nothing outside" "$(find "$TMP" -path "$TMP/lib3" -prune -o \
    -name '*.mp3' -newer hostile.ndjson -print)" ""

done_testing
