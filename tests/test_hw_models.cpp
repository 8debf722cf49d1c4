// Hardware models over the tile-stage task graph: structure, agreement between the analytical
// and event-driven fidelities, ablations, calibration, golden metrics, determinism, traces.
#include <yaml-cpp/yaml.h>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/howard_cycle_ratio.hpp>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include "dse/stats_cache.hpp"
#include "models/analytical.hpp"
#include "models/digest.hpp"
#include "models/energy_area.hpp"
#include "models/event_sim.hpp"
#include "models/fidelity.hpp"
#include "models/hardware.hpp"
#include "models/taskgraph.hpp"
#include "pade/version.hpp"
#include "tests/support/catalog.hpp"
#include "workloads/catalog.hpp"
#include "workloads/generator.hpp"
#include "workloads/sampling.hpp"

using namespace pade;

namespace {

using test_support::catalog;

models::HardwareConfig default_hw() {
  return models::to_hardware(core::default_config(models::hardware_schema()));
}

double rel_err(double a, double b) {
  return std::abs(a - b) / std::max(std::abs(b), 1e-300);
}

models::HardwareConfig variant(const std::string& name) {
  models::HardwareConfig hw = default_hw();
  if (name == "no_bui_gf")
    hw.bui_gf = false;
  else if (name == "in_order")
    hw.out_of_order = false;
  else if (name == "no_bidirectional")
    hw.bidirectional = false;
  else if (name == "word_major")
    hw.key_layout = models::KeyLayout::WordMajor;
  else if (name != "default")
    throw std::invalid_argument(name);
  return hw;
}

struct Agreement {
  double mean = 0, max = 0;
  std::string worst;
};

template <class StatsOf>
Agreement agreement(const models::HardwareConfig& hw, StatsOf&& stats_of) {
  Agreement a;
  const auto names = catalog().suite("pade22");
  for (const auto& name : names) {
    const auto& b = catalog().benchmark(name);
    const models::WorkloadStats ws = stats_of(b);
    const double an = models::analytical_model(hw, b, ws).get("latency_cycles");
    const double ev = models::event_model(hw, b, ws).get("latency_cycles");
    const double e = rel_err(an, ev);
    a.mean += e / static_cast<double>(names.size());
    if (e > a.max) {
      a.max = e;
      a.worst = name;
    }
  }
  return a;
}

}  // namespace

TEST_CASE("hw report (hidden): both fidelities over PADE-22 at the reference statistics",
          "[.hwreport]") {
  auto hw = default_hw();
  if (const char* sb = std::getenv("SB")) hw.scoreboard_entries = std::atoi(sb);
  if (const char* lat = std::getenv("LAT")) hw.hbm_latency_ns = std::atof(lat);
  if (const char* ooo = std::getenv("INORDER")) hw.out_of_order = std::atoi(ooo) == 0;
  const auto ws = models::reference_workload_stats();
  double power = 0, leak = 0, dyn = 0;
  int n = 0;
  for (const auto& name : catalog().suite("pade22")) {
    const auto& b = catalog().benchmark(name);
    const auto a = models::analytical_model(hw, b, ws);
    const auto e = models::event_model(hw, b, ws);
    std::cout << name << " analytical " << a.get("latency_cycles") << " event_util_qk "
              << e.get("util_qk_pu") << " stall_mem "
              << e.get("stall_memory_cycles") / e.get("latency_cycles") << " sb "
              << e.get("stall_scoreboard_cycles") / e.get("latency_cycles") << " dep "
              << e.get("stall_dependency_cycles") / e.get("latency_cycles") << " event "
              << e.get("latency_cycles") << " err "
              << rel_err(e.get("latency_cycles"), a.get("latency_cycles")) << " core_w "
              << a.get("power_core_w") << " dram_w " << a.get("power_dram_w") << " util_qk "
              << a.get("util_qk_pu") << " util_dram " << a.get("util_dram") << " events "
              << e.get("events") << '\n';
    power += a.get("power_core_w");
    const double l =
        (a.get("energy_leakage_logic_j") + a.get("energy_leakage_sram_j")) / a.get("latency_s");
    leak += l;
    dyn += a.get("power_core_w") - l;
    ++n;
  }
  const auto m = models::analytical_model(hw, catalog().benchmark("llama2-7b/mmlu"), ws);
  for (const auto& [k, v] : m.sorted()) std::cout << "  " << k << " = " << v << '\n';
  std::cout << "mean core power " << power / n << " W (dynamic " << dyn / n << ", leakage "
            << leak / n << "); area " << m.get("area_mm2") << " mm2 (logic "
            << m.get("area_logic_mm2") << ", sram " << m.get("area_sram_mm2") << ")\n";
}

// ---------------------------------------------------------------------------------------------

