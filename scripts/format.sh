#!/usr/bin/env bash
# Apply the project's .clang-format to every tracked C++ file (clang-format from Debian).
set -euo pipefail
cd "$(dirname "$0")/.."
git ls-files '*.cpp' '*.hpp' | xargs clang-format -i
