#!/bin/sh
# agent_spoolfull.sh -- ffagent with its spool on a full file system (a
# 128 KiB tmpfs; skipped unless run as root where mounting works):
#
#   profiles spooled while the store is down stay intact when the disk
#   fills up; `ffagent push` and `ffagent run` then report "No space left
#   on device", exit non-zero (1 and 3, as --help documents) and leave no
#   temp file; `ffagent status` still works; with the store up, a flush on
#   the still-full disk uploads every spooled profile, exactly once, even
#   when the oldest one is refused (400) and its reason cannot be written
#   next to it in rejected/; once there is room again, push works.
. "$(dirname "$0")/store_lib.sh"

A=$B/ffagent
[ -x "$A" ] || { echo "skip: $A not built" >&2; exit 77; }
[ "$(id -u)" = 0 ] ||
    { echo "skip: not root (needs a small tmpfs)" >&2; exit 77; }
MNT=$T/mnt
mkdir "$MNT"
mount -t tmpfs -o size=128k,mode=0755 ffspooltest "$MNT" 2>/dev/null ||
    { echo "skip: cannot mount a tmpfs" >&2; exit 77; }
AGENT_PID=
umount_it() {
	[ -z "$AGENT_PID" ] || kill "$AGENT_PID" 2>/dev/null || true
	umount "$MNT" 2>/dev/null || umount -l "$MNT" 2>/dev/null || true
	cleanup
}
trap umount_it EXIT INT TERM

SP=$MNT/spool
DB=$T/store.db
conf() {  # conf URL
	printf '%s\n' "server = $1" "spool_dir = $SP" "host = cache-full" \
	    "build_file = $T/release" "splay_s = 0" "deadline_s = 1" \
	    "connect_timeout_s = 1" "[profile cpu]" \
	    "command = cat $T/prof.folded" "format = folded" "type = cpu" \
	    >"$T/agent.conf"
}
echo 2026.11.5 >"$T/release"
awk 'BEGIN { for (i = 0; i < 300; i++)
    printf "main;f%d;g%d %d\n", i, i * 7, i + 1 }' >"$T/prof.folded"
push() {  # push N: exit status in $st, messages in $T/err
	st=0
	"$A" push --config "$T/agent.conf" --build 2026.11.5 --type cpu \
	    --label "n=$1" "$T/prof.folded" 2>"$T/err" || st=$?
}
spooled() { ls "$SP" | grep -c '\.ffp$' || true; }
sums() { (cd "$SP" && cksum -- *.ffp); }
no_temps() {
	! ls -a "$SP" | grep -q '^\.tmp-' || fail "$1: a temp file was left"
}

# The store is down: two profiles wait in the spool.
start_server "$DB"
DOWN=$URL
stop_server TERM
conf "$DOWN"
push 1
check_eq "store down: push 1" "$st" 1
push 2
check_eq "store down: push 2" "$st" 1
check_eq "spooled" "$(spooled)" 2
# And an older one the store will refuse (400).
printf 'not a profile' >"$SP/000000000001.000000000-1-d0-bad.ffp"
sums >"$T/before"

# The disk fills up.
dd if=/dev/zero of="$MNT/filler" bs=1024 2>/dev/null || true
[ "$(df -k "$MNT" | awk 'NR == 2 { print $4 }')" = 0 ] ||
    fail "the tmpfs is not full"
push 3
check_eq "full disk: push exit" "$st" 1
grep -q "No space left on device" "$T/err" || fail "push: $(cat "$T/err")"
no_temps push
st=0
"$A" run --config "$T/agent.conf" --now 2>"$T/err" || st=$?
check_eq "full disk: run exit" "$st" 3
grep -q "No space left on device" "$T/err" || fail "run: $(cat "$T/err")"
no_temps run
sums >"$T/after"
cmp -s "$T/before" "$T/after" || fail "the spooled profiles changed"
"$A" status --config "$T/agent.conf" >"$T/status" 2>&1 ||
    fail "status: $(cat "$T/status")"

# The store is up, the disk still full: everything is uploaded, the bad
# one moved aside even though its reason does not fit.
start_server "$DB"
conf "$URL"
st=0
"$A" flush --config "$T/agent.conf" 2>"$T/err" || st=$?
check_eq "flush exit (one rejected)" "$st" 1
grep -q "moved to .*rejected" "$T/err" || fail "flush: $(cat "$T/err")"
check_eq "spool drained" "$(spooled)" 0
[ -f "$SP/rejected/000000000001.000000000-1-d0-bad.ffp" ] ||
    fail "the refused profile is not in rejected/"
[ ! -f "$SP/rejected/000000000001.000000000-1-d0-bad.why" ] ||
    [ -s "$SP/rejected/000000000001.000000000-1-d0-bad.why" ] ||
    fail "an empty .why was left"

# Room again: push works.
rm -f "$MNT/filler"
push 4
check_eq "push with room again" "$st" 0
stop_server TERM
"$B/ffstore" ls --db "$DB" --json >"$T/ls"
check_eq "stored profiles" "$(grep -o '"hash"' "$T/ls" | wc -l | tr -d ' ')" 3
for n in 1 2 4; do
	check_eq "profile n=$n stored once" \
	    "$(grep -o "\"n\":\"$n\"" "$T/ls" | wc -l | tr -d ' ')" 1
done
check_eq "check" "$("$B/ffstore" check --db "$DB")" ok
echo "agent_spoolfull: 3 profiles kept through a full 128 KiB spool and" \
    "uploaded once; push and run report ENOSPC"
