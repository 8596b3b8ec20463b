#!/usr/bin/env bash
# make bench (validate): a generated large case validated by casepack and by
# ajv-cli (draft 2020-12 with ajv-formats) on the same file in the same run.
# Prints wall time, CPU time and peak RSS for both, and the ratios.
# Sizes: PERSONS (100000), EVIDENCE (10000), INCIDENTS (1000).
set -euo pipefail
bin=${1:-bin/casepack}
persons=${PERSONS:-100000}; evidence=${EVIDENCE:-10000}; incidents=${INCIDENTS:-1000}
work=${BENCH_DIR:-$(mktemp -d)}
trap '[ -z "${BENCH_DIR:-}" ] && rm -rf "$work"' EXIT

command -v /usr/bin/time >/dev/null || { echo "bench-validate: /usr/bin/time is missing (apt-get install time)"; exit 1; }
go run ./internal/casegen/cmd/gencase -incidents "$incidents" -persons "$persons" -evidence "$evidence" -o "$work/case" >/dev/null
size=$(stat -c %s "$work/case/case.json")

ajv=""
if command -v npm >/dev/null; then
  if [ ! -x "$work/npm/node_modules/.bin/ajv" ]; then
    npm install --prefix "$work/npm" --silent --no-audit --no-fund ajv-cli@5.0.0 ajv-formats@3.0.1 >/dev/null 2>&1 || true
  fi
  [ -x "$work/npm/node_modules/.bin/ajv" ] && ajv="$work/npm/node_modules/.bin/ajv"
fi

measure() { # label, command…  → prints "label wall cpu rss"
  local label=$1; shift
  /usr/bin/time -f "%e %U %S %M" -o "$work/time.txt" "$@" >/dev/null 2>"$work/err.txt" || { echo "$label failed:"; cat "$work/err.txt"; exit 1; }
  read -r wall user sys rss <"$work/time.txt"
  echo "$label $wall $(awk "BEGIN{print $user + $sys}") $rss"
}

echo "case.json: $((size / 1000000)) MB ($persons persons, $evidence evidence items, $incidents incidents)"
printf '%-28s %9s %9s %10s\n' tool wall_s cpu_s peak_rss_MB
best_c=""; best_a=""
for round in 1 2 3; do
  read -r _ cw cc cr < <(measure casepack "$bin" validate --skip-hashes "$work/case")
  printf '%-28s %9s %9s %10d\n' "casepack validate (run $round)" "$cw" "$cc" $((cr / 1024))
  if [ -z "$best_c" ] || awk "BEGIN{exit !($cw < ${best_c%% *})}"; then best_c="$cw $cr"; fi
  if [ -n "$ajv" ]; then
    read -r _ aw ac ar < <(measure ajv "$ajv" validate --spec=draft2020 -c ajv-formats --strict=false -s schema/case.schema.json -d "$work/case/case.json")
    printf '%-28s %9s %9s %10d\n' "ajv-cli validate (run $round)" "$aw" "$ac" $((ar / 1024))
    if [ -z "$best_a" ] || awk "BEGIN{exit !($aw < ${best_a%% *})}"; then best_a="$aw $ar"; fi
  fi
done
read -r cw cr <<<"$best_c"
echo "casepack peak RSS / file size: $(awk "BEGIN{printf \"%.1f\", $cr * 1024 / $size}")x (goal: under 8x, issue 16)"
if [ -n "$best_a" ]; then
  read -r aw ar <<<"$best_a"
  echo "casepack / ajv wall time (best of 3 each): $(awk "BEGIN{printf \"%.2f\", $cw / $aw}")x (goal: within 1.5x)"
else
  echo "ajv-cli not available (npm install failed): no ratio"
fi
