// Non-dominated sorting, the non-dominated archive and the hypervolume algorithms, each against
// the straightforward implementation it replaces, on random sets full of ties and duplicates.
#include <catch2/catch.hpp>
#include <cmath>
#include <random>

#include "search/archive.hpp"
#include "search/pareto.hpp"

using namespace pade::search;

namespace {

/// n points in m objectives whose values come from `levels` integers (few levels: many ties and
/// duplicates), sometimes scaled so that values are not integral.
std::vector<Objectives> random_points(std::mt19937_64& rng, std::size_t n, std::size_t m,
                                      int levels) {
  std::uniform_int_distribution<int> value(0, levels - 1);
  std::vector<Objectives> pts(n, Objectives(m));
  for (auto& p : pts)
    for (auto& x : p) x = 0.25 * value(rng);
  return pts;
}

}  // namespace

TEST_CASE("fast non-dominated ranks equal the O(N^2) reference with ties and duplicates",
          "[search][pareto]") {
  std::mt19937_64 rng(2024);
  for (std::size_t m = 1; m <= 5; ++m) {
    for (const int levels : {2, 3, 5, 20, 1000}) {
      for (const std::size_t n : {0, 1, 2, 3, 7, 40, 200}) {
        const auto pts = random_points(rng, n, m, levels);
        INFO("m=" << m << " levels=" << levels << " n=" << n);
        CHECK(nondominated_ranks(pts) == nondominated_ranks_reference(pts));
      }
    }
  }
  // Larger sets where the recursion goes several levels deep on every objective.
  for (std::size_t m = 2; m <= 5; ++m) {
    const auto pts = random_points(rng, 1500, m, m == 2 ? 400 : 12);
    INFO("m=" << m);
    CHECK(nondominated_ranks(pts) == nondominated_ranks_reference(pts));
  }
}

TEST_CASE("non-dominated ranks of structured sets", "[search][pareto]") {
  // A chain (each point dominates the next), an antichain, and a set where only one objective
  // separates the points.
  std::vector<Objectives> chain, anti, flat;
  for (int i = 0; i < 50; ++i) {
    chain.push_back({1.0 * i, 2.0 * i, 3.0 * i});
    anti.push_back({1.0 * i, 50.0 - i, 7.0});
    flat.push_back({3.0, 3.0, 1.0 * (i % 10)});
  }
  const auto rc = nondominated_ranks(chain);
  for (int i = 0; i < 50; ++i) CHECK(rc[static_cast<std::size_t>(i)] == i);
  CHECK(nondominated_ranks(anti) == std::vector<int>(50, 0));
  CHECK(nondominated_ranks(flat) == nondominated_ranks_reference(flat));
  CHECK_THROWS_AS(nondominated_ranks(std::vector<Objectives>{{1, 2}, {1}}), std::invalid_argument);
}

TEST_CASE("the archive's front size and best values equal a full ranking's after every batch",
          "[search][pareto]") {
  std::mt19937_64 rng(7);
  for (std::size_t m = 2; m <= 4; ++m) {
    ParetoArchive archive(m);
    std::vector<Objectives> all;
    for (int batch = 0; batch < 12; ++batch) {
      const auto pts = random_points(rng, 25, m, 6);
      archive.insert(pts);
      all.insert(all.end(), pts.begin(), pts.end());
      const auto ranks = nondominated_ranks_reference(all);
      CHECK(archive.front_size() ==
            static_cast<std::size_t>(std::count(ranks.begin(), ranks.end(), 0)));
      for (std::size_t k = 0; k < m; ++k) {
        double best = INFINITY;
        for (const auto& p : all) best = std::min(best, p[k]);
        CHECK(archive.best()[k] == best);
      }
      for (const auto& p : archive.points())
        for (const auto& q : all) CHECK_FALSE(dominates(q, p));
    }
  }
}

TEST_CASE("exact hypervolume equals the recursive reference", "[search][pareto]") {
  std::mt19937_64 rng(99);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (std::size_t m = 1; m <= 5; ++m) {
    for (const std::size_t n : {1, 2, 5, 30, m <= 3 ? 300 : 60}) {
      for (const int levels : {4, 1000}) {
        const auto pts = random_points(rng, n, m, levels);
        std::vector<double> ref(m);
        for (auto& r : ref) r = 0.25 * levels * (0.7 + 0.4 * u(rng));  // some points outside
        INFO("m=" << m << " n=" << n << " levels=" << levels);
        const double want = hypervolume_reference(pts, ref);
        CHECK(hypervolume(pts, ref) == Approx(want).epsilon(1e-12).margin(1e-300));
        CHECK(hypervolume_or_estimate(pts, ref).exact);
      }
    }
  }
}

TEST_CASE("the Monte Carlo hypervolume is seeded and within its error of the exact value",
          "[search][pareto]") {
  std::mt19937_64 rng(5);
  for (std::size_t m = 3; m <= 6; ++m) {
    const auto pts = random_points(rng, 40, m, 1000);
    const std::vector<double> ref(m, 250.0);
    const double exact = hypervolume_reference(pts, ref);
    const auto a = hypervolume_monte_carlo(pts, ref, 50000, 11);
    const auto b = hypervolume_monte_carlo(pts, ref, 50000, 11);
    INFO("m=" << m << " exact " << exact << " estimate " << a.value << " +- " << a.standard_error);
    CHECK_FALSE(a.exact);
    CHECK(a.value == b.value);
    CHECK(a.standard_error > 0);
    CHECK(std::abs(a.value - exact) <= 5 * a.standard_error);
  }
}
