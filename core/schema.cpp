#include "core/schema.hpp"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <set>

#include "core/file_io.hpp"
#include "core/hash.hpp"
#include "core/json.hpp"

namespace pade::core {

std::string_view kind_name(ParamKind kind) {
  switch (kind) {
    case ParamKind::Integer:
      return "integer";
    case ParamKind::Real:
      return "real";
    case ParamKind::Boolean:
      return "boolean";
    case ParamKind::String:
      return "string";
    case ParamKind::Choice:
      return "choice";
    case ParamKind::StringList:
      return "list of strings";
  }
  return "?";
}

namespace {
// The shortest decimal text that reads back as exactly `d` (0.1, not 0.10000000000000001): exact
// identity for hashing, and readable in stored parameters.
std::string real_text(double d) {
  char buf[64];
  if (std::floor(d) == d && std::fabs(d) < 1e15) {  // integral: plain digits, never 4e+03
    std::snprintf(buf, sizeof buf, "%.0f", d);
    return buf;
  }
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, d);
    if (std::strtod(buf, nullptr) == d) return buf;
  }
  return buf;
}
std::string bound_text(double d) {
  if (std::floor(d) == d && std::fabs(d) < 1e15) return std::to_string(static_cast<long long>(d));
  char buf[64];
  std::snprintf(buf, sizeof buf, "%g", d);
  return buf;
}
}  // namespace

std::string value_text(const Value& v) {
  struct Visitor {
    std::string operator()(bool b) const { return b ? "true" : "false"; }
    std::string operator()(std::int64_t i) const { return std::to_string(i); }
    std::string operator()(double d) const { return real_text(d); }
    std::string operator()(const std::string& s) const { return s; }
    std::string operator()(const std::vector<std::string>& l) const {
      std::string out = "[";
      for (std::size_t i = 0; i < l.size(); ++i) out += (i ? ", " : "") + l[i];
      return out + "]";
    }
  };
  return std::visit(Visitor{}, v);
}

namespace {
ParamSpec make_spec(std::string key, ParamKind kind) {
  ParamSpec s;
  s.key = std::move(key);
  s.kind = kind;
  return s;
}
}  // namespace

ParamSpec ParamSpec::integer(std::string key) {
  return make_spec(std::move(key), ParamKind::Integer);
}
ParamSpec ParamSpec::real(std::string key) {
  return make_spec(std::move(key), ParamKind::Real);
}
ParamSpec ParamSpec::boolean(std::string key) {
  return make_spec(std::move(key), ParamKind::Boolean);
}
ParamSpec ParamSpec::string(std::string key) {
  return make_spec(std::move(key), ParamKind::String);
}
ParamSpec ParamSpec::string_list(std::string key) {
  return make_spec(std::move(key), ParamKind::StringList);
}
ParamSpec ParamSpec::choice(std::string key, std::vector<std::string> choices) {
  ParamSpec s = make_spec(std::move(key), ParamKind::Choice);
  s.choices = std::move(choices);
  return s;
}

std::string ParamSpec::allowed() const {
  std::string out(kind_name(kind));
  if (kind == ParamKind::Choice) {
    out = "one of: ";
    for (std::size_t i = 0; i < choices.size(); ++i) out += (i ? ", " : "") + choices[i];
    return out;
  }
  if (min && max) {
    out += " in [" + bound_text(*min) + ", " + bound_text(*max) + "]";
  } else if (min) {
    out += " >= " + bound_text(*min);
  } else if (max) {
    out += " <= " + bound_text(*max);
  }
  return out;
}

Schema::Schema(std::string name, std::string doc) : name_(std::move(name)), doc_(std::move(doc)) {}

Schema& Schema::add(ParamSpec spec) {
  params_.push_back(std::move(spec));
  return *this;
}

Schema& Schema::open_section(std::string prefix, std::string doc) {
  open_sections_.emplace_back(std::move(prefix), std::move(doc));
  return *this;
}

const ParamSpec* Schema::find(std::string_view key) const {
  for (const auto& p : params_)
    if (p.key == key) return &p;
  return nullptr;
}

bool Schema::is_section(std::string_view prefix) const {
  const std::string dotted = std::string(prefix) + ".";
  for (const auto& p : params_)
    if (p.key.rfind(dotted, 0) == 0) return true;
  return false;
}

bool Schema::is_open_section(std::string_view key) const {
  for (const auto& [prefix, doc] : open_sections_)
    if (prefix == key) return true;
  return false;
}

