#pragma once
// The typed schema layer every YAML file of the product is read through.
//
// A Schema declares each parameter once: its dotted key (nesting in the YAML file), its type,
// unit, allowed range or choices, its default or that it is required, and what it means. Reading
// a YAML document against a schema yields a Config of validated values; anything else — an
// unknown key, a wrong type, a value out of range, a missing required key, a duplicate key — is one
// InputError naming file:line:column, the key path, what was found and what is allowed.
// `pade validate --explain` prints the schemas themselves, so the reference is never hand-kept.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/error.hpp"

namespace YAML {
class Node;
}

namespace pade::core {

enum class ParamKind { Integer, Real, Boolean, String, Choice, StringList };

using Value = std::variant<bool, std::int64_t, double, std::string, std::vector<std::string>>;

[[nodiscard]] std::string_view kind_name(ParamKind kind);
/// Canonical text of a value: integers exactly, reals with 17 significant digits (round-trips).
[[nodiscard]] std::string value_text(const Value& v);

/// One declared parameter. Built fluently: ParamSpec::integer("qk_pu.lanes").unit("lanes")...
struct ParamSpec {
  std::string key;
  ParamKind kind = ParamKind::Real;
  std::string unit;
  std::string doc;
  std::optional<double> min;
  std::optional<double> max;
  std::vector<std::string> choices;
  // Choice names that were renamed: (old, new). An old name is read as the new one, so files
  // written before the rename keep working; the reference and the errors list the new names only.
  std::vector<std::pair<std::string, std::string>> renamed_choices;
  std::optional<Value> default_value;  // nullopt: required
  bool identity = true;  // false: documentation-only (kind, name) — not part of the content hash
  // Set for a parameter added after configurations were first hashed: at this value it is left
  // out of the content hash, so the hash of every configuration written before it existed (which
  // meant this value) stays the same and stored campaigns keep resuming and merging.
  std::optional<Value> identity_implied;
  // Set for a parameter that only one mode of the design reads (e.g. the in-order array's tiles
  // in flight): part of the content hash only while parameter `first` holds `second`. In every
  // other mode the models ignore it, so its value does not make another design.
  std::optional<std::pair<std::string, Value>> identity_only_when;

  static ParamSpec integer(std::string key);
  static ParamSpec real(std::string key);
  static ParamSpec boolean(std::string key);
  static ParamSpec string(std::string key);
  static ParamSpec choice(std::string key, std::vector<std::string> choices);
  static ParamSpec string_list(std::string key);

  ParamSpec& with_unit(std::string u) {
    unit = std::move(u);
    return *this;
  }
  ParamSpec& describe(std::string d) {
    doc = std::move(d);
    return *this;
  }
  ParamSpec& range(double lo, double hi) {
    min = lo;
    max = hi;
    return *this;
  }
  ParamSpec& at_least(double lo) {
    min = lo;
    return *this;
  }
  ParamSpec& defaults(Value v) {
    default_value = std::move(v);
    return *this;
  }
  ParamSpec& required() {
    default_value.reset();
    return *this;
  }
  ParamSpec& not_identity() {
    identity = false;
    return *this;
  }

  [[nodiscard]] bool is_required() const { return !default_value.has_value(); }
  /// "integer in [1, 1024]", "one of: a, b", ... — used in error messages and the reference.
  [[nodiscard]] std::string allowed() const;
};

/// A named set of parameters. Keys are dotted paths; a YAML map nests them.
/// "Open" sections accept any key below them (values are kept as raw YAML for a later reader).
class Schema {
 public:
  Schema(std::string name, std::string doc);

  Schema& add(ParamSpec spec);
  /// A section (dotted prefix) whose content is read by a dedicated reader, not by this schema.
  Schema& open_section(std::string prefix, std::string doc);

  [[nodiscard]] const std::string& name() const { return name_; }
  [[nodiscard]] const std::string& doc() const { return doc_; }
  [[nodiscard]] const std::vector<ParamSpec>& params() const { return params_; }
  [[nodiscard]] const std::vector<std::pair<std::string, std::string>>& open_sections() const {
    return open_sections_;
  }
  [[nodiscard]] const ParamSpec* find(std::string_view key) const;
  [[nodiscard]] bool is_section(std::string_view prefix) const;
  [[nodiscard]] bool is_open_section(std::string_view key) const;
  /// The closest known key (for "did you mean"), or empty when none is close.
  [[nodiscard]] std::string suggest(std::string_view key) const;

