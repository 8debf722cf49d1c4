// Each baseline's predictor pipeline, stage by stage, on crafted inputs (issue #18 item 1): the
// operand projection from X (SOFA's log-domain K̂, DOTA's low-rank detector), Sanger's softmax
// (an exponential per pair), SOFA's 16-to-4 sorting network and SpAtten's quick-select — each a
// named part of the predictor's energy (energy_<unit>_<part>_j).
#include <catch2/catch.hpp>
#include <cmath>

#include "models/baselines/common.hpp"
#include "models/baselines/compare.hpp"
#include "models/baselines/validation.hpp"
#include "models/hardware.hpp"
#include "test_baselines_helpers.hpp"

using namespace pade;
using Catch::Detail::Approx;

namespace {

models::BaselineContext context() {
  return test::default_baseline_context();
}

/// One bidirectional group: `heads` query heads (= KV heads) of dimension d over n tokens.
workloads::Benchmark shape(int heads, int d, std::int64_t n) {
  workloads::Benchmark b;
  b.name = "crafted";
  b.phase = "prefill";
  b.seq_len = n;
  workloads::AttentionGroup g;
  g.layers = 2;
  g.q_heads = heads;
  g.kv_heads = heads;
  g.head_dim = d;
  g.queries = n;
  g.keys = n;
  g.causal = false;
  b.groups.push_back(g);
  return b;
}

core::Metrics cost(const std::string& design, const workloads::Benchmark& b, double kept) {
  return models::builtin_baselines().get(design).cost(context(), b,
                                                      models::paper_stats(design, kept));
}

}  // namespace

TEST_CASE("predictor: the sorting network's compares follow the 16-to-4 cores' passes",
          "[baselines][predictor]") {
  // 1024 scores, top 184: one pass of 64 cores (64 compare-exchanges each) leaves 256 > 184, a
  // second pass of 16 cores leaves 64.
  CHECK(models::sorting_network_compares(1024, 184, 16, 4, 64) == Approx(64 * 64 + 16 * 64));
  // Linear in n at a fixed k / n; a smaller k needs one more pass.
  CHECK(models::sorting_network_compares(2048, 368, 16, 4, 64) ==
        Approx(2 * models::sorting_network_compares(1024, 184, 16, 4, 64)));
  CHECK(models::sorting_network_compares(1024, 32, 16, 4, 64) ==
        Approx(64 * 64 + 16 * 64 + 4 * 64));
  CHECK(models::sorting_network_compares(1024, 1024, 16, 4, 64) == 0);
}

TEST_CASE("predictor: quick-select's expected comparisons", "[baselines][predictor]") {
  // The median of n: 2n(1 + ln 2), the worst k (Knuth).
  CHECK(models::quickselect_compares(1000, 500) == Approx(2000 * (1 + std::log(2.0))));
  for (const double k : {10.0, 300.0, 900.0})
    CHECK(models::quickselect_compares(1000, k) < models::quickselect_compares(1000, 500));
  CHECK(models::quickselect_compares(2000, 600) ==
        Approx(2 * models::quickselect_compares(1000, 300)));
  CHECK(models::quickselect_compares(1000, 1000) == Approx(2000));
  CHECK(models::quickselect_compares(1, 1) == 0);
}

TEST_CASE("predictor: named parts cost their own operation and sum to their unit",
          "[baselines][predictor]") {
  auto ctx = context();
  const auto t = models::accelerator_target(ctx, "sanger");
  const models::OpCosts costs(ctx.coefficients, t.node_nm);
  const std::vector<models::ComputeUnit> units = {{"predictor", models::OpKind::IntMac, 4, 0.5, 0},
                                                  {"exec", models::OpKind::IntMac, 8, 0.5, 0}};
  models::GroupWork g;
  g.heads = 3;
  g.work.ops = {0.0, 1e4};
  models::add_part(g.work, units, 0, "scores", 1e6);
  models::add_part(g.work, units, 0, "softmax", 1e4, models::OpKind::Exp, 16);
  CHECK(g.work.ops[0] == 1e6 + 1e4);
  const auto m = models::accelerator_metrics(ctx, shape(1, 64, 128), t, units,
                                             std::vector<models::GroupWork>{g}, 0.5);
  const double scores = 3 * 1e6 * costs.pj(models::OpKind::IntMac, 4) * t.energy_overhead * 1e-12;
  const double softmax = 3 * 1e4 * costs.pj(models::OpKind::Exp, 16) * t.energy_overhead * 1e-12;
  CHECK(m.get("energy_predictor_scores_j") == Approx(scores));
  CHECK(m.get("energy_predictor_softmax_j") == Approx(softmax));
  CHECK(m.get("energy_predictor_j") == Approx(scores + softmax));
  // A compare-exchange costs its coefficient (pJ at 45 nm, scaled to the node).
  CHECK(costs.pj(models::OpKind::CompareExchange, 16) ==
        Approx(ctx.coefficients.get("baseline.cmp_exchange16_pj_45nm") * costs.energy_scale));
}

