// PADE functional model: BSF + BUI-GF per row, bidirectional bit sparsity counts, ISTA tiles with
// group-shared plane fetches and online softmax. See functional.hpp for the semantics.
#include "models/functional.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include "core/bitplanes.hpp"
#include "core/error.hpp"
#include "models/functional_impl.hpp"

namespace pade::models {

std::string_view to_string(TileOrder o) {
  switch (o) {
    case TileOrder::in_order:
      return "in_order";
    case TileOrder::head_tail:
      return "head_tail";
    case TileOrder::reverse:
      return "reverse";
  }
  return "?";
}

std::string_view to_string(PruneMode m) {
  switch (m) {
    case PruneMode::guard:
      return "guard";
    case PruneMode::naive_truncation:
      return "naive_truncation";
  }
  return "?";
}

std::vector<std::size_t> tile_order(std::size_t tiles, TileOrder order) {
  std::vector<std::size_t> out;
  out.reserve(tiles);
  switch (order) {
    case TileOrder::in_order:
      for (std::size_t t = 0; t < tiles; ++t) out.push_back(t);
      break;
    case TileOrder::reverse:
      for (std::size_t t = tiles; t-- > 0;) out.push_back(t);
      break;
    case TileOrder::head_tail:
      // Sinks (first tile) and the most recent keys (last tile) first, then inwards.
      for (std::size_t lo = 0, hi = tiles; lo < hi;) {
        out.push_back(lo++);
        if (lo < hi) out.push_back(--hi);
      }
      break;
  }
  return out;
}

int unknown_planes(int bits, int rounds, int bits_per_round) {
  return std::max(0, bits - rounds * std::max(1, bits_per_round));
}

BuiInterval bui_interval(std::span<const std::int16_t> q, int bits, int rounds,
                         int bits_per_round) {
  std::int64_t pos = 0, neg = 0;
  for (const std::int16_t v : q) (v > 0 ? pos : neg) += v;
  // The u unknown planes u-1 .. 0 all have positive weight; together at most 2^u - 1 per dim.
  const std::int64_t span = (std::int64_t{1} << unknown_planes(bits, rounds, bits_per_round)) - 1;
  return {span * neg, span * pos};
}

std::int64_t partial_score(std::span<const std::int16_t> q, std::span<const std::int16_t> k,
                           int bits, int rounds, int bits_per_round) {
  std::int64_t s = 0;
  for (int t = bits - 1; t >= unknown_planes(bits, rounds, bits_per_round); --t)
    for (std::size_t d = 0; d < q.size(); ++d)
      if (core::code_bit(k[d], t)) s += core::plane_weight(t, bits) * q[d];
  return s;
}

namespace detail {

void row_start(const Prepared& P, const FunctionalOptions& opt, std::size_t i, RowState& rs,
               FunctionalStats& st) {
  const int p = P.p;
  const std::size_t G = P.groups, W = P.words;
  const bool guard = opt.mode == PruneMode::guard;
  rs.i = i;
  rs.nvis = P.visible(i);
  st.query_rows += 1;
  st.pairs_considered += rs.nvis;
  for (int s = 0; s < p; ++s) {
    const auto pl = P.qplanes.plane(s, i);
    std::copy(pl.begin(), pl.end(), rs.qp.begin() + static_cast<std::ptrdiff_t>(s * W));
  }
  for (int r = 1; r <= P.rounds; ++r) {
    const std::int64_t span = (std::int64_t{1} << P.round_lo(r)) - 1;
    for (std::size_t g = 0; g < G; ++g) {
      rs.imin[r * G + g] = guard ? span * P.qneg[i * G + g] : 0;
      rs.imax[r * G + g] = guard ? span * P.qpos[i * G + g] : 0;
    }
  }
  rs.order = tile_order((rs.nvis + opt.key_tile - 1) / opt.key_tile, opt.order);
  if (opt.compute_accuracy)
    std::fill(rs.kept.begin(), rs.kept.begin() + static_cast<std::ptrdiff_t>(rs.nvis), 0);
  rs.max_lower = kNegInf;
  rs.T = kNegInf;
  rs.m = kNegInf;
  rs.l = 0.0;
  std::fill(rs.o.begin(), rs.o.end(), 0.0f);
}

void init_state(const Prepared& P, const FunctionalOptions& opt, RowState& rs) {
  rs.qp.assign(static_cast<std::size_t>(P.p) * P.words, 0);
  rs.imin.assign(static_cast<std::size_t>(P.p + 1) * P.groups, 0);
  rs.imax.assign(static_cast<std::size_t>(P.p + 1) * P.groups, 0);
  rs.o.assign(P.d, 0.0f);
  if (opt.compute_accuracy) rs.kept.assign(P.nk, 0);
}

void init_group(const Prepared& P, const FunctionalOptions& opt, GroupScratch& gs) {
  gs.key_rounds.assign(P.nk + 64, 0);  // + whole 8-key chunks past the last key (blocked kernel)
  gs.tile_adds.assign((P.nk + opt.key_tile - 1) / opt.key_tile + 1, 0);
  gs.plane_rows.assign(static_cast<std::size_t>(P.p) * P.nk + 64, 0);
  gs.keys_seen = 0;
}

void add_subgroup_active(const Prepared& P, const GroupScratch& gs, FunctionalStats& st) {
  const auto p = static_cast<std::size_t>(P.p);
  const std::size_t n = std::min(gs.keys_seen, P.nk);
  for (std::size_t i = 0; i < FunctionalStats::kSubgroupSizes; ++i) {
    std::uint64_t total = 0;
    for (std::size_t t = 0; t < p; ++t) {
      const std::int32_t* rows = &gs.plane_rows[t * P.nk];
      const std::uint16_t* adds = &P.subgroup_adds[(i * p + t) * P.nk];
      std::uint64_t acc = 0;
      for (std::size_t j = 0; j < n; ++j)
        acc += static_cast<std::uint64_t>(rows[j]) * std::uint64_t{adds[j]};
      total += acc;
    }
    st.subgroup_active[i] += total;
  }
}

void group_start(const FunctionalOptions& opt, std::size_t nvis_max, GroupScratch& gs) {
  const std::size_t ntiles = (nvis_max + opt.key_tile - 1) / opt.key_tile;
  gs.keys_seen = std::max(gs.keys_seen, nvis_max);
  std::fill(gs.key_rounds.begin(), gs.key_rounds.begin() + static_cast<std::ptrdiff_t>(nvis_max),
            0);
  std::fill(gs.tile_adds.begin(), gs.tile_adds.begin() + static_cast<std::ptrdiff_t>(ntiles), 0);
}

void group_end(const Prepared& P, const FunctionalOptions& opt, std::size_t nvis_max,
               const GroupScratch& gs, FunctionalStats& st) {
  // Group-shared fetches: key j's planes of rounds 1 .. r_j are fetched once for the whole group.
  FunctionalStats::RoundArray hist{};
  for (std::size_t j = 0; j < nvis_max; ++j) hist[gs.key_rounds[j]] += 1;
  std::uint64_t fetches = 0, at_least = 0;
  for (int r = P.rounds; r >= 1; --r) {
    at_least += hist[r];
    // Keys that reached round r fetched its planes round_hi(r) .. round_lo(r).
    for (int t = P.round_lo(r); t <= P.round_hi(r); ++t) st.plane_fetches[t] += at_least;
    st.group_key_rounds_hist[r] += hist[r];
    fetches += static_cast<std::uint64_t>(P.p - P.round_lo(r)) * hist[r];
  }
  st.query_groups += 1;
  st.group_fetch_sum += fetches;
  st.group_fetch_sumsq += fetches * fetches;
  st.group_fetch_max = std::max(st.group_fetch_max, fetches);
  const std::size_t ntiles = (nvis_max + opt.key_tile - 1) / opt.key_tile;
  for (std::size_t t = 0; t < ntiles; ++t) {
    const std::uint64_t w = gs.tile_adds[t];
    st.tiles += 1;
    st.tile_adds_sum += w;
    st.tile_adds_sumsq += w * w;
    st.tile_adds_max = std::max(st.tile_adds_max, w);
  }
}

}  // namespace detail

namespace {

using namespace detail;

// Ones among dims [lo, hi) of a packed plane.
int ones_in(std::span<const std::uint64_t> plane, std::size_t lo, std::size_t hi) {
  int n = 0;
  for (std::size_t w = lo / 64; w * 64 < hi; ++w) {
    const std::size_t a = std::max(lo, w * 64) - w * 64, b = std::min(hi, w * 64 + 64) - w * 64;
    const std::uint64_t mask =
        (b - a == 64 ? ~std::uint64_t{0} : ((std::uint64_t{1} << (b - a)) - 1)) << a;
    n += std::popcount(plane[w] & mask);
  }
  return n;
}

// Per byte of a plane: sum of min(ones, zeros) over its 2-bit and over its 4-bit fields.
struct ByteTables {
  std::array<std::uint8_t, 256> pop{}, min2{}, min4{};
  constexpr ByteTables() {
    for (int b = 0; b < 256; ++b) {
      pop[b] = static_cast<std::uint8_t>(std::popcount(static_cast<unsigned>(b)));
      for (int f = 0; f < 8; f += 2) {
        const int c = std::popcount(static_cast<unsigned>((b >> f) & 3));
        min2[b] = static_cast<std::uint8_t>(min2[b] + std::min(c, 2 - c));
      }
      for (int f = 0; f < 8; f += 4) {
        const int c = std::popcount(static_cast<unsigned>((b >> f) & 15));
        min4[b] = static_cast<std::uint8_t>(min4[b] + std::min(c, 4 - c));
      }
    }
  }
};
constexpr ByteTables kBytes;

// Sub-group sums of one key plane for g = 2, 4, ..., 32 (out[i] for subgroup_size(i)). Whole
// 32-dim blocks go through byte tables; the tail of d past the last whole block (every
// sub-group size there is a partial or whole sub-group of its own) is counted directly.
std::array<std::size_t, FunctionalStats::kSubgroupSizes> subgroup_sums(
    std::span<const std::uint64_t> plane, std::size_t d) {
  std::array<std::size_t, FunctionalStats::kSubgroupSizes> out{};
  const std::size_t whole = d / 32 * 32;
  for (std::size_t lo = 0; lo < whole; lo += 32) {
    const auto w32 = static_cast<std::uint32_t>(plane[lo / 64] >> (lo % 64));
    int c16[2] = {0, 0};
    for (int b = 0; b < 4; ++b) {
      const auto byte = static_cast<std::uint8_t>(w32 >> (8 * b));
      const int c = kBytes.pop[byte];
      out[0] += kBytes.min2[byte];
      out[1] += kBytes.min4[byte];
      out[2] += static_cast<std::size_t>(std::min(c, 8 - c));
      c16[b / 2] += c;
    }
    out[3] +=
        static_cast<std::size_t>(std::min(c16[0], 16 - c16[0]) + std::min(c16[1], 16 - c16[1]));
    const int c32 = c16[0] + c16[1];
    out[4] += static_cast<std::size_t>(std::min(c32, 32 - c32));
  }
  for (std::size_t i = 0; i < out.size(); ++i) {
    const auto g = static_cast<std::size_t>(FunctionalStats::subgroup_size(i));
    for (std::size_t lo = whole; lo < d; lo += g) {
      const std::size_t hi = std::min(d, lo + g);
      const auto ones = static_cast<std::size_t>(ones_in(plane, lo, hi));
      out[i] += std::min(ones, hi - lo - ones);
    }
  }
  return out;
}

// Prepared::subgroup_adds from the key planes: sub-groups are consecutive runs of g dims, the
// last one partial (a lane's dims in the order its AND tree takes them).
void build_subgroup_table(Prepared& P) {
  const auto p = static_cast<std::size_t>(P.p);
  constexpr std::size_t kSizes = FunctionalStats::kSubgroupSizes;
  P.subgroup_adds.assign(kSizes * p * P.nk, 0);
  for (std::size_t t = 0; t < p; ++t)
    for (std::size_t j = 0; j < P.nk; ++j) {
      const auto sums = subgroup_sums(P.kplanes.plane(static_cast<int>(t), j), P.d);
      for (std::size_t i = 0; i < kSizes; ++i)
        P.subgroup_adds[(i * p + t) * P.nk + j] = static_cast<std::uint16_t>(sums[i]);
    }
}

Prepared prepare(const core::AttentionHead& head, const FunctionalOptions& opt) {
  if (opt.bits < 4 || opt.bits > FunctionalStats::kMaxBits)
    throw core::InputError("functional model: bits must be in 4..16");
  if (opt.bits_per_round < 1 || opt.bits_per_round > FunctionalStats::kMaxBits)
    throw core::InputError("functional model: bits_per_round must be in 1..16");
  if (opt.query_group == 0 || opt.key_tile == 0)
    throw core::InputError("functional model: empty tile");
  if (head.q.cols() != head.k.cols() || head.k.rows() != head.v.rows())
    throw core::InputError("functional model: Q/K/V shapes disagree");
  if (head.q.cols() == 0) throw core::InputError("functional model: head dimension is 0");
  Prepared P;
  P.head = &head;
  P.p = opt.bits;
  P.kbits = std::min(opt.bits_per_round, opt.bits);
  P.rounds = (P.p + P.kbits - 1) / P.kbits;
  P.d = head.q.cols();
  P.nq = head.q.rows();
  P.nk = head.k.rows();
  const core::QuantSpec spec{opt.bits, opt.granularity, opt.group_size};
  P.q = core::quantize(head.q, spec);
  P.k = core::quantize(head.k, spec);
  P.qplanes = core::BitPlanes(P.q);
  P.kplanes = core::BitPlanes(P.k);
  P.words = P.kplanes.words_per_plane();
  P.groups = P.q.groups_per_row();
  const std::size_t gw = P.q.group_width();
  P.seg_begin.push_back(0);
  for (std::size_t g = 0; g < P.groups; ++g) {
    const std::size_t lo = g * gw, hi = std::min(P.d, lo + gw);
    P.group_lo.push_back(lo);
    for (std::size_t w = lo / 64; w * 64 < hi; ++w) {
      const std::size_t a = std::max(lo, w * 64) - w * 64, b = std::min(hi, w * 64 + 64) - w * 64;
      const std::uint64_t mask =
          (b - a == 64 ? ~std::uint64_t{0} : ((std::uint64_t{1} << (b - a)) - 1)) << a;
      P.segs.push_back({static_cast<std::uint32_t>(w), mask});
    }
    P.seg_begin.push_back(P.segs.size());
  }
  P.group_lo.push_back(P.d);
  if (!head.query_positions.empty()) {
    if (head.query_positions.size() != P.nq)
      throw core::InputError("functional model: query_positions size");
    P.pos = head.query_positions;
  } else {
    // Default: the queries are the last nq tokens of the key sequence (prefill when nq == nk).
    const std::size_t off = P.nk >= P.nq ? P.nk - P.nq : 0;
    P.pos.resize(P.nq);
    for (std::size_t i = 0; i < P.nq; ++i) P.pos[i] = off + i;
  }
  P.causal = opt.causal.value_or(head.causal);
  P.slope = opt.alibi_slope.value_or(head.additive_bias_slope);
  P.inv_sqrt_d = 1.0 / std::sqrt(static_cast<double>(P.d));
  build_subgroup_table(P);
  P.qpos.assign(P.nq * P.groups, 0);
  P.qneg.assign(P.nq * P.groups, 0);
  for (std::size_t i = 0; i < P.nq; ++i) {
    const auto row = P.q.row(i);
    for (std::size_t g = 0; g < P.groups; ++g)
      for (std::size_t c = P.group_lo[g]; c < P.group_lo[g + 1]; ++c)
        (row[c] > 0 ? P.qpos[i * P.groups + g] : P.qneg[i * P.groups + g]) += row[c];
  }
  return P;
}

// Builds the blocked kernel's key/query layout and the per-(key, plane) ones table from the
// quantized codes and the hardware plane layout (so the two cannot disagree).
void build_blocked_layout(Prepared& P) {
  const std::size_t p = static_cast<std::size_t>(P.p);
  P.quads = (P.d + 3) / 4;
  const std::size_t blocks = (P.nk + kBlockKeys - 1) / kBlockKeys;
  P.kblocks.assign(blocks * P.quads * 64, 0);
  for (std::size_t j = 0; j < P.nk; ++j)
    for (std::size_t c = 0; c < P.d; ++c)
      P.kblocks[((j / kBlockKeys) * P.quads + c / 4) * 64 + (j % kBlockKeys) * 4 + c % 4] =
          static_cast<std::int8_t>(P.k.at(j, c));
  P.q4.assign(P.nq * P.quads, 0);
  for (std::size_t i = 0; i < P.nq; ++i)
    for (std::size_t c = 0; c < P.d; ++c)
      P.q4[i * P.quads + c / 4] |=
          std::uint32_t{static_cast<std::uint8_t>(static_cast<std::int8_t>(P.q.at(i, c)))}
          << (8 * (c % 4));
  // +64: the kernel reads whole 8-key chunks past the last key (inactive, masked out).
  P.ones.assign(P.nk * p + 64, 0);
  P.adds.assign(P.nk * p + 64, 0);
  for (std::size_t t = 0; t < p; ++t)
    for (std::size_t j = 0; j < P.nk; ++j) {
      const auto n = static_cast<std::size_t>(P.kplanes.ones(static_cast<int>(t), j));
      P.ones[t * P.nk + j] = static_cast<std::uint16_t>(n);
      P.adds[t * P.nk + j] = static_cast<std::uint16_t>(std::min(n, P.d - n));
    }
  P.kscale.resize(P.nk);
  for (std::size_t j = 0; j < P.nk; ++j) P.kscale[j] = static_cast<double>(P.k.group_scale(j, 0));
}

// The blocked kernel holds codes in int8 and partial scores in 32 bits: |S| < 2^15 d.
bool blocked_layout_applies(const Prepared& P) {
  return P.p <= 8 && P.groups == 1 && P.d <= 16384;
}

// Reference kernel: per-dimension loop over the integer codes.
struct ScalarDot {
  static void run(const Prepared& P, const RowState&, std::size_t i, std::size_t j, int t,
                  std::int64_t* dot, int& ones) {
    const auto qr = P.q.row(i);
    const auto kr = P.k.row(j);
    ones = 0;
    for (std::size_t g = 0; g < P.groups; ++g) {
      std::int64_t acc = 0;
      for (std::size_t c = P.group_lo[g]; c < P.group_lo[g + 1]; ++c) {
        if (core::code_bit(kr[c], t)) {
          acc += qr[c];
          ++ones;
        }
      }
      dot[g] = acc;
    }
  }
};

// Packed-plane kernel: q is split into its own planes, so sum_d q_d b_d =
// sum_s w_s popcount(qplane_s & kplane) — the hardware's AND tree, 64 dims per instruction.
struct PlaneDot {
  static void run(const Prepared& P, const RowState& rs, std::size_t, std::size_t j, int t,
                  std::int64_t* dot, int& ones) {
    const std::uint64_t* kp = P.kplanes.plane(t, j).data();
    const std::uint64_t* qp = rs.qp.data();
    const std::size_t W = P.words;
    const int p = P.p;
    ones = 0;
    for (std::size_t g = 0; g < P.groups; ++g) {
      std::int64_t acc = 0;
      for (std::size_t s = P.seg_begin[g]; s < P.seg_begin[g + 1]; ++s) {
        const std::uint64_t kw = kp[P.segs[s].word] & P.segs[s].mask;
        ones += std::popcount(kw);
        const std::uint64_t* qw = qp + P.segs[s].word;
        std::int64_t pos = 0;
        for (int b = 0; b < p - 1; ++b)
          pos += static_cast<std::int64_t>(std::popcount(qw[b * W] & kw)) << b;
        acc += pos - (static_cast<std::int64_t>(std::popcount(qw[(p - 1) * W] & kw)) << (p - 1));
      }
      dot[g] = acc;
    }
  }
};

struct NullTracer {
  static constexpr bool active = false;
  void start_row(std::size_t) {}
  void round(std::size_t, int, std::int64_t, double, double) {}
  void decide(std::size_t, int, double, bool) {}
  void kept(std::size_t) {}
  void rescaled(std::uint64_t) {}
};

// Records into KeyDecisions (simulate_head_observed): the reference loop's side of the observer.
struct DecisionTracer {
  static constexpr bool active = true;
  KeyDecisions* out;
  std::size_t row = 0;
  void start_row(std::size_t i) { row = i; }
  void round(std::size_t j, int r, std::int64_t, double, double) {
    out->rounds[row * out->keys + j] = static_cast<std::uint8_t>(r);
  }
  void decide(std::size_t, int, double, bool) {}
  void kept(std::size_t j) { out->kept[row * out->keys + j] = 1; }
  void rescaled(std::uint64_t n) { out->row_rescales[row] += static_cast<std::uint32_t>(n); }
};

struct RowTracer {
  static constexpr bool active = true;
  RowTrace* out;
  void rescaled(std::uint64_t) {}
  void round(std::size_t j, int r, std::int64_t partial, double lo, double up) {
    KeyTrace& kt = out->keys[j];
    kt.key = j;
    kt.rounds = r;
    kt.partial.push_back(partial);
    kt.lower.push_back(lo);
    kt.upper.push_back(up);
  }
  void decide(std::size_t j, int, double T, bool) { out->keys[j].threshold.push_back(T); }
  void kept(std::size_t j) { out->keys[j].kept = true; }
};

// Dense FP32 logit of pair (i, j): the one expression dense attention and the accuracy
// comparison's recomputation share, so both round identically.
float dense_logit(const Prepared& P, std::size_t i, std::size_t j) {
  const auto qi = P.head->q.row(i);
  const auto kj = P.head->k.row(j);
  float acc = 0.0f;
  for (std::size_t c = 0; c < P.d; ++c) acc += qi[c] * kj[c];
  return acc * static_cast<float>(P.inv_sqrt_d) + static_cast<float>(P.bias(i, j));
}

// Dense softmax probability of key j in row i, given the row's max logit and denominator.
float dense_probability(const Prepared& P, std::size_t i, std::size_t j, float m, double l) {
  const float e = std::exp(dense_logit(P, i, j) - m);
  return static_cast<float>(e / l);
}

struct SoftmaxScale {
  float m;
  double l;
};

// Dense FP32 attention of row i (mask and bias as resolved in P); leaves the probabilities in
// `logits` and returns the softmax max and denominator.
SoftmaxScale dense_row(const Prepared& P, std::size_t i, std::span<float> logits,
                       std::span<float> out) {
  const auto& H = *P.head;
  const std::size_t nvis = P.visible(i);
  float m = -std::numeric_limits<float>::infinity();
  for (std::size_t j = 0; j < nvis; ++j) {
    logits[j] = dense_logit(P, i, j);
    m = std::max(m, logits[j]);
  }
  std::fill(out.begin(), out.end(), 0.0f);
  double l = 0.0;
  for (std::size_t j = 0; j < nvis; ++j) {
    logits[j] = std::exp(logits[j] - m);  // now unnormalized probabilities
    l += logits[j];
  }
  for (std::size_t j = 0; j < nvis; ++j) {
    logits[j] = static_cast<float>(logits[j] / l);
    const auto vj = H.v.row(j);
    for (std::size_t c = 0; c < P.d; ++c) out[c] += logits[j] * vj[c];
  }
  return {m, l};
}

// The dense reference of rows [r0, r1): outputs, softmax scale and top-k keys per row.
void reference_rows(const Prepared& P, std::size_t r0, std::size_t r1, DenseReference& ref) {
  std::vector<float> probs(P.nk);
  std::vector<std::uint32_t> idx(P.nk);
  for (std::size_t i = r0; i < r1; ++i) {
    const std::size_t nvis = P.visible(i);
    const SoftmaxScale s =
        dense_row(P, i, probs, std::span<float>(ref.output).subspan(i * P.d, P.d));
    ref.max_logit[i] = s.m;
    ref.sum_exp[i] = s.l;
    const std::size_t k = std::min(ref.topk, nvis);
    std::iota(idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(nvis), 0u);
    std::partial_sort(idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(k),
                      idx.begin() + static_cast<std::ptrdiff_t>(nvis),
                      [&](std::uint32_t x, std::uint32_t y) {
                        return probs[x] != probs[y] ? probs[x] > probs[y] : x < y;
                      });
    std::copy_n(idx.begin(), k, ref.top.begin() + static_cast<std::ptrdiff_t>(i * ref.topk));
    ref.top_count[i] = static_cast<std::uint32_t>(k);
  }
}

DenseReference make_reference(const Prepared& P, const FunctionalOptions& opt) {
  DenseReference ref;
  ref.rows = P.nq;
  ref.dim = P.d;
  ref.topk = opt.topk;
  ref.causal = P.causal;
  ref.slope = P.slope;
  ref.output.assign(P.nq * P.d, 0.0f);
  ref.max_logit.assign(P.nq, 0.0f);
  ref.sum_exp.assign(P.nq, 0.0);
  ref.top.assign(P.nq * opt.topk, 0);
  ref.top_count.assign(P.nq, 0);
  constexpr std::size_t kRowsPerTask = 16;  // each row is independent: any partition is exact
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, P.nq, kRowsPerTask),
                    [&](const tbb::blocked_range<std::size_t>& r) {
                      reference_rows(P, r.begin(), r.end(), ref);
                    });
  return ref;
}

