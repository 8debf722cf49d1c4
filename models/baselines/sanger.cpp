// Sanger (Lu et al., MICRO'21): Q and K quantized to 4 bits, the full low-bit Q·Kᵀ computed,
// softmaxed and thresholded into a mask; the mask's rows split into 64-wide sub-rows, empty ones
// skipped, dense ones split and sparse ones packed over 16 PEs ("pack & split"); SDDMM then SpMM
// on the kept pairs at full precision. Not tiled: the whole mask and score matrix of a head stay
// on chip, and spill to DRAM when they do not fit.
//
// Cost (sanger-4): the predictor's softmax is an exponential per visible pair (an FP16 exp unit's
// energy) beside the 4-bit MACs; each stage is a named part of its energy.
//
// Rule counters (per head): pairs, kept, rows, row_retained_mass, keys, key_kept (keys kept by
// any sampled row), pe_slots (16-PE passes after pack & split).
#include <algorithm>

#include "models/baselines/common.hpp"

namespace pade::models {

namespace {

/// First-fit-decreasing packing of sub-row counts (each < capacity) into bins of `capacity`.
double pack_bins(std::vector<double> items, double capacity) {
  std::sort(items.begin(), items.end(), std::greater<>());
  std::vector<double> room;
  for (const double it : items) {
    auto bin = std::find_if(room.begin(), room.end(), [&](double r) { return r >= it; });
    if (bin == room.end())
      room.push_back(capacity - it);
    else
      *bin -= it;
  }
  return static_cast<double>(room.size());
}

}  // namespace

/// PE passes of pack & split for the given per-row kept masks (exposed through the rule's counter).
double sanger_pe_slots(const std::vector<std::vector<char>>& masks, std::size_t subrow_width,
                       std::size_t pes) {
  double slots = 0;
  std::vector<double> small;
  for (const auto& m : masks)
    for (std::size_t s = 0; s < m.size(); s += subrow_width) {
      const auto end = std::min(m.size(), s + subrow_width);
      const double n =
          static_cast<double>(std::count(m.begin() + static_cast<std::ptrdiff_t>(s),
                                         m.begin() + static_cast<std::ptrdiff_t>(end), 1));
      if (n == 0) continue;  // empty sub-rows are skipped
      if (n >= static_cast<double>(pes))
        slots += std::ceil(n / static_cast<double>(pes));  // split
      else
        small.push_back(n);  // packed
    }
  return slots + pack_bins(std::move(small), static_cast<double>(pes));
}

namespace {

RuleCounters sanger_rule(const core::AttentionHead& head, const HeadContext&,
                         const BaselineContext& ctx) {
  const int pb = static_cast<int>(ctx.config.integer("sanger.predictor_bits"));
  const double threshold = knob(ctx, "sanger.threshold");
  const core::QuantSpec spec{pb, core::Granularity::per_tensor, 32};
  const core::QuantizedMatrix q = core::quantize(head.q, spec);
  const core::QuantizedMatrix k = core::quantize(head.k, spec);
  RuleCounters c;
  KeyUnion keys(head.k.rows());
  std::vector<std::vector<char>> masks;
  for (std::size_t i = 0; i < head.q.rows(); ++i) {
    const auto p = softmax(code_logits(head, q, k, i, IdentityCode{}));
    std::vector<char> kept(p.size());
    for (std::size_t j = 0; j < p.size(); ++j) kept[j] = p[j] > threshold ? 1 : 0;
    count_row(c, exact_logits(head, i), kept);
    keys.add_row(kept);
    masks.push_back(std::move(kept));
  }
  count_union(c, keys);
  c["pe_slots"] +=
      sanger_pe_slots(masks, static_cast<std::size_t>(ctx.config.integer("sanger.subrow_width")),
                      static_cast<std::size_t>(ctx.config.integer("sanger.pes_per_subrow")));
  return c;
}

core::Metrics sanger_cost(const BaselineContext& ctx, const workloads::Benchmark& bench,
                          const BaselineStats& s) {
  const AcceleratorTarget t = accelerator_target(ctx, "sanger");
  const int pb = static_cast<int>(ctx.config.integer("sanger.predictor_bits"));
  const double f = knob(ctx, "sanger.predictor_area_fraction");
  const double pes = knob(ctx, "sanger.pes_per_subrow");
  const int b = t.operand_bits;
  const std::vector<ComputeUnit> units = {
      {"predictor", OpKind::IntMac, pb, f, 0},
      {"exec", OpKind::IntMac, b, 1.0 - f, 0},
      {"exp", OpKind::Exp, 16, 0, knob(ctx, "target.exp_units")}};
  // Pack & split leaves PE lanes idle: kept pairs over the lanes the passes occupy.
  const double slots = s.get("pe_slots");
  const double balance = slots > 0 ? std::min(1.0, s.kept_fraction() / (slots * pes)) : 1.0;
  std::vector<GroupWork> groups;
  for (const auto& g : bench.groups) {
    const double d = g.head_dim, pairs = g.pairs_per_head(), kept = pairs * s.kept_fraction();
    const double queries = static_cast<double>(g.queries);
    GroupWork w;
    w.heads = static_cast<double>(g.layers) * g.q_heads;
    w.work.ops.assign(units.size(), 0.0);
    // Prediction: d low-bit MACs per visible pair (Q and K are the layer's, quantized: Sanger does
    // not regenerate them from X), then the softmax of those scores — an exponential per pair —
    // and the threshold: the row max, the exponentials' sum and the compare, three 16-bit
    // operations per pair. Execution: QKᵀ and P·V on kept pairs; exact exp per kept pair.
    add_part(w.work, units, 0, "scores", pairs * d);
    add_part(w.work, units, 0, "softmax", pairs, OpKind::Exp, 16);
    add_part(w.work, units, 0, "threshold", 3.0 * pairs, OpKind::IntAdd, 16);
    w.work.ops[1] = kept * 2.0 * d;
    w.work.ops[2] = kept;
    w.work.efficiency = {1.0, balance, 1.0};
    // K is read twice: its 4-bit copy for the prediction, then full K and V for the kept pairs.
    const DataflowPlan kv = plan_dataflow(t.dataflow, g, b);
    const double key_reads = kv.key_reads_per_q_head();
    const double need = s.get("key_kept", 1.0);
    double bytes = key_reads * d * pb / 8.0 + 2.0 * key_reads * need * d * b / 8.0 +
                   queries * d * b / 8.0 + queries * d * 2.0;
    // Untiled: the head's mask (1 bit per visible pair) and kept 16-bit scores stay on chip or
    // spill (written once, read back once).
    const double score_bytes = pairs / 8.0 + kept * 2.0;
    if (score_bytes > t.sram_kib * 1024.0) bytes += 2.0 * score_bytes;
    w.work.dram_bytes = bytes;
    w.work.sram_read_bits = pairs * d * pb + kept * 2.0 * d * b;
    w.work.sram_write_bits = bytes * 8.0;
    groups.push_back(std::move(w));
  }
  core::Metrics m = accelerator_metrics(ctx, bench, t, units, groups, s.kept_fraction());
  m.set("pack_split_efficiency", balance);
  return m;
}

}  // namespace

void register_sanger(BaselineRegistry& r) {
  r.add({"sanger",
         "Sanger (MICRO'21): 4-bit Q·Kᵀ prediction, probability threshold, pack & split, untiled "
         "(spills)",
         "sanger-4", sanger_rule, sanger_cost});
}

}  // namespace pade::models
