// Workload-statistics memory and speed (issue 4, "Memory and speed"):
//  (1) peak resident memory of the functional digest of llama3-8b/dolly (15k tokens) and of the
//      214k-token long-context study (llama3-8b/infinitebench), target < 1 GiB each;
//  (2) wall time of the functional statistics of all of PADE-22 at one (bits, α) point on
//      2 threads, target < 2 min, with the 1-thread time of the same work as the reference;
//  (3) the speed of the content hash that identifies .npy dump folders in cache keys, against
//      byte-wise FNV-1a.
// Every measurement runs in its own forked child (a fresh process: its VmHWM is its own, and no
// statistics are shared between measurements); the parent forks before it starts any thread.
// The reference for (1) is a child that only loads the catalog and the generator table.
//
//   bench_workloads [--skip-time]   --skip-time: only the memory part
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include <tbb/global_control.h>
#include <tbb/parallel_for.h>

#include "core/hash.hpp"
#include "dse/stats_cache.hpp"
#include "dse/stats_source.hpp"
#include "workloads/catalog.hpp"
#include "workloads/generator.hpp"
#include "workloads/sampling.hpp"

using namespace pade;

namespace {

/// A field of /proc/self/status in KiB (VmHWM: peak resident set; VmRSS: current).
double status_kib(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const std::string prefix = std::string(field) + ":";
  while (std::getline(in, line))
    if (line.rfind(prefix, 0) == 0) return std::stod(line.substr(prefix.size()));
  return -1;
}

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string one, five;
  in >> one >> five;
  return one.empty() ? "?" : one + " " + five;
}

struct ChildResult {
  double seconds = 0;
  double cpu_seconds = 0;  // user + system, all threads: cpu / wall = cores actually used
  double peak_mib = 0;
  double kept = 0;  // a checksum of the statistics (sum of kept fractions)
  int stats = 0;    // digests computed
  bool ok = false;
};

/// Runs `work` in a forked child; the child reports wall time, VmHWM and a checksum via a pipe.
ChildResult in_child(const std::function<std::pair<double, int>()>& work) {
  int fd[2];
  if (::pipe(fd) != 0) return {};
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fd[0]);
    ChildResult r;
    const auto t0 = std::chrono::steady_clock::now();
    try {
      std::tie(r.kept, r.stats) = work();
      r.ok = true;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "child failed: %s\n", e.what());
    }
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    r.peak_mib = status_kib("VmHWM") / 1024.0;
    rusage ru{};
    ::getrusage(RUSAGE_SELF, &ru);
    r.cpu_seconds = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                    1e-6 * static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
    [[maybe_unused]] const auto n = ::write(fd[1], &r, sizeof r);
    ::close(fd[1]);
    ::_exit(r.ok ? 0 : 1);
  }
  ::close(fd[1]);
  ChildResult r;
  if (::read(fd[0], &r, sizeof r) != static_cast<ssize_t>(sizeof r)) r.ok = false;
  ::close(fd[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return r;
}

struct Setup {
  workloads::Catalog catalog = workloads::Catalog::builtin();
  workloads::GeneratorTable generator = workloads::GeneratorTable::builtin();
  workloads::SamplingPlan plan;  // the default plan campaigns use
  std::uint64_t seed = 1;
  dse::AlgorithmPoint point;  // INT8, α = 0.5, radius 5, 8 x 64 tiles, head-tail
};

/// Statistics of `names` at the default point with `threads` threads (benchmarks in parallel,
/// sampled heads in parallel inside each), as a campaign computes them: a fresh cache.
std::pair<double, int> digest_all(const std::vector<std::string>& names, int threads) {
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism,
                            static_cast<std::size_t>(threads));
  const Setup s;
  dse::StatsCache cache(dse::synthetic_stats_source(s.catalog, s.generator, s.plan, s.seed),
                        dse::synthetic_stats_version(s.plan, s.seed));
  std::vector<double> kept(names.size());
  tbb::parallel_for(std::size_t{0}, names.size(), [&](std::size_t i) {
    kept[i] = cache.get(s.catalog.benchmark(names[i]), s.point).kept_fraction;
  });
  double sum = 0;
  for (const double k : kept) sum += k;
  return {sum, static_cast<int>(cache.computed())};
}

}  // namespace

