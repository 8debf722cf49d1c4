// Multi-bit stage fusion (issue 15): k key bit planes per round. The kernel-equality tests of
// test_functional.cpp run over k too; here: the BUI interval over the remaining unknown planes,
// nesting and the guard's safety for every k, k = 1 as the one-plane model, per-round and
// per-plane statistics, the digest, the knob's key and hash, and a campaign sweeping it.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "core/quant.hpp"
#include "core/rng.hpp"
#include "core/schema.hpp"
#include "dse/campaign.hpp"
#include "dse/runner.hpp"
#include "dse/stats_cache.hpp"
#include "models/digest.hpp"
#include "models/functional.hpp"
#include "models/hardware.hpp"
#include "results/store.hpp"
#include "test_dse_helpers.hpp"
#include "tests/test_functional_helpers.hpp"

using namespace pade;
using namespace pade::models;
using pade_test::make_head;

namespace {

int rounds_of(int bits, int k) {
  const int kk = std::min(k, bits);
  return (bits + kk - 1) / kk;
}

}  // namespace

TEST_CASE("multi-bit rounds: BUI bounds equal the brute-force extremes for every k",
          "[functional][multibit]") {
  const int p = 5, d = 2;
  for (const int k : {1, 2, 3, 4, 5, 8}) {
    for (std::uint64_t seed = 1; seed <= 20; ++seed) {
      core::Rng rng(seed, "bui-k");
      std::vector<std::int16_t> q(d), key(d);
      for (auto& x : q) x = static_cast<std::int16_t>(static_cast<int>(rng.below(31)) - 15);
      for (auto& x : key) x = static_cast<std::int16_t>(static_cast<int>(rng.below(32)) - 16);
      const int R = rounds_of(p, k);
      for (int r = 1; r <= R; ++r) {
        const int low = unknown_planes(p, r, k);
        REQUIRE(low == std::max(0, p - r * k));
        const std::int64_t sr = partial_score(q, key, p, r, k);
        std::int64_t bmin = std::numeric_limits<std::int64_t>::max(),
                     bmax = std::numeric_limits<std::int64_t>::min();
        for (std::uint32_t m = 0; m < (1u << (low * d)); ++m) {
          std::int64_t s = 0;
          for (int c = 0; c < d; ++c) {
            const std::int32_t hi = (static_cast<std::int32_t>(key[c]) >> low) * (1 << low);
            const auto lo = static_cast<std::int32_t>((m >> (c * low)) & ((1u << low) - 1));
            s += static_cast<std::int64_t>(q[c]) * (hi + lo);
          }
          bmin = std::min(bmin, s);
          bmax = std::max(bmax, s);
        }
        const auto iv = bui_interval(q, p, r, k);
        REQUIRE(sr + iv.min == bmin);
        REQUIRE(sr + iv.max == bmax);
      }
      // After the last round the partial score is exact and the interval empty.
      std::int64_t exact = 0;
      for (int c = 0; c < d; ++c) exact += std::int64_t{q[c]} * key[c];
      REQUIRE(partial_score(q, key, p, R, k) == exact);
      REQUIRE(bui_interval(q, p, R, k).max == 0);
    }
  }
}

