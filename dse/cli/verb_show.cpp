// pade show DB HASH : one design — parameters, campaigns, suite points, per-benchmark metrics,
// provenance. A unique hash prefix is enough.
#include <iostream>

#include "dse/cli/cli.hpp"
#include "dse/cli/common.hpp"
#include "models/guard_rails.hpp"
#include "results/query.hpp"

namespace pade::dse::cli {

namespace {

struct ShowArgs {
  std::string db;
  std::string hash;
  std::string campaign;
  std::string format = "table";
  bool all_metrics = false;
};

/// The guard rails `pade eval` prints, for every stored evaluation of the design: they are read off
/// the utilizations stored in metrics_json, so they say what the model computed then.
results::Table balance_warnings(results::Store& store, const std::string& hash,
                                const std::string& campaign) {
  results::Table t({"campaign", "benchmark", "fidelity", "unit", "warning"});
  results::EvaluationFilter filter;
  filter.config_hash = hash;
  filter.all_metrics = true;
  for (const auto& c : store.campaigns()) {
    if (!campaign.empty() && c.name != campaign) continue;
    store.for_each_evaluation(c.id, filter, [&](const results::EvaluationRecord& e) {
      for (const auto& w : models::balance_warnings(e.metrics))
        t.add_row({results::Table::text(c.name), results::Table::text(e.benchmark),
                   results::Table::text(e.fidelity), results::Table::text(w.unit),
                   results::Table::text(w.message)});
    });
  }
  return t;
}

int show(const ShowArgs& a) {
  const auto format = format_option(a.format);
  results::Store store = open_for_reading(a.db);
  auto v = results::show_design(store, a.hash, a.campaign, a.all_metrics);
  v.sections.emplace_back("balance warnings", balance_warnings(store, v.hash, a.campaign));
  const std::vector<std::pair<std::string, std::string>> header = {{"config_hash", v.hash}};
  results::write_sections(std::cout, format, v.sections, header);
  return 0;
}

}  // namespace

void add_show(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<ShowArgs>();
  auto* cmd =
      app.add_subcommand("show", "Show one design: parameters, per-benchmark metrics, provenance");
  cmd->add_option("db", args->db, "result database")->required();
  cmd->add_option("hash", args->hash, "configuration hash, or a unique prefix of one")->required();
  cmd->add_option("--campaign", args->campaign,
                  "only this campaign (default: every campaign that evaluated it)");
  cmd->add_flag("--all-metrics", args->all_metrics,
                "also list every stored metric (metrics_json) per benchmark");
  cmd->add_option("--format", args->format, "table, csv or json");
  cmd->footer(
      "Examples:\n  pade show out/default.db 3fa9          # a prefix is enough when unique\n"
      "  pade show out/default.db 3fa9c01d2b7e4410 --all-metrics --format json");
  cmd->callback([&ctx, args] { ctx.action = [args] { return show(*args); }; });
}

}  // namespace pade::dse::cli
