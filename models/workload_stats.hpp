#pragma once
// What the hardware models need to know about a benchmark's attention under one algorithm point
// (bits, α, radius, tile shape, order): per-pair averages digested from the functional model's
// statistics on sampled heads. Hardware knobs never change these, so they are computed once and
// cached; every field is a ratio or a per-pair / per-row average so that it scales to the
// benchmark's full shape.
#include <string>
#include <vector>

namespace pade::models {

struct WorkloadStats {
  int bits = 8;
  /// k key planes per round (algorithm.bits_per_round). The per-plane vectors below stay sized
  /// by planes: with k > 1 the planes of one round share their active fraction (the guard
  /// decides once per round), so models that cost one plane per round see the plane work the
  /// multi-bit lane does, but not its per-round timing (issue 15 item 2).
  int bits_per_round = 1;
  /// active_fraction[r]: fraction of visible (query, key) pairs still active when plane r is
  /// processed (r = 0 is the MSB plane; active_fraction[0] = 1 with BUI-GF). Size = bits.
  std::vector<double> active_fraction;
  double kept_fraction = 1.0;  // pairs that survive every round (exact score, go to softmax·V)
  double bidir_active_fraction = 0.5;  // mean min(ones, zeros) / d over processed key planes
  double ones_fraction = 0.5;          // mean ones / d over processed key planes (no bidirectional)
  /// Bidirectional sparsity per GSAT sub-group (issue 17): entry i is the mean over processed key
  /// planes of sum over sub-groups of g = 2 << i dims of min(ones, zeros), as a fraction of d
  /// (FunctionalStats::subgroup_active). Empty when the digest predates it.
  std::vector<double> subgroup_active_fraction;
  /// Per query group (qk_pu.rows queries sharing fetches): fraction of the group's visible
  /// (key, plane) pairs that memory must deliver, and of visible keys whose V is needed.
  double group_plane_fetch_fraction = 1.0;
  double group_v_fetch_fraction = 1.0;
  /// group_fetch_fraction[r]: fraction of a query group's visible keys whose plane for round r
  /// memory must deliver (the union over the group's rows of active_fraction[r]). Size = bits, or
  /// empty when the digest predates it (then group_fetch() derives it, see there).
  std::vector<double> group_fetch_fraction;
  double rescales_per_row = 0.0;  // online-softmax max updates per query row
  double accuracy_loss = 0.0;     // 1 - cosine similarity of the output vs dense FP32
  double relative_l2_error = 0.0;
  double retained_mass = 1.0;         // dense softmax mass of the kept keys
  double sampled_rows = 0;            // how many query rows the digest rests on
  double stderr_kept_fraction = 0.0;  // sampling standard error (bootstrap over heads)
  std::string source;                 // e.g. "functional:synthetic-v1" (provenance)

  /// Expected rounds of the slowest of `n` pairs processed in lockstep (in-order lanes), assuming
  /// independent pairs: sum over r of 1 - (1 - active_fraction[r])^n.
  [[nodiscard]] double lockstep_rounds(int n) const;

  /// Per-round group fetch fraction: group_fetch_fraction[r] when present; otherwise
  /// active_fraction[r] scaled so that the mean over rounds is group_plane_fetch_fraction (capped
  /// at 1).
  [[nodiscard]] double group_fetch(int round) const;

  /// Expected rounds per visible pair: the active fraction of each round's first plane, summed
  /// (= mean_rounds() when bits_per_round is 1).
  [[nodiscard]] double rounds_per_pair() const;

  /// Active inputs per processed key plane, as a fraction of d, when bidirectional sparsity is
  /// applied per sub-group of g dims of a d-dim head: the recorded value for g = 2, 4, ..., 32;
  /// bidir_active_fraction for g >= d (one sub-group) and for digests without the per-sub-group
  /// record; otherwise interpolated linearly in log2 g between the neighbouring recorded sizes
  /// (g = 1 counts 0: a one-dim sub-group is never more than half active).
  [[nodiscard]] double subgroup_active(int g, double d) const;

  /// Expected planes processed per visible pair: sum of active_fraction.
  [[nodiscard]] double mean_rounds() const {
    double s = 0;
    for (const double a : active_fraction) s += a;
    return s;
  }
};

/// A fixed, hand-written digest at the paper's reported operating point (INT8, about 75 % of
/// keys pruned at α = 0.5, most of them in the first rounds; docs/hardware-models.md §6). The
/// energy/area calibration and the golden metrics rest on it, so they move only when a hardware
/// model changes, never when the workload generator is recalibrated.
[[nodiscard]] WorkloadStats reference_workload_stats();

}  // namespace pade::models
