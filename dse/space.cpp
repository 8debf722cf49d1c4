#include "dse/space.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <set>
#include <string_view>

namespace pade::dse {

namespace {

using core::InputError;
using core::location_of;

using core::found_text;

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
    throw InputError(location_of(n, file), path,
                     "found " + found_text(n) + ", expected " + spec.allowed());
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
std::string not_sweepable(const std::string& key, const core::ParamSpec* spec,
                          const core::Schema& schema) {
  if (spec != nullptr)
    return "found a label (not part of a design point), expected a sweepable hardware parameter";
  if (schema.is_section(key)) {
    for (const auto& p : schema.params())
      if (p.key.rfind(key + ".", 0) == 0)
        return "found a section, expected a dotted parameter key (e.g. '" + p.key + ": [...]')";
  }
  std::string best;
  std::size_t best_d = std::string::npos;
  for (const auto& p : schema.params())
    if (const auto d = core::edit_distance(key, p.key); p.identity && d < best_d)
      best_d = d, best = p.key;
  std::string out = "found an unknown parameter";
  if (best_d <= std::max<std::size_t>(2, key.size() / 3)) out += " (did you mean '" + best + "'?)";
  return out + ", expected a sweepable hardware parameter";
}

constexpr double kMaxLevels = 100000;

/// |level| below which real range levels are snapped to multiples of 1e-9 (level * 1e9 stays an
/// exact integer in a double).
constexpr double kSnapLimit = 9e6;

/// The levels of a range {from, to, step | factor | steps [, scale]} of a numeric parameter.
/// The number of levels is computed in floating point without overflow and checked before any
/// level is made, so neither a tiny step nor a factor near 1 can exhaust memory; levels never
/// leave [from, to]. An integer parameter takes whole numbers only: whole ends, a whole step, a
/// factor that keeps every level whole (`steps` points are rounded, repeats dropped).
std::vector<core::Value> range_levels(const YAML::Node& levels, const core::ParamSpec& spec,
                                      const core::Schema& schema, const std::string& file,
                                      const std::string& path) {
  const bool integer = spec.kind == core::ParamKind::Integer;
  const auto at = [&](const char* key) { return location_of(levels[key], file); };
  const auto written = [&](const char* key) {
    return "'" + core::excerpt(levels[key].Scalar()) + "'";
  };
  const std::string integer_note = " (" + spec.key + " is an integer parameter)";
  for (const char* bound : {"from", "to"})
    if (!levels[bound])
      throw InputError(location_of(levels, file), path,
                       std::string("found a range without '") + bound +
                           "', expected a range with 'from' and 'to'");
  const double from = scalar_number(levels["from"], file, path + ".from");
  const double to = scalar_number(levels["to"], file, path + ".to");
  if (to < from)
    throw InputError(at("to"), path + ".to",
                     "found " + written("to") + ", expected a number >= 'from' (" +
                         core::excerpt(levels["from"].Scalar()) + ")");
  const auto require_whole = [&](const char* key, double v) {
    if (integer && v != std::floor(v))
      throw InputError(at(key), path + "." + key,
                       "found " + written(key) + ", expected a whole number" + integer_note);
  };
  require_whole("from", from);
  require_whole("to", to);
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
  if (levels["scale"] && !levels["steps"])
    throw InputError(at("scale"), path + ".scale",
                     "found 'scale' with '" + given.front() +
                         "', expected 'scale' only with 'steps' (a 'factor' range is geometric, "
                         "a 'step' range linear)");
  // Checked before any level is made. Every count here is >= 1 or NaN; NaN is too many.
  const auto check_count = [&](double count, const char* key) {
    if (!(count <= kMaxLevels))
      throw InputError(at(key), path + "." + key,
                       "found " + written(key) + " (" +
                           (count < 1e18 ? std::to_string(static_cast<long long>(count))
                                         : std::string("too many")) +
                           " levels), expected at most 100000 levels");
  };
  // to - from and to / from may overflow although both ends are finite: then the same quantity
  // is computed from halves or logarithms.
  const double span = to - from;
  std::vector<double> values;
  if (levels["step"]) {
    const double step = scalar_number(levels["step"], file, path + ".step");
    if (step <= 0)
      throw InputError(at("step"), path + ".step",
                       "found " + written("step") + ", expected a number > 0");
    require_whole("step", step);
    const double ratio = std::isfinite(span) ? span / step : (to / 2 - from / 2) / (step / 2);
    const double count = std::floor(ratio + 1e-9) + 1;
    check_count(count, "step");
    const auto n = static_cast<std::size_t>(count);
    for (std::size_t i = 0; i < n; ++i) {
      const auto k = static_cast<double>(i);
      const double v = std::isfinite(span) ? from + k * step : (from / 2 + k * (step / 2)) * 2;
      values.push_back(std::min(v, to));
    }
  } else if (levels["factor"]) {
    const double factor = scalar_number(levels["factor"], file, path + ".factor");
    if (factor <= 1)
      throw InputError(at("factor"), path + ".factor",
                       "found " + written("factor") + ", expected a number > 1");
    if (from <= 0)
      throw InputError(at("from"), path + ".from",
                       "found " + written("from") + ", expected a number > 0 (a geometric range)");
    const double ratio = to / from;
    const double decades = std::isfinite(ratio) ? std::log(ratio) : std::log(to) - std::log(from);
    const double count = std::floor(decades / std::log(factor) + 1e-9) + 1;
    check_count(count, "factor");
    const auto n = static_cast<std::size_t>(count);
    double v = from;
    for (std::size_t i = 0; i < n; ++i, v *= factor) {
      const double level = std::min(v, to);
      if (integer && std::abs(level - std::round(level)) > 1e-9 * std::max(1.0, level)) {
        char shown[64];
        std::snprintf(shown, sizeof shown, "%.10g", level);
        throw InputError(at("factor"), path + ".factor",
                         "found " + written("factor") + " (level " + std::to_string(i + 1) +
                             " would be " + shown +
                             "), expected a factor that keeps every level a whole number" +
                             integer_note);
      }
      values.push_back(level);
    }
  } else {
    const double steps = scalar_number(levels["steps"], file, path + ".steps");
    if (steps < 1 || std::floor(steps) != steps)
      throw InputError(at("steps"), path + ".steps",
                       "found " + written("steps") + ", expected a whole number >= 1");
    check_count(steps, "steps");
    const std::string scale = levels["scale"] ? levels["scale"].Scalar() : "linear";
    if (scale != "linear" && scale != "log")
      throw InputError(at("scale"), path + ".scale",
                       "found '" + scale + "', expected one of: linear, log");
    if (scale == "log" && from <= 0)
      throw InputError(at("from"), path + ".from",
                       "found " + written("from") + ", expected a number > 0 (a log range)");
    const auto n = static_cast<int>(steps);
    const double ratio = to / from;
    for (int i = 0; i < n; ++i) {
      const double t = n == 1 ? 0.0 : static_cast<double>(i) / (n - 1);
      double v = 0;
      if (scale == "log")
        v = std::isfinite(ratio) ? from * std::pow(ratio, t)
                                 : std::exp(std::log(from) + t * (std::log(to) - std::log(from)));
      else
        v = std::isfinite(span) ? from + t * span : from * (1 - t) + to * t;
      values.push_back(std::clamp(v, from, to));
    }
  }
  // Real levels are snapped to multiples of 1e-9, so 0.1 steps land on 0.3, not
  // 0.30000000000000004 — unless the range is finer than 1e-6 or its values too large for the
  // snap to be exact (it would merge levels or overflow).
  bool snap = !integer;
  for (std::size_t i = 0; snap && i < values.size(); ++i)
    snap = std::abs(values[i]) < kSnapLimit && (i == 0 || values[i] - values[i - 1] >= 1e-6);
  std::vector<core::Value> out;
  std::set<core::Value> seen;  // rounding `steps` points of an integer can repeat a level
  for (double v : values) {
    if (integer)
      v = std::round(v);
    else if (snap)
      v = std::round(v * 1e9) / 1e9;
    core::Value level = schema.coerce(spec, core::Value(v), location_of(levels, file), path);
    if (seen.insert(level).second) out.push_back(std::move(level));
  }
  return out;
}

}  // namespace

DesignSpace DesignSpace::read(const YAML::Node& node, const core::Schema& schema,
                              const std::string& file) {
  DesignSpace space;
  if (!node || node.IsNull()) return space;
  if (!node.IsMap())
    throw InputError(location_of(node, file), "space",
                     "found " + found_text(node) + ", expected a map of parameter: levels");
  for (const auto& kv : node) {
    const std::string key = kv.first.Scalar();
    const std::string path = "space." + key;
    const core::SourceLocation key_where = location_of(kv.first, file);
    for (const auto& d : space.dims_)
      if (d.key == key)
        throw InputError(key_where, path, "duplicate key (each parameter may be swept once)");
    const core::ParamSpec* spec = schema.find(key);
    if (spec == nullptr || !spec->identity)
      throw InputError(key_where, path, not_sweepable(key, spec, schema));
    Dimension dim{key, {}, key_where};
    const YAML::Node& levels = kv.second;
    auto add_level = [&](const core::Value& v, const YAML::Node& at) {
      dim.levels.push_back(schema.coerce(*spec, v, location_of(at, file), path));
    };
    if (levels.IsSequence()) {
      if (levels.size() == 0)
        throw InputError(location_of(levels, file), path,
                         "found an empty list, expected at least one level");
      for (const auto& item : levels) add_level(level_value(item, *spec, file, path), item);
    } else if (levels.IsMap()) {
      if (spec->kind != core::ParamKind::Integer && spec->kind != core::ParamKind::Real)
        throw InputError(location_of(levels, file), path,
                         "found a range, expected a list of levels (" + spec->allowed() +
                             "); ranges need a number");
      static const std::vector<std::string> kRangeKeys = {"from",   "to",    "step",
                                                          "factor", "steps", "scale"};
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
      dim.levels = range_levels(levels, *spec, schema, file, path);
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

// --- derived parameters ----------------------------------------------------------------------

namespace {

/// Nesting levels an expression may have; far beyond any real one, far below the stack's limit.
constexpr int kMaxExprDepth = 200;

/// Text quoted in an error message: long expressions are cut in the middle, so a message stays
/// readable (and small) whatever the input.
std::string abbreviated(std::string_view text) {
  constexpr std::size_t kKeep = 60;
  if (text.size() <= 2 * kKeep + 20) return std::string(text);
  return std::string(text.substr(0, kKeep)) + " ... (" + std::to_string(text.size() - 2 * kKeep) +
         " characters) ... " + std::string(text.substr(text.size() - kKeep));
}

bool is_key_char(char ch) {
  return std::isalnum(static_cast<unsigned char>(ch)) != 0 || ch == '_' || ch == '.';
}

/// Recursive-descent compiler of the small expression language into postfix steps.
class ExprCompiler {
 public:
  ExprCompiler(std::string_view text, const core::Schema& schema, core::SourceLocation where,
               std::string path)
      : text_(text), schema_(schema), where_(std::move(where)), path_(std::move(path)) {}

  std::vector<ExprOp> compile() {
    expression();
    skip_space();
    if (pos_ < text_.size())
      fail("found '" + abbreviated(text_.substr(pos_)) + "'", "an operator or the end");
    return std::move(out_);
  }

 private:
  [[noreturn]] void fail(const std::string& found, const std::string& expected) const {
    throw InputError(where_, path_,
                     found + " at character " + std::to_string(pos_ + 1) + " of \"" +
                         abbreviated(text_) + "\", expected " + expected);
  }
  /// Counts one level of nesting (a parenthesis, a function call, a unary minus) for as long as
  /// it lives: the compiler recurses once per level, so the depth is bounded before the stack is.
  class Nesting {
   public:
    explicit Nesting(ExprCompiler& c) : c_(c) {
      if (++c_.depth_ > kMaxExprDepth) {
        --c_.pos_;  // at the '(' or '-' just read
        c_.fail("more than " + std::to_string(kMaxExprDepth) +
                    " nested parentheses, function calls or unary minus signs",
                "at most " + std::to_string(kMaxExprDepth) + " levels of nesting");
      }
    }
    ~Nesting() { --c_.depth_; }
    Nesting(const Nesting&) = delete;
    Nesting& operator=(const Nesting&) = delete;

   private:
    ExprCompiler& c_;
  };
  void skip_space() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_])) != 0)
      ++pos_;
  }
  bool accept(char ch) {
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == ch) {
      ++pos_;
      return true;
    }
    return false;
  }
  void expression() {
    term();
    while (true) {
      if (accept('+')) {
        term();
        out_.push_back({ExprOp::Kind::Add, 0, {}, 0});
      } else if (accept('-')) {
        term();
        out_.push_back({ExprOp::Kind::Subtract, 0, {}, 0});
      } else {
        return;
      }
    }
  }
  void term() {
    unary();
    while (true) {
      if (accept('*')) {
        unary();
        out_.push_back({ExprOp::Kind::Multiply, 0, {}, 0});
      } else if (accept('/')) {
        unary();
        out_.push_back({ExprOp::Kind::Divide, 0, {}, 0});
      } else {
        return;
      }
    }
  }
  void unary() {
    if (accept('-')) {
      const Nesting level(*this);
      unary();
      out_.push_back({ExprOp::Kind::Negate, 0, {}, 0});
      return;
    }
    primary();
  }
  void primary() {
    skip_space();
    if (pos_ >= text_.size()) fail("found the end", "a number, a parameter, a function or '('");
    if (accept('(')) {
      const Nesting level(*this);
      expression();
      if (!accept(')'))
        fail(pos_ < text_.size() ? "found '" + std::string(1, text_[pos_]) + "'" : "found the end",
             "')'");
      return;
    }
    const char ch = text_[pos_];
    if (std::isdigit(static_cast<unsigned char>(ch)) != 0 || ch == '.') {
      const std::string rest(text_.substr(pos_));
      std::size_t used = 0;
      double v = 0;
      try {
        v = std::stod(rest, &used);
      } catch (const std::exception&) {
        fail("found '" + abbreviated(rest) + "'", "a number");
      }
      pos_ += used;
      out_.push_back({ExprOp::Kind::Number, v, {}, 0});
      return;
    }
    if (std::isalpha(static_cast<unsigned char>(ch)) == 0 && ch != '_')
      fail("found '" + std::string(1, ch) + "'", "a number, a parameter, a function or '('");
    const std::size_t start = pos_;
    while (pos_ < text_.size() && is_key_char(text_[pos_])) ++pos_;
    const std::string name(text_.substr(start, pos_ - start));
    if (accept('(')) {
      static const std::vector<std::string> kFunctions = {"min", "max", "floor", "ceil", "round"};
      if (std::find(kFunctions.begin(), kFunctions.end(), name) == kFunctions.end()) {
        pos_ = start;
        fail("found an unknown function '" + name + "'", "one of: min, max, floor, ceil, round");
      }
      const Nesting level(*this);
      std::size_t argc = 0;
      if (!accept(')')) {
        do {
          expression();
          ++argc;
        } while (accept(','));
        if (!accept(')'))
          fail(
              pos_ < text_.size() ? "found '" + std::string(1, text_[pos_]) + "'" : "found the end",
              "',' or ')'");
      }
      const bool variadic = name == "min" || name == "max";
      if (variadic ? argc < 1 : argc != 1) {
        pos_ = start;
        fail("found " + name + "() with " + std::to_string(argc) + " arguments",
             variadic ? "at least one argument" : "exactly one argument");
      }
      out_.push_back({ExprOp::Kind::Call, 0, name, argc});
      return;
    }
    const core::ParamSpec* spec = schema_.find(name);
    if (spec == nullptr) {
      const std::string best = schema_.suggest(name);
      pos_ = start;
      fail("found an unknown parameter '" + name + "'" +
               (best.empty() ? "" : " (did you mean '" + best + "'?)"),
           "a hardware parameter key");
    }
    if (spec->kind != core::ParamKind::Integer && spec->kind != core::ParamKind::Real &&
        spec->kind != core::ParamKind::Boolean) {
      pos_ = start;
      fail("found '" + name + "' (" + std::string(core::kind_name(spec->kind)) + ")",
           "a numeric parameter");
    }
    out_.push_back({ExprOp::Kind::Param, 0, name, 0});
  }

  std::string_view text_;
  const core::Schema& schema_;
  core::SourceLocation where_;
  std::string path_;
  std::size_t pos_ = 0;
  int depth_ = 0;
  std::vector<ExprOp> out_;
};

