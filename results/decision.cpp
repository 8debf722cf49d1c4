#include "results/decision.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <numeric>
#include <set>

#include "core/json.hpp"
#include "results/figures/figure.hpp"

namespace pade::results {

namespace {

/// The campaign objective names (dse/campaign.cpp) and the points columns they are stored in.
constexpr std::array<std::pair<std::string_view, std::string_view>, 5> kObjectiveColumns{{
    {"latency", core::metric::kLatencyS},
    {"energy", core::metric::kEnergyJ},
    {"area", core::metric::kAreaMm2},
    {"power", core::metric::kPowerW},
    {"accuracy_loss", core::metric::kAccuracyLoss},
}};

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = std::min(text.find(',', start), text.size());
    if (end > start) out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

/// Objectives from provenance ("objectives"), else the campaign file, else the schema's default
/// (latency, energy, area), as points columns.
std::vector<std::string> campaign_objectives(const std::map<std::string, std::string>& prov,
                                             const YAML::Node& spec) {
  std::vector<std::string> names = {"latency", "energy", "area"};
  if (const auto it = prov.find("objectives"); it != prov.end() && !it->second.empty())
    names = split_commas(it->second);
  else if (spec["objectives"] && spec["objectives"].IsSequence())
    names = spec["objectives"].as<std::vector<std::string>>();
  std::vector<std::string> out;
  for (const auto& n : names)
    for (const auto& [name, column] : kObjectiveColumns)
      if (n == name) out.emplace_back(column);
  return out;
}

/// `constraints: {area_mm2_max: 6, …}` of the campaign file.
std::vector<DecisionConstraint> campaign_constraints(const YAML::Node& spec) {
  std::vector<DecisionConstraint> out;
  const YAML::Node c = spec["constraints"];
  if (!c || !c.IsMap()) return out;
  for (const auto& kv : c) {
    const auto key = kv.first.as<std::string>();
    if (key.size() <= 4 || key.substr(key.size() - 4) != "_max") continue;
    try {
      out.push_back({key.substr(0, key.size() - 4), kv.second.as<double>()});
    } catch (const YAML::Exception&) {
    }
  }
  return out;
}

/// The fidelity the front was ranked at: provenance front_fidelity, else the last rung.
std::string front_fidelity(const std::map<std::string, std::string>& prov) {
  for (const char* key : {"front_fidelity", "fidelities", "fidelity"})
    if (const auto it = prov.find(key); it != prov.end() && !it->second.empty()) {
      const auto rungs = split_commas(it->second);
      if (!rungs.empty()) return rungs.back();
    }
  return "";
}

double euclidean(std::span<const double> a, std::span<const double> b) {
  double s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += (a[i] - b[i]) * (a[i] - b[i]);
  return std::sqrt(s);
}

std::optional<double> as_number(std::string_view text) {
  const std::string s(text);
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size()) return std::nullopt;
  return v;
}

/// The distance of each design of `in` to the paper's point over `keys` (see decision.hpp).
std::vector<double> paper_distances(const DecisionInput& in, PaperPoint paper,
                                    std::vector<std::string>& keys) {
  std::vector<double> sq(in.designs.size(), 0.0);
  for (const auto& [key_view, value] : paper) {
    const std::string key(key_view);
    if (std::find(in.swept.begin(), in.swept.end(), key) == in.swept.end()) continue;
    keys.push_back(key);
    const auto want = as_number(value);
    double lo = INFINITY, hi = -INFINITY;
    for (const auto& d : in.designs)
      if (const auto p = d.params.find(key); p != d.params.end() && p->second.num)
        lo = std::min(lo, *p->second.num), hi = std::max(hi, *p->second.num);
    for (std::size_t i = 0; i < in.designs.size(); ++i) {
      const auto p = in.designs[i].params.find(key);
      double d = 1;  // a design without the parameter is as far as a different word
      if (p != in.designs[i].params.end()) {
        if (want && p->second.num)
          d = hi > lo ? std::abs(*p->second.num - *want) / (hi - lo) : 0.0;
        else
          d = p->second.text == value ? 0.0 : 1.0;
      }
      sq[i] += d * d;
    }
  }
  for (auto& s : sq) s = std::sqrt(s);
  return sq;
}

std::string format_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

/// Front design indices ordered by `key` then hash; the first.
template <class Key>
std::size_t argmin(const std::vector<std::size_t>& front, const DecisionInput& in, Key key) {
  return *std::min_element(front.begin(), front.end(), [&](std::size_t a, std::size_t b) {
    const double ka = key(a), kb = key(b);
    return ka != kb ? ka < kb : in.designs[a].hash < in.designs[b].hash;
  });
}

std::vector<Neighbour> nearest(const DecisionInput& in, const std::vector<std::size_t>& front,
                               const std::vector<std::vector<double>>& norm, std::size_t self,
                               std::size_t count) {
  std::vector<std::pair<double, std::size_t>> by_distance;
  for (const std::size_t j : front)
    if (j != self) by_distance.emplace_back(euclidean(norm[self], norm[j]), j);
  std::sort(by_distance.begin(), by_distance.end(), [&](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first
                              : in.designs[a.second].hash < in.designs[b.second].hash;
  });
  by_distance.resize(std::min(count, by_distance.size()));
  std::vector<Neighbour> out;
  const FrontDesign& d = in.designs[self];
  for (const auto& [dist, j] : by_distance) {
    const FrontDesign& n = in.designs[j];
    Neighbour nb{n.hash, dist, {}, {}};
    for (const auto& o : in.objectives)
      nb.trades.push_back(
          {o, d.objectives.find(o).value_or(NAN), n.objectives.find(o).value_or(NAN)});
    for (const auto& key : in.swept) {
      const auto a = d.params.find(key), b = n.params.find(key);
      const std::string ta = a == d.params.end() ? "" : a->second.text;
      const std::string tb = b == n.params.end() ? "" : b->second.text;
      if (ta != tb) nb.differs.push_back({key, ta, tb});
    }
    out.push_back(std::move(nb));
  }
  return out;
}

}  // namespace

