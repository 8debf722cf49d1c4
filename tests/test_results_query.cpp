// pade show / pade diff and the comparisons table: every answer checked against plain SQL on the
// same file.
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <catch2/catch.hpp>
#include <map>
#include <sstream>

#include "core/error.hpp"
#include "results/ablation.hpp"
#include "results/plot.hpp"
#include "results/query.hpp"
#include "results/store_sql.hpp"
#include "test_results_fixture.hpp"

using namespace pade;

namespace {

const results::Table& section(const results::DesignView& v, const std::string& name) {
  for (const auto& [n, t] : v.sections)
    if (n == name) return t;
  FAIL("no section " << name);
  throw std::logic_error("unreachable");
}

std::size_t column(const results::Table& t, const std::string& name) {
  for (std::size_t i = 0; i < t.columns().size(); ++i)
    if (t.columns()[i] == name) return i;
  FAIL("no column " << name);
  return 0;
}

int count(results::Store& s, const std::string& sql, const std::string& bind) {
  SQLite::Statement st(results::connection(s), sql);
  st.bind(1, bind);
  st.executeStep();
  return st.getColumn(0).getInt();
}

}  // namespace

TEST_CASE("results: schema v3 adds the comparisons table, and a v2 file migrates keeping its data",
          "[results]") {
  test::ResultsTempDir dir("migrate");
  const std::string path = (dir.path / "v2.db").string();
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    results::migrate(db, 2);
    db.exec(
        "INSERT INTO campaigns(name, spec_yaml, seed, strategy, status, created_at) "
        "VALUES('old', 'kind: campaign', 1, 'grid', 'finished', '2026-01-01T00:00:00Z')");
    CHECK_FALSE(db.tableExists("comparisons"));
  }
  results::Store store(path);
  CHECK(results::kSchemaVersion >= 3);  // v4 added leases
  CHECK(store.schema_version() == results::kSchemaVersion);
  CHECK(results::connection(store)
            .execAndGet("SELECT value FROM meta WHERE key = 'schema_version'")
            .getString() == std::to_string(results::kSchemaVersion));
  REQUIRE(results::connection(store).tableExists("comparisons"));
  const auto id = store.find_campaign("old")->id;
  std::vector<results::ComparisonRecord> rows = {{"b1", "h100", "speedup", 2.5},
                                                 {"b1", "h100", "energy_efficiency", 4.0},
                                                 {"b0", "sofa", "speedup", 1.5}};
  store.put_comparisons(id, rows);
  rows[0].value = 3.0;  // insert-or-replace on the primary key
  store.put_comparisons(id, std::span(rows).first(1));
  const auto got = store.comparisons(id);
  REQUIRE(got.size() == 3);
  CHECK(got[0] == results::ComparisonRecord{"b0", "sofa", "speedup", 1.5});  // ordered by benchmark
  CHECK(got[2] == results::ComparisonRecord{"b1", "h100", "speedup", 3.0});
  CHECK(results::connection(store).execAndGet("SELECT count(*) FROM comparisons").getInt() == 3);
  const std::vector<results::ComparisonRecord> bad = {{"b1", "h100", "latency", 1.0}};
  CHECK_THROWS_WITH(
      store.put_comparisons(id, bad),
      Catch::Contains("expected speedup, energy_efficiency or energy_efficiency_core"));
  CHECK(store.comparisons(id).size() == 3);  // the failed batch left nothing behind
}