void check_reference(const Prepared& P, const FunctionalOptions& opt, const DenseReference& r) {
  if (r.rows != P.nq || r.dim != P.d || r.topk != opt.topk || r.causal != P.causal ||
      r.slope != P.slope)
    throw std::invalid_argument(
        "functional model: the dense reference was computed for another head or mask");
}

}  // namespace

namespace detail {

void row_end(const Prepared& P, const FunctionalOptions& opt, const DenseReference* ref,
             RowState& rs, FunctionalStats& st, std::span<float> out) {
  const std::size_t i = rs.i, nvis = rs.nvis;
  const float inv_l = rs.l > 0.0 ? static_cast<float>(1.0 / rs.l) : 0.0f;
  for (std::size_t c = 0; c < P.d; ++c) out[c] = rs.o[c] * inv_l;
  if (!opt.compute_accuracy || nvis == 0) return;
  const float* refo = ref->output.data() + i * P.d;
  double diff2 = 0, ref2 = 0, out2 = 0, dot = 0;
  for (std::size_t c = 0; c < P.d; ++c) {
    const double a = out[c], b = refo[c];
    diff2 += (a - b) * (a - b);
    ref2 += b * b;
    out2 += a * a;
    dot += a * b;
  }
  const double rel = ref2 > 0 ? std::sqrt(diff2 / ref2) : std::sqrt(diff2);
  const double cosv =
      (ref2 > 0 && out2 > 0) ? dot / std::sqrt(ref2 * out2) : (ref2 == out2 ? 1.0 : 0.0);
  // Dense mass of the kept keys, their probabilities recomputed exactly as dense attention
  // computed them (the reference stores per-row scales, not N probabilities per row).
  double mass = 0;
  for (std::size_t j = 0; j < nvis; ++j)
    if (rs.kept[j]) mass += dense_probability(P, i, j, ref->max_logit[i], ref->sum_exp[i]);
  const std::size_t k = ref->top_count[i];
  std::size_t hit = 0;
  for (std::size_t a = 0; a < k; ++a) hit += rs.kept[ref->top[i * ref->topk + a]];
  st.add_accuracy_row(rel, cosv, mass, hit, k);
}

}  // namespace detail

