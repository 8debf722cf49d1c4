#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include <tbb/global_control.h>

#include "core/bitplanes.hpp"
#include "core/quant.hpp"
#include "core/rng.hpp"
#include "models/functional.hpp"
#include "tests/test_functional_helpers.hpp"

using namespace pade;
using namespace pade::models;
using pade_test::make_head;

namespace {

const core::Granularity kGrans[] = {core::Granularity::per_tensor, core::Granularity::per_token,
                                    core::Granularity::per_group};

double max_abs_diff(const core::Matrix& a, const core::Matrix& b) {
  double m = 0;
  for (std::size_t n = 0; n < a.data().size(); ++n)
    m = std::max(m, static_cast<double>(std::fabs(a.data()[n] - b.data()[n])));
  return m;
}

}  // namespace

TEST_CASE("BUI bounds equal the brute-force extremes over all completions", "[functional][bui]") {
  // d = 3, p = 4: enumerate every completion of the unknown low planes.
  for (std::uint64_t seed = 1; seed <= 30; ++seed) {
    core::Rng rng(seed, "bui");
    const int p = 4, d = 3;
    std::vector<std::int16_t> q(d), k(d);
    for (auto& x : q) x = static_cast<std::int16_t>(static_cast<int>(rng.below(15)) - 7);
    for (auto& x : k) x = static_cast<std::int16_t>(static_cast<int>(rng.below(16)) - 8);
    for (int r = 1; r <= p; ++r) {
      const int low = p - r;  // unknown planes per dim
      const std::int64_t sr = partial_score(q, k, p, r);
      std::int64_t bmin = std::numeric_limits<std::int64_t>::max(),
                   bmax = std::numeric_limits<std::int64_t>::min();
      const std::uint32_t combos = 1u << (low * d);
      for (std::uint32_t m = 0; m < combos; ++m) {
        std::int64_t s = 0;
        for (int c = 0; c < d; ++c) {
          // Known top planes of k[c] plus an arbitrary low part.
          const std::int32_t hi = (static_cast<std::int32_t>(k[c]) >> low) * (1 << low);
          const std::int32_t lo = static_cast<std::int32_t>((m >> (c * low)) & ((1u << low) - 1));
          s += static_cast<std::int64_t>(q[c]) * (hi + lo);
        }
        bmin = std::min(bmin, s);
        bmax = std::max(bmax, s);
      }
      const auto iv = bui_interval(q, p, r);
      REQUIRE(sr + iv.min == bmin);
      REQUIRE(sr + iv.max == bmax);
    }
    // After p rounds the partial score is the exact dot product.
    std::int64_t exact = 0;
    for (int c = 0; c < d; ++c) exact += std::int64_t{q[c]} * k[c];
    REQUIRE(partial_score(q, k, p, p) == exact);
  }
}

