#include "core/coefficients.hpp"

#include <cstdio>
#include <stdexcept>

#include "core/schema.hpp"

namespace pade::core {

namespace {
constexpr const char* kHorowitz = "Horowitz, 'Computing's energy problem', ISSCC 2014 (45 nm, 0.9 V)";
constexpr const char* kCacti28 =
    "CACTI-style 28 nm SRAM figures collected in shared/design/baselines.md §4 (8 KB bank, 512-bit port)";
}  // namespace

CoefficientTable CoefficientTable::defaults() {
  CoefficientTable t;
  t.entries_ = {
      // --- arithmetic energy at 45 nm, scaled to the configured node by tech.energy_scale ---------
      {"energy.add8_pj_45nm", 0.03, "pJ/op", kHorowitz},
      {"energy.add32_pj_45nm", 0.1, "pJ/op", kHorowitz},
      {"energy.mul8_pj_45nm", 0.2, "pJ/op", kHorowitz},
      {"energy.fp16_add_pj_45nm", 0.4, "pJ/op", kHorowitz},
      {"energy.fp16_mul_pj_45nm", 1.1, "pJ/op", kHorowitz},
      {"energy.fp32_add_pj_45nm", 0.9, "pJ/op", kHorowitz},
      {"energy.fp32_mul_pj_45nm", 3.7, "pJ/op", kHorowitz},
      {"tech.energy_scale_45_to_28", 0.55, "ratio",
       "midpoint of the 0.5–0.6x dynamic-energy scaling 45->28 nm in shared/design/baselines.md §4"},
      // --- on-chip SRAM at 28 nm ------------------------------------------------------------------
      {"sram.read_pj_per_bit", 0.035, "pJ/bit", kCacti28},
      {"sram.write_pj_per_bit", 0.049, "pJ/bit", kCacti28},
      {"sram.leakage_mw_per_8kib", 5.8, "mW/bank", kCacti28},
      {"sram.area_mm2_per_8kib", 0.056, "mm^2/bank", kCacti28},
      // --- off-chip -------------------------------------------------------------------------------
      {"hbm.device_pj_per_bit", 4.0, "pJ/bit",
       "SOFA's HBM figures imply ~4.0 pJ/bit DRAM (shared/design/baselines.md §4)"},
      {"hbm.io_pj_per_bit", 1.1, "pJ/bit",
       "SOFA's HBM figures imply ~1.1 pJ/bit I/O (shared/design/baselines.md §4)"},
      // --- logic area at 28 nm (coarse model) -----------------------------------------------------
      // No public per-adder area for PADE's GSAT is known to us. The coarse model charges logic
      // area per QK lane and per V-PU pair lane (a pair lane does one kept query-key pair of P·V per cycle); these two values are *calibrated* so that the default
      // configuration (128 lanes, 16 V pair lanes, 352 KiB SRAM) totals the reported 4.53 mm^2 with the
      // SRAM area above (44 banks x 0.056 = 2.46 mm^2): 2.07 mm^2 of logic split 70/30 between the
      // QK-PU (with scoreboards and BUI units) and the V-PU + softmax.
      {"area.qk_lane_mm2", 0.0113, "mm^2/lane",
       "calibrated: 70% of (4.53 - 2.46) mm^2 over 128 lanes (PADE reported total, arXiv 2512.14322)"},
      {"area.v_lane_mm2", 0.0388, "mm^2/pair-lane",
       "calibrated: 30% of (4.53 - 2.46) mm^2 over 16 V-PU pair lanes (PADE reported total)"},
      {"power.logic_leakage_fraction", 0.1, "ratio",
       "assumed: leakage as a fraction of logic dynamic power at 28 nm HPC (documented assumption)"},
  };
  return t;
}

const Coefficient* CoefficientTable::find(std::string_view name) const {
  for (const auto& c : entries_)
    if (c.name == name) return &c;
  return nullptr;
}

double CoefficientTable::get(std::string_view name) const {
  if (const Coefficient* c = find(name)) return c->value;
  throw std::logic_error("unknown model coefficient '" + std::string(name) + "'");
}

void CoefficientTable::set(std::string_view name, double value) {
  for (auto& c : entries_)
    if (c.name == name) {
      c.value = value;
      return;
    }
  throw std::logic_error("unknown model coefficient '" + std::string(name) + "'");
}

std::string CoefficientTable::canonical() const {
  std::string out;
  for (const auto& c : entries_) out.append(c.name).append("=").append(value_text(c.value)).append("\n");
  return out;
}

std::string CoefficientTable::reference_markdown() const {
  std::string out = "| coefficient | default | unit | source |\n|---|---|---|---|\n";
  for (const auto& c : entries_) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%g", c.value);
    out += "| `" + c.name + "` | " + buf + " | " + c.unit + " | " + c.source + " |\n";
  }
  return out;
}

}  // namespace pade::core