namespace {

// Round r of key j for row i: the planes round_hi(r) .. round_lo(r) added into the group
// scores S, plane by plane, as a lane with k shifted AND trees does (each plane's tree adds the
// ones or the zeros, whichever are fewer, and the k sums are combined with shifts by the plane
// weight). Per-plane ones and additions go to ones[t] and adds[t].
template <class Dot>
void key_round(const Prepared& P, const RowState& rs, std::size_t i, std::size_t j, int r,
               std::int64_t* S, std::int64_t* dot, FunctionalStats::PlaneArray& ones,
               FunctionalStats::PlaneArray& adds) {
  for (int t = P.round_hi(r); t >= P.round_lo(r); --t) {
    int n = 0;
    Dot::run(P, rs, i, j, t, dot, n);
    ones[static_cast<std::size_t>(t)] += static_cast<std::uint64_t>(n);
    adds[static_cast<std::size_t>(t)] +=
        static_cast<std::uint64_t>(std::min<std::size_t>(n, P.d - n));
    const std::int64_t wt = core::plane_weight(t, P.p);
    for (std::size_t g = 0; g < P.groups; ++g) S[g] += wt * dot[g];
  }
}

// Processes one key tile of a row: MSB-first rounds with guard pruning, then online softmax over
// the tile's survivors. Updates stats and the group's shared-fetch record. The reference loop:
// one key and one round at a time (the blocked kernel must reproduce it exactly).
template <class Dot, class Tracer>
void row_tile(const Prepared& P, const FunctionalOptions& opt, RowState& rs, std::size_t tile,
              RowScratch& sc, GroupScratch& gs, FunctionalStats& st, Tracer& tr) {
  const std::size_t G = P.groups, Bk = opt.key_tile, i = rs.i, nvis = rs.nvis;
  const double margin = opt.alpha * opt.radius;
  double max_lower = rs.max_lower, T = rs.T;
  const std::size_t k0 = tile * Bk, k1 = std::min(nvis, k0 + Bk), nk = k1 - k0;
  sc.active.resize(nk);
  for (std::size_t a = 0; a < nk; ++a) {
    sc.active[a] = static_cast<std::uint32_t>(a);
    const std::size_t j = k0 + a;
    for (std::size_t g = 0; g < G; ++g) {
      sc.S[a * G + g] = 0;
      sc.coef[a * G + g] = P.coef(i, j, g);
    }
    sc.bias[a] = P.bias(i, j);
  }
  std::uint64_t& tile_adds = gs.tile_adds[tile];
  for (int r = 1; r <= P.rounds && !sc.active.empty(); ++r) {
    const std::int64_t* imin = &rs.imin[r * G];
    const std::int64_t* imax = &rs.imax[r * G];
    FunctionalStats::PlaneArray ones{}, adds{};
    for (const std::uint32_t a : sc.active) {
      const std::size_t j = k0 + a;
      std::int64_t* S = &sc.S[a * G];
      key_round<Dot>(P, rs, i, j, r, S, sc.dot.data(), ones, adds);
      for (int t = P.round_lo(r); t <= P.round_hi(r); ++t)
        gs.plane_rows[static_cast<std::size_t>(t) * P.nk + j] += 1;
      const double* c = &sc.coef[a * G];
      double lo = 0.0, up = 0.0;
      std::int64_t total = 0;
      for (std::size_t g = 0; g < G; ++g) {
        total += S[g];
        lo += c[g] * static_cast<double>(S[g] + imin[g]);
        up += c[g] * static_cast<double>(S[g] + imax[g]);
      }
      lo += sc.bias[a];
      up += sc.bias[a];
      sc.lower[a] = lo;
      sc.upper[a] = up;
      max_lower = std::max(max_lower, lo);
      if (gs.key_rounds[j] < r) gs.key_rounds[j] = r;
      if constexpr (Tracer::active) tr.round(j, r, total, lo, up);
    }
    const std::uint64_t n_active = sc.active.size();
    st.active_per_round[r] += n_active;
    for (int t = P.round_lo(r); t <= P.round_hi(r); ++t) {
      const auto u = static_cast<std::size_t>(t);
      st.plane_processed[u] += n_active;
      st.plane_ones[u] += ones[u];
      st.plane_bidir_adds[u] += adds[u];
      tile_adds += adds[u];
    }

    T = std::max(T, max_lower - margin);
    sc.next.clear();
    for (const std::uint32_t a : sc.active) {
      const bool pruned = sc.upper[a] <= T;
      if constexpr (Tracer::active) tr.decide(k0 + a, r, T, pruned);
      if (pruned) {
        st.pruned_at_round[r] += 1;
        st.rounds_hist[r] += 1;
      } else {
        sc.next.push_back(a);
      }
    }
    std::swap(sc.active, sc.next);
  }
  rs.max_lower = max_lower;
  rs.T = T;
  // Survivors: exact logits (lower == upper after the last round). Tile-wise online softmax.
  [[maybe_unused]] const std::uint64_t rescales = st.rescale_events;
  accept_survivors(P, opt, rs, k0, sc.active, sc.lower.data(), st);
  if constexpr (Tracer::active) {
    for (const std::uint32_t a : sc.active) tr.kept(k0 + a);
    tr.rescaled(st.rescale_events - rescales);
  }
}

void init_scratch(const Prepared& P, const FunctionalOptions& opt, RowScratch& sc) {
  sc.S.assign(opt.key_tile * P.groups, 0);
  sc.coef.assign(opt.key_tile * P.groups, 0.0);
  sc.bias.assign(opt.key_tile, 0.0);
  sc.lower.assign(opt.key_tile, 0.0);
  sc.upper.assign(opt.key_tile, 0.0);
  sc.active.reserve(opt.key_tile);
  sc.next.reserve(opt.key_tile);
  sc.dot.assign(P.groups, 0);
}

// Rows [r0, r1) (r0 a multiple of query_group), grouped in query groups of B_q rows, with the
// reference per-row loop.
template <class Dot, class Tracer>
void run_rows_traced(const Prepared& P, const FunctionalOptions& opt, const DenseReference* ref,
                     std::size_t r0, std::size_t r1, FunctionalStats& st, core::Matrix* output,
                     Tracer& tr) {
  RowScratch sc;
  GroupScratch gs;
  init_scratch(P, opt, sc);
  init_group(P, opt, gs);
  std::vector<RowState> states(opt.query_group);
  for (auto& rs : states) init_state(P, opt, rs);
  std::vector<float> discard(P.d);
  for (std::size_t g0 = r0; g0 < r1; g0 += opt.query_group) {
    const std::size_t g1 = std::min(r1, g0 + opt.query_group);
    std::size_t nvis_max = 0;
    for (std::size_t i = g0; i < g1; ++i) nvis_max = std::max(nvis_max, P.visible(i));
    group_start(opt, nvis_max, gs);
    // Lockstep: step s processes each row's s-th tile (the same tile for rows with the same
    // order), so one K tile serves the whole group while it is in cache. Rows are independent,
    // so this gives exactly the results of row-by-row processing.
    std::size_t steps = 0;
    for (std::size_t i = g0; i < g1; ++i) {
      row_start(P, opt, i, states[i - g0], st);
      steps = std::max(steps, states[i - g0].order.size());
    }
    for (std::size_t k = 0; k < steps; ++k)
      for (std::size_t i = g0; i < g1; ++i)
        if (k < states[i - g0].order.size()) {
          tr.start_row(i);
          row_tile<Dot>(P, opt, states[i - g0], states[i - g0].order[k], sc, gs, st, tr);
        }
    for (std::size_t i = g0; i < g1; ++i)
      row_end(P, opt, ref, states[i - g0], st, output ? output->row(i) : std::span<float>(discard));
    group_end(P, opt, nvis_max, gs, st);
  }
  add_subgroup_active(P, gs, st);
}

// The default path (no tracer) or the observed one (the tracer writes KeyDecisions).
template <class Dot>
void run_rows(const Prepared& P, const FunctionalOptions& opt, const DenseReference* ref,
              std::size_t r0, std::size_t r1, FunctionalStats& st, core::Matrix* output,
              KeyDecisions* obs) {
  if (obs == nullptr) {
    NullTracer tr;
    run_rows_traced<Dot>(P, opt, ref, r0, r1, st, output, tr);
  } else {
    DecisionTracer tr{obs};
    run_rows_traced<Dot>(P, opt, ref, r0, r1, st, output, tr);
  }
}

// The per-row loop compiled for POPCNT + AVX2, for heads the blocked kernel does not take (bits
// above 8, per-group scales): flatten inlines the whole template into this function so the
// popcounts become single instructions and P.V vectorizes.
__attribute__((target("popcnt,avx2"), flatten)) void run_rows_avx2(
    const Prepared& P, const FunctionalOptions& opt, const DenseReference* ref, std::size_t r0,
    std::size_t r1, FunctionalStats& st, core::Matrix* output, KeyDecisions* obs) {
  run_rows<PlaneDot>(P, opt, ref, r0, r1, st, output, obs);
}

KernelChoice resolve(KernelChoice k) {
  if (k != KernelChoice::automatic) {
    if (!kernel_available(k))
      throw std::invalid_argument("functional model: kernel " + std::string(to_string(k)) +
                                  " is not available on this CPU");
    return k;
  }
  for (const KernelChoice c : {KernelChoice::avx512, KernelChoice::avx2})
    if (kernel_available(c)) return c;
  return KernelChoice::generic;
}

void run_block(const Prepared& P, const FunctionalOptions& opt, KernelChoice kernel,
               const DenseReference* ref, std::size_t r0, std::size_t r1, FunctionalStats& st,
               core::Matrix* output, KeyDecisions* obs) {
  st.bits = P.p;
  st.bits_per_round = P.kbits;
  st.topk = opt.topk;
  if (kernel == KernelChoice::scalar) {
    run_rows<ScalarDot>(P, opt, ref, r0, r1, st, output, obs);
  } else if (P.blocked()) {
    const Isa isa = kernel == KernelChoice::avx512 ? Isa::avx512
                    : kernel == KernelChoice::avx2 ? Isa::avx2
                                                   : Isa::generic;
    run_rows_blocked(P, opt, ref, r0, r1, st, output, isa, obs);
  } else if (kernel == KernelChoice::generic) {
    run_rows<PlaneDot>(P, opt, ref, r0, r1, st, output, obs);
  } else {
    run_rows_avx2(P, opt, ref, r0, r1, st, output, obs);
  }
}

// `obs` (one head only): every per-key decision; rows of different tasks are disjoint.
FunctionalStats simulate_impl(std::span<const core::AttentionHead> heads,
                              const FunctionalOptions& opt, const DenseReference* given,
                              core::Matrix* output, KeyDecisions* obs = nullptr) {
  const KernelChoice kernel = resolve(opt.kernel);
  std::vector<Prepared> prepared(heads.size());
  std::vector<DenseReference> refs(given == nullptr && opt.compute_accuracy ? heads.size() : 0);
  tbb::parallel_for(std::size_t{0}, heads.size(), [&](std::size_t h) {
    prepared[h] = prepare(heads[h], opt);
    if (kernel != KernelChoice::scalar && blocked_layout_applies(prepared[h]))
      build_blocked_layout(prepared[h]);
    if (given != nullptr) check_reference(prepared[h], opt, *given);
    if (!refs.empty()) refs[h] = make_reference(prepared[h], opt);
  });
  const std::size_t block =
      std::max<std::size_t>(1, (opt.rows_per_task + opt.query_group - 1) / opt.query_group) *
      opt.query_group;
  struct Task {
    std::size_t head, r0, r1;
  };
  std::vector<Task> tasks;
  for (std::size_t h = 0; h < heads.size(); ++h)
    for (std::size_t r0 = 0; r0 < prepared[h].nq; r0 += block)
      tasks.push_back({h, r0, std::min(prepared[h].nq, r0 + block)});
  std::vector<FunctionalStats> partial(tasks.size());
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, tasks.size(), 1),
                    [&](const tbb::blocked_range<std::size_t>& r) {
                      for (std::size_t t = r.begin(); t != r.end(); ++t) {
                        const std::size_t h = tasks[t].head;
                        const DenseReference* ref =
                            given != nullptr ? given : (refs.empty() ? nullptr : &refs[h]);
                        run_block(prepared[h], opt, kernel, ref, tasks[t].r0, tasks[t].r1,
                                  partial[t], output, obs);
                      }
                    });
  // Fixed merge order (task index), independent of scheduling: bit-identical results.
  FunctionalStats total;
  for (const auto& s : partial) total += s;
  return total;
}

}  // namespace

