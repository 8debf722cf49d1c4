// NSGA-II and multi-fidelity successive halving behind the ask/tell seam, on synthetic problems.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <functional>
#include <set>

#include "search/pareto.hpp"
#include "search/strategy.hpp"

using namespace pade::search;

namespace {

using Problem = std::function<std::optional<std::vector<double>>(const Candidate&)>;

/// Run a strategy to the end with outcomes from `f`, asking `batch` at a time and telling each
/// batch in reverse order (tell order must not matter).
std::vector<Candidate> drive(Strategy& s, std::size_t batch, const Problem& f) {
  std::vector<Candidate> all;
  for (int guard = 0; guard < 100000; ++guard) {
    auto c = s.ask(batch);
    if (c.empty()) break;
    CHECK(c.size() <= batch);
    std::vector<Outcome> out;
    for (auto it = c.rbegin(); it != c.rend(); ++it) out.push_back({it->seq, f(*it)});
    s.tell(out);
    all.insert(all.end(), c.begin(), c.end());
  }
  return all;
}

/// A discrete ZDT1-like problem over D dimensions of `levels` each: x_d = level / (levels - 1),
/// f1 = x0, f2 = g (1 - sqrt(f1 / g)) with g = 1 + 9 mean(x1..). Its front is x1.. = 0.
std::vector<double> zdt1(const std::vector<std::size_t>& levels, std::size_t n) {
  std::vector<double> x;
  for (const auto l : levels) x.push_back(static_cast<double>(l) / static_cast<double>(n - 1));
  double g = 0;
  for (std::size_t d = 1; d < x.size(); ++d) g += x[d];
  g = 1 + 9 * g / static_cast<double>(x.size() - 1);
  return {x[0], g * (1 - std::sqrt(x[0] / g))};
}

double front_hypervolume(const std::vector<Candidate>& cands, std::size_t n) {
  std::vector<Objectives> pts;
  for (const auto& c : cands) pts.push_back(zdt1(c.levels, n));
  return hypervolume(pts, std::vector<double>{1.1, 11.0});
}

}  // namespace

TEST_CASE(
    "nsga2: seeded, the same candidates for any batch size and tell order, no duplicates, budget "
    "kept",
    "[dse][search]") {
  const std::vector<std::size_t> sizes(5, 8);
  StrategyOptions o;
  o.seed = 9;
  o.population = 10;
  o.budget = 70;
  const Problem f = [](const Candidate& c) {
    return std::optional<std::vector<double>>(zdt1(c.levels, 8));
  };
  auto a = builtin_strategies().create("nsga2", sizes, o);
  auto b = builtin_strategies().create("nsga2", sizes, o);
  auto c = builtin_strategies().create("nsga2", sizes, o);
  CHECK(a->adaptive());
  CHECK(a->planned() == 70);
  const auto ca = drive(*a, 1, f);
  const auto cb = drive(*b, 7, f);
  const auto cc = drive(*c, 1000, f);
  REQUIRE(ca.size() == 70);
  REQUIRE(cb.size() == ca.size());
  REQUIRE(cc.size() == ca.size());
  std::set<std::vector<std::size_t>> seen;
  for (std::size_t i = 0; i < ca.size(); ++i) {
    CHECK(ca[i].seq == static_cast<std::int64_t>(i));
    CHECK(ca[i].levels == cb[i].levels);
    CHECK(ca[i].levels == cc[i].levels);
    seen.insert(ca[i].levels);
  }
  CHECK(seen.size() == ca.size());
  // Another seed, another search.
  o.seed = 10;
  auto d = builtin_strategies().create("nsga2", sizes, o);
  const auto cd = drive(*d, 7, f);
  bool differs = false;
  for (std::size_t i = 0; i < std::min(cd.size(), ca.size()); ++i)
    differs = differs || cd[i].levels != ca[i].levels;
  CHECK(differs);
}

TEST_CASE("nsga2: a generation waits for its outcomes (ask returns nothing more until told)",
          "[dse][search]") {
  const std::vector<std::size_t> sizes(3, 6);
  StrategyOptions o;
  o.population = 6;
  o.budget = 30;
  auto s = builtin_strategies().create("nsga2", sizes, o);
  const auto first = s->ask(4);
  CHECK(first.size() == 4);
  const auto rest = s->ask(100);
  CHECK(rest.size() == 2);     // the rest of generation 0, not more
  CHECK(s->ask(100).empty());  // waiting: generation 1 needs generation 0's outcomes
  std::vector<Outcome> told;
  for (const auto* batch : {&first, &rest})
    for (const auto& c : *batch)
      told.push_back({c.seq, std::vector<double>{double(c.levels[0]), double(c.levels[1])}});
  s->tell(told);
  const auto next = s->ask(100);
  CHECK(next.size() == 6);
  CHECK(next.front().seq == 6);
}

TEST_CASE("nsga2 finds a better front than random sampling with the same budget (ZDT1, discrete)",
          "[dse][search]") {
  const std::vector<std::size_t> sizes(6, 11);  // 11^6 = 1.8 million designs
  const Problem f = [](const Candidate& c) {
    return std::optional<std::vector<double>>(zdt1(c.levels, 11));
  };
  StrategyOptions o;
  o.seed = 3;
  o.population = 20;
  o.budget = 400;
  auto nsga = builtin_strategies().create("nsga2", sizes, o);
  auto rnd = builtin_strategies().create("random", sizes, o);
  const double hv_nsga = front_hypervolume(drive(*nsga, 16, f), 11);
  const double hv_rnd = front_hypervolume(drive(*rnd, 16, f), 11);
  INFO("hypervolume nsga2 " << hv_nsga << " random " << hv_rnd);
  CHECK(hv_nsga > hv_rnd * 1.05);
}

