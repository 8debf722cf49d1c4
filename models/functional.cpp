// PADE functional model: BSF + BUI-GF per row, bidirectional bit sparsity counts, ISTA tiles with
// group-shared plane fetches and online softmax. See functional.hpp for the semantics.
#include "models/functional.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

#include <immintrin.h>
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include "core/bitplanes.hpp"
#include "core/error.hpp"

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

BuiInterval bui_interval(std::span<const std::int16_t> q, int bits, int rounds) {
  std::int64_t pos = 0, neg = 0;
  for (const std::int16_t v : q) (v > 0 ? pos : neg) += v;
  // Unknown planes p-r-1 .. 0 all have positive weight; together at most 2^{p-r} - 1 per dim.
  const std::int64_t span = (std::int64_t{1} << (bits - rounds)) - 1;
  return {span * neg, span * pos};
}

std::int64_t partial_score(std::span<const std::int16_t> q, std::span<const std::int16_t> k,
                           int bits, int rounds) {
  std::int64_t s = 0;
  for (int r = 1; r <= rounds; ++r) {
    const int t = bits - r;
    for (std::size_t d = 0; d < q.size(); ++d)
      if (core::code_bit(k[d], t)) s += core::plane_weight(t, bits) * q[d];
  }
  return s;
}

namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

// One contiguous run of dimensions of a scale group inside one 64-bit plane word.
struct Segment {
  std::uint32_t word;
  std::uint64_t mask;
};

// A head made ready for simulation: quantized operands, bit planes, scale-group layout.
struct Prepared {
  const core::AttentionHead* head = nullptr;
  int p = 8;
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
  // Simulation-speed copy of the key planes for the AVX2 kernel (bits <= 8, one scale group):
  // plane t of key j as dpad bytes of 0/1 at kbytes[(j * p + t) * dpad], dims padded to 32.
  // Built from `kplanes` (the hardware layout) so the two cannot disagree.
  std::size_t dpad = 0;
  std::vector<std::uint8_t> kbytes;
  std::vector<std::int8_t> q8;  // nq x dpad int8 query codes, zero padded

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

Prepared prepare(const core::AttentionHead& head, const FunctionalOptions& opt) {
  if (opt.bits < 4 || opt.bits > FunctionalStats::kMaxBits)
    throw core::InputError("functional model: bits must be in 4..16");
  if (opt.query_group == 0 || opt.key_tile == 0)
    throw core::InputError("functional model: empty tile");
  if (head.q.cols() != head.k.cols() || head.k.rows() != head.v.rows())
    throw core::InputError("functional model: Q/K/V shapes disagree");
  if (head.q.cols() == 0) throw core::InputError("functional model: head dimension is 0");
  Prepared P;
  P.head = &head;
  P.p = opt.bits;
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

// The byte-expanded key planes take p bytes per key dimension, 8x the packed planes: 219 MB for
// one head of 214k keys at d = 128, INT8, on top of K, V, the codes and the planes. Above this
// size a head runs the packed-plane kernel instead (the same integer dot products, so identical
// results), which keeps long rows within the memory target (bench/bench_workloads.cpp).
constexpr std::size_t kMaxByteKernelBytes = std::size_t{64} << 20;

bool byte_kernel_applies(const Prepared& P) {
  const std::size_t dpad = (P.d + 31) / 32 * 32;
  return P.p <= 8 && P.groups == 1 &&
         P.nk * static_cast<std::size_t>(P.p) * dpad <= kMaxByteKernelBytes;
}

void build_byte_planes(Prepared& P) {
  P.dpad = (P.d + 31) / 32 * 32;
  P.kbytes.assign(P.nk * static_cast<std::size_t>(P.p) * P.dpad, 0);
  for (std::size_t j = 0; j < P.nk; ++j)
    for (int t = 0; t < P.p; ++t) {
      std::uint8_t* dst =
          &P.kbytes[(j * static_cast<std::size_t>(P.p) + static_cast<std::size_t>(t)) * P.dpad];
      for (std::size_t c = 0; c < P.d; ++c) dst[c] = P.kplanes.bit(t, j, c) ? 1 : 0;
    }
  P.q8.assign(P.nq * P.dpad, 0);
  for (std::size_t i = 0; i < P.nq; ++i)
    for (std::size_t c = 0; c < P.d; ++c)
      P.q8[i * P.dpad + c] = static_cast<std::int8_t>(P.q.at(i, c));
}

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
  std::vector<std::int64_t> dot;   // groups
  std::vector<float> dense;        // nk, accuracy only
  std::vector<std::uint32_t> idx;  // nk, accuracy only
  std::vector<float> ref;          // d, accuracy only: dense FP32 output row
};

// Per query-group working memory: what the group's rows jointly need from DRAM and per-tile work.
struct GroupScratch {
  std::vector<std::uint8_t> key_rounds;  // nk: max rounds over the group's rows
  std::vector<std::uint64_t> tile_adds;  // key tiles
};

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

// AVX2 kernel on byte-expanded planes: vpmaddubsw multiplies the 0/1 plane bytes (unsigned) by
// the int8 query codes (signed) and adds pairs, so 32 dims cost one instruction.
struct ByteDot {
  __attribute__((target("avx2,popcnt"))) static void run(const Prepared& P, const RowState&,
                                                         std::size_t i, std::size_t j, int t,
                                                         std::int64_t* dot, int& ones) {
    const std::uint8_t* b =
        &P.kbytes[(j * static_cast<std::size_t>(P.p) + static_cast<std::size_t>(t)) * P.dpad];
    const std::int8_t* q = &P.q8[i * P.dpad];
    const __m256i one16 = _mm256_set1_epi16(1);
    __m256i acc = _mm256_setzero_si256();
    __m256i cnt = _mm256_setzero_si256();
    for (std::size_t c = 0; c < P.dpad; c += 32) {
      const __m256i bv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + c));
      const __m256i qv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q + c));
      acc = _mm256_add_epi32(acc, _mm256_madd_epi16(_mm256_maddubs_epi16(bv, qv), one16));
      cnt = _mm256_add_epi64(cnt, _mm256_sad_epu8(bv, _mm256_setzero_si256()));
    }
    __m128i a = _mm_add_epi32(_mm256_castsi256_si128(acc), _mm256_extracti128_si256(acc, 1));
    a = _mm_add_epi32(a, _mm_shuffle_epi32(a, 0x4e));
    a = _mm_add_epi32(a, _mm_shuffle_epi32(a, 0xb1));
    __m128i n = _mm_add_epi64(_mm256_castsi256_si128(cnt), _mm256_extracti128_si256(cnt, 1));
    n = _mm_add_epi64(n, _mm_unpackhi_epi64(n, n));
    dot[0] = _mm_cvtsi128_si32(a);
    ones = static_cast<int>(_mm_cvtsi128_si64(n));
  }
};

