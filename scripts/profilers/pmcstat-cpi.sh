#!/bin/sh
# pmcstat-cpi.sh -- FreeBSD: two hardware events sampled with callchains on
# every CPU (cycles and instructions for CPI, or stall cycles and cycles),
# printed as `pmcstat -R FILE -G OUT` callchains on standard output
# (ffagent's pmc format: one "@ EVENT [N samples]" section per event).
#
#   pmcstat-cpi.sh [SECONDS]
#
# Environment (set by `ffagent run` from the [profile] section):
#   FF_DURATION_S   how long to sample (duration_s; default 60)
#   FF_EVENTS       the two events, as `pmcstat -L` names them (events;
#                   default CPU_CLK_UNHALTED.THREAD_P,INST_RETIRED.ANY_P,
#                   Intel); the same names head the sections of the
#                   output, so events in agent.conf must match them.  For
#                   stalls on Intel: RESOURCE_STALLS.ANY,CPU_CLK_UNHALTED.THREAD_P
#   FF_PERIODS      events between samples, per event (periods; default
#                   1000003 each)
#   FF_DEPTH        deepest callchain kept (default 64)
#   TMPDIR          where pmcstat's log goes while it runs
#
# agent.conf:
#   [profile cpi]
#   command = /usr/local/share/flamefleet/profilers/pmcstat-cpi.sh
#   format = pmc
#   type = cpi
#   events = CPU_CLK_UNHALTED.THREAD_P,INST_RETIRED.ANY_P
#   periods = 1000003,1000003
#   duration_s = 60
#   timeout_s = 300
#
# Needs root and hwpmc (kldload hwpmc).
set -eu
secs=${1:-${FF_DURATION_S:-60}}
events=${FF_EVENTS:-CPU_CLK_UNHALTED.THREAD_P,INST_RETIRED.ANY_P}
periods=${FF_PERIODS:-}
depth=${FF_DEPTH:-64}
command -v pmcstat >/dev/null 2>&1 || { echo "pmcstat-cpi.sh: pmcstat not found" >&2; exit 127; }
args=
rest=$events
prest=$periods
while [ -n "$rest" ]; do
	ev=${rest%%,*}
	p=${prest%%,*}
	[ -n "$p" ] || p=1000003
	args="$args -n $p -S $ev"
	case $rest in *,*) rest=${rest#*,} ;; *) rest= ;; esac
	case $prest in *,*) prest=${prest#*,} ;; *) prest= ;; esac
done
dir=$(mktemp -d "${TMPDIR:-/tmp}/ffpmc.XXXXXX")
trap 'rm -rf "$dir"' EXIT
trap 'exit 1' INT TERM
# shellcheck disable=SC2086
pmcstat $args -O "$dir/samples.pmc" sleep "$secs" >/dev/null 2>&1 || {
	echo "pmcstat-cpi.sh: pmcstat failed (root? kldload hwpmc? event names?)" >&2
	exit 1
}
pmcstat -R "$dir/samples.pmc" -z "$depth" -G "$dir/callchains.txt" \
    >/dev/null 2>&1 || {
	echo "pmcstat-cpi.sh: pmcstat -R failed" >&2
	exit 1
}
cat "$dir/callchains.txt"
