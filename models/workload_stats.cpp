#include "models/workload_stats.hpp"

#include <algorithm>
#include <cmath>

namespace pade::models {

double WorkloadStats::lockstep_rounds(int n) const {
  double expected = 0;
  for (const double a : active_fraction) expected += 1.0 - std::pow(1.0 - a, n);
  return expected;
}

double WorkloadStats::rounds_per_pair() const {
  const auto k = static_cast<std::size_t>(std::max(1, bits_per_round));
  double s = 0;
  for (std::size_t r = 0; r < active_fraction.size(); r += k) s += active_fraction[r];
  return s;
}

double WorkloadStats::group_fetch(int round) const {
  const auto r = static_cast<std::size_t>(round);
  if (r < group_fetch_fraction.size()) return group_fetch_fraction[r];
  const double mean_active =
      active_fraction.empty() ? 1.0 : mean_rounds() / static_cast<double>(active_fraction.size());
  const double scale = mean_active > 0 ? group_plane_fetch_fraction / mean_active : 1.0;
  return r < active_fraction.size() ? std::min(1.0, active_fraction[r] * scale) : 0.0;
}

WorkloadStats reference_workload_stats() {
  WorkloadStats w;
  w.bits = 8;
  // Pairs still active at each round (MSB first): half of the pruning happens by round 3, the
  // survivors' tail flattens onto the 25 % kept (the paper's ~75 % pruned at α = 0.5).
  w.active_fraction = {1.0, 0.70, 0.50, 0.40, 0.34, 0.30, 0.28, 0.27};
  w.kept_fraction = 0.25;
  // Union over a query group's 8 rows: rows disagree on which keys to keep, so the group needs
  // noticeably more planes than one row (correlated rows: far below 1 - (1 - a)^8).
  w.group_fetch_fraction = {1.0, 0.90, 0.78, 0.70, 0.64, 0.60, 0.58, 0.56};
  double mean = 0;
  for (const double f : w.group_fetch_fraction) mean += f / 8.0;
  w.group_plane_fetch_fraction = mean;
  w.group_v_fetch_fraction = 0.50;
  w.bidir_active_fraction = 0.38;  // min(ones, zeros) / d of INT8 key planes
  w.ones_fraction = 0.50;
  w.rescales_per_row = 3.0;
  w.accuracy_loss = 0.0;
  w.relative_l2_error = 0.0;
  w.retained_mass = 1.0;
  w.sampled_rows = 0;
  w.source = "reference:paper-operating-point-v1";
  return w;
}

}  // namespace pade::models