std::string Schema::suggest(std::string_view key) const {
  std::set<std::string> candidates;
  for (const auto& p : params_) {
    // The key itself and every section prefix of it.
    std::string k = p.key;
    candidates.insert(k);
    for (auto pos = k.find('.'); pos != std::string::npos; pos = k.find('.', pos + 1))
      candidates.insert(k.substr(0, pos));
  }
  for (const auto& [prefix, doc] : open_sections_) candidates.insert(prefix);
  std::string best;
  std::size_t best_d = std::string::npos;
  for (const auto& c : candidates) {
    const std::size_t d = edit_distance(key, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  const std::size_t limit = std::max<std::size_t>(2, key.size() / 3);
  return best_d <= limit ? best : std::string();
}

Value Schema::coerce(const ParamSpec& spec, const Value& v, const SourceLocation& where,
                     std::string_view shown_key) const {
  const std::string key_path = shown_key.empty() ? spec.key : std::string(shown_key);
  auto fail = [&](const std::string& found) -> Value {
    throw InputError(where, key_path, "found " + found + ", expected " + spec.allowed());
  };
  auto check_range = [&](double x, const std::string& shown) {
    if ((spec.min && x < *spec.min) || (spec.max && x > *spec.max))
      fail("'" + shown + "' (out of range)");
  };
  switch (spec.kind) {
    case ParamKind::Integer:
      if (const auto* i = std::get_if<std::int64_t>(&v)) {
        check_range(static_cast<double>(*i), std::to_string(*i));
        return *i;
      }
      if (const auto* d = std::get_if<double>(&v);
          d && std::floor(*d) == *d && std::fabs(*d) < 9e15) {
        check_range(*d, real_text(*d));
        return static_cast<std::int64_t>(*d);
      }
      return fail("'" + value_text(v) + "'");
    case ParamKind::Real:
      if (const auto* i = std::get_if<std::int64_t>(&v)) {
        check_range(static_cast<double>(*i), std::to_string(*i));
        return static_cast<double>(*i);
      }
      if (const auto* d = std::get_if<double>(&v)) {
        if (!std::isfinite(*d)) return fail("'" + value_text(v) + "' (not finite)");
        check_range(*d, bound_text(*d));
        return *d;
      }
      return fail("'" + value_text(v) + "'");
    case ParamKind::Boolean:
      if (std::holds_alternative<bool>(v)) return v;
      return fail("'" + value_text(v) + "'");
    case ParamKind::String:
      if (std::holds_alternative<std::string>(v)) return v;
      return fail("'" + value_text(v) + "'");
    case ParamKind::Choice:
      if (const auto* s = std::get_if<std::string>(&v)) {
        for (const auto& c : spec.choices)
          if (c == *s) return v;
        for (const auto& [old_name, new_name] : spec.renamed_choices)
          if (old_name == *s) return new_name;
        std::string found = "'" + *s + "'";
        std::string best;
        std::size_t best_d = std::string::npos;
        for (const auto& c : spec.choices)
          if (const auto d = edit_distance(*s, c); d < best_d) best_d = d, best = c;
        if (best_d <= std::max<std::size_t>(2, s->size() / 3))
          found += " (did you mean '" + best + "'?)";
        return fail(found);
      }
      return fail("'" + value_text(v) + "'");
    case ParamKind::StringList:
      if (std::holds_alternative<std::vector<std::string>>(v)) return v;
      return fail("'" + value_text(v) + "'");
  }
  return v;
}

// ----------------------------------------------------------------------------------------------
// Config

namespace {
[[noreturn]] void missing(std::string_view key) {
  throw std::logic_error("configuration has no value for '" + std::string(key) + "'");
}
}  // namespace

const Value& Config::value(std::string_view key) const {
  const auto it = values_.find(key);
  if (it == values_.end()) missing(key);
  return it->second;
}
bool Config::has(std::string_view key) const {
  return values_.find(key) != values_.end();
}

std::int64_t Config::integer(std::string_view key) const {
  const Value& v = value(key);
  if (const auto* i = std::get_if<std::int64_t>(&v)) return *i;
  throw std::logic_error("'" + std::string(key) + "' is not an integer");
}
double Config::real(std::string_view key) const {
  const Value& v = value(key);
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
  throw std::logic_error("'" + std::string(key) + "' is not a number");
}
bool Config::boolean(std::string_view key) const {
  const Value& v = value(key);
  if (const auto* b = std::get_if<bool>(&v)) return *b;
  throw std::logic_error("'" + std::string(key) + "' is not a boolean");
}
const std::string& Config::string(std::string_view key) const {
  const Value& v = value(key);
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  throw std::logic_error("'" + std::string(key) + "' is not a string");
}
const std::vector<std::string>& Config::string_list(std::string_view key) const {
  const Value& v = value(key);
  if (const auto* s = std::get_if<std::vector<std::string>>(&v)) return *s;
  throw std::logic_error("'" + std::string(key) + "' is not a list");
}
SourceLocation Config::where(std::string_view key) const {
  const auto it = where_.find(key);
  return it == where_.end() ? SourceLocation{"<default>", 0, 0} : it->second;
}

void Config::set(std::string_view key, const Value& v, const SourceLocation& where) {
  if (schema_ == nullptr) throw std::logic_error("Config::set without a schema");
  const ParamSpec* spec = schema_->find(key);
  if (spec == nullptr) {
    std::string msg = "unknown parameter";
    if (auto s = schema_->suggest(key); !s.empty()) msg += " (did you mean '" + s + "'?)";
    throw InputError(where, std::string(key), msg);
  }
  values_[std::string(key)] = schema_->coerce(*spec, v, where);
  where_[std::string(key)] = where;
}

std::vector<std::pair<std::string, std::string>> Config::identity_values() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [k, v] : values_) {
    if (schema_ != nullptr) {
      if (const ParamSpec* spec = schema_->find(k); spec != nullptr && !spec->identity) continue;
    }
    out.emplace_back(k, value_text(v));
  }
  return out;
}

