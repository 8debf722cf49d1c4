#pragma once
// The headline comparison as a function of the coefficients: PADE and every baseline evaluated
// from digests computed once (their sparsity never depends on a coefficient), so `pade compare`
// and its sensitivity study evaluate any point of the coefficient box in microseconds per
// benchmark. One coefficient table per point serves PADE and every baseline alike.
#include <map>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/schema.hpp"
#include "models/baselines/baseline.hpp"
#include "models/baselines/compare.hpp"
#include "models/workload_stats.hpp"
#include "workloads/catalog.hpp"

namespace pade::dse {

struct HeadlineInputs {
  core::Config hardware;  // the compared PADE configuration
  std::string fidelity;   // PADE's hardware model
  core::Config baselines_config;
  std::vector<const workloads::Benchmark*> benchmarks;
  std::vector<models::WorkloadStats> pade_stats;  // per benchmark
  std::vector<const models::BaselineInfo*> baselines;
  std::vector<std::vector<models::BaselineStats>> baseline_stats;  // [benchmark][baseline]
};

/// A point of the sensitivity box: coefficient values (table names, without "coefficients.")
/// and PADE's kept fraction moved by `kept_fraction_z` bootstrap standard errors.
struct HeadlinePoint {
  std::vector<std::pair<std::string, double>> coefficients;
  double kept_fraction_z = 0;
};

/// What the calibration fit reads (calib.*): the default design's total area and mean core power
/// over `suite` at the reference statistics. Refitting keeps these where the default coefficients
/// put them (4.53 mm^2 and 591 mW, docs/hardware-models.md), as a recalibration to PADE's silicon
/// would after a coefficient changed.
struct CalibrationTargets {
  std::vector<const workloads::Benchmark*> suite;
  double area_mm2 = 0;
  double core_power_w = 0;
};
[[nodiscard]] CalibrationTargets calibration_targets(const workloads::Catalog& catalog);

/// Set calib.logic_area_scale and calib.dynamic_energy_scale of `hardware` so that the default
/// design under `hardware`'s other coefficients meets the targets (secant step: area and power
/// are affine in their scale).
void refit_calibration(core::Config& hardware, const CalibrationTargets& targets);

/// Per-benchmark outcomes at a point (refitting the calibration when `targets` is given).
[[nodiscard]] std::vector<models::BenchmarkOutcome> headline_outcomes(
    const HeadlineInputs& in, const HeadlinePoint& point,
    const CalibrationTargets* targets = nullptr);

/// Geometric means of the comparison metrics by "baseline/metric".
[[nodiscard]] std::map<std::string, double> headline_ratios(
    std::span<const models::ComparisonValue> values);

}  // namespace pade::dse
