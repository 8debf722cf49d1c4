#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "models/digest.hpp"
#include "models/functional.hpp"
#include "tests/test_functional_helpers.hpp"
#include "workloads/catalog.hpp"
#include "workloads/generator.hpp"

using namespace pade::workloads;
using pade::core::AttentionHead;
using pade::core::InputError;
using pade::core::Matrix;

namespace {

const Catalog& catalog() {
  static const Catalog c = Catalog::builtin();
  return c;
}
const GeneratorTable& table() {
  static const GeneratorTable t = GeneratorTable::builtin();
  return t;
}
const GeneratorKnobs& knobs_of(const Benchmark& b) {
  return table().family(catalog().model(b.model).family);
}
/// The family's knobs with StreamingLLM's local bottom layers switched on (recency.local_layers
/// is 0 by default until the sampling plan weights layers by what they represent:
/// docs/generator.md, "Local bottom layers").
GeneratorKnobs knobs_published(const Benchmark& b) {
  GeneratorKnobs k = knobs_of(b);
  if (k.recency_logit > 0.0) k.local_layers = 2;
  return k;
}

bool same(const Matrix& a, const Matrix& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         std::equal(a.data().begin(), a.data().end(), b.data().begin());
}

AttentionHead make(const std::string& bench, int layer, int head, std::uint64_t seed,
                   std::vector<std::size_t> rows = {}) {
  const Benchmark& b = catalog().benchmark(bench);
  const AttentionGroup& g = b.groups.at(0);
  if (rows.empty()) rows = all_rows(static_cast<std::size_t>(g.queries));
  return generate_head(b, g, layer, head, knobs_of(b), seed, rows);
}

/// Mean statistics over the given query heads of one layer (the documented ranges are per-layer
/// means: single heads are spread on purpose).
HeadStats layer_mean(const std::string& bench, int layer, std::initializer_list<int> heads) {
  HeadStats m;
  for (const int h : heads) {
    const HeadStats s = measure_head(make(bench, layer, h, 1));
    m.first_token_mass += s.first_token_mass / static_cast<double>(heads.size());
    m.keys_for_90pct_mass += s.keys_for_90pct_mass / static_cast<double>(heads.size());
    m.logit_std += s.logit_std / static_cast<double>(heads.size());
    m.oracle_kept_fraction += s.oracle_kept_fraction / static_cast<double>(heads.size());
  }
  return m;
}

}  // namespace

TEST_CASE("the shipped knob table has a row for every shipped model family") {
  for (const auto& name : catalog().model_names())
    CHECK_NOTHROW(table().family(catalog().model(name).family));
  CHECK(table().family("vit").locality_geometry == "grid");
  CHECK(table().family("llama").sink_tokens == 1);
  try {
    (void)table().family("lama");
    FAIL("expected an InputError");
  } catch (const InputError& e) {
    CHECK_THAT(e.what(), Catch::Contains("did you mean 'llama'"));
  }
}

TEST_CASE("a bad knob table is an InputError at the key's line and column") {
  const std::string text =
      "kind: generator\n"
      "families:\n"
      "  llama:\n"
      "    logit_std: {first_layer: 0.8, last_layer: 2.0}\n"
      "    sink: {logit: 6.0, tokenz: 1}\n"
      "    locality: {logit: 1.0}\n";
  try {
    (void)GeneratorTable::parse(text, "gen.yaml");
    FAIL("expected an InputError");
  } catch (const InputError& e) {
    CHECK(e.where().line == 5);
    CHECK(e.where().column == 24);
    CHECK_THAT(e.what(), Catch::Contains("families.llama.sink.tokenz"));
    CHECK_THAT(e.what(), Catch::Contains("did you mean"));
  }
  CHECK_THROWS_AS(
      GeneratorTable::parse(
          "kind: generator\nfamilies:\n  x: {logit_std: {first_layer: -1, last_layer: 1}, "
          "sink: {logit: 0}, locality: {logit: 0}}\n",
          "neg.yaml"),
      InputError);
}

