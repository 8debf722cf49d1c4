// Compact storage (schema v5, issue #19 item 3): configurations stored as deltas against a base,
// evaluations stored as a summary, the migration from v4 — and that every reader (query, show,
// the typed readers the figures and the Python loader use, merge) sees what it saw before.
#include <SQLiteCpp/Database.h>

#include <catch2/catch.hpp>

#include <sstream>

#include "core/metrics.hpp"
#include "results/query.hpp"
#include "results/store.hpp"
#include "results/store_sql.hpp"
#include "tests/support/temp_dir.hpp"

using namespace pade;
using pade::test::TempDir;

namespace {

using Params = std::vector<std::pair<std::string, std::string>>;

struct Design {
  std::string hash;
  Params params;  // sorted by key, as identity_values() are
};

/// Three designs that differ in one or two of six parameters (one text-valued), and a fourth
/// that differs in most of them: it cannot be a delta.
std::vector<Design> designs() {
  const Params base = {{"algorithm.tile_order", "head_tail"}, {"hbm.pin_rate_gbps", "3.2"},
                       {"qk_pu.lanes_per_row", "16"},         {"qk_pu.rows", "8"},
                       {"sram.kv_buffer_kib", "256"},         {"tech.clock_mhz", "1000"}};
  auto with = [&](std::initializer_list<std::pair<std::string, std::string>> changes) {
    Params p = base;
    for (const auto& [k, v] : changes)
      for (auto& kv : p)
        if (kv.first == k) kv.second = v;
    return p;
  };
  return {
      {"00000000000000a1", base},
      {"00000000000000b2", with({{"qk_pu.lanes_per_row", "32"}})},
      {"00000000000000c3", with({{"qk_pu.lanes_per_row", "8"}, {"algorithm.tile_order", "row"}})},
      {"00000000000000d4", with({{"qk_pu.lanes_per_row", "64"},
                                 {"qk_pu.rows", "4"},
                                 {"sram.kv_buffer_kib", "512"},
                                 {"tech.clock_mhz", "700"}})}};
}

std::string canonical(const Params& p) {
  std::string out;
  for (const auto& [k, v] : p) out += k + "=" + v + "\n";
  return out;
}

core::Metrics metrics_of(std::size_t design, std::size_t bench) {
  core::Metrics m;
  const double d = static_cast<double>(design + 1), b = static_cast<double>(bench + 1);
  m.set("latency_cycles", 1000.0 * d + b);
  m.set("latency_s", 1e-6 * (d + 0.1 * b) / 3.0);
  m.set("energy_j", 0.7 / d + 0.01 * b);
  m.set("area_mm2", 3.0 + 0.25 * d);
  m.set("power_w", 0.1 * d * b);
  m.set("kept_fraction", 0.3);
  m.set("accuracy_loss", 0.001 * b);
  m.set("energy_dram_j", 0.5 / d);
  m.set("energy_core_j", 0.2 / d + 0.01 * b);
  m.set("area_sram_mm2", 1.0 / 3.0);
  m.set("util_qk_pu", 0.1 * d);
  return m;
}

const char* const kBenchmarks[] = {"m/a", "m/b"};

results::PointRecord point_of(std::int64_t cid, std::size_t d, const Design& design) {
  results::PointRecord p;
  p.campaign_id = cid;
  p.config_hash = design.hash;
  p.seq = static_cast<std::int64_t>(d);
  p.fidelity = "analytical";
  p.feasible = d != 3;
  p.reason = d == 3 ? "area 5 > 4" : "";
  p.objectives.set("latency_s", 1e-6 * static_cast<double>(d + 1));
  p.objectives.set("energy_j", 0.7 / static_cast<double>(d + 1));
  p.objectives.set("area_mm2", 3.0 + 0.25 * static_cast<double>(d + 1));
  return p;
}

/// The campaign through the store (schema v5: deltas; `storage` for the evaluations).
void write_current(results::Store& store, results::MetricStorage storage) {
  results::CampaignRecord c{0,      "c",        "kind: campaign",       1,
                            "grid", "finished", "2026-01-01T00:00:00Z", ""};
  const auto cid = store.create_campaign(c);
  store.put_provenance(cid, {{"front_fidelity", "analytical"}});
  for (const char* b : kBenchmarks) store.put_benchmark(b, "m", "t", "prefill", 128);
  const auto ds = designs();
  std::vector<results::EvaluationRecord> evals;
  std::vector<results::PointRecord> points;
  for (std::size_t d = 0; d < ds.size(); ++d) {
    store.put_configuration(ds[d].hash, canonical(ds[d].params), ds[d].params);
    for (std::size_t b = 0; b < 2; ++b)
      evals.push_back({cid, ds[d].hash, kBenchmarks[b], "analytical", metrics_of(d, b),
                       static_cast<std::int64_t>(d)});
    points.push_back(point_of(cid, d, ds[d]));
  }
  store.put_batch(evals, points, storage);
  std::vector<results::ParetoRecord> ranks;
  for (std::size_t d = 0; d < ds.size(); ++d) {
    ranks.push_back({"suite", ds[d].hash, static_cast<int>(d % 2)});
    for (const char* b : kBenchmarks) ranks.push_back({b, ds[d].hash, static_cast<int>(d / 2)});
  }
  store.set_pareto(cid, ranks);
  results::connection(store).exec("UPDATE campaigns SET finished_at = '2026-01-01T00:01:00Z'");
}

/// The same campaign as a version-4 pade wrote it: the v4 schema, every configuration complete,
/// every metric in metrics_json (its statements, not the store's current ones).
void write_v4(const std::string& path) {
  SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  db.exec("PRAGMA journal_mode = WAL");
  results::migrate(db, 4);
  db.exec(
      "INSERT INTO campaigns(id, name, spec_yaml, seed, strategy, status, created_at, "
      "finished_at) VALUES(1, 'c', 'kind: campaign', 1, 'grid', 'finished', "
      "'2026-01-01T00:00:00Z', '2026-01-01T00:01:00Z');"
      "INSERT INTO provenance VALUES(1, 'front_fidelity', 'analytical');");
  for (const char* b : kBenchmarks)
    db.exec(std::string("INSERT INTO benchmarks VALUES('") + b + "', 'm', 't', 'prefill', 128)");
  const auto ds = designs();
  SQLite::Statement conf(db, "INSERT INTO configurations VALUES(?, ?, '{}')");
  SQLite::Statement param(db, "INSERT INTO config_params VALUES(?, ?, ?, ?)");
  SQLite::Statement ev(db,
                       "INSERT INTO evaluations VALUES(1, ?, ?, 'analytical', ?, ?, ?, ?, ?, ?, "
                       "?, NULL, ?, ?, '2026-01-01T00:00:30Z')");
  SQLite::Statement pt(db,
                       "INSERT INTO points VALUES(1, ?, ?, 'analytical', ?, ?, ?, ?, ?, NULL, "
                       "NULL, ?)");
  for (std::size_t d = 0; d < ds.size(); ++d) {
    conf.bind(1, ds[d].hash);
    conf.bind(2, canonical(ds[d].params));
    conf.exec();
    conf.reset();
    for (const auto& [k, v] : ds[d].params) {
      param.bind(1, ds[d].hash);
      param.bind(2, k);
      if (k == "algorithm.tile_order")
        param.bind(3);
      else
        param.bind(3, std::stod(v));
      param.bind(4, v);
      param.exec();
      param.reset();
    }
    for (std::size_t b = 0; b < 2; ++b) {
      const core::Metrics m = metrics_of(d, b);
      int i = 1;
      ev.bind(i++, ds[d].hash);
      ev.bind(i++, kBenchmarks[b]);
      for (const char* c : {"latency_cycles", "latency_s", "energy_j", "area_mm2", "power_w",
                            "kept_fraction", "accuracy_loss"})
        ev.bind(i++, m.get(c));
      ev.bind(i++, m.to_json());
      ev.bind(i++, static_cast<std::int64_t>(d));
      ev.exec();
      ev.reset();
    }
    const auto p = point_of(1, d, ds[d]);
    pt.bind(1, p.config_hash);
    pt.bind(2, p.seq);
    pt.bind(3, p.feasible ? 1 : 0);
    pt.bind(4, p.reason);
    pt.bind(5, p.objectives.get("latency_s"));
    pt.bind(6, p.objectives.get("energy_j"));
    pt.bind(7, p.objectives.get("area_mm2"));
    pt.bind(8, p.objectives.to_json());
    pt.exec();
    pt.reset();
  }
  for (std::size_t d = 0; d < ds.size(); ++d) {
    db.exec("INSERT INTO pareto VALUES(1, 'suite', '" + ds[d].hash + "', " + std::to_string(d % 2) +
            ")");
    for (const char* b : kBenchmarks)
      db.exec(std::string("INSERT INTO pareto VALUES(1, '") + b + "', '" + ds[d].hash + "', " +
              std::to_string(d / 2) + ")");
  }
}

std::string csv(const results::Table& t) {
  std::ostringstream out;
  t.write(out, results::Format::Csv);
  return out.str();
}

/// What the readers show of the campaign: queries (filters and sort on metrics and parameters,
/// suite points), `pade show` of every design with every metric, the typed readers.
std::string snapshot(results::Store& store) {
  std::string out;
  results::EvaluationQuery all;
  out += csv(results::run_query(store, all));
  results::EvaluationQuery filtered;
  filtered.params = {results::parse_param_filter("qk_pu.lanes_per_row>=16"),
                     results::parse_param_filter("algorithm.tile_order=head_tail"),
                     results::parse_param_filter("energy_j<0.5")};
  filtered.param_columns = {"qk_pu.lanes_per_row", "algorithm.tile_order"};
  filtered.sort = "energy_j:desc";
  out += csv(results::run_query(store, filtered));
  results::EvaluationQuery suite;
  suite.suite_points = true;
  suite.sort = "latency_s";
  suite.param_columns = {"tech.clock_mhz"};
  out += csv(results::run_query(store, suite));
  for (const auto& d : designs()) {
    const auto view = results::show_design(store, d.hash.substr(0, 15), "", true);
    out += view.hash + "\n" + view.canonical;
    std::ostringstream s;
    results::write_sections(s, results::Format::Csv, view.sections);
    out += s.str();
  }
  const auto cid = results::campaign_id_or_latest(store, "");
  results::EvaluationFilter every;
  every.all_metrics = true;
  for (const auto& e : store.evaluations(cid, every))
    for (const auto& [k, v] : e.metrics.sorted())
      out += e.config_hash + " " + e.benchmark + " " + k + " " + std::to_string(v) + "\n";
  for (const auto& [hash, params] : store.design_parameters(cid))
    for (const auto& [k, v] : params)
      out += hash + " " + k + " " + v.text + (v.num ? " num" : " text") + "\n";
  for (const auto& k : store.swept_parameters(cid)) out += "swept " + k + "\n";
  for (const auto& r : store.ranked_points(cid))
    out += r.point.config_hash + " rank " + std::to_string(r.suite_rank.value_or(-1)) + "\n";
  return out;
}

/// A configuration reads whole: its canonical text and every parameter through config_params.
void check_whole(results::Store& store, const Design& d) {
  CHECK(store.canonical_configuration(d.hash) == canonical(d.params));
  SQLite::Statement st(results::connection(store),
                       "SELECT key, text FROM config_params WHERE hash = ? ORDER BY key");
  st.bind(1, d.hash);
  Params read;
  while (st.executeStep())
    read.emplace_back(st.getColumn(0).getString(), st.getColumn(1).getString());
  CHECK(read == d.params);
}

}  // namespace

