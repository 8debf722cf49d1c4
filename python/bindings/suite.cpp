#include "python/bindings/suite.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace pade::python {

core::Metrics suite_metrics(std::span<const core::Metrics> per_benchmark) {
  namespace m = core::metric;
  double log_latency = 0, energy = 0, area = 0, power = 0, loss = 0;
  for (const auto& b : per_benchmark) {
    log_latency += std::log(b.get(m::kLatencyS));
    energy += b.get(m::kEnergyJ);
    area = std::max(area, b.get(m::kAreaMm2));
    power = std::max(power, b.get(m::kPowerW));
    loss = std::max(loss, b.find(m::kAccuracyLoss).value_or(0.0));
  }
  core::Metrics out;
  out.set(m::kLatencyS, std::exp(log_latency / static_cast<double>(per_benchmark.size())));
  out.set(m::kEnergyJ, energy);
  out.set(m::kAreaMm2, area);
  out.set(m::kPowerW, power);
  out.set(m::kAccuracyLoss, loss);
  return out;
}

results::PointRecord suite_point(const dse::Campaign& campaign,
                                 std::span<const core::Metrics> per_benchmark) {
  results::PointRecord p;
  p.objectives = suite_metrics(per_benchmark);
  for (const auto& c : campaign.constraints) {
    const double v = p.objectives.get(c.metric);
    if (v > c.max) {
      p.feasible = false;
      char buf[160];
      std::snprintf(buf, sizeof buf, "%s %.4g > %.4g", c.metric.c_str(), v, c.max);
      p.reason += (p.reason.empty() ? "" : "; ") + std::string(buf);
    }
  }
  return p;
}

}  // namespace pade::python
