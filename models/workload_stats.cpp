#include "models/workload_stats.hpp"

#include <cmath>

namespace pade::models {

double WorkloadStats::lockstep_rounds(int n) const {
  double expected = 0;
  for (const double a : active_fraction) expected += 1.0 - std::pow(1.0 - a, n);
  return expected;
}

}  // namespace pade::models