TEST_CASE("compact store: a configuration near the base is stored as a delta and reads whole",
          "[store]") {
  TempDir dir;
  results::Store store((dir.path() / "d.db").string());
  write_current(store, results::MetricStorage::Full);
  auto& db = results::connection(store);
  const auto rows = [&](const std::string& hash) {
    SQLite::Statement st(db, "SELECT count(*) FROM config_param_rows WHERE hash = ?");
    st.bind(1, hash);
    st.executeStep();
    return st.getColumn(0).getInt();
  };
  const auto ds = designs();
  CHECK(rows(ds[0].hash) == 6);  // the base: complete
  CHECK(rows(ds[1].hash) == 1);  // one key differs
  CHECK(rows(ds[2].hash) == 2);
  CHECK(rows(ds[3].hash) == 6);  // four of six differ: complete, not a delta
  for (const auto& d : ds) {
    INFO(d.hash);
    check_whole(store, d);
  }
  SQLite::Statement base(db, "SELECT base_hash FROM configurations WHERE hash = ?");
  base.bind(1, ds[2].hash);
  REQUIRE(base.executeStep());
  CHECK(base.getColumn(0).getString() == ds[0].hash);
}

TEST_CASE("compact store: canonical deltas come back exactly, or are not used", "[store]") {
  const std::string a = "a=1\nb=2\nc=3\n", b = "a=1\nb=5\nc=3\nd=4\n";
  const std::string delta = results::canonical_delta(a, b);
  CHECK(delta == "-b=2\n+b=5\n+d=4\n");
  CHECK(results::apply_canonical_delta(a, delta) == b);
  // Lines out of order cannot be rebuilt by sorting: the store keeps such a text whole.
  const std::string unsorted = "c=3\na=1\n";
  CHECK(results::apply_canonical_delta(a, results::canonical_delta(a, unsorted)) != unsorted);
}

