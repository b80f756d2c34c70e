#!/bin/sh
# man_pages.sh -- every program and subcommand answers --help (exit 0),
# and the man pages generated from them are complete.
set -eu
bin=${FF_BUILD_DIR:?}/bin
src=${FF_SOURCE_DIR:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail() { echo "FAIL: $*" >&2; exit 1; }

for cmd in "ffagent collapse" "ffagent run" "ffagent push" "ffagent pack" \
    "ffagent flush" "ffagent status" "ffstore serve" "ffstore load" \
    "ffstore builds" "ffstore ls" "ffstore export" "ffstore funcs" \
    "ffstore prune" "ffstore check" "ffstore stats" "ffstore backup" \
    "ffreport flamegraph" "ffreport html" "ffdiff" "ffagent" "ffstore" \
    "ffreport"; do
	set -- $cmd
	prog=$1
	shift
	"$bin/$prog" "$@" --help >"$tmp/help" 2>&1 || fail "$cmd --help exits non-zero"
	grep -q "usage" "$tmp/help" || fail "$cmd --help has no usage line"
done
sh "$src/scripts/man/mkman.sh" "$bin" "$tmp/man"
for p in ffagent ffstore ffdiff ffreport; do
	f=$tmp/man/$p.1
	[ -s "$f" ] || fail "$p.1 not written"
	grep -q '^\.TH ' "$f" || fail "$p.1 has no .TH"
	grep -q '^\.SH DESCRIPTION' "$f" || fail "$p.1 has no description"
done
grep -q '^\.SH "FFAGENT RUN"' "$tmp/man/ffagent.1" || fail "ffagent.1 lacks run"
grep -q '^\.SH "FFSTORE SERVE"' "$tmp/man/ffstore.1" || fail "ffstore.1 lacks serve"
grep -q -- '--normalize-by' "$tmp/man/ffdiff.1" || fail "ffdiff.1 lacks options"
echo "man_pages: ok"
