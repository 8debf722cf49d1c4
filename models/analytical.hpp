#pragma once
// The analytical fidelity: a resource-constrained critical path over the tile-stage task graph
// (docs/hardware-models.md §3). For each attention group's periodic template:
//   period P = max( per-unit busy time of one tile-step            (throughput bound),
//                   max over the template's cycles of duration/distance (recurrence bound:
//                     the round chain closed by the K-buffer window, the V double buffer, the
//                     in-order V-PU accumulation, the in-order tile serialization),
//                   pairs per lane / X(entries)  (capacity bound: each lane a closed network
//                     of its scoreboard entries, X its throughput by mean-value analysis;
//                     in-order: 1 / X(K), the lockstep array a closed network of its K tiles in
//                     flight),
//                   the Q buffer's bound                                                  )
//   with DRAM and lane queueing waits that fall as P grows: P is the fixed point, found per term.
//   cycles = F + (M - 1) P, with F the critical path of one query group's first tile-step
//   (Q load -> BUI -> rounds -> softmax/V -> P.V -> output) and M the stream's tile-steps.
#include <array>
#include <string>
#include <vector>

#include "core/metrics.hpp"
#include "models/hardware.hpp"
#include "models/taskgraph.hpp"
#include "models/workload_stats.hpp"
#include "workloads/catalog.hpp"

namespace pade::models {

/// Why the template's period is what it is.
/// TilesInFlight: the in-order array's K tiles, a closed network like the scoreboards'.
enum class Bound : std::uint8_t { Unit, Recurrence, Scoreboard, TilesInFlight };

struct TemplateTiming {
  double period = 0;  // cycles per tile-step in steady state
  double fill = 0;    // critical path of one tile-step with its group's start and end
  std::array<double, kUnitCount> busy{};        // unit busy cycles per tile-step (QK-PU: mean lane)
  double recurrence = 0;                        // largest cycle ratio
  EdgeKind recurrence_edge = EdgeKind::Buffer;  // the back edge closing that cycle
  Stage recurrence_stage = Stage::PlaneFetch;   // ... and its target stage
  double scoreboard = 0;  // capacity bound (scoreboards; in-order: the tiles in flight)
  Bound bound = Bound::Unit;
  Unit bound_unit = Unit::QkPu;
  double lockstep_excess = 0;  // in-order: lockstep max minus mean lane work, per tile-step
};

/// Period and fill of a template. Cycle ratios are found per back edge (distance > 0) with a
/// longest path over the distance-0 subgraph (a DAG); every cycle of the template closes through
/// exactly one back edge (tests check this against Boost's Howard algorithm).
[[nodiscard]] TemplateTiming time_template(const TaskGraph& tg);

/// Edge weight: how long after the source starts the edge's target may start.
[[nodiscard]] double edge_delay(const TaskNode& source, const TaskEdge& edge);

struct AnalyticalResult {
  double cycles = 0;
  OpCounts ops;
  std::array<double, kUnitCount> busy{};  // total busy cycles per unit
  double stall_fill = 0, stall_dram_bandwidth = 0, stall_latency = 0, stall_scoreboard = 0,
         stall_v_side = 0, stall_lockstep = 0, stall_other = 0;  // QK-PU idle cycles by cause
  std::vector<TemplateTiming> groups;
  double tile_steps = 0;
};

[[nodiscard]] AnalyticalResult analyze(const HardwareConfig& hw,
                                       const workloads::Benchmark& benchmark,
                                       const WorkloadStats& stats);

/// The registered model: latency, energy, area, power, utilization, DRAM traffic, stalls.
[[nodiscard]] core::Metrics analytical_model(const HardwareConfig& hw,
                                             const workloads::Benchmark& benchmark,
                                             const WorkloadStats& stats);

/// Metrics both task-graph fidelities share (sparsity and accuracy from the digest).
void add_workload_metrics(core::Metrics& m, const HardwareConfig& hw, const WorkloadStats& stats);

/// QK-PU idle cycles by cause, in the names both task-graph fidelities report: waiting for key
/// planes (latency or bandwidth), lanes idle in a lockstep round behind its busiest lane, waiting
/// for scoreboard entries, waiting for the softmax / V side, and the rest (fill, BUI and threshold
/// chain, Q loads).
struct StallCycles {
  double memory = 0, lockstep = 0, scoreboard = 0, softmax = 0, other = 0;
};
/// `stall_fraction_<cause>` = cycles of that cause / latency cycles (their sum is at most 1: the
/// QK-PU is busy or idle for one reason at a time).
void add_stall_fractions(core::Metrics& m, double cycles, const StallCycles& stalls);

}  // namespace pade::models
