// The SQLite results store: round trip, batching, Pareto membership, migration, bad files.
#include <SQLiteCpp/Database.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include "tests/support/temp_dir.hpp"

#include "core/error.hpp"
#include "results/lease.hpp"
#include "results/query.hpp"
#include "results/store.hpp"
#include "results/store_sql.hpp"

using namespace pade;
namespace fs = std::filesystem;

using pade::test::TempDir;

namespace {

results::EvaluationRecord eval(std::int64_t campaign, const std::string& hash,
                               const std::string& bench, double latency, double energy) {
  results::EvaluationRecord e;
  e.campaign_id = campaign;
  e.config_hash = hash;
  e.benchmark = bench;
  e.fidelity = "coarse";
  e.metrics.set("latency_s", latency);
  e.metrics.set("energy_j", energy);
  e.metrics.set("area_mm2", 4.5);
  e.metrics.set("extra_metric", 42.0);
  return e;
}
}  // namespace

TEST_CASE(
    "store: a new database has the current schema version, WAL mode and the documented tables",
    "[store]") {
  TempDir dir;
  results::Store store((dir.path() / "a.db").string());
  CHECK(store.schema_version() == results::kSchemaVersion);
  CHECK(results::connection(store).execAndGet("PRAGMA journal_mode").getString() == "wal");
  for (const char* table :
       {"meta", "campaigns", "provenance", "configurations", "config_param_rows", "benchmarks",
        "evaluations", "points", "pareto", "stats_cache", "comparisons", "leases"}) {
    INFO(table);
    CHECK(results::connection(store).tableExists(table));
  }
  // Since v5 config_params is a view (configurations stored as deltas read whole through it).
  CHECK(results::connection(store)
            .execAndGet("SELECT type FROM sqlite_master WHERE name = 'config_params'")
            .getString() == "view");
}

TEST_CASE("store: campaigns, configurations, evaluations and points round-trip", "[store]") {
  TempDir dir;
  const std::string path = (dir.path() / "rt.db").string();
  std::int64_t id = 0;
  {
    results::Store store(path);
    results::CampaignRecord c;
    c.name = "c1";
    c.spec_yaml = "kind: campaign\nname: c1\n";
    c.seed = 9;
    c.strategy = "grid";
    id = store.create_campaign(c);
    store.put_provenance(id, {{"git_commit", "abc"}, {"seed", "9"}});
    store.put_configuration("h1", "a=1\n",
                            {{"qk_pu.lanes_per_row", "16"}, {"algorithm.tile_order", "head_tail"}});
    store.put_configuration("h1", "a=1\n", {{"qk_pu.lanes_per_row", "16"}});  // idempotent
    store.put_benchmark("b1", "m", "t", "prefill", 512);
    std::vector<results::EvaluationRecord> evals = {eval(id, "h1", "b1", 0.5, 2.0)};
    results::PointRecord p;
    p.campaign_id = id;
    p.config_hash = "h1";
    p.fidelity = "coarse";
    p.feasible = false;
    p.reason = "area_mm2 7 > 6";
    p.objectives.set("latency_s", 0.5);
    p.objectives.set("energy_j", 2.0);
    p.objectives.set("area_mm2", 7.0);
    std::vector<results::PointRecord> points = {p};
    store.put_batch(evals, points);
  }
  results::Store store(path, results::Store::Mode::ReadOnly);
  const auto c = store.find_campaign("c1");
  REQUIRE(c);
  CHECK(c->seed == 9);
  CHECK(c->strategy == "grid");
  CHECK(c->status == "running");
  CHECK(store.provenance(id) ==
        std::vector<std::pair<std::string, std::string>>{{"git_commit", "abc"}, {"seed", "9"}});
  const auto evals = store.evaluations(id);
  REQUIRE(evals.size() == 1);
  CHECK(evals[0].metrics.get("latency_s") == 0.5);
  CHECK(evals[0].metrics.get("energy_j") == 2.0);
  CHECK_FALSE(evals[0].metrics.find("power_w").has_value());  // never set: NULL, not 0
  CHECK(results::connection(store)
            .execAndGet("SELECT metrics_json FROM evaluations")
            .getString()
            .find("\"extra_metric\":42") != std::string::npos);
  const auto points = store.points(id);
  REQUIRE(points.size() == 1);
  CHECK_FALSE(points[0].feasible);
  CHECK(points[0].reason == "area_mm2 7 > 6");
  CHECK(
      results::connection(store)
          .execAndGet("SELECT num FROM config_params WHERE hash='h1' AND key='qk_pu.lanes_per_row'")
          .getDouble() == 16);
  CHECK(results::connection(store).execAndGet("SELECT count(*) FROM config_params").getInt() == 2);
  CHECK(store.has_point(id, "h1", "coarse"));
  CHECK_FALSE(store.has_point(id, "h2", "coarse"));
}

