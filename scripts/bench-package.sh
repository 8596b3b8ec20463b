#!/usr/bin/env bash
# bench-package.sh [CASEPACK] — issue 3 "Measure": in ONE run, over the SAME
# generated evidence set, time coreutils sha256sum, cp -r, `casepack build`
# and `casepack verify`, print wall-time ratios against sha256sum and
# casepack's peak RSS (/usr/bin/time -v), then build again with SCALE× the
# big files to show memory does not grow with evidence size.
#
# The evidence set is generated from a fixed seed, so every run measures the
# same bytes. Sizes are configurable for quick runs:
#   BIG_COUNT=9 BIG_MIB=120 SMALL_COUNT=2000 SMALL_MIN_KIB=4 SMALL_MAX_KIB=64
#   SCALE=3 SEED=20210108 BENCH_DIR=<folder, default a new temp folder>
#   KEEP=1 (keep BENCH_DIR afterwards)
# e.g. BIG_MIB=12 SMALL_COUNT=200 scripts/bench-package.sh bin/casepack
#
# Files are measured warm (in the page cache, as just generated): the
# comparison is of CPU work per byte, not of the disk.
set -euo pipefail

CASEPACK=${1:-${CASEPACK:-./bin/casepack}}
BIG_COUNT=${BIG_COUNT:-9}
BIG_MIB=${BIG_MIB:-120}
SMALL_COUNT=${SMALL_COUNT:-2000}
SMALL_MIN_KIB=${SMALL_MIN_KIB:-4}
SMALL_MAX_KIB=${SMALL_MAX_KIB:-64}
SCALE=${SCALE:-3}
SEED=${SEED:-20210108}
DATE=2021-02-18T12:00:00Z

die() { echo "bench-package: $*" >&2; exit 1; }
[ -x "$CASEPACK" ] || die "no casepack binary at $CASEPACK (run make build, or pass its path)"
CASEPACK=$(cd "$(dirname "$CASEPACK")" && pwd)/$(basename "$CASEPACK")
TIME=/usr/bin/time
[ -x "$TIME" ] || die "/usr/bin/time not found (install the 'time' package: apt-get install time)"
command -v sha256sum >/dev/null || die "sha256sum not found"
PY=$(command -v python3) || die "python3 not found"

