// What moves the headline most: for each of the paper's baselines, the axes of the sensitivity
// box (coefficient ranges, statistics' standard errors) whose one-at-a-time swing changes the
// suite geometric mean of a comparison metric most, as the change from its default in percent
// (rows `tornado-low:` / `tornado-high:` / `sensitivity:nominal` of `pade compare --sensitivity`).
#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include "results/figures/figure.hpp"
#include "results/query.hpp"

namespace pade::results::figures {

namespace {

constexpr std::size_t kBarsPerBaseline = 5;

struct Swing {
  std::string axis;
  double low = 0;   // % change of the ratio with the axis at its low end
  double high = 0;  // … at its high end
  [[nodiscard]] double width() const { return std::abs(high - low); }
};

bool starts_with(const std::string& s, std::string_view p) {
  return s.rfind(p, 0) == 0;
}

/// baseline → its bars (largest swing first), for `metric`.
std::map<std::string, std::vector<Swing>> swings(Store& store, std::int64_t cid,
                                                 const std::string& metric) {
  std::map<std::string, double> nominal;
  std::map<std::string, std::map<std::string, Swing>> by;  // baseline → axis → swing
  const auto rows = store.comparisons(cid);
  for (const auto& r : rows)
    if (r.metric == metric && r.benchmark == std::string(kSensitivityPrefix) + "nominal")
      nominal[r.baseline] = r.value;
  for (const auto& r : rows) {
    if (r.metric != metric || !nominal.count(r.baseline) || !(nominal[r.baseline] > 0)) continue;
    const double pct = 100.0 * (r.value / nominal[r.baseline] - 1.0);
    if (starts_with(r.benchmark, kTornadoLowPrefix)) {
      const std::string axis = r.benchmark.substr(kTornadoLowPrefix.size());
      by[r.baseline][axis].axis = axis;
      by[r.baseline][axis].low = pct;
    } else if (starts_with(r.benchmark, kTornadoHighPrefix)) {
      const std::string axis = r.benchmark.substr(kTornadoHighPrefix.size());
      by[r.baseline][axis].axis = axis;
      by[r.baseline][axis].high = pct;
    }
  }
  std::map<std::string, std::vector<Swing>> out;
  for (auto& [baseline, axes] : by) {
    auto& v = out[baseline];
    for (auto& [_, s] : axes) v.push_back(s);
    std::stable_sort(v.begin(), v.end(),
                     [](const Swing& a, const Swing& b) { return a.width() > b.width(); });
    if (v.size() > kBarsPerBaseline) v.resize(kBarsPerBaseline);
  }
  return out;
}

/// The paper's baselines first (H100, Sanger, DOTA, SOFA), then the others by name.
std::vector<std::string> order_of(const std::map<std::string, std::vector<Swing>>& by) {
  std::vector<std::string> order;
  for (const char* b : {"h100", "sanger", "dota", "sofa"})
    if (by.count(b)) order.emplace_back(b);
  for (const auto& [b, _] : by)
    if (!contains(order, b)) order.push_back(b);
  return order;
}

}  // namespace

Figure tornado(Store& store, std::int64_t cid, const FigureOptions& o) {
  const std::string metric = o.metric.empty() ? std::string(kComparisonEnergyEfficiency) : o.metric;
  const auto by = swings(store, cid, metric);
  if (by.empty())
    throw NoFigureData("campaign '" + campaign_name(store, cid) + "' holds no tornado rows for '" +
                       metric + "': run pade compare --sensitivity N");
  // Rows bottom-up: gnuplot's y grows upwards, so each baseline's largest swing is drawn on top
  // of its group, the first baseline's group on top of the figure.
  std::ostringstream dat;
  dat << "# " << metric
      << ": change of the suite geometric mean from its default (%), one axis at a time\n"
      << "# y label at_low_pct at_high_pct\n";
  double y = 0, lo = 0, hi = 0;
  const auto order = order_of(by);
  for (auto b = order.rbegin(); b != order.rend(); ++b) {
    const auto& bars = by.at(*b);
    for (auto s = bars.rbegin(); s != bars.rend(); ++s) {
      dat << num(y) << ' ' << quoted(*b + ": " + s->axis) << ' ' << num(s->low) << ' '
          << num(s->high) << '\n';
      lo = std::min({lo, s->low, s->high}), hi = std::max({hi, s->low, s->high});
      y += 1;
    }
    y += 0.6;  // a gap between baselines
  }
  const double pad = 0.08 * std::max(1.0, hi - lo);
  Figure f;
  f.size = kWide;
  f.dat = dat.str();
  const std::string file = "'tornado.dat'";
  const std::string box = "($1-0.38):($1+0.38)";
  f.body = "set title '" + metric +
           ": what moves the headline most (one axis at its low / high end, others at default)' "
           "noenhanced\n"
           "set xlabel 'change of the suite geometric mean from its default (%)'\n"
           "set xrange [" +
           num(lo - pad) + ":" + num(hi + pad) + "]\nset yrange [-0.8:" + num(y) +
           "]\nset ytics noenhanced font ',10'\nset grid xtics\nset grid noytics\nset lmargin 46\n"
           "set style fill solid 0.85 border rgb '#333333'\n"
           "set ylabel 'axis of the sensitivity box (coefficient, per baseline)'\n"
           "set key outside below horizontal\n"
           "set arrow 1 from first 0, graph 0 to first 0, graph 1 nohead lc rgb '#333333' lw 1\n"
           "plot " +
           file + " using ($3/2):1:($3<0?$3:0):($3<0?0:$3):" + box +
           ":ytic(2) with boxxyerror ls 1 title 'axis at its low end', \\\n     " + file +
           " using ($4/2):1:($4<0?$4:0):($4<0?0:$4):" + box +
           " with boxxyerror ls 2 title 'axis at its high end'\n";
  f.caption =
      "Tornado of " + metric + " (suite geometric mean, PADE over each baseline): the " +
      std::to_string(kBarsPerBaseline) +
      " axes of the sensitivity box that move it most per baseline, each at its low and "
      "high end with the others at their defaults (pade compare --sensitivity)." +
      caption_facts(store, cid, comparison_normalization(store, cid), "",
                    metric.ends_with("_core") ? "core only (no DRAM or memory interface)" : "");
  return f;
}

}  // namespace pade::results::figures
