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

std::vector<int> nondominated_ranks(std::span<const Objectives> points) {
  const std::size_t n = points.size();
  std::vector<std::vector<std::size_t>> dominated(n);
  std::vector<int> count(n, 0), rank(n, -1);
  std::vector<std::size_t> current;
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      if (i == j) continue;
      if (dominates(points[i], points[j])) {
        dominated[i].push_back(j);
      } else if (dominates(points[j], points[i])) {
        ++count[i];
      }
    }
    if (count[i] == 0) {
      rank[i] = 0;
      current.push_back(i);
    }
  }
  int r = 0;
  while (!current.empty()) {
    std::vector<std::size_t> next;
    for (const auto i : current)
      for (const auto j : dominated[i])
        if (--count[j] == 0) {
          rank[j] = r + 1;
          next.push_back(j);
        }
    current = std::move(next);
    ++r;
  }
  return rank;
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

namespace {

// Hypervolume by slicing along the last objective: sort by it, and between consecutive values
// the slice's (d-1)-dimensional volume is that of the points already passed.
double hv_recursive(std::vector<Objectives> pts, std::span<const double> ref) {
  const std::size_t d = ref.size();
  if (pts.empty()) return 0.0;
  if (d == 1) {
    double best = ref[0];
    for (const auto& p : pts) best = std::min(best, p[0]);
    return ref[0] - best;
  }
  std::sort(pts.begin(), pts.end(),
            [&](const Objectives& a, const Objectives& b) { return a[d - 1] < b[d - 1]; });
  double volume = 0.0;
  std::vector<Objectives> active;
  const std::span<const double> sub_ref = ref.first(d - 1);
  for (std::size_t i = 0; i < pts.size(); ++i) {
    Objectives head(pts[i].begin(), pts[i].begin() + static_cast<std::ptrdiff_t>(d - 1));
    active.push_back(std::move(head));
    const double upper = (i + 1 < pts.size()) ? pts[i + 1][d - 1] : ref[d - 1];
    const double depth = upper - pts[i][d - 1];
    if (depth > 0) volume += depth * hv_recursive(active, sub_ref);
  }
  return volume;
}

}  // namespace

double hypervolume(std::span<const Objectives> points, std::span<const double> reference) {
  std::vector<Objectives> inside;
  for (const auto& p : points) {
    if (p.size() != reference.size())
      throw std::invalid_argument("hypervolume: dimension mismatch");
    bool ok = true;
    for (std::size_t i = 0; i < p.size(); ++i) ok = ok && p[i] < reference[i];
    if (ok) inside.push_back(p);
  }
  // Only the non-dominated points matter; dropping the rest keeps the recursion small.
  const auto ranks = nondominated_ranks(inside);
  std::vector<Objectives> front;
  for (std::size_t i = 0; i < inside.size(); ++i)
    if (ranks[i] == 0) front.push_back(inside[i]);
  return hv_recursive(std::move(front), reference);
}

}  // namespace pade::search
