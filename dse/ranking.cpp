// The campaign's final ranking: Pareto ranks of the suite scope and of every benchmark at the
// result fidelity, and the hypervolume of the suite front (runner.hpp, mark_pareto).
//
// Cost: each scope is sorted with search::nondominated_ranks, O(N log^{M-1} N); the scopes are
// independent and run in parallel (oneTBB), each writing its own slot, so the records do not
// depend on scheduling. Memory: the stored points and evaluations are streamed from the store and
// reduced to one objective vector per (scope, design) and one hash per design; the Pareto records
// are written as they are produced. Peak memory is these O(N) arrays, whatever the campaign size.
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <limits>
#include <map>
#include <set>
#include <unordered_map>

#include "dse/runner.hpp"
#include "search/pareto.hpp"

namespace pade::dse {
namespace {

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size() && !text.empty()) {
    const auto end = text.find(',', start);
    out.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

/// One scope to rank: its name, and each design (an index into the suite's designs) with its
/// objectives.
struct Scope {
  std::string name;
  std::vector<std::uint32_t> designs;
  std::vector<search::Objectives> objectives;
  std::vector<int> ranks;
};

/// The result fidelity: the last ladder rung with points (older databases: the last point's).
/// Streams the points: only their fidelities are kept.
std::string front_fidelity(results::Store& store, std::int64_t campaign_id) {
  std::vector<std::string> ladder;
  for (const auto& [k, v] : store.provenance(campaign_id)) {
    if (k == "fidelities") ladder = split(v);
    if (k == "fidelity" && ladder.empty()) ladder = {v};
  }
  std::set<std::string, std::less<>> present;
  std::string last;
  store.for_each_point(campaign_id, [&](const results::PointRecord& p) {
    present.insert(p.fidelity);
    last = p.fidelity;
  });
  for (auto it = ladder.rbegin(); it != ladder.rend(); ++it)
    if (present.count(*it) > 0) return *it;
  return last;
}

/// A benchmark's own values of the campaign objectives.
search::Objectives benchmark_objectives(const core::Metrics& m,
                                        const std::vector<Objective>& objectives) {
  search::Objectives o;
  for (const auto obj : objectives) {
    if (obj == Objective::Latency) o.push_back(m.get(core::metric::kLatencyS));
    if (obj == Objective::Energy) o.push_back(m.get(core::metric::kEnergyJ));
    if (obj == Objective::Area) o.push_back(m.get(core::metric::kAreaMm2));
    if (obj == Objective::Power) o.push_back(m.get(core::metric::kPowerW));
    if (obj == Objective::AccuracyLoss)
      o.push_back(m.find(core::metric::kAccuracyLoss).value_or(0.0));
  }
  return o;
}

/// The suite scope and one scope per benchmark (in name order), feasible designs at `fidelity`,
/// read row by row from the store: what stays is one hash per design and one objective vector
/// per (scope, design), not the records.
std::vector<Scope> collect_scopes(results::Store& store, std::int64_t campaign_id,
                                  const std::string& fidelity,
                                  const std::vector<Objective>& objectives,
                                  std::vector<std::string>& hashes) {
  std::vector<Scope> scopes(1);
  scopes[0].name = "suite";
  std::unordered_map<std::string, std::uint32_t> index;
  store.for_each_point(campaign_id, [&](const results::PointRecord& p) {
    if (!p.feasible || p.fidelity != fidelity) return;
    const auto i = static_cast<std::uint32_t>(hashes.size());
    if (!index.emplace(p.config_hash, i).second) return;
    hashes.push_back(p.config_hash);
    scopes[0].designs.push_back(i);
    scopes[0].objectives.push_back(objective_vector(p.objectives, objectives));
  });
  std::map<std::string, Scope> by_bench;
  store.for_each_evaluation(campaign_id, {"", fidelity, false},
                            [&](const results::EvaluationRecord& e) {
                              const auto it = index.find(e.config_hash);
                              if (it == index.end()) return;
                              Scope& s = by_bench[e.benchmark];
                              s.designs.push_back(it->second);
                              s.objectives.push_back(benchmark_objectives(e.metrics, objectives));
                            });
  for (auto& [name, s] : by_bench) {
    s.name = name;
    scopes.push_back(std::move(s));
  }
  return scopes;
}

/// 10 % beyond the worst feasible value of each objective (stored as provenance).
std::vector<double> reference_point(std::span<const search::Objectives> objs, std::size_t m) {
  std::vector<double> ref(m, -std::numeric_limits<double>::infinity());
  for (const auto& o : objs)
    for (std::size_t k = 0; k < o.size(); ++k) ref[k] = std::max(ref[k], o[k]);
  for (auto& r : ref) r = r > 0 ? r * 1.1 : r + 1.0;
  return ref;
}

}  // namespace

FrontSummary mark_pareto(results::Store& store, std::int64_t campaign_id,
                         const std::vector<Objective>& objectives, int threads) {
  FrontSummary summary;
  summary.fidelity = front_fidelity(store, campaign_id);
  std::vector<std::string> hashes;
  std::vector<Scope> scopes =
      collect_scopes(store, campaign_id, summary.fidelity, objectives, hashes);
  tbb::task_arena arena(threads > 0 ? threads : tbb::task_arena::automatic);
  arena.execute([&] {
    tbb::parallel_for(std::size_t{0}, scopes.size(), [&](std::size_t i) {
      scopes[i].ranks = search::nondominated_ranks(scopes[i].objectives);
    });
  });
  const Scope& suite = scopes[0];
  if (!suite.objectives.empty()) {
    summary.reference_point = reference_point(suite.objectives, objectives.size());
    const auto hv = search::hypervolume_or_estimate(suite.objectives, summary.reference_point);
    summary.hypervolume = hv.value;
    summary.hypervolume_error = hv.standard_error;
    summary.front_size =
        static_cast<std::size_t>(std::count(suite.ranks.begin(), suite.ranks.end(), 0));
  }
  store.set_pareto(campaign_id, [&](const results::Store::ParetoSink& sink) {
    results::ParetoRecord r;
    for (const auto& s : scopes) {
      r.scope = s.name;
      for (std::size_t i = 0; i < s.designs.size(); ++i) {
        r.config_hash = hashes[s.designs[i]];
        r.rank = s.ranks[i];
        sink(r);
      }
    }
  });
  std::string ref;
  for (const double r : summary.reference_point) {
    if (!ref.empty()) ref += ',';
    ref += core::value_text(r);
  }
  std::vector<std::pair<std::string, std::string>> prov = {
      {"hypervolume_reference", ref},
      {"hypervolume", core::value_text(summary.hypervolume)},
      {"front_fidelity", summary.fidelity}};
  // Beyond four objectives a large front's hypervolume is a Monte Carlo estimate: say how good.
  if (summary.hypervolume_error > 0)
    prov.emplace_back("hypervolume_standard_error", core::value_text(summary.hypervolume_error));
  store.put_provenance(campaign_id, prov);
  return summary;
}

std::vector<Objective> stored_objectives(results::Store& store, std::int64_t campaign_id) {
  for (const auto& [k, v] : store.provenance(campaign_id))
    if (k == "objectives") {
      std::vector<Objective> out;
      for (const auto& name : split(v))
        for (const auto o : {Objective::Latency, Objective::Energy, Objective::Area,
                             Objective::Power, Objective::AccuracyLoss})
          if (objective_name(o) == name) out.push_back(o);
      return out;
    }
  return {};
}

}  // namespace pade::dse
