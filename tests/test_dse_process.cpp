// The `pade` binary under signals, concurrent readers, shards + merge, MPI ranks, and the shipped
// example campaigns. These run real functional statistics, so the campaigns are kept small.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cctype>
#include <set>

#include "test_dse_helpers.hpp"

using namespace pade::test;
using namespace std::chrono_literals;

namespace {

// A campaign slow enough to be caught mid-run: every batch needs new functional statistics
// (one α level per batch of two designs, on two short benchmarks).
constexpr const char* kSlow = R"(kind: campaign
name: slow
seed: 4
benchmarks: [opt-1.3b/winogrande, vit-l16/imagenet]
space:
  algorithm.alpha: {from: 0.30, to: 0.72, step: 0.03}
  qk_pu.lanes_per_row: [8, 16]
strategy: grid
batch_size: 2
objectives: [latency, energy, area]
)";
constexpr long kSlowPoints = 15 * 2;

std::size_t count_lines(const std::string& s) {
  return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n'));
}

/// The number in "<n> <what>" of a summary line, e.g. number_before(out, " resumed").
long number_before(const std::string& text, const std::string& what) {
  const auto pos = text.find(what);
  if (pos == std::string::npos) return -1;
  auto start = pos;
  while (start > 0 && std::isdigit(static_cast<unsigned char>(text[start - 1])) != 0) --start;
  return start == pos ? -1 : std::stol(text.substr(start, pos - start));
}

/// What `pade query` shows of a database: every evaluation row and every point with Pareto ranks.
std::string stored(const fs::path& dir, const std::string& db) {
  const std::string all = " --all-campaigns --all-fidelities --format csv";
  const auto e = run_in(dir, "query " + db + all);
  const auto p = run_in(dir, "query " + db + " --points" + all);
  REQUIRE(e.code == 0);
  REQUIRE(p.code == 0);
  return e.out + p.out;
}

bool have_mpirun() {
  return std::system("command -v mpirun >/dev/null 2>&1") == 0;
}

}  // namespace

TEST_CASE(
    "process: Ctrl-C stops a running campaign within seconds with every finished batch stored, a "
    "reader "
    "can query meanwhile, --resume completes",
    "[dse][process]") {
  TempDir dir("sigint");
  std::ofstream(dir.path / "slow.yaml") << kSlow;
  const std::string db = dir.str("s.db");
  Child child(dir.path, {"run", dir.str("slow.yaml"), "--db", db, "--threads", "2"});
  REQUIRE(child.started());
  REQUIRE(wait_for_rows(child, db, "points", 2, 60s) >= 2);
  REQUIRE(child.running());
  // A second process reads while the campaign writes.
  const auto q = run_in(dir.path, "query s.db --points --format csv");
  INFO(q.err);
  CHECK(q.code == 0);
  CHECK(count_lines(q.out) >= 3);  // header + at least one committed batch
  const bool still_running = child.running();
  child.signal(SIGINT);
  const auto t0 = std::chrono::steady_clock::now();
  const auto status = child.wait(30s);
  REQUIRE(status.has_value());
  const double stop_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  INFO(child.err());
  if (still_running) {
    CHECK(WIFEXITED(*status));
    CHECK(WEXITSTATUS(*status) == 1);  // interrupted
    CHECK(child.out().find("interrupted") != std::string::npos);
    CHECK(stop_s < 5.0);
  }
  // Not a terminal: plain progress lines, no carriage returns.
  CHECK(child.err().find("progress: [") != std::string::npos);
  CHECK(child.err().find('\r') == std::string::npos);
  const long kept = count_rows(db, "points");
  CHECK(kept >= 2);
  CHECK(count_rows(db, "evaluations") == 2 * kept);  // whole designs only
  const auto r = run_in(dir.path, "run slow.yaml --db s.db --resume -q");
  INFO(r.err);
  CHECK(r.code == 0);
  CHECK(number_before(r.out, " resumed") == kept);
  CHECK(number_before(r.out, " configurations evaluated") == kSlowPoints - kept);
  CHECK(count_rows(db, "points") == kSlowPoints);
}

