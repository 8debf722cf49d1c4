#include "python/bindings/convert.hpp"

#include <filesystem>

#include "dse/cli/cli.hpp"
#include "models/hardware.hpp"

namespace pade::python {

namespace {

/// Python's repr of a float round-trips exactly; yaml-cpp would print fewer digits.
std::string scalar_text(const py::handle& v) {
  if (py::isinstance<py::bool_>(v)) return v.cast<bool>() ? "true" : "false";
  if (py::isinstance<py::float_>(v) || py::isinstance<py::int_>(v))
    return py::repr(v).cast<std::string>();
  return py::str(v).cast<std::string>();
}

void put_key(YAML::Node& map, const std::string& key, const YAML::Node& value, bool nest_dots) {
  const auto dot = key.find('.');
  if (!nest_dots || dot == std::string::npos) {
    map[key] = value;
    return;
  }
  YAML::Node section = map[key.substr(0, dot)];
  if (!section.IsDefined() || section.IsNull()) section = YAML::Node(YAML::NodeType::Map);
  put_key(section, key.substr(dot + 1), value, nest_dots);
  map[key.substr(0, dot)] = section;
}

bool is_path(const py::handle& v) {
  return py::isinstance<py::str>(v) ||
         py::isinstance(v, py::module_::import("os").attr("PathLike"));
}

std::string path_text(const py::handle& v) {
  return py::str(py::module_::import("os").attr("fspath")(v)).cast<std::string>();
}

}  // namespace

YAML::Node to_yaml(const py::handle& value, bool nest_dots) {
  if (value.is_none()) return YAML::Node(YAML::NodeType::Null);
  if (py::isinstance<py::dict>(value)) {
    YAML::Node map(YAML::NodeType::Map);
    for (const auto& [k, v] : value.cast<py::dict>())
      put_key(map, py::str(k).cast<std::string>(), to_yaml(v, nest_dots), nest_dots);
    return map;
  }
  if (py::isinstance<py::list>(value) || py::isinstance<py::tuple>(value)) {
    YAML::Node seq(YAML::NodeType::Sequence);
    for (const auto& item : value) seq.push_back(to_yaml(item, nest_dots));
    return seq;
  }
  return YAML::Node(scalar_text(value));
}

core::Config hardware_from(const py::object& hw) {
  if (is_path(hw)) return models::read_hardware(path_text(hw));
  if (!py::isinstance<py::dict>(hw))
    throw core::InputError("hw: found a " +
                           py::str(py::type::of(hw).attr("__name__")).cast<std::string>() +
                           ", expected a dict of parameters or the path of a hardware YAML file");
  YAML::Node node = to_yaml(hw, true);
  if (!node["kind"]) node["kind"] = "hardware";
  return core::read_config(node, models::hardware_schema(), "<hardware dict>");
}

dse::Campaign campaign_from(const py::object& campaign) {
  if (campaign.is_none())
    return dse::read_campaign_text(dse::cli::embedded_default_campaign(),
                                   "<embedded default campaign>", std::filesystem::current_path());
  if (is_path(campaign)) return dse::read_campaign(path_text(campaign));
  if (!py::isinstance<py::dict>(campaign))
    throw core::InputError(
        "campaign: expected a dict with the keys of a campaign file or its path");
  // Section keys keep their dots: `space:` and `derived:` are keyed by dotted parameter names.
  YAML::Node node = to_yaml(campaign, false);
  const py::dict dict = campaign.cast<py::dict>();
  if (dict.contains("hardware") && py::isinstance<py::dict>(dict["hardware"]))
    node["hardware"] = to_yaml(dict["hardware"], true);  // dotted keys allowed, as in `hw`
  if (!node["kind"]) node["kind"] = "campaign";
  YAML::Emitter out;
  out << node;
  // Through text, so the campaign's spec (stored for resume checks) is the document itself.
  return dse::read_campaign_text(out.c_str(), "<campaign dict>", std::filesystem::current_path());
}

std::vector<std::string> names_from(const py::object& names) {
  if (is_path(names)) return {path_text(names)};
  std::vector<std::string> out;
  for (const auto& n : names)
    out.push_back(is_path(n) ? path_text(n) : py::str(n).cast<std::string>());
  return out;
}

py::object value_to_python(const core::Value& v) {
  return std::visit([](const auto& x) -> py::object { return py::cast(x); }, v);
}

void put_metrics(py::dict& out, const core::Metrics& m) {
  for (const auto& [k, v] : m.sorted()) out[py::str(k)] = v;
}

}  // namespace pade::python
