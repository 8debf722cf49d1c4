#pragma once
// The report as a decision aid: which designs of a campaign's Pareto front to recommend, and why.
//
// Objectives are normalized to [0, 1] over the suite Pareto front at the front's fidelity
// ((v - min) / (max - min), 0 when every front design has the same value), so the ideal point is
// the origin. The balanced design is the front design nearest the ideal point (Euclidean
// distance in that space); the best design per objective is the front design with the lowest
// value (every front design satisfies the campaign's constraints); the design nearest the paper's
// point minimizes the Euclidean distance in normalized parameter space (each numeric parameter
// the campaign sweeps scaled by its swept range, a word parameter 0 when equal and 1 otherwise).
// The computation (recommend) is pure; decision_input and explain_design read the store.
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/metrics.hpp"
#include "results/store.hpp"
#include "results/table.hpp"

namespace pade::results {

/// One feasible design of the campaign at the front's fidelity (one per design).
struct FrontDesign {
  std::string hash;
  std::string fidelity;
  std::map<std::string, ParamValue> params;  // every stored parameter
  core::Metrics objectives;                  // suite level: the points columns
  bool on_front = false;                     // suite Pareto rank 0
};

/// A campaign constraint: `metric` (a points column) must not exceed `max`.
struct DecisionConstraint {
  std::string metric;
  double max = 0;
};

/// What the recommendations are computed from.
struct DecisionInput {
  std::string fidelity;  // the front's (provenance front_fidelity, else the last rung)
  std::vector<std::string> objectives;  // the campaign's objectives as points columns (latency_s…)
  std::vector<DecisionConstraint> constraints;
  std::vector<std::string> swept;    // parameters with more than one value, sorted
  std::vector<FrontDesign> designs;  // feasible, one per design, by hash
};

/// The campaign's designs, objectives and constraints, from the store's typed readers.
[[nodiscard]] DecisionInput decision_input(Store& store, std::int64_t campaign_id);

/// One objective as a design and a neighbour have it.
struct ObjectiveTrade {
  std::string objective;
  double design = 0;
  double neighbour = 0;
};
/// A swept parameter on which a design and a neighbour differ (stored text).
struct ParamChange {
  std::string key;
  std::string design;
  std::string neighbour;
};
/// A front design near a recommended one in the normalized objective space.
struct Neighbour {
  std::string hash;
  double distance = 0;  // Euclidean, normalized objective space
  std::vector<ObjectiveTrade> trades;
  std::vector<ParamChange> differs;
};

/// One recommended design with every role it has (a design may be balanced and the lowest in
/// energy at once: one row).
struct Recommendation {
  std::string hash;
  std::vector<std::string> roles;    // "balanced", "lowest latency_s", "nearest the paper's point"
  std::vector<std::string> reasons;  // per role, how it was decided (numbers included)
  std::vector<double> normalized;    // per objective, in [0, 1]
  double ideal_distance = 0;         // Euclidean distance to the ideal point (the origin)
  std::optional<double> paper_distance;
  std::vector<Neighbour> neighbours;
};

struct Recommendations {
  std::vector<std::string> objectives;
  std::vector<std::pair<double, double>> ranges;  // per objective: min, max over the front
  std::vector<std::string> paper_keys;            // swept parameters the paper distance uses
  std::size_t front_size = 0;
  std::vector<Recommendation> designs;  // balanced, then per objective, then the paper's
};

/// The paper's parameter values (results::figures::paper_parameters()).
using PaperPoint = std::span<const std::pair<std::string_view, std::string_view>>;

/// The recommended designs of `in` (empty when it has no front), each with its `neighbours`
/// nearest front designs. Ties are broken by configuration hash: deterministic.
[[nodiscard]] Recommendations recommend(const DecisionInput& in, PaperPoint paper,
                                        std::size_t neighbours = 2);

/// Why a design performs as it does, from its per-benchmark evaluations at `fidelity`.
struct DesignExplanation {
  std::size_t benchmarks = 0;
  /// util_* metrics, mean over the benchmarks, highest first (the bottleneck first).
  std::vector<std::pair<std::string, double>> utilization;
  std::string dominant_energy;  // the component with the most energy_<component>_j (summed)
  double dominant_energy_j = 0;
  double energy_j = 0;  // energy_j summed over the benchmarks
};
[[nodiscard]] DesignExplanation explain_design(Store& store, std::int64_t campaign_id,
                                               const std::string& hash,
                                               const std::string& fidelity);

/// Every design of `in` on the front: hash, fidelity, swept parameters, objectives; by latency.
[[nodiscard]] Table front_designs_table(const DecisionInput& in);
/// One row per recommended design: roles, hash, fidelity, distances, swept parameters, objectives.
[[nodiscard]] Table recommendations_table(const DecisionInput& in, const Recommendations& r);
/// The designs of `in` as a JSON array for the page's tooltips: hash, fidelity, front, the
/// swept parameters and the objectives.
[[nodiscard]] std::string designs_json(const DecisionInput& in);

}  // namespace pade::results
