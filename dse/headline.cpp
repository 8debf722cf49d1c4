#include "dse/headline.hpp"

#include <algorithm>
#include <cmath>

#include "models/analytical.hpp"
#include "models/energy_area.hpp"
#include "models/fidelity.hpp"
#include "models/hardware.hpp"

namespace pade::dse {

namespace {

const core::SourceLocation kOrigin{"sensitivity", 0, 0};
constexpr const char* kAreaScale = "coefficients.calib.logic_area_scale";
constexpr const char* kEnergyScale = "coefficients.calib.dynamic_energy_scale";

double total_area(const core::Config& hw) {
  return models::area_breakdown(models::to_hardware(hw)).total();
}

double mean_core_power(const core::Config& config,
                       std::span<const workloads::Benchmark* const> suite) {
  const models::HardwareConfig hw = models::to_hardware(config);
  const models::WorkloadStats ws = models::reference_workload_stats();
  double sum = 0;
  for (const auto* b : suite) sum += models::analytical_model(hw, *b, ws).get("power_core_w");
  return suite.empty() ? 0.0 : sum / static_cast<double>(suite.size());
}

/// One secant step on `key` so that f(config) = target; exact when f is affine in the key.
template <class F>
double secant(core::Config& config, const char* key, double target, const F& f) {
  const double s0 = config.real(key);
  const double f0 = f(config);
  if (!(f0 > 0)) return s0;
  const double s1 = s0 * target / f0;
  config.set(key, s1, kOrigin);
  const double f1 = f(config);
  const double s = f1 != f0 ? s0 + (target - f0) * (s1 - s0) / (f1 - f0) : s0;
  config.set(key, s, kOrigin);
  return s;
}

}  // namespace

CalibrationTargets calibration_targets(const workloads::Catalog& catalog) {
  CalibrationTargets t;
  for (const auto& n : catalog.suite("pade22")) t.suite.push_back(&catalog.benchmark(n));
  const core::Config defaults = core::default_config(models::hardware_schema());
  t.area_mm2 = total_area(defaults);
  t.core_power_w = mean_core_power(defaults, t.suite);
  return t;
}

void refit_calibration(core::Config& hardware, const CalibrationTargets& targets) {
  // The fit is made on the default design (as the published calibration was), with every other
  // coefficient as `hardware` has it; the fitted scales then apply to the compared design.
  core::Config fit = core::default_config(models::hardware_schema());
  const core::CoefficientTable table = core::CoefficientTable::defaults();
  for (const auto& c : table.entries()) {
    const std::string key = "coefficients." + c.name;
    fit.set(key, hardware.real(key), kOrigin);
  }
  const double area_scale = secant(fit, kAreaScale, targets.area_mm2, total_area);
  const double energy_scale =
      secant(fit, kEnergyScale, targets.core_power_w,
             [&](const core::Config& c) { return mean_core_power(c, targets.suite); });
  hardware.set(kAreaScale, area_scale, kOrigin);
  hardware.set(kEnergyScale, energy_scale, kOrigin);
}

std::vector<models::BenchmarkOutcome> headline_outcomes(const HeadlineInputs& in,
                                                        const HeadlinePoint& point,
                                                        const CalibrationTargets* targets) {
  core::Config config = in.hardware;
  for (const auto& [name, value] : point.coefficients)
    config.set("coefficients." + name, value, kOrigin);
  if (targets) refit_calibration(config, *targets);
  const models::HardwareConfig hw = models::to_hardware(config);
  models::BaselineContext ctx;
  ctx.config = in.baselines_config;
  ctx.coefficients = hw.coefficients;  // one coefficient table for both sides
  ctx.pade = models::pade_reference(hw);
  ctx.dataflow = hw.dataflow();  // one dataflow accounting for PADE and every baseline
  const auto& model = models::builtin_fidelities().get(in.fidelity).model;

  std::vector<models::BenchmarkOutcome> out(in.benchmarks.size());
  for (std::size_t i = 0; i < in.benchmarks.size(); ++i) {
    const workloads::Benchmark& b = *in.benchmarks[i];
    models::WorkloadStats ws = in.pade_stats[i];
    ws.kept_fraction =
        std::clamp(ws.kept_fraction + point.kept_fraction_z * ws.stderr_kept_fraction, 0.0, 1.0);
    out[i].benchmark = b.name;
    out[i].pade = model(hw, b, ws);
    for (std::size_t j = 0; j < in.baselines.size(); ++j) {
      const auto& s = in.baseline_stats[i][j];
      core::Metrics m = in.baselines[j]->cost(ctx, b, s);
      for (const auto& [k, v] : s.per_pair) m.set("rule." + k, v);
      out[i].baselines[in.baselines[j]->name] = std::move(m);
    }
  }
  return out;
}

std::map<std::string, double> headline_ratios(std::span<const models::ComparisonValue> values) {
  std::map<std::string, double> out;
  for (const auto& v : values)
    if (v.benchmark == models::kGeomean) out[v.baseline + "/" + v.metric] = v.value;
  return out;
}

}  // namespace pade::dse
