#!/usr/bin/env bash
# bench-floor.sh — the floor of a build of the bench set on this machine:
# what the disk and the CPU can do at best, measured in one run, to compare
# with what `casepack build` takes (scripts/bench-package.sh).
#
# A build of large files reads each evidence file (from the page cache: the
# benchmarks measure warm files), hashes it with SHA-512 and SHA-256 once,
# writes the copy to the disk with direct I/O, reads each chunk back from
# the disk with direct I/O and compares it with the bytes hashed
# (packager/FORMAT.md), and syncs the package before renaming it into
# place. So:
#   CPU floor  = bytes / SHA-512 rate + bytes / SHA-256 rate, spread over
#                the cores (perfectly: no copy, no comparison, no system
#                call counted);
#   disk floor = writing the bytes and reading them back, both at once,
#                then the sync that makes them durable (on a virtual
#                machine's disk, the host writing out its cache).
# The build cannot be faster than the larger of the two.
#
#   MIB=1148 (the bench set: 9 x 120 MiB + 2,000 small files), BS=8M (dd's
#   request size), ROUNDS=3 (each disk measurement; the best is kept),
#   BENCH_DIR=<folder on the disk the build writes to, default a new temp folder>
#
# The disk numbers vary with other people's load far more than CPU times
# do: run it on an idle machine, several rounds.
set -euo pipefail
# shellcheck source=scripts/fsinfo.sh
. "$(dirname "$0")/fsinfo.sh"

MIB=${MIB:-1148}
BS=${BS:-8M}
ROUNDS=${ROUNDS:-3}
REPO=$(cd "$(dirname "$0")/.." && pwd)

die() { echo "bench-floor: $*" >&2; exit 1; }
command -v go >/dev/null || die "go not found"
command -v sha256sum >/dev/null || die "sha256sum not found"

if [ -n "${BENCH_DIR:-}" ]; then
	WORK=$BENCH_DIR
	mkdir -p "$WORK"
	trap 'rm -f "$WORK/src" "$WORK/dst" "$WORK/digest.test" "$WORK/time.txt"' EXIT
else
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/casepack-floor.XXXXXX")
	trap 'rm -rf "$WORK"' EXIT
fi
BYTES=$((MIB << 20))
BSB=$(numfmt --from=iec "$BS")
COUNT=$(((BYTES + BSB - 1) / BSB))
CORES=$(nproc)

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
rate() { awk -v s="$1" -v b="$BYTES" 'BEGIN { printf "%.0f MB/s", (s > 0 ? b / s / 1e6 : 0) }'; }
# best NAME VALUE: keep the smallest VALUE seen for NAME.
declare -A BEST
best() { if [ -z "${BEST[$1]:-}" ] || awk -v a="$2" -v b="${BEST[$1]}" 'BEGIN { exit !(a < b) }'; then BEST[$1]=$2; fi; }

echo "casepack floor ($CORES CPUs; $(uname -sr); $(date -u +%Y-%m-%dT%H:%MZ); load $(cut -d' ' -f1-3 /proc/loadavg)); $MIB MiB in $BS requests, in $WORK"
echo "disk: $(fsinfo "$WORK")"

# The file every read measurement reads (written once, synced, outside any timing).
dd if=/dev/urandom of="$WORK/src" bs="$BS" count="$COUNT" status=none
sync -f "$WORK"

for r in $(seq "$ROUNDS"); do
	# Direct write, then the sync that makes it durable.
	rm -f "$WORK/dst" && sync -f "$WORK"
	t0=$(now)
	dd if=/dev/zero of="$WORK/dst" bs="$BS" count="$COUNT" oflag=direct status=none
	t1=$(now)
	sync -f "$WORK"
	t2=$(now)
	best write "$(secs "$t0" "$t1")"
	best flush "$(secs "$t1" "$t2")"
	best durable "$(secs "$t0" "$t2")"
	# Direct read.
	t0=$(now)
	dd if="$WORK/src" of=/dev/null bs="$BS" iflag=direct status=none
	best read "$(secs "$t0" "$(now)")"
	# Both at once, then the sync: what a build's copy and read-back ask of the disk.
	rm -f "$WORK/dst" && sync -f "$WORK"
	t0=$(now)
	dd if=/dev/zero of="$WORK/dst" bs="$BS" count="$COUNT" oflag=direct status=none &
	dd if="$WORK/src" of=/dev/null bs="$BS" iflag=direct status=none
	wait
	sync -f "$WORK"
	best both "$(secs "$t0" "$(now)")"
