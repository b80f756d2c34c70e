#!/bin/sh
# fuzz.sh -- build the libFuzzer targets and fuzz each for a while.
#
#   scripts/fuzz.sh [SECONDS [TARGET...]]   (default 60 s, every target)
#
# Builds with clang, -DFUZZ=ON and AddressSanitizer+UBSan into
# build-fuzz/ (every library instrumented for coverage), then runs every
# target registered with ff_fuzz_target (tests/fuzz.cmake) on its corpus
# in tests/fuzz/corpus/NAME/.  New inputs go to a scratch directory, not
# the repository; a crashing input is saved as fuzz-out/NAME-crash-*.
# To keep a useful new input, minimise it and copy it into the corpus
# (it is then replayed by ctest as NAME_replay).
set -eu
cd "$(dirname "$0")/.."
secs=${1:-60}
case $secs in *[!0-9]*|'') echo "usage: $0 [SECONDS [TARGET...]]" >&2; exit 2 ;; esac
if [ $# -gt 0 ]; then shift; fi
only=" $* "
command -v clang >/dev/null 2>&1 || { echo "fuzz.sh: needs clang" >&2; exit 2; }

cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=clang \
    -DFUZZ=ON -DASAN=ON -DCMAKE_C_FLAGS=-fsanitize=fuzzer-no-link >/dev/null
cmake --build build-fuzz --target fuzz_all -j2

mkdir -p fuzz-out
scratch=$(mktemp -d "${TMPDIR:-/tmp}/ffuzz.XXXXXX")
trap 'rm -rf "$scratch"' EXIT INT TERM
status=0
while read -r name corpus; do
	[ -n "$name" ] || continue
	[ "$only" = "  " ] || case $only in *" $name "*) ;; *) continue ;; esac
	echo "== $name (${secs}s)"
	mkdir -p "$scratch/$name"
	if ! build-fuzz/bin/"$name" -max_total_time="$secs" -print_final_stats=1 \
	    -artifact_prefix="fuzz-out/$name-" "$scratch/$name" "$corpus" \
	    2>"$scratch/$name.log"; then
		tail -40 "$scratch/$name.log" >&2
		echo "fuzz.sh: $name failed; input saved in fuzz-out/" >&2
		status=1
	else
		grep -E '^stat::(number_of_executed_units|peak_rss_mb)' \
		    "$scratch/$name.log" | tr '\n' ' '
		echo "new inputs: $(ls "$scratch/$name" | wc -l)"
	fi
done < build-fuzz/fuzz-targets.txt
exit $status