TEST_CASE("store: Pareto membership is replaced whole and queries agree with plain SQL",
          "[store]") {
  TempDir dir;
  results::Store store((dir.path() / "p.db").string());
  results::CampaignRecord c;
  c.name = "c";
  c.spec_yaml = "x";
  c.strategy = "grid";
  const auto id = store.create_campaign(c);
  std::vector<results::EvaluationRecord> evals;
  for (int i = 0; i < 5; ++i) {
    store.put_configuration("h" + std::to_string(i), "",
                            {{"qk_pu.lanes_per_row", std::to_string(8 << i)}});
    evals.push_back(eval(id, "h" + std::to_string(i), "b", 1.0 + i, 5.0 - i));
  }
  store.put_batch(evals, {});
  std::vector<results::ParetoRecord> first = {{"b", "h0", 1}};
  store.set_pareto(id, first);
  std::vector<results::ParetoRecord> second = {{"b", "h0", 0}, {"b", "h1", 0}, {"b", "h2", 2}};
  store.set_pareto(id, second);
  CHECK(results::connection(store).execAndGet("SELECT count(*) FROM pareto").getInt() == 3);

  results::EvaluationQuery q;
  q.max_rank = 0;
  const auto front = results::run_query(store, q);
  CHECK(front.rows().size() == 2);
  const auto sql_count =
      results::connection(store)
          .execAndGet(
              "SELECT count(*) FROM evaluations e JOIN pareto p ON p.config_hash = e.config_hash "
              "AND p.scope = e.benchmark WHERE p.rank = 0")
          .getInt();
  CHECK(static_cast<int>(front.rows().size()) == sql_count);

  results::EvaluationQuery by_param;
  by_param.params.push_back(results::parse_param_filter("qk_pu.lanes_per_row>=32"));
  by_param.sort = "energy_j";
  const auto t = results::run_query(store, by_param);
  REQUIRE(t.rows().size() == 3);       // 32, 64, 128
  CHECK(t.rows()[0][1].text == "h4");  // lowest energy first
  CHECK_THROWS_AS(results::parse_param_filter("no-operator"), core::InputError);
  results::EvaluationQuery unknown;
  unknown.campaign = "nope";
  CHECK_THROWS_AS(results::run_query(store, unknown), core::InputError);
}

TEST_CASE("store: a version-1 database migrates to the current version and keeps its data",
          "[store]") {
  TempDir dir;
  const std::string path = (dir.path() / "old.db").string();
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    results::migrate(db, 1);  // exactly what a version-1 pade wrote
    db.exec(
        "INSERT INTO campaigns(name, spec_yaml, seed, strategy, status, created_at) "
        "VALUES('old', 'kind: campaign', 1, 'grid', 'finished', '2026-01-01T00:00:00Z')");
    CHECK(db.execAndGet("PRAGMA user_version").getInt() == 1);
    CHECK_FALSE(db.tableExists("stats_cache"));
  }
  results::Store store(path);
  CHECK(store.schema_version() == results::kSchemaVersion);
  CHECK(results::connection(store).tableExists("stats_cache"));
  REQUIRE(store.find_campaign("old"));
  CHECK(store.find_campaign("old")->status == "finished");
  store.put_stats("k", "v1", "payload");
  CHECK(store.cached_stats("k", "v1") == std::optional<std::string>("payload"));
  CHECK_FALSE(store.cached_stats("k", "v2"));
}