done
rm -f "$WORK/dst"

# From the page cache: the build's read of warm evidence, and sha256sum's.
cat "$WORK/src" >/dev/null
t0=$(now)
cat "$WORK/src" >/dev/null
best cached "$(secs "$t0" "$(now)")"
# sha256sum's CPU time: its wall time on an idle machine (it waits for
# nothing), and what other people's load changes least.
[ -x /usr/bin/time ] || die "/usr/bin/time not found (install the 'time' package: apt-get install time)"
for r in $(seq "$ROUNDS"); do
	/usr/bin/time -f '%U %S' -o "$WORK/time.txt" sha256sum "$WORK/src" >/dev/null
	best sha256sum "$(awk '{ printf "%.2f", $1 + $2 }' "$WORK/time.txt")"
done

# Go's digests on one core, as the build computes them: CPU time (user +
# system) per 1 MiB buffer, which other people's load changes far less than
# the wall time a benchmark reports. The benchmark runs once with one
# buffer, then with N.
(cd "$REPO" && go test -c -o "$WORK/digest.test" ./internal/digest)
N=500
ns() {
	local b=""
	for r in $(seq "$ROUNDS"); do
		/usr/bin/time -f '%U %S' -o "$WORK/time.txt" "$WORK/digest.test" -test.run '^$' -test.bench "^Benchmark$1\$" \
			-test.benchtime "${N}x" -test.cpu 1 >/dev/null
		local c
		c=$(awk -v n="$N" '{ printf "%.0f", ($1 + $2) / (n + 1) * 1e9 }' "$WORK/time.txt")
		if [ -z "$b" ] || [ "$c" -lt "$b" ]; then b=$c; fi
	done
	echo "$b"
}
S256=$(ns SHA256)
S512=$(ns SHA512)
rm -f "$WORK/time.txt"
CPU=$(awk -v m="$MIB" -v a="$S256" -v b="$S512" 'BEGIN { printf "%.2f", m * (b + a) / 1e9 }')
CPUFLOOR=$(awk -v c="$CPU" -v n="$CORES" 'BEGIN { printf "%.2f", c / n }')
DISKFLOOR=${BEST[both]}
FLOOR=$(awk -v a="$CPUFLOOR" -v b="$DISKFLOOR" 'BEGIN { printf "%.2f", (a > b ? a : b) }')

echo
echo "== disk (best of $ROUNDS)"
printf '%-44s %6s s  %s\n' "direct write" "${BEST[write]}" "$(rate "${BEST[write]}")"
printf '%-44s %6s s\n' "  then syncfs" "${BEST[flush]}"
printf '%-44s %6s s  %s\n' "  write + syncfs (durable)" "${BEST[durable]}" "$(rate "${BEST[durable]}")"
printf '%-44s %6s s  %s\n' "direct read" "${BEST[read]}" "$(rate "${BEST[read]}")"
printf '%-44s %6s s  %s each way\n' "direct write + direct read at once, syncfs" "${BEST[both]}" "$(rate "${BEST[both]}")"
printf '%-44s %6s s  %s\n' "read from the page cache" "${BEST[cached]}" "$(rate "${BEST[cached]}")"
echo "== CPU (Go, one core, CPU time)"
printf '%-44s %6s MB/s\n' "SHA-256" "$(awk -v n="$S256" 'BEGIN { printf "%.0f", 1048576 / n * 1e3 }')"
printf '%-44s %6s MB/s\n' "SHA-512" "$(awk -v n="$S512" 'BEGIN { printf "%.0f", 1048576 / n * 1e3 }')"
echo "== floor of a build of $MIB MiB"
printf '%-44s %6s s of CPU, %s s on %d cores\n' "SHA-512 once + SHA-256 once" "$CPU" "$CPUFLOOR" "$CORES"
printf '%-44s %6s s\n' "disk: copy and read-back at once, then sync" "$DISKFLOOR"
printf '%-44s %6s s = %s x sha256sum (%s s of CPU, same file, warm)\n' "build floor (the larger)" "$FLOOR" \
	"$(awk -v a="$FLOOR" -v b="${BEST[sha256sum]}" 'BEGIN { printf "%.2f", a / b }')" "${BEST[sha256sum]}"
echo "(goal of issue 16: build <= 0.65 x sha256sum, $(awk -v b="${BEST[sha256sum]}" 'BEGIN { printf "%.2f", 0.65 * b }') s here)"
