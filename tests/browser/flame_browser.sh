#!/bin/sh
# flame_browser.sh -- a flame graph in a real browser (headless chromium).
#
# Renders a generated profile with hostile frame names, opens it, hovers
# and clicks a frame (the zoom must change widths), resets, searches with
# the button and with Ctrl-F (the "Matched:" text must agree with the
# input), reloads with the state in the URL, and checks that no script from
# a frame name ran and that the page logged no error.  Screenshots go to
# $FF_BUILD_DIR/artefacts/browser/.  Skipped (77) without chromium.
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

"$bin/ffgen-foldgen" -n 3000 --seed 5 > "$tmp/in.folded"
cat >> "$tmp/in.folded" <<'EOF'
hostile;<script>window.ffPwned=1,alert(1)</script> 400
hostile;<img src=x onerror="window.ffPwned=2"> 300
hostile;&"' 200
hostile;]]><svg onload="window.ffPwned=3"/> 100
EOF
"$bin/ffreport" flamegraph --title "Browser test" "$tmp/in.folded" \
    > "$out/flame.svg"

# The share of samples under the root "java", as the search must report.
want=$(awk '{ t += $NF } /^java;/ { j += $NF }
    END { printf "%.4f", 100 * j / t }' "$tmp/in.folded")
url="file://$out/flame.svg"

cat > "$tmp/script" <<EOF
open $url
expect document.querySelectorAll('.fr > g').length > 100
noerrors

# Hover shows the details line.
hover .fr > g:last-child rect
expect document.querySelector('.dt').textContent.indexOf('Function: ') === 0

# Mark a mid-sized frame and click it: it fills the width, others hide.
expect (function () { var gs = document.querySelectorAll('.fr > g'); for (var i = 0; i < gs.length; i++) { var w = +gs[i].querySelector('rect').getAttribute('width'); if (w > 200 && w < 700 && +gs[i].querySelector('rect').getAttribute('y') < 900) { gs[i].setAttribute('data-t', 'z'); window.w0 = w; return true; } } return false; })()
click [data-t=z] rect
expect Math.abs(+document.querySelector('[data-t=z] rect').getAttribute('width') - 1180) < 0.5
expect document.querySelectorAll('.fr > g.hide').length > 0
expect document.querySelectorAll('.fr > g.pa').length > 0
expect !document.querySelector('.uz').classList.contains('hide')
expect location.search.indexOf('x=') >= 0
screenshot $out/flame-zoomed.png

# Reset zoom restores the widths.
click .uz
expect Math.abs(+document.querySelector('[data-t=z] rect').getAttribute('width') - window.w0) < 0.05
expect document.querySelectorAll('.fr > g.hide').length === 0

# Search with the button.
prompt ^java\$
click .sb
expect (function () { var m = /^Matched: ([0-9.]+)%\$/.exec(document.querySelector('.mt').textContent); return m !== null && Math.abs(+m[1] - $want) < 0.15; })()
expect document.querySelectorAll('.fr rect[fill="#e600e6"]').length > 0
expect location.search.indexOf('s=') >= 0
screenshot $out/flame-search.png

# The state is in the URL: reload it.
eval location.href
open $url?s=%5Ejava%24
expect /^Matched: /.test(document.querySelector('.mt').textContent)

# Reset the search with the button, then search again with Ctrl-F.
click .sb
expect document.querySelectorAll('.fr rect[fill="#e600e6"]').length === 0
prompt ^hostile\$
key ctrl+f
expect /^Matched: /.test(document.querySelector('.mt').textContent)
expect document.querySelectorAll('.fr rect[fill="#e600e6"]').length === 1

# Case-insensitive search with the "ic" toggle.
click .sb
click .ic
prompt ^HOSTILE\$
click .sb
expect document.querySelectorAll('.fr rect[fill="#e600e6"]').length === 1
click .ic
expect document.querySelectorAll('.fr rect[fill="#e600e6"]').length === 0
click .sb

# Hostile names are text, and nothing from them ran.
expect window.ffPwned === undefined
expect [].some.call(document.querySelectorAll('title'), function (t) { return t.textContent.indexOf('<script>window.ffPwned=1,alert(1)</script> (') === 0; })
expect [].some.call(document.querySelectorAll('title'), function (t) { return t.textContent.indexOf('&"\x27 (') === 0; })
expect document.querySelectorAll('img').length === 0
nodialogs
noerrors
screenshot $out/flame.png
EOF

"$bin/ffbrowse" --timeout 60 "$tmp/script"

# Two graphs inlined in one HTML page: each zooms and searches on its own.
{
	echo '<!DOCTYPE html><html><head><meta charset="utf-8">'
	echo '<title>two graphs</title></head><body>'
	"$bin/ffreport" flamegraph --fragment --id one --title One \
	    "$tmp/in.folded"
	"$bin/ffreport" flamegraph --fragment --id two --title Two \
	    --colors blue "$tmp/in.folded"
	echo '</body></html>'
} > "$out/two.html"
cat > "$tmp/script2" <<EOF
open file://$out/two.html
expect document.querySelectorAll('svg.ffg').length === 2
expect !!(document.getElementById('one').ffg && document.getElementById('two').ffg)
expect (function () { var gs = document.querySelectorAll('#two .fr > g'); for (var i = 0; i < gs.length; i++) { var w = +gs[i].querySelector('rect').getAttribute('width'); if (w > 200 && w < 700) { gs[i].setAttribute('data-t', 'z'); return true; } } return false; })()
click #two [data-t=z] rect
expect Math.abs(+document.querySelector('#two [data-t=z] rect').getAttribute('width') - 1180) < 0.5
expect document.querySelectorAll('#two .fr > g.hide').length > 0
expect document.querySelectorAll('#one .fr > g.hide').length === 0
expect location.search.indexOf('two.x=') >= 0
prompt ^hostile\$
click #one .sb
expect /^Matched: /.test(document.querySelector('#one .mt').textContent)
expect document.querySelector('#two .mt').textContent === ' '
expect location.search.indexOf('one.s=') >= 0
nodialogs
noerrors
screenshot $out/two.png
EOF
"$bin/ffbrowse" --timeout 60 "$tmp/script2"
echo "screenshots: $out/flame.png $out/flame-zoomed.png" \
    "$out/flame-search.png $out/two.png"
