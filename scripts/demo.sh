#!/bin/sh
# demo.sh -- the whole flamefleet story on a simulated fleet.
#
#   scripts/demo.sh
#
# Installs what is missing (Debian 12, as root), builds, then:
#   1. simulates a fleet: 40 cache servers on build 2026.11.1 and 40 on
#      2026.11.2, which spends +0.3 percentage points more time in one
#      function and has a worse CPI in another (ffgen-fleet; cycles and
#      instructions, a Gbps label per host);
#   2. starts the store (ffstore serve) on a free loopback port;
#   3. has an agent per host (ffagent push, each with its own spool) send
#      its profile over HTTP;
#   4. runs the check (ffdiff --check) and writes demo-out/report.html,
#      demo-out/diff.svg, demo-out/cpi.svg (and cpi-diff.svg,
#      verdict.json, junit.xml);
#   5. prints the verdict, the top regressions and where the files are,
#      and stops the store.
# Exit status: 0 when the demo ran (whatever the verdict), else non-zero.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
start=$(date +%s)
say() { printf '\n== %s\n' "$*"; }

say "dependencies"
scripts/deps.sh
say "building (build/, Release)"
scripts/build.sh release build ffagent ffstore ffdiff ffreport ffgen-fleet \
    >"${TMPDIR:-/tmp}/flamefleet-demo-build.log" 2>&1 || {
	tail -30 "${TMPDIR:-/tmp}/flamefleet-demo-build.log" >&2
	exit 1
}
bin=$top/build/bin
built=$(date +%s)

out=$top/demo-out
rm -rf "$out"
mkdir -p "$out/agents"
base=2026.11.1
new=2026.11.2

say "1. simulating 40 + 40 hosts"
"$bin/ffgen-fleet" --out "$out/fleet" --hosts 40 --builds "$base,$new" \
    --cpi --inject auto:0.3 --cpi-change auto:1.6 --universe 6000 \
    --functions 2000 --samples 40000 --folded --seed 2026 -q
injected=$(awk -F'\t' '$1 == "inject" { print $2 }' "$out/fleet/truth.tsv")
slower=$(awk -F'\t' '$1 == "cpi" { print $2 }' "$out/fleet/truth.tsv")
echo "   injected in $new: +0.3 pp self time in $injected; CPI x1.6 in $slower"

say "2. starting the store"
server=
stop_store() {
	if [ -n "$server" ]; then
		kill "$server" 2>/dev/null || true
		wait "$server" 2>/dev/null || true
		server=
	fi
}
trap stop_store EXIT INT TERM
"$bin/ffstore" serve --db "$out/fleet.db" --listen 127.0.0.1:0 \
    --port-file "$out/port" 2>"$out/store.log" &
server=$!
i=0
while [ ! -s "$out/port" ]; do
	i=$((i + 1))
	if [ $i -gt 500 ] || ! kill -0 "$server" 2>/dev/null; then
		cat "$out/store.log" >&2
		exit 1
	fi
	sleep 0.02
done
url=http://127.0.0.1:$(cat "$out/port")
echo "   $url (database $out/fleet.db)"

say "3. one agent per host pushes its profile over HTTP"
n=0
while IFS="$(printf '\t')" read -r build host path gbps site; do
	dir=$out/agents/$host
	mkdir -p "$dir"
	printf '%s\n' "$build" >"$dir/build"
	cat >"$dir/agent.conf" <<CONF
[agent]
server = $url
spool_dir = $dir/spool
host = $host
build_file = $dir/build
deadline_s = 60
CONF
	"$bin/ffagent" push -q --config "$dir/agent.conf" --build "$build" \
	    --type cpi --events cycles,instructions --periods 100000,100000 \
	    --label "gbps=$gbps" --label "site=$site" \
	    --start 2026-11-20T00:00:00Z --duration 60 "$path"
	n=$((n + 1))
	[ $((n % 20)) -ne 0 ] || echo "   $n profiles uploaded"
done <"$out/fleet/manifest.tsv"

say "4. checking $new against $base"
rc=0
"$bin/ffdiff" --db "$out/fleet.db" --base "build=$base" --new "build=$new" \
    --type cpi --check --totals --limit 5 \
    --html "$out/report.html" --json "$out/verdict.json" \
    --junit "$out/junit.xml" --svg "$out/diff.svg" \
    --cpi-svg "$out/cpi.svg" --cpi-diff-svg "$out/cpi-diff.svg" || rc=$?
stop_store

say "5. files"
cat <<TXT
   report (open in a browser):  $out/report.html
   differential flame graph:    $out/diff.svg
   CPI flame graph (new build): $out/cpi.svg
   CPI change:                  $out/cpi-diff.svg
   verdict as JSON / JUnit:     $out/verdict.json, $out/junit.xml
   the store's database:        $out/fleet.db
     (browse it: $bin/ffstore serve --db $out/fleet.db, then
      http://127.0.0.1:8080/)
   ffdiff exit code: $rc (0 SAME, 1 REGRESSED, 3 INCONCLUSIVE)
   what was injected: +0.3 pp in $injected, CPI x1.6 in $slower
TXT
end=$(date +%s)
echo "   time: $((end - start)) s in all, $((end - built)) s after the build"
[ "$rc" -le 3 ] && [ "$rc" -ne 2 ]
