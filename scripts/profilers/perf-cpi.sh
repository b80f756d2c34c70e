#!/bin/sh
# perf-cpi.sh -- Linux: cycles and instructions sampled with call graphs,
# printed as `perf script` text on standard output, for a two-column
# (CPI) profile.
#
#   perf-cpi.sh [SECONDS]
#
# Samples two hardware events on every CPU with call graphs, each every
# PERIOD events, for SECONDS (default $FF_DURATION_S, else 60).  Each
# sample carries its period, so the collapsed counts are events, and
# cycles / instructions per stack is its CPI.  Stall cycles and cycles
# work the same way: set FF_EVENTS (and events in agent.conf) to, e.g.,
# "stalled-cycles-backend,cycles" where the CPU has them.
#
# Environment (set by `ffagent run` from the [profile] section):
#   FF_DURATION_S   how long to sample (duration_s)
#   FF_EVENTS       the two events (events; default cycles,instructions)
#   FF_PERIODS      their sampling periods (periods; default 2000003 each,
#                   a prime so sampling does not beat with loops)
#   FF_CALLGRAPH    perf's --call-graph mode: fp (default), dwarf, lbr
#   TMPDIR          where perf's data file goes while it runs
#
# agent.conf:
#   [profile cpi]
#   command = /usr/local/share/flamefleet/profilers/perf-cpi.sh
#   format = perf
#   type = cpi
#   events = cycles,instructions
#   periods = 2000003,2000003
#   duration_s = 60
#   timeout_s = 180
#
# Needs perf and hardware counters (not in most virtual machines).
set -eu
secs=${1:-${FF_DURATION_S:-60}}
events=${FF_EVENTS:-cycles,instructions}
periods=${FF_PERIODS:-}
cg=${FF_CALLGRAPH:-fp}
command -v perf >/dev/null 2>&1 || { echo "perf-cpi.sh: perf not found" >&2; exit 127; }
# -e EVENT/period=P/ for each event.
args=
rest=$events
prest=$periods
while [ -n "$rest" ]; do
	ev=${rest%%,*}
	p=${prest%%,*}
	[ -n "$p" ] || p=2000003
	args="$args -e $ev/period=$p/"
	case $rest in *,*) rest=${rest#*,} ;; *) rest= ;; esac
	case $prest in *,*) prest=${prest#*,} ;; *) prest= ;; esac
done
data=$(mktemp "${TMPDIR:-/tmp}/ffperf.XXXXXX")
trap 'rm -f "$data" "$data.old"' EXIT
trap 'exit 1' INT TERM
# shellcheck disable=SC2086
perf record $args -a --call-graph "$cg" -o "$data" -q -- sleep "$secs" \
    >/dev/null 2>&1 || {
	echo "perf-cpi.sh: perf record failed (hardware counters? root?)" >&2
	exit 1
}
perf script -i "$data" 2>/dev/null
