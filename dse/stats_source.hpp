#pragma once
// The default source of functional statistics for the StatsCache: synthetic heads from the
// generator, sampled by a plan, simulated bit-exactly by the functional model and digested.
#include <cstdint>
#include <string>

#include "dse/stats_cache.hpp"
#include "workloads/catalog.hpp"
#include "workloads/generator.hpp"
#include "workloads/sampling.hpp"

namespace pade::dse {
/// The default statistics source: synthetic heads from the generator, sampled by `plan`,
/// simulated bit-exactly by the functional model and digested.
[[nodiscard]] StatsCache::Compute synthetic_stats_source(const workloads::Catalog& catalog,
                                                         const workloads::GeneratorTable& generator,
                                                         const workloads::SamplingPlan& plan,
                                                         std::uint64_t seed);
/// The version string of that source for a plan and seed (the cache's version).
[[nodiscard]] std::string synthetic_stats_version(const workloads::SamplingPlan& plan,
                                                  std::uint64_t seed);
}  // namespace pade::dse
