#include "workloads/gaussian_head.hpp"

#include <cmath>
#include <vector>

#include "core/rng.hpp"

namespace pade::workloads {

core::AttentionHead gaussian_head(const GaussianHeadSpec& spec) {
  core::Rng rng(spec.seed, spec.stream);
  const std::size_t n = spec.keys, d = spec.dim, nq = spec.queries == 0 ? n : spec.queries;
  core::AttentionHead h;
  h.q = core::Matrix(nq, d);
  h.k = core::Matrix(n, d);
  h.v = core::Matrix(n, d);
  h.causal = spec.causal;
  // The shared direction u (unit length), drawn first so every spec consumes the stream alike.
  std::vector<double> u(d);
  double norm = 0;
  for (auto& x : u) {
    x = rng.normal();
    norm += x * x;
  }
  for (auto& x : u) x /= std::sqrt(norm);
  const double query_along = spec.sink > 0 || spec.recency > 0 ? 3.0 : 0.0;
  for (std::size_t i = 0; i < nq; ++i) {
    const double mag = 0.5 + rng.uniform();
    for (std::size_t c = 0; c < d; ++c)
      h.q.at(i, c) = static_cast<float>(mag * rng.normal() + query_along * u[c]);
  }
  for (std::size_t j = 0; j < n; ++j) {
    const double mag = 0.5 + rng.uniform();
    double along = spec.recency * static_cast<double>(j) / static_cast<double>(n);
    if (j == 0) along += spec.sink;
    for (std::size_t c = 0; c < d; ++c) {
      h.k.at(j, c) = static_cast<float>(mag * rng.normal() + along * u[c]);
      h.v.at(j, c) = static_cast<float>(rng.normal());
    }
  }
  return h;
}

}  // namespace pade::workloads
