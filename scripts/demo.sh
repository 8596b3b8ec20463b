#!/usr/bin/env bash
# make demo: the main job on the bundled La Vega sample.
set -euo pipefail
bin=${1:-bin/casepack}
date=${2:-2021-02-18T12:00:00Z}
echo "== casepack validate samples/la-vega"
"$bin" validate samples/la-vega
