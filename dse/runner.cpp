#include "dse/runner.hpp"

#include <tbb/global_control.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include "models/fidelity.hpp"
#include "pade/version.hpp"
#include "search/pareto.hpp"
#include "search/strategy.hpp"

namespace pade::dse {

std::vector<const workloads::Benchmark*> resolve_benchmarks(const Campaign& c, const workloads::Catalog& catalog) {
  std::vector<std::string> names = c.benchmarks;
  const core::SourceLocation where{c.file, 0, 0};
  if (names.empty()) {
    try {
      names = catalog.suite(c.suite);
    } catch (const core::InputError& e) {
      throw core::InputError(where, "suite", e.what());
    }
  }
  std::vector<const workloads::Benchmark*> out;
  for (const auto& n : names) {
    try {
      out.push_back(&catalog.benchmark(n));
    } catch (const core::InputError& e) {
      throw core::InputError(where, "benchmarks", e.what());
    }
  }
  if (out.empty()) throw core::InputError(where, "benchmarks", "no benchmarks to evaluate");
  return out;
}

core::Metrics evaluate(const core::Config& hardware, const workloads::Benchmark& benchmark,
                       const std::string& fidelity, StatsCache& stats) {
  const models::HardwareConfig hw = models::to_hardware(hardware);
  const models::WorkloadStats ws = stats.get(benchmark, AlgorithmPoint::from(hardware));
  return models::builtin_fidelities().get(fidelity).model(hw, benchmark, ws);
}

namespace {

std::vector<std::pair<std::string, std::string>> params_of(const core::Config& c) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [k, v] : c.values()) {
    const core::ParamSpec* spec = c.schema() ? c.schema()->find(k) : nullptr;
    if (spec != nullptr && !spec->identity) continue;
    out.emplace_back(k, core::value_text(v));
  }
  return out;
}

// Suite aggregation of per-benchmark metrics (see objective_aggregation()).
core::Metrics aggregate(std::span<const core::Metrics> per_benchmark) {
  double log_latency = 0, energy = 0, area = 0, power = 0, loss = 0;
  for (const auto& m : per_benchmark) {
    log_latency += std::log(m.get(core::metric::kLatencyS));
    energy += m.get(core::metric::kEnergyJ);
    area = std::max(area, m.get(core::metric::kAreaMm2));
    power = std::max(power, m.get(core::metric::kPowerW));
    loss = std::max(loss, m.find(core::metric::kAccuracyLoss).value_or(0.0));
  }
  core::Metrics out;
  out.set("latency_s", std::exp(log_latency / static_cast<double>(per_benchmark.size())));
  out.set("energy_j", energy);
  out.set("area_mm2", area);
  out.set("power_w", power);
  out.set("accuracy_loss", loss);
  return out;
}

std::vector<double> objective_vector(const core::Metrics& m, const std::vector<Objective>& objectives) {
  std::vector<double> v;
  for (const auto o : objectives) v.push_back(m.get(objective_column(o)));
  return v;
}

}  // namespace

FrontSummary mark_pareto(results::Store& store, std::int64_t campaign_id, const std::vector<Objective>& objectives) {
  FrontSummary summary;
  std::vector<results::ParetoRecord> records;
  // Suite scope: the feasible points of the campaign's highest fidelity per configuration.
  const auto points = store.points(campaign_id);
  std::vector<search::Objectives> objs;
  std::vector<std::string> hashes;
  for (const auto& p : points) {
    if (!p.feasible) continue;
    objs.push_back(objective_vector(p.objectives, objectives));
    hashes.push_back(p.config_hash);
  }
  const auto ranks = search::nondominated_ranks(objs);
  for (std::size_t i = 0; i < objs.size(); ++i) records.push_back({"suite", hashes[i], ranks[i]});
  // Reference point: 10 % beyond the worst feasible value of each objective (stored as provenance).
  if (!objs.empty()) {
    summary.reference_point.assign(objectives.size(), -std::numeric_limits<double>::infinity());
    for (const auto& o : objs)
      for (std::size_t k = 0; k < o.size(); ++k) summary.reference_point[k] = std::max(summary.reference_point[k], o[k]);
    for (auto& r : summary.reference_point) r = r > 0 ? r * 1.1 : r + 1.0;
    summary.hypervolume = search::hypervolume(objs, summary.reference_point);
    summary.front_size = static_cast<std::size_t>(std::count(ranks.begin(), ranks.end(), 0));
  }
  // Per benchmark: latency and energy of that benchmark (area where it is an objective).
  std::map<std::string, std::vector<std::pair<std::string, search::Objectives>>> by_bench;
  std::map<std::string, bool> feasible;
  for (const auto& p : points) feasible[p.config_hash] = p.feasible;
  for (const auto& e : store.evaluations(campaign_id)) {
    if (!feasible[e.config_hash]) continue;
    search::Objectives o;
    for (const auto obj : objectives) {
      if (obj == Objective::Latency) o.push_back(e.metrics.get(core::metric::kLatencyS));
      if (obj == Objective::Energy) o.push_back(e.metrics.get(core::metric::kEnergyJ));
      if (obj == Objective::Area) o.push_back(e.metrics.get(core::metric::kAreaMm2));
      if (obj == Objective::Power) o.push_back(e.metrics.get(core::metric::kPowerW));
      if (obj == Objective::AccuracyLoss) o.push_back(e.metrics.find(core::metric::kAccuracyLoss).value_or(0.0));
    }
    by_bench[e.benchmark].emplace_back(e.config_hash, std::move(o));
  }
  for (const auto& [bench, entries] : by_bench) {
    std::vector<search::Objectives> bo;
    for (const auto& [h, o] : entries) bo.push_back(o);
    const auto br = search::nondominated_ranks(bo);
    for (std::size_t i = 0; i < entries.size(); ++i) records.push_back({bench, entries[i].first, br[i]});
  }
  store.set_pareto(campaign_id, records);
  return summary;
}

