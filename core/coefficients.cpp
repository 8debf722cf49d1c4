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
      // --- leakage
      // --------------------------------------------------------------------------------
      {"leakage.logic_mw_per_mm2", 15, "mW/mm^2",
       "assumed 28 nm HPC logic leakage at typical corner, 25 C (unverified; order of magnitude)"},
      // --- calibration (docs/hardware-models.md §Calibration) ------------------------------------
      {"calib.logic_area_scale", 1.037, "ratio",
       "calibrated: synthesized / counted logic area, fitted so that the default configuration "
       "totals "
       "the reported 4.53 mm^2 (arXiv 2512.14322); see docs/hardware-models.md"},
      {"calib.dynamic_energy_scale", 0.519, "ratio",
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
      // === baselines at PADE's depth (issue #18 item 2; docs/baselines.md "Same depth") =======
      // Each accelerator's control, buffer and register overhead per operator, as a ratio to the
      // Horowitz arithmetic, derived from its own published silicon (node, clock, area, core
      // power and throughput of SOFA's Table II, arXiv 2407.10416) by
      // models::same_depth_overheads; tests/test_baselines_validation.cpp recomputes every value.
      // identity_implied = the default: PADE's models never read them, so configuration hashes
      // stay; the baselines' numbers are versioned by their model versions (sanger-3...).
      {"baseline.published_utilization", 0.464, "ratio",
       "SpAtten-1/8 (Wang et al., HPCA'21): 128 multipliers (1/8 of the full design's 1024) "
       "against 360 GOPS effective at 33 % kept (SOFA Table II) = 59.4 busy MACs per cycle; the "
       "only design whose multiplier count is published in what we could reach, applied to all",
       0.464},
      {"baseline.published_sram_power_share", 0.18, "ratio",
       "SOFA's power breakdown (arXiv 2407.10416): SRAM 170 of 950 mW core; assumed for every "
       "design (the others publish no breakdown we could reach)",
       0.18},
      {"baseline.sanger.area_overhead", 4.39, "ratio",
       "derived: 60 % of 16.9 mm^2 at 55 nm / 1182 16-bit MACs (SOFA Table II, Sanger MICRO'21)",
       4.39},
      {"baseline.sanger.energy_overhead", 8.04, "ratio",
       "derived: 82 % of 2.76 W / (548 busy 16-bit MACs x 500 MHz) at 55 nm (SOFA Table II)", 8.04},
      {"baseline.dota.area_overhead", 8.06, "ratio",
       "derived: 60 % of 4.44 mm^2 at 22 nm / 1057 16-bit MACs (SOFA Table II, DOTA ASPLOS'22)",
       8.06},
      {"baseline.dota.energy_overhead", 12.3, "ratio",
       "derived: 82 % of 3.02 W / (490 busy 16-bit MACs x 1 GHz) at 22 nm (SOFA Table II)", 12.3},
      {"baseline.energon.area_overhead", 6.74, "ratio",
       "derived: 60 % of 4.2 mm^2 at 45 nm / 286 16-bit MACs (SOFA Table II, Energon TCAD'23)",
       6.74},
      {"baseline.energon.energy_overhead", 2.36, "ratio",
       "derived: 82 % of 0.32 W / (133 busy 16-bit MACs x 1 GHz) at 45 nm (SOFA Table II)", 2.36},
      {"baseline.spatten.area_overhead", 11.8, "ratio",
       "derived: 60 % of 1.55 mm^2 at 40 nm / 128 12-bit MACs (SOFA Table II, SpAtten HPCA'21)",
       11.8},
      {"baseline.spatten.energy_overhead", 10.0, "ratio",
       "derived: 82 % of 0.325 W / (59 busy 12-bit MACs x 1 GHz) at 40 nm (SOFA Table II)", 10.0},
      {"baseline.sofa.area_overhead", 1.42, "ratio",
       "derived: 60 % of 5.69 mm^2 at 28 nm / 4737 16-bit MACs (SOFA Table II, 24423 GOPS "
       "effective at 18 % kept)",
       1.42},
      {"baseline.sofa.energy_overhead", 0.68, "ratio",
       "derived: 82 % of 0.95 W / (2198 busy 16-bit MACs x 1 GHz) at 28 nm; below 1 because "
       "SOFA's effective GOPS exceeds what Horowitz arithmetic at its power allows (see "
       "docs/baselines.md)",
       0.68},
      // === predictor pipelines: sorting and top-k hardware (issue #18 item 1) ===================
      {"baseline.cmp_exchange16_pj_45nm", 0.106, "pJ/compare",
       "assumed: a 16-bit magnitude compare at the energy of a 16-bit add (energy.add16_pj_45nm, "
       "0.053 pJ, Horowitz ISSCC 2014) plus the conditional swap of the two scores and their "
       "indices at one more 16-bit-add equivalent; scaled linearly in score width",
       0.106},
      {"baseline.area_cmp_exchange16_um2_45nm", 144, "um^2/compare",
       "assumed: two 16-bit adders' area (comparator + swap steering; Horowitz ISSCC 2014 8-bit "
       "add 36 um^2, linear in width)",
       144},
      {"baseline.sort_core_inputs", 16, "scores/core",
       "SOFA's distributed sorting: 16-to-4 sort cores (Wang et al., MICRO'24, arXiv 2407.10416; "
       "shared/design/baselines.md §2)",
       16},
      {"baseline.sort_core_outputs", 4, "scores/core",
       "SOFA's distributed sorting: 16-to-4 sort cores (Wang et al., MICRO'24, arXiv 2407.10416; "
       "shared/design/baselines.md §2)",
       4},
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
