#pragma once
// From attention data to the hardware models' input: run the bit-exact functional model on the
// sampled heads of a benchmark, whatever their trace source (synthetic generator by default, .npy
// dumps, a real model; workloads/trace.hpp), and digest its counters into a WorkloadStats, with a
// bootstrap standard error over the sampled heads.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "models/functional.hpp"
#include "models/workload_stats.hpp"
#include "workloads/catalog.hpp"
#include "workloads/generator.hpp"
#include "workloads/sampling.hpp"
#include "workloads/trace.hpp"

namespace pade::models {

/// Version of the digest pipeline (generator + functional model + digest); part of every cache key
/// and stored as provenance. Bump it when any of them changes the numbers.
inline constexpr const char* kDigestVersion = "digest-2/functional-2/synthetic-3";
static_assert(std::string_view(kDigestVersion).ends_with(workloads::kGeneratorVersion),
              "the digest version names the generator version");

/// Dense FP32 references of sampled heads, shared by the digests of every algorithm point: the
/// accuracy comparison's reference does not depend on bits, α, radius, the prune mode or tiling,
/// so it is computed once per (benchmark, sampling plan, seed, sampled head) and reused. One
/// cache serves one set of trace sources (a statistics source owns one, dse/stats_source.cpp).
/// Thread-safe: concurrent digests of the same benchmark compute each reference once (the others
/// wait for it); values do not depend on which thread computed them, so results stay identical.
class DenseReferenceCache {
 public:
  using Make = std::function<DenseReference()>;
  /// The reference stored under `key`, computed by `make` on first use.
  [[nodiscard]] std::shared_ptr<const DenseReference> get(const std::string& key, const Make& make);
  [[nodiscard]] std::size_t computed() const;  ///< references computed so far

 private:
  struct Entry {
    std::once_flag once;
    std::shared_ptr<const DenseReference> value;
  };
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<Entry>> entries_;
  std::size_t computed_ = 0;
};

struct DigestOptions {
  FunctionalOptions functional;  // bits, α, radius, tiles, order (accuracy is always computed)
  workloads::SamplingPlan plan;
  std::uint64_t seed = 1;
  int bootstrap_samples = 200;
  /// Optional: where the sampled heads' dense references are kept across algorithm points. Null:
  /// each digest computes its own (same results).
  std::shared_ptr<DenseReferenceCache> dense_references;
};

/// The digest of one benchmark with Q/K/V from `source`. The source's check() runs first (bad
/// dumps fail before any simulation); sampled heads are then produced and simulated in parallel
/// (oneTBB) and merged in a fixed order, so the result does not depend on the thread count.
[[nodiscard]] WorkloadStats digest_benchmark(const workloads::Benchmark& benchmark,
                                             const workloads::TraceSource& source,
                                             const DigestOptions& options);

/// The digest of one benchmark with synthetic heads (a SyntheticTrace over `knobs`).
[[nodiscard]] WorkloadStats digest_benchmark(const workloads::Benchmark& benchmark,
                                             const workloads::GeneratorKnobs& knobs,
                                             const DigestOptions& options);

/// The digest of already-merged functional statistics of heads with head dimension `head_dim`.
[[nodiscard]] WorkloadStats digest_stats(const FunctionalStats& stats, int head_dim);

}  // namespace pade::models