TEST_CASE("multi-bit rounds: bounds hold and nest, pruning is safe, for every k",
          "[functional][multibit]") {
  struct Case {
    int bits, k;
  };
  // k dividing p, a short last round (6 bits in rounds of 4), k = p, and bits above 8 (the
  // packed-plane path).
  const Case cases[] = {{8, 1}, {8, 2}, {8, 4}, {8, 8}, {6, 4}, {12, 8}, {7, 3}};
  const core::Granularity grans[] = {core::Granularity::per_tensor, core::Granularity::per_group};
  std::size_t pruned_total = 0;
  for (const auto& c : cases) {
    for (std::uint64_t seed = 1; seed <= 4; ++seed) {
      const auto head = make_head(900 + seed, 80, 40, seed % 2 == 0, 8.0, 8.0);
      for (const auto gran : grans) {
        FunctionalOptions opt;
        opt.bits = c.bits;
        opt.bits_per_round = c.k;
        opt.granularity = gran;
        opt.key_tile = 16;
        opt.alpha = 0.3 + 0.2 * static_cast<double>(seed % 3);
        opt.radius = 3.0;
        const auto q = core::quantize(head.q, {opt.bits, gran, 32});
        const auto kq = core::quantize(head.k, {opt.bits, gran, 32});
        const int R = rounds_of(c.bits, c.k);
        for (const std::size_t row : {std::size_t{9}, std::size_t{41}, std::size_t{79}}) {
          CAPTURE(c.bits, c.k, seed, static_cast<int>(gran), row);
          const RowTrace tr = trace_row(head, opt, row);
          const double bar = tr.max_exact_logit - opt.alpha * opt.radius;
          for (const auto& kt : tr.keys) {
            REQUIRE(kt.rounds >= 1);
            REQUIRE(kt.rounds <= R);
            for (int r = 1; r <= kt.rounds; ++r) {
              REQUIRE(kt.lower[r - 1] <= kt.exact_logit);
              REQUIRE(kt.exact_logit <= kt.upper[r - 1]);
              if (r > 1) {
                REQUIRE(kt.lower[r - 1] >= kt.lower[r - 2]);
                REQUIRE(kt.upper[r - 1] <= kt.upper[r - 2]);
              }
              if (gran == core::Granularity::per_tensor)
                REQUIRE(kt.partial[r - 1] ==
                        partial_score(q.row(row), kq.row(kt.key), opt.bits, r, c.k));
            }
            if (kt.kept) {
              REQUIRE(kt.rounds == R);
              REQUIRE(kt.lower.back() == kt.exact_logit);
              REQUIRE(kt.upper.back() == kt.exact_logit);
            } else {
              ++pruned_total;
              REQUIRE(kt.exact_logit <= bar);  // the safety property
              REQUIRE(kt.upper.back() <= kt.threshold.back());
            }
          }
        }
      }
    }
  }
  CHECK(pruned_total > 500);  // exercised, not vacuous
}

TEST_CASE("multi-bit rounds: k = 1 is the one-plane model, k >= bits is one round",
          "[functional][multibit]") {
  const auto head = make_head(31, 150, 64, true, 8.0, 10.0);
  FunctionalOptions one;
  const auto base = simulate_head(head, one);
  one.bits_per_round = 1;
  CHECK(simulate_head(head, one).serialize() == base.serialize());
  CHECK(base.serialize().find("bits_per_round") == std::string::npos);  // stored texts unchanged
  CHECK(base.mean_planes() == base.mean_rounds());

  FunctionalOptions all = one;
  all.bits_per_round = 8;
  const auto st8 = simulate_head(head, all);
  CHECK(st8.rounds() == 1);
  CHECK(st8.rounds_hist[1] == st8.pairs_considered);
  CHECK(st8.active_per_round[1] == st8.pairs_considered);
  for (int t = 0; t < 8; ++t)
    CHECK(st8.plane_processed[static_cast<std::size_t>(t)] == st8.pairs_considered);
  CHECK(st8.mean_planes() == 8.0);
  CHECK(st8.pairs_kept < st8.pairs_considered);  // pruned on the exact score
  all.bits_per_round = 16;                       // above the operand bits: the same single round
  CHECK(simulate_head(head, all) == st8);
  all.bits_per_round = 0;
  CHECK_THROWS_AS(simulate_head(head, all), core::InputError);
}

TEST_CASE("multi-bit rounds: the kept keys and the output do not depend on k (guard)",
          "[functional][multibit]") {
  // A tile's highest exact logit is never pruned (its upper bound is above every threshold), so
  // each tile's last round raises T to the same value for every k, and a key survives iff its
  // exact logit is above that value: k moves when keys are pruned, never which.
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    const auto head = make_head(1700 + seed, 130, 48, seed != 2, 8.0, 10.0);
    FunctionalOptions opt;
    opt.key_tile = 24;
    opt.alpha = 0.2 * static_cast<double>(seed);
    const auto one = simulate_head_with_output(head, opt);
    for (const int k : {2, 3, 4, 8}) {
      opt.bits_per_round = k;
      const auto got = simulate_head_with_output(head, opt);
      CAPTURE(seed, k);
      CHECK(got.stats.pairs_kept == one.stats.pairs_kept);
      CHECK(got.stats.sum_cosine_fx == one.stats.sum_cosine_fx);
      CHECK(got.stats.topk_hits == one.stats.topk_hits);
      CHECK(std::ranges::equal(got.output.data(), one.output.data()));
      CHECK(got.stats.mean_planes() >= one.stats.mean_planes());  // but keys leave later
    }
  }
}