std::string_view to_string(KernelChoice k) {
  switch (k) {
    case KernelChoice::automatic:
      return "automatic";
    case KernelChoice::scalar:
      return "scalar";
    case KernelChoice::generic:
      return "generic";
    case KernelChoice::avx2:
      return "avx2";
    case KernelChoice::avx512:
      return "avx512";
  }
  return "?";
}

bool kernel_available(KernelChoice k) {
  __builtin_cpu_init();
  switch (k) {
    case KernelChoice::automatic:
    case KernelChoice::scalar:
    case KernelChoice::generic:
      return true;
    case KernelChoice::avx2:
      return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt");
    case KernelChoice::avx512:
      return kernel_available(KernelChoice::avx2) && __builtin_cpu_supports("avx512f") &&
             __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vnni");
  }
  return false;
}

KernelChoice resolved_kernel(KernelChoice k) {
  return resolve(k);
}

FunctionalStats simulate_head(const core::AttentionHead& head, const FunctionalOptions& opt) {
  return simulate_impl(std::span<const core::AttentionHead>(&head, 1), opt, nullptr, nullptr);
}

FunctionalStats simulate_head(const core::AttentionHead& head, const FunctionalOptions& opt,
                              const DenseReference& reference) {
  return simulate_impl(std::span<const core::AttentionHead>(&head, 1), opt, &reference, nullptr);
}

