// pade plot DB --out DIR, pade report DB --out DIR.
#include <iostream>

#include "dse/cli/cli.hpp"
#include "dse/cli/common.hpp"
#include "results/plot.hpp"
#include "results/query.hpp"
#include "results/report.hpp"

namespace pade::dse::cli {

namespace {

struct PlotArgs {
  std::string db;
  std::string out;
  std::string figure = "all";
  results::FigureOptions options;
};

void print_figure(const results::FigureFiles& f) {
  std::cout << "figure " << f.name << ":";
  for (const auto& p : f.files) std::cout << ' ' << p.string();
  std::cout << '\n';
}

/// Companion figures may come from another campaign of the database: say which.
void note_campaign(const results::FigureFiles& f, const std::string& requested) {
  if (f.campaign != requested)
    std::cerr << "note: figure " << f.name << " shows campaign '" << f.campaign << "'\n";
}

int plot(const PlotArgs& a) {
  results::Store store = open_for_reading(a.db);
  const std::string requested =
      results::campaign_name(store, results::campaign_id_or_latest(store, a.options.campaign));
  if (a.figure != "all") {
    const auto f = results::render_figure(store, a.figure, a.options, a.out);
    print_figure(f);
    note_campaign(f, requested);
    return 0;
  }
  const auto all = results::render_all(store, a.options, a.out);
  for (const auto& f : all.figures) {
    print_figure(f);
    note_campaign(f, requested);
  }
  // A figure without data is not an error for `all`: say which and why, and go on.
  for (const auto& [name, why] : all.skipped)
    std::cerr << "note: figure " << name << " skipped: " << why << '\n';
  return 0;
}

std::string figure_list() {
  return join_names(results::figure_names());
}

struct ReportArgs {
  std::string db;
  std::string out;
  results::FigureOptions options;
};

int report(const ReportArgs& a) {
  results::Store store = open_for_reading(a.db);
  const auto r = results::write_report(store, a.options, a.out);
  for (const auto& [name, why] : r.figures.skipped)
    std::cerr << "note: figure " << name << " skipped: " << why << '\n';
  std::cout << "report: " << r.index.string() << " (" << r.figures.figures.size() << " figures)\n";
  return 0;
}

}  // namespace

void add_plot(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<PlotArgs>();
  auto* cmd = app.add_subcommand(
      "plot", "Render paper-style figures (PNG, SVG, PDF + .gp/.dat) with gnuplot");
  cmd->add_option("db", args->db, "result database")->required();
  cmd->add_option("--out", args->out, "output folder")->required();
  cmd->add_option("--figure", args->figure, "figure name or 'all' (default): " + figure_list());
  cmd->add_option("--campaign", args->options.campaign, "campaign (default: the latest)");
  cmd->add_option("--config", args->options.config,
                  "design of energy_breakdown and seqlen: hash or unique prefix (default: the "
                  "front design with the "
                  "lowest energy)");
  cmd->add_option("--param", args->options.param,
                  "sensitivity: the swept parameter (default: the first swept)");
  cmd->add_option(
      "--metric", args->options.metric,
      "sensitivity and seqlen: an evaluation column or metrics_json key (default: latency_s)");
  cmd->footer(
      "Examples:\n  pade plot out/default.db --out out/figures\n"
      "  pade plot out/default.db --figure sensitivity --param qk_pu.lanes_per_row --metric "
      "energy_j --out f\n"
      "With --figure all, figures whose data the campaign lacks are skipped with a note.");
  cmd->callback([&ctx, args] { ctx.action = [args] { return plot(*args); }; });
}

void add_report(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<ReportArgs>();
  auto* cmd = app.add_subcommand(
      "report", "Write a self-contained static HTML report (index.html + figures/)");
  cmd->add_option("db", args->db, "result database")->required();
  cmd->add_option("--out", args->out, "output folder")->required();
  cmd->add_option("--campaign", args->options.campaign, "campaign (default: the latest)");
  cmd->add_option("--config", args->options.config,
                  "design of the per-design figures (see pade plot)");
  cmd->footer(
      "Example:\n  pade report out/default.db --out out/report   # then open "
      "out/report/index.html");
  cmd->callback([&ctx, args] { ctx.action = [args] { return report(*args); }; });
}

}  // namespace pade::dse::cli
