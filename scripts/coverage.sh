#!/bin/sh
# coverage.sh -- build with gcov instrumentation, run the tests, report
# line and branch coverage with gcovr.
#
#   scripts/coverage.sh [--min PERCENT] [-E REGEX]
#
#   --min PERCENT  exit 1 when the branch coverage of an area below is
#                  under PERCENT (e.g. --min 85)
#   -E REGEX       tests to leave out (ctest -E); default: the browser
#                  tests (they need chromium and take minutes) and the
#                  crash test (hundreds of kill -9 rounds).
#
# Builds with -DCOVERAGE=ON (gcc --coverage, see CMakeLists.txt) into
# build-coverage/, runs ctest there, and writes:
#   build-coverage/coverage/index.html     the report, file by file
#   build-coverage/coverage/coverage.json  gcovr's data (for -a/--add-tracefile)
#   build-coverage/coverage/summary.txt    the table printed at the end
#
# The areas (issue 8): all of profile/; the collapsers; the store's ingest
# path with the profile modules it calls to validate a body.
#
# Exclusions: gcovr's markers in the sources (GCOVR_EXCL_LINE,
# GCOVR_EXCL_BR_LINE, ..._START/_STOP; each has a comment saying why), and,
# here, the branches of assert() lines: an assert's failing side is an
# impossible state by definition (a test that reached it would be a bug
# report).  The table shows the branch figure with assert lines counted
# too, so nothing is hidden.
set -eu
cd "$(dirname "$0")/.."

min=""
exclude='browser|store_crash'
while [ $# -gt 0 ]; do
	case "$1" in
	--min) min=${2:?}; shift 2 ;;
	-E) exclude=${2:?}; shift 2 ;;
	*) echo "usage: $0 [--min PERCENT] [-E REGEX]" >&2
	   exit 2 ;;
	esac
done

scripts/deps.sh --coverage
dir=build-coverage
out=$dir/coverage
# Always (incrementally) rebuilt: an object older than its source would
# write counts that do not match the other objects' notes.
scripts/build.sh coverage "$dir"

# Counts from earlier runs would add up: start from zero.
find "$dir" -name '*.gcda' -exec rm -f {} +
rm -rf "$out"
mkdir -p "$out"

echo "== ctest (-E '$exclude')"
tests_ok=1
(cd "$dir" && ctest --output-on-failure -j 2 -E "$exclude") || tests_ok=0

# One gcov pass over the whole tree (our sources only), then every report
# is read from its JSON.  -j is not used: gcovr 5.2 hangs when a worker
# fails to parse a file instead of reporting it.
echo "== gcovr"
gcovr -r . --object-directory "$dir" \
    --filter 'profile/' --filter 'agent/' --filter 'store/' \
    --filter 'report/' --filter 'diff/' \
    --exclude-unreachable-branches \
    --json "$out/coverage-asserts.json"
gcovr -r . --object-directory "$dir" \
    --filter 'profile/' --filter 'agent/' --filter 'store/' \
    --filter 'report/' --filter 'diff/' \
    --exclude-unreachable-branches \
    --exclude-branches-by-pattern '.*[^A-Za-z_]assert\(' \
    --json "$out/coverage.json"
gcovr -a "$out/coverage.json" --html-details "$out/index.html" \
    --html-title "flamefleet coverage" >/dev/null

profile='profile/'
collapsers='agent/(collapse|perf|dtrace|pmc|procstat)\.c'
ingest_store='store/(upload|prep|put|ingest)\.c'
ingest_profile='profile/(ffp|fold|src|zst)\.c'

# figure KIND -- "12.3% (45/67)" from gcovr's "KIND: 12.3% (45 out of 67)"
figure() {
	sed -n "s/^$1: \([0-9.]*%\) (\([0-9]*\) out of \([0-9]*\)).*/\1 (\2\/\3)/p"
}

# area NAME FILTER... -- per-file branch table, then one summary row
area() {
	name=$1
	shift
	filters=""
	for f in "$@"; do
		filters="$filters --filter $f"
	done
	echo "== $name: branches per file"
	# shellcheck disable=SC2086
	gcovr -a "$out/coverage.json" $filters --txt -b | sed -n '/^File/,$p'
	# shellcheck disable=SC2086
	s=$(gcovr -a "$out/coverage.json" $filters -s | tail -3)
	# shellcheck disable=SC2086
	a=$(gcovr -a "$out/coverage-asserts.json" $filters -s | tail -3)
	line=$(echo "$s" | figure lines)
	br=$(echo "$s" | figure branches)
	bra=$(echo "$a" | figure branches | cut -d' ' -f1)
	printf '%-12s %-22s %-22s %s\n' "$name" "$br" "$line" "$bra" \
	    >>"$out/summary.txt"
}

printf '%-12s %-22s %-22s %s\n' area branches lines \
    'branches (asserts too)' >"$out/summary.txt"
area profile "$profile"
area collapsers "$collapsers"
area ingest "$ingest_store" "$ingest_profile"

echo "== summary (report: $out/index.html)"
cat "$out/summary.txt"

status=0
if [ $tests_ok -eq 0 ]; then
	echo "coverage.sh: some tests failed (see above)" >&2
	status=1
fi
if [ -n "$min" ]; then
	if ! awk -v min="$min" 'NR > 1 { sub("%", "", $2);
	    if ($2 + 0 < min + 0) { print "coverage.sh: " $1 " branches " \
	    $2 "% < " min "%"; bad = 1 } } END { exit bad }' \
	    "$out/summary.txt" >&2; then
		status=1
	fi
fi
exit $status
