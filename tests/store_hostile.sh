#!/bin/sh
# store_hostile.sh -- hostile clients against a real ffstore serve on
# 127.0.0.1 (ephemeral port, always stopped), with ff-slowclients:
#
#   limits   a 70 KiB header and 10,000 headers -> 431, a 70 KiB URL ->
#            414, Content-Length 10^12 -> 413 before one body byte is sent
#            (with and without Expect: 100-continue), an 8 MiB chunked
#            body over --max-upload 1M -> 413 with bounded memory (the
#            body is read and dropped: libmicrohttpd 0.9 cannot answer in
#            the middle of a body); the server answers normally after.
#   flood    1,000 connections held open (idle, headers byte by byte,
#            bodies byte by byte): a real `ffagent push` and `ffagent
#            flush` upload within their deadline while all 1,000 stay
#            open; the log stays rate-limited; SIGTERM with 333 uploads
#            half-sent still exits 0; every profile is stored once.
#   per client  --max-connections-per-ip closes connections past the
#            limit; --request-timeout closes a body that trickles in
#            without ever being idle.
#
# A revoked token refused after one SIGHUP is tested by store_http.sh.
# Skipped (77) when 1,100 file descriptors cannot be had.
. "$(dirname "$0")/store_lib.sh"

C=$B/ff-slowclients
for prog in ff-slowclients ffagent; do
	[ -x "$B/$prog" ] || { echo "skip: $B/$prog not built" >&2; exit 77; }
done
command -v curl >/dev/null || { echo "skip: no curl" >&2; exit 77; }
FLOOD_PID=
stop_flood() {
	[ -z "$FLOOD_PID" ] || { kill "$FLOOD_PID" 2>/dev/null || true;
	    wait "$FLOOD_PID" 2>/dev/null || true; }
	FLOOD_PID=
}
trap 'stop_flood; cleanup' EXIT INT TERM

hwm() { awk '/VmHWM/ { print $2 }' "/proc/$SERVER_PID/status" 2>/dev/null ||
    echo 0; }

# ---- limits -----------------------------------------------------------------
start_server "$T/limits.db" --max-upload 1M
probe() {  # probe KIND WANT_STATUS [MAX_SENT]
	out=$("$C" probe --port "$PORT" "$1")
	check_eq "probe $1: status" "${out% *}" "$2"
	[ -z "${3:-}" ] || [ "${out#* }" -le "$3" ] ||
	    fail "probe $1: ${out#* } bytes sent before the answer"
	echo "probe $1: $out"
}
probe header 431
probe headers 431
probe url 414
probe length 413 0
probe expect 413 0
h0=$(hwm)
probe chunked 413
h1=$(hwm)
[ $((h1 - h0)) -lt 32768 ] || fail "the chunked body cost $((h1 - h0)) KiB"
check_eq "healthz after the probes" "$(curl -s -o /dev/null -w '%{http_code}' \
    "$URL/healthz")" 200
stop_server TERM
check_eq "limits: SIGTERM exit" "$SERVER_STATUS" 0

# ---- per-client limits --------------------------------------------------------
# flood_for N SECONDS: N hostile connections for SECONDS; the last status
# line ("open X closed Y ...") is left in $T/flood.
flood_for() {
	rm -f "$T/flood"
	"$C" flood --port "$PORT" --conns "$1" --seconds "$2" \
	    --status "$T/flood" >"$T/flood.out" 2>"$T/flood.err" ||
	    fail "ff-slowclients: $(cat "$T/flood.err")"
	read -r what open closed_w closed rest <"$T/flood"
	check_eq "flood status" "$what $closed_w" "open closed"
}
# 90 connections from one address with room for 30: the rest are closed
# as soon as they are accepted.
start_server "$T/perip.db" --max-connections-per-ip 30
flood_for 90 3
[ "$open" -le 30 ] && [ "$closed" -ge 60 ] ||
    fail "--max-connections-per-ip 30: $open open, $closed closed"
echo "per-address limit: 90 connections, $open held, $closed closed"
stop_server TERM
# 30 connections, a third each idle, sending headers and sending a body
# byte by byte: after 5 s the idle ones are gone (--timeout 2), and so are
# the trickling bodies (--request-timeout 2) although never idle; the
# trickling headers are bounded only by the header size and the
# per-address limit.
start_server "$T/reqto.db" --timeout 2 --request-timeout 2
flood_for 30 5
check_eq "--request-timeout 2: connections left after 5 s" "$open" 10
echo "request deadline: $closed of 30 closed (idle and trickling bodies)"
check_eq "healthz after the deadlines" "$(curl -s -o /dev/null \
    -w '%{http_code}' "$URL/healthz")" 200
