// pade eval HW.yaml --benchmark NAME... : one configuration on one benchmark (with the workload
// digest), or on several benchmarks and suites (one row each, plus the suite objectives
// campaigns rank by).
#include <tbb/parallel_for.h>

#include <algorithm>
#include <iostream>

#include "core/json.hpp"

#include "dse/cli/cli.hpp"
#include "dse/cli/common.hpp"
#include "dse/runner.hpp"
#include "models/fidelity.hpp"
#include "models/guard_rails.hpp"
#include "models/hardware.hpp"
#include "workloads/names.hpp"

namespace pade::dse::cli {

namespace {

struct EvalArgs {
  std::string hw_file;
  std::vector<std::string> benchmarks;
  std::string fidelity = models::kDefaultFidelity;
  std::string format = "table";
  std::uint64_t seed = 1;
  std::vector<std::string> workloads;
};

/// One benchmark: every metric, and the functional digest the sparsity numbers rest on.
void write_one(const core::Config& hw, const workloads::Benchmark& bench,
               const std::string& fidelity, const core::Metrics& m, const models::WorkloadStats& ws,
               results::Format format) {
  results::Table t({"name", "value"});
  t.add_row({results::Table::text("benchmark"), results::Table::text(bench.name)});
  t.add_row({results::Table::text("fidelity"), results::Table::text(fidelity)});
  t.add_row({results::Table::text("config_hash"), results::Table::text(hw.hash())});
  for (const auto& [k, v] : m.sorted())
    t.add_row({results::Table::text(k), results::Table::number(v)});
  // The functional digest: what the sparsity numbers above rest on.
  t.add_row(
      {results::Table::text("stats.kept_fraction"), results::Table::number(ws.kept_fraction)});
  t.add_row({results::Table::text("stats.kept_fraction_stderr"),
             results::Table::number(ws.stderr_kept_fraction)});
  t.add_row({results::Table::text("stats.mean_rounds"), results::Table::number(ws.mean_rounds())});
  if (ws.bits_per_round != 1) {  // multi-bit rounds: mean_rounds above counts planes
    t.add_row(
        {results::Table::text("stats.bits_per_round"), results::Table::integer(ws.bits_per_round)});
    t.add_row({results::Table::text("stats.rounds_per_pair"),
               results::Table::number(ws.rounds_per_pair())});
  }
  for (std::size_t r = 0; r < ws.active_fraction.size(); ++r)
    t.add_row({results::Table::text("stats.active_fraction_round" + std::to_string(r + 1)),
               results::Table::number(ws.active_fraction[r])});
  t.add_row({results::Table::text("stats.bidir_active_fraction"),
             results::Table::number(ws.bidir_active_fraction)});
  t.add_row({results::Table::text("stats.group_plane_fetch_fraction"),
             results::Table::number(ws.group_plane_fetch_fraction)});
  t.add_row({results::Table::text("stats.group_v_fetch_fraction"),
             results::Table::number(ws.group_v_fetch_fraction)});
  t.add_row({results::Table::text("stats.rescales_per_row"),
             results::Table::number(ws.rescales_per_row)});
  t.add_row({results::Table::text("stats.accuracy.one_minus_cosine"),
             results::Table::number(ws.accuracy_loss)});
  t.add_row({results::Table::text("stats.accuracy.relative_l2_error"),
             results::Table::number(ws.relative_l2_error)});
  t.add_row({results::Table::text("stats.accuracy.retained_mass"),
             results::Table::number(ws.retained_mass)});
  t.add_row({results::Table::text("stats.sampled_rows"), results::Table::number(ws.sampled_rows)});
  t.add_row({results::Table::text("stats.source"), results::Table::text(ws.source)});
  t.add_row({results::Table::text("stats.trace"), results::Table::text(bench.trace.describe())});
  t.write_fields(std::cout, format);  // JSON: one object rather than name/value rows
}

/// Several benchmarks: the headline metrics per benchmark, then the suite row a campaign stores.
void write_many(std::span<const workloads::Benchmark* const> benches,
                std::span<const core::Metrics> metrics,
                std::span<const models::WorkloadStats> stats, results::Format format) {
  std::vector<std::string> columns{"benchmark"};
  for (const auto c : core::metric::kEvaluationColumns) columns.emplace_back(c);
  columns.emplace_back("kept_fraction_stderr");
  results::Table t(columns);
  const auto row = [&](const std::string& name, const core::Metrics& m, const double* stderr_kf) {
    std::vector<results::Cell> cells{results::Table::text(name)};
    for (const auto c : core::metric::kEvaluationColumns) {
      const auto v = m.find(c);
      cells.push_back(v ? results::Table::number(*v) : results::Table::null_cell());
    }
    cells.push_back(stderr_kf ? results::Table::number(*stderr_kf) : results::Table::null_cell());
    t.add_row(std::move(cells));
  };
  for (std::size_t i = 0; i < benches.size(); ++i)
    row(benches[i]->name, metrics[i], &stats[i].stderr_kept_fraction);
  row("suite", suite_objectives(metrics), nullptr);
  t.write(std::cout, format);
  if (format == results::Format::Table)
    std::cout << "suite: " << objective_aggregation(Objective::Latency) << "; "
              << objective_aggregation(Objective::Energy) << "; "
              << objective_aggregation(Objective::Power) << "; "
              << objective_aggregation(Objective::AccuracyLoss) << " (as campaigns rank)\n";
}

/// Guard rails on stderr: each limiting unit once, with how many benchmarks it limits and the
/// first one's numbers.
void warn_unbalanced(std::span<const workloads::Benchmark* const> benches,
                     std::span<const core::Metrics> metrics) {
  struct Seen {
    std::size_t count = 0;
    std::string first;
  };
  std::vector<std::pair<std::string, Seen>> by_unit;  // in order of first appearance
  for (std::size_t i = 0; i < benches.size(); ++i) {
    for (const auto& w : models::balance_warnings(metrics[i])) {
      auto it = std::find_if(by_unit.begin(), by_unit.end(),
                             [&](const auto& e) { return e.first == w.unit; });
      if (it == by_unit.end())
        it = by_unit.insert(by_unit.end(), {w.unit, {0, benches[i]->name + ": " + w.message}});
      ++it->second.count;
    }
  }
  for (const auto& [unit, seen] : by_unit) {
    std::cerr << "warning: unbalanced design: " << seen.first;
    if (benches.size() > 1)
      std::cerr << " (" << unit << " limits " << seen.count << " of " << benches.size()
                << " benchmarks)";
    std::cerr << "\n";
  }
}

int eval(const EvalArgs& a) {
  const results::Format format = format_option(a.format);
  const core::Config hw = models::read_hardware(a.hw_file);
  const std::string fidelity = fidelity_option(a.fidelity);
  auto pipeline =
      make_pipeline(a.seed, workloads::SamplingPlan{}, nullptr, workload_paths(a.workloads));
  const auto benches = workloads::benchmarks_named(pipeline->catalog, a.benchmarks);
  std::vector<core::Metrics> metrics(benches.size());
  std::vector<models::WorkloadStats> stats(benches.size());
  // Benchmarks are independent: each result lands in its own slot (order-independent output).
  tbb::parallel_for(std::size_t{0}, benches.size(), [&](std::size_t i) {
    metrics[i] = evaluate(hw, *benches[i], fidelity, *pipeline->cache);
    stats[i] = pipeline->cache->get(*benches[i], AlgorithmPoint::from(hw));
  });
  warn_unbalanced(benches, metrics);
  if (benches.size() == 1)
    write_one(hw, *benches[0], fidelity, metrics[0], stats[0], format);
  else
    write_many(benches, metrics, stats, format);
  return 0;
}

}  // namespace

void add_eval(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<EvalArgs>();
  auto* cmd = app.add_subcommand(
      "eval", "Evaluate one hardware configuration on benchmarks or suites (suite objectives too)");
  cmd->add_option("hardware", args->hw_file, "hardware YAML file")->required();
  cmd->add_option("--benchmark,-b", args->benchmarks,
                  "benchmark or suite name, repeatable (see `pade workloads list`); several "
                  "benchmarks print one row each and the suite objectives")
      ->required();
  cmd->add_option("--fidelity", args->fidelity, fidelity_help());
  cmd->add_option("--format", args->format, "table, csv or json");
  cmd->add_option("--seed", args->seed, "seed of the synthetic workload (default 1)");
  cmd->add_option("--workloads,-w", args->workloads,
                  "extra model/suite YAML file or catalog folder (repeatable), e.g. a suite whose "
                  "benchmarks read .npy dumps");
  cmd->footer(
      "Examples:\n  pade eval examples/hw-default.yaml --benchmark llama2-7b/mmlu --format json\n"
      "  pade eval examples/hw-default.yaml -b pade22 --format csv\n"
      "  pade eval examples/hw-default.yaml --workloads my-dumps.yaml --benchmark mine/wiki");
  cmd->callback([&ctx, args] { ctx.action = [args] { return eval(*args); }; });
}

}  // namespace pade::dse::cli