TEST_CASE("multi-bit rounds: statistics are consistent per round and per plane",
          "[functional][multibit]") {
  const std::size_t n = 120;
  for (const int k : {2, 3, 4}) {
    const auto head = make_head(1600 + static_cast<std::uint64_t>(k), n, 64, true, 8.0, 10.0);
    FunctionalOptions opt;
    opt.bits_per_round = k;
    opt.key_tile = 32;
    opt.compute_accuracy = false;
    const auto st = simulate_head(head, opt);
    CAPTURE(k);
    const int p = opt.bits, R = rounds_of(p, k);
    REQUIRE(st.bits_per_round == k);
    REQUIRE(st.rounds() == R);
    std::uint64_t hist = 0, pruned = 0;
    for (int r = 1; r <= FunctionalStats::kMaxBits; ++r) {
      const auto ur = static_cast<std::size_t>(r);
      if (r > R) {  // histograms sized by the number of rounds
        REQUIRE(st.rounds_hist[ur] == 0);
        REQUIRE(st.active_per_round[ur] == 0);
        continue;
      }
      hist += st.rounds_hist[ur];
      pruned += st.pruned_at_round[ur];
      std::uint64_t reach = 0;
      for (int s = r; s <= R; ++s) reach += st.rounds_hist[static_cast<std::size_t>(s)];
      REQUIRE(st.active_per_round[ur] == reach);
      // Every plane of the round is processed by each pair active in it, bidirectional sparsity
      // plane by plane (at most half of the dims each).
      for (int t = std::max(0, p - r * k); t <= p - 1 - (r - 1) * k; ++t) {
        const auto ut = static_cast<std::size_t>(t);
        REQUIRE(st.plane_processed[ut] == reach);
        REQUIRE(st.plane_bidir_adds[ut] * 2 <= st.plane_processed[ut] * 64);
        REQUIRE(st.plane_bidir_adds[ut] <= st.plane_ones[ut]);
        REQUIRE(st.plane_fetches[ut] <= st.plane_processed[ut]);
        REQUIRE(st.plane_fetches[ut] == st.plane_fetches[static_cast<std::size_t>(
                                            std::max(0, p - r * k))]);  // one fetch per round
      }
    }
    REQUIRE(hist == st.pairs_considered);
    REQUIRE(pruned + st.pairs_kept == st.pairs_considered);
    REQUIRE(st.total_plane_fetches() == st.group_fetch_sum);
    REQUIRE(st.tile_adds_sum == st.total_bidir_adds());
    REQUIRE(st.plane_fetches[static_cast<std::size_t>(p - 1)] > 0);
    CHECK(st.mean_planes() > st.mean_rounds());
    CHECK(st.pairs_kept < st.pairs_considered);

    // Serialization names k and round-trips; records of different k do not merge.
    REQUIRE(FunctionalStats::deserialize(st.serialize()) == st);
    FunctionalOptions other = opt;
    other.bits_per_round = 1;
    FunctionalStats merged = st;
    CHECK_THROWS_AS(merged += simulate_head(head, other), std::invalid_argument);

    // The digest keeps per-plane vectors; the planes of one round share its active fraction.
    const WorkloadStats w = digest_stats(st, 64);
    REQUIRE(w.bits_per_round == k);
    REQUIRE(w.active_fraction.size() == static_cast<std::size_t>(p));
    for (int x = 0; x < p; ++x)
      CHECK(w.active_fraction[static_cast<std::size_t>(x)] ==
            w.active_fraction[static_cast<std::size_t>(x / k * k)]);
    CHECK(w.mean_rounds() == Approx(st.mean_planes()));
    const auto back = dse::deserialize_stats(dse::serialize_stats(w));
    REQUIRE(back.has_value());
    CHECK(back->bits_per_round == k);
    CHECK(dse::serialize_stats(*back) == dse::serialize_stats(w));
  }
}

