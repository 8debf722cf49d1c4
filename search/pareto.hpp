#pragma once
// Pareto utilities for minimization problems: non-dominated sorting, crowding distance and the
// hypervolume dominated by a front with respect to a reference point.
//
// Algorithms (N points, M objectives; docs/campaigns.md "Pareto fronts and hypervolume"):
//   nondominated_ranks   Jensen / Fortin-Grenier-Parizeau divide and conquer (GECCO 2013):
//                        O(N log^{M-1} N) time, O(N) memory, exact with ties and duplicates.
//   hypervolume          M <= 3: a staircase sweep (Beume et al. 2009), O(N log N);
//                        M >= 4: slices along the last objective over that sweep, O(N^{M-2} log N).
//   hypervolume_monte_carlo  a seeded estimate with its standard error, O(samples · N · M).
// The *_reference functions are the straightforward O(N^2) / recursive versions, kept as the
// oracle of the property tests.
#include <cstdint>
#include <span>
#include <vector>

namespace pade::search {

using Objectives = std::vector<double>;

/// a dominates b: no worse in every objective and better in at least one.
[[nodiscard]] bool dominates(std::span<const double> a, std::span<const double> b);

/// Rank of every point: 0 for the non-dominated front, 1 for the front after removing it, …
/// Equal points share a rank. invalid_argument when the points differ in dimension.
[[nodiscard]] std::vector<int> nondominated_ranks(std::span<const Objectives> points);
/// The same ranks by pairwise comparison (Deb et al. 2002): O(M N^2) time and memory.
[[nodiscard]] std::vector<int> nondominated_ranks_reference(std::span<const Objectives> points);

/// Crowding distance of each point within one front (indices into points).
[[nodiscard]] std::vector<double> crowding_distance(std::span<const Objectives> points,
                                                    std::span<const std::size_t> front);

/// Exact hypervolume (minimization) of the points that are strictly better than `reference` in
/// every objective; others contribute nothing.
[[nodiscard]] double hypervolume(std::span<const Objectives> points,
                                 std::span<const double> reference);
/// The same by recursive slicing with a full re-sort per slice (the previous implementation).
[[nodiscard]] double hypervolume_reference(std::span<const Objectives> points,
                                           std::span<const double> reference);

struct HypervolumeEstimate {
  double value = 0;
  double standard_error = 0;  // 0 when exact
  bool exact = true;
};
/// Monte Carlo: `samples` uniform points in the box between the front's ideal point and the
/// reference, drawn from a generator seeded with `seed` (same inputs, same estimate).
[[nodiscard]] HypervolumeEstimate hypervolume_monte_carlo(std::span<const Objectives> points,
                                                          std::span<const double> reference,
                                                          std::size_t samples, std::uint64_t seed);
/// Exact when affordable (M <= 4, or a front small enough that slicing stays below ~1e8 steps),
/// otherwise hypervolume_monte_carlo with `samples` and `seed`.
[[nodiscard]] HypervolumeEstimate hypervolume_or_estimate(std::span<const Objectives> points,
                                                          std::span<const double> reference,
                                                          std::size_t samples = 200000,
                                                          std::uint64_t seed = 1);

}  // namespace pade::search
