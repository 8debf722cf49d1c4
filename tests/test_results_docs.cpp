// Every SQL example in docs/results-schema.md runs on a database that has what trips a query up
// — two campaigns, a campaign with two fidelities, baseline rows, the stored suite averages — and
// returns the rows it promises; and `pade query`'s default scope is the one the guides describe.
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <catch2/catch.hpp>
#include <set>

#include "core/error.hpp"
#include "results/query.hpp"
#include "results/store_sql.hpp"
#include "test_results_fixture.hpp"

using namespace pade;

namespace {

/// The `sqlite3 out/default.db "..."` commands of a Markdown file, in order.
std::vector<std::string> documented_sql(const std::string& markdown) {
  std::vector<std::string> out;
  const std::string marker = "sqlite3 out/default.db \"";
  for (std::size_t pos = markdown.find(marker); pos != std::string::npos;
       pos = markdown.find(marker, pos)) {
    pos += marker.size();
    const std::size_t end = markdown.find('"', pos);
    REQUIRE(end != std::string::npos);
    out.push_back(markdown.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

/// The fixture of test_results_fixture.hpp made harder: campaign "variant" (the latest) also has
/// every row at a second fidelity, "event", which its provenance names as the front fidelity; the
/// comparisons carry the two stored averages; a baseline's own rows sit in campaign "base".
void add_pitfalls(results::Store& store) {
  const auto variant = *store.find_campaign("variant");
  const auto base = *store.find_campaign("base");
  std::vector<results::EvaluationRecord> evals;
  std::vector<results::PointRecord> points;
  results::EvaluationFilter every;
  every.all_metrics = true;
  store.for_each_evaluation(variant.id, every, [&](const results::EvaluationRecord& e) {
    auto copy = e;
    copy.fidelity = "event";
    evals.push_back(copy);
  });
  for (auto p : store.points(variant.id)) {
    p.fidelity = "event";
    points.push_back(p);
  }
  results::EvaluationRecord baseline_row = evals.front();
  baseline_row.campaign_id = base.id;
  baseline_row.fidelity = "sanger";
  evals.push_back(baseline_row);
  store.put_batch(evals, points);
  store.put_provenance(variant.id, {{"fidelities", "coarse,event"}, {"front_fidelity", "event"}});
  std::vector<results::ComparisonRecord> averages;
  for (const auto& b : test::fixture_baselines())
    for (const char* metric : {"speedup", "energy_efficiency"}) {
      averages.push_back({"geomean", b, metric, 2.0});
      averages.push_back({"arithmean", b, metric, 2.5});
    }
  store.put_comparisons(base.id, averages);
}

std::size_t count_rows(SQLite::Database& db, const std::string& sql) {
  SQLite::Statement st(db, sql);
  std::size_t n = 0;
  while (st.executeStep()) ++n;
  return n;
}

}  // namespace

TEST_CASE("docs: every SQL example of results-schema.md returns what it promises", "[results]") {
  test::ResultsTempDir dir("docs-sql");
  const std::string path = (dir.path / "f.db").string();
  {
    results::Store store(path);
    test::make_fixture(store);
    add_pitfalls(store);
  }
  const std::string doc =
      test::slurp_file(std::filesystem::path(PADE_SOURCE_DIR) / "docs" / "results-schema.md");
  std::vector<std::string> sql = documented_sql(doc);
  REQUIRE(sql.size() == 4);  // a new example needs its expected rows here
  SQLite::Database db(path, SQLite::OPEN_READONLY);

  // 1. The front of the latest campaign at its front fidelity: the rank-0 suite rows of
  // "variant", once each — a join on config_hash alone would count them per campaign and fidelity.
  results::Store reader(path);
  results::EvaluationQuery front;
  front.suite_points = true;
  front.max_rank = 0;
  const std::size_t front_size = results::run_query(reader, front).rows().size();
  const std::size_t naive = count_rows(
      db,
      "SELECT 1 FROM points p JOIN pareto f USING (config_hash) WHERE f.scope = 'suite' AND "
      "f.rank = 0");
  CHECK(front_size >= 1);
  CHECK(naive > front_size);  // the fixture does hold the pitfall
  CHECK(count_rows(db, sql[0]) == front_size);
  {
    SQLite::Statement st(db, sql[0]);
    std::set<std::string> hashes;
    while (st.executeStep()) hashes.insert(st.getColumn(0).getString());
    CHECK(hashes.size() == front_size);
  }

  // 2. The stored geometric means: one row per baseline.
  CHECK(count_rows(db, sql[1]) == test::fixture_baselines().size());

  // 3. The mean computed from per-benchmark rows counts the 4 benchmarks, not the 2 averages.
  {
    SQLite::Statement st(db, sql[2]);
    std::size_t rows = 0;
    while (st.executeStep()) {
      ++rows;
      CHECK(st.getColumn(1).getInt() == 4);
    }
    CHECK(rows == test::fixture_baselines().size());
  }

  // 4. json_each over one evaluation (the fixture's benchmark in place of llama2-7b/mmlu): one
  // row per metric the fixture stored.
  std::string one = sql[3];
  const std::string documented = "llama2-7b/mmlu";
  REQUIRE(one.find(documented) != std::string::npos);
  one.replace(one.find(documented), documented.size(), "m1/a");
  test::FixtureDesign any;
  CHECK(count_rows(db, one) ==
        test::fixture_metrics(any, test::fixture_benchmarks()[0], 1.0).values().size());
}

TEST_CASE("query: default scope, column filters, feasible first, did-you-mean", "[results]") {
  test::ResultsTempDir dir("query-scope");
  const std::string path = (dir.path / "f.db").string();
  {
    results::Store store(path);
    test::make_fixture(store);
    add_pitfalls(store);
  }
  results::Store store(path);
  const auto column = [](const results::Table& t, const std::string& name) {
    const auto& cols = t.columns();
    const auto it = std::find(cols.begin(), cols.end(), name);
    REQUIRE(it != cols.end());
    return static_cast<std::size_t>(it - cols.begin());
  };

  results::EvaluationQuery points;
  points.suite_points = true;
  const auto latest = results::run_query(store, points);
  REQUIRE(latest.rows().size() == 7);  // "variant": 6 grid designs + its own, at "event" only
  for (const auto& r : latest.rows()) {
    CHECK(r[column(latest, "campaign")].text == "variant");
    CHECK(r[column(latest, "fidelity")].text == "event");
  }
  points.all_fidelities = true;
  CHECK(results::run_query(store, points).rows().size() == 14);
  points.all_campaigns = true;
  CHECK(results::run_query(store, points).rows().size() ==
        7 * 2 + test::fixture_designs({}).size());
  points.all_campaigns = points.all_fidelities = false;

  // --where on a column; feasible designs ranked first by --sort.
  results::EvaluationQuery feasible = points;
  feasible.params.push_back(results::parse_param_filter("feasible=1"));
  CHECK(results::run_query(store, feasible).rows().size() == 5);  // lanes 32 break the area cap
  results::EvaluationQuery ranked = points;
  ranked.sort = "area_mm2:desc";
  const auto by_area = results::run_query(store, ranked);
  CHECK(by_area.rows().front()[column(by_area, "feasible")].text == "1");
  CHECK(by_area.rows().back()[column(by_area, "feasible")].text == "0");
  results::EvaluationQuery text = points;
  text.params.push_back(results::parse_param_filter("algorithm.tile_order!=in_order"));
  CHECK(results::run_query(store, text).rows().size() == 7);

  // Per-benchmark rows carry their design's feasibility too.
  results::EvaluationQuery evals;
  evals.params.push_back(results::parse_param_filter("feasible=0"));
  CHECK(results::run_query(store, evals).rows().size() == 2 * 3);  // 2 designs x 3 benchmarks

  // Misspelt keys get the closest name.
  results::EvaluationQuery typo = points;
  typo.sort = "enrgy_j";
  CHECK_THROWS_WITH(results::run_query(store, typo), Catch::Contains("did you mean 'energy_j'"));
  typo.sort.clear();
  typo.param_columns = {"qk_pu.lane_per_row"};
  CHECK_THROWS_WITH(results::run_query(store, typo),
                    Catch::Contains("did you mean 'qk_pu.lanes_per_row'"));
  typo.param_columns.clear();
  typo.params.push_back(results::parse_param_filter("feasibl=1"));
  CHECK_THROWS_WITH(results::run_query(store, typo), Catch::Contains("did you mean 'feasible'"));
}
