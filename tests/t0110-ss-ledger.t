#!/usr/bin/env bash
# t0110-ss-ledger: status, list, retry, pause, resume, forget, prune,
# backup and restore of the ledger.
. "$(dirname "$0")/lib.sh"

L=$SS_HOME/ledger.db
q() { sqlite3 "$L" "$1"; }
state() {
	q "SELECT state || ' ' || attempts FROM items
	    WHERE stage = '$1' AND id = '$2'"
}

# status creates and migrates the ledger; again, it changes nothing
exit_is 0 'status on a new home' ss-ledger status >out 2>err
ok 'status created the ledger' test -f "$L"
is 'ledger mode is 0600' "$(stat -c %a "$L")" 600
is 'home mode is 0700' "$(stat -c %a "$SS_HOME")" 700
schema=$(find "$TOP/sql" -name '[0-9]*.sql' | wc -l)
ok 'status says where the ledger is' grep -q "^ledger  *$L (schema $schema)" out
sqlite3 "$L" .schema >schema.1
v1=$(q 'PRAGMA user_version')
m1=$(stat -c %y "$L")
sleep 1
exit_is 0 'status again' ss-ledger status >/dev/null
sqlite3 "$L" .schema >schema.2
same 'schema unchanged by a second status' schema.1 schema.2
is 'user_version unchanged' "$(q 'PRAGMA user_version')" "$v1"
is 'ledger file not written' "$(stat -c %y "$L")" "$m1"
ok 'schema has the items table' grep -q 'CREATE TABLE items' schema.1

# some items: search item-00001..5, download item-00001..2
test-ledger enqueue "$L" search 5 && test-ledger enqueue "$L" download 2
q "UPDATE items SET state = 'done', output = '{\"pick\":\"a.flac\"}'
    WHERE stage = 'search' AND id = 'item-00002';
   UPDATE items SET state = 'failed', attempts = 2, last_error = 'x: boom'
    WHERE stage = 'search' AND id = 'item-00003';
   UPDATE items SET state = 'gave_up', attempts = 5, last_error = 'y: slow'
    WHERE stage = 'search' AND id = 'item-00004';"

ss-ledger status --json >st.json
is 'status --json counts' \
	"$(jq -c '.stages.search | [.pending, .done, .failed, .gave_up]' st.json)" \
	'[2,1,1,1]'
is 'status --json is one object' "$(jq -s length st.json)" 1

ss-ledger list >all
is 'list shows every item' "$(wc -l <all | tr -d ' ')" 7
is 'list --stage' "$(ss-ledger list --stage download | jq -r .id | tr '\n' ' ')" \
	'item-00001 item-00002 '
ss-ledger list --state 'done' >done.ndjson
is 'list --state done' "$(jq -r .id done.ndjson)" item-00002
is 'stored output comes back as JSON' "$(jq -r .output.pick done.ndjson)" a.flac
is 'list --stage --state' \
	"$(ss-ledger list --stage=search --state=failed | jq -r '.id + " " + .last_error')" \
	'item-00003 x: boom'
exit_is 2 'list --state with an unknown state' ss-ledger list --state bogus 2>err

# retry
exit_is 2 'retry of an id in two stages needs --stage' \
	ss-ledger retry item-00001 2>err
ok 'and says so' grep -q 'several stages (download, search).*--stage' err
exit_is 1 'retry of an unknown id' ss-ledger retry nosuch 2>err
ok 'the error names the id' grep -q "'nosuch'" err
exit_is 0 'retry --stage search item-00003' \
	ss-ledger retry -s search item-00003 >/dev/null
is 'retried item is pending with 0 attempts' "$(state search item-00003)" 'pending 0'
exit_is 0 'retry --failed -n' ss-ledger -n retry --failed >out
ok 'dry run names the item' grep -q 'would retry search item-00004' out
is 'dry run changed nothing' "$(state search item-00004)" 'gave_up 5'
exit_is 0 'retry --failed' ss-ledger retry --failed >/dev/null
is 'gave_up item retried' "$(state search item-00004)" 'pending 0'

# pause and resume
exit_is 0 'pause (global)' ss-ledger pause >/dev/null
is 'status shows the pause' "$(ss-ledger status --json | jq .paused)" true
exit_is 0 'resume (global)' ss-ledger resume >/dev/null
is 'pause is off' "$(ss-ledger status --json | jq .paused)" false
exit_is 0 'pause one item' ss-ledger pause --stage search item-00005 >/dev/null
is 'item is paused' "$(state search item-00005)" 'paused 0'
exit_is 1 'a done item cannot be paused' \
	ss-ledger pause --stage search item-00002 2>err
ok 'and the error says why' grep -q 'it is done' err
is 'done item unchanged' "$(state search item-00002)" 'done 0'
exit_is 0 'resume the item' ss-ledger resume item-00005 >/dev/null
is 'item is pending again' "$(state search item-00005)" 'pending 0'
exit_is 0 'pause -n changes nothing' ss-ledger -n pause >/dev/null
is 'still not paused' "$(ss-ledger status --json | jq .paused)" false

