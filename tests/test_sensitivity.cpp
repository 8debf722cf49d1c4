// Issue #18 items 4-6: the H100's power basis, the two energy scopes, every coefficient's range,
// the Latin-hypercube sensitivity study on crafted functions (known quantiles, a shared axis that
// cancels in a ratio, thread-count independence), the calibration refit and the tornado figure.
#include <tbb/task_arena.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <set>

#include "core/coefficients.hpp"
#include "dse/headline.hpp"
#include "dse/sensitivity.hpp"
#include "models/baselines/baseline.hpp"
#include "models/baselines/compare.hpp"
#include "models/energy_area.hpp"
#include "models/hardware.hpp"
#include "results/plot.hpp"
#include "results/store.hpp"
#include "test_results_fixture.hpp"
#include "tests/support/catalog.hpp"
#include "workloads/catalog.hpp"

using namespace pade;
using Catch::Detail::Approx;

namespace {

using test_support::catalog;

models::BaselineContext h100_context(const std::string& basis) {
  models::BaselineContext ctx;
  ctx.config = models::default_baseline_config();
  ctx.config.set("h100.normalization", std::string("single_chip"), {"test", 0, 0});
  ctx.config.set("h100.power_basis", basis, {"test", 0, 0});
  ctx.pade =
      models::pade_reference(models::to_hardware(core::default_config(models::hardware_schema())));
  return ctx;
}

/// Two axes: a shared one that scales both sides of a ratio, and one only the numerator reads.
std::vector<dse::SensitivityAxis> crafted_axes() {
  return {{"shared", 2.0, 1.0, 3.0, "test"}, {"own", 1.0, 0.5, 2.0, "test"}};
}

std::map<std::string, double> crafted(std::span<const double> x) {
  const double pade = x[0] * 1.0, baseline = x[0] * x[1];  // both read the shared axis
  return {{"ratio", baseline / pade}, {"sum", x[0] + x[1]}};
}

}  // namespace

TEST_CASE("coefficients: every entry has a low/high range around its default, with a basis",
          "[coefficients][sensitivity]") {
  const core::CoefficientTable table = core::CoefficientTable::defaults();
  for (const auto& c : table.entries()) {
    INFO(c.name);
    REQUIRE(c.range.has_value());
    CHECK(c.range->low <= c.value);
    CHECK(c.value <= c.range->high);
    CHECK(c.range->low >= 0);
    CHECK(!c.range->source.empty());
  }
  const std::string md = core::CoefficientTable::defaults().reference_markdown();
  CHECK(md.find("| sensitivity range | range basis |") != std::string::npos);
  CHECK(md.find("3 – 6 | published spread: HBM2") != std::string::npos);
}

TEST_CASE("H100: dynamic power basis subtracts the idle power, core scope leaves out HBM",
          "[sensitivity][baselines]") {
  const auto& bench = catalog().benchmark("llama2-7b/mmlu");
  const auto& h100 = models::builtin_baselines().get("h100");
  const auto board = h100.cost(h100_context("board"), bench, {});
  const auto dynamic = h100.cost(h100_context("dynamic"), bench, {});
  const double t = board.get("latency_s");
  CHECK(dynamic.get("latency_s") == t);
  CHECK(board.get("energy_j") == Approx(700.0 * 0.9 * t));
  CHECK(dynamic.get("energy_j") == Approx((700.0 * 0.9 - 75.0) * t));
  CHECK(board.get("single_chip_dynamic_energy_j") == Approx(dynamic.get("energy_j")));
  CHECK(dynamic.get("power_basis_dynamic") == 1);
  const double hbm = board.get("dram_bytes") * 8.0 * (4.0 + 1.1) * 1e-12;
  CHECK(board.get("energy_dram_j") == Approx(hbm));
  CHECK(board.get("energy_core_j") == Approx(board.get("energy_j") - hbm));
  CHECK(board.get("batch_equivalent") == Approx(32.0));  // 16k tokens / 512
}

