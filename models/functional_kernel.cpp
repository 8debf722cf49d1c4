// Blocked functional kernel: the reference loop of functional.cpp (one row, one key, one round at
// a time) reorganized so that a round of a key tile is computed for all rows of a query group that
// are at that tile, 16 keys at a time, with the instruction set chosen at run time. Every decision
// and counter is the reference's, in integers or in the same double expressions, so the results
// are bit-identical on every path (tests/test_functional.cpp, "all kernels ...").
//
// Round r of a tile processes key plane t = p - r:
//  1. Inner products. Keys are stored as int8 codes in blocks of 16 keys x 4 dims (64 bytes). The
//     plane is extracted in registers, ((code >> t) & 1) per byte, once per block and dim quad,
//     and shared by the group's rows (the hardware's group-shared plane fetch); each row adds
//     its 4 query codes per key with one byte dot-product instruction (AVX-512 VNNI vpdpbusd: 16
//     keys x 4 dims per instruction; AVX2: vpmaddubsw on 8 keys). A block is skipped when no
//     row of the group still has an active key in it (bitmask of dead keys).
//  2. Per row, over its active keys (bitmask iteration): S += w_t * dot, the BUI bounds, the guard
//     threshold, the prune decisions and the counters, exactly as the reference loop.
// Survivors go through the shared online softmax and P.V (accept_survivors, vectorized by the
// target ISA, elementwise so identical on every path).
//
// k bits per round (issue 15): a round consuming planes t .. t-k+1 needs the dot of q with the
// k-bit slice of each code. The slice is extracted in registers like a plane, ((code >> (t-k+1))
// & (2^k - 1)) per byte, and vpdpbusd multiplies unsigned bytes up to 255 by the signed query
// codes, so a k-bit round costs the same instructions as a 1-bit round; S += 2^(t-k+1) * dot
// (the sign plane, inside round 1, keeps its negative weight: subtract 2^p * dot of the sign
// bit, or use the signed top slice code >> (p-k)). Only the plane extraction, the weight and the
// BUI span (2^(p - r*k) - 1) change; the loop below is written per round for that reason.
#include <immintrin.h>

#include <algorithm>
#include <bit>
#include <cstring>

#include "models/functional_impl.hpp"