TEST_CASE("bounds hold at every round and partial scores are exact", "[functional][bounds]") {
  for (std::uint64_t seed = 1; seed <= 12; ++seed) {
    const bool causal = seed % 2 == 0;
    const auto head = make_head(seed, 48, 40, causal, seed % 3 == 0 ? 8.0 : 0.0, 6.0);
    for (const auto gran : kGrans) {
      FunctionalOptions opt;
      opt.granularity = gran;
      opt.bits = 4 + static_cast<int>(seed % 5) * 2;  // 4..12
      opt.key_tile = 8 + seed % 3 * 8;
      opt.alibi_slope = seed % 4 == 1 ? 0.05 : 0.0;
      opt.alpha = 0.3 + 0.1 * static_cast<double>(seed % 4);
      const auto q = core::quantize(head.q, {opt.bits, gran, 32});
      const auto k = core::quantize(head.k, {opt.bits, gran, 32});
      for (const std::size_t row : {std::size_t{0}, std::size_t{17}, std::size_t{47}}) {
        const RowTrace tr = trace_row(head, opt, row);
        REQUIRE(tr.keys.size() == (causal ? row + 1 : 48));
        for (const auto& kt : tr.keys) {
          REQUIRE(kt.rounds >= 1);
          REQUIRE(kt.lower.size() == static_cast<std::size_t>(kt.rounds));
          for (int r = 1; r <= kt.rounds; ++r) {
            REQUIRE(kt.lower[r - 1] <= kt.exact_logit);
            REQUIRE(kt.exact_logit <= kt.upper[r - 1]);
            if (r > 1) {  // intervals nest
              REQUIRE(kt.lower[r - 1] >= kt.lower[r - 2]);
              REQUIRE(kt.upper[r - 1] <= kt.upper[r - 2]);
            }
            if (gran != core::Granularity::per_group) {  // one scale group: check the integers
              REQUIRE(kt.partial[r - 1] == partial_score(q.row(row), k.row(kt.key), opt.bits, r));
            }
          }
          if (kt.kept) {
            REQUIRE(kt.rounds == opt.bits);
            REQUIRE(kt.lower.back() == kt.exact_logit);
            REQUIRE(kt.upper.back() == kt.exact_logit);
          }
        }
      }
    }
  }
}

TEST_CASE("guard never prunes a key within alpha*radius of the row max", "[functional][guard]") {
  std::size_t pruned_total = 0;
  for (std::uint64_t seed = 1; seed <= 16; ++seed) {
    const auto head = make_head(100 + seed, 96, 32, seed % 2 == 0, seed % 3 == 0 ? 10.0 : 0.0, 8.0);
    for (const auto gran : kGrans) {
      for (const auto order : {TileOrder::in_order, TileOrder::head_tail, TileOrder::reverse}) {
        FunctionalOptions opt;
        opt.granularity = gran;
        opt.order = order;
        opt.key_tile = 16;
        opt.alpha = 0.5;
        opt.radius = 1.0 + static_cast<double>(seed % 4);
        opt.alibi_slope = seed % 5 == 0 ? 0.1 : 0.0;
        for (const std::size_t row : {std::size_t{5}, std::size_t{60}, std::size_t{95}}) {
          const RowTrace tr = trace_row(head, opt, row);
          const double bar = tr.max_exact_logit - opt.alpha * opt.radius;
          double lastT = -std::numeric_limits<double>::infinity();
          bool any_kept = false;
          // Threshold only rises in processing order (tile order, then round order).
          for (const auto tile : tr.tile_order) {
            for (int r = 1; r <= opt.bits; ++r) {
              double roundT = -std::numeric_limits<double>::infinity();
              bool seen = false;
              for (std::size_t j = tile * opt.key_tile;
                   j < std::min(tr.keys.size(), (tile + 1) * opt.key_tile); ++j) {
                if (tr.keys[j].threshold.size() >= static_cast<std::size_t>(r)) {
                  roundT = tr.keys[j].threshold[r - 1];
                  seen = true;
                }
              }
              if (!seen) continue;
              REQUIRE(roundT >= lastT);
              lastT = roundT;
            }
          }
          for (const auto& kt : tr.keys) {
            any_kept = any_kept || kt.kept;
            if (!kt.kept) {
              ++pruned_total;
              // The precise safety property (exact in double arithmetic): pruned => logit <= max -
              // a*r.
              REQUIRE(kt.exact_logit <= bar);
              REQUIRE(kt.upper.back() <= kt.threshold.back());
            } else {
              // Kept keys cleared every threshold they met.
              for (std::size_t r = 0; r < kt.threshold.size(); ++r)
                REQUIRE(kt.upper[r] > kt.threshold[r]);
            }
          }
          REQUIRE(any_kept);  // the key holding the max lower bound always survives
        }
      }
    }
  }
  CHECK(pruned_total > 1000);  // the property was exercised, not vacuous
}

