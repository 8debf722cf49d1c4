// One dataflow accounting for every design (models/dataflow.hpp): the rule on known shapes, the
// same tiling and K/V streams for PADE's fidelities and every baseline over random buffers and
// policies, equal K/V bytes when nothing is pruned, and no utilization above 1 over random
// configurations.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "core/rng.hpp"
#include "models/analytical.hpp"
#include "models/baselines/baseline.hpp"
#include "models/baselines/compare.hpp"
#include "models/coarse.hpp"
#include "models/dataflow.hpp"
#include "models/event_sim.hpp"
#include "models/hardware.hpp"
#include "models/workload_stats.hpp"
#include "tests/support/catalog.hpp"
#include "workloads/catalog.hpp"

using namespace pade;
using Catch::Detail::Approx;

namespace {

using test_support::catalog;

models::HardwareConfig default_hw() {
  return models::to_hardware(core::default_config(models::hardware_schema()));
}

workloads::AttentionGroup group(std::int64_t queries, std::int64_t keys, int q_heads, int kv_heads,
                                bool causal = true) {
  workloads::AttentionGroup g;
  g.layers = 1;
  g.q_heads = q_heads;
  g.kv_heads = kv_heads;
  g.head_dim = 128;
  g.queries = queries;
  g.keys = keys;
  g.causal = causal;
  return g;
}

// The accelerator baselines (the H100 is a roofline without buffers).
const std::vector<std::string> kAccelerators = {"sanger", "dota", "sofa", "spatten", "energon"};

// Baseline statistics keeping everything: every design streams whole K and V.
models::BaselineStats keep_all() {
  models::BaselineStats s;
  for (const char* k : {"kept", "key_kept", "key_round2", "round2"}) s.per_pair[k] = 1.0;
  s.per_pair["pe_slots"] = 1.0 / 16.0;
  return s;
}

// A baseline context comparing against `hw`: same dataflow, same SRAM in total.
models::BaselineContext context_for(const models::HardwareConfig& hw) {
  models::BaselineContext ctx;
  ctx.config = models::default_baseline_config();
  ctx.config.set("target.sram_kib", hw.sram_kib(), {"test", 0, 0});
  ctx.coefficients = hw.coefficients;
  ctx.pade = models::pade_reference(hw);
  ctx.dataflow = hw.dataflow();
  return ctx;
}

models::HardwareConfig random_buffers(core::Rng& rng) {
  models::HardwareConfig hw = default_hw();
  hw.kv_buffer_kib = std::round(std::exp(rng.uniform(std::log(8.0), std::log(8192.0))));
  hw.q_buffer_kib = std::round(std::exp(rng.uniform(0.0, std::log(256.0))));
  hw.out_buffer_kib = std::round(std::exp(rng.uniform(0.0, std::log(256.0))));
  hw.qk_rows = 1 << rng.below(6);
  hw.accumulator_bits = rng.below(2) == 0 ? 16 : 32;
  hw.accumulator_home =
      rng.below(4) == 0 ? models::AccumulatorHome::Datapath : models::AccumulatorHome::OutBuffer;
  hw.kv_reuse = static_cast<models::KvReuse>(rng.below(3));
  hw.resident_budget = rng.uniform(0.1, 2.0);
  return hw;
}

}  // namespace

