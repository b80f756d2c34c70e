#!/bin/sh
# procstat-offcpu.sh -- FreeBSD: off-CPU stacks by sampling every thread's
# kernel stack with `procstat -kk` at a set rate for a set time, printed
# as repeated snapshots on standard output (ffagent's procstat format).
# Each thread in each snapshot counts once (or its interval in ms, with
# periods in agent.conf), so a stack's count says how long threads waited
# there: in I/O, on locks, in sleeps.
#
#   procstat-offcpu.sh [SECONDS [INTERVAL_MS [PID...]]]
#
# Without PIDs every process is sampled (procstat -kk -a); with PIDs, only
# those.  A snapshot of a busy machine takes tens of milliseconds, so the
# rate stays low (default one snapshot every 200 ms).
#
# Environment (set by `ffagent run` from the [profile] section):
#   FF_DURATION_S   how long to sample (duration_s; default 60)
#   FF_PERIODS      the interval in ms (periods; default 200)
#   FF_PIDS         processes to sample, blank separated (default: all)
#
# agent.conf:
#   [profile offcpu]
#   command = /usr/local/share/flamefleet/profilers/procstat-offcpu.sh
#   format = procstat
#   type = offcpu
#   # each thread in each snapshot counts 200 ms
#   periods = 200
#   duration_s = 60
#   timeout_s = 180
#
# Needs root to see every process's kernel stacks.
set -eu
secs=${1:-${FF_DURATION_S:-60}}
ms=${2:-${FF_PERIODS:-200}}
ms=${ms%%,*}
[ $# -gt 2 ] && shift 2 && pids=$* || pids=${FF_PIDS:-}
command -v procstat >/dev/null 2>&1 || { echo "procstat-offcpu.sh: procstat not found" >&2; exit 127; }
case $ms in ''|*[!0-9]*|0) echo "procstat-offcpu.sh: bad interval '$ms'" >&2; exit 2 ;; esac
n=$((secs * 1000 / ms))
[ $n -ge 1 ] || n=1
pause=$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))
i=0
while [ $i -lt $n ]; do
	if [ -n "$pids" ]; then
		# shellcheck disable=SC2086
		procstat -kk $pids 2>/dev/null || true   # some may have exited
	else
		procstat -kk -a 2>/dev/null
	fi
	echo
	i=$((i + 1))
	[ $i -lt $n ] && sleep "$pause"
done
exit 0