TEST_CASE("tiled pruning keeps a superset of the whole-row exact threshold rule",
          "[functional][ista]") {
  // Whole-row rule: keep j iff exact_j > max_k exact_k - alpha*radius (all bounds exact, one tile).
  // Tiled PADE prunes j only if some upper bound of j <= T, and T <= max exact - a*r, so every
  // key the whole-row rule keeps is kept by every tile size and order.
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    const auto head = make_head(300 + seed, 80, 24, true, 6.0, 10.0);
    for (const std::size_t tile : {std::size_t{4}, std::size_t{16}, std::size_t{80}}) {
      for (const auto order : {TileOrder::in_order, TileOrder::head_tail}) {
        FunctionalOptions opt;
        opt.key_tile = tile;
        opt.order = order;
        for (const std::size_t row : {std::size_t{30}, std::size_t{79}}) {
          const RowTrace tr = trace_row(head, opt, row);
          for (const auto& kt : tr.keys)
            if (kt.exact_logit > tr.max_exact_logit - opt.alpha * opt.radius) REQUIRE(kt.kept);
        }
      }
    }
  }
}

TEST_CASE("huge alpha*radius prunes nothing and equals dense INT-n attention",
          "[functional][dense]") {
  for (std::uint64_t seed = 1; seed <= 6; ++seed) {
    const auto head = make_head(500 + seed, 70, 48, seed % 2 == 1, 5.0, 5.0);
    for (const auto gran : kGrans) {
      FunctionalOptions opt;
      opt.granularity = gran;
      opt.radius = 1e30;
      opt.key_tile = 16;
      opt.alibi_slope = seed == 3 ? 0.02 : 0.0;
      const auto res = simulate_head_with_output(head, opt);
      const auto& st = res.stats;
      REQUIRE(st.pairs_kept == st.pairs_considered);
      REQUIRE(st.rounds_hist[static_cast<std::size_t>(opt.bits)] == st.pairs_considered);
      for (int r = 1; r <= opt.bits; ++r)
        REQUIRE(st.active_per_round[static_cast<std::size_t>(r)] == st.pairs_considered);
      const auto ref = dense_quantized_attention(head, opt);
      // Same logits, softmax evaluated online vs two-pass: equal up to float rounding.
      REQUIRE(max_abs_diff(res.output, ref) < 2e-5);
      CHECK(st.mean_retained_mass() == Approx(1.0).epsilon(1e-6));
      CHECK(st.mean_topk_recall() == 1.0);
      CHECK(st.mean_cosine() > 0.99);
    }
  }
}

TEST_CASE("INT16 dense attention approaches dense FP32", "[functional][dense]") {
  const auto head = make_head(42, 64, 32, true, 4.0, 4.0);
  FunctionalOptions opt;
  opt.bits = 16;
  const auto fp = dense_attention(head, opt);
  const auto q16 = dense_quantized_attention(head, opt);
  opt.bits = 4;
  const auto q4 = dense_quantized_attention(head, opt);
  const double e16 = max_abs_diff(fp, q16), e4 = max_abs_diff(fp, q4);
  CHECK(e16 < 1e-3);
  CHECK(e4 > e16);
}

// Every kernel this CPU runs, for the tests that compare each one with the scalar reference.
std::vector<KernelChoice> available_kernels() {
  std::vector<KernelChoice> out;
  for (const auto k :
       {KernelChoice::generic, KernelChoice::avx2, KernelChoice::avx512, KernelChoice::automatic})
    if (kernel_available(k)) out.push_back(k);
  return out;
}

void require_same_as_scalar(const core::AttentionHead& head, FunctionalOptions opt) {
  opt.kernel = KernelChoice::scalar;
  const auto ref = simulate_head_with_output(head, opt);
  for (const auto k : available_kernels()) {
    CAPTURE(to_string(k));
    opt.kernel = k;
    const auto got = simulate_head_with_output(head, opt);
    REQUIRE(got.stats.serialize() == ref.stats.serialize());
    REQUIRE(max_abs_diff(got.output, ref.output) == 0.0);
  }
}