DecisionInput decision_input(Store& store, std::int64_t cid) {
  std::map<std::string, std::string> prov;
  for (auto& [k, v] : store.provenance(cid)) prov[k] = v;
  YAML::Node spec;
  for (const auto& c : store.campaigns())
    if (c.id == cid) try {
        spec = YAML::Load(c.spec_yaml);
      } catch (const YAML::Exception&) {
        spec = YAML::Node();  // a stored file that no longer parses: the defaults
      }
  // `pade compare` stores a one-line description, not a campaign file: the defaults too.
  if (!spec.IsMap()) spec = YAML::Node(YAML::NodeType::Map);
  DecisionInput in;
  in.fidelity = front_fidelity(prov);
  in.objectives = campaign_objectives(prov, spec);
  in.constraints = campaign_constraints(spec);
  in.swept = store.swept_parameters(cid);
  // One point per design: at the front's fidelity when the design has one there, else its last.
  std::map<std::string, RankedPoint> chosen;
  for (auto& r : store.ranked_points(cid)) {
    if (!r.point.feasible || !r.at_front_fidelity) continue;
    const auto it = chosen.find(r.point.config_hash);
    if (it != chosen.end() && it->second.point.fidelity == in.fidelity &&
        r.point.fidelity != in.fidelity)
      continue;
    chosen[r.point.config_hash] = std::move(r);
  }
  const DesignParameters params = store.design_parameters(cid);
  for (auto& [hash, r] : chosen) {
    FrontDesign d{hash, r.point.fidelity, {}, r.point.objectives, r.suite_rank == 0};
    if (const auto p = params.find(hash); p != params.end()) d.params = p->second;
    in.designs.push_back(std::move(d));
  }
  if (in.fidelity.empty() && !in.designs.empty()) in.fidelity = in.designs.front().fidelity;
  return in;
}

