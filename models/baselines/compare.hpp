#pragma once
// The comparison arithmetic: per-benchmark speedup and energy efficiency of PADE against each
// baseline, and their suite averages. Ratios average GEOMETRICALLY (the geometric mean of ratios
// is the ratio of geometric means, so it does not depend on which side is the reference); the
// arithmetic mean is reported beside it for readers comparing with papers that use it.
#include <array>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "core/metrics.hpp"
#include "models/baselines/baseline.hpp"
#include "models/hardware.hpp"

namespace pade::models {

/// PADE's area (PE array and total) and peak throughput under a hardware configuration.
/// Peak: the QK-PU's bit-serial lanes in INT8-MAC equivalents (lanes · dims per lane / bits) plus
/// the V-PU's MACs, two operations per MAC, at the clock.
[[nodiscard]] PadeReference pade_reference(const HardwareConfig& hw);

struct BenchmarkOutcome {
  std::string benchmark;
  core::Metrics pade;
  std::map<std::string, core::Metrics> baselines;  // by baseline name
};

struct ComparisonValue {
  std::string benchmark;  // a benchmark name, or kGeomean / kArithmean for the averages
  std::string baseline;
  std::string metric;  // speedup | energy_efficiency | energy_efficiency_core
  double value = 0;
};

inline constexpr std::string_view kGeomean = core::metric::kGeomeanRow;
inline constexpr std::string_view kArithmean = core::metric::kArithmeanRow;

/// The comparison metrics. Energy efficiency comes in two scopes, both stored for every design:
/// device (core + memory interface + DRAM: energy_j, the scope the PADE authors' group reports)
/// and core only (energy_core_j: on-chip datapath, SRAM and leakage; for the H100 its board
/// energy less the HBM share).
inline constexpr const char* kSpeedup = "speedup";
inline constexpr const char* kEnergyEfficiency = "energy_efficiency";
inline constexpr const char* kEnergyEfficiencyCore = "energy_efficiency_core";
inline constexpr std::array<const char*, 3> kComparisonMetrics = {kSpeedup, kEnergyEfficiency,
                                                                  kEnergyEfficiencyCore};
/// The energy scope a comparison metric measures ("" for speedup).
[[nodiscard]] std::string energy_scope(const std::string& metric);

/// speedup = baseline latency / PADE latency; energy_efficiency = baseline energy / PADE energy
/// (how many times less energy PADE spends: the paper's "energy saving"/"energy efficiency");
/// energy_efficiency_core the same over energy_core_j (left out when a side lacks it).
[[nodiscard]] std::vector<ComparisonValue> compare_outcomes(
    std::span<const BenchmarkOutcome> outcomes);

/// The PADE paper's headline value for (baseline, metric), if it states one (abstract, arXiv
/// 2512.14322): H100 speedup 7.43 and energy efficiency 31.1; energy saving 5.1 / 4.3 / 3.4 against
/// Sanger / DOTA / SOFA. The paper does not name its energy scope, so both scopes are compared
/// with the same value. Returns 0 when the paper gives none.
[[nodiscard]] double paper_headline(const std::string& baseline, const std::string& metric);

[[nodiscard]] double geometric_mean(std::span<const double> values);
[[nodiscard]] double arithmetic_mean(std::span<const double> values);

}  // namespace pade::models