// Planes per round the kernel tests cover: the paper's 1, the 2, 4 and 8, and 3 (a short
// last round at 8 bits).
constexpr int kBitsPerRound[] = {1, 2, 3, 4, 8};

TEST_CASE("all kernels give bit-identical results", "[functional][kernel]") {
  CHECK(kernel_available(KernelChoice::generic));
  for (std::uint64_t seed = 1; seed <= 4; ++seed) {
    const std::size_t d = seed % 2 ? 80 : 128;  // partial words and partial groups
    const auto head = make_head(700 + seed, 90, d, seed != 2, 6.0, 6.0);
    for (const auto gran : kGrans) {
      for (const int k : kBitsPerRound) {
        FunctionalOptions opt;
        opt.granularity = gran;
        opt.bits = seed == 4 ? 12 : 8;
        opt.bits_per_round = k;
        CAPTURE(seed, static_cast<int>(gran), k);
        require_same_as_scalar(head, opt);
      }
    }
  }
}

TEST_CASE("blocked kernels match the reference across bits, tiles, groups, masks and orders",
          "[functional][kernel]") {
  // Shapes the blocked kernel handles specially: dims not a multiple of 4, key tiles not a
  // multiple of its 16-key blocks, query groups above its 8 register rows or not dividing the
  // rows, sampled query rows whose groups straddle tiles (rows at different tiles in one step),
  // ALiBi bias, naive truncation, every tile order.
  struct Case {
    std::size_t d, key_tile, query_group;
    int bits;
    bool causal, sampled_rows;
    TileOrder order;
    PruneMode mode;
    double slope;
  };
  const Case cases[] = {
      {22, 64, 8, 8, true, false, TileOrder::head_tail, PruneMode::guard, 0.0},
      {128, 50, 5, 6, true, true, TileOrder::head_tail, PruneMode::guard, 0.02},
      {64, 16, 16, 4, false, false, TileOrder::in_order, PruneMode::guard, 0.0},
      {37, 100, 12, 7, true, true, TileOrder::reverse, PruneMode::naive_truncation, 0.0},
      {128, 64, 8, 8, true, true, TileOrder::head_tail, PruneMode::guard, 0.05},
  };
  std::uint64_t seed = 40;
  for (const auto& c : cases) {
    ++seed;
    auto head = make_head(seed, 230, c.d, c.causal, 6.0, 8.0);
    if (c.sampled_rows) {
      // 24 of the 230 rows, in runs of 6 that do not align with groups or tiles.
      core::Matrix q(24, c.d);
      for (std::size_t r = 0; r < 24; ++r) {
        const std::size_t row = 13 + (r / 6) * 57 + r % 6;
        for (std::size_t x = 0; x < c.d; ++x) q.at(r, x) = head.q.at(row, x);
        head.query_positions.push_back(row);
      }
      head.q = std::move(q);
    }
    FunctionalOptions opt;
    opt.bits = c.bits;
    opt.key_tile = c.key_tile;
    opt.query_group = c.query_group;
    opt.order = c.order;
    opt.mode = c.mode;
    opt.alibi_slope = c.slope;
    opt.alpha = 0.3;
    for (const int k : kBitsPerRound) {
      opt.bits_per_round = k;
      CAPTURE(seed, c.d, c.key_tile, c.query_group, c.bits, k);
      require_same_as_scalar(head, opt);
    }
  }
}

TEST_CASE("a precomputed dense reference gives the statistics of the built-in one",
          "[functional][accuracy]") {
  const auto head = make_head(91, 150, 64, true, 6.0, 8.0);
  FunctionalOptions opt;
  const DenseReference ref = dense_reference(head, opt);
  CHECK(ref.rows == 150);
  for (const double alpha : {0.2, 0.8}) {
    opt.alpha = alpha;
    const auto built_in = simulate_head(head, opt);
    CHECK(built_in.accuracy_rows == 150);
    CHECK(simulate_head(head, opt, ref).serialize() == built_in.serialize());
  }
  // A reference of another mask or shape is refused, not silently used.
  FunctionalOptions other = opt;
  other.causal = false;
  CHECK_THROWS_AS(simulate_head(head, other, ref), std::invalid_argument);
  const auto shorter = make_head(91, 120, 64, true, 6.0, 8.0);
  CHECK_THROWS_AS(simulate_head(shorter, opt, ref), std::invalid_argument);
}