FunctionalResult simulate_head_with_output(const core::AttentionHead& head,
                                           const FunctionalOptions& opt) {
  FunctionalResult res;
  res.output = core::Matrix(head.q.rows(), head.q.cols());
  res.stats =
      simulate_impl(std::span<const core::AttentionHead>(&head, 1), opt, nullptr, &res.output);
  return res;
}

FunctionalStats simulate_heads(std::span<const core::AttentionHead> heads,
                               const FunctionalOptions& opt) {
  return simulate_impl(heads, opt, nullptr, nullptr);
}

FunctionalStats simulate_head_observed(const core::AttentionHead& head,
                                       const FunctionalOptions& opt, KeyDecisions& decisions) {
  KeyDecisions& d = decisions;
  d.rows = head.q.rows();
  d.keys = head.k.rows();
  d.rounds.assign(d.rows * d.keys, 0);
  d.kept.assign(d.rows * d.keys, 0);
  d.row_rescales.assign(d.rows, 0);
  const FunctionalStats st =
      simulate_impl(std::span<const core::AttentionHead>(&head, 1), opt, nullptr, nullptr, &d);
  d.row_kept.assign(d.rows, 0);
  for (std::size_t i = 0; i < d.rows; ++i)
    for (std::size_t j = 0; j < d.keys; ++j) d.row_kept[i] += d.kept[i * d.keys + j];
  return st;
}

