#pragma once
// `pade merge OUT IN...`: join result databases — typically the shards of one campaign run with
// `pade run --shard i/N` on a batch scheduler — into one, and recompute the Pareto ranks and the
// hypervolume over the union (mark_pareto), so the merged database equals a single-process run.
//
// Campaigns are matched by name and must have been run from the same campaign file (spec text,
// seed and strategy); anything else is an InputError. Configurations, benchmarks, evaluations,
// points and cached statistics are copied without duplicates; a point present in two inputs must
// carry the same numbers (deterministic shards always do), otherwise the merge is refused.
// The merged campaign is `finished` only when every input was.
//
// The whole merge is one transaction on OUT: when it fails (an input that does not fit, a
// damaged input, a full disk, a kill), OUT is left as it was — and when it did not exist before,
// it is not left behind. Inputs are only read (read-only connections, any number of them).
#include <span>
#include <string>
#include <vector>

#include "results/store.hpp"

namespace pade::dse {

struct MergeSummary {
  std::vector<std::string> campaigns;  // merged campaign names
  std::size_t points = 0;              // points in OUT after the merge (all campaigns merged)
  std::size_t evaluations = 0;
  std::size_t front_size = 0;  // suite front size, summed over the merged campaigns
};

[[nodiscard]] MergeSummary merge_databases(const std::string& out,
                                           std::span<const std::string> inputs,
                                           const results::StoreOptions& options = {});

}  // namespace pade::dse
