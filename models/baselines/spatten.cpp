// SpAtten (Wang et al., HPCA'21): cascade token pruning — keys whose accumulated attention
// probability is lowest are removed for this and every later layer, the keep ratio falling with
// depth — and progressive quantization: K's MSBs are fetched first, and a row whose MSB-only
// softmax is flat (max probability below a threshold) refetches the LSBs and recomputes.
//
// Stand-ins (documented in docs/baselines.md): the accumulated importance of a key is its mean
// probability over this head's sampled rows (the earlier layers SpAtten accumulates over are not
// simulated); the keep ratio at layer l of L is final^(l/(L-1)); head pruning is not modelled.
// Cost (spatten-4): the top-k engine is a quick-select, charged its expected comparisons for the
// kept tokens among the layer's keys (Knuth's formula) at a compare-exchange's energy.
// Rule counters: pairs, kept, rows, row_retained_mass, keys, key_kept (kept tokens),
// row_lsb (rows refetching LSBs), lsb_pairs (kept pairs of those rows).
#include <algorithm>
#include <limits>

#include "models/baselines/common.hpp"

namespace pade::models {

/// Token keep ratio of SpAtten's cascade schedule at `layer` of `layers` (1 at layer 0, `final`
/// at the last layer, geometric in between).
double spatten_keep_ratio(int layer, int layers, double final_keep) {
  if (layers <= 1) return 1.0;
  return std::pow(final_keep, static_cast<double>(layer) / static_cast<double>(layers - 1));
}

namespace {

RuleCounters spatten_rule(const core::AttentionHead& head, const HeadContext& hc,
                          const BaselineContext& ctx) {
  const int b = static_cast<int>(ctx.config.integer("target.operand_bits"));
  const int m = std::min(b, static_cast<int>(ctx.config.integer("spatten.msb_bits")));
  const double flat = knob(ctx, "spatten.flat_threshold");
  const core::QuantSpec spec{b, core::Granularity::per_tensor, 32};
  const core::QuantizedMatrix q = core::quantize(head.q, spec);
  const core::QuantizedMatrix k = core::quantize(head.k, spec);
  const std::size_t n = head.k.rows();

  // Token importance: mean probability over the rows that see the key.
  std::vector<std::vector<double>> exact(head.q.rows());
  std::vector<double> importance(n, 0.0), seen(n, 0.0);
  for (std::size_t i = 0; i < head.q.rows(); ++i) {
    exact[i] = exact_logits(head, i);
    const auto p = softmax(exact[i]);
    for (std::size_t j = 0; j < p.size(); ++j) {
      importance[j] += p[j];
      seen[j] += 1;
    }
  }
  std::vector<double> score(n, -std::numeric_limits<double>::infinity());
  std::size_t candidates = 0;
  for (std::size_t j = 0; j < n; ++j)
    if (seen[j] > 0) {
      score[j] = importance[j] / seen[j];
      ++candidates;
    }
  const double keep =
      spatten_keep_ratio(hc.layer, hc.total_layers, knob(ctx, "spatten.final_token_keep"));
  const auto tokens = top_k_mask(
      score, static_cast<std::size_t>(std::ceil(keep * static_cast<double>(candidates))));

  RuleCounters c;
  KeyUnion keys(n);
  const double msb_scale = std::ldexp(1.0, b - m);
  for (std::size_t i = 0; i < head.q.rows(); ++i) {
    const std::size_t end = exact[i].size();
    std::vector<char> kept(tokens.begin(), tokens.begin() + static_cast<std::ptrdiff_t>(end));
    // Progressive quantization over the kept tokens: MSB-only scores, softmax, flatness check.
    const auto est = code_logits(
        head, q, k, i, [&](std::int16_t x) { return msb_code(x, b, m); }, IdentityCode{},
        msb_scale);
    std::vector<double> kept_est;
    for (std::size_t j = 0; j < end; ++j)
      if (kept[j]) kept_est.push_back(est[j]);
    const auto p = softmax(kept_est);
    const double pmax = p.empty() ? 1.0 : *std::max_element(p.begin(), p.end());
    if (pmax < flat) {
      c["row_lsb"] += 1;
      c["lsb_pairs"] += static_cast<double>(kept_est.size());
    } else {
      c["row_lsb"] += 0;
      c["lsb_pairs"] += 0;
    }
    count_row(c, exact[i], kept);
    keys.add_row(kept);
  }
  count_union(c, keys);
  return c;
}

core::Metrics spatten_cost(const BaselineContext& ctx, const workloads::Benchmark& bench,
                           const BaselineStats& s) {
  const AcceleratorTarget t = accelerator_target(ctx, "spatten");
  const double ft = knob(ctx, "spatten.topk_area_fraction");
  const int b = t.operand_bits;
  const int m = std::min(b, static_cast<int>(ctx.config.integer("spatten.msb_bits")));
  const std::vector<ComputeUnit> units = {
      {"exec", OpKind::IntMac, b, 1.0 - ft, 0},
      {"topk", OpKind::CompareExchange, 16, ft, 0},
      {"exp", OpKind::Exp, 16, 0, knob(ctx, "target.exp_units")}};
  const double lsb_rows = s.get("row_lsb");
  std::vector<GroupWork> groups;
  for (const auto& g : bench.groups) {
    const double d = g.head_dim, pairs = g.pairs_per_head(), kept = pairs * s.kept_fraction();
    const double lsb = pairs * s.get("lsb_pairs");
    const double queries = static_cast<double>(g.queries), keys = static_cast<double>(g.keys);
    GroupWork w;
    w.heads = static_cast<double>(g.layers) * g.q_heads;
    w.work.ops.assign(units.size(), 0.0);
    // QKᵀ on kept tokens (again for rows that refetch LSBs), P·V; exp per kept pair (and again on
    // refetch). Top-k engine: the importance accumulation (one 16-bit add per kept pair) and the
    // quick-select of the surviving tokens among this layer's keys (expected comparisons).
    w.work.ops[0] = kept * d + lsb * d + kept * d;
    add_part(w.work, units, 1, "accumulate", kept, OpKind::IntAdd, 16);
    add_part(w.work, units, 1, "select", quickselect_compares(keys, keys * s.get("key_kept", 1.0)));
    w.work.ops[2] = kept + lsb;
    // Pruned tokens are never fetched; K's MSBs first, LSBs for the flat rows' share of the stream.
    const DataflowPlan kv = plan_dataflow(t.dataflow, g, b);
    const double tok = kv.key_reads_per_q_head() * s.get("key_kept", 1.0);
    const double bytes = tok * d * m / 8.0 + tok * d * (b - m) / 8.0 * lsb_rows +
                         tok * d * b / 8.0 + queries * d * b / 8.0 + queries * d * 2.0;
    w.work.dram_bytes = bytes;
    w.work.sram_read_bits = (kept + lsb) * d * b + kept * d * b;
    w.work.sram_write_bits = bytes * 8.0;
    groups.push_back(std::move(w));
  }
  core::Metrics out = accelerator_metrics(ctx, bench, t, units, groups, s.kept_fraction());
  out.set("lsb_refetch_rows", lsb_rows);
  return out;
}

}  // namespace

void register_spatten(BaselineRegistry& r) {
  r.add({"spatten",
         "SpAtten (HPCA'21): cascade token pruning by accumulated attention, progressive "
         "quantization",
         "spatten-4", spatten_rule, spatten_cost});
}

}  // namespace pade::models
