#!/bin/sh
# agent_store.sh -- ffagent against the real `ffstore serve` on 127.0.0.1
# (ephemeral port, always stopped), counting rows in the store:
#
#   the store down during runs -> profiles kept; the store up -> the next
#   flush uploads all, none lost, none duplicated; a perf fixture end to
#   end (exported back from the store, byte for byte); a duplicate upload
#   (200) deleted without a new row; a 413 -> rejected/; a wrong token ->
#   kept; HTTPS with the agent verifying the store's certificate.
#
# Skipped (77) when ffstore is not built or has no serve command.
# FFAGENT overrides the ffagent binary under test.
set -u
bin=${FFAGENT:-${FF_BUILD_DIR:-build}/bin/ffagent}
store=${FF_BUILD_DIR:-build}/bin/ffstore
src=${FF_SOURCE_DIR:-.}
fixture=$src/tests/data/collapse/perf-two-events.txt
[ -x "$store" ] || { echo "no $store: skipped"; exit 77; }
"$store" serve --help >/dev/null 2>&1 || { echo "ffstore has no serve: skipped"; exit 77; }
[ -x "$bin" ] || { echo "no $bin" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ffagentstore.XXXXXX") || exit 1
spid=
stop() {
	if [ -n "$spid" ]; then
		kill "$spid" 2>/dev/null
		wait "$spid" 2>/dev/null
		spid=
	fi
}
cleanup() {
	stop
	[ -n "${FF_KEEP_TMP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
failed=0
fail() { echo "FAIL: $*"; failed=1; [ -f "$tmp/server.log" ] && sed 's/^/  server: /' "$tmp/server.log"; }
ok() { echo "ok: $*"; }

# serve [options]: start ffstore serve on $db; sets $port.
serve() {
	stop
	rm -f "$tmp/port"
	"$store" serve --db "$db" --listen 127.0.0.1:0 --port-file "$tmp/port" \
	    "$@" 2>>"$tmp/server.log" &
	spid=$!
	i=0
	while [ ! -s "$tmp/port" ]; do
		i=$((i + 1))
		if [ $i -ge 500 ] || ! kill -0 "$spid" 2>/dev/null; then
			spid=
			return 1
		fi
		sleep 0.02 2>/dev/null || sleep 1
	done
	port=$(cat "$tmp/port")
}
# rows: profiles in the store (read after the server stopped).
rows() { "$store" ls --db "$db" --json | grep -o '"host"' | wc -l | tr -d ' '; }
waiting() { ls "$spool" 2>/dev/null | grep -c '\.ffp$'; }
conf() {   # conf SERVER [LINES...]
	server=$1
	shift
	{
		printf '%s\n' "server = $server" "spool_dir = $spool" \
		    "host = test-host" "build_file = $tmp/release" \
		    "token_file = $tmp/token" "splay_s = 60" "deadline_s = 3" \
		    "connect_timeout_s = 2"
		for line in "$@"; do printf '%s\n' "$line"; done
		# labels_cmd: a nonce, so runs in the same second differ
		printf '%s\n' "[profile cpi]" "command = cat '$fixture'" \
		    "format = perf" "type = cpi" "events = cycles,instructions" \
		    'labels_cmd = echo "nonce=$$"'
	} >"$cfg"
}

db=$tmp/store.db
spool=$tmp/spool
cfg=$tmp/agent.conf
echo "2026.11.3 (built by CI)" >"$tmp/release"
echo "tok-$$-0123456789abcdef" >"$tmp/token"
echo "tok-$$-0123456789abcdef test-*" >"$tmp/tokens"

# ---- down, then up ----------------------------------------------------------------
serve --tokens "$tmp/tokens" || { echo "ffstore serve did not start: skipped"; exit 77; }
dead=$port
stop
conf "http://127.0.0.1:$dead"
"$bin" run --config "$cfg" --now -q; a=$?
"$bin" run --config "$cfg" --now -q; b=$?
[ $a -eq 1 ] && [ $b -eq 1 ] && [ "$(waiting)" = 2 ] &&
    ok "store down: exit 1, two profiles kept" || fail "store down ($a $b $(waiting))"
serve --tokens "$tmp/tokens" || { fail "serve"; exit 1; }
conf "http://127.0.0.1:$port"
"$bin" flush --config "$cfg"; a=$?
"$bin" run --config "$cfg" --now; b=$?
stop
if [ $a -eq 0 ] && [ $b -eq 0 ] && [ "$(waiting)" = 0 ] && [ "$(rows)" = 3 ]; then
	ok "store up: every profile uploaded once (3 rows)"
else
	fail "store up (exit $a $b, $(waiting) waiting, $(rows) rows)"
fi

# ---- the fixture, exported back ---------------------------------------------------
"$bin" collapse --events cycles,instructions "$fixture" |
    awk '{ printf "%s %d %d\n", $1, $2 * 3, $3 * 3 }' >"$tmp/expected"
"$store" export --db "$db" --build "2026.11.3 (built by CI)" --type cpi \
    >"$tmp/got" 2>"$tmp/err"
if cmp -s "$tmp/got" "$tmp/expected"; then
	ok "the perf fixture, exported from the store, sums three runs exactly"
else
	# The collapsed stacks may have spaces (no awk split then): compare
	# the line count at least, and show the difference.
	fail "export differs"; diff "$tmp/expected" "$tmp/got" | head
fi

# ---- a duplicate: 200, deleted, no new row -----------------------------------------
printf 'a;b 1\n' >"$tmp/one.folded"
serve --tokens "$tmp/tokens" || { fail "serve"; exit 1; }
conf "http://127.0.0.1:$port"
"$bin" push --config "$cfg" --build dup --type cpu --start 2026-11-21T20:00:00Z \
    "$tmp/one.folded"; a=$?
"$bin" push --config "$cfg" --build dup --type cpu --start 2026-11-21T20:00:00Z \
    -v "$tmp/one.folded" 2>"$tmp/err"; b=$?
stop
if [ $a -eq 0 ] && [ $b -eq 0 ] && grep -q "already had it (HTTP 200)" "$tmp/err" &&
    [ "$(waiting)" = 0 ] && [ "$(rows)" = 4 ]; then
	ok "a duplicate: answered 200, deleted, no new row"
else
	fail "duplicate (exit $a $b, $(rows) rows)"; cat "$tmp/err"
fi

# ---- 413 -> rejected/ ----------------------------------------------------------------
awk 'BEGIN { srand(7); for (i = 0; i < 20000; i++)
    printf "f%d;g%d;h%d %d\n", rand() * 1e6, rand() * 1e6, i, i + 1 }' >"$tmp/big.folded"
serve --tokens "$tmp/tokens" --max-upload 4K || { fail "serve"; exit 1; }
conf "http://127.0.0.1:$port"
"$bin" push --config "$cfg" --build big --type cpu "$tmp/big.folded" 2>"$tmp/err"; a=$?
stop
if [ $a -eq 1 ] && [ "$(waiting)" = 0 ] &&
    [ "$(ls "$spool/rejected" | grep -c '\.ffp$')" = 1 ] &&
    grep -q "refused by the store (HTTP 413" "$tmp/err" && [ "$(rows)" = 4 ]; then
	ok "a 413: moved to rejected/, the store's message logged"
else
	fail "413 (exit $a)"; cat "$tmp/err"
fi

# ---- a wrong token: kept --------------------------------------------------------------
echo "wrong" >"$tmp/token"
serve --tokens "$tmp/tokens" || { fail "serve"; exit 1; }
conf "http://127.0.0.1:$port"
"$bin" run --config "$cfg" --now 2>"$tmp/err"; a=$?
stop
if [ $a -eq 1 ] && [ "$(waiting)" = 1 ] && grep -q "check server and token_file" "$tmp/err" &&
    [ "$(ls "$spool/rejected" | grep -c '\.ffp$')" = 1 ]; then
	ok "a wrong token: the flush stops, the profile is kept"
else
	fail "wrong token (exit $a)"; cat "$tmp/err"
fi
echo "tok-$$-0123456789abcdef" >"$tmp/token"

# ---- HTTPS: the store's certificate is verified ---------------------------------------------
if command -v openssl >/dev/null 2>&1 &&
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
    -addext "subjectAltName=IP:127.0.0.1" -keyout "$tmp/key.pem" \
    -out "$tmp/cert.pem" >/dev/null 2>&1 &&
    serve --tokens "$tmp/tokens" --tls-cert "$tmp/cert.pem" --tls-key "$tmp/key.pem"; then
	conf "https://127.0.0.1:$port"
	"$bin" flush --config "$cfg" -q; a=$?
	n=$(waiting)
	conf "https://127.0.0.1:$port" "tls_ca_file = $tmp/cert.pem"
	"$bin" flush --config "$cfg" -v 2>"$tmp/err"; b=$?
	stop
	if [ $a -eq 1 ] && [ "$n" = 1 ] && [ $b -eq 0 ] && [ "$(waiting)" = 0 ] &&
	    [ "$(rows)" = 5 ]; then
		ok "HTTPS: refused without the CA, uploaded with tls_ca_file"
	else
		fail "HTTPS (exit $a $b, $n then $(waiting) waiting, $(rows) rows)"; cat "$tmp/err"
	fi
else
	echo "skip: HTTPS (no openssl, or ffstore without TLS)"
	stop
fi

exit $failed
