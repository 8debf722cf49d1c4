#include "models/dataflow.hpp"

#include <algorithm>
#include <cmath>

namespace pade::models {

namespace {

constexpr double kRowCap = 1 << 30;  // "unbounded" rows (accumulators outside the buffers)

int rows_that_fit(double buffer_kib, double row_bytes) {
  return static_cast<int>(std::clamp(std::floor(buffer_kib * 1024.0 / row_bytes), 0.0, kRowCap));
}

}  // namespace

double DataflowPlan::fetch_scale() const {
  const double template_reads = groups_per_head * gqa * visible_per_row / share();
  return template_reads > 0 ? key_reads_per_kv_head() / template_reads : 1.0;
}

DataflowPlan plan_dataflow(const Dataflow& df, const workloads::AttentionGroup& g,
                           int operand_bits) {
  DataflowPlan p;
  const double queries = std::max(1.0, static_cast<double>(g.queries));
  const double keys = std::max(1.0, static_cast<double>(g.keys));
  const double d = std::max(1, g.head_dim);
  const int group_rows = std::max(1, df.group_rows);
  p.rows_per_group = static_cast<int>(std::min<double>(group_rows, queries));
  p.groups_per_head = std::ceil(queries / group_rows);
  p.gqa = std::max(1.0, static_cast<double>(g.q_heads) / std::max(1, g.kv_heads));
  p.visible_per_row = std::clamp(g.pairs_per_head() / queries, 1.0, keys);
  // Query tile: whole query groups whose Q rows and accumulators the buffers hold.
  const double row_bytes = d * operand_bits / 8.0;  // one Q, K or V row at operand precision
  p.q_rows_fit = rows_that_fit(df.q_buffer_kib, row_bytes);
  p.acc_rows_fit = df.accumulator_home == AccumulatorHome::OutBuffer
                       ? rows_that_fit(df.out_buffer_kib, d * df.accumulator_bits / 8.0 + 8.0)
                       : static_cast<int>(kRowCap);
  const double groups_per_kv_head = p.groups_per_head * p.gqa;
  const double fit_groups = std::floor(std::min(p.q_rows_fit, p.acc_rows_fit) / p.rows_per_group);
  p.groups_per_tile = df.kv_reuse == KvReuse::QueryGroup
                          ? 1
                          : static_cast<int>(std::clamp(fit_groups, 1.0, groups_per_kv_head));
  p.query_tiles = std::ceil(groups_per_kv_head / p.groups_per_tile);
  // Residency: the head's K and V at operand precision within the budget of the K/V buffer.
  const double kv_head_bytes = keys * 2.0 * row_bytes;
  p.resident = df.kv_reuse == KvReuse::Head &&
               kv_head_bytes <= df.resident_budget * df.kv_buffer_kib * 1024.0;
  if (p.resident) {
    p.passes = 1;
    p.keys_per_pass = keys;
    return p;
  }
  // A tile's groups are taken position-major across the GQA heads, so it spans this many query
  // rows of a head; a causal tile streams what its last row sees, (span - 1) / 2 keys beyond the
  // mean row.
  const double blocks = std::ceil(p.groups_per_tile / p.gqa);
  const double span = std::min(queries, blocks * p.rows_per_group);
  p.passes = p.query_tiles;
  p.keys_per_pass = std::min(keys, p.visible_per_row + (g.causal ? (span - 1.0) / 2.0 : 0.0));
  return p;
}

void add_dataflow_metrics(core::Metrics& m, const Dataflow& df,
                          const workloads::Benchmark& benchmark, int operand_bits) {
  double streams = 0, kv_heads = 0, resident = 0;
  int rows_per_tile = 0;
  for (const auto& g : benchmark.groups) {
    const DataflowPlan p = plan_dataflow(df, g, operand_bits);
    if (rows_per_tile == 0) rows_per_tile = p.rows_per_tile();
    const double heads = static_cast<double>(g.layers) * g.q_heads / p.gqa;
    streams += heads * p.key_reads_per_kv_head();
    kv_heads += heads;
    resident += p.resident ? heads : 0.0;
  }
  m.set("dataflow_rows_per_tile", rows_per_tile);
  m.set("dataflow_key_streams", streams);
  m.set("dataflow_resident_fraction", kv_heads > 0 ? resident / kv_heads : 0.0);
}

}  // namespace pade::models