TEST_CASE("results: show resolves hash prefixes and reports exactly what SQL finds", "[results]") {
  test::ResultsTempDir dir("show");
  results::Store store((dir.path / "r.db").string());
  test::make_fixture(store);
  const auto designs = test::fixture_designs({});
  const std::string hash = designs[2].hash;  // lanes 16, alpha 0.5: in both campaigns

  CHECK(results::resolve_config_hash(store, hash) == hash);
  CHECK(results::resolve_config_hash(store, hash.substr(0, 6)) == hash);
  CHECK(results::resolve_config_hash(store, "F00DFEED") == "f00dfeedf00dfeed");  // case-insensitive
  CHECK_THROWS_WITH(results::resolve_config_hash(store, "ab0"),
                    Catch::Contains("ambiguous") && Catch::Contains(designs[0].hash) &&
                        Catch::Contains(designs[1].hash));
  CHECK_THROWS_WITH(results::resolve_config_hash(store, "0000"),
                    Catch::Contains("no configuration's hash starts with"));
  CHECK_THROWS_WITH(results::resolve_config_hash(store, "ab0%"), Catch::Contains("hexadecimal"));

  const auto v = results::show_design(store, hash.substr(0, 7), "", false);
  CHECK(v.hash == hash);
  CHECK(v.canonical == "canonical " + hash + "\n");
  const auto& params = section(v, "parameters");
  CHECK(static_cast<int>(params.rows().size()) ==
        count(store, "SELECT count(*) FROM config_params WHERE hash = ?", hash));
  CHECK(params.rows()[0][0].text == "algorithm.alpha");
  const auto& evals = section(v, "evaluations");
  CHECK(static_cast<int>(evals.rows().size()) ==
        count(store, "SELECT count(*) FROM evaluations WHERE config_hash = ?", hash));
  CHECK(evals.rows().size() == 7);  // 4 benchmarks in base, 3 in variant
  // Every stored latency appears, with the value SQL returns.
  for (const auto& row : evals.rows()) {
    SQLite::Statement st(
        results::connection(store),
        "SELECT e.latency_s FROM evaluations e JOIN campaigns c ON c.id = e.campaign_id "
        "WHERE c.name = ? AND e.config_hash = ? AND e.benchmark = ?");
    st.bind(1, row[column(evals, "campaign")].text);
    st.bind(2, hash);
    st.bind(3, row[column(evals, "benchmark")].text);
    REQUIRE(st.executeStep());
    CHECK(std::stod(row[column(evals, "latency_s")].text) == st.getColumn(0).getDouble());
  }
  CHECK(section(v, "points").rows().size() == 2);
  CHECK(section(v, "campaigns").rows().size() == 2);
  CHECK(section(v, "provenance").rows().size() == 6);  // 3 keys × 2 campaigns
  CHECK(v.sections.size() == 5);                       // no metrics section without all_metrics

  const auto one = results::show_design(store, hash, "variant", true);
  CHECK(section(one, "evaluations").rows().size() == 3);
  CHECK(section(one, "points").rows().size() == 1);
  CHECK(section(one, "provenance").rows().size() == 3);
  const auto& metrics = section(one, "metrics");
  CHECK(static_cast<int>(metrics.rows().size()) ==
        count(store,
              "SELECT count(*) FROM evaluations e JOIN campaigns c ON c.id = e.campaign_id, "
              "json_each(e.metrics_json) "
              "WHERE e.config_hash = ? AND c.name = 'variant'",
              hash));
  bool dram = false;
  for (const auto& row : metrics.rows())
    dram = dram || row[column(metrics, "metric")].text == "energy_dram_j";
  CHECK(dram);
  CHECK_THROWS_AS(results::show_design(store, hash, "nope", false), core::InputError);

  std::ostringstream json;
  results::write_sections(json, results::Format::Json, one.sections,
                          std::vector<std::pair<std::string, std::string>>{{"config_hash", hash}});
  CHECK(json.str().find("\"config_hash\": \"" + hash + "\"") != std::string::npos);
  CHECK(json.str().find("\"parameters\": [") != std::string::npos);
  std::ostringstream table;
  results::write_sections(table, results::Format::Table, one.sections);
  CHECK(table.str().find("== evaluations (3) ==") != std::string::npos);
}

TEST_CASE("results: diff per benchmark agrees with SQL written independently", "[results]") {
  test::ResultsTempDir dir("diff");
  results::Store store((dir.path / "r.db").string());
  test::make_fixture(store);
  results::DiffQuery q;
  q.campaign_a = "base";
  q.campaign_b = "variant";
  const auto t = results::run_diff(store, q);
  REQUIRE(t.columns() == std::vector<std::string>{"benchmark", "latency_s_a", "latency_s_b",
                                                  "latency_s_ratio", "energy_j_a", "energy_j_b",
                                                  "energy_j_ratio"});
  REQUIRE(t.rows().size() == 4);  // the union of both campaigns' benchmarks
  // The best feasible design per benchmark, by a join instead of the EXISTS the query uses.
  const auto best = [&](const std::string& campaign, const std::string& bench,
                        const char* metric) -> std::optional<double> {
    SQLite::Statement st(
        results::connection(store),
        std::string("SELECT min(e.") + metric +
            ") FROM evaluations e JOIN points p ON p.campaign_id = e.campaign_id AND "
            "p.config_hash = e.config_hash JOIN campaigns c ON c.id = e.campaign_id "
            "WHERE c.name = ? AND e.benchmark = ? AND p.feasible = 1");
    st.bind(1, campaign);
    st.bind(2, bench);
    st.executeStep();
    if (st.getColumn(0).isNull()) return std::nullopt;
    return st.getColumn(0).getDouble();
  };
  for (const auto& row : t.rows()) {
    const std::string bench = row[0].text;
    INFO(bench);
    for (const auto& [metric, col] :
         std::vector<std::pair<const char*, std::size_t>>{{"latency_s", 1}, {"energy_j", 4}}) {
      const auto a = best("base", bench, metric), b = best("variant", bench, metric);
      REQUIRE(a);
      CHECK(std::stod(row[col].text) == *a);
      if (bench == "m2/b") {  // the variant campaign did not run it
        CHECK(row[col + 1].null);
        CHECK(row[col + 2].null);
      } else {
        REQUIRE(b);
        CHECK(std::stod(row[col + 1].text) == *b);
        CHECK(std::stod(row[col + 2].text) == Approx(*b / *a).epsilon(1e-12));
      }
    }
  }
  // The variant is 20 % faster on every benchmark it shares (the fixture's speed factor 0.8).
  CHECK(std::stod(t.rows()[0][3].text) == Approx(0.8));

  results::DiffQuery by_config = q;
  by_config.by_config = true;
  by_config.metrics = {"area_mm2", "latency_s"};
  const auto c = results::run_diff(store, by_config);
  CHECK(static_cast<int>(c.rows().size()) ==
        results::connection(store)
            .execAndGet("SELECT count(DISTINCT config_hash) FROM points")
            .getInt());
  for (const auto& row : c.rows()) {
    if (row[0].text == "f00dfeedf00dfeed") {
      CHECK(row[1].null);  // only in B
      CHECK_FALSE(row[2].null);
    } else if (!row[2].null) {
      CHECK(std::stod(row[3].text) == Approx(1.0));  // same design, same area
      SQLite::Statement st(
          results::connection(store),
          "SELECT a.latency_s, b.latency_s FROM points a, points b WHERE a.campaign_id = ? "
          "AND b.campaign_id = ? AND a.config_hash = ? AND b.config_hash = a.config_hash");
      st.bind(1, store.find_campaign("base")->id);
      st.bind(2, store.find_campaign("variant")->id);
      st.bind(3, row[0].text);
      REQUIRE(st.executeStep());
      CHECK(std::stod(row[6].text) ==
            Approx(st.getColumn(1).getDouble() / st.getColumn(0).getDouble()).epsilon(1e-12));
    }
  }
  results::DiffQuery bad = q;
  bad.metrics = {"kept_fractio"};
  CHECK_THROWS_WITH(results::run_diff(store, bad), Catch::Contains("kept_fraction"));
  bad = q;
  bad.aggregate = "median";
  CHECK_THROWS_AS(results::run_diff(store, bad), core::InputError);
  bad = q;
  bad.campaign_b = "nope";
  CHECK_THROWS_WITH(results::run_diff(store, bad), Catch::Contains("it holds: base, variant"));
  // The SQL printed by --sql is the SQL that ran: running it by hand gives the same rows.
  SQLite::Statement st(results::connection(store), results::diff_sql(q));
  st.bind(1, store.find_campaign("base")->id);
  st.bind(2, store.find_campaign("variant")->id);
  st.bind(3);
  std::size_t n = 0;
  while (st.executeStep()) ++n;
  CHECK(n == t.rows().size());
}

