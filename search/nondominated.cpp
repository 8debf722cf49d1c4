// Non-dominated sorting in O(N log^{M-1} N) time and O(N) memory: Jensen's divide and conquer
// (IEEE TEC 2003) as generalized by Fortin, Grenier and Parizeau ("Generalizing the improved
// run-time complexity algorithm for non-dominated sorting", GECCO 2013) so that equal objective
// values — the norm in a campaign, where many designs share an accuracy — are handled exactly.
//
// Outline. Equal points get one rank, so the sort runs on the distinct points, numbered in
// lexicographic order: a point can then only be dominated by a point with a smaller number, and
// with distinct points "no worse in every objective" already means "dominates". The rank of a
// point is one more than the largest rank of the points dominating it (0 when none).
//   helper_a(S, k): settles every pair inside S, whose points agree on the objectives above k.
//     It splits S at the median of objective k (ties all on one side), settles the better half,
//     carries its ranks over to the worse half on objectives 0..k-1 (helper_b), and recurses on
//     the worse half; when objective k does not separate S it drops to k-1.
//   helper_b(L, H, k): raises the ranks of H from the final ranks of L, for the pairs in which L
//     is no worse on the objectives above k; splits both sets at one median of objective k.
//   k = 1 ends in a sweep over objective 0 with a staircase of objective 1 (O(n log n)).
// Every helper leaves the index ranges it was given in lexicographic order again (a stable
// partition on the way down, a merge on the way up), so each level costs O(n).
#include <algorithm>
#include <map>
#include <stdexcept>

#include "search/pareto.hpp"

namespace pade::search {
namespace {

using Range = std::span<std::size_t>;

/// max rank among the points inserted with objective-1 value <= x: a staircase in which the
/// values and the ranks both increase (a point that another point covers is dropped).
class Staircase {
 public:
  [[nodiscard]] int query(double x) const {
    const auto it = steps_.upper_bound(x);
    return it == steps_.begin() ? -1 : std::prev(it)->second;
  }
  void insert(double x, int rank) {
    if (query(x) >= rank) return;
    auto it = steps_.insert_or_assign(x, rank).first;
    ++it;
    while (it != steps_.end() && it->second <= rank) it = steps_.erase(it);
  }

 private:
  std::map<double, int> steps_;
};

class FrontSorter {
 public:
  FrontSorter(std::vector<double> values, std::size_t objectives)
      : values_(std::move(values)), m_(objectives), rank_(values_.size() / objectives, 0) {}

  std::vector<int> run() && {
    std::vector<std::size_t> all(rank_.size());
    for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
    helper_a(all, m_ - 1);
    return std::move(rank_);
  }

 private:
  [[nodiscard]] double v(std::size_t i, std::size_t k) const { return values_[i * m_ + k]; }
  /// a no worse than b on objectives 0..k.
  [[nodiscard]] bool no_worse(std::size_t a, std::size_t b, std::size_t k) const {
    for (std::size_t j = 0; j <= k; ++j)
      if (v(a, j) > v(b, j)) return false;
    return true;
  }
  void raise(std::size_t dominated, std::size_t by) {
    rank_[dominated] = std::max(rank_[dominated], rank_[by] + 1);
  }
  /// Stable partition of r into (pred true | pred false); returns the size of the first part.
  template <class Pred>
  static std::size_t split(Range r, const Pred& pred) {
    return static_cast<std::size_t>(std::stable_partition(r.begin(), r.end(), pred) - r.begin());
  }
  /// Undo split(): both parts are in index (= lexicographic) order.
  static void restore(Range r, std::size_t mid) {
    std::inplace_merge(r.begin(), r.begin() + static_cast<std::ptrdiff_t>(mid), r.end());
  }
  [[nodiscard]] double median(Range r, std::size_t k) {
    scratch_.clear();
    for (const auto i : r) scratch_.push_back(v(i, k));
    const auto mid = scratch_.begin() + static_cast<std::ptrdiff_t>(scratch_.size() / 2);
    std::nth_element(scratch_.begin(), mid, scratch_.end());
    return *mid;
  }

  void helper_a(Range s, std::size_t k);
  void helper_b(Range l, Range h, std::size_t k);
  void sweep_a(Range s);
  void sweep_b(Range l, Range h);
  void chain_b(Range l, Range h);

  std::vector<double> values_;  // distinct points in lexicographic order, m_ values each
  std::size_t m_;
  std::vector<int> rank_;
  std::vector<double> scratch_;
};

void FrontSorter::helper_a(Range s, std::size_t k) {
  if (s.size() < 2) return;
  if (k == 0) {  // objectives above 0 all equal: the points form a chain
    for (std::size_t i = 1; i < s.size(); ++i) raise(s[i], s[i - 1]);
    return;
  }
  if (s.size() == 2) {
    if (no_worse(s[0], s[1], k)) raise(s[1], s[0]);
    return;
  }
  if (k == 1) return sweep_a(s);
  const auto [lo, hi] = std::minmax_element(
      s.begin(), s.end(), [&](std::size_t a, std::size_t b) { return v(a, k) < v(b, k); });
  if (v(*lo, k) == v(*hi, k)) return helper_a(s, k - 1);
  // Ties with the median go to the side that balances the halves; both halves are non-empty
  // because objective k takes at least two values.
  const double m = median(s, k);
  const auto below = static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [&](std::size_t i) { return v(i, k) < m; }));
  const auto upto = static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [&](std::size_t i) { return v(i, k) <= m; }));
  const auto imbalance = [&](std::size_t n) {
    return n > s.size() - n ? 2 * n - s.size() : s.size() - 2 * n;
  };
  const bool ties_low = upto < s.size() && (below == 0 || imbalance(upto) <= imbalance(below));
  const std::size_t mid =
      split(s, [&](std::size_t i) { return ties_low ? v(i, k) <= m : v(i, k) < m; });
  const Range low = s.first(mid), high = s.subspan(mid);
  helper_a(low, k);
  helper_b(low, high, k - 1);
  helper_a(high, k);
  restore(s, mid);
}

