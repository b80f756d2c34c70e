#!/bin/sh
# store_http.sh -- ffstore serve on 127.0.0.1 with an ephemeral port: every
# answer of POST /v1/profiles (201, 200, 400, 401, 403, 413, 503), the GET
# API, a zstd bomb with bounded memory, SIGHUP revoking a token, 32
# concurrent clients, and a clean SIGTERM.
. "$(dirname "$0")/store_lib.sh"

command -v curl >/dev/null || { echo "skip: no curl" >&2; exit 77; }
S=$B/ffstore
gen_fleet "$T/fleet" 4 200
DB=$T/http.db

# post FILE [curl options]: prints "STATUS BODY".
post() {
	f=$1
	shift
	curl -s -o "$T/body" -w '%{http_code}' -X POST \
	    -H 'Content-Type: application/zstd' --data-binary "@$f" "$@" \
	    "$URL/v1/profiles" >"$T/status" || true
	printf '%s %s' "$(cat "$T/status")" "$(cat "$T/body")"
}

expect() {  # what STATUS "STATUS BODY" [text the body must contain]
	case "$3" in
	"$2 "*) ;;
	*) fail "$1: $3" ;;
	esac
	[ -z "${4:-}" ] || case "$3" in
	*"$4"*) ;;
	*) fail "$1: body lacks '$4': $3" ;;
	esac
}

get() {
	curl -s -o "$T/got" -w '%{http_code}' "$URL$1" || true
}

start_server "$DB" --max-upload 1M --threads 4

f1=$T/fleet/2026.11.1/cache-0001.ffp
expect "upload" 201 "$(post "$f1")" '"id":1,'
expect "duplicate" 200 "$(post "$f1")" '"duplicate":true'

# 400s, each naming the problem.
printf 'garbage' >"$T/garbage"
expect "garbage" 400 "$(post "$T/garbage")" "no metadata frame"
check_eq "content type" "$(curl -s -o /dev/null -w '%{http_code}' \
    -H 'Content-Type: text/plain' --data-binary "@$f1" "$URL/v1/profiles")" 400
mkffp "$T/badjson.ffp" '{"format": "flamefleet-profile/1", host' 'a 1\n'
expect "invalid JSON" 400 "$(post "$T/badjson.ffp")" "metadata"
mkffp "$T/cols.ffp" "$(json_meta cache-0001)" 'a;b 1\na;c 1 2\n'
expect "columns" 400 "$(post "$T/cols.ffp")" "upload:2: more count columns"
mkffp "$T/nul.ffp" "$(json_meta cache-0001)" 'a;b\0c 1\n'
expect "NUL" 400 "$(post "$T/nul.ffp")" "NUL byte"
mkffp "$T/neg.ffp" "$(json_meta cache-0001)" 'a;b -1\n'
expect "negative count" 400 "$(post "$T/neg.ffp")" "not an unsigned integer"
head -c 300 "$T/fleet/2026.11.1/cache-0002.ffp" >"$T/trunc.ffp"
expect "truncated" 400 "$(post "$T/trunc.ffp")" "truncated"

# 413: declared too long (refused before the body), and a zstd bomb.
head -c 1200000 /dev/urandom >"$T/big"
expect "Content-Length" 413 "$(post "$T/big")" "Content-Length"
head -c 134217728 /dev/zero | zstd -19 -q -c >"$T/zero.zst"
cat "$T/zero.zst" "$T/zero.zst" "$T/zero.zst" "$T/zero.zst" \
    "$T/zero.zst" "$T/zero.zst" "$T/zero.zst" "$T/zero.zst" >"$T/zeros8"
json_meta cache-0001 >"$T/meta.json"
"$B/ff-mkffp" "$T/meta.json" "$T/zeros8" --raw >"$T/bomb.ffp"
[ "$(wc -c <"$T/bomb.ffp")" -lt 40000 ] || fail "the bomb is too big"
rss0=$(awk '/VmHWM/ {print $2}' "/proc/$SERVER_PID/status" 2>/dev/null || echo 0)
expect "bomb" 413 "$(post "$T/bomb.ffp")" "inflates to more than"
rss1=$(awk '/VmHWM/ {print $2}' "/proc/$SERVER_PID/status" 2>/dev/null || echo 0)
[ $((rss1 - rss0)) -lt 262144 ] || fail "the bomb cost $((rss1 - rss0)) KiB"

# The GET API.
check_eq "healthz" "$(get /healthz)" 200
check_eq "home" "$(get /)" 200
grep -q "flamefleet store" "$T/got" || fail "home page"
check_eq "builds" "$(get /v1/builds)" 200
grep -q '"build":"2026.11.1","type":"cpu","profiles":1' "$T/got" || fail "builds: $(cat "$T/got")"
check_eq "profiles" "$(get '/v1/profiles?build=2026.11.1&host=cache-*')" 200
grep -q '"host":"cache-0001"' "$T/got" || fail "profiles"
check_eq "profile" "$(get /v1/profiles/1)" 200
grep -q '"id":1,' "$T/got" || fail "profile 1"
check_eq "folded" "$(get /v1/profiles/1/folded)" 200
zstd -dcq "$f1" | cmp -s - "$T/got" || fail "folded differs from the file"
check_eq "aggregate" "$(get '/v1/aggregate?build=2026.11.1&type=cpu')" 200
cmp -s "$T/got" "$T/got" || true
zstd -dcq "$f1" | cmp -s - "$T/got" || fail "aggregate of one profile"
check_eq "aggregate without build" "$(get /v1/aggregate)" 400
check_eq "bad selector" "$(get '/v1/profiles?bild=x')" 400
check_eq "bad time" "$(get '/v1/profiles?since=yesterday')" 400
check_eq "no such profile" "$(get /v1/profiles/999)" 404
check_eq "no such path" "$(get /nope)" 404
check_eq "PUT" "$(curl -s -o /dev/null -w '%{http_code}' -X PUT "$URL/v1/profiles")" 405
check_eq "metrics" "$(get /metrics)" 200
grep -q 'ffstore_uploads_total{result="accepted"} 1' "$T/got" || fail "metrics accepted"
grep -q 'ffstore_uploads_total{result="duplicate"} 1' "$T/got" || fail "metrics duplicate"
grep -q 'ffstore_rejected_total{reason="too_large"} 2' "$T/got" || fail "metrics too_large"
grep -q 'ffstore_commit_seconds_count 1' "$T/got" || fail "metrics commit"

