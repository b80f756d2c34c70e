#!/bin/sh
# report_browser.sh -- the HTML comparison report in a real browser.
#
# Simulates a small fleet with an injected regression, runs ffdiff --check
# --html, opens the report headless and checks: the verdict banner, no
# console error, the findings table sorts when a heading is clicked,
# clicking a frame of the embedded differential graph zooms it (and only
# that graph), and search works.
# Screenshots go to $FF_BUILD_DIR/artefacts/browser/.  Skipped (77)
# without chromium.
set -eu

bin=${FF_BUILD_DIR:?}/bin
out=$FF_BUILD_DIR/artefacts/browser
[ -x "${FFBROWSE_CHROMIUM:-/usr/bin/chromium}" ] || {
	echo "chromium is not installed: skipped"
	exit 77
}
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

"$bin/ffgen-fleet" --out "$tmp/fleet" --hosts 12 --universe 1500 \
    --functions 600 --samples 20000 --inject auto:0.4 --cpi \
    --cpi-change auto:1.6 --seed 3 -q
"$bin/ffdiff" --check --base-dir "$tmp/fleet/A" --new-dir "$tmp/fleet/B" \
    --html "$out/report.html" -q && rc=0 || rc=$?
[ "$rc" = 1 ] || { echo "ffdiff said $rc, wanted 1 (REGRESSED)"; exit 1; }
fn=$(awk -F'\t' '$1 == "inject" { print $2 }' "$tmp/fleet/truth.tsv")

cat > "$tmp/script" <<SCRIPT
open file://$out/report.html
noerrors
expect document.querySelector('header.banner h1').textContent === 'REGRESSED'
expect document.querySelector('meta[http-equiv="Content-Security-Policy"]').content.indexOf("default-src 'none'") === 0
expect document.querySelectorAll('#findings-table tbody tr').length > 1
expect document.querySelector('#findings-table tbody tr td.f').textContent === '$fn'
expect document.querySelectorAll('svg.ffg').length === 4
expect document.querySelectorAll('svg.plot circle').length > 20
screenshot $out/report.png

# Sort by q (column 10), then by delta (column 7) descending.
click #findings-table thead th:nth-child(10)
expect document.querySelector('#findings-table thead th:nth-child(10)').getAttribute('aria-sort') === 'ascending'
expect (function () { var r = document.querySelectorAll('#findings-table tbody tr'), p = -1e308; for (var i = 0; i < r.length; i++) { var v = +r[i].cells[9].getAttribute('data-v'); if (v < p) return false; p = v; } return true; })()
click #findings-table thead th:nth-child(7)
click #findings-table thead th:nth-child(7)
expect document.querySelector('#findings-table thead th:nth-child(7)').getAttribute('aria-sort') === 'descending'
expect (function () { var r = document.querySelectorAll('#findings-table tbody tr'), p = 1e308; for (var i = 0; i < r.length; i++) { var v = +r[i].cells[6].getAttribute('data-v'); if (v > p) return false; p = v; } return true; })()

# Zoom the differential graph: a frame fills its width, the others hide,
# and the negated view is untouched.
expect (function () { var gs = document.querySelectorAll('#g0 .fr > g'); for (var i = 0; i < gs.length; i++) { var w = +gs[i].querySelector('rect').getAttribute('width'); if (w > 150 && w < 600) { gs[i].setAttribute('data-t', 'z'); return true; } } return false; })()
click #g0 [data-t=z] rect
expect Math.abs(+document.querySelector('#g0 [data-t=z] rect').getAttribute('width') - 1180) < 0.5
expect document.querySelectorAll('#g0 .fr > g.hide').length > 0
expect document.querySelectorAll('#g1 .fr > g.hide').length === 0
screenshot $out/report-zoomed.png
expect (document.getElementById('g0').ffg.search('$fn'), /^Matched: /.test(document.querySelector('#g0 .mt').textContent))
noerrors
nodialogs
SCRIPT
"$bin/ffbrowse" "$tmp/script"
