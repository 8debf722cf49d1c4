// NSGA-II (Deb, Pratap, Agarwal, Meyarivan, IEEE TEC 2002) over the discrete design space.
//
// Generation-based: a generation of `population` candidates is issued (in as many ask() calls as
// the caller likes) and bred only once every one of them has been told, so the candidates — and
// their seq numbers — depend on the seed and the outcomes only, never on the batch size, the
// thread count or the order of tell(). That is what makes a campaign reproducible and resumable:
// replaying stored outcomes regenerates the same sequence.
//
// Operators for level indices (not reals): binary tournament on (feasible, rank, crowding);
// uniform crossover; per-dimension mutation with probability 1/D that moves one level up or down
// (half the time) or jumps to a uniformly drawn other level. Survivors: parents ∪ offspring sorted
// by feasibility, non-dominated rank, crowding distance (larger first), then seq. Infeasible
// outcomes rank after every feasible one (the seam does not carry the size of a violation).
// A design is evaluated once: children equal to an earlier candidate are mutated again, and when
// the space runs dry the generation is topped up with unseen points.
#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <set>

#include "core/rng.hpp"
#include "search/pareto.hpp"
#include "search/strategy.hpp"

namespace pade::search {

namespace {

constexpr double kCrossoverProbability = 0.9;    // Deb et al.'s usual setting
constexpr std::size_t kDefaultGenerations = 10;  // natural size = population × this
constexpr std::size_t kRetries = 32;             // re-mutations of a duplicate child

class Nsga2Strategy final : public Strategy {
 public:
  Nsga2Strategy(std::span<const std::size_t> sizes, const StrategyOptions& o)
      : sizes_(sizes.begin(), sizes.end()),
        rng_(o.seed, "nsga2"),
        population_size_(std::max<std::size_t>(2, o.population)) {
    space_ = space_size(sizes);
    total_ = std::min(o.budget > 0 ? o.budget : population_size_ * kDefaultGenerations, space_);
    for (const auto s : sizes_) mutable_dims_ += s > 1 ? 1 : 0;
  }

  std::vector<Candidate> ask(std::size_t n) override {
    if (cursor_ == generation_.size() && waiting_ == 0) breed();
    std::vector<Candidate> out;
    while (out.size() < n && cursor_ < generation_.size()) {
      const std::size_t idx = generation_[cursor_++];
      out.push_back(Candidate{archive_[idx].levels, static_cast<std::int64_t>(idx), 0});
      ++waiting_;
    }
    return out;
  }

  void tell(std::span<const Outcome> outcomes) override {
    for (const auto& o : outcomes) {
      if (o.seq < 0 || static_cast<std::size_t>(o.seq) >= archive_.size()) continue;
      auto& ind = archive_[static_cast<std::size_t>(o.seq)];
      if (ind.told) continue;
      ind.told = true;
      ind.objectives = o.objectives;
      --waiting_;
    }
  }

  [[nodiscard]] std::size_t planned() const override { return total_; }
  [[nodiscard]] bool adaptive() const override { return true; }

 private:
  struct Individual {
    std::vector<std::size_t> levels;
    std::optional<std::vector<double>> objectives;
    bool told = false;
  };
  struct Fitness {  // for tournaments and survival; smaller key is better
    bool feasible = false;
    int rank = 0;
    double crowding = 0;
  };

  // Next generation: the first is random, later ones are bred from the survivors.
  void breed() {
    generation_.clear();
    cursor_ = 0;
    const std::size_t want = std::min(population_size_, total_ - archive_.size());
    if (want == 0) return;
    if (!parents_.empty() || !offspring_.empty()) select_survivors();
    std::vector<std::size_t> fresh;
    if (parents_.empty()) {
      while (fresh.size() < want) {
        auto levels = random_unseen();
        if (!levels) break;
        fresh.push_back(add(std::move(*levels)));
      }
    } else {
      std::size_t attempts = 0;
      while (fresh.size() < want && attempts++ < 4 * want + 16) {
        const std::size_t a = tournament(), b = tournament();
        auto [c1, c2] = crossover(archive_[a].levels, archive_[b].levels);
        for (auto* child : {&c1, &c2}) {
          if (fresh.size() >= want) break;
          mutate(*child);
          for (std::size_t r = 0; r < kRetries && seen_.count(*child) > 0; ++r)
            mutate(*child, true);
          if (seen_.count(*child) == 0) fresh.push_back(add(std::move(*child)));
        }
      }
      while (fresh.size() < want) {  // a crowded neighbourhood: top up with unseen points
        auto levels = random_unseen();
        if (!levels) break;
        fresh.push_back(add(std::move(*levels)));
      }
    }
    if (fresh.empty()) total_ = archive_.size();  // the space is exhausted
    offspring_ = fresh;
    generation_ = std::move(fresh);
  }

  std::size_t add(std::vector<std::size_t> levels) {
    seen_.insert(levels);
    archive_.push_back(Individual{std::move(levels), std::nullopt, false});
    return archive_.size() - 1;
  }

