#!/bin/sh
# hostile_gen.sh OUT -- the hostile input corpus, in directory OUT: the
# small files of tests/data/hostile/ copied, and the large or derived ones
# made here (nothing of megabytes is committed).  Used by hostile.sh;
# MANIFEST says what each reader must do with each file.
#
#   made here                what
#   -----------------------  ---------------------------------------------
#   big-frame.folded         a 1 MiB frame name (then a good line)
#   deep.folded              a 10,000-frame stack (then a good line)
#   long-line.folded         a 5 MiB line (past the 4 MiB line limit)
#   perf-big-symbol.txt      perf script with a 1 MiB symbol
#   perf-deep.txt            perf script with a 10,000-frame sample
#   dtrace-deep.txt          DTrace output with a 10,000-frame stack
#   perf-late-nul.txt        a NUL byte after 64 KiB of good samples
#   NAME.ffp                 each NAME.folded as the data of a profile
#                            file with valid metadata (for the readers of
#                            profile files and the upload)
#   meta-*.ffp               metadata frames that are not valid JSON
#                            metadata, or whose length lies
#   xss-host.ffp             valid, with hostile host, build and label
#   truncated.ffp            a valid file cut inside its zstd frame
#   corrupt.ffp              one byte of the zstd frame flipped
#   meta-only.ffp            the metadata frame and nothing else
#   checkdirs/               base/ and new/ directories of good profiles
#                            for `ffdiff --check --base-dir --new-dir`
set -eu
OUT=$1
B=$(cd "${FF_BUILD_DIR:-build}" && pwd)/bin
SRC=$(cd "${FF_SOURCE_DIR:-.}" && pwd)/tests/data/hostile
mkdir -p "$OUT"
cp "$SRC"/* "$OUT"/
cd "$OUT"

# rep N TEXT: TEXT N times (awk, so no megabyte shell strings).
rep() { awk -v n="$1" -v t="$2" 'BEGIN { for (i = 0; i < n; i++)
    printf "%s", t }'; }

{ printf 'main;'; rep 1048576 A; printf ';leaf 5\nmain;ok 3\n'; } \
    >big-frame.folded
{ awk 'BEGIN { for (i = 0; i < 10000; i++) printf "%sf%d", i ? ";" : "", i
    }'; printf ' 1\nmain;ok 3\n'; } >deep.folded
{ printf 'main;'; rep 5242880 B; printf ' 5\nmain;ok 3\n'; } >long-line.folded

sample() {  # sample SYMBOL...: one perf sample, leaf first
	printf 'app 100/101 [000] 1.000001:     250000 cycles: \n'
	for s in "$@"; do printf '\t    401000 %s+0x1 (/bin/app)\n' "$s"; done
	printf '\n'
}
{ printf 'app 100/101 [000] 1.000001:     250000 cycles: \n\t    401000 '
  rep 1048576 S; printf '+0x1 (/bin/app)\n\t    402000 main+0x1 (/bin/app)\n\n'
  sample ok_leaf main; } >perf-big-symbol.txt
{ printf 'app 100/101 [000] 1.000001:     250000 cycles: \n'
  awk 'BEGIN { for (i = 0; i < 10000; i++)
      printf "\t    401000 f%d+0x1 (/bin/app)\n", i }'
  printf '\n'; sample ok_leaf main; } >perf-deep.txt
{ printf 'CPU     ID                    FUNCTION:NAME\n'
  printf '  0  64091                        :tick-60s \n\n\n'
  awk 'BEGIN { for (i = 0; i < 10000; i++)
      printf "              kernel`f%d+0x1\n", i }'
  printf '               7\n\n              kernel`ok_leaf+0x1\n'
  printf '              kernel`main+0x2\n               5\n'; } >dtrace-deep.txt
{ i=0; while [ $i -lt 600 ]; do sample "good$i" main; i=$((i + 1)); done
  printf 'app 100/101 [000] 1.000001:     250000 cycles: \n'
  printf '\t    401000 nul\000byte+0x1 (/bin/app)\n\t    402000 main+0x1 (/bin/app)\n\n'
  sample ok_leaf main; } >perf-late-nul.txt

# ---- profile files ------------------------------------------------------------
META='{"format":"flamefleet-profile/1","host":"cache-017","build":"2026.11.3","type":"cpu","events":["cycles"],"start":"2026-11-21T20:00:00Z","duration_s":60,"labels":{"gbps":"10"}}'
printf '%s' "$META" >meta.json
for f in *.folded; do
	"$B/ff-mkffp" meta.json "$f" >"${f%.folded}.ffp"
done
printf 'main;ok 3\n' >ok.data
mkffp_meta() {  # mkffp_meta OUT JSON_TEXT
	printf '%s' "$2" >m.tmp
	"$B/ff-mkffp" m.tmp ok.data >"$1"
}
mkffp_meta meta-bad-json.ffp '{"format":"flamefleet-profile/1", host'
mkffp_meta meta-not-object.ffp '["flamefleet-profile/1"]'
mkffp_meta meta-dup-key.ffp '{"format":"flamefleet-profile/1","host":"a","host":"b","build":"B","type":"cpu","events":["cycles"],"start":"2026-11-21T20:00:00Z"}'
mkffp_meta meta-nul.ffp '{"format":"flamefleet-profile/1","host":"a\u0000b","build":"B","type":"cpu","events":["cycles"],"start":"2026-11-21T20:00:00Z"}'
printf '{"format":"flamefleet-profile/1","host":"bad\377utf8","build":"B","type":"cpu","events":["cycles"],"start":"2026-11-21T20:00:00Z"}' >m.tmp
"$B/ff-mkffp" m.tmp ok.data >meta-bad-utf8.ffp
{ printf '{"x":'; rep 30000 '['; rep 30000 ']'; printf '}'; } >m.tmp
"$B/ff-mkffp" m.tmp ok.data >meta-deep.ffp
mkffp_meta meta-bad-count.ffp '{"format":"flamefleet-profile/1","host":"cache-017","build":"B","type":"cpu","events":["cycles","instructions"],"start":"2026-11-21T20:00:00Z"}'
mkffp_meta meta-bad-start.ffp '{"format":"flamefleet-profile/1","host":"cache-017","build":"B","type":"cpu","events":["cycles"],"start":"yesterday"}'
# The length field says 2 GiB / 500 bytes but the frame is short.
printf '\120\052\115\030\377\377\377\177{}' >meta-huge-len.ffp
printf '\120\052\115\030\364\001\000\000{"format":' >meta-short.ffp
mkffp_meta xss-host.ffp '{"format":"flamefleet-profile/1","host":"<img src=x onerror=alert(1)>","build":"</script><script>alert(2)</script>","type":"cpu","events":["cycles"],"start":"2026-11-21T20:00:00Z","labels":{"site":"\"><svg onload=alert(3)>"}}'
# meta-only: the metadata frame of a good file, nothing after it.
len=$(printf '%s' "$META" | wc -c | tr -d ' ')
"$B/ff-mkffp" meta.json ok.data >ok.ffp
head -c $((8 + len)) ok.ffp >meta-only.ffp
# truncated / corrupt: a profile with enough data to cut.
awk 'BEGIN { srand(5); for (i = 0; i < 3000; i++)
    printf "main;m%d;f%d %d\n", i % 40, i, 1 + int(rand() * 9) }' >many.data
"$B/ff-mkffp" meta.json many.data >many.ffp
size=$(wc -c <many.ffp | tr -d ' ')
head -c $((size * 2 / 3)) many.ffp >truncated.ffp
# Flip one byte in the middle of the zstd frame (its checksum catches it
# if the decoder does not).
half=$((size / 2))
{ head -c "$half" many.ffp
  head -c $((half + 1)) many.ffp | tail -c 1 | tr '\000-\377' '\377\000-\376'
  tail -c $((size - half - 1)) many.ffp; } >corrupt.ffp
rm -f m.tmp

# ---- directories for ffdiff --check ---------------------------------------------
# Eight profiles a side (enough for a SAME verdict), the same stacks; the
# file under test is added to new/.
mkdir -p checkdirs/base checkdirs/new
for side in base new; do
	i=0
	while [ $i -lt 8 ]; do
		printf '{"format":"flamefleet-profile/1","host":"cache-%03d","build":"%s","type":"cpu","events":["cycles"],"start":"2026-11-21T1%d:00:00Z","duration_s":60,"labels":{"gbps":"10"}}' \
		    "$i" "$side" "$i" >m.tmp
		awk -v s="$i" 'BEGIN { printf "main;ok 3\nmain;work;inner %d\nmain;io %d\n", 100 + s, 50 + s }' >d.tmp
		"$B/ff-mkffp" m.tmp d.tmp >"checkdirs/$side/p$i.ffp"
		i=$((i + 1))
	done
done
rm -f m.tmp d.tmp
