#pragma once
// Queries over a results database, as tables. Everything here is plain SQL over the documented
// schema, so `pade query` returns what sqlite3 or pandas would.
#include <optional>
#include <string>
#include <vector>

#include "results/store.hpp"
#include "results/table.hpp"

namespace pade::results {

struct ParamFilter {
  std::string key;  // a configuration parameter, e.g. qk_pu.lanes_per_row
  std::string op;   // = != < <= > >=
  std::string value;
};
/// Parse "key>=value" (also =, !=, <, <=, >); InputError when malformed.
[[nodiscard]] ParamFilter parse_param_filter(const std::string& text);

struct EvaluationQuery {
  std::string campaign;   // empty: all campaigns
  std::string benchmark;  // empty: all
  std::string fidelity;   // empty: all
  bool suite_points = false;  // one row per configuration (suite aggregates) instead of per benchmark
  std::optional<int> max_rank;  // keep rows whose Pareto rank (in their scope) is <= this
  std::vector<ParamFilter> params;
  std::vector<std::string> param_columns;  // add these configuration parameters as columns
  std::vector<std::string> columns;        // restrict to these columns (empty: all)
  std::string sort;        // column, optional ":desc"
  std::size_t top = 0;     // 0: no limit
};

/// Run the query; InputError for unknown campaigns, columns or malformed filters.
[[nodiscard]] Table run_query(Store& store, const EvaluationQuery& q);
/// The SQL text the query runs (with ? placeholders) — shown by `pade query --sql`.
[[nodiscard]] std::string query_sql(const EvaluationQuery& q);

}  // namespace pade::results
