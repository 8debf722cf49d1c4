#include "search/strategy.hpp"

#include <algorithm>

namespace pade::search {

void StrategyRegistry::add(StrategyInfo info) {
  const auto it = std::ranges::find(entries_, info.name, &StrategyInfo::name);
  if (it != entries_.end())
    *it = std::move(info);
  else
    entries_.push_back(std::move(info));
}

const StrategyInfo& StrategyRegistry::get(const std::string& name,
                                          const core::NameOrigin& origin) const {
  const auto it = std::ranges::find(entries_, name, &StrategyInfo::name);
  if (it == entries_.end()) throw core::unknown_name("strategy", name, names(), origin);
  return *it;
}

std::unique_ptr<Strategy> StrategyRegistry::create(const std::string& name,
                                                   std::span<const std::size_t> sizes,
                                                   const StrategyOptions& options,
                                                   const core::NameOrigin& origin) const {
  return get(name, origin).factory(sizes, options);
}

std::vector<StrategyOption> StrategyRegistry::options() const {
  std::vector<StrategyOption> out;
  for (const auto& e : entries_)
    for (const auto& o : e.options)
      if (std::ranges::none_of(out,
                               [&](const StrategyOption& x) { return x.spec.key == o.spec.key; }))
        out.push_back(o);
  return out;
}

std::vector<std::pair<std::string, std::string>> StrategyRegistry::list() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& e : entries_) out.emplace_back(e.name, e.doc);
  return out;
}

std::vector<std::string> StrategyRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& e : entries_) out.push_back(e.name);
  return out;
}

bool StrategyRegistry::contains(const std::string& name) const {
  return std::ranges::find(entries_, name, &StrategyInfo::name) != entries_.end();
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
    StrategyRegistry r;  // registration order = the order names are listed to users
    register_grid(r);
    register_random(r);
    register_nsga2(r);
    register_halving(r);
    return r;
  }();
  return registry;
}

}  // namespace pade::search
