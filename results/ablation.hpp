#pragma once
// The cumulative ablation in the paper's order (PADE, HPCA 2026; /work/shared/design/pade.md):
// the bit-serial reference (in-order lockstep lanes, no early termination, no bidirectional
// sparsity, tiles in order) → + BUI-GF → + BS-OOE → + ISTA, each step adding one mechanism to the
// previous one. It reads the designs of an ablation campaign (examples/campaign-ablation.yaml
// sweeps every combination of the switches) that differ only in the switches, and takes each
// step's per-benchmark latency and energy from the stored evaluations.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "results/store.hpp"
#include "results/table.hpp"

namespace pade::results {

/// The switches one step of the sequence turns on (the rest of the design is the campaign's).
struct AblationFeatures {
  bool bui_gf = false, bidirectional = false, out_of_order = false;
  std::string tile_order = "in_order";
  bool operator==(const AblationFeatures&) const = default;
};

struct AblationStep {
  std::string label;  // "bit-serial reference", "+ BUI-GF", "+ BS-OOE", "+ ISTA"
  AblationFeatures features;
  std::string config_hash;
  std::map<std::string, double> latency_s, energy_j;  // per benchmark
  double latency_geomean = 0, energy_geomean = 0;     // over the benchmarks of every step
  /// Relative to the previous step (this / previous - 1; 0 for the first step).
  double latency_change = 0, energy_change = 0;
};

struct CumulativeAblation {
  std::string fidelity;
  std::vector<std::string> benchmarks;  // those every step has, sorted
  std::vector<AblationStep> steps;
};

/// The sequence's steps in order: labels and switches.
[[nodiscard]] const std::vector<std::pair<std::string, AblationFeatures>>& ablation_sequence();

/// The cumulative ablation of a campaign; NoFigureData (results/plot.hpp) when the campaign lacks
/// designs of every step that are otherwise equal.
[[nodiscard]] CumulativeAblation cumulative_ablation(Store& store, std::int64_t campaign_id);

/// One row per step (geomean latency and energy and their change), or with `per_benchmark`
/// one row per (step, benchmark).
[[nodiscard]] Table cumulative_ablation_table(const CumulativeAblation& a, bool per_benchmark);

}  // namespace pade::results
