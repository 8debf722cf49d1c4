// pade plot DB --out DIR, pade report DB --out DIR.
#include <iostream>

#include "dse/cli/cli.hpp"
#include "dse/cli/common.hpp"
#include "results/plot.hpp"

namespace pade::dse::cli {

namespace {

struct PlotArgs {
  std::string db;
  std::string out;
  std::string figure = "all";
  std::string campaign;
};

int plot(const PlotArgs& a) {
  if (!std::filesystem::exists(a.db)) throw core::InputError({a.db, 0, 0}, "", "no such database");
  results::Store store(a.db);
  const auto names = a.figure == "all" ? results::figure_names() : std::vector<std::string>{a.figure};
  for (const auto& name : names) {
    const auto f = results::render_figure(store, name, a.campaign, a.out);
    std::cout << "figure " << f.name << ":";
    for (const auto& p : f.files) std::cout << ' ' << p.string();
    std::cout << '\n';
  }
  return 0;
}

}  // namespace

void add_plot(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<PlotArgs>();
  auto* cmd = app.add_subcommand("plot", "Render paper-style figures (PNG, SVG, PDF + .gp/.dat) with gnuplot");
  cmd->add_option("db", args->db, "result database")->required();
  cmd->add_option("--out", args->out, "output folder")->required();
  cmd->add_option("--figure", args->figure, "figure name or 'all' (figures so far: pareto)");
  cmd->add_option("--campaign", args->campaign, "campaign (default: the latest)");
  cmd->footer("Example:\n  pade plot out/default.db --out out/figures");
  cmd->callback([&ctx, args] { ctx.action = [args] { return plot(*args); }; });
}

void add_report(CLI::App& app, Context& ctx) {
  auto db = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("report", "Write a self-contained HTML report (not available yet)");
  cmd->add_option("db", *db, "result database")->required();
  cmd->add_option("--out", *out, "output folder")->required();
  cmd->footer("Example:\n  pade report out/default.db --out out/report");
  cmd->callback([&ctx, db, out] {
    ctx.action = [] {
      std::cerr << "pade report: the HTML report is not implemented yet (tracked in issue #8); "
                   "use `pade plot` and `pade query` meanwhile\n";
      return 1;
    };
  });
}

}  // namespace pade::dse::cli
