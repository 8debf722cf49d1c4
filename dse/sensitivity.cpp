#include "dse/sensitivity.hpp"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/rng.hpp"
#include "search/strategy.hpp"

namespace pade::dse {

std::vector<SensitivityAxis> coefficient_axes(const core::CoefficientTable& table,
                                              std::span<const std::string> refitted) {
  std::vector<SensitivityAxis> out;
  for (const auto& c : table.entries()) {
    if (!c.range || !(c.range->high > c.range->low)) continue;
    const bool skip = std::any_of(refitted.begin(), refitted.end(),
                                  [&](const std::string& p) { return c.name.rfind(p, 0) == 0; });
    if (skip) continue;
    out.push_back(
        {"coefficients." + c.name, c.value, c.range->low, c.range->high, c.range->source});
  }
  return out;
}

std::vector<std::vector<double>> latin_box(std::span<const SensitivityAxis> axes, std::size_t n,
                                           std::uint64_t seed) {
  std::vector<std::vector<double>> points(n, std::vector<double>(axes.size()));
  if (n == 0 || axes.empty()) return points;
  // The strata come from the search layer's Latin hypercube (n levels per axis, n points: one
  // point per stratum of every axis); the position inside a stratum from a stream of its own.
  const std::vector<std::size_t> sizes(axes.size(), n);
  search::StrategyOptions options;
  options.seed = seed;
  options.budget = n;
  const auto lhs = search::builtin_strategies().create("lhs", sizes, options);
  const auto candidates = lhs->ask(n);
  if (candidates.size() != n) throw std::logic_error("Latin hypercube returned too few points");
  core::Rng jitter(seed, "sensitivity-jitter");
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t d = 0; d < axes.size(); ++d) {
      const double u = (static_cast<double>(candidates[i].levels[d]) + jitter.uniform()) /
                       static_cast<double>(n);
      points[i][d] = axes[d].low + u * (axes[d].high - axes[d].low);
    }
  return points;
}

double quantile(std::vector<double> values, double q) {
  if (values.empty()) throw std::invalid_argument("quantile of nothing");
  std::sort(values.begin(), values.end());
  const double pos = std::clamp(q, 0.0, 1.0) * static_cast<double>(values.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const std::size_t hi = std::min(lo + 1, values.size() - 1);
  return values[lo] + (pos - static_cast<double>(lo)) * (values[hi] - values[lo]);
}

namespace {

/// f at every point, in parallel, each result in its own slot (thread-count independent).
std::vector<std::map<std::string, double>> evaluate_all(
    const std::vector<std::vector<double>>& points, const HeadlineFn& f) {
  std::vector<std::map<std::string, double>> out(points.size());
  tbb::parallel_for(std::size_t{0}, points.size(), [&](std::size_t i) { out[i] = f(points[i]); });
  return out;
}

}  // namespace

SensitivityResult run_sensitivity(std::span<const SensitivityAxis> axes, std::size_t n,
                                  std::uint64_t seed, const HeadlineFn& f) {
  SensitivityResult r;
  r.samples = n;
  r.seed = seed;
  r.axes.assign(axes.begin(), axes.end());
  std::vector<double> nominal;
  for (const auto& a : axes) nominal.push_back(a.nominal);

  // One batch: the nominal point, the n box samples, then each axis at its low and high end.
  std::vector<std::vector<double>> points = {nominal};
  for (auto& p : latin_box(axes, n, seed)) points.push_back(std::move(p));
  for (std::size_t d = 0; d < axes.size(); ++d)
    for (const double end : {axes[d].low, axes[d].high}) {
      points.push_back(nominal);
      points.back()[d] = end;
    }
  const auto values = evaluate_all(points, f);

  for (const auto& [key, at_nominal] : values.front()) {
    SensitivitySummary s{key, at_nominal, at_nominal, at_nominal, at_nominal};
    if (n > 0) {
      std::vector<double> xs;
      for (std::size_t i = 1; i <= n; ++i)
        if (const auto it = values[i].find(key); it != values[i].end()) xs.push_back(it->second);
      if (!xs.empty()) {
        s.median = quantile(xs, 0.5);
        s.p05 = quantile(xs, 0.05);
        s.p95 = quantile(xs, 0.95);
      }
    }
    r.summaries.push_back(s);
    std::vector<TornadoBar> bars;
    for (std::size_t d = 0; d < axes.size(); ++d) {
      const auto& lo = values[1 + n + 2 * d];
      const auto& hi = values[2 + n + 2 * d];
      const auto l = lo.find(key), h = hi.find(key);
      if (l != lo.end() && h != hi.end()) bars.push_back({key, axes[d].name, l->second, h->second});
    }
    // Largest swing first; ties in table order (stable), so the ranking is deterministic.
    std::stable_sort(bars.begin(), bars.end(), [](const TornadoBar& a, const TornadoBar& b) {
      return a.swing() > b.swing();
    });
    r.tornado.insert(r.tornado.end(), bars.begin(), bars.end());
  }
  return r;
}

}  // namespace pade::dse
