#include "models/fidelity.hpp"

#include <algorithm>
#include <stdexcept>

#include "models/analytical.hpp"
#include "models/coarse.hpp"
#include "models/event_sim.hpp"

namespace pade::models {

void FidelityRegistry::add(FidelityInfo info) {
  const auto it = std::ranges::find(entries_, info.name, &FidelityInfo::name);
  if (it != entries_.end())
    *it = std::move(info);
  else
    entries_.push_back(std::move(info));
}

void FidelityRegistry::rename(std::string old_name, std::string new_name) {
  if (!contains(new_name) || contains(old_name))
    throw std::logic_error("fidelity rename " + old_name + " -> " + new_name);
  renamed_.emplace_back(std::move(old_name), std::move(new_name));
}

const FidelityInfo& FidelityRegistry::get(const std::string& name,
                                          const core::NameOrigin& origin) const {
  const auto old = std::ranges::find(renamed_, name, &std::pair<std::string, std::string>::first);
  if (old != renamed_.end()) return get(old->second, origin);
  const auto it = std::ranges::find(entries_, name, &FidelityInfo::name);
  if (it == entries_.end()) throw core::unknown_name("fidelity", name, names(), origin);
  return *it;
}

bool FidelityRegistry::contains(const std::string& name) const {
  return std::ranges::find(entries_, name, &FidelityInfo::name) != entries_.end();
}

std::vector<std::string> FidelityRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& e : entries_) out.push_back(e.name);
  return out;
}

const FidelityRegistry& builtin_fidelities() {
  static const FidelityRegistry registry = [] {
    FidelityRegistry r;  // registration order = the order names are listed to users
    // A screening model: fast, and several times off the analytical model's energy and DRAM
    // bytes (it unions the needed keys per head), so it is never a default. Called `coarse`
    // until its rename; the version keeps its old label because its numbers did not change.
    r.add({"screening",
           "first-order roofline per head for screening only: max(QK-PU, V-PU, exp, DRAM) time, "
           "perfect overlap; energy from per-op coefficients",
           "coarse-4", coarse_model,
           "the screening roofline (fidelity 'screening') is a first-order estimate for pruning "
           "a search; its energy and DRAM traffic differ several-fold from the analytical model "
           "(the default)"});
    r.add({"analytical",
           "resource-constrained critical path over the tile-stage task graph: steady-state period "
           "(unit, recurrence and scoreboard bounds) times the tile-steps, plus the fill",
           "analytical-4", analytical_model, ""});
    r.add({"event",
           "discrete-event simulation of the tile-stage task graph: lanes, scoreboards, HBM "
           "pseudo-channels and bursts, in/out-of-order policies; window extrapolated",
           "event-4", event_model, ""});
    r.rename("coarse", "screening");
    return r;
  }();
  return registry;
}

}  // namespace pade::models
