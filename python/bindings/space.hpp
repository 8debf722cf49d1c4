#pragma once
// pade.Space: a design space (dse::DesignSpace) with the configuration its points start from.
#include "python/bindings/convert.hpp"

namespace pade::python {

class Space {
 public:
  /// From the `space:` and `derived:` maps of a campaign file, as dicts.
  Space(const py::object& dimensions, const py::object& derived, const py::object& base);
  Space(dse::DesignSpace space, core::Config base)
      : space_(std::move(space)), base_(std::move(base)) {}

  [[nodiscard]] py::dict dimensions() const;
  [[nodiscard]] std::vector<std::size_t> sizes() const { return space_.sizes(); }
  [[nodiscard]] double cardinality() const { return space_.cardinality(); }
  /// One level index per dimension for the values in `params` (every swept key, nothing else).
  [[nodiscard]] std::vector<std::size_t> levels_of(const py::dict& params) const;
  /// The swept values at `levels`.
  [[nodiscard]] py::dict values_at(const std::vector<std::size_t>& levels) const;
  /// The full configuration at `levels`: every parameter, with the derived ones applied.
  [[nodiscard]] core::Config config(const std::vector<std::size_t>& levels) const;

 private:
  dse::DesignSpace space_;
  core::Config base_;
};

/// The configuration as a dict of every parameter (dotted keys).
[[nodiscard]] py::dict config_dict(const core::Config& c);

}  // namespace pade::python
