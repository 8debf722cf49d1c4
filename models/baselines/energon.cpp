// Energon (Zhou et al., TCAD'23): mixed-precision multi-round filtering. Round 1 scores every
// visible pair with 2-bit (MSB) Q and K and keeps keys above a mean-based threshold
// mean + β·(max − mean) of the row's estimates; round 2 re-scores the survivors at 4 bits with
// the same rule; full-precision attention runs on what is left. Keys are re-read every round.
// Rule counters: pairs, kept, rows, row_retained_mass, keys, key_kept, round2 (pairs entering
// round 2), key_round2 (keys any row sends to round 2).
#include <algorithm>
#include <numeric>

#include "models/baselines/common.hpp"

namespace pade::models {

/// Mean-based filter: entries of `scores` flagged in `candidates` that reach
/// mean + beta·(max − mean) over the candidates.
std::vector<char> energon_filter(std::span<const double> scores, std::span<const char> candidates,
                                 double beta) {
  double sum = 0, n = 0, mx = -1e300;
  for (std::size_t j = 0; j < scores.size(); ++j)
    if (candidates[j]) {
      sum += scores[j];
      n += 1;
      mx = std::max(mx, scores[j]);
    }
  std::vector<char> out(scores.size(), 0);
  if (n == 0) return out;
  const double mean = sum / n;
  const double threshold = mean + beta * (mx - mean);
  for (std::size_t j = 0; j < scores.size(); ++j)
    out[j] = candidates[j] && scores[j] >= threshold ? 1 : 0;
  return out;
}

namespace {

RuleCounters energon_rule(const core::AttentionHead& head, const HeadContext&,
                          const BaselineContext& ctx) {
  const int b = static_cast<int>(ctx.config.integer("target.operand_bits"));
  const int r1 = std::min(b, static_cast<int>(ctx.config.integer("energon.round1_bits")));
  const int r2 = std::min(b, static_cast<int>(ctx.config.integer("energon.round2_bits")));
  const double beta1 = knob(ctx, "energon.beta1"), beta2 = knob(ctx, "energon.beta2");
  const core::QuantSpec spec{b, core::Granularity::per_tensor, 32};
  const core::QuantizedMatrix q = core::quantize(head.q, spec);
  const core::QuantizedMatrix k = core::quantize(head.k, spec);
  RuleCounters c;
  KeyUnion round2_keys(head.k.rows()), keys(head.k.rows());
  for (std::size_t i = 0; i < head.q.rows(); ++i) {
    const auto round = [&](int bits) {
      return code_logits(
          head, q, k, i, [&](std::int16_t x) { return msb_code(x, b, bits); },
          [&](std::int16_t x) { return msb_code(x, b, bits); }, std::ldexp(1.0, 2 * (b - bits)));
    };
    const auto s1 = round(r1);
    const std::vector<char> all(s1.size(), 1);
    const auto survivors = energon_filter(s1, all, beta1);
    const auto kept = energon_filter(round(r2), survivors, beta2);
    c["round2"] += static_cast<double>(std::count(survivors.begin(), survivors.end(), 1));
    round2_keys.add_row(survivors);
    count_row(c, exact_logits(head, i), kept);
    keys.add_row(kept);
  }
  count_union(c, keys);
  c["key_round2"] += round2_keys.kept();
  return c;
}

core::Metrics energon_cost(const BaselineContext& ctx, const workloads::Benchmark& bench,
                           const BaselineStats& s) {
  const AcceleratorTarget t = accelerator_target(ctx, "energon");
  const double f = knob(ctx, "energon.filter_area_fraction");
  const int b = t.operand_bits;
  const int r1 = std::min(b, static_cast<int>(ctx.config.integer("energon.round1_bits")));
  const int r2 = std::min(b, static_cast<int>(ctx.config.integer("energon.round2_bits")));
  const std::vector<ComputeUnit> units = {
      {"filter1", OpKind::IntMac, r1, f / 2.0, 0},
      {"filter2", OpKind::IntMac, r2, f / 2.0, 0},
      {"exec", OpKind::IntMac, b, 1.0 - f, 0},
      {"exp", OpKind::Exp, 16, 0, knob(ctx, "target.exp_units")}};
  std::vector<GroupWork> groups;
  for (const auto& g : bench.groups) {
    const double d = g.head_dim, pairs = g.pairs_per_head(), kept = pairs * s.kept_fraction();
    const double round2 = pairs * s.get("round2");
    const double queries = static_cast<double>(g.queries);
    GroupWork w;
    w.heads = static_cast<double>(g.layers) * g.q_heads;
    w.work.ops = {pairs * d, round2 * d, kept * 2.0 * d, kept};
    // Keys re-read every round: r1 bits of every key, r2 bits of round-2 keys, then full K and V.
    const DataflowPlan kv = plan_dataflow(t.dataflow, g, b);
    const double key_reads = kv.key_reads_per_q_head();
    const double bytes = key_reads * d * r1 / 8.0 +
                         key_reads * s.get("key_round2", 1.0) * d * r2 / 8.0 +
                         2.0 * key_reads * s.get("key_kept", 1.0) * d * b / 8.0 +
                         queries * d * b / 8.0 + queries * d * 2.0;
    w.work.dram_bytes = bytes;
    w.work.sram_read_bits = pairs * d * r1 + round2 * d * r2 + kept * 2.0 * d * b;
    w.work.sram_write_bits = bytes * 8.0;
    groups.push_back(std::move(w));
  }
  return accelerator_metrics(ctx, bench, t, units, groups, s.kept_fraction());
}

}  // namespace

void register_energon(BaselineRegistry& r) {
  r.add(
      {"energon",
       "Energon (TCAD'23): multi-round low-bit filtering (2-bit then 4-bit, mean-based thresholds)",
       "energon-3", energon_rule, energon_cost});
}

}  // namespace pade::models