bool Config::holds(const std::pair<std::string, Value>& condition) const {
  const auto it = values_.find(condition.first);
  if (it != values_.end()) return it->second == condition.second;
  const ParamSpec* spec = schema_ != nullptr ? schema_->find(condition.first) : nullptr;
  return spec != nullptr && spec->default_value && *spec->default_value == condition.second;
}

std::string Config::canonical() const {
  std::string out;
  for (const auto& [k, v] : values_) {
    if (schema_ != nullptr) {
      if (const ParamSpec* spec = schema_->find(k); spec != nullptr) {
        if (!spec->identity) continue;
        // A parameter added later, at the value earlier configurations implied: leaving it out
        // keeps their hashes (the stored parameters, identity_values(), still list it).
        if (spec->identity_implied && *spec->identity_implied == v) continue;
        if (spec->identity_only_when && !holds(*spec->identity_only_when)) continue;
      }
    }
    out.append(k).append("=").append(value_text(v)).append("\n");
  }
  return out;
}

std::string Config::hash() const {
  return content_hash(canonical());
}

// ----------------------------------------------------------------------------------------------
// YAML reading

std::string found_text(const YAML::Node& n) {
  if (n.IsSequence()) return "a list";
  if (n.IsMap()) return "a map";
  if (n.IsNull()) return "nothing (null)";
  if (n.Tag() == "!") return "\"" + excerpt(n.Scalar()) + "\" (quoted, so a string)";
  return "'" + excerpt(n.Scalar()) + "'";
}

SourceLocation location_of(const YAML::Node& node, const std::string& file) {
  const YAML::Mark m = node.Mark();
  if (m.is_null()) return {file, 0, 0};
  return {file, m.line + 1, m.column + 1};
}

namespace {

/// Where each line of a text starts, to turn yaml-cpp marks into offsets and back in O(log n).
class LineIndex {
 public:
  explicit LineIndex(std::string_view text) {
    starts_.push_back(0);
    for (std::size_t i = 0; i < text.size(); ++i)
      if (text[i] == '\n') starts_.push_back(i + 1);
    size_ = text.size();
  }
  /// The byte offset of a 0-based (line, column), or npos when it is beyond the text.
  [[nodiscard]] std::size_t offset(int line, int column) const {
    if (line < 0 || column < 0 || static_cast<std::size_t>(line) >= starts_.size())
      return std::string_view::npos;
    const std::size_t off =
        starts_[static_cast<std::size_t>(line)] + static_cast<std::size_t>(column);
    return off < size_ ? off : std::string_view::npos;
  }
  /// The 0-based line of a byte offset.
  [[nodiscard]] int line(std::size_t offset) const {
    return static_cast<int>(std::upper_bound(starts_.begin(), starts_.end(), offset) -
                            starts_.begin()) -
           1;
  }

