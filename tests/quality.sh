#!/bin/sh
# quality.sh -- the verdict on simulated fleets with fixed seeds.
#
# For each seed: 20 hosts per side, A vs A2 (same program) must not be
# REGRESSED; A vs B (+0.2 pp self time injected in one function) must be
# REGRESSED with that function ranked first; 5 hosts per side must not
# say SAME for A vs B.  Also checks the JSON and JUnit views agree.
set -eu
bin=${FF_BUILD_DIR:?}/bin
work=$(mktemp -d "${TMPDIR:-/tmp}/ffquality.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
fail=0

check() { # seed n pair expected-exit-codes...
	seed=$1 n=$2 pair=$3
	shift 3
	dir=$work/s$seed
	sub=$dir/n$n$pair
	mkdir -p "$sub/base" "$sub/new"
	for f in $(ls "$dir/A"/*.ffp | head -n "$n"); do ln -s "$f" "$sub/base/"; done
	for f in $(ls "$dir/$pair"/*.ffp | head -n "$n"); do ln -s "$f" "$sub/new/"; done
	rc=0
	"$bin/ffdiff" --check --base-dir "$sub/base" --new-dir "$sub/new" \
	    --json "$sub/v.json" --junit "$sub/v.xml" > "$sub/out" || rc=$?
	for want in "$@"; do
		[ "$rc" = "$want" ] && return 0
	done
	echo "FAIL seed $seed, $n hosts, A vs $pair: exit $rc, wanted $*" >&2
	head -3 "$sub/out" >&2
	fail=1
	return 1
}

for seed in 11 12 13; do
	dir=$work/s$seed
	"$bin/ffgen-fleet" --out "$dir" --hosts 20 --builds A,A2,B \
	    --inject auto:0.2 --inject-build B --universe 3000 \
	    --samples 20000 --seed "$seed" --level 1 -q
	fn=$(awk -F'\t' '$1 == "inject" { print $2 }' "$dir/truth.tsv")
	check "$seed" 20 A2 0 3 || true
	if check "$seed" 20 B 1; then
		top=$(awk '/^REGRESSIONS/ { getline; getline; print $1; exit }' \
		    "$dir/n20B/out")
		if [ "$top" != "$fn" ]; then
			echo "FAIL seed $seed: top regression $top, injected $fn" >&2
			fail=1
		fi
		grep -q "\"verdict\": \"REGRESSED\"" "$dir/n20B/v.json" || {
			echo "FAIL seed $seed: JSON verdict" >&2; fail=1; }
		grep -q "name=\"$fn\"" "$dir/n20B/v.xml" || {
			echo "FAIL seed $seed: JUnit lacks $fn" >&2; fail=1; }
	fi
	check "$seed" 5 B 1 3 || true
done
[ "$fail" = 0 ] && echo "quality: all seeds passed"
exit "$fail"
