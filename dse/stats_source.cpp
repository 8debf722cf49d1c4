#include "dse/stats_source.hpp"

#include "dse/llm_eval.hpp"
#include "models/digest.hpp"
#include "workloads/stories260k.hpp"

namespace pade::dse {

namespace {

/// BOS and the first seq_len - 1 tokens of a stories260k benchmark's text; InputError when
/// seq_len is outside the model's context or the text is too short.
std::vector<workloads::TokenId> stories_tokens(const workloads::Benchmark& b,
                                               const workloads::Stories260K& m) {
  const auto context = m.model.config().seq_len;
  const auto tokens_wanted = static_cast<std::size_t>(b.seq_len);
  if (tokens_wanted < 2 || tokens_wanted > context)
    throw core::InputError(b.where, "seq_len",
                           "found " + std::to_string(b.seq_len) + " for benchmark '" + b.name +
                               "', expected 2.." + std::to_string(context) +
                               " (BOS plus text tokens within the stories260K context)");
  auto tokens = encode_text(m.tokenizer, read_text_file(b.trace.path), tokens_wanted - 1);
  if (tokens.size() + 1 < tokens_wanted)
    throw core::InputError(core::SourceLocation{b.trace.path.string(), 0, 0}, "",
                           "the text has " + std::to_string(tokens.size()) +
                               " tokens; benchmark '" + b.name + "' (" + b.where.str() +
                               ") needs seq_len - 1 = " + std::to_string(tokens_wanted - 1));
  tokens.insert(tokens.begin(), workloads::Tokenizer::kBos);
  return tokens;
}

std::string stories_what(const workloads::Benchmark& b) {
  return "stories260K over " + b.trace.path.string();
}

std::unique_ptr<workloads::TraceSource> stories_source(const workloads::Benchmark& b) {
  const auto m = workloads::Stories260K::load();
  const auto tokens = stories_tokens(b, m);
  return std::make_unique<workloads::ModelTraceSource>(
      b, workloads::trace_attention(m.model, tokens), stories_what(b));
}

}  // namespace

std::unique_ptr<workloads::TraceSource> make_trace_source(
    const workloads::Benchmark& b, const workloads::Catalog& catalog,
    const workloads::GeneratorTable& generator, std::uint64_t seed) {
  switch (b.trace.kind) {
    case workloads::TraceKind::npy:
      return std::make_unique<workloads::NpyTrace>(b, b.trace.path);
    case workloads::TraceKind::stories260k:
      return stories_source(b);
    case workloads::TraceKind::synthetic:
      break;
  }
  return std::make_unique<workloads::SyntheticTrace>(
      b, generator.family(catalog.model(b.model).family), seed);
}

void check_trace(const workloads::Benchmark& b, const workloads::Catalog& catalog,
                 const workloads::GeneratorTable& generator, const workloads::SamplingPlan& plan,
                 std::uint64_t seed) {
  switch (b.trace.kind) {
    case workloads::TraceKind::synthetic:
      (void)generator.family(catalog.model(b.model).family);
      return;
    case workloads::TraceKind::npy:
      workloads::NpyTrace(b, b.trace.path).check(workloads::sample_heads(b, plan, seed));
      return;
    case workloads::TraceKind::stories260k: {
      const auto m = workloads::Stories260K::load();
      const auto tokens = stories_tokens(b, m);
      workloads::check_model_shape(
          b, workloads::ModelTraceShape::of(m.model.config(), tokens.size()), stories_what(b));
      return;
    }
  }
}

std::string stats_identity(const workloads::Benchmark& b, const workloads::Catalog& catalog,
                           const workloads::GeneratorTable& generator) {
  return workloads::trace_identity(
      b, b.trace.synthetic() ? &generator.family(catalog.model(b.model).family) : nullptr);
}

models::FunctionalOptions functional_options(const AlgorithmPoint& p) {
  models::FunctionalOptions o;
  o.bits = p.bits;
  o.bits_per_round = p.bits_per_round;
  o.alpha = p.alpha;
  o.radius = p.radius;
  if (!p.bui_gf) o.alpha = 1e30 / std::max(p.radius, 1e-9);  // no pruning: every plane runs
  o.query_group = static_cast<std::size_t>(p.qk_rows);
  o.key_tile = static_cast<std::size_t>(p.tile_keys);
  o.order = p.tile_order;
  return o;
}

StatsCache::Source synthetic_stats_source(const workloads::Catalog& catalog,
                                          const workloads::GeneratorTable& generator,
                                          const workloads::SamplingPlan& plan, std::uint64_t seed) {
  StatsCache::Source source;
  source.check = [&catalog, &generator, plan, seed](const workloads::Benchmark& b) {
    check_trace(b, catalog, generator, plan, seed);
  };
  source.identity = [&catalog, &generator](const workloads::Benchmark& b) {
    return stats_identity(b, catalog, generator);
  };
  // Every algorithm point's digest of a benchmark compares with the same dense references.
  auto references = std::make_shared<models::DenseReferenceCache>();
  source.compute = [&catalog, &generator, plan, seed, references](const workloads::Benchmark& b,
                                                                  const AlgorithmPoint& p) {
    models::DigestOptions o;
    o.plan = plan;
    o.seed = seed;
    o.dense_references = references;
    o.functional = functional_options(p);
    const auto source = make_trace_source(b, catalog, generator, seed);
    return models::digest_benchmark(b, *source, o);
  };
  return source;
}

std::string synthetic_stats_version(const workloads::SamplingPlan& plan, std::uint64_t seed) {
  return std::string(models::kDigestVersion) + ";" + plan.key() + ";seed=" + std::to_string(seed);
}

}  // namespace pade::dse
