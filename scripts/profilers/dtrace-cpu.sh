#!/bin/sh
# dtrace-cpu.sh -- FreeBSD (also illumos, macOS): kernel stacks sampled at
# 197 Hz on every CPU for 60 seconds, the classic DTrace recipe, printed
# as DTrace's stack aggregation on standard output (ffagent's dtrace
# format).  On a cache server most CPU time is in the kernel (network,
# storage); set FF_STACK=ustack for user stacks of the processes instead.
#
#   dtrace-cpu.sh [SECONDS]
#
# Environment (set by `ffagent run` from the [profile] section):
#   FF_DURATION_S   how long to sample (duration_s; default 60)
#   FF_HZ           sampling frequency (default 197: prime, off the beat
#                   of periodic work)
#   FF_STACK        stack (kernel, default) or ustack (user)
#   FF_STACKFRAMES  deepest kernel stack kept (default 100)
#
# agent.conf:
#   [profile kcpu]
#   command = /usr/local/share/flamefleet/profilers/dtrace-cpu.sh
#   format = dtrace
#   type = cpu
#   events = cpu-clock
#   # optional: ns between samples at 197 Hz
#   periods = 5076142
#   duration_s = 60
#   timeout_s = 180
#
# Needs root and dtrace (kldload dtraceall on FreeBSD).
set -eu
secs=${1:-${FF_DURATION_S:-60}}
hz=${FF_HZ:-197}
stack=${FF_STACK:-stack}
frames=${FF_STACKFRAMES:-100}
command -v dtrace >/dev/null 2>&1 || { echo "dtrace-cpu.sh: dtrace not found" >&2; exit 127; }
case $stack in
stack) pred='/arg0/' ;;            # samples in the kernel
ustack) pred='/arg1/' ;;           # samples in user space
*) echo "dtrace-cpu.sh: FF_STACK must be stack or ustack" >&2; exit 2 ;;
esac
exec dtrace -q -x stackframes="$frames" -x ustackframes="$frames" -n "
profile-$hz $pred { @[$stack()] = count(); }
tick-${secs}s { exit(0); }"
