#!/bin/sh
# build.sh -- configure and build one tree.
#
#   scripts/build.sh [release|asan|coverage] [BUILD_DIR] [TARGET...]
#
# release (default) builds into build/, asan into build-asan/ (clang,
# AddressSanitizer + UndefinedBehaviorSanitizer), coverage into
# build-coverage/.
set -eu
cd "$(dirname "$0")/.."
kind=${1:-release}
jobs=$(nproc 2>/dev/null || echo 2)
case "$kind" in
release)  dir=${2:-build};          opts="-DCMAKE_BUILD_TYPE=Release" ;;
asan)     dir=${2:-build-asan}
          cc=gcc; command -v clang >/dev/null 2>&1 && cc=clang
          opts="-DCMAKE_BUILD_TYPE=Debug -DASAN=ON -DCMAKE_C_COMPILER=$cc" ;;
coverage) dir=${2:-build-coverage}; opts="-DCMAKE_BUILD_TYPE=Debug -DCOVERAGE=ON" ;;
*) echo "usage: $0 [release|asan|coverage] [BUILD_DIR]" >&2; exit 2 ;;
esac
[ $# -ge 2 ] && shift 2 || shift $#
# shellcheck disable=SC2086
cmake -S . -B "$dir" $opts >/dev/null
if [ $# -gt 0 ]; then
	cmake --build "$dir" -j "$jobs" --target "$@"
else
	cmake --build "$dir" -j "$jobs"
fi