AttentionProfile attention_profile(const core::AttentionHead& head, const FunctionalOptions& opt,
                                   std::size_t sink_tokens) {
  const Prepared P = prepare(head, opt);
  AttentionProfile a;
  a.rows = P.nq;
  std::vector<float> probs(P.nk), out(P.d);
  double entropy = 0, sink = 0;
  for (std::size_t i = 0; i < P.nq; ++i) {
    (void)dense_row(P, i, probs, out);
    const std::size_t nvis = P.visible(i);
    for (std::size_t j = 0; j < nvis; ++j) {
      const double p = probs[j];
      if (p > 0) entropy -= p * std::log(p);
      if (j < sink_tokens) sink += p;  // key j sits at position j
    }
  }
  if (P.nq > 0) {
    a.mean_entropy = entropy / static_cast<double>(P.nq);
    a.mean_sink_mass = sink / static_cast<double>(P.nq);
  }
  return a;
}

DenseReference dense_reference(const core::AttentionHead& head, const FunctionalOptions& opt) {
  return make_reference(prepare(head, opt), opt);
}

core::Matrix dense_attention(const core::AttentionHead& head, const FunctionalOptions& opt) {
  const Prepared P = prepare(head, opt);
  core::Matrix out(P.nq, P.d);
  std::vector<float> logits(P.nk);
  for (std::size_t i = 0; i < P.nq; ++i) (void)dense_row(P, i, logits, out.row(i));
  return out;
}

