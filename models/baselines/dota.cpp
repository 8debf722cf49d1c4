// DOTA (Qu et al., ASPLOS'22): a learned low-rank, low-precision detector scores every pair; each
// row keeps a fixed share of keys; execution at full precision on the kept pairs, token-parallel
// with K/V reuse across queries.
//
// Stand-in for the learned detector (no training data here): a seeded Gaussian random projection
// P (d x k, k = rank_ratio·d, entries N(0, 1/k)) applied to Q and K, the projections quantized to
// the detector precision, scores q̃·k̃ (Johnson–Lindenstrauss: an unbiased estimate of q·k), and
// the top `retention` share of each row's visible keys kept. A trained detector ranks better than
// a random one; the counters report the dense softmax mass the kept keys retain so the effect is
// visible (row_retained_mass), while the cost — what this comparison is about — does not depend
// on how well the detector ranks.
//
// Rule counters: pairs, kept, rows, row_retained_mass, keys, key_kept.
// Cost (dota-4): DOTA's detector projects the layer input X (d_model wide) to the low rank at low
// precision, so its projection is costed as d_model × rank MACs per query and per key (the rule's
// projection of Q and K stands in for it: the traces hold no X).
#include <algorithm>

#include "core/rng.hpp"
#include "models/baselines/common.hpp"

namespace pade::models {

namespace {

core::Matrix project(const core::Matrix& x, const core::Matrix& p) {
  core::Matrix out(x.rows(), p.cols());
  for (std::size_t r = 0; r < x.rows(); ++r)
    for (std::size_t t = 0; t < x.cols(); ++t) {
      const float v = x.at(r, t);
      for (std::size_t c = 0; c < p.cols(); ++c) out.at(r, c) += v * p.at(t, c);
    }
  return out;
}

std::size_t dota_rank(std::size_t d, double ratio) {
  return std::max<std::size_t>(
      1, static_cast<std::size_t>(std::lround(ratio * static_cast<double>(d))));
}

RuleCounters dota_rule(const core::AttentionHead& head, const HeadContext& hc,
                       const BaselineContext& ctx) {
  const std::size_t d = head.q.cols();
  const std::size_t rank = dota_rank(d, knob(ctx, "dota.rank_ratio"));
  const double retention = knob(ctx, "dota.retention");
  // One projection per model head: seeded by the head's label so GQA heads and reruns agree.
  core::Rng rng(hc.seed, "dota/projection/" + hc.label);
  core::Matrix p(d, rank);
  const double sd = 1.0 / std::sqrt(static_cast<double>(rank));
  for (auto& v : p.data()) v = static_cast<float>(rng.normal(0.0, sd));
  const core::QuantSpec spec{static_cast<int>(ctx.config.integer("dota.detector_bits")),
                             core::Granularity::per_tensor, 32};
  const core::QuantizedMatrix q = core::quantize(project(head.q, p), spec);
  const core::QuantizedMatrix k = core::quantize(project(head.k, p), spec);
  // code_logits divides by sqrt(rank); rescale to sqrt(d) so the ALiBi bias has its true weight.
  const double to_d = std::sqrt(static_cast<double>(rank) / static_cast<double>(d));
  RuleCounters c;
  KeyUnion keys(head.k.rows());
  for (std::size_t i = 0; i < head.q.rows(); ++i) {
    const auto est = code_logits(head, q, k, i, IdentityCode{}, IdentityCode{}, to_d);
    const auto count =
        static_cast<std::size_t>(std::ceil(retention * static_cast<double>(est.size())));
    const auto kept = top_k_mask(est, count);
    count_row(c, exact_logits(head, i), kept);
    keys.add_row(kept);
  }
  count_union(c, keys);
  return c;
}

core::Metrics dota_cost(const BaselineContext& ctx, const workloads::Benchmark& bench,
                        const BaselineStats& s) {
  const AcceleratorTarget t = accelerator_target(ctx, "dota");
  const int db = static_cast<int>(ctx.config.integer("dota.detector_bits"));
  const double f = knob(ctx, "dota.detector_area_fraction");
  const int b = t.operand_bits;
  const std::vector<ComputeUnit> units = {
      {"detector", OpKind::IntMac, db, f, 0},
      {"exec", OpKind::IntMac, b, 1.0 - f, 0},
      {"exp", OpKind::Exp, 16, 0, knob(ctx, "target.exp_units")}};
  std::vector<GroupWork> groups;
  for (const auto& g : bench.groups) {
    const double d = g.head_dim, pairs = g.pairs_per_head(), kept = pairs * s.kept_fraction();
    const double rank = static_cast<double>(
        dota_rank(static_cast<std::size_t>(g.head_dim), knob(ctx, "dota.rank_ratio")));
    const double queries = static_cast<double>(g.queries);
    const double share = static_cast<double>(g.kv_heads) / g.q_heads;
    GroupWork w;
    w.heads = static_cast<double>(g.layers) * g.q_heads;
    w.work.ops.assign(units.size(), 0.0);
    // Detector: its low-rank, low-precision projections of X (d_model -> rank) for Q̃ (per query
    // head) and K̃ (per KV head), then rank low-bit MACs per pair.
    add_part(w.work, units, 0, "projection",
             (queries + static_cast<double>(g.keys) * share) * model_width(g) * rank);
    add_part(w.work, units, 0, "scores", pairs * rank);
    w.work.ops[1] = kept * 2.0 * d;
    w.work.ops[2] = kept;
    // K streams once per pass (projected on the fly, then kept for execution); V only where needed.
    const DataflowPlan kv = plan_dataflow(t.dataflow, g, b);
    const double key_reads = kv.key_reads_per_q_head();
    const double bytes = key_reads * d * b / 8.0 +
                         key_reads * s.get("key_kept", 1.0) * d * b / 8.0 + queries * d * b / 8.0 +
                         queries * d * 2.0;
    w.work.dram_bytes = bytes;
    // X rows read by the projection (on chip: X is the layer's input, outside the attention
    // modelled here, so no DRAM bytes for it).
    w.work.sram_read_bits = pairs * rank * db + kept * 2.0 * d * b +
                            (queries + static_cast<double>(g.keys) * share) * model_width(g) * db;
    w.work.sram_write_bits = bytes * 8.0;
    groups.push_back(std::move(w));
  }
  return accelerator_metrics(ctx, bench, t, units, groups, s.kept_fraction());
}

}  // namespace

void register_dota(BaselineRegistry& r) {
  r.add({"dota",
         "DOTA (ASPLOS'22): low-rank low-precision detector (seeded random-projection stand-in), "
         "fixed per-row "
         "retention, K/V reuse",
         "dota-4", dota_rule, dota_cost});
}

}  // namespace pade::models
