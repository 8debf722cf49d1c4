#!/usr/bin/env bash
# README command (a): set up a fresh machine, build, and run the main job into out/default.db:
#   1. the ablation campaign (examples/campaign-ablation.yaml: PADE's feature switches on and off),
#   2. the baseline comparison at the paper's design point (`pade compare`: H100, Sanger, DOTA,
#      SOFA, SpAtten, Energon),
#   3. the embedded default campaign (`pade run` with no file), last, so that it is the database's
#      latest campaign and every `pade query/plot/report out/default.db` shows it by default.
# The three share the database's statistics cache, so no functional digest is computed twice.
# Then every figure goes to out/figures and the HTML report to out/report.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh build
mkdir -p out
# A fresh run each time: a stale database would refuse the same campaign names (use
# `pade run --resume` to continue one on purpose).
rm -f out/default.db out/default.db-wal out/default.db-shm
echo "== 1/3 ablation campaign (16 designs x PADE-22, event-driven model)"
./build/pade run examples/campaign-ablation.yaml --db out/default.db
echo "== 2/3 PADE against the baselines (pade compare)"
./build/pade compare --db out/default.db --name baselines
echo "== 3/3 the default campaign"
./build/pade run --db out/default.db "$@"
./build/pade plot out/default.db --out out/figures >/dev/null
./build/pade report out/default.db --out out/report
echo "figures: $(pwd)/out/figures (PNG, SVG, PDF, with the .gp script and .dat data to restyle)"
echo "report:  $(pwd)/out/report/index.html"
echo "next: ./build/pade query out/default.db --points --front    # the Pareto-optimal designs"
