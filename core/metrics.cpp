#include "core/metrics.hpp"

#include <stdexcept>

#include "core/json.hpp"

namespace pade::core {

double Metrics::get(std::string_view name) const {
  const auto it = values_.find(name);
  if (it == values_.end()) throw std::out_of_range("no metric '" + std::string(name) + "'");
  return it->second;
}

std::optional<double> Metrics::find(std::string_view name) const {
  const auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::string Metrics::to_json() const {
  JsonWriter w;
  w.begin_object();
  for (const auto& [k, v] : values_) w.key(k).value(v);
  w.end_object();
  return w.str();
}

}  // namespace pade::core
