#!/bin/sh
# ingest.sh -- the store's benchmark: a fleet of 1,000 hosts x 2 builds
# (~5,000 distinct stacks each from a universe of ~50,000), stored
# (a) with `ffstore load` and (b) over HTTP by 32 concurrent clients,
# (c) p99 acknowledgement at 100 uploads/s, (d) queries on the result.
#
#   scripts/bench/ingest.sh [BUILD_DIR] [WORK_DIR]   (default build,
#                                                     $TMPDIR/ffbench-ingest)
#   HOSTS=1000 UNIVERSE=50000 SAMPLES=8500 JOBS=32 RUNS=3 (environment)
#
# The fleet comes from ffgen-fleet (scripts/gen/fleet.c) and is kept in
# WORK_DIR for later runs.  Reported, per part:
#   profiles/s, sample rows/s (a row = one stack of one profile), CPU time,
#   peak RSS, database bytes per sample row (every table and index),
#   p50/p99 acknowledgement latency, query times (best of RUNS).
# Targets: load >= 1,000,000 rows/s; HTTP >= 500,000 rows/s; <= 8 bytes per
# row; p99 < 1 s at 100 uploads/s; aggregate of one build <= 0.5 s;
# function values of both builds <= 1 s.
set -eu
cd "$(dirname "$0")/../.."
build=${1:-build}
work=${2:-${TMPDIR:-/tmp}/ffbench-ingest}
bin=$PWD/$build/bin
HOSTS=${HOSTS:-1000}
UNIVERSE=${UNIVERSE:-50000}
SAMPLES=${SAMPLES:-8500}
JOBS=${JOBS:-32}
RUNS=${RUNS:-3}
for p in ffstore ffgen-fleet ff-upclient; do
	[ -x "$bin/$p" ] || { echo "ingest.sh: $bin/$p not built" >&2; exit 1; }
done
command -v /usr/bin/time >/dev/null ||
    { echo "ingest.sh: needs /usr/bin/time (scripts/deps.sh --bench)" >&2; exit 1; }

mkdir -p "$work"
server=
cleanup() {
	if [ -n "$server" ]; then
		kill "$server" 2>/dev/null || true
		wait "$server" 2>/dev/null || true
	fi
}
trap cleanup EXIT INT TERM

fleet=$work/fleet-$HOSTS-$UNIVERSE-$SAMPLES
if [ ! -f "$fleet/manifest.tsv" ]; then
	echo "== generating the fleet in $fleet"
	rm -rf "$fleet"
	"$bin/ffgen-fleet" --out "$fleet" --hosts "$HOSTS" \
	    --universe "$UNIVERSE" --samples "$SAMPLES" >/dev/null
fi
files=$(ls "$fleet"/A/*.ffp "$fleet"/B/*.ffp)
nfiles=$(echo "$files" | wc -l)

seconds() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
rate() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%d", a / b }'; }
less() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }

bytes_per_row() {
	"$bin/ffstore" stats --db "$1" --json |
	    sed 's/.*"bytes_per_row":\([0-9.]*\).*/\1/'
}

# (a) ffstore load.
"$bin/ffstore" load -q --db "$work/count.db" --no-sync $files
rows=$("$bin/ffstore" stats --db "$work/count.db" --json |
    sed 's/.*"rows":\([0-9]*\).*/\1/')
rm -f "$work/count.db"*
echo "fleet: $nfiles profiles, $rows sample rows," \
    "$(du -shL "$fleet" | cut -f1) of profile files"
echo "== (a) ffstore load"
best=
for run in $(seq "$RUNS"); do
	rm -f "$work/load.db" "$work/load.db-wal" "$work/load.db-shm"
	t0=$(seconds)
	/usr/bin/time -f "%U %S %M" -o "$work/time" \
	    "$bin/ffstore" load -q --db "$work/load.db" $files
	t=$(elapsed "$t0" "$(seconds)")
	read -r user sys rss <"$work/time"
	echo "  run $run: $t s, $(rate "$rows" "$t") rows/s," \
	    "$(rate "$nfiles" "$t") profiles/s, CPU $user + $sys s," \
	    "peak RSS $((rss / 1024)) MB"
	if [ -z "$best" ] || less "$t" "$best"; then best=$t; fi
done
echo "  best: $(rate "$rows" "$best") rows/s;" \
    "$(bytes_per_row "$work/load.db") bytes per sample row"

start_server() {
	rm -f "$1" "$1-wal" "$1-shm" "$work/port"
	"$bin/ffstore" serve --db "$1" --listen 127.0.0.1:0 \
	    --port-file "$work/port" --queue 512 2>>"$work/server.log" &
	server=$!
	while [ ! -s "$work/port" ]; do sleep 0.05; done
	url=http://127.0.0.1:$(cat "$work/port")
}

stop_server() {
	rss=$(awk '/VmHWM/ {print int($2 / 1024)}' "/proc/$server/status" \
	    2>/dev/null || echo "?")
	kill "$server"
	wait "$server" || true
	server=
}

# (b) HTTP, JOBS concurrent clients.
echo "== (b) HTTP upload, $JOBS clients"
for run in $(seq "$RUNS"); do
	start_server "$work/http.db"
	"$bin/ff-upclient" --url "$url" --jobs "$JOBS" $files \
	    2>"$work/client.txt"
	stop_server
	echo "  run $run: $(sed 's/^ff-upclient: //' "$work/client.txt")," \
	    "server peak RSS $rss MB"
done
echo "  $(bytes_per_row "$work/http.db") bytes per sample row"

# (c) acknowledgement latency at 100 uploads/s.
echo "== (c) 100 uploads/s"
start_server "$work/rate.db"
"$bin/ff-upclient" --url "$url" --jobs "$JOBS" --rate 100 $files \
    2>"$work/client.txt"
stop_server
echo "  $(sed 's/^ff-upclient: //' "$work/client.txt")"

# (d) queries on the store of (a).
echo "== (d) queries on $rows rows"
best_of() {
	b=
	for run in $(seq "$RUNS"); do
		t0=$(seconds)
		"$@" >/dev/null
		t=$(elapsed "$t0" "$(seconds)")
		if [ -z "$b" ] || less "$t" "$b"; then b=$t; fi
	done
	echo "$b"
}
echo "  summed folded profile of build A: $(best_of "$bin/ffstore" export \
    --db "$work/load.db" --build A --type cpu) s"
echo "  the same, summing each profile:   $(best_of "$bin/ffstore" export \
    --db "$work/load.db" --build A --host '*') s"
echo "  function values of both builds:   $(best_of "$bin/ffstore" funcs \
    --db "$work/load.db" --type cpu --summary) s"
