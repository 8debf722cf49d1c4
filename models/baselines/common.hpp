#pragma once
// Pieces every accelerator baseline shares: the visible keys of a row, exact and estimated logits,
// softmax and top-k selection (rules), and a first-order cost model over named compute units and
// memory traffic (costs). The cost model is deliberately of the same class as PADE's coarse model
// (per-head roofline, perfect overlap, per-op energies from the coefficient table), so that
// differences between designs come from their algorithms and datapaths, not from model fidelity.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/quant.hpp"
#include "models/baselines/baseline.hpp"

namespace pade::models {

// ---- rules --------------------------------------------------------------------------------------

/// Token position of query row `row` (the last rows when the head carries no positions).
[[nodiscard]] std::size_t query_position(const core::AttentionHead& head, std::size_t row);

/// Keys row `row` may attend to: [0, end) (causal: up to its own position; else every key).
[[nodiscard]] std::size_t visible_end(const core::AttentionHead& head, std::size_t row);

/// Exact FP32-input logits q·k/√d + ALiBi bias of the visible keys of `row` (in double).
[[nodiscard]] std::vector<double> exact_logits(const core::AttentionHead& head, std::size_t row);

/// Logits from integer codes: Σ_d f(qc)·g(kc) · s_q · s_k · code_scale / √d + bias, for the visible
/// keys of `row`. `query_code` / `key_code` map a code to what the predictor uses instead
/// (identity, an MSB truncation, a leading-one power of two...); `code_scale` undoes a truncation's
/// shift. Per-tensor scales (every quantization of the baselines is per tensor).
struct IdentityCode {
  std::int64_t operator()(std::int16_t c) const { return c; }
};
template <class KeyCode, class QueryCode = IdentityCode>
[[nodiscard]] std::vector<double> code_logits(const core::AttentionHead& head,
                                              const core::QuantizedMatrix& q,
                                              const core::QuantizedMatrix& k, std::size_t row,
                                              KeyCode key_code, QueryCode query_code = {},
                                              double code_scale = 1.0);

/// Keep the top `bits` of a `width`-bit two's-complement code (arithmetic shift right): the
/// value an MSB-first fetch of `bits` bits sees, in units of 2^(width-bits).
[[nodiscard]] inline std::int64_t msb_code(std::int16_t c, int width, int bits) {
  return static_cast<std::int64_t>(c) >> (width - bits);
}

/// Softmax of logits (max-subtracted, double).
[[nodiscard]] std::vector<double> softmax(std::span<const double> logits);

/// Indicator of the `count` largest entries (ties: the lower index wins, so selection is exact
/// and deterministic).
[[nodiscard]] std::vector<char> top_k_mask(std::span<const double> scores, std::size_t count);

/// Dense softmax mass of the exact logits that a kept set retains.
[[nodiscard]] double retained_mass(std::span<const double> exact, std::span<const char> kept);

/// Keys of a head kept by at least one row, over keys visible to at least one row ("key union"):
/// accumulates per-key flags across rows.
class KeyUnion {
 public:
  explicit KeyUnion(std::size_t keys) : visible_(keys, 0), kept_(keys, 0) {}
  void add_row(std::span<const char> kept);  // kept.size() = the row's visible keys
  [[nodiscard]] double visible() const;
  [[nodiscard]] double kept() const;

