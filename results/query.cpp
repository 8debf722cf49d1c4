#include "results/query.hpp"

#include <SQLiteCpp/Statement.h>

#include <algorithm>

#include "core/error.hpp"

namespace pade::results {

ParamFilter parse_param_filter(const std::string& text) {
  static const char* const kOps[] = {">=", "<=", "!=", "=", ">", "<"};
  for (const char* op : kOps) {
    const auto pos = text.find(op);
    if (pos == std::string::npos || pos == 0) continue;
    ParamFilter f{text.substr(0, pos), op, text.substr(pos + std::string(op).size())};
    if (f.value.empty()) break;
    return f;
  }
  throw core::InputError("--where '" + text + "': expected KEY OP VALUE with OP one of = != < <= > >= "
                         "(e.g. qk_pu.lanes_per_row>=16)");
}

namespace {

const std::vector<std::string>& evaluation_columns() {
  static const std::vector<std::string> cols = {
      "campaign", "config_hash", "benchmark", "fidelity", "latency_cycles", "latency_s", "energy_j", "area_mm2",
      "power_w", "kept_fraction", "accuracy_loss", "dram_bytes", "pareto_rank", "pareto", "seq"};
  return cols;
}
const std::vector<std::string>& point_columns() {
  static const std::vector<std::string> cols = {"campaign", "config_hash", "fidelity", "feasible", "reason",
                                                "latency_s", "energy_j", "area_mm2", "power_w", "accuracy_loss",
                                                "pareto_rank", "pareto", "seq"};
  return cols;
}

std::string column_expr(const std::string& c, bool points) {
  if (c == "campaign") return "c.name";
  if (c == "pareto_rank") return "p.rank";
  if (c == "pareto") return "CASE WHEN p.rank = 0 THEN 1 ELSE 0 END";
  return std::string(points ? "t." : "t.") + c;
}

}  // namespace

std::string query_sql(const EvaluationQuery& q) {
  const bool pts = q.suite_points;
  const auto& all = pts ? point_columns() : evaluation_columns();
  std::vector<std::string> cols = q.columns.empty() ? all : q.columns;
  std::string sql = "SELECT ";
  for (std::size_t i = 0; i < cols.size(); ++i) sql += (i ? ", " : "") + column_expr(cols[i], pts) + " AS \"" + cols[i] + "\"";
  for (const auto& pc : q.param_columns)
    sql += ", (SELECT cp.text FROM config_params cp WHERE cp.hash = t.config_hash AND cp.key = ?) AS \"" + pc + "\"";
  sql += pts ? " FROM points t" : " FROM evaluations t";
  sql += " JOIN campaigns c ON c.id = t.campaign_id";
  sql += " LEFT JOIN pareto p ON p.campaign_id = t.campaign_id AND p.config_hash = t.config_hash AND p.scope = ";
  sql += pts ? "'suite'" : "t.benchmark";
  sql += " WHERE 1 = 1";
  if (!q.campaign.empty()) sql += " AND c.name = ?";
  if (!q.benchmark.empty() && !pts) sql += " AND t.benchmark = ?";
  if (!q.fidelity.empty()) sql += " AND t.fidelity = ?";
  if (q.max_rank) sql += " AND p.rank <= ?";
  for (const auto& f : q.params) {
    const bool numeric = f.op != "=" && f.op != "!=";
    sql += " AND EXISTS (SELECT 1 FROM config_params cp WHERE cp.hash = t.config_hash AND cp.key = ? AND ";
    sql += numeric ? "cp.num " + f.op + " ?" : "(cp.text " + f.op + " ? " + (f.op == "=" ? "OR" : "AND") + " cp.num " + f.op + " ?)";
    sql += ")";
  }
  std::string sort = q.sort;
  bool desc = false;
  if (const auto pos = sort.find(':'); pos != std::string::npos) {
    desc = sort.substr(pos + 1) == "desc";
    sort = sort.substr(0, pos);
  }
  sql += " ORDER BY ";
  if (!sort.empty()) sql += "\"" + sort + "\"" + (desc ? " DESC" : " ASC") + ", ";
  sql += pts ? "c.id, t.seq" : "c.id, t.seq, t.benchmark, t.fidelity";
  if (q.top > 0) sql += " LIMIT " + std::to_string(q.top);
  return sql;
}

Table run_query(Store& store, const EvaluationQuery& q) {
  const auto& all = q.suite_points ? point_columns() : evaluation_columns();
  for (const auto& c : q.columns)
    if (std::find(all.begin(), all.end(), c) == all.end()) {
      std::string allowed;
      for (const auto& a : all) allowed += (allowed.empty() ? "" : ", ") + a;
      throw core::InputError("--columns: unknown column '" + c + "' (expected some of: " + allowed + ")");
    }
  std::vector<std::string> cols = q.columns.empty() ? all : q.columns;
  for (const auto& pc : q.param_columns) cols.push_back(pc);
  if (!q.sort.empty()) {
    const std::string s = q.sort.substr(0, q.sort.find(':'));
    if (std::find(cols.begin(), cols.end(), s) == cols.end())
      throw core::InputError("--sort: '" + s + "' is not one of the selected columns");
  }
  if (!q.campaign.empty() && !store.find_campaign(q.campaign))
    throw core::InputError("--campaign: no campaign named '" + q.campaign + "' in " + store.path());

  SQLite::Statement st(store.db(), query_sql(q));
  int i = 1;
  for (const auto& pc : q.param_columns) st.bind(i++, pc);
  if (!q.campaign.empty()) st.bind(i++, q.campaign);
  if (!q.benchmark.empty() && !q.suite_points) st.bind(i++, q.benchmark);
  if (!q.fidelity.empty()) st.bind(i++, q.fidelity);
  if (q.max_rank) st.bind(i++, *q.max_rank);
  for (const auto& f : q.params) {
    st.bind(i++, f.key);
    char* end = nullptr;
    const double num = std::strtod(f.value.c_str(), &end);
    const bool is_num = end != f.value.c_str() && *end == '\0';
    if (f.op != "=" && f.op != "!=") {
      if (!is_num) throw core::InputError("--where " + f.key + f.op + f.value + ": '" + f.value + "' is not a number");
      st.bind(i++, num);
    } else {
      st.bind(i++, f.value);
      if (is_num) st.bind(i++, num);
      else st.bind(i++);
    }
  }
  Table table(cols);
  while (st.executeStep()) {
    std::vector<Cell> row;
    for (int c = 0; c < st.getColumnCount(); ++c) {
      const auto col = st.getColumn(c);
      if (col.isNull()) row.push_back(Table::null_cell());
      else if (col.isInteger()) row.push_back(Table::integer(col.getInt64()));
      else if (col.isFloat()) row.push_back(Table::number(col.getDouble()));
      else row.push_back(Table::text(col.getString()));
    }
    table.add_row(std::move(row));
  }
  return table;
}

}  // namespace pade::results