Recommendations recommend(const DecisionInput& in, PaperPoint paper, std::size_t neighbours) {
  Recommendations out;
  out.objectives = in.objectives;
  std::vector<std::size_t> front;
  for (std::size_t i = 0; i < in.designs.size(); ++i)
    if (in.designs[i].on_front) front.push_back(i);
  out.front_size = front.size();
  if (front.empty() || in.objectives.empty()) return out;
  // Normalize each objective over the front: the ideal point is the origin.
  std::vector<std::vector<double>> norm(in.designs.size(),
                                        std::vector<double>(in.objectives.size(), 0.0));
  for (std::size_t k = 0; k < in.objectives.size(); ++k) {
    double lo = INFINITY, hi = -INFINITY;
    for (const std::size_t i : front) {
      const double v = in.designs[i].objectives.find(in.objectives[k]).value_or(NAN);
      if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
    }
    out.ranges.emplace_back(lo, hi);
    for (std::size_t i = 0; i < in.designs.size(); ++i) {
      const double v = in.designs[i].objectives.find(in.objectives[k]).value_or(NAN);
      norm[i][k] = !std::isfinite(v) ? 1.0 : hi > lo ? (v - lo) / (hi - lo) : 0.0;
    }
  }
  const std::vector<double> origin(in.objectives.size(), 0.0);
  const auto ideal = [&](std::size_t i) { return euclidean(norm[i], origin); };
  const std::vector<double> paper_d = paper_distances(in, paper, out.paper_keys);

  const auto add = [&](std::size_t i, const std::string& role, const std::string& reason) {
    for (auto& r : out.designs)
      if (r.hash == in.designs[i].hash) {
        r.roles.push_back(role), r.reasons.push_back(reason);
        return;
      }
    Recommendation r{in.designs[i].hash, {role}, {reason}, norm[i], ideal(i), std::nullopt, {}};
    if (!out.paper_keys.empty()) r.paper_distance = paper_d[i];
    r.neighbours = nearest(in, front, norm, i, neighbours);
    out.designs.push_back(std::move(r));
  };
  const std::size_t balanced = argmin(front, in, ideal);
  add(balanced, "balanced",
      "nearest the ideal point: distance " + format_number(ideal(balanced)) + " over " +
          std::to_string(in.objectives.size()) + " normalized objectives");
  for (std::size_t k = 0; k < in.objectives.size(); ++k) {
    const std::size_t best = argmin(front, in, [&](std::size_t i) {
      return norm[i][k] + 1e-9 * ideal(i);  // ties on the objective: the more balanced design
    });
    add(best, "lowest " + in.objectives[k],
        "lowest " + in.objectives[k] + " on the front: " +
            format_number(in.designs[best].objectives.find(in.objectives[k]).value_or(NAN)) +
            figures::unit_of(in.objectives[k]));
  }
  if (!out.paper_keys.empty()) {
    // Ties (designs differing only in parameters the paper does not fix): the more balanced.
    const std::size_t p =
        argmin(front, in, [&](std::size_t i) { return paper_d[i] + 1e-9 * ideal(i); });
    add(p, "nearest the paper's point",
        paper_d[p] == 0 ? std::string("is the paper's design point")
                        : "distance " + format_number(paper_d[p]) + " in normalized parameter " +
                              "space over " + std::to_string(out.paper_keys.size()) +
                              " swept paper parameters");
  }
  return out;
}

