#!/bin/sh
# detect.sh -- how well ffdiff --check finds regressions, over many seeds.
#
#   scripts/bench/detect.sh [SEEDS] [JOBS]      (default 200 seeds, 2 jobs)
#
# For each seed, ffgen-fleet simulates three builds of 50 hosts each: A and
# A2 (the same program: an A/A comparison) and B (A plus +0.2 pp of self
# time in one function chosen by the seed).  For 5, 10, 20 and 50 hosts
# per side it runs A vs A2 and A vs B and reports, per host count:
#   false positives  A/A comparisons that said REGRESSED
#   detected         A/B comparisons that said REGRESSED
#   ranked first     ... with the injected function as the top regression
#   not SAME         A/B comparisons that said REGRESSED or INCONCLUSIVE
# Targets: A/A REGRESSED <= 1%; A/B at 20 hosts detected >= 95% and ranked
# first; A/B at 5 hosts not SAME >= 90%.
set -eu
cd "$(dirname "$0")/../.."
bin=$PWD/build/bin

# One seed: prints "n pair exit-code rank" lines (internal mode).
if [ "${1:-}" = "--one-seed" ]; then
	seed=$2 dir=$3/s$2
	"$bin/ffgen-fleet" --out "$dir" --hosts 50 --builds A,A2,B \
	    --inject auto:0.2 --inject-build B --universe 6000 \
	    --samples 30000 --seed "$seed" --level 1 -q
	fn=$(awk -F'\t' '$1 == "inject" { print $2 }' "$dir/truth.tsv")
	for n in 5 10 20 50; do
		for pair in A2 B; do
			sub=$dir/n$n$pair
			mkdir -p "$sub/base" "$sub/new"
			for f in $(ls "$dir/A"/*.ffp | head -n "$n"); do
				ln -s "$f" "$sub/base/"
			done
			for f in $(ls "$dir/$pair"/*.ffp | head -n "$n"); do
				ln -s "$f" "$sub/new/"
			done
			rc=0
			out=$("$bin/ffdiff" --check --base-dir "$sub/base" \
			    --new-dir "$sub/new" --limit 100000 --no-cpi) || rc=$?
			rank=$(printf '%s\n' "$out" | awk -v f="$fn" '
				/^REGRESSIONS/ { in_r = 1; next }
				/^$/ { in_r = 0 }
				in_r && $1 != "function" && !seen[$1]++ {
					k++; if ($1 == f) { print k; exit } }')
			echo "$n $pair $rc ${rank:-0}"
		done
	done
	rm -rf "$dir"
	exit 0
fi

seeds=${1:-200}
jobs=${2:-2}
scripts/build.sh release >/dev/null
work=$(mktemp -d "${TMPDIR:-/tmp}/ffdetect.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
results=$work/results
start=$(date +%s)
seq 1 "$seeds" | xargs -P "$jobs" -I{} "$0" --one-seed {} "$work" > "$results"
echo "detect.sh: $seeds seeds in $(( $(date +%s) - start )) s" >&2

awk '
{ n = $1; pair = $2; rc = $3; rank = $4; cnt[n, pair]++
  if (pair == "A2" && rc == 1) fp[n]++
  if (pair == "B" && rc == 1) det[n]++
  if (pair == "B" && rc == 1 && rank == 1) first[n]++
  if (pair == "B" && rc != 0) notsame[n]++
  if (pair == "A2" && rc == 3) aainc[n]++ }
END {
  printf "%-6s %10s %12s %10s %10s %12s %14s\n", "hosts", "seeds", "A/A REGR.", "A/A INC.", "detected", "ranked 1st", "A/B not SAME"
  split("5 10 20 50", ns, " ")
  for (i = 1; i <= 4; i++) { n = ns[i]; s = cnt[n, "A2"]
    printf "%-6s %10d %11.1f%% %9.1f%% %9.1f%% %11.1f%% %13.1f%%\n", n, s,
      100 * fp[n] / s, 100 * aainc[n] / s, 100 * det[n] / s,
      100 * first[n] / s, 100 * notsame[n] / s }
}' "$results"