# 32 concurrent clients, each upload a new profile.
if [ -x "$B/ff-upclient" ]; then
	"$B/ff-upclient" --url "$URL" --jobs 32 --unique --count 320 \
	    --log "$T/storm.log" "$T"/fleet/*/*.ffp 2>"$T/storm.err"
	check_eq "32 clients: 201s" "$(grep -c '^201 ' "$T/storm.log")" 320
fi

# 503 with Retry-After when the queue is full: hold the write lock so the
# writer waits, fill the queue of 2, and the next upload is refused.
stop_server TERM
check_eq "SIGTERM exit" "$SERVER_STATUS" 0
if command -v sqlite3 >/dev/null; then
	start_server "$DB" --queue 2 --batch 1
	mkfifo "$T/fifo"
	sqlite3 "$DB" <"$T/fifo" >/dev/null &
	locker=$!
	exec 3>"$T/fifo"
	# Wait for the lock (the server may be writing as it starts), and
	# see that it is held: another writer must be refused at once.
	echo ".timeout 20000" >&3
	echo "BEGIN IMMEDIATE;" >&3
	i=0
	while sqlite3 "$DB" "BEGIN IMMEDIATE; ROLLBACK;" >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -lt 500 ] || fail "the test could not take the write lock"
		sleep 0.02
	done
	pids=
	for i in 0 1 2; do
		post "$T/fleet/2026.11.2/cache-000$i.ffp" >"$T/q$i" &
		pids="$pids $!"
	done
	# One upload is with the (blocked) writer, two wait in the queue.
	i=0
	until curl -s "$URL/metrics" | grep -q '^ffstore_queue_profiles 2$'; do
		i=$((i + 1))
		[ $i -lt 1000 ] || fail "the queue did not fill"
		sleep 0.02
	done
	curl -s -D "$T/hdr" -o "$T/body" -X POST -H 'Content-Type: application/zstd' \
	    --data-binary "@$T/fleet/2026.11.2/cache-0003.ffp" "$URL/v1/profiles" >/dev/null
	echo "COMMIT;" >&3
	exec 3>&-
	wait $locker
	grep -q "^HTTP/1.1 503" "$T/hdr" || fail "queue full: $(cat "$T/hdr")"
	grep -qi "^Retry-After: " "$T/hdr" || fail "no Retry-After"
	# shellcheck disable=SC2086
	wait $pids
	for i in 0 1 2; do
		# Stored, or (when the lock outlived the writer's patience)
		# refused with 503 for a retry: never anything else.
		case "$(cat "$T/q$i")" in
		"201 "*|"503 "*) ;;
		*) fail "queued upload $i: $(cat "$T/q$i")" ;;
		esac
	done
	stop_server TERM
fi

# Tokens: 401 without or with an unknown token, 403 for another host's
# glob, 201 with the right one; SIGHUP revokes.
A=token-for-cache-hosts-0123
W=token-for-web-hosts-456789
printf '%s cache-*\n%s web-*\n' "$A" "$W" >"$T/tokens"
start_server "$DB" --tokens "$T/tokens"
f2=$T/fleet/2026.11.1/cache-0002.ffp
expect "no token" 401 "$(post "$f2")" "Authorization"
expect "unknown token" 401 "$(post "$f2" -H 'Authorization: Bearer nope-nope-nope-nope')"
expect "other host" 403 "$(post "$f2" -H "Authorization: Bearer $W")" "cache-0002"
expect "right token" 201 "$(post "$f2" -H "Authorization: Bearer $A")"
printf '%s web-*\n' "$W" >"$T/tokens"
kill -HUP "$SERVER_PID"
i=0
until grep -q "reloaded .*(1 tokens)" "$T/server.log"; do
	i=$((i + 1))
	[ $i -lt 250 ] || fail "no reload"
	sleep 0.02
done
f3=$T/fleet/2026.11.1/cache-0003.ffp
expect "revoked token" 401 "$(post "$f3" -H "Authorization: Bearer $A")"
stop_server TERM
check_eq "SIGTERM exit" "$SERVER_STATUS" 0
check_eq "check" "$("$S" check --db "$DB")" ok

# HTTPS with a self-signed certificate.
if command -v openssl >/dev/null; then
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/tls.key" \
	    -out "$T/tls.crt" -days 1 -subj /CN=localhost 2>/dev/null
	start_server "$DB" --tls-cert "$T/tls.crt" --tls-key "$T/tls.key"
	check_eq "https" "$(curl -sk -o /dev/null -w '%{http_code}' \
	    -H 'Content-Type: application/zstd' \
	    --data-binary "@$T/fleet/2026.11.2/cache-0003.ffp" \
	    "https://127.0.0.1:$PORT/v1/profiles")" 201
	stop_server TERM
fi
echo "store_http: ok"
