#!/bin/sh
# store_browser.sh -- the store's web page in a real browser.
#
# Starts ffstore serve (127.0.0.1, ephemeral port) on a simulated fleet,
# opens its page headless, checks the builds table and the comparison
# form, submits the form and checks that the report arrives with its
# verdict, sortable table and graphs, with no console error.  Screenshots
# go to $FF_BUILD_DIR/artefacts/browser/.  Skipped (77) without chromium.
set -eu

bin=${FF_BUILD_DIR:?}/bin
out=$FF_BUILD_DIR/artefacts/browser
[ -x "${FFBROWSE_CHROMIUM:-/usr/bin/chromium}" ] || {
	echo "chromium is not installed: skipped"
	exit 77
}
mkdir -p "$out"
tmp=$(mktemp -d)
pid=
cleanup() {
	[ -z "$pid" ] || { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; }
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

"$bin/ffgen-fleet" --out "$tmp/fleet" --hosts 12 --universe 1200 \
    --functions 500 --samples 20000 --inject auto:0.5 --seed 4 -q
"$bin/ffstore" load --db "$tmp/s.db" "$tmp/fleet/A"/*.ffp \
    "$tmp/fleet/B"/*.ffp 2>/dev/null
"$bin/ffstore" serve --db "$tmp/s.db" --listen 127.0.0.1:0 \
    --port-file "$tmp/port" 2>"$tmp/server.log" &
pid=$!
i=0
while [ ! -s "$tmp/port" ]; do
	i=$((i + 1))
	[ $i -lt 500 ] || { echo "server did not start"; exit 1; }
	sleep 0.02
done
url=http://127.0.0.1:$(cat "$tmp/port")

cat > "$tmp/script" <<SCRIPT
open $url/
noerrors
expect document.querySelectorAll('#builds tbody tr').length === 2
expect document.querySelector('select[name=base_build]').value !== document.querySelector('select[name=new_build]').value
eval (document.querySelector('select[name=base_build]').value = 'A', document.querySelector('select[name=new_build]').value = 'B')
screenshot $out/store.png
click button[type=submit]
wait 4000
expect location.pathname === '/compare'
expect location.search.indexOf('base_build=A') >= 0
expect document.querySelector('header.banner h1').textContent === 'REGRESSED'
expect document.querySelectorAll('#findings-table tbody tr').length > 0
expect document.querySelectorAll('svg.ffg').length === 2
click #findings-table thead th:nth-child(7)
expect document.querySelector('#findings-table thead th:nth-child(7)').getAttribute('aria-sort') === 'ascending'
noerrors
nodialogs
screenshot $out/store-report.png
SCRIPT
"$bin/ffbrowse" "$tmp/script"
