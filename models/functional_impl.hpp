#pragma once
// Internals of the functional model shared by its reference loop (functional.cpp) and its blocked
// kernel (functional_kernel.cpp). Not part of the models interface: include only from
// models/functional*.cpp.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "core/bitplanes.hpp"
#include "core/quant.hpp"
#include "core/tensor.hpp"
#include "models/functional.hpp"

namespace pade::models::detail {

inline constexpr double kNegInf = -std::numeric_limits<double>::infinity();

// One contiguous run of dimensions of a scale group inside one 64-bit plane word.
struct Segment {
  std::uint32_t word;
  std::uint64_t mask;
};

// Keys of the blocked kernel are stored in blocks of kBlockKeys keys x 4 dimensions (64 bytes,
// one AVX-512 register): the layout of an int8 dot-product instruction (vpdpbusd) that
// multiplies 4 bytes of each of 16 keys by the same 4 query bytes.
inline constexpr std::size_t kBlockKeys = 16;

// A head made ready for simulation: quantized operands, bit planes, scale-group layout.
struct Prepared {
  const core::AttentionHead* head = nullptr;
  int p = 8;
  int kbits = 1;   // planes per round, 1..p (FunctionalOptions::bits_per_round clamped to p)
  int rounds = 8;  // R = ceil(p / k)
  std::size_t d = 0, nq = 0, nk = 0, words = 0, groups = 1;
  core::QuantizedMatrix q, k;
  core::BitPlanes qplanes, kplanes;
  std::vector<Segment> segs;
  std::vector<std::size_t> seg_begin;  // groups + 1
  std::vector<std::size_t> group_lo;   // first dim of each group, groups + 1
  std::vector<std::size_t> pos;        // token position of each query row
  bool causal = true;
  double slope = 0.0;
  double inv_sqrt_d = 1.0;
  std::vector<std::int64_t> qpos, qneg;  // per row and group: sum of positive / negative codes
  // Blocked-kernel layout (bits <= 8, one scale group; empty otherwise). Key codes as int8 in
  // blocks: byte (b * quads + c) * 64 + a * 4 + u is dim 4c+u of key 16b+a (zero padded). A
  // plane is extracted from these bytes in registers ((code >> t) & 1), once per block and dim
  // quad for all rows of a query group, so no byte-expanded plane copy is stored.
  std::size_t quads = 0;             // dims / 4, rounded up
  std::vector<std::int8_t> kblocks;  // ceil(nk / 16) * quads * 64
  std::vector<std::uint32_t> q4;     // nq x quads: 4 query codes per word, little-endian
  std::vector<std::uint16_t> ones;   // p x nk: ones of key j's plane t at t * nk + j
  std::vector<std::uint16_t> adds;   // p x nk: min(ones, d - ones) (bidirectional sparsity)
  std::vector<double> kscale;        // nk: the key's scale (one scale group), as coef() reads it
  // Bidirectional inputs per GSAT sub-group size g = FunctionalStats::subgroup_size(i): at
  // (i * p + t) * nk + j, the sum over plane t of key j's sub-groups of min(ones, zeros).
  // Query-independent, so computed once per head; the kernels count rows per (plane, key) and
  // multiply at the end of a task.
  std::vector<std::uint16_t> subgroup_adds;

