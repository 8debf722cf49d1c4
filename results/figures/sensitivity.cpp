// Sensitivity: any metric against any swept parameter — every design, and the mean per value
// with its min–max.
#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "core/error.hpp"
#include "results/figures/figure.hpp"
#include "results/query.hpp"

namespace pade::results::figures {

namespace {

struct Row {
  std::string hash;
  double y;
  std::optional<double> x;
  std::string text;
};

/// The campaign's points (by seq), or only the designs of its points.
std::vector<PointRecord> points_of(Store& store, std::int64_t cid) {
  std::vector<PointRecord> out;
  for (auto& r : store.ranked_points(cid)) out.push_back(std::move(r.point));
  std::stable_sort(out.begin(), out.end(),
                   [](const PointRecord& a, const PointRecord& b) { return a.seq < b.seq; });
  return out;
}

const ParamValue* value_of(const DesignParameters& params, const std::string& hash,
                           const std::string& key) {
  const auto d = params.find(hash);
  if (d == params.end()) return nullptr;
  const auto v = d->second.find(key);
  return v == d->second.end() ? nullptr : &v->second;
}

/// The parameter asked for (InputError when the designs lack it, NoFigureData when it is not
/// swept), else the first swept one that is not a model coefficient.
std::string chosen_parameter(Store& store, std::int64_t cid, const DesignParameters& params,
                             const std::string& asked) {
  const auto swept = store.swept_parameters(cid);
  if (asked.empty()) {
    for (const auto& s : swept)
      if (s.rfind("coefficients.", 0) != 0) return s;
    if (!swept.empty()) return swept.front();
    throw NoFigureData("the campaign sweeps no parameter (all its designs are equal)");
  }
  if (contains(swept, asked)) return asked;
  std::set<std::string> values;
  for (const auto& p : points_of(store, cid))
    if (const ParamValue* v = value_of(params, p.config_hash, asked)) values.insert(v->text);
  if (values.empty())
    throw core::InputError("--param: '" + asked +
                           "' is not a configuration parameter of the campaign's designs");
  throw NoFigureData("--param " + asked +
                     " is not swept by the campaign (one value: " + *values.begin() + ")");
}

/// A suite-level metric (a point column): one row per point, by seq.
std::vector<Row> suite_rows(Store& store, std::int64_t cid, const DesignParameters& params,
                            const std::string& param, const std::string& metric) {
  std::vector<Row> rows;
  for (const auto& p : points_of(store, cid)) {
    const auto y = p.objectives.find(metric);
    const ParamValue* v = value_of(params, p.config_hash, param);
    if (y && v) rows.push_back({p.config_hash, *y, v->num, v->text});
  }
  return rows;
}

/// Any other metric: its mean over each design's evaluations, designs by their first seq.
std::vector<Row> mean_rows(Store& store, std::int64_t cid, const DesignParameters& params,
                           const std::string& param, const std::string& metric) {
  require_metric(store, cid, metric);
  std::vector<std::string> order;
  std::map<std::string, std::pair<double, std::size_t>> sums;  // hash → sum, count
  for (const auto& e : store.evaluations(cid, {"", "", !is_evaluation_column(metric)})) {
    const auto y = e.metrics.find(metric);
    if (!y || !value_of(params, e.config_hash, param)) continue;
    auto [it, added] = sums.try_emplace(e.config_hash, 0.0, 0);
    if (added) order.push_back(e.config_hash);
    it->second.first += *y, ++it->second.second;
  }
  std::vector<Row> rows;
  for (const auto& hash : order) {
    const ParamValue* v = value_of(params, hash, param);
    const auto [sum, n] = sums.at(hash);
    rows.push_back({hash, sum / static_cast<double>(n), v->num, v->text});
  }
  return rows;
}

}  // namespace

/// Any metric against any swept parameter: every design, and the mean with its min–max.
Figure sensitivity(Store& store, std::int64_t cid, const FigureOptions& o) {
  const DesignParameters params = store.design_parameters(cid);
  const std::string param = chosen_parameter(store, cid, params, o.param);
  const std::string metric = o.metric.empty() ? "latency_s" : o.metric;
  const bool suite = core::metric::is_column(core::metric::kPointColumns, metric);
  const std::vector<Row> rows = suite ? suite_rows(store, cid, params, param, metric)
                                      : mean_rows(store, cid, params, param, metric);
  if (rows.empty())
    throw NoFigureData("no design of the campaign has both " + param + " and " + metric);
  const bool numeric =
      std::all_of(rows.begin(), rows.end(), [](const Row& r) { return r.x.has_value(); });
  // Categorical parameters are placed at 0, 1, 2… in sorted order of their text.
  std::map<std::string, int> category;
  for (const auto& r : rows) category.emplace(r.text, 0);
  {
    int i = 0;
    for (auto& [_, idx] : category) idx = i++;
  }
  const auto x_of = [&](const Row& r) {
    return numeric ? *r.x : static_cast<double>(category[r.text]);
  };
  std::map<double, std::vector<double>> by_x;
  std::map<double, std::string> text_of;
  double y_lo = INFINITY, y_hi = -INFINITY;
  for (const auto& r : rows) {
    by_x[x_of(r)].push_back(r.y);
    text_of[x_of(r)] = r.text;
    y_lo = std::min(y_lo, r.y), y_hi = std::max(y_hi, r.y);
  }
  std::ostringstream dat;
  dat << "# " << metric << (suite ? " (suite level)" : " (mean over benchmarks)") << " against "
      << param << (numeric ? "" : " (categorical: x is the index of the value)") << ".\n"
      << "# index 0: every design: x " << metric << " config_hash\n";
  for (const auto& r : rows) dat << num(x_of(r)) << ' ' << num(r.y) << ' ' << r.hash << '\n';
  dat << "\n\n# index 1: per value: x mean min max designs value\n";
  for (const auto& [x, ys] : by_x) {
    double s = 0;
    for (const double y : ys) s += y;
    dat << num(x) << ' ' << num(s / static_cast<double>(ys.size())) << ' '
        << num(*std::min_element(ys.begin(), ys.end())) << ' '
        << num(*std::max_element(ys.begin(), ys.end())) << ' ' << ys.size() << ' '
        << quoted(text_of[x]) << '\n';
  }
  Figure f;
  f.dat = dat.str();
  std::string axes;
  if (numeric) {
    std::vector<double> xs;
    for (const auto& [x, _] : by_x) xs.push_back(x);
    axes += value_axis("x", xs);
  } else {
    axes += "set xtics (";
    for (const auto& [text, i] : category)
      axes += (i ? ", " : "") + gp(text) + " " + std::to_string(i);
    axes += ") noenhanced\n" + range("x", {-0.5, static_cast<double>(category.size()) - 0.5});
  }
  if (y_lo > 0 && y_hi / y_lo >= 30) axes += log_axis("y", y_lo, y_hi);
  f.body = "set title " + gp("Sensitivity of " + metric + " to " + humanize(param)) +
           " noenhanced\n"
           "set xlabel " +
           gp(humanize(param) + " (" + param + ")") +
           " noenhanced\n"
           "set ylabel " +
           gp(metric + unit_of(metric) + (suite ? ", suite" : ", mean over benchmarks")) +
           " noenhanced\n" + axes +
           "set key outside right top vertical\n"
           "plot 'sensitivity.dat' index 0 using 1:2 with points ls 6 pt 7 ps 0.9 title 'each "
           "design', \\\n"
           "     '' index 1 using 1:2:3:4 with yerrorlines ls 1 title 'mean (bars: min–max)', \\\n"
           // Invisible points tagged with each design's hash (SVG hypertext), for the report's
           // tooltips and selection; nothing is drawn in PNG/PDF.
           "     '' index 0 using 1:2:3 with labels hypertext point pt 7 ps 1.1 lc rgb '#FF000000' "
           "notitle\n";
  f.caption = "Sensitivity of " + metric + " to " + humanize(param) + " (" + param + ") over " +
              std::to_string(rows.size()) + " designs." +
              caption_facts(store, cid, "none (absolute values)");
  return f;
}

}  // namespace pade::results::figures
