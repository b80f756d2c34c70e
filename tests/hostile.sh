#!/bin/sh
# hostile.sh -- the hostile input corpus (tests/data/hostile/, made
# complete by hostile_gen.sh) through every reader, as MANIFEST says:
# the collapsers, the folded readers (ffreport flamegraph, ffdiff A B,
# ffagent pack), the profile file readers (ffstore load, ffdiff --check
# --base-dir), the upload (POST to a real ffstore serve on 127.0.0.1) and
# the renderers (the SVG and ffdiff --html: well-formed, valid UTF-8, no
# hostile markup in the clear).  Every failure is listed, then the test
# fails.
. "$(dirname "$0")/store_lib.sh"

SRC=${FF_SOURCE_DIR:-.}/tests
MANIFEST=$SRC/data/hostile/MANIFEST
for prog in ffagent ffreport ffdiff; do
	[ -x "$B/$prog" ] || { echo "skip: $B/$prog not built" >&2; exit 77; }
done
command -v curl >/dev/null || { echo "skip: no curl" >&2; exit 77; }
HAVE_XMLLINT=0
command -v xmllint >/dev/null && HAVE_XMLLINT=1
HAVE_ICONV=0
command -v iconv >/dev/null && HAVE_ICONV=1

H=$T/h
sh "$SRC/hostile_gen.sh" "$H"
printf 'main;ok 3\n' >"$H/base.folded"
failures=0
checks=0
bad() {
	failures=$((failures + 1))
	echo "FAIL: $*"
}
has() {  # has FILE TEXT: TEXT (printf %b escapes) is in FILE
	printf '%b' "$2" >"$T/needle"
	grep -qF -f "$T/needle" "$1"
}

# ---- what an accepted output must be ----------------------------------------
utf8_ok() {
	[ $HAVE_ICONV = 0 ] || iconv -f UTF-8 -t UTF-8 "$1" >/dev/null 2>&1
}
# Markup from the corpus that must never appear as markup.
no_markup() {  # no_markup WHAT FILE
	for p in '<script>alert' '<img src' '<svg onload' '<!--XSS' \
	    '</script><script>' '<![CDATA[ ' "');alert("; do
		! grep -qF -- "$p" "$2" ||
		    bad "$1: hostile markup '$p' in the clear"
	done
	[ "$(grep -o '<script' "$2" | wc -l | tr -d ' ')" = 1 ] ||
	    bad "$1: not exactly one <script> element"
	utf8_ok "$2" || bad "$1: not valid UTF-8"
}
svg_ok() {  # svg_ok WHAT SVG
	[ $HAVE_XMLLINT = 0 ] || xmllint --noout "$2" 2>"$T/xml.err" ||
	    bad "$1: not well-formed XML: $(head -2 "$T/xml.err")"
	no_markup "$1" "$2"
}
# Folded text that reads back without a malformed line.
folded_ok() {  # folded_ok WHAT FILE
	[ -s "$2" ] || return 0
	"$B/ffreport" flamegraph "$2" >/dev/null 2>"$T/back.err" ||
	    bad "$1: its output does not read back: $(head -2 "$T/back.err")"
	! grep -q malformed "$T/back.err" ||
	    bad "$1: its output has malformed lines: $(head -2 "$T/back.err")"
}
# A profile file the store takes.
ffp_ok() {  # ffp_ok WHAT FILE
	rm -f "$T/back.db" "$T/back.db-wal" "$T/back.db-shm"
	"$B/ffstore" load --db "$T/back.db" -q "$2" 2>"$T/back.err" ||
	    bad "$1: the store refuses its output: $(head -2 "$T/back.err")"
}

