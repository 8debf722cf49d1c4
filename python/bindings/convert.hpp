#pragma once
// Python values in and out of the libraries' types: a dict becomes the YAML node the schema layer
// reads (so a dict is checked exactly like a file, with the same messages), metrics and
// parameters become plain dicts.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "core/metrics.hpp"
#include "core/schema.hpp"
#include "dse/campaign.hpp"

namespace pade::python {

namespace py = pybind11;

/// A dict/list/scalar as a YAML node. Dotted keys ("qk_pu.lanes_per_row") nest when `nest_dots`.
[[nodiscard]] YAML::Node to_yaml(const py::handle& value, bool nest_dots);

/// A hardware configuration from a YAML file path (str or os.PathLike) or a dict (nested sections
/// or dotted keys; `kind: hardware` implied).
[[nodiscard]] core::Config hardware_from(const py::object& hw);

/// A campaign from a YAML file path or a dict with the keys of a campaign file (`kind: campaign`
/// implied); None: the embedded default campaign.
[[nodiscard]] dse::Campaign campaign_from(const py::object& campaign);

/// One name or a list of names.
[[nodiscard]] std::vector<std::string> names_from(const py::object& names);

[[nodiscard]] py::object value_to_python(const core::Value& v);
/// Every metric into `out` (sorted by name).
void put_metrics(py::dict& out, const core::Metrics& m);

}  // namespace pade::python
