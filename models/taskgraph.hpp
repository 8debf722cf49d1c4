#pragma once
// The tile-stage task graph both hardware fidelities consume (docs/hardware-models.md §2).
//
// A benchmark is billions of query-key pairs, but every key tile of a query group is, in the
// digest's statistics, the same tile: the statistics are per-pair averages. So the graph is a
// *periodic template*: the stages of ONE representative tile-step (one query group of
// `qk_pu.rows` queries against one key tile), plus the once-per-query-group stages (Q load, BUI
// generation, normalization, output write). Edges carry a `distance` in tile-steps: 0 for a data
// dependency inside the tile-step, k > 0 for a dependency on the tile-step k later (buffer
// capacity: the (t+W)-th tile may start fetching only when tile t has left the K buffer; the
// V-PU accumulates tiles in order; the in-order policy keeps qk_pu.tiles_in_flight tiles in
// their rounds).
//
// Multiplying out: per attention group g of the benchmark, the stream holds
//   M_g = query_groups_g x tiles_g  tile-steps,
// query_groups_g = layers x q_heads x ceil(queries / rows), tiles_g = ceil(mean visible keys per
// query row / tile_keys), each tile-step holding keys_per_tile = mean visible keys / tiles_g keys.
// The analytical model solves the template's steady-state period P and fill latency F and charges
// F + M_g P; the event-driven model unrolls the template over a window of tile-steps (two query
// groups, at most EventSimOptions::tiles_per_group tiles each), executes it, and extrapolates with
// the measured period. The out-of-order round chain (plane fetch -> QK round -> threshold ->
// next plane fetch) is column-wise: edges between two nodes with `columns` > 1 connect column c to
// column c (a key's next plane waits for its own bounds only; the guard threshold may be stale,
// which is safe because it only rises). Attention groups (e.g. the stages of a pyramid vision
// model) run one after another.
#include <boost/graph/adjacency_list.hpp>

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "models/hardware.hpp"
#include "models/hbm.hpp"
#include "models/workload_stats.hpp"
#include "workloads/catalog.hpp"

