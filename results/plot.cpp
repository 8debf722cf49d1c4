#include "results/plot.hpp"

#include <SQLiteCpp/Statement.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "core/file_io.hpp"
#include "core/process.hpp"
#include "results/query.hpp"

namespace pade::results {

namespace fs = std::filesystem;

std::string paper_style_preamble() {
  // Okabe & Ito (2008) colour-blind-safe palette, in its usual order; line style N is category N.
  return "# PADE-DSE paper style: Okabe-Ito colour-blind-safe palette (styles 1-8), grid (style "
         "9).\n"
         "set encoding utf8\n"
         "set style line 1 lc rgb '#0072B2' pt 7 ps 1.0 lw 2\n"   // blue
         "set style line 2 lc rgb '#E69F00' pt 9 ps 1.2 lw 2\n"   // orange
         "set style line 3 lc rgb '#009E73' pt 5 ps 1.0 lw 2\n"   // bluish green
         "set style line 4 lc rgb '#D55E00' pt 11 ps 1.0 lw 2\n"  // vermillion
         "set style line 5 lc rgb '#CC79A7' pt 13 ps 1.0 lw 2\n"  // reddish purple
         "set style line 6 lc rgb '#56B4E9' pt 3 ps 1.0 lw 2\n"   // sky blue
         "set style line 7 lc rgb '#F0E442' pt 15 ps 1.0 lw 2\n"  // yellow
         "set style line 8 lc rgb '#000000' pt 6 ps 1.0 lw 2\n"   // black
         "set style line 9 lc rgb '#999999' lw 0.5 dt 3\n"
         "# Continuous colour (area in the Pareto scatter): viridis, also colour-blind safe.\n"
         "set palette defined (0 '#440154', 1 '#3B528B', 2 '#21908D', 3 '#5DC863', 4 '#FDE725')\n"
         "set grid back ls 9\n"
         "set border 3 lw 1\n"
         "set tics nomirror out\n"
         "set key top right box opaque\n";
}

namespace {

// --- small helpers -------------------------------------------------------------------------------

struct Size {
  int png_w, png_h;
  int svg_w, svg_h;
  double pdf_w_in, pdf_h_in;
};
constexpr Size kNormal{1200, 800, 900, 600, 6.0, 4.0};
constexpr Size kWide{1600, 800, 1200, 600, 8.0, 4.0};  // one bar group per benchmark

/// What a figure builder produces; render() writes and runs it.
struct Figure {
  std::string dat;   // the data file's text
  std::string body;  // gnuplot commands after the style preamble, ending in `plot`
  Size size = kNormal;
  std::string caption;
};

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

const std::vector<std::string>& evaluation_metric_columns() {
  static const std::vector<std::string> cols = {"latency_cycles", "latency_s", "energy_j",
                                                "area_mm2",       "power_w",   "kept_fraction",
                                                "accuracy_loss",  "dram_bytes"};
  return cols;
}
const std::vector<std::string>& point_metric_columns() {
  static const std::vector<std::string> cols = {"latency_s", "energy_j", "area_mm2", "power_w",
                                                "accuracy_loss"};
  return cols;
}
bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

/// The SQL expression for `metric` over evaluations `t`: a column, or a metrics_json key.
/// InputError when the campaign's evaluations do not report it.
std::string metric_expr(Store& store, std::int64_t campaign_id, const std::string& metric) {
  if (contains(evaluation_metric_columns(), metric)) return "t." + metric;
  const bool plain = !metric.empty() && std::all_of(metric.begin(), metric.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.';
  });
  const std::string expr = "json_extract(t.metrics_json, '$.\"" + metric + "\"')";
  if (plain) {
    SQLite::Statement st(store.db(), "SELECT 1 FROM evaluations t WHERE t.campaign_id = ? AND " +
                                         expr + " IS NOT NULL LIMIT 1");
    st.bind(1, campaign_id);
    if (st.executeStep()) return expr;
  }
  std::string known;
  SQLite::Statement st(
      store.db(),
      "SELECT DISTINCT j.key FROM evaluations t, json_each(t.metrics_json) j WHERE t.campaign_id = "
      "? "
      "AND t.rowid = (SELECT min(rowid) FROM evaluations WHERE campaign_id = ?) ORDER BY j.key");
  st.bind(1, campaign_id);
  st.bind(2, campaign_id);
  while (st.executeStep()) known += (known.empty() ? "" : ", ") + st.getColumn(0).getString();
  throw core::InputError("--metric: the campaign's evaluations report no metric '" + metric +
                         "' (they report: " + (known.empty() ? std::string("nothing") : known) +
                         ")");
}

struct Design {
  std::string hash;
  std::string fidelity;
};

/// The design the per-design figures show: the one asked for, else the suite Pareto-front
/// design with the lowest total energy, else the feasible point with the lowest energy.
Design pick_design(Store& store, std::int64_t campaign_id, const std::string& config) {
  if (!config.empty()) {
    const std::string hash = resolve_config_hash(store, config);
    SQLite::Statement st(store.db(),
                         "SELECT fidelity FROM evaluations WHERE campaign_id = ? AND config_hash = "
                         "? ORDER BY fidelity");
    st.bind(1, campaign_id);
    st.bind(2, hash);
    if (!st.executeStep())
      throw core::InputError("--config: design " + hash + " has no evaluation in this campaign");
    return {hash, st.getColumn(0).getString()};
  }
  SQLite::Statement st(
      store.db(),
      "SELECT t.config_hash, t.fidelity FROM points t LEFT JOIN pareto p ON p.campaign_id = "
      "t.campaign_id AND p.config_hash = t.config_hash AND p.scope = 'suite' WHERE t.campaign_id = "
      "? "
      "AND t.feasible = 1 AND t.energy_j IS NOT NULL ORDER BY coalesce(p.rank, 1 << 30), "
      "t.energy_j, "
      "t.config_hash LIMIT 1");
  st.bind(1, campaign_id);
  if (!st.executeStep()) throw NoFigureData("the campaign has no feasible design");
  return {st.getColumn(0).getString(), st.getColumn(1).getString()};
}

// --- the figures ---------------------------------------------------------------------------------

Figure pareto(Store& store, std::int64_t cid) {
  SQLite::Statement st(
      store.db(),
      "SELECT t.config_hash, t.latency_s, t.energy_j, t.area_mm2, p.rank FROM points t LEFT JOIN "
      "pareto p ON p.campaign_id = t.campaign_id AND p.config_hash = t.config_hash AND p.scope = "
      "'suite' WHERE t.campaign_id = ? AND t.feasible = 1 AND t.latency_s > 0 AND t.energy_j > 0 "
      "AND " +
          std::string(kAtFrontFidelitySql) + " ORDER BY t.latency_s, t.energy_j, t.config_hash");
  st.bind(1, cid);
  std::ostringstream all, front;
  double lat_lo = INFINITY, lat_hi = 0, en_lo = INFINITY, en_hi = 0, ar_lo = INFINITY,
         ar_hi = -INFINITY;
  std::size_t n = 0, n_front = 0;
  while (st.executeStep()) {
    const double lat = st.getColumn(1).getDouble(), en = st.getColumn(2).getDouble();
    const double area = st.getColumn(3).isNull() ? NAN : st.getColumn(3).getDouble();
    const bool on_front = !st.getColumn(4).isNull() && st.getColumn(4).getInt() == 0;
    const std::string line =
        num(lat) + ' ' + num(en) + ' ' + num(area) + ' ' +
        (st.getColumn(4).isNull() ? "NaN" : std::to_string(st.getColumn(4).getInt())) + ' ' +
        st.getColumn(0).getString() + '\n';
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

/// speedup or energy_efficiency bars from the comparisons table, with a geometric-mean group.
Figure comparison(Store& store, std::int64_t cid, const std::string& name,
                  std::string_view metric) {
  std::map<std::string, std::map<std::string, double>> by_bench;  // benchmark → baseline → value
  std::set<std::string> baselines;
  for (const auto& r : store.comparisons(cid)) {
    if (r.metric != metric || !(r.value > 0)) continue;
    // Stored suite averages are not benchmarks: the figure computes its own geometric mean.
    if (r.benchmark == "geomean" || r.benchmark == "arithmean") continue;
    by_bench[r.benchmark][r.baseline] = r.value;
    baselines.insert(r.baseline);
  }
  if (by_bench.empty())
    throw NoFigureData("the comparisons table holds no '" + std::string(metric) +
                       "' rows for campaign '" + campaign_name(store, cid) +
                       "': the baseline comparison has not been run on it (table comparisons, "
                       "docs/results-schema.md)");
  // The paper's four baselines first, in its order; any other after them alphabetically.
  std::vector<std::string> order;
  for (const char* known : {"h100", "sanger", "dota", "sofa"})
    if (baselines.erase(known)) order.emplace_back(known);
  order.insert(order.end(), baselines.begin(), baselines.end());
  const auto label = [](const std::string& b) {
    if (b == "h100") return std::string("H100");
    if (b == "sanger") return std::string("Sanger");
    if (b == "dota") return std::string("DOTA");
    if (b == "sofa") return std::string("SOFA");
    if (b == "spatten") return std::string("SpAtten");
    if (b == "energon") return std::string("Energon");
    return b;
  };
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
  const double groups = static_cast<double>(by_bench.size());
  Figure f;
  f.size = kWide;
  f.dat = dat.str();
  f.body =
      "set title 'PADE " + what +
      " over each baseline, per benchmark (log scale)'\n"
      "set ylabel '" +
      what +
      " (×, baseline / PADE)'\n"
      "set style data histograms\nset style histogram clustered gap 1\n"
      "set style fill solid 0.9 border rgb '#333333'\nset boxwidth 0.9\n" +
      log_axis("y", lo, hi) +
      "set xtics rotate by 40 right noenhanced\nset lmargin 14\nset grid ytics\nset grid noxtics\n"
      "set key top left horizontal reverse Left noenhanced\n"
      "# A reference line at 1× and a separator before the mean group.\n"
      "set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead lc rgb '#333333' lw 1\n"
      "set arrow 2 from " +
      num(groups - 0.5) + ", graph 0 to " + num(groups - 0.5) +
      ", graph 1 nohead lc rgb '#333333' dt 2\n"
      "plot ";
  for (std::size_t i = 0; i < order.size(); ++i)
    f.body += std::string(i ? ", \\\n     '' " : "'" + name + ".dat' ") + "using " +
              std::to_string(i + 2) + (i ? "" : ":xtic(1)") + " ls " + std::to_string(i % 8 + 1) +
              " title " + gp(label(order[i]));
  f.body += "\n";
  f.caption = "PADE " + what + " over " + std::to_string(order.size()) + " baselines on " +
              std::to_string(by_bench.size()) +
              " benchmarks (baseline / PADE, log scale), with the geometric mean.";
  return f;
}

/// Per-benchmark metrics_json components energy_<part>_j of one design, as shares of the total.
Figure energy_breakdown(Store& store, std::int64_t cid, const FigureOptions& o) {
  const Design d = pick_design(store, cid, o.config);
  SQLite::Statement st(store.db(),
                       "SELECT t.benchmark, t.energy_j, j.key, j.value FROM evaluations t, "
                       "json_each(t.metrics_json) j "
                       "WHERE t.campaign_id = ? AND t.config_hash = ? AND t.fidelity = ? ORDER BY "
                       "t.benchmark, j.key");
  st.bind(1, cid);
  st.bind(2, d.hash);
  st.bind(3, d.fidelity);
  std::map<std::string, std::map<std::string, double>> parts;  // benchmark → component → J
  std::map<std::string, double> total;
  std::set<std::string> names;
  while (st.executeStep()) {
    const std::string bench = st.getColumn(0).getString();
    total[bench] = st.getColumn(1).isNull() ? NAN : st.getColumn(1).getDouble();
    const std::string c = component(st.getColumn(2).getString(), "energy_", "_j");
    if (c.empty() || st.getColumn(3).isNull()) continue;
    parts[bench][c] = st.getColumn(3).getDouble();
    names.insert(c);
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
  f.body = "set title " +
           gp("Energy breakdown per benchmark, design " + short_hash(d.hash) + " (" + d.fidelity +
              " model)") +
           " noenhanced\n"
           "set ylabel 'share of the energy (%)'\n"
           "set style data histograms\nset style histogram rowstacked\n"
           "set style fill solid 0.9 border rgb '#333333'\nset boxwidth 0.75\n"
           "set yrange [0:100]\nset xtics rotate by 40 right noenhanced\nset grid noxtics\n"
           "set key outside right top vertical noenhanced\n"
           "plot ";
  for (std::size_t i = 0; i < cols.size(); ++i)
    f.body += std::string(i ? ", \\\n     '' " : "'energy_breakdown.dat' ") + "using (100*$" +
              std::to_string(i + 4) + "/$3)" + (i ? "" : ":xtic(1)") + " ls " +
              std::to_string(i % 8 + 1) +
              (i >= 8 ? " fs pattern " + std::to_string(i / 8) : std::string()) + " title " +
              gp(cols[i]);
  f.body += "\n";
  f.caption = "Share of each energy component (metrics energy_<part>_j) per benchmark for design " +
              d.hash + ".";
  return f;
}

/// Stacked area_<part>_mm2 of the suite Pareto-front designs (or the smallest feasible ones).
Figure area_breakdown(Store& store, std::int64_t cid) {
  std::vector<Design> designs;
  {
    SQLite::Statement st(
        store.db(),
        "SELECT t.config_hash, t.fidelity FROM points t LEFT JOIN pareto p ON p.campaign_id = "
        "t.campaign_id AND p.config_hash = t.config_hash AND p.scope = 'suite' WHERE t.campaign_id "
        "= ? "
        "AND t.feasible = 1 AND (p.rank = 0 OR NOT EXISTS (SELECT 1 FROM pareto q WHERE "
        "q.campaign_id = t.campaign_id AND q.scope = 'suite')) ORDER BY t.area_mm2, t.config_hash "
        "LIMIT 16");
    st.bind(1, cid);
    while (st.executeStep())
      designs.push_back({st.getColumn(0).getString(), st.getColumn(1).getString()});
  }
  std::vector<std::map<std::string, double>> parts;
  std::vector<double> totals;
  std::set<std::string> names;
  for (const auto& d : designs) {
    // Area does not depend on the benchmark: read it from the design's first evaluation.
    SQLite::Statement st(
        store.db(),
        "SELECT t.area_mm2, j.key, j.value FROM evaluations t, json_each(t.metrics_json) j WHERE "
        "t.rowid = (SELECT min(rowid) FROM evaluations WHERE campaign_id = ? AND config_hash = ? "
        "AND "
        "fidelity = ?)");
    st.bind(1, cid);
    st.bind(2, d.hash);
    st.bind(3, d.fidelity);
    std::map<std::string, double> p;
    double total = NAN;
    while (st.executeStep()) {
      total = st.getColumn(0).isNull() ? NAN : st.getColumn(0).getDouble();
      const std::string c = component(st.getColumn(1).getString(), "area_", "_mm2");
      if (!c.empty() && !st.getColumn(2).isNull()) {
        p[c] = st.getColumn(2).getDouble();
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
    throw NoFigureData("no feasible design reports area components (metrics area_<part>_mm2)");
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
  for (std::size_t i = 0; i < cols.size(); ++i)
    f.body += std::string(i ? ", \\\n     '' " : "'area_breakdown.dat' ") + "using " +
              std::to_string(i + 3) + (i ? "" : ":xtic(1)") + " ls " + std::to_string(i % 8 + 1) +
              (i >= 8 ? " fs pattern " + std::to_string(i / 8) : std::string()) + " title " +
              gp(cols[i]);
  f.body += "\n";
  f.caption = "Area by component (metrics area_<part>_mm2) of " + std::to_string(designs.size()) +
              " Pareto-front designs.";
  return f;
}

/// Kept fraction and accuracy loss against the guard scale α.
Figure alpha(Store& store, std::int64_t cid) {
  SQLite::Statement st(
      store.db(),
      "SELECT cp.num, avg(t.kept_fraction), min(t.kept_fraction), max(t.kept_fraction), "
      "avg(t.accuracy_loss), min(t.accuracy_loss), max(t.accuracy_loss), count(*) FROM evaluations "
      "t "
      "JOIN config_params cp ON cp.hash = t.config_hash AND cp.key = 'algorithm.alpha' WHERE "
      "t.campaign_id = ? AND cp.num IS NOT NULL AND t.kept_fraction IS NOT NULL GROUP BY cp.num "
      "ORDER BY cp.num");
  st.bind(1, cid);
  std::ostringstream dat;
  dat << "# Functional statistics against the guard scale alpha, over every evaluation (benchmarks "
         "and designs).\n"
      << "# alpha kept_mean kept_min kept_max accuracy_loss_mean accuracy_loss_min "
         "accuracy_loss_max evaluations\n";
  std::size_t rows = 0;
  bool accuracy = false;
  std::vector<double> alphas;
  while (st.executeStep()) {
    for (int c = 0; c < 8; ++c)
      dat << (c ? " " : "")
          << (st.getColumn(c).isNull() ? "NaN" : num(st.getColumn(c).getDouble()));
    dat << '\n';
    accuracy = accuracy || !st.getColumn(4).isNull();
    alphas.push_back(st.getColumn(0).getDouble());
    ++rows;
  }
  if (rows < 2)
    throw NoFigureData("the campaign does not sweep algorithm.alpha (" + std::to_string(rows) +
                       " value with kept_fraction); sweep it for this figure");
  Figure f;
  f.dat = dat.str();
  f.body =
      "set title 'Sparsity and accuracy against the guard scale α (mean; bars: min–max)'\n"
      "set xlabel 'guard scale α'\nset ylabel 'fraction of keys kept (1 − sparsity)'\n"
      "set yrange [0:*]\nset key outside right top vertical\n" +
      value_axis("x", alphas) +
      std::string(accuracy ? "set y2label 'accuracy loss'\nset y2tics\nset y2range [0:*]\n" : "") +
      "plot 'alpha.dat' using 1:2:3:4 with yerrorlines ls 1 title 'kept fraction'" +
      (accuracy
           ? ", \\\n     '' using 1:5:6:7 axes x1y2 with yerrorlines ls 4 title 'accuracy loss'"
           : "") +
      "\n";
  f.caption = "Fraction of keys kept and accuracy loss against α over " + std::to_string(rows) +
              " α values (mean over benchmarks and designs, bars min–max).";
  return f;
}

/// Ablation: designs that differ only in the PADE features, against the one with fewest enabled.
Figure ablation(Store& store, std::int64_t cid) {
  static const std::vector<std::string> kFeatureKeys = {
      "features.bui_gf", "features.bidirectional", "features.out_of_order", "algorithm.tile_order"};
  std::map<std::string, std::map<std::string, std::string>> params;  // hash → key → text
  {
    SQLite::Statement st(
        store.db(),
        "SELECT hash, key, text FROM config_params WHERE hash IN (SELECT config_hash FROM points "
        "WHERE campaign_id = ?) ORDER BY hash, key");
    st.bind(1, cid);
    while (st.executeStep())
      params[st.getColumn(0).getString()][st.getColumn(1).getString()] =
          st.getColumn(2).getString();
  }
  struct Variant {
    std::string hash;
    double latency, energy;
    int enabled;
    std::string label;
  };
  std::vector<std::string> group_order;
  std::map<std::string, std::map<std::string, Variant>>
      groups;  // other params → feature combination → first design
  SQLite::Statement st(store.db(),
                       "SELECT config_hash, latency_s, energy_j FROM points WHERE campaign_id = ? "
                       "AND latency_s > 0 AND "
                       "energy_j > 0 ORDER BY seq, config_hash");
  st.bind(1, cid);
  while (st.executeStep()) {
    const std::string hash = st.getColumn(0).getString();
    const auto& p = params[hash];
    std::string rest, combo;
    for (const auto& [k, v] : p) (contains(kFeatureKeys, k) ? combo : rest) += k + '=' + v + '\n';
    const auto get = [&](const std::string& k, const char* dflt) {
      const auto it = p.find(k);
      return it == p.end() ? std::string(dflt) : it->second;
    };
    const bool bui = get("features.bui_gf", "true") == "true";
    const bool bs = get("features.bidirectional", "true") == "true";
    const bool ooo = get("features.out_of_order", "true") == "true";
    const std::string order = get("algorithm.tile_order", "head_tail");
    std::vector<std::string> parts;
    if (bui) parts.emplace_back("BUI-GF");
    if (bs && ooo)
      parts.emplace_back("BS-OOE");
    else if (bs)
      parts.emplace_back("BS");
    else if (ooo)
      parts.emplace_back("OOE");
    if (order == "head_tail")
      parts.emplace_back("ISTA");
    else if (order != "in_order")
      parts.emplace_back("tiles " + order);
    std::string label;
    for (const auto& s : parts) label += (label.empty() ? "" : "+") + s;
    if (label.empty()) label = "no PADE feature";
    if (!groups.count(rest)) group_order.push_back(rest);
    groups[rest].try_emplace(
        combo, Variant{hash, st.getColumn(1).getDouble(), st.getColumn(2).getDouble(),
                       int(bui) + int(bs) + int(ooo) + int(order == "head_tail"), label});
  }
  const std::string* best = nullptr;
  for (const auto& g : group_order)
    if (groups[g].size() >= 2 && (best == nullptr || groups[g].size() > groups[*best].size()))
      best = &g;
  if (best == nullptr)
    throw NoFigureData(
        "no designs of the campaign differ only in features.bui_gf / features.bidirectional / "
        "features.out_of_order / algorithm.tile_order; sweep them for an ablation");
  std::vector<Variant> v;
  for (const auto& [_, var] : groups[*best]) v.push_back(var);
  std::sort(v.begin(), v.end(), [](const Variant& a, const Variant& b) {
    return a.enabled != b.enabled ? a.enabled < b.enabled : a.label < b.label;
  });
  const Variant base = v.front();
  std::ostringstream dat;
  dat << "# Ablation (suite level): designs equal in every parameter but the PADE features, "
         "against \""
      << base.label << "\" (" << base.hash
      << ").\n# speedup = its latency / latency; efficiency = its energy / energy.\n"
      << "# variant speedup energy_efficiency latency_s energy_j config_hash\n";
  double lo = 1, hi = 1;
  for (const auto& x : v) {
    const double s = base.latency / x.latency, e = base.energy / x.energy;
    lo = std::min({lo, s, e}), hi = std::max({hi, s, e});
    dat << quoted(x.label) << ' ' << num(s) << ' ' << num(e) << ' ' << num(x.latency) << ' '
        << num(x.energy) << ' ' << x.hash << '\n';
  }
  Figure f;
  f.dat = dat.str();
  f.body =
      "set title " +
      gp("Ablation: speedup and energy efficiency over \"" + base.label + "\" (suite, log scale)") +
      " noenhanced\n"
      "set ylabel 'improvement (×)'\n"
      "set style data histograms\nset style histogram clustered gap 1\n"
      "set style fill solid 0.9 border rgb '#333333'\nset boxwidth 0.9\n" +
      log_axis("y", lo, hi) + "set xtics noenhanced" +
      (v.size() > 4 ? " rotate by 25 right\nset lmargin 14" : "") +
      "\nset grid noxtics\n"
      "set key top left\n"
      "set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead lc rgb '#333333' lw 1\n"
      "plot 'ablation.dat' using 2:xtic(1) ls 1 title 'speedup', '' using 3 ls 3 title 'energy "
      "efficiency'\n";
  f.caption = "Ablation over " + std::to_string(v.size()) +
              " feature combinations of otherwise equal designs, " + "relative to \"" + base.label +
              "\".";
  return f;
}

/// Any metric against any swept parameter: every design, and the mean with its min–max.
Figure sensitivity(Store& store, std::int64_t cid, const FigureOptions& o) {
  const auto swept = swept_parameters(store, cid);
  std::string param = o.param;
  if (param.empty()) {
    for (const auto& s : swept)
      if (s.rfind("coefficients.", 0) != 0) {
        param = s;
        break;
      }
    if (param.empty() && !swept.empty()) param = swept.front();
    if (param.empty())
      throw NoFigureData("the campaign sweeps no parameter (all its designs are equal)");
  } else if (!contains(swept, param)) {
    SQLite::Statement st(store.db(),
                         "SELECT count(DISTINCT text), min(text) FROM config_params WHERE key = ? "
                         "AND hash IN (SELECT "
                         "config_hash FROM points WHERE campaign_id = ?)");
    st.bind(1, param);
    st.bind(2, cid);
    st.executeStep();
    if (st.getColumn(0).getInt() == 0)
      throw core::InputError("--param: '" + param +
                             "' is not a configuration parameter of the campaign's designs");
    throw NoFigureData("--param " + param + " is not swept by the campaign (one value: " +
                       st.getColumn(1).getString() + ")");
  }
  const std::string metric = o.metric.empty() ? "latency_s" : o.metric;
  const bool suite = contains(point_metric_columns(), metric);
  std::string sql;
  if (suite) {
    sql = "SELECT t.config_hash, t." + metric +
          ", cp.num, cp.text FROM points t JOIN config_params cp ON cp.hash = "
          "t.config_hash AND cp.key = ?1 WHERE t.campaign_id = ?2 AND t." +
          metric + " IS NOT NULL ORDER BY t.seq";
  } else {
    const std::string e = metric_expr(store, cid, metric);
    sql = "SELECT t.config_hash, avg(" + e +
          "), cp.num, cp.text FROM evaluations t JOIN config_params cp ON cp.hash = "
          "t.config_hash AND cp.key = ?1 WHERE t.campaign_id = ?2 AND " +
          e +
          " IS NOT NULL GROUP BY t.config_hash, "
          "cp.num, cp.text ORDER BY min(t.seq)";
  }
  SQLite::Statement st(store.db(), sql);
  st.bind(1, param);
  st.bind(2, cid);
  struct Row {
    std::string hash;
    double y;
    std::optional<double> x;
    std::string text;
  };
  std::vector<Row> rows;
  while (st.executeStep())
    rows.push_back({st.getColumn(0).getString(), st.getColumn(1).getDouble(),
                    st.getColumn(2).isNull() ? std::nullopt
                                             : std::optional<double>(st.getColumn(2).getDouble()),
                    st.getColumn(3).getString()});
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
  f.body = "set title " + gp("Sensitivity of " + metric + " to " + param) +
           " noenhanced\n"
           "set xlabel " +
           gp(param) +
           " noenhanced\n"
           "set ylabel " +
           gp(metric + unit_of(metric) + (suite ? ", suite" : ", mean over benchmarks")) +
           " noenhanced\n" + axes +
           "set key outside right top vertical\n"
           "plot 'sensitivity.dat' index 0 using 1:2 with points ls 6 pt 7 ps 0.9 title 'each "
           "design', \\\n"
           "     '' index 1 using 1:2:3:4 with yerrorlines ls 1 title 'mean (bars: min–max)'\n";
  f.caption = "Sensitivity of " + metric + " to " + param + " over " + std::to_string(rows.size()) +
              " designs.";
  return f;
}

/// A metric against the benchmarks' sequence length, one line per model, for one design.
Figure seqlen(Store& store, std::int64_t cid, const FigureOptions& o) {
  const Design d = pick_design(store, cid, o.config);
  const std::string metric = o.metric.empty() ? "latency_s" : o.metric;
  const std::string e = metric_expr(store, cid, metric);
  SQLite::Statement st(store.db(), "SELECT b.model, b.seq_len, t.benchmark, " + e +
                                       " FROM evaluations t JOIN benchmarks b ON "
                                       "b.name = t.benchmark WHERE t.campaign_id = ? AND "
                                       "t.config_hash = ? AND t.fidelity = ? AND " +
                                       e + " IS NOT NULL ORDER BY b.model, b.seq_len, t.benchmark");
  st.bind(1, cid);
  st.bind(2, d.hash);
  st.bind(3, d.fidelity);
  std::vector<std::string> models;
  std::ostringstream dat;
  dat << "# " << metric << " of design " << d.hash << " (" << d.fidelity
      << " model) against sequence length; one block (index) per model.\n";
  std::set<std::int64_t> lengths;
  double x_lo = INFINITY, x_hi = 0, y_lo = INFINITY, y_hi = -INFINITY;
  while (st.executeStep()) {
    const std::string model = st.getColumn(0).getString();
    if (models.empty() || models.back() != model) {
      dat << (models.empty() ? "" : "\n\n") << "# index " << models.size() << ": model " << model
          << "\n# seq_len " << metric << " benchmark\n";
      models.push_back(model);
    }
    const auto n = st.getColumn(1).getInt64();
    const double y = st.getColumn(3).getDouble();
    dat << n << ' ' << num(y) << ' ' << quoted(st.getColumn(2).getString()) << '\n';
    lengths.insert(n);
    x_lo = std::min(x_lo, double(n)), x_hi = std::max(x_hi, double(n));
    y_lo = std::min(y_lo, y), y_hi = std::max(y_hi, y);
  }
  if (lengths.size() < 2)
    throw NoFigureData("design " + d.hash + " was evaluated at " + std::to_string(lengths.size()) +
                       " sequence length(s); the figure needs benchmarks of at least two");
  std::string axes;
  if (x_lo > 0) axes += "set logscale x 2\n" + range("x", log_range(x_lo, x_hi));
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
              std::to_string(lengths.size()) + " lengths, one line per model.";
  return f;
}

// --- rendering -----------------------------------------------------------------------------------

void run_gnuplot(const fs::path& dir, const std::string& script) {
  // No shell: the folder and the script name are arguments, never command text.
  const core::ProgramResult r = core::run_program({{"gnuplot", script}, dir});
  if (r.exit_code != 0)
    throw core::RunError("gnuplot failed on " + (dir / script).string() +
                         " (is gnuplot-nox installed?)" +
                         (r.err.empty() ? std::string() : ": " + r.err));
}

/// The script: the style, then the body rendered once per terminal (the plot commands are shared).
std::string with_terminals(const std::string& name, const std::string& body, const Size& s) {
  std::string g = paper_style_preamble();
  g += "# Rendered three times: PNG for screens, SVG for the HTML report, PDF for papers.\n";
  g += "set terminal pngcairo size " + std::to_string(s.png_w) + "," + std::to_string(s.png_h) +
       " enhanced font 'Sans,13'\nset output '" + name + ".png'\n" + body;
  g += "set terminal svg size " + std::to_string(s.svg_w) + "," + std::to_string(s.svg_h) +
       " enhanced font 'Sans,12' background '#ffffff'\nset output '" + name + ".svg'\nreplot\n";
  g += "set terminal pdfcairo size " + num(s.pdf_w_in) + "in," + num(s.pdf_h_in) +
       "in enhanced font 'Sans,10'\nset output '" + name + ".pdf'\nreplot\n";
  g += "unset output\n";
  return g;
}

FigureFiles render(const std::string& name, const Figure& f, const fs::path& dir) {
  core::write_output_file(dir / (name + ".dat"), f.dat);
  core::write_output_file(dir / (name + ".gp"), with_terminals(name, f.body, f.size));
  run_gnuplot(dir, name + ".gp");
  FigureFiles out{name, {}, f.size.png_w, f.size.png_h, f.size.svg_w, f.size.svg_h, f.caption, {}};
  for (const char* ext : {".dat", ".gp", ".png", ".svg", ".pdf"}) {
    out.files.push_back(dir / (name + ext));
    // gnuplot exits 0 even when a full disk cut its output short.
    if (ext[1] != 'd' && ext[1] != 'g') core::require_written(out.files.back());
  }
  return out;
}

// --- the figure registry -------------------------------------------------------------------------

/// One figure: its name (`pade plot --figure NAME`, the files NAME.*), its builder, and whether
/// its data usually lives in a companion campaign of the same database (the baseline comparison
/// of `pade compare`, the ablation sweeping the feature switches).
struct FigureEntry {
  std::string_view name;
  Figure (*build)(Store&, std::int64_t cid, const FigureOptions&);
  bool companion = false;
};

/// The only list of figure names: `pade plot --figure`, the order of `render_all` and of the
/// report. Adding a figure is its builder above plus one line here.
constexpr auto kFigures = std::to_array<FigureEntry>({
    {"pareto", [](Store& s, std::int64_t c, const FigureOptions&) { return pareto(s, c); }},
    {"speedup",
     [](Store& s, std::int64_t c, const FigureOptions&) {
       return comparison(s, c, "speedup", kComparisonSpeedup);
     },
     true},
    {"efficiency",
     [](Store& s, std::int64_t c, const FigureOptions&) {
       return comparison(s, c, "efficiency", kComparisonEnergyEfficiency);
     },
     true},
    {"energy_breakdown", energy_breakdown},
    {"area_breakdown",
     [](Store& s, std::int64_t c, const FigureOptions&) { return area_breakdown(s, c); }},
    {"alpha", [](Store& s, std::int64_t c, const FigureOptions&) { return alpha(s, c); }},
    {"ablation", [](Store& s, std::int64_t c, const FigureOptions&) { return ablation(s, c); },
     true},
    {"sensitivity", sensitivity},
    {"seqlen", seqlen},
});

const FigureEntry& figure_entry(const std::string& figure) {
  for (const auto& f : kFigures)
    if (f.name == figure) return f;
  std::vector<std::string> known = figure_names();
  known.emplace_back("all");
  throw core::unknown_name("figure", figure, known, core::NameOrigin::option("--figure"));
}

/// The figure from campaign `cid`; for a companion figure the campaign lacks, from the latest
/// other campaign of the database that has the data, saying so in the caption. `shown` is set to
/// the campaign the figure shows.
Figure build_or_companion(Store& store, const std::string& figure, std::int64_t cid,
                          const FigureOptions& o, std::string& shown) {
  const FigureEntry& entry = figure_entry(figure);
  shown = campaign_name(store, cid);
  try {
    return entry.build(store, cid, o);
  } catch (const NoFigureData&) {
    if (!entry.companion) throw;
    auto campaigns = store.campaigns();
    for (auto it = campaigns.rbegin(); it != campaigns.rend(); ++it) {
      if (it->id == cid) continue;
      try {
        Figure f = entry.build(store, it->id, o);
        f.caption += " From campaign '" + it->name + "' of the same database ('" + shown +
                     "' has no data for this figure).";
        shown = it->name;
        return f;
      } catch (const NoFigureData&) {
      }
    }
    throw;
  }
}

}  // namespace

std::vector<std::string> figure_names() {
  std::vector<std::string> out;
  for (const auto& f : kFigures) out.emplace_back(f.name);
  return out;
}

bool figure_has_companion(const std::string& figure) {
  return figure_entry(figure).companion;
}

FigureFiles render_figure(Store& store, const std::string& figure, const FigureOptions& options,
                          const fs::path& out_dir) {
  const std::int64_t cid = campaign_id_or_latest(store, options.campaign);
  std::string shown;
  const Figure f = build_or_companion(store, figure, cid, options, shown);
  core::make_output_folder(out_dir);
  FigureFiles files = render(figure, f, out_dir);
  files.campaign = shown;
  return files;
}

RenderedFigures render_all(Store& store, const FigureOptions& options, const fs::path& out_dir) {
  const std::int64_t cid = campaign_id_or_latest(store, options.campaign);
  core::make_output_folder(out_dir);
  RenderedFigures out;
  for (const auto& name : figure_names()) {
    try {
      std::string shown;
      const Figure f = build_or_companion(store, name, cid, options, shown);
      out.figures.push_back(render(name, f, out_dir));
      out.figures.back().campaign = shown;
    } catch (const NoFigureData& e) {
      out.skipped.emplace_back(name, e.reason());
    }
  }
  return out;
}

}  // namespace pade::results
