#pragma once
// The default source of functional statistics for the StatsCache: each benchmark's Q/K/V from its
// trace source (the synthetic generator unless its suite entry names .npy dumps or the stories260K
// model), sampled by a plan, simulated bit-exactly by the functional model and digested.
#include <cstdint>
#include <memory>
#include <string>

#include "dse/stats_cache.hpp"
#include "workloads/catalog.hpp"
#include "workloads/generator.hpp"
#include "workloads/sampling.hpp"
#include "workloads/trace.hpp"

namespace pade::dse {

/// The trace source a benchmark's `trace` names: SyntheticTrace with the generator knobs of its
/// model's family, NpyTrace over its dump folder, or the stories260K forward pass over BOS and the
/// first seq_len - 1 tokens of its text (InputError when the text is shorter or seq_len exceeds
/// the model's context). `benchmark`, `catalog` and `generator` must outlive the source.
[[nodiscard]] std::unique_ptr<workloads::TraceSource> make_trace_source(
    const workloads::Benchmark& benchmark, const workloads::Catalog& catalog,
    const workloads::GeneratorTable& generator, std::uint64_t seed);

/// The default statistics source: heads from each benchmark's trace source (make_trace_source),
/// sampled by `plan`, simulated bit-exactly by the functional model and digested. (The name
/// predates the other trace sources; the generator is still the default.)
[[nodiscard]] StatsCache::Compute synthetic_stats_source(const workloads::Catalog& catalog,
                                                         const workloads::GeneratorTable& generator,
                                                         const workloads::SamplingPlan& plan,
                                                         std::uint64_t seed);
/// The version string of that source for a plan and seed (the cache's version). The data a
/// benchmark's statistics rest on is part of each cache key (workloads::trace_identity).
[[nodiscard]] std::string synthetic_stats_version(const workloads::SamplingPlan& plan,
                                                  std::uint64_t seed);
}  // namespace pade::dse