double param_number(const core::Config& c, const std::string& key) {
  const core::Value& v = c.value(key);
  if (const auto* b = std::get_if<bool>(&v)) return *b ? 1.0 : 0.0;
  return c.real(key);
}

/// Evaluate a compiled expression on a configuration; nullopt with a reason when undefined.
double run_program(const DerivedParameter& d, const core::Config& c) {
  std::vector<double> stack;
  auto pop = [&] {
    const double v = stack.back();
    stack.pop_back();
    return v;
  };
  for (const auto& op : d.program) {
    switch (op.kind) {
      case ExprOp::Kind::Number:
        stack.push_back(op.number);
        break;
      case ExprOp::Kind::Param:
        stack.push_back(param_number(c, op.name));
        break;
      case ExprOp::Kind::Negate:
        stack.back() = -stack.back();
        break;
      case ExprOp::Kind::Add: {
        const double b = pop();
        stack.back() += b;
        break;
      }
      case ExprOp::Kind::Subtract: {
        const double b = pop();
        stack.back() -= b;
        break;
      }
      case ExprOp::Kind::Multiply: {
        const double b = pop();
        stack.back() *= b;
        break;
      }
      case ExprOp::Kind::Divide: {
        const double b = pop();
        if (b == 0)
          throw InputError(d.where, "derived." + d.key,
                           "found a division by zero in \"" + abbreviated(d.expression) + "\"");
        stack.back() /= b;
        break;
      }
      case ExprOp::Kind::Call: {
        std::vector<double> args(stack.end() - static_cast<std::ptrdiff_t>(op.argc), stack.end());
        stack.resize(stack.size() - op.argc);
        double r = args[0];
        if (op.name == "min")
          r = *std::min_element(args.begin(), args.end());
        else if (op.name == "max")
          r = *std::max_element(args.begin(), args.end());
        else if (op.name == "floor")
          r = std::floor(r);
        else if (op.name == "ceil")
          r = std::ceil(r);
        else
          r = std::round(r);
        stack.push_back(r);
        break;
      }
    }
  }
  return stack.back();
}