TEST_CASE(
    "task graph: one template per attention group, forward data edges, back edges carry distance",
    "[hw]") {
  const auto hw = default_hw();
  const auto ws = models::reference_workload_stats();
  for (const char* name : {"llama2-7b/mmlu", "pvt-small/imagenet", "llama2-7b/mmlu@decode"}) {
    const auto& b = catalog().benchmark(name);
    for (const auto& ag : b.groups) {
      CAPTURE(name);
      const auto tg = models::build_task_graph(hw, ag, ws);
      CHECK(tg.size() == static_cast<std::size_t>(3 * ws.bits + 7));
      CHECK(tg.shape.tile_steps() > 0);
      CHECK(tg.shape.keys_per_tile <= hw.tile_keys + 1e-9);
      CHECK(tg.shape.keys_per_tile * tg.shape.tiles ==
            Approx(ag.pairs_per_head() / static_cast<double>(ag.queries)));
      for (const auto e : boost::make_iterator_range(boost::edges(tg.graph()))) {
        const auto u = boost::source(e, tg.graph()), v = boost::target(e, tg.graph());
        const auto& edge = tg.edge(e);
        const bool both_tile =
            tg.node(u).scope == models::Scope::Tile && tg.node(v).scope == models::Scope::Tile;
        if (both_tile && edge.distance == 0) CHECK(u < v);  // index order is topological
        if (both_tile && u >= v)
          CHECK(edge.distance > 0);  // every cycle closes through a back edge
      }
    }
  }
  // The structure is shared per (bits, policy), its derived lists agree with the Boost graph.
  const auto tg1 =
      models::build_task_graph(hw, catalog().benchmark("llama2-7b/mmlu").groups[0], ws);
  const auto tg2 =
      models::build_task_graph(hw, catalog().benchmark("vit-l16/imagenet").groups[0], ws);
  CHECK(tg1.topology == tg2.topology);
  std::size_t edges = 0;
  for (const auto& list :
       {tg1.topology->fill_edges, tg1.topology->tile_back, tg1.topology->group_back})
    for (const auto& e : list) {
      CHECK(boost::edge(e.from, e.to, tg1.graph()).second);
      ++edges;
    }
  CHECK(edges == boost::num_edges(tg1.graph()));  // every edge in exactly one list
  for (int u = 0; u < models::kUnitCount; ++u)
    CHECK(models::util_metric(static_cast<models::Unit>(u)) ==
          "util_" + std::string(models::to_string(static_cast<models::Unit>(u))));
  // Decode: one query row per group, so only one row of lanes works.
  const auto tg =
      models::build_task_graph(hw, catalog().benchmark("llama2-7b/mmlu@decode").groups[0], ws);
  CHECK(tg.shape.rows_used == 1);
  CHECK(tg.shape.lanes_active == hw.lanes_per_row);
}

TEST_CASE(
    "analytical period is at least every bound: unit busy time and Howard's maximum cycle ratio",
    "[hw]") {
  const auto ws = models::reference_workload_stats();
  for (const char* cfg : {"default", "in_order", "word_major"}) {
    const auto hw = variant(cfg);
    const auto tg =
        models::build_task_graph(hw, catalog().benchmark("llama2-7b/wikitext2").groups[0], ws);
    const auto t = models::time_template(tg);
    CAPTURE(cfg);
    for (const double b : t.busy) CHECK(t.period >= b * (1 - 1e-9));
    // Tile-scope subgraph with weight = edge delay and time = distance.
    using G =
        boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS,
                              boost::property<boost::vertex_index_t, int>,
                              boost::property<boost::edge_weight_t, double,
                                              boost::property<boost::edge_weight2_t, double>>>;
    G h(tg.size());
    for (const auto e : boost::make_iterator_range(boost::edges(tg.graph()))) {
      const auto u = boost::source(e, tg.graph()), v = boost::target(e, tg.graph());
      if (tg.node(u).scope != models::Scope::Tile || tg.node(v).scope != models::Scope::Tile)
        continue;
      boost::add_edge(
          u, v,
          {models::edge_delay(tg.node(u), tg.edge(e)), static_cast<double>(tg.edge(e).distance)},
          h);
    }
    const double howard = boost::maximum_cycle_ratio(h, boost::get(boost::vertex_index, h),
                                                     boost::get(boost::edge_weight, h),
                                                     boost::get(boost::edge_weight2, h));
    CHECK(howard > 0);
    CHECK(t.recurrence >= howard * (1 - 1e-9));  // queueing only lengthens the cycles
    CHECK(t.period >= howard * (1 - 1e-9));
  }
}

