#pragma once
// One dataflow accounting for every design. PADE's task-graph fidelities (analytical, event), the
// coarse model and every accelerator baseline ask plan_dataflow() how a head's queries are tiled,
// where the output accumulators of a query tile live, whether a head's K/V stay on chip and how
// many times its keys are streamed from DRAM. What a design then reads per streamed key (bit
// planes of the keys still alive, whole words, a predictor's low-bit copy...) is its own
// algorithm; how often the keys go by is not (docs/hardware-models.md §1, "One dataflow
// accounting").
//
// The rule, for one attention group of a benchmark:
//  * Query rows are processed in query groups of `group_rows` rows of one head (PADE's QK-PU rows;
//    every design gets the same granularity). A query tile is a whole number of query groups,
//    drawn position-major from the query heads that share a KV head (GQA), as many as both the Q
//    buffer (Q rows at operand precision) and, when the accumulators live in the output buffer,
//    the output buffer (per row: d accumulators of `accumulator_bits` plus an FP32 running max and
//    sum) hold — at least one query group.
//  * Each K/V tile streamed into the K/V buffer serves every query group of the query tile, so
//    the keys of a KV head are streamed once per query tile (`kv_reuse: query_tile`), once per
//    query group (`query_group`, no reuse across groups), or once in all when the head's K and V
//    at operand precision fit in `resident_budget` of the K/V buffer (`head`, otherwise per query
//    tile). A causal tile streams the keys its last row sees.
#include <array>
#include <string_view>

#include "core/enum_table.hpp"
#include "core/metrics.hpp"
#include "workloads/catalog.hpp"

namespace pade::models {

/// Where the output accumulators of a query tile live.
enum class AccumulatorHome { OutBuffer, Datapath };
inline constexpr core::EnumTable kAccumulatorHomeNames{
    std::to_array<core::EnumName<AccumulatorHome>>({
        {AccumulatorHome::OutBuffer, "out_buffer"},
        {AccumulatorHome::Datapath, "datapath"},
    })};
constexpr const auto& enum_table(AccumulatorHome) {
  return kAccumulatorHomeNames;
}

/// How far K/V fetched into the K/V buffer are reused.
enum class KvReuse { QueryGroup, QueryTile, Head };
inline constexpr core::EnumTable kKvReuseNames{std::to_array<core::EnumName<KvReuse>>({
    {KvReuse::QueryGroup, "query_group"},
    {KvReuse::QueryTile, "query_tile"},
    {KvReuse::Head, "head"},
})};
constexpr const auto& enum_table(KvReuse) {
  return kKvReuseNames;
}

/// How every design's DRAM traffic is charged (`memory.dram_model`, models/hbm.hpp): `bandwidth`
/// = bytes over the peak bandwidth at a flat energy per bit (the accounting designs were first
/// evaluated with); `row_buffer` = the HBM's banks, rows, JEDEC timings, refresh and activation
/// energy (docs/hardware-models.md §6a says why it is not the default yet).
enum class DramModel { Bandwidth, RowBuffer };
inline constexpr core::EnumTable kDramModelNames{std::to_array<core::EnumName<DramModel>>({
    {DramModel::Bandwidth, "bandwidth"},
    {DramModel::RowBuffer, "row_buffer"},
})};
constexpr const auto& enum_table(DramModel) {
  return kDramModelNames;
}

/// The policy part of the dataflow: hardware parameters `dataflow.*` (models/hardware.cpp). The
/// initializers are the defaults, the same for every design (docs/hardware-models.md §1 says why).
struct DataflowPolicy {
  int accumulator_bits = 32;  // output accumulator precision (FP32, as FlashAttention keeps them)
  AccumulatorHome accumulator_home = AccumulatorHome::OutBuffer;
  KvReuse kv_reuse = KvReuse::Head;
  /// Share of the K/V buffer a resident head's K and V may take: 0.5 leaves the other half to
  /// fetch the next head while this one computes (ping-pong); above 1 reads as "the head's
  /// retained keys fit" at a retention of 1 / budget (the paper's sizing remark: 5 = 20 %).
  double resident_budget = 0.5;
  /// `memory.dram_model`: kept with the policy every design shares (BaselineContext::dataflow),
  /// so PADE and the baselines charge DRAM one way.
  DramModel dram_model = DramModel::Bandwidth;
};

/// A design's buffers and policy: everything plan_dataflow() reads besides the workload.
struct Dataflow : DataflowPolicy {
  double kv_buffer_kib = 0;
  double q_buffer_kib = 0;
  double out_buffer_kib = 0;
  int group_rows = 8;  // query rows processed together (PADE: qk_pu.rows)
};

/// How one attention group's queries are tiled and how often its keys are streamed.
struct DataflowPlan {
  int rows_per_group = 1;      // query rows of a query group (decode: 1)
  double groups_per_head = 1;  // query groups of one query head
  double gqa = 1;              // query heads sharing one KV head
  int q_rows_fit = 0;          // query rows the Q buffer holds
  int acc_rows_fit = 0;        // rows whose accumulators the output buffer holds (datapath: max)
  int groups_per_tile = 1;     // query groups of a query tile
  double query_tiles = 1;      // query tiles per KV head
  bool resident = false;       // the head's K and V stay in the K/V buffer
  double passes = 1;           // streams of the KV head's keys
  double keys_per_pass = 0;    // keys each stream reads
  double visible_per_row = 0;  // mean keys a query row sees
  [[nodiscard]] int rows_per_tile() const { return groups_per_tile * rows_per_group; }
  /// Query groups served by each streamed K/V tile.
  [[nodiscard]] double share() const {
    return resident ? groups_per_head * gqa : static_cast<double>(groups_per_tile);
  }
  /// Keys streamed from DRAM per KV head (each a K and a V row, or the parts a design reads).
  [[nodiscard]] double key_reads_per_kv_head() const { return passes * keys_per_pass; }
  [[nodiscard]] double key_reads_per_q_head() const { return key_reads_per_kv_head() / gqa; }
  /// Keys streamed per KV head over what a per-query-group template charges when each group's
  /// fetch of its mean visible keys is split over the share() groups that take it (>= 1 but for
  /// rounding: the tiles' causal spans, a last partial tile, a resident head's invisible keys).
  [[nodiscard]] double fetch_scale() const;
};

/// The plan of one attention group for a design whose Q, K and V are `operand_bits` wide.
[[nodiscard]] DataflowPlan plan_dataflow(const Dataflow& df, const workloads::AttentionGroup& g,
                                         int operand_bits);

/// Metrics every design reports, so that designs can be checked to share one accounting:
/// `dataflow_rows_per_tile` (of the benchmark's first attention group), `dataflow_key_streams`
/// (keys streamed from DRAM over the benchmark: per KV head, times layers and KV heads) and
/// `dataflow_resident_fraction` (share of the benchmark's KV heads that stay resident).
void add_dataflow_metrics(core::Metrics& m, const Dataflow& df,
                          const workloads::Benchmark& benchmark, int operand_bits);

}  // namespace pade::models
