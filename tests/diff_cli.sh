#!/bin/sh
# diff_cli.sh -- `ffdiff A B` on folded files takes one of three roads:
# sorted regular files are merged as they stream, unsorted ones are sorted
# in memory and merged, and pipes (or -s, or lines to report) go through
# stack tables.  All three must print the same bytes, with and without -n,
# with a stack split over several lines; a malformed line in an unsorted
# file is reported once; a line that overflows a total is skipped.
set -eu

bin=${FF_BUILD_DIR:?}/bin
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fails=0

fail() {
	echo "FAIL: $*" >&2
	fails=$((fails + 1))
}

shuffle() {  # shuffle IN OUT SEED
	awk -v s="$3" 'BEGIN { srand(s) } { print rand() "\t" $0 }' "$1" |
	    sort -k1,1 | cut -f2- >"$2"
}

"$bin/ffgen-foldgen" -n 3000 --seed 11 >"$tmp/a.folded"
"$bin/ffgen-foldgen" -n 3000 --seed 12 >"$tmp/b0.folded"
# b: some of a's stacks too, and one stack split over three lines.
head -n 500 "$tmp/a.folded" >>"$tmp/b0.folded"
split=$(sed -n 700p "$tmp/a.folded" | sed 's/ [0-9]*$//')
printf '%s 5\n%s 6\n%s 7\n' "$split" "$split" "$split" >>"$tmp/b0.folded"
LC_ALL=C sort "$tmp/b0.folded" >"$tmp/b.folded"
shuffle "$tmp/a.folded" "$tmp/sa.folded" 1
shuffle "$tmp/b.folded" "$tmp/sb.folded" 2
cmp -s "$tmp/a.folded" "$tmp/sa.folded" && fail "the shuffle did nothing"

for opt in "" -n; do
	# shellcheck disable=SC2086
	"$bin/ffdiff" $opt "$tmp/a.folded" "$tmp/b.folded" >"$tmp/stream.out" ||
	    fail "sorted files ($opt)"
	# shellcheck disable=SC2086
	"$bin/ffdiff" $opt "$tmp/sa.folded" "$tmp/sb.folded" >"$tmp/mem.out" ||
	    fail "shuffled files ($opt)"
	# shellcheck disable=SC2086
	"$bin/ffdiff" $opt - "$tmp/sb.folded" <"$tmp/sa.folded" \
	    >"$tmp/tables.out" || fail "a pipe ($opt)"
	cmp -s "$tmp/stream.out" "$tmp/mem.out" ||
	    fail "sorted and shuffled files differ ($opt)"
	cmp -s "$tmp/stream.out" "$tmp/tables.out" ||
	    fail "files and a pipe differ ($opt)"
	LC_ALL=C sort -c "$tmp/mem.out" 2>/dev/null ||
	    fail "output not sorted bytewise ($opt)"
	cp "$tmp/mem.out" "$tmp/plain$opt.out"
done
# The split stack: its three lines summed (5 + 6 + 7) on the new side.
grep -qxF "$split $(sed -n 700p "$tmp/a.folded" | sed 's/.* //') 18" \
    "$tmp/plain.out" || fail "a stack over three lines was not summed"
[ "$(wc -l <"$tmp/plain.out")" -ge 6000 ] || fail "stacks missing"

# A stack longer than a frame name may be (64 KiB: 4,000 frames of 24
# bytes) in unsorted files: the same bytes as through the tables.
awk 'BEGIN { s = "root"; for (i = 0; i < 4000; i++)
    s = s sprintf(";frame_number_%010d", i); print s " 3"; print "b 1";
    print "a 2" }' >"$tmp/long.folded"
"$bin/ffdiff" "$tmp/long.folded" "$tmp/sb.folded" >"$tmp/long.out" ||
    fail "a long stack"
"$bin/ffdiff" - "$tmp/sb.folded" <"$tmp/long.folded" >"$tmp/long-tables.out" ||
    fail "a long stack through a pipe"
cmp -s "$tmp/long.out" "$tmp/long-tables.out" ||
    fail "a long stack: files and a pipe differ"
grep -q '^root;frame_number_0000000000;.*;frame_number_0000003999 3 0$' \
    "$tmp/long.out" || fail "the long stack is missing"

# A malformed line in an unsorted file: reported once, the rest kept.
{ cat "$tmp/sa.folded"; echo 'main;bad notanumber'; } >"$tmp/bad.folded"
"$bin/ffdiff" "$tmp/bad.folded" "$tmp/sb.folded" >"$tmp/bad.out" \
    2>"$tmp/bad.err" || fail "a malformed line stopped the diff"
[ "$(grep -c 'bad.folded:3001' "$tmp/bad.err")" = 1 ] ||
    fail "the malformed line was not reported exactly once: $(cat "$tmp/bad.err")"
cmp -s "$tmp/bad.out" "$tmp/plain.out" || fail "good lines lost"

# A line that would take a total past 2^63-1, unsorted: skipped and
# reported with its line number, as on the other roads.
printf 'b 9223372036854775807\na 1\n' >"$tmp/big.folded"
"$bin/ffdiff" "$tmp/big.folded" "$tmp/big.folded" >"$tmp/big.out" \
    2>"$tmp/big.err" || fail "an overflowing line stopped the diff"
grep -q 'big.folded:2: counts overflow the total' "$tmp/big.err" ||
    fail "no overflow message: $(cat "$tmp/big.err")"
[ "$(cat "$tmp/big.out")" = \
    "b 9223372036854775807 9223372036854775807" ] ||
    fail "overflow: wrong output: $(cat "$tmp/big.out")"

[ "$fails" = 0 ] || exit 1
echo "diff_cli: sorted, shuffled and piped inputs agree"
