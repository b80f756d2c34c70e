#!/bin/sh
# collapse.sh -- how fast `ffagent collapse` reads profiler text, and how
# much memory it needs.
#
#   scripts/bench/collapse.sh [RUNS]          (default 5)
#
# Builds ffagent and ffgen-perfgen (Release, in build-bench/), generates
# ~200 MB of `perf script` text (50,000 distinct stacks) and ~100 MB of
# DTrace text into a scratch directory (FF_BENCH_DIR, default
# $TMPDIR/ffbench-collapse; kept between runs), then collapses each RUNS
# times after one warm-up run (the input is then in the page cache) and
# prints MB/s of input (wall clock and CPU time, best and median) and the
# peak RSS, from /usr/bin/time -v (package `time`: scripts/deps.sh
# --bench).  Targets (issue 2): perf >= 450 MB/s, DTrace >= 400 MB/s,
# peak RSS <= 32 MB on the perf input.
set -eu
cd "$(dirname "$0")/../.."
runs=${1:-5}
case $runs in *[!0-9]*|''|0) echo "usage: $0 [RUNS]" >&2; exit 2 ;; esac
[ -x /usr/bin/time ] || {
	echo "collapse.sh: needs /usr/bin/time (scripts/deps.sh --bench)" >&2
	exit 2
}
dir=${FF_BENCH_DIR:-${TMPDIR:-/tmp}/ffbench-collapse}
build=build-bench
mkdir -p "$dir"

echo "== building (Release, $build/)"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" --target ffagent ffgen-perfgen -j2 >/dev/null
bin=$build/bin

# gen NAME ARGS...: generate $dir/NAME once (same seed, same bytes).
gen() {
	name=$1
	shift
	if [ ! -s "$dir/$name" ]; then
		echo "== generating $dir/$name"
		"$bin/ffgen-perfgen" "$@" -o "$dir/$name.tmp"
		mv "$dir/$name.tmp" "$dir/$name"
	fi
}
gen perf-200M.txt --format perf --size 200M --stacks 50000 --seed 1
gen dtrace-100M.txt --format dtrace --size 100M --stacks 50000 --seed 1

# stat FILE KEY: a field of /usr/bin/time -v output.
field() {
	sed -n "s/^[[:space:]]*$2: //p" "$1"
}

# seconds H:MM:SS.ss or M:SS.ss -> seconds
seconds() {
	echo "$1" | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }'
}

# bench LABEL FORMAT FILE
bench() {
	label=$1 fmt=$2 in=$dir/$3
	bytes=$(wc -c < "$in")
	"$bin/ffagent" collapse --format "$fmt" "$in" >"$dir/out.folded"
	stacks=$(wc -l < "$dir/out.folded")
	: >"$dir/times"
	i=0
	while [ "$i" -lt "$runs" ]; do
		/usr/bin/time -v -o "$dir/time.txt" \
		    "$bin/ffagent" collapse --format "$fmt" "$in" >/dev/null
		wall=$(seconds "$(field "$dir/time.txt" \
		    'Elapsed (wall clock) time (h:mm:ss or m:ss)')")
		cpu=$(awk -v u="$(field "$dir/time.txt" 'User time (seconds)')" \
		    -v s="$(field "$dir/time.txt" 'System time (seconds)')" \
		    'BEGIN { print u + s }')
		rss=$(field "$dir/time.txt" 'Maximum resident set size (kbytes)')
		echo "$wall $cpu $rss" >>"$dir/times"
		i=$((i + 1))
	done
	awk -v label="$label" -v mb="$(echo "$bytes" | awk '{ print $1 / 1e6 }')" \
	    -v stacks="$stacks" -v runs="$runs" '
	{ w[NR] = $1; c[NR] = $2; if ($3 > rss) rss = $3 }
	function sort(a, n,   i, j, t) {
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
				t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
			}
	}
	END {
		sort(w, NR); sort(c, NR)
		m = int((NR + 1) / 2)
		printf "%-7s %6.1f MB in, %6d stacks out, %d runs\n", label, mb, stacks, runs
		printf "        wall: best %6.1f MB/s (%.2f s), median %6.1f MB/s\n", mb / w[1], w[1], mb / w[m]
		printf "        cpu:  best %6.1f MB/s (%.2f s), median %6.1f MB/s\n", mb / c[1], c[1], mb / c[m]
		printf "        peak RSS %.1f MB\n", rss / 1024
	}' "$dir/times"
}

echo "== ffagent collapse ($(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo ?))"
bench perf perf perf-200M.txt
bench dtrace dtrace dtrace-100M.txt