# ---- the readers ------------------------------------------------------------
# Each sets st (exit status or HTTP status), writes the document or
# standard output to $T/out and messages to $T/err.
run_reader() {  # run_reader READER FILE
	st=0
	case $1 in
	perf|dtrace|pmc|procstat)
		"$B/ffagent" collapse --format "$1" "$2" >"$T/out" 2>"$T/err" ||
		    st=$? ;;
	flamegraph)
		"$B/ffreport" flamegraph "$2" >"$T/out" 2>"$T/err" || st=$? ;;
	diff)
		"$B/ffdiff" "$2" "$H/base.folded" >"$T/out" 2>"$T/err" ||
		    st=$? ;;
	pack)
		rm -f "$T/out"
		"$B/ffagent" pack --build B --type cpu -o "$T/out" "$2" \
		    2>"$T/err" || st=$? ;;
	load)
		rm -f "$T/load.db" "$T/load.db-wal" "$T/load.db-shm"
		"$B/ffstore" load --db "$T/load.db" "$2" >"$T/out" \
		    2>"$T/err" || st=$? ;;
	check|html)
		rm -rf "$T/new" "$T/out.html" "$T/out.svg"
		cp -r "$H/checkdirs/new" "$T/new"
		cp "$2" "$T/new/"
		if [ "$1" = check ]; then
			"$B/ffdiff" --check --base-dir "$H/checkdirs/base" \
			    --new-dir "$T/new" >"$T/out" 2>"$T/err" || st=$?
		else
			"$B/ffdiff" --check --base-dir "$H/checkdirs/base" \
			    --new-dir "$T/new" --html "$T/out.html" \
			    --svg "$T/out.svg" >/dev/null 2>"$T/err" || st=$?
			cp "$T/out.html" "$T/out" 2>/dev/null || : >"$T/out"
		fi ;;
	upload)
		st=$(curl -s -o "$T/out" -w '%{http_code}' -X POST \
		    -H 'Content-Type: application/zstd' --data-binary "@$2" \
		    "$URL/v1/profiles") || st=0
		cp "$T/out" "$T/err" ;;
	*)
		bad "MANIFEST: unknown reader $1"
		st=-1 ;;
	esac
}

# What an accepted output must be, by reader.
check_output() {  # check_output READER WHAT
	case $1 in
	perf|dtrace|pmc|procstat)
		folded_ok "$2" "$T/out"
		"$B/ffagent" pack --build B --type cpu -o "$T/packed.ffp" \
		    "$T/out" 2>/dev/null && ffp_ok "$2 (packed)" "$T/packed.ffp"
		;;
	flamegraph) svg_ok "$2" "$T/out" ;;
	diff) folded_ok "$2" "$T/out" ;;
	pack) ffp_ok "$2" "$T/out" ;;
	load)
		c=$("$B/ffstore" check --db "$T/load.db" 2>&1)
		[ "$c" = ok ] || bad "$2: check: $c" ;;
	html)
		no_markup "$2" "$T/out"
		[ ! -s "$T/out.svg" ] || svg_ok "$2 (svg)" "$T/out.svg" ;;
	esac
}

# A rejected load must leave no profile (and an intact store, if any).
check_rejected_load() {  # WHAT
	[ -f "$T/load.db" ] || return 0
	n=$("$B/ffstore" ls --db "$T/load.db" --json 2>/dev/null |
	    grep -o '"hash"' | wc -l | tr -d ' ')
	[ "$n" = 0 ] || bad "$1: a rejected file left $n profiles"
	c=$("$B/ffstore" check --db "$T/load.db" 2>&1)
	[ "$c" = ok ] || bad "$1: check: $c"
}

one() {  # one FILE READER OUTCOME TEXT
	what="$2 $1"
	checks=$((checks + 1))
	[ -f "$H/$1" ] || { bad "$what: no such file in the corpus"; return; }
	run_reader "$2" "$H/$1"
	! grep -q '\([^ :]*:[0-9][0-9]*: \)\1' "$T/err" ||
	    bad "$what: a message repeats its file:line: $(head -2 "$T/err")"
	case $3 in
	ok|shows)
		case $2:$st in
		check:[013]|html:[013]|*:0) ;;
		*) bad "$what: exit $st, want success: $(head -3 "$T/err")"
		   return ;;
		esac
		if [ -n "$4" ] && [ "$3" = shows ]; then
			has "$T/out" "$4" ||
			    bad "$what: the document lacks '$4'"
		elif [ -n "$4" ]; then
			has "$T/err" "$4" ||
			    bad "$what: no '$4' in: $(head -3 "$T/err")"
		fi
		check_output "$2" "$what" ;;
	reject)
		case $2:$st in
		check:2) ;;
		check:*|*:0) bad "$what: exit $st, want a refusal"; return ;;
		esac
		[ -z "$4" ] || has "$T/err" "$4" ||
		    bad "$what: no '$4' in: $(head -3 "$T/err")"
		[ "$2" != load ] || check_rejected_load "$what" ;;
	[0-9][0-9][0-9])
		if [ "$st" != "$3" ]; then
			bad "$what: HTTP $st, want $3: $(head -c 300 "$T/out")"
			return
		fi
		[ -z "$4" ] || has "$T/out" "$4" ||
		    bad "$what: no '$4' in: $(head -c 300 "$T/out")"
		[ "$3" != 201 ] || uploaded=$((uploaded + 1)) ;;
	*) bad "MANIFEST: unknown outcome $3" ;;
	esac
}

