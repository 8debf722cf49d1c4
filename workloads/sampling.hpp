#pragma once
// Sampling plans: which layers, heads and query rows of a benchmark the functional model
// simulates. Simulating every head of a 7B model at 2k tokens is ~4·10^9 query-key pairs per
// point; a plan simulates a documented, seeded sample and the statistics carry a sampling error.
//
// Plan (per attention group):
//  - layers: `layers` evenly spaced over the group's depth (always first and last when >= 2);
//  - heads: `heads_per_layer` query heads per sampled layer, drawn without replacement from a
//    stream seeded by (seed, benchmark, layer);
//  - rows: `row_groups` blocks of `rows_per_group` consecutive query rows (one hardware query
//    group each), block starts stratified evenly over the query range. Decode forms have one row.
// Every choice is a pure function of the plan, the seed and the benchmark name.
#include <cstdint>
#include <string>
#include <vector>

#include "workloads/catalog.hpp"

namespace pade::workloads {

struct SamplingPlan {
  int layers = 4;
  int heads_per_layer = 2;
  int row_groups = 8;
  int rows_per_group = 8;

  [[nodiscard]] std::string key() const;  // canonical text (part of the statistics cache key)
};

struct HeadSample {
  std::size_t group = 0;  // index into Benchmark::groups
  int layer = 0;          // layer index within the group
  int head = 0;           // query head
  std::vector<std::size_t> rows;
};

[[nodiscard]] std::vector<HeadSample> sample_heads(const Benchmark& benchmark,
                                                   const SamplingPlan& plan, std::uint64_t seed);

}  // namespace pade::workloads
