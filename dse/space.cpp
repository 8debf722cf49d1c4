#include "dse/space.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <set>

namespace pade::dse {

namespace {

using core::InputError;
using core::location_of;

std::string found_text(const YAML::Node& n) {
  if (n.IsSequence()) return "a list";
  if (n.IsMap()) return "a map";
  if (n.IsNull()) return "nothing (null)";
  if (n.Tag() == "!") return "\"" + n.Scalar() + "\" (quoted, so a string)";
  return "'" + n.Scalar() + "'";
}

double scalar_number(const YAML::Node& n, const std::string& file, const std::string& path) {
  if (n.IsScalar() && n.Tag() != "!") {
    try {
      std::size_t used = 0;
      const double v = std::stod(n.Scalar(), &used);
      if (used == n.Scalar().size() && std::isfinite(v)) return v;
    } catch (const std::exception&) {
    }
  }
  throw InputError(location_of(n, file), path, "found " + found_text(n) + ", expected a number");
}

// A YAML scalar as a Value of the spec's kind (numbers stay numbers so coerce can range-check).
core::Value level_value(const YAML::Node& n, const core::ParamSpec& spec, const std::string& file,
                        const std::string& path) {
  if (!n.IsScalar() || (n.Tag() == "!" && spec.kind != core::ParamKind::String &&
                        spec.kind != core::ParamKind::Choice))
    throw InputError(location_of(n, file), path, "found " + found_text(n) + ", expected " + spec.allowed());
  const std::string& s = n.Scalar();
  switch (spec.kind) {
    case core::ParamKind::Integer:
    case core::ParamKind::Real:
      return scalar_number(n, file, path);
    case core::ParamKind::Boolean:
      if (s == "true" || s == "True") return true;  // as the schema layer reads booleans
      if (s == "false" || s == "False") return false;
      throw InputError(location_of(n, file), path, "found '" + s + "', expected " + spec.allowed());
    default:
      return s;
  }
}

/// "found ..." for a space key that is not a sweepable parameter.
std::string not_sweepable(const std::string& key, const core::ParamSpec* spec, const core::Schema& schema) {
  if (spec != nullptr) return "found a label (not part of a design point), expected a sweepable hardware parameter";
  if (schema.is_section(key)) {
    for (const auto& p : schema.params())
      if (p.key.rfind(key + ".", 0) == 0)
        return "found a section, expected a dotted parameter key (e.g. '" + p.key + ": [...]')";
  }
  std::string best;
  std::size_t best_d = std::string::npos;
  for (const auto& p : schema.params())
    if (const auto d = core::edit_distance(key, p.key); p.identity && d < best_d) best_d = d, best = p.key;
  std::string out = "found an unknown parameter";
  if (best_d <= std::max<std::size_t>(2, key.size() / 3)) out += " (did you mean '" + best + "'?)";
  return out + ", expected a sweepable hardware parameter";
}

constexpr double kMaxLevels = 100000;

}  // namespace

DesignSpace DesignSpace::read(const YAML::Node& node, const core::Schema& schema, const std::string& file) {
  DesignSpace space;
  if (!node || node.IsNull()) return space;
  if (!node.IsMap())
    throw InputError(location_of(node, file), "space", "found " + found_text(node) + ", expected a map of parameter: levels");
  for (const auto& kv : node) {
    const std::string key = kv.first.Scalar();
    const std::string path = "space." + key;
    const core::SourceLocation key_where = location_of(kv.first, file);
    for (const auto& d : space.dims_)
      if (d.key == key) throw InputError(key_where, path, "duplicate key (each parameter may be swept once)");
    const core::ParamSpec* spec = schema.find(key);
    if (spec == nullptr || !spec->identity) throw InputError(key_where, path, not_sweepable(key, spec, schema));
    Dimension dim{key, {}, key_where};
    const YAML::Node& levels = kv.second;
    auto add_level = [&](const core::Value& v, const YAML::Node& at) {
      dim.levels.push_back(schema.coerce(*spec, v, location_of(at, file), path));
    };
    if (levels.IsSequence()) {
      if (levels.size() == 0) throw InputError(location_of(levels, file), path, "found an empty list, expected at least one level");
      for (const auto& item : levels) add_level(level_value(item, *spec, file, path), item);
    } else if (levels.IsMap()) {
      if (spec->kind != core::ParamKind::Integer && spec->kind != core::ParamKind::Real)
        throw InputError(location_of(levels, file), path,
                         "found a range, expected a list of levels (" + spec->allowed() + "); ranges need a number");
      static const std::vector<std::string> kRangeKeys = {"from", "to", "step", "factor", "steps", "scale"};
      for (const auto& r : levels) {
        const std::string rk = r.first.Scalar();
        if (std::find(kRangeKeys.begin(), kRangeKeys.end(), rk) == kRangeKeys.end()) {
          std::string found = "found an unknown range key";
          std::string best;
          std::size_t best_d = std::string::npos;
          for (const auto& k : kRangeKeys)
            if (const auto d = core::edit_distance(rk, k); d < best_d) best_d = d, best = k;
          if (best_d <= 2) found += " (did you mean '" + best + "'?)";
          throw InputError(location_of(r.first, file), path + "." + rk,
                           found + ", expected one of: from, to, step, factor, steps, scale");
        }
      }
      for (const char* bound : {"from", "to"})
        if (!levels[bound])
          throw InputError(location_of(levels, file), path,
                           std::string("found a range without '") + bound + "', expected a range with 'from' and 'to'");
      const double from = scalar_number(levels["from"], file, path + ".from");
      const double to = scalar_number(levels["to"], file, path + ".to");
      if (to < from)
        throw InputError(location_of(levels["to"], file), path + ".to",
                         "found '" + levels["to"].Scalar() + "', expected a number >= 'from' (" +
                             levels["from"].Scalar() + ")");
      std::vector<std::string> given;
      for (const char* k : {"step", "factor", "steps"})
        if (levels[k]) given.emplace_back(k);
      if (given.size() != 1) {
        std::string found = "found ";
        if (given.empty()) found += "none of them";
        for (std::size_t i = 0; i < given.size(); ++i)
          found += (i == 0 ? "'" : i + 1 == given.size() ? "' and '" : "', '") + given[i];
        if (!given.empty()) found += "'";
        throw InputError(location_of(levels, file), path,
                         found + ", expected exactly one of 'step', 'factor' or 'steps'");
      }
      // The level count is checked before any level is made: a tiny step must not exhaust memory.
      auto check_count = [&](double count, const char* key) {
        if (!(count <= kMaxLevels))
          throw InputError(location_of(levels[key], file), path + "." + key,
                           "found '" + levels[key].Scalar() + "' (" +
                               (std::isfinite(count) ? std::to_string(static_cast<long long>(count)) : std::string("too many")) +
                               " levels), expected at most 100000 levels");
      };
      std::vector<double> values;
      if (levels["step"]) {
        const double step = scalar_number(levels["step"], file, path + ".step");
        if (step <= 0)
          throw InputError(location_of(levels["step"], file), path + ".step",
                           "found '" + levels["step"].Scalar() + "', expected a number > 0");
        const double count = std::floor((to - from) / step + 1e-9) + 1;
        check_count(count, "step");
        const auto n = static_cast<long>(count);
        for (long i = 0; i < n; ++i) values.push_back(from + static_cast<double>(i) * step);
      } else if (levels["factor"]) {
        const double factor = scalar_number(levels["factor"], file, path + ".factor");
        if (factor <= 1)
          throw InputError(location_of(levels["factor"], file), path + ".factor",
                           "found '" + levels["factor"].Scalar() + "', expected a number > 1");
        if (from <= 0)
          throw InputError(location_of(levels["from"], file), path + ".from",
                           "found '" + levels["from"].Scalar() + "', expected a number > 0 (a geometric range)");
        check_count(std::floor(std::log(to / from) / std::log(factor) + 1e-9) + 1, "factor");
        for (double v = from; v <= to * (1 + 1e-9); v *= factor) values.push_back(v);
      } else {
        const double steps = scalar_number(levels["steps"], file, path + ".steps");
        if (steps < 1 || std::floor(steps) != steps)
          throw InputError(location_of(levels["steps"], file), path + ".steps",
                           "found '" + levels["steps"].Scalar() + "', expected a whole number >= 1");
        check_count(steps, "steps");
        const std::string scale = levels["scale"] ? levels["scale"].Scalar() : "linear";
        if (scale != "linear" && scale != "log")
          throw InputError(location_of(levels["scale"], file), path + ".scale",
                           "found '" + scale + "', expected one of: linear, log");
        if (scale == "log" && from <= 0)
          throw InputError(location_of(levels["from"], file), path + ".from",
                           "found '" + levels["from"].Scalar() + "', expected a number > 0 (a log range)");
        const auto n = static_cast<int>(steps);
        for (int i = 0; i < n; ++i) {
          const double t = n == 1 ? 0.0 : static_cast<double>(i) / (n - 1);
          values.push_back(scale == "log" ? from * std::pow(to / from, t) : from + t * (to - from));
        }
      }
      std::set<core::Value> seen;  // integer rounding can repeat a level: keep the first
      for (double v : values) {
        if (spec->kind == core::ParamKind::Integer) v = std::round(v);
        else v = std::round(v * 1e9) / 1e9;  // 0.1 steps land on 0.3, not 0.30000000000000004
        core::Value level = schema.coerce(*spec, core::Value(v), location_of(levels, file), path);
        if (seen.insert(level).second) dim.levels.push_back(std::move(level));
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
