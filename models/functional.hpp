#pragma once
// Bit-exact functional model of PADE attention (design notes: shared/design/pade.md §2-5).
//
// Per query row, keys are processed tile by tile (ISTA) and, within a tile, bit-serially MSB
// first (BSF), k = bits_per_round planes per round (issue 15; k = 1 is the paper's design).
// Round r consumes planes p-1-(r-1)k .. u_r with u_r = max(0, p - r k) (a short last round
// when k does not divide p; the sign plane is inside round 1). After r rounds a key's exact
// integer partial score S^r is known and the final score lies in [S^r + I^r_min, S^r + I^r_max],
// with query-only BUI bounds over the u_r unknown planes
//   I^r_max = (2^{u_r} - 1) * sum_{q_d > 0} q_d,   I^r_min = (2^{u_r} - 1) * sum_{q_d < 0} q_d.
// Bounds and the guard threshold are compared in the LOGIT domain:
//   logit = sum_g c_g * score_g + bias,  c_g = scale_q(i,g) * scale_k(j,g) / sqrt(d),
// where g runs over scale groups (one group for per_tensor/per_head/per_token; groups of 32 dims
// for per_group, where each group's interval is formed separately and the scaled group bounds are
// summed — valid because every c_g > 0). The ALiBi bias is known exactly and added to both bounds.
//
// Guard (paper Eq. 4): T = max(current lower bounds of all keys seen so far in the row) -
// alpha*radius; a key is pruned at the first round whose upper bound <= T. T only rises (intervals
// nest, so lower bounds never fall), and it is carried across tiles, so tile-local decisions are
// safe: a pruned key's exact logit is <= max_j(exact logit_j) - alpha*radius.
//
// Statistics are compact counters (never N x N) and merge exactly with operator+=.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/enum_table.hpp"
#include "core/quant.hpp"
#include "core/tensor.hpp"

namespace pade::models {

enum class TileOrder { in_order, head_tail, reverse };
/// TileOrder's names (`algorithm.tile_order`), in the order the reference lists them.
inline constexpr core::EnumTable kTileOrderNames{std::to_array<core::EnumName<TileOrder>>({
    {TileOrder::head_tail, "head_tail"},
    {TileOrder::in_order, "in_order"},
    {TileOrder::reverse, "reverse"},
})};
constexpr const auto& enum_table(TileOrder) {
  return kTileOrderNames;
}
/// An order equals its configuration name (`h.tile_order == "reverse"`); an unknown name throws
/// std::logic_error rather than comparing unequal.
[[nodiscard]] constexpr bool operator==(TileOrder o, std::string_view name) {
  return core::is_named(o, name);
}
enum class PruneMode {
  guard,             ///< BUI-GF: interval bounds + guard threshold (PADE)
  naive_truncation,  ///< MSB-only estimate S^r (no interval) against max-estimate - alpha*radius
};
/// Which code computes the round inner products. Every choice gives bit-identical statistics and
/// outputs (tests/test_functional.cpp compares each available one with `scalar`).
enum class KernelChoice {
  automatic,  ///< the fastest available on this CPU: avx512, else avx2, else generic
  scalar,     ///< reference: one row, one key, one round at a time, per-dimension loop
  generic,    ///< blocked kernel (query group x key block per round), baseline ISA
  avx2,       ///< blocked kernel, AVX2 byte dot products (vpmaddubsw)
  avx512,     ///< blocked kernel, AVX-512 VNNI dot products (vpdpbusd on 16 keys at once)
};
/// Whether this CPU runs `k` (automatic, scalar and generic always do). Heads the blocked kernel
/// does not take (bits above 8, per-group scales) run the per-row packed-plane loop instead.
[[nodiscard]] bool kernel_available(KernelChoice k);
/// The kernel `k` stands for here (automatic resolved); throws std::invalid_argument when `k`
/// is not available.
[[nodiscard]] KernelChoice resolved_kernel(KernelChoice k);
[[nodiscard]] std::string_view to_string(KernelChoice k);

[[nodiscard]] std::string_view to_string(TileOrder o);
[[nodiscard]] std::string_view to_string(PruneMode m);

struct FunctionalOptions {
  double alpha = 0.5;
  double radius = 5.0;  ///< logit gap; guard margin is alpha * radius (logit domain)
  int bits = 8;         ///< operand bits p of Q and K (4..16)
  /// k: key bit planes per round (1..16; above p it means one round of all p planes). The
  /// guard decides once per round, so larger k prunes later; bidirectional sparsity still
  /// applies plane by plane inside a round.
  int bits_per_round = 1;
  core::Granularity granularity = core::Granularity::per_tensor;
  std::size_t group_size = 32;        ///< per_group only
  std::optional<bool> causal;         ///< empty: use AttentionHead::causal
  std::optional<double> alibi_slope;  ///< empty: use AttentionHead::additive_bias_slope
  PruneMode mode = PruneMode::guard;
  std::size_t query_group = 8;  ///< B_q: rows sharing key-plane fetches (hardware query group)
  std::size_t key_tile = 64;    ///< B_k
  TileOrder order = TileOrder::head_tail;
  bool compute_accuracy = true;  ///< compare with dense FP32 attention per row (O(N d) per row)
  std::size_t topk = 8;
  KernelChoice kernel = KernelChoice::automatic;
  /// Rows per parallel task (rounded up to a multiple of query_group). The partition depends
  /// only on this value, never on the thread count, so results are identical for any thread count.
  std::size_t rows_per_task = 64;
};

struct FunctionalStats {
  static constexpr int kMaxBits = 16;
  /// GSAT sub-group sizes whose bidirectional count is recorded: g = 2, 4, ..., 32, at index
  /// log2(g) - 1 (powers of two: one byte-table pass per key plane counts them all).
  static constexpr int kSubgroupSizes = 5;
  [[nodiscard]] static constexpr int subgroup_size(std::size_t i) { return 2 << i; }
  using RoundArray = std::array<std::uint64_t, kMaxBits + 1>;  ///< index = round 1..R (0 unused)
  using PlaneArray = std::array<std::uint64_t, kMaxBits>;      ///< index = bit plane t (p-1 = sign)
  using SubgroupArray = std::array<std::uint64_t, kSubgroupSizes>;  ///< see subgroup_size()

