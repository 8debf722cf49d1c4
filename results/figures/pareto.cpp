// The design space: suite latency against energy, area as colour, the Pareto front marked.
#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

#include "results/decision.hpp"
#include "results/figures/figure.hpp"
#include "results/query.hpp"

namespace pade::results::figures {

namespace {

/// The 2-D front of the two plotted objectives over points sorted by (latency, energy): each point
/// with less energy than every faster one. Its .dat rows and their count.
std::pair<std::string, std::size_t> two_d_front(const std::vector<RankedPoint>& sorted) {
  std::ostringstream rows;
  std::size_t n = 0;
  double best_energy = INFINITY, best_latency = NAN;
  for (const auto& r : sorted) {
    const double lat = r.point.objectives.get("latency_s");
    const double en = r.point.objectives.get("energy_j");
    // Equal in both objectives to the last front point: also non-dominated.
    if (!(en < best_energy) && !(en == best_energy && lat == best_latency)) continue;
    best_energy = en, best_latency = lat, ++n;
    rows << num(r.point.objectives.get("latency_s")) << ' ' << num(en) << ' ' << r.point.config_hash
         << '\n';
  }
  return {rows.str(), n};
}

/// The paper's design point as a .dat row and a gnuplot label (both empty when not shown).
std::pair<std::string, std::string> paper_mark(const std::vector<RankedPoint>& shown,
                                               const std::string& paper) {
  for (const auto& r : shown) {
    if (paper.empty() || r.point.config_hash != paper) continue;
    const std::string x = num(r.point.objectives.get("latency_s"));
    const std::string y = num(r.point.objectives.get("energy_j"));
    return {x + ' ' + y + ' ' + paper + '\n',
            "set style textbox opaque noborder\nset label 1 " +
                gp("paper's design (" + short_hash(paper) + ")") + " at " + x + ", " + y +
                " point pt 12 ps 3 lc rgb '#D55E00' lw 2 offset 1.5,1.2 front boxed noenhanced\n"};
  }
  return {"", ""};
}

/// The report's recommended designs (results/decision.hpp) as .dat rows (latency energy hash
/// roles) and a gnuplot label for the balanced one (both empty when there are none).
std::pair<std::string, std::string> recommended_marks(Store& store, std::int64_t cid) {
  const DecisionInput in = decision_input(store, cid);
  std::string rows, label;
  for (const auto& rec : recommend(in, paper_parameters()).designs) {
    const auto d = std::find_if(in.designs.begin(), in.designs.end(),
                                [&](const FrontDesign& x) { return x.hash == rec.hash; });
    const double lat = d->objectives.find("latency_s").value_or(NAN);
    const double en = d->objectives.find("energy_j").value_or(NAN);
    if (!(lat > 0 && en > 0)) continue;
    std::string roles;
    for (const auto& role : rec.roles) roles += (roles.empty() ? "" : "; ") + role;
    rows += num(lat) + ' ' + num(en) + ' ' + rec.hash + ' ' + figures::quoted(roles) + '\n';
    if (rec.roles.front() == "balanced")
      label = "set style textbox opaque noborder\nset label 2 " +
              gp("balanced (" + short_hash(rec.hash) + ")") + " at " + num(lat) + ", " + num(en) +
              " offset 1.5,-1.2 front boxed noenhanced\n";
  }
  return {rows, label};
}

/// The plot command: the cloud by area, the 2-D front, the full front's rings, the recommended
/// designs' squares, and invisible hit targets on top.
std::string plot_clauses(bool rings, bool recommended) {
  return "plot 'pareto.dat' index 0 using 1:2:3 with points pt 7 ps 1.4 lc palette title "
         "'configurations', \\\n"
         "     '' index 2 using 1:2 with steps ls 8 lw 2 title 'front of latency and energy'" +
         std::string(rings ? ", \\\n     '' index 1 using 1:2 with points ls 8 pt 6 ps 2.2 title "
                             "'Pareto front, all objectives'"
                           : "") +
         (recommended ? ", \\\n     '' index 4 using 1:2 with points pt 4 ps 2.6 lw 2 lc rgb "
                        "'#009E73' title 'recommended (report)'"
                      : "") +
         // One hit target per configuration: the SVG terminal writes each with its hash as
         // hypertext, which the HTML report turns into hover tooltips and selection; the PNG and
         // PDF draw nothing (fully transparent).
         ", \\\n     '' index 0 using 1:2:5 with labels hypertext point pt 7 ps 1.6 lc rgb "
         "'#FF000000' notitle\n";
}

}  // namespace

Figure pareto(Store& store, std::int64_t cid, const FigureOptions&) {
  // Feasible points with latency and energy, at the fidelity the front was ranked at.
  std::vector<RankedPoint> shown;
  for (auto& r : store.ranked_points(cid)) {
    const auto lat = r.point.objectives.find("latency_s"), en = r.point.objectives.find("energy_j");
    if (r.point.feasible && r.at_front_fidelity && lat && *lat > 0 && en && *en > 0)
      shown.push_back(std::move(r));
  }
  const auto key = [](const RankedPoint& r) {
    return std::tuple(r.point.objectives.get("latency_s"), r.point.objectives.get("energy_j"),
                      std::string_view(r.point.config_hash));
  };
  std::sort(shown.begin(), shown.end(),
            [&](const RankedPoint& a, const RankedPoint& b) { return key(a) < key(b); });
  std::ostringstream all, front;
  double lat_lo = INFINITY, lat_hi = 0, en_lo = INFINITY, en_hi = 0, ar_lo = INFINITY,
         ar_hi = -INFINITY;
  std::size_t n = 0, n_front = 0;
  for (const auto& r : shown) {
    const double lat = r.point.objectives.get("latency_s"), en = r.point.objectives.get("energy_j");
    const double area = r.point.objectives.find("area_mm2").value_or(NAN);
    const bool on_front = r.suite_rank == 0;
    const std::string line = num(lat) + ' ' + num(en) + ' ' + num(area) + ' ' +
                             (r.suite_rank ? std::to_string(*r.suite_rank) : "NaN") + ' ' +
                             r.point.config_hash + '\n';
    all << line;
    if (on_front) front << line, ++n_front;
    lat_lo = std::min(lat_lo, lat), lat_hi = std::max(lat_hi, lat);
    en_lo = std::min(en_lo, en), en_hi = std::max(en_hi, en);
    if (std::isfinite(area)) ar_lo = std::min(ar_lo, area), ar_hi = std::max(ar_hi, area);
    ++n;
  }
  if (n == 0) throw NoFigureData("the campaign has no feasible point with latency and energy");
  const auto [front2, n_front2] = two_d_front(shown);
  std::vector<std::string> hashes;
  for (const auto& r : shown) hashes.push_back(r.point.config_hash);
  const std::string paper = paper_design(store, cid, hashes);
  const auto [paper_row, paper_label] = paper_mark(shown, paper);
  const auto [recommended_rows, recommended_label] = recommended_marks(store, cid);
  Figure f;
  f.dat =
      "# Suite-level objectives of every feasible configuration (index 0), the Pareto front over\n"
      "# all objectives (index 1), the 2-D front of latency and energy (index 2) and the paper's\n"
      "# design point (index 3), at the fidelity the front was ranked at.\n"
      "# latency_s = geometric mean over benchmarks; energy_j = total over benchmarks; area_mm2\n"
      "# latency_s energy_j area_mm2 pareto_rank config_hash\n" +
      all.str() + "\n\n# index 1: the suite Pareto front (rank 0), by latency\n" + front.str() +
      "\n\n# index 2: the 2-D front of latency and energy, by latency\n# latency_s energy_j "
      "config_hash\n" +
      front2 + "\n\n# index 3: the paper's design point (none: not in the campaign)\n" +
      (paper_row.empty() ? "NaN NaN none\n" : paper_row) +
      "\n\n# index 4: the report's recommended designs (results/decision.hpp)\n# latency_s "
      "energy_j config_hash roles\n" +
      (recommended_rows.empty() ? "NaN NaN none \"none\"\n" : recommended_rows);
  if (!(ar_lo <= ar_hi)) ar_lo = 0, ar_hi = 1;
  if (ar_hi - ar_lo < 1e-9 * std::max(1.0, ar_hi))
    ar_lo -= 0.5, ar_hi += 0.5;  // one area: a non-empty colour range
  f.body =
      "set title 'Design space: suite latency vs energy, area as colour'\n"
      "set xlabel 'latency, geometric mean over benchmarks (s)'\n"
      "set ylabel 'energy, total over benchmarks (J)'\n"
      "set cblabel 'area (mm²)'\n" +
      log_axis("x", lat_lo, lat_hi) + log_axis("y", en_lo, en_hi) + "set cbrange [" + num(ar_lo) +
      ":" + num(ar_hi) + "]\nset key outside top center horizontal\n" + paper_label +
      recommended_label + plot_clauses(n_front > 0, !recommended_rows.empty());
  f.caption = "Suite-level latency (geometric mean) against total energy for the " +
              std::to_string(n) + " feasible configurations; colour is area, the black line the " +
              std::to_string(n_front2) + "-point front of these two objectives, rings the " +
              std::to_string(n_front) + "-point Pareto front over all objectives" +
              (paper.empty() ? std::string("; the paper's design point is not in the campaign")
                             : "; the paper's design point is labelled") +
              (recommended_rows.empty()
                   ? std::string()
                   : "; green squares are the report's recommended designs (the balanced one, "
                     "nearest the ideal point of the front's normalized objectives, labelled)") +
              "." + caption_facts(store, cid, "none (absolute values)");
  return f;
}

}  // namespace pade::results::figures
