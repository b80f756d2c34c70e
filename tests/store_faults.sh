#!/bin/sh
# store_faults.sh -- the store on a failing disk, through the code of the
# real commands (ff-faultstore: `ffstore load` and `ffstore serve` with
# SQLite opened through the failing VFS of tests/faultvfs.c).
#
#   load    a disk that fills up, fails a write or an fsync part way:
#           exit 1 with the storage error and how far it got (no file
#           called bad), `ffstore check` ok, the store holds what it said
#           (an fsync failure may leave its batch complete in the WAL:
#           then more, never less), and the same command stores the rest.
#   serve   201s, then the disk fills (SIGUSR1): 503 with Retry-After and
#           the cause, reads still answered; healthy again (SIGUSR2): the
#           refused uploads get 201 without a restart; a real `ffagent
#           push` started while the disk is full succeeds once it frees
#           up, within its deadline; at the end every acknowledged
#           profile is present exactly once and the check is ok.
. "$(dirname "$0")/store_lib.sh"

command -v curl >/dev/null || { echo "skip: no curl" >&2; exit 77; }
F=$B/ff-faultstore
S=$B/ffstore
for prog in ff-faultstore ffagent; do
	[ -x "$B/$prog" ] || { echo "skip: $B/$prog not built" >&2; exit 77; }
done
gen_fleet "$T/fleet" 6 100
set -- "$T"/fleet/*/*.ffp
NFILES=$#

count() {  # profiles in store $1
	"$S" ls --db "$1" --json | grep -o '"hash":"[0-9a-f]*"' | wc -l |
	    tr -d ' '
}

# ---- ffstore load -----------------------------------------------------------
rounds=0
for spec in full:0 write:8 full:90 full:250 full:400 write:70 write:300:once \
    fsync:2 fsync:12 fsync:9:once; do
	db=$T/load-$rounds.db
	st=0
	FF_FAULTVFS=$spec "$F" load --db "$db" --batch 2 --threads 1 "$@" \
	    2>"$T/load.err" || st=$?
	if [ "$st" = 0 ]; then
		# The fault came after the last commit (a checkpoint): all in.
		check_eq "load $spec: stored" "$(count "$db")" "$NFILES"
	else
		check_eq "load $spec: exit" "$st" 1
		grep -q -E "database or disk is full|disk I/O error" \
		    "$T/load.err" || fail "load $spec: $(cat "$T/load.err")"
		! grep -q " bad" "$T/load.err" ||
		    fail "load $spec: good files called bad: $(cat \
		    "$T/load.err")"
		said=$(sed -n 's/.*stopped after storing \([0-9]*\) of.*/\1/p' \
		    "$T/load.err")
		# Its creation failed part way: read-only commands say what
		# to do rather than "attempt to write a readonly database"
		# (or see an empty file, when the journal is not hot).
		if [ -f "$db-journal" ]; then
			c=$("$S" check --db "$db" 2>&1 || true)
			case $c in
			*"interrupted write must be recovered"*) ;;
			*"not a flamefleet store"*) ;;
			*) fail "load $spec: check after a failed" \
			    "creation: $c" ;;
			esac
		fi
		if [ -n "$said" ]; then
			check_eq "load $spec: check" \
			    "$("$S" check --db "$db")" ok
			have=$(count "$db")
			case $spec in
			fsync*) [ "$have" -ge "$said" ] ||
			    fail "load $spec: $have stored, said $said" ;;
			*) check_eq "load $spec: stored" "$have" "$said" ;;
			esac
		fi
	fi
	echo "load $spec: exit $st: $(cat "$T/load.err")"
	"$S" load --db "$db" -q "$@" 2>"$T/load2.err" ||
	    fail "load $spec again: $(cat "$T/load2.err")"
	check_eq "load $spec again: check" "$("$S" check --db "$db")" ok
	check_eq "load $spec again: stored" "$(count "$db")" "$NFILES"
	rounds=$((rounds + 1))
done

# ---- ffstore serve ----------------------------------------------------------
DB=$T/serve.db
rm -f "$T/port"
FF_FAULTVFS=full:0 "$F" serve --db "$DB" --port-file "$T/port" \
    2>>"$T/server.log" &
