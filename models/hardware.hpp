#pragma once
// The PADE hardware configuration: one YAML file (`kind: hardware`) read through the schema
// layer. Defaults are the paper's design point (shared/design/pade.md §6). Algorithm knobs that
// change sparsity (bits, α, radius, tile shape, order) live in the same file under `algorithm.`,
// because a design point is the pair; the evaluator caches functional statistics by them alone.
//
// Every parameter is declared once (hardware.cpp, hardware_binding()), against the member below
// that it fills; a member's initializer is its default. docs/contributing.md, "Adding a parameter".
#include <algorithm>
#include <bit>
#include <string>

#include "core/binding.hpp"
#include "core/coefficients.hpp"
#include "core/enum_table.hpp"
#include "core/schema.hpp"
#include "models/dataflow.hpp"
#include "models/functional.hpp"

namespace pade::models {

enum class KeyLayout { BitPlaneFirst, WordMajor };
/// KeyLayout's names (`memory.key_layout`).
inline constexpr core::EnumTable kKeyLayoutNames{std::to_array<core::EnumName<KeyLayout>>({
    {KeyLayout::BitPlaneFirst, "bit_plane_first"},
    {KeyLayout::WordMajor, "word_major"},
})};
constexpr const auto& enum_table(KeyLayout) {
  return kKeyLayoutNames;
}

/// The model coefficients the hardware models read on every evaluation, resolved once from a
/// coefficient table (looking each up by name per evaluation cost more than the models' own
/// arithmetic). A typed view only: names, defaults, units and sources stay in
/// core/coefficients.cpp, HardwareConfig::coefficients is the table these come from, and each
/// member is bound to its table name once (hardware.cpp, kModelCoefficientNames).
struct ModelCoefficients {
  double area_and2_ge = 0;
  double area_exp_unit_ge = 0;
  double area_fa_ge = 0;
  double area_ff_ge = 0;
  double area_ge_um2 = 0;
  double area_mul8_ge = 0;
  double area_mux2_ge = 0;
  double area_rf_bit_ge = 0;
  double area_xor2_ge = 0;
  double calib_dynamic_energy_scale = 0;
  double calib_logic_area_scale = 0;
  double energy_add16_pj_45nm = 0;
  double energy_add32_pj_45nm = 0;
  double energy_add8_pj_45nm = 0;
  double energy_fp16_add_pj_45nm = 0;
  double energy_fp16_mul_pj_45nm = 0;
  double energy_fp32_mul_pj_45nm = 0;
  double energy_logic_pj_per_ge_45nm = 0;
  double energy_mul8_pj_45nm = 0;
  double energy_scoreboard_pj_per_bit = 0;
  double hbm_activate_pj = 0;
  double hbm_device_pj_per_bit = 0;
  double hbm_io_pj_per_bit = 0;
  double hbm_row_device_pj_per_bit = 0;
  double hbm_t_faw_ns = 0;
  double hbm_t_ras_ns = 0;
  double hbm_t_rcd_ns = 0;
  double hbm_t_refi_ns = 0;
  double hbm_t_rfc_ns = 0;
  double hbm_t_rp_ns = 0;
  double hbm_t_rrd_ns = 0;
  double hbm_t_rtw_ns = 0;
  double hbm_t_wtr_ns = 0;
  double leakage_logic_mw_per_mm2 = 0;
  double softmax_exp_fp16_ops = 0;
  double sram_area_mm2_per_4kib = 0;
  double sram_area_mm2_per_8kib = 0;
  double sram_leakage_mw_per_8kib = 0;
  double sram_read_pj_per_bit = 0;
  double sram_read_pj_per_bit_4kib = 0;
  double sram_write_pj_per_bit = 0;
  double sram_write_pj_per_bit_4kib = 0;
  double tech_energy_scale_45_to_28 = 0;
  double timing_levels_per_cycle = 0;

