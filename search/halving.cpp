// Multi-fidelity successive halving (Jamieson & Talwalkar, AISTATS 2016; the rung scheme of
// Hyperband, Li et al. 2017) with the model fidelity as the resource.
//
// Rung 0 screens n candidates at fidelity level 0 (the whole grid when the budget covers the
// space, else a Latin hypercube sample of n points). Once every rung-r outcome is told, the
// feasible ones are ordered by non-dominated rank, then crowding distance (larger first), then
// seq, and the best ⌈n_r / η⌉ are issued again at fidelity level r + 1 — new candidates with new
// seq numbers, so each (design, fidelity) pair is one stored point. With a two-level ladder
// (analytical screens, event-driven refines) that is one screening rung and one refining rung.
//
// Budget (evaluations) counts every rung: n is the largest sample with
// n + ⌈n/η⌉ + ⌈n/η²⌉ + … ≤ budget. Deterministic for any batch size: a rung is promoted only when
// complete, from outcomes keyed by seq.
#include <algorithm>
#include <optional>

#include "search/pareto.hpp"
#include "search/strategy.hpp"

namespace pade::search {

namespace {

class HalvingStrategy final : public Strategy {
 public:
  HalvingStrategy(std::span<const std::size_t> sizes, const StrategyOptions& o)
      : rungs_(std::max<std::size_t>(1, o.fidelity_levels)), eta_(std::max<std::size_t>(2, o.eta)) {
    const std::size_t space = space_size(sizes);
    std::size_t n = space;
    if (o.budget > 0) {
      n = std::min(space, o.budget);
      while (n > 1 && cost(n) > o.budget) --n;
    }
    StrategyOptions sample = o;
    sample.budget = n;
    sampler_ = builtin_strategies().create(n >= space ? "grid" : "lhs", sizes, sample);
    planned_ = cost(n);
    sample_size_ = n;
  }

  std::vector<Candidate> ask(std::size_t n) override {
    std::vector<Candidate> out;
    if (rung_ == 0 && !sampled_) {
      for (auto& c : sampler_->ask(n)) {
        c.seq = static_cast<std::int64_t>(entries_.size());
        c.fidelity = 0;
        entries_.push_back(Entry{c.levels, 0, std::nullopt, false});
        current_.push_back(entries_.size() - 1);
        cursor_ = current_.size();
        ++waiting_;
        out.push_back(std::move(c));
      }
      if (!out.empty()) return out;
      sampled_ = true;
      planned_ = cost(current_.size());  // a small space ends the sample early
    }
    if (cursor_ == current_.size() && waiting_ == 0) promote();
    while (out.size() < n && cursor_ < current_.size()) {
      const std::size_t idx = current_[cursor_++];
      out.push_back(
          Candidate{entries_[idx].levels, static_cast<std::int64_t>(idx), entries_[idx].rung});
      ++waiting_;
    }
    return out;
  }

  void tell(std::span<const Outcome> outcomes) override {
    for (const auto& o : outcomes) {
      if (o.seq < 0 || static_cast<std::size_t>(o.seq) >= entries_.size()) continue;
      Entry& e = entries_[static_cast<std::size_t>(o.seq)];
      if (e.told) continue;
      e.told = true;
      e.objectives = o.objectives;
      --waiting_;
    }
  }

  [[nodiscard]] std::size_t planned() const override { return planned_; }
  /// Rung r issues ⌈n_{r-1}/η⌉ designs (fewer when a rung has fewer feasible designs to promote:
  /// the finished rungs report what they issued).
  [[nodiscard]] std::vector<std::size_t> planned_by_rung() const override {
    std::vector<std::size_t> by_rung(rungs_, 0);
    for (const auto& e : entries_) ++by_rung[e.rung];  // rungs up to rung_ are issued whole
    if (!sampled_) by_rung[0] = std::max(by_rung[0], sample_size_);
    for (std::size_t r = rung_ + 1; r < rungs_; ++r)
      by_rung[r] = (by_rung[r - 1] + eta_ - 1) / eta_;
    return by_rung;
  }
  [[nodiscard]] bool adaptive() const override { return rungs_ > 1; }

