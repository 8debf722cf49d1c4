// pade — design-space exploration for the PADE sparse-attention accelerator.
#include <csignal>
#include <iostream>

#include "core/error.hpp"
#include "dse/cli/cli.hpp"
#include "pade/version.hpp"

namespace {
// The one piece of process-wide mutable state: a signal handler can only reach a global. It is
// written by the handler and read (through Context) by long-running verbs to stop cleanly.
std::atomic<bool> g_interrupted{false};
extern "C" void on_signal(int) {
  g_interrupted.store(true);
}
}  // namespace

int main(int argc, char** argv) {
  using namespace pade::dse::cli;
  CLI::App app{
      "pade — design-space exploration for the PADE bit-serial sparse-attention accelerator"};
  app.require_subcommand(1);
  app.footer(
      "Examples:\n"
      "  pade validate hw.yaml                    check a configuration file\n"
      "  pade validate --explain                  print every parameter with default, unit, "
      "meaning\n"
      "  pade eval hw.yaml --benchmark llama2-7b/mmlu --format json\n"
      "  pade run                                 run the embedded default campaign\n"
      "  pade run campaign.yaml --db results.db   run a campaign into a database\n"
      "  pade query results.db --front --format csv\n"
      "  pade plot results.db --out figures/\n"
      "  pade show results.db 3fa9                one design (a unique hash prefix is enough)\n"
      "  pade diff results.db campA campB         two campaigns side by side\n"
      "  pade ablation results.db                 the cumulative ablation (BUI-GF, BS-OOE, ISTA)\n"
      "  pade workloads list\n"
      "Exit codes: 0 success, 1 failure while running, 2 bad input or usage.");
  app.set_version_flag("--version", std::string("pade ") + pade::core::kVersion + " (git " +
                                        pade::core::kGitCommit + ")");
  Context ctx;
  ctx.interrupted = &g_interrupted;
  add_validate(app, ctx);
  add_eval(app, ctx);
  add_run(app, ctx);
  add_query(app, ctx);
  add_show(app, ctx);
  add_diff(app, ctx);
  add_plot(app, ctx);
  add_report(app, ctx);
  add_workloads(app, ctx);
  add_merge(app, ctx);
  add_compare(app, ctx);
  add_ablation(app, ctx);
  add_llm(app, ctx);
  add_trace(app, ctx);

  // CLI11 answers an unknown verb with "A subcommand is required": name it and the valid ones.
  if (argc > 1 && argv[1][0] != '-') {
    const std::string verb = argv[1];
    std::string known;
    std::string closest;
    std::size_t closest_distance = 3;  // suggest only near misses
    bool found = false;
    for (const CLI::App* sub : app.get_subcommands({})) {
      found = found || sub->get_name() == verb;
      known += (known.empty() ? "" : ", ") + sub->get_name();
      if (const auto d = pade::core::edit_distance(sub->get_name(), verb); d < closest_distance) {
        closest_distance = d;
        closest = sub->get_name();
      }
    }
    if (!found) {
      std::cerr << "error: unknown command '" << pade::core::excerpt(verb) << "'"
                << (closest.empty() ? std::string() : " (did you mean '" + closest + "'?)")
                << "; the commands are: " << known << " (pade --help explains them)\n";
      return 2;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  try {
    return ctx.action ? ctx.action() : 2;
  } catch (const pade::core::InputError& e) {
    std::cerr << e.what() << '\n';
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << '\n';
    return 1;
  }
}
