#include "models/fidelity.hpp"

#include <stdexcept>

#include "models/coarse.hpp"

namespace pade::models {

void FidelityRegistry::add(FidelityInfo info) { entries_[info.name] = std::move(info); }

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
           "coarse-1", coarse_model});
    return r;
  }();
  return registry;
}

}  // namespace pade::models
