#pragma once
// The search seam: two calls. A strategy is asked for candidates and told their objectives; it
// never sees the evaluator, and the evaluator never knows which strategy runs (after Timeloop's
// search interface). Candidates are points of a discrete space: one level index per dimension.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/schema.hpp"

namespace pade::search {

struct Candidate {
  std::vector<std::size_t> levels;  // one index per dimension
  std::int64_t seq = 0;             // issue order: 0, 1, 2, … (results are stored in this order)
  std::size_t fidelity = 0;  // rung of the fidelity ladder (0 = screening; multi-fidelity only)
};

struct Outcome {
  std::int64_t seq = 0;
  std::optional<std::vector<double>> objectives;  // minimized; nullopt = infeasible
};

/// What a strategy is created with. seed, budget and fidelity_levels are the campaign's; the
/// others are strategy options, each declared (campaign key, range, default, meaning) and read by
/// the strategy that owns it (StrategyInfo::options). The defaults here equal the declared ones.
struct StrategyOptions {
  std::uint64_t seed = 1;
  std::size_t budget = 0;           // maximum candidates (0 = the strategy's natural size)
  std::size_t population = 16;      // nsga2: `population`
  std::size_t fidelity_levels = 1;  // rungs of the fidelity ladder (multi-fidelity strategies)
  std::size_t eta = 3;              // halving: `halving.eta`, keep the top 1/eta per rung
};

class Strategy {
 public:
  virtual ~Strategy() = default;
  /// Up to `n` new candidates. A generation-based strategy returns fewer than n (even none) while
  /// candidates it issued are not yet told; once every issued candidate has been told, an empty
  /// result means the strategy is done. (The runner tells each batch before asking again.)
  virtual std::vector<Candidate> ask(std::size_t n) = 0;
  /// Outcomes of earlier candidates, in any order.
  virtual void tell(std::span<const Outcome> outcomes) = 0;
  /// Total candidates the strategy will issue if it runs to the end (for progress), 0 if unknown.
  [[nodiscard]] virtual std::size_t planned() const = 0;
  /// planned() split by rung of the fidelity ladder (index = Candidate::fidelity), for an ETA
  /// that charges each rung its own measured time per design. One rung unless overridden.
  [[nodiscard]] virtual std::vector<std::size_t> planned_by_rung() const { return {planned()}; }
  /// True when later candidates depend on told outcomes. Such a strategy cannot be split into
  /// independent shards (`pade run --shard`); a non-adaptive one issues the same candidates with
  /// the same seq whatever it is told.
  [[nodiscard]] virtual bool adaptive() const { return false; }
};

/// Number of points of a discrete space, saturating at 2^50 (beyond any budget).
[[nodiscard]] std::size_t space_size(std::span<const std::size_t> sizes);

using StrategyFactory = std::function<std::unique_ptr<Strategy>(std::span<const std::size_t> sizes,
                                                                const StrategyOptions&)>;

/// A campaign key a strategy owns: its declaration (the key exactly as written in the campaign
/// file, range, default, meaning; the campaign schema and the reference gather it from the
/// registry) and how its value goes into StrategyOptions (none: the campaign reads it itself,
/// e.g. `refine_fidelity`, a fidelity name the search layer does not know).
struct StrategyOption {
  core::ParamSpec spec;
  std::function<void(const core::Config&, StrategyOptions&)> read;
};

struct StrategyInfo {
  std::string name;
  std::string doc;
  StrategyFactory factory;
  std::vector<StrategyOption> options;  // the campaign keys only this strategy reads
  std::size_t fidelity_rungs = 1;       // 2: screens at `fidelity`, refines at `refine_fidelity`
};

/// Strategies by name. Built explicitly (no static self-registration, which static libraries
/// silently drop): each strategy's file offers one register_… function, called below. The
/// registry is the only list of strategy names: the campaign schema's choices, the error
/// messages and the reference come from it, in registration order.
class StrategyRegistry {
 public:
  void add(StrategyInfo info);  // replaces an entry of the same name
  /// core::InputError when the name is unknown, listing the names, reported at `origin`.
  [[nodiscard]] std::unique_ptr<Strategy> create(const std::string& name,
                                                 std::span<const std::size_t> sizes,
                                                 const StrategyOptions& options,
                                                 const core::NameOrigin& origin = {}) const;
  [[nodiscard]] std::vector<std::pair<std::string, std::string>> list() const;  // name, doc
  [[nodiscard]] std::vector<std::string> names() const;  // registration order
  [[nodiscard]] bool contains(const std::string& name) const;
  /// core::InputError when unknown, as create().
  [[nodiscard]] const StrategyInfo& get(const std::string& name,
                                        const core::NameOrigin& origin = {}) const;
  [[nodiscard]] const std::vector<StrategyInfo>& entries() const { return entries_; }
  /// Every strategy's options, in registration order, each key once.
  [[nodiscard]] std::vector<StrategyOption> options() const;

 private:
  std::vector<StrategyInfo> entries_;
};

[[nodiscard]] const StrategyRegistry& builtin_strategies();

// One function per strategy file.
void register_grid(StrategyRegistry& r);
void register_random(StrategyRegistry& r);
void register_nsga2(StrategyRegistry& r);
void register_halving(StrategyRegistry& r);

}  // namespace pade::search
