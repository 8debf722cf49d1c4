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
// k bits per round (issue 15): a round consuming planes hi .. lo (hi - lo + 1 <= k) needs the
// dot of q with the round's slice of each code, ((code >> lo) & (2^w - 1)) per byte, extracted
// in registers like a plane; S += 2^lo * dot. vpdpbusd multiplies unsigned bytes up to 255 by
// the signed query codes, so a k-bit round costs the same instructions as a 1-bit round. The
// sign plane (round 1) makes the top slice signed, s in [-2^(w-1), 2^(w-1)); the kernel feeds
// u = s + 2^(w-1) (the slice with its top bit flipped, unsigned) and subtracts 2^(w-1) * sum(q)
// per row. AVX2's vpmaddubsw saturates pairs in int16, so it takes slices of at most 7 bits
// (a k = 8 round is two slices combined by a shift) and widens to int32 often enough. The
// per-plane counters (ones, bidirectional additions) come from the per-(plane, key) tables.
#include <immintrin.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>

#include "models/functional_impl.hpp"

// The vector helpers below have internal linkage and are always inlined into one ISA's loop: the
// psABI note (vectors in registers differ between ISAs) concerns calls across translation units,
// which never happen here.
#pragma GCC diagnostic ignored "-Wpsabi"

namespace pade::models::detail {

namespace {

constexpr int kMaxRows = 8;  // rows per register block (the hardware query group is 8 rows)
constexpr std::size_t kQuadBytes = 4 * kBlockKeys;  // one dim quad of a key block

// Bits lo .. lo + width - 1 of each code byte as an unsigned number; flip: XOR its top bit (a
// signed slice s read as s + 2^(width-1)).
struct Slice {
  int lo = 0, width = 1;
  bool flip = false;
  [[nodiscard]] int mask() const { return (1 << width) - 1; }
  [[nodiscard]] int flip_bit() const { return flip ? 1 << (width - 1) : 0; }
};

// Inner products of slice sl of one 16-key block with NR query rows:
// out[r * stride + a] = sum_c slice(code of key a, dim c) * q_r[c].
struct GenericDot {
  static constexpr int kMaxWidth = 8;
  template <int NR>
  static void block(const std::int8_t* kb, std::size_t quads, Slice sl,
                    const std::uint32_t* const* q, std::int32_t* out, std::size_t stride) {
    std::int32_t acc[NR][kBlockKeys] = {};
    const int mask = sl.mask(), flip = sl.flip_bit();
    for (std::size_t c = 0; c < quads; ++c) {
      const std::int8_t* v = kb + c * kQuadBytes;
      std::int32_t bit[kQuadBytes];
      for (std::size_t b = 0; b < kQuadBytes; ++b)
        bit[b] = ((static_cast<std::uint8_t>(v[b]) >> sl.lo) & mask) ^ flip;
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

// vpmaddubsw multiplies the slice bytes (unsigned, < 2^w) by the query codes (signed) and adds
// pairs into int16: |pair| <= 2 (2^w - 1) 128 fits for w <= 7, and `run` dim quads of such
// pairs fit before vpmaddwd widens them (64 quads for planes, w = 1).
struct Avx2Dot {
  static constexpr int kMaxWidth = 7;
  template <int NR>
  __attribute__((target("avx2"))) static void block(const std::int8_t* kb, std::size_t quads,
                                                    Slice sl, const std::uint32_t* const* q,
                                                    std::int32_t* out, std::size_t stride) {
    const __m256i mask8 = _mm256_set1_epi8(static_cast<char>(sl.mask()));
    const __m256i flip8 = _mm256_set1_epi8(static_cast<char>(sl.flip_bit()));
    const __m256i one16 = _mm256_set1_epi16(1);
    const __m128i cnt = _mm_cvtsi32_si128(sl.lo);
    const std::size_t run =
        std::max<std::size_t>(1, 16384 / (static_cast<std::size_t>(sl.mask()) * 256));
    __m256i acc[NR][2];
    for (int r = 0; r < NR; ++r) acc[r][0] = acc[r][1] = _mm256_setzero_si256();
    for (std::size_t c0 = 0; c0 < quads; c0 += run) {
      __m256i part[NR][2];
      for (int r = 0; r < NR; ++r) part[r][0] = part[r][1] = _mm256_setzero_si256();
      for (std::size_t c = c0; c < std::min(quads, c0 + run); ++c) {
        const auto* v = reinterpret_cast<const __m256i*>(kb + c * kQuadBytes);
        const __m256i lo = _mm256_xor_si256(
            _mm256_and_si256(_mm256_srl_epi16(_mm256_loadu_si256(v), cnt), mask8), flip8);
        const __m256i hi = _mm256_xor_si256(
            _mm256_and_si256(_mm256_srl_epi16(_mm256_loadu_si256(v + 1), cnt), mask8), flip8);
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

// vpdpbusd: per 32-bit lane (one key), 4 slice bytes (unsigned) times 4 query codes (signed),
// summed and accumulated: 16 keys x 4 dims per instruction.
struct Avx512Dot {
  static constexpr int kMaxWidth = 8;
  template <int NR>
  __attribute__((target("avx512f,avx512bw,avx512vnni"))) static void block(
      const std::int8_t* kb, std::size_t quads, Slice sl, const std::uint32_t* const* q,
      std::int32_t* out, std::size_t stride) {
    const __m512i mask8 = _mm512_set1_epi8(static_cast<char>(sl.mask()));
    const __m512i flip8 = _mm512_set1_epi8(static_cast<char>(sl.flip_bit()));
    const __m128i cnt = _mm_cvtsi32_si128(sl.lo);
    __m512i acc[NR];
    for (int r = 0; r < NR; ++r) acc[r] = _mm512_setzero_si512();
    for (std::size_t c = 0; c < quads; ++c) {
      const __m512i v = _mm512_loadu_si512(kb + c * kQuadBytes);
      const __m512i plane =
          _mm512_xor_si512(_mm512_and_si512(_mm512_srl_epi16(v, cnt), mask8), flip8);
      for (int r = 0; r < NR; ++r)
        acc[r] = _mm512_dpbusd_epi32(acc[r], plane, _mm512_set1_epi32(static_cast<int>(q[r][c])));
    }
    for (int r = 0; r < NR; ++r)
      _mm512_storeu_si512(out + static_cast<std::size_t>(r) * stride, acc[r]);
  }
};

template <class Dot>
void slice_dots(int rows, const std::int8_t* kb, std::size_t quads, Slice sl,
                const std::uint32_t* const* q, std::int32_t* out, std::size_t stride) {
  switch (rows) {
    case 1:
      return Dot::template block<1>(kb, quads, sl, q, out, stride);
    case 2:
      return Dot::template block<2>(kb, quads, sl, q, out, stride);
    case 3:
      return Dot::template block<3>(kb, quads, sl, q, out, stride);
    case 4:
      return Dot::template block<4>(kb, quads, sl, q, out, stride);
    case 5:
      return Dot::template block<5>(kb, quads, sl, q, out, stride);
    case 6:
      return Dot::template block<6>(kb, quads, sl, q, out, stride);
    case 7:
      return Dot::template block<7>(kb, quads, sl, q, out, stride);
    default:
      return Dot::template block<8>(kb, quads, sl, q, out, stride);
  }
}

// The planes hi .. lo of one round, as one slice (or, on AVX2 for 8-bit rounds, slices of at
// most Dot::kMaxWidth bits combined by shifts): out = sum_c q_c * (value of the round's bits of
// key c's code, read as a signed number when `sign` holds (round 1 holds the sign plane)).
// qsum[r] = sum of row r's query codes (the correction of the flipped top slice).
template <class Dot>
void block_dots(int rows, const std::int8_t* kb, std::size_t quads, int hi, int lo, bool sign,
                const std::uint32_t* const* q, const std::int32_t* qsum, std::int32_t* out,
                std::size_t stride) {
  std::int32_t part[kMaxRows * kBlockKeys];
  for (int top = hi; top >= lo;) {
    const int w = std::min(Dot::kMaxWidth, top - lo + 1);
    const Slice sl{top - w + 1, w, sign && top == hi};
    const bool first = top == hi;
    slice_dots<Dot>(rows, kb, quads, sl, q, first ? out : part, first ? stride : kBlockKeys);
    for (int r = 0; r < rows; ++r) {
      std::int32_t* o = out + static_cast<std::size_t>(r) * stride;
      const std::int32_t corr = sl.flip_bit() * qsum[r];
      if (first) {
        if (corr != 0)
          for (std::size_t a = 0; a < kBlockKeys; ++a) o[a] -= corr;
      } else {
        for (std::size_t a = 0; a < kBlockKeys; ++a)
          o[a] = (o[a] << w) + part[static_cast<std::size_t>(r) * kBlockKeys + a];
      }
    }
    top -= w;
  }
}

// Working memory of one key tile for up to kMaxRows rows. Keys are indexed by e = j - base, base
// = the tile's first key rounded down to a block, so a block's 16 keys are 16 aligned entries.
// Per-key state is kept for every key of the tile, active or not, so that a round is a dense,
// branchless loop the compiler vectorizes for each ISA; only active keys' values are used.
struct TileScratch {
  std::size_t stride = 0;  // entries per row slot (multiple of 64)
  std::vector<std::int32_t> S, dots;
  std::vector<double> coef, bias, lower, upper;
  std::vector<std::int32_t> active;  // -1 = the key is still active for the row, 0 = not
  std::vector<std::uint32_t> survivors;
  std::vector<std::uint8_t> live;  // per 16-key block: some row still has an active key in it
  std::size_t e0[kMaxRows] = {}, e1[kMaxRows] = {};  // each row's keys in this tile: [e0, e1)

  explicit TileScratch(std::size_t key_tile) : stride((key_tile + kBlockKeys + 63) / 64 * 64) {
    const std::size_t n = stride * kMaxRows;
    S.assign(n, 0);
    dots.assign(n, 0);
    coef.assign(n, 0.0);
    bias.assign(n, 0.0);
    lower.assign(n, 0.0);
    upper.assign(n, 0.0);
    active.assign(n, 0);
    survivors.reserve(stride);
    live.assign(stride / kBlockKeys, 0);
  }
};

// Eight keys per step as GCC/Clang vector extensions: each dispatch target compiles them to its
// own registers (SSE2 x4, AVX2 x2, AVX-512 x1) with the same elementwise IEEE operations, so every
// path computes the reference's values.
using V8d = double __attribute__((vector_size(64)));
using V8l = std::int64_t __attribute__((vector_size(64)));
using V8i = std::int32_t __attribute__((vector_size(32)));
using V8u16 = std::uint16_t __attribute__((vector_size(16)));
using V8u8 = std::uint8_t __attribute__((vector_size(8)));

template <class V>
[[gnu::always_inline]] inline V load8(const void* p) {
  V v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
template <class V>
[[gnu::always_inline]] inline void store8(void* p, const V& v) {
  std::memcpy(p, &v, sizeof v);
}

// One round of one row at its active keys: bounds, guard threshold, prune decisions, in the
// reference row_tile's expressions (S + I as two exact doubles: their sum is the exact integer
// the reference converts). Keys outside the row's range are inactive, so whole 8-key chunks are
// processed. The additive counters are the group's (count_round).
void row_round(const FunctionalOptions& opt, RowState& rs, int r, std::int32_t wt, std::size_t slot,
               TileScratch& ts, FunctionalStats& st) {
  const std::size_t e0 = ts.e0[slot] / 8 * 8, e1 = ts.e1[slot], off = slot * ts.stride;
  std::int32_t* act = &ts.active[off];
  const auto imin = static_cast<double>(rs.imin[static_cast<std::size_t>(r)]);
  const auto imax = static_cast<double>(rs.imax[static_cast<std::size_t>(r)]);
  const V8d zero{};  // +0.0: the reference starts each bound at 0.0
  V8d mx = zero + kNegInf;
  V8i any{};
  for (std::size_t e = e0; e < e1; e += 8) {
    const std::size_t x = off + e;
    const V8i a32 = load8<V8i>(act + e);
    any |= a32;
    V8i S = load8<V8i>(&ts.S[x]);
    S += a32 & (load8<V8i>(&ts.dots[x]) * wt);
    store8(&ts.S[x], S);
    const V8d Sd = __builtin_convertvector(S, V8d);
    const V8d coef = load8<V8d>(&ts.coef[x]), bias = load8<V8d>(&ts.bias[x]);
    const V8d lo = (zero + coef * (Sd + imin)) + bias;
    const V8d up = (zero + coef * (Sd + imax)) + bias;
    store8(&ts.lower[x], lo);
    store8(&ts.upper[x], up);
    // Masked max as a bitwise blend (a vector ?: on doubles compiles to per-lane branches).
    const V8l take = __builtin_convertvector(a32, V8l) & (lo > mx);
    mx = std::bit_cast<V8d>((take & std::bit_cast<V8l>(lo)) | (~take & std::bit_cast<V8l>(mx)));
  }
  bool live = false;
  double max_lower = rs.max_lower;
  for (int k = 0; k < 8; ++k) {
    live = live || any[k] != 0;
    max_lower = std::max(max_lower, mx[k]);  // max is exact: any grouping gives the same value
  }
  if (!live) return;  // no active key left in this tile: the reference stopped too
  rs.max_lower = max_lower;
  const double T = std::max(rs.T, max_lower - opt.alpha * opt.radius);
  V8i pruned_v{};
  for (std::size_t e = e0; e < e1; e += 8) {
    const V8i a32 = load8<V8i>(act + e);
    const V8i pr = a32 & __builtin_convertvector(load8<V8d>(&ts.upper[off + e]) <= T, V8i);
    pruned_v -= pr;
    store8(act + e, a32 & ~pr);
  }
  std::uint64_t pruned = 0;
  for (int k = 0; k < 8; ++k) pruned += static_cast<std::uint64_t>(pruned_v[k]);
  st.pruned_at_round[static_cast<std::size_t>(r)] += pruned;
  st.rounds_hist[static_cast<std::size_t>(r)] += pruned;
  rs.T = T;
}

// The additive counters of round r over the n rows, from per-key counts of active rows (the
// reference adds them row by row; sums of integers do not depend on the order), and the group's
// record of the rounds each key reached. Marks the key blocks some row still needs (ts.live);
// false when there is none.
bool count_round(const Prepared& P, std::size_t n, int r, std::size_t base, std::size_t blocks,
                 std::size_t tile, TileScratch& ts, GroupScratch& gs, FunctionalStats& st) {
  const int hi = P.round_hi(r), lo = P.round_lo(r);
  V8i count_v{}, ones_v[8]{}, adds_v[8]{};  // per plane of the round (blocked: p <= 8)
  std::fill_n(ts.live.begin(), blocks, std::uint8_t{0});
  bool any = false;
  for (std::size_t e = 0; e < blocks * kBlockKeys; e += 8) {
    V8i cnt{};
    for (std::size_t s = 0; s < n; ++s) cnt -= load8<V8i>(&ts.active[s * ts.stride + e]);
    if (std::bit_cast<std::array<std::uint64_t, 4>>(cnt) == std::array<std::uint64_t, 4>{})
      continue;
    ts.live[e / kBlockKeys] = 1;
    any = true;
    count_v += cnt;
    for (int t = lo; t <= hi; ++t) {
      const std::size_t plane = static_cast<std::size_t>(t) * P.nk + base + e;
      ones_v[t - lo] += cnt * __builtin_convertvector(load8<V8u16>(&P.ones[plane]), V8i);
      adds_v[t - lo] += cnt * __builtin_convertvector(load8<V8u16>(&P.adds[plane]), V8i);
      store8(&gs.plane_rows[plane], load8<V8i>(&gs.plane_rows[plane]) + cnt);
    }
    V8i kr = load8<V8i>(&gs.key_rounds[base + e]);
    kr = ((cnt > 0) & (kr < r)) ? V8i{} + r : kr;
    store8(&gs.key_rounds[base + e], kr);
  }
  std::uint64_t n_active = 0;
  for (int k = 0; k < 8; ++k) n_active += static_cast<std::uint64_t>(count_v[k]);
  st.active_per_round[static_cast<std::size_t>(r)] += n_active;
  for (int t = lo; t <= hi; ++t) {
    std::uint64_t ones_sum = 0, adds_sum = 0;
    for (int k = 0; k < 8; ++k) {
      ones_sum += static_cast<std::uint64_t>(ones_v[t - lo][k]);
      adds_sum += static_cast<std::uint64_t>(adds_v[t - lo][k]);
    }
    const auto u = static_cast<std::size_t>(t);
    st.plane_processed[u] += n_active;
    st.plane_ones[u] += ones_sum;
    st.plane_bidir_adds[u] += adds_sum;
    gs.tile_adds[tile] += adds_sum;
  }
  return any;
}

// The per-key observer (KeyDecisions), outside the default path (called only when asked for, and
// never inlined into the flattened kernels): keys still active when round r starts process it,
// so it is their last round so far.
[[gnu::noinline]] void observe_round(KeyDecisions& obs, RowState* const* rows, std::size_t n, int r,
                                     std::size_t base, const TileScratch& ts) {
  for (std::size_t s = 0; s < n; ++s) {
    std::uint8_t* out = &obs.rounds[rows[s]->i * obs.keys + base];
    for (std::size_t e = ts.e0[s]; e < ts.e1[s]; ++e)
      if (ts.active[s * ts.stride + e] != 0) out[e] = static_cast<std::uint8_t>(r);
  }
}

[[gnu::noinline]] void observe_survivors(KeyDecisions& obs, std::size_t row, std::size_t base,
                                         std::span<const std::uint32_t> survivors,
                                         std::uint64_t rescales) {
  for (const std::uint32_t a : survivors) obs.kept[row * obs.keys + base + a] = 1;
  obs.row_rescales[row] += static_cast<std::uint32_t>(rescales);
}

// Key tile `tile` for `n` (<= kMaxRows) rows of a query group that are all at this tile: every
// round's inner products for all of them, then each row's bounds and decisions, then survivors.
template <class Dot>
void group_tile(const Prepared& P, const FunctionalOptions& opt, RowState* const* rows,
                std::size_t n, std::size_t tile, TileScratch& ts, GroupScratch& gs,
                FunctionalStats& st, KeyDecisions* obs) {
  const std::size_t k0 = tile * opt.key_tile;
  const std::size_t base = k0 / kBlockKeys * kBlockKeys, lead = k0 - base;
  std::size_t kmax = 0;
  const std::uint32_t* q[kMaxRows];
  std::int32_t qsum[kMaxRows];
  for (std::size_t s = 0; s < n; ++s) {
    const RowState& rs = *rows[s];
    q[s] = &P.q4[rs.i * P.quads];
    qsum[s] = static_cast<std::int32_t>(P.qpos[rs.i] + P.qneg[rs.i]);
    const std::size_t nk = std::min(rs.nvis, k0 + opt.key_tile) - k0;
    kmax = std::max(kmax, nk);
    const std::size_t off = s * ts.stride;
    ts.e0[s] = lead;
    ts.e1[s] = lead + nk;
    std::fill_n(&ts.active[off], ts.stride, 0);
    std::fill_n(&ts.active[off + lead], nk, -1);
    std::fill_n(&ts.S[off + lead], nk, 0);
    const double qs = static_cast<double>(P.q.group_scale(rs.i, 0));
    for (std::size_t e = lead; e < lead + nk; ++e) {
      ts.coef[off + e] = qs * P.kscale[base + e] * P.inv_sqrt_d;  // = P.coef(i, j, 0)
      ts.bias[off + e] = P.bias(rs.i, base + e);
    }
  }
  const std::size_t blocks = (lead + kmax + kBlockKeys - 1) / kBlockKeys;
  for (int r = 1; r <= P.rounds; ++r) {
    if (!count_round(P, n, r, base, blocks, tile, ts, gs, st)) break;
    if (obs != nullptr) observe_round(*obs, rows, n, r, base, ts);
    for (std::size_t b = 0; b < blocks; ++b)
      if (ts.live[b] != 0)  // else every row has pruned these 16 keys: no plane fetch
        block_dots<Dot>(static_cast<int>(n), &P.kblocks[(base / kBlockKeys + b) * P.quads * 64],
                        P.quads, P.round_hi(r), P.round_lo(r), r == 1, q, qsum,
                        &ts.dots[b * kBlockKeys], ts.stride);
    // The round's bits as a (signed in round 1) number, weighted by its lowest plane.
    const auto wt = std::int32_t{1} << P.round_lo(r);
    for (std::size_t s = 0; s < n; ++s) row_round(opt, *rows[s], r, wt, s, ts, st);
  }
  for (std::size_t s = 0; s < n; ++s) {
    ts.survivors.clear();
    for (std::size_t e = ts.e0[s]; e < ts.e1[s]; ++e)
      if (ts.active[s * ts.stride + e] != 0) ts.survivors.push_back(static_cast<std::uint32_t>(e));
    const std::uint64_t rescales = st.rescale_events;
    accept_survivors(P, opt, *rows[s], base, ts.survivors, &ts.lower[s * ts.stride], st);
    if (obs != nullptr)
      observe_survivors(*obs, rows[s]->i, base, ts.survivors, st.rescale_events - rescales);
  }
}

// One lockstep step of a query group: rows whose next tile is the same are processed together
// (all of them when their tile orders agree, the usual case), in blocks of kMaxRows.
template <class Dot>
void group_step(const Prepared& P, const FunctionalOptions& opt, std::vector<RowState>& states,
                std::size_t n, std::size_t step, TileScratch& ts, GroupScratch& gs,
                FunctionalStats& st, KeyDecisions* obs) {
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
        group_tile<Dot>(P, opt, rows, m, tile, ts, gs, st, obs);
        m = 0;
      }
    }
    if (m > 0) group_tile<Dot>(P, opt, rows, m, tile, ts, gs, st, obs);
  }
}

template <class Dot>
void run_blocked(const Prepared& P, const FunctionalOptions& opt, const DenseReference* ref,
                 std::size_t r0, std::size_t r1, FunctionalStats& st, core::Matrix* output,
                 KeyDecisions* obs) {
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
    for (std::size_t k = 0; k < steps; ++k) group_step<Dot>(P, opt, states, n, k, ts, gs, st, obs);
    for (std::size_t i = g0; i < g1; ++i)
      row_end(P, opt, ref, states[i - g0], st, output ? output->row(i) : std::span<float>(discard));
    group_end(P, opt, nvis_max, gs, st);
  }
  add_subgroup_active(P, gs, st);
}

// Each instantiation compiled for its ISA; flatten inlines the whole loop (bounds, softmax, P.V)
// into it so that the compiler vectorizes it for that ISA too.
__attribute__((target("avx512f,avx512bw,avx512vnni,popcnt"), flatten)) void run_avx512(
    const Prepared& P, const FunctionalOptions& opt, const DenseReference* ref, std::size_t r0,
    std::size_t r1, FunctionalStats& st, core::Matrix* output, KeyDecisions* obs) {
  run_blocked<Avx512Dot>(P, opt, ref, r0, r1, st, output, obs);
}

__attribute__((target("avx2,popcnt"), flatten)) void run_avx2(
    const Prepared& P, const FunctionalOptions& opt, const DenseReference* ref, std::size_t r0,
    std::size_t r1, FunctionalStats& st, core::Matrix* output, KeyDecisions* obs) {
  run_blocked<Avx2Dot>(P, opt, ref, r0, r1, st, output, obs);
}

}  // namespace

void run_rows_blocked(const Prepared& P, const FunctionalOptions& opt, const DenseReference* ref,
                      std::size_t r0, std::size_t r1, FunctionalStats& st, core::Matrix* output,
                      Isa isa, KeyDecisions* observed) {
  switch (isa) {
    case Isa::avx512:
      return run_avx512(P, opt, ref, r0, r1, st, output, observed);
    case Isa::avx2:
      return run_avx2(P, opt, ref, r0, r1, st, output, observed);
    case Isa::generic:
      return run_blocked<GenericDot>(P, opt, ref, r0, r1, st, output, observed);
  }
}

}  // namespace pade::models::detail