TEST_CASE("compare: energy efficiency in both scopes for every design", "[sensitivity]") {
  models::BenchmarkOutcome o;
  o.benchmark = "a";
  o.pade.set("latency_s", 1.0);
  o.pade.set("energy_j", 2.0);
  o.pade.set("energy_core_j", 0.5);
  o.baselines["x"].set("latency_s", 3.0);
  o.baselines["x"].set("energy_j", 4.0);
  o.baselines["x"].set("energy_core_j", 2.0);
  const auto values = models::compare_outcomes(std::span(&o, 1));
  const auto ratios = dse::headline_ratios(values);
  CHECK(ratios.at("x/speedup") == Approx(3.0));
  CHECK(ratios.at("x/energy_efficiency") == Approx(2.0));
  CHECK(ratios.at("x/energy_efficiency_core") == Approx(4.0));
  CHECK(models::energy_scope("energy_efficiency").find("DRAM") != std::string::npos);
}

TEST_CASE("sensitivity: the Latin hypercube puts one point in every stratum of every axis",
          "[sensitivity]") {
  const auto axes = crafted_axes();
  const std::size_t n = 16;
  const auto pts = dse::latin_box(axes, n, 7);
  REQUIRE(pts.size() == n);
  for (std::size_t d = 0; d < axes.size(); ++d) {
    std::set<std::size_t> strata;
    for (const auto& p : pts) {
      const double u = (p[d] - axes[d].low) / (axes[d].high - axes[d].low);
      CHECK(u >= 0);
      CHECK(u < 1);
      strata.insert(static_cast<std::size_t>(u * n));
    }
    CHECK(strata.size() == n);
  }
  CHECK(dse::latin_box(axes, n, 7) == pts);
  CHECK(dse::latin_box(axes, n, 8) != pts);
  CHECK(dse::quantile({3, 1, 2, 4}, 0.5) == Approx(2.5));
  CHECK(dse::quantile({3, 1, 2, 4}, 0.0) == 1);
}

TEST_CASE("sensitivity: a shared axis cancels in a ratio, quantiles and tornado are the box's",
          "[sensitivity]") {
  const auto axes = crafted_axes();
  const auto r = dse::run_sensitivity(axes, 400, 3, crafted);
  REQUIRE(r.summaries.size() == 2);
  const auto& ratio = r.summaries[0];
  REQUIRE(ratio.key == "ratio");
  // ratio = own: uniform on [0.5, 2]; drawing the shared axis once per sample for both sides
  // keeps its [1, 3] span out of the ratio (drawn twice, the 5-95 % range would widen ~2x).
  CHECK(ratio.nominal == Approx(1.0));
  CHECK(ratio.median == Approx(1.25).margin(0.02));
  CHECK(ratio.p05 == Approx(0.575).margin(0.02));
  CHECK(ratio.p95 == Approx(1.925).margin(0.02));
  // Tornado: "own" swings the ratio by 1.5, "shared" not at all.
  std::vector<dse::TornadoBar> bars;
  for (const auto& b : r.tornado)
    if (b.key == "ratio") bars.push_back(b);
  REQUIRE(bars.size() == 2);
  CHECK(bars[0].axis == "own");
  CHECK(bars[0].at_low == Approx(0.5));
  CHECK(bars[0].at_high == Approx(2.0));
  CHECK(bars[1].swing() == Approx(0.0).margin(1e-12));
}

TEST_CASE("sensitivity: the same result for one and two threads", "[sensitivity]") {
  const auto axes = crafted_axes();
  const auto run = [&](int threads) {
    tbb::task_arena arena(threads);
    dse::SensitivityResult r;
    arena.execute([&] { r = dse::run_sensitivity(axes, 64, 11, crafted); });
    return r;
  };
  const auto a = run(1), b = run(2);
  REQUIRE(a.summaries.size() == b.summaries.size());
  for (std::size_t i = 0; i < a.summaries.size(); ++i) {
    CHECK(a.summaries[i].median == b.summaries[i].median);
    CHECK(a.summaries[i].p05 == b.summaries[i].p05);
    CHECK(a.summaries[i].p95 == b.summaries[i].p95);
  }
  REQUIRE(a.tornado.size() == b.tornado.size());
  for (std::size_t i = 0; i < a.tornado.size(); ++i) CHECK(a.tornado[i].axis == b.tornado[i].axis);
}

