#pragma once
// Baselines PADE is compared against: other sparse-attention accelerators (Sanger, DOTA, SOFA,
// SpAtten, Energon) and the H100 GPU. Design notes: shared/design/baselines.md; user guide:
// docs/baselines.md.
//
// A baseline is two functions registered by name:
//  - a sparsity RULE run on the same attention heads as PADE's functional model (generator heads
//    sampled by workloads::sample_heads), which returns named counters (pairs, kept pairs,
//    predictor work...). The counters of the sampled heads are summed and digested into
//    BaselineStats (per-pair averages), exactly as models/digest.cpp does for PADE;
//  - a COST model turning BaselineStats and the benchmark's shape into latency, energy and area
//    on the normalized hardware described by a `kind: baseline` configuration.
// Adding a baseline is one file defining `register_<name>(BaselineRegistry&)` plus one line in
// registry.cpp (explicit, because static libraries drop self-registering objects).
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/coefficients.hpp"
#include "core/error.hpp"
#include "core/metrics.hpp"
#include "core/schema.hpp"
#include "core/tensor.hpp"
#include "models/hardware.hpp"
#include "workloads/catalog.hpp"
#include "workloads/generator.hpp"
#include "workloads/sampling.hpp"

namespace pade::models {

/// Named sums a rule returns for one head; digest_baseline() adds them over the sampled heads.
/// Every rule reports at least "pairs" (visible query-key pairs) and "kept" (pairs executed at
/// full precision); other names are the rule's own (documented in its file).
using RuleCounters = std::map<std::string, double>;

/// Where a sampled head sits in its model (some rules depend on depth).
struct HeadContext {
  int layer = 0;         // layer index in the whole model
  int total_layers = 1;  // layers of the whole model
  std::uint64_t seed = 1;
  std::string label;  // unique per head, for seeded streams (e.g. DOTA's projection)
};

/// The digest of a baseline's rule over a benchmark: per-visible-pair averages of the counters.
struct BaselineStats {
  std::map<std::string, double> per_pair;  // counter / visible pairs ("kept" -> kept fraction)
  double sampled_rows = 0;
  double sampled_pairs = 0;
  std::string source;  // provenance: rule version, plan, seed

  [[nodiscard]] double kept_fraction() const { return get("kept", 1.0); }
  [[nodiscard]] double get(const std::string& name, double fallback = 0.0) const {
    const auto it = per_pair.find(name);
    return it == per_pair.end() ? fallback : it->second;
  }
};

/// What the comparison knows about the PADE side, for normalizations that refer to it.
struct PadeReference {
  double logic_area_mm2 = 0;  // QK-PU + V-PU (the "PE-array area" budget)
  double total_area_mm2 = 0;
  double peak_ops_per_s = 0;  // INT8 multiply-accumulate equivalents x 2 per second
};

/// Everything a rule or cost model reads: the validated `kind: baseline` configuration, the model
/// coefficients (shared with the PADE side so one override changes both), the PADE reference and
/// the dataflow policy with the Q and output buffers (the compared hardware configuration's: one
/// accounting for every design; the K/V buffer is the rest of `target.sram_kib`).
struct BaselineContext {
  core::Config config;
  core::CoefficientTable coefficients = core::CoefficientTable::defaults();
  PadeReference pade;
  Dataflow dataflow = default_dataflow();
};

using BaselineRule = std::function<RuleCounters(const core::AttentionHead&, const HeadContext&,
                                                const BaselineContext&)>;
using BaselineCost = std::function<core::Metrics(
    const BaselineContext&, const workloads::Benchmark&, const BaselineStats&)>;

struct BaselineInfo {
  std::string name;
  std::string doc;
  std::string version;  // bumped when the numbers change (stored as provenance)
  BaselineRule rule;    // empty: dense (no sparsity rule, e.g. the GPU)
  BaselineCost cost;
};

class BaselineRegistry {
 public:
  void add(BaselineInfo info);
  /// core::InputError when unknown, listing the names, reported at `origin`.
  [[nodiscard]] const BaselineInfo& get(const std::string& name,
                                        const core::NameOrigin& origin = {}) const;
  [[nodiscard]] std::vector<std::string> names() const;  // registration order
  [[nodiscard]] bool has(const std::string& name) const;

