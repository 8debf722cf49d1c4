#include "models/baselines/baseline.hpp"

namespace pade::models {

void BaselineRegistry::add(BaselineInfo info) {
  for (auto& e : entries_)
    if (e.name == info.name) {
      e = std::move(info);
      return;
    }
  entries_.push_back(std::move(info));
}

const BaselineInfo& BaselineRegistry::get(const std::string& name,
                                          const core::NameOrigin& origin) const {
  for (const auto& e : entries_)
    if (e.name == name) return e;
  throw core::unknown_name("baseline", name, names(), origin);
}

bool BaselineRegistry::has(const std::string& name) const {
  for (const auto& e : entries_)
    if (e.name == name) return true;
  return false;
}

std::vector<std::string> BaselineRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& e : entries_) out.push_back(e.name);
  return out;
}

// One line per baseline. Built explicitly: static libraries drop self-registering objects.
const BaselineRegistry& builtin_baselines() {
  static const BaselineRegistry registry = [] {
    BaselineRegistry r;
    register_h100(r);
    register_sanger(r);
    register_dota(r);
    register_sofa(r);
    register_spatten(r);
    register_energon(r);
    return r;
  }();
  return registry;
}

}  // namespace pade::models
