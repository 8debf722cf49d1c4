// Fuzz target: campaign files, as `pade validate c.yaml` and `pade run` read them before any
// evaluation: the campaign schema, the inline `hardware:` section, the design space (`space:`
// lists and linear/log ranges) and the derived-parameter expressions (`derived:`: compiled, and
// evaluated at the space's corners by read_campaign_text itself). No model is evaluated.
//
// Paths inside the file (hardware_file, workloads) resolve against a folder that does not exist,
// so relative ones are reported missing; absolute ones are read as a user's would be.
// Every input must be read or rejected with core::InputError; anything else is a finding.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "dse/campaign.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const pade::dse::Campaign c = pade::dse::read_campaign_text(
        text, "fuzz-campaign.yaml", std::filesystem::path("/nonexistent-pade-fuzz"));
    // A few more points than the corners the reader checks: the middle level of every dimension.
    std::vector<std::size_t> middle;
    for (const std::size_t n : c.space.sizes()) middle.push_back(n / 2);
    (void)c.space.point(c.base, middle).hash();
    if (c.space.cardinality() < 1 || c.fidelity_ladder().empty()) __builtin_trap();
  } catch (const pade::core::InputError&) {
  }
  return 0;
}