TEST_CASE("a long head (70,000 keys, 8 rows) gives the reference results on every kernel",
          "[functional][kernel]") {
  const std::size_t nk = 70'000, nq = 8, d = 128;
  core::Rng rng(77, "long-head");
  core::AttentionHead head;
  head.q = core::Matrix(nq, d);
  head.k = core::Matrix(nk, d);
  head.v = core::Matrix(nk, d);
  for (auto& x : head.q.data()) x = static_cast<float>(rng.normal());
  for (std::size_t j = 0; j < nk; ++j)
    for (std::size_t c = 0; c < d; ++c) {
      head.k.at(j, c) = static_cast<float>(rng.normal() + (c == 0 && j % 97 == 0 ? 6.0 : 0.0));
      head.v.at(j, c) = static_cast<float>(rng.normal());
    }
  for (std::size_t i = 0; i < nq; ++i) head.query_positions.push_back(nk - nq + i);
  FunctionalOptions opt;
  require_same_as_scalar(head, opt);
  opt.kernel = KernelChoice::scalar;
  const auto a = simulate_head(head, opt);
  CHECK(a.pairs_kept < a.pairs_considered);
}

TEST_CASE("head_tail order prunes at least as much as in_order on sink + recency data",
          "[functional][ista]") {
  for (std::uint64_t seed = 1; seed <= 4; ++seed) {
    const auto head = make_head(900 + seed, 256, 64, true, 14.0, 24.0);
    FunctionalOptions opt;
    opt.key_tile = 32;
    opt.compute_accuracy = false;
    opt.order = TileOrder::in_order;
    const auto in = simulate_head(head, opt);
    opt.order = TileOrder::head_tail;
    const auto ht = simulate_head(head, opt);
    REQUIRE(in.pairs_considered == ht.pairs_considered);
    CHECK(ht.pairs_kept <= in.pairs_kept);
    CHECK(ht.total_plane_fetches() <= in.total_plane_fetches());
    CHECK(ht.total_bidir_adds() <= in.total_bidir_adds());
    CHECK(ht.rescale_events <= in.rescale_events);
    // The data was built so that the difference is real, not a tie.
    CHECK(ht.total_bidir_adds() < in.total_bidir_adds());
  }
}

TEST_CASE("naive truncation prunes a key the guard keeps", "[functional][naive]") {
  // d = 64, INT8, per-tensor. Query: 1.0 on dims 0..31 (code 127), 0 elsewhere.
  // Key 0: 1.0 on dim 63 only (code 127, scores 0). Key 1: -1/127 everywhere (code -1): exact
  // logit -127*32/(127*127*8) = -0.031, well within alpha*radius = 2.5 of the max (0). After the
  // sign round its truncated estimate is -128x that: -4.03 <= 0 - 2.5, so naive truncation prunes
  // it, while its BUI upper bound (-0.031) stays above the guard threshold.
  core::AttentionHead h;
  const std::size_t d = 64;
  h.q = core::Matrix(1, d);
  h.k = core::Matrix(2, d);
  h.v = core::Matrix(2, d);
  for (std::size_t c = 0; c < 32; ++c) h.q.at(0, c) = 1.0f;
  h.k.at(0, 63) = 1.0f;
  for (std::size_t c = 0; c < d; ++c) {
    h.k.at(1, c) = -1.0f / 127.0f;
    h.v.at(0, c) = 1.0f;
    h.v.at(1, c) = -1.0f;
  }
  h.causal = false;
  FunctionalOptions opt;
  opt.mode = PruneMode::guard;
  const auto g = trace_row(h, opt, 0);
  REQUIRE(g.keys.size() == 2);
  CHECK(g.keys[0].kept);
  CHECK(g.keys[1].kept);
  CHECK(g.keys[1].exact_logit > g.max_exact_logit - opt.alpha * opt.radius);
  opt.mode = PruneMode::naive_truncation;
  const auto n = trace_row(h, opt, 0);
  CHECK(n.keys[0].kept);
  CHECK_FALSE(n.keys[1].kept);
  CHECK(n.keys[1].rounds == 1);
  // Stats agree: guard keeps both, naive keeps one and loses accuracy.
  opt.mode = PruneMode::guard;
  const auto sg = simulate_head(h, opt);
  opt.mode = PruneMode::naive_truncation;
  const auto sn = simulate_head(h, opt);
  CHECK(sg.pairs_kept == 2);
  CHECK(sn.pairs_kept == 1);
  CHECK(sn.mean_rel_l2() > sg.mean_rel_l2());
}

