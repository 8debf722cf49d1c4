#include "results/table.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "core/json.hpp"

namespace pade::results {

Format parse_format(const std::string& name, const core::NameOrigin& origin) {
  if (name == "table") return Format::Table;
  if (name == "csv") return Format::Csv;
  if (name == "json") return Format::Json;
  static const std::vector<std::string> kNames{"table", "csv", "json"};
  throw core::unknown_name("format", name, kNames, origin);
}

Cell Table::number(double v) {
  if (!std::isfinite(v)) return null_cell();
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  Cell c{buf, true, false};
  // JSON and CSV keep full precision; the table shows 6 significant digits.
  c.text = core::json_number(v);
  return c;
}

namespace {
std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (const char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}
}  // namespace

std::string short_number(const std::string& text, int significant) {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || *end != '\0') return text;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.*g", significant, v);
  return buf;
}

void Table::write(std::ostream& out, Format format) const {
  switch (format) {
    case Format::Csv: {
      for (std::size_t i = 0; i < columns_.size(); ++i)
        out << (i ? "," : "") << csv_field(columns_[i]);
      out << '\n';
      for (const auto& row : rows_) {
        for (std::size_t i = 0; i < row.size(); ++i)
          out << (i ? "," : "") << (row[i].null ? "" : csv_field(row[i].text));
        out << '\n';
      }
      return;
    }
    case Format::Json: {
      core::JsonWriter w(true);
      w.begin_array();
      for (const auto& row : rows_) {
        w.begin_object();
        for (std::size_t i = 0; i < row.size() && i < columns_.size(); ++i) {
          w.key(columns_[i]);
          if (row[i].null)
            w.null();
          else if (row[i].numeric)
            w.raw(row[i].text);
          else
            w.value(row[i].text);
        }
        w.end_object();
      }
      w.end_array();
      out << w.str() << '\n';
      return;
    }
    case Format::Table: {
      std::vector<std::vector<std::string>> shown;
      std::vector<std::size_t> width(columns_.size());
      for (std::size_t i = 0; i < columns_.size(); ++i) width[i] = columns_[i].size();
      for (const auto& row : rows_) {
        std::vector<std::string> s;
        for (std::size_t i = 0; i < row.size() && i < columns_.size(); ++i) {
          s.push_back(row[i].null      ? "-"
                      : row[i].numeric ? short_number(row[i].text, 6)
                                       : row[i].text);
          width[i] = std::max(width[i], s.back().size());
        }
        shown.push_back(std::move(s));
      }
      for (std::size_t i = 0; i < columns_.size(); ++i) {
        out << (i ? "  " : "") << columns_[i] << std::string(width[i] - columns_[i].size(), ' ');
      }
      out << '\n';
      for (std::size_t r = 0; r < shown.size(); ++r) {
        for (std::size_t i = 0; i < shown[r].size(); ++i) {
          const std::string pad(width[i] - shown[r][i].size(), ' ');
          out << (i ? "  " : "") << (rows_[r][i].numeric ? pad + shown[r][i] : shown[r][i] + pad);
        }
        out << '\n';
      }
      return;
    }
  }
}

void Table::write_fields(std::ostream& out, Format format) const {
  if (format != Format::Json) {
    write(out, format);
    return;
  }
  core::JsonWriter w(true);
  w.begin_object();
  for (const auto& row : rows_) {
    w.key(row.at(0).text);
    const Cell& v = row.at(1);
    if (v.null)
      w.null();
    else if (v.numeric)
      w.raw(v.text);
    else
      w.value(v.text);
  }
  w.end_object();
  out << w.str() << '\n';
}

}  // namespace pade::results
