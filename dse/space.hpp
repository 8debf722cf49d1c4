#pragma once
// Design spaces: which hardware/algorithm parameters a campaign sweeps and over which levels.
//   space:
//     qk_pu.lanes_per_row: [8, 16, 32]                 # a list
//     algorithm.alpha: {from: 0.3, to: 0.7, step: 0.1} # a linear range (inclusive)
//     sram.kv_buffer_kib: {from: 64, to: 1024, factor: 2}  # a geometric (log) range
//     algorithm.tile_keys: {from: 32, to: 256, steps: 4, scale: log}  # n points, log-spaced
// Every key must be a hardware-schema parameter and every level must be valid for it: the
// errors name file:line:column like any other schema error.
//
// Derived parameters (the campaign's `derived:` map) are computed from each point instead of
// swept, so coupled knobs stay consistent:
//   derived:
//     softmax.exp_units: "qk_pu.rows"                      # copy another parameter
//     sram.q_buffer_kib: "2 * qk_pu.rows * qk_pu.dims_per_lane / 64"
//     qk_pu.gsat_subgroup: "min(8, qk_pu.dims_per_lane)"
// An expression has numbers, numeric parameter keys, + - * / ( ), unary minus and the functions
// min(a, b, …), max(a, b, …), floor(x), ceil(x), round(x). Parameters read the point's value
// (swept level, earlier derived value, or the base configuration). Derived parameters are applied
// in the order written, after the swept levels; an integer parameter must come out whole (use
// floor/ceil/round), and the value must lie in the parameter's range — otherwise an InputError
// at the expression names the point.
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

/// One step of a compiled derived-parameter expression (postfix order).
struct ExprOp {
  enum class Kind {
    Number,
    Param,
    Negate,
    Add,
    Subtract,
    Multiply,
    Divide,
    Call
  } kind = Kind::Number;
  double number = 0;
  std::string name;  // parameter key or function name
  std::size_t argc = 0;
};

struct DerivedParameter {
  std::string key;
  std::string expression;  // as written
  core::SourceLocation where;
  std::vector<ExprOp> program;
};

class DesignSpace {
 public:
  DesignSpace() = default;
  /// Read the `space:` map against `schema` (the hardware schema).
  static DesignSpace read(const YAML::Node& node, const core::Schema& schema,
                          const std::string& file);
  /// Add the `derived:` map (after read()); keys may not also be swept.
  void read_derived(const YAML::Node& node, const core::Schema& schema, const std::string& file);
  /// Apply the derived parameters at the space's corners (all first levels, all last levels) so
  /// a bad expression is reported before any evaluation.
  void check_derived(const core::Config& base) const;

  [[nodiscard]] const std::vector<Dimension>& dimensions() const { return dims_; }
  [[nodiscard]] const std::vector<DerivedParameter>& derived() const { return derived_; }
  [[nodiscard]] std::vector<std::size_t> sizes() const;
  [[nodiscard]] double cardinality() const;
  /// The base configuration with one level per dimension applied, then the derived parameters.
  [[nodiscard]] core::Config point(const core::Config& base,
                                   const std::vector<std::size_t>& levels) const;

 private:
  std::vector<Dimension> dims_;
  std::vector<DerivedParameter> derived_;
};

}  // namespace pade::dse