TEST_CASE("analytical vs event-driven latency across PADE-22 at the reference statistics", "[hw]") {
  // The target: within 5 % for every benchmark. Measured when written: mean 0.9 %, max
  // 1.7 % (bloom-1.7b/winogrande). See docs/hardware-models.md §8.
  const auto ws = models::reference_workload_stats();
  const Agreement a = agreement(default_hw(), [&](const workloads::Benchmark&) { return ws; });
  CAPTURE(a.mean, a.max, a.worst);
  CHECK(a.mean < 0.02);
  CHECK(a.max < 0.05);
}

models::HardwareConfig row_buffer_hw() {
  auto hw = default_hw();
  hw.dram_model = models::DramModel::RowBuffer;
  return hw;
}

TEST_CASE("hbm agreement report (hidden): row_buffer mode, analytical vs event over PADE-22",
          "[.hbmagreement]") {
  const auto ws = models::reference_workload_stats();
  auto hw = row_buffer_hw();
  if (const char* ooo = std::getenv("INORDER")) {
    hw.out_of_order = std::atoi(ooo) == 0;
    hw.tiles_in_flight = 1;
  }
  for (const auto& name : catalog().suite("pade22")) {
    const auto& b = catalog().benchmark(name);
    const double an = models::analytical_model(hw, b, ws).get("latency_cycles");
    const double ev = models::event_model(hw, b, ws).get("latency_cycles");
    std::cout << name << " analytical " << an << " event " << ev << " (" << ev / an - 1 << ")\n";
  }
  const Agreement a = agreement(hw, [&](const workloads::Benchmark&) { return ws; });
  std::cout << "mean " << a.mean << " max " << a.max << " (" << a.worst << ")\n";
}

TEST_CASE("analytical vs event-driven latency across PADE-22 with memory.dram_model: row_buffer",
          "[hw][hbm]") {
  // The target is 5 % for every benchmark; the row-buffer mode does not meet it yet, which
  // is why it is opt-in (docs/hardware-models.md §6a). Measured when written: mean 1.5 %, max
  // 7.9 % (pvt-small/imagenet, the analytical model above the event model); the in-order
  // reference with one tile in flight mean 7.4 %, max 21.6 % (opt-1.3b/wikitext2, the event
  // model slower). The open causes: refresh and activation stalls on latency-bound phases, which
  // the event model meets request by request and the closed form only as expected waits, and the
  // output writes' turnarounds on short sequences. Part of the agreement is a cancellation: the
  // row_buffer request path deals bursts strictly round-robin and runs ~10 % faster on long
  // sequences than the bandwidth path the analytical model agrees with (docs §6a, "Open"). The
  // bounds pin the gaps where they are measured (not the target), so a change that widens them
  // fails.
  const auto ws = models::reference_workload_stats();
  const auto stats = [&](const workloads::Benchmark&) { return ws; };
  const Agreement a = agreement(row_buffer_hw(), stats);
  CAPTURE(a.mean, a.max, a.worst);
  CHECK(a.mean < 0.02);
  CHECK(a.max < 0.09);
  auto one = row_buffer_hw();
  one.out_of_order = false;
  one.tiles_in_flight = 1;
  const Agreement single = agreement(one, stats);
  CAPTURE(single.mean, single.max, single.worst);
  CHECK(single.mean < 0.09);
  CHECK(single.max < 0.25);
}

TEST_CASE("analytical vs event-driven latency across PADE-22 on functional digests", "[hw]") {
  // Measured when written (generator not yet calibrated): mean 1.5 %, max 5.1 %
  // (llama2-7b/mbpp); see docs/hardware-models.md §8.
  const auto generator = workloads::GeneratorTable::builtin();
  models::DigestOptions opt;
  opt.plan = workloads::SamplingPlan{2, 1, 2, 8};
  opt.bootstrap_samples = 0;
  const Agreement a = agreement(default_hw(), [&](const workloads::Benchmark& b) {
    return models::digest_benchmark(b, generator.family(catalog().model(b.model).family), opt);
  });
  CAPTURE(a.mean, a.max, a.worst);
  CHECK(a.mean < 0.03);
  CHECK(a.max < 0.08);
}

