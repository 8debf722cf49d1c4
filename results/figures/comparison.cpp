// PADE against the baselines: speedup and energy efficiency per benchmark, with a geometric
// mean group (the comparisons table, written by `pade compare`).
#include <algorithm>
#include <cmath>
#include <cstdio>
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

/// "7.43×" (three significant digits).
std::string ratio_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g×", v);
  return buf;
}

}  // namespace

std::string comparison_normalization(Store& store, std::int64_t cid) {
  std::string h100, accel;
  for (const auto& [k, v] : store.provenance(cid)) {
    if (k == "h100_normalization") h100 = v;
    if (k == "accelerator_normalization") accel = v;
  }
  if (h100.empty() && accel.empty()) return "not recorded by the comparison campaign";
  return "H100 " + (h100.empty() ? std::string("not recorded") : h100) + ", accelerators " +
         (accel.empty() ? std::string("not recorded") : accel) +
         (accel == "paper" ? " (28 nm, 800 MHz, PADE's PE-array area, 352 KiB SRAM, 256 GB/s)"
                           : "") +
         " (docs/baselines.md)";
}

namespace {

/// The gnuplot body: one bar per (benchmark, baseline) from 1 to the ratio (boxxyerror, so a
/// ratio below 1 hangs down from the 1× line), the geometric mean as the last group — twice as
/// wide, so each of its bars carries its value.
std::string comparison_body(const std::string& name, const std::string& what,
                            const std::vector<std::string>& order,
                            const std::map<std::string, std::vector<double>>& per_baseline,
                            const std::vector<std::string>& benches, double lo, double hi) {
  // Room for the rotated geometric-mean labels beyond their bars, inside the plot.
  for (const auto& [_, values] : per_baseline) {
    const double g = geomean(values);
    if (std::isfinite(g) && g >= 1) hi = std::max(hi, g * 3);  // the label above the bar
    if (std::isfinite(g) && g < 1) lo = std::min(lo, g / 3);   // the label below it
  }
  const double groups = static_cast<double>(benches.size()), mean_at = groups + 0.5;
  const double width = 0.8 / static_cast<double>(order.size());
  const auto offset = [&](std::size_t i) { return -0.4 + width * (static_cast<double>(i) + 0.5); };
  std::string tics = "set xtics (";
  for (std::size_t b = 0; b < benches.size(); ++b) tics += gp(benches[b]) + " " + num(b) + ", ";
  tics += "'geo-mean' " + num(mean_at) + ") rotate by 40 right noenhanced\n";
  std::string body = "set title 'PADE " + what +
                     " over each baseline, per benchmark (log scale; up: PADE better)'\n"
                     "set ylabel '" +
                     what + " (×, baseline / PADE)'\n" + log_axis("y", lo, hi) +
                     range("x", {-0.6, mean_at + 1.1}) + tics +
                     "set style fill solid 0.9 border rgb '#333333'\nset lmargin 14\n"
                     "set grid ytics\nset grid noxtics\n"
                     "set key outside below horizontal noenhanced\n"
                     "# The 1× line the bars start from, and a separator before the mean group.\n"
                     "set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead lc rgb "
                     "'#333333' lw 1.5 front\n"
                     "set arrow 2 from " +
                     num(groups - 0.5) + ", graph 0 to " + num(groups - 0.5) +
                     ", graph 1 nohead lc rgb '#333333' dt 2\n";
  for (std::size_t i = 0; i < order.size(); ++i) {
    const double g = geomean(per_baseline.at(order[i]));
    if (!std::isfinite(g)) continue;
    body += "set label " + std::to_string(10 + i) + " " + gp(ratio_text(g)) + " at " +
            num(mean_at + 2 * offset(i)) + ", " + num(g) +
            (g >= 1 ? " rotate by 90 left offset 0,0.4" : " rotate by 90 right offset 0,-0.4") +
            " font ',9' front\n";
  }
  body += "plot ";
  for (std::size_t i = 0; i < order.size(); ++i) {
    // Benchmark rows at 0, 1, …; the mean row (the last, $0 == groups) at mean_at, doubled.
    const std::string mean = "($0==" + num(groups) + ")";
    const std::string x =
        "(" + mean + "?" + num(mean_at + 2 * offset(i)) + ":$0+" + num(offset(i)) + ")";
    const std::string half = "(" + mean + "?" + num(width) + ":" + num(width / 2) + ")";
    const std::string c = std::to_string(i + 2);
    body +=
        std::string(i ? ", \\\n     '' " : "'" + name + ".dat' ") + "using " + x + ":" + c + ":(" +
        x + "-" + half + "):(" + x + "+" + half + "):(1):" + c + " with boxxyerror ls " +
        std::to_string(i % 8 + 1) + " title " +
        gp(label(order[i]) + " (geo-mean " + ratio_text(geomean(per_baseline.at(order[i]))) + ")");
  }
  return body + "\n";
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
  Figure f;
  f.size = kWide;
  f.dat = dat.str();
  std::vector<std::string> benches;
  for (const auto& [bench, _] : by_bench) benches.push_back(bench);
  f.body = comparison_body(name, what, order, per_baseline, benches, lo, hi);
  std::string means;
  for (const auto& b : order)
    means += (means.empty() ? "" : ", ") + label(b) + " " + ratio_text(geomean(per_baseline[b]));
  f.caption = "PADE " + what + " over " + std::to_string(order.size()) + " baselines on " +
              std::to_string(by_bench.size()) + " benchmarks: " +
              (metric == kComparisonSpeedup ? "baseline time / PADE time"
                                            : "baseline energy / PADE energy") +
              ", bars drawn from 1× (up: PADE better, down: PADE worse), log scale; geometric "
              "mean per baseline " +
              means + "." + caption_facts(store, cid, comparison_normalization(store, cid));
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
