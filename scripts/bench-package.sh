#!/usr/bin/env bash
# bench-package.sh [CASEPACK] — in ONE run, over the SAME generated evidence,
# time coreutils sha256sum, cp -r, `casepack build` and `casepack verify`,
# print wall-time ratios against sha256sum, CPU time (user+system) and its
# ratio, casepack's peak RSS (/usr/bin/time -v) and the build's phase
# timings (build --timings). On a shared machine the wall clock also counts
# other people's load; the CPU time is the work done.
#
# Two evidence sets:
#  1. the bench set: BIG_COUNT videos of BIG_MIB MiB plus SMALL_COUNT small
#     files, then SCALE x the videos, to show memory does not grow with
#     evidence size;
#  2. many small files (photos, documents): for each N in SMALL_SETS, N files
#     of SMALL_MIN_KIB..SMALL_MAX_KIB, against `find ... -print0 | xargs -0
#     sha256sum` over the same files; beside them `cp -r` and a `sync -f`
#     of the same files, and the file system's floor
#     (scripts/floorcopy): the same files copied with as many workers as
#     cores, then one syncfs — flat, as `cp -r` would, and a folder per
#     file, as a package holds its evidence items.
# Beside each set, the work's floor (scripts/floorcopy -digests): the same
# files hashed, copied, read back and compared in the plainest way. The
# floors need Go on Linux; without it they are left out.
#
# Everything is generated from a fixed seed, so every run measures the same
# bytes. Sizes are configurable for quick runs:
#   BIG_COUNT=9 BIG_MIB=120 SMALL_COUNT=2000 SMALL_MIN_KIB=4 SMALL_MAX_KIB=64
#   SCALE=3 SMALL_SETS="20000 100000" SEED=20210108 ROUNDS=1
#   BENCH_DIR=<folder, default a new temp folder> KEEP=1 (keep it afterwards)
#   SETTLE=61 (seconds waited after deleting a set's outputs, before the
#   next set is timed: see discard)
#   SETS="bench small" (which sets to run)
# e.g. BIG_MIB=12 SMALL_COUNT=200 SMALL_SETS=2000 scripts/bench-package.sh bin/casepack
#
# Files are measured warm (in the page cache, as just generated; a built
# package is read once before it is verified, see warm): the
# comparison is of the work per byte and per file, not of the disk. The
# tools run in turn, ROUNDS times over; the table shows each tool's best.
set -euo pipefail
# shellcheck source=scripts/fsinfo.sh
. "$(dirname "$0")/fsinfo.sh"

CASEPACK=${1:-${CASEPACK:-./bin/casepack}}
BIG_COUNT=${BIG_COUNT:-9}
BIG_MIB=${BIG_MIB:-120}
SMALL_COUNT=${SMALL_COUNT:-2000}
SMALL_MIN_KIB=${SMALL_MIN_KIB:-4}
SMALL_MAX_KIB=${SMALL_MAX_KIB:-64}
SCALE=${SCALE:-3}
SMALL_SETS=${SMALL_SETS:-"20000 100000"}
SEED=${SEED:-20210108}
ROUNDS=${ROUNDS:-1}
SETS=${SETS:-"bench small"}
DATE=2021-02-18T12:00:00Z

die() { echo "bench-package: $*" >&2; exit 1; }
[ -x "$CASEPACK" ] || die "no casepack binary at $CASEPACK (run make build, or pass its path)"
CASEPACK=$(cd "$(dirname "$CASEPACK")" && pwd)/$(basename "$CASEPACK")
REPO=$(cd "$(dirname "$0")/.." && pwd)
TIME=/usr/bin/time
[ -x "$TIME" ] || die "/usr/bin/time not found (install the 'time' package: apt-get install time)"
command -v sha256sum >/dev/null || die "sha256sum not found"
PY=$(command -v python3) || die "python3 not found"