struct NullTracer {
  static constexpr bool active = false;
  void tiles(const std::vector<std::size_t>&) {}
  void round(std::size_t, int, std::int64_t, double, double) {}
  void decide(std::size_t, int, double, bool) {}
};

struct RowTracer {
  static constexpr bool active = true;
  RowTrace* out;
  void tiles(const std::vector<std::size_t>& order) { out->tile_order = order; }
  void round(std::size_t j, int r, std::int64_t partial, double lo, double up) {
    KeyTrace& kt = out->keys[j];
    kt.key = j;
    kt.rounds = r;
    kt.partial.push_back(partial);
    kt.lower.push_back(lo);
    kt.upper.push_back(up);
  }
  void decide(std::size_t j, int, double T, bool) { out->keys[j].threshold.push_back(T); }
};

// Dense FP32 attention of row i (mask and bias as resolved in P); leaves the probabilities in
// `logits`.
void dense_row(const Prepared& P, std::size_t i, std::span<float> logits, std::span<float> out) {
  const auto& H = *P.head;
  const std::size_t nvis = P.visible(i);
  const auto qi = H.q.row(i);
  const float inv = static_cast<float>(P.inv_sqrt_d);
  float m = -std::numeric_limits<float>::infinity();
  for (std::size_t j = 0; j < nvis; ++j) {
    const auto kj = H.k.row(j);
    float acc = 0.0f;
    for (std::size_t c = 0; c < P.d; ++c) acc += qi[c] * kj[c];
    logits[j] = acc * inv + static_cast<float>(P.bias(i, j));
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
}

// Starts row i: its query planes, BUI bounds per round, tile order, empty softmax state.
template <class Tracer>
void row_begin(const Prepared& P, const FunctionalOptions& opt, std::size_t i, RowState& rs,
               FunctionalStats& st, Tracer& tr) {
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
  for (int r = 1; r <= p; ++r) {
    const std::int64_t span = (std::int64_t{1} << (p - r)) - 1;
    for (std::size_t g = 0; g < G; ++g) {
      rs.imin[r * G + g] = guard ? span * P.qneg[i * G + g] : 0;
      rs.imax[r * G + g] = guard ? span * P.qpos[i * G + g] : 0;
    }
  }
  rs.order = tile_order((rs.nvis + opt.key_tile - 1) / opt.key_tile, opt.order);
  if constexpr (Tracer::active) tr.tiles(rs.order);
  if (opt.compute_accuracy)
    std::fill(rs.kept.begin(), rs.kept.begin() + static_cast<std::ptrdiff_t>(rs.nvis), 0);
  rs.max_lower = kNegInf;
  rs.T = kNegInf;
  rs.m = kNegInf;
  rs.l = 0.0;
  std::fill(rs.o.begin(), rs.o.end(), 0.0f);
}

// Processes one key tile of a row: MSB-first rounds with guard pruning, then online softmax over
// the tile's survivors. Updates stats and the group's shared-fetch record.
template <class Dot, class Tracer>
void row_tile(const Prepared& P, const FunctionalOptions& opt, RowState& rs, std::size_t tile,
              RowScratch& sc, GroupScratch& gs, FunctionalStats& st, Tracer& tr) {
  const int p = P.p;
  const std::size_t G = P.groups, Bk = opt.key_tile, i = rs.i, nvis = rs.nvis;
  const double margin = opt.alpha * opt.radius;
  const auto V = P.head->v.data();
  double max_lower = rs.max_lower, T = rs.T, m = rs.m, l = rs.l;
  {
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
    for (int r = 1; r <= p && !sc.active.empty(); ++r) {
      const int t = p - r;
      const std::int64_t wt = core::plane_weight(t, p);
      const std::int64_t* imin = &rs.imin[r * G];
      const std::int64_t* imax = &rs.imax[r * G];
      std::uint64_t ones_sum = 0, adds_sum = 0;
      for (const std::uint32_t a : sc.active) {
        const std::size_t j = k0 + a;
        int ones = 0;
        Dot::run(P, rs, i, j, t, sc.dot.data(), ones);
        ones_sum += static_cast<std::uint64_t>(ones);
        // Bidirectional sparsity: the lane adds the ones or the zeros, whichever are fewer.
        adds_sum += static_cast<std::uint64_t>(std::min<std::size_t>(ones, P.d - ones));
        std::int64_t* S = &sc.S[a * G];
        const double* c = &sc.coef[a * G];
        double lo = 0.0, up = 0.0;
        std::int64_t total = 0;
        for (std::size_t g = 0; g < G; ++g) {
          S[g] += wt * sc.dot[g];
          total += S[g];
          lo += c[g] * static_cast<double>(S[g] + imin[g]);
          up += c[g] * static_cast<double>(S[g] + imax[g]);
        }
        lo += sc.bias[a];
        up += sc.bias[a];
        sc.lower[a] = lo;
        sc.upper[a] = up;
        max_lower = std::max(max_lower, lo);
        if (gs.key_rounds[j] < r) gs.key_rounds[j] = static_cast<std::uint8_t>(r);
        if constexpr (Tracer::active) tr.round(j, r, total, lo, up);
      }
      const std::uint64_t n_active = sc.active.size();
      st.active_per_round[r] += n_active;
      st.plane_processed[t] += n_active;
      st.plane_ones[t] += ones_sum;
      st.plane_bidir_adds[t] += adds_sum;
      tile_adds += adds_sum;

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
    // Survivors: exact logits (lower == upper after p rounds). Tile-wise online softmax.
    if (sc.active.empty()) {
      rs.max_lower = max_lower;
      rs.T = T;
      return;
    }
    st.rounds_hist[p] += sc.active.size();
    st.pairs_kept += sc.active.size();
    double tmax = kNegInf;
    for (const std::uint32_t a : sc.active) tmax = std::max(tmax, sc.lower[a]);
    if (tmax > m) {
      st.max_updates += 1;
      if (l > 0.0) {
        st.rescale_events += 1;
        const float f = std::exp(static_cast<float>(m - tmax));
        for (auto& x : rs.o) x *= f;
        l *= f;
      }
      m = tmax;
    }
    for (const std::uint32_t a : sc.active) {
      const std::size_t j = k0 + a;
      const float pj = std::exp(static_cast<float>(sc.lower[a] - m));
      l += pj;
      const float* vj = V.data() + j * P.d;
      float* o = rs.o.data();
      for (std::size_t c = 0; c < P.d; ++c) o[c] += pj * vj[c];
      if (opt.compute_accuracy) rs.kept[j] = 1;
      if constexpr (Tracer::active) tr.out->keys[j].kept = true;
    }
  }
  rs.max_lower = max_lower;
  rs.T = T;
  rs.m = m;
  rs.l = l;
}

// Finishes a row: normalizes the output and measures accuracy against dense FP32.
void row_end(const Prepared& P, const FunctionalOptions& opt, RowState& rs, RowScratch& sc,
             FunctionalStats& st, std::span<float> out) {
  const std::size_t i = rs.i, nvis = rs.nvis;
  const double l = rs.l;
  const float inv_l = l > 0.0 ? static_cast<float>(1.0 / l) : 0.0f;
  for (std::size_t c = 0; c < P.d; ++c) out[c] = rs.o[c] * inv_l;

  if (opt.compute_accuracy && nvis > 0) {
    std::vector<float>& ref = sc.ref;
    dense_row(P, i, sc.dense, ref);  // sc.dense now holds dense FP32 probabilities
    double diff2 = 0, ref2 = 0, out2 = 0, dot = 0;
    for (std::size_t c = 0; c < P.d; ++c) {
      const double a = out[c], b = ref[c];
      diff2 += (a - b) * (a - b);
      ref2 += b * b;
      out2 += a * a;
      dot += a * b;
    }
    const double rel = ref2 > 0 ? std::sqrt(diff2 / ref2) : std::sqrt(diff2);
    const double cosv =
        (ref2 > 0 && out2 > 0) ? dot / std::sqrt(ref2 * out2) : (ref2 == out2 ? 1.0 : 0.0);
    double mass = 0;
    for (std::size_t j = 0; j < nvis; ++j)
      if (rs.kept[j]) mass += sc.dense[j];
    const std::size_t k = std::min<std::size_t>(opt.topk, nvis);
    std::iota(sc.idx.begin(), sc.idx.begin() + static_cast<std::ptrdiff_t>(nvis), 0u);
    std::partial_sort(sc.idx.begin(), sc.idx.begin() + static_cast<std::ptrdiff_t>(k),
                      sc.idx.begin() + static_cast<std::ptrdiff_t>(nvis),
                      [&](std::uint32_t x, std::uint32_t y) {
                        return sc.dense[x] != sc.dense[y] ? sc.dense[x] > sc.dense[y] : x < y;
                      });
    std::size_t hit = 0;
    for (std::size_t a = 0; a < k; ++a) hit += rs.kept[sc.idx[a]];
    st.add_accuracy_row(rel, cosv, mass, hit, k);
  }
}

// One row on its own (tracing): begin, every tile in the row's order, end.
template <class Dot, class Tracer>
void run_row(const Prepared& P, const FunctionalOptions& opt, std::size_t i, RowState& rs,
             RowScratch& sc, GroupScratch& gs, FunctionalStats& st, std::span<float> out,
             Tracer& tr) {
  row_begin(P, opt, i, rs, st, tr);
  for (const std::size_t tile : rs.order) row_tile<Dot>(P, opt, rs, tile, sc, gs, st, tr);
  row_end(P, opt, rs, sc, st, out);
}

void init_state(const Prepared& P, const FunctionalOptions& opt, RowState& rs) {
  rs.qp.assign(static_cast<std::size_t>(P.p) * P.words, 0);
  rs.imin.assign(static_cast<std::size_t>(P.p + 1) * P.groups, 0);
  rs.imax.assign(static_cast<std::size_t>(P.p + 1) * P.groups, 0);
  rs.o.assign(P.d, 0.0f);
  if (opt.compute_accuracy) rs.kept.assign(P.nk, 0);
}

void init_scratch(const Prepared& P, const FunctionalOptions& opt, RowScratch& sc,
                  GroupScratch& gs) {
  sc.S.assign(opt.key_tile * P.groups, 0);
  sc.coef.assign(opt.key_tile * P.groups, 0.0);
  sc.bias.assign(opt.key_tile, 0.0);
  sc.lower.assign(opt.key_tile, 0.0);
  sc.upper.assign(opt.key_tile, 0.0);
  sc.active.reserve(opt.key_tile);
  sc.next.reserve(opt.key_tile);
  sc.dot.assign(P.groups, 0);
  if (opt.compute_accuracy) {
    sc.dense.assign(P.nk, 0.0f);
    sc.idx.assign(P.nk, 0);
    sc.ref.assign(P.d, 0.0f);
  }
  gs.key_rounds.assign(P.nk, 0);
  gs.tile_adds.assign((P.nk + opt.key_tile - 1) / opt.key_tile + 1, 0);
}

// Rows [r0, r1) (r0 a multiple of query_group), grouped in query groups of B_q rows.
template <class Dot>
void run_rows(const Prepared& P, const FunctionalOptions& opt, std::size_t r0, std::size_t r1,
              FunctionalStats& st, core::Matrix* output) {
  RowScratch sc;
  GroupScratch gs;
  init_scratch(P, opt, sc, gs);
  std::vector<RowState> states(opt.query_group);
  for (auto& rs : states) init_state(P, opt, rs);
  NullTracer tr;
  std::vector<float> discard(P.d);
  const int p = P.p;
  for (std::size_t g0 = r0; g0 < r1; g0 += opt.query_group) {
    const std::size_t g1 = std::min(r1, g0 + opt.query_group);
    std::size_t nvis_max = 0;
    for (std::size_t i = g0; i < g1; ++i) nvis_max = std::max(nvis_max, P.visible(i));
    const std::size_t ntiles = (nvis_max + opt.key_tile - 1) / opt.key_tile;
    std::fill(gs.key_rounds.begin(), gs.key_rounds.begin() + static_cast<std::ptrdiff_t>(nvis_max),
              0);
    std::fill(gs.tile_adds.begin(), gs.tile_adds.begin() + static_cast<std::ptrdiff_t>(ntiles), 0);
    // Lockstep: step s processes each row's s-th tile (the same tile for rows with the same
    // order), so one K tile serves the whole group while it is in cache. Rows are independent,
    // so this gives exactly the results of row-by-row processing.
    std::size_t steps = 0;
    for (std::size_t i = g0; i < g1; ++i) {
      row_begin(P, opt, i, states[i - g0], st, tr);
      steps = std::max(steps, states[i - g0].order.size());
    }
    for (std::size_t k = 0; k < steps; ++k)
      for (std::size_t i = g0; i < g1; ++i)
        if (k < states[i - g0].order.size())
          row_tile<Dot>(P, opt, states[i - g0], states[i - g0].order[k], sc, gs, st, tr);
    for (std::size_t i = g0; i < g1; ++i)
      row_end(P, opt, states[i - g0], sc, st, output ? output->row(i) : std::span<float>(discard));
    // Group-shared fetches: key j's planes p-1 .. p-r_j are fetched once for the whole group.
    FunctionalStats::RoundArray hist{};
    for (std::size_t j = 0; j < nvis_max; ++j) hist[gs.key_rounds[j]] += 1;
    std::uint64_t fetches = 0, at_least = 0;
    for (int r = p; r >= 1; --r) {
      at_least += hist[r];
      st.plane_fetches[p - r] += at_least;  // keys that reached round r fetched plane p - r
      st.group_key_rounds_hist[r] += hist[r];
      fetches += static_cast<std::uint64_t>(r) * hist[r];
    }
    st.query_groups += 1;
    st.group_fetch_sum += fetches;
    st.group_fetch_sumsq += fetches * fetches;
    st.group_fetch_max = std::max(st.group_fetch_max, fetches);
    for (std::size_t t = 0; t < ntiles; ++t) {
      const std::uint64_t w = gs.tile_adds[t];
      st.tiles += 1;
      st.tile_adds_sum += w;
      st.tile_adds_sumsq += w * w;
      st.tile_adds_max = std::max(st.tile_adds_max, w);
    }
  }
}

// The same loop compiled for POPCNT + AVX2: flatten inlines the whole template into this
// function so the popcounts become single instructions and P.V vectorizes. Chosen at run time.
__attribute__((target("popcnt,avx2"), flatten)) void run_rows_fast(const Prepared& P,
                                                                   const FunctionalOptions& opt,
                                                                   std::size_t r0, std::size_t r1,
                                                                   FunctionalStats& st,
                                                                   core::Matrix* output) {
  run_rows<PlaneDot>(P, opt, r0, r1, st, output);
}
__attribute__((target("popcnt,avx2"), flatten)) void run_rows_bytes(const Prepared& P,
                                                                    const FunctionalOptions& opt,
                                                                    std::size_t r0, std::size_t r1,
                                                                    FunctionalStats& st,
                                                                    core::Matrix* output) {
  run_rows<ByteDot>(P, opt, r0, r1, st, output);
}

bool cpu_has_fast_path() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("popcnt") && __builtin_cpu_supports("avx2");
}

void run_block(const Prepared& P, const FunctionalOptions& opt, std::size_t r0, std::size_t r1,
               FunctionalStats& st, core::Matrix* output) {
  st.bits = P.p;
  st.topk = opt.topk;
  switch (opt.kernel) {
    case KernelChoice::scalar:
      run_rows<ScalarDot>(P, opt, r0, r1, st, output);
      return;
    case KernelChoice::popcount_generic:
      run_rows<PlaneDot>(P, opt, r0, r1, st, output);
      return;
    case KernelChoice::automatic:
      if (cpu_has_fast_path() && !P.kbytes.empty())
        run_rows_bytes(P, opt, r0, r1, st, output);
      else if (cpu_has_fast_path())
        run_rows_fast(P, opt, r0, r1, st, output);
      else
        run_rows<PlaneDot>(P, opt, r0, r1, st, output);
      return;
  }
}

FunctionalStats simulate_impl(std::span<const core::AttentionHead> heads,
                              const FunctionalOptions& opt, core::Matrix* output) {
  std::vector<Prepared> prepared(heads.size());
  tbb::parallel_for(std::size_t{0}, heads.size(), [&](std::size_t h) {
    prepared[h] = prepare(heads[h], opt);
    if (opt.kernel == KernelChoice::automatic && cpu_has_fast_path() &&
        byte_kernel_applies(prepared[h]))
      build_byte_planes(prepared[h]);
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
                      for (std::size_t t = r.begin(); t != r.end(); ++t)
                        run_block(prepared[tasks[t].head], opt, tasks[t].r0, tasks[t].r1,
                                  partial[t], output);
                    });
  // Fixed merge order (task index), independent of scheduling: bit-identical results.
  FunctionalStats total;
  for (const auto& s : partial) total += s;
  return total;
}

}  // namespace