TEST_CASE(
    "compact store: a version-4 database reads the same read-only, after migration and written "
    "compactly today",
    "[store]") {
  TempDir dir;
  const std::string v4 = (dir.path() / "v4.db").string();
  write_v4(v4);
  std::string as_is;
  {
    results::Store ro(v4, results::Store::Mode::ReadOnly);
    CHECK(ro.schema_version() == 4);
    as_is = snapshot(ro);
  }
  CHECK(as_is.find("energy_dram_j") != std::string::npos);
  CHECK(as_is.find("head_tail") != std::string::npos);
  {
    results::Store migrated(v4);  // read-write: migrates in one transaction per step
    CHECK(migrated.schema_version() == results::kSchemaVersion);
    CHECK(snapshot(migrated) == as_is);
    auto& db = results::connection(migrated);
    CHECK(db.execAndGet("PRAGMA integrity_check").getString() == "ok");
    // Nothing lost: the old rows are complete, metrics_json kept.
    CHECK(db.execAndGet("SELECT count(*) FROM config_param_rows").getInt() == 24);
    CHECK(db.execAndGet("SELECT count(*) FROM evaluations WHERE metrics_json IS NULL").getInt() ==
          0);
  }
  const std::string now = (dir.path() / "now.db").string();
  {
    results::Store store(now);
    write_current(store, results::MetricStorage::Full);
    CHECK(snapshot(store) == as_is);
  }
}

