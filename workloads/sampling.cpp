#include "workloads/sampling.hpp"

#include <algorithm>

#include "core/rng.hpp"

namespace pade::workloads {

std::string SamplingPlan::key() const {
  return "layers=" + std::to_string(layers) + ";heads=" + std::to_string(heads_per_layer) +
         ";row_groups=" + std::to_string(row_groups) + ";rows=" + std::to_string(rows_per_group);
}

std::vector<HeadSample> sample_heads(const Benchmark& benchmark, const SamplingPlan& plan,
                                     std::uint64_t seed) {
  std::vector<HeadSample> out;
  for (std::size_t g = 0; g < benchmark.groups.size(); ++g) {
    const AttentionGroup& group = benchmark.groups[g];
    // Layers: evenly spaced, deduplicated.
    std::vector<int> layers;
    const int n_layers = std::min(plan.layers, group.layers);
    for (int i = 0; i < n_layers; ++i) {
      const int l =
          n_layers == 1
              ? group.layers / 2
              : static_cast<int>((static_cast<long>(i) * (group.layers - 1)) / (n_layers - 1));
      if (layers.empty() || layers.back() != l) layers.push_back(l);
    }
    // Rows: stratified blocks of consecutive rows.
    std::vector<std::size_t> rows;
    const auto queries = static_cast<std::size_t>(group.queries);
    const auto block = static_cast<std::size_t>(std::max(1, plan.rows_per_group));
    const std::size_t blocks_total = (queries + block - 1) / block;
    const std::size_t blocks =
        std::min<std::size_t>(static_cast<std::size_t>(std::max(1, plan.row_groups)), blocks_total);
    for (std::size_t b = 0; b < blocks; ++b) {
      // Centre of stratum b, so the first and last blocks are not systematically at the ends.
      const std::size_t blk =
          blocks == blocks_total ? b : (2 * b + 1) * blocks_total / (2 * blocks);
      for (std::size_t r = blk * block; r < std::min(queries, (blk + 1) * block); ++r)
        rows.push_back(r);
    }
    for (const int l : layers) {
      core::Rng rng(seed,
                    benchmark.name + "/group" + std::to_string(g) + "/layer" + std::to_string(l));
      std::vector<int> heads(static_cast<std::size_t>(group.q_heads));
      for (int h = 0; h < group.q_heads; ++h) heads[static_cast<std::size_t>(h)] = h;
      const int take = std::min(plan.heads_per_layer, group.q_heads);
      for (int i = 0; i < take; ++i) {
        const auto j =
            static_cast<std::size_t>(i) + rng.below(heads.size() - static_cast<std::size_t>(i));
        std::swap(heads[static_cast<std::size_t>(i)], heads[j]);
      }
      std::sort(heads.begin(), heads.begin() + take);
      for (int i = 0; i < take; ++i)
        out.push_back(HeadSample{g, l, heads[static_cast<std::size_t>(i)], rows});
    }
  }
  return out;
}

}  // namespace pade::workloads
