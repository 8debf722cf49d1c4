#pragma once
// The campaign runner: asks the strategy for configurations, evaluates them on every benchmark of
// the suite in parallel (oneTBB), aggregates suite objectives, applies constraints, commits each
// batch to the store in one transaction, tells the strategy, and finally marks Pareto fronts.
// Stopping (a cancel request or the time budget) ends after the batch in flight, which is
// committed; `resume` reuses every point already stored instead of evaluating it again.
//
// Where the work runs is a BatchEvaluator: by default this process's oneTBB arena; with MPI the
// batch is spread over ranks (dse/mpi.hpp) while this process (rank 0) stays the only writer.
// A shard (`--shard i/N`) evaluates only the candidates with seq % N == i of a non-adaptive
// strategy; `pade merge` joins the shard databases and recomputes the fronts (dse/merge.hpp).
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "dse/campaign.hpp"
#include "dse/stats_cache.hpp"
#include "results/lease.hpp"
#include "results/store.hpp"
#include "search/strategy.hpp"
#include "workloads/catalog.hpp"

namespace pade::dse {

/// One rung of the fidelity ladder on the progress line.
struct RungProgress {
  std::string fidelity;
  std::size_t done = 0;     // designs finished at this rung (evaluated, resumed or reused)
  std::size_t planned = 0;  // designs the strategy plans at this rung (this shard's share)
  // Wall time per design evaluated at this rung in this run, measured batch by batch (a batch
  // mixing rungs is split by its job counts); 0 = none evaluated yet. It includes the functional
  // statistics the rung's first batches compute, so early estimates run high.
  double seconds_per_design = 0;
};

struct Progress {
  std::size_t done = 0;   // configurations finished (evaluated or resumed)
  std::size_t total = 0;  // planned by the strategy (0 = unknown)
  double elapsed_s = 0;
  double rate_per_s = 0;            // configurations per second (this run)
  std::vector<RungProgress> rungs;  // one per rung of the campaign's fidelity ladder
  // Time left: each rung's remaining designs × its measured time per design. A rung with designs
  // left and no measurement yet adds nothing and is named in eta_unmeasured (the ETA is then a
  // lower bound).
  double eta_s = 0;
  std::vector<std::string> eta_unmeasured;
  std::size_t feasible = 0;
  std::map<std::string, double> best;              // best value per objective so far
  std::map<std::string, std::string> best_design;  // configuration hash holding each best value
  std::size_t front_size = 0;
  std::string fidelity;  // the most refined rung with feasible points (where best/front are from)
  // Hypervolume of the run's non-dominated archive against `reference`, a point fixed from the
  // first feasible designs (twice their worst value per objective), stored with the campaign
  // (provenance 'progress_reference') and reused when it is resumed or extended, so successive
  // values compare across batches and runs. Recomputed at most once a second (0 until the first).
  double hypervolume = 0;
  std::vector<double> reference;
};

/// One configuration to evaluate on every benchmark of the campaign at one fidelity.
struct EvalJob {
  std::vector<std::size_t> levels;
  std::string fidelity;
};
/// results[job][benchmark]; an empty Metrics means "not evaluated" (stopped, or not this rank's).
using JobResults = std::vector<std::vector<core::Metrics>>;
using BatchEvaluator = std::function<JobResults(std::span<const EvalJob>)>;
/// Which (job, benchmark) pairs an evaluator owns (all when empty).
using PairFilter = std::function<bool(std::size_t job, std::size_t benchmark)>;

/// Evaluate the owned pairs of `jobs` with oneTBB on `threads` (0 = all). The distinct
/// functional-statistics keys of the batch are computed first, one task each, so no worker waits
/// for another's key; then the hardware models run per pair. Each result lands in its own slot:
/// the output does not depend on scheduling. `cancelled` is polled before each unit of work.
[[nodiscard]] JobResults evaluate_jobs(const Campaign& campaign,
                                       std::span<const workloads::Benchmark* const> benchmarks,
                                       std::span<const EvalJob> jobs, StatsCache& stats,
                                       int threads, const std::function<bool()>& cancelled,
                                       const PairFilter& owns = {});

struct Shard {
  std::size_t index = 0;
  std::size_t count = 1;  // 1 = not sharded
};

struct RunOptions {
  bool resume = false;
  int threads = -1;  // -1: the campaign's setting
  Shard shard;
  BatchEvaluator evaluator;  // empty: evaluate_jobs in this process
  std::vector<std::pair<std::string, std::string>> provenance;  // extra provenance (e.g. MPI ranks)
  std::function<bool()> cancelled;                              // polled between and during batches
  std::function<void(const Progress&)> progress;                // called after every batch
  std::function<void(const std::string&)> log;                  // human-readable notes
  results::LeaseTiming lease;  // how often the campaign's lease is renewed, how long it is valid
};

struct RunSummary {
  std::int64_t campaign_id = 0;
  std::size_t evaluated = 0;  // configurations evaluated in this run
  std::size_t resumed = 0;    // configurations found in the store
  std::size_t reused = 0;  // candidates equal to an earlier (configuration, fidelity) of this run
  std::size_t feasible = 0;
  std::map<std::string, std::size_t> rejected_by;  // constraint -> configurations it rejected
  std::size_t front_size = 0;
  double hypervolume = 0;
  std::vector<double> reference_point;
  double seconds = 0;
  std::string status;  // finished | interrupted | budget
};

/// Benchmarks of the campaign, validated against the catalog (InputError naming the key).
[[nodiscard]] std::vector<const workloads::Benchmark*> resolve_benchmarks(
    const Campaign& c, const workloads::Catalog& catalog);

/// Evaluate one configuration on one benchmark (the unit of work the runner parallelizes).
[[nodiscard]] core::Metrics evaluate(const core::Config& hardware,
                                     const workloads::Benchmark& benchmark,
                                     const std::string& fidelity, StatsCache& stats);

/// The point a campaign stores for one design, less its identity (campaign, hash, seq,
/// fidelity): the suite objectives (suite_objectives) and feasibility under the campaign's
/// constraints, with the reason text naming each broken one.
[[nodiscard]] results::PointRecord suite_point(const Campaign& campaign,
                                               std::span<const core::Metrics> per_benchmark);

/// The campaign's strategy, configured from the campaign (seed, budget, population, ladder, η).
[[nodiscard]] std::unique_ptr<search::Strategy> make_strategy(const Campaign& campaign);
/// InputError unless the shard is valid for the campaign (adaptive strategies cannot be sharded).
void check_shard(const Campaign& campaign, const Shard& shard);

[[nodiscard]] RunSummary run_campaign(const Campaign& campaign, const workloads::Catalog& catalog,
                                      results::Store& store, StatsCache& stats,
                                      const RunOptions& options);

/// Recompute and store the Pareto ranks (suite scope and per benchmark) of a campaign; returns
/// the suite front size and its hypervolume against the reference point used. Fronts are taken
/// at the campaign's result fidelity: the last rung of its ladder (provenance `fidelities`) that
/// has points, so a halving campaign's front holds refined designs only.
struct FrontSummary {
  std::size_t front_size = 0;
  double hypervolume = 0;
  double hypervolume_error = 0;  // standard error when the hypervolume is a Monte Carlo estimate
  std::vector<double> reference_point;
  std::string fidelity;
};
/// The scopes are ranked in parallel on `threads` (0 = all) — dse/ranking.cpp.
FrontSummary mark_pareto(results::Store& store, std::int64_t campaign_id,
                         const std::vector<Objective>& objectives, int threads = 0);

/// The campaign objectives of a point's suite metrics, in the campaign's order.
[[nodiscard]] std::vector<double> objective_vector(const core::Metrics& m,
                                                   const std::vector<Objective>& objectives);

/// The objectives a campaign was run with, from its provenance (empty for databases that
/// predate the `objectives` key).
[[nodiscard]] std::vector<Objective> stored_objectives(results::Store& store,
                                                       std::int64_t campaign_id);

}  // namespace pade::dse