TEST_CASE("predictor: SOFA's K̂ projection scales with d_model × d_head × N",
          "[baselines][predictor]") {
  // Per layer and KV head: N keys × d_model × d shift-adds; d_model = heads × d.
  const auto per_term = [](int heads, int d, std::int64_t n) {
    const auto m = cost("sofa", shape(heads, d, n), 0.18);
    const double terms = 2.0 * heads * static_cast<double>(n) * heads * d * d;
    return m.get("energy_predictor_projection_j") / terms;
  };
  const double ref = per_term(4, 64, 256);
  CHECK(ref > 0);
  CHECK(per_term(8, 64, 256) == Approx(ref));
  CHECK(per_term(4, 64, 1024) == Approx(ref));
  // The shift-add width follows the operand width, not d: same energy per term at another d.
  CHECK(per_term(4, 128, 256) == Approx(ref));
  // The encoder runs once per X element (N × d_model per layer), the scores once per pair × d.
  const auto m = cost("sofa", shape(4, 64, 256), 0.18);
  CHECK(m.get("energy_predictor_scores_j") / m.get("energy_predictor_encode_j") ==
        Approx(256.0 * 64 / 64));
  CHECK(m.get("energy_predictor_j") ==
        Approx(m.get("energy_predictor_encode_j") + m.get("energy_predictor_projection_j") +
               m.get("energy_predictor_scores_j")));
}

TEST_CASE("predictor: SOFA's sorter is charged the network's compares per row",
          "[baselines][predictor]") {
  auto ctx = context();
  const auto t = models::accelerator_target(ctx, "sofa");
  const models::OpCosts costs(ctx.coefficients, t.node_nm);
  const auto b = shape(4, 64, 1024);
  const auto m = cost("sofa", b, 0.18);
  // 8 heads × 1024 rows × 5120 compare-exchanges (1024 -> 256 -> 64 candidates for 184 kept).
  const double compares =
      8.0 * 1024 * models::sorting_network_compares(1024, 0.18 * 1024, 16, 4, 64);
  CHECK(
      m.get("energy_sorter_sort_j") ==
      Approx(compares * costs.pj(models::OpKind::CompareExchange, 16) * t.energy_overhead * 1e-12));
  // Sorting cost grows as N^2 over a head (N rows of N scores): 4x for twice the tokens.
  CHECK(cost("sofa", shape(4, 64, 2048), 0.18).get("energy_sorter_sort_j") ==
        Approx(4 * m.get("energy_sorter_sort_j")));
}

TEST_CASE("predictor: DOTA's low-rank projection of X scales with d_model × rank × N",
          "[baselines][predictor]") {
  const double ratio = context().config.real("dota.rank_ratio");
  const auto per_term = [&](int heads, int d, std::int64_t n) {
    const auto m = cost("dota", shape(heads, d, n), 0.2);
    const double rank = std::round(ratio * d);
    // Q̃ and K̃: (queries + keys) × d_model × rank per head and layer.
    const double terms = 2.0 * heads * (2.0 * static_cast<double>(n)) * heads * d * rank;
    return m.get("energy_detector_projection_j") / terms;
  };
  const double ref = per_term(4, 64, 256);
  CHECK(ref > 0);
  CHECK(per_term(8, 64, 256) == Approx(ref));
  CHECK(per_term(4, 128, 512) == Approx(ref));
}

TEST_CASE("predictor: Sanger's softmax is an exponential per visible pair",
          "[baselines][predictor]") {
  auto ctx = context();
  const auto t = models::accelerator_target(ctx, "sanger");
  const models::OpCosts costs(ctx.coefficients, t.node_nm);
  const auto m = cost("sanger", shape(4, 64, 512), 0.24);
  const double pairs = 8.0 * 512 * 512;
  CHECK(m.get("energy_predictor_softmax_j") ==
        Approx(pairs * costs.pj(models::OpKind::Exp, 16) * t.energy_overhead * 1e-12));
  // Independent of the kept fraction: the predictor scores every pair.
  CHECK(cost("sanger", shape(4, 64, 512), 0.05).get("energy_predictor_softmax_j") ==
        Approx(m.get("energy_predictor_softmax_j")));
  CHECK(m.get("energy_predictor_threshold_j") > 0);
}

TEST_CASE("predictor: SpAtten's top-k engine is charged quick-select's comparisons",
          "[baselines][predictor]") {
  auto ctx = context();
  const auto t = models::accelerator_target(ctx, "spatten");
  const models::OpCosts costs(ctx.coefficients, t.node_nm);
  const auto m = cost("spatten", shape(4, 64, 512), 0.33);
  const double compares = 8.0 * models::quickselect_compares(512, 0.33 * 512);
  CHECK(
      m.get("energy_topk_select_j") ==
      Approx(compares * costs.pj(models::OpKind::CompareExchange, 16) * t.energy_overhead * 1e-12));
}
