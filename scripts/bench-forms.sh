#!/usr/bin/env bash
# bench-forms.sh [CASEPACK] — issue 10 "Measure", in one run:
#  1. import of a generated workbook (PERSONS persons, EVIDENCE evidence
#     items): `casepack convert case.xlsx -o case.json` (read the workbook
#     into the typed case and write it), wall time and peak RSS; then
#     `casepack validate` of the same workbook, for context;
#  2. `casepack evidence add` of one file of ADD_MIB MiB (default 1 GiB):
#     wall time against sha256sum on the same file, peak RSS against a file
#     of 1/16 the size (memory must not grow with the file), and the bytes
#     read from the file counted with strace (one read: the file's size).
# Goals (issue 10): import under 5 s and 300 MiB; evidence add reads once,
# memory flat.
# Sizes: PERSONS (100000), EVIDENCE (10000), INCIDENTS (1000), ADD_MIB (1024).
set -euo pipefail
bin=${1:-bin/casepack}
persons=${PERSONS:-100000}; evidence=${EVIDENCE:-10000}; incidents=${INCIDENTS:-1000}
add_mib=${ADD_MIB:-1024}
die() { echo "bench-forms: $*" >&2; exit 1; }
[ -x "$bin" ] || die "no casepack binary at $bin (run make build)"
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
command -v /usr/bin/time >/dev/null || die "/usr/bin/time is missing (apt-get install time)"
work=${BENCH_DIR:-$(mktemp -d)}
trap '[ -z "${BENCH_DIR:-}" ] && rm -rf "$work"' EXIT

measure() { # label, command… → "wall_s peak_rss_MiB cpu_s"
  local label=$1; shift
  /usr/bin/time -f "%e %M %U %S" -o "$work/time.txt" "$@" >/dev/null 2>"$work/err.txt" || { echo "$label failed:"; tail -5 "$work/err.txt"; exit 1; }
  read -r wall rss user sys <"$work/time.txt"
  echo "$wall $((rss / 1024)) $(awk "BEGIN{print $user + $sys}")"
}

echo "== import of a generated workbook"
go run ./internal/casegen/cmd/gencase -incidents "$incidents" -persons "$persons" -evidence "$evidence" -o "$work/case" >/dev/null 2>&1
"$bin" convert "$work/case/case.json" -o "$work/case.xlsx" >/dev/null 2>&1
mv "$work/case/case.json" "$work/case.json.orig"
mv "$work/case.xlsx" "$work/case/case.xlsx"
echo "case.xlsx: $(( $(stat -c %s "$work/case/case.xlsx") / 1000000 )) MB ($persons persons, $evidence evidence items, $incidents incidents)"
printf '%-42s %8s %8s %12s\n' step wall_s cpu_s peak_rss_MiB
best=""
for round in 1 2 3; do
  rm -f "$work/out.json"
  read -r w r c < <(measure import "$bin" convert "$work/case/case.xlsx" -o "$work/out.json")
  printf '%-42s %8s %8s %12s\n' "convert case.xlsx -o case.json (run $round)" "$w" "$c" "$r"
  if [ -z "$best" ] || awk "BEGIN{exit !($w < ${best%% *})}"; then best="$w $r $c"; fi
done
cmp -s "$work/out.json" "$work/case.json.orig" && echo "the imported case is byte-identical to the generated case.json" || die "the imported case differs from the generated one"
read -r w r c < <(measure validate "$bin" validate --skip-hashes "$work/case")
printf '%-42s %8s %8s %12s\n' "validate --skip-hashes (workbook)" "$w" "$c" "$r"
read -r bw br bc <<<"$best"
echo "import: best of 3 ${bw} s wall (${bc} s CPU), ${br} MiB peak (goal: under 5 s and 300 MiB)"

echo "== evidence add of a ${add_mib} MiB file"
"$bin" init "$work/add" --format xlsx >/dev/null
head -c $((add_mib * 1048576)) /dev/urandom >"$work/big.bin"
head -c $((add_mib * 65536)) /dev/urandom >"$work/small.bin"
cat "$work/big.bin" >/dev/null # warm: compare CPU work, not the disk
read -r sw _ _ < <(measure sha256sum sha256sum "$work/big.bin")
read -r aw ar _ < <(measure add "$bin" evidence add --no-progress "$work/add" "$work/big.bin")
"$bin" init "$work/add2" --format xlsx >/dev/null
read -r _ sr _ < <(measure add-small "$bin" evidence add --no-progress "$work/add2" "$work/small.bin")
printf '%-42s %8s %8s %12s\n' "sha256sum (${add_mib} MiB)" "$sw" "-" "-"
printf '%-42s %8s %8s %12s\n' "casepack evidence add (${add_mib} MiB)" "$aw" "-" "$ar"
printf '%-42s %8s %8s %12s\n' "casepack evidence add ($((add_mib / 16)) MiB)" "-" "-" "$sr"
echo "evidence add / sha256sum wall time: $(awk "BEGIN{printf \"%.2f\", $aw / $sw}")x (it also computes SHA-512 and copies the file)"
echo "peak RSS, ${add_mib} MiB file vs $((add_mib / 16)) MiB file: ${ar} MiB vs ${sr} MiB (flat: memory does not grow with the file)"
if command -v strace >/dev/null; then
  "$bin" init "$work/add3" --format xlsx >/dev/null
  strace -f -e trace=read -P "$work/big.bin" -o "$work/strace.txt" "$bin" evidence add --no-progress "$work/add3" "$work/big.bin" >/dev/null 2>&1
  read_bytes=$(grep -o '= [0-9]*$' "$work/strace.txt" | awk '{n += $2} END {print n + 0}')
  echo "bytes read from the file: $read_bytes of $((add_mib * 1048576)) (one read: equal)"
else
  echo "strace not installed: the count of bytes read is skipped"
fi