TEST_CASE("ablations move results the way the mechanisms predict", "[hw]") {
  const auto ws = models::reference_workload_stats();
  for (const char* name : {"llama2-7b/mmlu", "llama3-8b/wikitext2", "vit-l16/imagenet"}) {
    const auto& b = catalog().benchmark(name);
    for (const auto& model : {models::analytical_model, models::event_model}) {
      CAPTURE(name);
      const auto base = model(default_hw(), b, ws);
      // No BUI-GF: every pair runs every plane and is kept -> more cycles, energy, traffic.
      const auto no_bui = model(variant("no_bui_gf"), b, ws);
      CHECK(no_bui.get("latency_cycles") > 1.2 * base.get("latency_cycles"));
      CHECK(no_bui.get("energy_core_j") > 1.2 * base.get("energy_core_j"));
      CHECK(no_bui.get("energy_j") > base.get("energy_j"));
      // Traffic grows unless every plane was fetched anyway (resident K/V, or a query tile's
      // union of needed planes already close to all of them).
      CHECK(no_bui.get("dram_bytes") >= base.get("dram_bytes") * (1 - 1e-9));
      // In-order lanes: lockstep rounds and exposed fetch latency -> more cycles.
      const auto in_order = model(variant("in_order"), b, ws);
      CHECK(in_order.get("latency_cycles") > 1.1 * base.get("latency_cycles"));
      // No bidirectional sparsity (issue 17: a different lane): full-width trees, more active
      // inputs, but no selection, multiplexers or correction -> a smaller lane, a shorter tree
      // stage (never slower), and at the reference statistics less GSAT energy (the selection
      // logic costs more than the inputs it saves; docs/hardware-models.md §5).
      const auto no_bidir = model(variant("no_bidirectional"), b, ws);
      CHECK(no_bidir.get("energy_gsat_j") < base.get("energy_gsat_j"));
      CHECK(no_bidir.get("area_gsat_mm2") < base.get("area_gsat_mm2"));
      // (The event model's schedule may shift by a fraction of a percent either way.)
      CHECK(no_bidir.get("latency_cycles") <= base.get("latency_cycles") * 1.005);
      // Word-major K: whole words fetched -> never less DRAM traffic (equal when the planes a
      // query tile needs are nearly all of them, as at the reference statistics).
      const auto word = model(variant("word_major"), b, ws);
      CHECK(word.get("dram_read_bytes") >= base.get("dram_read_bytes") * (1 - 1e-9));
      // Area never depends on a feature switch.
      CHECK(no_bui.get("area_mm2") == base.get("area_mm2"));
    }
  }
}

TEST_CASE("in-order reference: same DRAM bytes, more tiles in flight never slower, stall fractions",
          "[hw]") {
  const auto ws = models::reference_workload_stats();
  const std::array<const char*, 5> causes = {"memory", "lockstep", "scoreboard", "softmax",
                                             "other"};
  for (const char* name : {"llama2-7b/mmlu", "vit-l16/imagenet", "llama2-7b/mmlu@decode"}) {
    const auto& b = catalog().benchmark(name);
    // The event model's period is estimated from a finite window (about 1 % noise, §4).
    for (const auto& [model, slack] :
         {std::pair{&models::analytical_model, 1e-9}, std::pair{&models::event_model, 0.03}}) {
      CAPTURE(name, slack);
      const auto ooo = model(default_hw(), b, ws);
      double previous = 0;
      for (const int k : {1, 2, 4, 8, 16}) {
        auto hw = variant("in_order");
        hw.tiles_in_flight = k;
        const auto m = model(hw, b, ws);
        CAPTURE(k);
        // One memory system: the policy changes when planes are asked for, not which.
        CHECK(m.get("dram_bytes") == Approx(ooo.get("dram_bytes")).epsilon(1e-12));
        CHECK(m.get("energy_dram_j") == Approx(ooo.get("energy_dram_j")).epsilon(1e-12));
        if (previous > 0) CHECK(m.get("latency_cycles") <= previous * (1 + slack));
        previous = m.get("latency_cycles");
        double sum = 0;
        for (const char* c : causes) {
          const double f = m.get(std::string("stall_fraction_") + c);
          CHECK(f >= 0);
          sum += f;
        }
        CHECK(sum <= 1 + 1e-9);
        CHECK(m.get("stall_fraction_scoreboard") == 0);  // lockstep lanes have no scoreboards
      }
      // Tiles in flight hide the plane fetches' round trips: the default reference is faster
      // than one tile at a time, and out-of-order lanes still beat it.
      auto one = variant("in_order");
      one.tiles_in_flight = 1;
      const auto m1 = model(one, b, ws), m8 = model(variant("in_order"), b, ws);
      CHECK(m8.get("latency_cycles") < m1.get("latency_cycles"));
      CHECK(m8.get("stall_fraction_memory") < m1.get("stall_fraction_memory"));
      CHECK(ooo.get("latency_cycles") < m8.get("latency_cycles") * (1 + slack));
    }
  }
}

