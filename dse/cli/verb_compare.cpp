// pade compare [HW.yaml] : PADE against every baseline (H100, Sanger, DOTA, SOFA, SpAtten, Energon)
// over a suite — per-benchmark speedup and energy efficiency and their geometric means, stored as
// a campaign (evaluations per design, the comparisons table) and printed. With --sensitivity N,
// also each headline ratio's median and 5-95 % range over the box of coefficient ranges and a
// tornado ranking (dse/sensitivity.hpp), stored as comparison rows of their own.
#include <tbb/parallel_for.h>

#include <optional>

#include <algorithm>
#include <filesystem>
#include <iostream>

#include "core/file_io.hpp"
#include "core/hash.hpp"
#include "dse/cli/cli.hpp"
#include "dse/cli/common.hpp"
#include "dse/headline.hpp"
#include "dse/runner.hpp"
#include "dse/sensitivity.hpp"
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
  std::string power_basis;                // H100; empty = the baseline file's
  std::string fidelity = models::kDefaultFidelity;
  std::string format = "table";
  std::string name;
  bool per_benchmark = false;
  std::uint64_t seed = 1;
  std::size_t sensitivity = 0;  // box samples (0: no sensitivity study)
};

// How the H100 side's batch is set (stored as provenance beside the power basis).
constexpr const char* kH100Batch =
    "prefill at the FlashAttention curves' occupancy (batch x length = 16k tokens, FA2/FA3 "
    "papers); decode bandwidth-bound, energy per request independent of batch (the PADE "
    "authors' group measures at batch 8-128)";

std::string unique_campaign_name(results::Store& store, const std::string& base) {
  if (!store.find_campaign(base)) return base;
  for (int i = 2;; ++i)
    if (const std::string n = base + "-" + std::to_string(i); !store.find_campaign(n)) return n;
}

/// The digests every point of the comparison reuses: PADE's statistics (through the cache) and
/// each baseline's rule on the same sampled heads. Benchmarks in parallel, each in its own slot.
HeadlineInputs headline_inputs(const core::Config& hw_config, const std::string& fidelity,
                               const core::Config& base,
                               const std::vector<const workloads::Benchmark*>& benches,
                               const std::vector<const models::BaselineInfo*>& baselines,
                               StatsPipeline& pipeline, std::uint64_t seed) {
  HeadlineInputs in{hw_config, fidelity, base, benches, {}, baselines, {}};
  const models::HardwareConfig hw = models::to_hardware(hw_config);
  models::BaselineContext ctx;  // rules read the configuration and the dataflow only
  ctx.config = base;
  ctx.coefficients = hw.coefficients;
  ctx.pade = models::pade_reference(hw);
  ctx.dataflow = hw.dataflow();
  models::BaselineDigestOptions digest;
  digest.plan = pipeline.plan;
  digest.seed = seed;
  const AlgorithmPoint point = AlgorithmPoint::from(hw_config);
  in.pade_stats.resize(benches.size());
  in.baseline_stats.resize(benches.size());
  tbb::parallel_for(std::size_t{0}, benches.size(), [&](std::size_t i) {
    const workloads::Benchmark& b = *benches[i];
    in.pade_stats[i] = pipeline.cache->get(b, point);
    const auto& knobs = pipeline.generator.family(pipeline.catalog.model(b.model).family);
    for (const auto* info : baselines)
      in.baseline_stats[i].push_back(models::digest_baseline(*info, ctx, b, knobs, digest));
  });
  return in;
}

constexpr const char* kKeptAxis = "stats.pade_kept_fraction_z";

/// The box: every coefficient range (calibrated scales refitted per point instead) and PADE's
/// kept fraction within ±2 bootstrap standard errors. The generator's knobs are not an axis: each
/// draw would need fresh functional digests (minutes per point).
SensitivityResult compare_sensitivity(const HeadlineInputs& in, const workloads::Catalog& catalog,
                                      const CompareArgs& a) {
  const std::vector<std::string> refitted = {"calib."};
  std::vector<SensitivityAxis> axes =
      coefficient_axes(core::CoefficientTable::defaults(), refitted);
  axes.push_back({kKeptAxis, 0, -2, 2,
                  "PADE's kept fraction moved by z bootstrap standard errors of its digest "
                  "(per benchmark), z in [-2, 2]"});
  const CalibrationTargets targets = calibration_targets(catalog);
  const HeadlineFn f = [&](std::span<const double> x) {
    HeadlinePoint p;
    for (std::size_t d = 0; d < axes.size(); ++d) {
      if (axes[d].name == kKeptAxis)
        p.kept_fraction_z = x[d];
      else
        p.coefficients.emplace_back(axes[d].name.substr(std::string("coefficients.").size()), x[d]);
    }
    return headline_ratios(models::compare_outcomes(headline_outcomes(in, p, &targets)));
  };
  return run_sensitivity(axes, a.sensitivity, a.seed, f);
}

