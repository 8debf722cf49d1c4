#pragma once
// Suite-level results of one design, as the campaign runner computes them. The runner keeps its
// aggregation private (dse/runner.cpp, `aggregate` and CampaignRun::make_point); these are the
// same rules, for the binding's evaluate() and Study, until the library offers them publicly —
// then this file goes and the binding calls the library.
#include <span>
#include <string>

#include "core/metrics.hpp"
#include "dse/campaign.hpp"
#include "results/store.hpp"

namespace pade::python {

/// The suite objectives campaigns store (dse::objective_aggregation documents each rule):
/// geometric-mean latency, summed energy, largest area, power and accuracy loss.
[[nodiscard]] core::Metrics suite_metrics(std::span<const core::Metrics> per_benchmark);

/// The point a campaign stores for one design: suite metrics and feasibility under the
/// campaign's constraints, with the reason text the runner writes.
[[nodiscard]] results::PointRecord suite_point(const dse::Campaign& campaign,
                                               std::span<const core::Metrics> per_benchmark);

}  // namespace pade::python