 private:
  std::vector<std::size_t> starts_;
  std::size_t size_ = 0;
};

/// Configuration values are one line each. A quoted scalar that runs over several lines is almost
/// always a missing closing quote, which would silently swallow the keys after it into one string
/// (the next quote in the file closes it). Refuse it, at the opening quote.
void check_quoted_scalars(const YAML::Node& root, std::string_view text, const std::string& name) {
  const LineIndex lines(text);
  std::vector<YAML::Node> stack{root};
  while (!stack.empty()) {
    const YAML::Node n = stack.back();
    stack.pop_back();
    if (n.IsMap()) {
      for (const auto& kv : n) {
        stack.push_back(kv.first);
        stack.push_back(kv.second);
      }
    } else if (n.IsSequence()) {
      for (const auto& item : n) stack.push_back(item);
    } else if (n.IsScalar() && n.Tag() == "!") {
      const YAML::Mark m = n.Mark();
      if (m.is_null()) continue;
      const std::size_t open = lines.offset(m.line, m.column);
      if (open == std::string_view::npos || (text[open] != '"' && text[open] != '\'')) continue;
      const char quote = text[open];
      std::size_t i = open + 1;
      for (; i < text.size(); ++i) {
        if (quote == '"' && text[i] == '\\') {
          ++i;  // an escape: the next character is taken as it is
        } else if (text[i] == quote) {
          if (quote == '\'' && i + 1 < text.size() && text[i + 1] == '\'') {
            ++i;  // '' is a quote inside a single-quoted string
          } else {
            break;
          }
        }
      }
      if (i >= text.size())
        throw InputError({name, m.line + 1, m.column + 1}, "",
                         std::string("a quoted string starts here and is never closed: its "
                                     "closing ") +
                             (quote == '"' ? "\"" : "'") + " is missing");
      const int close_line = lines.line(i);
      if (close_line != m.line)
        throw InputError({name, m.line + 1, m.column + 1}, "",
                         std::string("a quoted string runs from here over ") +
                             std::to_string(close_line - m.line + 1) + " lines (to line " +
                             std::to_string(close_line + 1) + "): is its closing " +
                             (quote == '"' ? "\"" : "'") + " missing? (values are one line each)");
    }
  }
}

/// yaml-cpp's message for a key past its 1024-character limit ("end of map flow not found") does
/// not say what is wrong: point at the long line.
std::string long_line_hint(std::string_view text) {
  std::size_t line_start = 0;
  for (int line = 1; line_start <= text.size(); ++line) {
    std::size_t end = text.find('\n', line_start);
    if (end == std::string_view::npos) end = text.size();
    if (end - line_start > 1024)
      return "; line " + std::to_string(line) + " is " + std::to_string(end - line_start) +
             " characters long (YAML keys are limited to 1024)";
    line_start = end + 1;
  }
  return {};
}

/// The 1-based line of a second document with content (after a '---' or '...' marker that follows
/// content), or 0. Found in the text: yaml-cpp 0.7's LoadAll can loop forever on malformed input
/// (a fuzzer finding), and a document marker at column 0 cannot occur inside a one-document file.
int second_document_line(std::string_view text) {
  auto is_content = [](std::string_view line) {
    const auto first = line.find_first_not_of(" \t\r");
    return first != std::string_view::npos && line[first] != '#';
  };
  auto is_marker = [](std::string_view line) {
    return (line.substr(0, 3) == "---" || line.substr(0, 3) == "...") &&
           (line.size() == 3 || line[3] == ' ' || line[3] == '\t' || line[3] == '\r');
  };
  bool seen_content = false;
  bool after_marker = false;
  std::size_t start = 0;
  for (int line_no = 1; start <= text.size(); ++line_no) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(start, end - start);
    if (is_marker(line)) {
      if (seen_content) {
        if (is_content(line.substr(3))) return line_no;  // "--- {b: 2}" after content
        after_marker = true;
      } else if (is_content(line.substr(3))) {
        seen_content = true;  // "--- {a: 1}" opening the only document
      }
    } else if (line.substr(0, 1) != "%" && is_content(line)) {
      if (after_marker) return line_no;
      seen_content = true;
    }
    start = end + 1;
  }
  return 0;
}

}  // namespace

