// Sparsity and accuracy against the guard scale α (a sweep of algorithm.alpha).
#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "results/figures/figure.hpp"
#include "results/query.hpp"

namespace pade::results::figures {

namespace {

/// Mean, min and max of the values seen (NaN when none), as SQL's avg/min/max would give them.
struct Stats {
  double sum = 0, lo = INFINITY, hi = -INFINITY;
  std::size_t n = 0;
  void add(std::optional<double> v) {
    if (!v) return;
    sum += *v, lo = std::min(lo, *v), hi = std::max(hi, *v), ++n;
  }
  [[nodiscard]] std::string text() const {
    if (n == 0) return "NaN NaN NaN";
    return num(sum / static_cast<double>(n)) + ' ' + num(lo) + ' ' + num(hi);
  }
};
struct AlphaGroup {
  Stats kept, loss;
};

/// The evaluations that report kept_fraction, grouped by their design's algorithm.alpha.
std::map<double, AlphaGroup> by_alpha(Store& store, std::int64_t cid) {
  const DesignParameters params = store.design_parameters(cid);
  std::map<double, AlphaGroup> groups;
  for (const auto& e : store.evaluations(cid)) {
    const auto kept = e.metrics.find("kept_fraction");
    const auto design = params.find(e.config_hash);
    if (!kept || design == params.end()) continue;
    const auto a = design->second.find("algorithm.alpha");
    if (a == design->second.end() || !a->second.num) continue;
    AlphaGroup& g = groups[*a->second.num];
    g.kept.add(kept);
    g.loss.add(e.metrics.find("accuracy_loss"));
  }
  return groups;
}

}  // namespace

/// Kept fraction and accuracy loss against the guard scale α.
Figure alpha(Store& store, std::int64_t cid, const FigureOptions&) {
  const auto groups = by_alpha(store, cid);
  std::ostringstream dat;
  dat << "# Functional statistics against the guard scale alpha, over every evaluation (benchmarks "
         "and designs).\n"
      << "# alpha kept_mean kept_min kept_max accuracy_loss_mean accuracy_loss_min "
         "accuracy_loss_max evaluations\n";
  const std::size_t rows = groups.size();
  bool accuracy = false;
  std::vector<double> alphas;
  for (const auto& [a, g] : groups) {
    dat << num(a) << ' ' << g.kept.text() << ' ' << g.loss.text() << ' '
        << num(static_cast<double>(g.kept.n)) << '\n';
    accuracy = accuracy || g.loss.n > 0;
    alphas.push_back(a);
  }
  if (rows < 2)
    throw NoFigureData("the campaign does not sweep algorithm.alpha (" + std::to_string(rows) +
                       " value with kept_fraction); sweep it for this figure");
  Figure f;
  f.dat = dat.str();
  f.body =
      "set title 'Sparsity and accuracy against the guard scale α (mean; bars: min–max)'\n"
      "set xlabel 'guard scale α'\nset ylabel 'fraction of keys kept (1 − sparsity)'\n"
      "set yrange [0:*]\nset key outside right top vertical\n" +
      value_axis("x", alphas) +
      std::string(accuracy ? "set y2label 'accuracy loss'\nset y2tics\nset y2range [0:*]\n" : "") +
      "plot 'alpha.dat' using 1:2:3:4 with yerrorlines ls 1 title 'kept fraction'" +
      (accuracy
           ? ", \\\n     '' using 1:5:6:7 axes x1y2 with yerrorlines ls 4 title 'accuracy loss'"
           : "") +
      "\n";
  f.caption = "Fraction of keys kept and accuracy loss against α over " + std::to_string(rows) +
              " α values (mean over benchmarks and designs, bars min–max).";
  return f;
}

}  // namespace pade::results::figures
