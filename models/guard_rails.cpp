#include "models/guard_rails.hpp"

#include <array>
#include <cstdio>

namespace pade::models {

namespace {

struct Downstream {
  const char* unit;
  const char* metric;
  const char* sized_by;  // the hardware parameter(s) that set the unit's rate
};

// Units fed by the QK-PU's kept keys (softmax, V-PU) and the memory feeding it.
constexpr std::array<Downstream, 3> kDownstream = {{
    {"softmax", "util_softmax", "softmax.exp_units"},
    {"v_pu", "util_v_pu", "v_pu.qk_to_v_ratio"},
    {"dram", "util_dram",
     "hbm.* (bandwidth) or the K/V, Q and output buffers (sram.*), whose size decides how often "
     "K/V are fetched again"},
}};

std::string percent(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f %%", 100.0 * v);
  return buf;
}

}  // namespace

std::vector<BalanceWarning> balance_warnings(const core::Metrics& metrics) {
  std::vector<BalanceWarning> out;
  const auto qk = metrics.find("util_qk_pu");
  if (!qk) return out;
  for (const auto& d : kDownstream) {
    const auto u = metrics.find(d.metric);
    if (!u || *u < kSaturatedUtilization || *qk > kIdleRatio * *u) continue;
    out.push_back({d.unit, std::string(d.unit) + " sets the pace (busy " + percent(*u) +
                               " of the time) while the QK-PU is busy " + percent(*qk) +
                               ": raise " + d.sized_by});
  }
  return out;
}

}  // namespace pade::models
