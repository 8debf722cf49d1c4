#include "dse/space.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>

namespace pade::dse {

namespace {

using core::InputError;
using core::location_of;

double scalar_number(const YAML::Node& n, const std::string& file, const std::string& path) {
  if (n.IsScalar()) {
    try {
      std::size_t used = 0;
      const double v = std::stod(n.Scalar(), &used);
      if (used == n.Scalar().size() && std::isfinite(v)) return v;
    } catch (const std::exception&) {
    }
  }
  throw InputError(location_of(n, file), path,
                   "found " + (n.IsScalar() ? "'" + n.Scalar() + "'" : std::string("a non-scalar")) +
                       ", expected a number");
}

// A YAML scalar as a Value of the spec's kind (numbers stay numbers so coerce can range-check).
core::Value level_value(const YAML::Node& n, const core::ParamSpec& spec, const std::string& file,
                        const std::string& path) {
  if (!n.IsScalar())
    throw InputError(location_of(n, file), path, "found a non-scalar level, expected " + spec.allowed());
  const std::string& s = n.Scalar();
  switch (spec.kind) {
    case core::ParamKind::Integer:
    case core::ParamKind::Real:
      return scalar_number(n, file, path);
    case core::ParamKind::Boolean:
      if (s == "true") return true;
      if (s == "false") return false;
      throw InputError(location_of(n, file), path, "found '" + s + "', expected true or false");
    default:
      return s;
  }
}

}  // namespace

DesignSpace DesignSpace::read(const YAML::Node& node, const core::Schema& schema, const std::string& file) {
  DesignSpace space;
  if (!node || node.IsNull()) return space;
  if (!node.IsMap())
    throw InputError(location_of(node, file), "space", "expected a map of parameter: levels");
  for (const auto& kv : node) {
    const std::string key = kv.first.Scalar();
    const std::string path = "space." + key;
    const core::SourceLocation key_where = location_of(kv.first, file);
    for (const auto& d : space.dims_)
      if (d.key == key) throw InputError(key_where, path, "duplicate key (each parameter may be swept once)");
    const core::ParamSpec* spec = schema.find(key);
    if (spec == nullptr || !spec->identity) {
      std::string msg = "not a sweepable hardware parameter";
      if (const auto s = schema.suggest(key); !s.empty()) msg += " (did you mean '" + s + "'?)";
      throw InputError(key_where, path, msg);
    }
    Dimension dim{key, {}, key_where};
    const YAML::Node& levels = kv.second;
    auto add_level = [&](const core::Value& v, const YAML::Node& at) {
      dim.levels.push_back(schema.coerce(*spec, v, location_of(at, file), path));
    };
    if (levels.IsSequence()) {
      if (levels.size() == 0) throw InputError(location_of(levels, file), path, "found an empty list, expected levels");
      for (const auto& item : levels) add_level(level_value(item, *spec, file, path), item);
    } else if (levels.IsMap()) {
      if (spec->kind != core::ParamKind::Integer && spec->kind != core::ParamKind::Real)
        throw InputError(location_of(levels, file), path, "a range needs a numeric parameter; use a list");
      static const std::vector<std::string> kRangeKeys = {"from", "to", "step", "factor", "steps", "scale"};
      for (const auto& r : levels) {
        const std::string rk = r.first.Scalar();
        if (std::find(kRangeKeys.begin(), kRangeKeys.end(), rk) == kRangeKeys.end())
          throw InputError(location_of(r.first, file), path + "." + rk,
                           "unknown range key, expected one of: from, to, step, factor, steps, scale");
      }
      if (!levels["from"] || !levels["to"])
        throw InputError(location_of(levels, file), path, "a range needs 'from' and 'to'");
      const double from = scalar_number(levels["from"], file, path + ".from");
      const double to = scalar_number(levels["to"], file, path + ".to");
      if (to < from) throw InputError(location_of(levels["to"], file), path + ".to", "'to' is below 'from'");
      const int given = (levels["step"] ? 1 : 0) + (levels["factor"] ? 1 : 0) + (levels["steps"] ? 1 : 0);
      if (given != 1)
        throw InputError(location_of(levels, file), path, "a range needs exactly one of 'step', 'factor' or 'steps'");
      std::vector<double> values;
      if (levels["step"]) {
        const double step = scalar_number(levels["step"], file, path + ".step");
        if (step <= 0) throw InputError(location_of(levels["step"], file), path + ".step", "step must be > 0");
        const auto n = static_cast<long>(std::floor((to - from) / step + 1e-9));
        for (long i = 0; i <= n; ++i) values.push_back(from + static_cast<double>(i) * step);
      } else if (levels["factor"]) {
        const double factor = scalar_number(levels["factor"], file, path + ".factor");
        if (factor <= 1 || from <= 0)
          throw InputError(location_of(levels["factor"], file), path + ".factor",
                           "a geometric range needs factor > 1 and from > 0");
        for (double v = from; v <= to * (1 + 1e-9); v *= factor) values.push_back(v);
      } else {
        const double steps = scalar_number(levels["steps"], file, path + ".steps");
        if (steps < 1 || std::floor(steps) != steps)
          throw InputError(location_of(levels["steps"], file), path + ".steps", "steps must be a whole number >= 1");
        const std::string scale = levels["scale"] ? levels["scale"].Scalar() : "linear";
        if (scale != "linear" && scale != "log")
          throw InputError(location_of(levels["scale"], file), path + ".scale",
                           "found '" + scale + "', expected linear or log");
        if (scale == "log" && from <= 0)
          throw InputError(location_of(levels["from"], file), path + ".from", "a log range needs from > 0");
        const auto n = static_cast<int>(steps);
        for (int i = 0; i < n; ++i) {
          const double t = n == 1 ? 0.0 : static_cast<double>(i) / (n - 1);
          values.push_back(scale == "log" ? from * std::pow(to / from, t) : from + t * (to - from));
        }
      }
      if (values.size() > 100000)
        throw InputError(location_of(levels, file), path, "range has more than 100000 levels");
      for (double v : values) {
        if (spec->kind == core::ParamKind::Integer) v = std::round(v);
        else v = std::round(v * 1e9) / 1e9;  // 0.1 steps land on 0.3, not 0.30000000000000004
        const core::Value level = v;
        bool repeated = false;
        for (const auto& existing : dim.levels) repeated = repeated || existing == schema.coerce(*spec, level, location_of(levels, file), path);
        if (!repeated) add_level(level, levels);
      }
    } else {
      add_level(level_value(levels, *spec, file, path), levels);
    }
    space.dims_.push_back(std::move(dim));
  }
  return space;
}

std::vector<std::size_t> DesignSpace::sizes() const {
  std::vector<std::size_t> out;
  for (const auto& d : dims_) out.push_back(d.levels.size());
  return out;
}

double DesignSpace::cardinality() const {
  double n = 1;
  for (const auto& d : dims_) n *= static_cast<double>(d.levels.size());
  return n;
}

core::Config DesignSpace::point(const core::Config& base, const std::vector<std::size_t>& levels) const {
  core::Config c = base;
  for (std::size_t i = 0; i < dims_.size(); ++i) c.set(dims_[i].key, dims_[i].levels.at(levels.at(i)), dims_[i].where);
  return c;
}

}  // namespace pade::dse
