// pade workloads list | show NAME : the benchmark catalog.
#include <iostream>

#include "dse/cli/cli.hpp"
#include "dse/cli/common.hpp"

namespace pade::dse::cli {

namespace {

struct WorkloadsArgs {
  std::string suite;
  std::string name;
  std::string format = "table";
};

int list(const WorkloadsArgs& a) {
  const auto format = format_option(a.format);
  const auto catalog = workloads::Catalog::builtin();
  const auto names = a.suite.empty() ? catalog.benchmark_names() : catalog.suite(a.suite);
  results::Table t({"benchmark", "model", "task", "phase", "seq_len", "layers", "pairs"});
  for (const auto& n : names) {
    const auto& b = catalog.benchmark(n);
    t.add_row({results::Table::text(b.name), results::Table::text(b.model), results::Table::text(b.task),
               results::Table::text(b.phase), results::Table::integer(b.seq_len),
               results::Table::integer(b.total_layers()), results::Table::number(b.total_pairs())});
  }
  t.write(std::cout, format);
  if (format == results::Format::Table) {
    std::cout << "\nsuites:";
    for (const auto& s : catalog.suite_names()) std::cout << ' ' << s;
    std::cout << "\nmodels:";
    for (const auto& m : catalog.model_names()) std::cout << ' ' << m;
    std::cout << "\ntrace sources: synthetic generator (default), .npy dump folders, stories260K (real model)\n";
  }
  return 0;
}

int show(const WorkloadsArgs& a) {
  const auto format = format_option(a.format);
  const auto catalog = workloads::Catalog::builtin();
  const bool is_model = !catalog.has_benchmark(a.name) && [&] {
    const auto models = catalog.model_names();
    return std::find(models.begin(), models.end(), a.name) != models.end();
  }();
  if (format == results::Format::Json) {
    std::cout << (is_model ? workloads::model_json(catalog.model(a.name)) : workloads::benchmark_json(catalog.benchmark(a.name)))
              << '\n';
    return 0;
  }
  if (is_model) {
    const auto& m = catalog.model(a.name);
    std::cout << m.name << ": family " << m.family << ", " << m.attention << ", " << m.position << " positions, "
              << m.layers << " layers, context " << m.max_context << "\n  source: " << m.source << '\n';
    return 0;
  }
  const auto& b = catalog.benchmark(a.name);
  std::cout << b.name << ": model " << b.model << ", task " << b.task << ", " << b.phase << ", " << b.seq_len
            << " tokens\n";
  results::Table t({"layers", "q_heads", "kv_heads", "head_dim", "queries", "keys", "causal", "pairs"});
  for (const auto& g : b.groups)
    t.add_row({results::Table::integer(g.layers), results::Table::integer(g.q_heads), results::Table::integer(g.kv_heads),
               results::Table::integer(g.head_dim), results::Table::integer(g.queries), results::Table::integer(g.keys),
               results::Table::text(g.causal ? "yes" : "no"), results::Table::number(g.total_pairs())});
  t.write(std::cout, format);
  return 0;
}

}  // namespace

void add_workloads(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<WorkloadsArgs>();
  auto* cmd = app.add_subcommand("workloads", "List and show the benchmark catalog (models and suites)");
  cmd->require_subcommand(1);
  auto* l = cmd->add_subcommand("list", "List benchmarks (all, or one suite's)");
  l->add_option("--suite", args->suite, "only this suite's benchmarks, in order");
  l->add_option("--format", args->format, "table, csv or json");
  auto* s = cmd->add_subcommand("show", "Show one benchmark or model");
  s->add_option("name", args->name, "benchmark or model name")->required();
  s->add_option("--format", args->format, "table or json");
  cmd->footer("Examples:\n  pade workloads list --suite pade22\n  pade workloads show llama3-8b/dolly --format json");
  l->callback([&ctx, args] { ctx.action = [args] { return list(*args); }; });
  s->callback([&ctx, args] { ctx.action = [args] { return show(*args); }; });
}

}  // namespace pade::dse::cli
