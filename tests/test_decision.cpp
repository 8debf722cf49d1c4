// The report's recommended designs (results/decision.hpp): which front designs are chosen, by
// which distances, and what explains them — on hand-made fronts whose answers are worked out in
// the comments, and on the fixture database.
#include <catch2/catch.hpp>
#include <cmath>

#include "results/decision.hpp"
#include "results/figures/figure.hpp"
#include "test_results_fixture.hpp"

using namespace pade;
using results::FrontDesign;

namespace {

FrontDesign design(const std::string& hash, double latency, double energy, int lanes,
                   const std::string& alpha, bool on_front = true) {
  FrontDesign d;
  d.hash = hash;
  d.fidelity = "event";
  d.on_front = on_front;
  d.objectives.set("latency_s", latency);
  d.objectives.set("energy_j", energy);
  d.params["qk_pu.lanes_per_row"] = {static_cast<double>(lanes), std::to_string(lanes)};
  d.params["algorithm.alpha"] = {std::stod(alpha), alpha};
  d.params["algorithm.tile_order"] = {std::nullopt, lanes == 32 ? "in_order" : "head_tail"};
  return d;
}

/// Front A (1 s, 10 J), B (2 s, 5 J), C (4 s, 2 J) and the dominated D. Normalized over the
/// front (latency over [1, 4], energy over [2, 10]): A (0, 1), B (1/3, 3/8), C (1, 0).
results::DecisionInput abc() {
  results::DecisionInput in;
  in.fidelity = "event";
  in.objectives = {"latency_s", "energy_j"};
  in.swept = {"algorithm.alpha", "algorithm.tile_order", "qk_pu.lanes_per_row"};
  in.designs = {design("a", 1, 10, 8, "0.5"), design("b", 2, 5, 16, "0.5"),
                design("c", 4, 2, 32, "0.7"), design("d", 5, 20, 16, "0.6", false)};
  return in;
}

const results::Recommendation& role(const results::Recommendations& r, const std::string& hash) {
  for (const auto& d : r.designs)
    if (d.hash == hash) return d;
  FAIL("design " << hash << " is not recommended");
  return r.designs.front();
}

}  // namespace

TEST_CASE("decision: balanced, best per objective and nearest the paper's point on a known front",
          "[results]") {
  const auto in = abc();
  const auto r = results::recommend(in, results::figures::paper_parameters());
  REQUIRE(r.front_size == 3);
  CHECK(r.ranges[0] == std::pair(1.0, 4.0));
  CHECK(r.ranges[1] == std::pair(2.0, 10.0));
  // B is nearest the origin (0.502 against 1 for A and C) and is the paper's point (16 lanes,
  // alpha 0.5, head_tail): one row with both roles; A has the lowest latency, C the lowest energy.
  REQUIRE(r.designs.size() == 3);
  CHECK(r.designs[0].hash == "b");
  CHECK(r.designs[0].roles == std::vector<std::string>{"balanced", "nearest the paper's point"});
  CHECK(r.designs[0].ideal_distance == Approx(std::hypot(1.0 / 3, 3.0 / 8)));
  CHECK(r.designs[0].paper_distance == 0.0);
  CHECK(r.designs[0].reasons[1] == "is the paper's design point");
  CHECK(role(r, "a").roles == std::vector<std::string>{"lowest latency_s"});
  CHECK(role(r, "c").roles == std::vector<std::string>{"lowest energy_j"});
  CHECK(role(r, "a").ideal_distance == Approx(1.0));
  // Paper distance: lanes scaled by the swept range 8..32, alpha by 0.5..0.7, words 0 or 1.
  CHECK(*role(r, "a").paper_distance == Approx(8.0 / 24));
  CHECK(*role(r, "c").paper_distance == Approx(std::sqrt(std::pow(16.0 / 24, 2) + 1 + 1)));
  CHECK(r.paper_keys ==
        std::vector<std::string>{"qk_pu.lanes_per_row", "algorithm.alpha", "algorithm.tile_order"});

  // B's neighbours: A at hypot(1/3, 5/8) = 0.708, then C at hypot(2/3, 3/8) = 0.765.
  const auto& b = r.designs[0];
  REQUIRE(b.neighbours.size() == 2);
  CHECK(b.neighbours[0].hash == "a");
  CHECK(b.neighbours[0].distance == Approx(std::hypot(1.0 / 3, 5.0 / 8)));
  CHECK(b.neighbours[1].hash == "c");
  const auto& trade = b.neighbours[0].trades;
  REQUIRE(trade.size() == 2);
  CHECK((trade[0].objective == "latency_s" && trade[0].design == 2 && trade[0].neighbour == 1));
  CHECK((trade[1].objective == "energy_j" && trade[1].design == 5 && trade[1].neighbour == 10));
  REQUIRE(b.neighbours[0].differs.size() == 1);
  CHECK(b.neighbours[0].differs[0].key == "qk_pu.lanes_per_row");
  CHECK(b.neighbours[0].differs[0].design == "16");
  CHECK(b.neighbours[0].differs[0].neighbour == "8");
  CHECK(b.neighbours[1].differs.size() == 3);

  // The table: one row per recommended design, with its fidelity.
  const auto t = results::recommendations_table(in, r);
  REQUIRE(t.rows().size() == 3);
  CHECK(t.columns()[2] == "fidelity");
  CHECK(t.rows()[0][1].text == "balanced; nearest the paper's point");
  CHECK(t.rows()[0][2].text == "event");
}