namespace pade::models::detail {

namespace {

constexpr int kMaxRows = 8;  // rows per register block (the hardware query group is 8 rows)
constexpr std::size_t kQuadBytes = 4 * kBlockKeys;  // one dim quad of a key block

// Inner products of plane t of one 16-key block with NR query rows:
// out[r * stride + a] = sum_c bit_t(code of key a, dim c) * q_r[c].
struct GenericDot {
  template <int NR>
  static void block(const std::int8_t* kb, std::size_t quads, int t, const std::uint32_t* const* q,
                    std::int32_t* out, std::size_t stride) {
    std::int32_t acc[NR][kBlockKeys] = {};
    for (std::size_t c = 0; c < quads; ++c) {
      const std::int8_t* v = kb + c * kQuadBytes;
      std::int32_t bit[kQuadBytes];
      for (std::size_t b = 0; b < kQuadBytes; ++b)
        bit[b] = (static_cast<std::uint8_t>(v[b]) >> t) & 1;
      for (int r = 0; r < NR; ++r) {
        const std::uint32_t w = q[r][c];
        const std::int32_t q0 = static_cast<std::int8_t>(w & 0xff);
        const std::int32_t q1 = static_cast<std::int8_t>((w >> 8) & 0xff);
        const std::int32_t q2 = static_cast<std::int8_t>((w >> 16) & 0xff);
        const std::int32_t q3 = static_cast<std::int8_t>(w >> 24);
        for (std::size_t a = 0; a < kBlockKeys; ++a)
          acc[r][a] +=
              bit[4 * a] * q0 + bit[4 * a + 1] * q1 + bit[4 * a + 2] * q2 + bit[4 * a + 3] * q3;
      }
    }
    for (int r = 0; r < NR; ++r)
      std::memcpy(out + static_cast<std::size_t>(r) * stride, acc[r], sizeof acc[r]);
  }
};

// vpmaddubsw multiplies the plane bytes (unsigned 0/1) by the query codes (signed) and adds
// pairs into int16; 64 dim quads of |sum| <= 256 fit in int16 before vpmaddwd widens them.
struct Avx2Dot {
  template <int NR>
  __attribute__((target("avx2"))) static void block(const std::int8_t* kb, std::size_t quads, int t,
                                                    const std::uint32_t* const* q,
                                                    std::int32_t* out, std::size_t stride) {
    const __m256i one8 = _mm256_set1_epi8(1), one16 = _mm256_set1_epi16(1);
    const __m128i cnt = _mm_cvtsi32_si128(t);
    __m256i acc[NR][2];
    for (int r = 0; r < NR; ++r) acc[r][0] = acc[r][1] = _mm256_setzero_si256();
    for (std::size_t c0 = 0; c0 < quads; c0 += 64) {
      __m256i part[NR][2];
      for (int r = 0; r < NR; ++r) part[r][0] = part[r][1] = _mm256_setzero_si256();
      for (std::size_t c = c0; c < std::min(quads, c0 + 64); ++c) {
        const auto* v = reinterpret_cast<const __m256i*>(kb + c * kQuadBytes);
        const __m256i lo = _mm256_and_si256(_mm256_srl_epi16(_mm256_loadu_si256(v), cnt), one8);
        const __m256i hi = _mm256_and_si256(_mm256_srl_epi16(_mm256_loadu_si256(v + 1), cnt), one8);
        for (int r = 0; r < NR; ++r) {
          const __m256i qv = _mm256_set1_epi32(static_cast<int>(q[r][c]));
          part[r][0] = _mm256_add_epi16(part[r][0], _mm256_maddubs_epi16(lo, qv));
          part[r][1] = _mm256_add_epi16(part[r][1], _mm256_maddubs_epi16(hi, qv));
        }
      }
      for (int r = 0; r < NR; ++r)
        for (int h = 0; h < 2; ++h)
          acc[r][h] = _mm256_add_epi32(acc[r][h], _mm256_madd_epi16(part[r][h], one16));
    }
    for (int r = 0; r < NR; ++r) {
      auto* o = reinterpret_cast<__m256i*>(out + static_cast<std::size_t>(r) * stride);
      _mm256_storeu_si256(o, acc[r][0]);
      _mm256_storeu_si256(o + 1, acc[r][1]);
    }
  }
};

// vpdpbusd: per 32-bit lane (one key), 4 plane bytes (unsigned) times 4 query codes (signed),
// summed and accumulated: 16 keys x 4 dims per instruction.
struct Avx512Dot {
  template <int NR>
  __attribute__((target("avx512f,avx512bw,avx512vnni"))) static void block(
      const std::int8_t* kb, std::size_t quads, int t, const std::uint32_t* const* q,
      std::int32_t* out, std::size_t stride) {
    const __m512i one8 = _mm512_set1_epi8(1);
    const __m128i cnt = _mm_cvtsi32_si128(t);
    __m512i acc[NR];
    for (int r = 0; r < NR; ++r) acc[r] = _mm512_setzero_si512();
    for (std::size_t c = 0; c < quads; ++c) {
      const __m512i v = _mm512_loadu_si512(kb + c * kQuadBytes);
      const __m512i plane = _mm512_and_si512(_mm512_srl_epi16(v, cnt), one8);
      for (int r = 0; r < NR; ++r)
        acc[r] = _mm512_dpbusd_epi32(acc[r], plane, _mm512_set1_epi32(static_cast<int>(q[r][c])));
    }
    for (int r = 0; r < NR; ++r)
      _mm512_storeu_si512(out + static_cast<std::size_t>(r) * stride, acc[r]);
  }
};

template <class Dot>
void block_dots(int rows, const std::int8_t* kb, std::size_t quads, int t,
                const std::uint32_t* const* q, std::int32_t* out, std::size_t stride) {
  switch (rows) {
    case 1:
      return Dot::template block<1>(kb, quads, t, q, out, stride);
    case 2:
      return Dot::template block<2>(kb, quads, t, q, out, stride);
    case 3:
      return Dot::template block<3>(kb, quads, t, q, out, stride);
    case 4:
      return Dot::template block<4>(kb, quads, t, q, out, stride);
    case 5:
      return Dot::template block<5>(kb, quads, t, q, out, stride);
    case 6:
      return Dot::template block<6>(kb, quads, t, q, out, stride);
    case 7:
      return Dot::template block<7>(kb, quads, t, q, out, stride);
    default:
      return Dot::template block<8>(kb, quads, t, q, out, stride);
  }
}

// Working memory of one key tile for up to kMaxRows rows. Keys are indexed by e = j - base, base
// = the tile's first key rounded down to a block, so a block's 16 keys are 16 aligned mask bits.
struct TileScratch {
  std::size_t stride = 0, words = 0;  // keys per row slot (multiple of 64), mask words per row
  std::vector<std::int64_t> S;
  std::vector<double> coef, bias, lower, upper;
  std::vector<std::int32_t> dots;
  std::vector<std::uint64_t> active;
  std::vector<std::uint32_t> survivors;