TEST_CASE("compact store: merge keeps every configuration whole, also when bases differ",
          "[store]") {
  TempDir dir;
  const auto ds = designs();
  auto put = [&](results::Store& s, std::initializer_list<std::size_t> which) {
    for (const auto d : which)
      s.put_configuration(ds[d].hash, canonical(ds[d].params), ds[d].params);
  };
  const std::string a = (dir.path() / "a.db").string(), b = (dir.path() / "b.db").string(),
                    c = (dir.path() / "c.db").string();
  {
    results::Store s(a);
    put(s, {0, 1});  // 1 is a delta against 0
  }
  {
    results::Store s(b);
    put(s, {1, 2});  // here 1 is the base and 2 a delta against it
  }
  {
    write_v4(c);  // complete configurations, the old tables
  }
  results::Store out((dir.path() / "out.db").string());
  for (const auto& from : {a, b, c}) {
    results::Store in(from, results::Store::Mode::ReadOnly);
    results::WriteTransaction tx(out);
    out.copy_shared_rows(in);
    tx.commit();
  }
  auto& db = results::connection(out);
  for (const auto& d : ds) {
    INFO(d.hash);
    check_whole(out, d);
  }
  // Stored after the merge: still deltas against this file's base.
  const Params extra = {{"algorithm.tile_order", "head_tail"}, {"hbm.pin_rate_gbps", "6.4"},
                        {"qk_pu.lanes_per_row", "16"},         {"qk_pu.rows", "8"},
                        {"sram.kv_buffer_kib", "256"},         {"tech.clock_mhz", "1000"}};
  out.put_configuration("00000000000000e5", canonical(extra), extra);
  CHECK(out.canonical_configuration("00000000000000e5") == canonical(extra));
  CHECK(db.execAndGet("SELECT count(*) FROM config_param_rows WHERE hash = '00000000000000e5'")
            .getInt() == 1);
}

TEST_CASE("compact store: a summary keeps the metric columns, and every reader says so",
          "[store]") {
  TempDir dir;
  results::Store full((dir.path() / "full.db").string());
  write_current(full, results::MetricStorage::Full);
  results::Store summary((dir.path() / "summary.db").string());
  write_current(summary, results::MetricStorage::Summary);
  const auto cid = results::campaign_id_or_latest(summary, "");
  CHECK(summary.stores_summary(cid));
  CHECK_FALSE(full.stores_summary(cid));
  // The queries read the columns: the same rows.
  results::EvaluationQuery q;
  q.sort = "energy_j";
  CHECK(csv(results::run_query(summary, q)) == csv(results::run_query(full, q)));
  // Every column metric is there; breakdown keys are not.
  results::EvaluationFilter every;
  every.all_metrics = true;
  const auto evals = summary.evaluations(cid, every);
  REQUIRE(evals.size() == 8);
  CHECK(evals[0].metrics.find("energy_j") == metrics_of(0, 0).find("energy_j"));
  CHECK(evals[0].metrics.find("kept_fraction") == metrics_of(0, 0).find("kept_fraction"));
  CHECK_FALSE(evals[0].metrics.find("energy_dram_j"));
  CHECK(summary.any_evaluation_reports(cid, "latency_s"));
  CHECK_FALSE(summary.any_evaluation_reports(cid, "energy_dram_j"));
  CHECK(full.any_evaluation_reports(cid, "energy_dram_j"));
  // pade show --all-metrics lists the columns of a summary in long form.
  const auto view = results::show_design(summary, designs()[1].hash, "", true);
  const auto it = std::find_if(view.sections.begin(), view.sections.end(),
                               [](const auto& s) { return s.first == "metrics"; });
  REQUIRE(it != view.sections.end());
  const std::string text = csv(it->second);
  CHECK(text.find("latency_cycles") != std::string::npos);
  CHECK(text.find("accuracy_loss") != std::string::npos);
  CHECK(text.find("dram_bytes") == std::string::npos);  // not reported: no row, as before
  CHECK(text.find("energy_dram_j") == std::string::npos);
  CHECK(it->second.rows().size() == 2 * 7);  // two benchmarks x seven reported columns
}
