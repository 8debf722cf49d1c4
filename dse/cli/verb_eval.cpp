// pade eval HW.yaml --benchmark NAME : one configuration on one benchmark, with the workload
// digest.
#include <iostream>

#include "core/json.hpp"

#include "dse/cli/cli.hpp"
#include "dse/cli/common.hpp"
#include "dse/runner.hpp"
#include "models/fidelity.hpp"
#include "models/hardware.hpp"

namespace pade::dse::cli {

namespace {

struct EvalArgs {
  std::string hw_file;
  std::string benchmark;
  std::string fidelity = models::kDefaultFidelity;
  std::string format = "table";
  std::uint64_t seed = 1;
  std::vector<std::string> workloads;
};

int eval(const EvalArgs& a) {
  const results::Format format = format_option(a.format);
  const core::Config hw = models::read_hardware(a.hw_file);
  const std::string fidelity = fidelity_option(a.fidelity);
  auto pipeline =
      make_pipeline(a.seed, workloads::SamplingPlan{}, nullptr, workload_paths(a.workloads));
  const workloads::Benchmark& bench = pipeline->catalog.benchmark(a.benchmark);
  const core::Metrics m = evaluate(hw, bench, fidelity, *pipeline->cache);
  const models::WorkloadStats ws = pipeline->cache->get(bench, AlgorithmPoint::from(hw));

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
  return 0;
}

}  // namespace

void add_eval(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<EvalArgs>();
  auto* cmd = app.add_subcommand("eval", "Evaluate one hardware configuration on one benchmark");
  cmd->add_option("hardware", args->hw_file, "hardware YAML file")->required();
  cmd->add_option("--benchmark,-b", args->benchmark, "benchmark name (see `pade workloads list`)")
      ->required();
  cmd->add_option("--fidelity", args->fidelity, fidelity_help());
  cmd->add_option("--format", args->format, "table, csv or json");
  cmd->add_option("--seed", args->seed, "seed of the synthetic workload (default 1)");
  cmd->add_option("--workloads,-w", args->workloads,
                  "extra model/suite YAML file or catalog folder (repeatable), e.g. a suite whose "
                  "benchmarks read .npy dumps");
  cmd->footer(
      "Examples:\n  pade eval examples/hw-default.yaml --benchmark llama2-7b/mmlu --format json\n"
      "  pade eval examples/hw-default.yaml --workloads my-dumps.yaml --benchmark mine/wiki");
  cmd->callback([&ctx, args] { ctx.action = [args] { return eval(*args); }; });
}

}  // namespace pade::dse::cli
