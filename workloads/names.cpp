#include "workloads/names.hpp"

#include <algorithm>

#include "core/error.hpp"

namespace pade::workloads {

std::vector<const Benchmark*> benchmarks_named(const Catalog& catalog,
                                               std::span<const std::string> names) {
  const std::vector<std::string> suites = catalog.suite_names();
  std::vector<const Benchmark*> out;
  const auto add = [&](const std::string& name) {
    const Benchmark* b = &catalog.benchmark(name);  // InputError with did-you-mean when unknown
    if (std::find(out.begin(), out.end(), b) == out.end()) out.push_back(b);
  };
  for (const auto& n : names) {
    if (!catalog.has_benchmark(n) && std::find(suites.begin(), suites.end(), n) != suites.end()) {
      for (const auto& member : catalog.suite(n)) add(member);
    } else {
      add(n);
    }
  }
  if (out.empty())
    throw core::InputError("benchmarks: found none, expected a benchmark or suite name");
  return out;
}

}  // namespace pade::workloads
