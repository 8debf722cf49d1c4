// The SQL behind the query tables and the report's tables (results/store_query.hpp).
#include "results/store_query.hpp"

#include <SQLiteCpp/Statement.h>

#include <algorithm>
#include <type_traits>

#include "core/error.hpp"
#include "results/store_sql.hpp"

namespace pade::results {

using core::metric::kEvaluationColumns;
using core::metric::kPointColumns;

void add_rows(SQLite::Statement& st, Table& table) {
  while (st.executeStep()) {
    std::vector<Cell> row;
    for (int c = 0; c < st.getColumnCount(); ++c) {
      const auto col = st.getColumn(c);
      if (col.isNull())
        row.push_back(Table::null_cell());
      else if (col.isInteger())
        row.push_back(Table::integer(col.getInt64()));
      else if (col.isFloat())
        row.push_back(Table::number(col.getDouble()));
      else
        row.push_back(Table::text(col.getString()));
    }
    table.add_row(std::move(row));
  }
}

Table sql_table(Store& store, const std::string& sql, std::span<const SqlValue> binds) {
  SQLite::Statement st(connection(store), sql);
  int i = 1;
  for (const auto& b : binds) {
    std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, std::monostate>)
            st.bind(i);
          else
            st.bind(i, v);
        },
        b);
    ++i;
  }
  std::vector<std::string> cols;
  for (int c = 0; c < st.getColumnCount(); ++c) cols.emplace_back(st.getColumnName(c));
  Table table(std::move(cols));
  add_rows(st, table);
  return table;
}

