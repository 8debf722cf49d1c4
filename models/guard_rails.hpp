#pragma once
// Guard rails: plain-language warnings when an evaluated design is unbalanced — a unit sized
// below the rate the QK-PU feeds it, so it sets the pace while the array waits. They are read
// off the model's own utilization metrics (util_<unit>), so they say what the model computed,
// not a rule of thumb, and hold for every fidelity that reports utilizations.
#include <string>
#include <vector>

#include "core/metrics.hpp"

namespace pade::models {

struct BalanceWarning {
  std::string unit;     // the unit that limits the design, e.g. "softmax"
  std::string message;  // what limits it, and the parameter that sizes it
};

/// Utilization at or above which a unit counts as the pace-setter.
inline constexpr double kSaturatedUtilization = 0.95;
/// A pace-setter is reported when the QK-PU is busy at most this fraction of the pace-setter's
/// time (the array idles while it waits).
inline constexpr double kIdleRatio = 0.8;

/// Warnings for one evaluation's metrics (empty when balanced, or when no utilizations exist).
[[nodiscard]] std::vector<BalanceWarning> balance_warnings(const core::Metrics& metrics);

}  // namespace pade::models