int main(int argc, char** argv) {
  bool skip_time = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--skip-time") == 0) {
      skip_time = true;
    } else {
      std::fprintf(stderr, "usage: %s [--skip-time]\n", argv[0]);
      return 2;
    }
  }
  constexpr double kGiB = 1024.0;
  bool all_met = true;
  std::printf(
      "bench_workloads: functional statistics at INT8, alpha 0.5, radius 5, B_q 8, B_k 64, "
      "head_tail, default sampling plan, seed 1\n");
  std::printf("  load average (1, 5 min) before: %s\n", load_average().c_str());

  // (1) Peak resident memory, one child per measurement, 2 threads each.
  std::printf("peak resident memory (VmHWM of a fresh process, 2 threads; target < 1 GiB):\n");
  const ChildResult base = in_child([] {
    const Setup s;
    return std::pair<double, int>{0.0, 0};
  });
  std::printf("  reference: catalog + generator only        %8.1f MiB\n", base.peak_mib);
  for (const char* name : {"llama3-8b/dolly", "llama3-8b/infinitebench"}) {
    const ChildResult r = in_child([name] { return digest_all({name}, 2); });
    const bool met = r.ok && r.peak_mib < kGiB;
    all_met = all_met && met;
    const Setup s;
    const auto& b = s.catalog.benchmark(name);
    const char* verdict = !r.ok ? "FAILED" : met ? "MET" : "NOT MET";
    std::printf(
        "  %-24s (%6lld tokens) %8.1f MiB peak (+%.1f MiB over the reference), %.2f s "
        "wall, %.2f s CPU, kept %.4f  %s\n",
        name, static_cast<long long>(b.seq_len), r.peak_mib, r.peak_mib - base.peak_mib, r.seconds,
        r.cpu_seconds, r.kept, verdict);
  }

  if (!skip_time) {
    // (2) All of PADE-22 at one point: 1 thread (the reference), then 2 threads.
    const std::vector<std::string> suite = workloads::Catalog::builtin().suite("pade22");
    std::printf("functional statistics of all %zu PADE-22 benchmarks at one point (fresh cache):\n",
                suite.size());
    const ChildResult one = in_child([&suite] { return digest_all(suite, 1); });
    std::printf("  1 thread : %7.1f s wall, %7.1f s CPU (%d digests, peak %.1f MiB)\n", one.seconds,
                one.cpu_seconds, one.stats, one.peak_mib);
    std::printf("  load average between: %s\n", load_average().c_str());
    const ChildResult two = in_child([&suite] { return digest_all(suite, 2); });
    const bool met = two.ok && two.seconds < 120.0;
    all_met = all_met && met;
    std::printf(
        "  2 threads: %7.1f s wall, %7.1f s CPU (%d digests, peak %.1f MiB)  target < 120 s "
        "%s\n",
        two.seconds, two.cpu_seconds, two.stats, two.peak_mib, met ? "MET" : "NOT MET");
    std::printf(
        "  cores used by the 2-thread run (CPU / wall): %.2f (below 2 when other work "
        "shares the machine)\n",
        two.cpu_seconds / two.seconds);
    std::printf("  speedup 2 vs 1 thread: %.2fx; same statistics: %s\n", one.seconds / two.seconds,
                one.kept == two.kept ? "yes" : "NO");
    if (one.kept != two.kept) all_met = false;
  }
  {
    // (3) The content hash of dump folders (statistics-cache identity of npy traces): GB/s of
    // core::ByteHasher against byte-wise FNV-1a (core::fnv1a64) on the same buffer in memory.
    std::vector<char> buf(std::size_t{256} << 20);
    for (std::size_t i = 0; i < buf.size(); ++i) buf[i] = static_cast<char>(i * 2654435761u >> 13);
    const std::string_view bytes(buf.data(), buf.size());
    const auto time = [&](auto&& f) {
      const auto t0 = std::chrono::steady_clock::now();
      const std::uint64_t h = f();
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      return std::pair<double, std::uint64_t>{s, h};
    };
    const auto [t_words, h1] = time([&] {
      core::ByteHasher h;
      h.update(bytes);
      return h.digest();
    });
    const auto [t_fnv, h2] = time([&] { return core::fnv1a64(bytes); });
    const double gb = static_cast<double>(buf.size()) / 1e9;
    std::printf(
        "content hash of dump data (256 MiB in memory): ByteHasher %.2f GB/s, byte-wise "
        "FNV-1a %.2f GB/s: %.1fx (checksums %llx %llx)\n",
        gb / t_words, gb / t_fnv, t_fnv / t_words, static_cast<unsigned long long>(h1 & 0xfff),
        static_cast<unsigned long long>(h2 & 0xfff));
  }
  std::printf("  load average (1, 5 min) after: %s\n", load_average().c_str());
  return all_met ? 0 : 1;
}
