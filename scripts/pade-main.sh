#!/usr/bin/env bash
# README command (a): set up a fresh machine, build, run the embedded default campaign into
# out/default.db, render its figures into out/figures, and say where everything is.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh build
mkdir -p out
# A fresh run each time: the default campaign is small, and a stale database would refuse the
# same campaign name (use `pade run --resume` to continue one on purpose).
rm -f out/default.db out/default.db-wal out/default.db-shm
./build/pade run --db out/default.db "$@"
./build/pade plot out/default.db --out out/figures >/dev/null 2>&1
./build/pade report out/default.db --out out/report >/dev/null 2>&1
echo "figures: $(pwd)/out/figures (PNG, SVG, PDF, with the .gp script and .dat data to restyle)"
echo "report:  $(pwd)/out/report/index.html"
echo "next: ./build/pade query out/default.db --points --front    # the Pareto-optimal designs"
