#pragma once
// The synthetic attention generator: deterministic per-head Q/K/V whose score statistics look like
// real attention of a model family (docs/generator.md documents every knob and why).
//
// Each logit q_i·k_j/√d is built from independent parts, each carried by its own dimensions
// (then mixed over all dimensions by a random rotation shared by Q and K, which leaves every dot
// product unchanged):
//   content      T_h · N(0,1)                       T_h grows with depth, jittered per head
//   sink         g_i · B(depth)   for j < sink tokens  B ramps up with depth; some heads opt out
//   heavy hitter g'_i · H         for a few random keys
//   key bias     g'_i · N(0, σ_b) per key          key-norm variation along the shared direction
//   locality     Σ_f w_f cos(θ_f (p_i − p_j))      RoPE-like, peak L at distance 0, decaying
// plus, for ALiBi models, the additive bias −m_h (p_i − j) applied by the consumer through
// AttentionHead::additive_bias_slope.
//
// Determinism: every random draw comes from a core::Rng stream labelled by (model, task, layer,
// head[, row]). K/V depend on the KV head only (GQA query heads of one group share them
// exactly); a query row depends only on its position, so any subset of rows, in any order, and
// the decode form of a benchmark (its last prefill row) give the same numbers.
#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/schema.hpp"
#include "core/tensor.hpp"
#include "workloads/catalog.hpp"

namespace pade::workloads {

/// Version of the generator's algorithm: bump it when generate_head's numbers change for the same
/// knobs (models::kDigestVersion ends with it; every synthetic trace identity carries it).
inline constexpr std::string_view kGeneratorVersion = "synthetic-3";

/// The knobs of one model family (one row of generator.yaml).
struct GeneratorKnobs {
  std::string family;
  // Content logit spread: std in logits at the first and last layer (linear in depth) and the
  // per-head multiplicative jitter (std of the natural log).
  double logit_std_first = 1.0;
  double logit_std_last = 2.0;
  double head_jitter = 0.2;
  // Attention sink on the first `sink_tokens` tokens.
  double sink_logit = 0.0;  // bonus at full strength, logits
  int sink_tokens = 1;
  double sink_head_fraction = 1.0;   // share of query heads that attend to the sink
  double sink_early_strength = 1.0;  // strength at layer 0, as a fraction of full
  double sink_full_depth = 0.0;      // depth fraction from which the sink is at full strength
  double query_jitter = 0.3;         // per-query std of the alignment with the sink/HH direction
  double sink_length_gain = 0.0;  // extra bonus per ln(visible keys), logits (constant sink mass)
  // Broad heads: a share of query heads (linear in depth) without a sink, with every logit part
  // scaled by `broad_scale` (a hotter softmax); the others are peaked.
  double broad_fraction_first = 0.0;
  double broad_fraction_last = 0.0;
  double broad_scale = 1.0;
  double broad_ramp_depth = 1.0;  // depth at which the share reaches broad_fraction_last
  // Locality (RoPE-like): peak logit at distance 0 and the span of wavelengths.
  double locality_logit = 0.0;
  double locality_min_period = 4.0;
  double locality_max_period = 256.0;
  int locality_components = 8;
  std::string locality_geometry = "sequence";  // sequence | grid
  // Local (recency) layers: every query head of the first `local_layers` global layers is local,
  // i.e. no sink, not broad, and its positional profile peaks at `recency_logit` instead of
  // `locality_logit` (the bottom two layers of Llama-2 are local [StreamingLLM, Fig. 2]).
  int local_layers = 0;
  double recency_logit = 0.0;
  // Heavy-hitter keys.
  double heavy_hitter_fraction = 0.0;
  double heavy_hitter_logit = 0.0;
  double key_bias_std = 0.0;
  /// Content hash of every knob value (core::Config::hash of the family's map, defaults filled
  /// in), set when read from YAML: part of a synthetic benchmark's data identity
  /// (workloads::trace_identity), so an edited knob never reuses statistics of the old values.
  std::string values_hash;
  core::SourceLocation where;
};

/// The knob table: one GeneratorKnobs per family, read from YAML through the schema layer.
class GeneratorTable {
 public:
  /// workloads/data/generator.yaml.
  [[nodiscard]] static GeneratorTable builtin();
  [[nodiscard]] static GeneratorTable load(const std::filesystem::path& file);
  [[nodiscard]] static GeneratorTable parse(const std::string& yaml_text, const std::string& name);