  // Environmental selection over parents ∪ offspring; also records each survivor's fitness.
  void select_survivors() {
    std::vector<std::size_t> pool = parents_;
    pool.insert(pool.end(), offspring_.begin(), offspring_.end());
    fitness_.clear();
    std::vector<std::size_t> feasible;
    for (const auto i : pool) {
      if (archive_[i].objectives)
        feasible.push_back(i);
      else
        fitness_[i] = Fitness{false, std::numeric_limits<int>::max(), 0.0};
    }
    std::vector<Objectives> objs;
    for (const auto i : feasible) objs.push_back(*archive_[i].objectives);
    const auto ranks = nondominated_ranks(objs);
    const int max_rank = ranks.empty() ? -1 : *std::max_element(ranks.begin(), ranks.end());
    for (int r = 0; r <= max_rank; ++r) {
      std::vector<std::size_t> front;
      for (std::size_t k = 0; k < feasible.size(); ++k)
        if (ranks[k] == r) front.push_back(k);
      const auto crowd = crowding_distance(objs, front);
      for (std::size_t k = 0; k < front.size(); ++k)
        fitness_[feasible[front[k]]] = Fitness{true, r, crowd[k]};
    }
    std::sort(pool.begin(), pool.end(), [&](std::size_t a, std::size_t b) { return better(a, b); });
    pool.resize(std::min(pool.size(), population_size_));
    parents_ = std::move(pool);
  }

  [[nodiscard]] bool better(std::size_t a, std::size_t b) const {
    const Fitness& fa = fitness_.at(a);
    const Fitness& fb = fitness_.at(b);
    if (fa.feasible != fb.feasible) return fa.feasible;
    if (fa.rank != fb.rank) return fa.rank < fb.rank;
    if (fa.crowding != fb.crowding) return fa.crowding > fb.crowding;
    return a < b;  // seq: a total order, so the sort is deterministic
  }

  std::size_t tournament() {
    const std::size_t a = parents_[rng_.below(parents_.size())];
    const std::size_t b = parents_[rng_.below(parents_.size())];
    return better(a, b) ? a : b;
  }

  std::pair<std::vector<std::size_t>, std::vector<std::size_t>> crossover(
      const std::vector<std::size_t>& a, const std::vector<std::size_t>& b) {
    std::vector<std::size_t> c1 = a, c2 = b;
    if (rng_.uniform() < kCrossoverProbability)
      for (std::size_t d = 0; d < sizes_.size(); ++d)
        if (rng_.uniform() < 0.5) std::swap(c1[d], c2[d]);
    return {std::move(c1), std::move(c2)};
  }

  // Per-dimension mutation with probability 1/D; `force` mutates at least one dimension (used to
  // move a duplicate child off an evaluated point).
  void mutate(std::vector<std::size_t>& levels, bool force = false) {
    if (mutable_dims_ == 0) return;
    const double p = 1.0 / static_cast<double>(mutable_dims_);
    bool changed = false;
    for (std::size_t d = 0; d < sizes_.size(); ++d)
      if (sizes_[d] > 1 && rng_.uniform() < p) changed = mutate_dim(levels, d) || changed;
    if (force && !changed) {
      std::size_t pick = rng_.below(mutable_dims_);
      for (std::size_t d = 0; d < sizes_.size(); ++d)
        if (sizes_[d] > 1 && pick-- == 0) mutate_dim(levels, d);
    }
  }

  bool mutate_dim(std::vector<std::size_t>& levels, std::size_t d) {
    const std::size_t n = sizes_[d];
    if (rng_.uniform() < 0.5) {  // a neighbouring level: ordered parameters move locally
      const bool up = levels[d] == 0 || (levels[d] + 1 < n && rng_.uniform() < 0.5);
      levels[d] = up ? levels[d] + 1 : levels[d] - 1;
    } else {  // any other level
      const std::size_t other = rng_.below(n - 1);
      levels[d] = other >= levels[d] ? other + 1 : other;
    }
    return true;
  }

  // A point not issued before: random draws first, then (small, nearly exhausted spaces) the first
  // unseen point in mixed-radix order. nullopt when every point has been issued.
  std::optional<std::vector<std::size_t>> random_unseen() {
    if (archive_.size() >= space_) return std::nullopt;
    for (int attempt = 0; attempt < 256; ++attempt) {
      std::vector<std::size_t> levels(sizes_.size());
      for (std::size_t d = 0; d < sizes_.size(); ++d) levels[d] = rng_.below(sizes_[d]);
      if (seen_.count(levels) == 0) return levels;
    }
    std::vector<std::size_t> levels(sizes_.size(), 0);
    for (std::size_t k = 0; k < space_; ++k) {
      if (seen_.count(levels) == 0) return levels;
      for (std::size_t d = sizes_.size(); d-- > 0;) {  // increment, last dimension fastest
        if (++levels[d] < sizes_[d]) break;
        levels[d] = 0;
      }
    }
    return std::nullopt;
  }

  std::vector<std::size_t> sizes_;
  core::Rng rng_;
  std::size_t population_size_;
  std::size_t space_ = 0;
  std::size_t total_ = 0;
  std::size_t mutable_dims_ = 0;
  std::vector<Individual> archive_;  // every candidate issued; index = seq
  std::set<std::vector<std::size_t>> seen_;
  std::vector<std::size_t> parents_;     // survivors of the last selection
  std::vector<std::size_t> offspring_;   // the generation being evaluated
  std::vector<std::size_t> generation_;  // issue queue of the current generation
  std::size_t cursor_ = 0;
  std::size_t waiting_ = 0;  // issued but not yet told
  std::map<std::size_t, Fitness> fitness_;
};

}  // namespace

void register_nsga2(StrategyRegistry& r) {
  r.add({.name = "nsga2",
         .doc = "NSGA-II genetic search (seeded; generations of `population`; budget = "
                "evaluations, default 10 generations)",
         .factory =
             [](std::span<const std::size_t> sizes, const StrategyOptions& o) {
               return std::make_unique<Nsga2Strategy>(sizes, o);
             },
         .options = {{core::ParamSpec::integer("population")
                          .range(2, 100000)
                          .defaults(std::int64_t{16})
                          .describe("population size of population-based strategies"),
                      [](const core::Config& c, StrategyOptions& o) {
                        o.population = static_cast<std::size_t>(c.integer("population"));
                      }}}});
}

}  // namespace pade::search
