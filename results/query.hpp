#pragma once
// Queries over a results database, as tables. The store runs them (results/store_query.cpp) as
// plain SQL over the documented schema, so `pade query` returns what sqlite3 or pandas would.
#include <cstdint>
#include <optional>
#include <ostream>
#include <span>
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
  // Scope. By default a query reads the database's latest campaign at that campaign's front
  // fidelity (the rows its Pareto ranks are taken at), as the guides say; the flags widen it.
  std::string campaign;         // empty: the latest campaign (or every one with all_campaigns)
  bool all_campaigns = false;   // every campaign, each at its front fidelity unless all_fidelities
  std::string benchmark;        // empty: all
  std::string fidelity;         // empty: the campaign's front fidelity (or every one, below)
  bool all_fidelities = false;  // every fidelity a campaign stored
  bool suite_points =
      false;  // one row per configuration (suite aggregates) instead of per benchmark
  std::optional<int> max_rank;  // keep rows whose Pareto rank (in their scope) is <= this
  // Filters: a key that is one of the query's columns (feasible, energy_j, …) filters on that
  // column; any other key is a configuration parameter (config_params).
  std::vector<ParamFilter> params;
  std::vector<std::string> param_columns;  // add these configuration parameters as columns
  std::vector<std::string> columns;        // restrict to these columns (empty: all)
  std::string sort;                        // column, optional ":desc"; feasible designs first
  std::size_t top = 0;                     // 0: no limit
};

/// Run the query; InputError (with a did-you-mean) for unknown campaigns, columns, parameters or
/// malformed filters. An empty `campaign` is resolved to the latest one unless all_campaigns.
[[nodiscard]] Table run_query(Store& store, EvaluationQuery q);
/// Name the latest campaign in `q.campaign` when it names none and all_campaigns is off (nothing
/// when the database holds no campaign); InputError for an unknown campaign name.
void resolve_scope(Store& store, EvaluationQuery& q);
/// One line naming what a query read (campaign, fidelity, benchmark, filters), for the notes the
/// command line prints on stderr, e.g. when no row matched.
[[nodiscard]] std::string describe_scope(const EvaluationQuery& q);
/// The SQL text the query runs (with ? placeholders) — shown by `pade query --sql`.
[[nodiscard]] std::string query_sql(const EvaluationQuery& q);

/// The campaign's id by name, or the latest campaign when `name` is empty. InputError when the
/// name is unknown or the database holds no campaign.
[[nodiscard]] std::int64_t campaign_id_or_latest(Store& store, const std::string& name);
/// The name of campaign `id` (empty when there is none).
[[nodiscard]] std::string campaign_name(Store& store, std::int64_t id);
/// Configuration parameters that take more than one value among the campaign's points.
[[nodiscard]] std::vector<std::string> swept_parameters(Store& store, std::int64_t campaign_id);

// --- pade show
// ------------------------------------------------------------------------------------

/// The full hash of the configuration whose hash starts with `prefix`; InputError when no
/// configuration or more than one matches (the message lists candidates).
[[nodiscard]] std::string resolve_config_hash(Store& store, const std::string& prefix);

struct DesignView {
  std::string hash;
  std::string canonical;  // the canonical parameter text the hash is taken of
  std::vector<std::pair<std::string, Table>>
      sections;  // parameters, campaigns, points, evaluations, …
};
/// One design: its parameters, the campaigns that evaluated it with their provenance, its
/// suite-level points and per-benchmark metrics (all metrics of metrics_json in long form when
/// `all_metrics`). `campaign` (optional) restricts to one campaign.
[[nodiscard]] DesignView show_design(Store& store, const std::string& hash_prefix,
                                     const std::string& campaign, bool all_metrics);
/// Write named tables: headed blocks (table), `# name` blocks (csv) or one JSON object.
void write_sections(std::ostream& out, Format format,
                    std::span<const std::pair<std::string, Table>> sections,
                    std::span<const std::pair<std::string, std::string>> header = {});

// --- pade diff
// ------------------------------------------------------------------------------------

struct DiffQuery {
  std::string campaign_a;
  std::string campaign_b;
  bool by_config =
      false;  // false: one row per benchmark; true: one row per configuration (suite points)
  std::vector<std::string> metrics;  // empty: latency_s, energy_j
  std::string aggregate = "min";     // min | max | avg over the configurations of a benchmark
  std::string fidelity;              // empty: every fidelity
};
/// Two campaigns side by side: for each benchmark (aggregated over the campaign's feasible
/// configurations) or each configuration, METRIC_a, METRIC_b and METRIC_ratio = b / a.
/// Keys present in one campaign only have NULLs on the other side.
[[nodiscard]] Table run_diff(Store& store, const DiffQuery& q);
/// The SQL run_diff executes (?1 = id of A, ?2 = id of B, ?3 = fidelity).
[[nodiscard]] std::string diff_sql(const DiffQuery& q);

}  // namespace pade::results
