#pragma once
// The functional-statistics cache. Statistics depend on the benchmark and a few algorithm knobs
// only (bits, α, radius, tile shape and order, sampling plan, generator version); every hardware
// knob reuses them. A key is the benchmark's name, the identity of its data
// (workloads::trace_identity: its shapes, and the content of its dump files or text) and the
// algorithm point, so a different dump under the same name never reuses a stale digest. Each key is
// computed exactly once even when many threads ask at the same time: the first asker computes, the
// others wait for its result. An optional persistent layer (the SQLite store) is consulted before
// computing and written after.
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "core/schema.hpp"
#include "models/workload_stats.hpp"
#include "workloads/catalog.hpp"

namespace pade::dse {

/// The knobs that change sparsity, taken from a hardware Config.
struct AlgorithmPoint {
  int bits = 8;
  double alpha = 0.5;
  double radius = 5.0;
  int tile_queries = 8;
  int tile_keys = 64;
  std::string tile_order = "head_tail";
  bool bui_gf = true;

  static AlgorithmPoint from(const core::Config& hardware);
  [[nodiscard]] std::string key() const;  // canonical text
};

class StatsCache {
 public:
  using Compute =
      std::function<models::WorkloadStats(const workloads::Benchmark&, const AlgorithmPoint&)>;
  using Load = std::function<std::optional<std::string>(const std::string& key)>;
  using Save = std::function<void(const std::string& key, const std::string& payload)>;

  StatsCache(Compute compute, std::string version)
      : compute_(std::move(compute)), version_(std::move(version)) {}
  /// Persistent layer (optional). Called under no lock; must be thread-safe itself.
  void set_persistence(Load load, Save save) {
    load_ = std::move(load);
    save_ = std::move(save);
  }

  /// The statistics for (benchmark, point); thread-safe, computed at most once per key.
  [[nodiscard]] models::WorkloadStats get(const workloads::Benchmark& benchmark,
                                          const AlgorithmPoint& point);
  [[nodiscard]] const std::string& version() const { return version_; }
  [[nodiscard]] std::size_t computed() const;  // how many keys were computed (not loaded)
  /// The full cache key of (benchmark, point): name | identity(benchmark) | point.
  [[nodiscard]] std::string key(const workloads::Benchmark& benchmark, const AlgorithmPoint& point);
  /// workloads::trace_identity(benchmark), computed once per benchmark name (thread-safe).
  [[nodiscard]] std::string identity(const workloads::Benchmark& benchmark);

 private:
  Compute compute_;
  std::string version_;
  Load load_;
  Save save_;
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_future<models::WorkloadStats>> entries_;
  std::map<std::string, std::shared_future<std::string>, std::less<>> identities_;
  std::size_t computed_ = 0;
};

/// Exact text round-trip of a digest (for the persistent cache).
[[nodiscard]] std::string serialize_stats(const models::WorkloadStats& s);
[[nodiscard]] std::optional<models::WorkloadStats> deserialize_stats(const std::string& text);

}  // namespace pade::dse
