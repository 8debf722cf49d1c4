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

/// The evaluations that report kept_fraction, grouped by benchmark class (the benchmark's task:
/// mmlu, mbpp…) and their design's algorithm.alpha.
std::map<std::string, std::map<double, AlphaGroup>> by_class(Store& store, std::int64_t cid) {
  const DesignParameters params = store.design_parameters(cid);
  std::map<std::string, std::string> task;
  for (const auto& b : store.benchmarks()) task[b.name] = b.task.empty() ? b.name : b.task;
  std::map<std::string, std::map<double, AlphaGroup>> groups;
  for (const auto& e : store.evaluations(cid)) {
    const auto kept = e.metrics.find("kept_fraction");
    const auto design = params.find(e.config_hash);
    if (!kept || design == params.end()) continue;
    const auto a = design->second.find("algorithm.alpha");
    if (a == design->second.end() || !a->second.num) continue;
    const auto t = task.find(e.benchmark);
    AlphaGroup& g = groups[t == task.end() ? e.benchmark : t->second][*a->second.num];
    g.kept.add(kept);
    g.loss.add(e.metrics.find("accuracy_loss"));
  }
  return groups;
}

/// The paper's guard scale (shared/design/pade.md §3: α ≈ 0.5, 75 % of keys pruned there).
constexpr double kPaperAlpha = 0.5;

}  // namespace

/// Kept fraction and accuracy loss against the guard scale α, one line per benchmark class.
Figure alpha(Store& store, std::int64_t cid, const FigureOptions&) {
  const auto groups = by_class(store, cid);
  std::ostringstream dat;
  dat << "# Functional statistics against the guard scale alpha, one block (index) per benchmark "
         "class (task),\n# mean over the class's benchmarks and the designs (min, max beside).\n"
      << "# accuracy_loss = 1 - cosine similarity of the pruned attention output to the dense one "
         "(models/digest.cpp).\n";
  std::set<double> alphas;
  bool accuracy = false;
  std::vector<std::string> classes;
  for (const auto& [cls, by_alpha] : groups) {
    dat << (classes.empty() ? "" : "\n\n") << "# index " << classes.size() << ": class " << cls
        << "\n# alpha kept_mean kept_min kept_max accuracy_loss_mean accuracy_loss_min "
           "accuracy_loss_max evaluations\n";
    classes.push_back(cls);
    for (const auto& [a, g] : by_alpha) {
      dat << num(a) << ' ' << g.kept.text() << ' ' << g.loss.text() << ' '
          << num(static_cast<double>(g.kept.n)) << '\n';
      accuracy = accuracy || g.loss.n > 0;
      alphas.insert(a);
    }
  }
  if (alphas.size() < 2)
    throw NoFigureData("the campaign does not sweep algorithm.alpha (" +
                       std::to_string(alphas.size()) +
                       " value with kept_fraction); sweep it for this figure");
  const std::vector<double> xs(alphas.begin(), alphas.end());
  const auto lines = [&](const std::string& col) {
    std::string out;
    for (std::size_t i = 0; i < classes.size(); ++i)
      out += std::string(i ? ", \\\n     '' " : "'alpha.dat' ") + "index " + std::to_string(i) +
             " using 1:" + col + " with linespoints ls " + std::to_string(i % 8 + 1) + " title " +
             gp(classes[i]);
    return out + "\n";
  };
  const bool paper_in_range = xs.front() <= kPaperAlpha && kPaperAlpha <= xs.back();
  const std::string paper_mark =
      "set arrow 1 from " + num(kPaperAlpha) + ", graph 0 to " + num(kPaperAlpha) +
      ", graph 1 nohead lc rgb '#D55E00' dt 2 lw 1.5\n"
      "set label 1 'paper α = 0.5' at " +
      num(kPaperAlpha) + ", graph 0.95 left offset 0.5,0 tc rgb '#D55E00'\n";
  Figure f;
  f.size = kWide;
  f.dat = dat.str();
  f.body = "set multiplot layout 1," + std::string(accuracy ? "2" : "1") +
           " title 'Sparsity and accuracy against the guard scale α, one line per benchmark "
           "class'\n"
           "set xlabel 'guard scale α (threshold = max − α · radius)'\n" +
           value_axis("x", xs) + (paper_in_range ? paper_mark : std::string()) +
           // One key for both panels (the same lines), beside the last one.
           (accuracy ? "unset key\n" : "set key outside right top vertical noenhanced\n") +
           "set title 'keys kept'\nset ylabel 'fraction of keys kept (1 − sparsity)'\n"
           "set yrange [0:1]\nplot " +
           lines("2");
  if (accuracy)
    f.body +=
        "set title 'accuracy loss'\nset key outside right top vertical noenhanced\n"
        "set ylabel 'accuracy loss (%, 100 · (1 − cos) of attention output vs dense)'\n"
        "set yrange [0:*]\nplot " +
        lines("(100*$5)");
  f.body += "unset multiplot\n";
  f.caption =
      "Fraction of keys kept and accuracy loss (1 − cosine similarity of the pruned "
      "attention output to the dense one, in %) against α over " +
      std::to_string(xs.size()) +
      " α values, one line per benchmark class (mean over its "
      "benchmarks and the designs); " +
      (paper_in_range ? "the dashed line marks the paper's α = 0.5."
                      : "the paper's α = 0.5 is outside the swept values.") +
      caption_facts(store, cid, "none (absolute values)");
  return f;
}

}  // namespace pade::results::figures