TEST_CASE("generation is deterministic by seed") {
  const AttentionHead a = make("llama2-7b/mmlu", 20, 5, 42);
  const AttentionHead b = make("llama2-7b/mmlu", 20, 5, 42);
  const AttentionHead c = make("llama2-7b/mmlu", 20, 5, 43);
  REQUIRE(a.q.rows() == 512);
  REQUIRE(a.k.rows() == 512);
  REQUIRE(a.q.cols() == 128);
  CHECK(same(a.q, b.q));
  CHECK(same(a.k, b.k));
  CHECK(same(a.v, b.v));
  CHECK(a.query_positions == b.query_positions);
  CHECK_FALSE(same(a.q, c.q));
  CHECK_FALSE(same(a.k, c.k));
  CHECK_FALSE(same(a.v, c.v));
  // Different layers and heads differ too.
  CHECK_FALSE(same(a.q, make("llama2-7b/mmlu", 21, 5, 42).q));
  CHECK_FALSE(same(a.k, make("llama2-7b/mmlu", 20, 6, 42).k));
}

TEST_CASE("a query row does not depend on which other rows are generated") {
  const AttentionHead full = make("llama2-7b/mmlu", 12, 3, 7);
  const AttentionHead some = make("llama2-7b/mmlu", 12, 3, 7, {300, 5, 511});
  REQUIRE(some.q.rows() == 3);
  CHECK(same(full.k, some.k));
  const std::size_t picked[] = {300, 5, 511};
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(some.query_positions[i] == picked[i]);
    const auto a = some.q.row(i);
    const auto b = full.q.row(picked[i]);
    CHECK(std::equal(a.begin(), a.end(), b.begin()));
  }
  // The decode form sees the same KV cache, and its one query is the prefill's last row.
  const Benchmark& dec = catalog().benchmark("llama2-7b/mmlu@decode");
  const AttentionHead d = generate_head(dec, dec.groups[0], 12, 3, knobs_of(dec), 7, all_rows(1));
  REQUIRE(d.q.rows() == 1);
  CHECK(d.query_positions[0] == 511);
  CHECK(same(d.k, full.k));
  const auto last = full.q.row(511);
  CHECK(std::equal(last.begin(), last.end(), d.q.row(0).begin()));
}

TEST_CASE("GQA: query heads of one KV group share K and V exactly") {
  // llama3-8b: 32 query heads over 8 KV heads, so heads 0..3 share KV head 0.
  const std::vector<std::size_t> rows = {0, 17, 255};
  const AttentionHead h0 = make("llama3-8b/winogrande", 10, 0, 9, rows);
  const AttentionHead h3 = make("llama3-8b/winogrande", 10, 3, 9, rows);
  const AttentionHead h4 = make("llama3-8b/winogrande", 10, 4, 9, rows);
  CHECK(same(h0.k, h3.k));
  CHECK(same(h0.v, h3.v));
  CHECK_FALSE(same(h0.q, h3.q));
  CHECK_FALSE(same(h0.k, h4.k));
  CHECK_FALSE(same(h0.v, h4.v));
}