  /// Throws InputError with a did-you-mean suggestion for an unknown family.
  [[nodiscard]] const GeneratorKnobs& family(std::string_view name) const;
  [[nodiscard]] std::vector<std::string> families() const;

 private:
  [[nodiscard]] static GeneratorTable from_document(const core::YamlDocument& doc);
  std::map<std::string, GeneratorKnobs, std::less<>> families_;
};

/// Schema of generator.yaml's top level, and of one family's knob map.
[[nodiscard]] const core::Schema& generator_schema();
[[nodiscard]] const core::Schema& generator_family_schema();

/// Q/K/V of one head. `layer` is the layer index within `group` and `head` the query head
/// (0 ≤ head < q_heads); K/V come from KV head head / (q_heads / kv_heads). `query_rows` selects
/// the query rows (indices in [0, group.queries)); keys and values are always complete. Throws
/// std::out_of_range for indices outside the group and InputError when the head dimension is too
/// small for the knobs' structured dimensions.
[[nodiscard]] core::AttentionHead generate_head(const Benchmark& bench, const AttentionGroup& group,
                                                int layer, int head, const GeneratorKnobs& knobs,
                                                std::uint64_t seed,
                                                std::span<const std::size_t> query_rows);

/// 0, 1, ..., n-1: every query row.
[[nodiscard]] std::vector<std::size_t> all_rows(std::size_t n);

/// The ALiBi slope of query head `head` given the model's largest slope (m_h = m_max^(h+1)).
[[nodiscard]] double alibi_slope(double slope_max, int head);

/// Statistics of dense FP32 softmax(q·k/√d + bias) over the visible keys of each row, averaged
/// over rows.
struct HeadStats {
  double first_token_mass = 0.0;      // probability on key 0
  double keys_for_90pct_mass = 0.0;   // fewest keys holding 90 % of the mass, / visible keys
  double logit_std = 0.0;             // std of a row's logits over its visible keys
  double oracle_kept_fraction = 0.0;  // keys with logit ≥ row max − guard_gap, / visible keys
};

/// Locality statistics of dense FP32 softmax(q·k/√d + bias), in the definitions of the papers
/// they are compared with (docs/generator.md, "Published locality measurements").
struct LocalityOptions {
  std::size_t sink_tokens = 4;  // initial tokens StreamingLLM keeps as sinks
  std::size_t window = 64;      // recent window: keys with pos − window < j ≤ pos
  double sparse_ratio = 0.01;   // H2O: an entry is sparse below 1 % of its row's max
  double heavy_fraction = 0.1;  // H2O-style heavy hitters: the top 10 % of keys
};

struct LocalityStats {
  /// Mean over rows of the mass on key 0: Gu et al.'s importance α_1 when the rows are the
  /// positions 0..T−1 of a causal head (a head is a sink head when it exceeds 0.3 at T = 64).
  double first_token_mass = 0.0;
  double sink_mass = 0.0;    // mean over rows of the mass on the first `sink_tokens` keys
  double recent_mass = 0.0;  // mean over rows of the mass in the recent window (sink tokens out)
  double sparsity = 0.0;     // visible entries below sparse_ratio · row max, / visible entries
  /// Share of the attention accumulated over rows by keys after the sink tokens that the top
  /// `heavy_fraction` of those keys hold (H2O's accumulated attention score).
  double heavy_hitter_mass = 0.0;
};

[[nodiscard]] LocalityStats measure_locality(const core::AttentionHead& head,
                                             const LocalityOptions& options = {});

/// `guard_gap` is α·radius of the PADE guard (0.5 · 5 = 2.5 at the paper's operating point):
/// oracle_kept_fraction is what an exact threshold would keep, a lower bound on what BUI-GF keeps.
[[nodiscard]] HeadStats measure_head(const core::AttentionHead& head, double guard_gap = 2.5);

}  // namespace pade::workloads
