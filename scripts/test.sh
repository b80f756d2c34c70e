#!/bin/sh
# test.sh -- install dependencies, build twice, run every test.
#
# 1. Release build: all unit, conformance, integration and browser tests.
# 2. ASan+UBSan build (clang): the unit tests and integration tests again,
#    under the sanitizers.
# Tests that need ../shared (reference data) skip when it is absent.
set -eu
cd "$(dirname "$0")/.."
scripts/deps.sh --test
jobs=$(nproc 2>/dev/null || echo 2)

echo "== release build"
scripts/build.sh release
(cd build && ctest --output-on-failure -j "$jobs")

echo "== AddressSanitizer + UndefinedBehaviorSanitizer build"
scripts/build.sh asan
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
(cd build-asan && ctest --output-on-failure -j "$jobs" -LE no-asan)