TEST_CASE(
    "process: killed with SIGKILL after a committed batch, --resume neither repeats nor duplicates "
    "an "
    "evaluation and ends with the uninterrupted run's results",
    "[dse][process]") {
  TempDir dir("sigkill");
  std::ofstream(dir.path / "slow.yaml") << kSlow;
  const auto ref = run_in(dir.path, "run slow.yaml --db ref.db -q");
  REQUIRE(ref.code == 0);

  const std::string db = dir.str("k.db");
  long kept = 0;
  {
    Child child(dir.path, {"run", dir.str("slow.yaml"), "--db", db});
    REQUIRE(child.started());
    REQUIRE(wait_for_rows(child, db, "points", 2, 60s) >= 2);
    const bool was_running = child.running();
    child.signal(SIGKILL);
    REQUIRE(child.wait(10s).has_value());
    kept = count_rows(db, "points");
    INFO("points stored when killed: " << kept);
    CHECK(was_running);
    CHECK(kept < kSlowPoints);  // really killed mid-run
  }
  CHECK(count_rows(db, "evaluations") == 2 * kept);
  const auto r = run_in(dir.path, "run slow.yaml --db k.db --resume -q");
  INFO(r.err);
  REQUIRE(r.code == 0);
  // Nothing repeated: the stored points are reused, only the rest is evaluated.
  CHECK(number_before(r.out, " resumed") == kept);
  CHECK(number_before(r.out, " configurations evaluated") == kSlowPoints - kept);
  // Nothing duplicated, nothing missing, the same numbers and the same front.
  CHECK(count_rows(db, "points") == kSlowPoints);
  CHECK(count_rows(db, "evaluations") == 2 * kSlowPoints);
  CHECK(stored(dir.path, "k.db") == stored(dir.path, "ref.db"));
  const auto front_a =
      run_in(dir.path, "query k.db --points --front --columns config_hash --format csv");
  const auto front_b =
      run_in(dir.path, "query ref.db --points --front --columns config_hash --format csv");
  CHECK(count_lines(front_a.out) > 1);
  CHECK(front_a.out == front_b.out);
}

TEST_CASE(
    "process: a second run of a running campaign is refused naming the holder and the database, "
    "after SIGKILL of the holder --resume takes its lease over at once, read verbs warn meanwhile",
    "[dse][process][lease]") {
  TempDir dir("lease");
  // Slower than kSlow, so the second run surely starts while the first runs.
  std::string longer = kSlow;
  longer.replace(longer.find("step: 0.03"), 10, "step: 0.01");
  std::ofstream(dir.path / "slow.yaml") << longer;
  const std::string db = dir.str("l.db");
  Child child(dir.path, {"run", dir.str("slow.yaml"), "--db", db, "--threads", "1"});
  REQUIRE(child.started());
  REQUIRE(wait_for_rows(child, db, "points", 2, 60s) >= 2);
  const auto second = run_in(dir.path, "run slow.yaml --db l.db --resume -q");
  const bool overlapped = child.running();
  child.signal(SIGKILL);
  REQUIRE(child.wait(10s).has_value());
  if (!overlapped) {
    WARN("the first run ended before the second one started: overlap not tested");
  } else {
    INFO(second.err);
    CHECK(second.code == 1);
    CHECK(second.err.find("campaign 'slow' in l.db is already being run by pid " +
                          std::to_string(child.pid()) + " on host ") != std::string::npos);
    CHECK(second.err.find("wait for that run to finish") != std::string::npos);
  }
  const long kept = count_rows(db, "points");
  // The killed run left the campaign marked running: readers say its results are partial.
  const auto q = run_in(dir.path, "query l.db --points --format csv");
  CHECK(q.code == 0);
  CHECK(q.err.find("campaign 'slow' in l.db is marked running but no process is running it") !=
        std::string::npos);
  // The holder is gone (same host, no such pid): resume does not wait for the lease to expire.
  const auto t0 = std::chrono::steady_clock::now();
  const auto r = run_in(dir.path, "run slow.yaml --db l.db --resume");
  INFO(r.err);
  CHECK(r.code == 0);
  CHECK(r.err.find("taking over the lease of campaign 'slow' from pid " +
                   std::to_string(child.pid())) != std::string::npos);
  CHECK(r.err.find("that process no longer exists") != std::string::npos);
  CHECK(number_before(r.out, " resumed") == kept);
  CHECK(std::chrono::steady_clock::now() - t0 < 100s);  // well below the lease's 120 s
  CHECK(count_rows(db, "leases") == 0);
  const auto after = run_in(dir.path, "query l.db --points --format csv");
  CHECK(after.err.empty());
}