/// The study as comparison rows (results::kSensitivityPrefix, kTornado*Prefix).
std::vector<results::ComparisonRecord> sensitivity_rows(const SensitivityResult& r) {
  std::vector<results::ComparisonRecord> rows;
  const auto split = [](const std::string& key) {
    const auto slash = key.find('/');
    return std::pair{key.substr(0, slash), key.substr(slash + 1)};
  };
  const std::string sp(results::kSensitivityPrefix);
  for (const auto& s : r.summaries) {
    const auto [baseline, metric] = split(s.key);
    for (const auto& [stat, v] :
         {std::pair{"nominal", s.nominal}, {"median", s.median}, {"p05", s.p05}, {"p95", s.p95}})
      rows.push_back({sp + stat, baseline, metric, v});
  }
  for (const auto& t : r.tornado) {
    const auto [baseline, metric] = split(t.key);
    rows.push_back({std::string(results::kTornadoLowPrefix) + t.axis, baseline, metric, t.at_low});
    rows.push_back(
        {std::string(results::kTornadoHighPrefix) + t.axis, baseline, metric, t.at_high});
  }
  return rows;
}

/// The summary table's sensitivity columns for one ratio: median, p05, p95, the top axis.
void add_sensitivity_cells(std::vector<results::Cell>& row, const SensitivityResult& r,
                           const std::string& key) {
  const auto s = std::find_if(r.summaries.begin(), r.summaries.end(),
                              [&](const SensitivitySummary& x) { return x.key == key; });
  const auto t = std::find_if(r.tornado.begin(), r.tornado.end(),
                              [&](const TornadoBar& x) { return x.key == key; });
  if (s == r.summaries.end()) {
    row.insert(row.end(), 4, results::Table::null_cell());
    return;
  }
  row.push_back(results::Table::number(s->median));
  row.push_back(results::Table::number(s->p05));
  row.push_back(results::Table::number(s->p95));
  row.push_back(t == r.tornado.end() ? results::Table::null_cell() : results::Table::text(t->axis));
}

/// The tornado's top `top` axes per headline ratio, printed after the summary (table format).
void print_tornado(const SensitivityResult& r, std::size_t top) {
  results::Table t({"ratio", "rank", "axis", "at_low", "at_high", "swing"});
  std::map<std::string, std::size_t> rank;
  for (const auto& b : r.tornado) {
    const std::size_t k = ++rank[b.key];
    if (k > top) continue;
    t.add_row({results::Table::text(b.key), results::Table::integer(static_cast<long long>(k)),
               results::Table::text(b.axis), results::Table::number(b.at_low),
               results::Table::number(b.at_high), results::Table::number(b.swing())});
  }
  t.write(std::cout, results::Format::Table);
}