// Known gap (reported, not hidden): at K = 8 the array is busy and the round length is the lockstep
// maximum over 128 lanes. The analytical model takes the expected maximum of independent binomial
// lane loads; the event model deals each lane's pair rounds from a golden-ratio sequence (so that
// lanes do not drift over a short window, §4), which is less dispersed than independent draws and
// makes its lockstep maximum shorter: across PADE-22 the analytical model is above the event model
// by a mean of 25 %, at most 47 % (vit-l16/imagenet); llama2-7b/mmlu 10.07 M vs 8.49 M cycles
// (+19 %), where K = 1 agrees within 3 %. Until the fidelities model the lockstep maximum alike,
// the test pins the gap where it is measured (so a change that widens it fails) and the K = 1
// reference, where both fidelities model the same thing, to the usual agreement.
TEST_CASE("analytical vs event-driven latency of the in-order reference across PADE-22", "[hw]") {
  const auto ws = models::reference_workload_stats();
  const auto stats = [&](const workloads::Benchmark&) { return ws; };
  auto one = variant("in_order");
  one.tiles_in_flight = 1;
  const Agreement single = agreement(one, stats);
  CAPTURE(single.mean, single.max, single.worst);
  CHECK(single.mean < 0.03);
  CHECK(single.max < 0.08);
  const Agreement eight = agreement(variant("in_order"), stats);  // the known lockstep gap
  CAPTURE(eight.mean, eight.max, eight.worst);
  CHECK(eight.mean < 0.30);
  CHECK(eight.max < 0.50);
}

TEST_CASE(
    "head-tail interleaving acts through the statistics: rescales and pruning cost the hardware",
    "[hw]") {
  // Head-tail order is an algorithm knob: it changes the digest (rescale events, how early keys
  // are pruned), not the hardware. The hardware side of the mechanism: more rescales cost exp,
  // V-PU energy and time; later pruning costs rounds. (Whether head-tail lowers them on given
  // data is the functional model's business; on today's uncalibrated generator it is not
  // asserted, see docs/hardware-models.md.)
  const auto& b = catalog().benchmark("llama2-7b/winogrande");
  auto later = models::reference_workload_stats();
  for (std::size_t r = 1; r < later.active_fraction.size(); ++r)
    later.active_fraction[r] = std::min(1.0, later.active_fraction[r] * 1.3);
  for (const auto& model : {models::analytical_model, models::event_model})
    CHECK(model(default_hw(), b, later).get("energy_j") >
          model(default_hw(), b, models::reference_workload_stats()).get("energy_j"));
  auto more = models::reference_workload_stats();
  more.rescales_per_row += 10;
  // Latency never falls; the event model's steady-state period is an estimate from a finite
  // window (about 1 % noise, docs/hardware-models.md §4), so it gets that much slack on this
  // QK-bound benchmark, where the extra V-side work hardly moves the true latency.
  for (const auto& [model, slack] :
       {std::pair{&models::analytical_model, 1e-9}, std::pair{&models::event_model, 0.02}}) {
    const auto base = model(default_hw(), b, models::reference_workload_stats());
    const auto worse = model(default_hw(), b, more);
    CHECK(worse.get("energy_softmax_j") > base.get("energy_softmax_j"));
    CHECK(worse.get("energy_v_pu_j") > base.get("energy_v_pu_j"));
    CHECK(worse.get("latency_cycles") >= base.get("latency_cycles") * (1 - slack));
  }
}

TEST_CASE("calibration: the default configuration lands on the reported 4.53 mm^2 and 591 mW",
          "[hw]") {
  // Fitted coefficients (calib.logic_area_scale, calib.dynamic_energy_scale):
  // docs/hardware-models.md.
  const auto hw = default_hw();
  const auto ws = models::reference_workload_stats();
  const auto area = models::area_breakdown(hw);
  CHECK(area.total() == Approx(4.53).epsilon(0.005));
  double power = 0;
  const auto names = catalog().suite("pade22");
  for (const auto& n : names)
    power += models::analytical_model(hw, catalog().benchmark(n), ws).get("power_core_w");
  CHECK(power / static_cast<double>(names.size()) == Approx(0.591).epsilon(0.01));
  // Component breakdowns add up.
  double sum = 0;
  for (const auto& [name, v] : area.components()) sum += v;
  CHECK(sum == Approx(area.total()));
  const auto m = models::analytical_model(hw, catalog().benchmark("llama2-7b/mmlu"), ws);
  double e = 0;
  for (const auto& [k, v] : m.sorted())
    if (k.rfind("energy_", 0) == 0 && k != "energy_j" && k != "energy_core_j")
      e += v;  // energy_dram_j is a component
  CHECK(e == Approx(m.get("energy_j")));
  CHECK(m.get("energy_j") == Approx(m.get("energy_core_j") + m.get("energy_dram_j")));
  // SRAM bank model reproduces its two reference banks.
  CHECK(models::sram_bank(hw, 8).read_pj_per_bit == Approx(0.035));
  CHECK(models::sram_bank(hw, 4).area_mm2 == Approx(0.046));
}

