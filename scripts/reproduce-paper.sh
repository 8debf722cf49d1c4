#!/usr/bin/env bash
# Regenerate the README's "Reproducing the paper" table: PADE against the H100 under each
# normalization and against Sanger, DOTA and SOFA under the paper's and the published
# normalizations, over PADE-22 at the default configuration (alpha = 0.5), geometric means.
#   scripts/reproduce-paper.sh [DB] [extra pade compare options, e.g. --fidelity event]
set -euo pipefail
cd "$(dirname "$0")/.."
db="${1:-out/compare.db}"
shift || true
mkdir -p "$(dirname "$db")"
scripts/build.sh build >/dev/null
rows() {  # $1 = label of the normalization, rest = compare options
  local label="$1"
  shift
  ./build/pade compare --db "$db" --format csv "$@" |
    awk -F, -v label="$label" 'NR > 1 && $5 != "-" && $5 != "" {
      claim = ($1 == "h100") ? (($2 == "speedup") ? "speedup vs H100" : "energy efficiency vs H100") \
                             : "energy saving vs " toupper(substr($1, 1, 1)) substr($1, 2)
      if ($1 == "sofa" || $1 == "dota") claim = "energy saving vs " toupper($1)
      printf "| %s | %s× | %.3g× | %s | %+.0f %% |\n", claim, $5, $3, label, $6 }'
}
echo "| claim (paper) | paper | ours | normalization | gap |"
echo "|---|---|---|---|---|"
rows "H100 iso-area at 28 nm; accelerators at the paper's normalization" --normalization iso_area "$@"
rows "H100 iso-peak-throughput" --normalization iso_peak --baseline h100 "$@"
rows "one H100 as measured" --normalization single_chip --baseline h100 "$@"
rows "accelerators at their published node, clock and area" --normalization iso_area --accelerator-normalization published \
  --baseline sanger --baseline dota --baseline sofa --name compare-published "$@"
