#!/bin/sh
# deps.sh -- install what flamefleet needs from Debian 12's packages.
#
#   scripts/deps.sh            build and run (demo)
#   scripts/deps.sh --test     also what the test suite needs
#   scripts/deps.sh --bench    also what the benchmarks need
#   scripts/deps.sh --coverage also what scripts/coverage.sh needs (gcovr,
#                              and the tools of the non-browser tests)
#
# Installs only packages that are missing; needs root when one is.
set -eu

pkgs="build-essential cmake pkg-config ca-certificates
      libzstd-dev libxxhash-dev libjansson-dev libcurl4-openssl-dev
      libsqlite3-dev libmicrohttpd-dev libcmocka-dev zstd"
for arg in "$@"; do
	case "$arg" in
	--test)  pkgs="$pkgs clang libclang-rt-14-dev libxml2-utils chromium
	               fonts-dejavu-core sqlite3 procps psmisc curl openssl" ;;
	--bench) pkgs="$pkgs time sqlite3 procps" ;;
	--coverage) pkgs="$pkgs gcovr libxml2-utils sqlite3 procps psmisc curl
	               openssl" ;;
	*) echo "usage: $0 [--test] [--bench] [--coverage]" >&2; exit 2 ;;
	esac
done

missing=""
for p in $pkgs; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
	    grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: missing packages:$missing" >&2
	echo "deps.sh: run as root, or: sudo apt-get install$missing" >&2
	exit 1
fi
echo "deps.sh: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
