// The store's typed readers: evaluations, points with their ranks, benchmarks, configurations and
// their parameters — what the queries, the figures and the report read.
#include <SQLiteCpp/Statement.h>

#include <functional>
#include <tuple>

#include "results/store.hpp"
#include "results/store_sql.hpp"

namespace pade::results {

namespace {

using core::metric::kEvaluationColumns;
using core::metric::kPointColumns;

template <std::size_t N>
core::Metrics metrics_from_columns(SQLite::Statement& st, int first,
                                   const std::array<std::string_view, N>& names) {
  core::Metrics m;
  for (std::size_t k = 0; k < N; ++k) {
    const auto col = st.getColumn(first + static_cast<int>(k));
    if (!col.isNull()) m.set(names[k], col.getDouble());
  }
  return m;
}

EvaluationRecord evaluation_head(SQLite::Statement& st) {
  EvaluationRecord e;
  e.campaign_id = st.getColumn(0).getInt64();
  e.config_hash = st.getColumn(1).getString();
  e.benchmark = st.getColumn(2).getString();
  e.fidelity = st.getColumn(3).getString();
  e.seq = st.getColumn(4).getInt64();
  return e;
}

/// The evaluations of `where` (binding ?1.. as given), each with every metric of metrics_json
/// (one row per metric from json_each, grouped back into one record per evaluation). For the
/// metrics stored as columns the column is read, as the queries do.
std::vector<EvaluationRecord> evaluations_with_json(Store& store, const std::string& where,
                                                    const std::string& order,
                                                    std::span<const SqlValue> binds) {
  const std::string sql = "SELECT t.campaign_id, t.config_hash, t.benchmark, t.fidelity, t.seq, " +
                          column_list(kEvaluationColumns, "t.") +
                          ", j.key, j.value, t.rowid FROM evaluations t LEFT JOIN "
                          "json_each(t.metrics_json) j WHERE " +
                          where + " ORDER BY " + order + ", t.rowid, j.key";
  SQLite::Statement st(connection(store), sql);
  for (std::size_t i = 0; i < binds.size(); ++i)
    std::visit(
        [&](const auto& v) {
          if constexpr (std::is_same_v<std::decay_t<decltype(v)>, std::monostate>)
            st.bind(static_cast<int>(i + 1));
          else
            st.bind(static_cast<int>(i + 1), v);
        },
        binds[i]);
  const int key_col = 5 + static_cast<int>(kEvaluationColumns.size());
  std::vector<EvaluationRecord> out;
  std::int64_t rowid = -1;
  while (st.executeStep()) {
    if (st.getColumn(key_col + 2).getInt64() != rowid) {
      rowid = st.getColumn(key_col + 2).getInt64();
      out.push_back(evaluation_head(st));
      out.back().metrics = metrics_from_columns(st, 5, kEvaluationColumns);
    }
    if (st.getColumn(key_col).isNull() || st.getColumn(key_col + 1).isNull()) continue;
    const std::string key = st.getColumn(key_col).getString();
    if (!core::metric::is_column(kEvaluationColumns, key))
      out.back().metrics.set(key, st.getColumn(key_col + 1).getDouble());
  }
  return out;
}

/// Which evaluations EvaluationFilter selects (?1 campaign, ?2 design or '', ?3 fidelity or ''),
/// and their order.
constexpr const char* kEvaluationWhere =
    "t.campaign_id = ?1 AND (?2 = '' OR t.config_hash = ?2) AND (?3 = '' OR t.fidelity = ?3)";
constexpr const char* kEvaluationOrder = "t.seq, t.benchmark, t.fidelity";

}  // namespace

std::vector<EvaluationRecord> Store::evaluations(std::int64_t campaign_id,
                                                 const EvaluationFilter& filter) {
  if (filter.all_metrics) {
    const SqlValue binds[] = {campaign_id, filter.config_hash, filter.fidelity};
    return evaluations_with_json(*this, kEvaluationWhere, kEvaluationOrder, binds);
  }
  std::vector<EvaluationRecord> out;
  for_each_evaluation(campaign_id, filter, [&](const EvaluationRecord& e) { out.push_back(e); });
  return out;
}

void Store::for_each_evaluation(std::int64_t campaign_id, const EvaluationFilter& filter,
                                const std::function<void(const EvaluationRecord&)>& visit) {
  if (filter.all_metrics) {
    for (const auto& e : evaluations(campaign_id, filter)) visit(e);
    return;
  }
  SQLite::Statement st(db_,
                       "SELECT t.campaign_id, t.config_hash, t.benchmark, t.fidelity, t.seq, " +
                           column_list(kEvaluationColumns, "t.") + " FROM evaluations t WHERE " +
                           kEvaluationWhere + " ORDER BY " + kEvaluationOrder);
  st.bind(1, campaign_id);
  st.bind(2, filter.config_hash);
  st.bind(3, filter.fidelity);
  while (st.executeStep()) {
    EvaluationRecord e = evaluation_head(st);
    e.metrics = metrics_from_columns(st, 5, kEvaluationColumns);
    visit(e);
  }
}

std::optional<EvaluationRecord> Store::first_evaluation(std::int64_t campaign_id,
                                                        const std::string& config_hash,
                                                        const std::string& fidelity) {
  const SqlValue binds[] = {campaign_id, config_hash, fidelity};
  auto out = evaluations_with_json(
      *this,
      "t.rowid = (SELECT min(rowid) FROM evaluations WHERE campaign_id = ?1 AND (?2 = '' OR "
      "config_hash = ?2) AND (?3 = '' OR fidelity = ?3))",
      "t.seq", binds);
  if (out.empty()) return std::nullopt;
  return std::move(out.front());
}

bool Store::any_evaluation_reports(std::int64_t campaign_id, const std::string& metric) {
  std::string expr = "json_extract(metrics_json, '$.\"' || ?2 || '\"')";
  for (const auto c : kEvaluationColumns)
    if (c == metric) expr = std::string(c);
  SQLite::Statement st(
      db_, "SELECT 1 FROM evaluations WHERE campaign_id = ?1 AND " + expr + " IS NOT NULL LIMIT 1");
  st.bind(1, campaign_id);
  if (expr != metric) st.bind(2, metric);
  return st.executeStep();
}

std::vector<PointRecord> Store::points(std::int64_t campaign_id) {
  std::vector<PointRecord> out;
  for_each_point(campaign_id, [&](const PointRecord& p) { out.push_back(p); });
  return out;
}

void Store::for_each_point(std::int64_t campaign_id,
                           const std::function<void(const PointRecord&)>& visit) {
  SQLite::Statement st(db_, "SELECT campaign_id, config_hash, seq, fidelity, feasible, reason, " +
                                column_list(kPointColumns) +
                                " FROM points WHERE campaign_id = ? ORDER BY seq, fidelity");
  st.bind(1, campaign_id);
  PointRecord p;
  while (st.executeStep()) {
    p.campaign_id = st.getColumn(0).getInt64();
    p.config_hash = st.getColumn(1).getString();
    p.seq = st.getColumn(2).getInt64();
    p.fidelity = st.getColumn(3).getString();
    p.feasible = st.getColumn(4).getInt() != 0;
    p.reason = st.getColumn(5).getString();
    p.objectives = metrics_from_columns(st, 6, kPointColumns);
    visit(p);
  }
}

std::vector<RankedPoint> Store::ranked_points(std::int64_t campaign_id) {
  SQLite::Statement st(
      db_, "SELECT t.campaign_id, t.config_hash, t.seq, t.fidelity, t.feasible, t.reason, " +
               column_list(kPointColumns, "t.") + ", p.rank, " + kAtFrontFidelitySql +
               " FROM points t LEFT JOIN pareto p ON p.campaign_id = t.campaign_id AND "
               "p.config_hash = t.config_hash AND p.scope = 'suite' WHERE t.campaign_id = ? "
               "ORDER BY t.seq, t.fidelity, t.config_hash");
  st.bind(1, campaign_id);
  const int rank_col = 6 + static_cast<int>(kPointColumns.size());
  std::vector<RankedPoint> out;
  while (st.executeStep()) {
    RankedPoint r;
    r.point.campaign_id = st.getColumn(0).getInt64();
    r.point.config_hash = st.getColumn(1).getString();
    r.point.seq = st.getColumn(2).getInt64();
    r.point.fidelity = st.getColumn(3).getString();
    r.point.feasible = st.getColumn(4).getInt() != 0;
    r.point.reason = st.getColumn(5).getString();
    r.point.objectives = metrics_from_columns(st, 6, kPointColumns);
    if (!st.getColumn(rank_col).isNull()) r.suite_rank = st.getColumn(rank_col).getInt();
    r.at_front_fidelity = st.getColumn(rank_col + 1).getInt() != 0;
    out.push_back(std::move(r));
  }
  return out;
}

namespace {
std::int64_t count_rows(SQLite::Database& db, const char* table, std::int64_t campaign_id) {
  SQLite::Statement st(db, std::string("SELECT count(*) FROM ") + table + " WHERE campaign_id = ?");
  st.bind(1, campaign_id);
  st.executeStep();
  return st.getColumn(0).getInt64();
}
}  // namespace

std::int64_t Store::count_points(std::int64_t campaign_id) {
  return count_rows(db_, "points", campaign_id);
}

std::int64_t Store::count_evaluations(std::int64_t campaign_id) {
  return count_rows(db_, "evaluations", campaign_id);
}

std::vector<BenchmarkRecord> Store::benchmarks() {
  SQLite::Statement st(db_,
                       "SELECT name, model, task, phase, seq_len FROM benchmarks ORDER BY name");
  std::vector<BenchmarkRecord> out;
  while (st.executeStep())
    out.push_back({st.getColumn(0).getString(), st.getColumn(1).getString(),
                   st.getColumn(2).getString(), st.getColumn(3).getString(),
                   st.getColumn(4).getInt64()});
  return out;
}

std::optional<std::string> Store::canonical_configuration(const std::string& hash) {
  // Since v5 a configuration may be a delta against a base (a merge may chain them).
  const bool deltas = schema_version() >= 5;
  SQLite::Statement st(db_, deltas ? "SELECT canonical, base_hash, canonical_delta FROM "
                                     "configurations WHERE hash = ?"
                                   : "SELECT canonical FROM configurations WHERE hash = ?");
  st.bind(1, hash);
  if (!st.executeStep()) return std::nullopt;
  if (!deltas || st.getColumn(1).isNull()) return st.getColumn(0).getString();
  const std::string base = st.getColumn(1).getString(), delta = st.getColumn(2).getString();
  st.reset();
  if (base == hash) return std::nullopt;  // a damaged row: never loop
  const auto base_text = canonical_configuration(base);
  if (!base_text) return std::nullopt;
  return apply_canonical_delta(*base_text, delta);
}

bool Store::stores_summary(std::int64_t campaign_id) {
  SQLite::Statement st(
      db_, "SELECT 1 FROM evaluations WHERE campaign_id = ? AND metrics_json IS NULL LIMIT 1");
  st.bind(1, campaign_id);
  return st.executeStep();
}

std::vector<std::string> Store::config_hashes_with_prefix(const std::string& prefix,
                                                          std::size_t limit) {
  SQLite::Statement st(db_,
                       "SELECT hash FROM configurations WHERE substr(hash, 1, length(?1)) = ?1 "
                       "ORDER BY hash LIMIT ?2");
  st.bind(1, prefix);
  st.bind(2, static_cast<std::int64_t>(limit));
  std::vector<std::string> out;
  while (st.executeStep()) out.push_back(st.getColumn(0).getString());
  return out;
}

std::vector<std::string> Store::parameter_keys() {
  SQLite::Statement st(db_, "SELECT DISTINCT key FROM config_params ORDER BY key");
  std::vector<std::string> out;
  while (st.executeStep()) out.push_back(st.getColumn(0).getString());
  return out;
}

DesignParameters Store::design_parameters(std::int64_t campaign_id) {
  SQLite::Statement st(db_,
                       "SELECT hash, key, num, text FROM config_params WHERE hash IN (SELECT "
                       "config_hash FROM points WHERE campaign_id = ?1 UNION SELECT config_hash "
                       "FROM evaluations WHERE campaign_id = ?1) ORDER BY hash, key");
  st.bind(1, campaign_id);
  DesignParameters out;
  while (st.executeStep()) {
    ParamValue v;
    if (!st.getColumn(2).isNull()) v.num = st.getColumn(2).getDouble();
    v.text = st.getColumn(3).getString();
    out[st.getColumn(0).getString()][st.getColumn(1).getString()] = std::move(v);
  }
  return out;
}

std::vector<std::string> Store::swept_parameters(std::int64_t campaign_id) {
  SQLite::Statement st(
      db_,
      "SELECT key FROM config_params WHERE hash IN (SELECT config_hash FROM points WHERE "
      "campaign_id = ?) GROUP BY key HAVING count(DISTINCT text) > 1 ORDER BY key");
  st.bind(1, campaign_id);
  std::vector<std::string> out;
  while (st.executeStep()) out.push_back(st.getColumn(0).getString());
  return out;
}

}  // namespace pade::results
