#pragma once
// Pareto utilities for minimization problems: non-dominated sorting, crowding distance and the
// hypervolume dominated by a front with respect to a reference point.
#include <span>
#include <vector>

namespace pade::search {

using Objectives = std::vector<double>;

/// a dominates b: no worse in every objective and better in at least one.
[[nodiscard]] bool dominates(std::span<const double> a, std::span<const double> b);

/// Rank of every point: 0 for the non-dominated front, 1 for the front after removing it, …
[[nodiscard]] std::vector<int> nondominated_ranks(std::span<const Objectives> points);

/// Crowding distance of each point within one front (indices into points).
[[nodiscard]] std::vector<double> crowding_distance(std::span<const Objectives> points,
                                                    std::span<const std::size_t> front);

/// Exact hypervolume (minimization) of the points that are strictly better than `reference` in
/// every objective; others contribute nothing. Recursive slicing: fine for the few objectives
/// and hundreds of points of a campaign front.
[[nodiscard]] double hypervolume(std::span<const Objectives> points,
                                 std::span<const double> reference);

}  // namespace pade::search
