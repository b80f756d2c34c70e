#!/bin/sh
# store_crash.sh -- kill -9 the daemon at random moments during a storm of
# concurrent uploads, restart, and check: PRAGMA integrity_check and the
# store's invariants are ok, and every profile acknowledged (2xx) before
# the kill is present, exactly once.  ROUNDS rounds (default 20).
. "$(dirname "$0")/store_lib.sh"

[ -x "$B/ff-upclient" ] || { echo "skip: ff-upclient not built" >&2; exit 77; }
S=$B/ffstore
ROUNDS=${ROUNDS:-20}
gen_fleet "$T/fleet" 8 120
DB=$T/crash.db
: >"$T/acks.log"

# The hashes the store holds, one per line, sorted (duplicates kept).
stored() {
	"$S" ls --db "$DB" --json | grep -o '"hash":"[0-9a-f]*"' |
	    cut -d'"' -f4 | sort
}

verify() {
	check_eq "check after round $1" "$("$S" check --db "$DB")" ok
	stored >"$T/stored"
	check_eq "duplicates after round $1" \
	    "$(uniq -d "$T/stored" | wc -l)" 0
	grep -E '^20[01] ' "$T/acks.log" | cut -d' ' -f2 | sort -u >"$T/acked"
	comm -23 "$T/acked" "$T/stored" >"$T/lost"
	[ ! -s "$T/lost" ] || fail "round $1: acknowledged but lost: $(head -3 "$T/lost")"
}

r=1
while [ $r -le "$ROUNDS" ]; do
	start_server "$DB" --threads 4
	# The server recovered the store; it must be intact.
	verify $r
	"$B/ff-upclient" --url "$URL" --jobs 16 --unique --seconds 10 \
	    --log "$T/acks.log" "$T"/fleet/*/*.ffp 2>>"$T/client.err" &
	client=$!
	delay=$(awk -v s="$r$$" 'BEGIN { srand(s); printf "%.2f", 0.15 + rand() * 0.8 }')
	sleep "$delay"
	kill -9 "$SERVER_PID"
	wait "$SERVER_PID" 2>/dev/null || true
	SERVER_PID=
	wait "$client"
	r=$((r + 1))
done
start_server "$DB"
verify final
stop_server TERM
check_eq "SIGTERM exit" "$SERVER_STATUS" 0
echo "store_crash: $ROUNDS rounds, $(wc -l <"$T/acked") acknowledged profiles, all present once"