  int bits = 0;            ///< p; 0 = empty (adopts the other side on merge)
  int bits_per_round = 1;  ///< k (at most p); the round arrays hold R = ceil(p / k) rounds
  std::uint64_t topk = 0;

  std::uint64_t query_rows = 0;
  std::uint64_t query_groups = 0;
  std::uint64_t pairs_considered = 0;  ///< (row, key) pairs visible under the mask
  std::uint64_t pairs_kept = 0;        ///< survived all R rounds (enter softmax)
  RoundArray rounds_hist{};            ///< pairs by last processed round
  RoundArray pruned_at_round{};   ///< pairs pruned at round r (r = R: pruned on the exact score)
  RoundArray active_per_round{};  ///< pairs that processed round r

  PlaneArray plane_ones{};        ///< ones among the d dims, summed over processed (row,key,plane)
  PlaneArray plane_processed{};   ///< processed (row, key, plane) triples
  PlaneArray plane_bidir_adds{};  ///< lane additions with bidirectional sparsity: min(ones, zeros)
  PlaneArray plane_fetches{};     ///< (group, key) fetches of plane t, shared by the group's rows
  /// Bidirectional sparsity per GSAT sub-group of g dims (the hardware's unit, issue 17): over
  /// processed (row, key, plane) triples, the sum over the plane's sub-groups (dims [0, g),
  /// [g, 2g), ...; the last one partial) of min(ones, zeros) in the sub-group: the inputs the
  /// half-width adder trees add. Index i: g = subgroup_size(i); a g >= d equals
  /// total_bidir_adds().
  SubgroupArray subgroup_active{};

  RoundArray group_key_rounds_hist{};  ///< per (group, key): max rounds over the group's rows
  std::uint64_t group_fetch_sum = 0;   ///< sum over groups of unique (key, plane) fetches
  std::uint64_t group_fetch_sumsq = 0;
  std::uint64_t group_fetch_max = 0;

  std::uint64_t tiles = 0;  ///< (query group, key tile) pairs with at least one visible pair
  std::uint64_t tile_adds_sum = 0;  ///< lane additions per tile (bidirectional), for load balance
  std::uint64_t tile_adds_sumsq = 0;
  std::uint64_t tile_adds_max = 0;

  std::uint64_t max_updates = 0;     ///< online-softmax running-max increases (incl. the first)
  std::uint64_t rescale_events = 0;  ///< increases that had to rescale a non-empty accumulator