TEST_CASE("results: swept parameters and the latest campaign", "[results]") {
  test::ResultsTempDir dir("swept");
  results::Store store((dir.path / "r.db").string());
  test::make_fixture(store);
  const auto base = store.find_campaign("base")->id;
  CHECK(results::swept_parameters(store, base) ==
        std::vector<std::string>{"algorithm.alpha", "algorithm.tile_order",
                                 "features.bidirectional", "features.bui_gf",
                                 "features.out_of_order", "qk_pu.lanes_per_row"});
  CHECK(results::swept_parameters(store, store.find_campaign("variant")->id) ==
        std::vector<std::string>{"algorithm.alpha", "qk_pu.lanes_per_row"});
  CHECK(results::campaign_id_or_latest(store, "") == store.find_campaign("variant")->id);
}

TEST_CASE("results: the cumulative ablation in the paper's order, per benchmark and geomean",
          "[results]") {
  test::ResultsTempDir dir("cumulative");
  results::Store store((dir.path / "r.db").string());
  test::make_fixture(store);
  const auto cid = store.find_campaign("base")->id;
  const results::CumulativeAblation a = results::cumulative_ablation(store, cid);
  REQUIRE(a.steps.size() == 4);
  CHECK(a.benchmarks.size() == 4);
  CHECK(a.steps[0].label == "bit-serial reference");
  CHECK(a.steps[3].label == "+ ISTA");
  // The fixture's latency is a product of one factor per missing feature (BUI-GF 1.8,
  // bidirectional 1.2, out-of-order 1.3, in-order tiles 1.1): each step removes its own.
  CHECK(a.steps[0].latency_change == 0);
  CHECK(a.steps[1].latency_change == Approx(1 / 1.8 - 1));
  CHECK(a.steps[2].latency_change == Approx(1 / (1.2 * 1.3) - 1));
  CHECK(a.steps[3].latency_change == Approx(1 / 1.1 - 1));
  double product = 1;
  for (const auto& s : a.steps) product *= 1 + s.latency_change;
  CHECK(a.steps[3].latency_geomean == Approx(a.steps[0].latency_geomean * product));
  for (const auto& b : a.benchmarks)
    CHECK(a.steps[1].latency_s.at(b) == Approx(a.steps[0].latency_s.at(b) / 1.8));
  CHECK(results::cumulative_ablation_table(a, false).rows().size() == 4);
  CHECK(results::cumulative_ablation_table(a, true).rows().size() == 16);
  // A campaign without the sequence's designs says what it needs.
  const auto variant = store.find_campaign("variant")->id;
  CHECK_THROWS_AS(results::cumulative_ablation(store, variant), results::NoFigureData);
}