  explicit TileScratch(std::size_t key_tile)
      : stride((key_tile + kBlockKeys + 63) / 64 * 64), words(stride / 64) {
    const std::size_t n = stride * kMaxRows;
    S.assign(n, 0);
    coef.assign(n, 0.0);
    bias.assign(n, 0.0);
    lower.assign(n, 0.0);
    upper.assign(n, 0.0);
    dots.assign(n, 0);
    active.assign(words * kMaxRows, 0);
    survivors.reserve(stride);
  }
};

template <class F>
void for_each_bit(const std::uint64_t* mask, std::size_t words, F&& f) {
  for (std::size_t w = 0; w < words; ++w)
    for (std::uint64_t m = mask[w]; m != 0; m &= m - 1)
      f(w * 64 + static_cast<std::size_t>(std::countr_zero(m)));
}

// One round of one row at its active keys: bounds, counters, guard threshold, prune decisions
// (the reference row_tile's round, in the same expressions).
void row_round(const Prepared& P, const FunctionalOptions& opt, RowState& rs, int r,
               std::size_t base, std::size_t slot, std::size_t tile, TileScratch& ts,
               GroupScratch& gs, FunctionalStats& st) {
  const int p = P.p, t = p - r;
  const std::int64_t wt = core::plane_weight(t, p);
  const std::int64_t imin = rs.imin[static_cast<std::size_t>(r)];
  const std::int64_t imax = rs.imax[static_cast<std::size_t>(r)];
  const std::size_t off = slot * ts.stride;
  std::uint64_t* mask = &ts.active[slot * ts.words];
  if (std::all_of(mask, mask + ts.words, [](std::uint64_t w) { return w == 0; }))
    return;  // the row has no active key left in this tile (the reference stops its rounds)
  std::uint64_t n_active = 0, ones_sum = 0, adds_sum = 0;
  double max_lower = rs.max_lower;
  for_each_bit(mask, ts.words, [&](std::size_t e) {
    const std::size_t j = base + e, x = off + e;
    const std::size_t jt = j * static_cast<std::size_t>(p) + static_cast<std::size_t>(t);
    ones_sum += P.ones[jt];
    adds_sum += P.adds[jt];
    ++n_active;
    ts.S[x] += wt * ts.dots[x];
    double lo = 0.0, up = 0.0;
    lo += ts.coef[x] * static_cast<double>(ts.S[x] + imin);
    up += ts.coef[x] * static_cast<double>(ts.S[x] + imax);
    lo += ts.bias[x];
    up += ts.bias[x];
    ts.lower[x] = lo;
    ts.upper[x] = up;
    max_lower = std::max(max_lower, lo);
    if (gs.key_rounds[j] < r) gs.key_rounds[j] = static_cast<std::uint8_t>(r);
  });
  st.active_per_round[static_cast<std::size_t>(r)] += n_active;
  st.plane_processed[static_cast<std::size_t>(t)] += n_active;
  st.plane_ones[static_cast<std::size_t>(t)] += ones_sum;
  st.plane_bidir_adds[static_cast<std::size_t>(t)] += adds_sum;
  gs.tile_adds[tile] += adds_sum;
  const double T = std::max(rs.T, max_lower - opt.alpha * opt.radius);
  std::uint64_t pruned = 0;
  for (std::size_t w = 0; w < ts.words; ++w) {
    std::uint64_t keep = mask[w];
    for (std::uint64_t m = mask[w]; m != 0; m &= m - 1) {
      const std::size_t e = w * 64 + static_cast<std::size_t>(std::countr_zero(m));
      if (ts.upper[off + e] <= T) keep &= ~(std::uint64_t{1} << (e % 64));
    }
    pruned += static_cast<std::uint64_t>(std::popcount(mask[w] & ~keep));
    mask[w] = keep;
  }
  st.pruned_at_round[static_cast<std::size_t>(r)] += pruned;
  st.rounds_hist[static_cast<std::size_t>(r)] += pruned;
  rs.max_lower = max_lower;
  rs.T = T;
}

// Key tile `tile` for `n` (<= kMaxRows) rows of a query group that are all at this tile: every
// round's inner products for all of them, then each row's bounds and decisions, then survivors.
template <class Dot>
void group_tile(const Prepared& P, const FunctionalOptions& opt, RowState* const* rows,
                std::size_t n, std::size_t tile, TileScratch& ts, GroupScratch& gs,
                FunctionalStats& st) {
  const std::size_t k0 = tile * opt.key_tile;
  const std::size_t base = k0 / kBlockKeys * kBlockKeys, lead = k0 - base;
  std::size_t kmax = 0;
  const std::uint32_t* q[kMaxRows];
  for (std::size_t s = 0; s < n; ++s) {
    RowState& rs = *rows[s];
    q[s] = &P.q4[rs.i * P.quads];
    const std::size_t nk = std::min(rs.nvis, k0 + opt.key_tile) - k0;
    kmax = std::max(kmax, nk);
    std::uint64_t* mask = &ts.active[s * ts.words];
    std::fill(mask, mask + ts.words, 0);
    for (std::size_t e = lead; e < lead + nk; ++e) {
      const std::size_t x = s * ts.stride + e;
      mask[e / 64] |= std::uint64_t{1} << (e % 64);
      ts.S[x] = 0;
      ts.coef[x] = P.coef(rs.i, base + e, 0);
      ts.bias[x] = P.bias(rs.i, base + e);
    }
  }
  const std::size_t blocks = (lead + kmax + kBlockKeys - 1) / kBlockKeys;
  for (int r = 1; r <= P.p; ++r) {
    bool any = false;
    for (std::size_t b = 0; b < blocks; ++b) {
      std::uint64_t live = 0;
      for (std::size_t s = 0; s < n; ++s)
        live |= (ts.active[s * ts.words + b / 4] >> (16 * (b % 4))) & 0xffff;
      if (live == 0) continue;  // every row has pruned these 16 keys: no plane fetch
      any = true;
      block_dots<Dot>(static_cast<int>(n), &P.kblocks[(base / kBlockKeys + b) * P.quads * 64],
                      P.quads, P.p - r, q, &ts.dots[b * kBlockKeys], ts.stride);
    }
    if (!any) break;
    for (std::size_t s = 0; s < n; ++s) row_round(P, opt, *rows[s], r, base, s, tile, ts, gs, st);
  }
  for (std::size_t s = 0; s < n; ++s) {
    ts.survivors.clear();
    for_each_bit(&ts.active[s * ts.words], ts.words,
                 [&](std::size_t e) { ts.survivors.push_back(static_cast<std::uint32_t>(e)); });
    accept_survivors(P, opt, *rows[s], base, ts.survivors, &ts.lower[s * ts.stride], st);
  }
}

// One lockstep step of a query group: rows whose next tile is the same are processed together
// (all of them when their tile orders agree, the usual case), in blocks of kMaxRows.
template <class Dot>
void group_step(const Prepared& P, const FunctionalOptions& opt, std::vector<RowState>& states,
                std::size_t n, std::size_t step, TileScratch& ts, GroupScratch& gs,
                FunctionalStats& st) {
  std::vector<bool> done(n, false);
  for (std::size_t s = 0; s < n; ++s) {
    if (done[s] || step >= states[s].order.size()) continue;
    const std::size_t tile = states[s].order[step];
    RowState* rows[kMaxRows];
    std::size_t m = 0;
    for (std::size_t u = s; u < n; ++u) {
      if (done[u] || step >= states[u].order.size() || states[u].order[step] != tile) continue;
      done[u] = true;
      rows[m++] = &states[u];
      if (m == kMaxRows) {
        group_tile<Dot>(P, opt, rows, m, tile, ts, gs, st);
        m = 0;
      }
    }
    if (m > 0) group_tile<Dot>(P, opt, rows, m, tile, ts, gs, st);
  }
}

template <class Dot>
void run_blocked(const Prepared& P, const FunctionalOptions& opt, const DenseReference* ref,
                 std::size_t r0, std::size_t r1, FunctionalStats& st, core::Matrix* output) {
  GroupScratch gs;
  init_group(P, opt, gs);
  TileScratch ts(opt.key_tile);
  std::vector<RowState> states(opt.query_group);
  for (auto& rs : states) init_state(P, opt, rs);
  std::vector<float> discard(P.d);
  for (std::size_t g0 = r0; g0 < r1; g0 += opt.query_group) {
    const std::size_t g1 = std::min(r1, g0 + opt.query_group), n = g1 - g0;
    std::size_t nvis_max = 0, steps = 0;
    for (std::size_t i = g0; i < g1; ++i) nvis_max = std::max(nvis_max, P.visible(i));
    group_start(opt, nvis_max, gs);
    for (std::size_t i = g0; i < g1; ++i) {
      row_start(P, opt, i, states[i - g0], st);
      steps = std::max(steps, states[i - g0].order.size());
    }
    for (std::size_t k = 0; k < steps; ++k) group_step<Dot>(P, opt, states, n, k, ts, gs, st);
    for (std::size_t i = g0; i < g1; ++i)
      row_end(P, opt, ref, states[i - g0], st, output ? output->row(i) : std::span<float>(discard));
    group_end(P, opt, nvis_max, gs, st);
  }
}

// Each instantiation compiled for its ISA; flatten inlines the whole loop (bounds, softmax, P.V)
// into it so that the compiler vectorizes it for that ISA too.
__attribute__((target("avx512f,avx512bw,avx512vnni,popcnt"), flatten)) void run_avx512(
    const Prepared& P, const FunctionalOptions& opt, const DenseReference* ref, std::size_t r0,
    std::size_t r1, FunctionalStats& st, core::Matrix* output) {
  run_blocked<Avx512Dot>(P, opt, ref, r0, r1, st, output);
}

__attribute__((target("avx2,popcnt"), flatten)) void run_avx2(
    const Prepared& P, const FunctionalOptions& opt, const DenseReference* ref, std::size_t r0,
    std::size_t r1, FunctionalStats& st, core::Matrix* output) {
  run_blocked<Avx2Dot>(P, opt, ref, r0, r1, st, output);
}

}  // namespace

void run_rows_blocked(const Prepared& P, const FunctionalOptions& opt, const DenseReference* ref,
                      std::size_t r0, std::size_t r1, FunctionalStats& st, core::Matrix* output,
                      Isa isa) {
  switch (isa) {
    case Isa::avx512:
      return run_avx512(P, opt, ref, r0, r1, st, output);
    case Isa::avx2:
      return run_avx2(P, opt, ref, r0, r1, st, output);
    case Isa::generic:
      return run_blocked<GenericDot>(P, opt, ref, r0, r1, st, output);
  }
}

}  // namespace pade::models::detail
