#include "dse/runner.hpp"

#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <optional>
#include <sstream>

#include "models/fidelity.hpp"
#include "pade/version.hpp"
#include "results/lease.hpp"
#include "search/archive.hpp"
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

namespace {
/// One (design, benchmark) through the fidelity's model, the design already converted.
core::Metrics model_metrics(const models::HardwareConfig& hw, const AlgorithmPoint& point,
                            const workloads::Benchmark& benchmark, const std::string& fidelity,
                            StatsCache& stats) {
  const models::WorkloadStats ws = stats.get(benchmark, point);
  return models::builtin_fidelities().get(fidelity).model(hw, benchmark, ws);
}
}  // namespace

core::Metrics evaluate(const core::Config& hardware, const workloads::Benchmark& benchmark,
                       const std::string& fidelity, StatsCache& stats) {
  return model_metrics(models::to_hardware(hardware), AlgorithmPoint::from(hardware), benchmark,
                       fidelity, stats);
}

std::vector<double> objective_vector(const core::Metrics& m,
                                     const std::vector<Objective>& objectives) {
  std::vector<double> v;
  for (const auto o : objectives) v.push_back(m.get(objective_column(o)));
  return v;
}

namespace {

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ",") + i;
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

/// Whether pairs[i] is its job's first pair (pairs are grouped by job).
bool first_of_job(std::span<const std::pair<std::size_t, std::size_t>> pairs, std::size_t i) {
  return i == 0 || pairs[i - 1].first != pairs[i].first;
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
  // Phase 2: the hardware model per pair (statistics now come from the cache). Each design is
  // converted once, not once per benchmark: to_hardware walks every declared parameter and cost
  // more than the analytical model itself.
  std::vector<std::optional<models::HardwareConfig>> hardware(jobs.size());
  std::vector<std::optional<AlgorithmPoint>> algorithm(jobs.size());
  arena.execute([&] {
    tbb::parallel_for(std::size_t{0}, pairs.size(), [&](std::size_t i) {
      const std::size_t j = pairs[i].first;
      if (first_of_job(pairs, i)) {
        hardware[j] = models::to_hardware(configs[j]);
        algorithm[j] = AlgorithmPoint::from(configs[j]);
      }
    });
    tbb::parallel_for(std::size_t{0}, pairs.size(), [&](std::size_t i) {
      if (stop()) return;
      const auto [j, b] = pairs[i];
      results[j][b] =
          model_metrics(*hardware[j], *algorithm[j], *benchmarks[b], jobs[j].fidelity, stats);
    });
  });
  return results;
}

results::PointRecord suite_point(const Campaign& campaign,
                                 std::span<const core::Metrics> per_benchmark) {
  results::PointRecord p;
  p.objectives = suite_objectives(per_benchmark);
  for (const auto& c : campaign.constraints) {
    const double v = p.objectives.get(c.metric);
    if (v > c.max) {
      p.feasible = false;
      char buf[160];
      std::snprintf(buf, sizeof buf, "%s %.4g > %.4g", c.metric.c_str(), v, c.max);
      p.reason += (p.reason.empty() ? "" : "; ") + std::string(buf);
    }
  }
  return p;
}

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