TEST_CASE("event-driven model: deterministic, counts events, writes a Chrome trace", "[hw]") {
  const auto hw = default_hw();
  const auto ws = models::reference_workload_stats();
  const auto& b = catalog().benchmark("vit-l16/imagenet");
  const auto r1 = models::simulate_events(hw, b, ws);
  const auto r2 = models::simulate_events(hw, b, ws);
  CHECK(r1.cycles == r2.cycles);
  CHECK(r1.events == r2.events);
  CHECK(r1.events > 1000);
  models::EventSimOptions opt;
  opt.trace = true;
  opt.min_steps = 4;
  opt.min_groups = 1;
  const auto r = models::simulate_events(hw, b, ws, opt);
  const YAML::Node trace = YAML::Load(r.trace_json);  // JSON is YAML
  REQUIRE(trace["traceEvents"].IsSequence());
  CHECK(trace["traceEvents"].size() > 50);
  bool has_qk = false;
  for (const auto& e : trace["traceEvents"])
    if (e["ph"].as<std::string>() == "X" && e["cat"].as<std::string>() == "qk_pu") has_qk = true;
  CHECK(has_qk);
}

TEST_CASE("statistics cache text keeps the per-round group fetch fractions and reads older texts",
          "[hw]") {
  const auto ws = models::reference_workload_stats();
  const auto back = dse::deserialize_stats(dse::serialize_stats(ws));
  REQUIRE(back);
  CHECK(back->group_fetch_fraction == ws.group_fetch_fraction);
  std::string old = dse::serialize_stats(ws);
  const auto at = old.find("group_fetch");
  old.erase(at, old.find('\n', at) - at + 1);
  const auto older = dse::deserialize_stats(old);
  REQUIRE(older);
  CHECK(older->group_fetch_fraction.empty());
  CHECK(older->group_fetch(0) ==
        Approx(std::min(
            1.0, ws.active_fraction[0] * ws.group_plane_fetch_fraction / (ws.mean_rounds() / 8))));
}

// ---- golden metrics ---------------------------------------------------------------------------
// tests/data/golden_metrics.yaml pins latency, energy and area per (benchmark, configuration,
// fidelity) at the reference statistics. A model change that moves a number fails here; rewrite
// the file with   PADE_WRITE_GOLDEN=1 ./build/tests/pade_tests "golden*"   and explain the change
// in the commit message.

namespace {
constexpr double kGoldenTolerance = 1e-6;  // relative: the models are deterministic
const std::vector<std::string> kGoldenBenchmarks = {"llama2-7b/mmlu", "llama3-8b/wikitext2",
                                                    "vit-l16/imagenet", "pvt-small/imagenet"};
const std::vector<std::string> kGoldenConfigs = {"default", "no_bui_gf", "in_order",
                                                 "no_bidirectional", "word_major"};
}  // namespace

TEST_CASE("golden metrics: latency, energy and area per benchmark x configuration", "[hw]") {
  const std::filesystem::path file =
      std::filesystem::path(PADE_TEST_DATA_DIR) / "golden_metrics.yaml";
  const auto ws = models::reference_workload_stats();
  const auto& registry = models::builtin_fidelities();
  if (std::getenv("PADE_WRITE_GOLDEN") != nullptr) {
    std::ofstream out(file);
    out << "# Golden metrics of the task-graph hardware models (tests/test_hw_models.cpp checks "
           "them\n"
        << "# with relative tolerance " << kGoldenTolerance
        << "). Statistics: models::reference_workload_stats()\n"
        << "# (fixed, independent of the workload generator). Regenerate only with a reason.\n"
        << "provenance:\n"
        << "  analytical: " << registry.get("analytical").version << "\n"
        << "  event: " << registry.get("event").version << "\n"
        << "  statistics: " << ws.source << "\n"
        << "  commit: " << core::kGitCommit << "\n"
        << "  date: "
        << (std::getenv("PADE_GOLDEN_DATE") ? std::getenv("PADE_GOLDEN_DATE") : "unknown") << "\n"
        << "entries:\n";
    out.precision(17);
    for (const auto& bn : kGoldenBenchmarks)
      for (const auto& cfg : kGoldenConfigs)
        for (const char* fid : {"analytical", "event"}) {
          const auto m = registry.get(fid).model(variant(cfg), catalog().benchmark(bn), ws);
          out << "  - {benchmark: " << bn << ", config: " << cfg << ", fidelity: " << fid
              << ", latency_cycles: " << m.get("latency_cycles")
              << ", energy_j: " << m.get("energy_j") << ", area_mm2: " << m.get("area_mm2")
              << "}\n";
        }
    WARN("wrote " << file.string());
  }
  const YAML::Node doc = YAML::LoadFile(file.string());
  CHECK(doc["provenance"]["analytical"].as<std::string>() == registry.get("analytical").version);
  CHECK(doc["provenance"]["event"].as<std::string>() == registry.get("event").version);
  std::size_t checked = 0;
  for (const auto& e : doc["entries"]) {
    const auto bn = e["benchmark"].as<std::string>(), cfg = e["config"].as<std::string>();
    const auto fid = e["fidelity"].as<std::string>();
    CAPTURE(bn, cfg, fid);
    const auto m = registry.get(fid).model(variant(cfg), catalog().benchmark(bn), ws);
    for (const char* key : {"latency_cycles", "energy_j", "area_mm2"}) {
      CAPTURE(key);
      CHECK(rel_err(m.get(key), e[key].as<double>()) < kGoldenTolerance);
    }
    ++checked;
  }
  CHECK(checked == kGoldenBenchmarks.size() * kGoldenConfigs.size() * 2);
}

