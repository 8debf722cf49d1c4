#pragma once
// Random attention heads for the functional-model tests (workloads::gaussian_head).
#include <cstdint>
#include <cstdio>
#include <string>

#include "models/functional.hpp"
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

/// PADE at the default point on one head with head-tail and with in-order tile order, summed
/// into `head_tail` and `in_order` (the `[.locality-report]` tables of docs/generator.md).
inline void add_both_orders(const pade::core::AttentionHead& head,
                            pade::models::FunctionalStats& head_tail,
                            pade::models::FunctionalStats& in_order) {
  pade::models::FunctionalOptions fo;
  fo.compute_accuracy = false;
  fo.order = pade::models::TileOrder::head_tail;
  head_tail += pade::models::simulate_head(head, fo);
  fo.order = pade::models::TileOrder::in_order;
  in_order += pade::models::simulate_head(head, fo);
}

/// One row of that table: rescales per row with both orders, their ratio, kept fractions.
inline void print_order_row(const std::string& label, const pade::models::FunctionalStats& ht,
                            const pade::models::FunctionalStats& io) {
  const auto per_row = [](const pade::models::FunctionalStats& s) {
    return static_cast<double>(s.rescale_events) / static_cast<double>(s.query_rows);
  };
  std::printf("| %s | %.2f | %.2f | %.2f | %.3f | %.3f |\n", label.c_str(), per_row(ht),
              per_row(io), per_row(ht) / per_row(io), ht.kept_fraction(), io.kept_fraction());
}

}  // namespace pade_test
