#pragma once
// A campaign file (`kind: campaign`): what to sweep, over which benchmarks, how to search, what
// to optimize and under which constraints. Read through the schema layer; `space:` and
// `hardware:` are sections read against the hardware schema.
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "core/metrics.hpp"
#include "core/schema.hpp"
#include "dse/space.hpp"

namespace pade::dse {

[[nodiscard]] const core::Schema& campaign_schema();

/// Suite-level objectives (all minimized) and how each aggregates over the benchmarks.
enum class Objective { Latency, Energy, Area, Power, AccuracyLoss };
[[nodiscard]] std::string objective_name(Objective o);
[[nodiscard]] std::string objective_column(Objective o);       // the points-table column
[[nodiscard]] std::string objective_aggregation(Objective o);  // documentation of the rule
/// The suite-level objectives (the points-table columns) of one design's per-benchmark metrics,
/// each aggregated as objective_aggregation() says. Campaigns and `pade eval` on a suite use it.
[[nodiscard]] core::Metrics suite_objectives(std::span<const core::Metrics> per_benchmark);

struct Constraint {
  std::string metric;  // points column: area_mm2, power_w, accuracy_loss, latency_s
  double max = 0;
};

struct Campaign {
  std::string name;
  std::string description;
  std::string file;       // where it was read from ("" for the embedded default)
  std::string spec_yaml;  // the text as given
  std::int64_t seed = 1;
  std::vector<std::string> benchmarks;           // resolved: explicit list or the suite's
  std::vector<std::filesystem::path> workloads;  // extra catalog files/folders (resolved paths)
  std::string suite;
  core::SourceLocation suite_where;  // the 'suite' (or 'benchmarks') value, for errors
  core::Config base;                 // hardware configuration every point starts from
  DesignSpace space;
  std::string strategy;
  std::size_t budget_evaluations = 0;  // 0 = the strategy's natural size
  double budget_seconds = 0;           // 0 = no limit
  std::vector<Objective> objectives;
  std::vector<Constraint> constraints;
  std::string fidelity;         // the (screening) hardware model
  std::string refine_fidelity;  // multi-fidelity strategies: the refining model ("" = fidelity)
  // Strategy options, read by the strategies that own them (search::StrategyInfo::options).
  std::size_t eta = 3;          // halving: refine the best 1/eta
  int threads = 0;              // 0 = all hardware threads
  std::size_t batch_size = 32;  // configurations per committed batch
  std::size_t population = 16;
  /// `store: full`: every evaluation keeps every metric (metrics_json); summary (the default):
  /// the metric columns only (results/store.hpp, MetricStorage).
  bool store_full = false;

  /// Fidelities by strategy rung: {fidelity} or, for a multi-fidelity strategy (halving),
  /// {fidelity, refine_fidelity}.
  /// The last rung is the campaign's result fidelity (Pareto fronts are taken there).
  [[nodiscard]] std::vector<std::string> fidelity_ladder() const;
};

/// The database file a campaign writes to when no --db is given: `<name>.db` in the working
/// folder, with every character that could leave it (separators, "..") replaced by '_'.
[[nodiscard]] std::string default_database_file(const std::string& campaign_name);
/// Read a campaign file; relative paths inside resolve against the file's folder.
/// What `pade run --resume` may change in a campaign file: nothing (None), or only its `budget:`
/// with the evaluation budget kept or raised (Budget) — a finished campaign is extended by
/// resuming it with a larger budget. Any other difference, or a lowered evaluation budget, is an
/// InputError naming the key.
enum class ResumeChange { None, Budget };
[[nodiscard]] ResumeChange compare_for_resume(const std::string& stored_spec,
                                              const Campaign& given);
[[nodiscard]] Campaign read_campaign(const std::string& path);
[[nodiscard]] Campaign read_campaign_text(const std::string& text, const std::string& name,
                                          const std::filesystem::path& base_dir);

}  // namespace pade::dse