TEST_CASE("store: foreign, corrupt and newer files are input errors that leave them untouched",
          "[store]") {
  TempDir dir;
  const fs::path foreign = dir.path() / "foreign.db";
  {
    SQLite::Database db(foreign.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec("CREATE TABLE mine(x)");
  }
  CHECK_THROWS_WITH(results::Store(foreign.string()),
                    Catch::Contains("not a PADE-DSE results database"));
  {
    SQLite::Database db(foreign.string(), SQLite::OPEN_READONLY);
    CHECK(db.tableExists("mine"));
    CHECK_FALSE(db.tableExists("campaigns"));
  }
  const fs::path garbage = dir.path() / "garbage.db";
  std::ofstream(garbage)
      << "this is not a database, just text that is long enough to have a header .........";
  CHECK_THROWS_AS(results::Store(garbage.string()), core::InputError);

  const fs::path newer = dir.path() / "newer.db";
  {
    results::Store s(newer.string());
    results::connection(s).exec("PRAGMA user_version = 99");
  }
  CHECK_THROWS_WITH(results::Store(newer.string()), Catch::Contains("newer than this pade"));
}

TEST_CASE("store: an interrupted batch leaves the last committed state", "[store]") {
  TempDir dir;
  results::Store store((dir.path() / "tx.db").string());
  results::CampaignRecord c;
  c.name = "c";
  c.spec_yaml = "x";
  c.strategy = "grid";
  const auto id = store.create_campaign(c);
  std::vector<results::EvaluationRecord> ok = {eval(id, "h0", "b", 1, 1)};
  store.put_batch(ok, {});
  // A batch that fails half-way (campaign id violates the foreign key) must roll back whole.
  std::vector<results::EvaluationRecord> bad = {eval(id, "h1", "b", 1, 1),
                                                eval(id + 100, "h2", "b", 1, 1)};
  CHECK_THROWS(store.put_batch(bad, {}));
  CHECK(store.evaluations(id).size() == 1);
  CHECK(results::connection(store).execAndGet("PRAGMA integrity_check").getString() == "ok");
}

TEST_CASE(
    "store: an empty file, a SQLite file without tables, a directory and a FIFO are refused "
    "read-only and read-write, and left as they were",
    "[store]") {
  TempDir dir;
  const fs::path empty = dir.write("empty.db", "");
  const fs::path garbage = dir.write("garbage.db", std::string(4096, 'x'));
  const fs::path bare = dir.path() / "bare.db";
  {
    SQLite::Database db(bare.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec("CREATE TABLE t(x); DROP TABLE t");  // a valid SQLite file with no tables
  }
  const std::string bare_bytes = pade::test::slurp(bare);
  for (const auto mode : {results::Store::Mode::ReadOnly, results::Store::Mode::ReadWrite}) {
    INFO((mode == results::Store::Mode::ReadOnly ? "read-only" : "read-write"));
    CHECK_THROWS_WITH(results::Store(empty.string(), mode),
                      Catch::Contains("not a PADE-DSE results database (empty file)") &&
                          Catch::Contains(empty.string()));
    CHECK(fs::file_size(empty) == 0);
    CHECK_THROWS_AS(results::Store(garbage.string(), mode), core::InputError);
    CHECK(pade::test::slurp(garbage) == std::string(4096, 'x'));
    CHECK_THROWS_WITH(results::Store(bare.string(), mode),
                      Catch::Contains("(a SQLite database without tables)"));
    CHECK(pade::test::slurp(bare) == bare_bytes);
    CHECK_THROWS_WITH(results::Store(dir.path().string(), mode),
                      Catch::Contains("is a folder, not a database file"));
  }
  CHECK_FALSE(fs::exists(dir.path() / "empty.db-wal"));
  CHECK_THROWS_WITH(
      results::Store((dir.path() / "missing.db").string(), results::Store::Mode::ReadOnly),
      Catch::Contains("no such database"));
  CHECK_FALSE(fs::exists(dir.path() / "missing.db"));
  const fs::path fifo = dir.path() / "fifo.db";
  REQUIRE(::mkfifo(fifo.c_str(), 0644) == 0);
  for (const auto mode : {results::Store::Mode::ReadOnly, results::Store::Mode::ReadWrite})
    CHECK_THROWS_WITH(results::Store(fifo.string(), mode),
                      Catch::Contains("is a FIFO (named pipe), not a database file"));
}

TEST_CASE("store: a read-only open never writes and reads an older schema as it is", "[store]") {
  TempDir dir;
  const std::string path = (dir.path() / "v1.db").string();
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    results::migrate(db, 1);
    db.exec(
        "INSERT INTO campaigns(name, spec_yaml, seed, strategy, status, created_at) "
        "VALUES('old', 'kind: campaign', 1, 'grid', 'finished', '2026-01-01T00:00:00Z')");
  }
  const std::string before = pade::test::slurp(path);
  {
    results::Store store(path, results::Store::Mode::ReadOnly);
    CHECK(store.schema_version() == 1);
    CHECK_FALSE(store.immutable());
    REQUIRE(store.find_campaign("old"));
    const auto id = store.find_campaign("old")->id;
    // Tables of later versions read as empty.
    CHECK(store.comparisons(id).empty());
    CHECK_FALSE(store.cached_stats("k", "v"));
    CHECK_THROWS(results::connection(store).exec("INSERT INTO meta(key, value) VALUES('x', 'y')"));
  }
  CHECK(pade::test::slurp(path) == before);
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  CHECK(db.execAndGet("PRAGMA user_version").getInt() == 1);
  CHECK_FALSE(db.tableExists("comparisons"));
}

TEST_CASE(
    "store: on read-only storage a read-only open falls back to immutable, a checkpoint "
    "leaves the file complete without its -wal",
    "[store]") {
  TempDir dir;
  const std::string path = (dir.path() / "w.db").string();
  results::Store writer(path);
  results::CampaignRecord c;
  c.name = "c";
  c.spec_yaml = "x";
  c.strategy = "grid";
  const auto id = writer.create_campaign(c);
  std::vector<results::EvaluationRecord> evals = {eval(id, "h0", "b", 1, 1)};
  writer.put_batch(evals, {});
  // The writer is still open, so the rows are in the -wal, not yet in the file.
  REQUIRE(fs::file_size(path + "-wal") > 0);
  CHECK(writer.checkpoint());
  CHECK(fs::file_size(path + "-wal") == 0);
  // The file alone, copied elsewhere, has everything.
  const fs::path copy = dir.path() / "copy" / "w.db";
  fs::create_directories(copy.parent_path());
  fs::copy_file(path, copy);
  results::StoreOptions ro;
  ro.simulate_readonly_folder = true;
  results::Store reader(copy.string(), results::Store::Mode::ReadOnly, ro);
  CHECK(reader.immutable());
  REQUIRE(reader.find_campaign("c"));
  CHECK(reader.evaluations(reader.find_campaign("c")->id).size() == 1);
  CHECK_FALSE(fs::exists(copy.string() + "-shm"));
  CHECK_FALSE(fs::exists(copy.string() + "-wal"));
}

TEST_CASE("store: a WriteTransaction makes several store calls commit whole or not at all",
          "[store]") {
  TempDir dir;
  results::Store store((dir.path() / "wt.db").string());
  results::CampaignRecord c;
  c.name = "c";
  c.spec_yaml = "x";
  c.strategy = "grid";
  {
    results::WriteTransaction tx(store);
    const auto id = store.create_campaign(c);
    store.put_provenance(id, {{"k", "v"}});
    std::vector<results::EvaluationRecord> evals = {eval(id, "h0", "b", 1, 1)};
    store.put_batch(evals, {});
    std::vector<results::ParetoRecord> front = {{"b", "h0", 0}};
    store.set_pareto(id, front);
    // not committed
  }
  CHECK(store.campaigns().empty());
  CHECK(results::connection(store).execAndGet("SELECT count(*) FROM evaluations").getInt() == 0);
  {
    results::WriteTransaction tx(store);
    const auto id = store.create_campaign(c);
    store.put_provenance(id, {{"k", "v"}});
    tx.commit();
  }
  CHECK(store.campaigns().size() == 1);
}

TEST_CASE(
    "store: a version-3 database (before leases) migrates read-write and reads as it is "
    "read-only",
    "[store]") {
  TempDir dir;
  const std::string path = (dir.path() / "v3.db").string();
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec("PRAGMA journal_mode = WAL");
    results::migrate(db, 3);  // exactly what a version-3 pade wrote
    db.exec(
        "INSERT INTO campaigns(name, spec_yaml, seed, strategy, status, created_at) "
        "VALUES('v3', 'kind: campaign', 1, 'grid', 'running', '2026-01-01T00:00:00Z')");
    CHECK_FALSE(db.tableExists("leases"));
  }
  {
    results::Store ro(path, results::Store::Mode::ReadOnly);
    CHECK(ro.schema_version() == 3);
    REQUIRE(ro.find_campaign("v3"));
    CHECK_FALSE(results::read_lease(ro, ro.find_campaign("v3")->id));  // no leases: none held
  }
  results::Store store(path);
  CHECK(store.schema_version() == results::kSchemaVersion);
  CHECK(results::connection(store).tableExists("leases"));
  CHECK(results::connection(store)
            .execAndGet("SELECT value FROM meta WHERE key = 'schema_version'")
            .getString() == std::to_string(results::kSchemaVersion));
  REQUIRE(store.find_campaign("v3"));
  CHECK(store.find_campaign("v3")->status == "running");
}
