// pade diff DB A B : two campaigns side by side, per benchmark or per configuration.
#include <iostream>

#include "dse/cli/cli.hpp"
#include "dse/cli/common.hpp"
#include "results/query.hpp"

namespace pade::dse::cli {

namespace {

struct DiffArgs {
  std::string db;
  results::DiffQuery q;
  std::string by = "benchmark";
  std::string format = "table";
  bool sql = false;
};

int diff(DiffArgs a) {
  const auto format = format_option(a.format);
  if (a.by != "benchmark" && a.by != "config")
    throw core::InputError("--by: '" + a.by + "' (expected benchmark or config)");
  a.q.by_config = a.by == "config";
  if (a.sql) {
    std::cout << results::diff_sql(a.q) << '\n';
    return 0;
  }
  results::Store store = open_for_reading(a.db);
  results::run_diff(store, a.q).write(std::cout, format);
  return 0;
}

}  // namespace

void add_diff(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<DiffArgs>();
  auto* cmd = app.add_subcommand(
      "diff", "Two campaigns side by side: metrics of A, of B and the ratio B/A");
  cmd->add_option("db", args->db, "result database")->required();
  cmd->add_option("a", args->q.campaign_a, "campaign A (the reference)")->required();
  cmd->add_option("b", args->q.campaign_b, "campaign B")->required();
  cmd->add_option("--by", args->by,
                  "benchmark (default; aggregated over feasible configurations) or config");
  cmd->add_option("--metric", args->q.metrics,
                  "metric column (repeatable; default latency_s and energy_j)");
  cmd->add_option("--aggregate", args->q.aggregate,
                  "per benchmark: min (default, the best design), max or avg");
  cmd->add_option("--fidelity", args->q.fidelity, "only this model fidelity");
  cmd->add_option("--format", args->format, "table, csv or json");
  cmd->add_flag("--sql", args->sql,
                "print the SQL instead of running it (?1 = id of A, ?2 = id of B, ?3 = fidelity)");
  cmd->footer(
      "Examples:\n  pade diff out/all.db default wide-sram\n"
      "  pade diff out/all.db default wide-sram --by config --metric area_mm2 --format csv");
  cmd->callback([&ctx, args] { ctx.action = [args] { return diff(*args); }; });
}

}  // namespace pade::dse::cli
