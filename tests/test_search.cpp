// Search strategies (ask/tell) and Pareto utilities.
#include <catch2/catch.hpp>
#include <set>

#include "search/pareto.hpp"
#include "search/strategy.hpp"

using namespace pade::search;

namespace {
std::vector<Candidate> drain(Strategy& s, std::size_t batch) {
  std::vector<Candidate> all;
  while (true) {
    auto c = s.ask(batch);
    if (c.empty()) break;
    std::vector<Outcome> out;
    for (const auto& x : c) out.push_back({x.seq, std::vector<double>{1.0}});
    s.tell(out);
    all.insert(all.end(), c.begin(), c.end());
  }
  return all;
}
}  // namespace

TEST_CASE("grid visits every combination once, in mixed-radix order, and honours the budget",
          "[search]") {
  const std::vector<std::size_t> sizes = {3, 2, 4};
  auto grid = builtin_strategies().create("grid", sizes, {});
  CHECK(grid->planned() == 24);
  const auto all = drain(*grid, 5);
  REQUIRE(all.size() == 24);
  std::set<std::vector<std::size_t>> seen;
  for (std::size_t i = 0; i < all.size(); ++i) {
    CHECK(all[i].seq == static_cast<std::int64_t>(i));
    seen.insert(all[i].levels);
  }
  CHECK(seen.size() == 24);
  CHECK(all[1].levels == std::vector<std::size_t>{0, 0, 1});  // last dimension fastest
  StrategyOptions o;
  o.budget = 7;
  auto limited = builtin_strategies().create("grid", sizes, o);
  CHECK(drain(*limited, 3).size() == 7);
}

TEST_CASE("random and LHS are seeded, deterministic, duplicate-free and stay in range",
          "[search]") {
  const std::vector<std::size_t> sizes = {5, 5, 3};
  for (const char* name : {"random", "lhs"}) {
    INFO(name);
    StrategyOptions o;
    o.seed = 11;
    o.budget = 20;
    auto a = builtin_strategies().create(name, sizes, o);
    auto b = builtin_strategies().create(name, sizes, o);
    const auto ca = drain(*a, 4);
    const auto cb = drain(*b, 7);  // batch size must not change the sequence
    REQUIRE(ca.size() == 20);
    REQUIRE(cb.size() == 20);
    std::set<std::vector<std::size_t>> seen;
    for (std::size_t i = 0; i < ca.size(); ++i) {
      CHECK(ca[i].levels == cb[i].levels);
      for (std::size_t d = 0; d < sizes.size(); ++d) CHECK(ca[i].levels[d] < sizes[d]);
      seen.insert(ca[i].levels);
    }
    CHECK(seen.size() == 20);
    o.seed = 12;
    auto c = builtin_strategies().create(name, sizes, o);
    const auto cc = drain(*c, 4);
    bool differs = cc.size() != ca.size();
    for (std::size_t i = 0; i < std::min(cc.size(), ca.size()); ++i)
      differs = differs || cc[i].levels != ca[i].levels;
    CHECK(differs);
  }
  // A space smaller than the budget ends when exhausted.
  StrategyOptions o;
  o.budget = 100;
  auto small = builtin_strategies().create("random", std::vector<std::size_t>{2, 2}, o);
  CHECK(drain(*small, 8).size() == 4);
}

TEST_CASE("non-dominated ranks", "[search][pareto]") {
  const std::vector<Objectives> pts = {{1, 5}, {2, 2}, {5, 1}, {3, 3}, {4, 4}, {2, 2}};
  const auto r = nondominated_ranks(pts);
  CHECK(r == std::vector<int>{0, 0, 0, 1, 2, 0});  // equal points do not dominate each other
  CHECK(dominates(std::vector<double>{1, 1}, std::vector<double>{1, 2}));
  CHECK_FALSE(dominates(std::vector<double>{1, 2}, std::vector<double>{1, 2}));
}

TEST_CASE("hypervolume matches hand-computed areas and volumes", "[search][pareto]") {
  const std::vector<Objectives> two = {{1, 3}, {2, 2}, {3, 1}};
  // Reference (4,4): staircase area = 3*1 + 2*1 + 1*1 = 6.
  CHECK(hypervolume(two, std::vector<double>{4, 4}) == Approx(6.0));
  // Dominated and outside points add nothing.
  const std::vector<Objectives> more = {{1, 3}, {2, 2}, {3, 1}, {3, 3}, {5, 0.5}};
  CHECK(hypervolume(more, std::vector<double>{4, 4}) == Approx(6.0));
  const std::vector<Objectives> cube = {{0, 0, 0}};
  CHECK(hypervolume(cube, std::vector<double>{2, 3, 4}) == Approx(24.0));
  // Two boxes in 3-D: [0,2]x[0,1]x[0,1] union [0,1]x[0,2]x[0,1] with ref (2,2,1): 2 + 2 - 1 = 3.
  const std::vector<Objectives> boxes = {{0, 1, 0}, {1, 0, 0}};
  CHECK(hypervolume(boxes, std::vector<double>{2, 2, 1}) == Approx(3.0));
}

TEST_CASE("crowding distance marks the extremes infinite", "[search][pareto]") {
  const std::vector<Objectives> pts = {{1, 3}, {2, 2}, {3, 1}};
  const std::vector<std::size_t> front = {0, 1, 2};
  const auto d = crowding_distance(pts, front);
  CHECK(std::isinf(d[0]));
  CHECK(std::isinf(d[2]));
  CHECK(d[1] == Approx(2.0));
}