TEST_CASE("results are identical run to run and for 1 vs 2 threads", "[functional][determinism]") {
  std::vector<core::AttentionHead> heads;
  for (std::uint64_t h = 0; h < 3; ++h)
    heads.push_back(make_head(1200 + h, 100, 32, true, 6.0, 8.0, 0));
  FunctionalOptions opt;
  opt.rows_per_task = 16;
  opt.alibi_slope = 0.01;
  std::string one, two, again;
  {
    tbb::global_control gc(tbb::global_control::max_allowed_parallelism, 1);
    one = simulate_heads(heads, opt).serialize();
  }
  {
    tbb::global_control gc(tbb::global_control::max_allowed_parallelism, 2);
    two = simulate_heads(heads, opt).serialize();
    again = simulate_heads(heads, opt).serialize();
  }
  REQUIRE(one == two);
  REQUIRE(two == again);
  // Merging is exact (integer and fixed-point sums): per-head results summed in head order, or
  // a different task partition, equal the multi-head run bit for bit.
  FunctionalStats merged;
  for (const auto& h : heads) merged += simulate_head(h, opt);
  REQUIRE(merged.serialize() == one);
  opt.rows_per_task = 40;
  REQUIRE(simulate_heads(heads, opt).serialize() == one);
}

TEST_CASE("stats serialization round-trips exactly", "[functional][serialize]") {
  const auto head = make_head(77, 60, 32, true, 5.0, 5.0);
  FunctionalOptions opt;
  opt.key_tile = 8;
  const auto st = simulate_head(head, opt);
  REQUIRE(st.query_rows == 60);
  REQUIRE(st.accuracy_rows == 60);
  const std::string text = st.serialize();
  const auto back = FunctionalStats::deserialize(text);
  REQUIRE(back == st);
  REQUIRE(back.serialize() == text);
  CHECK_THROWS(FunctionalStats::deserialize("pade-functional-stats 2\n"));
  CHECK_THROWS(FunctionalStats::deserialize("hello"));
  std::string broken = text;
  broken.replace(broken.find("pairs_kept"), 10, "pairs_kepd");
  CHECK_THROWS(FunctionalStats::deserialize(broken));
  FunctionalStats empty;
  REQUIRE(FunctionalStats::deserialize(empty.serialize()) == empty);
}

