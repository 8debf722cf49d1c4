#pragma once
// How much a headline ratio depends on numbers nobody has verified: a seeded Latin hypercube over
// a box of axes (each coefficient's low/high range, the statistics' standard errors), one
// evaluation of every headline ratio per point, and a one-at-a-time tornado (each axis at its low
// and its high end, the others at their defaults). The spread is a SENSITIVITY RANGE over the
// box, not a confidence interval: the ranges are plausible spans, not distributions.
//
// An axis is drawn once per sample and the one value is used by every design (e.g. the DRAM
// pJ/bit of PADE and of every baseline), so a ratio moves only as far as the designs differ in
// how they depend on it. Samples are evaluated in parallel, each into its own slot: the result is
// the same for any thread count.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "core/coefficients.hpp"

namespace pade::dse {

struct SensitivityAxis {
  std::string name;  // "coefficients.<name>" or "stats.<what>"
  double nominal = 0;
  double low = 0;
  double high = 0;
  std::string source;  // the range's basis
};

/// One axis per coefficient with a non-degenerate range, in table order, except those whose
/// name starts with one of `refitted` (calibrated ones, refitted per sample instead).
[[nodiscard]] std::vector<SensitivityAxis> coefficient_axes(const core::CoefficientTable& table,
                                                            std::span<const std::string> refitted);

/// The headline ratios at one point of the box (point[d] is axis d's value), by name.
using HeadlineFn = std::function<std::map<std::string, double>(std::span<const double> point)>;

struct SensitivitySummary {
  std::string key;
  double nominal = 0;
  double median = 0;
  double p05 = 0;
  double p95 = 0;
};

struct TornadoBar {
  std::string key;
  std::string axis;
  double at_low = 0;
  double at_high = 0;
  [[nodiscard]] double swing() const {
    return at_high > at_low ? at_high - at_low : at_low - at_high;
  }
};

struct SensitivityResult {
  std::size_t samples = 0;
  std::uint64_t seed = 0;
  std::vector<SensitivityAxis> axes;
  std::vector<SensitivitySummary> summaries;  // by key
  std::vector<TornadoBar> tornado;            // grouped by key, largest swing first
};

/// n points of a Latin hypercube over the axes: per axis, the n strata of [low, high] in the
/// order of the search layer's `lhs` strategy (seeded), jittered uniformly inside the stratum by
/// a second seeded stream. points[i][d].
[[nodiscard]] std::vector<std::vector<double>> latin_box(std::span<const SensitivityAxis> axes,
                                                         std::size_t n, std::uint64_t seed);

/// Quantile q in [0, 1] of `values` (linear between order statistics; values need not be sorted).
[[nodiscard]] double quantile(std::vector<double> values, double q);

/// Evaluate `f` at the nominal point, at the n box samples and at each axis's two ends.
[[nodiscard]] SensitivityResult run_sensitivity(std::span<const SensitivityAxis> axes,
                                                std::size_t n, std::uint64_t seed,
                                                const HeadlineFn& f);

}  // namespace pade::dse
