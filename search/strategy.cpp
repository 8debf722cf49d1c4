#include "search/strategy.hpp"

#include <stdexcept>

namespace pade::search {

void StrategyRegistry::add(std::string name, std::string doc, StrategyFactory factory) {
  entries_[std::move(name)] = Entry{std::move(doc), std::move(factory)};
}

std::unique_ptr<Strategy> StrategyRegistry::create(const std::string& name,
                                                   std::span<const std::size_t> sizes,
                                                   const StrategyOptions& options) const {
  const auto it = entries_.find(name);
  if (it == entries_.end()) throw std::invalid_argument("unknown strategy '" + name + "'");
  return it->second.factory(sizes, options);
}

std::vector<std::pair<std::string, std::string>> StrategyRegistry::list() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [name, e] : entries_) out.emplace_back(name, e.doc);
  return out;
}

std::size_t space_size(std::span<const std::size_t> sizes) {
  constexpr std::size_t kCap = std::size_t{1} << 50;
  std::size_t total = 1;
  for (const auto s : sizes) {
    if (s == 0) return 0;
    if (total > kCap / s) return kCap;
    total *= s;
  }
  return total;
}

const StrategyRegistry& builtin_strategies() {
  static const StrategyRegistry registry = [] {
    StrategyRegistry r;
    register_grid(r);
    register_random(r);
    register_nsga2(r);
    register_halving(r);
    return r;
  }();
  return registry;
}

}  // namespace pade::search