TEST_CASE("undefined accuracy measurements count as no agreement, sums stay defined",
          "[functional][stats]") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  FunctionalStats st;
  st.add_accuracy_row(nan, nan, nan, 0, 4);
  st.add_accuracy_row(0.0, 1.0, 1.0, 4, 4);
  CHECK(st.accuracy_rows == 2);
  CHECK(st.mean_rel_l2() == 2.0);  // (4 + 0) / 2
  CHECK(st.mean_cosine() == 0.5);
  CHECK(st.mean_retained_mass() == 0.5);
  CHECK(st.max_rel_l2 == 4.0);
  CHECK(st.min_cosine == 0.0);
  // Huge (finite) inputs overflow the dense FP32 reference; the statistics stay finite.
  auto head = make_head(91, 16, 32, true, 5.0, 5.0);
  for (auto* m : {&head.q, &head.k})
    for (auto& x : m->data()) x *= 1e36f;
  const auto huge = simulate_head(head, FunctionalOptions{});
  CHECK(huge.accuracy_rows == 16);
  CHECK(std::isfinite(huge.mean_cosine()));
  CHECK(std::isfinite(huge.mean_rel_l2()));
}

TEST_CASE("stats are internally consistent", "[functional][stats]") {
  for (std::uint64_t seed = 1; seed <= 6; ++seed) {
    const auto head = make_head(1500 + seed, 120, 64, seed % 2 == 0, 8.0, 10.0);
    FunctionalOptions opt;
    opt.key_tile = 16 + 8 * seed;
    opt.query_group = seed % 3 == 0 ? 4 : 8;
    opt.compute_accuracy = false;
    const auto st = simulate_head(head, opt);
    const auto p = static_cast<std::size_t>(opt.bits);
    const std::size_t n = 120;
    REQUIRE(st.pairs_considered == (seed % 2 == 0 ? n * (n + 1) / 2 : n * n));
    std::uint64_t hist = 0, pruned = 0;
    for (std::size_t r = 1; r <= p; ++r) {
      hist += st.rounds_hist[r];
      pruned += st.pruned_at_round[r];
      // active at round r = pairs whose last round is >= r
      std::uint64_t reach = 0;
      for (std::size_t s = r; s <= p; ++s) reach += st.rounds_hist[s];
      REQUIRE(st.active_per_round[r] == reach);
      REQUIRE(st.plane_processed[p - r] == reach);
      REQUIRE(st.plane_bidir_adds[p - r] * 2 <=
              st.plane_processed[p - r] * 64);  // at most half the dims
      REQUIRE(st.plane_bidir_adds[p - r] <= st.plane_ones[p - r]);
      // Shared fetches: never more than the rows' own fetches, never fewer than one row's worth.
      REQUIRE(st.plane_fetches[p - r] <= st.plane_processed[p - r]);
    }
    REQUIRE(hist == st.pairs_considered);
    REQUIRE(pruned + st.pairs_kept == st.pairs_considered);
    REQUIRE(st.query_groups == (n + opt.query_group - 1) / opt.query_group);
    REQUIRE(st.total_plane_fetches() == st.group_fetch_sum);
    REQUIRE(st.tile_adds_sum == st.total_bidir_adds());
    REQUIRE(st.tile_adds_max * st.tiles >= st.tile_adds_sum);
    REQUIRE(st.max_updates >= 1);
    REQUIRE(st.rescale_events < st.max_updates + 0 + st.query_rows);
    // Each group fetches every visible key's sign plane once.
    std::uint64_t sign = 0;
    for (std::size_t g0 = 0; g0 < n; g0 += opt.query_group) {
      const std::size_t last = std::min(n, g0 + opt.query_group) - 1;
      sign += seed % 2 == 0 ? last + 1 : n;
    }
    REQUIRE(st.plane_fetches[p - 1] == sign);
    CHECK(st.pairs_kept < st.pairs_considered);  // this data does get pruned
  }
}

TEST_CASE("accuracy metrics degrade gracefully with aggressive pruning", "[functional][accuracy]") {
  const auto head = make_head(2024, 128, 64, true, 8.0, 12.0);
  FunctionalOptions opt;
  opt.alpha = 0.6;
  const auto standard = simulate_head(head, opt);
  opt.alpha = 0.1;
  const auto aggressive = simulate_head(head, opt);
  CHECK(aggressive.pairs_kept <= standard.pairs_kept);
  CHECK(standard.mean_retained_mass() >= aggressive.mean_retained_mass());
  CHECK(standard.mean_retained_mass() > 0.8);
  CHECK(standard.mean_cosine() > 0.98);
  CHECK(standard.mean_topk_recall() > 0.8);
  CHECK(aggressive.mean_rel_l2() >= standard.mean_rel_l2());
  CHECK(aggressive.min_cosine <= standard.min_cosine);
}

