#!/bin/sh
# store_web.sh -- ffstore serve's web page and comparison API.
#
# A real server on 127.0.0.1 (ephemeral port) with a simulated fleet of two
# builds (one with an injected regression): the home page lists the builds
# with escaped names, /compare and /v1/compare answer every format, the
# verdict is REGRESSED with the injected function first, bad requests are
# 400 with a message, a repeated request is served from the cache and
# recomputed once new profiles arrive, and the page keeps answering while
# uploads stream in.
. "$(dirname "$0")/store_lib.sh"
for prog in ffgen-fleet ffagent; do
	[ -x "$B/$prog" ] || { echo "skip: $B/$prog not built" >&2; exit 77; }
done
command -v curl >/dev/null 2>&1 || { echo "skip: needs curl" >&2; exit 77; }

"$B/ffgen-fleet" --out "$T/fleet" --hosts 12 --universe 1200 \
    --functions 500 --samples 20000 --inject auto:0.5 --seed 21 -q
fn=$(awk -F'\t' '$1 == "inject" { print $2 }' "$T/fleet/truth.tsv")
"$B/ffstore" load --db "$T/s.db" "$T/fleet/A"/*.ffp "$T/fleet/B"/*.ffp \
    2>/dev/null
# A build whose name is markup: stored, and shown as text.
printf 'main;work 10\n' >"$T/x.folded"
"$B/ffagent" pack --build '<script>alert(1)</script>' --type cpu \
    --host evil -o "$T/x.ffp" "$T/x.folded"
"$B/ffstore" load --db "$T/s.db" "$T/x.ffp" 2>/dev/null
start_server "$T/s.db"

get() { # URL-path -> body in $T/body, status echoed
	curl -s -o "$T/body" -w '%{http_code}' "$URL$1"
}

check_eq "home" "$(get /)" 200
grep -q '<form method="get" action="/compare">' "$T/body" ||
    fail "home: no comparison form"
grep -q '<option value="A"' "$T/body" || fail "home: build A not listed"
grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' "$T/body" ||
    fail "home: the markup build name is not escaped"
grep -q '<script>alert' "$T/body" && fail "home: raw markup from a build name"

q='base=build%3DA&new=build%3DB&type=cpu'
check_eq "html" "$(get "/compare?$q")" 200
grep -q '<h1>REGRESSED</h1>' "$T/body" || fail "html: no REGRESSED banner"
grep -q 'href="/v1/compare?base=build%3DA&amp;new=build%3DB' "$T/body" ||
    fail "html: no permalink to the JSON"
check_eq "json" "$(get "/v1/compare?$q")" 200
grep -q '"exit_code": 1' "$T/body" || fail "json: exit code is not 1"
first=$(sed -n '/"regressions"/,/]/p' "$T/body" |
    sed -n 's/.*"function": "\([^"]*\)".*/\1/p' | head -n 1)
check_eq "top regression" "$first" "$fn"
for f in junit svg negated.svg folded; do
	check_eq "format $f" "$(get "/v1/compare?$q&format=$f")" 200
done
check_eq "cpi graph of cpu profiles" "$(get "/v1/compare?$q&format=cpi.svg")" 400
check_eq "form request" \
    "$(get "/compare?base_build=A&new_build=B&type=cpu&extra=")" 200
grep -q '<h1>REGRESSED</h1>' "$T/body" || fail "form: no report"

# Bad requests say why.
check_eq "no selections" "$(get "/v1/compare?base=build%3DA")" 400
grep -q 'needs base= and new=' "$T/body" || fail "400 without a reason"
check_eq "bad term" "$(get "/v1/compare?base=bogus%3D1&new=build%3DB")" 400
check_eq "unknown parameter" "$(get "/v1/compare?$q&frobnicate=1")" 400
check_eq "unknown format" "$(get "/v1/compare?$q&format=pdf")" 400
check_eq "empty side" "$(get "/v1/compare?base=build%3DZ&new=build%3DB")" 400

# New profiles of build B make a new comparison (not the cached one).
before=$(get "/v1/compare?$q" >/dev/null; grep -c '"host"' "$T/body")
"$B/ffgen-fleet" --out "$T/more" --hosts 12 --builds A,B --universe 1200 \
    --functions 500 --samples 20000 --seed 22 -q
for f in "$T/more/B"/cache-01-0011.ffp; do
	curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/zstd' \
	    --data-binary "@$f" "$URL/v1/profiles" | grep -q '^20[01]$' ||
	    fail "upload of $f"
done
sleep 1
get "/v1/compare?$q" >/dev/null
after=$(grep -c '"host"' "$T/body")
[ "$after" -gt "$before" ] || fail "cache served a stale comparison"

# Responsive while uploads stream in: the pages answer during a storm.
(for f in "$T/more/A"/*.ffp "$T/more/B"/*.ffp; do
	curl -s -o /dev/null -H 'Content-Type: application/zstd' \
	    --data-binary "@$f" "$URL/v1/profiles"
done) &
storm=$!
for i in 1 2 3; do
	check_eq "home during ingest" "$(get /)" 200
	check_eq "compare during ingest" \
	    "$(get "/v1/compare?base=build%3DA&new=build%3DB&threshold=0.$i")" 200
done
wait "$storm"
stop_server
check_eq "server exit" "$SERVER_STATUS" 0
echo "store_web: ok"