  // Accuracy vs dense FP32 attention on the float Q/K/V. Per-row values are summed in fixed point
  // (units of 2^-30, see kFixedOne) so that merging is associative and exact: any partition of
  // the rows into tasks, merged in any order, gives bit-identical sums. Per-row values entering
  // the sums are clamped to [-4, 4] (a relative error above 4 means nothing more); max/min are
  // exact doubles.
  static constexpr double kFixedOne = 1073741824.0;  // 2^30
  std::uint64_t accuracy_rows = 0;
  std::int64_t sum_rel_l2_fx = 0;
  double max_rel_l2 = 0.0;
  std::int64_t sum_cosine_fx = 0;
  double min_cosine = 1.0;
  std::int64_t sum_retained_mass_fx = 0;
  std::uint64_t topk_hits = 0;   ///< dense-FP32 top-k keys that PADE kept, summed over rows
  std::uint64_t topk_slots = 0;  ///< sum over rows of min(k, visible keys)

  /// Adds one row's accuracy measurements. A NaN measurement (the dense FP32 reference
  /// overflowed on huge inputs) counts as no agreement: relative error 4, cosine 0, mass 0.
  void add_accuracy_row(double rel_l2, double cosine, double retained_mass, std::uint64_t hits,
                        std::uint64_t slots);

  FunctionalStats& operator+=(const FunctionalStats& o);
  bool operator==(const FunctionalStats&) const = default;

  [[nodiscard]] int rounds() const;  ///< R = ceil(p / k): the rounds of a key that is kept
  /// Planes of bit-serial rounds 1..r: min(p, r k) (equals r when k = 1).
  [[nodiscard]] int planes_through(int r) const;
  [[nodiscard]] double kept_fraction() const;
  [[nodiscard]] double mean_rounds() const;  ///< rounds per considered pair
  [[nodiscard]] double mean_planes() const;  ///< key planes per considered pair (= rounds at k 1)
  [[nodiscard]] double mean_rel_l2() const;
  [[nodiscard]] double mean_cosine() const;
  [[nodiscard]] double mean_retained_mass() const;
  [[nodiscard]] double mean_topk_recall() const;  ///< hits / slots over all rows
  [[nodiscard]] std::uint64_t total_bidir_adds() const;
  [[nodiscard]] std::uint64_t total_plane_fetches() const;

