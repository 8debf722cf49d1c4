// The helpers the figure builders share: gnuplot text, and the design and metric checks.
#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
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

std::vector<double> log_tics(double lo, double hi) {
  const auto tics = [&](std::initializer_list<int> mantissas) {
    std::vector<double> v;
    for (int k = static_cast<int>(std::floor(std::log10(lo))) - 1;
         k <= static_cast<int>(std::ceil(std::log10(hi))); ++k)
      for (const int m : mantissas) {
        const double x = m * std::pow(10.0, k);
        if (x >= lo * (1 - 1e-12) && x <= hi * (1 + 1e-12)) v.push_back(x);
      }
    return v;
  };
  // Past three decades 2 and 5 crowd the axis; below that they are what makes it readable.
  std::vector<double> v = std::log10(hi / lo) > 3 ? tics({1}) : tics({1, 2, 5});
  if (v.size() >= 4) return v;
  // A short range (77-174 J): an even 1-2-5 step. A decade is a multiple of any smaller such
  // step, so every decade inside the range stays ticked.
  const double raw = (hi - lo) / 5, mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double step = raw / mag < 2 ? 2 * mag : raw / mag < 5 ? 5 * mag : 10 * mag;
  std::vector<double> even = tics({1});
  for (double k = std::ceil(lo / step); k * step <= hi * (1 + 1e-12); ++k) even.push_back(k * step);
  std::sort(even.begin(), even.end());
  even.erase(std::unique(even.begin(), even.end(),
                         [](double a, double b) { return std::abs(a - b) <= 1e-9 * b; }),
             even.end());
  return even;
}

