#pragma once
// Each accelerator baseline against its own paper, on quantities its same-depth fit did not use
// (issue #18 item 3): the published values are data (models/baselines/data/own_papers.yaml, each
// with its citation, and an explanation when ours is outside ±25 %); ours are computed here by
// running the design's cost model at its published node, clock and area on its own workload
// (catalog suite `baseline-papers`) at the sparsity its paper reports.
#include <string>
#include <vector>

#include "models/baselines/baseline.hpp"

namespace pade::models {

/// One published number: `quantity` is speedup | energy_efficiency (over `against`, same
/// workload), dram_reduction (dense / pruned DRAM bytes of the design itself), power_share:<unit>
/// (a block's share of core power: a unit name, or sram), predictor_to_executor (energy ratio).
struct PublishedQuantity {
  std::string design;
  std::string quantity;
  std::string against;  // speedup / energy_efficiency only
  std::string benchmark;
  double published = 0;
  std::string citation;
  std::string explanation;  // why ours differs (required when outside the tolerance)
  bool fitted = false;      // true: an input of the fit, listed for completeness only
  double kept = 0;          // the kept fraction to run at; 0 = the paper's (published_design)
  core::SourceLocation where;
};

/// The shipped table (PADE_SOURCE_DIR/models/baselines/data/own_papers.yaml).
[[nodiscard]] std::string own_papers_path();
/// core::InputError (file:line:column, key, expectation) on a malformed file.
[[nodiscard]] std::vector<PublishedQuantity> read_own_papers(const std::string& path);

/// The digest a design's paper reports: its kept fraction (published_design) and the rule
/// counters the cost models read, at documented stand-in values (validation.cpp).
[[nodiscard]] BaselineStats paper_stats(const std::string& design, double kept_fraction);

/// Our value of `q` under the `published` normalization.
[[nodiscard]] double own_paper_value(const PublishedQuantity& q, const BaselineContext& ctx,
                                     const workloads::Catalog& catalog);

/// The default tolerance of the comparison (±25 %).
inline constexpr double kOwnPaperTolerance = 0.25;

}  // namespace pade::models
