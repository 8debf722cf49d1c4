// The campaign runner in process, with a fast synthetic statistics source (the functional model
// is tested elsewhere): determinism over threads and batch sizes, interruption and resume, shards
// and merge, halving's rungs, budgets, derived parameters, "why infeasible".
#include <SQLiteCpp/Statement.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <future>
#include <sstream>
#include <thread>

#include "dse/campaign.hpp"
#include "dse/merge.hpp"
#include "dse/runner.hpp"
#include "results/store_sql.hpp"
#include "test_dse_helpers.hpp"

using namespace pade;
using pade::test::TempDir;
namespace fs = std::filesystem;

namespace {

/// Statistics that depend on the algorithm point and the benchmark in a smooth, plausible way
/// (smaller alpha and fewer bits prune more) and cost nothing to compute.
models::WorkloadStats fake_stats(const workloads::Benchmark& b, const dse::AlgorithmPoint& p) {
  models::WorkloadStats s;
  s.bits = p.bits;
  const double keep =
      std::clamp(0.2 + 0.9 * p.alpha - 0.01 * static_cast<double>(b.seq_len % 7), 0.05, 1.0);
  for (int r = 0; r < p.bits; ++r)
    s.active_fraction.push_back(r == 0 ? 1.0 : std::pow(keep, r / 2.0));
  s.kept_fraction = s.active_fraction.back();
  s.group_plane_fetch_fraction = std::min(1.0, 0.3 + keep * 64.0 / p.tile_keys);
  s.group_v_fetch_fraction = s.kept_fraction;
  s.accuracy_loss = 0.02 * (1.0 - p.alpha) * 8.0 / p.bits;
  s.retained_mass = 1.0 - s.accuracy_loss;
  s.sampled_rows = 64;
  s.source = "fake";
  return s;
}

struct Env {
  TempDir dir;
  workloads::Catalog catalog = workloads::Catalog::builtin();
  explicit Env(const std::string& tag) : dir(tag) {}

  dse::RunSummary run(const std::string& yaml, const std::string& db, dse::RunOptions options = {},
                      const results::StoreOptions& so = {}) {
    const dse::Campaign c = dse::read_campaign_text(yaml, "test.yaml", dir.path);
    results::Store store(dir.str(db), results::Store::Mode::ReadWrite, so);
    dse::StatsCache stats(fake_stats, "fake-1");
    return dse::run_campaign(c, catalog, store, stats, options);
  }
};

/// Every stored number of a campaign as text (evaluations, points, Pareto ranks), ordered.
std::string dump(const std::string& db) {
  results::Store store(db, results::Store::Mode::ReadOnly);
  std::ostringstream out;
  out.precision(17);
  const auto cs = store.campaigns();
  REQUIRE(cs.size() == 1);
  const auto id = cs[0].id;
  for (const auto& p : store.points(id)) {
    out << "point " << p.seq << ' ' << p.config_hash << ' ' << p.fidelity << ' ' << p.feasible
        << ' ' << p.reason;
    for (const auto& [k, v] : p.objectives.values()) out << ' ' << k << '=' << v;
    out << '\n';
  }
  for (const auto& e : store.evaluations(id)) {
    out << "eval " << e.seq << ' ' << e.config_hash << ' ' << e.benchmark << ' ' << e.fidelity;
    for (const auto& [k, v] : e.metrics.values()) out << ' ' << k << '=' << v;
    out << '\n';
  }
  SQLite::Statement st(results::connection(store),
                       "SELECT scope, config_hash, rank FROM pareto ORDER BY scope, config_hash");
  while (st.executeStep())
    out << "pareto " << st.getColumn(0).getString() << ' ' << st.getColumn(1).getString() << ' '
        << st.getColumn(2).getInt() << '\n';
  return out.str();
}

std::string campaign(const std::string& strategy, const std::string& extra = "",
                     std::size_t batch = 4) {
  return "kind: campaign\nname: t\nseed: 3\n"
         "benchmarks: [llama2-7b/mmlu, opt-1.3b/winogrande, vit-l16/imagenet]\n"
         "space:\n"
         "  qk_pu.lanes_per_row: [4, 8, 16, 32]\n"
         "  qk_pu.scoreboard_entries: [8, 16, 32, 64]\n"
         "  algorithm.alpha: [0.3, 0.4, 0.5, 0.6, 0.7]\n"
         "  sram.kv_buffer_kib: [80, 160, 320, 640]\n"
         "strategy: " +
         strategy + "\n" + "batch_size: " + std::to_string(batch) + "\n" + extra;
}

}  // namespace