namespace pade::models {

/// Execution resources. DRAM = the HBM pseudo-channels; QkPu = the lanes; the others are the
/// per-row BUI generators and threshold units, the exp units and the V-PU.
enum class Unit : std::uint8_t { Dram, QkPu, Bui, Threshold, Softmax, VPu };
inline constexpr int kUnitCount = 6;
[[nodiscard]] std::string_view to_string(Unit u);
/// The unit's utilization metric, "util_" + to_string(u).
[[nodiscard]] std::string_view util_metric(Unit u);

enum class Stage : std::uint8_t {
  QLoad,
  BuiGen,
  PlaneFetch,
  QkRound,
  Threshold,
  Softmax,
  VFetch,
  PV,
  Normalize,
  OutWrite
};
[[nodiscard]] std::string_view to_string(Stage s);

/// Per tile-step, or once per query group (before its first / after its last tile-step).
enum class Scope : std::uint8_t { Tile, GroupStart, GroupEnd };

struct TaskNode {
  Stage stage = Stage::QkRound;
  Unit unit = Unit::QkPu;
  Scope scope = Scope::Tile;
  int round = -1;      // bit round (0 = MSB) of PlaneFetch / QkRound / Threshold
  double service = 0;  // cycles the unit is busy at its full rate (QkPu: mean over active lanes)
  double latency = 0;  // cycles from the end of service until the result is usable
  double lane_cycles = 0;   // QkPu: lane-cycles of work (pairs x passes)
  double pairs = 0;         // QkPu: (row, key) pairs active in this round (scoreboard entries)
  double dram_bursts = 0;   // DRAM: expected bursts (fractional: an expectation)
  double dram_bytes = 0;    // DRAM: dram_bursts x burst bytes
  bool dram_write = false;  // OutWrite
  // DRAM: the node's stream in the HBM (models/hbm.hpp): its index (its bank), the fraction of
  // the swept region's bursts it moves, and the closed form's cost per burst.
  int dram_stream = 0;
  double dram_density = 1;
  HbmBurstCost dram_cost;
  double dram_row_wait = 0;  // part of `latency`: the closed form's activation and bank waits
  /// Independent key columns the node's work splits into (lanes_per_row for the out-of-order
  /// round chain: lane c of every row holds the same keys, so a key's next plane depends on its
  /// own column only; 1 = the node acts on the tile-step as a whole).
  int columns = 1;
  /// QK-PU: cycles until a column's part is done, i.e. the busiest of its rows' lanes (the
  /// expected maximum of their work); < 0: the column's share of the unit's service.
  double column_service = -1;
  /// Duration of one column's part on the round chain, latency included.
  [[nodiscard]] double column_time() const {
    return (column_service >= 0 ? column_service : service / columns) + latency;
  }
};

enum class EdgeKind : std::uint8_t { Data, Buffer, Order };
struct TaskEdge {
  EdgeKind kind = EdgeKind::Data;
  /// In tile-steps; edges to or from group-scope nodes leave/enter the group's first or last
  /// tile-step, except a back edge from a tile-scope node to a group-start node, which counts query
  /// groups: it leaves a group's last tile-step and enters the start of the group `distance` later
  /// (the Q buffer's prefetch depth).
  int distance = 0;
};

/// The graph's own edge property: the edge's index into TaskGraph::edges (its kind and distance,
/// which depend on the configuration).
struct TaskEdgeId {
  std::uint8_t id = 0;
};

/// The structure of a template: vertices (indexed as TaskGraph names them) and edges. It depends
/// only on the bit rounds and the execution policy, so there is one per (bits, in_order), built
/// once and shared read-only; a TaskGraph weights it for one configuration and workload (node
/// weights in TaskGraph::nodes by vertex index, edge kinds and distances in TaskGraph::edges by
/// TaskEdgeId).
using TaskGraphBase = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS,
                                            boost::no_property, TaskEdgeId>;
using TaskVertex = boost::graph_traits<TaskGraphBase>::vertex_descriptor;
using TaskEdgeDescriptor = boost::graph_traits<TaskGraphBase>::edge_descriptor;

inline constexpr int kMaxBits = 16;
inline constexpr std::size_t kMaxTaskNodes = 3 * kMaxBits + 7;
inline constexpr std::size_t kMaxTaskEdges = 3 * kMaxBits + 12;

/// An edge of a topology in a derived list: its ends and its TaskEdgeId.
struct TopologyEdge {
  std::uint8_t from = 0, to = 0, id = 0;
};

/// The shared structure for one (bits, policy): the Boost graph and lists derived from it once,
/// for the fidelities' inner loops. Which edges have distance 0 is structural (data edges; every
/// buffer and ordering edge reaches at least one tile-step or query group ahead).
struct TaskTopology {
  TaskGraphBase graph;
  std::array<Scope, kMaxTaskNodes> scope{};  // by vertex index
  /// Distance-0 edges, by source in the order group-start, tile, group-end scope, then index: a
  /// topological order of one tile-step with its group's start and end.
  std::vector<TopologyEdge> fill_edges;
  /// Distance-0 edges between tile-scope nodes, by source index (a topological order).
  std::vector<TopologyEdge> tile_forward;
  /// Back edges (distance > 0) between tile-scope nodes, and for each the positions in
  /// tile_forward of the edges on its cycles (on a path from its target to its source).
  std::vector<TopologyEdge> tile_back;
  std::vector<std::vector<std::uint8_t>> cycle_edges;
  /// Per tile_back edge: its cycle edges form one path (no node has two of them coming in), so
  /// the longest path is that path.
  std::vector<std::uint8_t> cycle_is_path;
  /// Back edges from a tile-scope node into a group start (distance in query groups).
  std::vector<TopologyEdge> group_back;
};

/// The shared structure for `bits` rounds (1..kMaxBits) under the given policy.
[[nodiscard]] const TaskTopology& task_topology(int bits, bool in_order);

/// Operation counts of one tile-step or one query group's fixed work (energy model input).
struct OpCounts {
  double key_planes = 0;  // (row, key, plane) lane operations
  double gsat_inputs =
      0;  // active Q elements entering the adder trees (bidirectional: min(ones, zeros))
  double subgroup_adds = 0;     // GSAT sub-group combine additions (16 bit)
  double accum_adds = 0;        // shift-accumulate of the partial score (32 bit)
  double correction_adds = 0;   // bidirectional correction per sub-group and plane (16 bit)
  double bs_logic_ge = 0;       // gate equivalents evaluated in BS selection and multiplexers
  double plane_extract_ge = 0;  // GE evaluated aligning plane records (bit-granular overhead)
  double bit_granular_dram_bytes = 0;  // DRAM bytes of partial bursts beyond the needed planes
  double scoreboard_bits = 0;          // scoreboard bits read + written
  double bound_ops = 0;                // BUI bound additions and guard/max comparisons (32 bit)
  double threshold_ops = 0;            // threshold-unit reductions and updates (32 bit)
  double bui_ops = 0;                  // BUI-generator additions (16 bit) per query row
  double exps = 0;                     // exponentials (kept pairs + rescales)
  double rescale_muls = 0;             // accumulator rescales (FP16 multiplies)
  double v_macs = 0;                   // P.V multiply-accumulates (INT8 x INT8, 32-bit accumulate)
  double norm_ops = 0;                 // output normalization multiplies (FP32)
  double sram_kv_read_bits = 0, sram_kv_write_bits = 0;
  double sram_q_read_bits = 0, sram_q_write_bits = 0;
  double sram_out_read_bits = 0, sram_out_write_bits = 0;
  double dram_read_bytes = 0, dram_write_bytes = 0;
  double dram_activations = 0;  // HBM row activations (closed form, models/hbm.hpp)