 private:
  struct Entry {
    std::vector<std::size_t> levels;
    std::size_t rung = 0;
    std::optional<std::vector<double>> objectives;
    bool told = false;
  };

  [[nodiscard]] std::size_t cost(std::size_t n) const {
    std::size_t total = 0;
    for (std::size_t r = 0; r < rungs_ && n > 0; ++r) {
      total += n;
      n = (n + eta_ - 1) / eta_;
    }
    return total;
  }

  // The best ⌈n_r/η⌉ feasible designs of the finished rung go to the next fidelity.
  void promote() {
    if (rung_ + 1 >= rungs_ || current_.empty()) {
      current_.clear();
      cursor_ = 0;
      return;
    }
    std::vector<std::size_t> feasible;
    std::vector<Objectives> objs;
    for (const auto i : current_)
      if (entries_[i].objectives) {
        feasible.push_back(i);
        objs.push_back(*entries_[i].objectives);
      }
    const auto ranks = nondominated_ranks(objs);
    std::vector<double> crowd(objs.size(), 0.0);
    const int max_rank = ranks.empty() ? -1 : *std::max_element(ranks.begin(), ranks.end());
    for (int r = 0; r <= max_rank; ++r) {
      std::vector<std::size_t> front;
      for (std::size_t k = 0; k < ranks.size(); ++k)
        if (ranks[k] == r) front.push_back(k);
      const auto c = crowding_distance(objs, front);
      for (std::size_t k = 0; k < front.size(); ++k) crowd[front[k]] = c[k];
    }
    std::vector<std::size_t> order(feasible.size());
    for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      if (ranks[a] != ranks[b]) return ranks[a] < ranks[b];
      if (crowd[a] != crowd[b]) return crowd[a] > crowd[b];
      return feasible[a] < feasible[b];
    });
    const std::size_t keep = std::min(feasible.size(), (current_.size() + eta_ - 1) / eta_);
    ++rung_;
    std::vector<std::size_t> next;
    for (std::size_t k = 0; k < keep; ++k) {
      entries_.push_back(Entry{entries_[feasible[order[k]]].levels, rung_, std::nullopt, false});
      next.push_back(entries_.size() - 1);
    }
    current_ = std::move(next);
    cursor_ = 0;
  }

  std::size_t rungs_;
  std::size_t eta_;
  std::unique_ptr<Strategy> sampler_;  // rung 0: grid or LHS
  bool sampled_ = false;
  std::size_t planned_ = 0;
  std::size_t sample_size_ = 0;  // designs rung 0 will sample (before the sampler ends early)
  std::size_t rung_ = 0;
  std::vector<Entry> entries_;        // index = seq
  std::vector<std::size_t> current_;  // the rung being issued
  std::size_t cursor_ = 0;
  std::size_t waiting_ = 0;
};

}  // namespace

void register_halving(StrategyRegistry& r) {
  r.add({.name = "halving",
         .doc = "multi-fidelity successive halving: screen a grid/LHS sample at `fidelity`, refine "
                "the best 1/eta (Pareto rank, then crowding) at `refine_fidelity`; budget counts "
                "every rung",
         .factory =
             [](std::span<const std::size_t> sizes, const StrategyOptions& o) {
               return std::make_unique<HalvingStrategy>(sizes, o);
             },
         .options = {{core::ParamSpec::string("refine_fidelity")
                          .defaults(std::string())
                          .describe("strategy halving: fidelity of the refining rung (empty = "
                                    "the screening `fidelity`)"),
                      nullptr},
                     {core::ParamSpec::integer("halving.eta")
                          .range(2, 100)
                          .defaults(std::int64_t{3})
                          .describe("strategy halving: the best 1/eta of the screened designs "
                                    "are refined"),
                      [](const core::Config& c, StrategyOptions& o) {
                        o.eta = static_cast<std::size_t>(c.integer("halving.eta"));
                      }}},
         .fidelity_rungs = 2});
}

}  // namespace pade::search