TEST_CASE(
    "runner: nsga2 and halving store identical results for 1 and 2 threads and any batch size",
    "[dse]") {
  Env env("det");
  for (const std::string strategy : {"nsga2", "halving"}) {
    INFO(strategy);
    const std::string extra = strategy == "nsga2"
                                  ? "population: 8\nbudget: {evaluations: 40}\n"
                                  : "budget: {evaluations: 48}\nconstraints: {area_mm2_max: 6}\n";
    dse::RunOptions one, two;
    one.threads = 1;
    two.threads = 2;
    const auto a = env.run(campaign(strategy, extra, 3), strategy + "-a.db", one);
    const auto b = env.run(campaign(strategy, extra, 11), strategy + "-b.db", two);
    CHECK(a.status == "finished");
    CHECK(a.evaluated ==
          (strategy == "nsga2" ? 40u : 36u));  // halving: 36 screened, 12 refined (reused)
    CHECK(a.front_size > 0);
    CHECK(dump(env.dir.str(strategy + "-a.db")) == dump(env.dir.str(strategy + "-b.db")));
  }
}

TEST_CASE(
    "runner: a campaign stopped after some batches and resumed ends exactly like an uninterrupted "
    "one",
    "[dse]") {
  Env env("resume");
  for (const std::string strategy : {"nsga2", "lhs", "halving"}) {
    INFO(strategy);
    const std::string yaml = campaign(strategy, "population: 6\nbudget: {evaluations: 30}\n", 4);
    const auto full = env.run(yaml, strategy + "-full.db");
    REQUIRE(full.status == "finished");
    dse::RunOptions stop;
    int batches = 0;
    stop.progress = [&](const dse::Progress&) { ++batches; };
    stop.cancelled = [&] { return batches >= 3; };
    const auto part = env.run(yaml, strategy + "-part.db", stop);
    CHECK(part.status == "interrupted");
    // Three batches of four; NSGA-II's second batch is the rest of its first generation (6).
    const std::size_t before = strategy == "nsga2" ? 10 : 12;
    CHECK(part.evaluated == before);
    dse::RunOptions resume;
    resume.resume = true;
    const auto rest = env.run(yaml, strategy + "-part.db", resume);
    CHECK(rest.status == "finished");
    CHECK(rest.resumed == before);
    CHECK(rest.evaluated + rest.resumed == full.evaluated);  // nothing evaluated twice
    CHECK(rest.front_size == full.front_size);
    CHECK(rest.hypervolume == full.hypervolume);
    CHECK(dump(env.dir.str(strategy + "-part.db")) == dump(env.dir.str(strategy + "-full.db")));
  }
}

TEST_CASE(
    "runner: a finished campaign resumed with a raised budget continues it and ends like a run "
    "with that budget, and any other change is refused",
    "[dse]") {
  Env env("extend");
  for (const std::string strategy : {"nsga2", "random"}) {
    INFO(strategy);
    const auto yaml = [&](int evaluations) {
      return campaign(
          strategy, "population: 6\nbudget: {evaluations: " + std::to_string(evaluations) + "}\n");
    };
    const auto full = env.run(yaml(30), strategy + "-full.db");
    REQUIRE(full.status == "finished");
    REQUIRE(env.run(yaml(18), strategy + "-ext.db").status == "finished");
    dse::RunOptions resume;
    resume.resume = true;
    const auto more = env.run(yaml(30), strategy + "-ext.db", resume);
    CHECK(more.status == "finished");
    CHECK(more.resumed == 18);
    CHECK(more.evaluated + more.resumed == full.evaluated);
    CHECK(dump(env.dir.str(strategy + "-ext.db")) == dump(env.dir.str(strategy + "-full.db")));
    {
      results::Store store(env.dir.str(strategy + "-ext.db"), results::Store::Mode::ReadOnly);
      CHECK(store.campaigns().front().spec_yaml == yaml(30));  // the file now run is stored
    }
    // Lowering the budget or changing anything else is refused, naming the key.
    CHECK_THROWS_WITH(env.run(yaml(20), strategy + "-ext.db", resume),
                      Catch::Contains("budget.evaluations") && Catch::Contains("not lower it"));
    std::string other = yaml(40);
    other.replace(other.find("seed: 3"), 7, "seed: 4");
    CHECK_THROWS_WITH(env.run(other, strategy + "-ext.db", resume),
                      Catch::Contains("seed") && Catch::Contains("only budget: may be raised"));
  }
}

