#include "search/pareto.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace pade::search {

bool dominates(std::span<const double> a, std::span<const double> b) {
  bool strictly = false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] > b[i]) return false;
    if (a[i] < b[i]) strictly = true;
  }
  return strictly;
}

std::vector<double> crowding_distance(std::span<const Objectives> points,
                                      std::span<const std::size_t> front) {
  std::vector<double> dist(front.size(), 0.0);
  if (front.empty()) return dist;
  const std::size_t m = points[front[0]].size();
  std::vector<std::size_t> order(front.size());
  for (std::size_t k = 0; k < m; ++k) {
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return points[front[a]][k] < points[front[b]][k];
    });
    const double lo = points[front[order.front()]][k];
    const double hi = points[front[order.back()]][k];
    dist[order.front()] = dist[order.back()] = std::numeric_limits<double>::infinity();
    if (hi <= lo) continue;
    for (std::size_t i = 1; i + 1 < order.size(); ++i)
      dist[order[i]] +=
          (points[front[order[i + 1]]][k] - points[front[order[i - 1]]][k]) / (hi - lo);
  }
  return dist;
}

}  // namespace pade::search
