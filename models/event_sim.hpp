#pragma once
// The event-driven fidelity: a deterministic discrete-event simulator executing the tile-stage
// task graph (docs/hardware-models.md §5). It unrolls the template over a window of tile-steps
// (enough query groups for `min_steps` tile-steps, at least two, each with up to
// `tiles_per_group` tiles), draws each (row, key) pair's
// number of rounds from the digest's per-round active fractions (seeded, so every run is the
// same), and executes every node instance on its unit:
//  - QK-PU: every lane individually; out-of-order lanes serve ready work in arrival order and
//    keep up to `scoreboard_entries` pairs in flight (a tile enters only when every lane has room
//    for its keys; entries free as pairs are pruned or finish); in-order lanes run each round in
//    lockstep (a round lasts as long as its busiest lane), the array taking ready rounds of its
//    qk_pu.tiles_in_flight tiles first come, first served;
//  - HBM: each pseudo-channel a FIFO server of whole bursts, requests spread over channels,
//    data usable one access latency after its burst;
//  - BUI generators, threshold units, exp units and the V-PU: pipelined FIFO servers.
// The whole benchmark is then the window's makespan plus the remaining tile-steps at the
// window's steady-state period: the least-squares slope of the tile-steps' P.V completion times
// over the window's middle (its first quarter, still filling, and last tenth, draining, left out).
#include <cstdint>
#include <string>

#include "core/metrics.hpp"
#include "models/hardware.hpp"
#include "models/taskgraph.hpp"
#include "models/workload_stats.hpp"
#include "workloads/catalog.hpp"

namespace pade::models {

struct EventSimOptions {
  int min_steps = 192;  // tile-steps simulated per attention group (at least, when it has them)
  int min_groups = 2;   // query groups simulated (at least, when it has them)
  int tiles_per_group = 32;  // tiles simulated per query group (at most)
  std::uint64_t seed = 1;    // per-pair round draws
  bool trace = false;        // record a Chrome/Perfetto trace of the first attention group
  std::size_t max_trace_events = 50000;
};

struct EventSimResult {
  double cycles = 0;            // whole benchmark (extrapolated)
  double simulated_cycles = 0;  // makespan of the simulated windows
  double simulated_tile_steps = 0;
  double tile_steps = 0;
  std::uint64_t events = 0;  // events processed
  OpCounts ops;              // expected operations of the whole benchmark (energy input)
  std::array<double, kUnitCount> busy_fraction{};  // per unit, over the simulated windows
  // QK lane idle by cause, whole run (softmax: waiting for the V side; dependency: the rest).
  double stall_memory = 0, stall_scoreboard = 0, stall_lockstep = 0, stall_softmax = 0,
         stall_dependency = 0;
  double stall_basis = 0;            // the simulated windows' makespans, scaled as the stalls are
  double scoreboard_wait_tiles = 0;  // simulated tiles that waited for scoreboard entries
  std::string trace_json;            // when requested
};

[[nodiscard]] EventSimResult simulate_events(const HardwareConfig& hw,
                                             const workloads::Benchmark& benchmark,
                                             const WorkloadStats& stats,
                                             const EventSimOptions& options = {});

/// The registered model (default options).
[[nodiscard]] core::Metrics event_model(const HardwareConfig& hw,
                                        const workloads::Benchmark& benchmark,
                                        const WorkloadStats& stats);

}  // namespace pade::models
