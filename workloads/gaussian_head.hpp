#pragma once
// A simple structured random attention head, for tests and micro-benchmarks that need Q/K/V of a
// known shape without the calibrated generator (workloads/generator.hpp): Gaussian rows with
// per-row magnitude jitter, optionally an attention sink and recency along one shared direction.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/tensor.hpp"

namespace pade::workloads {

struct GaussianHeadSpec {
  std::uint64_t seed = 1;
  std::string_view stream = "head";  // core::Rng stream name: different streams, different data
  std::size_t keys = 0;              // N
  std::size_t dim = 0;               // d
  std::size_t queries = 0;           // 0: as many as keys
  bool causal = true;
  /// > 0: key 0 and every query share a direction (an attention sink of this strength).
  double sink = 0.0;
  /// > 0: later keys align increasingly with that direction (up to this much for the last key),
  /// so under the causal mask each row's most recent keys score highest.
  double recency = 0.0;
};

/// Q, K, V drawn from core::Rng only: the same spec gives the same head on every machine.
[[nodiscard]] core::AttentionHead gaussian_head(const GaussianHeadSpec& spec);

}  // namespace pade::workloads
