#include "dse/campaign.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cmath>

#include "core/file_io.hpp"
#include "models/fidelity.hpp"
#include "models/hardware.hpp"
#include "search/strategy.hpp"

namespace pade::dse {

using core::InputError;
using core::ParamSpec;

const core::Schema& campaign_schema() {
  static const core::Schema schema = [] {
    core::Schema s("campaign",
                   "A design-space exploration campaign: space, suite, strategy, objectives.");
    s.add(ParamSpec::choice("kind", {"campaign"})
              .required()
              .not_identity()
              .describe("document kind"));
    s.add(
        ParamSpec::string("name").required().describe("campaign name (unique within a database)"));
    s.add(ParamSpec::string("description").defaults(std::string()).describe("free text"));
    s.add(ParamSpec::integer("seed")
              .at_least(0)
              .defaults(std::int64_t{1})
              .describe("seed of the strategy and of the synthetic workloads"));
    s.add(ParamSpec::string("suite")
              .defaults(std::string("pade22"))
              .describe("benchmark suite to evaluate"));
    s.add(ParamSpec::string_list("benchmarks")
              .defaults(std::vector<std::string>{})
              .describe("explicit benchmark list (overrides suite)"));
    s.add(ParamSpec::string_list("workloads")
              .defaults(std::vector<std::string>{})
              .describe("extra model/suite YAML files or catalog folders (relative to the campaign "
                        "file) added to the shipped catalog, e.g. a suite whose benchmarks read "
                        ".npy dumps (docs/workloads.md)"));
    s.add(ParamSpec::string("hardware_file")
              .defaults(std::string())
              .describe(
                  "base hardware file (relative to the campaign file); empty = paper defaults"));
    s.open_section("hardware",
                   "inline overrides of the base hardware configuration (hardware schema keys)");
    s.open_section("space",
                   "parameters to sweep: key: [levels] or {from, to, step|factor|steps, scale}");
    s.open_section(
        "derived",
        "parameters computed from each point: key: \"expression\" (see docs/campaigns.md)");
    s.add(ParamSpec::choice("strategy", search::builtin_strategies().names())
              .defaults(std::string("grid"))
              .describe("search strategy"));
    s.add(ParamSpec::integer("budget.evaluations")
              .at_least(0)
              .defaults(std::int64_t{0})
              .describe("maximum configurations (0 = the strategy's natural size)"));
    s.add(ParamSpec::real("budget.seconds")
              .with_unit("s")
              .at_least(0)
              .defaults(0.0)
              .describe("wall-time budget (0 = none); evaluation stops cleanly, results kept"));
    s.add(ParamSpec::string_list("objectives")
              .defaults(std::vector<std::string>{"latency", "energy", "area"})
              .describe(
                  "minimized: latency (geo-mean over suite), energy (total), area, power (max), "
                  "accuracy_loss (worst case)"));
    s.add(ParamSpec::real("constraints.area_mm2_max")
              .with_unit("mm^2")
              .at_least(0)
              .defaults(0.0)
              .describe("area budget (0 = none)"));
    s.add(ParamSpec::real("constraints.power_w_max")
              .with_unit("W")
              .at_least(0)
              .defaults(0.0)
              .describe("power budget, worst benchmark (0 = none)"));
    s.add(ParamSpec::real("constraints.accuracy_loss_max")
              .with_unit("ratio")
              .at_least(0)
              .defaults(0.0)
              .describe("accuracy-loss budget, worst benchmark (0 = none)"));
    s.add(ParamSpec::real("constraints.latency_s_max")
              .with_unit("s")
              .at_least(0)
              .defaults(0.0)
              .describe("latency budget, geometric mean over the suite (0 = none)"));
    ParamSpec fidelity = ParamSpec::choice("fidelity", models::builtin_fidelities().names())
                             .defaults(std::string(models::kDefaultFidelity))
                             .describe("hardware model fidelity");
    fidelity.renamed_choices = models::builtin_fidelities().renamed();
    s.add(std::move(fidelity));
    // Each strategy's own keys, declared where the strategy is registered.
    for (const auto& option : search::builtin_strategies().options()) s.add(option.spec);
    s.add(ParamSpec::integer("threads")
              .range(0, 1024)
              .defaults(std::int64_t{0})
              .describe("worker threads (0 = all hardware threads); results do not depend on it"));
    s.add(ParamSpec::integer("batch_size")
              .range(1, 100000)
              .defaults(std::int64_t{32})
              .describe("configurations per committed database batch"));
    s.add(ParamSpec::choice("store", {"summary", "full"})
              .defaults(std::string("summary"))
              .describe("what each evaluation keeps: summary = the metric columns (latency, "
                        "energy, area, power, kept fraction, accuracy loss, DRAM bytes; ~10x "
                        "less disk), full = also every breakdown metric (metrics_json, for the "
                        "energy/area breakdown figures and --metric on breakdown keys)"));
    return s;
  }();
  return schema;
}

std::string objective_name(Objective o) {
  switch (o) {
    case Objective::Latency:
      return "latency";
    case Objective::Energy:
      return "energy";
    case Objective::Area:
      return "area";
    case Objective::Power:
      return "power";
    case Objective::AccuracyLoss:
      return "accuracy_loss";
  }
  return "?";
}

std::string objective_column(Objective o) {
  switch (o) {
    case Objective::Latency:
      return "latency_s";
    case Objective::Energy:
      return "energy_j";
    case Objective::Area:
      return "area_mm2";
    case Objective::Power:
      return "power_w";
    case Objective::AccuracyLoss:
      return "accuracy_loss";
  }
  return "?";
}

std::string objective_aggregation(Objective o) {
  switch (o) {
    case Objective::Latency:
      return "geometric mean of per-benchmark latency (s)";
    case Objective::Energy:
      return "sum of per-benchmark energy (J)";
    case Objective::Area:
      return "area (mm^2), the same for every benchmark";
    case Objective::Power:
      return "maximum per-benchmark average power (W)";
    case Objective::AccuracyLoss:
      return "maximum per-benchmark accuracy loss";
  }
  return "?";
}

core::Metrics suite_objectives(std::span<const core::Metrics> per_benchmark) {
  double log_latency = 0, energy = 0, area = 0, power = 0, loss = 0;
  for (const auto& m : per_benchmark) {
    log_latency += std::log(m.get(core::metric::kLatencyS));
    energy += m.get(core::metric::kEnergyJ);
    area = std::max(area, m.get(core::metric::kAreaMm2));
    power = std::max(power, m.get(core::metric::kPowerW));
    loss = std::max(loss, m.find(core::metric::kAccuracyLoss).value_or(0.0));
  }
  core::Metrics out;
  out.set(core::metric::kLatencyS,
          std::exp(log_latency / static_cast<double>(per_benchmark.size())));
  out.set(core::metric::kEnergyJ, energy);
  out.set(core::metric::kAreaMm2, area);
  out.set(core::metric::kPowerW, power);
  out.set(core::metric::kAccuracyLoss, loss);
  return out;
}

std::vector<std::string> Campaign::fidelity_ladder() const {
  const auto& strategies = search::builtin_strategies();
  if (!strategies.contains(strategy) || strategies.get(strategy).fidelity_rungs < 2)
    return {fidelity};
  return {fidelity, refine_fidelity.empty() ? fidelity : refine_fidelity};
}

namespace {

core::Config merged_hardware(const YAML::Node& root, const std::string& file,
                             const std::filesystem::path& base_dir, const core::Config& top) {
  const core::Schema& hw = models::hardware_schema();
  core::Config base = core::default_config(hw);
  if (const std::string& hw_file = top.string("hardware_file"); !hw_file.empty()) {
    std::filesystem::path p = hw_file;
    if (p.is_relative()) p = base_dir / p;
    // A folder "exists" too, and would read as an empty file (all defaults): require a file.
    if (!std::filesystem::is_regular_file(p))
      throw InputError(top.where("hardware_file"), "hardware_file",
                       "found '" + hw_file + "', expected a hardware file ('" + p.string() +
                           (std::filesystem::exists(p) ? "' is not a file)" : "' does not exist)"));
    base = models::read_hardware(p.string());
  }
  if (const YAML::Node inline_hw = root["hardware"]; inline_hw && !inline_hw.IsNull()) {
    const core::Config given = core::read_config(inline_hw, hw, file, "hardware");
    for (const auto& [key, value] : given.values())
      if (given.where(key).file != "<default>") base.set(key, value, given.where(key));
  }
  return base;
}

}  // namespace

Campaign read_campaign_text(const std::string& text, const std::string& name,
                            const std::filesystem::path& base_dir) {
  const core::YamlDocument doc = core::load_yaml_text(text, name);
  const YAML::Node& root = *doc.root;
  const core::Config top = core::read_config(root, campaign_schema(), doc.file);
  Campaign c;
  c.file = name;
  c.spec_yaml = text;
  c.name = top.string("name");
  if (c.name.empty())
    throw InputError(top.where("name"), "name", "found an empty name, expected a campaign name");
  c.description = top.string("description");
  c.seed = top.integer("seed");
  c.suite = top.string("suite");
  c.benchmarks = top.string_list("benchmarks");
  c.suite_where = top.where(c.benchmarks.empty() ? "suite" : "benchmarks");
  if (c.suite_where.file == "<default>") c.suite_where = {doc.file, 0, 0};
  for (const std::string& given : top.string_list("workloads")) {
    std::filesystem::path p = given;
    if (p.is_relative()) p = base_dir / p;
    if (!std::filesystem::exists(p))
      throw InputError(top.where("workloads"), "workloads",
                       "found '" + given + "', expected a model/suite file or catalog folder ('" +
                           p.string() + "' does not exist)");
    c.workloads.push_back(std::move(p));
  }
  c.base = merged_hardware(root, doc.file, base_dir, top);
  c.space = DesignSpace::read(root["space"], models::hardware_schema(), doc.file);
  c.space.read_derived(root["derived"], models::hardware_schema(), doc.file);
  c.space.check_derived(c.base);
  c.strategy = top.string("strategy");
  c.budget_evaluations = static_cast<std::size_t>(top.integer("budget.evaluations"));
  c.budget_seconds = top.real("budget.seconds");
  const auto& objective_names = top.string_list("objectives");
  for (std::size_t i = 0; i < objective_names.size(); ++i) {
    static const std::vector<std::pair<std::string, Objective>> kNames = {
        {"latency", Objective::Latency},
        {"energy", Objective::Energy},
        {"area", Objective::Area},
        {"power", Objective::Power},
        {"accuracy_loss", Objective::AccuracyLoss}};
    const std::string& o = objective_names[i];
    // Point at the offending item, not at the list.
    const YAML::Node list = root["objectives"];
    const core::SourceLocation at = list && list.IsSequence() && i < list.size()
                                        ? core::location_of(list[i], doc.file)
                                        : top.where("objectives");
    bool found = false;
    std::string best;
    std::size_t best_d = std::string::npos;
    for (const auto& [n, obj] : kNames) {
      if (const auto d = core::edit_distance(o, n); d < best_d) best_d = d, best = n;
      if (n == o) {
        for (const auto existing : c.objectives)
          if (existing == obj)
            throw InputError(at, "objectives",
                             "found '" + o + "' a second time, expected each objective once");
        c.objectives.push_back(obj);
        found = true;
      }
    }
    if (!found) {
      std::string shown = "'" + o + "'";
      if (best_d <= std::max<std::size_t>(2, o.size() / 3))
        shown += " (did you mean '" + best + "'?)";
      throw InputError(
          at, "objectives",
          "found " + shown +
              ", expected objectives from: latency, energy, area, power, accuracy_loss");
    }
  }
  if (c.objectives.empty())
    throw InputError(top.where("objectives"), "objectives",
                     "found an empty list, expected at least one objective");
  for (const auto& [key, column] : std::vector<std::pair<std::string, std::string>>{
           {"constraints.area_mm2_max", "area_mm2"},
           {"constraints.power_w_max", "power_w"},
           {"constraints.accuracy_loss_max", "accuracy_loss"},
           {"constraints.latency_s_max", "latency_s"}})
    if (const double v = top.real(key); v > 0) c.constraints.push_back(Constraint{column, v});
  c.fidelity = top.string("fidelity");
  c.refine_fidelity = top.string("refine_fidelity");
  if (!c.refine_fidelity.empty())
    c.refine_fidelity =
        models::builtin_fidelities()
            .get(c.refine_fidelity, {top.where("refine_fidelity"), "refine_fidelity"})
            .name;
  // Every strategy reads its own keys; the runner hands these on in StrategyOptions.
  search::StrategyOptions options;
  for (const auto& option : search::builtin_strategies().options())
    if (option.read) option.read(top, options);
  c.eta = options.eta;
  c.population = options.population;
  c.threads = static_cast<int>(top.integer("threads"));
  c.batch_size = static_cast<std::size_t>(top.integer("batch_size"));
  c.store_full = top.string("store") == "full";
  return c;
}

Campaign read_campaign(const std::string& path) {
  return read_campaign_text(core::read_input_file(path, "campaign file"), path,
                            std::filesystem::path(path).parent_path());
}

std::string default_database_file(const std::string& campaign_name) {
  // The name is free text; the file must stay in the working folder, so every character that
  // could make a path (separators, "..", a leading dot or dash) becomes '_'.
  std::string file;
  for (const char c : campaign_name.substr(0, 100)) {
    const bool safe = std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' ||
                      (c == '.' && !file.empty() && file.back() != '.');
    file += safe ? c : '_';
  }
  if (file.empty() || file.front() == '-' || file.front() == '.') file.insert(0, "campaign_");
  if (file.back() == '.') file.back() = '_';  // "x." + ".db" would make ".."
  return file + ".db";
}

namespace {

/// The file's top-level mapping without `budget:`, as comparable text (comments and layout gone).
std::string without_budget(const YAML::Node& root) {
  YAML::Node copy = YAML::Clone(root);
  if (copy.IsMap()) copy.remove("budget");
  YAML::Emitter out;
  out << copy;
  return out.c_str();
}

std::int64_t evaluation_budget(const YAML::Node& root) {
  const YAML::Node b = root.IsMap() ? root["budget"] : YAML::Node();
  return b && b.IsMap() && b["evaluations"] ? b["evaluations"].as<std::int64_t>() : 0;
}

/// The first top-level key whose value differs between the two files (for the message).
std::string first_difference(const YAML::Node& a, const YAML::Node& b) {
  const auto text = [](const YAML::Node& n) {
    YAML::Emitter e;
    e << n;
    return std::string(e.c_str());
  };
  for (const auto& side : {a, b})
    for (const auto& kv : side) {
      const auto key = kv.first.as<std::string>();
      if (key == "budget") continue;
      if (!a[key] || !b[key] || text(a[key]) != text(b[key])) return key;
    }
  return "?";
}

}  // namespace

ResumeChange compare_for_resume(const std::string& stored_spec, const Campaign& given) {
  if (stored_spec == given.spec_yaml) return ResumeChange::None;
  const YAML::Node stored = YAML::Load(stored_spec);
  const core::YamlDocument now = core::load_yaml_text(given.spec_yaml, given.file);
  const std::string why =
      "the campaign file changed since campaign '" + given.name + "' was started";
  if (without_budget(stored) != without_budget(*now.root))
    throw InputError(
        {given.file, 0, 0}, first_difference(stored, *now.root),
        why + "; resume needs the same file (only budget: may be raised, to extend it)");
  const std::int64_t before = evaluation_budget(stored);
  const auto after = static_cast<std::int64_t>(given.budget_evaluations);
  if (before == 0 ? after != 0 : after != 0 && after < before)
    throw InputError({given.file, 0, 0}, "budget.evaluations",
                     why + ": found " + std::to_string(after) + ", expected at least " +
                         (before == 0 ? std::string("the strategy's natural size (0)")
                                      : std::to_string(before)) +
                         " — resuming can raise a budget, not lower it");
  return ResumeChange::Budget;
}

}  // namespace pade::dse