TEST_CASE("decision: ties go to the configuration hash, and no front recommends nothing",
          "[results]") {
  auto in = abc();
  // A second design equal to C in both objectives: "c" wins by hash, whatever the input order.
  in.designs.insert(in.designs.begin(), design("c0", 4, 2, 32, "0.7"));
  std::swap(in.designs[1], in.designs[3]);
  const auto r = results::recommend(in, results::figures::paper_parameters());
  CHECK(role(r, "c").roles == std::vector<std::string>{"lowest energy_j"});
  for (const auto& d : r.designs) CHECK(d.hash != "c0");
  // Without the paper's parameters swept, no paper role.
  in.swept = {"algorithm.alpha_other"};
  const auto no_paper = results::recommend(in, results::figures::paper_parameters());
  CHECK(no_paper.paper_keys.empty());
  for (const auto& d : no_paper.designs) CHECK_FALSE(d.paper_distance.has_value());
  for (auto& d : in.designs) d.on_front = false;
  CHECK(results::recommend(in, results::figures::paper_parameters()).designs.empty());
}

TEST_CASE(
    "decision: the fixture's designs, one per design at the front's fidelity, with objectives, "
    "constraints and explanations",
    "[results]") {
  test::ResultsTempDir dir("decision");
  results::Store store((dir.path / "r.db").string());
  test::make_fixture(store);
  const auto base = store.find_campaign("base")->id;
  // A screening rung below the front's fidelity: the same designs again, 10x slower.
  store.put_provenance(base, {{"front_fidelity", "coarse"}, {"objectives", "latency,energy"}});
  std::vector<results::PointRecord> screened;
  for (auto p : store.points(base)) {
    p.fidelity = "screening";
    p.objectives.set("latency_s", 10 * p.objectives.get("latency_s"));
    screened.push_back(p);
  }
  store.put_batch({}, screened);

  const auto in = results::decision_input(store, base);
  CHECK(in.fidelity == "coarse");
  CHECK(in.objectives == std::vector<std::string>{"latency_s", "energy_j"});
  std::set<std::string> hashes;
  for (const auto& d : in.designs) {
    CHECK(d.fidelity == "coarse");
    CHECK(hashes.insert(d.hash).second);
    CHECK(d.params.at("qk_pu.lanes_per_row").num != 32);  // 32 lanes is infeasible
  }
  CHECK(hashes.size() == 9);  // 11 designs, 2 with 32 lanes

  // Objectives and constraints from the campaign file when provenance has none.
  results::CampaignRecord c;
  c.name = "constrained";
  c.spec_yaml =
      "kind: campaign\nobjectives: [energy, area]\nconstraints: {area_mm2_max: 3.5, "
      "power_w_max: 2}\n";
  const auto cid = store.create_campaign(c);
  const auto spec = results::decision_input(store, cid);
  CHECK(spec.objectives == std::vector<std::string>{"energy_j", "area_mm2"});
  REQUIRE(spec.constraints.size() == 2);
  CHECK((spec.constraints[0].metric == "area_mm2" && spec.constraints[0].max == 3.5));
  CHECK((spec.constraints[1].metric == "power_w" && spec.constraints[1].max == 2));

  // A stored text that is not a mapping (pade compare stores a description): the defaults.
  c.name = "described";
  c.spec_yaml = "baseline comparison\nof six baselines\n";
  const auto described = results::decision_input(store, store.create_campaign(c));
  CHECK(described.objectives == std::vector<std::string>{"latency_s", "energy_j", "area_mm2"});
  CHECK(described.constraints.empty());
  CHECK(described.designs.empty());

  // Explanations: utilization means and the dominant energy component over the 4 benchmarks.
  const auto d8 = test::fixture_designs({})[0];  // 8 lanes: the QK-PU saturated
  const auto e = results::explain_design(store, base, d8.hash, "coarse");
  CHECK(e.benchmarks == 4);
  REQUIRE(e.utilization.size() == 2);
  CHECK(e.utilization[0] == std::pair<std::string, double>("util_qk_pu", 1.0));
  CHECK(e.utilization[1].first == "util_dram");
  double dram = 0, core = 0;
  for (const auto& b : test::fixture_benchmarks()) {
    const auto m = test::fixture_metrics(d8, b, 1.0);
    dram += m.get("energy_dram_j"), core += m.get("energy_core_j");
  }
  CHECK(e.dominant_energy == (dram > core ? "dram" : "core"));
  CHECK(e.dominant_energy_j == Approx(std::max(dram, core)));
  CHECK(e.energy_j == Approx(dram + core));
  CHECK(results::explain_design(store, base, d8.hash, "screening").benchmarks == 0);
}