TEST_CASE("runner: shards i/N cover the candidates once, merged they equal a single run", "[dse]") {
  Env env("shards");
  for (const std::string strategy : {"grid", "lhs"}) {
    INFO(strategy);
    const std::string yaml =
        campaign(strategy, "budget: {evaluations: 37}\nconstraints: {power_w_max: 3}\n", 5);
    const auto single = env.run(yaml, strategy + "-single.db");
    std::vector<std::string> shards;
    std::size_t evaluated = 0;
    for (std::size_t i = 0; i < 3; ++i) {
      dse::RunOptions o;
      o.shard = {i, 3};
      const auto s = env.run(yaml, strategy + "-shard" + std::to_string(i) + ".db", o);
      CHECK(s.status == "finished");
      evaluated += s.evaluated;
      shards.push_back(env.dir.str(strategy + "-shard" + std::to_string(i) + ".db"));
    }
    CHECK(evaluated == single.evaluated);
    const auto merged = dse::merge_databases(env.dir.str(strategy + "-merged.db"), shards);
    CHECK(merged.campaigns == std::vector<std::string>{"t"});
    CHECK(merged.points == single.evaluated);
    CHECK(merged.front_size == single.front_size);
    CHECK(dump(env.dir.str(strategy + "-merged.db")) == dump(env.dir.str(strategy + "-single.db")));
    // Merging a shard again changes nothing.
    (void)dse::merge_databases(env.dir.str(strategy + "-merged.db"),
                               std::vector<std::string>{shards[1]});
    CHECK(dump(env.dir.str(strategy + "-merged.db")) == dump(env.dir.str(strategy + "-single.db")));
  }
}

TEST_CASE("runner: shards refuse adaptive strategies, merge refuses different campaign files",
          "[dse]") {
  Env env("refuse");
  dse::RunOptions o;
  o.shard = {0, 2};
  CHECK_THROWS_WITH(env.run(campaign("nsga2"), "n.db", o),
                    Catch::Contains("cannot be split into shards") || Catch::Contains("adaptive"));
  dse::RunOptions s0;
  s0.shard = {0, 2};
  (void)env.run(campaign("grid", "budget: {evaluations: 8}\n"), "s.db", s0);
  dse::RunOptions other;
  other.resume = true;
  other.shard = {1, 2};
  CHECK_THROWS_WITH(env.run(campaign("grid", "budget: {evaluations: 8}\n"), "s.db", other),
                    Catch::Contains("was started as shard 0/2"));
  (void)env.run(campaign("grid", "budget: {evaluations: 8}\n"), "a.db");
  (void)env.run(campaign("grid", "budget: {evaluations: 9}\n"), "b.db");
  CHECK_THROWS_WITH(
      dse::merge_databases(env.dir.str("ab.db"),
                           std::vector<std::string>{env.dir.str("a.db"), env.dir.str("b.db")}),
      Catch::Contains("different campaign file"));
  CHECK_FALSE(fs::exists(env.dir.str("ab.db")));  // a failed merge leaves no output behind
  CHECK_THROWS_AS(dse::merge_databases(env.dir.str("x.db"),
                                       std::vector<std::string>{env.dir.str("missing.db")}),
                  core::InputError);
}

