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

/// A table merge copies, and its columns (for per-campaign tables, after campaign_id). `source`
/// is the table read on an input when it differs from `name` (an input older than v5).
struct CopiedTable {
  std::string_view name;
  std::vector<std::string_view> columns;
  std::string_view source = {};
};

std::vector<std::string_view> concat(
    std::initializer_list<std::span<const std::string_view>> parts) {
  std::vector<std::string_view> out;
  for (const auto p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

/// The one list of copied columns, as an input of schema `version` has them. Shared tables first
/// (configurations before their parameters: foreign keys). Since v5 a configuration may be a
/// delta against a base: its rows are copied as stored (config_param_rows, base_hash,
/// canonical_delta); an older input's configurations are complete.
std::vector<CopiedTable> shared_tables(int version) {
  if (version < 5)
    return {
        {"configurations", {"hash", "canonical", "params_json"}},
        {"config_param_rows", {"hash", "key", "num", "text"}, "config_params"},
        {"benchmarks", {"name", "model", "task", "phase", "seq_len"}},
        {"stats_cache", {"key", "version", "payload", "created_at"}},
    };
  return {
      {"configurations", {"hash", "canonical", "params_json", "base_hash", "canonical_delta"}},
      {"config_param_rows", {"hash", "key", "num", "text"}},
      {"benchmarks", {"name", "model", "task", "phase", "seq_len"}},
      {"stats_cache", {"key", "version", "payload", "created_at"}},
  };
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
  const std::string_view source = table.source.empty() ? table.name : table.source;
  SQLite::Statement st(db, "SELECT " + column_list(table.columns) + " FROM " + std::string(source) +
                               (id >= 0 ? " WHERE campaign_id = ?" : ""));
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
  for (const auto& table : shared_tables(from.schema_version()))
    write_rows(db_, table, read_rows(connection(from), table));
  // A configuration whose base is itself a delta here (the output held the base already, as a
  // delta against another) cannot take its missing rows from the base: it gets them all, read
  // through the input's view (its canonical text follows the chain of deltas).
  SQLite::Statement chained(db_,
                            "SELECT x.hash FROM configurations x JOIN configurations b ON b.hash = "
                            "x.base_hash WHERE b.base_hash IS NOT NULL");
  std::vector<std::string> hashes;
  while (chained.executeStep()) hashes.push_back(chained.getColumn(0).getString());
  SQLite::Statement rows(connection(from),
                         "SELECT hash, key, num, text FROM config_params WHERE hash = ?");
  SQLite::Statement put(db_,
                        "INSERT OR IGNORE INTO config_param_rows(hash, key, num, text) "
                        "VALUES(?, ?, ?, ?)");
  for (const auto& h : hashes) {
    rows.bind(1, h);
    while (rows.executeStep()) {
      for (int c = 0; c < 4; ++c) {
        const SQLite::Column col = rows.getColumn(c);
        if (col.isNull())
          put.bind(c + 1);
        else if (c == 2)
          put.bind(c + 1, col.getDouble());
        else
          put.bind(c + 1, col.getString());
      }
      put.exec();
      put.reset();
    }
    rows.reset();
  }
  base_.reset();  // the base this store deltas against may have changed
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
