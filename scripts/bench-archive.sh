#!/usr/bin/env bash
# bench-archive.sh [CASEPACK] — issue "archive", Measure: in ONE run, over
# the SAME generated package (9 x 120 MiB + 2,000 small files, 1.15 GiB, as
# scripts/bench-package.sh makes), time `casepack verify` of the package and
# `casepack archive audit` of an archive holding it, on a local folder and
# on an S3 bucket over loopback (Versity Gateway, scripts/s3-server.sh);
# print wall-time ratios to verify and peak RSS (/usr/bin/time -v). The S3
# audit runs again once the archive holds twice the bytes (a co-signed
# second version), to show its memory does not grow with the archive.
#
# Sizes: BIG_COUNT=9 BIG_MIB=120 SMALL_COUNT=2000 SMALL_MIN_KIB=4
# SMALL_MAX_KIB=64 SEED=20210108 BENCH_DIR=<folder> KEEP=1 (keep it).
# Files are measured warm (in the page cache): the comparison is of the work
# per byte, not of the disk.
set -euo pipefail

CASEPACK=${1:-${CASEPACK:-./bin/casepack}}
BIG_COUNT=${BIG_COUNT:-9}
BIG_MIB=${BIG_MIB:-120}
SMALL_COUNT=${SMALL_COUNT:-2000}
SMALL_MIN_KIB=${SMALL_MIN_KIB:-4}
SMALL_MAX_KIB=${SMALL_MAX_KIB:-64}
SEED=${SEED:-20210108}
DATE=2021-02-18T12:00:00Z

die() { echo "bench-archive: $*" >&2; exit 1; }
[ -x "$CASEPACK" ] || die "no casepack binary at $CASEPACK (run make build, or pass its path)"
CASEPACK=$(cd "$(dirname "$CASEPACK")" && pwd)/$(basename "$CASEPACK")
SCRIPTS=$(cd "$(dirname "$0")" && pwd)
TIME=/usr/bin/time
[ -x "$TIME" ] || die "/usr/bin/time not found (install the 'time' package: apt-get install time)"
PY=$(command -v python3) || die "python3 not found"