core::Matrix dense_quantized_attention(const core::AttentionHead& head,
                                       const FunctionalOptions& opt) {
  const Prepared P = prepare(head, opt);
  core::Matrix out(P.nq, P.d);
  std::vector<double> logits(P.nk);
  for (std::size_t i = 0; i < P.nq; ++i) {
    const std::size_t nvis = P.visible(i);
    double m = kNegInf;
    for (std::size_t j = 0; j < nvis; ++j) {
      logits[j] = P.exact_logit(i, j);
      m = std::max(m, logits[j]);
    }
    double l = 0.0;
    for (std::size_t j = 0; j < nvis; ++j) {
      logits[j] = std::exp(logits[j] - m);
      l += logits[j];
    }
    auto o = out.row(i);
    for (std::size_t j = 0; j < nvis; ++j) {
      const float pj = static_cast<float>(logits[j] / l);
      const auto vj = head.v.row(j);
      for (std::size_t c = 0; c < P.d; ++c) o[c] += pj * vj[c];
    }
  }
  return out;
}

RowTrace trace_row(const core::AttentionHead& head, const FunctionalOptions& opt, std::size_t row) {
  const Prepared P = prepare(head, opt);
  if (row >= P.nq) throw std::out_of_range("trace_row: row");
  RowTrace trace;
  trace.row = row;
  const std::size_t nvis = P.visible(row);
  trace.keys.resize(nvis);
  trace.output.resize(P.d);
  RowScratch sc;
  GroupScratch gs;
  FunctionalOptions o = opt;
  o.compute_accuracy = false;
  init_scratch(P, o, sc);
  init_group(P, o, gs);
  RowState rs;
  init_state(P, o, rs);
  FunctionalStats st;
  RowTracer tr{&trace};
  row_start(P, o, row, rs, st);
  trace.tile_order = rs.order;
  for (const std::size_t tile : rs.order) row_tile<ScalarDot>(P, o, rs, tile, sc, gs, st, tr);
  row_end(P, o, nullptr, rs, st, trace.output);
  // Exact logits from the full integer scores, computed independently of the round loop.
  trace.max_exact_logit = kNegInf;
  for (std::size_t j = 0; j < nvis; ++j) {
    trace.keys[j].key = j;
    trace.keys[j].exact_logit = P.exact_logit(row, j);
    trace.max_exact_logit = std::max(trace.max_exact_logit, trace.keys[j].exact_logit);
  }
  return trace;
}

}  // namespace pade::models
