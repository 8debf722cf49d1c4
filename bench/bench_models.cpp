// Hardware-model speed from cached statistics, single thread.
// Targets: one analytical evaluation of (configuration, benchmark) <= 10 us (>= 100,000/s), for
// the mean and the worst benchmark; the event-driven model >= 5 million events/s. The coarse
// model's per-evaluation time is measured in the same run as the reference. Columns: the coarse
// model (with its metrics map); the analytical model's timing (models::analyze: task graphs,
// period, fill, operation counts — the target); the same plus energy, area and the metrics map
// (models::analytical_model, what a fidelity returns); the whole runner path (to_hardware, the
// statistics cache, the model); the event-driven model.
//   bench_models [--trace FILE]   also writes a Chrome/Perfetto trace of a small event-driven run
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "dse/runner.hpp"
#include "dse/stats_cache.hpp"
#include "models/analytical.hpp"
#include "models/coarse.hpp"
#include "models/event_sim.hpp"
#include "models/hardware.hpp"
#include "workloads/catalog.hpp"

using namespace pade;

namespace {

// Seconds per call of f, best of 5 batches, each batch running about `budget` seconds.
template <class F>
double seconds_per_call(F&& f, double budget = 0.05) {
  int calls = 1;
  for (;;) {  // size a batch
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < calls; ++i) f();
    const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (dt > budget / 4 || calls > (1 << 24)) break;
    calls *= 2;
  }
  double best = std::numeric_limits<double>::infinity();
  for (int b = 0; b < 5; ++b) {
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < calls; ++i) f();
    best = std::min(
        best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / calls);
  }
  return best;
}

volatile double g_sink = 0;  // keeps results alive

}  // namespace

int main(int argc, char** argv) {
  std::string trace_file;
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], "--trace") == 0) trace_file = argv[i + 1];

  const workloads::Catalog catalog = workloads::Catalog::builtin();
  const core::Config config = core::default_config(models::hardware_schema());
  const models::HardwareConfig hw = models::to_hardware(config);
  const models::WorkloadStats stats = models::reference_workload_stats();
  // A statistics cache holding the digests, as the campaign runner sees it.
  dse::StatsCache cache(
      [&](const workloads::Benchmark&, const dse::AlgorithmPoint&) { return stats; }, "bench");

  std::printf("%-26s %10s %10s %10s %10s %12s %10s %10s\n", "benchmark", "coarse_us", "analyt_us",
              "+metrics", "runner_us", "event_ms", "events", "Mevents/s");
  double sum_coarse = 0, sum_analytical = 0, sum_full = 0, sum_runner = 0, total_events = 0,
         total_event_s = 0, worst_analytical = 0, worst_full = 0;
  std::string worst_name;
  int n = 0;
  for (const auto& name : catalog.suite("pade22")) {
    const auto& b = catalog.benchmark(name);
    (void)cache.get(b, dse::AlgorithmPoint::from(config));
    const double coarse = seconds_per_call(
        [&] { g_sink = g_sink + models::coarse_model(hw, b, stats).get("latency_s"); });
    const double analytical =
        seconds_per_call([&] { g_sink = g_sink + models::analyze(hw, b, stats).cycles; });
    const double full = seconds_per_call(
        [&] { g_sink = g_sink + models::analytical_model(hw, b, stats).get("energy_j"); });
    const double runner = seconds_per_call(
        [&] { g_sink = g_sink + dse::evaluate(config, b, "analytical", cache).get("latency_s"); });
    models::EventSimResult er;
    const double event = seconds_per_call([&] { er = models::simulate_events(hw, b, stats); }, 0.2);
    std::printf("%-26s %10.2f %10.2f %10.2f %10.2f %12.3f %10.0f %10.2f\n", name.c_str(),
                coarse * 1e6, analytical * 1e6, full * 1e6, runner * 1e6, event * 1e3,
                static_cast<double>(er.events), er.events / event / 1e6);
    sum_coarse += coarse;
    sum_analytical += analytical;
    sum_full += full;
    sum_runner += runner;
    if (analytical > worst_analytical) {
      worst_analytical = analytical;
      worst_name = name;
    }
    worst_full = std::max(worst_full, full);
    total_events += static_cast<double>(er.events);
    total_event_s += event;
    ++n;
  }
  const double mean_analytical = sum_analytical / n;
  std::printf(
      "\nanalytical model (analyze): mean %.2f us, worst %.2f us (%s); %.0f evaluations/s\n",
      mean_analytical * 1e6, worst_analytical * 1e6, worst_name.c_str(), 1.0 / mean_analytical);
  std::printf("  with energy, area and the metrics map: mean %.2f us, worst %.2f us\n",
              sum_full / n * 1e6, worst_full * 1e6);
  std::printf("  through the runner (to_hardware + cache + metrics): mean %.2f us\n",
              sum_runner / n * 1e6);
  std::printf(
      "reference, coarse model: mean %.2f us; analytical / coarse: mean %.2fx, worst %.2fx\n",
      sum_coarse / n * 1e6, sum_analytical / sum_coarse, worst_analytical / (sum_coarse / n));
  std::printf("event-driven: %.2f million events/s over the suite (%.0f events in %.3f s)\n",
              total_events / total_event_s / 1e6, total_events, total_event_s);
  const auto verdict = [](bool ok) { return ok ? "met" : "NOT met"; };
  std::printf(
      "targets: analytical <= 10 us per evaluation (the model: task graphs, period, operation "
      "counts): mean %s, worst %s;\n"
      "         the whole fidelity call (plus energy, area and the metrics it returns): mean %s, "
      "worst %s;\n"
      "         event >= 5 M events/s: %s\n",
      verdict(mean_analytical <= 10e-6), verdict(worst_analytical <= 10e-6),
      verdict(sum_full / n <= 10e-6), verdict(worst_full <= 10e-6),
      verdict(total_events / total_event_s >= 5e6));

  if (!trace_file.empty()) {
    models::EventSimOptions opt;
    opt.trace = true;
    opt.min_groups = 2;
    opt.min_steps = 8;
    opt.tiles_per_group = 4;
    const auto r = models::simulate_events(hw, catalog.benchmark("vit-l16/imagenet"), stats, opt);
    std::ofstream(trace_file) << r.trace_json << '\n';
    std::printf("trace of vit-l16/imagenet (a window of 8 tile-steps, %llu events) written to %s\n",
                static_cast<unsigned long long>(r.events), trace_file.c_str());
  }
  return g_sink < 0 ? 1 : 0;
}
