#!/bin/sh
# agent_run.sh -- `ffagent run|push|pack|flush|status` end to end against
# the scripted fake store (ff_fakestore on 127.0.0.1, ephemeral port):
#
#   pack and push of folded input; a run whose fake profiler prints a
#   `perf script` fixture (two events -> two columns); the store down ->
#   profiles kept, then up -> all uploaded once; 500 then 201; 413 ->
#   rejected/; Retry-After honoured; agents killed mid-run -> no partial
#   upload and no leftovers; two concurrent runs -> the lock holds; the
#   spool bound -> oldest dropped, counted, and reported in the next
#   profile's labels; a hanging profiler -> killed at its timeout;
#   status; configuration errors.
#
# Needs zstd(1) to look inside uploads (skipped, 77, without it).
# FFAGENT overrides the binary under test.
set -u
bin=${FFAGENT:-${FF_BUILD_DIR:-build}/bin/ffagent}
fake=${FF_BUILD_DIR:-build}/bin/ff_fakestore
src=${FF_SOURCE_DIR:-.}
fixture=$src/tests/data/collapse/perf-two-events.txt
command -v zstd >/dev/null 2>&1 || { echo "zstd(1) not found: skipped"; exit 77; }
[ -x "$bin" ] || { echo "no $bin" >&2; exit 1; }
[ -x "$fake" ] || { echo "no $fake" >&2; exit 1; }
"$bin" run --help >/dev/null 2>&1 || { echo "$bin has no run command" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ffagentrun.XXXXXX") || exit 1
fakepid=
cleanup() {
	[ -n "$fakepid" ] && kill "$fakepid" 2>/dev/null && wait "$fakepid" 2>/dev/null
	[ -n "${FF_KEEP_TMP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
failed=0
fail() { echo "FAIL: $*"; failed=1; }
ok() { echo "ok: $*"; }

# fake_start ARGS...: start the fake store; sets $url, $fakedir.
fakeno=0
fake_start() {
	fake_stop
	fakeno=$((fakeno + 1))
	fakedir=$tmp/fake$fakeno
	mkdir -p "$fakedir/saved"
	"$fake" --port-file "$fakedir/port" --log "$fakedir/log" \
	    --save-dir "$fakedir/saved" --idle 300 "$@" >"$fakedir/out" 2>&1 &
	fakepid=$!
	i=0
	while [ ! -s "$fakedir/port" ] && [ $i -lt 500 ]; do
		sleep 0.02 2>/dev/null || sleep 1
		i=$((i + 1))
	done
	[ -s "$fakedir/port" ] || { echo "fake store did not start" >&2; exit 1; }
	url=http://127.0.0.1:$(cat "$fakedir/port")
	: >>"$fakedir/log"
}
fake_stop() {
	if [ -n "$fakepid" ]; then
		kill "$fakepid" 2>/dev/null
		wait "$fakepid" 2>/dev/null
		fakepid=
	fi
}
# count STATUS: requests the fake answered with STATUS.
count() { awk -v s="$1" '$5 == s' "$fakedir/log" | wc -l | tr -d ' '; }
waiting() { ls "$spool" 2>/dev/null | grep -c '\.ffp$'; }
# alive PID: running (a zombie waiting for init to reap it is not).
alive() { ps -o stat= -p "$1" 2>/dev/null | grep -qv Z; }

# conf NAME SERVER [EXTRA...]: a configuration with a spool of its own.
conf() {
	name=$1 server=$2
	shift 2
	spool=$tmp/spool-$name
	cfg=$tmp/$name.conf
	{
		echo "server = $server"
		echo "spool_dir = $spool"
		echo "host = test-host"
		echo "build_cmd = echo 2026.11.3"
		echo "splay_s = 60"
		echo "deadline_s = 3"
		echo "connect_timeout_s = 2"
		echo "labels = site=test"
		for line in "$@"; do printf '%s\n' "$line"; done
	} >"$cfg"
}
perf_profile() {
	cat <<EOF
[profile cpi]
command = cat '$fixture'
format = perf
type = cpi
events = cycles,instructions
periods = 250000,100000
duration_s = 60
labels_cmd = printf 'gbps=12.5\ncpu_model=Test CPU\nbad line\nnonce=%s\n' \$\$
EOF
}

# ---- pack ------------------------------------------------------------------
printf 'b;c 2\na;b 1\n\nb;c 3\n' >"$tmp/in.folded"
if "$bin" pack --build B1 --type cpu --host h1 --label k=v --start \
    2026-11-21T20:00:00Z --duration 30 -o "$tmp/p.ffp" "$tmp/in.folded" &&
    [ "$(zstd -dc "$tmp/p.ffp")" = "$(printf 'a;b 1\nb;c 5')" ] &&
    grep -a -q '"build":"B1"' "$tmp/p.ffp" &&
    grep -a -q '"labels":{"k":"v"}' "$tmp/p.ffp" &&
    grep -a -q '"start":"2026-11-21T20:00:00Z"' "$tmp/p.ffp"; then
	ok "pack normalises folded input into a profile file"
else
	fail "pack"
fi
printf 'a;b 1 2\n' | "$bin" pack --build B --type cpu -o "$tmp/x.ffp" - 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "name their events with --events" "$tmp/err" &&
    ok "pack refuses unnamed count columns" || fail "pack two columns"
printf 'a;b 1 2\n' | "$bin" pack --build B --type cpi --events c,i \
    --periods 10,20 -o - >"$tmp/x.ffp" &&
    grep -a -q '"events":\["c","i"\],"format":"flamefleet-profile/1"' \
    "$tmp/x.ffp" && grep -a -q '"periods":\[10,20\]' "$tmp/x.ffp" &&
    ok "pack to standard output, two events" || fail "pack two events"
printf 'garbage\n' | "$bin" pack --build B --type cpu -o "$tmp/x.ffp" 2>/dev/null
[ $? -eq 2 ] && ok "pack refuses input without stacks" || fail "pack garbage"
"$bin" pack --type cpu -o "$tmp/x.ffp" "$tmp/in.folded" 2>/dev/null
[ $? -eq 2 ] && ok "pack without --build: usage error" || fail "pack usage"

# ---- push ------------------------------------------------------------------
fake_start
conf push "$url"
if "$bin" push --config "$cfg" --build B2 --type cpu "$tmp/in.folded" &&
    [ "$(count 201)" = 1 ] && [ "$(waiting)" = 0 ] &&
    [ "$(zstd -dc "$fakedir/saved/1.ffp")" = "$(printf 'a;b 1\nb;c 5')" ] &&
    grep -a -q '"host":"test-host"' "$fakedir/saved/1.ffp"; then
	ok "push uploads and empties the spool"
else
	fail "push"
fi

# ---- run, end to end with a perf fixture -----------------------------------
"$bin" collapse --events cycles,instructions --periods 250000,100000 \
    "$fixture" >"$tmp/expected.folded"
conf e2e "$url" "$(perf_profile)"
if "$bin" run --config "$cfg" --now && [ "$(count 201)" = 2 ] &&
    [ "$(waiting)" = 0 ]; then
	zstd -dc "$fakedir/saved/2.ffp" >"$tmp/got.folded"
	if cmp -s "$tmp/got.folded" "$tmp/expected.folded" &&
	    grep -a -q '"events":\["cycles","instructions"\]' "$fakedir/saved/2.ffp" &&
	    grep -a -q '"periods":\[250000,100000\]' "$fakedir/saved/2.ffp" &&
	    grep -a -q '"build":"2026.11.3"' "$fakedir/saved/2.ffp" &&
	    grep -a -q '"cpu_model":"Test CPU"' "$fakedir/saved/2.ffp" &&
	    grep -a -q '"gbps":"12.5"' "$fakedir/saved/2.ffp" &&
	    grep -a -q '"site":"test"' "$fakedir/saved/2.ffp" &&
	    grep -a -q '"dropped_since_last":"0"' "$fakedir/saved/2.ffp" &&
	    grep -a -q '"agent":"ffagent ' "$fakedir/saved/2.ffp" &&
	    grep -a -q '"duration_s":60' "$fakedir/saved/2.ffp" &&
	    grep -a -q '"type":"cpi"' "$fakedir/saved/2.ffp"; then
		ok "run: perf fixture -> two-column profile with its metadata"
	else
		fail "run e2e content"
	fi
else
	fail "run e2e"
fi
bytes_raw=$(wc -c <"$fixture" | tr -d ' ')
echo "   (fixture: $bytes_raw bytes of perf text, upload $(wc -c <"$fakedir/saved/2.ffp" | tr -d ' ') bytes)"

# ---- store down, then up ------------------------------------------------------
fake_stop
conf down "$url" "$(perf_profile)"
"$bin" run --config "$cfg" --now -q
st=$?
"$bin" run --config "$cfg" --now -q
st2=$?
if [ $st -eq 1 ] && [ $st2 -eq 1 ] && [ "$(waiting)" = 2 ]; then
	ok "store down: exit 1, profiles kept"
else
	fail "store down (exit $st $st2, $(waiting) waiting)"
fi
"$bin" status --config "$cfg" >"$tmp/status" &&
    grep -q "waiting: *2 profiles" "$tmp/status" &&
    grep -q "last success: never" "$tmp/status" &&
    grep -q "failed:" "$tmp/status" &&
    ok "status shows the waiting profiles" || fail "status"
fake_start
sed "s|^server = .*|server = $url|" "$cfg" >"$cfg.new" && mv "$cfg.new" "$cfg"
if "$bin" flush --config "$cfg" && [ "$(count 201)" = 2 ] &&
    [ "$(count 200)" = 0 ] && [ "$(waiting)" = 0 ]; then
	ok "store up: the next flush uploads all, none lost, none duplicated"
else
	fail "store up ($(count 201) stored)"
fi
"$bin" status --config "$cfg" --json >"$tmp/status.json" &&
    grep -q '"files":0' "$tmp/status.json" &&
    grep -q '"last_error":""' "$tmp/status.json" &&
    ! grep -q '"last_success":null' "$tmp/status.json" &&
    ok "status --json after the upload" || fail "status --json"

# ---- 500 then 201; 413 -> rejected/; Retry-After ------------------------------
fake_start --script 500,store
conf r500 "$url" "$(perf_profile)"
"$bin" run --config "$cfg" --now && [ "$(count 500)" = 1 ] &&
    [ "$(count 201)" = 1 ] && ok "a 500 then a 201: uploaded" || fail "500 then 201"
fake_start --script 413
conf r413 "$url" "$(perf_profile)"
"$bin" run --config "$cfg" --now 2>"$tmp/err"
st=$?
if [ $st -eq 1 ] && [ "$(waiting)" = 0 ] &&
    [ "$(ls "$spool/rejected" | grep -c '\.ffp$')" = 1 ] &&
    grep -q "refused by the store (HTTP 413: scripted 413)" "$tmp/err" &&
    grep -q "HTTP 413" "$spool"/rejected/*.why; then
	ok "a 413: moved to rejected/ with the server's message"
else
	fail "413 (exit $st)"
fi
fake_start --script 503:ra=2,store
conf ra "$url" "$(perf_profile)"
sed 's/^deadline_s = 3$/deadline_s = 30/' "$cfg" >"$cfg.new" && mv "$cfg.new" "$cfg"
"$bin" run --config "$cfg" --now
gap=$(awk 'NR == 1 { a = $1 } NR == 2 { print $1 - a }' "$fakedir/log")
if [ "$(count 201)" = 1 ] && [ "${gap:-0}" -ge 1900 ]; then
	ok "Retry-After: 2 honoured (${gap} ms between tries)"
else
	fail "Retry-After (gap ${gap:-none} ms)"
fi

# ---- agents killed mid-run: no partial upload ---------------------------------
big=$tmp/big.txt
i=0
while [ $i -lt 3000 ]; do cat "$fixture"; i=$((i + 1)); done >"$big"
fake_start
conf killed "$url" "[profile cpu]" "command = cat '$big'" "format = perf"
mkdir -p "$spool"
printf '\050\265\057\375 half' >"$spool/.tmp-999999-abcdef"
for delay in 0.05 0.1 0.2 0.3 0.5; do
	"$bin" run --config "$cfg" --now -q &
	p=$!
	sleep $delay 2>/dev/null || sleep 1
	kill -9 $p 2>/dev/null
	wait $p 2>/dev/null
done
"$bin" flush --config "$cfg" -q
bad=0
for f in "$fakedir"/saved/*.ffp; do
	[ -e "$f" ] || continue
	zstd -q -t "$f" 2>/dev/null || bad=$((bad + 1))
done
leftover=$(ls -a "$spool" | grep -c '^\.tmp-')
if [ $bad -eq 0 ] && [ "$leftover" = 0 ] && [ "$(waiting)" = 0 ] &&
    [ "$(count 400)" = 0 ]; then
	ok "killed agents: $(count 201) complete uploads, nothing partial, no leftovers"
else
	fail "killed agents ($bad bad uploads, $leftover temp files left)"
fi

# ---- two concurrent runs: the lock holds ------------------------------------
conf lock "$url" "[profile slow]" "command = sleep 3; cat '$fixture'" \
    "format = perf"
before=$(count 201)
"$bin" run --config "$cfg" --now &
p=$!
sleep 1
"$bin" run --config "$cfg" --now 2>"$tmp/err"
st=$?
wait $p
st1=$?
if [ $st -eq 0 ] && [ $st1 -eq 0 ] &&
    grep -q "another ffagent (pid $p) is working on" "$tmp/err" &&
    [ "$(count 201)" = $((before + 1)) ]; then
	ok "two concurrent runs: the second exits 0, one profile uploaded"
else
	fail "lock (exit $st, $st1)"
fi

# ---- the spool bound: oldest dropped, counted, reported -----------------------
fake_stop
conf bound "$url" "spool_max_files = 2" "[profile cpu]" \
    "command = cat '$fixture'" "format = perf"
for i in 1 2 3 4; do "$bin" run --config "$cfg" --now -q; done
names_before=$(ls "$spool" | grep '\.ffp$')
"$bin" status --config "$cfg" >"$tmp/status"
if [ "$(waiting)" = 2 ] && grep -q "dropped: *2 not yet reported (2 in all)" \
    "$tmp/status"; then
	ok "spool bound: two oldest dropped and counted"
else
	fail "spool bound ($(waiting) waiting)"; cat "$tmp/status"
fi
fake_start
sed "s|^server = .*|server = $url|" "$cfg" >"$cfg.new" && mv "$cfg.new" "$cfg"
"$bin" run --config "$cfg" --now 2>"$tmp/err"
# 2 + 1 new = 3 > 2: the oldest is dropped again, so 3 drops in all
if grep -q "dropped the oldest" "$tmp/err" && [ "$(count 201)" = 2 ] &&
    grep -a -l '"dropped_since_last":"2"' "$fakedir"/saved/*.ffp >/dev/null &&
    "$bin" status --config "$cfg" | grep -q "dropped: *1 not yet reported (3 in all)"; then
	ok "spool bound: drops reported in dropped_since_last"
else
	fail "drops reported"; cat "$tmp/err"; "$bin" status --config "$cfg"
fi

# ---- a hanging profiler: killed at its timeout --------------------------------
conf hang "$url" "[profile h]" "command = sleep 300 & echo \$! > '$tmp/hang.pid'; wait" \
    "format = perf" "timeout_s = 1"
start=$(date +%s)
"$bin" run --config "$cfg" --now 2>"$tmp/err"
st=$?
took=$(($(date +%s) - start))
hp=$(cat "$tmp/hang.pid" 2>/dev/null)
if [ $st -eq 3 ] && [ $took -lt 30 ] &&
    grep -q "profile h: the command timed out after 1 s" "$tmp/err" &&
    [ -n "$hp" ] && ! alive "$hp" && [ "$(waiting)" = 0 ]; then
	ok "a hanging profiler is killed at its timeout (exit 3, ${took} s)"
else
	fail "hanging profiler (exit $st, $took s)"; cat "$tmp/err"
fi
conf fails "$url" "[profile f]" "command = echo oops >&2; exit 4" "format = perf"
"$bin" run --config "$cfg" --now 2>"$tmp/err"
[ $? -eq 3 ] && grep -q "profile f: the command exited with status 4" "$tmp/err" &&
    ok "a failing profiler: exit 3" || fail "failing profiler"

# ---- configuration errors --------------------------------------------------------
conf bad "$url" "bogus_key = 1"
"$bin" run --config "$cfg" --now 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "bad.conf:9: unknown key 'bogus_key'" "$tmp/err" &&
    ok "configuration error: exit 2 naming file:line" || fail "config error"
"$bin" run --config "$tmp/nonexistent.conf" 2>/dev/null
[ $? -eq 2 ] && ok "missing configuration: exit 2" || fail "missing config"
"$bin" run --bogus 2>/dev/null
[ $? -eq 2 ] && ok "unknown option: exit 2" || fail "unknown option"
"$bin" run --help | grep -q "3  a profiler command failed" &&
    ok "--help documents the exit statuses" || fail "--help"

exit $failed
