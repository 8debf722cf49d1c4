#include "core/metrics.hpp"

#include <algorithm>
#include <stdexcept>

#include "core/json.hpp"

namespace pade::core {

std::size_t Metrics::index_of(std::string_view name, std::size_t hash) const {
  for (std::size_t i = 0; i < hashes_.size(); ++i)
    if (hashes_[i] == hash && values_[i].first == name) return i;
  return values_.size();
}

void Metrics::set(std::string_view name, double value) {
  const std::size_t hash = std::hash<std::string_view>{}(name);
  if (const std::size_t i = index_of(name, hash); i < values_.size()) {
    values_[i].second = value;
    return;
  }
  if (values_.empty()) {  // a fresh map: room for a model's usual metrics in one allocation
    values_.reserve(64);
    hashes_.reserve(64);
  }
  values_.emplace_back(std::string(name), value);
  hashes_.push_back(hash);
}

double Metrics::get(std::string_view name) const {
  if (const auto v = find(name)) return *v;
  throw std::out_of_range("no metric '" + std::string(name) + "'");
}

std::optional<double> Metrics::find(std::string_view name) const {
  const std::size_t i = index_of(name, std::hash<std::string_view>{}(name));
  if (i == values_.size()) return std::nullopt;
  return values_[i].second;
}

std::vector<Metrics::Entry> Metrics::sorted() const {
  std::vector<Entry> out = values_;
  std::sort(out.begin(), out.end(),
            [](const Entry& a, const Entry& b) { return a.first < b.first; });
  return out;
}

std::string Metrics::to_json() const {
  // Sorted through indices: copying every name to sort the entries cost more than the writing
  // (one JSON object per stored evaluation).
  std::vector<std::size_t> order(values_.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return values_[a].first < values_[b].first; });
  JsonWriter w;
  w.begin_object();
  for (const std::size_t i : order) w.key(values_[i].first).value(values_[i].second);
  w.end_object();
  return w.str();
}

}  // namespace pade::core
