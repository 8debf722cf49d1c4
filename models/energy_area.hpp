#pragma once
// Component-level energy and area of the PADE accelerator (docs/hardware-models.md §4).
//
// Area: logic counted in NAND2 gate equivalents per component (GSAT adder trees, scoreboards,
// BUI bound logic, BUI generators, threshold units, exp units, V-PU MACs), times a calibrated
// overhead factor for control, clock and wiring; SRAM per bank from a CACTI-like model fitted to
// two reference banks (4 KB and 8 KB at 28 nm): area and leakage linear in bank bits, access
// energy per bit  e0 + e1·sqrt(bank bits)  (bit- and word-line length grow with the array's side).
// Energy: operation counts from the task graph times per-operation energies (Horowitz 45 nm scaled
// to 28 nm) and SRAM accesses, both times one calibrated factor, leakage over the run's duration,
// and HBM energy per bit (device + interface), reported separately as DRAM energy. Every number
// comes from core/coefficients.cpp. Other nodes: area x (node/28)^2, dynamic energy x node/28
// (first-order constant-voltage scaling).
#include <array>
#include <string_view>
#include <utility>

#include "core/metrics.hpp"
#include "models/hardware.hpp"
#include "models/taskgraph.hpp"

namespace pade::models {

/// One QK-PU lane's GSAT datapath from its parts (issue 17), in gate equivalents before the
/// logic calibration. With bidirectional sparsity (BS) each sub-group of g dims has its ones
/// counted and compared with g/2 (majority); if the ones are more, the key bits are complemented
/// so at most h = floor(g/2) inputs are active; h (h+1):1 multiplexers move the active query
/// elements onto a half-width adder tree of h inputs, and a correction stage returns
/// Qsum_g - s for a complemented sub-group (Qsum_g: the sub-group's query sum, a register per
/// sub-group). Without BS: a full-width tree of g inputs per sub-group behind B-bit AND gates.
/// The sub-group sums meet in a combining tree, then the k-plane combiner and the accumulator.
struct LaneParts {
  double and_ge = 0;          // AND gates gating the query elements into the tree inputs
  double select_ge = 0;       // BS: complement XORs, popcount + majority, multiplexer-select counts
  double mux_ge = 0;          // BS: (h+1):1 multiplexers compacting the active inputs
  double tree_ge = 0;         // sub-group adder trees (h inputs with BS, g without)
  double correction_ge = 0;   // BS: conditional complement, Qsum_g register and adder
  double combine_ge = 0;      // inter-sub-group tree and the k-plane shift-add combiner
  double accumulator_ge = 0;  // 32-bit partial-score shift-accumulator and its register
  double levels = 0;          // logic levels (full-adder delays) of the plane path: timing

  [[nodiscard]] double total() const {
    return and_ge + select_ge + mux_ge + tree_ge + correction_ge + combine_ge + accumulator_ge;
  }
  /// Every part under its metric name (lane_<part>_ge), in a fixed order.
  [[nodiscard]] std::array<std::pair<std::string_view, double>, 7> components() const;
};
/// The lane of `hw` (qk_pu.gsat_subgroup, qk_pu.dims_per_lane, algorithm.bits, k planes per
/// round, features.bidirectional).
[[nodiscard]] LaneParts lane_parts(const HardwareConfig& hw);
/// Plane extraction (bit-granular overhead): the aligner that takes one key's d-bit plane record
/// out of a buffer word (kPortBits wide): d bits x log2(port / d) levels of 2:1 multiplexers, one
/// per lane column (the plane is broadcast to the group's rows). GE per plane record.
inline constexpr double kPortBits = 512;  // the SRAM bank port of the CACTI-style reference
[[nodiscard]] double plane_extract_ge_per_plane(const HardwareConfig& hw, double d);
/// Cycles of the lane's tree stage: its logic levels over coefficient timing.levels_per_cycle.
[[nodiscard]] int lane_tree_cycles(const HardwareConfig& hw, const LaneParts& lane);

struct AreaBreakdown {
  double gsat_mm2 = 0;        // AND gates, GSAT adder trees, bidirectional selectors, accumulators
  double scoreboard_mm2 = 0;  // per-lane scoreboards
  double bound_mm2 = 0;       // per-lane BUI bound adders and guard comparators
  double bui_mm2 = 0;         // per-row BUI generators (bound tables)
  double threshold_mm2 = 0;   // per-row threshold units
  double softmax_mm2 = 0;     // exp units, running max/sum registers
  double v_pu_mm2 = 0;        // P.V MACs
  double plane_extract_mm2 = 0;  // plane-record aligners (features.bit_granular_overhead)
  double sram_kv_mm2 = 0, sram_q_mm2 = 0, sram_out_mm2 = 0;

  [[nodiscard]] double logic() const {
    return gsat_mm2 + scoreboard_mm2 + bound_mm2 + bui_mm2 + threshold_mm2 + softmax_mm2 +
           v_pu_mm2 + plane_extract_mm2;
  }
  [[nodiscard]] double sram() const { return sram_kv_mm2 + sram_q_mm2 + sram_out_mm2; }
  [[nodiscard]] double total() const { return logic() + sram(); }
  /// Every component under its metric name (area_<part>_mm2), in a fixed order.
  [[nodiscard]] std::array<std::pair<std::string_view, double>, 11> components() const;
};

/// Area of a configuration. Feature switches do not change it (an ablation disables logic that is
/// still on the die), except features.bidirectional, which selects the lane structure
/// (LaneParts: a lane without BS builds the full-width tree and no multiplexers).
[[nodiscard]] AreaBreakdown area_breakdown(const HardwareConfig& hw);

/// SRAM bank model (per bank of `bank_kib`): read/write energy per bit, area, leakage.
struct SramBank {
  double read_pj_per_bit = 0, write_pj_per_bit = 0, area_mm2 = 0, leakage_mw = 0;
};
[[nodiscard]] SramBank sram_bank(const HardwareConfig& hw, double bank_kib);

struct EnergyBreakdown {
  double gsat_j = 0, scoreboard_j = 0, bui_guard_j = 0, threshold_j = 0, softmax_j = 0, v_pu_j = 0;
  double plane_extract_j = 0;  // plane-record aligners (features.bit_granular_overhead)
  double sram_kv_j = 0, sram_q_j = 0, sram_out_j = 0;
  double leakage_logic_j = 0, leakage_sram_j = 0;
  double dram_j = 0;

  [[nodiscard]] double core() const {
    return gsat_j + scoreboard_j + bui_guard_j + threshold_j + softmax_j + v_pu_j +
           plane_extract_j + sram_kv_j + sram_q_j + sram_out_j + leakage_logic_j + leakage_sram_j;
  }
  [[nodiscard]] double total() const { return core() + dram_j; }
  /// Every component under its metric name (energy_<part>_j), in a fixed order.
  [[nodiscard]] std::array<std::pair<std::string_view, double>, 13> components() const;
};

/// Energy of `ops` executed in `seconds` (leakage integrates over the time).
[[nodiscard]] EnergyBreakdown energy_breakdown(const HardwareConfig& hw, const OpCounts& ops,
                                               double seconds);

/// The metrics every task-graph fidelity reports from its cycles, operation counts and traffic:
/// latency, energy and area by component, power (core, DRAM, total).
void add_energy_area_metrics(core::Metrics& m, const HardwareConfig& hw, const OpCounts& ops,
                             double cycles);

}  // namespace pade::models
