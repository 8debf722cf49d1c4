// The default campaign's screening phase (every design of its grid at the screening fidelity, over
// PADE-22) through the real runner and store, on 1 thread and then on 2, each with a fresh
// statistics cache and database. Target: 2 threads >= 1.7x faster than 1 thread.
// Prints designs/s and (design, benchmark) evaluations/s, and checks that both runs stored the
// same numbers.
//
//   bench_campaign [--configs N]   N = the first N designs of the grid (default: all 243)
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "dse/campaign.hpp"
#include "dse/runner.hpp"
#include "dse/stats_cache.hpp"
#include "dse/stats_source.hpp"
#include "workloads/generator.hpp"
#include "workloads/sampling.hpp"

using namespace pade;

namespace {

double cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         1e-6 * static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

/// The 1-minute load average: other processes on the machine skew a wall-time speedup.
std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string one;
  in >> one;
  return one.empty() ? "?" : one;
}

struct Measured {
  double seconds = 0;
  double cpu = 0;
  std::size_t designs = 0;
  std::size_t evaluations = 0;
  std::size_t stats_computed = 0;
  std::string fingerprint;  // every stored point's objectives, in order
};

Measured screen(const dse::Campaign& campaign, int threads, const std::filesystem::path& db) {
  std::filesystem::remove(db);
  std::filesystem::remove(db.string() + "-wal");
  std::filesystem::remove(db.string() + "-shm");
  const workloads::Catalog catalog = workloads::Catalog::builtin();
  const workloads::GeneratorTable generator = workloads::GeneratorTable::builtin();
  const workloads::SamplingPlan plan;
  const auto seed = static_cast<std::uint64_t>(campaign.seed);
  dse::StatsCache stats(dse::synthetic_stats_source(catalog, generator, plan, seed),
                        dse::synthetic_stats_version(plan, seed));
  results::Store store(db.string());
  dse::RunOptions options;
  options.threads = threads;
  const double c0 = cpu_seconds();
  const auto t0 = std::chrono::steady_clock::now();
  const auto summary = dse::run_campaign(campaign, catalog, store, stats, options);
  Measured m;
  m.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  m.cpu = cpu_seconds() - c0;
  m.designs = summary.evaluated;
  m.evaluations = summary.evaluated * dse::resolve_benchmarks(campaign, catalog).size();
  m.stats_computed = stats.computed();
  std::ostringstream fp;
  fp.precision(17);
  for (const auto& p : store.points(summary.campaign_id)) {
    fp << p.config_hash;
    for (const auto& [k, v] : p.objectives.values()) fp << ' ' << k << '=' << v;
    fp << '\n';
  }
  m.fingerprint = fp.str();
  return m;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t configs = 0;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--configs") == 0 && i + 1 < argc)
      configs = std::stoul(argv[++i]);
    else {
      std::fprintf(stderr, "usage: %s [--configs N]\n", argv[0]);
      return 2;
    }
  }
  const std::filesystem::path file =
      std::filesystem::path(PADE_SOURCE_DIR) / "dse/data/default-campaign.yaml";
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  dse::Campaign campaign = dse::read_campaign_text(text.str(), file.string(), file.parent_path());
  // The screening phase: the grid at the screening fidelity (the halving rung 0), nothing refined.
  campaign.strategy = "grid";
  campaign.budget_evaluations = configs;

  const auto dir = std::filesystem::temp_directory_path() /
                   ("pade-bench-campaign-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::printf(
      "default campaign screening phase: %s fidelity, %s designs, stats computed fresh in each "
      "run\n",
      campaign.fidelity.c_str(), configs == 0 ? "all" : std::to_string(configs).c_str());
  auto report = [](const char* label, const Measured& m) {
    std::printf(
        "  %s: %7.1f s wall, %7.1f s CPU  %6.2f designs/s  %7.1f evaluations/s  (%zu designs, %zu "
        "statistics)\n",
        label, m.seconds, m.cpu, static_cast<double>(m.designs) / m.seconds,
        static_cast<double>(m.evaluations) / m.seconds, m.designs, m.stats_computed);
  };
  std::printf("  load average before: %s\n", load_average().c_str());
  const Measured one = screen(campaign, 1, dir / "one.db");
  report("1 thread ", one);
  std::printf("  load average between: %s\n", load_average().c_str());
  const Measured two = screen(campaign, 2, dir / "two.db");
  report("2 threads", two);
  const double speedup = one.seconds / two.seconds;
  std::printf("  speedup 2 vs 1 thread: %.2fx (target >= 1.7x) %s\n", speedup,
              speedup >= 1.7 ? "MET" : "NOT MET");
  const bool same = one.fingerprint == two.fingerprint;
  std::printf("  stored results identical: %s\n", same ? "yes" : "NO");
  std::filesystem::remove_all(dir);
  return same ? 0 : 1;
}
