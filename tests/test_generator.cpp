#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

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
const GeneratorKnobs& knobs_of(const Benchmark& b) { return table().family(catalog().model(b.model).family); }

bool same(const Matrix& a, const Matrix& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() && std::equal(a.data().begin(), a.data().end(), b.data().begin());
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
  for (const auto& name : catalog().model_names()) CHECK_NOTHROW(table().family(catalog().model(name).family));
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
  CHECK_THROWS_AS(GeneratorTable::parse("kind: generator\nfamilies:\n  x: {logit_std: {first_layer: -1, last_layer: 1}, "
                                        "sink: {logit: 0}, locality: {logit: 0}}\n", "neg.yaml"),
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

TEST_CASE("LLM later-layer heads land in the documented ranges") {
  // docs/generator.md: per-layer means in later layers of 7B-class models at 512 tokens.
  for (const int layer : {16, 24}) {
    INFO("llama2-7b/mmlu layer " << layer);
    const HeadStats s = layer_mean("llama2-7b/mmlu", layer, {0, 8, 16, 24});
    CHECK(s.first_token_mass >= 0.2);
    CHECK(s.first_token_mass <= 0.6);
    CHECK(s.keys_for_90pct_mass >= 0.05);
    CHECK(s.keys_for_90pct_mass <= 0.30);
    CHECK(s.logit_std >= 1.5);
    CHECK(s.logit_std <= 5.0);
  }
  // Early layers are broad and have (almost) no sink.
  const HeadStats early = layer_mean("llama2-7b/mmlu", 0, {0, 8, 16, 24});
  const HeadStats late = layer_mean("llama2-7b/mmlu", 24, {0, 8, 16, 24});
  CHECK(early.first_token_mass < 0.1);
  CHECK(early.keys_for_90pct_mass > 0.4);
  CHECK(early.keys_for_90pct_mass > late.keys_for_90pct_mass + 0.2);
}

TEST_CASE("vision heads are broader than LLM heads and have no strong sink") {
  const HeadStats vit = layer_mean("vit-l16/imagenet", 18, {0, 5, 10, 15});
  const HeadStats llm = layer_mean("llama2-7b/mmlu", 24, {0, 8, 16, 24});
  CHECK(vit.first_token_mass < 0.1);
  CHECK(vit.keys_for_90pct_mass >= 0.2);
  CHECK(vit.keys_for_90pct_mass <= 0.6);
  CHECK(vit.keys_for_90pct_mass > llm.keys_for_90pct_mass);
  CHECK(vit.logit_std >= 1.0);
  CHECK(vit.logit_std <= 4.0);

  // PVT stage 1: 3136 queries against 49 pooled keys; sample a few rows.
  const Benchmark& pvt = catalog().benchmark("pvt-small/imagenet");
  const AttentionHead h = generate_head(pvt, pvt.groups[0], 2, 0, knobs_of(pvt), 1, std::vector<std::size_t>{0, 1000, 3135});
  CHECK(h.q.rows() == 3);
  CHECK(h.k.rows() == 49);
  CHECK(h.q.cols() == 64);
  CHECK_FALSE(h.causal);
  const HeadStats s = measure_head(h);
  CHECK(s.keys_for_90pct_mass > 0.2);
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

TEST_CASE("generator calibration table", "[.calibration]") {
  // Not run by default: `pade_tests "[.calibration]"` prints per-layer means for calibrating
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
      WARN(name << " L" << layer << ": sink " << s.first_token_mass << " k90 " << s.keys_for_90pct_mass
                << " std " << s.logit_std << " kept " << s.oracle_kept_fraction);
    }
    WARN(name << ": mean oracle kept " << kept / n);
  }
}
