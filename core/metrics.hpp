#pragma once
// What a model returns for one (configuration, benchmark): named scalar metrics with units
// implied by their names (…_s, …_j, …_mm2, …_w, …_bytes, …_cycles; fractions are plain).
#include <array>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pade::core {

class Metrics {
 public:
  using Entry = std::pair<std::string, double>;

  /// Insert or overwrite. Entries stay in insertion order with a hash of each name beside them:
  /// a model sets ~55 metrics per evaluation, and neither a tree node nor a sorted insertion per
  /// metric fits the hot path (bench/bench_models measures the whole call).
  void set(std::string_view name, double value);
  [[nodiscard]] double get(std::string_view name) const;  // throws std::out_of_range
  [[nodiscard]] std::optional<double> find(std::string_view name) const;
  /// Every metric in the order it was first set (deterministic for a given model).
  [[nodiscard]] const std::vector<Entry>& values() const { return values_; }
  /// Every metric sorted by name: for output meant to be read or compared.
  [[nodiscard]] std::vector<Entry> sorted() const;
  /// JSON object with the keys sorted by name.
  [[nodiscard]] std::string to_json() const;

 private:
  [[nodiscard]] std::size_t index_of(std::string_view name, std::size_t hash) const;
  std::vector<Entry> values_;
  std::vector<std::size_t> hashes_;  // std::hash of values_[i].first
};

/// The metrics every fidelity reports; stored as columns of the evaluations table.
namespace metric {
// The `benchmark` of the suite averages stored beside per-benchmark rows (PADE against a
// baseline): not benchmarks, so a reader averaging the rows itself leaves them out.
inline constexpr std::string_view kGeomeanRow = "geomean";
inline constexpr std::string_view kArithmeanRow = "arithmean";
[[nodiscard]] constexpr bool is_suite_average(std::string_view benchmark) {
  return benchmark == kGeomeanRow || benchmark == kArithmeanRow;
}
inline constexpr std::string_view kLatencyCycles = "latency_cycles";
inline constexpr std::string_view kLatencyS = "latency_s";
inline constexpr std::string_view kEnergyJ = "energy_j";
inline constexpr std::string_view kAreaMm2 = "area_mm2";
inline constexpr std::string_view kPowerW = "power_w";
inline constexpr std::string_view kKeptFraction = "kept_fraction";
inline constexpr std::string_view kAccuracyLoss = "accuracy_loss";
inline constexpr std::string_view kDramBytes = "dram_bytes";

/// The one list of metric columns: the evaluations table stores these (in this order) beside
/// metrics_json; the store, the queries and the figures take their column lists from here.
inline constexpr std::array<std::string_view, 8> kEvaluationColumns = {
    kLatencyCycles, kLatencyS,     kEnergyJ,      kAreaMm2,
    kPowerW,        kKeptFraction, kAccuracyLoss, kDramBytes};
/// The suite-level objectives the points table stores as columns (in this order).
inline constexpr std::array<std::string_view, 5> kPointColumns = {kLatencyS, kEnergyJ, kAreaMm2,
                                                                  kPowerW, kAccuracyLoss};
/// Whether `name` is one of `columns`.
template <std::size_t N>
[[nodiscard]] constexpr bool is_column(const std::array<std::string_view, N>& columns,
                                       std::string_view name) {
  for (const auto c : columns)
    if (c == name) return true;
  return false;
}
}  // namespace metric

}  // namespace pade::core
