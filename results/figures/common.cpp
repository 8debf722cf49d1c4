// The helpers the figure builders share: gnuplot text, and the design and metric checks.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <functional>
#include <initializer_list>
#include <tuple>

#include "core/error.hpp"
#include "results/figures/figure.hpp"
#include "results/query.hpp"

namespace pade::results::figures {

std::string num(double v) {
  if (!std::isfinite(v)) return "NaN";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}
/// A string as one data-file column (gnuplot reads "double-quoted" fields whole).
std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) out += c == '"' ? '\'' : c;
  return out + "\"";
}
/// A gnuplot single-quoted string literal ('' is a quote inside).
std::string gp(const std::string& s) {
  std::string out = "'";
  for (const char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}
std::string short_hash(const std::string& h) {
  return h.substr(0, 8);
}

/// log-axis range with a little air around [lo, hi] (both > 0).
std::pair<double, double> log_range(double lo, double hi) {
  if (!(lo > 0) || !(hi > 0)) return {1, 10};
  const double f = hi > lo ? std::max(1.06, std::pow(hi / lo, 0.06)) : 1.25;
  return {lo / f, hi * f};
}
std::string range(const char* axis, std::pair<double, double> r) {
  return std::string("set ") + axis + "range [" + num(r.first) + ":" + num(r.second) + "]\n";
}

/// A log axis over [lo, hi] with readable tics: gnuplot labels only powers of ten, which leaves a
/// range under two decades with one tic or none, so such ranges get 1-2-5 (or 1…9) tics.
std::string log_axis(const std::string& axis, double lo, double hi) {
  const auto r = log_range(lo, hi);
  std::string s = "set logscale " + axis + "\n" + range(axis.c_str(), r);
  if (r.second / r.first >= 100) {
    // Decades: plain numbers while they stay short (0.001 … 10000), powers of ten beyond.
    const bool plain = r.first >= 1e-3 && r.second <= 1e4;
    return s + "set format " + axis + (plain ? " '%g'\n" : " '%.0t×10^{%T}'\n");
  }
  const auto tics = [&](std::initializer_list<int> mantissas) {
    std::vector<double> v;
    for (int k = static_cast<int>(std::floor(std::log10(r.first)));
         k <= static_cast<int>(std::ceil(std::log10(r.second))); ++k)
      for (const int m : mantissas) {
        const double x = m * std::pow(10.0, k);
        if (x >= r.first && x <= r.second) v.push_back(x);
      }
    return v;
  };
  auto v = tics({1, 2, 5});
  if (v.size() < 3) v = tics({1, 2, 3, 4, 5, 6, 7, 8, 9});
  if (v.size() < 3) {  // under a factor of ~2: evenly spaced tics at a 1-2-5 step
    const double raw = (r.second - r.first) / 5, mag = std::pow(10.0, std::floor(std::log10(raw)));
    const double step = raw / mag < 2 ? 2 * mag : raw / mag < 5 ? 5 * mag : 10 * mag;
    v.clear();
    for (double x = std::ceil(r.first / step) * step; x <= r.second; x += step) v.push_back(x);
  }
  s += "set " + axis + "tics (";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + num(v[i]);
  return s + ")\nset format " + axis + " '%g'\n";
}

/// A numeric axis through the given distinct values: tics at the values when there are few, a
/// base-2 log scale when they span a factor of 8 or more (lanes, buffer sizes).
std::string value_axis(const std::string& axis, const std::vector<double>& values) {
  const double lo = values.front(), hi = values.back();
  std::string s;
  if (lo > 0 && hi / lo >= 8) {
    s = "set logscale " + axis + " 2\n" + range(axis.c_str(), log_range(lo, hi));
  } else {
    const double pad = hi > lo ? 0.1 * (hi - lo) : 0.5;
    s = range(axis.c_str(), {lo - pad, hi + pad});
  }
  if (values.size() <= 12) {
    s += "set " + axis + "tics (";
    for (std::size_t i = 0; i < values.size(); ++i) s += (i ? ", " : "") + num(values[i]);
    s += ")\n";
  }
  return s;
}

std::string unit_of(const std::string& metric) {
  const auto ends = [&](const char* s) {
    const std::string suf(s);
    return metric.size() > suf.size() &&
           metric.compare(metric.size() - suf.size(), suf.size(), suf) == 0;
  };
  if (ends("_cycles")) return " (cycles)";
  if (ends("_bytes")) return " (bytes)";
  if (ends("_mm2")) return " (mm²)";
  if (ends("_s")) return " (s)";
  if (ends("_j")) return " (J)";
  if (ends("_w")) return " (W)";
  return "";
}

double geomean(const std::vector<double>& v) {
  double s = 0;
  for (const double x : v) s += std::log(x);
  return v.empty() ? NAN : std::exp(s / static_cast<double>(v.size()));
}

/// "energy_dram_j" with prefix "energy_" and suffix "_j" → "dram"; empty when not a component.
std::string component(const std::string& key, const std::string& prefix,
                      const std::string& suffix) {
  if (key.size() <= prefix.size() + suffix.size()) return "";
  if (key.compare(0, prefix.size(), prefix) != 0) return "";
  if (key.compare(key.size() - suffix.size(), suffix.size(), suffix) != 0) return "";
  return key.substr(prefix.size(), key.size() - prefix.size() - suffix.size());
}

/// Component names that are sums of other reported components (energy_core_j = every on-chip
/// part; area_sram_mm2 = sram_kv + sram_q + sram_out; area_logic_mm2 = the logic parts): stacking
/// them beside their parts would count the same energy or area twice.
std::set<std::string> aggregate_components(const std::set<std::string>& names) {
  std::set<std::string> out;
  for (const auto& n : names)
    for (const auto& other : names)
      if (other != n && other.rfind(n + "_", 0) == 0) out.insert(n);
  std::size_t finer = 0;
  for (const auto& n : names)
    if (n != "dram" && n != "core" && n != "logic") ++finer;
  if (finer >= 2)
    for (const char* total : {"core", "logic"})
      if (names.count(total)) out.insert(total);
  return out;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::string stacked_plot(const std::string& file, const std::vector<std::string>& columns,
                         const std::function<std::string(std::size_t)>& column) {
  std::string out;
  for (std::size_t i = 0; i < columns.size(); ++i)
    out += std::string(i ? ", \\\n     '' " : "'" + file + "' ") + "using " + column(i) +
           (i ? "" : ":xtic(1)") + " ls " + std::to_string(i % 8 + 1) +
           (i >= 8 ? " fs pattern " + std::to_string(i / 8) : std::string()) + " title " +
           gp(columns[i]);
  return out + "\n";
}

bool is_evaluation_column(const std::string& metric) {
  return core::metric::is_column(core::metric::kEvaluationColumns, metric);
}

void require_metric(Store& store, std::int64_t cid, const std::string& metric) {
  if (is_evaluation_column(metric)) return;
  const bool plain = !metric.empty() && std::all_of(metric.begin(), metric.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.';
  });
  if (plain && store.any_evaluation_reports(cid, metric)) return;
  std::string known;
  if (const auto first = store.first_evaluation(cid))
    for (const auto& [name, _] : first->metrics.sorted())
      known += (known.empty() ? "" : ", ") + name;
  throw core::InputError("--metric: the campaign's evaluations report no metric '" + metric +
                         "' (they report: " + (known.empty() ? std::string("nothing") : known) +
                         ")");
}

Design pick_design(Store& store, std::int64_t cid, const std::string& config) {
  if (!config.empty()) {
    const std::string hash = resolve_config_hash(store, config);
    const auto evaluations = store.evaluations(cid, {hash, "", false});
    if (evaluations.empty())
      throw core::InputError("--config: design " + hash + " has no evaluation in this campaign");
    std::string fidelity = evaluations.front().fidelity;
    for (const auto& e : evaluations) fidelity = std::min(fidelity, e.fidelity);
    return {hash, fidelity};
  }
  // Front rank first (unranked last), then energy, then hash.
  const RankedPoint* best = nullptr;
  const auto key = [](const RankedPoint& r) {
    return std::tuple(r.suite_rank.value_or(1 << 30), *r.point.objectives.find("energy_j"),
                      std::string_view(r.point.config_hash));
  };
  const auto points = store.ranked_points(cid);
  for (const auto& r : points)
    if (r.point.feasible && r.point.objectives.find("energy_j") && (!best || key(r) < key(*best)))
      best = &r;
  if (best == nullptr) throw NoFigureData("the campaign has no feasible design");
  return {best->point.config_hash, best->point.fidelity};
}

}  // namespace pade::results::figures
