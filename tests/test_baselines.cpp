// Baselines: each rule on crafted heads (a known mask comes out), monotonic behaviour, the
// normalization arithmetic, golden metrics on fixed inputs, the digest, the store and the verb.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>

#include "models/baselines/baseline.hpp"
#include "models/baselines/common.hpp"
#include "models/baselines/compare.hpp"
#include "models/baselines/h100.hpp"
#include "models/hardware.hpp"
#include "results/store.hpp"
#include "results/store_sql.hpp"
#include "test_baselines_helpers.hpp"
#include "tests/support/catalog.hpp"
#include "workloads/catalog.hpp"
#include "workloads/generator.hpp"

using namespace pade;
using Catch::Detail::Approx;
namespace fs = std::filesystem;

namespace {

/// A non-causal head whose queries and keys live on dimension 0 only: logit(i, j) = q_i·k_j/√d.
core::AttentionHead line_head(const std::vector<float>& q0, const std::vector<float>& k0,
                              std::size_t d = 4) {
  core::AttentionHead h;
  h.q = core::Matrix(q0.size(), d);
  h.k = core::Matrix(k0.size(), d);
  h.v = core::Matrix(k0.size(), d);
  for (std::size_t i = 0; i < q0.size(); ++i) h.q.at(i, 0) = q0[i];
  for (std::size_t j = 0; j < k0.size(); ++j) h.k.at(j, 0) = k0[j];
  h.causal = false;
  for (std::size_t i = 0; i < q0.size(); ++i)
    h.query_positions.push_back(k0.size() - q0.size() + i);
  return h;
}

models::BaselineContext context() {
  return test::default_baseline_context();
}

void set(models::BaselineContext& ctx, const std::string& key, const core::Value& v) {
  ctx.config.set(key, v, {"test", 0, 0});
}

using test_support::catalog;

models::BaselineStats stats_with_kept(double kept) {
  models::BaselineStats s;
  for (const char* k : {"kept", "key_kept", "round2", "lsb_pairs"}) s.per_pair[k] = kept;
  s.per_pair["pe_slots"] = kept / 16.0;  // perfect pack & split
  s.per_pair["row_lsb"] = 0.1;
  return s;
}

}  // namespace

TEST_CASE("baselines: the registry lists every baseline, in order, and rejects unknown names",
          "[baselines]") {
  const auto& r = models::builtin_baselines();
  CHECK(r.names() ==
        std::vector<std::string>{"h100", "sanger", "dota", "sofa", "spatten", "energon"});
  CHECK_THROWS_AS(r.get("a3"), core::InputError);
  CHECK(r.get("h100").rule == nullptr);  // dense
  for (const auto& n : r.names()) CHECK(r.get(n).cost != nullptr);
}

TEST_CASE("baselines: Sanger's 4-bit prediction and threshold give the known mask", "[baselines]") {
  // q = 8, keys 7, 6, 0, -7 on one dimension of d = 4: logits 28, 24, 0, -28 exactly after 4-bit
  // quantization (codes 7 and v, scales 8/7 and 1). p(key 1) = e^-4/(1+e^-4) = 0.018 > 2e-3; the
  // others are ~e^-28.
  const auto head = line_head({8.0f}, {7, 6, 0, -7});
  auto ctx = context();
  const auto& sanger = models::builtin_baselines().get("sanger");
  auto c = sanger.rule(head, {}, ctx);
  CHECK(c["pairs"] == 4);
  CHECK(c["kept"] == 2);
  CHECK(c["key_kept"] == 2);
  CHECK(c["pe_slots"] == 1);  // one sub-row with 2 kept pairs, packed into one 16-PE pass
  // A threshold above 0.018 keeps only key 0.
  set(ctx, "sanger.threshold", 0.05);
  c = sanger.rule(head, {}, ctx);
  CHECK(c["kept"] == 1);
  CHECK(c["row_retained_mass"] == Approx(1.0 / (1.0 + std::exp(-4.0))).epsilon(1e-6));
}