 private:
  std::vector<BaselineInfo> entries_;
};

/// Sanger, DOTA, SOFA, SpAtten, Energon, H100 (registry.cpp).
[[nodiscard]] const BaselineRegistry& builtin_baselines();

void register_sanger(BaselineRegistry& r);
void register_dota(BaselineRegistry& r);
void register_sofa(BaselineRegistry& r);
void register_spatten(BaselineRegistry& r);
void register_energon(BaselineRegistry& r);
void register_h100(BaselineRegistry& r);

// ---- configuration ------------------------------------------------------------------------------

/// The schema of `kind: baseline` files: normalization knobs shared by the accelerators, each
/// baseline's rule knobs (prefixed by its name) and the H100's options.
[[nodiscard]] const core::Schema& baseline_schema();
[[nodiscard]] core::Config read_baseline_config(const std::string& path);
[[nodiscard]] core::Config default_baseline_config();

/// The normalization in force for the accelerators, resolved from the configuration: under
/// `paper` every accelerator is at the common node/clock with the PADE PE-array area; under
/// `published` each one takes its published node, clock and area (baselines.md §1 table).
struct AcceleratorTarget {
  std::string normalization;  // paper | published
  int node_nm = 28;
  double clock_mhz = 800;
  double pe_area_mm2 = 0;
  double sram_kib = 352;
  double hbm_gbps = 256;
  int operand_bits = 8;  // Q/K/V precision of execution and of K/V in DRAM
  /// Same depth as PADE's calibrated lanes: every operator's area and every operation's energy
  /// carry the design's control, buffer and register overhead derived from its own published
  /// silicon (coefficients baseline.<name>.area_overhead / energy_overhead; same_depth_overheads).
  double area_overhead = 1.0;
  double energy_overhead = 1.0;
  /// The context's dataflow with the K/V buffer = sram_kib less the Q and output buffers.
  Dataflow dataflow;
};
[[nodiscard]] AcceleratorTarget accelerator_target(const BaselineContext& ctx,
                                                   const std::string& baseline);

/// Published figures of an accelerator (SOFA's Table II, baselines.md §1).
struct PublishedDesign {
  std::string name;
  int node_nm = 28;
  double clock_mhz = 1000;
  double area_mm2 = 0;
  double core_w = 0;
  int operand_bits = 16;
  double gops = 0;           // throughput as SOFA's Table II lists it (dense-equivalent, effective)
  double kept_fraction = 1;  // 1 - "compute saved" of the same table
};
[[nodiscard]] const PublishedDesign& published_design(
    const std::string& name);  // std::invalid_argument

/// The same-depth overheads of a design, derived from its published silicon the way PADE's lane
/// area and energy come from its 4.53 mm^2 / 591 mW: the MACs busy per cycle are the Table II
/// throughput times the kept fraction over 2 x clock; the array has those / the published
/// utilization (baseline.published_utilization); area overhead = PE-array share of the die /
/// (MACs x Horowitz MAC area at the node and width); energy overhead = core power less the SRAM
/// share / (busy MACs x clock x Horowitz MAC energy). Both are ratios to the arithmetic alone.
struct SameDepthOverheads {
  double macs = 0;  // MAC units the published array holds
  double area = 1;
  double energy = 1;
};
[[nodiscard]] SameDepthOverheads same_depth_overheads(const PublishedDesign& d,
                                                      const core::CoefficientTable& c,
                                                      double logic_share);

// ---- digest -------------------------------------------------------------------------------------

struct BaselineDigestOptions {
  workloads::SamplingPlan plan;
  std::uint64_t seed = 1;
};

/// Run `info`'s rule on the sampled heads of `benchmark` (parallel over heads, merged in a fixed
/// order: independent of the thread count) and digest the counters per group, combining groups by
/// their pair counts. A dense baseline (no rule) gets kept = 1.
[[nodiscard]] BaselineStats digest_baseline(const BaselineInfo& info, const BaselineContext& ctx,
                                            const workloads::Benchmark& benchmark,
                                            const workloads::GeneratorKnobs& knobs,
                                            const BaselineDigestOptions& options);

/// Counters to stats (exposed for tests): every counter divided by counters["pairs"].
[[nodiscard]] BaselineStats digest_counters(const RuleCounters& counters);

}  // namespace pade::models