  [[nodiscard]] bool blocked() const { return !kblocks.empty(); }
  // Round r (1..rounds) consumes planes round_hi(r) down to round_lo(r); round_lo(r) is also the
  // number of planes still unknown after it (the BUI span is 2^round_lo(r) - 1).
  [[nodiscard]] int round_hi(int r) const { return p - 1 - (r - 1) * kbits; }
  [[nodiscard]] int round_lo(int r) const { return std::max(0, p - r * kbits); }
  [[nodiscard]] std::size_t visible(std::size_t i) const {
    return causal ? std::min(pos[i] + 1, nk) : nk;
  }
  [[nodiscard]] double bias(std::size_t i, std::size_t j) const {
    return slope == 0.0 ? 0.0 : -slope * (static_cast<double>(pos[i]) - static_cast<double>(j));
  }
  // Logit-domain coefficient of group g: scale_q * scale_k / sqrt(d). Always computed by this one
  // expression so bounds and exact logits round identically (keeps the safety proofs exact).
  [[nodiscard]] double coef(std::size_t i, std::size_t j, std::size_t g) const {
    return static_cast<double>(q.group_scale(i, g)) * static_cast<double>(k.group_scale(j, g)) *
           inv_sqrt_d;
  }
  // The exact (dense, quantized) logit of pair (i, j) from the full integer group scores, with
  // no bit rounds involved: the reference the bounds and the pruning are checked against.
  [[nodiscard]] double exact_logit(std::size_t i, std::size_t j) const {
    const auto qi = q.row(i);
    const auto kj = k.row(j);
    double lg = 0.0;
    for (std::size_t g = 0; g < groups; ++g) {
      std::int64_t s = 0;
      for (std::size_t c = group_lo[g]; c < group_lo[g + 1]; ++c) s += std::int64_t{qi[c]} * kj[c];
      lg += coef(i, j, g) * static_cast<double>(s);
    }
    return lg + bias(i, j);
  }
};

// State of one query row that persists across its key tiles (the rows of a query group advance
// tile by tile in lockstep, as the hardware's 8 rows do, so each K tile is read while hot).
struct RowState {
  std::size_t i = 0, nvis = 0;
  std::vector<std::size_t> order;
  double max_lower = 0, T = 0, m = 0, l = 0;  // logit domain: max lower bound seen, guard
                                              // threshold, softmax running max; softmax sum
  std::vector<float> o;                       // unnormalized output accumulator
  std::vector<std::uint64_t> qp;              // the row's query planes, p x words, contiguous
  std::vector<std::int64_t> imin, imax;       // (p+1) x groups: I^r bounds per group
  std::vector<std::uint8_t> kept;             // nk, accuracy only
};

// Per-tile working memory, reused across rows of a task (nothing here is N x N).
struct RowScratch {
  std::vector<std::int64_t> S;  // key_tile x groups partial scores
  std::vector<double> coef;     // key_tile x groups
  std::vector<double> bias, lower, upper;
  std::vector<std::uint32_t> active, next;
  std::vector<std::int64_t> dot;  // groups
};

// Per query-group working memory: what the group's rows jointly need from DRAM and per-tile work.
struct GroupScratch {
  std::vector<std::int32_t> key_rounds;  // nk: max rounds over the group's rows
  std::vector<std::uint64_t> tile_adds;  // key tiles
  // p x nk (+ padding): rows of this task that processed plane t of key j, at t * nk + j.
  std::vector<std::int32_t> plane_rows;
  std::size_t keys_seen = 0;  // keys [0, keys_seen) may have a non-zero plane_rows entry
};

/// Starts row i: its query planes, BUI bounds per round, tile order, empty softmax state.
void row_start(const Prepared& P, const FunctionalOptions& opt, std::size_t i, RowState& rs,
               FunctionalStats& st);
/// Finishes a row: normalizes the output and measures accuracy against the dense reference.
void row_end(const Prepared& P, const FunctionalOptions& opt, const DenseReference* ref,
             RowState& rs, FunctionalStats& st, std::span<float> out);
/// Resets the group's shared-fetch record for a group whose rows see at most nvis_max keys.
void group_start(const FunctionalOptions& opt, std::size_t nvis_max, GroupScratch& gs);
/// Adds a finished query group's shared-fetch and per-tile statistics.
void group_end(const Prepared& P, const FunctionalOptions& opt, std::size_t nvis_max,
               const GroupScratch& gs, FunctionalStats& st);
void init_state(const Prepared& P, const FunctionalOptions& opt, RowState& rs);
/// Adds the task's per-sub-group bidirectional inputs (FunctionalStats::subgroup_active) from
/// its per-(plane, key) row counts and the head's per-sub-group table.
void add_subgroup_active(const Prepared& P, const GroupScratch& gs, FunctionalStats& st);
void init_group(const Prepared& P, const FunctionalOptions& opt, GroupScratch& gs);

/// Online softmax and P.V over one tile's survivors of a row (key indices k0 + a, ascending a;
/// exact logits in lower[a]). Inline so every kernel's target ISA compiles it into its own loop;
/// elementwise float arithmetic (no reassociation; the kernels' files are built with
/// -ffp-contract=off), hence bit-identical on every path.
inline void accept_survivors(const Prepared& P, const FunctionalOptions& opt, RowState& rs,
                             std::size_t k0, std::span<const std::uint32_t> survivors,
                             const double* lower, FunctionalStats& st) {
  if (survivors.empty()) return;
  st.rounds_hist[static_cast<std::size_t>(P.rounds)] += survivors.size();
  st.pairs_kept += survivors.size();
  double tmax = kNegInf;
  for (const std::uint32_t a : survivors) tmax = std::max(tmax, lower[a]);
  if (tmax > rs.m) {
    st.max_updates += 1;
    if (rs.l > 0.0) {
      st.rescale_events += 1;
      const float f = std::exp(static_cast<float>(rs.m - tmax));
      for (auto& x : rs.o) x *= f;
      rs.l *= f;
    }
    rs.m = tmax;
  }
  const float* V = P.head->v.data().data();
  float* o = rs.o.data();
  for (const std::uint32_t a : survivors) {
    const std::size_t j = k0 + a;
    const float pj = std::exp(static_cast<float>(lower[a] - rs.m));
    rs.l += pj;
    const float* vj = V + j * P.d;
    for (std::size_t c = 0; c < P.d; ++c) o[c] += pj * vj[c];
    if (opt.compute_accuracy) rs.kept[j] = 1;
  }
}

/// Which instructions the blocked kernel's inner products use.
enum class Isa { generic, avx2, avx512 };
/// Rows [r0, r1) of a head prepared with the blocked layout (P.blocked()), grouped in query
/// groups of B_q rows; results identical to the reference loop for every Isa. `observed`, when
/// given, receives every per-key decision of these rows.
void run_rows_blocked(const Prepared& P, const FunctionalOptions& opt, const DenseReference* ref,
                      std::size_t r0, std::size_t r1, FunctionalStats& st, core::Matrix* output,
                      Isa isa, KeyDecisions* observed);

}  // namespace pade::models::detail
