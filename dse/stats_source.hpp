#pragma once
// The default source of functional statistics for the StatsCache: each benchmark's Q/K/V from its
// trace source (the synthetic generator unless its suite entry names .npy dumps or the stories260K
// model), sampled by a plan, simulated bit-exactly by the functional model and digested.
#include <cstdint>
#include <memory>
#include <string>

#include "dse/stats_cache.hpp"
#include "models/functional.hpp"
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

/// Checks up front that `benchmark`'s trace can produce the heads `plan` samples, reading headers
/// only: its model's generator family exists; every sampled layer's dump files exist with the
/// model's shapes; the stories260K model has the benchmark's shape (layers, query and KV heads,
/// head_dim, causality), seq_len fits its context and the text is long enough. Throws
/// core::InputError naming the benchmark and the file.
void check_trace(const workloads::Benchmark& benchmark, const workloads::Catalog& catalog,
                 const workloads::GeneratorTable& generator, const workloads::SamplingPlan& plan,
                 std::uint64_t seed);

/// The identity of a benchmark's data as this source reads it: workloads::trace_identity with the
/// generator knobs of the benchmark's model family (for a synthetic trace). `catalog` and
/// `generator` must outlive the result.
[[nodiscard]] std::string stats_identity(const workloads::Benchmark& benchmark,
                                         const workloads::Catalog& catalog,
                                         const workloads::GeneratorTable& generator);

/// The functional-model options of an algorithm point, as the statistics source simulates it
/// (BUI-GF off: a guard margin so wide that nothing is pruned).
[[nodiscard]] models::FunctionalOptions functional_options(const AlgorithmPoint& p);

/// The default statistics source: heads from each benchmark's trace source (make_trace_source),
/// sampled by `plan`, simulated bit-exactly by the functional model and digested; its identity is
/// stats_identity and its check check_trace. (The name predates the other trace sources; the
/// generator is still the default.)
[[nodiscard]] StatsCache::Source synthetic_stats_source(const workloads::Catalog& catalog,
                                                        const workloads::GeneratorTable& generator,
                                                        const workloads::SamplingPlan& plan,
                                                        std::uint64_t seed);
/// The version string of that source for a plan and seed (the cache's version). The data a
/// benchmark's statistics rest on is part of each cache key (stats_identity).
[[nodiscard]] std::string synthetic_stats_version(const workloads::SamplingPlan& plan,
                                                  std::uint64_t seed);
}  // namespace pade::dse
