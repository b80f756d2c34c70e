#!/bin/sh
# store_cli.sh -- ffstore's subcommands: load (good and bad files),
# builds, ls, export, stats, check, prune, --help everywhere.
. "$(dirname "$0")/store_lib.sh"

S=$B/ffstore
gen_fleet "$T/fleet" 10 300
DB=$T/cli.db

# --help on every subcommand, usage errors exit 2.
for c in serve load builds ls export funcs prune check stats backup; do
	"$S" "$c" --help | grep -q "usage: ffstore $c" || fail "$c --help"
done
"$S" --help | grep -q "commands:" || fail "ffstore --help"
st=0; "$S" nosuch 2>/dev/null || st=$?
check_eq "unknown command" "$st" 2
st=0; "$S" load 2>/dev/null || st=$?
check_eq "load without --db" "$st" 2

# A bad file among good ones: named, skipped, exit 1; the others stored.
mkffp "$T/bad.ffp" "$(json_meta h1)" 'a;b 1 2\n'
printf 'not a profile' >"$T/junk.ffp"
st=0
"$S" load --db "$DB" "$T"/fleet/*/*.ffp "$T/bad.ffp" "$T/junk.ffp" \
    "$T/missing.ffp" 2>"$T/load.err" || st=$?
check_eq "load with bad files" "$st" 1
grep -q "bad.ffp:1: more count columns" "$T/load.err" || fail "bad.ffp not named"
grep -q "junk.ffp" "$T/load.err" || fail "junk.ffp not named"
grep -q "missing.ffp" "$T/load.err" || fail "missing.ffp not named"
grep -q "20 stored" "$T/load.err" || fail "summary: $(cat "$T/load.err")"

# Loading again: duplicates, nothing new.
"$S" load --db "$DB" "$T"/fleet/*/*.ffp 2>"$T/load2.err"
grep -q "0 stored (0 sample rows), 20 duplicates" "$T/load2.err" ||
    fail "reload: $(cat "$T/load2.err")"

# builds and ls, as tables and as JSON.
"$S" builds --db "$DB" >"$T/builds.txt"
grep -q "^2026.11.1 *cpu *10 *10 " "$T/builds.txt" || fail "builds table"
"$S" builds --db "$DB" --json | grep -q '"build":"2026.11.2","type":"cpu","profiles":10,"hosts":10' ||
    fail "builds --json"
check_eq "ls --build" "$("$S" ls --db "$DB" --build 2026.11.1 | wc -l)" 11
check_eq "ls --host glob" \
    "$("$S" ls --db "$DB" --host 'cache-000[0-4]' | wc -l)" 11
check_eq "ls --label" \
    "$("$S" ls --db "$DB" --label site=site3 --json | grep -o '"id"' | wc -l)" 2
"$S" ls --db "$DB" --since nonsense 2>/dev/null && fail "bad --since accepted"

# export: one profile equals its file; a build's sum is the same from the
# per-build sums and from the profiles.
f=$T/fleet/2026.11.1/cache-0003.ffp
id=$("$S" ls --db "$DB" --host cache-0003 --build 2026.11.1 | awk 'NR==2 {print $1}')
"$S" export --db "$DB" --id "$id" >"$T/one.folded"
zstd -dcq "$f" | cmp -s - "$T/one.folded" || fail "export --id differs from the file"
"$S" export --db "$DB" --build 2026.11.1 --type cpu >"$T/agg1.folded"
"$S" export --db "$DB" --build 2026.11.1 --host '*' >"$T/agg2.folded"
cmp -s "$T/agg1.folded" "$T/agg2.folded" || fail "the two aggregates differ"
# ... and both equal the sum computed here from the files.
for g in "$T"/fleet/2026.11.1/*.ffp; do zstd -dcq "$g"; done |
    awk '{ n = $NF; $NF = ""; sub(/ $/, ""); s[$0] += n }
         END { for (k in s) print k, s[k] }' | LC_ALL=C sort >"$T/agg3.folded"
cmp -s "$T/agg1.folded" "$T/agg3.folded" || fail "the aggregate is not the sum"

# funcs: one line per profile and function; the summary one per profile.
check_eq "funcs --summary" \
    "$("$S" funcs --db "$DB" --build 2026.11.1 --summary | wc -l)" 10
"$S" funcs --db "$DB" --host cache-0003 --build 2026.11.1 |
    awk '$(NF - 1) > $NF { bad = 1 } END { exit bad }' || fail "self > inclusive"
"$S" funcs --db "$DB" --build 2026.11.2 --json | head -1 |
    grep -q '"functions":\[\["' || fail "funcs --json"

# backup: a consistent copy that checks ok.
"$S" backup --db "$DB" "$T/copy.db"
check_eq "backup check" "$("$S" check --db "$T/copy.db")" ok
"$S" backup --db "$DB" "$T/copy.db" 2>/dev/null && fail "backup overwrote a file"

# stats and check.
"$S" stats --db "$DB" | grep -q "^profiles *20$" || fail "stats"
"$S" stats --db "$DB" --json | grep -q '"profiles":20,' || fail "stats --json"
check_eq "check" "$("$S" check --db "$DB")" ok

# prune: the generated profiles started in 2026-11, "older than 1d" from
# now may or may not cover them; a dry run must not delete.
before=$("$S" ls --db "$DB" | wc -l)
"$S" prune --db "$DB" --older-than 1d --dry-run | grep -q "would delete" ||
    fail "prune --dry-run"
check_eq "dry run deletes nothing" "$("$S" ls --db "$DB" | wc -l)" "$before"
"$S" prune --db "$DB" --older-than 1x 2>/dev/null && fail "bad duration accepted"
"$S" prune --db "$DB" --older-than 100000d | grep -q "deleted 0 profiles" ||
    fail "prune of nothing"
check_eq "check after prune" "$("$S" check --db "$DB")" ok
echo "store_cli: ok"