  /// Check a value against a spec; throws InputError at `where` when it is not allowed.
  /// `shown_key` is the key path used in the message (defaults to spec.key).
  [[nodiscard]] Value coerce(const ParamSpec& spec, const Value& v, const SourceLocation& where,
                             std::string_view shown_key = {}) const;

 private:
  std::string name_;
  std::string doc_;
  std::vector<ParamSpec> params_;
  std::vector<std::pair<std::string, std::string>> open_sections_;
};

/// Validated values of one document (or of one design point). Value semantics; cheap to copy.
class Config {
 public:
  Config() = default;
  explicit Config(const Schema* schema) : schema_(schema) {}

  [[nodiscard]] std::int64_t integer(std::string_view key) const;
  [[nodiscard]] double real(std::string_view key) const;  // integers widen
  [[nodiscard]] bool boolean(std::string_view key) const;
  [[nodiscard]] const std::string& string(std::string_view key) const;
  [[nodiscard]] const std::vector<std::string>& string_list(std::string_view key) const;
  [[nodiscard]] const Value& value(std::string_view key) const;
  [[nodiscard]] bool has(std::string_view key) const;
  /// Where a value came from (the file position, or "<default>").
  [[nodiscard]] SourceLocation where(std::string_view key) const;

  /// Replace a value after validating it against the schema (design-space points use this).
  void set(std::string_view key, const Value& v, const SourceLocation& where);

  [[nodiscard]] const std::map<std::string, Value, std::less<>>& values() const { return values_; }
  [[nodiscard]] const Schema* schema() const { return schema_; }
  /// The identity parameters (sorted by key) with their values as text: what makes two
  /// configurations the same, and what the result store indexes a design by.
  [[nodiscard]] std::vector<std::pair<std::string, std::string>> identity_values() const;
  /// Sorted "key=value" lines of identity_values(), less parameters added later that hold the
  /// value earlier configurations implied (ParamSpec::identity_implied) and parameters of a mode
  /// the configuration is not in (ParamSpec::identity_only_when): the hashed text.
  [[nodiscard]] std::string canonical() const;
  /// Content hash of canonical(): 16 hex digits.
  [[nodiscard]] std::string hash() const;

 private:
  friend class ConfigReader;
  /// Whether parameter `condition.first` holds `condition.second` (its default when unset).
  [[nodiscard]] bool holds(const std::pair<std::string, Value>& condition) const;
  const Schema* schema_ = nullptr;
  std::map<std::string, Value, std::less<>> values_;
  std::map<std::string, SourceLocation, std::less<>> where_;
};

/// A YAML document loaded with its file name kept for error messages.
struct YamlDocument {
  std::string file;
  std::shared_ptr<YAML::Node> root;
};

[[nodiscard]] YamlDocument load_yaml_file(const std::string& path);
[[nodiscard]] YamlDocument load_yaml_text(const std::string& text, const std::string& name);
/// How a node reads in "found ..." messages: "a list", "a map", "nothing (null)", an excerpt of
/// a scalar in quotes ("\"8\" (quoted, so a string)" for a quoted one).
[[nodiscard]] std::string found_text(const YAML::Node& n);
[[nodiscard]] SourceLocation location_of(const YAML::Node& node, const std::string& file);

/// Read `node` (a YAML map) against `schema`. Unknown keys, type and range errors, duplicate
/// keys and missing required keys throw InputError. `prefix` is prepended to key paths in
/// messages when the map is nested inside a larger document.
[[nodiscard]] Config read_config(const YAML::Node& node, const Schema& schema,
                                 const std::string& file, const std::string& prefix = "");

/// Defaults only (every parameter must have one); throws InputError naming a required key.
[[nodiscard]] Config default_config(const Schema& schema);

/// A human-readable reference of a schema (markdown table), generated from the declarations.
[[nodiscard]] std::string schema_reference_markdown(const Schema& schema);

}  // namespace pade::core
