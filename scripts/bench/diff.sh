#!/bin/sh
# diff.sh -- how fast ffdiff compares builds.
#
#   scripts/bench/diff.sh [BUILD_DIR] [WORK_DIR]    (default build,
#                                                   $TMPDIR/ffbench-diff)
#
# (a) 1,000 vs 1,000 host profiles from a store (ffgen-fleet --hosts 1000
#     --universe 50000 --samples 8500, ~5,000 distinct stacks each, loaded
#     with ffstore load): the verdict (ffdiff --db --check --json) and the
#     differential profile, wall time and peak RSS.
#     Target: <= 2 s and <= 300 MB.
# (b) two folded files of the same 200,000 distinct stacks with different
#     counts (~173 MB each, from ffgen-foldgen --two; sorted, as every
#     flamefleet writer emits them, and shuffled): ffdiff A B, MB/s of
#     input and peak RSS.
#     Target: >= 600 MB/s.
# Best of RUNS (default 3) runs; inputs are kept in WORK_DIR.
set -eu
cd "$(dirname "$0")/../.."
build=${1:-build}
work=${2:-${TMPDIR:-/tmp}/ffbench-diff}
RUNS=${RUNS:-3}
bin=$PWD/$build/bin
for p in ffstore ffdiff ffgen-fleet ffgen-foldgen; do
	[ -x "$bin/$p" ] || { echo "diff.sh: $bin/$p not built" >&2; exit 1; }
done
[ -x /usr/bin/time ] ||
    { echo "diff.sh: needs /usr/bin/time (scripts/deps.sh --bench)" >&2; exit 1; }
mkdir -p "$work"

# best CMD...: the fastest of RUNS runs as "seconds max-rss-KB".
best() {
	b=""
	i=0
	while [ $i -lt "$RUNS" ]; do
		/usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>&1 ||
		    [ $? -le 3 ] || { echo "diff.sh: $* failed" >&2; exit 1; }
		# time(1) writes "Command exited with non-zero status N" first
		# when the command fails (ffdiff --check exits 1 on a regression).
		t=$(tail -n 1 "$work/time")
		if [ -z "$b" ] || awk -v a="${t%% *}" -v c="${b%% *}" \
		    'BEGIN { exit !(a < c) }'; then
			b=$t
		fi
		i=$((i + 1))
	done
	echo "$b"
}

echo "== (a) 1,000 vs 1,000 profiles from a store"
fleet=$work/fleet
if [ ! -s "$work/store.db" ]; then
	echo "   generating and loading (once)"
	"$bin/ffgen-fleet" --out "$fleet" --hosts 1000 --universe 50000 \
	    --samples 8500 --inject auto:0.2 --level 1 -q
	"$bin/ffstore" load --db "$work/store.db" "$fleet"/A/*.ffp \
	    "$fleet"/B/*.ffp 2>/dev/null
fi
r=$(best "$bin/ffdiff" --db "$work/store.db" --base build=A --new build=B \
    --check -q --json "$work/verdict.json")
printf '   verdict (--check --json):     %6.2f s, %4d MB peak RSS\n' \
    "${r%% *}" $(( ${r##* } / 1024 ))
r=$(best "$bin/ffdiff" --db "$work/store.db" --base build=A --new build=B)
printf '   differential profile:         %6.2f s, %4d MB peak RSS\n' \
    "${r%% *}" $(( ${r##* } / 1024 ))
r=$(best "$bin/ffdiff" --db "$work/store.db" --base build=A --new build=B \
    --check -q --json "$work/verdict.json" --svg "$work/diff.svg")
printf '   verdict and graph (--svg):    %6.2f s, %4d MB peak RSS\n' \
    "${r%% *}" $(( ${r##* } / 1024 ))
sed -n 's/^ *"verdict": *"\([A-Z]*\)".*/   verdict: \1/p' "$work/verdict.json" |
    head -n 1

echo "== (b) two 200,000-stack folded files"
if [ ! -s "$work/f2.folded" ]; then
	# One program, two runs: a differential profile split in two (the
	# same stacks, different counts), sorted and shuffled.
	"$bin/ffgen-foldgen" -n 200000 --seed 7 --two >"$work/two.folded"
	awk '{ n = NF; c2 = $n; c1 = $(n - 1); $n = ""; $(n - 1) = "";
	    sub(/ +$/, ""); print $0, c1 > f1; print $0, c2 > f2 }' \
	    f1="$work/f1.folded" f2="$work/f2.folded" "$work/two.folded"
	rm -f "$work/two.folded"
	for s in 1 2; do
		awk 'BEGIN { srand(5) } { print rand() "\t" $0 }' \
		    "$work/f$s.folded" | sort -k1,1 | cut -f2- >"$work/s$s.folded"
	done
fi
mb=$(du -cm "$work/f1.folded" "$work/f2.folded" | tail -n 1 | cut -f1)
r=$(best "$bin/ffdiff" "$work/f1.folded" "$work/f2.folded")
printf '   sorted:   %d MB in %.2f s = %.0f MB/s, %d MB peak RSS\n' "$mb" \
    "${r%% *}" "$(awk -v m="$mb" -v t="${r%% *}" 'BEGIN { print m / t }')" \
    $(( ${r##* } / 1024 ))
r=$(best "$bin/ffdiff" "$work/s1.folded" "$work/s2.folded")
printf '   shuffled: %d MB in %.2f s = %.0f MB/s, %d MB peak RSS\n' "$mb" \
    "${r%% *}" "$(awk -v m="$mb" -v t="${r%% *}" 'BEGIN { print m / t }')" \
    $(( ${r##* } / 1024 ))