TEST_CASE("tile orders", "[functional][ista]") {
  CHECK(tile_order(5, TileOrder::head_tail) == std::vector<std::size_t>{0, 4, 1, 3, 2});
  CHECK(tile_order(4, TileOrder::head_tail) == std::vector<std::size_t>{0, 3, 1, 2});
  CHECK(tile_order(3, TileOrder::reverse) == std::vector<std::size_t>{2, 1, 0});
  CHECK(tile_order(3, TileOrder::in_order) == std::vector<std::size_t>{0, 1, 2});
  CHECK(tile_order(0, TileOrder::head_tail).empty());
}

TEST_CASE("bidirectional inputs per GSAT sub-group match a brute-force count on every kernel",
          "[functional][bidirectional]") {
  // Nothing pruned (huge radius), so every (row, visible key, plane) triple is processed: the
  // count is the sum over them of min(ones, zeros) per sub-group of g consecutive dims.
  for (const std::size_t d : {22u, 80u, 128u}) {  // partial last sub-groups, partial words
    const auto head = make_head(900 + d, 40, d, true, 3.0, 3.0);
    FunctionalOptions opt;
    opt.radius = 1e30;
    opt.key_tile = 16;
    opt.compute_accuracy = false;
    const auto codes = core::quantize(head.k, core::QuantSpec{opt.bits, opt.granularity, 32});
    FunctionalStats::SubgroupArray want{};
    for (std::size_t i = 0; i < head.q.rows(); ++i)  // causal: row i sees keys 0..i
      for (std::size_t j = 0; j <= i; ++j)
        for (int t = 0; t < opt.bits; ++t)
          for (std::size_t s = 0; s < want.size(); ++s) {
            const auto g = static_cast<std::size_t>(FunctionalStats::subgroup_size(s));
            for (std::size_t lo = 0; lo < d; lo += g) {
              std::size_t ones = 0, n = 0;
              for (std::size_t c = lo; c < std::min(d, lo + g); ++c, ++n)
                ones += core::code_bit(codes.at(j, c), t) ? 1 : 0;
              want[s] += std::min(ones, n - ones);
            }
          }
    for (const auto k :
         {KernelChoice::scalar, KernelChoice::generic, KernelChoice::avx2, KernelChoice::avx512}) {
      if (!kernel_available(k)) continue;
      opt.kernel = k;
      CAPTURE(d, to_string(k));
      const auto st = simulate_head(head, opt);
      CHECK(st.subgroup_active == want);
    }
  }
}

TEST_CASE("per-sub-group bidirectional counts nest: finer sub-groups never add more",
          "[functional][bidirectional]") {
  // Splitting a sub-group cannot raise sum min(ones, zeros); one sub-group covering all d dims
  // is the whole-head count. Checked with pruning on, so only processed planes count.
  for (const std::size_t d : {22u, 32u, 128u}) {
    const auto head = make_head(950 + d, 120, d, true, 5.0, 5.0);
    FunctionalOptions opt;
    opt.compute_accuracy = false;
    const auto st = simulate_head(head, opt);
    REQUIRE(st.pairs_kept < st.pairs_considered);  // pruning happened
    for (std::size_t s = 1; s < st.subgroup_active.size(); ++s)
      CHECK(st.subgroup_active[s - 1] <= st.subgroup_active[s]);
    CHECK(st.subgroup_active.back() <= st.total_bidir_adds());
    if (d <= 32) CHECK(st.subgroup_active.back() == st.total_bidir_adds());
    CHECK(st.subgroup_active.front() > 0);
  }
}
