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
using R = Coefficient::Range;
constexpr const char* kJudged30 =
    "engineering judgement ±30 %: one process's figure; implementation style, voltage and "
    "synthesis move it";
constexpr const char* kJudgedX2 = "engineering judgement x1/2-x2: an assumed, unpublished figure";
constexpr const char* kSramSpread =
    "published spread: CACTI 7 8 KB bank with a 512-bit port ~0.02 pJ/bit (shared/design/"
    "baselines.md §4) to the default +40 % (engineering judgement: multi-bank H-tree)";
constexpr const char* kRefitted =
    "calibrated: refitted to PADE's 4.53 mm^2 / 591 mW in every sensitivity sample (pade "
    "compare --sensitivity), so not a free axis";
constexpr const char* kDatasheet = "datasheet value, taken as exact";
constexpr const char* kHbm2Timing =
    "JESD235 HBM2 at 2 Gb/s, as tabulated in DRAMsim3's HBM2_8Gb_x128 preset (Li et al., IEEE "
    "CAL 2020)";
}  // namespace

CoefficientTable CoefficientTable::defaults() {
  CoefficientTable t;
  t.entries_ = {
      // --- arithmetic energy at 45 nm, scaled to the configured node by tech.energy_scale
      // ---------
      {"energy.add8_pj_45nm", 0.03, "pJ/op", kHorowitz, {}, R{0.021, 0.039, kJudged30}},
      {"energy.add16_pj_45nm",
       0.053,
       "pJ/op",
       "interpolated linearly in width between Horowitz's 8-bit (0.03) and 32-bit (0.1) adds",
       {},
       R{0.037, 0.069, kJudged30}},
      {"energy.add32_pj_45nm", 0.1, "pJ/op", kHorowitz, {}, R{0.07, 0.13, kJudged30}},
      {"energy.mul8_pj_45nm", 0.2, "pJ/op", kHorowitz, {}, R{0.14, 0.26, kJudged30}},
      {"energy.fp16_add_pj_45nm", 0.4, "pJ/op", kHorowitz, {}, R{0.28, 0.52, kJudged30}},
      {"energy.fp16_mul_pj_45nm", 1.1, "pJ/op", kHorowitz, {}, R{0.77, 1.43, kJudged30}},
      {"energy.fp32_add_pj_45nm", 0.9, "pJ/op", kHorowitz, {}, R{0.63, 1.17, kJudged30}},
      {"energy.fp32_mul_pj_45nm", 3.7, "pJ/op", kHorowitz, {}, R{2.59, 4.81, kJudged30}},
      {"tech.energy_scale_45_to_28",
       0.55,
       "ratio",
       "midpoint of the 0.5–0.6x dynamic-energy scaling 45->28 nm in shared/design/baselines.md "
       "§4",
       {},
       R{0.5, 0.6,
         "published spread: 0.5-0.6x dynamic energy 45->28 nm (shared/design/baselines.md §4)"}},
      {"energy.scoreboard_pj_per_bit",
       0.008,
       "pJ/bit",
       "assumed at 28 nm: latch/flip-flop register-file access, about 1/4 of the 8 KB SRAM bank's "
       "0.035 pJ/bit (no published figure for PADE's scoreboard)",
       {},
       R{0.004, 0.016, kJudgedX2}},
      {"softmax.exp_fp16_ops",
       4,
       "FP16 mul+add per exp",
       "assumed: range reduction plus a 3rd-order polynomial (common FP16 exp datapaths)",
       {},
       R{3, 6, "engineering judgement: 2nd- to 5th-order polynomial exp datapaths"}},
      // --- on-chip SRAM at 28 nm: two CACTI-style reference banks fix the per-bank model ---------
      {"sram.read_pj_per_bit",
       0.035,
       "pJ/bit",
       std::string(kCacti28) + "; 8 KB bank read",
       {},
       R{0.02, 0.049, kSramSpread}},
      {"sram.write_pj_per_bit",
       0.049,
       "pJ/bit",
       std::string(kCacti28) + "; 8 KB bank write",
       {},
       R{0.028, 0.069, kSramSpread}},
      {"sram.read_pj_per_bit_4kib",
       0.033,
       "pJ/bit",
       std::string(kCacti28) + "; 4 KB bank read",
       {},
       R{0.019, 0.046, kSramSpread}},
      {"sram.write_pj_per_bit_4kib",
       0.040,
       "pJ/bit",
       std::string(kCacti28) + "; 4 KB bank write",
       {},
       R{0.023, 0.056, kSramSpread}},
      {"sram.leakage_mw_per_8kib",
       5.8,
       "mW/bank",
       std::string(kCacti28) + "; scaled by bank bits",
       {},
       R{1.5, 8.0,
         "engineering judgement: 28 nm low-power vs high-performance bit cells differ "
         "several-fold; the default (a secondary source) is not supported by CACTI "
         "(shared/design/baselines.md §4)"}},
      {"sram.area_mm2_per_8kib",
       0.056,
       "mm^2/bank",
       std::string(kCacti28) + "; 8 KB bank",
       {},
       R{0.02, 0.07,
         "published spread: CACTI 7 8 KB bank ~0.02 mm^2 (shared/design/baselines.md §4) to the "
         "default +25 % (engineering judgement)"}},
      {"sram.area_mm2_per_4kib",
       0.046,
       "mm^2/bank",
       std::string(kCacti28) + "; 4 KB bank",
       {},
       R{0.016, 0.058,
         "published spread: CACTI 7 scaled from the 8 KB bank (shared/design/baselines.md §4) to "
         "the default +25 % (engineering judgement)"}},
      // --- off-chip
      // -------------------------------------------------------------------------------
      // HBM2 at row-buffer level (models/hbm.hpp). Timings: JESD235 HBM2 at 2 Gb/s (tCK 1 ns)
      // as tabulated in DRAMsim3's HBM2_8Gb_x128 preset (Li et al., IEEE CAL 2020); energies:
      // O'Connor et al., "Fine-Grained DRAM", MICRO'17 (HBM2 ~3.9 pJ/bit moved) and the preset's
      // IDD currents. Each added after configurations were first hashed: identity at its default.
      {"hbm.activate_pj", 830, "pJ/activation",
       "one 1 KB row activation + precharge, VDD (IDD0 tRC - IDD3N tRAS - IDD2N tRP) = 1.2 V x "
       "(65 x 48 - 55 x 34 - 40 x 14) mA ns from DRAMsim3's HBM2_8Gb_x128 IDD values; O'Connor et "
       "al. (MICRO'17) put HBM2 row activation near 1 nJ per 1 KB row",
       830, R{415, 1245, "engineering judgement x0.5-x1.5: IDD-derived, one vendor's currents"}},
      // memory.dram_model: row_buffer charges activations apart (hbm.activate_pj), so its per-bit
      // device energy is the open-row figure; bandwidth keeps hbm.device_pj_per_bit (activations
      // folded in at streaming locality).
      {"hbm.row_device_pj_per_bit", 3.9, "pJ/bit",
       "row_buffer mode: column access and on-die data movement per bit moved from an open row: "
       "HBM2 ~3.9 pJ/bit (O'Connor et al., MICRO'17; an assumption, the stored copy confirms "
       "only the headline), the activation charged per activation (hbm.activate_pj)",
       3.9,
       R{2.9, 6.0,
         "published spread: HBM2 ~3.9 pJ/bit device (O'Connor et al., MICRO'17) to HBM2E ~6 "
         "(shared/design/baselines.md §4); low end -25 % engineering judgement"}},
      {"hbm.device_pj_per_bit",
       4.0,
       "pJ/bit",
       "SOFA's HBM figures imply ~4.0 pJ/bit DRAM (shared/design/baselines.md §4)",
       {},
       R{3.0, 6.0,
         "published spread: HBM2 ~3.9 pJ/bit device (O'Connor et al., MICRO'17) to HBM2E ~6 "
         "(shared/design/baselines.md §4); low end -25 % engineering judgement"}},
      {"hbm.io_pj_per_bit",
       1.1,
       "pJ/bit",
       "SOFA's HBM figures imply ~1.1 pJ/bit I/O (shared/design/baselines.md §4)",
       {},
       R{0.5, 2.0,
         "published spread: 4-7 pJ/bit with interface less the device figure "
         "(shared/design/baselines.md §4)"}},
      {"hbm.t_rcd_ns", 14, "ns", kHbm2Timing, 14, R{14, 14, kDatasheet}},
      {"hbm.t_rp_ns", 14, "ns", kHbm2Timing, 14, R{14, 14, kDatasheet}},
      {"hbm.t_ras_ns", 34, "ns", std::string(kHbm2Timing) + "; tRC = tRAS + tRP = 48 ns", 34,
       R{34, 34, kDatasheet}},
      {"hbm.t_rrd_ns", 4, "ns", std::string(kHbm2Timing) + " (tRRD_S, different bank groups)", 4,
       R{4, 6, "JESD235 tRRD_S 4 ns to tRRD_L 6 ns (same bank group)"}},
      {"hbm.t_faw_ns", 30, "ns", kHbm2Timing, 30, R{30, 30, kDatasheet}},
      {"hbm.t_rfc_ns", 260, "ns", std::string(kHbm2Timing) + " (all-bank refresh)", 260,
       R{260, 350, "JESD235 tRFC by die density: 260 ns (4-8 Gb) to 350 ns"}},
      {"hbm.t_refi_ns", 3900, "ns", std::string(kHbm2Timing) + " (up to 85 C)", 3900,
       R{1950, 3900, "JESD235 tREFI 3.9 us, halved above 85 C"}},
      {"hbm.t_wtr_ns", 8, "ns",
       std::string(kHbm2Timing) + " (tWTR_L; write-to-read turnaround on the bus)", 8,
       R{6, 8, "JESD235 tWTR_S 6 ns to tWTR_L 8 ns"}},
      {"hbm.t_rtw_ns", 14, "ns",
       "read-to-write bus turnaround CL - CWL + BL/2 + 2 tCK = 14 - 4 + 2 + 2 ns from DRAMsim3's "
       "HBM2_8Gb_x128 preset",
       14, R{10, 16, "engineering judgement: controller-dependent bus turnaround"}},
      // --- logic area at 28 nm, counted in NAND2 gate equivalents (GE) ---------------------------
      {"area.ge_um2",
       0.49,
       "um^2/GE",
       "assumed NAND2-X1 footprint of a 28 nm high-density standard-cell library (typical "
       "published value)",
       {},
       R{0.4, 0.6,
         "engineering judgement ±20 %: NAND2 footprints of 28 nm libraries (HD vs HS tracks)"}},
      {"area.fa_ge",
       7.0,
       "GE/bit",
       "full adder: 28-transistor mirror adder = 7 NAND2 equivalents (textbook)",
       {},
       R{6, 9, "textbook range: mirror adder 6-9 NAND2 equivalents by cell library"}},
      {"area.ff_ge",
       5.5,
       "GE/bit",
       "D flip-flop with enable, typical 4.5-6 GE (textbook range midpoint)",
       {},
       R{4.5, 6, "textbook range 4.5-6 GE (the source above)"}},
      {"area.and2_ge",
       1.33,
       "GE",
       "AND2 = 6 transistors / 4.5 (textbook)",
       {},
       R{1.2, 1.5, "engineering judgement ±10 %"}},
      {"area.xor2_ge",
       2.33,
       "GE",
       "XOR2, typical (textbook)",
       {},
       R{2.0, 3.0, "engineering judgement: XOR2 2-3 GE by cell library"}},
      {"area.rf_bit_ge",
       3.5,
       "GE/bit",
       "latch-based register-file bit incl. its share of the read multiplexer (typical 3-4 GE; "
       "assumed)",
       {},
       R{3.0, 4.0, "typical 3-4 GE (the source above)"}},
      {"area.mul8_ge",
       550,
       "GE",
       "8x8 array multiplier: 64 AND2 + 56 FA + final adder (counted from the cells above)",
       {},
       R{450, 700, "engineering judgement: array vs Booth-Wallace 8x8 multipliers"}},
      {"area.exp_unit_ge",
       6000,
       "GE",
       "assumed FP16 exp unit (range reduction, small LUT, polynomial multiply-adds)",
       {},
       R{4000, 9000, "engineering judgement -33/+50 %: unpublished unit"}},
      // --- the GSAT lane's parts (issue 17: models/energy_area.cpp, LaneParts) ------------------
      // Added after configurations were hashed: at these defaults they stay out of the hash.
      {"area.mux2_ge", 2.33, "GE/bit",
       "2:1 multiplexer, typical standard cell (textbook; about an XOR2)", 2.33,
       R{2.0, 3.0, "engineering judgement: 2:1 multiplexer 2-3 GE by cell library"}},
      {"energy.logic_pj_per_ge_45nm", 0.03 / 56, "pJ/GE",
       "derived: Horowitz's 8-bit add (0.03 pJ at 45 nm) over its 8 full adders of 7 GE, i.e. "
       "energy per gate equivalent evaluated at an adder's activity",
       0.03 / 56,
       R{0.03 / 56 * 0.5, 0.03 / 56 * 2.0,
         "engineering judgement x1/2-x2: activity of selection logic differs from an adder's"}},
      {"timing.levels_per_cycle", 16, "FA delays/cycle",
       "assumed: full-adder delays (about 50-60 ps at 28 nm) in an 800 MHz cycle after register "
       "and wiring overhead",
       16, R{12, 20, "engineering judgement -25/+25 %: register and wiring overhead per cycle"}},
      // --- leakage
      // --------------------------------------------------------------------------------
      {"leakage.logic_mw_per_mm2",
       15,
       "mW/mm^2",
       "assumed 28 nm HPC logic leakage at typical corner, 25 C (unverified; order of magnitude)",
       {},
       R{5, 45,
         "engineering judgement x1/3-x3: order of magnitude only (corner, temperature, Vt mix)"}},
      // --- calibration (docs/hardware-models.md §Calibration) ------------------------------------
      {"calib.logic_area_scale",
       0.849,
       "ratio",
       "calibrated: synthesized / counted logic area, fitted so that the default configuration "
       "totals "
       "the reported 4.53 mm^2 (arXiv 2512.14322); see docs/hardware-models.md",
       {},
       R{0.849, 0.849, kRefitted}},
      {"calib.dynamic_energy_scale",
       0.370,
       "ratio",
       "calibrated: scales every on-chip dynamic energy (datapath and SRAM accesses), fitted so "
       "that the "
       "default configuration's mean core power (HBM excluded) over PADE-22 at the reference "
       "statistics "
       "is the reported 591 mW (arXiv 2512.14322); see docs/hardware-models.md",
       {},
       R{0.370, 0.370, kRefitted}},
      {"power.logic_leakage_fraction",
       0.1,
       "ratio",
       "assumed: leakage as a fraction of logic dynamic power at 28 nm HPC (documented "
       "assumption)",
       {},
       R{0.05, 0.2, kJudgedX2}},
      // === baselines (issue #6: models/baselines/, docs/baselines.md)
      // ==============================
      // Arithmetic area at 45 nm from the same Horowitz table as the energies above; baselines'
      // PE counts come from the shared PE-array area budget divided by these (scaled to the node).
      {"baseline.area_add8_um2_45nm", 36, "um^2/op", kHorowitzArea, {}, R{25, 47, kJudged30}},
      {"baseline.area_add32_um2_45nm", 137, "um^2/op", kHorowitzArea, {}, R{96, 178, kJudged30}},
      {"baseline.area_mul8_um2_45nm", 282, "um^2/op", kHorowitzArea, {}, R{197, 367, kJudged30}},
      {"baseline.area_fp16_add_um2_45nm",
       1360,
       "um^2/op",
       kHorowitzArea,
       {},
       R{952, 1768, kJudged30}},
      {"baseline.area_fp16_mul_um2_45nm",
       1640,
       "um^2/op",
       kHorowitzArea,
       {},
       R{1148, 2132, kJudged30}},
      {"baseline.exp_fp16_macs",
       4,
       "MAC/exp",
       "assumed: one exponential costs ~4 FP16 multiply-adds (the coarse PADE model's rule, kept "
       "identical)",
       {},
       R{3, 6, "engineering judgement: 2nd- to 5th-order polynomial exp datapaths"}},
      {"baseline.sort_cmp_per_element",
       4,
       "compare/element",
       "SOFA's 16-to-4 sort cores: a 16-input partial sorting network selecting 4 needs ~60 "
       "compare-exchange ops, ~4 per element (Knuth's network counts; shared/design/baselines.md "
       "§2)",
       {},
       R{3, 5,
         "engineering judgement: partial sorting networks 16-to-4 need ~50-80 compare-exchanges"}},
      // H100 SXM5 (NVIDIA H100 datasheet / whitepaper; shared/design/baselines.md §3).
      {"h100.peak_fp16_tflops",
       989,
       "TFLOP/s",
       "NVIDIA H100 SXM5 datasheet, dense FP16/BF16 tensor",
       {},
       R{989, 989, kDatasheet}},
      {"h100.peak_fp8_tflops",
       1979,
       "TFLOP/s",
       "NVIDIA H100 SXM5 datasheet, dense FP8 tensor",
       {},
       R{1979, 1979, kDatasheet}},
      {"h100.hbm_tbps",
       3.35,
       "TB/s",
       "NVIDIA H100 SXM5 datasheet, HBM3",
       {},
       R{3.35, 3.35, kDatasheet}},
      {"h100.tdp_w", 700, "W", "NVIDIA H100 SXM5 datasheet", {}, R{700, 700, kDatasheet}},
      {"h100.die_mm2",
       814,
       "mm^2",
       "NVIDIA H100 whitepaper (TSMC 4N)",
       {},
       R{814, 814, kDatasheet}},
      {"h100.power_fraction_prefill",
       0.9,
       "ratio",
       "unverified: 0.85-0.95 x TDP during long prefill attention (shared/design/baselines.md §3)",
       {},
       R{0.6, 0.97,
         "measured H100 SXM draw 267-680 W (0.38-0.97 x TDP) over batch 1-128 under vLLM "
         "(api.serialalice.pt GPU energy benchmark); low end raised to 0.6 for batch >= 8 "
         "(engineering judgement)"}},
      {"h100.power_fraction_decode",
       0.55,
       "ratio",
       "unverified: 0.45-0.65 x TDP during decode (shared/design/baselines.md §3)",
       {},
       R{0.45, 0.65, "the spread of its source (shared/design/baselines.md §3, unverified)"}},
      {"h100.idle_w", 75, "W",
       "idle board power with a CUDA context, subtracted under h100.power_basis: dynamic. No "
       "H100 SXM figure from its vendor; measured neighbours: an H200 SXM (same board class) idles "
       "at 80.3 W (api.serialalice.pt GPU energy benchmark, vLLM), and holding a CUDA context "
       "adds 26-50 W over bare idle on HBM GPUs incl. the H100 (arXiv 2605.23918)",
       75.0,
       R{50, 110,
         "published spread: CUDA context adds 26-50 W over bare idle (arXiv 2605.23918); H200 SXM "
         "80.3 W idle (api.serialalice.pt); ±30 W engineering judgement around them"}},
      {"h100.decode_bandwidth_efficiency",
       0.8,
       "ratio",
       "unverified: achieved / peak HBM bandwidth of a memory-bound decode attention kernel",
       {},
       R{0.6, 0.9,
         "engineering judgement: memory-bound attention kernels reach 60-90 % of HBM peak"}},
      {"h100.fp8_speedup_fa3",
       1.7,
       "ratio",
       "FA3 FP8 ~1.0-1.2 PFLOPS vs FA3 FP16 ~646 TFLOPS at long sequences (D=128; baselines.md "
       "§3)",
       {},
       R{1.55, 1.85,
         "published spread: FA3 FP8 1.0-1.2 PFLOPS over FP16 646 TFLOPS (FA3 paper; baselines.md "
         "§3)"}},
      {"h100.density_ratio_4n_to_28nm",
       10.0,
       "ratio",
       "unverified: logic density of TSMC N5-class (~130 MTr/mm^2) over 28 nm (~13 MTr/mm^2); "
       "iso-area normalization",
       {},
       R{6, 15,
         "engineering judgement: published logic densities 90-170 MTr/mm^2 (N5 class) over 11-15 "
         "(28 nm)"}},
      {"h100.energy_ratio_28nm_to_4n",
       3.0,
       "ratio",
       "unverified: energy per operation at 28 nm over TSMC 4N (node ratio with voltage 0.9 -> "
       "0.75 V; "
       "iso-area normalization)",
       {},
       R{2, 4.5, "engineering judgement -33/+50 %: no published per-op figure pair"}},
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
       0.464,
       R{0.3, 0.7,
         "engineering judgement: SpAtten-1/8's busy share applied to every design; other designs' "
         "multiplier counts are unpublished"}},
      {"baseline.published_sram_power_share", 0.18, "ratio",
       "SOFA's power breakdown (arXiv 2407.10416): SRAM 170 of 950 mW core; assumed for every "
       "design (the others publish no breakdown we could reach)",
       0.18,
       R{0.1, 0.4,
         "engineering judgement: SOFA's 18 % applied to every design; SRAM shares of published "
         "accelerator breakdowns span about 10-40 %"}},
      {"baseline.sanger.area_overhead", 4.39, "ratio",
       "derived: 60 % of 16.9 mm^2 at 55 nm / 1182 16-bit MACs (SOFA Table II, Sanger MICRO'21)",
       4.39,
       R{3.073, 5.707,
         "engineering judgement -30/+30 %: derived from published silicon with an assumed busy "
         "share and SRAM power share (baseline.published_*)"}},
      {"baseline.sanger.energy_overhead", 8.04, "ratio",
       "derived: 82 % of 2.76 W / (548 busy 16-bit MACs x 500 MHz) at 55 nm (SOFA Table II)", 8.04,
       R{5.628, 10.452,
         "engineering judgement -30/+30 %: derived from published silicon with an assumed busy "
         "share and SRAM power share (baseline.published_*)"}},
      {"baseline.dota.area_overhead", 8.06, "ratio",
       "derived: 60 % of 4.44 mm^2 at 22 nm / 1057 16-bit MACs (SOFA Table II, DOTA ASPLOS'22)",
       8.06,
       R{5.642, 10.478,
         "engineering judgement -30/+30 %: derived from published silicon with an assumed busy "
         "share and SRAM power share (baseline.published_*)"}},
      {"baseline.dota.energy_overhead", 12.3, "ratio",
       "derived: 82 % of 3.02 W / (490 busy 16-bit MACs x 1 GHz) at 22 nm (SOFA Table II)", 12.3,
       R{8.61, 15.99,
         "engineering judgement -30/+30 %: derived from published silicon with an assumed busy "
         "share and SRAM power share (baseline.published_*)"}},
      {"baseline.energon.area_overhead", 6.74, "ratio",
       "derived: 60 % of 4.2 mm^2 at 45 nm / 286 16-bit MACs (SOFA Table II, Energon TCAD'23)",
       6.74,
       R{4.718, 8.762,
         "engineering judgement -30/+30 %: derived from published silicon with an assumed busy "
         "share and SRAM power share (baseline.published_*)"}},
      {"baseline.energon.energy_overhead", 2.36, "ratio",
       "derived: 82 % of 0.32 W / (133 busy 16-bit MACs x 1 GHz) at 45 nm (SOFA Table II)", 2.36,
       R{1.652, 3.068,
         "engineering judgement -30/+30 %: derived from published silicon with an assumed busy "
         "share and SRAM power share (baseline.published_*)"}},
      {"baseline.spatten.area_overhead", 11.8, "ratio",
       "derived: 60 % of 1.55 mm^2 at 40 nm / 128 12-bit MACs (SOFA Table II, SpAtten HPCA'21)",
       11.8,
       R{8.26, 15.34,
         "engineering judgement -30/+30 %: derived from published silicon with an assumed busy "
         "share and SRAM power share (baseline.published_*)"}},
      {"baseline.spatten.energy_overhead", 10.0, "ratio",
       "derived: 82 % of 0.325 W / (59 busy 12-bit MACs x 1 GHz) at 40 nm (SOFA Table II)", 10.0,
       R{7.0, 13.0,
         "engineering judgement -30/+30 %: derived from published silicon with an assumed busy "
         "share and SRAM power share (baseline.published_*)"}},
      {"baseline.sofa.area_overhead", 1.42, "ratio",
       "derived: 60 % of 5.69 mm^2 at 28 nm / 4737 16-bit MACs (SOFA Table II, 24423 GOPS "
       "effective at 18 % kept)",
       1.42,
       R{0.994, 1.846,
         "engineering judgement -30/+30 %: derived from published silicon with an assumed busy "
         "share and SRAM power share (baseline.published_*)"}},
      {"baseline.sofa.energy_overhead", 0.68, "ratio",
       "derived: 82 % of 0.95 W / (2198 busy 16-bit MACs x 1 GHz) at 28 nm; below 1 because "
       "SOFA's effective GOPS exceeds what Horowitz arithmetic at its power allows (see "
       "docs/baselines.md)",
       0.68,
       R{0.476, 0.884,
         "engineering judgement -30/+30 %: derived from published silicon with an assumed busy "
         "share and SRAM power share (baseline.published_*)"}},
      // === predictor pipelines: sorting and top-k hardware (issue #18 item 1) ===================
      {"baseline.cmp_exchange16_pj_45nm", 0.106, "pJ/compare",
       "assumed: a 16-bit magnitude compare at the energy of a 16-bit add (energy.add16_pj_45nm, "
       "0.053 pJ, Horowitz ISSCC 2014) plus the conditional swap of the two scores and their "
       "indices at one more 16-bit-add equivalent; scaled linearly in score width",
       0.106, R{0.053, 0.21, "engineering judgement x1/2-x2: assumed 16-bit compare plus swap"}},
      {"baseline.area_cmp_exchange16_um2_45nm", 144, "um^2/compare",
       "assumed: two 16-bit adders' area (comparator + swap steering; Horowitz ISSCC 2014 8-bit "
       "add 36 um^2, linear in width)",
       144,
       R{72, 288,
         "engineering judgement x1/2-x2: assumed 16-bit comparator plus swap multiplexers"}},
      {"baseline.sort_core_inputs", 16, "scores/core",
       "SOFA's distributed sorting: 16-to-4 sort cores (Wang et al., MICRO'24, arXiv 2407.10416; "
       "shared/design/baselines.md §2)",
       16, R{16, 16, "exact: SOFA's 16-to-4 sort cores as described (shared design notes)"}},
      {"baseline.sort_core_outputs", 4, "scores/core",
       "SOFA's distributed sorting: 16-to-4 sort cores (Wang et al., MICRO'24, arXiv 2407.10416; "
       "shared/design/baselines.md §2)",
       4, R{4, 4, "exact: SOFA's 16-to-4 sort cores as described (shared design notes)"}},
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
  std::string out =
      "| coefficient | default | unit | source | sensitivity range | range basis |\n"
      "|---|---|---|---|---|---|\n";
  const auto g = [](double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%g", v);
    return std::string(buf);
  };
  for (const auto& c : entries_) {
    out += "| `" + c.name + "` | " + g(c.value) + " | " + c.unit + " | " + c.source + " | ";
    if (c.range)
      out += (c.range->low == c.range->high ? g(c.range->low) + " (exact)"
                                            : g(c.range->low) + " – " + g(c.range->high)) +
             " | " + c.range->source + " |\n";
    else
      out += "– | – |\n";
  }
  return out;
}

}  // namespace pade::core
