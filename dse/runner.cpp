#include "dse/runner.hpp"

#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <set>

#include "models/fidelity.hpp"
#include "pade/version.hpp"
#include "results/lease.hpp"
#include "search/pareto.hpp"
#include "search/strategy.hpp"

namespace pade::dse {

std::vector<const workloads::Benchmark*> resolve_benchmarks(const Campaign& c,
                                                            const workloads::Catalog& catalog) {
  std::vector<std::string> names = c.benchmarks;
  const core::SourceLocation& where = c.suite_where;
  if (names.empty()) {
    try {
      names = catalog.suite(c.suite);
    } catch (const core::InputError& e) {
      throw core::InputError(where, "suite", e.message());
    }
  }
  std::vector<const workloads::Benchmark*> out;
  for (const auto& n : names) {
    try {
      out.push_back(&catalog.benchmark(n));
    } catch (const core::InputError& e) {
      throw core::InputError(where, "benchmarks", e.message());
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

std::vector<double> objective_vector(const core::Metrics& m,
                                     const std::vector<Objective>& objectives) {
  std::vector<double> v;
  for (const auto o : objectives) v.push_back(m.get(objective_column(o)));
  return v;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ",") + i;
  return out;
}

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

/// Run `body(i)` for i in [0, n) on the arena, taking indices in order from a shared counter, so
/// the most expensive work (placed first by the caller) starts first.
template <class Body>
void for_each_dynamic(tbb::task_arena& arena, std::size_t n, const Body& body) {
  if (n == 0) return;
  std::atomic<std::size_t> next{0};
  const auto lanes = static_cast<std::size_t>(std::max(1, arena.max_concurrency()));
  arena.execute([&] {
    tbb::parallel_for(std::size_t{0}, std::min(lanes, n), [&](std::size_t) {
      for (std::size_t i = next++; i < n; i = next++) body(i);
    });
  });
}

}  // namespace

JobResults evaluate_jobs(const Campaign& campaign,
                         std::span<const workloads::Benchmark* const> benchmarks,
                         std::span<const EvalJob> jobs, StatsCache& stats, int threads,
                         const std::function<bool()>& cancelled, const PairFilter& owns) {
  const std::size_t nb = benchmarks.size();
  JobResults results(jobs.size(), std::vector<core::Metrics>(nb));
  std::vector<core::Config> configs;
  configs.reserve(jobs.size());
  for (const auto& j : jobs) configs.push_back(campaign.space.point(campaign.base, j.levels));
  std::vector<std::pair<std::size_t, std::size_t>> pairs;  // (job, benchmark) this evaluator owns
  for (std::size_t j = 0; j < jobs.size(); ++j)
    for (std::size_t b = 0; b < nb; ++b)
      if (!owns || owns(j, b)) pairs.emplace_back(j, b);
  auto stop = [&] { return cancelled && cancelled(); };

  // Phase 1: the distinct statistics keys, longest sequences first (a proxy for their cost).
  std::map<std::pair<std::size_t, std::string>, std::pair<std::size_t, AlgorithmPoint>> keys;
  for (const auto& [j, b] : pairs) {
    const AlgorithmPoint ap = AlgorithmPoint::from(configs[j]);
    keys.emplace(std::make_pair(b, ap.key()), std::make_pair(b, ap));
  }
  std::vector<std::pair<std::size_t, AlgorithmPoint>> todo;
  for (auto& [k, v] : keys) todo.push_back(v);
  std::stable_sort(todo.begin(), todo.end(), [&](const auto& x, const auto& y) {
    return benchmarks[x.first]->seq_len > benchmarks[y.first]->seq_len;
  });
  tbb::task_arena arena(threads > 0 ? threads : tbb::task_arena::automatic);
  for_each_dynamic(arena, todo.size(), [&](std::size_t i) {
    if (!stop()) (void)stats.get(*benchmarks[todo[i].first], todo[i].second);
  });
  // Phase 2: the hardware model per pair (statistics now come from the cache).
  arena.execute([&] {
    tbb::parallel_for(std::size_t{0}, pairs.size(), [&](std::size_t i) {
      if (stop()) return;
      const auto [j, b] = pairs[i];
      results[j][b] = evaluate(configs[j], *benchmarks[b], jobs[j].fidelity, stats);
    });
  });
  return results;
}

namespace {}  // namespace

std::unique_ptr<search::Strategy> make_strategy(const Campaign& campaign) {
  search::StrategyOptions so;
  so.seed = static_cast<std::uint64_t>(campaign.seed);
  so.budget = campaign.budget_evaluations;
  so.population = campaign.population;
  so.fidelity_levels = campaign.fidelity_ladder().size();
  so.eta = campaign.eta;
  return search::builtin_strategies().create(campaign.strategy, campaign.space.sizes(), so);
}

void check_shard(const Campaign& campaign, const Shard& shard) {
  if (shard.count == 0 || shard.index >= shard.count)
    throw core::InputError("--shard: expected i/N with 0 <= i < N");
  // An adaptive strategy's later candidates depend on every earlier outcome, which a shard never
  // sees: splitting it would change the search. MPI (one strategy, many evaluating ranks) is the
  // way to spread those.
  if (shard.count > 1 && make_strategy(campaign)->adaptive())
    throw core::InputError(
        {campaign.file, 0, 0}, "strategy",
        "found strategy '" + campaign.strategy +
            "' with --shard, expected a non-adaptive strategy (grid, random, lhs); "
            "an adaptive strategy needs every outcome to choose its next candidates, so run "
            "it in one process or spread it with mpirun");
}

FrontSummary mark_pareto(results::Store& store, std::int64_t campaign_id,
                         const std::vector<Objective>& objectives) {
  FrontSummary summary;
  std::vector<results::ParetoRecord> records;
  const auto points = store.points(campaign_id);
  // The result fidelity: the last ladder rung with points (older databases: any single fidelity).
  std::vector<std::string> ladder;
  for (const auto& [k, v] : store.provenance(campaign_id)) {
    if (k == "fidelities") ladder = split(v);
    if (k == "fidelity" && ladder.empty()) ladder = {v};
  }
  for (auto it = ladder.rbegin(); it != ladder.rend() && summary.fidelity.empty(); ++it)
    for (const auto& p : points)
      if (p.fidelity == *it) {
        summary.fidelity = *it;
        break;
      }
  if (summary.fidelity.empty() && !points.empty()) summary.fidelity = points.back().fidelity;
  auto at_front_fidelity = [&](const std::string& f) { return f == summary.fidelity; };

  // Suite scope: the feasible points at the result fidelity.
  std::vector<search::Objectives> objs;
  std::vector<std::string> hashes;
  for (const auto& p : points) {
    if (!p.feasible || !at_front_fidelity(p.fidelity)) continue;
    objs.push_back(objective_vector(p.objectives, objectives));
    hashes.push_back(p.config_hash);
  }
  const auto ranks = search::nondominated_ranks(objs);
  for (std::size_t i = 0; i < objs.size(); ++i) records.push_back({"suite", hashes[i], ranks[i]});
  // Reference point: 10 % beyond the worst feasible value of each objective (stored as provenance).
  if (!objs.empty()) {
    summary.reference_point.assign(objectives.size(), -std::numeric_limits<double>::infinity());
    for (const auto& o : objs)
      for (std::size_t k = 0; k < o.size(); ++k)
        summary.reference_point[k] = std::max(summary.reference_point[k], o[k]);
    for (auto& r : summary.reference_point) r = r > 0 ? r * 1.1 : r + 1.0;
    summary.hypervolume = search::hypervolume(objs, summary.reference_point);
    summary.front_size = static_cast<std::size_t>(std::count(ranks.begin(), ranks.end(), 0));
  }
  // Per benchmark: that benchmark's own latency, energy, … (area where it is an objective).
  std::map<std::string, std::vector<std::pair<std::string, search::Objectives>>> by_bench;
  std::set<std::string> feasible;
  for (const auto& p : points)
    if (p.feasible && at_front_fidelity(p.fidelity)) feasible.insert(p.config_hash);
  for (const auto& e : store.evaluations(campaign_id)) {
    if (!at_front_fidelity(e.fidelity) || feasible.count(e.config_hash) == 0) continue;
    search::Objectives o;
    for (const auto obj : objectives) {
      if (obj == Objective::Latency) o.push_back(e.metrics.get(core::metric::kLatencyS));
      if (obj == Objective::Energy) o.push_back(e.metrics.get(core::metric::kEnergyJ));
      if (obj == Objective::Area) o.push_back(e.metrics.get(core::metric::kAreaMm2));
      if (obj == Objective::Power) o.push_back(e.metrics.get(core::metric::kPowerW));
      if (obj == Objective::AccuracyLoss)
        o.push_back(e.metrics.find(core::metric::kAccuracyLoss).value_or(0.0));
    }
    by_bench[e.benchmark].emplace_back(e.config_hash, std::move(o));
  }
  for (const auto& [bench, entries] : by_bench) {
    std::vector<search::Objectives> bo;
    for (const auto& [h, o] : entries) bo.push_back(o);
    const auto br = search::nondominated_ranks(bo);
    for (std::size_t i = 0; i < entries.size(); ++i)
      records.push_back({bench, entries[i].first, br[i]});
  }
  store.set_pareto(campaign_id, records);
  std::string ref;
  for (const double r : summary.reference_point)
    ref += (ref.empty() ? "" : ",") + core::value_text(r);
  store.put_provenance(campaign_id, {{"hypervolume_reference", ref},
                                     {"hypervolume", core::value_text(summary.hypervolume)},
                                     {"front_fidelity", summary.fidelity}});
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

namespace {
/// Provenance key of a benchmark's data: "trace <benchmark>".
constexpr const char* kDataKeyPrefix = "trace ";

std::string data_provenance(const workloads::Benchmark& b, StatsCache& stats) {
  return b.trace.describe() + "; " + stats.identity(b);
}

/// Another run took this run's lease over: stop without touching the campaign.
struct LeaseLost : core::RunError {
  using core::RunError::RunError;
};

/// InputError unless the stored campaign can be continued by this run: --resume, the same
/// campaign file, the same data for every benchmark, the same shard.
void check_resumable(const Campaign& campaign, const results::CampaignRecord& existing,
                     results::Store& store, const Shard& shard,
                     std::span<const workloads::Benchmark* const> benchmarks,
                     const std::vector<std::pair<std::string, std::string>>& data, bool resume) {
  if (!resume) {
    std::string running;
    if (const auto holder = results::read_lease(store, existing.id);
        holder && results::lease_is_live(*holder, results::utc_now_iso8601()))
      running = " (and is being run right now by " + results::describe_holder(*holder) + ")";
    throw core::InputError({campaign.file, 0, 0}, "name",
                           "campaign '" + campaign.name + "' already exists in " + store.path() +
                               running +
                               "; use --resume to continue it or choose another name or --db");
  }
  if (existing.spec_yaml != campaign.spec_yaml)
    throw core::InputError({campaign.file, 0, 0}, "",
                           "the campaign file changed since campaign '" + campaign.name +
                               "' was started; resume needs the same file");
  // A shard database continues as the same shard (another split would mix candidate sets).
  std::string stored_shard;
  std::map<std::string, std::string, std::less<>> stored_data;
  for (const auto& [k, v] : store.provenance(existing.id)) {
    if (k == "shard") stored_shard = v;
    if (k.starts_with(kDataKeyPrefix)) stored_data[k] = v;
  }
  // The data every benchmark rests on must be what the campaign started with: resumed points
  // and new ones would otherwise describe different workloads. (A database written before
  // synthetic benchmarks were recorded has no entry for them: nothing to compare.)
  for (std::size_t i = 0; i < benchmarks.size(); ++i) {
    const auto* b = benchmarks[i];
    const auto it = stored_data.find(data[i].first);
    if (it != stored_data.end() && it->second != data[i].second)
      throw core::InputError({campaign.file, 0, 0}, "",
                             "the data of benchmark '" + b->name + "' (" + b->trace.describe() +
                                 ") changed since campaign '" + campaign.name +
                                 "' was started in " + store.path() +
                                 "; resume needs the same data (start a new campaign "
                                 "under another name or --db to use the new data)");
  }
  const std::string now =
      shard.count > 1 ? std::to_string(shard.index) + "/" + std::to_string(shard.count) : "";
  if (stored_shard != now)
    throw core::InputError("--shard: campaign '" + campaign.name + "' in " + store.path() +
                           (stored_shard.empty()
                                ? std::string(" was started without --shard; resume it without")
                                : " was started as shard " + stored_shard +
                                      "; resume it with --shard " + stored_shard));
}

/// Best effort after a failure: mark the campaign failed (waiting a little longer than usual for
/// a lock, which may be what failed). Returns a sentence saying whether it worked.
std::string record_failure(results::Store& store, std::int64_t campaign_id) {
  const int normal = store.busy_timeout_ms();
  try {
    store.set_busy_timeout(std::max(normal, 5000));
    store.set_campaign_status(campaign_id, "failed");
    store.set_busy_timeout(normal);
    return "The campaign is marked failed in " + store.path() +
           "; everything committed before the failure is kept (--resume continues from there)";
  } catch (const std::exception& e) {
    try {
      store.set_busy_timeout(normal);
    } catch (const std::exception&) {
    }
    return "Its status could not be recorded either (" + std::string(e.what()) +
           "): " + store.path() + " still shows it as running";
  }
}
}  // namespace

RunSummary run_campaign(const Campaign& campaign, const workloads::Catalog& catalog,
                        results::Store& store, StatsCache& stats, const RunOptions& options) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const auto benchmarks = resolve_benchmarks(campaign, catalog);
  const std::vector<std::string> ladder = campaign.fidelity_ladder();
  std::string model_versions;
  for (const auto& f : ladder)
    model_versions +=
        (model_versions.empty() ? "" : ",") + models::builtin_fidelities().get(f).version;
  auto log = [&](const std::string& s) {
    if (options.log) options.log(s);
  };
  const Shard shard = options.shard;
  check_shard(campaign, shard);
  auto strategy = make_strategy(campaign);
  // Bad data (a missing dump, a shape the model does not have) fails before anything is recorded.
  for (const auto* b : benchmarks) stats.check(*b);

  RunSummary summary;
  // Every benchmark's data (generator knobs, dumps, text): which, and its identity. Resume and
  // merge compare it. Computed before the write transaction below, which should stay short.
  std::vector<std::pair<std::string, std::string>> data;
  for (const auto* b : benchmarks)
    data.emplace_back(kDataKeyPrefix + b->name, data_provenance(*b, stats));
  auto write_failure = [&](const SQLite::Exception& e) {
    return "campaign '" + campaign.name + "': " +
           results::write_failure_message(e, store.path(), store.busy_timeout_ms(),
                                          "run again with --resume");
  };

  // --- the campaign row (new, or the stored one when resuming) and its lease, in one
  // transaction: of two runs of one campaign started together, one runs and the other is told
  // who does.
  std::optional<results::CampaignLease> lease;
  try {
    results::WriteTransaction tx(store);
    if (const auto existing = store.find_campaign(campaign.name)) {
      check_resumable(campaign, *existing, store, shard, benchmarks, data, options.resume);
      summary.campaign_id = existing->id;
      lease.emplace(store, summary.campaign_id, campaign.name, options.lease, log);
      store.set_campaign_status(summary.campaign_id, "running");
    } else {
      results::CampaignRecord rec;
      rec.name = campaign.name;
      rec.spec_yaml = campaign.spec_yaml;
      rec.seed = campaign.seed;
      rec.strategy = campaign.strategy;
      summary.campaign_id = store.create_campaign(rec);
      std::vector<std::string> objective_names;
      std::string aggregation;
      for (const auto o : campaign.objectives) {
        objective_names.push_back(objective_name(o));
        aggregation +=
            (aggregation.empty() ? "" : "; ") + objective_name(o) + ": " + objective_aggregation(o);
      }
      std::vector<std::pair<std::string, std::string>> prov = {
          {"pade_version", core::kVersion},
          {"git_commit", core::kGitCommit},
          {"fidelity", campaign.fidelity},
          {"fidelities", join(ladder)},
          {"model_version", model_versions},
          {"stats_version", stats.version()},
          {"seed", std::to_string(campaign.seed)},
          {"strategy", campaign.strategy},
          {"objectives", join(objective_names)},
          {"aggregation", aggregation},
          {"suite", campaign.benchmarks.empty() ? campaign.suite : "(explicit list)"},
          {"started_at", results::utc_now_iso8601()}};
      for (const auto& kv : data) prov.push_back(kv);
      if (shard.count > 1)
        prov.emplace_back("shard", std::to_string(shard.index) + "/" + std::to_string(shard.count));
      for (const auto& kv : options.provenance) prov.push_back(kv);
      store.put_provenance(summary.campaign_id, prov);
      lease.emplace(store, summary.campaign_id, campaign.name, options.lease, log);
    }
    for (const auto* b : benchmarks)
      store.put_benchmark(b->name, b->model, b->task, b->phase, b->seq_len);
    tx.commit();
  } catch (const SQLite::Exception& e) {
    lease.reset();
    throw core::RunError(write_failure(e) + " (nothing was recorded)");
  }

  // From here on the campaign is marked running: any failure marks it failed (best effort) and
  // says so, so the database never shows a dead run as running.
  try {
    // Points already stored (resume): their objectives are told to the strategy, not recomputed.
    // Keyed by (configuration, fidelity): a halving campaign stores a design once per rung.
    using PointKey = std::pair<std::string, std::string>;
    std::map<PointKey, results::PointRecord> stored;
    for (auto& p : store.points(summary.campaign_id)) {
      PointKey key{p.config_hash, p.fidelity};
      stored.emplace(std::move(key), std::move(p));
    }
    const std::set<PointKey> from_database = [&] {
      std::set<PointKey> keys;
      for (const auto& [k, p] : stored) keys.insert(k);
      return keys;
    }();
    std::set<PointKey> counted;  // points already counted in this run's summary

    const int threads = options.threads >= 0 ? options.threads : campaign.threads;
    auto stop_requested = [&] { return options.cancelled && options.cancelled(); };
    const BatchEvaluator evaluator =
        options.evaluator ? options.evaluator : BatchEvaluator([&](std::span<const EvalJob> jobs) {
          return evaluate_jobs(campaign, benchmarks, jobs, stats, threads, stop_requested);
        });
    auto shard_share = [&](std::size_t planned) {
      return shard.count > 1 ? (planned + shard.count - 1 - shard.index) / shard.count : planned;
    };

    Progress progress;
    progress.total = shard_share(strategy->planned());
    std::vector<std::vector<search::Objectives>> feasible_by_rung(ladder.size());
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
      auto candidates = strategy->ask(campaign.batch_size);
      if (candidates.empty()) break;
      if (shard.count > 1)
        std::erase_if(candidates, [&](const search::Candidate& c) {
          return static_cast<std::size_t>(c.seq) % shard.count != shard.index;
        });

      struct Work {
        const search::Candidate* candidate;
        core::Config config;
        PointKey key;
        std::size_t rung = 0;
        bool from_store = false;
        std::size_t job = 0;  // index into jobs (when evaluated)
      };
      std::vector<Work> work;
      std::vector<EvalJob> jobs;
      work.reserve(candidates.size());
      for (const auto& cand : candidates) {
        Work w{&cand, campaign.space.point(campaign.base, cand.levels),
               {},    std::min(cand.fidelity, ladder.size() - 1),
               false, 0};
        w.key = {w.config.hash(), ladder[w.rung]};
        w.from_store = stored.count(w.key) > 0;
        if (!w.from_store) {
          // The same design twice in one batch (possible when two rungs share a fidelity) is
          // evaluated once.
          const auto dup = std::find_if(work.begin(), work.end(), [&](const Work& o) {
            return !o.from_store && o.key == w.key;
          });
          if (dup != work.end()) {
            w.job = dup->job;
          } else {
            w.job = jobs.size();
            jobs.push_back(EvalJob{cand.levels, w.key.second});
          }
        }
        work.push_back(std::move(w));
      }
      const JobResults results = jobs.empty() ? JobResults{} : evaluator(jobs);
      const bool cancelled_mid = stop_requested();
      // A batch interrupted half-way commits only its complete configurations.
      std::vector<results::EvaluationRecord> evals;
      std::vector<results::PointRecord> points;
      std::vector<search::Outcome> outcomes;
      for (auto& w : work) {
        search::Outcome outcome{w.candidate->seq, std::nullopt};
        if (!w.from_store && stored.count(w.key) == 0) {
          const auto& metrics = results.at(w.job);
          bool complete = true;
          for (const auto& m : metrics) complete = complete && !m.values().empty();
          if (!complete) continue;
          store.put_configuration(w.key.first, w.config.canonical(), w.config.identity_values());
          results::PointRecord p;
          p.campaign_id = summary.campaign_id;
          p.config_hash = w.key.first;
          p.seq = w.candidate->seq;
          p.fidelity = w.key.second;
          p.objectives = aggregate(metrics);
          for (const auto& c : campaign.constraints) {
            const double v = p.objectives.get(c.metric);
            if (v > c.max) {
              p.feasible = false;
              char buf[160];
              std::snprintf(buf, sizeof buf, "%s %.4g > %.4g", c.metric.c_str(), v, c.max);
              p.reason += (p.reason.empty() ? "" : "; ") + std::string(buf);
            }
          }
          for (std::size_t b = 0; b < benchmarks.size(); ++b)
            evals.push_back({summary.campaign_id, p.config_hash, benchmarks[b]->name, p.fidelity,
                             metrics[b], p.seq});
          points.push_back(p);
          stored.emplace(w.key, p);
          ++summary.evaluated;
          ++evaluated_this_run;
        } else if (from_database.count(w.key) > 0 && counted.count(w.key) == 0) {
          ++summary.resumed;
        } else if (counted.count(w.key) > 0) {
          ++summary.reused;
        }
        const auto& p = stored.at(w.key);
        if (p.feasible) outcome.objectives = objective_vector(p.objectives, campaign.objectives);
        outcomes.push_back(outcome);
        if (!counted.insert(w.key).second) continue;  // statistics count each stored point once
        if (p.feasible) {
          ++summary.feasible;
          feasible_by_rung[w.rung].push_back(objective_vector(p.objectives, campaign.objectives));
        } else {
          for (const auto& c : campaign.constraints)
            if (p.objectives.get(c.metric) > c.max)
              ++summary.rejected_by[c.metric + " <= " + core::value_text(c.max)];
        }
      }
      if (lease->lost()) {
        const auto other = lease->taken_by();
        throw LeaseLost("campaign '" + campaign.name + "' in " + store.path() +
                        " was taken over by " +
                        (other ? results::describe_holder(*other) : std::string("another run")) +
                        " while this run's lease was not renewed; this run stops, the other one "
                        "continues the campaign");
      }
      store.put_batch(evals, points);  // one transaction: the batch is stored whole or not at all
      strategy->tell(outcomes);

      progress.done = summary.evaluated + summary.resumed + summary.reused;
      progress.total = std::max(shard_share(strategy->planned()), progress.done);
      progress.elapsed_s = std::chrono::duration<double>(Clock::now() - start).count();
      progress.rate_per_s =
          progress.elapsed_s > 0 ? static_cast<double>(evaluated_this_run) / progress.elapsed_s : 0;
      progress.feasible = summary.feasible;
      // Best values and front size at the most refined rung reached so far.
      for (std::size_t r = ladder.size(); r-- > 0;) {
        if (feasible_by_rung[r].empty()) continue;
        const auto& objs = feasible_by_rung[r];
        const auto ranks = search::nondominated_ranks(objs);
        progress.front_size = static_cast<std::size_t>(std::count(ranks.begin(), ranks.end(), 0));
        progress.best.clear();
        for (std::size_t k = 0; k < campaign.objectives.size(); ++k) {
          double best = std::numeric_limits<double>::infinity();
          for (const auto& o : objs) best = std::min(best, o[k]);
          progress.best[objective_name(campaign.objectives[k])] = best;
        }
        break;
      }
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
    store.put_provenance(summary.campaign_id,
                         {{"stats_computed", std::to_string(stats.computed())}});
    store.set_campaign_status(summary.campaign_id, summary.status);
  } catch (const SQLite::Exception& e) {
    throw core::RunError(write_failure(e) + ". " + record_failure(store, summary.campaign_id));
  } catch (const LeaseLost&) {
    throw;  // the campaign is another run's now: leave its status alone
  } catch (...) {
    (void)record_failure(store, summary.campaign_id);
    throw;
  }
  lease->release();
  // The database file alone is complete from here on (e.g. copied to read-only media).
  (void)store.checkpoint();
  summary.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return summary;
}

}  // namespace pade::dse