WORK=${BENCH_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/casepack-bench.XXXXXX")}
mkdir -p "$WORK"
[ "${KEEP:-}" = 1 ] || trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

# gen_big FROM TO: big-NN.mp4 files FROM..TO, pseudo-random bytes from a
# keystream keyed by SEED and the file number (openssl: fast, fixed).
gen_big() {
	local i
	for i in $(seq "$1" "$2"); do
		local f
		f=$(printf 'case/evidence/video/big-%02d.mp4' "$i")
		[ -f "$f" ] && continue
		mkdir -p "$(dirname "$f")"
		local key
		key=$(printf '%s-%s' "$SEED" "$i" | sha256sum | cut -c1-32)
		if command -v openssl >/dev/null; then
			head -c $((BIG_MIB << 20)) /dev/zero | openssl enc -aes-128-ctr -nosalt -K "$key" -iv 00000000000000000000000000000000 >"$f"
		else
			"$PY" -c 'import random,sys; r=random.Random(sys.argv[1]); n=int(sys.argv[2]); o=open(sys.argv[3],"wb"); [o.write(r.randbytes(1<<20)) for _ in range(n)]' "$key" "$BIG_MIB" "$f"
		fi
	done
}

# gen_small: SMALL_COUNT files of SMALL_MIN_KIB..SMALL_MAX_KIB, seeded sizes
# and bytes.
gen_small() {
	"$PY" - "$SEED" "$SMALL_COUNT" "$SMALL_MIN_KIB" "$SMALL_MAX_KIB" <<'PY'
import os, random, sys
seed, n, lo, hi = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
r = random.Random(seed)
os.makedirs("case/evidence/photos", exist_ok=True)
for i in range(1, n + 1):
    p = "case/evidence/photos/img-%05d.jpg" % i
    size = r.randint(lo * 1024, hi * 1024)
    data = r.randbytes(size)
    if not os.path.exists(p):
        with open(p, "wb") as f:
            f.write(data)
PY
}

# write_case BIGS: a minimal valid case.json (samples/minimal's shape)
# with one evidence item per file: BIGS videos, then every small file.
write_case() {
	"$PY" - "$1" "$SMALL_COUNT" <<'PY'
import json, sys
bigs, smalls = int(sys.argv[1]), int(sys.argv[2])
ev = []
def item(path, typ, mt):
    n = len(ev) + 1
    ev.append({"id": "EV-%04d" % n, "title": "Benchmark file %d" % n, "type": typ,
               "files": [{"path": path, "role": "original", "media_type": mt}],
               "classification": "confidential"})
for i in range(1, bigs + 1):
    item("evidence/video/big-%02d.mp4" % i, "video", "video/mp4")
for i in range(1, smalls + 1):
    item("evidence/photos/img-%05d.jpg" % i, "photo", "image/jpeg")
case = {
  "schema_version": "1.0",
  "submission": {"id": "BENCH-001", "title": "casepack benchmark (generated)", "kind": "art15_communication",
    "date": "2021-02-26", "version": "1", "classification": "confidential", "languages": ["en"],
    "sender": {"organisation": "Benchmark organisation (fictional)", "contact_person": "Bench Contact",
               "email": "bench@example.org"},
    "recipient": {"body": "Office of the Prosecutor, International Criminal Court",
                  "situation_code": "ICC-02/18", "situation_name": "Venezuela I"}},
  "analysis": {"summary": "Generated benchmark case [EV-0001]."},
  "incidents": [{"id": "INC-01", "title": "Benchmark incident", "start": "2021-01-08", "location": {},
                 "description": "Generated.", "evidence_ids": [e["id"] for e in ev]}],
  "evidence": ev,
}
json.dump(case, open("case/case.json", "w"), indent=1)
PY
}

# measure NAME CMD...: run CMD under /usr/bin/time -v; record wall seconds
# and peak RSS (KiB) in $WALL/$RSS and the results table.
declare -A WALL RSS
measure() {
	local name=$1; shift
	"$TIME" -v -o time.txt "$@" >cmd.out 2>&1 || { cat cmd.out time.txt >&2; die "$name failed"; }
	local w
	w=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' time.txt)
	WALL[$name]=$(echo "$w" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
	RSS[$name]=$(awk -F': ' '/Maximum resident set size/ {print $2}' time.txt)
}

echo "generating evidence: $BIG_COUNT x $BIG_MIB MiB + $SMALL_COUNT files of $SMALL_MIN_KIB-$SMALL_MAX_KIB KiB (seed $SEED) in $WORK" >&2
gen_big 1 "$BIG_COUNT"
gen_small
write_case "$BIG_COUNT"
BYTES=$(du -sb case/evidence | cut -f1)
FILES=$(find case/evidence -type f | wc -l)
cat case/evidence/*/* >/dev/null # same warm page cache for every tool

measure sha256sum sh -c 'find case/evidence -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum >/dev/null'
rm -rf cpcopy
measure "cp -r" cp -r case/evidence cpcopy
rm -rf cpcopy
rm -rf out
measure "casepack build" "$CASEPACK" build case -o out --date "$DATE" --no-progress --quiet
PKG=$(find out -mindepth 1 -maxdepth 1 -type d | head -1)
measure "casepack verify" "$CASEPACK" verify "$PKG" --quiet
rm -rf out

echo "generating $SCALE x the big files ($((BIG_COUNT * SCALE)) x $BIG_MIB MiB)" >&2
gen_big 1 $((BIG_COUNT * SCALE))
write_case $((BIG_COUNT * SCALE))
BYTES3=$(du -sb case/evidence | cut -f1)
cat case/evidence/*/* >/dev/null
measure "casepack build ${SCALE}x" "$CASEPACK" build case -o out --date "$DATE" --no-progress --quiet
rm -rf out

mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }
echo
echo "casepack package benchmark ($(nproc) CPUs; $(uname -sr))"
echo "evidence: $FILES files, $(mib "$BYTES") ($BIG_COUNT x $BIG_MIB MiB + $SMALL_COUNT small); ${SCALE}x set: $(mib "$BYTES3")"
printf '%-24s %9s %12s %12s\n' "" "wall s" "x sha256sum" "peak RSS"
base=${WALL[sha256sum]}
for name in sha256sum "cp -r" "casepack build" "casepack verify" "casepack build ${SCALE}x"; do
	printf '%-24s %9.2f %12.2f %12s\n' "$name" "${WALL[$name]}" "$(awk -v a="${WALL[$name]}" -v b="$base" 'BEGIN { print (b > 0 ? a / b : 0) }')" "$(mib $((RSS[$name] * 1024)))"
done
echo "goals (issue 3): build <= 0.65x sha256sum, verify <= 0.45x, peak RSS <= 64 MiB at both sizes"
echo "(the ${SCALE}x build is over $(awk -v a="$BYTES3" -v b="$BYTES" 'BEGIN { printf "%.1f", a / b }')x the bytes: compare its RSS, not its ratio)"
