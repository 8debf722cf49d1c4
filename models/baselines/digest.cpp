// The baselines' counterpart of models/digest.cpp: run a rule on the sampled generator heads of a
// benchmark and turn its counters into per-pair averages.
#include <tbb/parallel_for.h>

#include <stdexcept>

#include "models/baselines/baseline.hpp"

namespace pade::models {

BaselineStats digest_counters(const RuleCounters& c) {
  BaselineStats s;
  const auto get = [&](const char* k) {
    const auto it = c.find(k);
    return it == c.end() ? 0.0 : it->second;
  };
  const double pairs = get("pairs"), rows = get("rows"), keys = get("keys");
  // Denominators by prefix: row_* per sampled row, key_* per visible key, anything else per pair.
  for (const auto& [name, v] : c) {
    if (name == "pairs" || name == "rows" || name == "keys") continue;
    const double den = name.rfind("row_", 0) == 0   ? rows
                       : name.rfind("key_", 0) == 0 ? keys
                                                    : pairs;
    s.per_pair[name] = den > 0 ? v / den : 0.0;
  }
  s.sampled_rows = rows;
  s.sampled_pairs = pairs;
  return s;
}

BaselineStats digest_baseline(const BaselineInfo& info, const BaselineContext& ctx,
                              const workloads::Benchmark& benchmark,
                              const workloads::GeneratorKnobs& knobs,
                              const BaselineDigestOptions& options) {
  BaselineStats out;
  out.source = info.name + "/" + info.version + ";plan=" + options.plan.key() +
               ";seed=" + std::to_string(options.seed);
  if (!info.rule) {  // dense
    out.per_pair["kept"] = 1.0;
    return out;
  }
  const auto samples = workloads::sample_heads(benchmark, options.plan, options.seed);
  std::vector<RuleCounters> per_head(samples.size());
  tbb::parallel_for(std::size_t{0}, samples.size(), [&](std::size_t i) {
    const auto& sample = samples[i];
    const auto& group = benchmark.groups[sample.group];
    const core::AttentionHead head = workloads::generate_head(
        benchmark, group, sample.layer, sample.head, knobs, options.seed, sample.rows);
    HeadContext hc;
    hc.layer = group.first_layer + sample.layer;
    hc.total_layers = benchmark.total_layers();
    hc.seed = options.seed;
    hc.label = benchmark.name + "/g" + std::to_string(sample.group) + "/l" +
               std::to_string(sample.layer) + "/h" + std::to_string(sample.head);
    per_head[i] = info.rule(head, hc, ctx);
  });
  // Per group (head dims may differ), then combined by the groups' pair counts.
  std::map<std::string, double> mixed;
  double total_weight = 0;
  for (std::size_t g = 0; g < benchmark.groups.size(); ++g) {
    RuleCounters merged;
    for (std::size_t i = 0; i < samples.size(); ++i)
      if (samples[i].group == g)
        for (const auto& [k, v] : per_head[i]) merged[k] += v;
    if (merged["pairs"] <= 0) continue;
    const BaselineStats part = digest_counters(merged);
    const double w = benchmark.groups[g].total_pairs();
    for (const auto& [k, v] : part.per_pair) mixed[k] += w * v;
    total_weight += w;
    out.sampled_rows += part.sampled_rows;
    out.sampled_pairs += part.sampled_pairs;
  }
  if (total_weight <= 0)
    throw std::runtime_error("benchmark '" + benchmark.name + "' sampled no query-key pairs");
  for (const auto& [k, v] : mixed) out.per_pair[k] = v / total_weight;
  return out;
}

}  // namespace pade::models