  [[nodiscard]] static ModelCoefficients from(const core::CoefficientTable& table);
};

/// The knobs that change sparsity: the functional statistics depend on these alone, so each is a
/// part of the statistics-cache key (dse::AlgorithmPoint; marked key_part in hardware.cpp). A
/// member added here must be declared a key part, or the cache would reuse digests computed with
/// another value.
struct SparsityKnobs {
  int qk_rows = 8;  // qk_pu.rows: the hardware's query group, B_q of the functional model
  int bits = 8;
  double alpha = 0.5;
  double radius = 5.0;
  int tile_keys = 64;
  TileOrder tile_order = TileOrder::head_tail;
  bool bui_gf = true;      // features.bui_gf (off: no pruning)
  int bits_per_round = 1;  // algorithm.bits_per_round: key planes per round (k; issue 15)
};

/// Typed view of a validated hardware Config (derived quantities computed once). The initializers
/// are the defaults of the schema (hardware_binding() reads them from a default HardwareConfig);
/// the dataflow policy's (`dataflow.*`) are DataflowPolicy's, shared with the baselines.
struct HardwareConfig : SparsityKnobs, DataflowPolicy {
  std::string name = "pade-default";
  // technology
  int node_nm = 28;
  double clock_mhz = 800;
  // QK-PU (rows: SparsityKnobs::qk_rows)
  int lanes_per_row = 16;
  int dims_per_lane = 128;
  int gsat_subgroup = 8;
  int scoreboard_entries = 32;
  int scoreboard_entry_bits = 45;
  int qk_pipeline_cycles = 3;  // lane pipeline: AND tree + adder tree, bound check, scoreboard
  // In-order (lockstep) array: key tiles whose rounds it interleaves, each tile's partial scores
  // in plain registers (no scoreboard); docs/hardware-models.md "The in-order reference".
  int tiles_in_flight = 8;
  // V-PU and softmax
  double qk_to_v_ratio = 8;
  int exp_units = 16;
  int exp_latency_cycles = 4;
  int v_pipeline_cycles = 4;
  // SRAM
  double kv_buffer_kib = 320;
  double q_buffer_kib = 16;
  double out_buffer_kib = 16;
  double sram_bank_kib = 8;  // bank size of every buffer (the CACTI-like model's unit)
  int sram_latency_cycles = 2;
  int v_tiles_in_flight = 2;  // V tiles buffered ahead of the V-PU (2 = double buffering)
  // HBM
  int hbm_pseudo_channels = 16;
  int hbm_channel_bits = 64;
  double hbm_pin_rate_gbps = 2.0;
  int hbm_burst_length = 4;
  double hbm_latency_ns = 50;
  int hbm_banks = 16;        // banks per pseudo-channel (HBM2: 4 bank groups x 4)
  int hbm_row_bytes = 1024;  // row (page) of a pseudo-channel (HBM2 pseudo-channel mode: 1 KB)
  KeyLayout key_layout = KeyLayout::BitPlaneFirst;
  // algorithm (sparsity-changing knobs): SparsityKnobs
  // mechanism switches (for the ablation; bui_gf: SparsityKnobs)
  bool bidirectional = true;
  bool out_of_order = true;
  bool bit_granular_overhead = true;  // features.bit_granular_overhead (issue 17)

  core::CoefficientTable coefficients = core::CoefficientTable::defaults();
  /// `coefficients` resolved (to_hardware() sets both; whoever changes the table re-resolves).
  ModelCoefficients coef = ModelCoefficients::from(coefficients);

  [[nodiscard]] int lanes() const { return qk_rows * lanes_per_row; }
  /// Planes a lane consumes per round (k, at most bits) and rounds per key, R = ceil(bits / k).
  [[nodiscard]] int planes_per_round() const {
    return std::clamp(bits_per_round, 1, std::max(1, bits));
  }
  [[nodiscard]] int rounds() const {
    return (std::max(1, bits) + planes_per_round() - 1) / planes_per_round();
  }
  /// Planes round r (0-based) consumes: k, the last round possibly fewer.
  [[nodiscard]] int planes_in_round(int r) const {
    return std::clamp(std::max(1, bits) - r * planes_per_round(), 0, planes_per_round());
  }
  /// A scoreboard entry holds the key id, the partial score and the round counter; the
  /// configured width is sized for one round per plane, so fewer rounds need fewer counter bits
  /// (identical at k = 1).
  [[nodiscard]] int scoreboard_entry_width() const {
    const auto counter = [](int n) { return static_cast<int>(std::bit_width(unsigned(n))); };
    return scoreboard_entry_bits - counter(std::max(1, bits)) + counter(rounds());
  }
  [[nodiscard]] double hbm_bandwidth_gbps() const {  // GB/s
    return hbm_pseudo_channels * hbm_channel_bits * hbm_pin_rate_gbps / 8.0;
  }
  [[nodiscard]] double v_pair_lanes() const { return lanes() / qk_to_v_ratio; }
  [[nodiscard]] double clock_hz() const { return clock_mhz * 1e6; }
  [[nodiscard]] double hbm_latency_cycles() const { return hbm_latency_ns * 1e-9 * clock_hz(); }
  /// Cycles one pseudo-channel is busy delivering one burst.
  [[nodiscard]] double burst_cycles() const {
    const double channel_bytes_per_cycle =
        hbm_channel_bits * hbm_pin_rate_gbps * 1e9 / 8.0 / clock_hz();
    return burst_bytes() / channel_bytes_per_cycle;
  }
  [[nodiscard]] double burst_bytes() const { return hbm_burst_length * hbm_channel_bits / 8.0; }
  [[nodiscard]] double sram_kib() const { return kv_buffer_kib + q_buffer_kib + out_buffer_kib; }
  /// The buffers and dataflow policy every design's accounting reads (models/dataflow.hpp).
  [[nodiscard]] Dataflow dataflow() const {
    Dataflow df;
    static_cast<DataflowPolicy&>(df) = *this;
    df.kv_buffer_kib = kv_buffer_kib;
    df.q_buffer_kib = q_buffer_kib;
    df.out_buffer_kib = out_buffer_kib;
    df.group_rows = qk_rows;
    return df;
  }
};

/// The dataflow of the default hardware configuration (what the baselines use unless a
/// comparison hands them the compared configuration's).
[[nodiscard]] const Dataflow& default_dataflow();

/// Every hardware parameter's declaration: the schema, the conversion to HardwareConfig and the
/// statistics-cache key of the SparsityKnobs.
[[nodiscard]] const core::Binding<HardwareConfig, SparsityKnobs>& hardware_binding();

/// The schema of `kind: hardware` files (also the parameter space a design space sweeps).
[[nodiscard]] const core::Schema& hardware_schema();

[[nodiscard]] HardwareConfig to_hardware(const core::Config& config);

/// Read a `kind: hardware` YAML file (or a `hardware:` map inside another document).
[[nodiscard]] core::Config read_hardware(const std::string& path);

}  // namespace pade::models
