#!/bin/sh
# flame_cli.sh -- `ffreport flamegraph` from the command line: hostile
# frame names give well-formed XML that shows them as text, input from
# stdin, several files and zstd, empty input, options and --help.
set -eu

bin=${FF_BUILD_DIR:?}/bin
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fails=0

fail() {
	echo "FAIL: $*" >&2
	fails=$((fails + 1))
}

wellformed() {
	if command -v xmllint >/dev/null 2>&1; then
		xmllint --noout "$1" || fail "$1 is not well-formed XML"
	fi
}

# 1. Hostile names are escaped, and the document stays well-formed.
cat > "$tmp/hostile.folded" <<'EOF'
main;<script>alert(1)</script> 10
main;&"' 10
main;]]><!-- --> 10
main;</svg><svg onload=alert(2)> 10
EOF
printf 'main;bad\377utf8\001ctl 10\n' >> "$tmp/hostile.folded"
"$bin/ffreport" flamegraph --title '<b>"t"</b>' --notes 'a -- b' \
    "$tmp/hostile.folded" > "$tmp/hostile.svg" 2>/dev/null ||
    fail "hostile input"
wellformed "$tmp/hostile.svg"
[ "$(grep -c '<script' "$tmp/hostile.svg")" = 1 ] ||
    fail "a frame name became a script element"
grep -q '&lt;script&gt;alert(1)&lt;/script&gt; (10 samples' \
    "$tmp/hostile.svg" || fail "script name not shown as text"
grep -q '<title>&amp;&quot;&#39; (10 samples' "$tmp/hostile.svg" ||
    fail "&\"' not shown as text"
grep -q 'onload=alert' "$tmp/hostile.svg" && ! grep -q \
    '&lt;/svg&gt;&lt;svg onload=alert(2)&gt;' "$tmp/hostile.svg" &&
    fail "an svg element escaped from a name"

# 2. The same picture from a file, stdin, two files and zstd; sorted and
# shuffled input agree.
"$bin/ffgen-foldgen" -n 500 > "$tmp/sorted.folded"
"$bin/ffgen-foldgen" -n 500 --shuffle > "$tmp/shuffled.folded"
"$bin/ffreport" flamegraph "$tmp/sorted.folded" > "$tmp/a.svg"
"$bin/ffreport" flamegraph - < "$tmp/shuffled.folded" > "$tmp/b.svg"
cmp -s "$tmp/a.svg" "$tmp/b.svg" || fail "stdin/shuffled differs"
head -n 200 "$tmp/sorted.folded" > "$tmp/part1"
tail -n +201 "$tmp/sorted.folded" > "$tmp/part2"
"$bin/ffreport" flamegraph "$tmp/part2" "$tmp/part1" > "$tmp/c.svg"
cmp -s "$tmp/a.svg" "$tmp/c.svg" || fail "two files differ"
if command -v zstd >/dev/null 2>&1; then
	zstd -q "$tmp/sorted.folded" -o "$tmp/sorted.folded.zst"
	"$bin/ffreport" flamegraph "$tmp/sorted.folded.zst" > "$tmp/d.svg"
	cmp -s "$tmp/a.svg" "$tmp/d.svg" || fail "zstd input differs"
fi
wellformed "$tmp/a.svg"

# 3. Empty input: flamegraph.pl's error picture, exit status 2.
rc=0
printf '' | "$bin/ffreport" flamegraph > "$tmp/empty.svg" \
    2> "$tmp/empty.err" || rc=$?
[ "$rc" = 2 ] || fail "empty input exit status $rc"
grep -q 'ERROR: No valid input provided' "$tmp/empty.svg" ||
    fail "no error picture"
grep -q 'ERROR: No stack counts found' "$tmp/empty.err" ||
    fail "no error message"
wellformed "$tmp/empty.svg"

# 4. A low total is warned about; malformed lines are counted.
printf 'a;b 3\nnot a line\n' | "$bin/ffreport" flamegraph \
    > /dev/null 2> "$tmp/low.err"
grep -q 'Stack count is low (3)' "$tmp/low.err" || fail "no low-count warning"
grep -q '1 malformed line' "$tmp/low.err" || fail "malformed line not counted"
rc=0
printf 'a;b 3\nnot a line\n' | "$bin/ffreport" flamegraph --strict \
    > /dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "--strict exit status $rc"

# 5. Options: bad values are usage errors; --help names every option.
for bad in "--minwidth x" "--width 10" "--colors rainbow" "--bogus" \
    "--cpi-range 4:1" "--bgcolors #zz" "--id 9x" "--notes <x>"; do
	rc=0
	# shellcheck disable=SC2086
	printf 'a 1\n' | "$bin/ffreport" flamegraph $bad > /dev/null 2>&1 ||
	    rc=$?
	[ "$rc" = 2 ] || fail "'$bad' exit status $rc"
done
"$bin/ffreport" flamegraph --help > "$tmp/help"
for opt in title subtitle width height minwidth fonttype fontsize \
    fontwidth countname nametype colors bgcolors hash random cp reverse \
    inverted flamechart negate factor notes total deterministic \
    palette-file diff-inclusive cpi cpi-range stall-ratio fragment id \
    strict help; do
	grep -q -- "--$opt" "$tmp/help" || fail "--help does not mention --$opt"
done
grep -q 'perf record' "$tmp/help" || fail "--help has no perf recipe"
grep -q 'pmcstat' "$tmp/help" || fail "--help has no pmcstat recipe"
"$bin/ffreport" --help | grep -q flamegraph || fail "ffreport --help"

# 6. --cp writes the palette file and reuses it.
(cd "$tmp" && printf 'x;y 5\n' | "$bin/ffreport" flamegraph --cp \
    --random > p1.svg 2>/dev/null &&
    printf 'x;y 5\n' | "$bin/ffreport" flamegraph --cp --random \
    > p2.svg 2>/dev/null) || fail "--cp"
grep -q '^y->rgb(' "$tmp/palette.map" || fail "palette.map not written"
cmp -s "$tmp/p1.svg" "$tmp/p2.svg" || fail "--cp colours not reused"

# 7. --deterministic makes --random reproducible.
printf 'x;y 5\n' | "$bin/ffreport" flamegraph --random --deterministic \
    > "$tmp/r1.svg" 2>/dev/null
printf 'x;y 5\n' | "$bin/ffreport" flamegraph --random --deterministic \
    > "$tmp/r2.svg" 2>/dev/null
cmp -s "$tmp/r1.svg" "$tmp/r2.svg" || fail "--deterministic"

# 8. CPI and differential input render well-formed graphs.
"$bin/ffgen-foldgen" -n 300 --cpi > "$tmp/cpi.folded"
"$bin/ffreport" flamegraph --cpi "$tmp/cpi.folded" > "$tmp/cpi.svg"
wellformed "$tmp/cpi.svg"
grep -q 'CPI [0-9]' "$tmp/cpi.svg" || fail "no CPI in titles"
"$bin/ffgen-foldgen" -n 300 --two > "$tmp/diff.folded"
"$bin/ffreport" flamegraph "$tmp/diff.folded" > "$tmp/diff.svg"
wellformed "$tmp/diff.svg"
grep -q '; [+-]*[0-9.]*%)' "$tmp/diff.svg" || fail "no differential titles"

if [ "$fails" -ne 0 ]; then
	echo "$fails check(s) failed"
	exit 1
fi
echo "flame_cli: all checks passed"
