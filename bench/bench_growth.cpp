// How a campaign's cost grows with its size (issue #19): random campaigns of 10^3 and 10^4
// designs (10^5 with --full) over seven hardware knobs x PADE-22 at the analytical fidelity, from
// cached functional statistics, on 1 and 2 threads. Each run is its own process (so its peak RSS
// is its own), on a copy of a database whose statistics cache was filled once beforehand.
// Prints wall time, CPU time, evaluations/s, peak RSS and database bytes per evaluation, and the
// targets beside them:
//   time(10 N) / time(N) <= 12 (near-linear growth); 10^5 designs on 2 threads <= 180 s;
//   peak RSS at 10^5 < 1 GiB; database <= 1.2 GB for 10^5 x 22 (~545 bytes per evaluation).
//
//   bench_growth [--full] [--sizes N,N,...]
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "dse/campaign.hpp"
#include "dse/runner.hpp"
#include "dse/stats_cache.hpp"
#include "dse/stats_source.hpp"
#include "workloads/generator.hpp"
#include "workloads/sampling.hpp"

using namespace pade;
namespace fs = std::filesystem;

namespace {

// 5 x 4 x 5 x 8 x 6 x 5 x 6 = 144,000 designs of hardware knobs only (qk_pu.rows would be one of
// the statistics keys): every design needs the same 22 statistics, cached.
std::string campaign_text(std::size_t designs, const std::string& name) {
  return "kind: campaign\nname: " + name +
         "\nseed: 5\nsuite: pade22\n"
         "space:\n"
         "  qk_pu.lanes_per_row: [4, 8, 16, 32, 64]\n"
         "  hbm.pseudo_channels: [8, 16, 32, 64]\n"
         "  qk_pu.scoreboard_entries: [8, 16, 32, 64, 128]\n"
         "  hbm.pin_rate_gbps: {from: 1.0, to: 6.4, steps: 8, scale: log}\n"
         "  tech.clock_mhz: [500, 700, 900, 1100, 1300, 1500]\n"
         "  sram.kv_buffer_kib: [64, 128, 256, 512, 1024]\n"
         "  softmax.exp_units: [8, 16, 32, 64, 128, 256]\n"
         "strategy: random\nfidelity: analytical\nbudget:\n  evaluations: " +
         std::to_string(designs) + "\nobjectives: [latency, energy, area, accuracy_loss]\n";
}

struct Child {
  std::size_t designs = 0;
  int threads = 0;
  double seconds = 0, cpu = 0;
  std::size_t evaluations = 0;
  long max_rss_kib = 0;
  std::uintmax_t db_bytes = 0;  // growth of the database during the run
  bool ok = false;
};

/// The child: run one campaign on `db` (statistics persisted in it) and print seconds and count.
int run_child(std::size_t designs, int threads, const std::string& db) {
  const workloads::Catalog catalog = workloads::Catalog::builtin();
  const workloads::GeneratorTable generator = workloads::GeneratorTable::builtin();
  const workloads::SamplingPlan plan;
  const dse::Campaign campaign =
      dse::read_campaign_text(campaign_text(designs, "growth-" + std::to_string(designs)),
                              "growth.yaml", fs::temp_directory_path());
  const auto seed = static_cast<std::uint64_t>(campaign.seed);
  results::Store store(db);
  dse::StatsCache stats(dse::synthetic_stats_source(catalog, generator, plan, seed),
                        dse::synthetic_stats_version(plan, seed));
  std::mutex mutex;  // one SQLite connection: the cache's reads and writes take turns
  stats.set_persistence(
      [&](const std::string& key) {
        const std::lock_guard lock(mutex);
        return store.cached_stats(key, stats.version());
      },
      [&](const std::string& key, const std::string& payload) {
        const std::lock_guard lock(mutex);
        store.put_stats(key, stats.version(), payload);
      });
  dse::RunOptions options;
  options.threads = threads;
  const auto t0 = std::chrono::steady_clock::now();
  const auto summary = dse::run_campaign(campaign, catalog, store, stats, options);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("%.6f %zu %zu\n", s,
              summary.evaluated * dse::resolve_benchmarks(campaign, catalog).size(),
              stats.computed());
  return 0;
}

std::uintmax_t db_size(const fs::path& db) {
  std::error_code ec;
  std::uintmax_t n = fs::file_size(db, ec);
  if (const auto wal = fs::file_size(db.string() + "-wal", ec); !ec) n += wal;
  return n;
}

/// Run the child in its own process; its peak RSS and CPU come from wait4.
Child spawn(const char* self, std::size_t designs, int threads, const fs::path& db,
            bool expect_cached = true) {
  Child c;
  c.designs = designs;
  c.threads = threads;
  int out[2];
  if (pipe(out) != 0) return c;
  const std::string n = std::to_string(designs), t = std::to_string(threads);
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    close(out[0]);
    execl(self, self, "--child", n.c_str(), t.c_str(), db.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(out[1]);
  std::string text;
  char buf[256];
  for (ssize_t got; (got = read(out[0], buf, sizeof buf)) > 0;)
    text.append(buf, static_cast<std::size_t>(got));
  close(out[0]);
  int status = 0;
  rusage ru{};
  wait4(pid, &status, 0, &ru);
  std::size_t computed = 0;
  c.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
         std::sscanf(text.c_str(), "%lf %zu %zu", &c.seconds, &c.evaluations, &computed) == 3;
  c.cpu = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
          1e-6 * static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
  c.max_rss_kib = ru.ru_maxrss;
  if (c.ok && expect_cached && computed != 0)
    std::fprintf(stderr, "  note: %zu statistics computed in a run meant to be cached\n", computed);
  return c;
}

std::vector<std::size_t> parse_sizes(const char* text) {
  std::vector<std::size_t> out;
  for (const char* p = text; *p != '\0';) {
    char* end = nullptr;
    out.push_back(std::strtoul(p, &end, 10));
    p = *end == ',' ? end + 1 : end;
    if (end == p && *p != '\0') break;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 5 && std::strcmp(argv[1], "--child") == 0)
    return run_child(std::stoul(argv[2]), std::stoi(argv[3]), argv[4]);
  std::vector<std::size_t> sizes = {1000, 10000};
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--full") == 0) {
      sizes = {1000, 10000, 100000};
    } else if (std::strcmp(argv[i], "--sizes") == 0 && i + 1 < argc) {
      sizes = parse_sizes(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: %s [--full] [--sizes N,N,...]\n", argv[0]);
      return 2;
    }
  }
  const fs::path dir =
      fs::temp_directory_path() / ("pade-bench-growth-" + std::to_string(getpid()));
  fs::create_directories(dir);
  // The statistics cache, filled once by a one-design campaign: every later run copies it.
  const fs::path primed = dir / "primed.db";
  const Child prime = spawn(argv[0], 1, 2, primed, false);
  if (!prime.ok) {
    std::fprintf(stderr, "priming the statistics cache failed\n");
    return 1;
  }
  std::printf(
      "campaign growth: random designs over 7 hardware knobs x PADE-22, analytical, "
      "cached statistics (primed in %.1f s)\n",
      prime.seconds);
  std::printf("%9s %7s %9s %9s %12s %10s %12s\n", "designs", "threads", "wall s", "CPU s",
              "evals/s", "peak MiB", "DB B/eval");
  std::map<std::pair<std::size_t, int>, Child> runs;
  for (const auto n : sizes)
    for (const int t : {1, 2}) {
      const fs::path db = dir / ("run-" + std::to_string(n) + "-" + std::to_string(t) + ".db");
      fs::copy_file(primed, db, fs::copy_options::overwrite_existing);
      const std::uintmax_t before = db_size(db);
      Child c = spawn(argv[0], n, t, db);
      c.db_bytes = db_size(db) - before;
      fs::remove(db);
      if (!c.ok) {
        std::fprintf(stderr, "run of %zu designs on %d threads failed\n", n, t);
        return 1;
      }
      std::printf("%9zu %7d %9.2f %9.2f %12.0f %10.1f %12.0f\n", n, t, c.seconds, c.cpu,
                  static_cast<double>(c.evaluations) / c.seconds,
                  static_cast<double>(c.max_rss_kib) / 1024.0,
                  static_cast<double>(c.db_bytes) / static_cast<double>(c.evaluations));
      runs[{n, t}] = c;
    }
  std::printf("targets:\n");
  for (const auto n : sizes)
    for (const int t : {1, 2})
      if (const auto big = runs.find({10 * n, t}); big != runs.end()) {
        const double ratio = big->second.seconds / runs[{n, t}].seconds;
        std::printf("  time(%zu)/time(%zu), %d thread(s): %.2f (target <= 12) %s\n", 10 * n, n, t,
                    ratio, ratio <= 12 ? "MET" : "NOT MET");
      }
  if (const auto full = runs.find({100000, 2}); full != runs.end()) {
    const Child& c = full->second;
    std::printf("  10^5 designs x 22 on 2 threads: %.1f s (target <= 180 s) %s\n", c.seconds,
                c.seconds <= 180 ? "MET" : "NOT MET");
    std::printf("  peak RSS at 10^5: %.0f MiB (target < 1024 MiB) %s\n",
                static_cast<double>(c.max_rss_kib) / 1024.0,
                c.max_rss_kib < 1024 * 1024 ? "MET" : "NOT MET");
    std::printf("  database for 10^5 x 22: %.2f GB (target <= 1.2 GB) %s\n",
                static_cast<double>(c.db_bytes) / 1e9,
                c.db_bytes <= 1'200'000'000 ? "MET" : "NOT MET");
  } else {
    std::printf("  (10^5-design targets: run with --full)\n");
  }
  std::printf(
      "  database bytes per evaluation: target <= 500 (issue #19 item 3, compact storage)\n");
  fs::remove_all(dir);
  return 0;
}
