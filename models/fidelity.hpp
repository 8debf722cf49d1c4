#pragma once
// Hardware models registered by name ("screening", "analytical", "event"), so a campaign's
// `fidelity:` picks one without an if-chain in the evaluator. The registry is the only list of
// fidelity names: the campaign schema's choices, the error messages and the reference come from
// it. Adding a fidelity is one model file plus one `r.add` line in fidelity.cpp.
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "core/error.hpp"
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
  std::string caution;  // printed whenever the model is chosen (empty: none)
};

class FidelityRegistry {
 public:
  void add(FidelityInfo info);  // replaces an entry of the same name
  /// An earlier name of a registered fidelity: still read (files and options written before the
  /// rename keep working), never listed.
  void rename(std::string old_name, std::string new_name);
  /// core::InputError when unknown, listing the names, reported at `origin`. An old name finds
  /// the renamed entry (whose `name` is the current one).
  [[nodiscard]] const FidelityInfo& get(const std::string& name,
                                        const core::NameOrigin& origin = {}) const;
  [[nodiscard]] bool contains(const std::string& name) const;
  [[nodiscard]] std::vector<std::string> names() const;  // registration order
  /// (old, new) name pairs, for schemas that read the old names.
  [[nodiscard]] const std::vector<std::pair<std::string, std::string>>& renamed() const {
    return renamed_;
  }

 private:
  std::vector<FidelityInfo> entries_;
  std::vector<std::pair<std::string, std::string>> renamed_;
};

/// The fidelity every command uses when none is given.
inline constexpr const char* kDefaultFidelity = "analytical";

[[nodiscard]] const FidelityRegistry& builtin_fidelities();

}  // namespace pade::models