TEST_CASE("dataflow: the rule on known shapes", "[dataflow]") {
  models::Dataflow df = default_hw().dataflow();
  // d = 128, INT8: the 16 KiB Q buffer holds 128 rows, the output buffer 31 rows of FP32
  // accumulators (128 x 4 + 8 bytes): 3 query groups of 8.
  const auto prefill = group(4096, 4096, 32, 32);
  auto p = models::plan_dataflow(df, prefill, 8);
  CHECK(p.q_rows_fit == 128);
  CHECK(p.acc_rows_fit == 31);
  CHECK(p.rows_per_tile() == 24);
  CHECK_FALSE(p.resident);  // 4096 x 256 B = 1 MiB
  CHECK(p.passes == std::ceil(512.0 / 3.0));
  // A causal tile of 24 rows streams 11.5 keys beyond its mean row's.
  CHECK(p.keys_per_pass == Approx(prefill.pairs_per_head() / 4096 + 11.5));
  // Accumulators outside the buffers: the Q buffer alone bounds the tile.
  df.accumulator_home = models::AccumulatorHome::Datapath;
  CHECK(models::plan_dataflow(df, prefill, 8).rows_per_tile() == 128);
  df.accumulator_home = models::AccumulatorHome::OutBuffer;
  // Residency in half of the 320 KiB buffer: 640 keys fit, 641 do not; the whole buffer: 1280.
  CHECK(models::plan_dataflow(df, group(640, 640, 32, 32), 8).resident);
  CHECK_FALSE(models::plan_dataflow(df, group(641, 641, 32, 32), 8).resident);
  df.resident_budget = 1.0;
  CHECK(models::plan_dataflow(df, group(1280, 1280, 32, 32), 8).resident);
  const auto res = models::plan_dataflow(df, group(1280, 1280, 32, 8), 8);
  CHECK(res.key_reads_per_kv_head() == 1280);  // once per KV head, shared by its 4 query heads
  CHECK(res.key_reads_per_q_head() == 320);
  // No reuse across query groups: one stream per group.
  df.kv_reuse = models::KvReuse::QueryGroup;
  const auto per_group = models::plan_dataflow(df, group(64, 64, 1, 1, false), 8);
  CHECK(per_group.passes == 8);
  CHECK(per_group.keys_per_pass == 64);
  // Decode under GQA: the query tile takes the single rows of the query heads of a KV head.
  df.kv_reuse = models::KvReuse::QueryTile;
  const auto decode = models::plan_dataflow(df, group(1, 8192, 32, 8), 8);
  CHECK(decode.rows_per_group == 1);
  CHECK(decode.groups_per_tile == 4);
  CHECK(decode.passes == 1);
}

TEST_CASE(
    "dataflow: identical buffers and policy give every design identical tiling and K/V "
    "streams (random buffers)",
    "[dataflow]") {
  const auto ws = models::reference_workload_stats();
  const auto& registry = models::builtin_baselines();
  const std::vector<std::string> benches = {"llama2-7b/mmlu", "llama3-8b/winogrande",
                                            "vit-l16/imagenet", "pvt-small/imagenet",
                                            "llama3-8b/mmlu@decode"};
  core::Rng rng(16);
  for (int trial = 0; trial < 40; ++trial) {
    const models::HardwareConfig hw = random_buffers(rng);
    const models::BaselineContext ctx = context_for(hw);
    const auto& b = catalog().benchmark(benches[static_cast<std::size_t>(trial) % benches.size()]);
    CAPTURE(trial, b.name, hw.kv_buffer_kib, hw.q_buffer_kib, hw.out_buffer_kib, hw.qk_rows,
            hw.accumulator_bits, static_cast<int>(hw.accumulator_home),
            static_cast<int>(hw.kv_reuse), hw.resident_budget);
    const core::Metrics pade = models::analytical_model(hw, b, ws);
    std::vector<std::pair<std::string, core::Metrics>> designs = {
        {"coarse", models::coarse_model(hw, b, ws)}};
    if (trial % 8 == 0) designs.emplace_back("event", models::event_model(hw, b, ws));
    for (const auto& name : kAccelerators)
      designs.emplace_back(name, registry.get(name).cost(ctx, b, keep_all()));
    for (const auto& [name, m] : designs) {
      CAPTURE(name);
      for (const char* key :
           {"dataflow_rows_per_tile", "dataflow_key_streams", "dataflow_resident_fraction"}) {
        CAPTURE(key);
        CHECK(m.get(key) == Approx(pade.get(key)).epsilon(1e-12));
      }
    }
  }
}

TEST_CASE(
    "dataflow: with nothing pruned PADE and a baseline keeping every key move the same "
    "bytes",
    "[dataflow]") {
  // BUI-GF off: every plane of every key and every V row is needed, so PADE streams whole K and V
  // like DOTA at full retention (whose detector reads nothing else from DRAM); Q and the output
  // are read and written once by both (benchmarks whose queries fill whole query groups: PADE
  // reads and writes a partial group's Q and output rows padded to the group).
  const auto ws = models::reference_workload_stats();
  core::Rng rng(6);
  for (int trial = 0; trial < 12; ++trial) {
    models::HardwareConfig hw = random_buffers(rng);
    hw.qk_rows = 8;
    hw.bui_gf = false;
    const auto& b = catalog().benchmark(trial % 3 == 0   ? "llama2-7b/mmlu"
                                        : trial % 3 == 1 ? "llama3-8b/winogrande"
                                                         : "opt-1.3b/mmlu");
    CAPTURE(trial, b.name, hw.kv_buffer_kib, hw.q_buffer_kib, hw.out_buffer_kib,
            static_cast<int>(hw.kv_reuse), hw.resident_budget);
    const double dota = models::builtin_baselines()
                            .get("dota")
                            .cost(context_for(hw), b, keep_all())
                            .get("dram_bytes");
    for (const auto layout : {models::KeyLayout::BitPlaneFirst, models::KeyLayout::WordMajor}) {
      hw.key_layout = layout;
      CHECK(models::analytical_model(hw, b, ws).get("dram_bytes") == Approx(dota).epsilon(1e-3));
      CHECK(models::coarse_model(hw, b, ws).get("dram_bytes") == Approx(dota).epsilon(1e-3));
    }
  }
}

