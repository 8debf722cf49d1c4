#include "core/coefficients.hpp"

#include <cstdio>
#include <stdexcept>

#include "core/schema.hpp"

namespace pade::core {

namespace {
constexpr const char* kHorowitz =
    "Horowitz, 'Computing's energy problem', ISSCC 2014 (45 nm, 0.9 V)";
constexpr const char* kHorowitzArea =
    "Horowitz, 'Computing's energy problem', ISSCC 2014, area per operator (45 nm)";
constexpr const char* kCacti28 =
    "CACTI-style 28 nm SRAM figures collected in shared/design/baselines.md §4 (8 KB bank, 512-bit "
    "port)";
}  // namespace

CoefficientTable CoefficientTable::defaults() {
  CoefficientTable t;
  t.entries_ = {
      // --- arithmetic energy at 45 nm, scaled to the configured node by tech.energy_scale
      // ---------
      {"energy.add8_pj_45nm", 0.03, "pJ/op", kHorowitz},
      {"energy.add16_pj_45nm", 0.053, "pJ/op",
       "interpolated linearly in width between Horowitz's 8-bit (0.03) and 32-bit (0.1) adds"},
      {"energy.add32_pj_45nm", 0.1, "pJ/op", kHorowitz},
      {"energy.mul8_pj_45nm", 0.2, "pJ/op", kHorowitz},
      {"energy.fp16_add_pj_45nm", 0.4, "pJ/op", kHorowitz},
      {"energy.fp16_mul_pj_45nm", 1.1, "pJ/op", kHorowitz},
      {"energy.fp32_add_pj_45nm", 0.9, "pJ/op", kHorowitz},
      {"energy.fp32_mul_pj_45nm", 3.7, "pJ/op", kHorowitz},
      {"tech.energy_scale_45_to_28", 0.55, "ratio",
       "midpoint of the 0.5–0.6x dynamic-energy scaling 45->28 nm in shared/design/baselines.md "
       "§4"},
      {"energy.scoreboard_pj_per_bit", 0.008, "pJ/bit",
       "assumed at 28 nm: latch/flip-flop register-file access, about 1/4 of the 8 KB SRAM bank's "
       "0.035 pJ/bit (no published figure for PADE's scoreboard)"},
      {"softmax.exp_fp16_ops", 4, "FP16 mul+add per exp",
       "assumed: range reduction plus a 3rd-order polynomial (common FP16 exp datapaths)"},
      // --- on-chip SRAM at 28 nm: two CACTI-style reference banks fix the per-bank model ---------
      {"sram.read_pj_per_bit", 0.035, "pJ/bit", std::string(kCacti28) + "; 8 KB bank read"},
      {"sram.write_pj_per_bit", 0.049, "pJ/bit", std::string(kCacti28) + "; 8 KB bank write"},
      {"sram.read_pj_per_bit_4kib", 0.033, "pJ/bit", std::string(kCacti28) + "; 4 KB bank read"},
      {"sram.write_pj_per_bit_4kib", 0.040, "pJ/bit", std::string(kCacti28) + "; 4 KB bank write"},
      {"sram.leakage_mw_per_8kib", 5.8, "mW/bank", std::string(kCacti28) + "; scaled by bank bits"},
      {"sram.area_mm2_per_8kib", 0.056, "mm^2/bank", std::string(kCacti28) + "; 8 KB bank"},
      {"sram.area_mm2_per_4kib", 0.046, "mm^2/bank", std::string(kCacti28) + "; 4 KB bank"},
      // --- off-chip
      // -------------------------------------------------------------------------------
      {"hbm.device_pj_per_bit", 4.0, "pJ/bit",
       "SOFA's HBM figures imply ~4.0 pJ/bit DRAM (shared/design/baselines.md §4)"},
      {"hbm.io_pj_per_bit", 1.1, "pJ/bit",
       "SOFA's HBM figures imply ~1.1 pJ/bit I/O (shared/design/baselines.md §4)"},
      // --- logic area at 28 nm, counted in NAND2 gate equivalents (GE) ---------------------------
      {"area.ge_um2", 0.49, "um^2/GE",
       "assumed NAND2-X1 footprint of a 28 nm high-density standard-cell library (typical "
       "published value)"},
      {"area.fa_ge", 7.0, "GE/bit",
       "full adder: 28-transistor mirror adder = 7 NAND2 equivalents (textbook)"},
      {"area.ff_ge", 5.5, "GE/bit",
       "D flip-flop with enable, typical 4.5-6 GE (textbook range midpoint)"},
      {"area.and2_ge", 1.33, "GE", "AND2 = 6 transistors / 4.5 (textbook)"},
      {"area.xor2_ge", 2.33, "GE", "XOR2, typical (textbook)"},
      {"area.rf_bit_ge", 3.5, "GE/bit",
       "latch-based register-file bit incl. its share of the read multiplexer (typical 3-4 GE; "
       "assumed)"},
      {"area.mul8_ge", 550, "GE",
       "8x8 array multiplier: 64 AND2 + 56 FA + final adder (counted from the cells above)"},
      {"area.exp_unit_ge", 6000, "GE",
       "assumed FP16 exp unit (range reduction, small LUT, polynomial multiply-adds)"},
      // --- the GSAT lane's parts (issue 17: models/energy_area.cpp, LaneParts) ------------------
      // Added after configurations were hashed: at these defaults they stay out of the hash.
      {"area.mux2_ge", 2.33, "GE/bit",
       "2:1 multiplexer, typical standard cell (textbook; about an XOR2)", 2.33},
      {"energy.logic_pj_per_ge_45nm", 0.03 / 56, "pJ/GE",
       "derived: Horowitz's 8-bit add (0.03 pJ at 45 nm) over its 8 full adders of 7 GE, i.e. "
       "energy per gate equivalent evaluated at an adder's activity",
       0.03 / 56},
      {"timing.levels_per_cycle", 16, "FA delays/cycle",
       "assumed: full-adder delays (about 50-60 ps at 28 nm) in an 800 MHz cycle after register "
       "and wiring overhead",
       16},
      // --- leakage
      // --------------------------------------------------------------------------------
      {"leakage.logic_mw_per_mm2", 15, "mW/mm^2",
       "assumed 28 nm HPC logic leakage at typical corner, 25 C (unverified; order of magnitude)"},
      // --- calibration (docs/hardware-models.md §Calibration) ------------------------------------
      {"calib.logic_area_scale", 0.849, "ratio",
       "calibrated: synthesized / counted logic area, fitted so that the default configuration "
       "totals "
       "the reported 4.53 mm^2 (arXiv 2512.14322); see docs/hardware-models.md"},
      {"calib.dynamic_energy_scale", 0.370, "ratio",
       "calibrated: scales every on-chip dynamic energy (datapath and SRAM accesses), fitted so "
       "that the "
       "default configuration's mean core power (HBM excluded) over PADE-22 at the reference "
       "statistics "
       "is the reported 591 mW (arXiv 2512.14322); see docs/hardware-models.md"},
      {"power.logic_leakage_fraction", 0.1, "ratio",
       "assumed: leakage as a fraction of logic dynamic power at 28 nm HPC (documented "
       "assumption)"},
      // === baselines (issue #6: models/baselines/, docs/baselines.md)
      // ==============================
      // Arithmetic area at 45 nm from the same Horowitz table as the energies above; baselines'
      // PE counts come from the shared PE-array area budget divided by these (scaled to the node).
      {"baseline.area_add8_um2_45nm", 36, "um^2/op", kHorowitzArea},
      {"baseline.area_add32_um2_45nm", 137, "um^2/op", kHorowitzArea},
      {"baseline.area_mul8_um2_45nm", 282, "um^2/op", kHorowitzArea},
      {"baseline.area_fp16_add_um2_45nm", 1360, "um^2/op", kHorowitzArea},
      {"baseline.area_fp16_mul_um2_45nm", 1640, "um^2/op", kHorowitzArea},
      {"baseline.exp_fp16_macs", 4, "MAC/exp",
       "assumed: one exponential costs ~4 FP16 multiply-adds (the coarse PADE model's rule, kept "
       "identical)"},
      {"baseline.sort_cmp_per_element", 4, "compare/element",
       "SOFA's 16-to-4 sort cores: a 16-input partial sorting network selecting 4 needs ~60 "
       "compare-exchange ops, ~4 per element (Knuth's network counts; shared/design/baselines.md "
       "§2)"},
      // H100 SXM5 (NVIDIA H100 datasheet / whitepaper; shared/design/baselines.md §3).
      {"h100.peak_fp16_tflops", 989, "TFLOP/s",
       "NVIDIA H100 SXM5 datasheet, dense FP16/BF16 tensor"},
      {"h100.peak_fp8_tflops", 1979, "TFLOP/s", "NVIDIA H100 SXM5 datasheet, dense FP8 tensor"},
      {"h100.hbm_tbps", 3.35, "TB/s", "NVIDIA H100 SXM5 datasheet, HBM3"},
      {"h100.tdp_w", 700, "W", "NVIDIA H100 SXM5 datasheet"},
      {"h100.die_mm2", 814, "mm^2", "NVIDIA H100 whitepaper (TSMC 4N)"},
      {"h100.power_fraction_prefill", 0.9, "ratio",
       "unverified: 0.85-0.95 x TDP during long prefill attention (shared/design/baselines.md §3)"},
      {"h100.power_fraction_decode", 0.55, "ratio",
       "unverified: 0.45-0.65 x TDP during decode (shared/design/baselines.md §3)"},
      {"h100.decode_bandwidth_efficiency", 0.8, "ratio",
       "unverified: achieved / peak HBM bandwidth of a memory-bound decode attention kernel"},
      {"h100.fp8_speedup_fa3", 1.7, "ratio",
       "FA3 FP8 ~1.0-1.2 PFLOPS vs FA3 FP16 ~646 TFLOPS at long sequences (D=128; baselines.md "
       "§3)"},
      {"h100.density_ratio_4n_to_28nm", 10.0, "ratio",
       "unverified: logic density of TSMC N5-class (~130 MTr/mm^2) over 28 nm (~13 MTr/mm^2); "
       "iso-area normalization"},
      {"h100.energy_ratio_28nm_to_4n", 3.0, "ratio",
       "unverified: energy per operation at 28 nm over TSMC 4N (node ratio with voltage 0.9 -> "
       "0.75 V; "
       "iso-area normalization)"},
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
  for (const auto& c : entries_)
    out.append(c.name).append("=").append(value_text(c.value)).append("\n");
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
