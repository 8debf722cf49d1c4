#pragma once
// The coarse model: a first-order, roofline-style estimate of PADE latency, energy and area
// from the workload digest. Each attention head is charged the maximum of its QK-PU, V-PU,
// softmax and DRAM times (perfect overlap); no task graph, no queueing, no tile-level effects.
// It exists to screen configurations and as the thin end-to-end slice; the analytical and
// event-driven models over the tile-stage task graph are the real fidelities. Area comes from
// the component model they share (energy_area.hpp).
#include <span>

#include "core/metrics.hpp"
#include "models/hardware.hpp"
#include "models/workload_stats.hpp"
#include "workloads/catalog.hpp"

namespace pade::models {

[[nodiscard]] core::Metrics coarse_model(const HardwareConfig& hw,
                                         const workloads::Benchmark& benchmark,
                                         const WorkloadStats& stats);

}  // namespace pade::models