YamlDocument load_yaml_text(const std::string& text, const std::string& name) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::DeepRecursion& e) {  // yaml-cpp says only "bad file"
    throw InputError({name, e.mark.line + 1, e.mark.column + 1}, "",
                     "YAML nested too deeply (the parser stops at depth " +
                         std::to_string(e.depth()) + "; configuration files need a handful)");
  } catch (const YAML::ParserException& e) {
    throw InputError({name, e.mark.line + 1, e.mark.column + 1}, "",
                     "YAML syntax: " + e.msg + long_line_hint(text));
  } catch (const YAML::Exception& e) {
    throw InputError({name, e.mark.line + 1, e.mark.column + 1}, "", "YAML: " + e.msg);
  }
  if (const int second = second_document_line(text); second > 0)
    throw InputError({name, second, 1}, "",
                     "a second YAML document (after '---') is not read: put everything in one "
                     "document, or one document per file");
  check_quoted_scalars(root, text, name);
  return {name, std::make_shared<YAML::Node>(std::move(root))};
}

YamlDocument load_yaml_file(const std::string& path) {
  return load_yaml_text(read_input_file(path, "YAML file", 64u << 20), path);
}

namespace {

std::string node_kind_text(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Null:
      return "nothing (null)";
    case YAML::NodeType::Scalar:
      return "'" + excerpt(n.Scalar()) + "'";
    default:
      return "an undefined node";
  }
}

std::optional<std::int64_t> parse_integer(const std::string& s) {
  std::int64_t v = 0;
  const char* first = s.data();
  const char* last = s.data() + s.size();
  if (first != last && *first == '+') ++first;
  const auto [ptr, ec] = std::from_chars(first, last, v);
  if (ec != std::errc() || ptr != last || first == last) return std::nullopt;
  return v;
}

std::optional<double> parse_real(const std::string& s) {
  if (s.empty()) return std::nullopt;
  const char* first = s.data();
  const char* last = s.data() + s.size();
  if (*first == '+') ++first;
  double v = 0;
  const auto [ptr, ec] = std::from_chars(first, last, v);
  if (ec != std::errc() || ptr != last) return std::nullopt;
  return v;
}

/// Turn a YAML node into a Value of the kind the spec wants, or throw with what was found.
Value scalar_value(const YAML::Node& n, const ParamSpec& spec, const SourceLocation& where,
                   const std::string& path) {
  auto fail = [&]() -> Value {
    // A quoted scalar is a string in YAML: say so, or "found '8', expected integer" puzzles.
    const std::string found = n.IsScalar() && n.Tag() == "!"
                                  ? "\"" + excerpt(n.Scalar()) + "\" (quoted, so a string)"
                                  : node_kind_text(n);
    throw InputError(where, path, "found " + found + ", expected " + spec.allowed());
  };
  if (spec.kind == ParamKind::StringList) {
    if (!n.IsSequence()) return fail();
    std::vector<std::string> out;
    for (const auto& item : n) {
      if (!item.IsScalar())
        throw InputError(location_of(item, where.file), path,
                         "found " + node_kind_text(item) + " in the list, expected a string");
      out.push_back(item.Scalar());
    }
    return out;
  }
  if (!n.IsScalar()) return fail();
  const std::string& s = n.Scalar();
  const bool quoted = n.Tag() == "!";
  switch (spec.kind) {
    case ParamKind::Integer:
      if (!quoted) {
        if (auto i = parse_integer(s)) return *i;
        if (auto d = parse_real(s)) return *d;  // 1e3 is accepted when integral (coerce checks)
      }
      return fail();
    case ParamKind::Real:
      if (!quoted) {
        if (auto d = parse_real(s)) return *d;
      }
      return fail();
    case ParamKind::Boolean:
      if (!quoted && (s == "true" || s == "True")) return true;
      if (!quoted && (s == "false" || s == "False")) return false;
      return fail();
    case ParamKind::String:
    case ParamKind::Choice:
      return s;
    case ParamKind::StringList:
      break;
  }
  return fail();
}

class Walker {
 public:
  Walker(const Schema& schema, const std::string& file, const std::string& prefix,
         std::map<std::string, Value, std::less<>>& values,
         std::map<std::string, SourceLocation, std::less<>>& where)
      : schema_(schema), file_(file), prefix_(prefix), values_(values), where_(where) {}

