#!/usr/bin/env bash
# make demo: the main job on the bundled La Vega sample — validate, build both
# editions (zipped, signed with a throw-away DEMO key), verify them trusting
# that key — then check the package with standard tools only.
set -euo pipefail
bin=${1:-bin/casepack}
date=${2:-2021-02-26T12:00:00Z}
out=${OUT:-out}

"$bin" demo -o "$out" --date "$date"

pkg=$(ls -d "$out"/*_confidential | head -1)
echo
echo "== the same checks without casepack (coreutils and openssl), inside $pkg"
( cd "$pkg"
  sha256sum -c --quiet tagmanifest-sha256.txt && echo "tagmanifest-sha256.txt: every tag file OK"
  sha256sum -c --quiet manifest-sha256.txt && echo "manifest-sha256.txt: every payload file OK"
  for sig in signatures/*.sig; do
    case $sig in *.json.sig) continue;; esac
    printf '%s: ' "$sig"
    openssl pkeyutl -verify -pubin -inkey "${sig%.sig}.pub.pem" -rawin -in tagmanifest-sha256.txt -sigfile "$sig"
  done )
echo
echo "== package layout"
( cd "$pkg" && find . -path ./data/evidence -prune -o -print | LC_ALL=C sort | sed 's|^\./||' | grep -v '^\.$'
  echo "data/evidence/  ($(find data/evidence -type f | wc -l) files)" )