TEST_CASE("sensitivity: coefficient axes skip exact and refitted entries", "[sensitivity]") {
  const std::vector<std::string> refitted = {"calib."};
  const auto axes = dse::coefficient_axes(core::CoefficientTable::defaults(), refitted);
  std::set<std::string> names;
  for (const auto& a : axes) {
    names.insert(a.name);
    CHECK(a.low < a.high);
  }
  CHECK(names.count("coefficients.hbm.device_pj_per_bit") == 1);
  CHECK(names.count("coefficients.h100.tdp_w") == 0);                  // datasheet, exact
  CHECK(names.count("coefficients.calib.dynamic_energy_scale") == 0);  // refitted
}

TEST_CASE("sensitivity: the calibration refit keeps PADE on its silicon", "[sensitivity][hw]") {
  const auto targets = dse::calibration_targets(catalog());
  CHECK(targets.area_mm2 == Approx(4.53).epsilon(0.005));
  CHECK(targets.core_power_w == Approx(0.591).epsilon(0.01));
  core::Config hw = core::default_config(models::hardware_schema());
  dse::refit_calibration(hw, targets);  // at the defaults: the table's own values
  const auto table = core::CoefficientTable::defaults();
  CHECK(hw.real("coefficients.calib.dynamic_energy_scale") ==
        Approx(table.get("calib.dynamic_energy_scale")));
  CHECK(hw.real("coefficients.calib.logic_area_scale") ==
        Approx(table.get("calib.logic_area_scale")));
  // Doubling the SRAM read energy: the refitted scale falls so the core power stays at 591 mW.
  hw.set("coefficients.sram.read_pj_per_bit", 0.07, {"test", 0, 0});
  hw.set("coefficients.area.ge_um2", 0.6, {"test", 0, 0});
  dse::refit_calibration(hw, targets);
  CHECK(hw.real("coefficients.calib.dynamic_energy_scale") < 0.519);
  CHECK(hw.real("coefficients.calib.logic_area_scale") < 1.037);
  core::Config fit = core::default_config(models::hardware_schema());
  for (const char* k :
       {"coefficients.sram.read_pj_per_bit", "coefficients.area.ge_um2",
        "coefficients.calib.dynamic_energy_scale", "coefficients.calib.logic_area_scale"})
    fit.set(k, hw.real(k), {"test", 0, 0});
  CHECK(models::area_breakdown(models::to_hardware(fit)).total() ==
        Approx(targets.area_mm2).epsilon(1e-6));
}

TEST_CASE("sensitivity: the tornado figure reads the stored rows", "[sensitivity][results]") {
  test::ResultsTempDir dir("tornado");
  results::Store store((dir.path / "r.db").string());
  results::CampaignRecord rec;
  rec.name = "compare-iso_area";
  rec.spec_yaml = "# test";
  rec.strategy = "compare";
  const auto id = store.create_campaign(rec);
  std::vector<results::ComparisonRecord> rows = {
      {"a", "sofa", "energy_efficiency", 1.0},
      {"sensitivity:nominal", "sofa", "energy_efficiency", 2.0},
      {"tornado-low:coefficients.hbm.device_pj_per_bit", "sofa", "energy_efficiency", 1.5},
      {"tornado-high:coefficients.hbm.device_pj_per_bit", "sofa", "energy_efficiency", 3.0},
      {"tornado-low:coefficients.area.ge_um2", "sofa", "energy_efficiency", 2.0},
      {"tornado-high:coefficients.area.ge_um2", "sofa", "energy_efficiency", 2.1}};
  store.put_comparisons(id, rows);
  results::FigureOptions o;
  o.campaign = "compare-iso_area";
  const auto files = results::render_figure(store, "tornado", o, dir.path / "f");
  const std::string dat = test::slurp_file(dir.path / "f" / "tornado.dat");
  // Largest swing on top (written last): HBM at -25 % / +50 %.
  CHECK(dat.find("\"sofa: coefficients.hbm.device_pj_per_bit\" -25 50") != std::string::npos);
  CHECK(dat.find("area.ge_um2\" 0 5") != std::string::npos);
  CHECK(dat.find("\"sofa: coefficients.area.ge_um2\"") <
        dat.find("\"sofa: coefficients.hbm.device_pj_per_bit\""));
  CHECK(files.caption.find("Tornado") != std::string::npos);
  CHECK(rows[0].per_benchmark());
  CHECK(!rows[1].per_benchmark());
}
