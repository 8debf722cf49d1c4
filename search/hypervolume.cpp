// Hypervolume of a front (minimization) against a reference point.
//
// Exact: M = 2 is the area under a staircase; M = 3 sweeps the points in order of the last
// objective and keeps the staircase of the first two, adding each slab's area times its depth —
// Beume, Fonseca, López-Ibáñez, Paquete and Vahrenhold (IEEE TEC 2009), O(N log N). M >= 4 slices
// along the last objective: the slice between two consecutive values is the (M-1)-dimensional
// volume of the points already passed, kept sorted incrementally, so M = 4 costs O(N^2 log N).
// Beyond that, when slicing would be too slow, a seeded Monte Carlo estimate with its standard
// error.
#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <stdexcept>

#include "search/pareto.hpp"

namespace pade::search {
namespace {

/// The area dominated by the points inserted so far, within [.., ref_x) x [.., ref_y).
class AreaStaircase {
 public:
  AreaStaircase(double ref_x, double ref_y) : ref_x_(ref_x), ref_y_(ref_y) {}
  [[nodiscard]] double area() const { return area_; }
  // Adds the part of [x, ref_x) x [y, ref_y) not covered yet, as a sum of disjoint rectangles
  // (no subtraction, so no cancellation), and drops the steps the new point covers.
  void insert(double x, double y) {
    auto it = steps_.lower_bound(x);
    if (it != steps_.end() && it->first == x && it->second <= y) return;
    if (it != steps_.begin() && std::prev(it)->second <= y) return;
    double upper = it == steps_.begin() ? ref_y_ : std::prev(it)->second;
    double from = x;
    while (it != steps_.end() && it->second >= y) {
      area_ += (it->first - from) * (upper - y);
      upper = it->second;
      from = it->first;
      it = steps_.erase(it);
    }
    area_ += ((it == steps_.end() ? ref_x_ : it->first) - from) * (upper - y);
    steps_.emplace_hint(it, x, y);
  }

 private:
  double ref_x_, ref_y_;
  double area_ = 0;
  std::map<double, double> steps_;  // x -> y, y strictly decreasing
};

/// Exact hypervolume of `pts` (any points strictly inside `ref`) sorted by objective d-1.
double sorted_volume(std::span<const Objectives> pts, std::size_t d, std::span<const double> ref) {
  if (pts.empty()) return 0.0;
  if (d == 1) return ref[0] - pts.front()[0];
  if (d == 2) {
    AreaStaircase stairs(ref[0], ref[1]);
    for (const auto& p : pts) stairs.insert(p[0], p[1]);
    return stairs.area();
  }
  double volume = 0.0;
  AreaStaircase stairs(ref[0], ref[1]);
  std::vector<Objectives> active;  // d >= 4: the points passed, sorted by objective d-2
  const auto by = [](std::size_t k) {
    return [k](const Objectives& a, const Objectives& b) { return a[k] < b[k]; };
  };
  for (std::size_t i = 0; i < pts.size(); ++i) {
    const double depth = (i + 1 < pts.size() ? pts[i + 1][d - 1] : ref[d - 1]) - pts[i][d - 1];
    if (d == 3) {
      stairs.insert(pts[i][0], pts[i][1]);
      volume += depth * stairs.area();
      continue;
    }
    active.insert(std::upper_bound(active.begin(), active.end(), pts[i], by(d - 2)), pts[i]);
    if (depth > 0) volume += depth * sorted_volume(active, d - 1, ref);
  }
  return volume;
}

/// The points strictly better than the reference in every objective (the others add nothing).
std::vector<Objectives> inside(std::span<const Objectives> points,
                               std::span<const double> reference) {
  std::vector<Objectives> out;
  for (const auto& p : points) {
    if (p.size() != reference.size())
      throw std::invalid_argument("hypervolume: dimension mismatch");
    bool ok = true;
    for (std::size_t i = 0; i < p.size(); ++i) ok = ok && p[i] < reference[i];
    if (ok) out.push_back(p);
  }
  return out;
}

/// The distinct non-dominated points strictly inside the reference box.
std::vector<Objectives> inner_front(std::span<const Objectives> points,
                                    std::span<const double> reference) {
  std::vector<Objectives> in = inside(points, reference);
  const auto ranks = nondominated_ranks(in);
  std::vector<Objectives> front;
  for (std::size_t i = 0; i < in.size(); ++i)
    if (ranks[i] == 0) front.push_back(std::move(in[i]));
  std::sort(front.begin(), front.end());
  front.erase(std::unique(front.begin(), front.end()), front.end());
  return front;
}

double exact_volume(std::vector<Objectives> front, std::span<const double> reference) {
  const std::size_t d = reference.size();
  if (d == 0 || front.empty()) return 0.0;
  std::sort(front.begin(), front.end(),
            [&](const Objectives& a, const Objectives& b) { return a[d - 1] < b[d - 1]; });
  return sorted_volume(front, d, reference);
}

// The previous implementation, kept as the tests' oracle: slices along the last objective and
// recomputes each slice from scratch.
double recursive_volume(std::vector<Objectives> pts, std::span<const double> ref) {
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
    active.emplace_back(pts[i].begin(), pts[i].begin() + static_cast<std::ptrdiff_t>(d - 1));
    const double upper = (i + 1 < pts.size()) ? pts[i + 1][d - 1] : ref[d - 1];
    const double depth = upper - pts[i][d - 1];
    if (depth > 0) volume += depth * recursive_volume(active, sub_ref);
  }
  return volume;
}

/// Uniform double in [0, 1) from 53 random bits (the same on every standard library).
double unit(std::mt19937_64& rng) {
  return static_cast<double>(rng() >> 11) * 0x1.0p-53;
}

}  // namespace

