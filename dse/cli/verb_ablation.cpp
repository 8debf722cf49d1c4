// pade ablation DB : the cumulative ablation in the paper's order (bit-serial reference → + BUI-GF
// → + BS-OOE → + ISTA) from a campaign that sweeps the feature switches
// (examples/campaign-ablation.yaml): each step's latency and energy and the change from the
// previous step, as the geometric mean over the campaign's benchmarks or per benchmark.
#include <iostream>

#include "dse/cli/cli.hpp"
#include "dse/cli/common.hpp"
#include "results/ablation.hpp"

namespace pade::dse::cli {

namespace {

struct AblationArgs {
  std::string db;
  std::string campaign = "ablation";
  std::string format = "table";
  bool per_benchmark = false;
};

int ablation(const AblationArgs& a) {
  const auto format = format_option(a.format);
  results::Store store = open_for_reading(a.db);
  const auto c = store.find_campaign(a.campaign);
  if (!c) {
    std::vector<std::string> names;
    for (const auto& r : store.campaigns()) names.push_back(r.name);
    throw core::InputError("--campaign: no campaign '" + a.campaign + "' in " + a.db +
                           " (it has: " + join_names(names) +
                           "); run examples/campaign-ablation.yaml into it");
  }
  const results::CumulativeAblation abl = results::cumulative_ablation(store, c->id);
  if (format == results::Format::Table)
    std::cout << "# " << a.campaign << ", " << abl.fidelity << " model, geometric mean over "
              << abl.benchmarks.size() << " benchmarks; *_change = relative to the previous step\n";
  results::cumulative_ablation_table(abl, a.per_benchmark).write(std::cout, format);
  return 0;
}

}  // namespace

void add_ablation(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<AblationArgs>();
  auto* cmd = app.add_subcommand(
      "ablation",
      "Cumulative ablation in the paper's order: bit-serial reference, + BUI-GF, + BS-OOE, + ISTA");
  cmd->add_option("db", args->db, "result database")->required();
  cmd->add_option("--campaign", args->campaign,
                  "the campaign sweeping the feature switches (default: ablation)");
  cmd->add_flag("--per-benchmark", args->per_benchmark, "one row per step and benchmark");
  cmd->add_option("--format", args->format, "table, csv or json");
  cmd->footer(
      "Examples:\n  pade run examples/campaign-ablation.yaml --db out/default.db\n"
      "  pade ablation out/default.db\n"
      "  pade ablation out/default.db --per-benchmark --format csv");
  cmd->callback([&ctx, args] { ctx.action = [args] { return ablation(*args); }; });
}

}  // namespace pade::dse::cli
