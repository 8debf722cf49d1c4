// pade query DB : evaluations (or suite-level points) with their Pareto flags, filtered and sorted.
#include <iostream>

#include "dse/cli/cli.hpp"
#include "dse/cli/common.hpp"
#include "results/query.hpp"

namespace pade::dse::cli {

namespace {

struct QueryArgs {
  std::string db;
  std::string format = "table";
  results::EvaluationQuery q;
  bool front = false;
  int max_rank = -1;
  std::vector<std::string> where;
  bool sql = false;
};

int query(QueryArgs a) {
  const auto format = format_option(a.format);
  results::Store store = open_for_reading(a.db);
  if (a.front) a.q.max_rank = 0;
  if (a.max_rank >= 0) a.q.max_rank = a.max_rank;
  for (const auto& w : a.where) a.q.params.push_back(results::parse_param_filter(w));
  results::resolve_scope(store, a.q);
  if (a.sql) {
    std::cout << results::query_sql(a.q) << '\n';
    return 0;
  }
  const results::Table t = results::run_query(store, a.q);
  t.write(std::cout, format);
  // What was read goes to stderr, so csv/json on stdout stay clean for a pipe.
  if (t.rows().empty())
    std::cerr << "0 rows matched (" << results::describe_scope(a.q) << ")\n";
  else if (format == results::Format::Table)
    std::cerr << t.rows().size() << " rows: " << results::describe_scope(a.q)
              << " (--campaign, --all-campaigns, --fidelity, --all-fidelities choose others)\n";
  return 0;
}

}  // namespace

void add_query(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<QueryArgs>();
  auto* cmd =
      app.add_subcommand("query", "Query a result database (evaluations, or suite-level points)");
  cmd->add_option("db", args->db, "result database")->required();
  auto* campaign =
      cmd->add_option("--campaign", args->q.campaign, "only this campaign (default: the latest)");
  cmd->add_flag("--all-campaigns", args->q.all_campaigns, "every campaign of the database")
      ->excludes(campaign);
  cmd->add_option("--benchmark", args->q.benchmark, "only this benchmark");
  auto* fidelity =
      cmd->add_option("--fidelity", args->q.fidelity,
                      "only this model fidelity (default: the campaign's front fidelity)");
  cmd->add_flag("--all-fidelities", args->q.all_fidelities, "every fidelity a campaign stored")
      ->excludes(fidelity);
  cmd->add_flag("--points", args->q.suite_points,
                "one row per configuration: suite aggregates and feasibility");
  cmd->add_flag("--front", args->front, "only Pareto-optimal rows (rank 0 in their scope)");
  cmd->add_option("--max-rank", args->max_rank, "only rows with Pareto rank <= N");
  cmd->add_option("--where", args->where,
                  "filter KEY OP VALUE on a parameter or a column, e.g. qk_pu.lanes_per_row>=16, "
                  "feasible=1 (repeatable)");
  cmd->add_option("--param", args->q.param_columns,
                  "add a configuration parameter as a column (repeatable)");
  cmd->add_option("--columns", args->q.columns, "columns to show")->delimiter(',');
  cmd->add_option("--sort", args->q.sort,
                  "sort by a column (feasible designs first); append :desc for descending");
  cmd->add_option("--top", args->q.top, "only the first N rows")
      ->check(CLI::Range(std::size_t{0}, std::size_t{1} << 40));
  cmd->add_option("--format", args->format, "table, csv or json");
  cmd->add_flag("--sql", args->sql, "print the SQL instead of running it");
  cmd->footer(
      "Examples:\n  pade query out/default.db --format json\n"
      "  pade query out/default.db --points --front --param qk_pu.lanes_per_row --sort energy_j "
      "--top 5\n"
      "  pade query out/default.db --benchmark llama2-7b/mmlu --where algorithm.alpha=0.5 --format "
      "csv");
  cmd->callback([&ctx, args] { ctx.action = [args] { return query(*args); }; });
}

}  // namespace pade::dse::cli
