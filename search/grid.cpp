// Exhaustive grid: every combination of levels, in mixed-radix order (last dimension fastest),
// truncated to the budget when one is given.
#include "search/strategy.hpp"

namespace pade::search {

namespace {

class GridStrategy final : public Strategy {
 public:
  GridStrategy(std::span<const std::size_t> sizes, const StrategyOptions& options)
      : sizes_(sizes.begin(), sizes.end()) {
    total_ = 1;
    for (const auto s : sizes_) total_ *= s;
    if (options.budget > 0 && options.budget < total_) total_ = options.budget;
  }

  std::vector<Candidate> ask(std::size_t n) override {
    std::vector<Candidate> out;
    while (out.size() < n && next_ < total_) {
      Candidate c;
      c.seq = static_cast<std::int64_t>(next_);
      c.levels.resize(sizes_.size());
      std::size_t rest = next_;
      for (std::size_t d = sizes_.size(); d-- > 0;) {
        c.levels[d] = rest % sizes_[d];
        rest /= sizes_[d];
      }
      out.push_back(std::move(c));
      ++next_;
    }
    return out;
  }
  void tell(std::span<const Outcome>) override {}  // the grid does not adapt
  [[nodiscard]] std::size_t planned() const override { return total_; }

 private:
  std::vector<std::size_t> sizes_;
  std::size_t total_ = 0;
  std::size_t next_ = 0;
};

}  // namespace

void register_grid(StrategyRegistry& r) {
  r.add(
      {.name = "grid",
       .doc = "every combination of the space's levels (truncated to the evaluation budget)",
       .factory = [](std::span<const std::size_t> sizes,
                     const StrategyOptions& o) { return std::make_unique<GridStrategy>(sizes, o); },
       .options = {}});
}

}  // namespace pade::search
