#pragma once
// The coarse model: a first-order, roofline-style estimate of PADE latency, energy and area
// from the workload digest. Each attention head is charged the maximum of its QK-PU, V-PU,
// softmax and DRAM times (perfect overlap); no task graph, no queueing, no tile-level effects.
// It exists to screen configurations and as the thin end-to-end slice; the analytical and
// event-driven models over the tile-stage task graph are the real fidelities.
#include <span>

#include "core/metrics.hpp"
#include "models/hardware.hpp"
#include "models/workload_stats.hpp"
#include "workloads/catalog.hpp"

namespace pade::models {

[[nodiscard]] core::Metrics coarse_model(const HardwareConfig& hw, const workloads::Benchmark& benchmark,
                                         const WorkloadStats& stats);

/// Area by component (mm^2) — shared by every fidelity.
struct AreaBreakdown {
  double sram_mm2 = 0;
  double qk_pu_mm2 = 0;
  double v_pu_mm2 = 0;
  [[nodiscard]] double total() const { return sram_mm2 + qk_pu_mm2 + v_pu_mm2; }
};
[[nodiscard]] AreaBreakdown area_breakdown(const HardwareConfig& hw);

}  // namespace pade::models
