#pragma once
// A non-dominated archive: the Pareto front (minimization) of every point inserted so far, kept
// up to date batch by batch. Inserting a batch costs O(batch · archive · M); nothing is ranked.
// The campaign runner reads its progress line from it (front size, best value per objective)
// instead of re-sorting every point after every batch.
#include <cstddef>
#include <span>
#include <vector>

#include "search/pareto.hpp"

namespace pade::search {

class ParetoArchive {
 public:
  explicit ParetoArchive(std::size_t objectives);

  void insert(std::span<const Objectives> batch);
  void insert(std::span<const double> point);

  /// Points inserted so far that no other inserted point dominates, counting equal points once
  /// per insertion: the number of rank-0 points nondominated_ranks would report.
  [[nodiscard]] std::size_t front_size() const { return front_size_; }
  /// Smallest value of each objective over every inserted point (+inf before the first).
  [[nodiscard]] std::span<const double> best() const { return best_; }
  [[nodiscard]] bool empty() const { return points_.empty(); }
  /// The distinct front points, in no particular order.
  [[nodiscard]] const std::vector<Objectives>& points() const { return points_; }

 private:
  std::size_t objectives_;
  std::vector<Objectives> points_;
  std::vector<std::size_t> copies_;  // insertions of each distinct front point
  std::size_t front_size_ = 0;
  std::vector<double> best_;
};

}  // namespace pade::search
