// Fuzz target: the typed YAML schema reader on hardware configuration documents, as
// `pade validate hw.yaml` reads them (core::load_yaml_text, core::read_config against the hardware
// schema), then the typed view of the result (models::to_hardware) and its content hash.
//
// Every input must be read or rejected with core::InputError (exit code 2 from the command line).
// Any other exception, a crash, a hang (-timeout) or a sanitizer report is a finding.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/error.hpp"
#include "core/schema.hpp"
#include "models/hardware.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const pade::core::YamlDocument doc = pade::core::load_yaml_text(text, "fuzz.yaml");
    const pade::core::Config config =
        pade::core::read_config(*doc.root, pade::models::hardware_schema(), doc.file);
    const pade::models::HardwareConfig hw = pade::models::to_hardware(config);
    if (config.hash().size() != 16 || hw.lanes() <= 0) __builtin_trap();
  } catch (const pade::core::InputError&) {
    // Bad input, reported as such: the expected outcome for most inputs.
  }
  return 0;
}