  OpCounts& operator+=(const OpCounts& o);
  [[nodiscard]] OpCounts scaled(double k) const;
};

/// The shape of one attention group's stream (see the file comment for the formulas).
struct StreamShape {
  double query_groups = 0;   // N
  int tiles = 1;             // T per query group
  double keys_per_tile = 0;  // mean keys per tile-step
  int rows_used = 1;         // query rows of a group holding a query (decode: 1)
  int lanes_active = 1;      // rows_used x lanes_per_row
  int passes = 1;            // ceil(head_dim / dims_per_lane)
  int head_dim = 0;
  double share = 1;        // query groups sharing each K/V fetch from the buffer
  double fetch_scale = 1;  // DataflowPlan::fetch_scale: K/V DRAM traffic beyond the template's
  int rows_per_tile = 1;   // query rows of a query tile (DataflowPlan)
  bool resident = false;   // the head's K and V stay in the K/V buffer
  int window_tiles = 1;    // tile-steps in flight allowed by the K buffer
  int q_slots = 1;         // query groups whose Q the Q buffer holds (Q-load prefetch depth)
  [[nodiscard]] double tile_steps() const { return query_groups * tiles; }
};

/// The per-pair statistics the graph is built from, after the feature switches (no BUI-GF:
/// every pair runs every round and is kept).
struct EffectiveStats {
  int bits = 8;    // key planes (operand bits)
  int rounds = 8;  // lane rounds per key, ceil(bits / k) (k = algorithm.bits_per_round)
  std::array<int, 16> planes{};     // per round: planes it consumes (k, the last maybe fewer)
  std::array<double, 16> active{};  // per round: the active fraction of its first plane
  std::array<double, 16> fetch{};   // per round, per query group
  double kept = 1;
  double v_fetch = 1;
  double gsat_active = 0.5;  // per processed key plane, fraction of d
  double rescales_per_row = 0;
};
[[nodiscard]] EffectiveStats effective_stats(const HardwareConfig& hw, const WorkloadStats& s);

struct TaskGraph {
  const TaskTopology* topology = nullptr;       // shared (task_topology)
  std::array<TaskNode, kMaxTaskNodes> nodes{};  // by vertex index
  std::array<TaskEdge, kMaxTaskEdges> edges{};  // by TaskEdgeId
  StreamShape shape;
  EffectiveStats stats;
  bool in_order = false;
  int tiles_in_flight = 1;      // in-order: tiles whose rounds the lockstep array interleaves
  int scoreboard_entries = 32;  // per lane
  int hbm_channels = 16;
  double burst_cycles = 1;  // one pseudo-channel's bus time per burst
  HbmParams hbm;            // the HBM the DRAM nodes' streams live in
  int dram_streams = 1;     // streams (one bank each): K rounds, V, Q, output
  OpCounts per_tile;        // expected operations of one tile-step
  OpCounts per_group;       // expected operations once per query group
  // Named vertices: round r's plane fetch, QK round and threshold are 3r, 3r + 1, 3r + 2; the
  // others follow the rounds in the order below.
  std::span<const TaskVertex> plane_fetch, qk_round, threshold;  // per round
  TaskVertex softmax{}, v_fetch{}, pv{}, q_load{}, bui_gen{}, normalize{}, out_write{};

  [[nodiscard]] const TaskGraphBase& graph() const { return topology->graph; }
  [[nodiscard]] const TaskNode& node(TaskVertex v) const { return nodes[v]; }
  [[nodiscard]] const TaskEdge& edge(TaskEdgeDescriptor e) const {
    return edges[topology->graph[e].id];
  }
  [[nodiscard]] std::size_t size() const { return boost::num_vertices(topology->graph); }
};

/// The template for one attention group of a benchmark.
[[nodiscard]] TaskGraph build_task_graph(const HardwareConfig& hw,
                                         const workloads::AttentionGroup& group,
                                         const WorkloadStats& stats);

/// Expected maximum over `lanes` independent lanes of Binomial(keys, p): the lockstep duration
/// (in key-planes) of one round when every lane holds `keys` keys each active with probability p.
[[nodiscard]] double expected_lockstep_max(int keys, double p, int lanes);

}  // namespace pade::models
