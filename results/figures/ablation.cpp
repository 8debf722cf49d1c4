// Ablation: designs equal in every parameter but the PADE features, against the one with the
// fewest enabled.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

#include "results/figures/figure.hpp"
#include "results/query.hpp"

namespace pade::results::figures {

namespace {

const std::vector<std::string> kFeatureKeys = {"features.bui_gf", "features.bidirectional",
                                               "features.out_of_order", "algorithm.tile_order"};

struct Variant {
  std::string hash;
  double latency, energy;
  int enabled;
  std::string label;
};

/// The variant a point is: its features, named as in the paper (BUI-GF, BS-OOE, ISTA).
Variant variant_of(const PointRecord& r, const std::map<std::string, ParamValue>& p) {
  const auto get = [&](const std::string& k, const char* dflt) {
    const auto it = p.find(k);
    return it == p.end() ? std::string(dflt) : it->second.text;
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
  return {r.config_hash, r.objectives.get("latency_s"), r.objectives.get("energy_j"),
          int(bui) + int(bs) + int(ooo) + int(order == "head_tail"), label};
}

/// The campaign's points with positive latency and energy, by seq then hash.
std::vector<PointRecord> points_by_seq(Store& store, std::int64_t cid) {
  std::vector<PointRecord> out;
  for (auto& r : store.ranked_points(cid)) {
    const auto lat = r.point.objectives.find("latency_s"), en = r.point.objectives.find("energy_j");
    if (lat && *lat > 0 && en && *en > 0) out.push_back(std::move(r.point));
  }
  std::stable_sort(out.begin(), out.end(), [](const PointRecord& a, const PointRecord& b) {
    return std::tie(a.seq, a.config_hash) < std::tie(b.seq, b.config_hash);
  });
  return out;
}

}  // namespace

/// Ablation: designs that differ only in the PADE features, against the one with fewest enabled.
Figure ablation(Store& store, std::int64_t cid, const FigureOptions&) {
  std::vector<std::string> group_order;
  std::map<std::string, std::map<std::string, Variant>> groups;  // other params → combination
  const DesignParameters params = store.design_parameters(cid);
  for (const auto& r : points_by_seq(store, cid)) {
    const auto it = params.find(r.config_hash);
    const std::map<std::string, ParamValue> none;
    const auto& p = it == params.end() ? none : it->second;
    std::string rest, combo;
    for (const auto& [k, v] : p)
      (contains(kFeatureKeys, k) ? combo : rest) += k + '=' + v.text + '\n';
    if (!groups.count(rest)) group_order.push_back(rest);
    groups[rest].try_emplace(combo, variant_of(r, p));
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
      "set ylabel 'improvement (×, variant over the base)'\n"
      "set style data histograms\nset style histogram clustered gap 1\n"
      "set style fill solid 0.9 border rgb '#333333'\nset boxwidth 0.9\n" +
      log_axis("y", lo, hi) + "set xtics noenhanced" +
      (v.size() > 4 ? " rotate by 25 right\nset lmargin 14" : "") +
      "\nset grid noxtics\n"
      "set key outside below horizontal\n"
      "set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead lc rgb '#333333' lw 1\n"
      "plot 'ablation.dat' using 2:xtic(1) ls 1 title 'speedup', '' using 3 ls 3 title 'energy "
      "efficiency'\n";
  f.caption = "Ablation over " + std::to_string(v.size()) +
              " feature combinations of otherwise equal designs, " + "relative to \"" + base.label +
              "\"." + caption_facts(store, cid, "ratios to the base variant of the same campaign");
  return f;
}

}  // namespace pade::results::figures
