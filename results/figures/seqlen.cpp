// Sequence-length scaling: a metric of one design against the benchmarks' sequence length, one
// line per model.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

#include "results/figures/figure.hpp"
#include "results/query.hpp"

namespace pade::results::figures {

/// A metric against the benchmarks' sequence length, one line per model, for one design.
Figure seqlen(Store& store, std::int64_t cid, const FigureOptions& o) {
  const Design d = pick_design(store, cid, o.config);
  const std::string metric = o.metric.empty() ? "latency_s" : o.metric;
  require_metric(store, cid, metric);
  std::map<std::string, const BenchmarkRecord*> by_name;
  const auto benchmarks = store.benchmarks();
  for (const auto& b : benchmarks) by_name[b.name] = &b;
  struct Point {
    const BenchmarkRecord* bench;
    double y;
  };
  std::vector<Point> points;
  for (const auto& e : store.evaluations(cid, {d.hash, d.fidelity, !is_evaluation_column(metric)}))
    if (const auto y = e.metrics.find(metric); y && by_name.count(e.benchmark))
      points.push_back({by_name.at(e.benchmark), *y});
  std::sort(points.begin(), points.end(), [](const Point& a, const Point& b) {
    return std::tie(a.bench->model, a.bench->task, a.bench->seq_len, a.bench->name) <
           std::tie(b.bench->model, b.bench->task, b.bench->seq_len, b.bench->name);
  });
  // One line per (model, task): lengths of different tasks of one model are not one series.
  std::vector<std::string> models;
  std::ostringstream dat;
  dat << "# " << metric << " of design " << d.hash << " (" << d.fidelity
      << " model) against sequence length; one block (index) per (model, task).\n";
  std::set<std::int64_t> lengths;
  double y_lo = INFINITY, y_hi = -INFINITY;
  for (const auto& [bench, y] : points) {
    const std::string series = bench->model + (bench->task.empty() ? "" : " / " + bench->task);
    if (models.empty() || models.back() != series) {
      dat << (models.empty() ? "" : "\n\n") << "# index " << models.size() << ": model " << series
          << "\n# seq_len " << metric << " benchmark\n";
      models.push_back(series);
    }
    const auto n = bench->seq_len;
    dat << n << ' ' << num(y) << ' ' << quoted(bench->name) << '\n';
    lengths.insert(n);
    y_lo = std::min(y_lo, y), y_hi = std::max(y_hi, y);
  }
  if (lengths.size() < 2)
    throw NoFigureData("design " + d.hash + " was evaluated at " + std::to_string(lengths.size()) +
                       " sequence length(s); the figure needs benchmarks of at least two");
  std::string axes;
  // Tics at the lengths themselves (512, 1024, …: base-2 log scale when they span 8× or more).
  axes += value_axis("x", std::vector<double>(lengths.begin(), lengths.end()));
  if (y_lo > 0 && y_hi / y_lo >= 10) axes += log_axis("y", y_lo, y_hi);
  Figure f;
  f.dat = dat.str();
  f.body = "set title " +
           gp("Sequence-length scaling of " + metric + ", design " + short_hash(d.hash)) +
           " noenhanced\n"
           "set xlabel 'sequence length (tokens)'\nset ylabel " +
           gp(metric + unit_of(metric)) + " noenhanced\n" + axes +
           "set key outside right top vertical noenhanced\n"
           "plot ";
  for (std::size_t i = 0; i < models.size(); ++i)
    f.body += std::string(i ? ", \\\n     '' " : "'seqlen.dat' ") + "index " + std::to_string(i) +
              " using 1:2 with linespoints ls " + std::to_string(i % 8 + 1) + " title " +
              gp(models[i]);
  f.body += "\n";
  f.caption = metric + " of design " + d.hash + " against sequence length over " +
              std::to_string(lengths.size()) + " lengths, one line per (model, task)." +
              caption_facts(store, cid, "none (absolute values)", d.fidelity + " model");
  return f;
}

}  // namespace pade::results::figures
