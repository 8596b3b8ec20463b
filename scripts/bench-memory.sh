#!/usr/bin/env bash
# bench-memory.sh [CASEPACK] — peak memory of `casepack build` against
# `casepack validate` of the same large generated cases, in one run:
#  1. a case with EVIDENCE_ITEMS evidence items (one small file each; the
#     generator's other sizes: 100,000 persons, 1,000 incidents);
#  2. a case with PERSONS persons (10,000 evidence items, 1,000 incidents).
# Prints wall time, CPU time (user+system) and peak RSS of each command, and
# the build's peak RSS as a multiple of validate's (goal: under 4x), then the
# build's phase timings. On a shared machine the wall clock is mostly other
# people's load; the peak RSS is not.
#   EVIDENCE_ITEMS=50000 PERSONS=200000 CASES="evidence persons"
#   GENCASE_ARGS="" (generator flags before the case's own, for quick runs:
#   e.g. GENCASE_ARGS="-persons 500 -evidence 50 -incidents 20" EVIDENCE_ITEMS=200 PERSONS=1000)
#   BENCH_DIR=<folder, default a new temp folder> KEEP=1 (keep it afterwards)
set -euo pipefail

CASEPACK=${1:-${CASEPACK:-./bin/casepack}}
EVIDENCE_ITEMS=${EVIDENCE_ITEMS:-50000}
PERSONS=${PERSONS:-200000}
CASES=${CASES:-"evidence persons"}
DATE=2021-02-26T12:00:00Z

die() { echo "bench-memory: $*" >&2; exit 1; }
[ -x "$CASEPACK" ] || die "no casepack binary at $CASEPACK (run make build, or pass its path)"
CASEPACK=$(cd "$(dirname "$CASEPACK")" && pwd)/$(basename "$CASEPACK")
[ -x /usr/bin/time ] || die "/usr/bin/time not found (install the 'time' package: apt-get install time)"
REPO=$(pwd)

WORK=${BENCH_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/casepack-bench-memory.XXXXXX")}
mkdir -p "$WORK"
[ "${KEEP:-}" = 1 ] || trap 'rm -rf "$WORK"' EXIT

# measure LABEL CMD...: run CMD under /usr/bin/time; print one row and keep
# the peak RSS (KiB) in $RSS. The command's stderr is kept in $WORK/LABEL.err.
measure() {
	local label=$1; shift
	/usr/bin/time -f "%e %U %S %M" -o "$WORK/time.txt" "$@" >/dev/null 2>"$WORK/$label.err" ||
		{ cat "$WORK/$label.err" >&2; die "$label failed"; }
	local wall user sys
	read -r wall user sys RSS <"$WORK/time.txt"
	printf '%-34s %9s %9s %12s\n' "$label" "$wall" "$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')" "$((RSS / 1024)) MiB"
}

echo "casepack build memory against validate ($(nproc) CPUs; $(uname -sr); $(date -u +%Y-%m-%dT%H:%MZ); load $(cut -d' ' -f1-3 /proc/loadavg))"
for c in $CASES; do
	case $c in
	evidence) args=(-evidence "$EVIDENCE_ITEMS") what="$EVIDENCE_ITEMS evidence items" ;;
	persons) args=(-persons "$PERSONS") what="$PERSONS persons" ;;
	*) die "unknown case $c (evidence or persons)" ;;
	esac
	dir=$WORK/case-$c
	# shellcheck disable=SC2086 # GENCASE_ARGS is a list of flags
	[ -f "$dir/case.json" ] || (cd "$REPO" && go run ./internal/casegen/cmd/gencase ${GENCASE_ARGS:-} "${args[@]}" -o "$dir" 2>/dev/null)
	echo
	echo "== $what: case.json $(( $(stat -c %s "$dir/case.json") / 1000000 )) MB"
	printf '%-34s %9s %9s %12s\n' "" "wall s" "cpu s" "peak RSS"
	measure "validate-$c" "$CASEPACK" validate "$dir"
	v=$RSS
	rm -rf "$WORK/out"
	measure "build-$c" "$CASEPACK" build "$dir" -o "$WORK/out" --date "$DATE" --no-progress --quiet --timings
	rm -rf "$WORK/out"
	echo "build peak RSS / validate peak RSS: $(awk -v b="$RSS" -v v="$v" 'BEGIN { printf "%.2f", b / v }')x (goal: under 4x)"
	echo "build phases:"
	sed -n '/^casepack: timings/,$p' "$WORK/build-$c.err"
	[ "${KEEP:-}" = 1 ] || rm -rf "$dir"
done
