#pragma once
// The functional-statistics cache. Statistics depend on the benchmark's data and a few algorithm
// knobs only (bits, α, radius, tile shape and order); every hardware knob reuses them. A key is the
// benchmark's name, the identity of its data (workloads::trace_identity: its shapes; for the
// generator its version, the model's family and that family's knob values; the content of dump
// files or text) and the algorithm point, so a changed family, knob or dump under the same name
// never reuses a stale digest. The cache's version (digest pipeline, sampling plan, seed) is
// stored beside each persisted key. Each key is computed exactly once even when many threads ask
// at the same time: the first asker computes, the others wait for its result. An optional
// persistent layer (the SQLite store) is consulted before computing and written after.
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "core/schema.hpp"
#include "models/hardware.hpp"
#include "models/workload_stats.hpp"
#include "workloads/catalog.hpp"

namespace pade::dse {

/// The knobs that change sparsity (models::SparsityKnobs), taken from a hardware Config. Which
/// knobs they are and how the key spells them is declared once, with each parameter
/// (models::hardware_binding(): the members marked key_part).
struct AlgorithmPoint : models::SparsityKnobs {
  static AlgorithmPoint from(const core::Config& hardware);
  /// Canonical text, e.g. "bits=8;alpha=0.5;radius=5;bq=8;bk=64;order=head_tail;bui=1".
  [[nodiscard]] std::string key() const;
};

class StatsCache {
 public:
  using Compute =
      std::function<models::WorkloadStats(const workloads::Benchmark&, const AlgorithmPoint&)>;
  using Load = std::function<std::optional<std::string>(const std::string& key)>;
  using Save = std::function<void(const std::string& key, const std::string& payload)>;
  /// The identity of a benchmark's data (workloads::trace_identity with the generator knobs the
  /// computation uses).
  using Identity = std::function<std::string(const workloads::Benchmark&)>;
  /// A computation and the identity of the data it reads: they come together so that a source
  /// using the generator always keys its statistics by the generator's knobs.
  /// Throws core::InputError when a benchmark's data cannot be read (headers only; cheap).
  using Check = std::function<void(const workloads::Benchmark&)>;
  struct Source {
    Compute compute;
    Identity identity;
    Check check;  // optional
  };

  StatsCache(Source source, std::string version)
      : compute_(std::move(source.compute)),
        identity_(std::move(source.identity)),
        check_(std::move(source.check)),
        version_(std::move(version)) {}
  /// A computation that does not use the generator (tests, benches): the identity of a synthetic
  /// benchmark is its shapes only.
  StatsCache(Compute compute, std::string version)
      : StatsCache(Source{std::move(compute), nullptr, nullptr}, std::move(version)) {}
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
  /// The Source's check of a benchmark's data (nothing without one): call it before a campaign
  /// starts so bad data fails before anything is recorded.
  void check(const workloads::Benchmark& benchmark) const {
    if (check_) check_(benchmark);
  }
  /// The identity of the benchmark's data (the Source's, by default workloads::trace_identity
  /// without generator knobs), computed once per benchmark name (thread-safe).
  [[nodiscard]] std::string identity(const workloads::Benchmark& benchmark);

 private:
  Compute compute_;
  Identity identity_;
  Check check_;
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