/// "qk_pu.rows=8, algorithm.alpha=0.5": the swept values of a point, for error messages.
std::string point_text(const std::vector<Dimension>& dims, const std::vector<std::size_t>& levels) {
  std::string out;
  for (std::size_t i = 0; i < dims.size(); ++i)
    out += (out.empty() ? "" : ", ") + dims[i].key + "=" +
           core::value_text(dims[i].levels.at(levels.at(i)));
  return out.empty() ? "the base configuration" : out;
}

}  // namespace

void DesignSpace::read_derived(const YAML::Node& node, const core::Schema& schema,
                               const std::string& file) {
  if (!node || node.IsNull()) return;
  if (!node.IsMap())
    throw InputError(location_of(node, file), "derived",
                     "found " + found_text(node) + ", expected a map of parameter: \"expression\"");
  for (const auto& kv : node) {
    const std::string key = kv.first.Scalar();
    const std::string path = "derived." + key;
    const core::SourceLocation key_where = location_of(kv.first, file);
    const core::ParamSpec* spec = schema.find(key);
    if (spec == nullptr || !spec->identity)
      throw InputError(key_where, path, not_sweepable(key, spec, schema));
    if (spec->kind != core::ParamKind::Integer && spec->kind != core::ParamKind::Real)
      throw InputError(key_where, path,
                       "found a " + std::string(core::kind_name(spec->kind)) +
                           " parameter, expected a numeric (integer or real) parameter to derive");
    for (const auto& d : dims_)
      if (d.key == key)
        throw InputError(
            key_where, path,
            "found a parameter that is also swept in space:, expected it in one place only");
    for (const auto& d : derived_)
      if (d.key == key)
        throw InputError(key_where, path, "duplicate key (each parameter may be derived once)");
    const YAML::Node& e = kv.second;
    if (!e.IsScalar() || e.Scalar().empty())
      throw InputError(
          location_of(e, file), path,
          "found " + found_text(e) + ", expected an expression such as \"qk_pu.rows\"");
    DerivedParameter d{key, e.Scalar(), location_of(e, file), {}};
    d.program = ExprCompiler(d.expression, schema, d.where, path).compile();
    derived_.push_back(std::move(d));
  }
}

