// Hardware models over the tile-stage task graph: structure, agreement between the analytical
// and event-driven fidelities, ablations, calibration, golden metrics, determinism, traces.
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/howard_cycle_ratio.hpp>
#include <yaml-cpp/yaml.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "dse/stats_cache.hpp"
#include "models/analytical.hpp"
#include "models/digest.hpp"
#include "models/energy_area.hpp"
#include "models/event_sim.hpp"
#include "models/fidelity.hpp"
#include "models/hardware.hpp"
#include "models/taskgraph.hpp"
#include "workloads/catalog.hpp"
#include "workloads/generator.hpp"
#include "workloads/sampling.hpp"

using namespace pade;

namespace {

const workloads::Catalog& catalog() {
  static const workloads::Catalog c = workloads::Catalog::builtin();
  return c;
}

models::HardwareConfig default_hw() { return models::to_hardware(core::default_config(models::hardware_schema())); }

double rel_err(double a, double b) { return std::abs(a - b) / std::max(std::abs(b), 1e-300); }

}  // namespace

TEST_CASE("hw report (hidden): both fidelities over PADE-22 at the reference statistics", "[.hwreport]") {
  const auto hw = default_hw();
  const auto ws = models::reference_workload_stats();
  double power = 0;
  int n = 0;
  for (const auto& name : catalog().suite("pade22")) {
    const auto& b = catalog().benchmark(name);
    const auto a = models::analytical_model(hw, b, ws);
    const auto e = models::event_model(hw, b, ws);
    std::cout << name << " analytical " << a.get("latency_cycles") << " event " << e.get("latency_cycles") << " err "
              << rel_err(e.get("latency_cycles"), a.get("latency_cycles")) << " core_w " << a.get("power_core_w")
              << " dram_w " << a.get("power_dram_w") << " util_qk " << a.get("util_qk_pu") << " util_dram "
              << a.get("util_dram") << " events " << e.get("events") << '\n';
    power += a.get("power_core_w");
    ++n;
  }
  const auto m = models::analytical_model(hw, catalog().benchmark("llama2-7b/mmlu"), ws);
  for (const auto& [k, v] : m.values()) std::cout << "  " << k << " = " << v << '\n';
  std::cout << "mean core power " << power / n << " W; area " << m.get("area_mm2") << " mm2\n";
}

TEST_CASE("hw debug (hidden)", "[.hwdebug]") {
  const auto hw = default_hw();
  const auto ws = models::reference_workload_stats();
  const auto& b = catalog().benchmark(std::getenv("B") ? std::getenv("B") : "llama3-8b/mmlu");
  const auto tg = models::build_task_graph(hw, b.groups[0], ws);
  std::cout << "tiles " << tg.shape.tiles << " kbar " << tg.shape.keys_per_tile << " share " << tg.shape.share
            << " resident " << tg.shape.resident << " window " << tg.shape.window_tiles << "\n";
  for (std::size_t v = 0; v < tg.size(); ++v) {
    const auto& n = tg.node(v);
    std::cout << v << " " << models::to_string(n.stage) << " r" << n.round << " unit " << models::to_string(n.unit)
              << " service " << n.service << " latency " << n.latency << " bursts " << n.dram_bursts << "\n";
  }
  const auto t = models::time_template(tg);
  std::cout << "period " << t.period << " fill " << t.fill << " recurrence " << t.recurrence << " scoreboard "
            << t.scoreboard << "\n";
  for (int u = 0; u < models::kUnitCount; ++u) std::cout << "busy " << models::to_string(static_cast<models::Unit>(u)) << " " << t.busy[u] << "\n";
  models::EventSimOptions opt;
  opt.trace = true;
  const auto r = models::simulate_events(hw, b, ws, opt);
  std::cout << "event cycles " << r.cycles << " simulated " << r.simulated_cycles << " steps " << r.simulated_tile_steps
            << " total steps " << r.tile_steps << " events " << r.events << "\n";
  std::ofstream("/tmp/hw_trace.json") << r.trace_json;
}