# ---- every file meets every reader it should --------------------------------
covered() {  # covered FILE READER
	grep -q "^$1[ 	][ 	]*$2[ 	]" "$MANIFEST" ||
	    bad "MANIFEST: no line for $1 with $2"
}
for f in "$H"/*; do
	n=${f##*/}
	case $n in
	base.folded|ok.ffp|many.ffp|out.ffp|*.data|*.json|MANIFEST) ;;
	*.folded) for r in flamegraph diff pack; do covered "$n" "$r"; done ;;
	*.ffp) for r in load check upload; do covered "$n" "$r"; done ;;
	perf-*.txt) covered "$n" perf ;;
	dtrace-*.txt) covered "$n" dtrace ;;
	pmc-*.txt) covered "$n" pmc ;;
	procstat-*.txt) covered "$n" procstat ;;
	esac
done

# ---- run the manifest -------------------------------------------------------
start_server "$T/upload.db"
uploaded=0
while read -r file reader outcome text; do
	case $file in ''|'#'*) continue ;; esac
	one "$file" "$reader" "$outcome" "$text"
done <"$MANIFEST"
# The accepted hostile profiles (hostile names, invalid UTF-8, an empty
# profile) through the store's read side: the GET API, then the command
# line and ffdiff --db (a selection whose build is hostile markup too).
for path in /v1/builds /v1/profiles '/v1/profiles?build=2026.11.3' \
    /v1/profiles/1 /v1/profiles/3/folded \
    '/v1/aggregate?build=2026.11.3&type=cpu'; do
	checks=$((checks + 1))
	st=$(curl -s -o "$T/out" -w '%{http_code}' "$URL$path") || st=0
	[ "$st" = 200 ] || bad "GET $path: HTTP $st: $(head -c 200 "$T/out")"
	case $path in
	*folded|*aggregate*) ;;   # folded text: frames are any bytes
	*) utf8_ok "$T/out" || bad "GET $path: JSON not valid UTF-8" ;;
	esac
done
stop_server TERM
DB=$T/upload.db
check_eq "upload store: check" "$("$B/ffstore" check --db "$DB")" ok
check_eq "upload store: profiles" "$("$B/ffstore" ls --db "$DB" \
    --json | grep -o '"hash"' | wc -l | tr -d ' ')" "$uploaded"
store_reader() {  # store_reader WHAT COMMAND...: exit 0 (JSON: UTF-8)
	what=$1
	shift
	checks=$((checks + 1))
	"$@" >"$T/out" 2>"$T/err" ||
	    bad "$what: exit $?: $(head -3 "$T/err")"
	case "$*" in
	*--json*) utf8_ok "$T/out" || bad "$what: not valid UTF-8" ;;
	esac
}
store_reader "ffstore ls" "$B/ffstore" ls --db "$DB" --json
store_reader "ffstore builds" "$B/ffstore" builds --db "$DB" --json
store_reader "ffstore export" "$B/ffstore" export --db "$DB" \
    --build 2026.11.3 --type cpu
folded_ok "ffstore export" "$T/out"
store_reader "ffstore funcs" "$B/ffstore" funcs --db "$DB" --json
store_reader "ffstore stats" "$B/ffstore" stats --db "$DB"
checks=$((checks + 1))
st=0
"$B/ffdiff" --db "$DB" --base 'build=</script><script>alert(2)</script>' \
    --new build=2026.11.3 --type cpu --check --min-profiles 1 \
    --html "$T/db.html" --svg "$T/db.svg" >/dev/null 2>"$T/err" || st=$?
case $st in
[0123]) ;;
*) bad "ffdiff --db --html: exit $st: $(head -3 "$T/err")" ;;
esac
[ ! -s "$T/db.html" ] || no_markup "ffdiff --db --html" "$T/db.html"
[ ! -s "$T/db.svg" ] || svg_ok "ffdiff --db --svg" "$T/db.svg"
[ $HAVE_XMLLINT = 1 ] || echo "note: no xmllint, SVGs not checked as XML"
[ $HAVE_ICONV = 1 ] || echo "note: no iconv, UTF-8 not checked"
if [ $failures -gt 0 ]; then
	echo "hostile: $failures of $checks checks failed"
	exit 1
fi
echo "hostile: $checks file/reader checks passed" \
    "($(ls "$H" | wc -l | tr -d ' ') files)"
