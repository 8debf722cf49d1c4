#pragma once
// Hardware models registered by name ("coarse", and later "analytical", "event"), so a campaign's
// `fidelity:` picks one without an if-chain in the evaluator.
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/metrics.hpp"
#include "models/hardware.hpp"
#include "models/workload_stats.hpp"
#include "workloads/catalog.hpp"

namespace pade::models {

using HardwareModel = std::function<core::Metrics(
    const HardwareConfig&, const workloads::Benchmark&, const WorkloadStats&)>;

struct FidelityInfo {
  std::string name;
  std::string doc;
  std::string version;  // bumped when the model's numbers change (stored as provenance)
  HardwareModel model;
};

class FidelityRegistry {
 public:
  void add(FidelityInfo info);
  [[nodiscard]] const FidelityInfo& get(
      const std::string& name) const;  // std::invalid_argument when unknown
  [[nodiscard]] std::vector<std::string> names() const;

 private:
  std::map<std::string, FidelityInfo> entries_;
};

[[nodiscard]] const FidelityRegistry& builtin_fidelities();

}  // namespace pade::models