TEST_CASE("baselines: Sanger pack & split counts passes", "[baselines]") {
  // One row: a 64-wide sub-row with 20 kept (split: 2 passes), sub-rows with 10, 6 and 5 kept
  // (packed first-fit decreasing into 16-wide passes: 10+6, 5 → 2), an empty one (skipped).
  std::vector<char> row(5 * 64, 0);
  const int counts[] = {20, 10, 0, 6, 5};
  for (int s = 0; s < 5; ++s)
    for (int j = 0; j < counts[s]; ++j) row[static_cast<std::size_t>(s * 64 + j)] = 1;
  CHECK(models::sanger_pe_slots({row}, 64, 16) == 4);
  CHECK(models::sanger_pe_slots({std::vector<char>(64, 0)}, 64, 16) == 0);
}

TEST_CASE("baselines: DOTA keeps exactly its retention per row, and the dominant key",
          "[baselines]") {
  // d = 16 with the signal on one dimension, rank = d: the estimate is a noisy copy of the logit;
  // key 0 dominates by far.
  const auto head = line_head({1.0f, 2.0f}, {40, 1, 0.5f, 0, -1, -2, 0.2f, 0.1f, -0.1f, 0.3f}, 16);
  auto ctx = context();
  set(ctx, "dota.rank_ratio", 1.0);
  set(ctx, "dota.retention", 0.15);
  models::HeadContext hc;
  hc.label = "crafted";
  const auto& dota = models::builtin_baselines().get("dota");
  auto c = dota.rule(head, hc, ctx);
  CHECK(c["rows"] == 2);
  CHECK(c["pairs"] == 20);
  CHECK(c["kept"] == 4);                             // ceil(0.15 x 10) per row
  CHECK(c["row_retained_mass"] / c["rows"] > 0.99);  // key 0 holds nearly all the mass and is kept
  // Same seed and label: the same projection, the same counters.
  CHECK(dota.rule(head, hc, ctx) == c);
}

TEST_CASE("baselines: SOFA's leading-one codes and top-k mask", "[baselines]") {
  CHECK(models::sofa_leading_one(0) == 0);
  CHECK(models::sofa_leading_one(1) == 1);
  CHECK(models::sofa_leading_one(5) == 4);
  CHECK(models::sofa_leading_one(-5) == -4);
  CHECK(models::sofa_leading_one(127) == 64);
  CHECK(models::sofa_leading_one(-64) == -64);
  // Keys 100, 70, 30, 20, 10, -50 (8-bit codes 127, 89, 38, 25, 13, -64): leading ones 64, 64, 32,
  // 16, 8, -64. Top 2 of 6 by estimate: keys 0 and 1 (tied at 64); keeping 1, the tie goes to key
  // 0.
  const auto head = line_head({1.0f}, {100, 70, 30, 20, 10, -50});
  auto ctx = context();
  set(ctx, "sofa.keep_ratio", 0.3);  // ceil(1.8) = 2
  const auto& sofa = models::builtin_baselines().get("sofa");
  auto c = sofa.rule(head, {}, ctx);
  CHECK(c["kept"] == 2);
  CHECK(c["key_kept"] == 2);
  set(ctx, "sofa.keep_ratio", 0.15);  // ceil(0.9) = 1
  c = sofa.rule(head, {}, ctx);
  CHECK(c["kept"] == 1);
  const auto mask = models::top_k_mask(std::vector<double>{64, 64, 32}, 1);
  CHECK(mask == std::vector<char>{1, 0, 0});
}