int compare(const CompareArgs& a) {
  const results::Format format = format_option(a.format);
  const core::Config hw_config = a.hw_file.empty() ? core::default_config(models::hardware_schema())
                                                   : models::read_hardware(a.hw_file);
  core::Config base = a.baseline_file.empty() ? models::default_baseline_config()
                                              : models::read_baseline_config(a.baseline_file);
  if (!a.normalization.empty())
    base.set("h100.normalization", a.normalization, {"--normalization", 0, 0});
  if (!a.accelerator_normalization.empty())
    base.set("normalization", a.accelerator_normalization, {"--accelerator-normalization", 0, 0});
  if (!a.power_basis.empty()) base.set("h100.power_basis", a.power_basis, {"--power-basis", 0, 0});
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

  const HeadlineInputs inputs =
      headline_inputs(hw_config, fidelity, base, benches, baselines, *pipeline, a.seed);
  const auto outcomes = headline_outcomes(inputs, {});
  const auto values = models::compare_outcomes(outcomes);
  std::optional<SensitivityResult> sens;
  if (a.sensitivity > 0) sens = compare_sensitivity(inputs, pipeline->catalog, a);

  // Store: a campaign with its provenance, every design's evaluations, the comparison values —
  // in one transaction, so a failure leaves no half-written campaign behind.
  const std::string h100_norm = base.string("h100.normalization");
  const std::string accel_norm = base.string("normalization");
  const std::string basis = base.string("h100.power_basis");
  std::string name;
  try {
    results::WriteTransaction tx(store);
    name = unique_campaign_name(store, a.name.empty()
                                           ? "compare-" + h100_norm +
                                                 (accel_norm == "paper" ? "" : "-" + accel_norm) +
                                                 (basis == "board" ? "" : "-" + basis)
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
        {"h100_power_basis", basis},
        {"h100_batch", kH100Batch},
        {"energy_scope",
         "energy_efficiency: device (core + memory interface + DRAM); energy_efficiency_core: "
         "core only"},
        {"average",
         "geometric mean over benchmarks (benchmark 'geomean'); arithmetic mean beside it "
         "('arithmean')"},
        {"baseline_config_hash", base.hash()},
        {"started_at", results::utc_now_iso8601()}};
    for (const auto* info : baselines)
      prov.emplace_back("baseline_version." + info->name, info->version);
    if (sens) {
      prov.emplace_back("sensitivity_samples", std::to_string(sens->samples));
      prov.emplace_back("sensitivity_seed", std::to_string(sens->seed));
      prov.emplace_back("sensitivity_axes", std::to_string(sens->axes.size()));
      prov.emplace_back("sensitivity_method",
                        "Latin hypercube over every coefficient's low/high range (each drawn once "
                        "per sample for every design; calib.* refitted to PADE's silicon per "
                        "sample) and PADE's kept fraction within +-2 bootstrap SE; median and "
                        "5-95 % of the suite geometric mean over the box: a sensitivity range, "
                        "not a confidence interval");
    }
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
    if (sens)
      for (auto& r : sensitivity_rows(*sens)) rows.push_back(std::move(r));
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
    std::vector<std::string> columns = {"baseline", "metric",        "scope",
                                        "geomean",  "arithmean",     "paper",
                                        "gap_pct",  "normalization", "power_basis"};
    if (sens)
      for (const char* c : {"sens_median", "sens_p05", "sens_p95", "top_driver"})
        columns.emplace_back(c);
    results::Table t(columns);
    for (const auto* info : baselines)
      for (const std::string metric : models::kComparisonMetrics) {
        double g = 0, m = 0;
        for (const auto& v : values)
          if (v.baseline == info->name && v.metric == metric) {
            if (v.benchmark == models::kGeomean) g = v.value;
            if (v.benchmark == models::kArithmean) m = v.value;
          }
        if (!(g > 0)) continue;
        const double paper = models::paper_headline(info->name, metric);
        const bool gpu = info->name == "h100";
        const std::string scope = models::energy_scope(metric);
        std::vector<results::Cell> row = {
            results::Table::text(info->name),
            results::Table::text(metric),
            scope.empty() ? results::Table::null_cell() : results::Table::text(scope),
            results::Table::number(g),
            results::Table::number(m),
            paper > 0 ? results::Table::number(paper) : results::Table::null_cell(),
            paper > 0 ? results::Table::number(100.0 * (g - paper) / paper)
                      : results::Table::null_cell(),
            results::Table::text(gpu ? h100_norm : accel_norm),
            results::Table::text(gpu ? basis : "modelled (dynamic + leakage)")};
        if (sens) add_sensitivity_cells(row, *sens, info->name + "/" + metric);
        t.add_row(std::move(row));
      }
    t.write(std::cout, format);
  }
  if (sens && format == results::Format::Table && !a.per_benchmark) {
    std::cout << "\nsensitivity (" << sens->samples << " Latin-hypercube samples over "
              << sens->axes.size() << " axes, seed " << sens->seed
              << "): median and 5-95 % range over the box, not a confidence interval; "
                 "what moves each ratio most (one axis at a time):\n";
    print_tornado(*sens, 3);
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
  cmd->add_option("--power-basis", args->power_basis,
                  "H100 energy: board (TDP x utilization) or dynamic (board - idle)");
  cmd->add_option("--fidelity", args->fidelity, "PADE " + fidelity_help());
  cmd->add_option("--name", args->name, "campaign name (default compare-<normalization>)");
  cmd->add_flag("--per-benchmark", args->per_benchmark,
                "print every benchmark's values, not only the averages");
  cmd->add_option("--format", args->format, "table, csv or json");
  cmd->add_option("--seed", args->seed,
                  "seed of the synthetic workload and of the sensitivity sample (default 1)");
  cmd->add_option("--sensitivity", args->sensitivity,
                  "N: also sample the coefficient ranges (Latin hypercube, N points) and report "
                  "each headline ratio's median, 5-95 % range and tornado ranking");
  cmd->footer(
      "Examples:\n  pade compare --db out/compare.db\n"
      "  pade compare examples/hw-default.yaml --normalization iso_peak --per-benchmark --format "
      "csv");
  cmd->callback([&ctx, args] { ctx.action = [args] { return compare(*args); }; });
}

}  // namespace pade::dse::cli
