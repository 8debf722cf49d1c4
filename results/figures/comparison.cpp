// PADE against the baselines: speedup and energy efficiency per benchmark, with a geometric
// mean group (the comparisons table, written by `pade compare`).
#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include "core/metrics.hpp"
#include "results/figures/figure.hpp"
#include "results/query.hpp"

namespace pade::results::figures {

namespace {

/// The paper's four baselines first, in its order; any other after them alphabetically.
std::vector<std::string> paper_order(std::set<std::string> baselines) {
  std::vector<std::string> order;
  for (const char* known : {"h100", "sanger", "dota", "sofa"})
    if (baselines.erase(known)) order.emplace_back(known);
  order.insert(order.end(), baselines.begin(), baselines.end());
  return order;
}

/// A baseline as the paper spells it.
std::string label(const std::string& b) {
  if (b == "h100") return "H100";
  if (b == "sanger") return "Sanger";
  if (b == "dota") return "DOTA";
  if (b == "sofa") return "SOFA";
  if (b == "spatten") return "SpAtten";
  if (b == "energon") return "Energon";
  return b;
}

/// speedup or energy_efficiency bars from the comparisons table, with a geometric-mean group.
Figure comparison(Store& store, std::int64_t cid, const std::string& name,
                  std::string_view metric) {
  std::map<std::string, std::map<std::string, double>> by_bench;  // benchmark → baseline → value
  std::set<std::string> baselines;
  for (const auto& r : store.comparisons(cid)) {
    if (r.metric != metric || !(r.value > 0)) continue;
    // Stored suite averages and sensitivity rows are not benchmarks: the figure computes its own
    // geometric mean.
    if (!r.per_benchmark()) continue;
    by_bench[r.benchmark][r.baseline] = r.value;
    baselines.insert(r.baseline);
  }
  if (by_bench.empty())
    throw NoFigureData("the comparisons table holds no '" + std::string(metric) +
                       "' rows for campaign '" + campaign_name(store, cid) +
                       "': the baseline comparison has not been run on it (table comparisons, "
                       "docs/results-schema.md)");
  const std::vector<std::string> order = paper_order(std::move(baselines));
  std::ostringstream dat;
  dat << "# PADE " << metric
      << " over each baseline (baseline / PADE; > 1: PADE better), per benchmark;\n"
      << "# last row: geometric mean over the benchmarks that have a value. NaN: not compared.\n# "
         "benchmark";
  for (const auto& b : order) dat << ' ' << b;
  dat << '\n';
  double lo = 1, hi = 1;
  std::map<std::string, std::vector<double>> per_baseline;
  for (const auto& [bench, values] : by_bench) {
    dat << quoted(bench);
    for (const auto& b : order) {
      const auto it = values.find(b);
      dat << ' ' << (it == values.end() ? "NaN" : num(it->second));
      if (it != values.end()) {
        per_baseline[b].push_back(it->second);
        lo = std::min(lo, it->second), hi = std::max(hi, it->second);
      }
    }
    dat << '\n';
  }
  dat << quoted("geo-mean");
  for (const auto& b : order) dat << ' ' << num(geomean(per_baseline[b]));
  dat << '\n';
  const std::string what = metric == kComparisonSpeedup ? "speedup" : "energy efficiency";
  const double groups = static_cast<double>(by_bench.size());
  Figure f;
  f.size = kWide;
  f.dat = dat.str();
  f.body =
      "set title 'PADE " + what +
      " over each baseline, per benchmark (log scale)'\n"
      "set ylabel '" +
      what +
      " (×, baseline / PADE)'\n"
      "set style data histograms\nset style histogram clustered gap 1\n"
      "set style fill solid 0.9 border rgb '#333333'\nset boxwidth 0.9\n" +
      log_axis("y", lo, hi) +
      "set xtics rotate by 40 right noenhanced\nset lmargin 14\nset grid ytics\nset grid noxtics\n"
      "set key top left horizontal reverse Left noenhanced\n"
      "# A reference line at 1× and a separator before the mean group.\n"
      "set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead lc rgb '#333333' lw 1\n"
      "set arrow 2 from " +
      num(groups - 0.5) + ", graph 0 to " + num(groups - 0.5) +
      ", graph 1 nohead lc rgb '#333333' dt 2\n"
      "plot ";
  for (std::size_t i = 0; i < order.size(); ++i)
    f.body += std::string(i ? ", \\\n     '' " : "'" + name + ".dat' ") + "using " +
              std::to_string(i + 2) + (i ? "" : ":xtic(1)") + " ls " + std::to_string(i % 8 + 1) +
              " title " + gp(label(order[i]));
  f.body += "\n";
  f.caption = "PADE " + what + " over " + std::to_string(order.size()) + " baselines on " +
              std::to_string(by_bench.size()) +
              " benchmarks (baseline / PADE, log scale), with the geometric mean.";
  return f;
}

}  // namespace

Figure speedup(Store& store, std::int64_t cid, const FigureOptions&) {
  return comparison(store, cid, "speedup", kComparisonSpeedup);
}

Figure efficiency(Store& store, std::int64_t cid, const FigureOptions&) {
  return comparison(store, cid, "efficiency", kComparisonEnergyEfficiency);
}

}  // namespace pade::results::figures
