#!/bin/sh
# compare-releases.sh -- did release NEW make the fleet slower than BASE?
#
#   scripts/ci/compare-releases.sh BASE NEW
#
# For CI jobs.  Compares the profiles of build BASE with those of build NEW
# (ffdiff --check) and writes, into the artefacts directory:
#   report.html   the self-contained HTML report (open it from disk)
#   verdict.json  the verdict and every tested function's statistics
#   junit.xml     one failed test case per regressed function
#   diff.svg      the differential flame graph
# The exit code is the verdict's: 0 SAME, 1 REGRESSED, 3 INCONCLUSIVE,
# 2 usage or data error.
#
# Where the profiles are (one of):
#   FLAMEFLEET_DB=PATH     a store's database file (ffdiff --db)
#   FLAMEFLEET_URL=URL     a running ffstore serve (its /v1/compare API;
#                          needs curl); FLAMEFLEET_TOKEN for a bearer token
# Options:
#   FLAMEFLEET_TYPE=T          profile type to compare (default cpu)
#   FLAMEFLEET_ARTEFACTS=DIR   where the files go (default ./flamefleet)
#   FLAMEFLEET_SELECT=TERMS    extra selection terms for both sides,
#                              e.g. "since=-24h,label.site=ams2"
#   FLAMEFLEET_ARGS="..."      extra ffdiff options (with FLAMEFLEET_DB),
#                              e.g. "--threshold 0.2 --normalize-by gbps"
#   FFDIFF=PATH                the ffdiff binary (default: on PATH, or the
#                              build tree next to this script)
set -eu

usage() {
	sed -n '3,27p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}
[ $# -eq 2 ] || usage
base=$1 new=$2
type=${FLAMEFLEET_TYPE:-cpu}
out=${FLAMEFLEET_ARTEFACTS:-flamefleet}
extra=${FLAMEFLEET_SELECT:-}
mkdir -p "$out"

sel() {
	if [ -n "$extra" ]; then echo "build=$1,$extra"; else echo "build=$1"; fi
}

if [ -n "${FLAMEFLEET_DB:-}" ]; then
	ffdiff=${FFDIFF:-}
	if [ -z "$ffdiff" ]; then
		ffdiff=$(command -v ffdiff 2>/dev/null || true)
		here=$(cd "$(dirname "$0")/../.." && pwd)
		[ -n "$ffdiff" ] || ffdiff=$here/build/bin/ffdiff
	fi
	rc=0
	# shellcheck disable=SC2086
	"$ffdiff" --db "$FLAMEFLEET_DB" --base "$(sel "$base")" \
	    --new "$(sel "$new")" --type "$type" --check \
	    --html "$out/report.html" --json "$out/verdict.json" \
	    --junit "$out/junit.xml" --svg "$out/diff.svg" \
	    ${FLAMEFLEET_ARGS:-} || rc=$?
	exit "$rc"
fi

if [ -n "${FLAMEFLEET_URL:-}" ]; then
	command -v curl >/dev/null 2>&1 || {
		echo "compare-releases.sh: FLAMEFLEET_URL needs curl" >&2
		exit 2
	}
	enc() { # percent-encode for a query string
		printf '%s' "$1" | od -An -tx1 -v | tr -d ' \n' |
		    sed 's/\(..\)/%\1/g'
	}
	q="base=$(enc "$(sel "$base")")&new=$(enc "$(sel "$new")")&type=$(enc "$type")"
	url=${FLAMEFLEET_URL%/}/v1/compare?$q
	auth=""
	[ -n "${FLAMEFLEET_TOKEN:-}" ] && auth="Authorization: Bearer $FLAMEFLEET_TOKEN"
	for f in json:verdict.json html:report.html junit:junit.xml svg:diff.svg; do
		fmt=${f%%:*} file=${f#*:}
		if ! curl -fsS --max-time 300 ${auth:+-H "$auth"} \
		    -o "$out/$file" "$url&format=$fmt"; then
			echo "compare-releases.sh: cannot fetch $fmt from $url" >&2
			exit 2
		fi
	done
	rc=$(sed -n 's/^ *"exit_code": *\([0-9]*\).*/\1/p' "$out/verdict.json" |
	    head -n 1)
	verdict=$(sed -n 's/^ *"verdict": *"\([A-Z]*\)".*/\1/p' \
	    "$out/verdict.json" | head -n 1)
	echo "flamefleet: $verdict ($base -> $new); files in $out/"
	exit "${rc:-2}"
fi

echo "compare-releases.sh: set FLAMEFLEET_DB or FLAMEFLEET_URL" >&2
exit 2
