#pragma once
// pade.Study: a campaign driven from Python. Candidates come from the campaign's own strategy
// (ask/tell) or from any outside optimizer (evaluate(params)); either way each design is
// evaluated on the campaign's benchmarks by the runner's parallel evaluation and stored in the
// database as one more point of the campaign, so `pade query/plot/report` and pade.load see it.
#include <map>
#include <memory>
#include <optional>

#include "dse/cli/common.hpp"
#include "dse/runner.hpp"
#include "python/bindings/space.hpp"
#include "results/lease.hpp"

namespace pade::python {

class Study {
 public:
  Study(const py::object& campaign, const std::string& db, bool resume, int threads);
  ~Study();
  Study(const Study&) = delete;
  Study& operator=(const Study&) = delete;

  /// Up to n candidates of the campaign's strategy: {seq, levels, params, fidelity}.
  py::list ask(std::size_t n);
  /// Evaluate and store asked trials, tell the strategy their outcomes; one result each.
  py::list tell(const py::list& trials);
  /// Evaluate and store designs given by their swept values (outside optimizers).
  py::list evaluate(const py::list& params, const std::string& fidelity);
  /// Rank the fronts, mark the campaign finished and release it.
  py::dict finish();

  [[nodiscard]] const dse::Campaign& campaign() const { return campaign_; }
  [[nodiscard]] const Space& space() const { return space_; }
  [[nodiscard]] const std::string& db() const { return store_.path(); }
  [[nodiscard]] std::int64_t campaign_id() const { return campaign_id_; }
  [[nodiscard]] bool finished() const { return finished_; }

 private:
  struct Job {  // one design to evaluate
    std::vector<std::size_t> levels;
    std::string fidelity;
    std::int64_t seq = 0;
    std::optional<std::int64_t> strategy_seq;  // asked from the strategy: tell it the outcome
  };
  using PointKey = std::pair<std::string, std::string>;  // (configuration hash, fidelity)

  void open(bool resume);
  void write_provenance();
  std::vector<results::PointRecord> run_jobs(std::span<const Job> jobs);
  [[nodiscard]] py::dict result_dict(const results::PointRecord& p) const;
  void check_open() const;

  dse::Campaign campaign_;
  Space space_;
  results::Store store_;
  std::unique_ptr<dse::cli::StatsPipeline> pipeline_;
  std::vector<const workloads::Benchmark*> benchmarks_;
  std::vector<std::string> ladder_;
  std::unique_ptr<search::Strategy> strategy_;
  std::optional<results::CampaignLease> lease_;
  std::int64_t campaign_id_ = 0;
  std::int64_t next_seq_ = 0;
  int threads_ = 0;
  bool finished_ = false;
  std::map<std::int64_t, search::Candidate> asked_;  // by stored seq, until told
  std::map<PointKey, results::PointRecord> known_;   // stored points of the campaign
};

}  // namespace pade::python