stop_server TERM

# ---- 1,000 slow connections -------------------------------------------------
DB=$T/flood.db
start_server "$DB"
printf '%s\n' "server = $URL" "spool_dir = $T/spool" "host = cache-flood" \
    "build_file = $T/release" "splay_s = 0" "deadline_s = 30" \
    "connect_timeout_s = 5" "upload_timeout_s = 20" >"$T/agent.conf"
echo 2026.11.7 >"$T/release"
awk 'BEGIN { srand(11); for (i = 0; i < 20000; i++)
    printf "main;mod%d;fn%d;leaf%d %d\n", i % 50, rand() * 5000, i,
    1 + rand() * 100 }' >"$T/big.folded"
"$C" flood --port "$PORT" --conns 1000 --status "$T/flood" \
    >"$T/flood.out" 2>"$T/flood.err" &
FLOOD_PID=$!
i=0
until grep -qs '^\(ready\|open\)' "$T/flood"; do
	if ! kill -0 "$FLOOD_PID" 2>/dev/null; then
		st=0
		wait "$FLOOD_PID" || st=$?
		FLOOD_PID=
		[ "$st" != 77 ] || { cat "$T/flood.err" >&2; exit 77; }
		fail "ff-slowclients: $(cat "$T/flood.err")"
	fi
	i=$((i + 1))
	[ $i -lt 1500 ] || fail "the 1,000 connections were not made"
	sleep 0.02
done
sleep 1
push() {  # push LABEL: exit status in $st
	st=0
	"$B/ffagent" push --config "$T/agent.conf" --build 2026.11.7 \
	    --type cpu --label "n=$1" "$T/big.folded" 2>>"$T/agent.err" || st=$?
}
t0=$(date +%s)
push 1
check_eq "push during the flood" "$st" 0
# Two more, kept while the store looks down, then one flush.
sed -e "s|^server = .*|server = http://127.0.0.1:1|" \
    -e "s|^deadline_s = .*|deadline_s = 1|" "$T/agent.conf" >"$T/down.conf"
for n in 2 3; do
	"$B/ffagent" push --config "$T/down.conf" --build 2026.11.7 --type cpu \
	    --label "n=$n" "$T/big.folded" 2>>"$T/agent.err" || true
done
check_eq "kept" "$(ls "$T/spool" | grep -c '\.ffp$')" 2
st=0
"$B/ffagent" flush --config "$T/agent.conf" 2>>"$T/agent.err" || st=$?
check_eq "flush during the flood" "$st" 0
t1=$(date +%s)
[ $((t1 - t0)) -lt 60 ] || fail "the uploads took $((t1 - t0)) s"
echo "3 uploads during the flood: $((t1 - t0)) s" \
    "(1 s of it the kept ones' deadline)"
read -r what open rest <"$T/flood"
check_eq "flood connections still open after the uploads" "$what $open" \
    "open 1000"
check_eq "healthz during the flood" "$(curl -s -o /dev/null -w '%{http_code}' \
    --max-time 10 "$URL/healthz")" 200
# SIGTERM with the flood still on (a third of it half-sent uploads).
t0=$(date +%s)
stop_server TERM
t1=$(date +%s)
check_eq "SIGTERM during the flood: exit" "$SERVER_STATUS" 0
[ $((t1 - t0)) -lt 30 ] || fail "SIGTERM took $((t1 - t0)) s"
echo "SIGTERM during the flood: exit 0 after $((t1 - t0)) s"
stop_flood
[ "$(wc -l <"$T/server.log")" -lt 100 ] ||
    fail "the log was flooded: $(wc -l <"$T/server.log") lines"
"$B/ffstore" ls --db "$DB" --json >"$T/ls"
for n in 1 2 3; do
	check_eq "profile n=$n stored once" \
	    "$(grep -o "\"n\":\"$n\"" "$T/ls" | wc -l | tr -d ' ')" 1
done
check_eq "check" "$("$B/ffstore" check --db "$DB")" ok
echo "store_hostile: 6 oversized requests refused; 1,000 slow connections" \
    "held while 3 profiles were uploaded ($(cat "$T/flood.out" 2>/dev/null))"
