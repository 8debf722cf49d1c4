#pragma once
// The tables the queries (`pade query`, `pade diff`, `pade show`) and the report show, read by
// the store (results/store_query.cpp holds their SQL). The option checks are query.cpp's.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "results/query.hpp"
#include "results/store.hpp"
#include "results/table.hpp"

namespace pade::results {

/// The columns `pade query` selects: per evaluation, or per point (`suite_points`).
[[nodiscard]] const std::vector<std::string>& query_columns(bool suite_points);
/// The metrics `pade diff` compares: per benchmark (the evaluation columns) or per
/// configuration (the point columns).
[[nodiscard]] const std::vector<std::string>& diff_metric_columns(bool by_config);

/// The rows of a checked evaluation query (query_sql with its values bound).
[[nodiscard]] Table evaluation_table(Store& store, const EvaluationQuery& q);
/// The rows of a checked diff between campaigns `a` and `b` (diff_sql).
[[nodiscard]] Table diff_table(Store& store, const DiffQuery& q, std::int64_t a, std::int64_t b);
/// The sections of `pade show` for one design: parameters, campaigns, points, evaluations, the
/// metrics in long form (`all_metrics`), provenance. `campaign` empty: every campaign.
[[nodiscard]] std::vector<std::pair<std::string, Table>> design_tables(Store& store,
                                                                       const std::string& hash,
                                                                       const std::string& campaign,
                                                                       bool all_metrics);

// --- the report's tables -------------------------------------------------------------------------
/// Every campaign with its design and evaluation counts.
[[nodiscard]] Table campaigns_table(Store& store);
/// Per benchmark and fidelity (only `fidelity` when not empty): model, phase, length, designs,
/// best latency and energy, mean kept fraction, worst accuracy loss, front size. (The front
/// table is results/decision.hpp's front_designs_table: one row per design.)
[[nodiscard]] Table benchmark_summary_table(Store& store, std::int64_t campaign_id,
                                            const std::string& fidelity = "");
/// The campaign's provenance (key, value).
[[nodiscard]] Table provenance_table(Store& store, std::int64_t campaign_id);

}  // namespace pade::results
