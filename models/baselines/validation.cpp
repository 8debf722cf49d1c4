#include "models/baselines/validation.hpp"

#include <yaml-cpp/yaml.h>

#include <filesystem>

namespace pade::models {

std::string own_papers_path() {
  return (std::filesystem::path(PADE_SOURCE_DIR) / "models" / "baselines" / "data" /
          "own_papers.yaml")
      .string();
}

namespace {

std::string text(const YAML::Node& item, const std::string& key, const std::string& file,
                 std::size_t index, bool required) {
  const YAML::Node n = item[key];
  if (!n) {
    if (!required) return {};
    throw core::InputError(core::location_of(item, file),
                           "quantities[" + std::to_string(index) + "]." + key,
                           "missing; expected a string");
  }
  if (!n.IsScalar())
    throw core::InputError(core::location_of(n, file),
                           "quantities[" + std::to_string(index) + "]." + key,
                           "found " + core::found_text(n) + "; expected a string");
  return n.as<std::string>();
}

}  // namespace

std::vector<PublishedQuantity> read_own_papers(const std::string& path) {
  const core::YamlDocument doc = core::load_yaml_file(path);
  const YAML::Node list = (*doc.root)["quantities"];
  if (!list || !list.IsSequence())
    throw core::InputError(core::location_of(*doc.root, doc.file), "quantities",
                           "expected a list of published quantities");
  std::vector<PublishedQuantity> out;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const YAML::Node item = list[i];
    PublishedQuantity q;
    q.where = core::location_of(item, doc.file);
    q.design = text(item, "design", doc.file, i, true);
    q.quantity = text(item, "quantity", doc.file, i, true);
    q.against = text(item, "against", doc.file, i, false);
    q.benchmark = text(item, "benchmark", doc.file, i, true);
    q.citation = text(item, "citation", doc.file, i, true);
    q.explanation = text(item, "explanation", doc.file, i, false);
    q.fitted = text(item, "fitted", doc.file, i, false) == "true";
    if (const std::string k = text(item, "kept", doc.file, i, false); !k.empty())
      q.kept = std::stod(k);
    const std::string value = text(item, "published", doc.file, i, true);
    try {
      q.published = std::stod(value);
    } catch (const std::exception&) {
      throw core::InputError(core::location_of(item["published"], doc.file),
                             "quantities[" + std::to_string(i) + "].published",
                             "found \"" + value + "\"; expected a number");
    }
    out.push_back(std::move(q));
  }
  return out;
}

BaselineStats paper_stats(const std::string& design, double kept_fraction) {
  BaselineStats s;
  s.per_pair["kept"] = kept_fraction;
  // Row-wise selections on bidirectional BERT leave almost every key kept by some row; SpAtten's
  // token pruning drops the key itself.
  s.per_pair["key_kept"] = design == "spatten" ? kept_fraction : 1.0;
  s.per_pair["pe_slots"] = kept_fraction / 16.0;  // pack & split at full efficiency (stand-in)
  s.per_pair["round2"] = 0.5;                     // Energon's first round keeps ~half (β = 0)
  s.per_pair["key_round2"] = 1.0;
  s.per_pair["row_lsb"] = 0.1;  // SpAtten: 10 % of rows refetch LSBs (stand-in, not published)
  s.per_pair["lsb_pairs"] = 0.1 * kept_fraction;
  return s;
}

namespace {

core::Metrics run(const std::string& design, const BaselineContext& ctx,
                  const workloads::Benchmark& bench, double kept) {
  return builtin_baselines().get(design).cost(ctx, bench, paper_stats(design, kept));
}

}  // namespace

double own_paper_value(const PublishedQuantity& q, const BaselineContext& published_ctx,
                       const workloads::Catalog& catalog) {
  BaselineContext ctx = published_ctx;
  ctx.config.set("normalization", std::string("published"), {"own-paper validation", 0, 0});
  const auto& bench = catalog.benchmark(q.benchmark);
  const double kept = q.kept > 0 ? q.kept : published_design(q.design).kept_fraction;
  const core::Metrics m = run(q.design, ctx, bench, kept);
  if (q.quantity == "speedup" || q.quantity == "energy_efficiency") {
    const core::Metrics o = run(q.against, ctx, bench, published_design(q.against).kept_fraction);
    const std::string key(q.quantity == "speedup" ? core::metric::kLatencyS
                                                  : core::metric::kEnergyJ);
    return o.get(key) / m.get(key);
  }
  if (q.quantity == "dram_reduction")
    return run(q.design, ctx, bench, 1.0).get(std::string(core::metric::kDramBytes)) /
           m.get(std::string(core::metric::kDramBytes));
  if (q.quantity.rfind("power_share:", 0) == 0) {
    const std::string unit = q.quantity.substr(12);
    return m.get("energy_" + unit + "_j") / m.get("energy_core_j");
  }
  if (q.quantity == "predictor_to_executor")
    return m.get("energy_predictor_j") / (m.get("energy_exec_j") + m.get("energy_exp_j"));
  throw core::InputError(q.where, "quantity",
                         "found \"" + q.quantity +
                             "\"; expected speedup, energy_efficiency, dram_reduction, "
                             "power_share:<unit> or predictor_to_executor");
}

}  // namespace pade::models