TEST_CASE("measure_head on a hand-made head") {
  // Four keys, zero scores: uniform attention over the visible keys.
  AttentionHead h;
  h.q = Matrix(2, 4);
  h.k = Matrix(4, 4);
  h.v = Matrix(4, 4);
  h.query_positions = {1, 3};
  h.causal = true;
  HeadStats s = measure_head(h);
  CHECK(s.first_token_mass == Approx((1.0 / 2 + 1.0 / 4) / 2));
  CHECK(s.keys_for_90pct_mass == Approx(1.0));  // 2 of 2, and 4 of 4 keys
  CHECK(s.logit_std == Approx(0.0));
  CHECK(s.oracle_kept_fraction == Approx(1.0));

  // One dominant key: q·k/√d = 10 for key 0 only.
  h.q = Matrix(1, 4, {2, 0, 0, 0});
  h.k = Matrix(4, 4, {10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  h.query_positions = {3};
  s = measure_head(h);
  CHECK(s.first_token_mass == Approx(std::exp(10.0) / (std::exp(10.0) + 3.0)));
  CHECK(s.keys_for_90pct_mass == Approx(0.25));
  CHECK(s.oracle_kept_fraction == Approx(0.25));
  CHECK(s.logit_std == Approx(std::sqrt(3.0) / 4.0 * 10.0));

  // ALiBi: a large slope moves the mass to the query's own position.
  h.q = Matrix(1, 4);
  h.k = Matrix(4, 4);
  h.additive_bias_slope = 10.0;
  s = measure_head(h);
  CHECK(s.first_token_mass < 1e-12);
  CHECK(s.keys_for_90pct_mass == Approx(0.25));
}

TEST_CASE("ALiBi heads carry their own slope") {
  const AttentionHead h0 = make("bloom-1.7b/winogrande", 5, 0, 1, {255});
  const AttentionHead h3 = make("bloom-1.7b/winogrande", 5, 3, 1, {255});
  CHECK(h0.additive_bias_slope == Approx(std::pow(2.0, -0.5)));
  CHECK(h3.additive_bias_slope == Approx(std::pow(2.0, -2.0)));
  CHECK(make("llama2-7b/mmlu", 5, 0, 1, {0}).additive_bias_slope == 0.0);
}

namespace {
/// Means over the given layers and every `step`-th query head (the generator's heads are
/// bimodal on purpose — broad or peaked — so ranges are checked on means over many heads).
struct SpanStats {
  HeadStats mean;
  double peaked_share = 0.0;  // heads whose first-token mass exceeds 0.7 (sink-dominated)
};
SpanStats span_mean(const std::string& bench, std::initializer_list<int> layers, int step,
                    std::vector<std::size_t> rows = {}) {
  const Benchmark& b = catalog().benchmark(bench);
  const AttentionGroup& g = b.groups.at(0);
  SpanStats out;
  int n = 0;
  for (const int layer : layers)
    for (int h = 0; h < g.q_heads; h += step, ++n) {
      const HeadStats s = measure_head(make(bench, layer, h, 1, rows));
      out.mean.first_token_mass += s.first_token_mass;
      out.mean.keys_for_90pct_mass += s.keys_for_90pct_mass;
      out.mean.logit_std += s.logit_std;
      out.mean.oracle_kept_fraction += s.oracle_kept_fraction;
      out.peaked_share += s.first_token_mass > 0.7 ? 1.0 : 0.0;
    }
  out.mean.first_token_mass /= n;
  out.mean.keys_for_90pct_mass /= n;
  out.mean.logit_std /= n;
  out.mean.oracle_kept_fraction /= n;
  out.peaked_share /= n;
  return out;
}
}  // namespace

TEST_CASE("LLM heads land in the documented ranges", "[workloads2]") {
  // docs/generator.md, "Measured statistics": means over layers 12-28 of llama2-7b/mmlu (512
  // tokens), every 4th query head, 64 query rows.
  const std::vector<std::size_t> rows = {7, 63, 127, 191, 255, 319, 383, 447, 511};
  const SpanStats late = span_mean("llama2-7b/mmlu", {12, 16, 20, 24, 28}, 4, rows);
  INFO("first-token " << late.mean.first_token_mass << " k90 " << late.mean.keys_for_90pct_mass
                      << " std " << late.mean.logit_std << " peaked " << late.peaked_share);
  CHECK(late.mean.first_token_mass >= 0.5);
  CHECK(late.mean.first_token_mass <= 0.9);
  CHECK(late.mean.keys_for_90pct_mass >= 0.05);
  CHECK(late.mean.keys_for_90pct_mass <= 0.35);
  CHECK(late.mean.logit_std >= 1.0);
  CHECK(late.mean.logit_std <= 3.0);
  // About four in five later-layer heads are sink-dominated, the rest broad.
  CHECK(late.peaked_share >= 0.6);
  CHECK(late.peaked_share <= 0.95);
  // Layer 0 is broad and has no sink (with the default recency.local_layers = 0; the published
  // local bottom layers are checked with knobs_published below).
  const SpanStats early = span_mean("llama2-7b/mmlu", {0}, 4, rows);
  CHECK(early.mean.first_token_mass < 0.1);
  CHECK(early.mean.keys_for_90pct_mass > 0.6);
  CHECK(early.peaked_share == 0.0);
}

TEST_CASE("vision heads are broader than LLM heads and have no strong sink", "[workloads2]") {
  const SpanStats vit = span_mean("vit-l16/imagenet", {12, 16, 20}, 2);
  const std::vector<std::size_t> rows = {63, 255, 511};
  const SpanStats llm = span_mean("llama2-7b/mmlu", {12, 16, 20}, 4, rows);
  INFO("vit first-token " << vit.mean.first_token_mass << " k90 " << vit.mean.keys_for_90pct_mass
                          << " std " << vit.mean.logit_std);
  CHECK(vit.mean.first_token_mass < 0.1);
  CHECK(vit.mean.keys_for_90pct_mass >= 0.3);
  CHECK(vit.mean.keys_for_90pct_mass <= 0.8);
  CHECK(vit.mean.keys_for_90pct_mass > llm.mean.keys_for_90pct_mass);
  CHECK(vit.mean.logit_std >= 0.3);
  CHECK(vit.mean.logit_std <= 3.0);
  CHECK(vit.mean.oracle_kept_fraction > llm.mean.oracle_kept_fraction);

  // PVT stage 1: 3136 queries against 49 pooled keys; sample a few rows.
  const Benchmark& pvt = catalog().benchmark("pvt-small/imagenet");
  const AttentionHead h = generate_head(pvt, pvt.groups[0], 2, 0, knobs_of(pvt), 1,
                                        std::vector<std::size_t>{0, 1000, 3135});
  CHECK(h.q.rows() == 3);
  CHECK(h.k.rows() == 49);
  CHECK(h.q.cols() == 64);
  CHECK_FALSE(h.causal);
  const HeadStats s = measure_head(h);
  CHECK(s.keys_for_90pct_mass > 0.2);
}

TEST_CASE("the sink keeps its mass as rows see more keys (length gain)", "[workloads2]") {
  // sink.length_gain = 1: the bonus grows by ln(visible keys), so a peaked head's first-token
  // mass is about the same early and late in a 1024-token row.
  const Benchmark& b = catalog().benchmark("llama2-7b/mbpp");
  const AttentionGroup& g = b.groups[0];
  double early = 0, late = 0;
  int n = 0;
  for (int h = 0; h < g.q_heads; ++h) {
    const HeadStats s = measure_head(make("llama2-7b/mbpp", 24, h, 1, {1023}));
    if (s.first_token_mass < 0.7) continue;  // a broad head
    early += measure_head(make("llama2-7b/mbpp", 24, h, 1, {127})).first_token_mass;
    late += s.first_token_mass;
    ++n;
  }
  REQUIRE(n >= 10);
  CHECK(std::abs(early / n - late / n) < 0.1);
}

TEST_CASE("a knob table without the new sections keeps the old behaviour", "[workloads2]") {
  const GeneratorTable t = GeneratorTable::parse(
      "kind: generator\nfamilies:\n  x: {logit_std: {first_layer: 1, last_layer: 2}, sink: {logit: "
      "3}, "
      "locality: {logit: 0}}\n",
      "old.yaml");
  const GeneratorKnobs& k = t.family("x");
  CHECK(k.sink_length_gain == 0.0);
  CHECK(k.broad_fraction_first == 0.0);
  CHECK(k.broad_fraction_last == 0.0);
  CHECK(k.broad_scale == 1.0);
  CHECK_THROWS_AS(
      GeneratorTable::parse(
          "kind: generator\nfamilies:\n  x: {logit_std: {first_layer: 1, last_layer: 2}, "
          "sink: {logit: 3}, locality: {logit: 0}, broad_heads: {scale: 2}}\n",
          "bad.yaml"),
      InputError);
}

TEST_CASE(
    "calibration: PADE at alpha 0.5, radius 5, INT8 prunes 70-80 % on llama mmlu, less on vision",
    "[calibration][workloads2]") {
  // A cheap plan (16 layers x 16 heads x 8 rows); docs/generator.md gives larger-plan figures.
  pade::models::DigestOptions o;
  o.plan.layers = 16;
  o.plan.heads_per_layer = 16;
  o.plan.row_groups = 1;
  o.plan.rows_per_group = 8;
  o.bootstrap_samples = 50;
  auto digest = [&](const char* name) {
    const Benchmark& b = catalog().benchmark(name);
    return pade::models::digest_benchmark(b, knobs_of(b), o);
  };
  const auto llama = digest("llama2-7b/mmlu");
  const auto vit = digest("vit-l16/imagenet");
  INFO("llama pruned " << 1 - llama.kept_fraction << " ± " << llama.stderr_kept_fraction
                       << ", mass " << llama.retained_mass << "; vit pruned "
                       << 1 - vit.kept_fraction);
  CHECK(1 - llama.kept_fraction >= 0.70);
  CHECK(1 - llama.kept_fraction <= 0.80);
  CHECK(llama.retained_mass >= 0.93);
  CHECK(llama.accuracy_loss <= 0.01);
  CHECK(1 - vit.kept_fraction < 1 - llama.kept_fraction - 0.1);
  CHECK(vit.retained_mass >= 0.9);
}

TEST_CASE("generate_head rejects out-of-range indices") {
  const Benchmark& b = catalog().benchmark("llama2-7b/winogrande");
  const AttentionGroup& g = b.groups[0];
  const std::vector<std::size_t> bad_row = {256};
  const std::vector<std::size_t> ok_row = {0};
  CHECK_THROWS_AS(generate_head(b, g, 0, 0, knobs_of(b), 1, bad_row), std::out_of_range);
  CHECK_THROWS_AS(generate_head(b, g, 32, 0, knobs_of(b), 1, ok_row), std::out_of_range);
  CHECK_THROWS_AS(generate_head(b, g, 0, 32, knobs_of(b), 1, ok_row), std::out_of_range);
}

TEST_CASE("generator statistics table", "[.generator-table]") {
  // Not run by default: `pade_tests "[.generator-table]"` prints per-layer means for calibrating
  // generator.yaml (oracle_kept_fraction at α·radius = 2.5 is the lever for the 75 % target).
  for (const char* name : {"llama2-7b/mmlu", "llama2-7b/mbpp", "llama3-8b/mmlu", "opt-1.3b/mmlu",
                           "bloom-1.7b/winogrande", "qwen-7b/mmlu", "vit-l16/imagenet"}) {
    const Benchmark& b = catalog().benchmark(name);
    const AttentionGroup& g = b.groups[0];
    double kept = 0.0;
    int n = 0;
    for (int layer = 0; layer < g.layers; layer += 4) {
      const HeadStats s = layer_mean(name, layer, {0, g.q_heads / 2});
      kept += s.oracle_kept_fraction, ++n;
      WARN(name << " L" << layer << ": sink " << s.first_token_mass << " k90 "
                << s.keys_for_90pct_mass << " std " << s.logit_std << " kept "
                << s.oracle_kept_fraction);
    }
    WARN(name << ": mean oracle kept " << kept / n);
  }
}

TEST_CASE("PADE calibration report per layer", "[.calibration-report]") {
  // Not run by default: prints, per benchmark and sampled layer, what PADE (α = 0.5, radius 5,
  // INT8) does on generated heads: kept fraction, mean rounds, retained mass, 1 − cosine.
  pade::models::FunctionalOptions fo;
  const char* env = std::getenv("PADE_CALIB_BENCH");
  std::vector<std::string> names = {"llama2-7b/mmlu",  "llama2-7b/mbpp",        "llama3-8b/mmlu",
                                    "opt-1.3b/mmlu",   "bloom-1.7b/winogrande", "qwen-7b/mmlu",
                                    "vit-l16/imagenet"};
  if (env) names = {env};
  for (const auto& name : names) {
    const Benchmark& b = catalog().benchmark(name);
    const AttentionGroup& g = b.groups[0];
    std::vector<std::size_t> rows;
    for (std::size_t r = 0; r < static_cast<std::size_t>(g.queries);
         r += std::max<std::size_t>(1, static_cast<std::size_t>(g.queries) / 16))
      rows.push_back(r);
    pade::models::FunctionalStats all;
    for (int layer = 0; layer < g.layers; layer += std::max(1, g.layers / 12)) {
      pade::models::FunctionalStats ls;
      HeadStats hm;
      int n = 0;
      for (int h = 0; h < g.q_heads; h += std::max(1, g.q_heads / 8), ++n) {
        const auto head = generate_head(b, g, layer, h, knobs_of(b), 1, rows);
        const auto one = pade::models::simulate_head(head, fo);
        ls += one;
        const HeadStats hs = measure_head(head);
        if (std::getenv("PADE_CALIB_HEADS"))
          std::printf(
              "  h%d: kept %.3f rounds %.2f mass %.3f 1-cos %.4f | sink %.2f k90 %.2f std %.2f "
              "oracle %.3f\n",
              h, one.kept_fraction(), one.mean_rounds(), one.mean_retained_mass(),
              1 - one.mean_cosine(), hs.first_token_mass, hs.keys_for_90pct_mass, hs.logit_std,
              hs.oracle_kept_fraction);
        hm.first_token_mass += hs.first_token_mass,
            hm.keys_for_90pct_mass += hs.keys_for_90pct_mass;
        hm.logit_std += hs.logit_std;
      }
      std::printf(
          "%s L%d: kept %.3f rounds %.2f mass %.3f 1-cos %.4f | sink %.2f k90 %.2f std %.2f\n",
          name.c_str(), layer, ls.kept_fraction(), ls.mean_rounds(), ls.mean_retained_mass(),
          1 - ls.mean_cosine(), hm.first_token_mass / n, hm.keys_for_90pct_mass / n,
          hm.logit_std / n);
      all += ls;
    }
    std::printf("%s TOTAL: kept %.3f rounds %.2f mass %.3f 1-cos %.4f\n", name.c_str(),
                all.kept_fraction(), all.mean_rounds(), all.mean_retained_mass(),
                1 - all.mean_cosine());
  }
}

TEST_CASE("BUI interval width per round", "[.calibration-report]") {
  // Prints the logit-domain width (2^{p-r} - 1)·Σ|q|·scale_q·scale_k/√d of the BUI interval per
  // round for a peaked and a broad head (docs/generator.md, "Why PADE decides late").
  for (const int head : {0, 1, 2, 3, 4, 5, 6, 7}) {
    const AttentionHead h = make("llama2-7b/mmlu", 24, head, 1, {255});
    const HeadStats hs = measure_head(h);
    double kmax = 0, k2 = 0, q1 = 0, q2 = 0, qmax = 0;
    for (const float x : h.k.data())
      kmax = std::max(kmax, double(std::abs(x))), k2 += double(x) * x;
    for (const float x : h.q.row(0))
      q1 += std::abs(x), q2 += double(x) * x, qmax = std::max(qmax, double(std::abs(x)));
    const double krms = std::sqrt(k2 / double(h.k.data().size()));
    const double d = double(h.q.cols());
    std::printf(
        "h%d sink %.2f std %.2f | max|k|/rms(k) %.1f  |q|1/|q|2 %.1f  max|q| %.1f | width/logits:",
        head, hs.first_token_mass, hs.logit_std, kmax / krms, q1 / std::sqrt(q2), qmax);
    for (int r = 1; r <= 8; ++r)
      std::printf(" %.2f", (std::pow(2.0, 8 - r) - 1) * q1 * kmax / 127.0 / std::sqrt(d));
    std::printf("\n");
  }
}

// ------------------------------------------------------------------------------------------------
// Locality statistics against published measurements (docs/generator.md, "Published locality
// measurements"): the table there gives each number, its source and the tolerance used here.

namespace {

/// Gu et al.'s Sink_1^ε: share of (layer, head) pairs whose mean attention on the first token
/// over the positions 0..T−1 exceeds ε (T = 64, ε = 0.3), for global layers [first, last).
double sink_head_share(const std::string& bench, int first, int last, int head_step = 1) {
  const Benchmark& b = catalog().benchmark(bench);
  const AttentionGroup& g = b.groups.at(0);
  const auto rows = all_rows(64);
  int sinks = 0, n = 0;
  for (int l = first; l < last; ++l)
    for (int h = 0; h < g.q_heads; h += head_step, ++n)
      if (measure_locality(generate_head(b, g, l, h, knobs_published(b), 1, rows))
              .first_token_mass > 0.3)
        ++sinks;
  return static_cast<double>(sinks) / n;
}

/// Mean locality statistics of every 4th head of the given layers, over 32 rows spread over the
/// sequence.
LocalityStats locality_mean(const std::string& bench, std::initializer_list<int> layers) {
  const Benchmark& b = catalog().benchmark(bench);
  const AttentionGroup& g = b.groups.at(0);
  std::vector<std::size_t> rows;
  for (std::size_t r = static_cast<std::size_t>(g.queries) / 32;
       r < static_cast<std::size_t>(g.queries); r += static_cast<std::size_t>(g.queries) / 32)
    rows.push_back(r);
  LocalityStats m;
  int n = 0;
  for (const int l : layers)
    for (int h = 0; h < g.q_heads; h += 4, ++n) {
      const auto s = measure_locality(generate_head(b, g, l, h, knobs_published(b), 1, rows));
      m.first_token_mass += s.first_token_mass, m.sink_mass += s.sink_mass;
      m.recent_mass += s.recent_mass, m.sparsity += s.sparsity;
      m.heavy_hitter_mass += s.heavy_hitter_mass;
    }
  for (double* x :
       {&m.first_token_mass, &m.sink_mass, &m.recent_mass, &m.sparsity, &m.heavy_hitter_mass})
    *x /= n;
  return m;
}

}  // namespace

TEST_CASE("measure_locality on hand-made heads") {
  // Zero query: uniform attention over the 10 visible keys of the row at position 9.
  AttentionHead h;
  h.q = Matrix(1, 4);
  h.k = Matrix(10, 4);
  h.v = Matrix(10, 4);
  h.causal = true;
  LocalityOptions o;
  o.window = 3;
  o.heavy_fraction = 0.5;
  LocalityStats s = measure_locality(h, o);
  CHECK(s.first_token_mass == Approx(0.1));
  CHECK(s.sink_mass == Approx(0.4));    // keys 0..3
  CHECK(s.recent_mass == Approx(0.3));  // keys 7, 8, 9
  CHECK(s.sparsity == 0.0);
  CHECK(s.heavy_hitter_mass == Approx(0.5));  // 3 of the 6 equal keys after the sinks
  // One key 2·ln(1000)/... far above the rest: every other entry is below 1 % of the max, and
  // the heavy hitter holds the accumulated mass of the non-sink keys.
  h.q.at(0, 0) = 1.0f;
  h.k.at(5, 0) = 2.0f * 10.0f;  // logit 10 (q·k/√4)
  s = measure_locality(h, o);
  CHECK(s.sparsity == Approx(0.9));
  CHECK(s.heavy_hitter_mass > 0.99);
  CHECK(s.recent_mass < 0.01);
}

TEST_CASE("generated LLaMA heads reproduce the published sink and recency statistics",
          "[workloads2][locality]") {
  // Gu et al. (arXiv 2410.10781, Table 1): Sink_1^0.3 at T = 64 is 92.47 % for LLaMA2-7B and
  // 99.02 % for LLaMA3-8B. The generator's broad heads (fitted to PADE's 75 % pruning) have no
  // sink, so it sits below: the documented band is [published − 0.25, published].
  const double l2 = sink_head_share("llama2-7b/mmlu", 0, 32, 2);
  const double l3 = sink_head_share("llama3-8b/mmlu", 0, 32, 2);
  INFO("Sink_1^0.3 llama2-7b " << l2 << ", llama3-8b " << l3);
  CHECK(l2 >= 0.9247 - 0.25);
  CHECK(l2 <= 0.9247);
  CHECK(l3 >= 0.9902 - 0.25);
  CHECK(l3 <= 0.9902);
  // StreamingLLM (arXiv 2309.17453, Fig. 2): layers 0 and 1 of Llama-2-7B are local (no sink,
  // recent tokens get the attention). Assumed magnitude: most of a row's mass in the last 64
  // keys (no number is published).
  CHECK(sink_head_share("llama2-7b/mmlu", 0, 2) < 0.05);
  const LocalityStats bottom = locality_mean("llama2-7b/mmlu", {0, 1});
  INFO("layers 0-1: recent " << bottom.recent_mass << " sink " << bottom.sink_mass);
  CHECK(bottom.recent_mass >= 0.5);
  CHECK(bottom.sink_mass < 0.1);
  // From layer 2 on the sink heads dominate and keep sink + recent window mass high (the
  // StreamingLLM cache of 4 sinks + a window recovers dense perplexity).
  const LocalityStats later = locality_mean("llama2-7b/mmlu", {8, 16, 24});
  INFO("layers 8-24: sink " << later.sink_mass << " recent " << later.recent_mass);
  CHECK(later.sink_mass >= 0.6);
}

TEST_CASE("generated OPT heads reproduce H2O's attention sparsity", "[workloads2][locality]") {
  // H2O (arXiv 2306.14048, §3.1, Fig. 2a): OPT attention is over 95 % sparse (entries below 1 %
  // of the row max) in almost all layers. The generator's broad heads are dense by construction:
  // documented band [0.95 − 0.25, 1].
  const LocalityStats s = locality_mean("opt-1.3b/wikitext2", {4, 8, 12, 16, 20});
  INFO("opt sparsity " << s.sparsity << " heavy-hitter mass " << s.heavy_hitter_mass);
  CHECK(s.sparsity >= 0.95 - 0.25);
}

TEST_CASE("head-tail vs in-order per benchmark", "[.locality-report]") {
  // Not run by default: rescales per row and kept fraction of PADE (α = 0.5, radius 5, INT8,
  // 8 × 64 tiles) with head-tail and in-order tile order, on the calibration report's sampling
  // plan (every 2nd-3rd layer, 8 heads, 16 rows). docs/generator.md has the numbers.
  const Catalog& c = catalog();
  for (const auto& name : c.suite("pade22")) {
    const Benchmark& b = c.benchmark(name);
    const AttentionGroup& g = b.groups[0];
    std::vector<std::size_t> rows;
    for (std::size_t r = 0; r < static_cast<std::size_t>(g.queries);
         r += std::max<std::size_t>(1, static_cast<std::size_t>(g.queries) / 16))
      rows.push_back(r);
    pade::models::FunctionalStats ht, io;
    for (int layer = 0; layer < g.layers; layer += std::max(1, g.layers / 12))
      for (int h = 0; h < g.q_heads; h += std::max(1, g.q_heads / 8))
        pade_test::add_both_orders(generate_head(b, g, layer, h, knobs_of(b), 1, rows), ht, io);
    pade_test::print_order_row(name, ht, io);
  }
}
