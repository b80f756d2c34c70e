#!/bin/sh
# perf-cpu.sh -- Linux: on-CPU stacks of the whole machine with perf,
# printed as `perf script` text on standard output (ffagent's perf format).
#
#   perf-cpu.sh [SECONDS]
#
# Samples every CPU at FF_HZ (default 99 Hz: off the 100 Hz beat of timer
# work) with call graphs for SECONDS (default $FF_DURATION_S, else 60),
# then prints the samples.  perf's own chatter goes to /dev/null; errors
# go to standard error and the exit status is perf's.
#
# Environment (set by `ffagent run` from the [profile] section):
#   FF_DURATION_S   how long to sample (duration_s)
#   FF_HZ           sampling frequency (default 99)
#   FF_CALLGRAPH    perf's --call-graph mode: fp (default), dwarf, lbr
#   TMPDIR          where perf's data file goes while it runs
#
# agent.conf:
#   [profile cpu]
#   command = /usr/local/share/flamefleet/profilers/perf-cpu.sh
#   format = perf
#   type = cpu
#   duration_s = 60
#   timeout_s = 180
#
# Needs perf (linux-perf / linux-tools) and the right to sample the whole
# system: root, or kernel.perf_event_paranoid <= -1.
set -eu
secs=${1:-${FF_DURATION_S:-60}}
hz=${FF_HZ:-99}
cg=${FF_CALLGRAPH:-fp}
command -v perf >/dev/null 2>&1 || { echo "perf-cpu.sh: perf not found" >&2; exit 127; }
data=$(mktemp "${TMPDIR:-/tmp}/ffperf.XXXXXX")
trap 'rm -f "$data" "$data.old"' EXIT
trap 'exit 1' INT TERM
perf record -F "$hz" -a --call-graph "$cg" -o "$data" -q -- sleep "$secs" \
    >/dev/null 2>&1 || {
	echo "perf-cpu.sh: perf record failed (root, or perf_event_paranoid?)" >&2
	exit 1
}
perf script -i "$data" 2>/dev/null
