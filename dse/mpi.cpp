#include "dse/mpi.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "core/error.hpp"

#ifdef PADE_HAVE_MPI
#include <mpi.h>
#endif

namespace pade::dse::mpi {

bool available() {
#ifdef PADE_HAVE_MPI
  return true;
#else
  return false;
#endif
}

bool launched_with_ranks() {
  // Open MPI sets OMPI_COMM_WORLD_SIZE; MPICH's and Slurm's PMI launchers set PMI_SIZE.
  for (const char* var : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"})
    if (const char* v = std::getenv(var); v != nullptr && std::atoi(v) > 1) return true;
  return false;
}

PairFilter share(int rank, int size, std::size_t benchmarks) {
  const auto r = static_cast<std::size_t>(rank), n = static_cast<std::size_t>(size);
  if (benchmarks >= n) return [r, n](std::size_t, std::size_t b) { return b % n == r; };
  return [r, n, benchmarks](std::size_t j, std::size_t b) { return (j * benchmarks + b) % n == r; };
}

#ifdef PADE_HAVE_MPI

namespace {

// --- a byte buffer with fixed-width fields (all ranks run the same binary on one architecture) ---
class Writer {
 public:
  void u64(std::uint64_t v) { raw(&v, sizeof v); }
  void f64(double v) { raw(&v, sizeof v); }
  void str(const std::string& s) {
    u64(s.size());
    raw(s.data(), s.size());
  }
  [[nodiscard]] std::vector<char>& bytes() { return bytes_; }

 private:
  void raw(const void* p, std::size_t n) {
    const auto* c = static_cast<const char*>(p);
    bytes_.insert(bytes_.end(), c, c + n);
  }
  std::vector<char> bytes_;
};

class Reader {
 public:
  explicit Reader(std::span<const char> bytes) : bytes_(bytes) {}
  std::uint64_t u64() {
    std::uint64_t v = 0;
    raw(&v, sizeof v);
    return v;
  }
  double f64() {
    double v = 0;
    raw(&v, sizeof v);
    return v;
  }
  std::string str() {
    const auto n = u64();
    if (n > bytes_.size() - pos_) throw core::RunError("mpi: truncated message");
    std::string s(bytes_.data() + pos_, n);
    pos_ += n;
    return s;
  }
  [[nodiscard]] bool done() const { return pos_ >= bytes_.size(); }

 private:
  void raw(void* p, std::size_t n) {
    if (n > bytes_.size() - pos_) throw core::RunError("mpi: truncated message");
    std::memcpy(p, bytes_.data() + pos_, n);
    pos_ += n;
  }
  std::span<const char> bytes_;
  std::size_t pos_ = 0;
};

void check(int rc, const char* what) {
  if (rc != MPI_SUCCESS) throw core::RunError(std::string("mpi: ") + what + " failed");
}

/// Rank 0 sends, the others receive: a length, then the bytes (length 0 = no more batches).
std::vector<char> broadcast(std::vector<char> bytes, int rank) {
  std::uint64_t n = bytes.size();
  check(MPI_Bcast(&n, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD), "MPI_Bcast");
  if (rank != 0) bytes.assign(n, 0);
  if (n > 0)
    check(MPI_Bcast(bytes.data(), static_cast<int>(n), MPI_CHAR, 0, MPI_COMM_WORLD), "MPI_Bcast");
  return bytes;
}

std::vector<EvalJob> decode_jobs(std::span<const char> bytes) {
  Reader r(bytes);
  std::vector<EvalJob> jobs(r.u64());
  for (auto& j : jobs) {
    j.fidelity = r.str();
    j.levels.resize(r.u64());
    for (auto& l : j.levels) l = r.u64();
  }
  return jobs;
}

/// This rank's results: (job, benchmark, metrics) for every pair it evaluated.
std::vector<char> encode_results(const JobResults& results) {
  Writer w;
  for (std::size_t j = 0; j < results.size(); ++j)
    for (std::size_t b = 0; b < results[j].size(); ++b) {
      const auto& m = results[j][b];
      if (m.values().empty()) continue;
      w.u64(j);
      w.u64(b);
      w.u64(m.values().size());
      for (const auto& [name, v] : m.values()) {
        w.str(name);
        w.f64(v);
      }
    }
  return std::move(w.bytes());
}

/// Every rank sends its results to rank 0, which merges them into `into`.
void gather(const JobResults& mine, int rank, int size, JobResults* into) {
  std::vector<char> bytes = encode_results(mine);
  int n = static_cast<int>(bytes.size());
  std::vector<int> counts(rank == 0 ? size : 0), displs(rank == 0 ? size : 0);
  check(MPI_Gather(&n, 1, MPI_INT, counts.data(), 1, MPI_INT, 0, MPI_COMM_WORLD), "MPI_Gather");
  std::vector<char> all;
  if (rank == 0) {
    std::size_t total = 0;
    for (int i = 0; i < size; ++i) {
      displs[static_cast<std::size_t>(i)] = static_cast<int>(total);
      total += static_cast<std::size_t>(counts[static_cast<std::size_t>(i)]);
    }
    all.resize(total);
  }
  check(MPI_Gatherv(bytes.data(), n, MPI_CHAR, all.data(), counts.data(), displs.data(), MPI_CHAR,
                    0, MPI_COMM_WORLD),
        "MPI_Gatherv");
  if (rank != 0) return;
  Reader r(all);
  while (!r.done()) {
    const auto j = r.u64(), b = r.u64(), k = r.u64();
    core::Metrics m;
    for (std::uint64_t i = 0; i < k; ++i) {
      const std::string name = r.str();
      m.set(name, r.f64());
    }
    into->at(j).at(b) = std::move(m);
  }
}

}  // namespace

Session::Session() {
  int provided = 0;
  // Only the main thread calls MPI; oneTBB workers never do.
  check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

Session::~Session() {
  // An error on rank 0 between a batch's broadcast and its gather leaves the other ranks inside a
  // collective that will never complete: only an abort ends them.
  if (in_flight_) MPI_Abort(MPI_COMM_WORLD, 1);
  try {
    if (rank_ == 0) release();
  } catch (...) {  // a destructor must not throw; MPI_Finalize still runs
  }
  MPI_Finalize();
}

void Session::release() {
  if (rank_ != 0 || released_) return;
  released_ = true;
  (void)broadcast({}, 0);
}

BatchEvaluator Session::evaluator(const Campaign& campaign,
                                  std::span<const workloads::Benchmark* const> benchmarks,
                                  StatsCache& stats, int threads, std::function<bool()> cancelled) {
  return [this, &campaign, benchmarks, &stats, threads, cancelled](std::span<const EvalJob> jobs) {
    Writer w;
    w.u64(jobs.size());
    for (const auto& j : jobs) {
      w.str(j.fidelity);
      w.u64(j.levels.size());
      for (const auto l : j.levels) w.u64(l);
    }
    in_flight_ = true;
    (void)broadcast(std::move(w.bytes()), rank_);
    JobResults results = evaluate_jobs(campaign, benchmarks, jobs, stats, threads, cancelled,
                                       share(rank_, size_, benchmarks.size()));
    gather(JobResults{}, rank_, size_, &results);  // rank 0's own share is already in place
    in_flight_ = false;
    return results;
  };
}

void Session::serve(const Campaign& campaign,
                    std::span<const workloads::Benchmark* const> benchmarks, StatsCache& stats,
                    int threads, const std::function<bool()>& cancelled) {
  try {
    while (true) {
      const std::vector<char> bytes = broadcast({}, rank_);
      if (bytes.empty()) return;
      const auto jobs = decode_jobs(bytes);
      const JobResults results = evaluate_jobs(campaign, benchmarks, jobs, stats, threads,
                                               cancelled, share(rank_, size_, benchmarks.size()));
      gather(results, rank_, size_, nullptr);
    }
  } catch (const std::exception& e) {
    // Rank 0 waits in the gather: a failing worker must take the whole job down.
    std::fprintf(stderr, "pade (MPI rank %d): %s\n", rank_, e.what());
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
}

#else  // built without MPI

Session::Session() {
  throw core::RunError("this pade was built without MPI (install libopenmpi-dev and rebuild)");
}
Session::~Session() = default;
void Session::release() {}
BatchEvaluator Session::evaluator(const Campaign&, std::span<const workloads::Benchmark* const>,
                                  StatsCache&, int, std::function<bool()>) {
  return {};
}
void Session::serve(const Campaign&, std::span<const workloads::Benchmark* const>, StatsCache&, int,
                    const std::function<bool()>&) {}

#endif

}  // namespace pade::dse::mpi