namespace {
/// Every row of every table of a database, as text (to show that nothing changed).
std::string everything(const std::string& db) {
  SQLite::Database d(db, SQLite::OPEN_READONLY);
  std::vector<std::string> tables;
  SQLite::Statement names(d, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
  while (names.executeStep()) tables.push_back(names.getColumn(0).getString());
  std::ostringstream out;
  for (const auto& t : tables) {
    SQLite::Statement st(d, "SELECT * FROM " + t + " ORDER BY 1, 2");
    while (st.executeStep()) {
      out << t;
      for (int c = 0; c < st.getColumnCount(); ++c) out << '|' << st.getColumn(c).getString();
      out << '\n';
    }
  }
  return out.str();
}
}  // namespace

TEST_CASE("merge: a merge that fails half-way leaves the output as it was (one transaction)",
          "[dse]") {
  Env env("atomic");
  const std::string yaml = campaign("grid", "budget: {evaluations: 12}\n");
  for (std::size_t i = 0; i < 2; ++i) {
    dse::RunOptions o;
    o.shard = {i, 2};
    CHECK(env.run(yaml, "s" + std::to_string(i) + ".db", o).status == "finished");
  }
  // A later input that does not fit: shard 0 again, with one point's numbers changed.
  fs::copy_file(env.dir.str("s0.db"), env.dir.str("s0-changed.db"));
  {
    SQLite::Database d(env.dir.str("s0-changed.db"), SQLite::OPEN_READWRITE);
    d.exec(
        "UPDATE points SET objectives_json = '{\"latency_s\": 1}' WHERE rowid = (SELECT "
        "max(rowid) FROM points)");
  }
  const std::vector<std::string> failing = {env.dir.str("s1.db"), env.dir.str("s0.db"),
                                            env.dir.str("s0-changed.db")};
  // A new output: nothing is left behind.
  CHECK_THROWS_WITH(dse::merge_databases(env.dir.str("new.db"), failing),
                    Catch::Contains("has different results in two inputs"));
  CHECK_FALSE(fs::exists(env.dir.str("new.db")));
  CHECK_FALSE(fs::exists(env.dir.str("new.db-wal")));
  // An existing output keeps exactly its previous state.
  (void)dse::merge_databases(env.dir.str("all.db"), std::vector<std::string>{env.dir.str("s1.db")});
  const std::string before = everything(env.dir.str("all.db"));
  CHECK(before.find("campaigns|") != std::string::npos);
  CHECK_THROWS_AS(dse::merge_databases(env.dir.str("all.db"), failing), core::InputError);
  CHECK(everything(env.dir.str("all.db")) == before);
  // The good inputs still merge, and a campaign finished in every input stays finished.
  const auto m =
      dse::merge_databases(env.dir.str("all.db"), std::vector<std::string>{env.dir.str("s0.db")});
  CHECK(m.points == 12);
  results::Store store(env.dir.str("all.db"), results::Store::Mode::ReadOnly);
  CHECK(store.campaigns().at(0).status == "finished");
}

TEST_CASE(
    "runner: halving stores one point per design and fidelity and takes the front at the last rung",
    "[dse]") {
  Env env("halving");
  const auto s =
      env.run(campaign("halving", "halving: {eta: 4}\nbudget: {evaluations: 50}\n"), "h.db");
  // n + ceil(n/4) <= 50 -> n = 40 screened, 10 refined; with one fidelity for both rungs the
  // refined candidates reuse the screening points instead of evaluating them again.
  CHECK(s.evaluated == 40);
  CHECK(s.reused == 10);
  results::Store store(env.dir.str("h.db"), results::Store::Mode::ReadOnly);
  const auto id = store.campaigns().at(0).id;
  std::map<std::string, std::string> prov;
  for (const auto& [k, v] : store.provenance(id)) prov[k] = v;
  CHECK(prov["fidelities"] == "analytical,analytical");  // the default fidelity
  CHECK(prov["front_fidelity"] == "analytical");
  CHECK(prov["objectives"] == "latency,energy,area");
  CHECK(store.points(id).size() == 40);
}

TEST_CASE("runner: wall-time budget stops cleanly, infeasible designs are counted per constraint",
          "[dse]") {
  Env env("budget");
  const auto s = env.run(campaign("grid", "budget: {seconds: 0.000001}\n"), "t.db");
  CHECK(s.status == "budget");
  const auto c = env.run(
      campaign("grid",
               "budget: {evaluations: 64}\nconstraints: {area_mm2_max: 4, power_w_max: 2}\n"),
      "c.db");
  std::size_t rejected = 0;
  for (const auto& [k, n] : c.rejected_by) {
    INFO(k);
    CHECK((k.rfind("area_mm2 <= 4", 0) == 0 || k.rfind("power_w <= 2", 0) == 0));
    rejected += n;
  }
  CHECK(c.feasible < c.evaluated);
  CHECK(rejected >= c.evaluated - c.feasible);  // a design may violate both
}

TEST_CASE("runner: derived parameters are applied to every stored configuration", "[dse]") {
  Env env("derived");
  const auto s = env.run(campaign("grid",
                                  "budget: {evaluations: 8}\nderived:\n"
                                  "  softmax.exp_units: \"qk_pu.lanes_per_row / 2\"\n"
                                  "  sram.q_buffer_kib: \"max(16, sram.kv_buffer_kib / 10)\"\n"),
                         "d.db");
  REQUIRE(s.evaluated == 8);
  results::Store store(env.dir.str("d.db"), results::Store::Mode::ReadOnly);
  SQLite::Statement st(
      results::connection(store),
      "SELECT a.num, b.num, c.num, d.num FROM config_params a JOIN config_params b ON b.hash = "
      "a.hash "
      "JOIN config_params c ON c.hash = a.hash JOIN config_params d ON d.hash = a.hash "
      "WHERE a.key = 'qk_pu.lanes_per_row' AND b.key = 'softmax.exp_units' "
      "AND c.key = 'sram.kv_buffer_kib' AND d.key = 'sram.q_buffer_kib'");
  int rows = 0;
  while (st.executeStep()) {
    ++rows;
    CHECK(st.getColumn(1).getDouble() == st.getColumn(0).getDouble() / 2);
    CHECK(st.getColumn(3).getDouble() == std::max(16.0, st.getColumn(2).getDouble() / 10));
  }
  CHECK(rows == 8);
}

namespace {
std::string status_of(const std::string& db) {
  results::Store store(db, results::Store::Mode::ReadOnly);
  return store.campaigns().at(0).status;
}
long leases(const std::string& db) {
  return pade::test::count_rows(db, "leases");
}
void put_lease(const std::string& db, long pid, const std::string& host,
               const std::string& expires_at) {
  SQLite::Database d(db, SQLite::OPEN_READWRITE);
  SQLite::Statement st(d,
                       "INSERT OR REPLACE INTO leases(campaign_id, owner_pid, owner_host, "
                       "owner_token, acquired_at, heartbeat_at, expires_at) VALUES((SELECT "
                       "min(id) FROM campaigns), ?, ?, 'planted', '2026-01-01T00:00:00Z', "
                       "'2026-01-01T00:00:00Z', ?)");
  st.bind(1, static_cast<std::int64_t>(pid));
  st.bind(2, host);
  st.bind(3, expires_at);
  st.exec();
}
}  // namespace

TEST_CASE(
    "runner: a second run of a campaign is refused while the first holds its lease, the lease "
    "of a dead or expired run is taken over",
    "[dse][lease]") {
  Env env("lease");
  const std::string yaml = campaign("grid", "budget: {evaluations: 24}\n");
  const std::string db = env.dir.str("l.db");
  std::string refused;
  dse::RunOptions first;
  first.progress = [&](const dse::Progress& p) {
    if (p.done != 4) return;  // after the first batch: a second run of the same campaign
    CHECK(leases(db) == 1);
    dse::RunOptions second;
    second.resume = true;
    try {
      (void)env.run(yaml, "l.db", second);
    } catch (const core::RunError& e) {
      refused = e.what();
    }
  };
  CHECK(env.run(yaml, "l.db", first).status == "finished");
  CHECK_THAT(refused,
             Catch::Contains("campaign 't' in " + db + " is already being run by pid " +
                             std::to_string(::getpid()) + " on host " + results::host_name()));
  CHECK(leases(db) == 0);  // released at the end
  CHECK(status_of(db) == "finished");

  dse::RunOptions resume;
  resume.resume = true;
  std::string notes;
  resume.log = [&](const std::string& s) { notes += s + "\n"; };
  // A live lease of another host: refused, naming it.
  put_lease(db, 4242, "elsewhere.example", "2999-01-01T00:00:00Z");
  CHECK_THROWS_WITH(env.run(yaml, "l.db", resume),
                    Catch::Contains("pid 4242 on host elsewhere.example"));
  // An expired lease of another host: taken over.
  put_lease(db, 4242, "elsewhere.example", "2020-01-01T00:00:00Z");
  CHECK(env.run(yaml, "l.db", resume).resumed == 24);
  CHECK_THAT(notes, Catch::Contains("taking over the lease") && Catch::Contains("it expired"));
  // A lease of a process of this host that no longer exists (killed): taken over at once.
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  REQUIRE(child > 0);
  ::waitpid(child, nullptr, 0);
  put_lease(db, child, results::host_name(), "2999-01-01T00:00:00Z");
  notes.clear();
  CHECK(env.run(yaml, "l.db", resume).status == "finished");
  CHECK_THAT(notes, Catch::Contains("that process no longer exists"));
  CHECK(leases(db) == 0);
}

TEST_CASE("runner: the lease is renewed by its heartbeat and released", "[dse][lease]") {
  TempDir dir("heartbeat");
  results::Store store(dir.str("h.db"));
  results::CampaignRecord c;
  c.name = "c";
  c.spec_yaml = "x";
  c.strategy = "grid";
  const auto id = store.create_campaign(c);
  results::LeaseTiming timing;
  timing.renew_every = std::chrono::milliseconds(50);
  // Expiry is stored in whole seconds: a 1 s validity made "still live" fail whenever a loaded
  // machine delayed a renewal across a second boundary. 3 s leaves 2 s of slack.
  timing.valid_for = std::chrono::seconds(3);
  {
    results::CampaignLease lease(store, id, "c", timing);
    const std::string first = results::read_lease(store, id)->expires_at;
    std::this_thread::sleep_for(std::chrono::milliseconds(1300));
    const auto now = results::read_lease(store, id);
    REQUIRE(now);
    CHECK(now->expires_at > first);  // renewed (whole seconds)
    CHECK(results::lease_is_live(*now, results::utc_now_iso8601()));
    CHECK_FALSE(lease.lost());
    // Another run takes it over (as if this one had stalled): the heartbeat notices.
    results::connection(store).exec("UPDATE leases SET owner_token = 'other', owner_pid = 1");
    for (int i = 0; i < 100 && !lease.lost(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    CHECK(lease.lost());
    REQUIRE(lease.taken_by());
    CHECK(lease.taken_by()->pid == 1);
  }
  CHECK(results::read_lease(store, id));  // a lost lease is not deleted: it is the other run's
  results::connection(store).exec("DELETE FROM leases");
  {
    const results::CampaignLease lease(store, id, "c", timing);
    CHECK(results::read_lease(store, id));
  }
  CHECK_FALSE(results::read_lease(store, id));
}

TEST_CASE(
    "runner: a write lock held beyond the busy timeout fails the run naming the database, the "
    "campaign is marked failed and --resume completes it",
    "[dse][failure]") {
  Env env("locked");
  const std::string yaml = campaign("grid", "budget: {evaluations: 24}\n");
  const std::string db = env.dir.str("k.db");
  results::StoreOptions fast;
  fast.busy_timeout_ms = 200;
  std::thread holder;
  dse::RunOptions o;
  o.progress = [&](const dse::Progress& p) {
    if (p.done != 4 || holder.joinable()) return;
    // Another process's write transaction, held for longer than the run waits (200 ms) but
    // released before the run records its failure.
    std::promise<void> locked;
    holder = std::thread([&db, &locked] {
      SQLite::Database other(db, SQLite::OPEN_READWRITE);
      other.exec("BEGIN IMMEDIATE");
      locked.set_value();
      std::this_thread::sleep_for(std::chrono::milliseconds(1500));
      other.exec("COMMIT");
    });
    locked.get_future().wait();
  };
  std::string error;
  try {
    (void)env.run(yaml, "k.db", o, fast);
  } catch (const core::RunError& e) {
    error = e.what();
  }
  if (holder.joinable()) holder.join();
  CHECK_THAT(error, Catch::Contains("another process holds a write lock on " + db) &&
                        Catch::Contains("wait for it to finish or use another --db") &&
                        Catch::Contains("The campaign is marked failed in " + db));
  CHECK(status_of(db) == "failed");
  CHECK(leases(db) == 0);
  dse::RunOptions resume;
  resume.resume = true;
  const auto s = env.run(yaml, "k.db", resume);
  CHECK(s.status == "finished");
  CHECK(s.resumed + s.evaluated == 24);
  CHECK(status_of(db) == "finished");
}

TEST_CASE("runner: a full disk fails the run naming the database, the campaign is marked failed",
          "[dse][failure]") {
  Env env("full");
  const std::string yaml = campaign("grid", "budget: {evaluations: 80}\n");
  const dse::Campaign c = dse::read_campaign_text(yaml, "test.yaml", env.dir.path);
  const std::string db = env.dir.str("f.db");
  results::Store store(db);
  dse::StatsCache stats(fake_stats, "fake-1");
  dse::RunOptions o;
  o.progress = [&](const dse::Progress& p) {
    // After the first batch the file may not grow any more: SQLite answers SQLITE_FULL.
    if (p.done == 4)
      results::connection(store).exec(
          "PRAGMA max_page_count = " +
          std::to_string(results::connection(store).execAndGet("PRAGMA page_count").getInt()));
  };
  CHECK_THROWS_WITH(dse::run_campaign(c, env.catalog, store, stats, o),
                    Catch::Contains("disk full writing " + db) &&
                        Catch::Contains("free space and run again with --resume") &&
                        Catch::Contains("The campaign is marked failed"));
  CHECK(store.campaigns().at(0).status == "failed");
  CHECK(results::connection(store).execAndGet("SELECT count(*) FROM points").getInt() >= 4);
  CHECK(results::connection(store).execAndGet("PRAGMA integrity_check").getString() == "ok");
}

TEST_CASE(
    "runner: 10^4 designs, stopped half-way and resumed, end exactly like an uninterrupted run, "
    "and the progress line's archive agrees with the final ranking",
    "[dse][growth]") {
  Env env("growth");
  // 4 x 4 x 4 x 8 x 6 x 6 = 18,432 hardware designs, of which a random 10^4, on two benchmarks
  // (CPU time about 15 s). Under the sanitizers (several times slower) 2,000: the same paths.
#ifdef PADE_SANITIZED
  constexpr std::size_t designs = 2000;
#else
  constexpr std::size_t designs = 10000;
#endif
  const std::string yaml =
      "kind: campaign\nname: growth\nseed: 8\n"
      "benchmarks: [llama2-7b/mmlu, vit-l16/imagenet]\n"
      "space:\n"
      "  qk_pu.lanes_per_row: [4, 8, 16, 32]\n"
      "  qk_pu.scoreboard_entries: [8, 16, 32, 64]\n"
      "  sram.kv_buffer_kib: [80, 160, 320, 640]\n"
      "  hbm.pin_rate_gbps: {from: 1.0, to: 6.4, steps: 8, scale: log}\n"
      "  tech.clock_mhz: [500, 700, 900, 1100, 1300, 1500]\n"
      "  softmax.exp_units: [8, 16, 32, 64, 128, 256]\n"
      "strategy: random\nbatch_size: " +
      std::to_string(designs / 20) + "\nbudget: {evaluations: " + std::to_string(designs) +
      "}\n"
      "objectives: [latency, energy, area, accuracy_loss]\n"
      "constraints: {power_w_max: 40}\n";
  dse::RunOptions full_options;
  dse::Progress last;
  full_options.progress = [&](const dse::Progress& p) { last = p; };
  const auto full = env.run(yaml, "full.db", full_options);
  REQUIRE(full.status == "finished");
  CHECK(full.evaluated == designs);
  CHECK(last.done == designs);
  CHECK(last.front_size == full.front_size);  // archive (per batch) = final ranking
  CHECK(full.front_size > 1);

  dse::RunOptions stop;
  int batches = 0;
  stop.progress = [&](const dse::Progress&) { ++batches; };
  stop.cancelled = [&] { return batches >= 10; };
  const auto part = env.run(yaml, "part.db", stop);
  CHECK(part.status == "interrupted");
  CHECK(part.evaluated == designs / 2);
  dse::RunOptions resume;
  resume.resume = true;
  const auto rest = env.run(yaml, "part.db", resume);
  CHECK(rest.status == "finished");
  CHECK(rest.resumed == designs / 2);
  CHECK(rest.evaluated == designs / 2);
  CHECK(rest.front_size == full.front_size);
  CHECK(rest.hypervolume == full.hypervolume);
  CHECK(dump(env.dir.str("part.db")) == dump(env.dir.str("full.db")));
}

TEST_CASE(
    "runner: the progress ETA is per rung (planned, done, measured time per design), a rung not "
    "yet timed is named, and the hypervolume reference is stored and kept on resume",
    "[dse][progress]") {
  Env env("eta");
  // n + ceil(n/4) <= 50 -> 40 designs screened, 10 refined (analytical): batches of 4.
  const std::string yaml =
      campaign("halving",
               "fidelity: screening\nrefine_fidelity: analytical\nhalving: {eta: 4}\n"
               "budget: {evaluations: 50}\n");
  std::vector<dse::Progress> seen;
  dse::RunOptions o;
  o.progress = [&](const dse::Progress& p) { seen.push_back(p); };
  const auto s = env.run(yaml, "e.db", o);
  REQUIRE(s.status == "finished");
  REQUIRE(seen.size() >= 3);

  const dse::Progress& first = seen.front();
  REQUIRE(first.rungs.size() == 2);
  CHECK(first.rungs[0].fidelity == "screening");  // coarse is the old name of screening
  CHECK(first.rungs[1].fidelity == "analytical");
  CHECK(first.rungs[0].planned == 40);
  CHECK(first.rungs[1].planned == 10);  // ceil(40 / 4), planned before it is issued
  CHECK(first.rungs[0].done == 4);
  CHECK(first.rungs[0].seconds_per_design > 0);
  CHECK(first.rungs[1].seconds_per_design == 0);
  // The refine rung has designs left and no measured time: named, the ETA a lower bound that
  // covers the screening rung's 36 designs left.
  CHECK(first.eta_unmeasured == std::vector<std::string>{"analytical"});
  CHECK(first.eta_s == Approx(36 * first.rungs[0].seconds_per_design));

  for (const auto& p : seen) {
    std::size_t done = 0;
    for (const auto& r : p.rungs) {
      CHECK(r.done <= r.planned);
      done += r.done;
    }
    CHECK(done == p.done);
    CHECK(p.eta_s >= 0);
  }
  // Once the refine rung is timed, nothing is unmeasured; at the end nothing is left.
  const auto timed = std::find_if(seen.begin(), seen.end(), [](const dse::Progress& p) {
    return p.rungs[1].seconds_per_design > 0;
  });
  REQUIRE(timed != seen.end());
  CHECK(timed->eta_unmeasured.empty());
  const dse::Progress& last = seen.back();
  CHECK(last.rungs[0].done == 40);
  CHECK(last.rungs[1].done == last.rungs[1].planned);
  CHECK(last.eta_s == 0);
  CHECK(last.eta_unmeasured.empty());

  // The reference point is stored with the campaign ...
  std::string stored;
  {
    results::Store store(env.dir.str("e.db"), results::Store::Mode::ReadOnly);
    for (const auto& [k, v] : store.provenance(store.campaigns().at(0).id))
      if (k == "progress_reference") stored = v;
  }
  std::istringstream in(stored);
  std::vector<double> reference;
  for (double v = 0; in >> v;) reference.push_back(v);
  CHECK(reference == last.reference);

  // ... and an interrupted run continues with it, not with one from the resumed front.
  dse::RunOptions stop;
  std::vector<double> before;
  int batches = 0;
  stop.progress = [&](const dse::Progress& p) {
    before = p.reference;
    ++batches;
  };
  stop.cancelled = [&] { return batches >= 3; };
  CHECK(env.run(yaml, "r.db", stop).status == "interrupted");
  dse::RunOptions resume;
  resume.resume = true;
  std::vector<double> after;
  resume.progress = [&](const dse::Progress& p) {
    if (after.empty()) after = p.reference;
  };
  CHECK(env.run(yaml, "r.db", resume).status == "finished");
  REQUIRE_FALSE(before.empty());
  CHECK(after == before);
}
