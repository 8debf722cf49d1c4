// The energy of one design per benchmark, split into its components (metrics energy_<part>_j).
#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include "results/figures/figure.hpp"
#include "results/query.hpp"

namespace pade::results::figures {

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
                       " reports no energy components (metrics energy_<part>_j)");
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
  for (const auto& [bench, p] : parts) {
    double sum = 0;
    for (const auto& c : cols) sum += p.count(c) ? p.at(c) : 0.0;
    const double rest =
        other && std::isfinite(total[bench]) ? std::max(0.0, total[bench] - sum) : 0.0;
    dat << quoted(bench) << ' ' << num(total[bench]) << ' ' << num(sum + rest);
    for (const auto& c : cols) dat << ' ' << num(p.count(c) ? p.at(c) : 0.0);
    if (other) dat << ' ' << num(rest);
    dat << '\n';
  }
  if (other) cols.emplace_back("other");
  Figure f;
  f.size = kWide;
  f.dat = dat.str();
  // Two panels over the same stacks: joules (what a design spends) and shares (what dominates).
  const std::string title = "Energy breakdown per benchmark, design " + short_hash(d.hash) + " (" +
                            d.fidelity + " model)";
  f.body = "set multiplot layout 1,2 title " + gp(title) +
           " noenhanced\n"
           "set style data histograms\nset style histogram rowstacked\n"
           "set style fill solid 0.9 border rgb '#333333'\nset boxwidth 0.75\n"
           "set xtics rotate by 40 right noenhanced\nset grid noxtics\nset xlabel 'benchmark'\n"
           "set title 'energy (J)'\nset ylabel 'energy (J)'\nset yrange [0:*]\nunset key\nplot ";
  f.body += stacked_plot("energy_breakdown.dat", cols,
                         [](std::size_t i) { return std::to_string(i + 4); });
  f.body +=
      "set title 'share of the energy (%)'\nset ylabel 'share of the energy (%)'\n"
      "set yrange [0:100]\nset key outside right top vertical noenhanced\nplot ";
  f.body += stacked_plot("energy_breakdown.dat", cols,
                         [](std::size_t i) { return "(100*$" + std::to_string(i + 4) + "/$3)"; });
  f.body += "unset multiplot\n";
  f.caption = "Energy by component (metrics energy_<part>_j) per benchmark for design " + d.hash +
              ", in joules (left) and as shares of its energy (right)." +
              caption_facts(store, cid, "none (absolute values)", d.fidelity + " model");
  return f;
}

}  // namespace pade::results::figures
