#pragma once
// A small JSON writer (output only): the product prints JSON for `--format json` and stores
// metric maps as JSON text in SQLite. Reading JSON is left to users' tools (jq, pandas).
#include <cstdint>
#include <string>
#include <string_view>

namespace pade::core {

[[nodiscard]] std::string json_escape(std::string_view s);  // with the surrounding quotes
[[nodiscard]] std::string json_number(double v);            // finite: %.17g trimmed; else null

/// Streaming writer with automatic commas. Usage:
///   JsonWriter w; w.begin_object(); w.key("a"); w.value(1.0); w.end_object(); w.str();
class JsonWriter {
 public:
  explicit JsonWriter(bool pretty = false) : pretty_(pretty) {}
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view k);
  JsonWriter& value(double v);
  JsonWriter& value(std::int64_t v);
  JsonWriter& value(int v) { return value(static_cast<std::int64_t>(v)); }
  JsonWriter& value(bool v);
  JsonWriter& value(std::string_view v);
  JsonWriter& value(const char* v) { return value(std::string_view(v)); }
  JsonWriter& null();
  JsonWriter& raw(std::string_view json);  // an already-serialized value
  [[nodiscard]] const std::string& str() const { return out_; }

 private:
  void before_value();
  void newline();
  std::string out_;
  std::string stack_;  // 'o' / 'a' per open container
  bool first_ = true;
  bool after_key_ = false;
  bool pretty_ = false;
};

}  // namespace pade::core