namespace {
/// Provenance key of a benchmark's data: "trace <benchmark>".
constexpr const char* kDataKeyPrefix = "trace ";
// The progress hypervolume's reference point, space-separated, one value per objective.
constexpr const char* kProgressReferenceKey = "progress_reference";

std::string data_provenance(const workloads::Benchmark& b, StatsCache& stats) {
  return b.trace.describe() + "; " + stats.identity(b);
}

/// Another run took this run's lease over: stop without touching the campaign.
struct LeaseLost : core::RunError {
  using core::RunError::RunError;
};

/// InputError unless the stored campaign can be continued by this run: --resume, the same
/// campaign file (or one whose budget was raised: ResumeChange::Budget), the same data for every
/// benchmark, the same shard.
ResumeChange check_resumable(const Campaign& campaign, const results::CampaignRecord& existing,
                             results::Store& store, const Shard& shard,
                             std::span<const workloads::Benchmark* const> benchmarks,
                             const std::vector<std::pair<std::string, std::string>>& data,
                             bool resume) {
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
  const ResumeChange change = compare_for_resume(existing.spec_yaml, campaign);
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
  return change;
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

/// What the runner keeps of a stored point: enough to tell the strategy its outcome and to count
/// it once. A few dozen bytes plus its key, instead of the point's full record.
struct KnownPoint {
  bool feasible = true;
  std::vector<double> objectives;   // the campaign objectives (feasible points only)
  std::vector<std::size_t> broken;  // indices of the constraints it breaks (infeasible only)
  bool from_database = false;       // stored before this run (resume)
  bool counted = false;             // already in this run's summary

  static KnownPoint of(const results::PointRecord& p, const Campaign& campaign) {
    KnownPoint k;
    k.feasible = p.feasible;
    if (p.feasible) k.objectives = objective_vector(p.objectives, campaign.objectives);
    for (std::size_t i = 0; !p.feasible && i < campaign.constraints.size(); ++i)
      if (p.objectives.get(campaign.constraints[i].metric) > campaign.constraints[i].max)
        k.broken.push_back(i);
    return k;
  }
};

/// A design of one batch: evaluated now (`job` into the batch's jobs) or taken from the store.
struct Work {
  const search::Candidate* candidate;
  core::Config config;
  std::pair<std::string, std::string> key;  // (configuration hash, fidelity)
  std::size_t rung = 0;
  bool from_store = false;
  std::size_t job = 0;
};

/// One run of a campaign, as the steps run_campaign takes in order: open (check/resume and
/// provenance, one transaction), index what is stored, evaluate batch by batch, rank, finish.
/// Memory stays bounded in the number of designs N apart from the index of stored points (one
/// small entry per design), the per-rung non-dominated archives and the final ranking's arrays.
class CampaignRun {
 public:
  CampaignRun(const Campaign& campaign, const workloads::Catalog& catalog, results::Store& store,
              StatsCache& stats, const RunOptions& options);
  RunSummary run();

 private:
  using Clock = std::chrono::steady_clock;
  using PointKey = std::pair<std::string, std::string>;

  void open();
  void write_provenance();
  void index_stored_points();
  void evaluate();
  [[nodiscard]] bool stop_before_batch();
  [[nodiscard]] std::vector<EvalJob> plan_batch(std::span<const search::Candidate> candidates,
                                                std::vector<Work>& work) const;
  std::vector<search::Outcome> commit_batch(std::span<Work> work, JobResults& results);
  [[nodiscard]] results::PointRecord make_point(const Work& w,
                                                std::span<const core::Metrics> metrics) const;
  void count(const Work& w, KnownPoint& known);
  void check_lease() const;
  void report_progress();
  void update_eta();
  void time_batch(std::span<const Work> work, std::size_t jobs, double seconds);
  void update_hypervolume(const search::ParetoArchive& front);
  void restore_progress_reference();
  void rank();
  void fail_and_rethrow();
  void log(const std::string& s) const {
    if (options_.log) options_.log(s);
  }
  [[nodiscard]] bool stop_requested() const { return options_.cancelled && options_.cancelled(); }
  [[nodiscard]] std::size_t shard_share(std::size_t planned) const {
    const Shard& sh = options_.shard;
    return sh.count > 1 ? (planned + sh.count - 1 - sh.index) / sh.count : planned;
  }
  [[nodiscard]] std::string write_failure(const SQLite::Exception& e) const {
    return "campaign '" + campaign_.name + "': " +
           results::write_failure_message(e, store_.path(), store_.busy_timeout_ms(),
                                          "run again with --resume");
  }

  const Campaign& campaign_;
  results::Store& store_;
  /// What each evaluation keeps (the campaign's `store:`; full when resuming a campaign that
  /// kept every metric).
  results::MetricStorage storage_ =
      campaign_.store_full ? results::MetricStorage::Full : results::MetricStorage::Summary;
  StatsCache& stats_;
  const RunOptions& options_;
  const Clock::time_point start_ = Clock::now();
  const std::vector<const workloads::Benchmark*> benchmarks_;
  const std::vector<std::string> ladder_;
  std::unique_ptr<search::Strategy> strategy_;
  std::vector<std::pair<std::string, std::string>> data_;  // each benchmark's data identity
  std::optional<results::CampaignLease> lease_;
  RunSummary summary_;
  std::map<PointKey, KnownPoint> known_;                     // stored points, by (hash, fidelity)
  std::vector<search::ParetoArchive> front_by_rung_;         // feasible points of each rung
  std::vector<std::vector<std::string>> best_hash_by_rung_;  // design holding each best value
  Clock::time_point last_hypervolume_{};
  Clock::duration hypervolume_cost_{};  // the last computation's time (it paces the next)
  std::size_t evaluated_this_run_ = 0;
  std::vector<std::size_t> done_by_rung_;   // designs finished per rung (any source)
  std::vector<std::size_t> timed_by_rung_;  // designs evaluated per rung in this run
  std::vector<double> seconds_by_rung_;     // their share of the batches' wall time
  Progress progress_;
};

CampaignRun::CampaignRun(const Campaign& campaign, const workloads::Catalog& catalog,
                         results::Store& store, StatsCache& stats, const RunOptions& options)
    : campaign_(campaign),
      store_(store),
      stats_(stats),
      options_(options),
      benchmarks_(resolve_benchmarks(campaign, catalog)),
      ladder_(campaign.fidelity_ladder()) {
  check_shard(campaign, options.shard);
  strategy_ = make_strategy(campaign);
  // Bad data (a missing dump, a shape the model does not have) fails before anything is recorded.
  for (const auto* b : benchmarks_) stats.check(*b);
  // Every benchmark's data (generator knobs, dumps, text): which, and its identity. Resume and
  // merge compare it. Computed before the write transaction of open(), which should stay short.
  for (const auto* b : benchmarks_)
    data_.emplace_back(kDataKeyPrefix + b->name, data_provenance(*b, stats));
  front_by_rung_.assign(ladder_.size(), search::ParetoArchive(campaign.objectives.size()));
  best_hash_by_rung_.assign(ladder_.size(), std::vector<std::string>(campaign.objectives.size()));
  done_by_rung_.assign(ladder_.size(), 0);
  timed_by_rung_.assign(ladder_.size(), 0);
  seconds_by_rung_.assign(ladder_.size(), 0.0);
}

RunSummary CampaignRun::run() {
  open();
  // From here on the campaign is marked running: any failure marks it failed (best effort) and
  // says so, so the database never shows a dead run as running.
  try {
    index_stored_points();
    restore_progress_reference();
    evaluate();
    rank();
    store_.set_campaign_status(summary_.campaign_id, summary_.status);
  } catch (...) {
    fail_and_rethrow();
  }
  lease_->release();
  // The database file alone is complete from here on (e.g. copied to read-only media).
  (void)store_.checkpoint();
  summary_.seconds = std::chrono::duration<double>(Clock::now() - start_).count();
  return summary_;
}

// The campaign row (new, or the stored one when resuming) and its lease, in one transaction: of
// two runs of one campaign started together, one runs and the other is told who does.
void CampaignRun::open() {
  try {
    results::WriteTransaction tx(store_);
    if (const auto existing = store_.find_campaign(campaign_.name)) {
      const ResumeChange change = check_resumable(campaign_, *existing, store_, options_.shard,
                                                  benchmarks_, data_, options_.resume);
      summary_.campaign_id = existing->id;
      // A campaign stored before `store:` existed kept every metric: resuming it keeps doing so
      // (its evaluations stay alike for the breakdown figures).
      if (store_.count_evaluations(existing->id) > 0 && !store_.stores_summary(existing->id))
        storage_ = results::MetricStorage::Full;
      if (change == ResumeChange::Budget) {  // extended: the stored file is the one now run
        store_.set_campaign_spec(existing->id, campaign_.spec_yaml);
        store_.put_provenance(existing->id, {{"budget_raised_at", results::utc_now_iso8601()}});
        log("campaign '" + campaign_.name + "': budget raised; continuing from the stored points");
      }
      lease_.emplace(store_, summary_.campaign_id, campaign_.name, options_.lease,
                     [this](const std::string& s) { log(s); });
      store_.set_campaign_status(summary_.campaign_id, "running");
    } else {
      write_provenance();
      lease_.emplace(store_, summary_.campaign_id, campaign_.name, options_.lease,
                     [this](const std::string& s) { log(s); });
    }
    for (const auto* b : benchmarks_)
      store_.put_benchmark(b->name, b->model, b->task, b->phase, b->seq_len);
    tx.commit();
  } catch (const SQLite::Exception& e) {
    lease_.reset();
    throw core::RunError(write_failure(e) + " (nothing was recorded)");
  }
}

void CampaignRun::write_provenance() {
  results::CampaignRecord rec;
  rec.name = campaign_.name;
  rec.spec_yaml = campaign_.spec_yaml;
  rec.seed = campaign_.seed;
  rec.strategy = campaign_.strategy;
  summary_.campaign_id = store_.create_campaign(rec);
  std::vector<std::string> objective_names;
  std::string aggregation;
  for (const auto o : campaign_.objectives) {
    objective_names.push_back(objective_name(o));
    aggregation +=
        (aggregation.empty() ? "" : "; ") + objective_name(o) + ": " + objective_aggregation(o);
  }
  std::string model_versions;
  for (const auto& f : ladder_)
    model_versions +=
        (model_versions.empty() ? "" : ",") + models::builtin_fidelities().get(f).version;
  std::vector<std::pair<std::string, std::string>> prov = {
      {"pade_version", core::kVersion},
      {"git_commit", core::kGitCommit},
      {"fidelity", campaign_.fidelity},
      {"fidelities", join(ladder_)},
      {"model_version", model_versions},
      {"stats_version", stats_.version()},
      {"seed", std::to_string(campaign_.seed)},
      {"strategy", campaign_.strategy},
      {"objectives", join(objective_names)},
      {"aggregation", aggregation},
      {"suite", campaign_.benchmarks.empty() ? campaign_.suite : "(explicit list)"},
      {"started_at", results::utc_now_iso8601()}};
  for (const auto& kv : data_) prov.push_back(kv);
  const Shard& shard = options_.shard;
  if (shard.count > 1)
    prov.emplace_back("shard", std::to_string(shard.index) + "/" + std::to_string(shard.count));
  for (const auto& kv : options_.provenance) prov.push_back(kv);
  store_.put_provenance(summary_.campaign_id, prov);
}

// Points already stored (resume): their objectives are told to the strategy, not recomputed.
// Keyed by (configuration, fidelity): a halving campaign stores a design once per rung.
void CampaignRun::index_stored_points() {
  store_.for_each_point(summary_.campaign_id, [&](const results::PointRecord& p) {
    KnownPoint k = KnownPoint::of(p, campaign_);
    k.from_database = true;
    known_.emplace(PointKey{p.config_hash, p.fidelity}, std::move(k));
  });
}

void CampaignRun::evaluate() {
  const int threads = options_.threads >= 0 ? options_.threads : campaign_.threads;
  const BatchEvaluator evaluator =
      options_.evaluator ? options_.evaluator : BatchEvaluator([&](std::span<const EvalJob> jobs) {
        return evaluate_jobs(campaign_, benchmarks_, jobs, stats_, threads,
                             [this] { return stop_requested(); });
      });
  progress_.total = shard_share(strategy_->planned());
  summary_.status = "finished";
  while (!stop_before_batch()) {
    auto candidates = strategy_->ask(campaign_.batch_size);
    if (candidates.empty()) break;
    const Shard& shard = options_.shard;
    if (shard.count > 1)
      std::erase_if(candidates, [&](const search::Candidate& c) {
        return static_cast<std::size_t>(c.seq) % shard.count != shard.index;
      });
    std::vector<Work> work;
    const std::vector<EvalJob> jobs = plan_batch(candidates, work);
    const auto batch_start = Clock::now();
    JobResults results = jobs.empty() ? JobResults{} : evaluator(jobs);
    time_batch(work, jobs.size(),
               std::chrono::duration<double>(Clock::now() - batch_start).count());
    const bool cancelled_mid = stop_requested();
    strategy_->tell(commit_batch(work, results));
    report_progress();
    if (cancelled_mid) {
      summary_.status = "interrupted";
      break;
    }
  }
}

/// A cancel request or the wall-time budget ends the run before the next batch.
bool CampaignRun::stop_before_batch() {
  if (stop_requested()) {
    summary_.status = "interrupted";
    return true;
  }
  const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
  if (campaign_.budget_seconds > 0 && elapsed > campaign_.budget_seconds) {
    summary_.status = "budget";
    log("wall-time budget reached; stopping");
    return true;
  }
  return false;
}

/// The batch's designs and the jobs to evaluate: stored designs are not evaluated again, and the
/// same design twice in one batch (possible when two rungs share a fidelity) is evaluated once.
std::vector<EvalJob> CampaignRun::plan_batch(std::span<const search::Candidate> candidates,
                                             std::vector<Work>& work) const {
  std::vector<EvalJob> jobs;
  work.reserve(candidates.size());
  for (const auto& cand : candidates) {
    Work w{&cand, campaign_.space.point(campaign_.base, cand.levels),
           {},    std::min(cand.fidelity, ladder_.size() - 1),
           false, 0};
    w.key = {w.config.hash(), ladder_[w.rung]};
    w.from_store = known_.count(w.key) > 0;
    if (!w.from_store) {
      const auto dup = std::find_if(work.begin(), work.end(),
                                    [&](const Work& o) { return !o.from_store && o.key == w.key; });
      if (dup != work.end()) {
        w.job = dup->job;
      } else {
        w.job = jobs.size();
        jobs.push_back(EvalJob{cand.levels, w.key.second});
      }
    }
    work.push_back(std::move(w));
  }
  return jobs;
}

/// Stores the batch's complete designs in one transaction (a batch interrupted half-way commits
/// only its complete configurations) and returns the outcomes to tell the strategy. The metrics
/// move into the stored records (a copy per evaluation cost as much as a model call); the
/// configurations join the same transaction (one commit per batch, not one per design).
std::vector<search::Outcome> CampaignRun::commit_batch(std::span<Work> work, JobResults& results) {
  results::WriteTransaction tx(store_);
  std::vector<results::EvaluationRecord> evals;
  std::vector<results::PointRecord> points;
  std::vector<search::Outcome> outcomes;
  for (auto& w : work) {
    auto it = known_.find(w.key);
    if (it == known_.end()) {
      auto& metrics = results.at(w.job);
      const bool complete = std::all_of(metrics.begin(), metrics.end(),
                                        [](const core::Metrics& m) { return !m.values().empty(); });
      if (!complete) continue;
      store_.put_configuration(w.key.first, w.config.canonical(), w.config.identity_values());
      points.push_back(make_point(w, metrics));
      for (std::size_t b = 0; b < benchmarks_.size(); ++b)
        evals.push_back({summary_.campaign_id, w.key.first, benchmarks_[b]->name, w.key.second,
                         std::move(metrics[b]), w.candidate->seq});
      it = known_.emplace(w.key, KnownPoint::of(points.back(), campaign_)).first;
      ++summary_.evaluated;
      ++evaluated_this_run_;
    } else if (it->second.from_database && !it->second.counted) {
      ++summary_.resumed;
    } else if (it->second.counted) {
      ++summary_.reused;
    }
    ++done_by_rung_[w.rung];  // each candidate is one design at one rung, issued once
    search::Outcome outcome{w.candidate->seq, std::nullopt};
    if (it->second.feasible) outcome.objectives = it->second.objectives;
    outcomes.push_back(std::move(outcome));
    count(w, it->second);
  }
  check_lease();
  store_.put_batch(evals, points,
                   storage_);  // one transaction: the batch is stored whole or not at all
  tx.commit();
  return outcomes;
}

results::PointRecord CampaignRun::make_point(const Work& w,
                                             std::span<const core::Metrics> metrics) const {
  results::PointRecord p = suite_point(campaign_, metrics);
  p.campaign_id = summary_.campaign_id;
  p.config_hash = w.key.first;
  p.seq = w.candidate->seq;
  p.fidelity = w.key.second;
  return p;
}

/// The run's statistics count each stored point once; feasible ones join their rung's archive.
void CampaignRun::count(const Work& w, KnownPoint& known) {
  if (known.counted) return;
  known.counted = true;
  if (known.feasible) {
    ++summary_.feasible;
    search::ParetoArchive& front = front_by_rung_[w.rung];
    for (std::size_t k = 0; k < known.objectives.size(); ++k)
      if (front.empty() || known.objectives[k] < front.best()[k])
        best_hash_by_rung_[w.rung][k] = w.key.first;
    front.insert(known.objectives);
    return;
  }
  for (const auto i : known.broken) {
    const auto& c = campaign_.constraints[i];
    ++summary_.rejected_by[c.metric + " <= " + core::value_text(c.max)];
  }
}

void CampaignRun::check_lease() const {
  if (!lease_->lost()) return;
  const auto other = lease_->taken_by();
  throw LeaseLost("campaign '" + campaign_.name + "' in " + store_.path() + " was taken over by " +
                  (other ? results::describe_holder(*other) : std::string("another run")) +
                  " while this run's lease was not renewed; this run stops, the other one "
                  "continues the campaign");
}

/// Best values and front size at the most refined rung reached so far, from the archives.
void CampaignRun::report_progress() {
  progress_.done = summary_.evaluated + summary_.resumed + summary_.reused;
  progress_.total = std::max(shard_share(strategy_->planned()), progress_.done);
  progress_.elapsed_s = std::chrono::duration<double>(Clock::now() - start_).count();
  progress_.rate_per_s =
      progress_.elapsed_s > 0 ? static_cast<double>(evaluated_this_run_) / progress_.elapsed_s : 0;
  progress_.feasible = summary_.feasible;
  for (std::size_t r = ladder_.size(); r-- > 0;) {
    const search::ParetoArchive& front = front_by_rung_[r];
    if (front.empty()) continue;
    progress_.front_size = front.front_size();
    progress_.fidelity = ladder_[r];
    progress_.best.clear();
    for (std::size_t k = 0; k < campaign_.objectives.size(); ++k) {
      const std::string name = objective_name(campaign_.objectives[k]);
      progress_.best[name] = front.best()[k];
      progress_.best_design[name] = best_hash_by_rung_[r][k];
    }
    update_hypervolume(front);
    break;
  }
  update_eta();
  if (options_.progress) options_.progress(progress_);
}

/// The batch's wall time goes to the rungs of the jobs it evaluated, in proportion to their count
/// (a strategy issues one rung at a time, so a batch rarely mixes them).
void CampaignRun::time_batch(std::span<const Work> work, std::size_t jobs, double seconds) {
  if (jobs == 0) return;
  std::vector<std::size_t> jobs_by_rung(ladder_.size(), 0);
  std::vector<bool> seen(jobs, false);
  for (const auto& w : work) {
    if (w.from_store || seen[w.job]) continue;
    seen[w.job] = true;
    ++jobs_by_rung[w.rung];
  }
  for (std::size_t r = 0; r < ladder_.size(); ++r) {
    timed_by_rung_[r] += jobs_by_rung[r];
    seconds_by_rung_[r] +=
        seconds * static_cast<double>(jobs_by_rung[r]) / static_cast<double>(jobs);
  }
}

/// Per rung: designs done and planned, measured time per design; the ETA sums what is left.
void CampaignRun::update_eta() {
  const std::vector<std::size_t> planned = strategy_->planned_by_rung();
  progress_.rungs.clear();
  progress_.eta_s = 0;
  progress_.eta_unmeasured.clear();
  for (std::size_t r = 0; r < ladder_.size(); ++r) {
    RungProgress rung;
    rung.fidelity = ladder_[r];
    rung.done = done_by_rung_[r];
    rung.planned = std::max(shard_share(r < planned.size() ? planned[r] : 0), rung.done);
    if (timed_by_rung_[r] > 0)
      rung.seconds_per_design = seconds_by_rung_[r] / static_cast<double>(timed_by_rung_[r]);
    const std::size_t left = rung.planned - rung.done;
    if (left > 0 && rung.seconds_per_design > 0)
      progress_.eta_s += static_cast<double>(left) * rung.seconds_per_design;
    else if (left > 0)
      progress_.eta_unmeasured.push_back(rung.fidelity);
    progress_.rungs.push_back(std::move(rung));
  }
}

/// The reference point a resumed or extended campaign's progress hypervolume was measured
/// against, so the values continue the earlier run's instead of restarting from a new point.
void CampaignRun::restore_progress_reference() {
  for (const auto& [key, value] : store_.provenance(summary_.campaign_id)) {
    if (key != kProgressReferenceKey) continue;
    std::vector<double> ref;
    std::istringstream in(value);
    for (double v = 0; in >> v;) ref.push_back(v);
    if (ref.size() == campaign_.objectives.size()) progress_.reference = std::move(ref);
  }
}

/// The archive's hypervolume for the progress line, against a reference fixed from the first
/// front seen and stored. Throttled: an exact hypervolume per batch would cost more than the batch.
void CampaignRun::update_hypervolume(const search::ParetoArchive& front) {
  if (!options_.progress) return;
  if (progress_.reference.empty()) {
    progress_.reference.assign(campaign_.objectives.size(), 0.0);
    for (const auto& p : front.points())
      for (std::size_t k = 0; k < p.size(); ++k)
        progress_.reference[k] = std::max(progress_.reference[k], p[k] > 0 ? 2 * p[k] : 1.0);
    std::string text;
    for (const double v : progress_.reference) {
      char buf[32];
      const auto end = std::to_chars(buf, buf + sizeof buf, v).ptr;  // shortest round trip
      text += (text.empty() ? "" : " ") + std::string(buf, end);
    }
    store_.put_provenance(summary_.campaign_id, {{kProgressReferenceKey, text}});
  }
  // At most once a second, and never more than a tenth of the run's time.
  const auto now = Clock::now();
  const auto pause = std::max<Clock::duration>(std::chrono::seconds(1), 10 * hypervolume_cost_);
  if (progress_.done < progress_.total && now - last_hypervolume_ < pause) return;
  progress_.hypervolume =
      search::hypervolume_or_estimate(front.points(), progress_.reference).value;
  last_hypervolume_ = Clock::now();
  hypervolume_cost_ = last_hypervolume_ - now;
}

void CampaignRun::rank() {
  const int threads = options_.threads >= 0 ? options_.threads : campaign_.threads;
  const FrontSummary front =
      mark_pareto(store_, summary_.campaign_id, campaign_.objectives, threads);
  summary_.front_size = front.front_size;
  summary_.hypervolume = front.hypervolume;
  summary_.reference_point = front.reference_point;
  store_.put_provenance(summary_.campaign_id,
                        {{"stats_computed", std::to_string(stats_.computed())}});
}

/// Inside a catch: mark the campaign failed (unless another run took it over) and rethrow.
void CampaignRun::fail_and_rethrow() {
  try {
    throw;
  } catch (const SQLite::Exception& e) {
    throw core::RunError(write_failure(e) + ". " + record_failure(store_, summary_.campaign_id));
  } catch (const LeaseLost&) {
    throw;  // the campaign is another run's now: leave its status alone
  } catch (...) {
    (void)record_failure(store_, summary_.campaign_id);
    throw;
  }
}

}  // namespace

RunSummary run_campaign(const Campaign& campaign, const workloads::Catalog& catalog,
                        results::Store& store, StatsCache& stats, const RunOptions& options) {
  return CampaignRun(campaign, catalog, store, stats, options).run();
}

}  // namespace pade::dse