TEST_CASE("pade eval prints the task-graph fidelities' metrics as JSON", "[hw]") {
  const std::filesystem::path out = std::filesystem::temp_directory_path() / "pade-hw-eval.json";
  for (const char* fid : {"analytical", "event"}) {
    const std::string cmd = std::string("'") + PADE_BINARY + "' eval '" + PADE_SOURCE_DIR +
                            "/examples/hw-default.yaml' --benchmark vit-l16/imagenet --fidelity " +
                            fid + " --format json > '" + out.string() + "' 2>&1";
    REQUIRE(std::system(cmd.c_str()) == 0);
    const YAML::Node j = YAML::LoadFile(out.string());
    for (const char* key :
         {"latency_cycles", "latency_s", "energy_j", "energy_core_j", "energy_dram_j",
          "energy_gsat_j", "energy_scoreboard_j", "energy_sram_kv_j", "area_mm2", "area_gsat_mm2",
          "area_sram_kv_mm2", "power_w", "power_core_w", "util_qk_pu", "util_dram", "dram_bytes",
          "dram_bandwidth_utilization"}) {
      CAPTURE(fid, key);
      CHECK(j[key].as<double>() >= 0);
    }
  }
  std::filesystem::remove(out);
}

TEST_CASE("the GSAT lane is the sum of its parts for every sub-group size", "[hw][lane]") {
  const double lanes = default_hw().lanes();
  for (const bool bs : {true, false})
    for (int g = 2; g <= 32; ++g) {
      auto hw = default_hw();
      hw.bidirectional = bs;
      hw.gsat_subgroup = g;
      CAPTURE(bs, g);
      const auto lane = models::lane_parts(hw);
      double sum = 0;
      for (const auto& [name, ge] : lane.components()) {
        CHECK(ge >= 0);
        sum += ge;
      }
      CHECK(sum == Approx(lane.total()));
      const double ge_mm2 = hw.coef.area_ge_um2 * 1e-6 * hw.coef.calib_logic_area_scale;
      CHECK(models::area_breakdown(hw).gsat_mm2 == Approx(lanes * lane.total() * ge_mm2));
      // Without BS: no selection, no multiplexers, no correction; with it, a half-width tree.
      auto other = hw;
      other.bidirectional = !bs;
      const auto full = bs ? models::lane_parts(other) : lane;
      const auto half = bs ? lane : models::lane_parts(other);
      CHECK(full.select_ge == 0);
      CHECK(full.mux_ge == 0);
      CHECK(full.correction_ge == 0);
      CHECK(half.mux_ge > 0);
      CHECK(half.tree_ge < full.tree_ge);
      CHECK(half.combine_ge == full.combine_ge);
    }
}

TEST_CASE("bidirectional sparsity's GSAT energy follows the per-sub-group active count",
          "[hw][lane]") {
  auto ws = models::reference_workload_stats();
  const auto& b = catalog().benchmark("llama2-7b/mmlu");
  auto hw = default_hw();
  const double e8 = models::analytical_model(hw, b, ws).get("energy_gsat_j");
  // More active inputs per sub-group: more tree energy, nothing else in the lane changes.
  auto more = ws;
  more.subgroup_active_fraction[2] += 0.05;
  const double e8_more = models::analytical_model(hw, b, more).get("energy_gsat_j");
  CHECK(e8_more > e8);
  // Another sub-group size reads its own recorded count.
  hw.gsat_subgroup = 16;
  const double e16 = models::analytical_model(hw, b, ws).get("energy_gsat_j");
  CHECK(e16 != Approx(e8));
  // Interpolation between recorded sizes stays between its neighbours.
  CHECK(ws.subgroup_active(12, 128) > ws.subgroup_active(8, 128));
  CHECK(ws.subgroup_active(12, 128) < ws.subgroup_active(16, 128));
  CHECK(ws.subgroup_active(64, 128) < ws.subgroup_active(128, 128));
  CHECK(ws.subgroup_active(128, 128) == ws.bidir_active_fraction);
}

