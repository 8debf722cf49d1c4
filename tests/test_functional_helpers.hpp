#pragma once
// Random attention heads for the functional-model tests, drawn from core::Rng only.
#include <cmath>
#include <cstdint>
#include <string>

#include "core/rng.hpp"
#include "core/tensor.hpp"

namespace pade_test {

/// Gaussian Q/K/V with per-row magnitude jitter. `sink` > 0 adds a shared direction to key 0 and
/// to every query (an attention sink); `recency` > 0 makes later keys align increasingly with it
/// (with the causal mask, each row's most recent keys then score highest).
inline pade::core::AttentionHead make_head(std::uint64_t seed, std::size_t n, std::size_t d,
                                           bool causal, double sink = 0.0, double recency = 0.0,
                                           std::size_t nq = 0) {
  pade::core::Rng rng(seed, "head");
  if (nq == 0) nq = n;
  pade::core::AttentionHead h;
  h.q = pade::core::Matrix(nq, d);
  h.k = pade::core::Matrix(n, d);
  h.v = pade::core::Matrix(n, d);
  h.causal = causal;
  std::vector<double> u(d);
  double norm = 0;
  for (auto& x : u) {
    x = rng.normal();
    norm += x * x;
  }
  for (auto& x : u) x /= std::sqrt(norm);
  for (std::size_t i = 0; i < nq; ++i) {
    const double mag = 0.5 + rng.uniform();
    for (std::size_t c = 0; c < d; ++c)
      h.q.at(i, c) =
          static_cast<float>(mag * rng.normal() + (sink > 0 || recency > 0 ? 3.0 * u[c] : 0.0));
  }
  for (std::size_t j = 0; j < n; ++j) {
    const double mag = 0.5 + rng.uniform();
    double along = recency * static_cast<double>(j) / static_cast<double>(n);
    if (j == 0) along += sink;
    for (std::size_t c = 0; c < d; ++c) {
      h.k.at(j, c) = static_cast<float>(mag * rng.normal() + along * u[c]);
      h.v.at(j, c) = static_cast<float>(rng.normal());
    }
  }
  return h;
}

}  // namespace pade_test