TEST_CASE("dataflow: no utilization above 1 over random configurations", "[dataflow]") {
  const auto ws = models::reference_workload_stats();
  const std::vector<std::string> benches = {"llama2-7b/winogrande", "vit-l16/imagenet",
                                            "pvt-small/imagenet", "opt-1.3b/mmlu",
                                            "llama3-8b/mmlu@decode"};
  core::Rng rng(1016);
  for (int trial = 0; trial < 30; ++trial) {
    models::HardwareConfig hw = random_buffers(rng);
    hw.lanes_per_row = 1 << (2 + rng.below(4));
    hw.scoreboard_entries = 1 << (2 + rng.below(5));
    hw.dims_per_lane = rng.below(2) == 0 ? 64 : 128;
    hw.exp_units = 1 << rng.below(6);
    hw.qk_to_v_ratio = 1 << rng.below(5);
    hw.hbm_pseudo_channels = 1 << (2 + rng.below(4));
    hw.hbm_latency_ns = rng.uniform(10, 200);
    hw.out_of_order = rng.below(4) != 0;
    hw.bui_gf = rng.below(4) != 0;
    hw.key_layout =
        rng.below(3) == 0 ? models::KeyLayout::WordMajor : models::KeyLayout::BitPlaneFirst;
    const auto& b = catalog().benchmark(benches[static_cast<std::size_t>(trial) % benches.size()]);
    CAPTURE(trial, b.name, hw.qk_rows, hw.lanes_per_row, hw.scoreboard_entries, hw.exp_units,
            hw.qk_to_v_ratio, hw.hbm_pseudo_channels, hw.out_of_order, hw.bui_gf);
    const std::vector<std::pair<std::string, core::Metrics>> runs = {
        {"analytical", models::analytical_model(hw, b, ws)},
        {"event", models::event_model(hw, b, ws)},
        {"coarse", models::coarse_model(hw, b, ws)}};
    for (const auto& [fid, m] : runs)
      for (const auto& [key, value] : m.sorted()) {
        if (key.rfind("util", 0) != 0 && key.find("utilization") == std::string::npos) continue;
        CAPTURE(fid, key);
        CHECK(value >= 0);
        CHECK(value <= 1 + 1e-9);
      }
    const models::BaselineContext ctx = context_for(hw);
    for (const auto& name : kAccelerators) {
      const core::Metrics m = models::builtin_baselines().get(name).cost(ctx, b, keep_all());
      for (const auto& [key, value] : m.sorted())
        if (key.find("utilization") != std::string::npos) {
          CAPTURE(name, key);
          CHECK(value <= 1 + 1e-9);
        }
    }
  }
}

TEST_CASE("memory.dram_model charges every design's DRAM one way (the baselines read it too)",
          "[dataflow][hbm]") {
  // bandwidth (default): bytes x (hbm.device_pj_per_bit + hbm.io_pj_per_bit), no activations.
  // row_buffer: activations charged apart, the open-row per-bit figure, refresh stretches the
  // streams (models/hbm.hpp); the baselines' word-major streams go through the same closed form.
  const auto& registry = models::builtin_baselines();
  const auto& b = catalog().benchmark("llama2-7b/mmlu");
  auto bw = default_hw();
  auto rb = bw;
  rb.dram_model = models::DramModel::RowBuffer;
  const double pj_per_byte =
      8.0 * (bw.coef.hbm_device_pj_per_bit + bw.coef.hbm_io_pj_per_bit) * 1e-12;
  for (const auto& name : kAccelerators) {
    CAPTURE(name);
    const auto mb = registry.get(name).cost(context_for(bw), b, keep_all());
    const auto mr = registry.get(name).cost(context_for(rb), b, keep_all());
    REQUIRE(mb.get("dram_bytes") > 0);
    CHECK(mb.get("energy_dram_j") == Approx(mb.get("dram_bytes") * pj_per_byte).epsilon(1e-12));
    CHECK(mr.get("dram_bytes") == Approx(mb.get("dram_bytes")));
    CHECK(mr.get("energy_dram_j") != Approx(mb.get("energy_dram_j")).epsilon(1e-6));
    CHECK(mr.get("latency_cycles") >= mb.get("latency_cycles") * (1 - 1e-12));
  }
}
