#pragma once
// Random attention heads for the functional-model tests (workloads::gaussian_head).
#include <cstdint>

#include "workloads/gaussian_head.hpp"

namespace pade_test {

/// Gaussian Q/K/V with per-row magnitude jitter. `sink` > 0 adds a shared direction to key 0 and
/// to every query (an attention sink); `recency` > 0 makes later keys align increasingly with it
/// (with the causal mask, each row's most recent keys then score highest).
inline pade::core::AttentionHead make_head(std::uint64_t seed, std::size_t n, std::size_t d,
                                           bool causal, double sink = 0.0, double recency = 0.0,
                                           std::size_t nq = 0) {
  pade::workloads::GaussianHeadSpec spec;
  spec.seed = seed;
  spec.keys = n;
  spec.dim = d;
  spec.queries = nq;
  spec.causal = causal;
  spec.sink = sink;
  spec.recency = recency;
  return pade::workloads::gaussian_head(spec);
}

}  // namespace pade_test