core::Config DesignSpace::point(const core::Config& base,
                                const std::vector<std::size_t>& levels) const {
  core::Config c = base;
  for (std::size_t i = 0; i < dims_.size(); ++i)
    c.set(dims_[i].key, dims_[i].levels.at(levels.at(i)), dims_[i].where);
  for (const auto& d : derived_) {
    const std::string path = "derived." + d.key;
    const double v = run_program(d, c);
    const core::ParamSpec* spec = c.schema() != nullptr ? c.schema()->find(d.key) : nullptr;
    const bool integer = spec != nullptr && spec->kind == core::ParamKind::Integer;
    auto at_point = [&] { return " at " + point_text(dims_, levels); };
    if (!std::isfinite(v))
      throw InputError(
          d.where, path,
          "found a non-finite value of \"" + abbreviated(d.expression) + "\"" + at_point());
    if (integer && std::abs(v - std::round(v)) > 1e-9)
      throw InputError(
          d.where, path,
          "found " + core::value_text(v) + " from \"" + abbreviated(d.expression) + "\"" +
              at_point() +
              ", expected a whole number (wrap the expression in floor(), ceil() or round())");
    if (spec != nullptr && ((spec->min && v < *spec->min) || (spec->max && v > *spec->max)))
      throw InputError(d.where, path,
                       "found " + core::value_text(v) + " from \"" + abbreviated(d.expression) +
                           "\"" + at_point() + ", expected " + spec->allowed());
    c.set(d.key, integer ? core::Value(static_cast<std::int64_t>(std::llround(v))) : core::Value(v),
          d.where);
  }
  return c;
}

void DesignSpace::check_derived(const core::Config& base) const {
  if (derived_.empty()) return;
  std::vector<std::size_t> first(dims_.size(), 0), last;
  for (const auto& d : dims_) last.push_back(d.levels.size() - 1);
  (void)point(base, first);
  (void)point(base, last);
}

}  // namespace pade::dse
