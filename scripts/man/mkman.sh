#!/bin/sh
# mkman.sh -- man pages for flamefleet's programs, from their --help.
#
#   scripts/man/mkman.sh BIN_DIR OUT_DIR
#
# One source of truth: each page is the program's --help and every
# subcommand's --help, wrapped in man(7) markup, so the pages cannot drift
# from the programs.  Writes OUT_DIR/{ffagent,ffstore,ffdiff,ffreport}.1.
set -eu
[ $# -eq 2 ] || { echo "usage: $0 BIN_DIR OUT_DIR" >&2; exit 2; }
bin=$1 out=$2
mkdir -p "$out"
version=$("$bin/ffagent" --version 2>/dev/null | awk '{ print $2 }')

# Escape text for a no-fill man block: backslashes, and a leading . or '.
roff() {
	sed -e 's/\\/\\e/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"
}

page() { # NAME SUMMARY SUBCOMMANDS...
	name=$1 summary=$2
	shift 2
	f=$out/$name.1
	{
		printf '.TH %s 1 "" "flamefleet %s" "flamefleet"\n' \
		    "$(echo "$name" | tr a-z A-Z)" "$version"
		printf '.SH NAME\n%s \\- %s\n' "$name" "$summary"
		printf '.SH SYNOPSIS\n.nf\n'
		"$bin/$name" --help 2>&1 | sed -n '/^usage:/,/^$/p' | roff
		printf '.fi\n.SH DESCRIPTION\n.nf\n'
		"$bin/$name" --help 2>&1 | roff
		printf '.fi\n'
		for sub in "$@"; do
			printf '.SH "%s %s"\n.nf\n' "$(echo "$name" | tr a-z A-Z)" \
			    "$(echo "$sub" | tr a-z A-Z)"
			"$bin/$name" "$sub" --help 2>&1 | roff
			printf '.fi\n'
		done
		printf '.SH SEE ALSO\n'
		printf 'ffagent(1), ffstore(1), ffdiff(1), ffreport(1); the '
		printf 'README of the source tree.\n'
	} >"$f"
}

page ffagent "collect profiles on a server and ship them to the store" \
    collapse run push pack flush status
page ffstore "the flamefleet profile store and its HTTP server" \
    serve load builds ls export funcs prune check stats backup
page ffdiff "differential profiles and a regression verdict"
page ffreport "flame graphs and the HTML comparison report" \
    flamegraph html