WORK=${BENCH_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/casepack-bench.XXXXXX")}
mkdir -p "$WORK"
if [ "${KEEP:-}" = 1 ]; then trap 'rm -rf "$WORK/trash"' EXIT; else trap 'rm -rf "$WORK"' EXIT; fi
cd "$WORK"

# The floors (scripts/floorcopy), where Go can build it (Linux): the file
# system's for many small files, and for every set the work's: the same
# files hashed, copied, read back and compared in the plainest way, whose
# CPU time spread over the cores no build can beat.
FLOORCOPY=""
if command -v go >/dev/null && [ "$(uname -s)" = Linux ]; then
	(cd "$REPO" && go build -o "$WORK/floorcopy" ./scripts/floorcopy) && FLOORCOPY=$WORK/floorcopy
fi

# gen_big DIR FROM TO: DIR/evidence/video/big-NN.mp4 files FROM..TO,
# pseudo-random bytes from a keystream keyed by SEED and the file number
# (openssl: fast, fixed).
gen_big() {
	local i
	for i in $(seq "$2" "$3"); do
		local f
		f=$(printf '%s/evidence/video/big-%02d.mp4' "$1" "$i")
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

# gen_small DIR COUNT: COUNT files of SMALL_MIN_KIB..SMALL_MAX_KIB in
# DIR/evidence/photos, seeded sizes and bytes.
gen_small() {
	"$PY" - "$1" "$SEED" "$2" "$SMALL_MIN_KIB" "$SMALL_MAX_KIB" <<'PY'
import os, random, sys
d, seed, n, lo, hi = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
r = random.Random(seed)
os.makedirs(d + "/evidence/photos", exist_ok=True)
for i in range(1, n + 1):
    p = d + "/evidence/photos/img-%06d.jpg" % i
    size = r.randint(lo * 1024, hi * 1024)
    data = r.randbytes(size)
    if not os.path.exists(p):
        with open(p, "wb") as f:
            f.write(data)
PY
}

# write_case DIR BIGS SMALLS: a minimal valid case.json (samples/minimal's
# shape) with one evidence item per file: BIGS videos, then SMALLS photos.
write_case() {
	"$PY" - "$1" "$2" "$3" <<'PY'
import json, sys
d, bigs, smalls = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ev = []
def item(path, typ, mt):
    n = len(ev) + 1
    ev.append({"id": "EV-%06d" % n, "title": "Benchmark file %d" % n, "type": typ,
               "files": [{"path": path, "role": "original", "media_type": mt}],
               "classification": "confidential"})
for i in range(1, bigs + 1):
    item("evidence/video/big-%02d.mp4" % i, "video", "video/mp4")
for i in range(1, smalls + 1):
    item("evidence/photos/img-%06d.jpg" % i, "photo", "image/jpeg")
case = {
  "schema_version": "1.0",
  "submission": {"id": "BENCH-001", "title": "casepack benchmark (generated)", "kind": "art15_communication",
    "date": "2021-02-26", "version": "1", "classification": "confidential", "languages": ["en"],
    "sender": {"organisation": "Benchmark organisation (fictional)", "contact_person": "Bench Contact",
               "email": "bench@example.org"},
    "recipient": {"body": "Office of the Prosecutor, International Criminal Court",
                  "situation_code": "ICC-02/18", "situation_name": "Venezuela I"}},
  "analysis": {"summary": "Generated benchmark case [EV-000001]."},
  "incidents": [{"id": "INC-01", "title": "Benchmark incident", "start": "2021-01-08", "location": {},
                 "description": "Generated.", "evidence_ids": [e["id"] for e in ev]}],
  "evidence": ev,
}
json.dump(case, open(d + "/case.json", "w"), indent=1)
PY
}

# measure NAME CMD...: run CMD once under /usr/bin/time -v; keep the best
# wall time (seconds) over the calls for NAME, with the CPU time
# (user+system seconds) and the peak RSS (KiB) of that call, in
# $WALL/$CPU/$RSS. PREP (if set) is evaluated first: it removes what the
# previous call wrote. The callers run the tools in turn, ROUNDS times
# (sha256sum, build, verify, sha256sum, build, verify, ...), so a burst of
# other people's load falls on every tool alike.
declare -A WALL CPU SYS RSS CASEBYTES
PREP=""
measure() {
	local name=$1; shift
	[ -z "$PREP" ] || eval "$PREP"
	"$TIME" -v -o time.txt "$@" >cmd.out 2>cmd.err || { cat cmd.out cmd.err time.txt >&2; die "$name failed"; }
	local w s
	w=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' time.txt)
	s=$(echo "$w" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
	if [ -z "${WALL[$name]:-}" ] || awk -v a="$s" -v b="${WALL[$name]}" 'BEGIN { exit !(a < b) }'; then
		WALL[$name]=$s
		CPU[$name]=$(awk -F': ' '/User time \(seconds\)/ { u = $2 } /System time \(seconds\)/ { s = $2 } END { print u + s }' time.txt)
		SYS[$name]=$(awk -F': ' '/System time \(seconds\)/ { print $2 }' time.txt)
		RSS[$name]=$(awk -F': ' '/Maximum resident set size/ {print $2}' time.txt)
		cp cmd.err "best-$(echo "$name" | tr ' /' '__').err"
	fi
	PREP=""
}

mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }

# table BASE NAME...: wall time and its ratio to BASE's, CPU time (user+system) and its
# ratio, the system time within it (file system work: see scripts/fsinfo.sh), and peak RSS.
table() {
	local base=${WALL[$1]} cbase=${CPU[$1]} name
	printf '%-32s %9s %12s %9s %12s %9s %12s\n' "" "wall s" "x $1" "cpu s" "cpu x" "of it sys" "peak RSS"
	for name in "$@"; do
		printf '%-32s %9.2f %12.2f %9.2f %12.2f %9.2f %12s\n' "$name" "${WALL[$name]}" "$(awk -v a="${WALL[$name]}" -v b="$base" 'BEGIN { print (b > 0 ? a / b : 0) }')" \
			"${CPU[$name]}" "$(awk -v a="${CPU[$name]}" -v b="$cbase" 'BEGIN { print (b > 0 ? a / b : 0) }')" "${SYS[$name]}" "$(mib $((RSS[$name] * 1024)))"
	done
}

# goal NAME BASE LIMIT: one line saying whether NAME's ratio to BASE is
# within LIMIT, on the wall clock and on CPU time; both are given because
# on a shared machine the wall clock also counts other people's load.
# Appended to GOALS, printed at the end.
GOALS=""
goal() {
	local w c
	w=$(awk -v a="${WALL[$1]}" -v b="${WALL[$2]}" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
	c=$(awk -v a="${CPU[$1]}" -v b="${CPU[$2]}" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
	GOALS+=$(printf '%-28s <= %-5s x %-18s wall %5sx %-8s cpu %5sx %s' "$1" "$3" "$2" "$w" \
		"$(awk -v r="$w" -v l="$3" 'BEGIN { print (r <= l ? "met" : "not met") }')" "$c" \
		"$(awk -v r="$c" -v l="$3" 'BEGIN { print (r <= l ? "met" : "not met") }')")$'\n'
}

# workfloor NAME FLOOR BASE: the CPU time of FLOOR (the work every build
# of these files does, done plainly: scripts/floorcopy -digests) spread
# over every core without loss — a wall time no build can beat on this
# machine, whatever it overlaps — against BASE's wall time, and NAME's
# CPU time against FLOOR's (what the build spends beyond that work).
workfloor() {
	GOALS+=$(printf '%-28s    the work'"'"'s CPU floor: %.2f s of CPU / %d cores = %.2f s = %.2f x %s; the build used %.2f x that CPU' "$1" \
		"${CPU[$2]}" "$(nproc)" "$(awk -v c="${CPU[$2]}" -v n="$(nproc)" 'BEGIN { print c / n }')" \
		"$(awk -v c="${CPU[$2]}" -v n="$(nproc)" -v b="${WALL[$3]}" 'BEGIN { print (b > 0 ? c / n / b : 0) }')" "$3" \
		"$(awk -v a="${CPU[$1]}" -v b="${CPU[$2]}" 'BEGIN { print (b > 0 ? a / b : 0) }')")$'\n'
}

# rssgoal NAME LIMIT_MIB: whether NAME's peak RSS is within LIMIT_MIB.
rssgoal() {
	GOALS+=$(printf '%-28s peak RSS %s (goal <= %s MiB): %s' "$1" "$(mib $((RSS[$1] * 1024)))" "$2" \
		"$(awk -v r="${RSS[$1]}" -v l="$2" 'BEGIN { print (r <= l * 1024 ? "met" : "not met") }')")$'\n'
}

# timings NAME: the phase breakdown the build printed (build --timings).
timings() {
	sed -n '/^casepack: timings/,$p' "best-$(echo "$1" | tr ' /' '__').err"
}

# warm DIR: read every file under DIR once, so that it is in the page
# cache. The build writes its large evidence copies with direct I/O (they
# go to the disk, not into memory: packager/FORMAT.md), so verify, like
# sha256sum, is measured over files in the page cache, not over the disk.
warm() {
	find "$1" -type f -print0 | xargs -0 cat >/dev/null
}

# build NAME CASE: casepack build into out/ (set aside first: discard), with
# timings. The file system is synced first (outside the timing): the build
# syncs the file system holding its package before renaming it into place
# (internal/atomicfs.Tree), and would otherwise also wait for whatever was
# written before it started (the evidence just generated, the last run's
# copies).
build() {
	PREP='discard out && sync'
	measure "$1" "$CASEPACK" build "$2" -o out --date "$DATE" --no-progress --quiet --timings
}

# What each run writes is set aside (discard) and deleted only between
# sets (settle), never just before a timed run: on ext4 without a journal,
# an inode freed in the last 60 seconds (300 while its inode table block is
# not yet written back) is skipped when a new one is allocated, each one
# looked up in the buffer cache, for every new file and folder
# (recently_deleted in the kernel's fs/ext4/ialloc.c). A copy made right
# after an rm -rf of the previous run's files pays for that rm (20,000
# files: 4.75 s against 2.31 s for cp -r and a sync). Whatever ran first
# after a delete would carry it: cp -r, the floor or the build.
TRASH=$WORK/trash
discard() {
	[ -e "$1" ] || return 0
	mkdir -p "$TRASH"
	mv "$1" "$TRASH/$(basename "$1").$(date +%s%N)"
}

# settle: delete what was set aside, then wait until the kernel no longer
# skips the freed inodes: a sync writes their inode tables back, and then
# SETTLE seconds (default 61) pass.
settle() {
	[ -d "$TRASH" ] || return 0
	rm -rf "$TRASH"
	sync
	echo "waiting ${SETTLE:-61} s after deleting the last set's outputs (ext4 without a journal: see discard)" >&2
	sleep "${SETTLE:-61}"
}

echo "casepack package benchmark ($(nproc) CPUs; $(uname -sr); $(date -u +%Y-%m-%dT%H:%MZ); load $(cut -d' ' -f1-3 /proc/loadavg))"
echo "disk: $(fsinfo "$WORK")"

if [[ " $SETS " == *" bench "* ]]; then
	echo "generating evidence: $BIG_COUNT x $BIG_MIB MiB + $SMALL_COUNT files of $SMALL_MIN_KIB-$SMALL_MAX_KIB KiB (seed $SEED) in $WORK" >&2
	gen_big bench 1 "$BIG_COUNT"
	gen_small bench "$SMALL_COUNT"
	write_case bench "$BIG_COUNT" "$SMALL_COUNT"
	BYTES=$(du -sb bench/evidence | cut -f1)
	FILES=$(find bench/evidence -type f | wc -l)
	find bench/evidence -type f -print0 | xargs -0 cat >/dev/null # same warm page cache for every tool

	settle
	for r in $(seq "$ROUNDS"); do
		measure sha256sum sh -c 'find bench/evidence -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum >/dev/null'
		PREP='discard cpcopy'
		measure "cp -r" cp -r bench/evidence cpcopy
		discard cpcopy
		if [ -n "$FLOORCOPY" ]; then
			PREP=sync
			measure "floor: the work" "$FLOORCOPY" -workers "$(nproc)" -folders -digests bench/evidence floor
			discard floor
		fi
		build "casepack build" bench
		PKG=$(find out -mindepth 1 -maxdepth 1 -type d | head -1)
		warm "$PKG"
		measure "casepack verify" "$CASEPACK" verify "$PKG" --quiet
		discard out
	done

	echo "generating $SCALE x the big files ($((BIG_COUNT * SCALE)) x $BIG_MIB MiB)" >&2
	[ -d bench3/evidence ] || { mkdir -p bench3 && cp -al bench/evidence bench3/evidence; }
	gen_big bench3 1 $((BIG_COUNT * SCALE))
	write_case bench3 $((BIG_COUNT * SCALE)) "$SMALL_COUNT"
	BYTES3=$(du -sb bench3/evidence | cut -f1)
	find bench3/evidence -type f -print0 | xargs -0 cat >/dev/null
	build "casepack build ${SCALE}x" bench3
	discard out

	echo
	echo "== bench set: $FILES files, $(mib "$BYTES") ($BIG_COUNT x $BIG_MIB MiB + $SMALL_COUNT small); ${SCALE}x set: $(mib "$BYTES3")"
	if [ -n "$FLOORCOPY" ]; then
		table sha256sum "cp -r" "floor: the work" "casepack build" "casepack verify" "casepack build ${SCALE}x"
		echo "(floor: the work every build does, done plainly by $(nproc) workers: SHA-256 and SHA-512 of each chunk, copied with direct I/O over 1 MiB, read back and compared, a folder per file, one syncfs: scripts/floorcopy -digests)"
	else
		table sha256sum "cp -r" "casepack build" "casepack verify" "casepack build ${SCALE}x"
	fi
	echo "goals: build <= 0.65x sha256sum, verify <= 0.40x, peak RSS <= 64 MiB at 1x and ${SCALE}x"
	echo "(the ${SCALE}x build is over $(awk -v a="$BYTES3" -v b="$BYTES" 'BEGIN { printf "%.1f", a / b }')x the bytes: compare its RSS, not its ratio)"
	echo "build phases (1x):"
	timings "casepack build"
	goal "casepack build" sha256sum 0.65
	[ -z "$FLOORCOPY" ] || workfloor "casepack build" "floor: the work" sha256sum
	goal "casepack verify" sha256sum 0.40
	rssgoal "casepack build" 64
	rssgoal "casepack build ${SCALE}x" 64
	[ "${KEEP:-}" = 1 ] || { discard bench; discard bench3; }
fi

if [[ " $SETS " == *" small "* ]]; then
	for n in $SMALL_SETS; do
		echo "generating $n files of $SMALL_MIN_KIB-$SMALL_MAX_KIB KiB (seed $SEED)" >&2
		d=small-$n
		gen_small "$d" "$n"
		write_case "$d" 0 "$n"
		BYTES=$(du -sb "$d/evidence" | cut -f1)
		find "$d/evidence" -type f -print0 | xargs -0 cat >/dev/null
		settle # what the last set wrote (see discard)
		for r in $(seq "$ROUNDS"); do
			measure "sha256sum $n" sh -c "find $d/evidence -type f -print0 | xargs -0 sha256sum >/dev/null"
			# The same files copied and made durable by tools nobody here
			# wrote (coreutils cp, which copies in the kernel with
			# copy_file_range, and sync -f, a syncfs): no digest, no read-back.
			PREP=sync
			measure "cp -r, sync $n" sh -c "cp -r $d/evidence cpcopy && { sync -f cpcopy 2>/dev/null || sync; }"
			discard cpcopy
			if [ -n "$FLOORCOPY" ]; then
				PREP=sync
				measure "floor: copy, sync $n" "$FLOORCOPY" -workers "$(nproc)" "$d/evidence" floor
				discard floor
				PREP=sync
				measure "floor: folder each $n" "$FLOORCOPY" -workers "$(nproc)" -folders "$d/evidence" floor
				discard floor
				PREP=sync
				measure "floor: the work $n" "$FLOORCOPY" -workers "$(nproc)" -folders -digests "$d/evidence" floor
				discard floor
			fi
			build "casepack build $n" "$d"
			PKG=$(find out -mindepth 1 -maxdepth 1 -type d | head -1)
			warm "$PKG"
			measure "casepack verify $n" "$CASEPACK" verify "$PKG" --quiet
			discard out
		done
		echo
		echo "== $n small files, $(mib "$BYTES"), case.json $(mib "$(stat -c %s "$d/case.json")")"
		if [ -n "$FLOORCOPY" ]; then
			table "sha256sum $n" "cp -r, sync $n" "floor: copy, sync $n" "floor: folder each $n" "floor: the work $n" "casepack build $n" "casepack verify $n"
			echo "(cp -r, sync: coreutils cp -r, then sync -f; floor: the same files copied by $(nproc) workers, no digest, then one syncfs; flat, and a folder per file as in a package; the work: hashed, copied, read back and compared too: scripts/floorcopy)"
		else
			table "sha256sum $n" "cp -r, sync $n" "casepack build $n" "casepack verify $n"
		fi
		echo "goals: build <= 1.0x, verify <= 0.5x, peak RSS <= 64 MiB at 20,000 files, growing no faster than the case data beyond"
		echo "build phases:"
		timings "casepack build $n"
		goal "casepack build $n" "sha256sum $n" 1.0
		if [ -n "$FLOORCOPY" ]; then
			GOALS+=$(printf '%-28s    %5.2f x the floor (a folder per file, then syncfs: %.2f s = %.2f x sha256sum %s)' "casepack build $n" \
				"$(awk -v a="${WALL["casepack build $n"]}" -v b="${WALL["floor: folder each $n"]}" 'BEGIN { print (b > 0 ? a / b : 0) }')" \
				"${WALL["floor: folder each $n"]}" "$(awk -v a="${WALL["floor: folder each $n"]}" -v b="${WALL["sha256sum $n"]}" 'BEGIN { print (b > 0 ? a / b : 0) }')" "$n")$'\n'
		fi
		[ -z "$FLOORCOPY" ] || workfloor "casepack build $n" "floor: the work $n" "sha256sum $n"
		goal "casepack verify $n" "sha256sum $n" 0.5
		CASEBYTES[$n]=$(stat -c %s "$d/case.json")
		if [ "$n" = 20000 ]; then
			rssgoal "casepack build $n" 64
		elif [ -n "${first:-}" ]; then
			rn=${RSS["casepack build $n"]} rf=${RSS["casepack build $first"]}
			GOALS+=$(printf '%-28s peak RSS %s, %.2fx that at %s files; case.json %.2fx (goal: RSS grows no faster than the case data)' "casepack build $n" \
				"$(mib $((rn * 1024)))" "$(awk -v a="$rn" -v b="$rf" 'BEGIN { print a / b }')" "$first" \
				"$(awk -v a="${CASEBYTES[$n]}" -v b="${CASEBYTES[$first]}" 'BEGIN { print a / b }')")$'\n'
		fi
		first=${first:-$n}
		[ "${KEEP:-}" = 1 ] || discard "$d"
	done
fi

echo
echo "== goals ($(date -u +%Y-%m-%dT%H:%MZ), load $(cut -d' ' -f1-3 /proc/loadavg))"
printf '%s' "$GOALS"