TEST_CASE("process: pade run --shard i/N plus pade merge gives the single-process results",
          "[dse][process]") {
  TempDir dir("shard");
  std::ofstream(dir.path / "c.yaml") << R"(kind: campaign
name: sharded
seed: 8
benchmarks: [opt-1.3b/winogrande, vit-l16/imagenet]
space:
  qk_pu.lanes_per_row: [8, 16, 32]
  algorithm.alpha: [0.4, 0.6]
  sram.kv_buffer_kib: [160, 320, 640]
strategy: lhs
budget: {evaluations: 11}
batch_size: 3
constraints: {area_mm2_max: 6}
)";
  REQUIRE(run_in(dir.path, "run c.yaml --db one.db -q --threads 1").code == 0);
  const auto s0 = run_in(dir.path, "run c.yaml --db s0.db -q --shard 0/2");
  const auto s1 = run_in(dir.path, "run c.yaml --db s1.db -q --shard 1/2 --threads 2");
  INFO(s0.err << s1.err);
  REQUIRE(s0.code == 0);
  REQUIRE(s1.code == 0);
  CHECK(number_before(s0.out, " configurations evaluated") == 6);  // seq 0, 2, …, 10
  CHECK(number_before(s1.out, " configurations evaluated") == 5);
  const auto m = run_in(dir.path, "merge all.db s0.db s1.db");
  INFO(m.err);
  REQUIRE(m.code == 0);
  CHECK(m.out.find("merged campaign 'sharded'") != std::string::npos);
  CHECK(stored(dir.path, "all.db") == stored(dir.path, "one.db"));
  const auto bad = run_in(dir.path, "run c.yaml --db x.db --shard 2/2");
  CHECK(bad.code == 2);
  CHECK(bad.err.find("--shard") != std::string::npos);
  CHECK_FALSE(fs::exists(dir.path / "x.db"));
}

TEST_CASE("process: mpirun -np 2 gives the single-process results (NSGA-II, rank 0 writes)",
          "[dse][process][mpi]") {
#ifndef PADE_HAVE_MPI
  WARN("built without MPI: test skipped");
  return;
#else
  if (!have_mpirun()) {
    WARN("mpirun not found: test skipped");
    return;
  }
  TempDir dir("mpi");
  std::ofstream(dir.path / "c.yaml") << R"(kind: campaign
name: ranks
seed: 6
benchmarks: [opt-1.3b/winogrande, vit-l16/imagenet, bloom-1.7b/winogrande]
space:
  qk_pu.lanes_per_row: [4, 8, 16, 32]
  qk_pu.scoreboard_entries: [8, 16, 32, 64]
  algorithm.alpha: [0.4, 0.6]
  sram.kv_buffer_kib: [160, 320, 640]
strategy: nsga2
population: 6
budget: {evaluations: 18}
batch_size: 4
)";
  REQUIRE(run_in(dir.path, "run c.yaml --db one.db -q --threads 2").code == 0);
  // Under the sanitizer build, LeakSanitizer would report Open MPI's own allocations at exit; the
  // vader setting avoids cross-process memory attach, which containers often forbid.
  const char* asan = std::getenv("ASAN_OPTIONS");
  const std::string env =
      "ASAN_OPTIONS='" + std::string(asan != nullptr ? asan : "") + ":detect_leaks=0' ";
  const auto m = run_in(
      dir.path, "run c.yaml --db mpi.db --threads 1",
      env +
          "mpirun --allow-run-as-root --oversubscribe --mca btl_vader_single_copy_mechanism none "
          "-x ASAN_OPTIONS -np 2 ");
  INFO(m.out << m.err);
  REQUIRE(m.code == 0);
  CHECK(m.err.find("2 MPI ranks") != std::string::npos);
  CHECK(count_lines(m.out) < 10);  // one summary, from rank 0 only
  CHECK(stored(dir.path, "mpi.db") == stored(dir.path, "one.db"));
#endif
}

TEST_CASE("process: every example campaign runs (on a one-benchmark suite)", "[dse][process]") {
  TempDir dir("examples");
  const fs::path examples = fs::path(PADE_SOURCE_DIR) / "examples";
  fs::copy_file(examples / "hw-default.yaml", dir.path / "hw-default.yaml");
  std::set<std::string> strategies;
  for (const auto& entry : fs::directory_iterator(examples)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("campaign-", 0) != 0 || entry.path().extension() != ".yaml") continue;
    INFO(name);
    std::istringstream in(slurp(entry.path()));
    std::string text, line;
    while (std::getline(in, line))
      if (line.rfind("suite:", 0) != 0 && line.rfind("benchmarks:", 0) != 0) text += line + "\n";
    text += "benchmarks: [opt-1.3b/winogrande]\n";
    std::ofstream(dir.path / name) << text;
    const auto r = run_in(dir.path, "run " + name + " --db " + name + ".db -q");
    INFO(r.err);
    CHECK(r.code == 0);
    CHECK(r.out.find("finished") != std::string::npos);
    const auto pos = text.find("\nstrategy: ");
    if (pos != std::string::npos)
      strategies.insert(text.substr(pos + 11, text.find('\n', pos + 1) - pos - 11));
  }
  CHECK(strategies == std::set<std::string>{"grid", "random", "lhs", "nsga2", "halving"});
}
