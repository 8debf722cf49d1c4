// pade compare [HW.yaml] : PADE against every baseline (H100, Sanger, DOTA, SOFA, SpAtten, Energon)
// over a suite — per-benchmark speedup and energy efficiency and their geometric means, stored as
// a campaign (evaluations per design, the comparisons table) and printed.
#include <tbb/parallel_for.h>

#include <filesystem>
#include <iostream>

#include "core/file_io.hpp"
#include "core/hash.hpp"
#include "dse/cli/cli.hpp"
#include "dse/cli/common.hpp"
#include "dse/runner.hpp"
#include "models/baselines/baseline.hpp"
#include "models/baselines/compare.hpp"
#include "models/fidelity.hpp"
#include "models/hardware.hpp"
#include "pade/version.hpp"

namespace pade::dse::cli {

namespace {

struct CompareArgs {
  std::string hw_file;
  std::string baseline_file;
  std::string suite = "pade22";
  std::vector<std::string> benchmarks;
  std::vector<std::string> only;
  std::string db = "compare.db";
  std::string normalization;              // H100; empty = the baseline file's
  std::string accelerator_normalization;  // empty = the baseline file's
  std::string fidelity = models::kDefaultFidelity;
  std::string format = "table";
  std::string name;
  bool per_benchmark = false;
  std::uint64_t seed = 1;
};

std::string unique_campaign_name(results::Store& store, const std::string& base) {
  if (!store.find_campaign(base)) return base;
  for (int i = 2;; ++i)
    if (const std::string n = base + "-" + std::to_string(i); !store.find_campaign(n)) return n;
}

int compare(const CompareArgs& a) {
  const results::Format format = format_option(a.format);
  const core::Config hw_config = a.hw_file.empty() ? core::default_config(models::hardware_schema())
                                                   : models::read_hardware(a.hw_file);
  const models::HardwareConfig hw = models::to_hardware(hw_config);
  core::Config base = a.baseline_file.empty() ? models::default_baseline_config()
                                              : models::read_baseline_config(a.baseline_file);
  if (!a.normalization.empty())
    base.set("h100.normalization", a.normalization, {"--normalization", 0, 0});
  if (!a.accelerator_normalization.empty())
    base.set("normalization", a.accelerator_normalization, {"--accelerator-normalization", 0, 0});
  const std::string fidelity = fidelity_option(a.fidelity);
  const std::string fidelity_version = models::builtin_fidelities().get(fidelity).version;
  const auto& registry = models::builtin_baselines();
  std::vector<const models::BaselineInfo*> baselines;
  for (const auto& n : a.only.empty() ? registry.names() : a.only)
    baselines.push_back(&registry.get(n, core::NameOrigin::option("--baseline")));

  if (const auto parent = std::filesystem::path(a.db).parent_path(); !parent.empty())
    core::make_output_folder(parent);
  results::Store store = open_for_writing(a.db);
  workloads::SamplingPlan plan;
  auto pipeline = make_pipeline(a.seed, plan, &store);
  std::vector<const workloads::Benchmark*> benches;
  for (const auto& n : a.benchmarks.empty() ? pipeline->catalog.suite(a.suite) : a.benchmarks)
    benches.push_back(&pipeline->catalog.benchmark(n));

  models::BaselineContext ctx;
  ctx.config = base;
  ctx.coefficients = hw.coefficients;  // one coefficient table for both sides
  ctx.pade = models::pade_reference(hw);
  ctx.dataflow = hw.dataflow();  // one dataflow accounting for PADE and every baseline
  models::BaselineDigestOptions digest;
  digest.plan = plan;
  digest.seed = a.seed;

  // Benchmarks are independent: evaluate them in parallel, each into its own slot.
  std::vector<models::BenchmarkOutcome> outcomes(benches.size());
  tbb::parallel_for(std::size_t{0}, benches.size(), [&](std::size_t i) {
    const workloads::Benchmark& b = *benches[i];
    auto& o = outcomes[i];
    o.benchmark = b.name;
    o.pade = evaluate(hw_config, b, fidelity, *pipeline->cache);
    const auto& knobs = pipeline->generator.family(pipeline->catalog.model(b.model).family);
    for (const auto* info : baselines) {
      const models::BaselineStats s = models::digest_baseline(*info, ctx, b, knobs, digest);
      core::Metrics m = info->cost(ctx, b, s);
      for (const auto& [k, v] : s.per_pair) m.set("rule." + k, v);
      o.baselines[info->name] = std::move(m);
    }
  });
  const auto values = models::compare_outcomes(outcomes);

  // Store: a campaign with its provenance, every design's evaluations, the comparison values —
  // in one transaction, so a failure leaves no half-written campaign behind.
  const std::string h100_norm = base.string("h100.normalization");
  const std::string accel_norm = base.string("normalization");
  std::string name;
  try {
    results::WriteTransaction tx(store);
    name = unique_campaign_name(
        store, a.name.empty()
                   ? "compare-" + h100_norm + (accel_norm == "paper" ? "" : "-" + accel_norm)
                   : a.name);
    results::CampaignRecord rec;
    rec.name = name;
    rec.spec_yaml =
        "# pade compare\n# hardware\n" + hw_config.canonical() + "# baselines\n" + base.canonical();
    rec.seed = static_cast<std::int64_t>(a.seed);
    rec.strategy = "compare";
    const std::int64_t id = store.create_campaign(rec);
    std::vector<std::pair<std::string, std::string>> prov = {
        {"pade_version", core::kVersion},
        {"git_commit", core::kGitCommit},
        {"fidelity", fidelity},
        {"model_version", fidelity_version},
        {"stats_version", pipeline->cache->version()},
        {"seed", std::to_string(a.seed)},
        {"suite", a.benchmarks.empty() ? a.suite : "(explicit list)"},
        {"h100_normalization", h100_norm},
        {"accelerator_normalization", accel_norm},
        {"average",
         "geometric mean over benchmarks (benchmark 'geomean'); arithmetic mean beside it "
         "('arithmean')"},
        {"baseline_config_hash", base.hash()},
        {"started_at", results::utc_now_iso8601()}};
    for (const auto* info : baselines)
      prov.emplace_back("baseline_version." + info->name, info->version);
    store.put_provenance(id, prov);
    store.put_configuration(hw_config.hash(), hw_config.canonical(), hw_config.identity_values());
    std::map<std::string, std::string> baseline_hash;
    for (const auto* info : baselines) {
      const std::string canonical = "baseline=" + info->name + "\n" + base.canonical();
      baseline_hash[info->name] = core::content_hash(canonical);
      auto params = base.identity_values();
      params.emplace_back("baseline", info->name);
      store.put_configuration(baseline_hash[info->name], canonical, params);
    }
    std::vector<results::EvaluationRecord> evals;
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
      const auto& b = *benches[i];
      store.put_benchmark(b.name, b.model, b.task, b.phase, b.seq_len);
      evals.push_back(
          {id, hw_config.hash(), b.name, fidelity, outcomes[i].pade, static_cast<std::int64_t>(i)});
      for (const auto& [n, m] : outcomes[i].baselines)
        evals.push_back({id, baseline_hash[n], b.name, n, m, static_cast<std::int64_t>(i)});
    }
    store.put_batch(evals, {});
    std::vector<results::ComparisonRecord> rows;
    for (const auto& v : values) rows.push_back({v.benchmark, v.baseline, v.metric, v.value});
    store.put_comparisons(id, rows);
    store.set_campaign_status(id, "finished");
    tx.commit();
  } catch (const SQLite::Exception& e) {
    throw core::RunError(
        results::write_failure_message(e, a.db, store.busy_timeout_ms(), "run pade compare again"));
  }
  (void)store.checkpoint();  // the file alone is complete (e.g. to copy it to read-only media)

