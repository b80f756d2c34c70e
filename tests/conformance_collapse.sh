#!/bin/sh
# conformance_collapse.sh -- every case of ../shared/conformance/collapse-*
# through `ffagent collapse`, compared byte for byte with the reference.
#
# Cases (see the conformance README):
#   collapse-perf/NAME.txt     NAME.expected.OPT, OPT = default or a flag
#   collapse-dtrace/NAME.txt   NAME.expected
#   collapse-pmc/NAME.txt      NAME.expected, or NAME.expected.event-EVENT
# Exits 77 (skipped) when the reference data is absent.
set -u
dir=${FF_SHARED_DIR:-}/conformance
bin=${FF_BUILD_DIR:-build}/bin/ffagent
if [ -z "${FF_SHARED_DIR:-}" ] || [ ! -d "$dir/collapse-perf" ]; then
	echo "conformance data not found: skipped"
	exit 77
fi
[ -x "$bin" ] || { echo "no $bin" >&2; exit 1; }
out=$(mktemp) || exit 1
trap 'rm -f "$out"' EXIT INT TERM
failed=0

# check FORMAT EXPECTED INPUT [OPTION...]
check() {
	fmt=$1 expected=$2 input=$3
	shift 3
	if "$bin" collapse --format "$fmt" "$@" "$input" >"$out" 2>/dev/null &&
	    cmp -s "$out" "$expected"; then
		eval "pass_$fmt=\$((pass_$fmt + 1))"
	else
		eval "fail_$fmt=\$((fail_$fmt + 1))"
		failed=1
		echo "FAIL $fmt $(basename "$expected") ($*)"
	fi
}

pass_perf=0 fail_perf=0 pass_dtrace=0 fail_dtrace=0 pass_pmc=0 fail_pmc=0
for exp in "$dir"/collapse-perf/*.expected.*; do
	opt=${exp##*.expected.}
	in=${exp%.expected.*}.txt
	if [ "$opt" = default ]; then
		check perf "$exp" "$in"
	else
		check perf "$exp" "$in" "--$opt"
	fi
done
for exp in "$dir"/collapse-dtrace/*.expected; do
	check dtrace "$exp" "${exp%.expected}.txt"
done
for exp in "$dir"/collapse-pmc/*.expected*; do
	case $exp in
	*.expected.event-*)
		check pmc "$exp" "${exp%.expected.event-*}.txt" \
		    --event "${exp##*.expected.event-}" ;;
	*)	check pmc "$exp" "${exp%.expected}.txt" ;;
	esac
done
for f in perf dtrace pmc; do
	eval "echo \"collapse-$f: \$pass_$f passed, \$fail_$f failed\""
done
exit $failed
