// Campaign files: derived parameters, the halving/NSGA-II keys, and their input errors.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>

#include "dse/campaign.hpp"
#include "models/hardware.hpp"
#include "tests/support/run_pade.hpp"

using namespace pade;

namespace {

dse::Campaign read(const std::string& extra) {
  return dse::read_campaign_text(
      "kind: campaign\nname: d\nspace:\n  qk_pu.rows: [4, 8]\n  qk_pu.lanes_per_row: [8, 16]\n" +
          extra,
      "d.yaml", ".");
}

std::string error_of(const std::string& extra) {
  try {
    (void)read(extra);
  } catch (const core::InputError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("derived parameters: copies, arithmetic, functions, order of application", "[dse]") {
  const auto c = read(
      "derived:\n"
      "  softmax.exp_units: \"qk_pu.rows\"\n"
      "  sram.q_buffer_kib: \"2 * (qk_pu.rows + qk_pu.lanes_per_row) / 4 - -1\"\n"
      "  qk_pu.scoreboard_entries: \"max(16, min(qk_pu.lanes_per_row * 3, 40))\"\n"
      "  qk_pu.gsat_subgroup: \"floor(softmax.exp_units / 3) + ceil(0.2) + round(0.4)\"\n");
  REQUIRE(c.space.derived().size() == 4);
  const auto p = c.space.point(c.base, {1, 0});  // rows 8, lanes 8
  CHECK(p.integer("softmax.exp_units") == 8);
  CHECK(p.real("sram.q_buffer_kib") == Approx(2.0 * 16 / 4 + 1));
  CHECK(p.integer("qk_pu.scoreboard_entries") == 24);
  CHECK(p.integer("qk_pu.gsat_subgroup") == 2 + 1 + 0);  // reads the derived exp_units (8)
  const auto q = c.space.point(c.base, {0, 1});          // rows 4, lanes 16
  CHECK(q.integer("softmax.exp_units") == 4);
  CHECK(q.integer("qk_pu.scoreboard_entries") == 40);
  CHECK(p.hash() != q.hash());
}

TEST_CASE("derived parameters: bad expressions are input errors naming file:line:column", "[dse]") {
  CHECK_THAT(error_of("derived:\n  softmax.exp_units: \"qk_pu.rowz\"\n"),
             Catch::Contains("d.yaml:7:22") && Catch::Contains("unknown parameter 'qk_pu.rowz'") &&
                 Catch::Contains("did you mean 'qk_pu.rows'"));
  CHECK_THAT(error_of("derived:\n  softmax.exp_units: \"qk_pu.rows +\"\n"),
             Catch::Contains("found the end at character 13") &&
                 Catch::Contains("expected a number, a parameter"));
  CHECK_THAT(error_of("derived:\n  softmax.exp_units: \"sqrt(4)\"\n"),
             Catch::Contains("unknown function 'sqrt'"));
  CHECK_THAT(error_of("derived:\n  softmax.exp_units: \"qk_pu.rows / 3\"\n"),
             Catch::Contains("expected a whole number") && Catch::Contains("qk_pu.rows=4"));
  CHECK_THAT(error_of("derived:\n  softmax.exp_units: \"qk_pu.rows * 1000\"\n"),
             Catch::Contains("found 4000") && Catch::Contains("integer in [1, 1024]"));
  CHECK_THAT(error_of("derived:\n  qk_pu.rows: \"4\"\n"), Catch::Contains("also swept"));
  CHECK_THAT(error_of("derived:\n  memory.key_layout: \"1\"\n"),
             Catch::Contains("expected a numeric"));
  CHECK_THAT(error_of("derived:\n  softmax.exp_units: \"memory.key_layout\"\n"),
             Catch::Contains("expected a numeric parameter"));
  CHECK_THAT(error_of("derived:\n  softmax.exp_units: \"qk_pu.rows / (qk_pu.rows - 4)\"\n"),
             Catch::Contains("division by zero"));
  CHECK_THAT(error_of("derived: [1]\n"), Catch::Contains("expected a map"));
}

TEST_CASE("derived expressions nest at most 200 levels: deeper is an input error, not a crash",
          "[dse]") {
  const auto nested = [](const std::string& open, std::size_t depth, const std::string& close) {
    std::string e;
    for (std::size_t i = 0; i < depth; ++i) e += open;
    e += "qk_pu.rows";
    for (std::size_t i = 0; i < depth; ++i) e += close;
    return "derived:\n  softmax.exp_units: \"" + e + "\"\n";
  };
  // 200 levels of each kind compile and evaluate.
  CHECK(
      read(nested("(", 200, ")")).space.point(read("").base, {1, 0}).integer("softmax.exp_units") ==
      8);
  CHECK(read(nested("--", 100, "")).space.derived().size() == 1);
  CHECK(read(nested("min(", 200, ", 4)")).space.derived().size() == 1);
  // One more, and the inputs that used to overflow the stack (SIGSEGV): ~11.6k parentheses and
  // 400k unary minus signs. The message is located and stays short.
  for (const auto& [derived, at] :
       std::vector<std::pair<std::string, int>>{{nested("(", 201, ")"), 201},
                                                {nested("-", 201, ""), 201},
                                                {nested("max(", 201, ")"), 201 * 4},
                                                {nested("(", 11600, ")"), 201},
                                                {nested("-", 400000, ""), 201},
                                                {nested("(-", 150, ")"), 201}}) {
    const std::string e = error_of(derived);
    CAPTURE(e.substr(0, 300));
    CHECK_THAT(e, Catch::StartsWith("d.yaml:7:22: error: 'derived.softmax.exp_units': more than "
                                    "200 nested parentheses, function calls or unary minus signs "
                                    "at character " +
                                    std::to_string(at) + " of \""));
    CHECK_THAT(e, Catch::EndsWith("expected at most 200 levels of nesting"));
    CHECK(e.size() < 400);
  }
}

TEST_CASE("pade validate: a derived expression nested too deeply exits 2 with its location",
          "[dse][cli]") {
  const test::TempDir dir("deep");
  for (const std::string& e : {std::string(11600, '(') + "qk_pu.rows" + std::string(11600, ')'),
                               std::string(400000, '-') + "qk_pu.rows"}) {
    const auto file = dir.write(
        "c.yaml", "kind: campaign\nname: deep\nderived:\n  softmax.exp_units: \"" + e + "\"\n");
    const auto r = test::run_pade("validate " + test::shell_quote(file.string()));
    CHECK(r.code == 2);
    CHECK_THAT(r.err, Catch::StartsWith(file.string() + ":4:22: error: "
                                                        "'derived.softmax.exp_units': more than "
                                                        "200 nested"));
    CHECK(r.out.empty());
  }
}

TEST_CASE("range levels: counted without overflow, never outside [from, to], never merged",
          "[dse]") {
  const auto levels = [](const std::string& entry) {
    const auto c = dse::read_campaign_text("kind: campaign\nname: r\nspace:\n  " + entry + "\n",
                                           "r.yaml", ".");
    REQUIRE(c.space.dimensions().size() == 1);
    std::vector<double> out;
    for (const auto& v : c.space.dimensions().front().levels)
      out.push_back(std::holds_alternative<double>(v)
                        ? std::get<double>(v)
                        : static_cast<double>(std::get<std::int64_t>(v)));
    return out;
  };
  const auto finite_and_within = [](const std::vector<double>& v, double lo, double hi) {
    return std::all_of(v.begin(), v.end(),
                       [&](double x) { return std::isfinite(x) && x >= lo && x <= hi; }) &&
           std::is_sorted(v.begin(), v.end()) && std::adjacent_find(v.begin(), v.end()) == v.end();
  };
  const std::string coef = "coefficients.energy.add8_pj_45nm: ";  // a real without a maximum
  // A geometric range up to the largest doubles: its last product used to overflow to inf, and
  // a loop bounded by `to * (1 + 1e-9)` = inf never ended.
  const auto g = levels(coef + "{from: 1, to: 1.79e308, factor: 10}");
  CHECK(g.size() == 309);
  CHECK(finite_and_within(g, 1, 1.79e308));
  const auto s = levels(coef + "{from: 0, to: 1.7e308, step: 1e305}");
  CHECK(s.size() == 1701);
  CHECK(finite_and_within(s, 0, 1.7e308));  // snapping to 1e-9 used to overflow to inf
  const auto wide = levels(coef + "{from: 1e-300, to: 1e300, steps: 3, scale: log}");
  REQUIRE(wide.size() == 3);
  CHECK(wide[1] == Approx(1.0));
  CHECK(finite_and_within(wide, 1e-300, 1e300));
  // A range finer than the 1e-9 snap keeps every level (they used to merge into 0 and 1e-9).
  const auto fine = levels(coef + "{from: 0, to: 1e-9, step: 1e-10}");
  CHECK(fine.size() == 11);
  CHECK(finite_and_within(fine, 0, 1e-9));
  CHECK(levels("algorithm.alpha: {from: 0.3, to: 0.7, step: 0.1}") ==
        std::vector<double>{0.3, 0.4, 0.5, 0.6, 0.7});
  // Integer parameters: whole ends, step and factor levels.
  CHECK(levels("qk_pu.rows: {from: 4, to: 9, factor: 1.5}") == std::vector<double>{4, 6, 9});
  CHECK(levels("qk_pu.rows: {from: 2, to: 9, step: 3}") == std::vector<double>{2, 5, 8});
  const auto error = [](const std::string& entry) {
    try {
      (void)dse::read_campaign_text("kind: campaign\nname: r\nspace:\n  " + entry + "\n", "r.yaml",
                                    ".");
    } catch (const core::InputError& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  CHECK(error("algorithm.alpha: {from: 0, to: 1, step: 1e-300}") ==
        "r.yaml:4:43: error: 'space.algorithm.alpha.step': found '1e-300' (too many levels), "
        "expected at most 100000 levels");
  CHECK(error(coef + "{from: 0, to: 1.7e308, step: 1e-300}") ==
        "r.yaml:4:66: error: 'space.coefficients.energy.add8_pj_45nm.step': found '1e-300' (too "
        "many levels), expected at most 100000 levels");
  CHECK(error("algorithm.alpha: {from: 0.1, to: 1, factor: 1.000000000000001}") ==
        "r.yaml:4:47: error: 'space.algorithm.alpha.factor': found '1.000000000000001' "
        "(2073984273359371 levels), expected at most 100000 levels");
  CHECK(error("algorithm.alpha: {from: 0.1, to: 1, factor: .nan}") ==
        "r.yaml:4:47: error: 'space.algorithm.alpha.factor': found '.nan', expected a number");
  CHECK(error("algorithm.alpha: {from: 0.1, to: .inf, factor: 2}") ==
        "r.yaml:4:36: error: 'space.algorithm.alpha.to': found '.inf', expected a number");
  CHECK(error("qk_pu.rows: {from: 1, to: 8, step: 0.5}") ==
        "r.yaml:4:38: error: 'space.qk_pu.rows.step': found '0.5', expected a whole number "
        "(qk_pu.rows is an integer parameter)");
  CHECK(error("qk_pu.rows: {from: 1.5, to: 8, steps: 3}") ==
        "r.yaml:4:22: error: 'space.qk_pu.rows.from': found '1.5', expected a whole number "
        "(qk_pu.rows is an integer parameter)");
  CHECK(error("qk_pu.rows: {from: 3, to: 30, factor: 2.5}") ==
        "r.yaml:4:41: error: 'space.qk_pu.rows.factor': found '2.5' (level 2 would be 7.5), "
        "expected a factor that keeps every level a whole number (qk_pu.rows is an integer "
        "parameter)");
}

TEST_CASE("campaign: strategy choices, halving keys and refine_fidelity", "[dse]") {
  const auto c =
      read("strategy: halving\nfidelity: coarse\nrefine_fidelity: coarse\nhalving: {eta: 4}\n");
  CHECK(c.eta == 4);
  // `coarse` is the screening model's old name: still read, stored under the current name.
  CHECK(c.fidelity_ladder() == std::vector<std::string>{"screening", "screening"});
  CHECK(read("strategy: nsga2\n").fidelity_ladder() == std::vector<std::string>{"analytical"});
  CHECK_THAT(error_of("strategy: halving\nrefine_fidelity: evnt\n"),
             Catch::Contains("refine_fidelity") && Catch::Contains("found 'evnt'"));
  CHECK_THAT(error_of("strategy: halving\nhalving: {eta: 1}\n"), Catch::Contains("halving.eta"));
  CHECK_THAT(error_of("strategy: nsga3\n"), Catch::Contains("nsga2") && Catch::Contains("halving"));
}

TEST_CASE(
    "the default campaign sweeps lanes, scoreboard depth, operand bits, alpha and tile size over "
    "PADE-22 by "
    "halving, around the paper's point",
    "[dse]") {
  const auto c =
      dse::read_campaign(std::string(PADE_SOURCE_DIR) + "/dse/data/default-campaign.yaml");
  CHECK(c.suite == "pade22");
  CHECK(c.benchmarks.empty());
  CHECK(c.strategy == "halving");
  CHECK(c.fidelity_ladder().size() == 2);
  const auto paper = core::default_config(models::hardware_schema());  // the paper's design point
  for (const char* key : {"qk_pu.lanes_per_row", "qk_pu.scoreboard_entries", "algorithm.bits",
                          "algorithm.alpha", "algorithm.tile_keys"}) {
    INFO(key);
    const auto& dims = c.space.dimensions();
    const auto it = std::find_if(dims.begin(), dims.end(),
                                 [&](const dse::Dimension& d) { return d.key == key; });
    REQUIRE(it != dims.end());
    CHECK(it->levels.size() >= 3);
    // The paper's value is a level, with at least one level either side.
    const auto at = std::find(it->levels.begin(), it->levels.end(), paper.value(key));
    REQUIRE(at != it->levels.end());
    CHECK(at != it->levels.begin());
    CHECK(at + 1 != it->levels.end());
  }
}
