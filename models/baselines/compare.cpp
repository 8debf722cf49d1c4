#include "models/baselines/compare.hpp"

#include <cmath>
#include <stdexcept>

#include "models/energy_area.hpp"

namespace pade::models {

PadeReference pade_reference(const HardwareConfig& hw) {
  const AreaBreakdown a = area_breakdown(hw);
  PadeReference r;
  r.logic_area_mm2 = a.logic();  // QK-PU, V-PU, softmax and their control: the PE array
  r.total_area_mm2 = a.total();
  const double macs_per_cycle = hw.lanes() * static_cast<double>(hw.dims_per_lane) / hw.bits +
                                hw.v_pair_lanes() * hw.dims_per_lane;
  r.peak_ops_per_s = 2.0 * macs_per_cycle * hw.clock_mhz * 1e6;
  return r;
}

double paper_headline(const std::string& baseline, const std::string& metric) {
  if (baseline == "h100" && metric == "speedup") return 7.43;
  const bool energy = metric == kEnergyEfficiency || metric == kEnergyEfficiencyCore;
  if (baseline == "h100" && energy) return 31.1;
  if (energy) {
    if (baseline == "sanger") return 5.1;
    if (baseline == "dota") return 4.3;
    if (baseline == "sofa") return 3.4;
  }
  return 0;
}

double geometric_mean(std::span<const double> values) {
  if (values.empty()) throw std::invalid_argument("geometric mean of nothing");
  double s = 0;
  for (const double v : values) {
    if (!(v > 0)) throw std::invalid_argument("geometric mean needs positive values");
    s += std::log(v);
  }
  return std::exp(s / static_cast<double>(values.size()));
}

double arithmetic_mean(std::span<const double> values) {
  if (values.empty()) throw std::invalid_argument("arithmetic mean of nothing");
  double s = 0;
  for (const double v : values) s += v;
  return s / static_cast<double>(values.size());
}

std::string energy_scope(const std::string& metric) {
  if (metric == kEnergyEfficiency) return "device (core + memory interface + DRAM)";
  if (metric == kEnergyEfficiencyCore) return "core only (no DRAM or memory interface)";
  return "";
}

std::vector<ComparisonValue> compare_outcomes(std::span<const BenchmarkOutcome> outcomes) {
  std::vector<ComparisonValue> out;
  std::map<std::string, std::map<std::string, std::vector<double>>>
      series;  // baseline -> metric -> values
  const auto add = [&](const std::string& bench, const std::string& name, const char* metric,
                       double value) {
    out.push_back({bench, name, metric, value});
    series[name][metric].push_back(value);
  };
  for (const auto& o : outcomes) {
    const double t = o.pade.get(core::metric::kLatencyS), e = o.pade.get(core::metric::kEnergyJ);
    const auto core_e = o.pade.find("energy_core_j");
    for (const auto& [name, m] : o.baselines) {
      add(o.benchmark, name, kSpeedup, m.get(core::metric::kLatencyS) / t);
      add(o.benchmark, name, kEnergyEfficiency, m.get(core::metric::kEnergyJ) / e);
      if (const auto b = m.find("energy_core_j"); b && core_e && *core_e > 0)
        add(o.benchmark, name, kEnergyEfficiencyCore, *b / *core_e);
    }
  }
  for (const auto& [name, metrics] : series)
    for (const auto& [metric, values] : metrics) {
      out.push_back({std::string(kGeomean), name, metric, geometric_mean(values)});
      out.push_back({std::string(kArithmean), name, metric, arithmetic_mean(values)});
    }
  return out;
}

}  // namespace pade::models
