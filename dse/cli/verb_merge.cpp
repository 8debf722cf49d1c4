// pade merge OUT IN... : join shard databases (pade run --shard i/N) into one and recompute fronts.
#include <iostream>

#include "dse/cli/cli.hpp"
#include "dse/cli/common.hpp"
#include "dse/merge.hpp"

namespace pade::dse::cli {

void add_merge(CLI::App& app, Context& ctx) {
  auto out = std::make_shared<std::string>();
  auto ins = std::make_shared<std::vector<std::string>>();
  auto* cmd = app.add_subcommand(
      "merge", "Merge result databases (e.g. the shards of one campaign) into one");
  cmd->add_option("out", *out, "merged database (created, or extended when it exists)")->required();
  cmd->add_option("inputs", *ins, "databases to merge")->required();
  cmd->footer(
      "Campaigns are matched by name and must come from the same campaign file; Pareto ranks and "
      "the\n"
      "hypervolume are recomputed over the union.\n"
      "Example (a Slurm job array of 2 tasks, then one merge):\n"
      "  pade run campaign.yaml --shard $SLURM_ARRAY_TASK_ID/2 --db shard-$SLURM_ARRAY_TASK_ID.db\n"
      "  pade merge all.db shard-0.db shard-1.db");
  cmd->callback([&ctx, out, ins] {
    ctx.action = [out, ins] {
      const MergeSummary s = merge_databases(*out, *ins, store_options());
      for (const auto& name : s.campaigns) std::cout << "merged campaign '" << name << "'\n";
      std::cout << "  " << s.points << " points, " << s.evaluations << " evaluations, "
                << s.front_size << " on the Pareto front\n  results: " << *out << '\n';
      return 0;
    };
  });
}

}  // namespace pade::dse::cli