TEST_CASE("GSAT sub-group sweep (report)", "[.bs-sweep]") {
  // Not a check: prints the trade-off the lane's structure implies (issue 17).
  const auto ws = models::reference_workload_stats();
  const auto names = catalog().suite("pade22");
  std::cout << "g  bs  lane_ge  area_mm2  power_core_w  energy_gsat_j(mean)  area*power\n";
  for (const bool bs : {true, false})
    for (const int g : {2, 4, 8, 16, 32}) {
      auto hw = default_hw();
      hw.bidirectional = bs;
      hw.gsat_subgroup = g;
      double power = 0, egsat = 0;
      for (const auto& n : names) {
        const auto m = models::analytical_model(hw, catalog().benchmark(n), ws);
        power += m.get("power_core_w") / static_cast<double>(names.size());
        egsat += m.get("energy_gsat_j") / static_cast<double>(names.size());
      }
      const double area = models::area_breakdown(hw).total();
      std::cout << g << ' ' << bs << ' ' << models::lane_parts(hw).total() << ' ' << area << ' '
                << power << ' ' << egsat << ' ' << area * power << '\n';
    }
  // The calibration's inputs at the default configuration (docs/hardware-models.md §6).
  const auto hw = default_hw();
  const auto a = models::area_breakdown(hw);
  double leak = 0, power = 0;
  for (const auto& n : names) {
    const auto m = models::analytical_model(hw, catalog().benchmark(n), ws);
    const double s = m.get("latency_s");
    leak += (m.get("energy_leakage_logic_j") + m.get("energy_leakage_sram_j")) / s;
    power += m.get("power_core_w");
  }
  const double n = static_cast<double>(names.size());
  std::cout << "sram_mm2 " << a.sram() << " logic_counted_mm2 "
            << a.logic() / hw.coef.calib_logic_area_scale << " power_core_w " << power / n
            << " leakage_w " << leak / n << " dynamic_uncalibrated_w "
            << (power - leak) / n / hw.coef.calib_dynamic_energy_scale << '\n';
}

TEST_CASE("features.bit_granular_overhead changes only what it names", "[hw][bit_granular]") {
  const auto ws = models::reference_workload_stats();
  const auto& b = catalog().benchmark("llama2-7b/mmlu");
  for (const auto reuse : {models::KvReuse::Head, models::KvReuse::QueryGroup})
    for (const auto model : {&models::analytical_model, &models::event_model}) {
      auto on = default_hw();
      on.kv_reuse = reuse;
      auto off = on;
      off.bit_granular_overhead = false;
      CAPTURE(reuse == models::KvReuse::Head);
      const auto m_on = model(on, b, ws), m_off = model(off, b, ws);
      // What it names: partial bursts (DRAM bytes and their buffer writes), the per-round request
      // wait (latency, and with it leakage and power), plane extraction (its area and energy).
      const std::set<std::string> named = {
          "latency_cycles", "latency_s", "energy_j", "energy_core_j", "energy_dram_j",
          "energy_sram_kv_j", "energy_plane_extract_j", "energy_leakage_logic_j",
          "energy_leakage_sram_j", "power_w", "power_core_w", "power_dram_w", "dram_bytes",
          "dram_read_bytes", "sram_write_bytes", "dram_bandwidth_utilization", "area_mm2",
          "area_logic_mm2", "area_plane_extract_mm2", "bit_granular_dram_bytes",
          "bit_granular_energy_j",
          // Fewer, sparser bursts: other rows and hits (HBM).
          "dram_activations", "dram_row_hit_rate", "events"};
      for (const auto& [key, v] : m_on.sorted()) {
        // Shorter runs also change what is measured over time: utilizations, stalls, cycles.
        if (named.contains(std::string(key)) || key.find("stall") != std::string_view::npos ||
            key.find("util") != std::string_view::npos ||
            key.find("cycles") != std::string_view::npos)
          continue;
        CAPTURE(key);
        CHECK(m_off.get(key) == Approx(v));
      }
      // Streamed per query group, a group needs only some keys' planes: partial bursts. A resident
      // head's planes are needed by some group almost always (no partial bursts to save).
      if (reuse == models::KvReuse::QueryGroup)
        CHECK(m_off.get("dram_bytes") < m_on.get("dram_bytes"));
      CHECK(m_off.get("dram_bytes") <= m_on.get("dram_bytes"));
      CHECK(m_off.get("latency_cycles") <= m_on.get("latency_cycles"));
      CHECK(m_off.get("area_plane_extract_mm2") == 0);
      CHECK(m_on.get("area_plane_extract_mm2") > 0);
      CHECK(m_off.get("bit_granular_dram_bytes") == 0);
      CHECK(m_off.get("bit_granular_energy_j") == 0);
      CHECK(m_on.get("bit_granular_energy_j") > 0);
      // The switch's share: everything it costs is gone when it is off.
      CHECK(m_on.get("energy_j") - m_off.get("energy_j") >=
            m_on.get("bit_granular_energy_j") * 0.99);
    }
}