TEST_CASE("baselines: SpAtten's cascade schedule and token pruning", "[baselines]") {
  CHECK(models::spatten_keep_ratio(0, 32, 0.05) == 1.0);
  CHECK(models::spatten_keep_ratio(31, 32, 0.05) == Approx(0.05));
  CHECK(models::spatten_keep_ratio(10, 32, 0.05) > models::spatten_keep_ratio(11, 32, 0.05));
  CHECK(models::spatten_keep_ratio(5, 1, 0.05) == 1.0);
  // Two rows, four keys; at the last layer of 2 with final keep 0.5, the two keys with the highest
  // mean probability survive: keys 0 and 1 (large logits for both rows).
  const auto head = line_head({2.0f, 3.0f}, {5, 4, -3, -4});
  auto ctx = context();
  set(ctx, "spatten.final_token_keep", 0.5);
  models::HeadContext hc;
  hc.layer = 1;
  hc.total_layers = 2;
  auto c = models::builtin_baselines().get("spatten").rule(head, hc, ctx);
  CHECK(c["pairs"] == 8);
  CHECK(c["kept"] == 4);
  CHECK(c["key_kept"] == 2);
  CHECK(c["row_lsb"] == 0);  // peaked rows: no LSB refetch
  hc.layer = 0;              // layer 0 keeps every token
  c = models::builtin_baselines().get("spatten").rule(head, hc, ctx);
  CHECK(c["kept"] == 8);
}

TEST_CASE("baselines: Energon's mean-based filter and two rounds", "[baselines]") {
  const std::vector<double> s = {1, 2, 3, 4};
  const std::vector<char> all(4, 1);
  CHECK(models::energon_filter(s, all, 0.0) == std::vector<char>{0, 0, 1, 1});
  CHECK(models::energon_filter(s, all, 1.0) == std::vector<char>{0, 0, 0, 1});
  CHECK(models::energon_filter(s, std::vector<char>{1, 1, 0, 0}, 0.0) ==
        std::vector<char>{0, 1, 0, 0});
  // Keys 100, 90, 10, -100, -90, 0 (8-bit codes 127, 114, 13, -127, -114, 0; q code 127). Round 1
  // at 2 bits (codes >> 6 = 1, 1, 0, -2, -2, 0; mean -1/3) keeps keys 0, 1, 2, 5; round 2 at 4 bits
  // (codes >> 4 = 7, 7, 0, 0 among those; mean 3.5) keeps keys 0 and 1.
  const auto head = line_head({1.0f}, {100, 90, 10, -100, -90, 0});
  auto ctx = context();
  auto c = models::builtin_baselines().get("energon").rule(head, {}, ctx);
  CHECK(c["round2"] == 4);
  CHECK(c["kept"] == 2);
}

TEST_CASE("baselines: more sparsity means less work and energy for every accelerator",
          "[baselines]") {
  const auto& bench = catalog().benchmark("llama2-7b/wikitext2");
  const auto ctx = context();
  for (const char* name : {"sanger", "dota", "sofa", "spatten", "energon"}) {
    INFO(name);
    const auto& info = models::builtin_baselines().get(name);
    const auto dense = info.cost(ctx, bench, stats_with_kept(0.4));
    const auto sparse = info.cost(ctx, bench, stats_with_kept(0.1));
    CHECK(sparse.get("energy_j") < dense.get("energy_j"));
    CHECK(sparse.get("latency_s") <= dense.get("latency_s"));
    CHECK(sparse.get("dram_bytes") <= dense.get("dram_bytes"));
    CHECK(sparse.get("area_mm2") == dense.get("area_mm2"));
    // Iso-area: the PE array is PADE's logic area; SRAM is 44 banks.
    CHECK(sparse.get("area_mm2") == Approx(ctx.pade.logic_area_mm2 + 44 * 0.056));
  }
  // The rules: a higher Sanger threshold never keeps more pairs (on a generated head).
  const auto& b = catalog().benchmark("opt-1.3b/winogrande");
  const auto knobs = workloads::GeneratorTable::builtin().family("opt");
  std::vector<std::size_t> rows = {10, 100, 200, 255};
  const auto head = workloads::generate_head(b, b.groups[0], 12, 3, knobs, 1, rows);
  auto loose = context(), strict = context();
  set(strict, "sanger.threshold", 2e-2);
  const auto& sanger = models::builtin_baselines().get("sanger");
  const auto cl = sanger.rule(head, {}, loose), cs = sanger.rule(head, {}, strict);
  CHECK(cs.at("kept") < cl.at("kept"));
  CHECK(cl.at("kept") < cl.at("pairs"));
}