# forget
exit_is 0 'forget' ss-ledger forget --stage download item-00002 >/dev/null
is 'item is gone' "$(q "SELECT count(*) FROM items
    WHERE stage = 'download' AND id = 'item-00002'")" 0
exit_is 1 'forget again: unknown id' ss-ledger forget --stage download item-00002 2>err

# prune: in 10 days, what finished before is older than 5 days
later=$(( $(date +%s) + 10 * 86400 ))
exit_is 0 'prune -n' env SS_NOW=$later ss-ledger -n prune --older-than 5 >out
is 'dry run counts the done item' "$(cat out)" 'would prune 1 items and 0 runs'
is 'dry run deleted nothing' "$(q 'SELECT count(*) FROM items')" 6
exit_is 0 'prune' env SS_NOW=$later ss-ledger prune --older-than=5 >out
is 'the done item is pruned' \
	"$(q "SELECT count(*) FROM items WHERE state = 'done'")" 0
is 'the others stay' "$(q 'SELECT count(*) FROM items')" 5
exit_is 0 'prune keeps recent items' ss-ledger prune --older-than 1 >/dev/null
is 'still 5' "$(q 'SELECT count(*) FROM items')" 5
exit_is 2 'prune needs --older-than' ss-ledger prune 2>err

# backup and restore, with a config file whose secret stays out
cat >ss.conf <<'CONF'
# test settings
max_attempts = 7
slskd_api_key = hunter2
CONF
if ! ss-ledger -c ss.conf status >/dev/null 2>&1; then
	note 'no secret key known to the config module: using a commented one'
	sed -i 's/^slskd_api_key/# slskd_api_key/' ss.conf
fi
exit_is 0 'backup' ss-ledger -c ss.conf backup b.tar.gz >/dev/null
is 'backup holds ledger.db and ss.conf' "$(tar tzf b.tar.gz | sort | tr '\n' ' ')" \
	'ledger.db ss.conf '
tar xzf b.tar.gz ss.conf -O >conf.out
ok 'ss.conf keeps the other settings' grep -q '^max_attempts = 7$' conf.out
fails 'ss.conf has no secret' grep -q hunter2 conf.out
is 'backup file mode is 0600' "$(stat -c %a b.tar.gz)" 600
exit_is 0 'backup without a config file' ss-ledger backup nc.tar.gz >/dev/null
is 'holds only ledger.db' "$(tar tzf nc.tar.gz)" ledger.db

ss-ledger forget item-00005 >/dev/null
ss-ledger retry -s search item-00001 >/dev/null
test-ledger enqueue "$L" extra 1
exit_is 0 'restore' ss-ledger restore b.tar.gz >/dev/null
is 'the forgotten item is back' "$(state search item-00005)" 'pending 0'
is 'the item added later is gone' \
	"$(q "SELECT count(*) FROM items WHERE stage = 'extra'")" 0
leftover=$(find "$SS_HOME" -mindepth 1 -maxdepth 1 ! -name 'ledger.db*' | wc -l)
is 'no temporary files left' "$leftover" 0

sqlite3 "$L" .dump >dump.1
echo 'not an archive' >junk
exit_is 1 'restore of a non-archive fails' ss-ledger restore junk 2>err
mkdir bad && echo 'not a database' >bad/ledger.db && tar czf bad.tar.gz -C bad ledger.db
exit_is 1 'restore of an archive with a bad ledger.db fails' \
	ss-ledger restore bad.tar.gz 2>err
note "$(cat err)"
tar czf empty.tar.gz ss.conf
exit_is 1 'restore of an archive without ledger.db fails' \
	ss-ledger restore empty.tar.gz 2>err
sqlite3 "$L" .dump >dump.2
same 'failed restores left the ledger as it was' dump.1 dump.2
exit_is 0 'restore -n' ss-ledger -n restore nc.tar.gz >out
ok 'says what it would do' grep -q '^would restore' out

# a ledger from a newer SoulSpot is refused with exit 3
cp "$L" new.db
sqlite3 new.db 'PRAGMA user_version = 999'
printf 'ledger = %s\n' "$TMP/new.db" >new.conf
exit_is 3 'ledger with user_version 999 is refused' \
	ss-ledger -c new.conf status 2>err
ok 'the message says it is too new' grep -q 'newer than this program' err

# usage errors
exit_is 2 'unknown command' ss-ledger frobnicate 2>/dev/null
exit_is 2 'option not for the command' ss-ledger status --failed 2>/dev/null
exit_is 0 '-h' ss-ledger -h >/dev/null
ok '-V prints the version' sh -c 'ss-ledger -V | grep -q "^ss-ledger "'

# valgrind: no leak in status
if ! have valgrind; then
	skip 'valgrind ss-ledger status' 'valgrind is not installed'
elif ldd "$TOP/bin/ss-ledger" | grep -q libasan; then
	skip 'valgrind ss-ledger status' \
	    'built with SANITIZE=1 (ASan and valgrind do not mix); use a plain build'
else
	exit_is 0 'valgrind ss-ledger status: no leak, no error' \
		valgrind -q --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite,indirect \
		ss-ledger status >/dev/null 2>err
	sed 's/^/# /' err | head -n 20
fi
done_testing
