// How a campaign's cost grows with its size (issue #19): random campaigns of 10^3 and 10^4
// designs (10^5 with --full) over seven hardware knobs x PADE-22 at the analytical fidelity, from
// cached functional statistics, on 1 and 2 threads. Each run is its own process (so its peak RSS
// is its own), on a copy of a database whose statistics cache was filled once beforehand.
// Prints wall time, CPU time, evaluations/s, peak RSS and database bytes per evaluation, and the
// targets beside them:
//   time(10 N) / time(N) <= 12 (near-linear growth); 10^5 designs on 2 threads <= 180 s;
//   peak RSS at 10^5 < 1 GiB; database <= 1.2 GB for 10^5 x 22 (~545 bytes per evaluation);
//   <= 500 database bytes per evaluation (compact storage, the campaign's default store: summary).
// With --mpi PADE each size also runs as `mpirun -np 2 --oversubscribe PADE run` (the pade
// binary built with Open MPI): the whole job's wall time, and the peak RSS of its largest process.
//
//   bench_growth [--full] [--sizes N,N,...] [--threads T,T,...] [--mpi path/to/pade]
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
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

/// The same campaign run by `mpirun -np 2 pade run` (rank 0 writes `db`): wall time from here,
/// peak RSS of the largest process of the job (wait4 reports the maximum over the waited tree).
Child spawn_mpi(const std::string& pade, std::size_t designs, const fs::path& dir,
                const fs::path& db) {
  Child c;
  c.designs = designs;
  c.threads = -2;  // printed as "2 ranks"
  const fs::path yaml = dir / ("growth-mpi-" + std::to_string(designs) + ".yaml");
  {
    FILE* f = std::fopen(yaml.c_str(), "w");
    if (f == nullptr) return c;
    const std::string text = campaign_text(designs, "growth-" + std::to_string(designs));
    std::fwrite(text.data(), 1, text.size(), f);
    std::fclose(f);
  }
  const auto t0 = std::chrono::steady_clock::now();
  const pid_t pid = fork();
  if (pid == 0) {
    // Root in containers: Open MPI refuses it unless told; the machine has fewer cores than
    // some runs ask for (oversubscribe). One oneTBB thread per rank.
    setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
    setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
    execlp("mpirun", "mpirun", "-np", "2", "--oversubscribe", pade.c_str(), "run", yaml.c_str(),
           "--db", db.c_str(), "--threads", "1", "-q", static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  rusage ru{};
  wait4(pid, &status, 0, &ru);
  c.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  c.cpu = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
          1e-6 * static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
  c.max_rss_kib = ru.ru_maxrss;
  const dse::Campaign campaign = dse::read_campaign_text(campaign_text(designs, "growth"),
                                                         "growth.yaml", fs::temp_directory_path());
  c.evaluations = designs * dse::resolve_benchmarks(campaign, workloads::Catalog::builtin()).size();
  c.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  return c;
}

/// One run on a copy of the primed database: its growth, printed as a table row.
template <typename Run>
Child measured(const fs::path& primed, const fs::path& db, Run run) {
  fs::copy_file(primed, db, fs::copy_options::overwrite_existing);
  const std::uintmax_t before = db_size(db);
  Child c = run(db);
  c.db_bytes = db_size(db) - before;
  fs::remove(db);
  if (!c.ok) return c;
  char who[16];
  std::snprintf(who, sizeof who, c.threads < 0 ? "%d ranks" : "%d", std::abs(c.threads));
  std::printf("%9zu %7s %9.2f %9.2f %12.0f %10.1f %12.0f\n", c.designs, who, c.seconds, c.cpu,
              static_cast<double>(c.evaluations) / c.seconds,
              static_cast<double>(c.max_rss_kib) / 1024.0,
              static_cast<double>(c.db_bytes) / static_cast<double>(c.evaluations));
  std::fflush(stdout);
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

/// The targets beside the measurements (issue #19).
void print_targets(std::map<std::pair<std::size_t, int>, Child>& runs,
                   const std::vector<std::size_t>& sizes) {
  std::printf("targets:\n");
  for (const auto n : sizes)
    for (const int t : {1, 2, -2})
      if (const auto big = runs.find({10 * n, t}); big != runs.end()) {
        const double ratio = big->second.seconds / runs[{n, t}].seconds;
        std::printf("  time(%zu)/time(%zu), %d %s: %.2f (target <= 12) %s\n", 10 * n, n,
                    std::abs(t), t < 0 ? "MPI ranks" : "thread(s)", ratio,
                    ratio <= 12 ? "MET" : "NOT MET");
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
  for (const auto& [key, c] : runs) {
    const double per = static_cast<double>(c.db_bytes) / static_cast<double>(c.evaluations);
    std::printf("  database bytes per evaluation, %zu designs, %d %s: %.0f (target <= 500) %s\n",
                key.first, std::abs(key.second), key.second < 0 ? "MPI ranks" : "thread(s)", per,
                per <= 500 ? "MET" : "NOT MET");
  }
}

int main(int argc, char** argv) {
  if (argc == 5 && std::strcmp(argv[1], "--child") == 0)
    return run_child(std::stoul(argv[2]), std::stoi(argv[3]), argv[4]);
  std::vector<std::size_t> sizes = {1000, 10000};
  std::vector<std::size_t> thread_counts = {1, 2};
  std::string mpi_pade;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--full") == 0) {
      sizes = {1000, 10000, 100000};
    } else if (std::strcmp(argv[i], "--sizes") == 0 && i + 1 < argc) {
      sizes = parse_sizes(argv[++i]);
    } else if (std::strcmp(argv[i], "--threads") == 0 && i + 1 < argc) {
      thread_counts = parse_sizes(argv[++i]);
    } else if (std::strcmp(argv[i], "--mpi") == 0 && i + 1 < argc) {
      mpi_pade = argv[++i];
    } else {
      std::fprintf(stderr,
                   "usage: %s [--full] [--sizes N,N,...] [--threads T,T,...] [--mpi PADE]\n",
                   argv[0]);
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
  for (const auto n : sizes) {
    for (const auto threads : thread_counts) {
      const int t = static_cast<int>(threads);
      Child c =
          measured(primed, dir / ("run-" + std::to_string(n) + "-" + std::to_string(t) + ".db"),
                   [&](const fs::path& db) { return spawn(argv[0], n, t, db); });
      if (!c.ok) {
        std::fprintf(stderr, "run of %zu designs on %d threads failed\n", n, t);
        return 1;
      }
      runs[{n, t}] = c;
    }
    if (!mpi_pade.empty()) {
      Child c = measured(primed, dir / ("run-" + std::to_string(n) + "-mpi.db"),
                         [&](const fs::path& db) { return spawn_mpi(mpi_pade, n, dir, db); });
      if (!c.ok) {
        std::fprintf(stderr, "run of %zu designs on 2 MPI ranks failed\n", n);
        return 1;
      }
      runs[{n, -2}] = c;
    }
  }
  print_targets(runs, sizes);
  fs::remove_all(dir);
  return 0;
}
