# store_lib.sh -- shell helpers for the store's integration tests (sourced).
#
# Sets B (build bin directory), T (a temporary directory removed at exit)
# and provides: fail, check_eq, start_server, stop_server, gen_fleet,
# json_meta.  A server started here is always stopped at exit.

set -eu
B=${FF_BUILD_DIR:-build}/bin
T=$(mktemp -d "${TMPDIR:-/tmp}/ffstore-test.XXXXXX")
SERVER_PID=
PORT=

cleanup() {
	if [ -n "$SERVER_PID" ]; then
		kill -9 "$SERVER_PID" 2>/dev/null || true
		wait "$SERVER_PID" 2>/dev/null || true
	fi
	[ -n "${FF_KEEP_TMP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT INT TERM

fail() {
	echo "FAIL: $*" >&2
	[ -f "$T/server.log" ] && sed 's/^/  server: /' "$T/server.log" >&2
	exit 1
}

check_eq() {  # what got want
	[ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"
}

for prog in ffstore ff-mkffp ffgen-ingestgen; do
	[ -x "$B/$prog" ] || { echo "skip: $B/$prog not built" >&2; exit 77; }
done

# start_server DB [ffstore serve options...]: on 127.0.0.1, a free port.
start_server() {
	db=$1
	shift
	rm -f "$T/port"
	"$B/ffstore" serve --db "$db" --listen 127.0.0.1:0 \
	    --port-file "$T/port" "$@" 2>>"$T/server.log" &
	SERVER_PID=$!
	i=0
	while [ ! -s "$T/port" ]; do
		i=$((i + 1))
		[ $i -lt 500 ] || fail "the server did not start"
		kill -0 "$SERVER_PID" 2>/dev/null || fail "the server died"
		sleep 0.02
	done
	PORT=$(cat "$T/port")
	URL=http://127.0.0.1:$PORT
}

# stop_server [SIGNAL]: wait for it; the exit status is in $SERVER_STATUS.
stop_server() {
	kill "-${1:-TERM}" "$SERVER_PID"
	SERVER_STATUS=0
	wait "$SERVER_PID" || SERVER_STATUS=$?
	SERVER_PID=
}

# gen_fleet DIR HOSTS STACKS [SEED]: small profile files DIR/<build>/*.ffp
gen_fleet() {
	"$B/ffgen-ingestgen" --out "$1" --hosts "$2" --builds 2 \
	    --stacks "$3" --universe $(($3 * 5)) --seed "${4:-1}" 2>/dev/null
}

# json_meta HOST [EVENTS_JSON]: metadata of a valid profile.
json_meta() {
	printf '{"format":"flamefleet-profile/1","host":"%s","build":"B",' "$1"
	printf '"type":"cpu","events":%s,"start":"2026-11-21T20:00:00Z",' \
	    "${2:-[\"cycles\"]}"
	printf '"duration_s":60}'
}

# mkffp OUT META_TEXT DATA_TEXT: a profile file from text (printf %b).
mkffp() {
	printf '%s' "$2" >"$T/meta.json"
	printf '%b' "$3" >"$T/data.txt"
	"$B/ff-mkffp" "$T/meta.json" "$T/data.txt" >"$1"
}
