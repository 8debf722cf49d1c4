#pragma once
// Design spaces: which hardware/algorithm parameters a campaign sweeps and over which levels.
//   space:
//     qk_pu.lanes_per_row: [8, 16, 32]                 # a list
//     algorithm.alpha: {from: 0.3, to: 0.7, step: 0.1} # a linear range (inclusive)
//     sram.kv_buffer_kib: {from: 64, to: 1024, factor: 2}  # a geometric (log) range
//     algorithm.tile_keys: {from: 32, to: 256, steps: 4, scale: log}  # n points, log-spaced
// Every key must be a hardware-schema parameter and every level must be valid for it: the
// errors name file:line:column like any other schema error.
#include <string>
#include <vector>

#include "core/schema.hpp"

namespace YAML {
class Node;
}

namespace pade::dse {

struct Dimension {
  std::string key;
  std::vector<core::Value> levels;
  core::SourceLocation where;
};

class DesignSpace {
 public:
  DesignSpace() = default;
  /// Read the `space:` map against `schema` (the hardware schema).
  static DesignSpace read(const YAML::Node& node, const core::Schema& schema, const std::string& file);

  [[nodiscard]] const std::vector<Dimension>& dimensions() const { return dims_; }
  [[nodiscard]] std::vector<std::size_t> sizes() const;
  [[nodiscard]] double cardinality() const;
  /// The base configuration with one level per dimension applied.
  [[nodiscard]] core::Config point(const core::Config& base, const std::vector<std::size_t>& levels) const;

 private:
  std::vector<Dimension> dims_;
};

}  // namespace pade::dse
