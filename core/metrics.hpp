#pragma once
// What a model returns for one (configuration, benchmark): named scalar metrics with units
// implied by their names (…_s, …_j, …_mm2, …_w, …_bytes, …_cycles; fractions are plain).
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace pade::core {

class Metrics {
 public:
  void set(std::string_view name, double value) { values_[std::string(name)] = value; }
  [[nodiscard]] double get(std::string_view name) const;  // throws std::out_of_range
  [[nodiscard]] std::optional<double> find(std::string_view name) const;
  [[nodiscard]] const std::map<std::string, double, std::less<>>& values() const { return values_; }
  [[nodiscard]] std::string to_json() const;

 private:
  std::map<std::string, double, std::less<>> values_;
};

/// The metrics every fidelity reports; stored as columns of the evaluations table.
namespace metric {
inline constexpr std::string_view kLatencyCycles = "latency_cycles";
inline constexpr std::string_view kLatencyS = "latency_s";
inline constexpr std::string_view kEnergyJ = "energy_j";
inline constexpr std::string_view kAreaMm2 = "area_mm2";
inline constexpr std::string_view kPowerW = "power_w";
inline constexpr std::string_view kKeptFraction = "kept_fraction";
inline constexpr std::string_view kAccuracyLoss = "accuracy_loss";
inline constexpr std::string_view kDramBytes = "dram_bytes";
}  // namespace metric

}  // namespace pade::core
