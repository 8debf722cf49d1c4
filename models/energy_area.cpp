#include "models/energy_area.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "models/hbm.hpp"

namespace pade::models {

namespace {

// Full adders in a binary adder tree reducing n inputs of w bits (widths grow one bit a level).
double tree_full_adders(double n, double w) {
  double fa = 0;
  for (int level = 1; n > 1; ++level) {
    const double adders = std::floor(n / 2);
    fa += adders * (w + level);
    n = std::ceil(n / 2);
  }
  return fa;
}

double area_scale(const HardwareConfig& hw) {
  return std::pow(hw.node_nm / 28.0, 2.0);
}
double energy_scale(const HardwareConfig& hw) {
  return hw.node_nm / 28.0;
}

int buffer_banks(double kib, double bank_kib) {
  return static_cast<int>(std::ceil(kib / bank_kib - 1e-9));
}

}  // namespace

std::array<std::pair<std::string_view, double>, 11> AreaBreakdown::components() const {
  return {{{"area_gsat_mm2", gsat_mm2},
           {"area_scoreboard_mm2", scoreboard_mm2},
           {"area_bound_mm2", bound_mm2},
           {"area_bui_mm2", bui_mm2},
           {"area_threshold_mm2", threshold_mm2},
           {"area_softmax_mm2", softmax_mm2},
           {"area_v_pu_mm2", v_pu_mm2},
           {"area_plane_extract_mm2", plane_extract_mm2},
           {"area_sram_kv_mm2", sram_kv_mm2},
           {"area_sram_q_mm2", sram_q_mm2},
           {"area_sram_out_mm2", sram_out_mm2}}};
}

std::array<std::pair<std::string_view, double>, 13> EnergyBreakdown::components() const {
  return {{{"energy_gsat_j", gsat_j},
           {"energy_scoreboard_j", scoreboard_j},
           {"energy_bui_guard_j", bui_guard_j},
           {"energy_threshold_j", threshold_j},
           {"energy_softmax_j", softmax_j},
           {"energy_v_pu_j", v_pu_j},
           {"energy_plane_extract_j", plane_extract_j},
           {"energy_sram_kv_j", sram_kv_j},
           {"energy_sram_q_j", sram_q_j},
           {"energy_sram_out_j", sram_out_j},
           {"energy_leakage_logic_j", leakage_logic_j},
           {"energy_leakage_sram_j", leakage_sram_j},
           {"energy_dram_j", dram_j}}};
}

SramBank sram_bank(const HardwareConfig& hw, double bank_kib) {
  const ModelCoefficients& c = hw.coef;
  // Two reference banks (4 and 8 KiB) fix a two-parameter model for each quantity.
  const double b4 = 4 * 8192.0, b8 = 8 * 8192.0, bits = bank_kib * 8192.0;
  auto sqrt_fit = [&](double e4, double e8) {
    const double e1 = (e8 - e4) / (std::sqrt(b8) - std::sqrt(b4));
    const double e0 = e4 - e1 * std::sqrt(b4);
    return std::max(0.0, e0 + e1 * std::sqrt(bits));
  };
  SramBank b;
  b.read_pj_per_bit =
      sqrt_fit(c.sram_read_pj_per_bit_4kib, c.sram_read_pj_per_bit) * energy_scale(hw);
  b.write_pj_per_bit =
      sqrt_fit(c.sram_write_pj_per_bit_4kib, c.sram_write_pj_per_bit) * energy_scale(hw);
  const double a4 = c.sram_area_mm2_per_4kib, a8 = c.sram_area_mm2_per_8kib;
  const double per_bit = (a8 - a4) / (b8 - b4);
  b.area_mm2 = std::max(0.0, a4 + per_bit * (bits - b4)) * area_scale(hw);
  b.leakage_mw = c.sram_leakage_mw_per_8kib * bits / b8;
  return b;
}

std::array<std::pair<std::string_view, double>, 7> LaneParts::components() const {
  return {{{"lane_and_ge", and_ge},
           {"lane_select_ge", select_ge},
           {"lane_mux_ge", mux_ge},
           {"lane_tree_ge", tree_ge},
           {"lane_correction_ge", correction_ge},
           {"lane_combine_ge", combine_ge},
           {"lane_accumulator_ge", accumulator_ge}}};
}

LaneParts lane_parts(const HardwareConfig& hw) {
  const ModelCoefficients& c = hw.coef;
  const double fa = c.area_fa_ge, ff = c.area_ff_ge, and2 = c.area_and2_ge;
  const double xor2 = c.area_xor2_ge, mux2 = c.area_mux2_ge;
  const double d = hw.dims_per_lane, B = hw.bits;
  const double g = std::min<double>(hw.gsat_subgroup, d);
  const double h = std::floor(g / 2);  // most active inputs of a sub-group under BS
  const double groups = std::ceil(d / g);
  const double k = hw.planes_per_round();
  auto clog2 = [](double n) { return std::ceil(std::log2(std::max(1.0, n))); };
  const double sum_bits = B + clog2(g);  // width of a sub-group's sum
  LaneParts l;
  // Per plane (a lane with k planes per round has k copies, issue 15), then the shared stages.
  if (hw.bidirectional) {
    l.and_ge = k * groups * h * B * and2;  // gate the h tree inputs (fewer than h active)
    // XOR per dim; popcount of g bits and its compare with h; per dim a running count of the
    // active dims before it (log2(h + 1) bits), the multiplexers' selects.
    l.select_ge =
        k * groups *
        (g * xor2 + tree_full_adders(g, 1) * fa + clog2(g + 1) * fa + g * clog2(h + 1) * fa);
    l.mux_ge = k * groups * h * B * h * mux2;  // h inputs x B bits x an (h+1):1 mux of h MUX2
    l.tree_ge = k * groups * tree_full_adders(h, B) * fa;
    // Conditional complement of the sub-group sum, the gated Qsum_g and the adder; Qsum_g
    // register (one per sub-group: the lane's query is fixed for a whole query group).
    const double w = sum_bits + 1;
    l.correction_ge = k * groups * w * (xor2 + and2 + fa + ff);
    l.levels = clog2(g) + 1 + clog2(h + 1) + clog2(h + 1) + clog2(h) + 1 + clog2(groups);
  } else {
    l.and_ge = k * d * B * and2;
    l.tree_ge = k * groups * tree_full_adders(g, B) * fa;
    l.levels = 1 + clog2(g) + clog2(groups);
  }
  // The sub-group sums meet in a tree; k planes' sums combine in k - 1 shift-adds.
  l.combine_ge = k * tree_full_adders(groups, sum_bits + 1) * fa +
                 (k - 1) * (clog2(std::max(2.0, d)) + 8 + k) * fa;
  l.accumulator_ge = 32 * fa + 32 * ff;
  return l;
}

double plane_extract_ge_per_plane(const HardwareConfig& hw, double d) {
  const double levels = std::max(1.0, std::ceil(std::log2(std::max(1.0, kPortBits / d))));
  return d * levels * hw.coef.area_mux2_ge;
}

int lane_tree_cycles(const HardwareConfig& hw, const LaneParts& lane) {
  const double per_cycle = std::max(1.0, hw.coef.timing_levels_per_cycle);
  return std::max(1, static_cast<int>(std::ceil(lane.levels / per_cycle - 1e-9)));
}

AreaBreakdown area_breakdown(const HardwareConfig& hw) {
  const ModelCoefficients& c = hw.coef;
  const double ge = c.area_ge_um2 * 1e-6 * area_scale(hw);  // mm^2 per GE
  const double fa = c.area_fa_ge, ff = c.area_ff_ge;
  const double lanes = hw.lanes();
  const double d = hw.dims_per_lane;
  AreaBreakdown a;
  // GSAT per lane from its parts (LaneParts: AND gates, BS selection and multiplexers, sub-group
  // trees, correction, combining tree, accumulator).
  a.gsat_mm2 = lanes * lane_parts(hw).total() * ge;
  // Scoreboards are small latch-based register files (entries x bits), not flip-flop arrays.
  a.scoreboard_mm2 =
      lanes * hw.scoreboard_entries * hw.scoreboard_entry_width() * c.area_rf_bit_ge * ge;
  a.bound_mm2 = lanes * 4 * 32 * fa * ge;  // S+I_min, S+I_max, compare with T, running max
  // BUI generator per row: sums of positive and negative Q elements, 2 x bits bound table.
  a.bui_mm2 = hw.qk_rows *
              (2 * tree_full_adders(d, hw.bits) * fa + 2 * hw.bits * 32 * ff + 2 * 32 * fa) * ge;
  a.threshold_mm2 = hw.qk_rows * ((hw.lanes_per_row - 1) * 32 * fa + 32 * fa + 32 * ff) * ge;
  a.softmax_mm2 = (hw.exp_units * c.area_exp_unit_ge + hw.qk_rows * 2 * 32 * ff) * ge;
  // V-PU: an INT8 x INT8 multiplier and a 24-bit adder per MAC; the accumulators of the output
  // rows live in the output buffer (read-modify-write, charged as SRAM accesses).
  a.v_pu_mm2 = hw.v_pair_lanes() * d * (c.area_mul8_ge + 24 * fa) * ge;
  if (hw.bit_granular_overhead)
    a.plane_extract_mm2 =
        hw.lanes_per_row * hw.planes_per_round() * plane_extract_ge_per_plane(hw, d) * ge;
  // Calibration: synthesized / counted logic area (placement, wiring, control, clock tree).
  for (double* x : {&a.gsat_mm2, &a.scoreboard_mm2, &a.bound_mm2, &a.bui_mm2, &a.threshold_mm2,
                    &a.softmax_mm2, &a.v_pu_mm2, &a.plane_extract_mm2})
    *x *= c.calib_logic_area_scale;
  const SramBank bank = sram_bank(hw, hw.sram_bank_kib);
  a.sram_kv_mm2 = buffer_banks(hw.kv_buffer_kib, hw.sram_bank_kib) * bank.area_mm2;
  a.sram_q_mm2 = buffer_banks(hw.q_buffer_kib, hw.sram_bank_kib) * bank.area_mm2;
  a.sram_out_mm2 = buffer_banks(hw.out_buffer_kib, hw.sram_bank_kib) * bank.area_mm2;
  return a;
}

EnergyBreakdown energy_breakdown(const HardwareConfig& hw, const OpCounts& o, double seconds) {
  const ModelCoefficients& c = hw.coef;
  const double s = c.tech_energy_scale_45_to_28 * energy_scale(hw) * 1e-12;  // J per 45-nm pJ
  const double add8 = c.energy_add8_pj_45nm * s, add16 = c.energy_add16_pj_45nm * s;
  const double add32 = c.energy_add32_pj_45nm * s, mul8 = c.energy_mul8_pj_45nm * s;
  const double fp16 = (c.energy_fp16_mul_pj_45nm + c.energy_fp16_add_pj_45nm) * s;
  EnergyBreakdown e;
  const double ge_j = c.energy_logic_pj_per_ge_45nm * s;
  e.gsat_j = o.gsat_inputs * add8 + (o.subgroup_adds + o.correction_adds) * add16 +
             o.accum_adds * add32 + o.bs_logic_ge * ge_j;
  e.scoreboard_j = o.scoreboard_bits * c.energy_scoreboard_pj_per_bit * energy_scale(hw) * 1e-12;
  e.bui_guard_j = o.bound_ops * add32 + o.bui_ops * add16;
  e.threshold_j = o.threshold_ops * add32;
  e.plane_extract_j = o.plane_extract_ge * ge_j;
  e.softmax_j = o.exps * c.softmax_exp_fp16_ops * fp16;
  e.v_pu_j = o.v_macs * (mul8 + add32) + o.rescale_muls * c.energy_fp16_mul_pj_45nm * s +
             o.norm_ops * c.energy_fp32_mul_pj_45nm * s;
  const SramBank bank = sram_bank(hw, hw.sram_bank_kib);
  const double rd = bank.read_pj_per_bit * 1e-12, wr = bank.write_pj_per_bit * 1e-12;
  e.sram_kv_j = o.sram_kv_read_bits * rd + o.sram_kv_write_bits * wr;
  e.sram_q_j = o.sram_q_read_bits * rd + o.sram_q_write_bits * wr;
  e.sram_out_j = o.sram_out_read_bits * rd + o.sram_out_write_bits * wr;
  // Calibration: every on-chip dynamic energy scaled by one fitted factor
  // (docs/hardware-models.md).
  const double k = c.calib_dynamic_energy_scale;
  for (double* x : {&e.gsat_j, &e.scoreboard_j, &e.bui_guard_j, &e.threshold_j, &e.softmax_j,
                    &e.v_pu_j, &e.plane_extract_j, &e.sram_kv_j, &e.sram_q_j, &e.sram_out_j})
    *x *= k;
  const AreaBreakdown area = area_breakdown(hw);
  e.leakage_logic_j = area.logic() * c.leakage_logic_mw_per_mm2 * 1e-3 * seconds;
  const int banks = buffer_banks(hw.kv_buffer_kib, hw.sram_bank_kib) +
                    buffer_banks(hw.q_buffer_kib, hw.sram_bank_kib) +
                    buffer_banks(hw.out_buffer_kib, hw.sram_bank_kib);
  e.leakage_sram_j = banks * bank.leakage_mw * 1e-3 * seconds;
  // HBM: per activation, per bit from the open row and over the interface (models/hbm.hpp).
  e.dram_j =
      hbm_energy_pj(hbm_params(hw), o.dram_read_bytes + o.dram_write_bytes, o.dram_activations) *
      1e-12;
  return e;
}

void add_energy_area_metrics(core::Metrics& m, const HardwareConfig& hw, const OpCounts& ops,
                             double cycles) {
  const double seconds = cycles / hw.clock_hz();
  const EnergyBreakdown e = energy_breakdown(hw, ops, seconds);
  const AreaBreakdown a = area_breakdown(hw);
  m.set(core::metric::kLatencyCycles, cycles);
  m.set(core::metric::kLatencyS, seconds);
  m.set(core::metric::kEnergyJ, e.total());
  m.set("energy_core_j", e.core());
  for (const auto& [name, joules] : e.components()) m.set(name, joules);
  m.set(core::metric::kAreaMm2, a.total());
  m.set("area_logic_mm2", a.logic());
  m.set("area_sram_mm2", a.sram());
  for (const auto& [name, mm2] : a.components()) m.set(name, mm2);
  m.set(core::metric::kPowerW, seconds > 0 ? e.total() / seconds : 0.0);
  m.set("power_core_w", seconds > 0 ? e.core() / seconds : 0.0);
  m.set("power_dram_w", seconds > 0 ? e.dram_j / seconds : 0.0);
  m.set(core::metric::kDramBytes, ops.dram_read_bytes + ops.dram_write_bytes);
  m.set("dram_read_bytes", ops.dram_read_bytes);
  // What features.bit_granular_overhead charges: partial-burst bytes and plane extraction (its
  // latency share is the on/off difference of latency_cycles, docs/hardware-models.md).
  const HbmParams hbm = hbm_params(hw);
  const double dram_j_per_byte =
      8.0 * (hbm.device_pj_per_bit + hbm.io_pj_per_bit) * 1e-12;  // moved bits
  m.set("bit_granular_dram_bytes", ops.bit_granular_dram_bytes);
  m.set("bit_granular_energy_j", e.plane_extract_j + ops.bit_granular_dram_bytes * dram_j_per_byte);
  m.set("dram_write_bytes", ops.dram_write_bytes);
  const double dram_bursts = (ops.dram_read_bytes + ops.dram_write_bytes) / hw.burst_bytes();
  m.set("dram_activations", ops.dram_activations);
  m.set("dram_row_hit_rate",
        dram_bursts > 0 ? std::clamp(1.0 - ops.dram_activations / dram_bursts, 0.0, 1.0) : 0.0);
  m.set("sram_read_bytes",
        (ops.sram_kv_read_bits + ops.sram_q_read_bits + ops.sram_out_read_bits) / 8.0);
  m.set("sram_write_bytes",
        (ops.sram_kv_write_bits + ops.sram_q_write_bits + ops.sram_out_write_bits) / 8.0);
  const double bytes_per_cycle = hw.hbm_bandwidth_gbps() * 1e9 / hw.clock_hz();
  m.set("dram_bandwidth_utilization",
        cycles > 0 ? (ops.dram_read_bytes + ops.dram_write_bytes) / bytes_per_cycle / cycles : 0.0);
}

}  // namespace pade::models