TEST_CASE(
    "nsga2: infeasible outcomes lose tournaments and survival, a tiny space ends when exhausted",
    "[dse][search]") {
  const std::vector<std::size_t> sizes = {4, 4};
  StrategyOptions o;
  o.population = 4;
  o.budget = 100;  // more than the 16 designs
  auto s = builtin_strategies().create("nsga2", sizes, o);
  CHECK(s->planned() == 16);
  // Designs with level 3 in dimension 0 are infeasible.
  const Problem f = [](const Candidate& c) -> std::optional<std::vector<double>> {
    if (c.levels[0] == 3) return std::nullopt;
    return std::vector<double>{double(c.levels[0]), double(3 - c.levels[1])};
  };
  const auto all = drive(*s, 3, f);
  CHECK(all.size() == 16);
  std::set<std::vector<std::size_t>> seen;
  for (const auto& c : all) seen.insert(c.levels);
  CHECK(seen.size() == 16);
}

TEST_CASE("halving: screens the grid, refines the best 1/eta at the next fidelity",
          "[dse][search]") {
  const std::vector<std::size_t> sizes = {3, 3, 3};
  StrategyOptions o;
  o.fidelity_levels = 2;
  o.eta = 3;
  auto s = builtin_strategies().create("halving", sizes, o);
  CHECK(s->adaptive());
  CHECK(s->planned() == 27 + 9);
  // Screening: objectives (a, b) trade off along dimension 0 vs 1; dimension 2 adds a penalty.
  auto objectives = [](const std::vector<std::size_t>& l) {
    return std::vector<double>{double(l[0]) + double(l[2]),
                               double(2 - l[0]) + double(l[1]) + double(l[2])};
  };
  std::vector<Candidate> screened, refined;
  const Problem f = [&](const Candidate& c) {
    (c.fidelity == 0 ? screened : refined).push_back(c);
    return std::optional<std::vector<double>>(objectives(c.levels));
  };
  const auto all = drive(*s, 5, f);
  REQUIRE(screened.size() == 27);
  REQUIRE(refined.size() == 9);
  for (std::size_t i = 0; i < all.size(); ++i) CHECK(all[i].seq == static_cast<std::int64_t>(i));
  // The refined designs are the 9 best of the screening by (rank, crowding): every design of the
  // screening front is among them, and nothing refined is dominated by a design left out.
  std::vector<Objectives> objs;
  for (const auto& c : screened) objs.push_back(objectives(c.levels));
  const auto ranks = nondominated_ranks(objs);
  std::set<std::vector<std::size_t>> refined_set;
  for (const auto& c : refined) refined_set.insert(c.levels);
  CHECK(refined_set.size() == 9);
  int worst_refined = 0, best_left = 1 << 20;
  for (std::size_t i = 0; i < screened.size(); ++i) {
    if (refined_set.count(screened[i].levels))
      worst_refined = std::max(worst_refined, ranks[i]);
    else
      best_left = std::min(best_left, ranks[i]);
  }
  CHECK(worst_refined <= best_left);
  for (std::size_t i = 0; i < screened.size(); ++i)
    if (ranks[i] == 0) CHECK(refined_set.count(screened[i].levels) == 1);
}

TEST_CASE(
    "halving: the budget counts every rung, LHS when the grid does not fit, deterministic per "
    "batch size",
    "[dse][search]") {
  const std::vector<std::size_t> sizes = {6, 6, 6};
  StrategyOptions o;
  o.seed = 4;
  o.fidelity_levels = 2;
  o.eta = 3;
  o.budget = 20;  // n + ceil(n/3) <= 20  ->  n = 15
  const Problem f = [](const Candidate& c) -> std::optional<std::vector<double>> {
    if (c.levels[2] == 5) return std::nullopt;  // infeasible designs are never refined
    return std::vector<double>{double(c.levels[0]), double(c.levels[1]) - double(c.levels[0])};
  };
  auto a = builtin_strategies().create("halving", sizes, o);
  auto b = builtin_strategies().create("halving", sizes, o);
  CHECK(a->planned() == 20);
  const auto ca = drive(*a, 4, f);
  const auto cb = drive(*b, 64, f);
  REQUIRE(ca.size() == cb.size());
  for (std::size_t i = 0; i < ca.size(); ++i) {
    CHECK(ca[i].levels == cb[i].levels);
    CHECK(ca[i].fidelity == cb[i].fidelity);
  }
  const auto screened =
      std::count_if(ca.begin(), ca.end(), [](const Candidate& c) { return c.fidelity == 0; });
  CHECK(screened == 15);
  CHECK(ca.size() <= 20);
  for (const auto& c : ca)
    if (c.fidelity == 1) CHECK(c.levels[2] != 5);
  // One fidelity level: a plain screening, not adaptive.
  o.fidelity_levels = 1;
  auto single = builtin_strategies().create("halving", sizes, o);
  CHECK_FALSE(single->adaptive());
  CHECK(drive(*single, 8, f).size() == 20);
}