TEST_CASE("baselines: H100 FlashAttention curve, normalization arithmetic and golden prefill",
          "[baselines]") {
  CHECK(models::flash_attention_tflops("fa3", 128, 2048, false) == 625);
  CHECK(models::flash_attention_tflops("fa2", 64, 16384, false) == 324);
  CHECK(models::flash_attention_tflops("fa3", 128, std::sqrt(512.0 * 1024.0), false) ==
        Approx((497 + 565) / 2.0));
  CHECK(models::flash_attention_tflops("fa3", 128, 4096, true) == Approx(579));
  CHECK(models::flash_attention_tflops("fa3", 128, 100, false) == 497);  // clamped below the table
  CHECK(models::flash_attention_tflops("fa3", 256, 100000, false) == 756);  // and above
  CHECK(models::flash_attention_tflops("fa3", 90, 2048, false) > 460);

  const auto c = core::CoefficientTable::defaults();
  models::PadeReference pade;
  pade.total_area_mm2 = 4.0;
  pade.peak_ops_per_s = 5e12;
  CHECK(models::h100_normalization("single_chip", "fp16", c, pade).time == 1);
  const auto iso_area = models::h100_normalization("iso_area", "fp16", c, pade);
  CHECK(iso_area.time == Approx(814.0 * 10.0 / 4.0));
  CHECK(iso_area.energy == Approx(3.0));
  CHECK(models::h100_normalization("iso_peak", "fp16", c, pade).time == Approx(989e12 / 5e12));
  CHECK(models::h100_normalization("iso_peak", "fp8", c, pade).time == Approx(1979e12 / 5e12));

  // PADE's default peak: (128 lanes x 128 dims / 8 bits + 16 pair lanes x 128 dims) x 2 x 800 MHz.
  const auto ref = context().pade;
  CHECK(ref.peak_ops_per_s == Approx(2.0 * (2048 + 2048) * 800e6));

  // Golden: llama2-7b/mmlu (32 layers x 32 heads, d 128, 512 causal) on one H100, FA3 FP16.
  auto ctx = context();
  set(ctx, "h100.normalization", std::string("single_chip"));
  const auto& bench = catalog().benchmark("llama2-7b/mmlu");
  const auto m = models::builtin_baselines().get("h100").cost(ctx, bench, {});
  const double flops = 4.0 * (512.0 * 513.0 / 2.0) * 128.0 * 32.0 * 32.0;
  const double seconds = flops / (292e12);  // FA3 causal D=128 at 512
  CHECK(m.get("flops") == Approx(flops));
  CHECK(m.get("latency_s") == Approx(seconds));
  CHECK(m.get("energy_j") == Approx(seconds * 700.0 * 0.9));
  // Decode is bandwidth-bound: 32 layers x 32 KV heads x 512 keys x 128 x K,V x 2 B (+ q, out).
  const auto& dec = catalog().benchmark("llama2-7b/mmlu@decode");
  const auto md = models::builtin_baselines().get("h100").cost(ctx, dec, {});
  const double bytes = 32.0 * 32 * 512 * 128 * 2 * 2 + 32.0 * 32 * 1 * 128 * 2 * 2;
  CHECK(md.get("latency_s") == Approx(bytes / (3.35e12 * 0.8)));
}