  // Print: the averages with the paper's numbers, or every value with --per-benchmark.
  if (a.per_benchmark) {
    results::Table t({"benchmark", "baseline", "metric", "value"});
    for (const auto& v : values)
      t.add_row({results::Table::text(v.benchmark), results::Table::text(v.baseline),
                 results::Table::text(v.metric), results::Table::number(v.value)});
    t.write(std::cout, format);
  } else {
    results::Table t(
        {"baseline", "metric", "geomean", "arithmean", "paper", "gap_pct", "normalization"});
    for (const auto* info : baselines)
      for (const std::string metric : {"speedup", "energy_efficiency"}) {
        double g = 0, m = 0;
        for (const auto& v : values)
          if (v.baseline == info->name && v.metric == metric) {
            if (v.benchmark == models::kGeomean) g = v.value;
            if (v.benchmark == models::kArithmean) m = v.value;
          }
        const double paper = models::paper_headline(info->name, metric);
        t.add_row({results::Table::text(info->name), results::Table::text(metric),
                   results::Table::number(g), results::Table::number(m),
                   paper > 0 ? results::Table::number(paper) : results::Table::null_cell(),
                   paper > 0 ? results::Table::number(100.0 * (g - paper) / paper)
                             : results::Table::null_cell(),
                   results::Table::text(info->name == "h100" ? h100_norm : accel_norm)});
      }
    t.write(std::cout, format);
  }
  if (format == results::Format::Table)
    std::cout << "campaign '" << name << "' in " << std::filesystem::absolute(a.db).string()
              << " (PADE fidelity " << fidelity << "; averages over " << outcomes.size()
              << " benchmarks)\n";
  return 0;
}

}  // namespace

void add_compare(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<CompareArgs>();
  auto* cmd = app.add_subcommand(
      "compare", "Compare PADE with the baselines (H100, Sanger, DOTA, SOFA, SpAtten, Energon)");
  cmd->add_option("hardware", args->hw_file,
                  "PADE hardware YAML file (default: the paper's design point)");
  cmd->add_option("--baselines", args->baseline_file,
                  "`kind: baseline` YAML file (default: the paper's normalization)");
  cmd->add_option("--suite", args->suite, "benchmark suite (default pade22)");
  cmd->add_option("--benchmark,-b", args->benchmarks, "benchmarks instead of a suite (repeatable)");
  cmd->add_option("--baseline", args->only,
                  "only these baselines (repeatable; default: all): " +
                      join_names(models::builtin_baselines().names()));
  cmd->add_option("--db", args->db, "result database (default compare.db)");
  cmd->add_option("--normalization", args->normalization,
                  "H100 normalization: single_chip, iso_area or iso_peak");
  cmd->add_option("--accelerator-normalization", args->accelerator_normalization,
                  "accelerator normalization: paper or published");
  cmd->add_option("--fidelity", args->fidelity, "PADE " + fidelity_help());
  cmd->add_option("--name", args->name, "campaign name (default compare-<normalization>)");
  cmd->add_flag("--per-benchmark", args->per_benchmark,
                "print every benchmark's values, not only the averages");
  cmd->add_option("--format", args->format, "table, csv or json");
  cmd->add_option("--seed", args->seed, "seed of the synthetic workload (default 1)");
  cmd->footer(
      "Examples:\n  pade compare --db out/compare.db\n"
      "  pade compare examples/hw-default.yaml --normalization iso_peak --per-benchmark --format "
      "csv");
  cmd->callback([&ctx, args] { ctx.action = [args] { return compare(*args); }; });
}

}  // namespace pade::dse::cli
