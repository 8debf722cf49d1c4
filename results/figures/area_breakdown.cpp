// The area of the Pareto-front designs, stacked by component (metrics area_<part>_mm2).
#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

#include "results/figures/figure.hpp"
#include "results/query.hpp"

namespace pade::results::figures {

namespace {

/// The suite Pareto-front designs (every feasible one when the campaign has no front), smallest
/// area first (unknown area before any), at most 16.
std::vector<Design> smallest_front_designs(Store& store, std::int64_t cid) {
  auto points = store.ranked_points(cid);
  const bool ranked = std::any_of(points.begin(), points.end(),
                                  [](const RankedPoint& r) { return r.suite_rank.has_value(); });
  // One fidelity (the front's) and each design once: a screened-then-refined design has a
  // point at both fidelities.
  std::set<std::string> seen;
  std::erase_if(points, [&](const RankedPoint& r) {
    return !r.point.feasible || !r.at_front_fidelity || (ranked && r.suite_rank != 0) ||
           !seen.insert(r.point.config_hash).second;
  });
  const auto key = [](const RankedPoint& r) {
    const auto area = r.point.objectives.find("area_mm2");
    return std::tuple(area.has_value(), area.value_or(0.0), std::string_view(r.point.config_hash));
  };
  std::sort(points.begin(), points.end(),
            [&](const RankedPoint& a, const RankedPoint& b) { return key(a) < key(b); });
  std::vector<Design> out;
  for (std::size_t i = 0; i < points.size() && i < 16; ++i)
    out.push_back({points[i].point.config_hash, points[i].point.fidelity});
  return out;
}

}  // namespace

/// Stacked area_<part>_mm2 of the suite Pareto-front designs (or the smallest feasible ones).
Figure area_breakdown(Store& store, std::int64_t cid, const FigureOptions&) {
  const std::vector<Design> designs = smallest_front_designs(store, cid);
  std::vector<std::map<std::string, double>> parts;
  std::vector<double> totals;
  std::set<std::string> names;
  for (const auto& d : designs) {
    // Area does not depend on the benchmark: read it from the design's first evaluation.
    std::map<std::string, double> p;
    double total = NAN;
    if (const auto e = store.first_evaluation(cid, d.hash, d.fidelity)) {
      total = e->metrics.find("area_mm2").value_or(NAN);
      for (const auto& [key, value] : e->metrics.values())
        if (const std::string c = component(key, "area_", "_mm2"); !c.empty()) {
          p[c] = value;
          names.insert(c);
        }
    }
    parts.push_back(std::move(p));
    totals.push_back(total);
  }
  for (const auto& a : aggregate_components(names)) {
    names.erase(a);
    for (auto& p : parts) p.erase(a);
  }
  if (names.empty())
    throw NoFigureData("no feasible design reports area components (metrics area_<part>_mm2)" +
                       summary_note(store, cid));
  std::vector<std::string> cols(names.begin(), names.end());
  bool other = false;
  for (std::size_t i = 0; i < designs.size(); ++i) {
    double sum = 0;
    for (const auto& [_, v] : parts[i]) sum += v;
    if (std::isfinite(totals[i]) && totals[i] - sum > 0.005 * totals[i]) other = true;
  }
  std::ostringstream dat;
  dat << "# Area components (mm²) of the suite Pareto-front designs, smallest first"
      << (other ? "; other = area_mm2 - sum of the named components" : "")
      << ".\n# design area_mm2";
  for (const auto& c : cols) dat << ' ' << c;
  if (other) dat << " other";
  dat << " config_hash\n";
  for (std::size_t i = 0; i < designs.size(); ++i) {
    double sum = 0;
    dat << quoted(short_hash(designs[i].hash)) << ' ' << num(totals[i]);
    for (const auto& c : cols) {
      const double v = parts[i].count(c) ? parts[i].at(c) : 0.0;
      sum += v;
      dat << ' ' << num(v);
    }
    if (other) dat << ' ' << num(std::isfinite(totals[i]) ? std::max(0.0, totals[i] - sum) : 0.0);
    dat << ' ' << designs[i].hash << '\n';
  }
  if (other) cols.emplace_back("other");
  Figure f;
  f.dat = dat.str();
  f.body =
      "set title 'Area breakdown of the Pareto-front designs'\n"
      "set ylabel 'area (mm²)'\nset xlabel 'design (configuration hash; pade show DB HASH)'\n"
      "set style data histograms\nset style histogram rowstacked\n"
      "set style fill solid 0.9 border rgb '#333333'\nset boxwidth 0.7\n"
      "set yrange [0:*]\nset xtics rotate by 40 right noenhanced\nset grid noxtics\n"
      "set key outside right top vertical noenhanced\n"
      "plot ";
  f.body +=
      stacked_plot("area_breakdown.dat", cols, [](std::size_t i) { return std::to_string(i + 3); });
  std::string shares;  // of the smallest design, so a reader has the proportions in numbers
  if (!designs.empty() && std::isfinite(totals[0]) && totals[0] > 0)
    for (const auto& [c, v] : parts[0])
      shares += std::string(shares.empty() ? "" : ", ") + c + " " +
                std::to_string(static_cast<int>(std::lround(100 * v / totals[0]))) + " %";
  f.caption = "Area by component (metrics area_<part>_mm2, in mm²) of " +
              std::to_string(designs.size()) + " Pareto-front designs, smallest first" +
              (shares.empty() ? std::string() : " (shares of the smallest: " + shares + ")") + "." +
              caption_facts(store, cid, "none (absolute values)");
  return f;
}

}  // namespace pade::results::figures
