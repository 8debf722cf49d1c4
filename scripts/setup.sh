#!/usr/bin/env bash
# Install what PADE-DSE needs from Debian 12 packages, skipping everything already present.
# Quiet when there is nothing to do. Needs root (or sudo) only when something is missing.
set -euo pipefail

PACKAGES=(
  build-essential cmake git pkg-config
  libboost-graph-dev libtbb-dev libyaml-cpp-dev libsqlitecpp-dev libsqlite3-dev sqlite3
  catch2 libcli11-dev gnuplot-nox libopenblas-dev libbenchmark-dev
  libopenmpi-dev openmpi-bin
  pybind11-dev python3-dev python3-pytest python3-numpy python3-pandas python3-matplotlib python3-optuna
  clang libclang-rt-14-dev
  fortunes-min dict-devil
)
if [[ "${PADE_WITH_BROWSER:-0}" == "1" ]]; then PACKAGES+=(chromium); fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
((${#missing[@]} == 0)) && exit 0

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
echo "setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
