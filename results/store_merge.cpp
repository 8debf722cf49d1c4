// Copying rows between databases for `pade merge` (dse/merge.cpp decides what to merge; the rows
// move here). Each input is read through its own read-only connection and written into the
// output inside the caller's transaction, so any number of inputs fits in one transaction (an
// ATTACH could not be made inside it).
#include <SQLiteCpp/Statement.h>
#include <sqlite3.h>

#include "results/store.hpp"
#include "results/store_sql.hpp"

namespace pade::results {

namespace {

using core::metric::kEvaluationColumns;
using core::metric::kPointColumns;

/// A table merge copies, and its columns (for per-campaign tables, after campaign_id).
struct CopiedTable {
  std::string_view name;
  std::vector<std::string_view> columns;
};

std::vector<std::string_view> concat(
    std::initializer_list<std::span<const std::string_view>> parts) {
  std::vector<std::string_view> out;
  for (const auto p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

/// The one list of copied columns. Shared tables first (configurations before their parameters:
/// foreign keys).
const std::vector<CopiedTable>& shared_tables() {
  static const std::vector<CopiedTable> t = {
      {"configurations", {"hash", "canonical", "params_json"}},
      {"config_params", {"hash", "key", "num", "text"}},
      {"benchmarks", {"name", "model", "task", "phase", "seq_len"}},
      {"stats_cache", {"key", "version", "payload", "created_at"}},
  };
  return t;
}
const CopiedTable& evaluations_table() {
  static constexpr std::string_view head[] = {"config_hash", "benchmark", "fidelity"};
  static constexpr std::string_view tail[] = {"metrics_json", "seq", "created_at"};
  static const CopiedTable t{"evaluations", concat({head, kEvaluationColumns, tail})};
  return t;
}
const CopiedTable& points_table() {
  static constexpr std::string_view head[] = {"config_hash", "seq", "fidelity", "feasible",
                                              "reason"};
  static constexpr std::string_view tail[] = {"objectives_json"};
  static const CopiedTable t{"points", concat({head, kPointColumns, tail})};
  return t;
}

/// One column value as read from an input, to be bound unchanged into the output.
struct Value {
  int type = SQLITE_NULL;
  std::int64_t integer = 0;
  double real = 0;
  std::string bytes;  // TEXT or BLOB
};
using Row = std::vector<Value>;

/// Every row of `table` on an input (of campaign `id` when id >= 0).
std::vector<Row> read_rows(SQLite::Database& db, const CopiedTable& table, std::int64_t id = -1) {
  SQLite::Statement st(db, "SELECT " + column_list(table.columns) + " FROM " +
                               std::string(table.name) + (id >= 0 ? " WHERE campaign_id = ?" : ""));
  if (id >= 0) st.bind(1, id);
  std::vector<Row> rows;
  while (st.executeStep()) {
    Row row(static_cast<std::size_t>(st.getColumnCount()));
    for (int c = 0; c < st.getColumnCount(); ++c) {
      const SQLite::Column col = st.getColumn(c);
      Value& v = row[static_cast<std::size_t>(c)];
      v.type = col.getType();
      if (v.type == SQLITE_INTEGER) v.integer = col.getInt64();
      if (v.type == SQLITE_FLOAT) v.real = col.getDouble();
      if (v.type == SQLITE_TEXT || v.type == SQLITE_BLOB)
        v.bytes.assign(static_cast<const char*>(col.getBlob()),
                       static_cast<std::size_t>(col.getBytes()));
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

void bind_value(SQLite::Statement& st, int index, const Value& v) {
  switch (v.type) {
    case SQLITE_INTEGER:
      st.bind(index, v.integer);
      break;
    case SQLITE_FLOAT:
      st.bind(index, v.real);
      break;
    case SQLITE_TEXT:
      st.bind(index, v.bytes);
      break;
    case SQLITE_BLOB:
      st.bind(index, v.bytes.data(), static_cast<int>(v.bytes.size()));
      break;
    default:
      st.bind(index);
  }
}

/// Insert each row into the output, keeping rows it has; `id` >= 0 is the campaign id there.
void write_rows(SQLite::Database& db, const CopiedTable& table, const std::vector<Row>& rows,
                std::int64_t id = -1) {
  std::string sql = "INSERT OR IGNORE INTO " + std::string(table.name) + "(" +
                    (id >= 0 ? "campaign_id, " : "") + column_list(table.columns) + ") VALUES(" +
                    (id >= 0 ? "?," : "");
  for (std::size_t i = 0; i < table.columns.size(); ++i) sql += i ? ",?" : "?";
  SQLite::Statement st(db, sql + ")");
  for (const auto& row : rows) {
    int i = 1;
    if (id >= 0) st.bind(i++, id);
    for (const auto& v : row) bind_value(st, i++, v);
    st.exec();
    st.reset();
  }
}

std::size_t column_index(const CopiedTable& table, std::string_view name) {
  for (std::size_t i = 0; i < table.columns.size(); ++i)
    if (table.columns[i] == name) return i;
  return table.columns.size();
}

}  // namespace

void Store::copy_shared_rows(Store& from) {
  for (const auto& table : shared_tables())
    write_rows(db_, table, read_rows(connection(from), table));
}

void Store::copy_campaign_rows(Store& from, std::int64_t from_id, std::int64_t to_id) {
  for (const CopiedTable* table : {&evaluations_table(), &points_table()})
    write_rows(db_, *table, read_rows(connection(from), *table, from_id), to_id);
}

std::optional<PointConflict> Store::first_conflicting_point(Store& from, std::int64_t from_id,
                                                            std::int64_t to_id) {
  const CopiedTable& t = points_table();
  const std::size_t hash = column_index(t, "config_hash"), seq = column_index(t, "seq"),
                    fidelity = column_index(t, "fidelity"), feasible = column_index(t, "feasible"),
                    objectives = column_index(t, "objectives_json");
  SQLite::Statement same(db_,
                         "SELECT objectives_json, seq, feasible FROM points WHERE "
                         "campaign_id = ? AND config_hash = ? AND fidelity = ?");
  for (const auto& p : read_rows(connection(from), t, from_id)) {
    same.bind(1, to_id);
    bind_value(same, 2, p[hash]);
    bind_value(same, 3, p[fidelity]);
    if (same.executeStep() && (same.getColumn(0).getString() != p[objectives].bytes ||
                               same.getColumn(1).getInt64() != p[seq].integer ||
                               same.getColumn(2).getInt64() != p[feasible].integer))
      return PointConflict{p[hash].bytes, p[fidelity].bytes};
    same.reset();
  }
  return std::nullopt;
}

}  // namespace pade::results
