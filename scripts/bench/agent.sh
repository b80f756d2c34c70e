#!/bin/sh
# agent.sh -- `ffagent run` on a 200 MB perf text profile: wall time, CPU
# time, peak memory, and bytes uploaded against the raw input.
#
#   scripts/bench/agent.sh [BUILD_DIR] [SIZE]     (default build, 200M)
#
# The profile comes from ffgen-perfgen (scripts/gen/perfgen.c; kept in
# $TMPDIR/ffbench-perf-SIZE.txt for later runs).  The "profiler" of the
# configured profile is `cat FILE`, so the run collapses the text as it
# streams from a pipe, exactly as with `perf script`.  The store is the
# test server ff_fakestore (built with the tests) on 127.0.0.1, or
# `ffstore serve` when the test server is not built.
#
# Reported:
#   wall, user + sys      from /usr/bin/time (GNU -v, or BSD -l)
#   peak RSS              the kernel's high-water mark (file pages of
#                         shared libraries included)
#   peak anon             sampled every 10 ms from /proc (Linux): the
#                         private memory the agent itself allocated
#   uploaded / raw        the body the store received vs the perf text
# Targets: peak RSS <= 16 MB; upload <= 1/50 of the raw text.
set -eu
cd "$(dirname "$0")/../.."
build=${1:-build}
size=${2:-200M}
bin=$PWD/$build/bin
for p in ffagent ffgen-perfgen; do
	[ -x "$bin/$p" ] || { echo "agent.sh: $bin/$p not built" >&2; exit 1; }
done
"$bin/ffagent" run --help >/dev/null 2>&1 ||
    { echo "agent.sh: $bin/ffagent has no run command" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ffbench-agent.XXXXXX")
server=
cleanup() {
	[ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

# ---- the input ------------------------------------------------------------------
input=${TMPDIR:-/tmp}/ffbench-perf-$size.txt
if [ ! -s "$input" ]; then
	echo "generating $input ..."
	"$bin/ffgen-perfgen" --format perf --size "$size" -o "$input.tmp"
	mv "$input.tmp" "$input"
fi
raw=$(wc -c <"$input" | tr -d ' ')

# ---- the store --------------------------------------------------------------------
if [ -x "$bin/ff_fakestore" ]; then
	"$bin/ff_fakestore" --port-file "$tmp/port" --log "$tmp/requests" \
	    --idle 600 >"$tmp/server.out" 2>&1 &
	server=$!
	store="ff_fakestore"
elif [ -x "$bin/ffstore" ]; then
	"$bin/ffstore" serve --db "$tmp/store.db" --listen 127.0.0.1:0 \
	    --port-file "$tmp/port" --max-upload 256M 2>"$tmp/server.out" &
	server=$!
	store="ffstore serve"
else
	echo "agent.sh: neither ff_fakestore nor ffstore is built" >&2
	exit 1
fi
i=0
while [ ! -s "$tmp/port" ]; do
	i=$((i + 1))
	[ $i -lt 500 ] || { echo "agent.sh: the store did not start" >&2; exit 1; }
	sleep 0.02 2>/dev/null || sleep 1
done

cat >"$tmp/agent.conf" <<EOF
server = http://127.0.0.1:$(cat "$tmp/port")
spool_dir = $tmp/spool
host = bench-host
build_cmd = echo bench-1
deadline_s = 60
[profile cpu]
command = cat '$input'
format = perf
type = cpu
timeout_s = 600
EOF

# ---- the run ----------------------------------------------------------------------
case $(uname -s) in
Linux) timeopt=-v ;;
*) timeopt=-l ;;
esac
sample_anon() {   # sample_anon PID: print the largest RssAnon seen, in kB
	peak=0
	while [ -r "/proc/$1/status" ]; do
		a=$(awk '/^RssAnon:/ { print $2 }' "/proc/$1/status" 2>/dev/null)
		[ -n "$a" ] && [ "$a" -gt "$peak" ] && peak=$a
		sleep 0.01 2>/dev/null || sleep 1
	done
	echo "$peak"
}
/usr/bin/time $timeopt "$bin/ffagent" run --config "$tmp/agent.conf" --now -v \
    2>"$tmp/time" &
tpid=$!
apid=
i=0
while [ -z "$apid" ] && [ $i -lt 200 ]; do
	apid=$(pgrep -P "$tpid" 2>/dev/null | head -1 || true)
	i=$((i + 1))
done
anon=0
if [ -n "$apid" ] && [ -d /proc ]; then
	anon=$(sample_anon "$apid")
fi
wait "$tpid" || { cat "$tmp/time" >&2; echo "agent.sh: ffagent run failed" >&2; exit 1; }

# ---- the figures ---------------------------------------------------------------------
if [ "$timeopt" = -v ]; then
	wall=$(awk -F': ' '/Elapsed/ { print $2 }' "$tmp/time")
	user=$(awk -F': ' '/User time/ { print $2 }' "$tmp/time")
	sys=$(awk -F': ' '/System time/ { print $2 }' "$tmp/time")
	rss=$(awk -F': ' '/Maximum resident/ { print $2 }' "$tmp/time")
else
	wall=$(awk '/real/ { print $1 }' "$tmp/time")
	user=$(awk '/real/ { print $3 }' "$tmp/time")
	sys=$(awk '/real/ { print $5 }' "$tmp/time")
	rss=$(awk '/maximum resident/ { print $1 }' "$tmp/time")
fi
up=$(sed -n 's/.*uploaded, \([0-9]*\) bytes.*/\1/p' "$tmp/time" | head -1)
grep '^ffagent:' "$tmp/time" | sed 's/^/  /'
echo
echo "ffagent run on $raw bytes of perf text (store: $store)"
printf '  wall          %s\n' "$wall"
printf '  CPU           %s s user + %s s sys\n' "$user" "$sys"
printf '  peak RSS      %s kB (target <= 16384 kB)\n' "$rss"
[ "$anon" -gt 0 ] && printf '  peak anon     %s kB (sampled)\n' "$anon"
if [ -n "$up" ]; then
	printf '  uploaded      %s bytes = 1/%s of the raw text (target >= 1/50)\n' \
	    "$up" "$((raw / up))"
fi