FunctionalStats simulate_head(const core::AttentionHead& head, const FunctionalOptions& opt) {
  return simulate_impl(std::span<const core::AttentionHead>(&head, 1), opt, nullptr);
}

FunctionalResult simulate_head_with_output(const core::AttentionHead& head,
                                           const FunctionalOptions& opt) {
  FunctionalResult res;
  res.output = core::Matrix(head.q.rows(), head.q.cols());
  res.stats = simulate_impl(std::span<const core::AttentionHead>(&head, 1), opt, &res.output);
  return res;
}

FunctionalStats simulate_heads(std::span<const core::AttentionHead> heads,
                               const FunctionalOptions& opt) {
  return simulate_impl(heads, opt, nullptr);
}

core::Matrix dense_attention(const core::AttentionHead& head, const FunctionalOptions& opt) {
  const Prepared P = prepare(head, opt);
  core::Matrix out(P.nq, P.d);
  std::vector<float> logits(P.nk);
  for (std::size_t i = 0; i < P.nq; ++i) dense_row(P, i, logits, out.row(i));
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
  init_scratch(P, o, sc, gs);
  RowState rs;
  init_state(P, o, rs);
  FunctionalStats st;
  RowTracer tr{&trace};
  run_row<ScalarDot>(P, o, row, rs, sc, gs, st, trace.output, tr);
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