std::string log_axis(const std::string& axis, double lo, double hi) {
  const auto r = log_range(lo, hi);
  std::string s = "set logscale " + axis + "\n" + range(axis.c_str(), r) + "set " + axis + "tics (";
  const std::vector<double> v = log_tics(r.first, r.second);
  for (std::size_t i = 0; i < v.size(); ++i) {
    // Plain numbers while they stay short (0.001 … 10000), powers of ten beyond.
    std::string label = num(v[i]);
    if (v[i] < 1e-3 || v[i] >= 1e5) {
      const int k = static_cast<int>(std::floor(std::log10(v[i]) + 1e-9));
      const double m = v[i] / std::pow(10.0, k);
      label = (std::abs(m - 1) < 1e-9 ? std::string() : num(m) + "×") + "10^{" + std::to_string(k) +
              "}";
    }
    s += (i ? ", " : "") + gp(label) + " " + num(v[i]);
  }
  return s + ")\n";
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

std::string component_colour(const std::string& name) {
  // One colour per component in every figure (area_breakdown, energy_breakdown, …): DRAM blue,
  // SRAM sky blue and violet, the QK-PU's parts greens, the V-PU and softmax orange and yellow,
  // control purples and red, leakage greys (Okabe-Ito hues and tints, colour-blind safe).
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 24> kColours{{
      {"dram", "#0072B2"},       {"sram", "#56B4E9"},      {"sram_kv", "#56B4E9"},
      {"sram_q", "#B8E0F6"},     {"sram_out", "#8C6BB1"},  {"leakage_sram", "#DDDDDD"},
      {"qk_pu", "#009E73"},      {"gsat", "#009E73"},      {"arith", "#009E73"},
      {"scoreboard", "#7FD3B8"}, {"bound", "#004D38"},     {"exec", "#33B18F"},
      {"v_pu", "#E69F00"},       {"softmax", "#F0E442"},   {"exp", "#F0E442"},
      {"bui", "#CC79A7"},        {"bui_guard", "#CC79A7"}, {"threshold", "#D55E00"},
      {"prediction", "#7A2E5C"}, {"predictor", "#7A2E5C"}, {"leakage_logic", "#999999"},
      {"logic", "#555555"},      {"core", "#555555"},      {"other", "#F2F2F2"},
  }};
  for (const auto& [n, c] : kColours)
    if (n == name) return "rgb '" + std::string(c) + "'";
  // FNV-1a of the name: the same unknown component gets the same colour everywhere.
  std::uint32_t h = 2166136261u;
  for (const char ch : name) h = (h ^ static_cast<unsigned char>(ch)) * 16777619u;
  char buf[16];
  std::snprintf(buf, sizeof buf, "#%02X%02X%02X", 64 + (h & 0x7f), 64 + ((h >> 8) & 0x7f),
                64 + ((h >> 16) & 0x7f));
  return "rgb '" + std::string(buf) + "'";
}

std::string humanize(const std::string& key) {
  // Whole parts first (qk_pu, bui_gf are one word), then word by word; units in parentheses.
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 16> kWords{{
      {"qk_pu", "QK-PU"},
      {"v_pu", "V-PU"},
      {"bui_gf", "BUI-GF"},
      {"out_of_order", "out-of-order"},
      {"sram", "SRAM"},
      {"hbm", "HBM"},
      {"kv", "K/V"},
      {"qk", "QK"},
      {"alpha", "α"},
      {"kib", "(KiB)"},
      {"mhz", "(MHz)"},
      {"nm", "(nm)"},
      {"gbps", "(Gb/s)"},
      {"ns", "(ns)"},
      {"algorithm", "algorithm:"},
      {"features", "feature:"},
  }};
  const auto word = [&](std::string_view w) {
    for (const auto& [from, to] : kWords)
      if (w == from) return std::string(to);
    return std::string(w);
  };
  std::string out;
  std::size_t start = 0;
  while (start <= key.size()) {
    const std::size_t dot = std::min(key.find('.', start), key.size());
    const std::string_view part = std::string_view(key).substr(start, dot - start);
    std::string text = word(part);
    if (text == part) {  // not a whole-part word: word by word
      text.clear();
      std::size_t s = 0;
      while (s <= part.size()) {
        const std::size_t u = std::min(part.find('_', s), part.size());
        if (!text.empty()) text += ' ';
        text += word(part.substr(s, u - s));
        s = u + 1;
      }
    }
    out += (out.empty() ? "" : " ") + text;
    start = dot + 1;
  }
  return out;
}

std::string campaign_fidelity(Store& store, std::int64_t cid) {
  std::string fidelity, fallback, version;
  for (const auto& [k, v] : store.provenance(cid)) {
    if (k == "front_fidelity") fidelity = v;
    if (k == "fidelity") fallback = v;
    if (k == "model_version") version = v;
  }
  if (fidelity.empty()) fidelity = fallback;
  if (fidelity.empty()) return "not recorded";
  return fidelity + " model" + (version.empty() ? "" : " (version " + version + ")");
}

std::string caption_facts(Store& store, std::int64_t cid, const std::string& normalization,
                          const std::string& fidelity, const std::string& energy_scope) {
  return " Normalization: " + normalization +
         ". Energy: " + (energy_scope.empty() ? std::string(kEnergyScope) : energy_scope) +
         ". Fidelity: " + (fidelity.empty() ? campaign_fidelity(store, cid) : fidelity) + ".";
}

std::span<const std::pair<std::string_view, std::string_view>> paper_parameters() {
  // The paper's design point, which is the default configuration (shared/design/pade.md §6;
  // examples/hw-default.yaml). results/ may not read the model schema, so the values swept by
  // the campaigns are listed here; the K/V residency budget, which the paper does not give, at
  // its default (models/dataflow.hpp).
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 16> kPaper{{
      {"qk_pu.rows", "8"},
      {"qk_pu.lanes_per_row", "16"},
      {"qk_pu.scoreboard_entries", "32"},
      {"v_pu.qk_to_v_ratio", "8"},
      {"sram.kv_buffer_kib", "320"},
      {"hbm.pseudo_channels", "16"},
      {"tech.clock_mhz", "800"},
      {"tech.node_nm", "28"},
      {"algorithm.bits", "8"},
      {"algorithm.alpha", "0.5"},
      {"algorithm.tile_keys", "64"},
      {"algorithm.tile_order", "head_tail"},
      {"features.bui_gf", "true"},
      {"features.bidirectional", "true"},
      {"features.out_of_order", "true"},
      {"dataflow.resident_budget", "0.5"},
  }};
  return kPaper;
}

std::string paper_design(Store& store, std::int64_t cid, const std::vector<std::string>& hashes) {
  const auto paper = paper_parameters();
  const DesignParameters params = store.design_parameters(cid);
  for (const auto& h : hashes) {
    const auto d = params.find(h);
    if (d == params.end()) continue;
    std::size_t seen = 0;
    bool same = true;
    for (const auto& [key, value] : paper) {
      const auto v = d->second.find(std::string(key));
      if (v == d->second.end()) continue;
      ++seen;
      // Numbers compare as numbers ("0.50" is 0.5); words (true, head_tail) as text.
      char* end = nullptr;
      const std::string text(value);
      const double want = std::strtod(text.c_str(), &end);
      const bool numeric = end != text.c_str() && *end == '\0';
      same = same &&
             (numeric && v->second.num ? std::abs(*v->second.num - want) <= 1e-9 * std::abs(want)
                                       : v->second.text == value);
    }
    if (same && seen > 0) return h;
  }
  return "";
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::string stacked_plot(const std::string& file, const std::vector<std::string>& columns,
                         const std::function<std::string(std::size_t)>& column,
                         const std::string& index) {
  std::string out;
  for (std::size_t i = 0; i < columns.size(); ++i)
    out += std::string(i ? ", \\\n     ''" : "'" + file + "'") + index + " using " + column(i) +
           (i ? "" : ":xtic(1)") + " lc " + component_colour(columns[i]) + " title " +
           gp(columns[i]);
  return out + "\n";
}

bool is_evaluation_column(const std::string& metric) {
  return core::metric::is_column(core::metric::kEvaluationColumns, metric);
}

std::string summary_note(Store& store, std::int64_t cid) {
  // A campaign stored as a summary kept the metric columns only (results/store.hpp).
  if (!store.stores_summary(cid)) return {};
  return "; the campaign stored a summary (store: summary, the default): run it with 'store: "
         "full' to keep every metric";
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
                         ")" + summary_note(store, cid));
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
    if (r.point.feasible && r.at_front_fidelity && r.point.objectives.find("energy_j") &&
        (!best || key(r) < key(*best)))
      best = &r;
  if (best == nullptr) throw NoFigureData("the campaign has no feasible design");
  return {best->point.config_hash, best->point.fidelity};
}

}  // namespace pade::results::figures