namespace {

/// An SQL identifier in double quotes; a quote inside is doubled, so no text can leave the quotes.
std::string quoted_identifier(const std::string& name) {
  std::string out = "\"";
  for (const char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

/// Whether the row's design meets the campaign's constraints: a point column, and for a
/// per-benchmark row the flag of its design's point at the same fidelity (NULL when none).
constexpr const char* kEvaluationFeasibleSql =
    "(SELECT fp.feasible FROM points fp WHERE fp.campaign_id = t.campaign_id AND "
    "fp.config_hash = t.config_hash AND fp.fidelity = t.fidelity)";

std::string column_expr(const std::string& c, bool points) {
  if (c == "campaign") return "c.name";
  if (c == "pareto_rank") return "p.rank";
  if (c == "pareto") return "CASE WHEN p.rank = 0 THEN 1 ELSE 0 END";
  if (c == "feasible" && !points) return kEvaluationFeasibleSql;
  return "t." + c;
}

bool is_query_column(const std::string& key, bool points) {
  const auto& all = query_columns(points);
  return std::find(all.begin(), all.end(), key) != all.end();
}

/// The condition of one filter: `numeric` compared with OP for < <= > >=; for = and != the value
/// is bound twice (as text, then as a number or NULL) and matches either form — written so that
/// a NULL never turns "!=" into "no row".
std::string filter_condition(const ParamFilter& f, const std::string& text,
                             const std::string& numeric) {
  if (f.op != "=" && f.op != "!=") return numeric + " " + f.op + " ?";
  const std::string equal = "(coalesce(" + text + " = ?, 0) OR coalesce(" + numeric + " = ?, 0))";
  return f.op == "=" ? equal : "NOT " + equal;
}

/// Every stored metric of a design's evaluations in long form (`pade show --all-metrics`):
/// metrics_json's keys, and for an evaluation stored as a summary (metrics_json NULL) its metric
/// columns, so a summary shows what it kept. `filter` narrows the campaigns (?2).
std::string metrics_long_sql(const std::string& filter) {
  std::string names, value = "CASE k.column1";
  for (const auto c : kEvaluationColumns) {
    names.append(names.empty() ? "" : ", ").append("('").append(c).append("')");
    value.append(" WHEN '").append(c).append("' THEN t.").append(c);
  }
  value += " END";
  const std::string from = " FROM evaluations t JOIN campaigns c ON c.id = t.campaign_id, ";
  return "SELECT campaign, benchmark, fidelity, metric, value FROM (SELECT c.id AS cid, c.name AS "
         "campaign, t.benchmark, t.fidelity, j.key AS metric, j.value" +
         from + "json_each(t.metrics_json) j WHERE t.config_hash = ?1" + filter +
         " UNION ALL SELECT c.id, c.name, t.benchmark, t.fidelity, k.column1, " + value + from +
         "(VALUES " + names + ") k WHERE t.config_hash = ?1 AND t.metrics_json IS NULL AND " +
         value + " IS NOT NULL" + filter + ") ORDER BY cid, benchmark, fidelity, metric";
}

std::vector<std::string> chosen_metrics(const DiffQuery& q) {
  return q.metrics.empty() ? std::vector<std::string>{"latency_s", "energy_j"} : q.metrics;
}
}  // namespace

const std::vector<std::string>& query_columns(bool suite_points) {
  static const std::vector<std::string> evaluation = [] {
    std::vector<std::string> c = {"campaign", "config_hash", "benchmark", "fidelity", "feasible"};
    c.insert(c.end(), kEvaluationColumns.begin(), kEvaluationColumns.end());
    c.insert(c.end(), {"pareto_rank", "pareto", "seq"});
    return c;
  }();
  static const std::vector<std::string> point = [] {
    std::vector<std::string> c = {"campaign", "config_hash", "fidelity", "feasible", "reason"};
    c.insert(c.end(), kPointColumns.begin(), kPointColumns.end());
    c.insert(c.end(), {"pareto_rank", "pareto", "seq"});
    return c;
  }();
  return suite_points ? point : evaluation;
}

const std::vector<std::string>& diff_metric_columns(bool by_config) {
  static const std::vector<std::string> per_benchmark(kEvaluationColumns.begin(),
                                                      kEvaluationColumns.end());
  static const std::vector<std::string> per_config(kPointColumns.begin(), kPointColumns.end());
  return by_config ? per_config : per_benchmark;
}

std::string query_sql(const EvaluationQuery& q) {
  const bool pts = q.suite_points;
  const auto& all = query_columns(pts);
  std::vector<std::string> cols = q.columns.empty() ? all : q.columns;
  std::string sql = "SELECT ";
  for (std::size_t i = 0; i < cols.size(); ++i)
    sql += (i ? ", " : "") + column_expr(cols[i], pts) + " AS " + quoted_identifier(cols[i]);
  for (const auto& pc : q.param_columns)
    sql +=
        ", (SELECT cp.text FROM config_params cp WHERE cp.hash = t.config_hash AND cp.key = ?) "
        "AS " +
        quoted_identifier(pc);
  sql += pts ? " FROM points t" : " FROM evaluations t";
  sql += " JOIN campaigns c ON c.id = t.campaign_id";
  sql +=
      " LEFT JOIN pareto p ON p.campaign_id = t.campaign_id AND p.config_hash = t.config_hash AND "
      "p.scope = ";
  sql += pts ? "'suite'" : "t.benchmark";
  sql += std::string(" AND ") + kAtFrontFidelitySql;
  sql += " WHERE 1 = 1";
  if (!q.campaign.empty()) sql += " AND c.name = ?";
  if (!q.benchmark.empty() && !pts) sql += " AND t.benchmark = ?";
  if (!q.fidelity.empty())
    sql += " AND t.fidelity = ?";
  else if (!q.all_fidelities)
    sql += std::string(" AND ") + kAtFrontFidelitySql;
  if (q.max_rank) sql += " AND p.rank <= ?";
  for (const auto& f : q.params) {
    if (is_query_column(f.key, pts)) {
      const std::string e = column_expr(f.key, pts);
      sql += " AND " + filter_condition(f, e, e);
      continue;
    }
    sql +=
        " AND EXISTS (SELECT 1 FROM config_params cp WHERE cp.hash = t.config_hash AND cp.key = ? "
        "AND " +
        filter_condition(f, "cp.text", "cp.num") + ")";
  }
  std::string sort = q.sort;
  bool desc = false;
  if (const auto pos = sort.find(':'); pos != std::string::npos) {
    desc = sort.substr(pos + 1) == "desc";
    sort = sort.substr(0, pos);
  }
  sql += " ORDER BY ";
  // A ranking puts the designs that meet the campaign's constraints first: the best infeasible
  // design is not an answer to "the five lowest-energy designs".
  if (!sort.empty() || q.top > 0) sql += "coalesce(" + column_expr("feasible", pts) + ", 1) DESC, ";
  if (!sort.empty()) sql += quoted_identifier(sort) + (desc ? " DESC" : " ASC") + ", ";
  sql += pts ? "c.id, t.seq" : "c.id, t.seq, t.benchmark, t.fidelity";
  if (q.top > 0) sql += " LIMIT " + std::to_string(q.top);
  return sql;
}

Table evaluation_table(Store& store, const EvaluationQuery& q) {
  SQLite::Statement st(connection(store), query_sql(q));
  int i = 1;
  for (const auto& pc : q.param_columns) st.bind(i++, pc);
  if (!q.campaign.empty()) st.bind(i++, q.campaign);
  if (!q.benchmark.empty() && !q.suite_points) st.bind(i++, q.benchmark);
  if (!q.fidelity.empty()) st.bind(i++, q.fidelity);
  if (q.max_rank) st.bind(i++, *q.max_rank);
  for (const auto& f : q.params) {
    if (!is_query_column(f.key, q.suite_points)) st.bind(i++, f.key);
    char* end = nullptr;
    const double num = std::strtod(f.value.c_str(), &end);
    const bool is_num = end != f.value.c_str() && *end == '\0';
    if (f.op != "=" && f.op != "!=") {
      if (!is_num)
        throw core::InputError("--where " + f.key + f.op + f.value + ": '" + f.value +
                               "' is not a number");
      st.bind(i++, num);
    } else {
      st.bind(i++, f.value);
      if (is_num)
        st.bind(i++, num);
      else
        st.bind(i++);
    }
  }
  std::vector<std::string> cols = q.columns.empty() ? query_columns(q.suite_points) : q.columns;
  cols.insert(cols.end(), q.param_columns.begin(), q.param_columns.end());
  Table table(std::move(cols));
  add_rows(st, table);
  return table;
}

std::string diff_sql(const DiffQuery& q) {
  const auto metrics = chosen_metrics(q);
  const std::string agg = q.aggregate;
  const auto side = [&](const char* id) {
    std::string s = "SELECT ";
    s += q.by_config ? "t.config_hash AS k" : "t.benchmark AS k";
    for (std::size_t i = 0; i < metrics.size(); ++i)
      s.append(", ")
          .append(agg)
          .append("(t.")
          .append(metrics[i])
          .append(") AS m")
          .append(std::to_string(i));
    s += q.by_config ? " FROM points t" : " FROM evaluations t";
    s += std::string(" WHERE t.campaign_id = ") + id + " AND (?3 IS NULL OR t.fidelity = ?3)";
    // Per benchmark, only designs that meet the campaign's constraints count.
    if (!q.by_config)
      s += " AND EXISTS (SELECT 1 FROM points p WHERE p.campaign_id = t.campaign_id AND "
           "p.config_hash = "
           "t.config_hash AND p.fidelity = t.fidelity AND p.feasible = 1)";
    s += " GROUP BY k";
    return s;
  };
  std::string sql = "WITH a AS (" + side("?1") + "), b AS (" + side("?2") +
                    "), keys AS (SELECT k FROM a UNION SELECT k FROM b) SELECT keys.k AS " +
                    (q.by_config ? "config_hash" : "benchmark");
  for (std::size_t i = 0; i < metrics.size(); ++i) {
    // Appended piece by piece: GCC 12 warns falsely (-Wrestrict) on `"m" + std::to_string(i)`.
    const std::string m = std::string("m").append(std::to_string(i));
    sql.append(", a.").append(m).append(" AS \"").append(metrics[i]).append("_a\", b.").append(m);
    sql.append(" AS \"").append(metrics[i]).append("_b\", b.").append(m).append(" / a.").append(m);
    sql.append(" AS \"").append(metrics[i]).append("_ratio\"");
  }
  sql += " FROM keys LEFT JOIN a ON a.k = keys.k LEFT JOIN b ON b.k = keys.k ORDER BY keys.k";
  return sql;
}

Table diff_table(Store& store, const DiffQuery& q, std::int64_t a, std::int64_t b) {
  const std::vector<SqlValue> binds = {a, b,
                                       q.fidelity.empty() ? SqlValue{} : SqlValue{q.fidelity}};
  return sql_table(store, diff_sql(q), binds);
}

std::vector<std::pair<std::string, Table>> design_tables(Store& store, const std::string& hash,
                                                         const std::string& campaign,
                                                         bool all_metrics) {
  std::vector<std::pair<std::string, Table>> sections;
  // Every campaign filter is the same clause; ?2 is the campaign name or NULL for all.
  const std::string in_campaign = " AND (?2 IS NULL OR c.name = ?2)";
  const std::vector<SqlValue> binds = {hash, campaign.empty() ? SqlValue{} : SqlValue{campaign}};
  sections.emplace_back(
      "parameters",
      sql_table(store, "SELECT key, text AS value FROM config_params WHERE hash = ?1 ORDER BY key",
                std::span(binds).first(1)));
  const std::string campaigns_of =
      "(SELECT campaign_id FROM evaluations WHERE config_hash = ?1 UNION SELECT campaign_id FROM "
      "points "
      "WHERE config_hash = ?1)";
  sections.emplace_back(
      "campaigns",
      sql_table(
          store,
          "SELECT c.name AS campaign, c.strategy, c.seed, c.status, c.created_at, c.finished_at "
          "FROM campaigns c WHERE c.id IN " +
              campaigns_of + in_campaign + " ORDER BY c.id",
          binds));
  sections.emplace_back(
      "points",
      sql_table(
          store,
          "SELECT c.name AS campaign, t.fidelity, t.feasible, t.reason, " +
              column_list(kPointColumns, "t.") +
              ", p.rank AS pareto_rank FROM points t "
              "JOIN campaigns c ON c.id = t.campaign_id LEFT JOIN pareto p ON p.campaign_id = "
              "t.campaign_id AND p.config_hash = t.config_hash AND p.scope = 'suite' "
              "WHERE t.config_hash = ?1" +
              in_campaign + " ORDER BY c.id, t.fidelity",
          binds));
  sections.emplace_back(
      "evaluations",
      sql_table(
          store,
          "SELECT c.name AS campaign, t.benchmark, t.fidelity, " +
              column_list(kEvaluationColumns, "t.") +
              ", p.rank AS pareto_rank "
              "FROM evaluations t JOIN campaigns c ON c.id = t.campaign_id LEFT JOIN pareto p ON "
              "p.campaign_id = t.campaign_id AND p.config_hash = t.config_hash AND p.scope = "
              "t.benchmark "
              "WHERE t.config_hash = ?1" +
              in_campaign + " ORDER BY c.id, t.benchmark, t.fidelity",
          binds));
  if (all_metrics)
    sections.emplace_back("metrics", sql_table(store, metrics_long_sql(in_campaign), binds));
  sections.emplace_back(
      "provenance",
      sql_table(store,
                "SELECT c.name AS campaign, v.key, v.value FROM provenance v JOIN campaigns c ON "
                "c.id = v.campaign_id WHERE c.id IN " +
                    campaigns_of + in_campaign + " ORDER BY c.id, v.key",
                binds));
  return sections;
}

Table campaigns_table(Store& store) {
  return sql_table(store,
                   "SELECT c.name AS campaign, c.strategy, c.seed, c.status, "
                   "c.created_at, c.finished_at, "
                   "(SELECT count(*) FROM points p WHERE p.campaign_id = c.id) AS "
                   "designs, (SELECT count(*) "
                   "FROM evaluations e WHERE e.campaign_id = c.id) AS evaluations FROM "
                   "campaigns c ORDER BY c.id");
}

Table benchmark_summary_table(Store& store, std::int64_t cid, const std::string& fidelity) {
  const std::vector<SqlValue> binds = {cid, fidelity};
  return sql_table(
      store,
      "SELECT t.benchmark, t.fidelity, b.model, b.phase, b.seq_len, count(DISTINCT t.config_hash) "
      "AS designs, min(t.latency_s) AS best_latency_s, min(t.energy_j) AS best_energy_j, "
      "avg(t.kept_fraction) AS mean_kept_fraction, max(t.accuracy_loss) AS worst_accuracy_loss, "
      "(SELECT count(*) FROM pareto p WHERE p.campaign_id = t.campaign_id AND p.scope = "
      "t.benchmark AND p.rank = 0) AS front_size FROM evaluations t LEFT JOIN benchmarks b ON "
      "b.name = t.benchmark WHERE t.campaign_id = ?1 AND (?2 = '' OR t.fidelity = ?2) "
      "GROUP BY t.benchmark, t.fidelity ORDER BY t.benchmark, t.fidelity",
      binds);
}

Table provenance_table(Store& store, std::int64_t cid) {
  const std::vector<SqlValue> id = {cid};
  return sql_table(store, "SELECT key, value FROM provenance WHERE campaign_id = ? ORDER BY key",
                   id);
}

}  // namespace pade::results