TEST_CASE("baselines: golden accelerator arithmetic on fixed work", "[baselines]") {
  auto ctx = context();
  set(ctx, "target.pe_area_mm2", 1.0);
  const auto t = models::accelerator_target(ctx, "sanger");
  CHECK(t.pe_area_mm2 == 1.0);
  CHECK(t.clock_mhz == 800);
  const models::OpCosts costs(ctx.coefficients, 28);
  // 8-bit MAC at 28 nm: (0.2 + 0.03 x 24/8) x 0.55 pJ; area (282 + 36 x 3) um^2 x (28/45)^2.
  CHECK(costs.pj(models::OpKind::IntMac, 8) == Approx((0.2 + 0.09) * 0.55));
  CHECK(costs.area_mm2(models::OpKind::IntMac, 8) == Approx(390e-6 * std::pow(28.0 / 45.0, 2)));
  const std::vector<models::ComputeUnit> units = {{"exec", models::OpKind::IntMac, 8, 1.0, 0}};
  // Same depth: Sanger's operators carry its published control/register area and energy.
  CHECK(t.area_overhead == Approx(4.39));
  CHECK(t.energy_overhead == Approx(8.04));
  const double ops_per_cycle =
      std::floor(1.0 / (costs.area_mm2(models::OpKind::IntMac, 8) * t.area_overhead));
  models::GroupWork g;
  g.heads = 2;
  g.work.ops = {1e6};
  g.work.dram_bytes = 320.0;  // 1 cycle at 256 GB/s and 800 MHz
  g.work.sram_read_bits = 1000;
  const auto m = models::accelerator_metrics(ctx, catalog().benchmark("llama2-7b/mmlu"), t, units,
                                             std::vector<models::GroupWork>{g}, 0.5);
  const double cycles = 2.0 * 1e6 / ops_per_cycle;
  CHECK(m.get("latency_cycles") == Approx(cycles));
  const double dyn =
      2.0 * (1e6 * costs.pj(models::OpKind::IntMac, 8) * t.energy_overhead + 1000 * 0.035);
  const double dram = 2.0 * 320 * 8 * 5.1;
  const double expected = (dyn + dram) * 1e-12 + dyn * 1e-12 * 0.1 + 44 * 5.8e-3 * cycles / 800e6;
  CHECK(m.get("energy_j") == Approx(expected));
  CHECK(m.get("kept_fraction") == 0.5);
  // Published normalization: Sanger's own node, clock and area.
  set(ctx, "normalization", std::string("published"));
  const auto p = models::accelerator_target(ctx, "sanger");
  CHECK(p.node_nm == 55);
  CHECK(p.clock_mhz == 500);
  CHECK(p.pe_area_mm2 == Approx(16.9 * 0.6));
  CHECK(p.operand_bits == 16);
}

TEST_CASE("baselines: comparison ratios and geometric means", "[baselines]") {
  std::vector<models::BenchmarkOutcome> o(2);
  o[0].benchmark = "a";
  o[0].pade.set("latency_s", 1.0);
  o[0].pade.set("energy_j", 2.0);
  o[0].baselines["x"].set("latency_s", 2.0);
  o[0].baselines["x"].set("energy_j", 4.0);
  o[1].benchmark = "b";
  o[1].pade.set("latency_s", 1.0);
  o[1].pade.set("energy_j", 1.0);
  o[1].baselines["x"].set("latency_s", 8.0);
  o[1].baselines["x"].set("energy_j", 1.0);
  const auto v = models::compare_outcomes(o);
  auto find = [&](std::string_view b, std::string_view m) {
    for (const auto& e : v)
      if (e.benchmark == b && e.metric == m) return e.value;
    return -1.0;
  };
  CHECK(find("a", "speedup") == 2.0);
  CHECK(find("b", "speedup") == 8.0);
  CHECK(find(models::kGeomean, "speedup") == Approx(4.0));
  CHECK(find(models::kArithmean, "speedup") == Approx(5.0));
  CHECK(find(models::kGeomean, "energy_efficiency") == Approx(std::sqrt(2.0)));
  CHECK(models::paper_headline("h100", "speedup") == 7.43);
  CHECK(models::paper_headline("spatten", "speedup") == 0);
}