TEST_CASE("algorithm.bits_per_round: a key part and an identity only when not 1",
          "[multibit][binding]") {
  const auto with = [](std::int64_t k) {
    core::Config c = core::default_config(hardware_schema());
    c.set("algorithm.bits_per_round", core::Value{k}, {"<test>", 0, 0});
    return c;
  };
  const core::Config defaults = core::default_config(hardware_schema());
  CHECK(with(1).hash() == defaults.hash());
  CHECK(with(2).hash() != defaults.hash());
  CHECK(dse::AlgorithmPoint::from(with(1)).key() == dse::AlgorithmPoint::from(defaults).key());
  CHECK(dse::AlgorithmPoint::from(with(4)).key() ==
        "bits=8;alpha=0.5;radius=5;bq=8;bk=64;order=head_tail;bui=1;bpr=4");
  CHECK(dse::AlgorithmPoint::from(with(4)).bits_per_round == 4);
}

TEST_CASE("campaign: algorithm.bits_per_round is sweepable and reaches the statistics",
          "[multibit][dse]") {
  test::TempDir dir("multibit");
  std::mutex m;
  std::set<std::string> keys;
  std::set<int> ks;
  // A cheap statistics source that records the algorithm points it is asked for.
  auto compute = [&](const workloads::Benchmark&, const dse::AlgorithmPoint& p) {
    {
      const std::lock_guard lock(m);
      keys.insert(p.key());
      ks.insert(p.bits_per_round);
    }
    WorkloadStats s;
    s.bits = p.bits;
    s.bits_per_round = p.bits_per_round;
    for (int r = 0; r < p.bits; ++r)
      s.active_fraction.push_back(r < p.bits_per_round ? 1.0 : 0.5 - 0.02 * r);
    s.kept_fraction = s.active_fraction.back();
    s.accuracy_loss = 0.001 * p.bits_per_round;
    s.sampled_rows = 64;
    s.source = "fake";
    return s;
  };
  const std::string yaml =
      "kind: campaign\nname: bpr\nseed: 3\n"
      "benchmarks: [llama2-7b/mmlu, opt-1.3b/winogrande]\n"
      "space:\n"
      "  algorithm.bits_per_round: [1, 2, 4, 8]\n"
      "  algorithm.alpha: [0.4, 0.6]\n"
      "strategy: grid\n";
  const dse::Campaign c = dse::read_campaign_text(yaml, "test.yaml", dir.path);
  results::Store store(dir.str("bpr.db"), results::Store::Mode::ReadWrite, {});
  dse::StatsCache stats(compute, "fake-1");
  const auto summary =
      dse::run_campaign(c, workloads::Catalog::builtin(), store, stats, dse::RunOptions{});
  CHECK(summary.status == "finished");
  CHECK(summary.evaluated == 8u);
  CHECK(ks == std::set<int>{1, 2, 4, 8});
  CHECK(keys.size() == 8u);
  std::size_t with_bpr = 0;
  for (const auto& k : keys) with_bpr += k.find(";bpr=") != std::string::npos ? 1 : 0;
  CHECK(with_bpr == 6u);  // k = 1 keys are the stored keys of the one-plane model
  std::set<std::string> hashes;
  for (const auto& p : store.points(store.campaigns().at(0).id)) hashes.insert(p.config_hash);
  CHECK(hashes.size() == 8u);
}

TEST_CASE("pade eval accepts algorithm.bits_per_round", "[multibit][cli]") {
  test::TempDir dir("multibit-eval");
  {
    std::ofstream hw(dir.str("hw.yaml"));
    hw << "kind: hardware\nalgorithm: {bits: 8, alpha: 0.5, bits_per_round: 2}\n";
  }
  const auto r = test::run_in(dir.path, "eval hw.yaml --benchmark opt-1.3b/mmlu");
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK(r.out.find("stats.bits_per_round") != std::string::npos);
  {
    std::ofstream hw(dir.str("bad.yaml"));
    hw << "kind: hardware\nalgorithm: {bits_per_round: 0}\n";
  }
  const auto bad = test::run_in(dir.path, "eval bad.yaml --benchmark opt-1.3b/mmlu");
  CHECK(bad.code == 2);
  CHECK(bad.err.find("algorithm.bits_per_round") != std::string::npos);
}
