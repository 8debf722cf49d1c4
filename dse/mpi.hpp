#pragma once
// Spreading a campaign over MPI ranks (Open MPI, optional at build time: PADE_HAVE_MPI).
//
// `mpirun -np N pade run campaign.yaml`: rank 0 runs the strategy and is the only process that
// opens the database. For each batch it broadcasts the jobs (levels + fidelity); every rank,
// rank 0 included, evaluates its share of the (job, benchmark) pairs with oneTBB inside, and the
// metrics are gathered back to rank 0, which commits the batch as a single process would. Shares
// are fixed by index — benchmark b belongs to rank b % N when there are at least N benchmarks
// (so each rank computes the functional statistics of its own benchmarks only), else pair i to
// rank i % N — and a number does not depend on which rank computed it, so the stored results are
// those of a single process. Metrics travel as raw IEEE-754 bits: nothing is rounded on the way.
#include <functional>
#include <span>

#include "dse/runner.hpp"

namespace pade::dse::mpi {

/// True when this build has MPI support.
[[nodiscard]] bool available();
/// True when this process was started by mpirun/mpiexec with more than one rank (the launcher's
/// environment says so; a plain `pade run` never initializes MPI).
[[nodiscard]] bool launched_with_ranks();

/// Which (job, benchmark) pairs a rank owns.
[[nodiscard]] PairFilter share(int rank, int size, std::size_t benchmarks);

/// One MPI session: MPI_Init_thread on construction, MPI_Finalize on destruction (after
/// releasing the workers, so an early error on rank 0 cannot leave them waiting).
class Session {
 public:
  Session();  // RunError when built without MPI
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  [[nodiscard]] int rank() const { return rank_; }
  [[nodiscard]] int size() const { return size_; }

  /// Rank 0: the evaluator that spreads each batch over all ranks.
  [[nodiscard]] BatchEvaluator evaluator(const Campaign& campaign,
                                         std::span<const workloads::Benchmark* const> benchmarks,
                                         StatsCache& stats, int threads,
                                         std::function<bool()> cancelled);
  /// Rank 0: tell the other ranks that the campaign is over (idempotent).
  void release();
  /// Ranks > 0: evaluate batches until rank 0 releases them.
  void serve(const Campaign& campaign, std::span<const workloads::Benchmark* const> benchmarks,
             StatsCache& stats, int threads, const std::function<bool()>& cancelled);

 private:
  int rank_ = 0;
  int size_ = 1;
  bool released_ = false;
  bool in_flight_ = false;  // rank 0: a batch was broadcast and not yet gathered
};

}  // namespace pade::dse::mpi