 private:
  std::vector<char> visible_;
  std::vector<char> kept_;
};

/// Adds the counters every rule reports for one row: pairs, kept, rows, row_retained_mass.
void count_row(RuleCounters& c, std::span<const double> exact, std::span<const char> kept);
/// Adds key_visible / key_kept from a union (keys = the head's visible-key count).
void count_union(RuleCounters& c, const KeyUnion& u);

/// Sanger's pack & split: 16-PE passes needed by per-row masks split into `subrow_width` sub-rows
/// (empty skipped, dense ones split, sparse ones packed first-fit-decreasing). Defined in
/// sanger.cpp.
[[nodiscard]] double sanger_pe_slots(const std::vector<std::vector<char>>& masks,
                                     std::size_t subrow_width, std::size_t pes);

/// SOFA's leading-one approximation of a key code: sign·2^⌊log2|c|⌋. Defined in sofa.cpp.
[[nodiscard]] std::int64_t sofa_leading_one(std::int16_t c);

/// SpAtten's cascade keep ratio at `layer` of `layers`: final^(layer/(layers-1)). spatten.cpp.
[[nodiscard]] double spatten_keep_ratio(int layer, int layers, double final_keep);
/// Energon's mean-based filter over the flagged candidates: keep score >= mean + beta·(max − mean).
/// Defined in energon.cpp.
[[nodiscard]] std::vector<char> energon_filter(std::span<const double> scores,
                                               std::span<const char> candidates, double beta);

// ---- costs --------------------------------------------------------------------------------------

/// CompareExchange: one comparator with the conditional swap of two scores and their indices
/// (sorting networks, selection engines), per 16-bit score.
enum class OpKind { IntMac, IntAdd, Exp, CompareExchange };

/// A block of the PE array: `area_fraction` of the PE-array area budget filled with operators of
/// `kind` at `bits` (Exp units are a fixed count instead, `count`).
struct ComputeUnit {
  std::string name;
  OpKind kind = OpKind::IntMac;
  int bits = 8;
  double area_fraction = 0;
  double count = 0;  // Exp only
};

/// A named stage of a unit's work (the predictor's operand projection, its scores, its softmax...):
/// its operations occupy the unit's operators, and cost `kind` at `bits` each (an exponential on
/// a predictor, say). Reported as the metric energy_<unit>_<name>_j (issue #18: each stage of a
/// predictor pipeline is a named part of its energy).
struct WorkPart {
  std::size_t unit = 0;
  std::string name;
  OpKind kind = OpKind::IntMac;
  int bits = 8;
  double ops = 0;
};

/// Work of one head on the units (same order as the units) and its memory traffic.
struct HeadWork {
  std::vector<double> ops;         // operations per unit (including those of its parts)
  std::vector<double> efficiency;  // load-balance efficiency per unit (1 = perfect); empty = all 1
  std::vector<WorkPart> parts;     // named stages; their ops are also in `ops`
  double dram_bytes = 0;
  double sram_read_bits = 0;
  double sram_write_bits = 0;
};

/// Adds a named stage to `w` (ops[unit] grows by `ops`). The first form costs the unit's own
/// operation; the second another kind (e.g. the exponential of a predictor's softmax).
void add_part(HeadWork& w, std::span<const ComputeUnit> units, std::size_t unit, std::string name,
              double ops);
void add_part(HeadWork& w, std::span<const ComputeUnit> units, std::size_t unit, std::string name,
              double ops, OpKind kind, int bits);

// ---- predictor pipeline sizes (issue #18 item 1)
// --------------------------------------------------

/// The model width a K projection reads (d_model = query heads × head dimension): the traces hold
/// Q/K/V, not X or W_k, so operand generation from X is costed from the shapes, not simulated.
[[nodiscard]] double model_width(const workloads::AttentionGroup& g);

/// Compare-exchanges of a distributed sorting network selecting `k` of `n` scores: `n` cut into
/// segments of `core_in`, each sort core keeps its `core_out` best with `core_cmp`
/// compare-exchanges, and the survivors go through the cores again while more than `k` remain
/// (SOFA's 16-to-4 sort cores). Continuous in n (a row's count is linear in n at fixed k / n).
[[nodiscard]] double sorting_network_compares(double n, double k, double core_in, double core_out,
                                              double core_cmp);

/// Expected comparisons of quick-select (Hoare's FIND) for the k-th of n:
/// 2n + 2k ln(n/k) + 2(n−k) ln(n/(n−k)) (Knuth, TAOCP vol. 3 §5.3.3; at most ≈ 3.39 n at k = n/2).
/// SpAtten's top-k engine is a quick-select.
[[nodiscard]] double quickselect_compares(double n, double k);

/// Per-op energies and areas at the target node (from the coefficient table).
struct OpCosts {
  double energy_scale = 1;  // 45 nm -> node
  double area_scale = 1;    // 45 nm -> node (square of the feature ratio)
  const core::CoefficientTable* c = nullptr;

  OpCosts(const core::CoefficientTable& table, int node_nm);
  /// Integer multiply-accumulate of b-bit operands: multiplier energy ∝ b² (from the 8-bit
  /// figure), accumulator adder of 2b+8 bits with energy ∝ width (from the 8-bit adder).
  [[nodiscard]] double pj(OpKind kind, int bits) const;
  [[nodiscard]] double area_mm2(OpKind kind, int bits) const;
};

/// Operators a unit has: area_fraction · pe_area / (operator area × the design's same-depth area
/// overhead) (Exp: its count).
[[nodiscard]] double unit_operators(const ComputeUnit& u, const OpCosts& costs, double pe_area_mm2,
                                    double area_overhead = 1.0);
/// Units that find sparsity (predictor, detector, sorter, filters, top-k) rather than execute it.
[[nodiscard]] bool is_prediction_unit(const ComputeUnit& u);

/// Latency, energy, area and utilization metrics of an accelerator from per-group head work.
struct GroupWork {
  double heads = 0;
  HeadWork work;
};
/// Also the dataflow metrics of the target's dataflow over `bench` (add_dataflow_metrics).
[[nodiscard]] core::Metrics accelerator_metrics(
    const BaselineContext& ctx, const workloads::Benchmark& bench, const AcceleratorTarget& target,
    std::span<const ComputeUnit> units, std::span<const GroupWork> groups, double kept_fraction);

/// Reads a knob of the baseline configuration (shorthand).
[[nodiscard]] inline double knob(const BaselineContext& ctx, const std::string& key) {
  return ctx.config.real(key);
}

// ---- template definition ------------------------------------------------------------------------

template <class KeyCode, class QueryCode>
std::vector<double> code_logits(const core::AttentionHead& head, const core::QuantizedMatrix& q,
                                const core::QuantizedMatrix& k, std::size_t row, KeyCode key_code,
                                QueryCode query_code, double code_scale) {
  const std::size_t end = visible_end(head, row);
  const std::size_t d = q.cols();
  const double scale = static_cast<double>(q.group_scale(row, 0)) *
                       static_cast<double>(k.group_scale(0, 0)) * code_scale /
                       std::sqrt(static_cast<double>(d));
  const auto qr = q.row(row);
  std::vector<std::int64_t> qc(d);
  for (std::size_t t = 0; t < d; ++t) qc[t] = query_code(qr[t]);
  const double pos = static_cast<double>(query_position(head, row));
  std::vector<double> out(end);
  for (std::size_t j = 0; j < end; ++j) {
    const auto kr = k.row(j);
    std::int64_t acc = 0;
    for (std::size_t t = 0; t < d; ++t) acc += qc[t] * key_code(kr[t]);
    out[j] = static_cast<double>(acc) * scale -
             head.additive_bias_slope * (pos - static_cast<double>(j));
  }
  return out;
}

}  // namespace pade::models