WORK=${BENCH_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/casepack-bench-archive.XXXXXX")}
mkdir -p "$WORK"
S3_SERVER_PID=
cleanup() {
	[ -z "$S3_SERVER_PID" ] || kill "$S3_SERVER_PID" 2>/dev/null || true
	[ "${KEEP:-}" = 1 ] || rm -rf "$WORK"
}
trap cleanup EXIT
cd "$WORK"

# The evidence set: the same seeded bytes and sizes as bench-package.sh.
echo "generating $BIG_COUNT x $BIG_MIB MiB + $SMALL_COUNT small files (seed $SEED) in $WORK" >&2
"$PY" - "$SEED" "$BIG_COUNT" "$BIG_MIB" "$SMALL_COUNT" "$SMALL_MIN_KIB" "$SMALL_MAX_KIB" <<'PY'
import hashlib, json, os, random, subprocess, sys
seed, bigs, mib, smalls, lo, hi = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
os.makedirs("case/evidence/video", exist_ok=True)
os.makedirs("case/evidence/photos", exist_ok=True)
ev = []
def item(path, typ, mt):
    n = len(ev) + 1
    ev.append({"id": "EV-%04d" % n, "title": "Benchmark file %d" % n, "type": typ,
               "files": [{"path": path, "role": "original", "media_type": mt}], "classification": "confidential"})
for i in range(1, bigs + 1):
    p = "case/evidence/video/big-%02d.mp4" % i
    if not os.path.exists(p):
        key = hashlib.sha256(("%s-%d" % (seed, i)).encode()).hexdigest()[:32]
        with open(p, "wb") as out:
            subprocess.run(["openssl", "enc", "-aes-128-ctr", "-nosalt", "-K", key, "-iv", "0" * 32],
                           input=bytes(mib << 20), stdout=out, check=True)
    item("evidence/video/big-%02d.mp4" % i, "video", "video/mp4")
r = random.Random(seed)
for i in range(1, smalls + 1):
    p = "case/evidence/photos/img-%05d.jpg" % i
    data = r.randbytes(r.randint(lo * 1024, hi * 1024))
    if not os.path.exists(p):
        open(p, "wb").write(data)
    item("evidence/photos/img-%05d.jpg" % i, "photo", "image/jpeg")
case = {"schema_version": "1.0",
  "submission": {"id": "BENCH-001", "title": "casepack benchmark (generated)", "kind": "art15_communication",
    "date": "2021-02-26", "version": "1", "classification": "confidential", "languages": ["en"],
    "sender": {"organisation": "Benchmark organisation (fictional)", "contact_person": "Bench Contact", "email": "bench@example.org"},
    "recipient": {"body": "Office of the Prosecutor, International Criminal Court", "situation_code": "ICC-02/18", "situation_name": "Venezuela I"}},
  "analysis": {"summary": "Generated benchmark case [EV-0001]."},
  "incidents": [{"id": "INC-01", "title": "Benchmark incident", "start": "2021-01-08", "location": {},
                 "description": "Generated.", "evidence_ids": [e["id"] for e in ev]}],
  "evidence": ev}
json.dump(case, open("case/case.json", "w"), indent=1)
PY

declare -A WALL RSS CPU
measure() {
	local name=$1; shift
	"$TIME" -v -o time.txt "$@" >cmd.out 2>&1 || { cat cmd.out time.txt >&2; die "$name failed"; }
	local w
	w=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' time.txt)
	WALL[$name]=$(echo "$w" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
	RSS[$name]=$(awk -F': ' '/Maximum resident set size/ {print $2}' time.txt)
	CPU[$name]=$(awk -F': ' '/User time|System time/ {s += $2} END {print s}' time.txt)
}

"$CASEPACK" keygen -o alice >/dev/null
"$CASEPACK" keygen -o bob >/dev/null
rm -rf out
"$CASEPACK" build case -o out --date "$DATE" --key alice.key --no-progress --quiet
PKG=out/BENCH-001_confidential
BYTES=$(du -sb "$PKG" | cut -f1)
mkdir -p co && cp -r "$PKG" co/ && "$CASEPACK" sign --key bob.key "co/$(basename "$PKG")" >/dev/null

# The S3 server, and a bucket (versitygw's posix backend: a folder).
eval "$("$SCRIPTS/s3-server.sh" "$WORK/s3")"
mkdir -p "$WORK/s3/data/bench"
export AWS_ENDPOINT_URL=$CASEPACK_TEST_S3_ENDPOINT AWS_ACCESS_KEY_ID=$CASEPACK_TEST_S3_ACCESS_KEY
export AWS_SECRET_ACCESS_KEY=$CASEPACK_TEST_S3_SECRET_KEY AWS_REGION=us-east-1

measure "archive add (local)" "$CASEPACK" archive add arch "$PKG" --quiet --no-progress
measure "archive add (S3)" "$CASEPACK" archive add s3://bench/arch "$PKG" --quiet --no-progress
find "$PKG" arch -type f -exec cat {} + >/dev/null # the same warm page cache for verify and audit
measure "casepack verify" "$CASEPACK" verify "$PKG" --quiet --no-progress
measure "archive audit (local)" "$CASEPACK" archive audit arch --quiet --no-progress
measure "archive audit (S3)" "$CASEPACK" archive audit s3://bench/arch --quiet --no-progress
"$CASEPACK" archive add s3://bench/arch "co/$(basename "$PKG")" --quiet --no-progress
measure "archive audit (S3, 2x)" "$CASEPACK" archive audit s3://bench/arch --quiet --no-progress

mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }
echo
echo "casepack archive benchmark ($(nproc) CPUs; $(uname -sr))"
echo "package: $(mib "$BYTES") ($BIG_COUNT x $BIG_MIB MiB + $SMALL_COUNT small files), signed; S3: versitygw on 127.0.0.1"
printf '%-26s %9s %10s %9s %10s %12s\n' "" "wall s" "x verify" "CPU s" "x verify" "peak RSS"
base=${WALL[casepack verify]}
cbase=${CPU[casepack verify]}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { print (b > 0 ? a / b : 0) }'; }
for name in "casepack verify" "archive audit (local)" "archive audit (S3)" "archive audit (S3, 2x)" "archive add (local)" "archive add (S3)"; do
	printf '%-26s %9.2f %10.2f %9.2f %10.2f %12s\n' "$name" "${WALL[$name]}" "$(ratio "${WALL[$name]}" "$base")" \
		"${CPU[$name]}" "$(ratio "${CPU[$name]}" "$cbase")" "$(mib $((RSS[$name] * 1024)))"
done
echo "(CPU s is user + system time of casepack alone; the S3 rows exclude the server's)"
echo "goals: local audit <= 1.1x verify; S3 audit memory flat (the 2x archive holds twice the bytes: compare RSS, not time)"
