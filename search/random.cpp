// Random sampling and Latin hypercube sampling over the discrete space, seeded and deterministic.
// Duplicated points are skipped (a design is evaluated once), so a small space ends early.
#include <algorithm>
#include <set>

#include "core/rng.hpp"
#include "search/strategy.hpp"

namespace pade::search {

namespace {

class RandomStrategy final : public Strategy {
 public:
  RandomStrategy(std::span<const std::size_t> sizes, const StrategyOptions& o, bool latin)
      : sizes_(sizes.begin(), sizes.end()), rng_(o.seed, latin ? "lhs" : "random"), latin_(latin) {
    total_ = std::min(o.budget > 0 ? o.budget : std::size_t{64}, space_size(sizes));
  }

  std::vector<Candidate> ask(std::size_t n) override {
    std::vector<Candidate> out;
    std::size_t attempts = 0;
    while (out.size() < n && issued_ < total_ && attempts < 1000 * (n + 1)) {
      ++attempts;
      std::vector<std::size_t> levels = latin_ ? next_latin() : next_random();
      if (!seen_.insert(levels).second) continue;
      out.push_back(Candidate{std::move(levels), static_cast<std::int64_t>(issued_++)});
    }
    if (out.empty()) total_ = issued_;  // space exhausted
    return out;
  }
  void tell(std::span<const Outcome>) override {}
  [[nodiscard]] std::size_t planned() const override { return total_; }

 private:
  std::vector<std::size_t> next_random() {
    std::vector<std::size_t> levels(sizes_.size());
    for (std::size_t d = 0; d < sizes_.size(); ++d) levels[d] = rng_.below(sizes_[d]);
    return levels;
  }
  // Latin hypercube: per dimension a shuffled stratification of [0, total) mapped to levels, so
  // each dimension's levels are covered evenly across the sample.
  std::vector<std::size_t> next_latin() {
    if (strata_.empty() || cursor_ >= total_) {
      strata_.assign(sizes_.size(), {});
      for (std::size_t d = 0; d < sizes_.size(); ++d) {
        auto& perm = strata_[d];
        perm.resize(total_);
        for (std::size_t i = 0; i < total_; ++i) perm[i] = i;
        for (std::size_t i = total_; i > 1; --i) std::swap(perm[i - 1], perm[rng_.below(i)]);
      }
      cursor_ = 0;
    }
    std::vector<std::size_t> levels(sizes_.size());
    for (std::size_t d = 0; d < sizes_.size(); ++d)
      levels[d] = std::min(sizes_[d] - 1, strata_[d][cursor_] * sizes_[d] / total_);
    ++cursor_;
    return levels;
  }

  std::vector<std::size_t> sizes_;
  core::Rng rng_;
  bool latin_;
  std::size_t total_ = 0;
  std::size_t issued_ = 0;
  std::set<std::vector<std::size_t>> seen_;
  std::vector<std::vector<std::size_t>> strata_;
  std::size_t cursor_ = 0;
};

}  // namespace

void register_random(StrategyRegistry& r) {
  r.add({.name = "random",
         .doc = "uniform random sample of the space (seeded; budget = sample size, default 64)",
         .factory =
             [](std::span<const std::size_t> sizes, const StrategyOptions& o) {
               return std::make_unique<RandomStrategy>(sizes, o, false);
             },
         .options = {}});
  r.add({.name = "lhs",
         .doc = "Latin hypercube sample (seeded; budget = sample size, default 64)",
         .factory =
             [](std::span<const std::size_t> sizes, const StrategyOptions& o) {
               return std::make_unique<RandomStrategy>(sizes, o, true);
             },
         .options = {}});
}

}  // namespace pade::search
