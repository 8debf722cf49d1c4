// SOFA (Wang et al., MICRO'24): log-domain leading-zero prediction (each key code becomes its sign
// and leading-one position, so products become shifts), distributed top-k sorting (16-to-4 sort
// cores), sorted-updating FlashAttention (the max is known from the top-k, so no rescales),
// cross-stage tiling (one K tile serves prediction and execution) and K/V reuse scheduling.
//
// Rule: Q at the operand precision, each K code replaced by sign·2^⌊log2|k|⌋, estimated scores
// ranked, the top `keep_ratio` share of each row's visible keys kept.
// Rule counters: pairs, kept, rows, row_retained_mass, keys, key_kept.
// Cost (sofa-4): the predictor's K̂ comes from X·W_k in the log domain (costed from d_model × d; the
// rule still ranks with K's leading-one codes, a stand-in since the traces hold no X), and the
// sorter is sized as SOFA's 16-to-4 cores with passes until the top-k remain.
#include <algorithm>
#include <bit>

#include "models/baselines/common.hpp"

namespace pade::models {

/// SOFA's leading-one approximation of a key code: sign·2^⌊log2|c|⌋ (0 stays 0).
std::int64_t sofa_leading_one(std::int16_t c) {
  if (c == 0) return 0;
  const auto mag = static_cast<std::uint32_t>(c < 0 ? -static_cast<std::int32_t>(c) : c);
  const auto p = static_cast<std::int64_t>(std::bit_floor(mag));
  return c < 0 ? -p : p;
}

namespace {

RuleCounters sofa_rule(const core::AttentionHead& head, const HeadContext&,
                       const BaselineContext& ctx) {
  const core::QuantSpec spec{static_cast<int>(ctx.config.integer("target.operand_bits")),
                             core::Granularity::per_tensor, 32};
  const core::QuantizedMatrix q = core::quantize(head.q, spec);
  const core::QuantizedMatrix k = core::quantize(head.k, spec);
  const double keep = knob(ctx, "sofa.keep_ratio");
  RuleCounters c;
  KeyUnion keys(head.k.rows());
  for (std::size_t i = 0; i < head.q.rows(); ++i) {
    const auto est = code_logits(head, q, k, i, sofa_leading_one);
    const auto kept = top_k_mask(
        est, static_cast<std::size_t>(std::ceil(keep * static_cast<double>(est.size()))));
    count_row(c, exact_logits(head, i), kept);
    keys.add_row(kept);
  }
  count_union(c, keys);
  return c;
}

/// Compare-exchanges per visible pair of SOFA's distributed sorting (16-to-4 cores, passes until
/// the row's top-k remain): linear in the row length at a fixed keep ratio, so per pair.
double sofa_sort_per_pair(const core::CoefficientTable& c, double keep) {
  const double in = c.get("baseline.sort_core_inputs"), out = c.get("baseline.sort_core_outputs");
  const double core_cmp = c.get("baseline.sort_cmp_per_element") * in;
  const double n = 1024;  // any length: the count is linear in it
  return sorting_network_compares(n, keep * n, in, out, core_cmp) / n;
}

core::Metrics sofa_cost(const BaselineContext& ctx, const workloads::Benchmark& bench,
                        const BaselineStats& s) {
  const AcceleratorTarget t = accelerator_target(ctx, "sofa");
  const double fp = knob(ctx, "sofa.predictor_area_fraction"),
               fs = knob(ctx, "sofa.sorter_area_fraction");
  const int b = t.operand_bits;
  // Shift-and-add of a b-bit operand by up to 2^(b-1): an adder of 2b bits per term.
  const std::vector<ComputeUnit> units = {
      {"predictor", OpKind::IntAdd, 2 * b, fp, 0},
      {"sorter", OpKind::CompareExchange, 16, fs, 0},
      {"exec", OpKind::IntMac, b, 1.0 - fp - fs, 0},
      {"exp", OpKind::Exp, 16, 0, knob(ctx, "target.exp_units")}};
  const double lz_bits =
      1.0 + std::ceil(std::log2(static_cast<double>(b)));  // sign + leading-one position
  const double sort_per_pair = sofa_sort_per_pair(ctx.coefficients, s.kept_fraction());
  const double reuse = 1.0 - knob(ctx, "sofa.kv_reuse_saving");
  std::vector<GroupWork> groups;
  for (const auto& g : bench.groups) {
    const double d = g.head_dim, pairs = g.pairs_per_head(), kept = pairs * s.kept_fraction();
    const double queries = static_cast<double>(g.queries), keys = static_cast<double>(g.keys);
    const double share = static_cast<double>(g.kv_heads) / g.q_heads, dm = model_width(g);
    GroupWork w;
    w.heads = static_cast<double>(g.layers) * g.q_heads;
    w.work.ops.assign(units.size(), 0.0);
    // Prediction (DLZS): X's elements encoded to sign + leading-one once per layer (spread over
    // its query heads), K̂ = X·W_k in the log domain (one shift-add per d_model × d term, per KV
    // head), then Q·K̂ as d shift-adds per pair. Sorting: the 16-to-4 cores' compare-exchanges.
    add_part(w.work, units, 0, "encode", keys * dm / g.q_heads);
    add_part(w.work, units, 0, "projection", keys * share * dm * d);
    add_part(w.work, units, 0, "scores", pairs * d);
    add_part(w.work, units, 1, "sort", pairs * sort_per_pair);
    w.work.ops[2] = kept * 2.0 * d;
    w.work.ops[3] = kept;
    // Cross-stage tiling: one K stream serves prediction and execution; V only where needed; the
    // reuse scheduler saves a share of both. X is on chip for SOFA's KV generation (outside the
    // attention modelled here), so the projection adds SRAM reads of X codes, not DRAM bytes.
    const DataflowPlan kv = plan_dataflow(t.dataflow, g, b);
    const double key_reads = kv.key_reads_per_q_head();
    const double bytes =
        reuse * (key_reads * d * b / 8.0 + key_reads * s.get("key_kept", 1.0) * d * b / 8.0) +
        queries * d * b / 8.0 + queries * d * 2.0;
    w.work.dram_bytes = bytes;
    w.work.sram_read_bits =
        keys * share * dm * lz_bits + pairs * d * lz_bits + pairs * 16.0 + kept * 2.0 * d * b;
    w.work.sram_write_bits = bytes * 8.0;
    groups.push_back(std::move(w));
  }
  return accelerator_metrics(ctx, bench, t, units, groups, s.kept_fraction());
}

}  // namespace

void register_sofa(BaselineRegistry& r) {
  r.add({"sofa",
         "SOFA (MICRO'24): leading-zero log-domain prediction, distributed top-k, sorted-updating "
         "FlashAttention, cross-stage tiling, K/V reuse",
         "sofa-4", sofa_rule, sofa_cost});
}

}  // namespace pade::models
