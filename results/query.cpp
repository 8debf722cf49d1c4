#include "results/query.hpp"

#include <SQLiteCpp/Statement.h>

#include <algorithm>
#include <cctype>
#include <sstream>
#include <type_traits>

#include "core/error.hpp"
#include "core/json.hpp"

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
  throw core::InputError("--where '" + text +
                         "': expected KEY OP VALUE with OP one of = != < <= > >= "
                         "(e.g. qk_pu.lanes_per_row>=16)");
}

namespace {

const std::vector<std::string>& evaluation_columns() {
  static const std::vector<std::string> cols = {
      "campaign",      "config_hash", "benchmark",   "fidelity", "latency_cycles",
      "latency_s",     "energy_j",    "area_mm2",    "power_w",  "kept_fraction",
      "accuracy_loss", "dram_bytes",  "pareto_rank", "pareto",   "seq"};
  return cols;
}
const std::vector<std::string>& point_columns() {
  static const std::vector<std::string> cols = {
      "campaign", "config_hash", "fidelity",      "feasible",    "reason", "latency_s", "energy_j",
      "area_mm2", "power_w",     "accuracy_loss", "pareto_rank", "pareto", "seq"};
  return cols;
}

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

/// An SQL identifier in double quotes; a quote inside is doubled, so no text can leave the quotes.
std::string quoted_identifier(const std::string& name) {
  std::string out = "\"";
  for (const char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

/// Parameter keys are dotted words ("qk_pu.lanes_per_row"); anything else is refused before any
/// SQL is built from it.
void check_parameter_key(const std::string& option, const std::string& key) {
  const bool ok =
      !key.empty() && key.size() <= 128 && std::all_of(key.begin(), key.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.';
      });
  if (!ok)
    throw core::InputError(option + ": '" + key.substr(0, 64) +
                           "' is not a parameter key (letters, digits, '_' and '.', e.g. "
                           "qk_pu.lanes_per_row)");
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
  if (!q.fidelity.empty()) sql += " AND t.fidelity = ?";
  if (q.max_rank) sql += " AND p.rank <= ?";
  for (const auto& f : q.params) {
    const bool numeric = f.op != "=" && f.op != "!=";
    sql +=
        " AND EXISTS (SELECT 1 FROM config_params cp WHERE cp.hash = t.config_hash AND cp.key = ? "
        "AND ";
    sql += numeric ? "cp.num " + f.op + " ?"
                   : "(cp.text " + f.op + " ? " + (f.op == "=" ? "OR" : "AND") + " cp.num " + f.op +
                         " ?)";
    sql += ")";
  }
  std::string sort = q.sort;
  bool desc = false;
  if (const auto pos = sort.find(':'); pos != std::string::npos) {
    desc = sort.substr(pos + 1) == "desc";
    sort = sort.substr(0, pos);
  }
  sql += " ORDER BY ";
  if (!sort.empty()) sql += quoted_identifier(sort) + (desc ? " DESC" : " ASC") + ", ";
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
      throw core::InputError("--columns: unknown column '" + c + "' (expected some of: " + allowed +
                             ")");
    }
  for (const auto& pc : q.param_columns) check_parameter_key("--param", pc);
  for (const auto& f : q.params) check_parameter_key("--where", f.key);
  if (!q.param_columns.empty() || !q.params.empty()) {
    std::vector<std::string> known;
    SQLite::Statement keys(store.db(), "SELECT DISTINCT key FROM config_params ORDER BY key");
    while (keys.executeStep()) known.push_back(keys.getColumn(0).getString());
    auto require_known = [&](const std::string& option, const std::string& key) {
      if (known.empty() || std::binary_search(known.begin(), known.end(), key)) return;
      std::string best;
      std::size_t best_d = 4;  // suggest only close names
      for (const auto& k : known)
        if (const std::size_t d = core::edit_distance(k, key); d < best_d) {
          best_d = d;
          best = k;
        }
      throw core::InputError(option + ": no configuration in " + store.path() +
                             " has a parameter '" + key + "'" +
                             (best.empty() ? std::string() : " (did you mean '" + best + "'?)"));
    };
    for (const auto& pc : q.param_columns) require_known("--param", pc);
    for (const auto& f : q.params) require_known("--where", f.key);
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
  Table table(cols);
  add_rows(st, table);
  return table;
}

// --- plain SQL
// ------------------------------------------------------------------------------------

Table sql_table(Store& store, const std::string& sql, std::span<const SqlValue> binds) {
  SQLite::Statement st(store.db(), sql);
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

std::string campaign_name(Store& store, std::int64_t id) {
  SQLite::Statement st(store.db(), "SELECT name FROM campaigns WHERE id = ?");
  st.bind(1, id);
  return st.executeStep() ? st.getColumn(0).getString() : std::string();
}

std::int64_t campaign_id_or_latest(Store& store, const std::string& name) {
  if (!name.empty()) {
    const auto c = store.find_campaign(name);
    if (!c) {
      std::string known;
      for (const auto& k : store.campaigns()) known += (known.empty() ? "" : ", ") + k.name;
      throw core::InputError(
          "--campaign: no campaign named '" + name + "' in " + store.path() +
          (known.empty() ? std::string(" (it holds none)") : " (it holds: " + known + ")"));
    }
    return c->id;
  }
  const auto all = store.campaigns();
  if (all.empty())
    throw core::InputError({store.path(), 0, 0}, "", "the database holds no campaign");
  return all.back().id;
}

std::vector<std::string> swept_parameters(Store& store, std::int64_t campaign_id) {
  SQLite::Statement st(
      store.db(),
      "SELECT key FROM config_params WHERE hash IN (SELECT config_hash FROM points WHERE "
      "campaign_id = ?) GROUP BY key HAVING count(DISTINCT text) > 1 ORDER BY key");
  st.bind(1, campaign_id);
  std::vector<std::string> out;
  while (st.executeStep()) out.push_back(st.getColumn(0).getString());
  return out;
}

// --- show
// -----------------------------------------------------------------------------------------

std::string resolve_config_hash(Store& store, const std::string& prefix) {
  const bool hex = !prefix.empty() && std::all_of(prefix.begin(), prefix.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  });
  if (!hex)
    throw core::InputError("configuration hash '" + prefix +
                           "': expected hexadecimal digits (a hash or a prefix of one, "
                           "as `pade query` prints in config_hash)");
  std::string lower = prefix;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  SQLite::Statement st(store.db(),
                       "SELECT hash FROM configurations WHERE substr(hash, 1, length(?1)) = ?1 "
                       "ORDER BY hash LIMIT 6");
  st.bind(1, lower);
  std::vector<std::string> found;
  while (st.executeStep()) found.push_back(st.getColumn(0).getString());
  if (found.empty())
    throw core::InputError({store.path(), 0, 0}, "",
                           "no configuration's hash starts with '" + prefix + "'");
  if (found.size() > 1) {
    std::string list;
    for (std::size_t i = 0; i < found.size() && i < 5; ++i) list += (i ? ", " : "") + found[i];
    throw core::InputError({store.path(), 0, 0}, "",
                           "hash prefix '" + prefix + "' is ambiguous: it matches " + list +
                               (found.size() > 5 ? ", …" : "") + "; give more digits");
  }
  return found.front();
}

DesignView show_design(Store& store, const std::string& hash_prefix, const std::string& campaign,
                       bool all_metrics) {
  DesignView v;
  v.hash = resolve_config_hash(store, hash_prefix);
  if (!campaign.empty()) (void)campaign_id_or_latest(store, campaign);  // unknown name: InputError
  {
    SQLite::Statement st(store.db(), "SELECT canonical FROM configurations WHERE hash = ?");
    st.bind(1, v.hash);
    if (st.executeStep()) v.canonical = st.getColumn(0).getString();
  }
  // Every campaign filter is the same clause; ?2 is the campaign name or NULL for all.
  const std::string in_campaign = " AND (?2 IS NULL OR c.name = ?2)";
  const std::vector<SqlValue> binds = {v.hash, campaign.empty() ? SqlValue{} : SqlValue{campaign}};
  v.sections.emplace_back(
      "parameters",
      sql_table(store, "SELECT key, text AS value FROM config_params WHERE hash = ?1 ORDER BY key",
                std::span(binds).first(1)));
  const std::string campaigns_of =
      "(SELECT campaign_id FROM evaluations WHERE config_hash = ?1 UNION SELECT campaign_id FROM "
      "points "
      "WHERE config_hash = ?1)";
  v.sections.emplace_back(
      "campaigns",
      sql_table(
          store,
          "SELECT c.name AS campaign, c.strategy, c.seed, c.status, c.created_at, c.finished_at "
          "FROM campaigns c WHERE c.id IN " +
              campaigns_of + in_campaign + " ORDER BY c.id",
          binds));
  v.sections.emplace_back(
      "points",
      sql_table(
          store,
          "SELECT c.name AS campaign, t.fidelity, t.feasible, t.reason, t.latency_s, t.energy_j, "
          "t.area_mm2, t.power_w, t.accuracy_loss, p.rank AS pareto_rank FROM points t "
          "JOIN campaigns c ON c.id = t.campaign_id LEFT JOIN pareto p ON p.campaign_id = "
          "t.campaign_id AND p.config_hash = t.config_hash AND p.scope = 'suite' "
          "WHERE t.config_hash = ?1" +
              in_campaign + " ORDER BY c.id, t.fidelity",
          binds));
  v.sections.emplace_back(
      "evaluations",
      sql_table(store,
                "SELECT c.name AS campaign, t.benchmark, t.fidelity, t.latency_cycles, "
                "t.latency_s, t.energy_j, "
                "t.area_mm2, t.power_w, t.kept_fraction, t.accuracy_loss, t.dram_bytes, p.rank AS "
                "pareto_rank "
                "FROM evaluations t JOIN campaigns c ON c.id = t.campaign_id LEFT JOIN pareto p ON "
                "p.campaign_id = t.campaign_id AND p.config_hash = t.config_hash AND p.scope = "
                "t.benchmark "
                "WHERE t.config_hash = ?1" +
                    in_campaign + " ORDER BY c.id, t.benchmark, t.fidelity",
                binds));
  if (all_metrics)
    v.sections.emplace_back(
        "metrics",
        sql_table(store,
                  "SELECT c.name AS campaign, t.benchmark, t.fidelity, j.key AS metric, j.value "
                  "FROM evaluations t JOIN campaigns c ON c.id = t.campaign_id, "
                  "json_each(t.metrics_json) j "
                  "WHERE t.config_hash = ?1" +
                      in_campaign + " ORDER BY c.id, t.benchmark, t.fidelity, j.key",
                  binds));
  v.sections.emplace_back(
      "provenance",
      sql_table(store,
                "SELECT c.name AS campaign, v.key, v.value FROM provenance v JOIN campaigns c ON "
                "c.id = v.campaign_id WHERE c.id IN " +
                    campaigns_of + in_campaign + " ORDER BY c.id, v.key",
                binds));
  return v;
}

void write_sections(std::ostream& out, Format format,
                    std::span<const std::pair<std::string, Table>> sections,
                    std::span<const std::pair<std::string, std::string>> header) {
  switch (format) {
    case Format::Json: {
      core::JsonWriter w(true);
      w.begin_object();
      for (const auto& [k, v] : header) w.key(k).value(v);
      for (const auto& [name, table] : sections) {
        std::ostringstream ss;
        table.write(ss, Format::Json);
        std::string text = ss.str();
        while (!text.empty() && text.back() == '\n') text.pop_back();
        w.key(name).raw(text);
      }
      w.end_object();
      out << w.str() << '\n';
      return;
    }
    case Format::Csv:
      for (const auto& [k, v] : header) out << "# " << k << ": " << v << '\n';
      for (const auto& [name, table] : sections) {
        out << "# " << name << '\n';
        table.write(out, Format::Csv);
        out << '\n';
      }
      return;
    case Format::Table:
      for (const auto& [k, v] : header) out << k << ": " << v << '\n';
      for (const auto& [name, table] : sections) {
        out << "\n== " << name << " (" << table.rows().size() << ") ==\n";
        if (table.rows().empty())
          out << "(none)\n";
        else
          table.write(out, Format::Table);
      }
      return;
  }
}

// --- diff
// -----------------------------------------------------------------------------------------

namespace {
const std::vector<std::string>& diff_metrics(bool by_config) {
  static const std::vector<std::string> per_benchmark = {
      "latency_cycles", "latency_s",     "energy_j",      "area_mm2",
      "power_w",        "kept_fraction", "accuracy_loss", "dram_bytes"};
  static const std::vector<std::string> per_config = {"latency_s", "energy_j", "area_mm2",
                                                      "power_w", "accuracy_loss"};
  return by_config ? per_config : per_benchmark;
}
std::vector<std::string> chosen_metrics(const DiffQuery& q) {
  return q.metrics.empty() ? std::vector<std::string>{"latency_s", "energy_j"} : q.metrics;
}
}  // namespace

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

Table run_diff(Store& store, const DiffQuery& q) {
  const auto& allowed = diff_metrics(q.by_config);
  for (const auto& m : chosen_metrics(q))
    if (std::find(allowed.begin(), allowed.end(), m) == allowed.end()) {
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      throw core::InputError("--metric: '" + m + "' is not a " +
                             (q.by_config ? "suite-point" : "per-benchmark") +
                             " metric (expected one of: " + list + ")");
    }
  if (q.aggregate != "min" && q.aggregate != "max" && q.aggregate != "avg")
    throw core::InputError("--aggregate: '" + q.aggregate + "' (expected min, max or avg)");
  if (q.campaign_a.empty() || q.campaign_b.empty())
    throw core::InputError("diff: name two campaigns");
  const std::vector<SqlValue> binds = {campaign_id_or_latest(store, q.campaign_a),
                                       campaign_id_or_latest(store, q.campaign_b),
                                       q.fidelity.empty() ? SqlValue{} : SqlValue{q.fidelity}};
  return sql_table(store, diff_sql(q), binds);
}

}  // namespace pade::results