void FrontSorter::helper_b(Range l, Range h, std::size_t k) {
  if (l.empty() || h.empty()) return;
  if (k == 0) return chain_b(l, h);
  if (l.size() == 1 || h.size() == 1) {
    for (const auto j : h)
      for (const auto i : l)
        if (no_worse(i, j, k)) raise(j, i);
    return;
  }
  if (k == 1) return sweep_b(l, h);
  const auto by_k = [&](std::size_t a, std::size_t b) { return v(a, k) < v(b, k); };
  const auto [l_lo, l_hi] = std::minmax_element(l.begin(), l.end(), by_k);
  const auto [h_lo, h_hi] = std::minmax_element(h.begin(), h.end(), by_k);
  if (v(*l_lo, k) > v(*h_hi, k)) return;  // no point of L is no worse than any of H
  if (v(*l_hi, k) <= v(*h_lo, k)) return helper_b(l, h, k - 1);
  const double m = median(l.size() >= h.size() ? l : h, k);
  // Split both at m: (L1, H1) better, (L2, H2) worse; L2 x H1 cannot relate on objective k,
  // L1 x H2 always does. Ties go below (L1, H1 hold <= m) or above; a split that leaves one
  // side empty would recurse on the same sets, so only the balanced one of the valid is taken.
  const auto count = [&](Range r, bool inclusive) {
    return static_cast<std::size_t>(std::count_if(
        r.begin(), r.end(), [&](std::size_t i) { return inclusive ? v(i, k) <= m : v(i, k) < m; }));
  };
  const std::size_t total = l.size() + h.size();
  const std::size_t upto = count(l, true) + count(h, true),
                    below = count(l, false) + count(h, false);
  const auto imbalance = [&](std::size_t n) {
    return n > total - n ? 2 * n - total : total - 2 * n;
  };
  const bool ties_low = upto < total && (below == 0 || imbalance(upto) <= imbalance(below));
  const auto better = [&](std::size_t i) { return ties_low ? v(i, k) <= m : v(i, k) < m; };
  const std::size_t lm = split(l, better), hm = split(h, better);
  helper_b(l.first(lm), h.first(hm), k);
  helper_b(l.first(lm), h.subspan(hm), k - 1);
  helper_b(l.subspan(lm), h.subspan(hm), k);
  restore(l, lm);
  restore(h, hm);
}

// Objectives above 1 agree inside s; in lexicographic order a point's predecessors are no worse
// on objective 0, so it is dominated by those no worse on objective 1.
void FrontSorter::sweep_a(Range s) {
  Staircase stairs;
  for (const auto i : s) {
    const int r = stairs.query(v(i, 1));
    if (r >= 0) rank_[i] = std::max(rank_[i], r + 1);
    stairs.insert(v(i, 1), rank_[i]);
  }
}

// The same sweep over L and H merged in lexicographic order: L's points enter the staircase,
// H's points read it.
void FrontSorter::sweep_b(Range l, Range h) {
  Staircase stairs;
  std::size_t next = 0;
  for (const auto j : h) {
    for (; next < l.size() && l[next] < j; ++next) stairs.insert(v(l[next], 1), rank_[l[next]]);
    const int r = stairs.query(v(j, 1));
    if (r >= 0) rank_[j] = std::max(rank_[j], r + 1);
  }
}

// k = 0: a point of L before one of H in lexicographic order is no worse on objective 0.
void FrontSorter::chain_b(Range l, Range h) {
  int best = -1;
  std::size_t next = 0;
  for (const auto j : h) {
    for (; next < l.size() && l[next] < j; ++next) best = std::max(best, rank_[l[next]]);
    if (best >= 0) rank_[j] = std::max(rank_[j], best + 1);
  }
}

/// The dimension of the points (all equal), or invalid_argument.
std::size_t dimension(std::span<const Objectives> points) {
  const std::size_t m = points.empty() ? 0 : points[0].size();
  for (const auto& p : points)
    if (p.size() != m) throw std::invalid_argument("nondominated_ranks: dimension mismatch");
  return m;
}

}  // namespace

std::vector<int> nondominated_ranks(std::span<const Objectives> points) {
  const std::size_t n = points.size(), m = dimension(points);
  if (n == 0 || m == 0) return std::vector<int>(n, 0);
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return points[a] < points[b]; });
  // Distinct points in lexicographic order; group[i] = which one points[order[i]] is.
  std::vector<double> values;
  std::vector<std::size_t> group(n);
  std::size_t distinct = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (i == 0 || points[order[i]] != points[order[i - 1]]) {
      values.insert(values.end(), points[order[i]].begin(), points[order[i]].end());
      ++distinct;
    }
    group[i] = distinct - 1;
  }
  const std::vector<int> distinct_ranks = FrontSorter(std::move(values), m).run();
  std::vector<int> ranks(n);
  for (std::size_t i = 0; i < n; ++i) ranks[order[i]] = distinct_ranks[group[i]];
  return ranks;
}

std::vector<int> nondominated_ranks_reference(std::span<const Objectives> points) {
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

}  // namespace pade::search
