#!/usr/bin/env bash
# bench-serve.sh [CASEPACK] — issue 19 "Measure", in one run: upload and
# add one file of ADD_MIB MiB (default 1 GiB) through `casepack serve`
# (curl streams it to the Evidence page; the time runs until the app's
# job has hashed and recorded it) against `casepack evidence add` of the
# same file into a case of the same form, best of ROUNDS (default 3);
# and the server's peak RSS (VmHWM) against its RSS when idle.
# Goals: wall time <= 1.2x evidence add; peak RSS <= 64 MiB above idle.
set -euo pipefail
bin=${1:-bin/casepack}
add_mib=${ADD_MIB:-1024}; rounds=${ROUNDS:-3}
die() { echo "bench-serve: $*" >&2; exit 1; }
[ -x "$bin" ] || die "no casepack binary at $bin (run make build)"
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
command -v curl >/dev/null || die "curl is missing (apt-get install curl)"
work=${BENCH_DIR:-$(mktemp -d)}
srv=""
trap '[ -n "$srv" ] && kill -INT "$srv" 2>/dev/null; wait 2>/dev/null; [ -z "${BENCH_DIR:-}" ] && rm -rf "$work"' EXIT

head -c $((add_mib * 1048576)) /dev/urandom >"$work/big.bin"
mkdir -p "$work/ws"
"$bin" serve -w "$work/ws" >"$work/serve.out" 2>"$work/serve.err" &
srv=$!
for _ in $(seq 100); do grep -q 'login?token=' "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
url=$(grep -o 'http://[^ ]*login?token=[^ ]*' "$work/serve.out") || die "the server did not start: $(cat "$work/serve.err")"
origin=${url%%/login*}
jar="$work/cookies"
curl -fsS -c "$jar" -o /dev/null "$url"
csrf=$(curl -fsS -b "$jar" "$origin/" | grep -o 'csrf-token" content="[^"]*' | cut -d'"' -f3)
[ -n "$csrf" ] || die "no CSRF token in the page"
rss() { awk -v k="$1:" '$1 == k {print int($2 / 1024)}' "/proc/$srv/status"; }

# upload CASE: POST the file, follow the job to its end; prints seconds.
upload() {
  local start end loc state
  start=$(date +%s.%N)
  loc=$(curl -fsS -b "$jar" -o /dev/null -w '%{redirect_url}' -F "csrf=$csrf" -F "files=@$work/big.bin" "$origin/case/$1/evidence")
  [[ $loc == */jobs/* ]] || die "the upload was not accepted (redirect: $loc)"
  while :; do
    state=$(curl -fsS -b "$jar" "$loc/state")
    [[ $state == *'"done":true'* ]] && break
    sleep 0.05
  done
  end=$(date +%s.%N)
  [[ $state == *'"failed":false'* ]] || die "the job failed: $(curl -fsS -b "$jar" "$loc" | grep -o 'verdict[^<]*')"
  awk "BEGIN{printf \"%.2f\", $end - $start}"
}

idle=$(rss VmRSS)
printf '%-44s %8s\n' step wall_s
best_add=""; best_app=""
for r in $(seq "$rounds"); do
  "$bin" init "$work/add-$r" --format xlsx >/dev/null
  "$bin" init "$work/ws/app-$r" --format xlsx >/dev/null
  sync
  s=$(date +%s.%N); "$bin" evidence add --no-progress "$work/add-$r" "$work/big.bin" >/dev/null; e=$(date +%s.%N)
  a=$(awk "BEGIN{printf \"%.2f\", $e - $s}")
  printf '%-44s %8s\n' "evidence add (run $r)" "$a"
  sync
  u=$(upload "app-$r")
  printf '%-44s %8s\n' "upload and add through serve (run $r)" "$u"
  cmp -s "$work/big.bin" "$work/ws/app-$r/evidence/big.bin" || die "the file in the case differs from the one uploaded"
  if [ -z "$best_add" ] || awk "BEGIN{exit !($a < $best_add)}"; then best_add=$a; fi
  if [ -z "$best_app" ] || awk "BEGIN{exit !($u < $best_app)}"; then best_app=$u; fi
  rm -rf "$work/add-$r"
done
peak=$(rss VmHWM)
echo "file: ${add_mib} MiB; best of $rounds: evidence add ${best_add} s, through serve ${best_app} s: $(awk "BEGIN{printf \"%.2f\", $best_app / $best_add}")x (goal <= 1.2x)"
echo "server RSS: idle ${idle} MiB, peak ${peak} MiB: $((peak - idle)) MiB above idle (goal <= 64 MiB)"
