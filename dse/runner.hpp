#pragma once
// The campaign runner: asks the strategy for configurations, evaluates them on every benchmark of
// the suite in parallel (oneTBB), aggregates suite objectives, applies constraints, commits each
// batch to the store in one transaction, tells the strategy, and finally marks Pareto fronts.
// Stopping (a cancel request or the time budget) ends after the batch in flight, which is
// committed; `resume` reuses every point already stored instead of evaluating it again.
#include <atomic>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "dse/campaign.hpp"
#include "dse/stats_cache.hpp"
#include "results/store.hpp"
#include "workloads/catalog.hpp"

namespace pade::dse {

struct Progress {
  std::size_t done = 0;     // configurations finished (evaluated or resumed)
  std::size_t total = 0;    // planned by the strategy (0 = unknown)
  double elapsed_s = 0;
  double rate_per_s = 0;    // configurations per second (this run)
  std::size_t feasible = 0;
  std::map<std::string, double> best;  // best value per objective so far
  std::size_t front_size = 0;
};

struct RunOptions {
  bool resume = false;
  int threads = -1;  // -1: the campaign's setting
  std::function<bool()> cancelled;               // polled between and during batches
  std::function<void(const Progress&)> progress;  // called after every batch
  std::function<void(const std::string&)> log;    // human-readable notes
};

struct RunSummary {
  std::int64_t campaign_id = 0;
  std::size_t evaluated = 0;  // configurations evaluated in this run
  std::size_t resumed = 0;    // configurations found in the store
  std::size_t feasible = 0;
  std::map<std::string, std::size_t> rejected_by;  // constraint -> configurations it rejected
  std::size_t front_size = 0;
  double hypervolume = 0;
  std::vector<double> reference_point;
  double seconds = 0;
  std::string status;  // finished | interrupted | budget
};

/// Benchmarks of the campaign, validated against the catalog (InputError naming the key).
[[nodiscard]] std::vector<const workloads::Benchmark*> resolve_benchmarks(const Campaign& c,
                                                                          const workloads::Catalog& catalog);

/// Evaluate one configuration on one benchmark (the unit of work the runner parallelizes).
[[nodiscard]] core::Metrics evaluate(const core::Config& hardware, const workloads::Benchmark& benchmark,
                                     const std::string& fidelity, StatsCache& stats);

[[nodiscard]] RunSummary run_campaign(const Campaign& campaign, const workloads::Catalog& catalog,
                                      results::Store& store, StatsCache& stats, const RunOptions& options);

/// Recompute and store the Pareto ranks (suite scope and per benchmark) of a campaign; returns
/// the suite front size and its hypervolume against the reference point used.
struct FrontSummary {
  std::size_t front_size = 0;
  double hypervolume = 0;
  std::vector<double> reference_point;
};
FrontSummary mark_pareto(results::Store& store, std::int64_t campaign_id, const std::vector<Objective>& objectives);

}  // namespace pade::dse
