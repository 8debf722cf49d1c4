#pragma once
// The one table of model coefficients: every energy, area and technology number a model uses,
// with its unit, default and named source. Models look coefficients up by name; a configuration
// may override them (`coefficients:` in a hardware file), and `pade validate --explain` prints the
// table, so no number hides in code.
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pade::core {

struct Coefficient {
  std::string name;    // e.g. "energy.add8_pj_45nm"
  double value = 0.0;  // the default
  std::string unit;    // e.g. "pJ/op"
  std::string source;  // where the number comes from, or how it was calibrated
  // Set for a coefficient added after configurations were first hashed: at this value it is left
  // out of a configuration's identity (core::Field::identity_unless), so stored campaigns keep
  // their hashes. Usually the value models behaved as if they had before it existed.
  std::optional<double> identity_implied{};
  /// How far the value may plausibly lie from the default, and on what basis (a published spread,
  /// or "engineering judgement ±x %" named as such): the box `pade compare --sensitivity` samples.
  /// low == high marks a figure taken as exact (a datasheet value). Every entry has one (a test
  /// requires it).
  struct Range {
    double low = 0;
    double high = 0;
    std::string source;
  };
  std::optional<Range> range{};
};

class CoefficientTable {
 public:
  /// The built-in table (see coefficients.cpp for every entry and its source).
  static CoefficientTable defaults();

  [[nodiscard]] double get(std::string_view name) const;  // throws std::logic_error when unknown
  [[nodiscard]] const Coefficient* find(std::string_view name) const;
  /// Override a value (InputError-free: callers validate names against find() first).
  void set(std::string_view name, double value);
  [[nodiscard]] std::span<const Coefficient> entries() const { return entries_; }
  /// Sorted "name=value" lines (part of a configuration's identity when overridden).
  [[nodiscard]] std::string canonical() const;
  [[nodiscard]] std::string reference_markdown() const;

 private:
  std::vector<Coefficient> entries_;
};

}  // namespace pade::core
