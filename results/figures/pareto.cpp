// The design space: suite latency against energy, area as colour, the Pareto front marked.
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
  Figure f;
  f.dat =
      "# Suite-level objectives of every feasible configuration (index 0) and the Pareto front "
      "(index 1).\n"
      "# latency_s = geometric mean over benchmarks; energy_j = total over benchmarks; area_mm2\n"
      "# latency_s energy_j area_mm2 pareto_rank config_hash\n" +
      all.str() + "\n\n# index 1: the suite Pareto front (rank 0), by latency\n" + front.str();
  if (!(ar_lo <= ar_hi)) ar_lo = 0, ar_hi = 1;
  if (ar_hi - ar_lo < 1e-9 * std::max(1.0, ar_hi))
    ar_lo -= 0.5, ar_hi += 0.5;  // one area: a non-empty colour range
  f.body =
      "set title 'Design space: suite latency vs energy, area as colour (Pareto front in black)'\n"
      "set xlabel 'latency, geometric mean over benchmarks (s)'\n"
      "set ylabel 'energy, total over benchmarks (J)'\n"
      "set cblabel 'area (mm²)'\n" +
      log_axis("x", lat_lo, lat_hi) + log_axis("y", en_lo, en_hi) + "set cbrange [" + num(ar_lo) +
      ":" + num(ar_hi) +
      "]\n"
      "plot 'pareto.dat' index 0 using 1:2:3 with points pt 7 ps 1.4 lc palette title "
      "'configurations'" +
      (n_front > 0 ? std::string(", \\\n     '' index 1 using 1:2 with points ls 8 pt 6 ps "
                                 "2.2 title 'Pareto front (all objectives)'")
                   : std::string()) +
      "\n";
  f.caption = "Suite-level latency (geometric mean) against total energy for the " +
              std::to_string(n) + " feasible configurations; colour is area, the black line the " +
              std::to_string(n_front) + "-point Pareto front.";
  return f;
}

}  // namespace pade::results::figures