TEST_CASE("baselines: the digest is deterministic and reports the rule's sparsity", "[baselines]") {
  const auto& b = catalog().benchmark("opt-1.3b/winogrande");
  const auto knobs = workloads::GeneratorTable::builtin().family("opt");
  models::BaselineDigestOptions o;
  o.plan.layers = 2;
  o.plan.heads_per_layer = 1;
  o.plan.row_groups = 2;
  const auto ctx = context();
  for (const char* name : {"sanger", "sofa", "energon"}) {
    INFO(name);
    const auto& info = models::builtin_baselines().get(name);
    const auto s1 = models::digest_baseline(info, ctx, b, knobs, o);
    const auto s2 = models::digest_baseline(info, ctx, b, knobs, o);
    CHECK(s1.per_pair == s2.per_pair);
    CHECK(s1.kept_fraction() > 0);
    CHECK(s1.kept_fraction() < 1);
    CHECK(s1.get("row_retained_mass") > 0);
    CHECK(s1.get("row_retained_mass") <= 1.0 + 1e-12);
  }
  const auto dense =
      models::digest_baseline(models::builtin_baselines().get("h100"), ctx, b, knobs, o);
  CHECK(dense.kept_fraction() == 1.0);
  // digest_counters: per pair, per row, per key.
  const auto s = models::digest_counters(
      {{"pairs", 10}, {"rows", 2}, {"keys", 5}, {"kept", 4}, {"row_x", 1}, {"key_kept", 2}});
  CHECK(s.kept_fraction() == 0.4);
  CHECK(s.get("row_x") == 0.5);
  CHECK(s.get("key_kept") == 0.4);
}

TEST_CASE("baselines: bad baseline files are input errors", "[baselines]") {
  const auto doc = core::load_yaml_text("kind: baseline\nsanger: {treshold: 0.1}\n", "b.yaml");
  CHECK_THROWS_AS(core::read_config(*doc.root, models::baseline_schema(), doc.file),
                  core::InputError);
  const auto doc2 =
      core::load_yaml_text("kind: baseline\nh100: {normalization: iso_power}\n", "b.yaml");
  CHECK_THROWS_AS(core::read_config(*doc2.root, models::baseline_schema(), doc2.file),
                  core::InputError);
}

TEST_CASE("baselines: comparisons round-trip through the store (schema v3)", "[baselines]") {
  const fs::path dir =
      fs::temp_directory_path() / ("pade-baselines-test-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  {
    results::Store store((dir / "c.db").string());
    CHECK(store.schema_version() >= 3);  // comparisons since v3
    CHECK(results::connection(store).tableExists("comparisons"));
    results::CampaignRecord c;
    c.name = "compare-test";
    c.spec_yaml = "x";
    c.strategy = "compare";
    const auto id = store.create_campaign(c);
    const std::vector<results::ComparisonRecord> rows = {{"a", "sanger", "speedup", 2.5},
                                                         {"geomean", "sanger", "speedup", 2.5}};
    store.put_comparisons(id, rows);
    const auto back = store.comparisons(id);
    REQUIRE(back.size() == 2);
    CHECK(back[0].benchmark == "a");
    CHECK(back[1].value == 2.5);
  }
  fs::remove_all(dir);
}

TEST_CASE("baselines: pade compare runs end to end and stores its tables", "[baselines]") {
  const fs::path dir =
      fs::temp_directory_path() / ("pade-compare-test-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string cmd =
      "cd '" + dir.string() + "' && '" + std::string(PADE_BINARY) +
      "' compare -b opt-1.3b/winogrande --db c.db --format csv >out.txt 2>err.txt";
  const int status = std::system(cmd.c_str());
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  {
    results::Store store((dir / "c.db").string());
    const auto camp = store.find_campaign("compare-iso_area");
    REQUIRE(camp.has_value());
    const auto rows = store.comparisons(camp->id);
    CHECK(rows.size() == 6 * 3 * 3);  // 6 baselines x 3 metrics x (1 benchmark + 2 averages)
    CHECK(store.evaluations(camp->id).size() == 7);  // PADE + 6 baselines
  }
  const std::string bad =
      "cd '" + dir.string() + "' && '" + std::string(PADE_BINARY) +
      "' compare -b opt-1.3b/winogrande --db c.db --normalization iso_power >/dev/null 2>&1";
  const int bad_status = std::system(bad.c_str());
  CHECK(WEXITSTATUS(bad_status) == 2);
  fs::remove_all(dir);
}