SERVER_PID=$!
i=0
while [ ! -s "$T/port" ]; do
	i=$((i + 1))
	[ $i -lt 500 ] || fail "the server did not start"
	kill -0 "$SERVER_PID" 2>/dev/null || fail "the server died"
	sleep 0.02
done
URL=http://127.0.0.1:$(cat "$T/port")
: >"$T/acked"

# post FILE: prints the status; the answer in $T/body, headers in $T/hdr;
# a 2xx's hash goes to $T/acked.
post() {
	curl -s -D "$T/hdr" -o "$T/body" -w '%{http_code}' -X POST \
	    -H 'Content-Type: application/zstd' --data-binary "@$1" \
	    "$URL/v1/profiles" || true
	grep -o '"hash":"[0-9a-f]*"' "$T/body" 2>/dev/null |
	    cut -d'"' -f4 >>"$T/acked" || true
}

n=0
for f in "$@"; do
	n=$((n + 1))
	case $n in
	1|2|3) check_eq "healthy upload $n" "$(post "$f")" 201 ;;
	4|5|6)
		[ $n -ne 4 ] || kill -USR1 "$SERVER_PID"
		check_eq "disk full: upload $n" "$(post "$f")" 503
		grep -qi '^Retry-After: [0-9]' "$T/hdr" ||
		    fail "503 without Retry-After"
		grep -q 'full' "$T/body" || fail "503 body: $(cat "$T/body")"
		;;
	esac
done
check_eq "disk full: healthz" "$(curl -s -o /dev/null -w '%{http_code}' \
    "$URL/healthz")" 200
check_eq "disk full: reads" "$(curl -s -o "$T/got" -w '%{http_code}' \
    "$URL/v1/profiles")" 200
check_eq "disk full: profiles listed" \
    "$(grep -o '"hash"' "$T/got" | wc -l | tr -d ' ')" 3
kill -USR2 "$SERVER_PID"
n=0
for f in "$@"; do
	n=$((n + 1))
	case $n in
	4|5|6) check_eq "healthy again: upload $n" "$(post "$f")" 201 ;;
	esac
done

# A real agent, started while the disk is full.
printf '%s\n' "server = $URL" "spool_dir = $T/spool" "host = cache-agent" \
    "build_file = $T/release" "splay_s = 0" "deadline_s = 40" \
    "connect_timeout_s = 2" >"$T/agent.conf"
echo 2026.11.9 >"$T/release"
printf 'main;a;b 3\nmain;c 4\n' >"$T/agent.folded"
kill -USR1 "$SERVER_PID"
"$B/ffagent" push --config "$T/agent.conf" --build 2026.11.9 --type cpu \
    -v "$T/agent.folded" 2>"$T/agent.err" &
agent=$!
i=0
until grep -qs "store unavailable" "$T/agent.err"; do
	i=$((i + 1))
	[ $i -lt 500 ] ||
	    fail "the agent never saw the 503: $(cat "$T/agent.err")"
	sleep 0.02
done
kill -USR2 "$SERVER_PID"
st=0
wait "$agent" || st=$?
check_eq "agent push through a full disk: exit" "$st" 0
grep -q "HTTP 503" "$T/agent.err" || fail "agent: $(cat "$T/agent.err")"
grep -q "uploaded" "$T/agent.err" || fail "agent: $(cat "$T/agent.err")"

stop_server TERM
check_eq "SIGTERM exit" "$SERVER_STATUS" 0
check_eq "check" "$("$S" check --db "$DB")" ok
"$S" ls --db "$DB" --json | grep -o '"hash":"[0-9a-f]*"' | cut -d'"' -f4 |
    sort >"$T/stored"
check_eq "duplicates" "$(uniq -d "$T/stored" | wc -l | tr -d ' ')" 0
sort -u "$T/acked" >"$T/acked.s"
check_eq "lost" "$(comm -23 "$T/acked.s" "$T/stored" | wc -l | tr -d ' ')" 0
check_eq "stored" "$(wc -l <"$T/stored" | tr -d ' ')" 7
echo "store_faults: $rounds load rounds, 3 uploads refused with 503 and" \
    "stored after the fault, an agent through a full disk; all acknowledged" \
    "profiles present once"