  void walk(const YAML::Node& map, const std::string& section) {
    const std::string shown_section = shown(section);
    if (!map.IsMap())
      throw InputError(location_of(map, file_), shown_section,
                       "found " + node_kind_text(map) + ", expected a map of parameters");
    std::set<std::string> seen;
    for (const auto& kv : map) {
      const YAML::Node& key_node = kv.first;
      const YAML::Node& value_node = kv.second;
      const SourceLocation key_where = location_of(key_node, file_);
      if (!key_node.IsScalar())
        throw InputError(key_where, shown_section, "found a non-scalar key, expected a name");
      const std::string key = key_node.Scalar();
      const std::string full = section.empty() ? key : section + "." + key;
      if (!seen.insert(key).second)
        throw InputError(key_where, shown(full), "duplicate key (each key may appear once)");
      if (schema_.is_open_section(full)) continue;  // read by a dedicated reader
      // An empty value has no text of its own (yaml-cpp marks the next line): report it at its key.
      const SourceLocation value_where =
          value_node.IsNull() ? key_where : location_of(value_node, file_);
      if (const ParamSpec* spec = schema_.find(full)) {
        Value raw = scalar_value(value_node, *spec, value_where, shown(full));
        Value v = schema_.coerce(*spec, raw, value_where, shown(full));
        values_[full] = std::move(v);
        where_[full] = value_where;
        continue;
      }
      if (schema_.is_section(full)) {
        if (value_node.IsNull())
          throw InputError(value_where, shown(full),
                           "found nothing (null), expected a map of parameters");
        walk(value_node, full);
        continue;
      }
      // "unknown hardware key", not "... in hardware file": the map may sit inside another file.
      std::string msg = "unknown " + std::string(schema_.name()) + " key";
      if (const std::string s = schema_.suggest(full); !s.empty())
        msg += " (did you mean '" + shown(s) + "'?)";
      throw InputError(key_where, shown(full), msg);
    }
  }

 private:
  std::string shown(const std::string& key) const {
    if (prefix_.empty()) return key;
    return key.empty() ? prefix_ : prefix_ + "." + key;
  }

  const Schema& schema_;
  const std::string& file_;
  const std::string& prefix_;
  std::map<std::string, Value, std::less<>>& values_;
  std::map<std::string, SourceLocation, std::less<>>& where_;
};

}  // namespace

class ConfigReader {
 public:
  static Config read(const YAML::Node& node, const Schema& schema, const std::string& file,
                     const std::string& prefix) {
    Config out(&schema);
    Walker walker(schema, file, prefix, out.values_, out.where_);
    if (node.IsNull()) {
      // An empty document: only defaults.
    } else {
      walker.walk(node, "");
    }
    for (const auto& p : schema.params()) {
      if (out.values_.count(p.key)) continue;
      if (p.is_required()) {
        const std::string shown = prefix.empty() ? p.key : prefix + "." + p.key;
        throw InputError(location_of(node, file), shown,
                         "missing required parameter (" + p.allowed() + ")");
      }
      out.values_[p.key] = *p.default_value;
    }
    return out;
  }
  static Config defaults(const Schema& schema) {
    Config out(&schema);
    for (const auto& p : schema.params()) {
      if (p.is_required())
        throw InputError({"<defaults>", 0, 0}, p.key, "required parameter has no default");
      out.values_[p.key] = *p.default_value;
    }
    return out;
  }
};

Config read_config(const YAML::Node& node, const Schema& schema, const std::string& file,
                   const std::string& prefix) {
  return ConfigReader::read(node, schema, file, prefix);
}

Config default_config(const Schema& schema) {
  return ConfigReader::defaults(schema);
}

namespace {
// Reals in the reference are shown in their shortest round-trip form (0.6, not
// 0.59999999999999998).
std::string shown_default(const Value& v) {
  if (const auto* d = std::get_if<double>(&v)) return json_number(*d);
  return value_text(v);
}
}  // namespace

std::string schema_reference_markdown(const Schema& schema) {
  std::string out = "### `" + schema.name() + "`\n\n" + schema.doc() + "\n\n";
  out += "| key | type | unit | default | allowed | meaning |\n|---|---|---|---|---|---|\n";
  for (const auto& p : schema.params()) {
    out += "| `" + p.key + "` | " + std::string(kind_name(p.kind)) + " | " +
           (p.unit.empty() ? "–" : p.unit) + " | " +
           (p.is_required() ? "**required**" : "`" + shown_default(*p.default_value) + "`") +
           " | " + p.allowed() + " | " + p.doc + " |\n";
  }
  for (const auto& [prefix, doc] : schema.open_sections())
    out += "| `" + prefix + "` | section | – | – | see below | " + doc + " |\n";
  return out + "\n";
}

}  // namespace pade::core