  /// Versioned text ("pade-functional-stats 1"), one "key values..." line per field; doubles are
  /// written with shortest round-trip formatting, so deserialize(serialize()) == *this.
  [[nodiscard]] std::string serialize() const;
  /// Throws core::InputError on a malformed or unknown-version text.
  [[nodiscard]] static FunctionalStats deserialize(std::string_view text);
};

struct FunctionalResult {
  FunctionalStats stats;
  core::Matrix output;  ///< rows of q x head dim: the PADE attention output (P.V over survivors)
};

/// What the accuracy comparison needs from dense FP32 attention, per query row. It depends on the
/// head, its mask and bias and on `topk` only — not on bits, α, the prune mode or tiling — so a
/// digest computes it once per sampled head and every algorithm point reuses it
/// (models/digest.hpp). Small: O(rows x dim), never rows x keys.
struct DenseReference {
  std::size_t rows = 0, dim = 0, topk = 0;
  bool causal = true;
  double slope = 0.0;
  std::vector<float> output;             ///< rows x dim: dense FP32 attention output
  std::vector<float> max_logit;          ///< per row: the softmax max, as dense attention has it
  std::vector<double> sum_exp;           ///< per row: the softmax denominator
  std::vector<std::uint32_t> top;        ///< rows x topk: most probable keys (ties: lower index)
  std::vector<std::uint32_t> top_count;  ///< per row: min(topk, visible keys)
};
/// The dense reference of `head` under the mask and bias `opt` resolves (parallel over rows).
[[nodiscard]] DenseReference dense_reference(const core::AttentionHead& head,
                                             const FunctionalOptions& opt);

/// Simulates one head. Parallel over row blocks with oneTBB; deterministic for any thread count.
[[nodiscard]] FunctionalStats simulate_head(const core::AttentionHead& head,
                                            const FunctionalOptions& opt);
/// The same with the accuracy comparison against a precomputed `reference` of this head (from
/// dense_reference() with the same head, mask, bias and topk; std::invalid_argument otherwise).
/// Identical statistics to simulate_head(head, opt).
[[nodiscard]] FunctionalStats simulate_head(const core::AttentionHead& head,
                                            const FunctionalOptions& opt,
                                            const DenseReference& reference);
[[nodiscard]] FunctionalResult simulate_head_with_output(const core::AttentionHead& head,
                                                         const FunctionalOptions& opt);
/// Every per-key decision of one simulated head: what `pade trace dump` writes. Filled only on
/// request (simulate_head_observed), so the default path pays nothing; identical on every kernel
/// path (tests/test_functional.cpp compares them). Row i is the head's query row i (its position
/// is query_positions[i]), key j its key j.
struct KeyDecisions {
  std::size_t rows = 0, keys = 0;
  std::vector<std::uint8_t> rounds;     ///< rows x keys: the last round processed; 0 = not visible
  std::vector<std::uint8_t> kept;       ///< rows x keys: 1 = survived every round (enters softmax)
  std::vector<std::uint32_t> row_kept;  ///< per row: kept keys
  std::vector<std::uint32_t> row_rescales;  ///< per row: online-softmax rescale events
};
/// simulate_head that also records every per-key decision into `decisions` (resized to the head).
[[nodiscard]] FunctionalStats simulate_head_observed(const core::AttentionHead& head,
                                                     const FunctionalOptions& opt,
                                                     KeyDecisions& decisions);

/// What the dense FP32 attention distribution of a head looks like, averaged over its rows:
/// properties of the trace, not of PADE's knobs (only the mask and bias of `opt` matter).
struct AttentionProfile {
  std::size_t rows = 0;
  double mean_entropy = 0.0;    ///< nats; ln(visible keys) for a uniform row
  double mean_sink_mass = 0.0;  ///< probability on the keys at positions 0 .. sink_tokens-1
};
[[nodiscard]] AttentionProfile attention_profile(const core::AttentionHead& head,
                                                 const FunctionalOptions& opt,
                                                 std::size_t sink_tokens);

/// Simulates several heads (parallel over heads x row blocks); stats merged in (head, block) order.
[[nodiscard]] FunctionalStats simulate_heads(std::span<const core::AttentionHead> heads,
                                             const FunctionalOptions& opt);

/// Dense FP32 attention on the float Q/K/V (mask and bias as resolved from `opt` and `head`).
[[nodiscard]] core::Matrix dense_attention(const core::AttentionHead& head,
                                           const FunctionalOptions& opt);
/// Dense INT-n attention: Q and K quantized as in `opt`, exact integer scores in the same logit
/// domain as the model, softmax over every visible key (no pruning), P.V in float.
[[nodiscard]] core::Matrix dense_quantized_attention(const core::AttentionHead& head,
                                                     const FunctionalOptions& opt);

// ---- reference pieces (exposed for tests) ----------------------------------------------------

struct BuiInterval {
  std::int64_t min = 0;
  std::int64_t max = 0;
};
/// Planes still unknown after `rounds` MSB-first rounds of `bits_per_round` planes of a
/// `bits`-bit key: max(0, bits - rounds * bits_per_round).
[[nodiscard]] int unknown_planes(int bits, int rounds, int bits_per_round = 1);
/// I^r bounds after `rounds` MSB-first rounds of a `bits`-bit key against query codes q.
[[nodiscard]] BuiInterval bui_interval(std::span<const std::int16_t> q, int bits, int rounds,
                                       int bits_per_round = 1);
/// S^r: exact partial score over the planes of the first `rounds` rounds (scalar reference).
[[nodiscard]] std::int64_t partial_score(std::span<const std::int16_t> q,
                                         std::span<const std::int16_t> k, int bits, int rounds,
                                         int bits_per_round = 1);

/// Everything the model did for one key of one row (tests check properties on it).
struct KeyTrace {
  std::size_t key = 0;
  int rounds = 0;  ///< rounds processed
  bool kept = false;
  double exact_logit = 0.0;           ///< logit of the exact integer score (logit domain)
  std::vector<std::int64_t> partial;  ///< S^r summed over scale groups, per processed round
  std::vector<double> lower, upper;   ///< logit-domain bounds per processed round
  std::vector<double> threshold;      ///< T the round's prune decision compared against
};
struct RowTrace {
  std::size_t row = 0;
  std::vector<std::size_t> tile_order;  ///< key-tile indices in processing order
  std::vector<KeyTrace> keys;           ///< visible keys, by key index
  double max_exact_logit = 0.0;
  std::vector<float> output;
};
[[nodiscard]] RowTrace trace_row(const core::AttentionHead& head, const FunctionalOptions& opt,
                                 std::size_t row);

/// Key-tile processing order for a row that sees `tiles` tiles (the last one holds its most
/// recent visible keys). head_tail: 0, L, 1, L-1, ...
[[nodiscard]] std::vector<std::size_t> tile_order(std::size_t tiles, TileOrder order);

}  // namespace pade::models
