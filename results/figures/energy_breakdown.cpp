// The energy of one design per benchmark, split into its components (metrics energy_<part>_j).
#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include "results/figures/figure.hpp"
#include "results/query.hpp"

namespace pade::results::figures {

namespace {

/// Two panels: the joules of each component over the suite (log scale: they span decades) and
/// each benchmark's shares, one colour per component (component_colour) in both.
std::string panels(const std::string& title, const std::vector<std::string>& cols,
                   const std::vector<double>& suite) {
  double lo = INFINITY, hi = 0;
  for (const double v : suite)
    if (v > 0) lo = std::min(lo, v), hi = std::max(hi, v);
  if (!(lo <= hi)) lo = hi = 1;
  std::string body = "set multiplot title " + gp(title) +
                     " noenhanced\n"
                     "set style fill solid 0.9 border rgb '#333333'\nset grid noxtics\n"
                     "set size 0.3,0.95\nset origin 0,0\nset title 'over the suite (J)'\n"
                     "set ylabel 'energy, total over benchmarks (J)'\n" +
                     log_axis("y", lo, hi) +
                     "set xrange [-0.6:" + num(static_cast<double>(cols.size()) - 0.4) +
                     "]\nset xtics rotate by 40 right noenhanced\nunset key\nset boxwidth 0.7\n"
                     "plot 'energy_breakdown.dat' index 1 using 0:2:3:xtic(1) with boxes lc rgb "
                     "variable\n"
                     "unset logscale y\nset xrange [*:*]\nset ytics auto\nunset xtics\n"
                     "set xtics rotate by 40 right noenhanced\n"
                     "set size 0.7,0.95\nset origin 0.3,0\nset title 'per benchmark (%)'\n"
                     "set ylabel 'share of the benchmark''s energy (%)'\n"
                     "set style data histograms\nset style histogram rowstacked\n"
                     "set boxwidth 0.75\nset yrange [0:100]\n"
                     "set key outside right top vertical noenhanced\nplot ";
  body += stacked_plot(
      "energy_breakdown.dat", cols,
      [](std::size_t i) { return "(100*$" + std::to_string(i + 4) + "/$3)"; }, " index 0");
  return body + "unset multiplot\n";
}

}  // namespace

/// Per-benchmark metrics_json components energy_<part>_j of one design, as shares of the total.
Figure energy_breakdown(Store& store, std::int64_t cid, const FigureOptions& o) {
  const Design d = pick_design(store, cid, o.config);
  std::map<std::string, std::map<std::string, double>> parts;  // benchmark → component → J
  std::map<std::string, double> total;
  std::set<std::string> names;
  for (const auto& e : store.evaluations(cid, {d.hash, d.fidelity, true})) {
    total[e.benchmark] = e.metrics.find("energy_j").value_or(NAN);
    for (const auto& [key, value] : e.metrics.values()) {
      const std::string c = component(key, "energy_", "_j");
      if (c.empty()) continue;
      parts[e.benchmark][c] = value;
      names.insert(c);
    }
  }
  for (const auto& a : aggregate_components(names)) {
    names.erase(a);
    for (auto& [bench, p] : parts) p.erase(a);
  }
  if (names.empty())
    throw NoFigureData("design " + d.hash +
                       " reports no energy components (metrics energy_<part>_j)" +
                       summary_note(store, cid));
  // A component list that does not add up to energy_j gets the rest as 'other', so the bars stay
  // honest.
  bool other = false;
  for (const auto& [bench, p] : parts) {
    double sum = 0;
    for (const auto& [_, v] : p) sum += v;
    if (std::isfinite(total[bench]) && total[bench] - sum > 0.005 * total[bench]) other = true;
  }
  std::vector<std::string> cols(names.begin(), names.end());
  std::ostringstream dat;
  dat << "# Energy components of design " << d.hash << " (" << d.fidelity
      << " model) per benchmark, in J.\n"
      << "# stack_j = the sum of the columns that follow (bars show each column's share of it);"
      << (other ? " other = energy_j - sum of the named components.\n" : "\n")
      << "# benchmark energy_j stack_j";
  for (const auto& c : cols) dat << ' ' << c;
  if (other) dat << " other";
  dat << '\n';
  std::vector<double> suite(cols.size() + 1, 0.0);  // per component, summed over benchmarks
  for (const auto& [bench, p] : parts) {
    double sum = 0;
    for (const auto& c : cols) sum += p.count(c) ? p.at(c) : 0.0;
    const double rest =
        other && std::isfinite(total[bench]) ? std::max(0.0, total[bench] - sum) : 0.0;
    dat << quoted(bench) << ' ' << num(total[bench]) << ' ' << num(sum + rest);
    for (std::size_t i = 0; i < cols.size(); ++i) {
      const double v = p.count(cols[i]) ? p.at(cols[i]) : 0.0;
      dat << ' ' << num(v);
      suite[i] += v;
    }
    if (other) dat << ' ' << num(rest);
    suite.back() += rest;
    dat << '\n';
  }
  if (other) cols.emplace_back("other");
  suite.resize(cols.size());
  dat << "\n\n# index 1: each component summed over the benchmarks (J); colour as 0xRRGGBB\n"
         "# component total_j colour\n";
  for (std::size_t i = 0; i < cols.size(); ++i)
    dat << quoted(cols[i]) << ' ' << num(suite[i]) << ' '
        << std::stol(component_colour(cols[i]).substr(6, 6), nullptr, 16) << '\n';
  Figure f;
  f.size = kWide;
  f.dat = dat.str();
  f.body = panels("Energy breakdown, design " + short_hash(d.hash) + " (" + d.fidelity + " model)",
                  cols, suite);
  f.caption =
      "Energy by component (metrics energy_<part>_j) per benchmark for design " + d.hash +
      ": joules per component over the suite (left, log scale) and shares of each benchmark's "
      "energy (right)." +
      caption_facts(store, cid, "none (absolute values)", d.fidelity + " model");
  return f;
}

}  // namespace pade::results::figures
