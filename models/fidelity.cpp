#include "models/fidelity.hpp"

#include <stdexcept>

#include "models/analytical.hpp"
#include "models/coarse.hpp"
#include "models/event_sim.hpp"

namespace pade::models {

void FidelityRegistry::add(FidelityInfo info) {
  entries_[info.name] = std::move(info);
}

const FidelityInfo& FidelityRegistry::get(const std::string& name) const {
  const auto it = entries_.find(name);
  if (it == entries_.end()) throw std::invalid_argument("unknown fidelity '" + name + "'");
  return it->second;
}

std::vector<std::string> FidelityRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& [n, e] : entries_) out.push_back(n);
  return out;
}

const FidelityRegistry& builtin_fidelities() {
  static const FidelityRegistry registry = [] {
    FidelityRegistry r;
    r.add({"coarse",
           "first-order roofline per head: max(QK-PU, V-PU, exp, DRAM) time, perfect overlap; "
           "energy from per-op coefficients",
           "coarse-2", coarse_model});
    r.add({"analytical",
           "resource-constrained critical path over the tile-stage task graph: steady-state period "
           "(unit, recurrence and scoreboard bounds) times the tile-steps, plus the fill",
           "analytical-2", analytical_model});
    r.add({"event",
           "discrete-event simulation of the tile-stage task graph: lanes, scoreboards, HBM "
           "pseudo-channels and bursts, in/out-of-order policies; window extrapolated",
           "event-2", event_model});
    return r;
  }();
  return registry;
}

}  // namespace pade::models