RunSummary run_campaign(const Campaign& campaign, const workloads::Catalog& catalog, results::Store& store,
                        StatsCache& stats, const RunOptions& options) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const auto benchmarks = resolve_benchmarks(campaign, catalog);
  const auto& fidelity = models::builtin_fidelities().get(campaign.fidelity);
  auto log = [&](const std::string& s) {
    if (options.log) options.log(s);
  };

  RunSummary summary;
  // --- the campaign row: new, or the stored one when resuming -----------------------------------
  if (const auto existing = store.find_campaign(campaign.name)) {
    if (!options.resume)
      throw core::InputError({campaign.file, 0, 0}, "name",
                             "campaign '" + campaign.name + "' already exists in " + store.path() +
                                 "; use --resume to continue it or choose another name or --db");
    if (existing->spec_yaml != campaign.spec_yaml)
      throw core::InputError({campaign.file, 0, 0}, "",
                             "the campaign file changed since campaign '" + campaign.name +
                                 "' was started; resume needs the same file");
    summary.campaign_id = existing->id;
    store.set_campaign_status(summary.campaign_id, "running");
  } else {
    results::CampaignRecord rec;
    rec.name = campaign.name;
    rec.spec_yaml = campaign.spec_yaml;
    rec.seed = campaign.seed;
    rec.strategy = campaign.strategy;
    summary.campaign_id = store.create_campaign(rec);
    store.put_provenance(summary.campaign_id,
                         {{"pade_version", core::kVersion},
                          {"git_commit", core::kGitCommit},
                          {"fidelity", campaign.fidelity},
                          {"model_version", fidelity.version},
                          {"stats_version", stats.version()},
                          {"seed", std::to_string(campaign.seed)},
                          {"strategy", campaign.strategy},
                          {"suite", campaign.benchmarks.empty() ? campaign.suite : "(explicit list)"},
                          {"started_at", results::utc_now_iso8601()}});
  }
  for (const auto* b : benchmarks) store.put_benchmark(b->name, b->model, b->task, b->phase, b->seq_len);

  // Points already stored (resume): their objectives are told to the strategy, not recomputed.
  std::map<std::string, results::PointRecord> stored;
  for (auto& p : store.points(summary.campaign_id))
    if (p.fidelity == campaign.fidelity) stored.emplace(p.config_hash, std::move(p));

  search::StrategyOptions so;
  so.seed = static_cast<std::uint64_t>(campaign.seed);
  so.budget = campaign.budget_evaluations;
  so.population = campaign.population;
  const auto sizes = campaign.space.sizes();
  auto strategy = search::builtin_strategies().create(campaign.strategy, sizes, so);

  const int threads = options.threads >= 0 ? options.threads : campaign.threads;
  tbb::task_arena arena(threads > 0 ? threads : tbb::task_arena::automatic);

  Progress progress;
  progress.total = strategy->planned();
  std::vector<search::Objectives> feasible_objectives;
  auto stop_requested = [&] { return options.cancelled && options.cancelled(); };
  auto over_time = [&] {
    return campaign.budget_seconds > 0 &&
           std::chrono::duration<double>(Clock::now() - start).count() > campaign.budget_seconds;
  };
  summary.status = "finished";
  std::size_t evaluated_this_run = 0;

  while (true) {
    if (stop_requested()) {
      summary.status = "interrupted";
      break;
    }
    if (over_time()) {
      summary.status = "budget";
      log("wall-time budget reached; stopping");
      break;
    }
    const auto candidates = strategy->ask(campaign.batch_size);
    if (candidates.empty()) break;

    struct Work {
      const search::Candidate* candidate;
      core::Config config;
      std::string hash;
      bool from_store = false;
      std::vector<core::Metrics> metrics;  // per benchmark
      bool done = false;
    };
    std::vector<Work> work;
    work.reserve(candidates.size());
    for (const auto& cand : candidates) {
      Work w{&cand, campaign.space.point(campaign.base, cand.levels), {}, false, {}, false};
      w.hash = w.config.hash();
      w.from_store = stored.count(w.hash) > 0;
      w.metrics.resize(benchmarks.size());
      work.push_back(std::move(w));
    }
    // Evaluate every (configuration, benchmark) pair of the batch in parallel. Each result lands in
    // its own slot, so the outcome does not depend on scheduling.
    std::atomic<bool> cancelled_mid{false};
    arena.execute([&] {
      tbb::parallel_for(std::size_t{0}, work.size() * benchmarks.size(), [&](std::size_t idx) {
        Work& w = work[idx / benchmarks.size()];
        if (w.from_store) return;
        if (stop_requested()) {
          cancelled_mid = true;
          return;
        }
        const std::size_t b = idx % benchmarks.size();
        w.metrics[b] = evaluate(w.config, *benchmarks[b], campaign.fidelity, stats);
      });
    });
    // A batch interrupted half-way commits only its complete configurations.
    std::vector<results::EvaluationRecord> evals;
    std::vector<results::PointRecord> points;
    std::vector<search::Outcome> outcomes;
    for (auto& w : work) {
      search::Outcome outcome{w.candidate->seq, std::nullopt};
      if (w.from_store) {
        const auto& p = stored.at(w.hash);
        if (p.feasible) outcome.objectives = objective_vector(p.objectives, campaign.objectives);
        ++summary.resumed;
        w.done = true;
      } else {
        bool complete = true;
        for (const auto& m : w.metrics) complete = complete && !m.values().empty();
        if (!complete) continue;
        w.done = true;
        store.put_configuration(w.hash, w.config.canonical(), params_of(w.config));
        results::PointRecord p;
        p.campaign_id = summary.campaign_id;
        p.config_hash = w.hash;
        p.seq = w.candidate->seq;
        p.fidelity = campaign.fidelity;
        p.objectives = aggregate(w.metrics);
        for (const auto& c : campaign.constraints) {
          const double v = p.objectives.get(c.metric);
          if (v > c.max) {
            p.feasible = false;
            char buf[160];
            std::snprintf(buf, sizeof buf, "%s %.4g > %.4g", c.metric.c_str(), v, c.max);
            p.reason += (p.reason.empty() ? "" : "; ") + std::string(buf);
          }
        }
        if (p.feasible) outcome.objectives = objective_vector(p.objectives, campaign.objectives);
        for (std::size_t b = 0; b < benchmarks.size(); ++b)
          evals.push_back({summary.campaign_id, w.hash, benchmarks[b]->name, campaign.fidelity, w.metrics[b],
                           w.candidate->seq});
        points.push_back(p);
        stored.emplace(w.hash, p);
        ++summary.evaluated;
        ++evaluated_this_run;
      }
      const auto& p = stored.at(w.hash);
      if (p.feasible) {
        ++summary.feasible;
        feasible_objectives.push_back(objective_vector(p.objectives, campaign.objectives));
        for (const auto o : campaign.objectives) {
          const double v = p.objectives.get(objective_column(o));
          auto [it, inserted] = progress.best.emplace(objective_name(o), v);
          if (!inserted) it->second = std::min(it->second, v);
        }
      } else {
        for (const auto& c : campaign.constraints)
          if (p.objectives.get(c.metric) > c.max) ++summary.rejected_by[c.metric + " <= " + std::to_string(c.max)];
      }
      outcomes.push_back(outcome);
    }
    store.put_batch(evals, points);  // one transaction: the batch is stored whole or not at all
    strategy->tell(outcomes);

    progress.done = summary.evaluated + summary.resumed;
    progress.total = std::max(strategy->planned(), progress.done);
    progress.elapsed_s = std::chrono::duration<double>(Clock::now() - start).count();
    progress.rate_per_s = progress.elapsed_s > 0 ? static_cast<double>(evaluated_this_run) / progress.elapsed_s : 0;
    progress.feasible = summary.feasible;
    const auto ranks = search::nondominated_ranks(feasible_objectives);
    progress.front_size = static_cast<std::size_t>(std::count(ranks.begin(), ranks.end(), 0));
    if (options.progress) options.progress(progress);
    if (cancelled_mid) {
      summary.status = "interrupted";
      break;
    }
  }

  const FrontSummary front = mark_pareto(store, summary.campaign_id, campaign.objectives);
  summary.front_size = front.front_size;
  summary.hypervolume = front.hypervolume;
  summary.reference_point = front.reference_point;
  std::string ref;
  for (const double r : front.reference_point) ref += (ref.empty() ? "" : ",") + core::value_text(r);
  store.put_provenance(summary.campaign_id, {{"hypervolume_reference", ref},
                                             {"hypervolume", core::value_text(front.hypervolume)},
                                             {"stats_computed", std::to_string(stats.computed())}});
  store.set_campaign_status(summary.campaign_id, summary.status);
  summary.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return summary;
}

}  // namespace pade::dse