DesignExplanation explain_design(Store& store, std::int64_t cid, const std::string& hash,
                                 const std::string& fidelity) {
  DesignExplanation out;
  std::map<std::string, double> util, energy;
  for (const auto& e : store.evaluations(cid, {hash, fidelity, true})) {
    ++out.benchmarks;
    for (const auto& [name, value] : e.metrics.sorted()) {
      if (!std::isfinite(value)) continue;
      if (name.rfind("util_", 0) == 0) util[name] += value;
      if (name == core::metric::kEnergyJ) out.energy_j += value;
      const std::string c = figures::component(name, "energy_", "_j");
      if (!c.empty()) energy[c] += value;
    }
  }
  if (out.benchmarks == 0) return out;
  for (const auto& [name, sum] : util)
    out.utilization.emplace_back(name, sum / static_cast<double>(out.benchmarks));
  std::stable_sort(out.utilization.begin(), out.utilization.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  std::set<std::string> names;
  for (const auto& [c, _] : energy) names.insert(c);
  const auto totals = figures::aggregate_components(names);
  for (const auto& [c, j] : energy)
    if (!totals.count(c) && j > out.dominant_energy_j)
      out.dominant_energy = c, out.dominant_energy_j = j;
  return out;
}

namespace {

/// The objective columns every design table shows: the points columns, the campaign's first.
std::vector<std::string> objective_columns(const DecisionInput& in) {
  std::vector<std::string> out = in.objectives;
  for (const auto c : core::metric::kPointColumns)
    if (std::find(out.begin(), out.end(), c) == out.end()) out.emplace_back(c);
  return out;
}

void add_design_cells(std::vector<Cell>& row, const DecisionInput& in, const FrontDesign& d) {
  for (const auto& key : in.swept) {
    const auto p = d.params.find(key);
    row.push_back(p == d.params.end() ? Table::null_cell()
                  : p->second.num     ? Cell{p->second.text, true, false}
                                      : Table::text(p->second.text));
  }
  for (const auto& o : objective_columns(in)) {
    const auto v = d.objectives.find(o);
    row.push_back(v ? Table::number(*v) : Table::null_cell());
  }
}

}  // namespace

Table front_designs_table(const DecisionInput& in) {
  std::vector<std::string> columns = {"config_hash", "fidelity"};
  columns.insert(columns.end(), in.swept.begin(), in.swept.end());
  for (const auto& o : objective_columns(in)) columns.push_back(o);
  Table t(columns);
  std::vector<const FrontDesign*> front;
  for (const auto& d : in.designs)
    if (d.on_front) front.push_back(&d);
  const auto latency = [](const FrontDesign* d) {
    return d->objectives.find(core::metric::kLatencyS).value_or(INFINITY);
  };
  std::stable_sort(front.begin(), front.end(), [&](const FrontDesign* a, const FrontDesign* b) {
    return latency(a) < latency(b);  // designs are already by hash: ties stay by hash
  });
  for (const FrontDesign* d : front) {
    std::vector<Cell> row = {Table::text(d->hash), Table::text(d->fidelity)};
    add_design_cells(row, in, *d);
    t.add_row(std::move(row));
  }
  return t;
}

Table recommendations_table(const DecisionInput& in, const Recommendations& r) {
  std::vector<std::string> columns = {"config_hash", "roles", "fidelity", "ideal_distance",
                                      "paper_distance"};
  columns.insert(columns.end(), in.swept.begin(), in.swept.end());
  for (const auto& o : objective_columns(in)) columns.push_back(o);
  Table t(columns);
  for (const auto& rec : r.designs) {
    const auto d = std::find_if(in.designs.begin(), in.designs.end(),
                                [&](const FrontDesign& x) { return x.hash == rec.hash; });
    std::string roles;
    for (const auto& role : rec.roles) roles += (roles.empty() ? "" : "; ") + role;
    std::vector<Cell> row = {
        Table::text(rec.hash), Table::text(roles), Table::text(d->fidelity),
        Table::number(rec.ideal_distance),
        rec.paper_distance ? Table::number(*rec.paper_distance) : Table::null_cell()};
    add_design_cells(row, in, *d);
    t.add_row(std::move(row));
  }
  return t;
}

std::string designs_json(const DecisionInput& in) {
  core::JsonWriter w;
  w.begin_array();
  for (const auto& d : in.designs) {
    w.begin_object().key("hash").value(d.hash).key("fidelity").value(d.fidelity);
    w.key("front").value(d.on_front).key("params").begin_object();
    for (const auto& key : in.swept)
      if (const auto p = d.params.find(key); p != d.params.end()) w.key(key).value(p->second.text);
    w.end_object().key("objectives").begin_object();
    for (const auto& o : objective_columns(in))
      if (const auto v = d.objectives.find(o); v && std::isfinite(*v)) w.key(o).value(*v);
    w.end_object().end_object();
  }
  w.end_array();
  // Inside <script>: "</" would end the element.
  std::string out;
  for (const char c : w.str())
    out += c == '/' && !out.empty() && out.back() == '<' ? "\\/" : std::string(1, c);
  return out;
}

}  // namespace pade::results
