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
  if (baseline == "h100" && metric == "energy_efficiency") return 31.1;
  if (metric == "energy_efficiency") {
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

std::vector<ComparisonValue> compare_outcomes(std::span<const BenchmarkOutcome> outcomes) {
  std::vector<ComparisonValue> out;
  std::map<std::string, std::map<std::string, std::vector<double>>>
      series;  // baseline -> metric -> values
  for (const auto& o : outcomes) {
    const double t = o.pade.get(core::metric::kLatencyS), e = o.pade.get(core::metric::kEnergyJ);
    for (const auto& [name, m] : o.baselines) {
      const double speedup = m.get(core::metric::kLatencyS) / t;
      const double efficiency = m.get(core::metric::kEnergyJ) / e;
      out.push_back({o.benchmark, name, "speedup", speedup});
      out.push_back({o.benchmark, name, "energy_efficiency", efficiency});
      series[name]["speedup"].push_back(speedup);
      series[name]["energy_efficiency"].push_back(efficiency);
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
