#!/bin/sh
# flamegraph.sh -- how fast `ffreport flamegraph` renders, and in how much
# memory.
#
#   scripts/bench/flamegraph.sh [RUNS]
#
# Builds a release tree (build-bench/, or uses $FF_BUILD_DIR when set),
# generates folded inputs in a scratch directory outside the repository
# (20,000 and 200,000 unique stacks, depth 5-60, heavy-tailed counts; the
# 200,000 one sorted, as flamefleet writes files, and shuffled; and a
# two-count differential version), renders each RUNS times (3) and prints
# the best time, MB/s of input, the peak RSS (/usr/bin/time -v) and the SVG
# size.  Targets for 200,000 stacks: >= 250 MB/s and peak RSS <= the input
# size.  Needs GNU time (Debian package `time`).
set -eu
cd "$(dirname "$0")/../.."
runs=${1:-3}

if [ ! -x /usr/bin/time ]; then
	echo "flamegraph.sh: /usr/bin/time is missing (apt-get install time)" >&2
	exit 1
fi
if [ -n "${FF_BUILD_DIR:-}" ]; then
	bin=$FF_BUILD_DIR/bin
else
	cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release >/dev/null
	cmake --build build-bench --target ffreport ffgen-foldgen -j2 >/dev/null
	bin=build-bench/bin
fi
bin=$(cd "$bin" && pwd)
scratch=$(mktemp -d "${TMPDIR:-/tmp}/ffbench.XXXXXX")
trap 'rm -rf "$scratch"' EXIT INT TERM

echo "generating inputs in $scratch"
"$bin/ffgen-foldgen" -n 20000 > "$scratch/20k.folded"
"$bin/ffgen-foldgen" -n 200000 > "$scratch/200k.folded"
"$bin/ffgen-foldgen" -n 200000 --shuffle > "$scratch/200k-shuffled.folded"
"$bin/ffgen-foldgen" -n 200000 --two > "$scratch/200k-diff.folded"

# bench NAME: best of $runs; prints one row.
bench() {
	in=$scratch/$1.folded
	size=$(wc -c < "$in")
	best="" rss=0
	i=0
	while [ "$i" -lt "$runs" ]; do
		/usr/bin/time -v "$bin/ffreport" flamegraph "$in" \
		    > "$scratch/out.svg" 2> "$scratch/time.txt"
		t=$(awk -F': ' '/Elapsed \(wall clock\)/ {
		    n = split($2, p, ":"); s = 0
		    for (k = 1; k <= n; k++) s = s * 60 + p[k]; print s }' \
		    "$scratch/time.txt")
		m=$(awk -F': ' '/Maximum resident set size/ { print $2 }' \
		    "$scratch/time.txt")
		if [ -z "$best" ] || awk "BEGIN { exit !($t < $best) }"; then
			best=$t
		fi
		[ "$m" -gt "$rss" ] && rss=$m
		i=$((i + 1))
	done
	svg=$(wc -c < "$scratch/out.svg")
	awk -v n="$1" -v s="$size" -v t="$best" -v r="$rss" -v o="$svg" \
	    'BEGIN { mb = s / 1e6; rate = t > 0 ? mb / t : 0
	    verdict = ""
	    if (n ~ /^200k/)
		verdict = (rate >= 250 ? "ok" : "SLOW") "/" \
		    (r * 1024 <= s ? "ok" : "BIG")
	    printf "%-16s %8.1f %8.2f %9.0f %10.1f %9.1f  %s\n", n, mb, t,
		rate, r / 1024, o / 1e6, verdict }'
}

echo "ffreport flamegraph, best of $runs runs ($(nproc) CPUs)"
printf "%-16s %8s %8s %9s %10s %9s  %s\n" input "MB" "s" "MB/s" \
    "RSS MB" "SVG MB" "target (rate/RSS)"
for name in 20k 200k 200k-shuffled 200k-diff; do
	bench "$name"
done
