#pragma once
// Tabular output shared by every verb with `--format table|csv|json`.
#include <ostream>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace pade::results {

enum class Format { Table, Csv, Json };
/// core::InputError when unknown, listing the formats, reported at `origin`.
[[nodiscard]] Format parse_format(const std::string& name, const core::NameOrigin& origin = {});

/// A number written with `significant` significant digits ("%g"); text that is not wholly a
/// number comes back unchanged.
[[nodiscard]] std::string short_number(const std::string& text, int significant);

struct Cell {
  std::string text;
  bool numeric = false;  // JSON writes it unquoted; tables right-align it
  bool null = false;
};

class Table {
 public:
  explicit Table(std::vector<std::string> columns) : columns_(std::move(columns)) {}
  void add_row(std::vector<Cell> row) { rows_.push_back(std::move(row)); }
  [[nodiscard]] const std::vector<std::string>& columns() const { return columns_; }
  [[nodiscard]] const std::vector<std::vector<Cell>>& rows() const { return rows_; }
  void write(std::ostream& out, Format format) const;
  /// A two-column name/value table: JSON as one object {name: value, ...}; table and CSV as usual.
  void write_fields(std::ostream& out, Format format) const;

  static Cell text(std::string s) { return Cell{std::move(s), false, false}; }
  static Cell number(double v);
  static Cell integer(long long v) { return Cell{std::to_string(v), true, false}; }
  static Cell null_cell() { return Cell{"", false, true}; }

 private:
  std::vector<std::string> columns_;
  std::vector<std::vector<Cell>> rows_;
};

}  // namespace pade::results
