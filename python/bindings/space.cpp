#include "python/bindings/space.hpp"

#include <cmath>

#include "models/hardware.hpp"
#include "python/bindings/bindings.hpp"

namespace pade::python {

namespace {

/// Whether a Python value names a level: numbers compare as numbers (16 == 16.0), the rest as
/// text.
bool same_value(const core::Value& level, const py::handle& v) {
  const bool number = !py::isinstance<py::bool_>(v) &&
                      (py::isinstance<py::int_>(v) || py::isinstance<py::float_>(v));
  if (number &&
      (std::holds_alternative<std::int64_t>(level) || std::holds_alternative<double>(level))) {
    const double a = std::holds_alternative<double>(level)
                         ? std::get<double>(level)
                         : static_cast<double>(std::get<std::int64_t>(level));
    const double b = v.cast<double>();
    return std::abs(a - b) <= 1e-12 * std::max(1.0, std::abs(a));
  }
  if (py::isinstance<py::bool_>(v) && std::holds_alternative<bool>(level))
    return std::get<bool>(level) == v.cast<bool>();
  return core::value_text(level) == py::str(v).cast<std::string>();
}

std::string levels_text(const dse::Dimension& d) {
  std::string out;
  for (const auto& l : d.levels) out += (out.empty() ? "" : ", ") + core::value_text(l);
  return out;
}

}  // namespace

Space::Space(const py::object& dimensions, const py::object& derived, const py::object& base)
    : space_(dse::DesignSpace::read(to_yaml(dimensions, false), models::hardware_schema(),
                                    "<space dict>")),
      base_(base.is_none() ? core::default_config(models::hardware_schema())
                           : hardware_from(base)) {
  if (!derived.is_none())
    space_.read_derived(to_yaml(derived, false), models::hardware_schema(), "<derived dict>");
  space_.check_derived(base_);
}

py::dict Space::dimensions() const {
  py::dict out;
  for (const auto& d : space_.dimensions()) {
    py::list levels;
    for (const auto& l : d.levels) levels.append(value_to_python(l));
    out[py::str(d.key)] = levels;
  }
  return out;
}

std::vector<std::size_t> Space::levels_of(const py::dict& params) const {
  std::vector<std::string> keys;
  for (const auto& d : space_.dimensions()) keys.push_back(d.key);
  for (const auto& [k, v] : params) {
    const auto key = py::str(k).cast<std::string>();
    if (std::find(keys.begin(), keys.end(), key) == keys.end())
      throw core::InputError(
          {"<params>", 0, 0}, key,
          "not a dimension of the space" + core::did_you_mean(key, keys) +
              ", expected one of: " + [&] {
                std::string s;
                for (const auto& n : keys) s += (s.empty() ? "" : ", ") + n;
                return s;
              }());
  }
  std::vector<std::size_t> levels;
  for (const auto& d : space_.dimensions()) {
    if (!params.contains(d.key))
      throw core::InputError({"<params>", 0, 0}, d.key,
                             "missing, expected one of its levels: " + levels_text(d));
    const py::object v = params[py::str(d.key)];
    const auto it = std::find_if(d.levels.begin(), d.levels.end(),
                                 [&](const core::Value& l) { return same_value(l, v); });
    if (it == d.levels.end())
      throw core::InputError({"<params>", 0, 0}, d.key,
                             "found " + py::repr(v).cast<std::string>() +
                                 ", expected one of its levels: " + levels_text(d));
    levels.push_back(static_cast<std::size_t>(it - d.levels.begin()));
  }
  return levels;
}

py::dict Space::values_at(const std::vector<std::size_t>& levels) const {
  py::dict out;
  const auto& dims = space_.dimensions();
  for (std::size_t i = 0; i < dims.size(); ++i)
    out[py::str(dims[i].key)] = value_to_python(dims[i].levels.at(levels.at(i)));
  return out;
}

core::Config Space::config(const std::vector<std::size_t>& levels) const {
  if (levels.size() != space_.dimensions().size())
    throw core::InputError("levels: found " + std::to_string(levels.size()) +
                           " indices, expected one per dimension (" +
                           std::to_string(space_.dimensions().size()) + ")");
  const auto sizes = space_.sizes();
  for (std::size_t i = 0; i < levels.size(); ++i)
    if (levels[i] >= sizes[i])
      throw core::InputError({"<levels>", 0, 0}, space_.dimensions()[i].key,
                             "found level " + std::to_string(levels[i]) + ", expected 0 to " +
                                 std::to_string(sizes[i] - 1));
  return space_.point(base_, levels);
}

py::dict config_dict(const core::Config& c) {
  py::dict out;
  for (const auto& [k, v] : c.values()) out[py::str(k)] = value_to_python(v);
  return out;
}

void bind_space(py::module_& m) {
  py::class_<Space>(m, "_Space")
      .def(py::init<const py::object&, const py::object&, const py::object&>(),
           py::arg("dimensions"), py::arg("derived") = py::none(), py::arg("base") = py::none())
      .def_property_readonly("dimensions", &Space::dimensions)
      .def_property_readonly("sizes", &Space::sizes)
      .def_property_readonly("cardinality", &Space::cardinality)
      .def("levels_of", &Space::levels_of, py::arg("params"))
      .def("values_at", &Space::values_at, py::arg("levels"))
      .def(
          "config",
          [](const Space& s, const std::vector<std::size_t>& levels) {
            const core::Config c = s.config(levels);
            py::dict d = config_dict(c);
            d["config_hash"] = c.hash();
            return d;
          },
          py::arg("levels"));
}

}  // namespace pade::python
