#!/usr/bin/env bash
# Regenerate the README's "Reproducing the paper" table: PADE against the H100 under each
# normalization and power basis and against Sanger, DOTA and SOFA under the paper's and the
# published normalizations, over PADE-22 at the default configuration (alpha = 0.5), geometric
# means, each energy ratio in both scopes (device: core + memory interface + DRAM; core only).
# The first block also samples the coefficient ranges (pade compare --sensitivity): median and
# 5-95 % range over the box, a sensitivity range, not a confidence interval.
#   scripts/reproduce-paper.sh [DB] [extra pade compare options, e.g. --fidelity event]
set -euo pipefail
cd "$(dirname "$0")/.."
db="${1:-out/compare.db}"
shift || true
samples="${PADE_SENSITIVITY_SAMPLES:-64}"
mkdir -p "$(dirname "$db")"
scripts/build.sh build >/dev/null
rows() {  # $1 = label of the normalization, rest = compare options
  local label="$1"
  shift
  ./build/pade compare --db "$db" --format csv "$@" |
    awk -F, -v label="$label" 'NR > 1 && $6 != "-" && $6 != "" {
      claim = ($1 == "h100") ? (($2 == "speedup") ? "speedup vs H100" : "energy efficiency vs H100") \
                             : "energy saving vs " toupper(substr($1, 1, 1)) substr($1, 2)
      if ($1 == "sofa" || $1 == "dota") claim = "energy saving vs " toupper($1)
      scope = ($3 == "" || $3 == "-") ? "–" : $3
      basis = ($1 == "h100") ? "; H100 " $9 " power" : ""
      sens = (NF >= 12 && $10 != "" && $10 != "-") ? sprintf("%.3g× [%.3g–%.3g]", $10, $11, $12) : "–"
      printf "| %s | %s× | %.3g× | %s | %s | %s%s | %+.0f %% |\n", claim, $6, $4, sens, scope, label, basis, $7 }'
}
echo "| claim (paper) | paper | ours | median [5–95 %] over the coefficient box | energy scope | normalization | gap |"
echo "|---|---|---|---|---|---|---|"
rows "H100 iso-area at 28 nm; accelerators at the paper's normalization" --normalization iso_area \
  --sensitivity "$samples" "$@"
rows "H100 iso-area at 28 nm" --normalization iso_area --power-basis dynamic --baseline h100 "$@"
rows "H100 iso-peak-throughput" --normalization iso_peak --baseline h100 "$@"
rows "one H100 as measured" --normalization single_chip --baseline h100 "$@"
rows "accelerators at their published node, clock and area" --normalization iso_area --accelerator-normalization published \
  --baseline sanger --baseline dota --baseline sofa --name compare-published "$@"
