#include "search/archive.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace pade::search {

ParetoArchive::ParetoArchive(std::size_t objectives)
    : objectives_(objectives), best_(objectives, std::numeric_limits<double>::infinity()) {}

void ParetoArchive::insert(std::span<const Objectives> batch) {
  for (const auto& p : batch) insert(p);
}

void ParetoArchive::insert(std::span<const double> point) {
  if (point.size() != objectives_) throw std::invalid_argument("ParetoArchive: dimension mismatch");
  // The best value of an objective is always reached by a front point, but the archive keeps it
  // separately so that it does not depend on which of several equal points stays.
  for (std::size_t k = 0; k < objectives_; ++k) best_[k] = std::min(best_[k], point[k]);
  for (std::size_t i = 0; i < points_.size(); ++i) {
    if (std::equal(point.begin(), point.end(), points_[i].begin(), points_[i].end())) {
      ++copies_[i];
      ++front_size_;
      return;
    }
    if (dominates(points_[i], point)) return;
  }
  // Not dominated: it joins the front and everything it dominates leaves (swap-and-pop keeps the
  // removal linear; the order of the archive carries no meaning).
  for (std::size_t i = 0; i < points_.size();) {
    if (dominates(point, points_[i])) {
      front_size_ -= copies_[i];
      std::swap(points_[i], points_.back());
      std::swap(copies_[i], copies_.back());
      points_.pop_back();
      copies_.pop_back();
    } else {
      ++i;
    }
  }
  points_.emplace_back(point.begin(), point.end());
  copies_.push_back(1);
  ++front_size_;
}

}  // namespace pade::search
