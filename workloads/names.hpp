#pragma once
// Benchmarks named on a command line or in a script: each name is a benchmark or a suite (which
// stands for its benchmarks). One rule for `pade eval -b` and `pade.evaluate(benchmarks=...)`.
#include <span>
#include <string>
#include <vector>

#include "workloads/catalog.hpp"

namespace pade::workloads {

/// The benchmarks `names` stand for, each once, in the order first named. A benchmark name wins
/// over a suite of the same name. InputError (with did-you-mean) for a name that is neither, and
/// when nothing is named.
[[nodiscard]] std::vector<const Benchmark*> benchmarks_named(const Catalog& catalog,
                                                             std::span<const std::string> names);

}  // namespace pade::workloads