double hypervolume(std::span<const Objectives> points, std::span<const double> reference) {
  return exact_volume(inner_front(points, reference), reference);
}

double hypervolume_reference(std::span<const Objectives> points,
                             std::span<const double> reference) {
  const std::vector<Objectives> in = inside(points, reference);
  const auto ranks = nondominated_ranks_reference(in);
  std::vector<Objectives> front;
  for (std::size_t i = 0; i < in.size(); ++i)
    if (ranks[i] == 0) front.push_back(in[i]);
  return recursive_volume(std::move(front), reference);
}

HypervolumeEstimate hypervolume_monte_carlo(std::span<const Objectives> points,
                                            std::span<const double> reference, std::size_t samples,
                                            std::uint64_t seed) {
  const std::vector<Objectives> front = inner_front(points, reference);
  HypervolumeEstimate out{0.0, 0.0, false};
  if (front.empty() || samples == 0) return out;
  const std::size_t d = reference.size();
  std::vector<double> lower(reference.begin(), reference.end());
  for (const auto& p : front)
    for (std::size_t k = 0; k < d; ++k) lower[k] = std::min(lower[k], p[k]);
  double box = 1.0;
  for (std::size_t k = 0; k < d; ++k) box *= reference[k] - lower[k];
  std::mt19937_64 rng(seed);
  std::vector<double> s(d);
  std::size_t hits = 0;
  for (std::size_t n = 0; n < samples; ++n) {
    for (std::size_t k = 0; k < d; ++k) s[k] = lower[k] + unit(rng) * (reference[k] - lower[k]);
    const bool covered = std::any_of(front.begin(), front.end(), [&](const Objectives& p) {
      for (std::size_t k = 0; k < d; ++k)
        if (p[k] > s[k]) return false;
      return true;
    });
    hits += covered ? 1 : 0;
  }
  const double f = static_cast<double>(hits) / static_cast<double>(samples);
  out.value = box * f;
  out.standard_error = box * std::sqrt(f * (1 - f) / static_cast<double>(samples));
  return out;
}

HypervolumeEstimate hypervolume_or_estimate(std::span<const Objectives> points,
                                            std::span<const double> reference, std::size_t samples,
                                            std::uint64_t seed) {
  const std::size_t d = reference.size();
  std::vector<Objectives> front = inner_front(points, reference);
  // Slicing costs about N^{d-2} staircase steps for d >= 4.
  const bool affordable =
      d <= 4 || std::pow(static_cast<double>(front.size()), static_cast<double>(d) - 2) <= 1e8;
  if (affordable) return {exact_volume(std::move(front), reference), 0.0, true};
  return hypervolume_monte_carlo(front, reference, samples, seed);
}

}  // namespace pade::search
