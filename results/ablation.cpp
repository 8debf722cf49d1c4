#include "results/ablation.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "core/metrics.hpp"
#include "results/plot.hpp"

namespace pade::results {

namespace {

const std::set<std::string> kSwitchKeys = {"features.bui_gf", "features.bidirectional",
                                           "features.out_of_order", "algorithm.tile_order"};

// The switches a stored design has (a key a configuration does not list holds its default:
// every switch on, head-tail tiles).
AblationFeatures features_of(const std::map<std::string, ParamValue>& p) {
  const auto get = [&](const std::string& k, const char* dflt) {
    const auto it = p.find(k);
    return it == p.end() ? std::string(dflt) : it->second.text;
  };
  return {get("features.bui_gf", "true") == "true", get("features.bidirectional", "true") == "true",
          get("features.out_of_order", "true") == "true", get("algorithm.tile_order", "head_tail")};
}

// Everything but the switches, as text: designs with equal text differ only in the switches.
std::string rest_of(const std::map<std::string, ParamValue>& p) {
  std::string rest;
  for (const auto& [k, v] : p)
    if (!kSwitchKeys.contains(k)) rest += k + '=' + v.text + '\n';
  return rest;
}

struct StepDesign {
  std::string hash, fidelity;
};

// The designs of each step, from the first group of otherwise equal designs (in the order the
// campaign asked for them) that has every step; for each its last stored fidelity (the highest
// rung it reached).
std::vector<StepDesign> step_designs(Store& store, std::int64_t cid) {
  const auto& seq = ablation_sequence();
  const DesignParameters params = store.design_parameters(cid);
  std::vector<std::string> order;
  std::map<std::string, std::vector<StepDesign>> groups;  // rest → design per step
  for (const auto& p : store.points(cid)) {
    const auto it = params.find(p.config_hash);
    if (it == params.end() || !p.feasible) continue;
    const std::string rest = rest_of(it->second);
    auto [g, fresh] = groups.try_emplace(rest, seq.size());
    if (fresh) order.push_back(rest);
    const AblationFeatures f = features_of(it->second);
    for (std::size_t i = 0; i < seq.size(); ++i)
      if (seq[i].second == f && (g->second[i].hash.empty() || g->second[i].hash == p.config_hash))
        g->second[i] = {p.config_hash, p.fidelity};
  }
  for (const auto& rest : order) {
    const auto& designs = groups[rest];
    if (std::none_of(designs.begin(), designs.end(), [](const auto& d) { return d.hash.empty(); }))
      return designs;
  }
  throw NoFigureData(
      "the campaign has no designs, otherwise equal, for every step of the cumulative ablation "
      "(bit-serial reference: features.bui_gf, features.bidirectional, features.out_of_order "
      "false and algorithm.tile_order in_order; then + BUI-GF, + BS-OOE, + ISTA head_tail); run "
      "examples/campaign-ablation.yaml");
}

double geomean(const std::map<std::string, double>& v, const std::vector<std::string>& keys) {
  double log_sum = 0;
  for (const auto& k : keys) log_sum += std::log(v.at(k));
  return keys.empty() ? 0.0 : std::exp(log_sum / static_cast<double>(keys.size()));
}

}  // namespace

const std::vector<std::pair<std::string, AblationFeatures>>& ablation_sequence() {
  static const std::vector<std::pair<std::string, AblationFeatures>> seq = {
      {"bit-serial reference", {false, false, false, "in_order"}},
      {"+ BUI-GF", {true, false, false, "in_order"}},
      {"+ BS-OOE", {true, true, true, "in_order"}},
      {"+ ISTA", {true, true, true, "head_tail"}},
  };
  return seq;
}

CumulativeAblation cumulative_ablation(Store& store, std::int64_t cid) {
  const std::vector<StepDesign> designs = step_designs(store, cid);
  CumulativeAblation a;
  std::set<std::string> common;
  for (std::size_t i = 0; i < designs.size(); ++i) {
    AblationStep s;
    s.label = ablation_sequence()[i].first;
    s.features = ablation_sequence()[i].second;
    s.config_hash = designs[i].hash;
    EvaluationFilter filter;
    filter.config_hash = designs[i].hash;
    filter.fidelity = designs[i].fidelity;
    a.fidelity = designs[i].fidelity;
    for (const auto& e : store.evaluations(cid, filter)) {
      const auto lat = e.metrics.find(core::metric::kLatencyS);
      const auto en = e.metrics.find(core::metric::kEnergyJ);
      if (!lat || !en || *lat <= 0 || *en <= 0) continue;
      s.latency_s[e.benchmark] = *lat;
      s.energy_j[e.benchmark] = *en;
    }
    std::set<std::string> mine;
    for (const auto& [b, _] : s.latency_s) mine.insert(b);
    if (i == 0) common = mine;
    std::erase_if(common, [&](const std::string& b) { return !mine.contains(b); });
    a.steps.push_back(std::move(s));
  }
  a.benchmarks.assign(common.begin(), common.end());
  if (a.benchmarks.empty())
    throw NoFigureData("the cumulative ablation's designs share no evaluated benchmark");
  for (std::size_t i = 0; i < a.steps.size(); ++i) {
    AblationStep& s = a.steps[i];
    s.latency_geomean = geomean(s.latency_s, a.benchmarks);
    s.energy_geomean = geomean(s.energy_j, a.benchmarks);
    if (i == 0) continue;
    s.latency_change = s.latency_geomean / a.steps[i - 1].latency_geomean - 1.0;
    s.energy_change = s.energy_geomean / a.steps[i - 1].energy_geomean - 1.0;
  }
  return a;
}

Table cumulative_ablation_table(const CumulativeAblation& a, bool per_benchmark) {
  if (!per_benchmark) {
    Table t({"step", "latency_s", "latency_change", "energy_j", "energy_change", "config_hash"});
    for (const auto& s : a.steps)
      t.add_row({Table::text(s.label), Table::number(s.latency_geomean),
                 Table::number(s.latency_change), Table::number(s.energy_geomean),
                 Table::number(s.energy_change), Table::text(s.config_hash)});
    return t;
  }
  Table t({"step", "benchmark", "latency_s", "latency_change", "energy_j", "energy_change"});
  for (std::size_t i = 0; i < a.steps.size(); ++i)
    for (const auto& b : a.benchmarks) {
      const AblationStep& s = a.steps[i];
      const double lat = s.latency_s.at(b), en = s.energy_j.at(b);
      const double dl = i == 0 ? 0.0 : lat / a.steps[i - 1].latency_s.at(b) - 1.0;
      const double de = i == 0 ? 0.0 : en / a.steps[i - 1].energy_j.at(b) - 1.0;
      t.add_row({Table::text(s.label), Table::text(b), Table::number(lat), Table::number(dl),
                 Table::number(en), Table::number(de)});
    }
  return t;
}

}  // namespace pade::results
