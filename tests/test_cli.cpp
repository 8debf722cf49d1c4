// End-to-end: the `pade` binary in a temporary folder — run, query, plot, exit codes.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include "tests/support/run_pade.hpp"

namespace fs = std::filesystem;

using pade::test::run_pade;
using pade::test::slurp;
using pade::test::TempDir;

namespace {

constexpr const char* kCampaign = R"(kind: campaign
name: e2e
seed: 5
benchmarks: [llama2-7b/mmlu, vit-l16/imagenet]
space:
  qk_pu.lanes_per_row: [8, 16, 32]
  algorithm.alpha: [0.5, 0.7]
strategy: grid
objectives: [latency, energy, area]
constraints:
  area_mm2_max: 6.0
batch_size: 4
)";

}  // namespace

TEST_CASE("cli: --version names the version and the git commit", "[cli]") {
  TempDir dir;
  const auto r = run_pade("--version", dir.path());
  CHECK(r.code == 0);
  CHECK(r.out.rfind("pade 0.", 0) == 0);
  CHECK(r.out.find("(git ") != std::string::npos);
}

TEST_CASE("cli: usage errors exit 2, unfinished verbs exit 1 and say so", "[cli]") {
  TempDir dir;
  CHECK(run_pade("", dir.path()).code == 2);
  CHECK(run_pade("no-such-verb", dir.path()).code == 2);
  CHECK(run_pade("eval", dir.path()).code == 2);  // missing required arguments
  CHECK(run_pade("query missing.db", dir.path()).code == 2);
  const auto report = run_pade("report x.db --out r", dir.path());
  CHECK(report.code == 2);
  CHECK(report.err.find("no such database") != std::string::npos);
  const auto help = run_pade("--help", dir.path());
  CHECK(help.code == 0);
  for (const char* verb :
       {"validate", "eval", "run", "query", "plot", "report", "workloads", "merge"}) {
    INFO(verb);
    CHECK(help.out.find(verb) != std::string::npos);
  }
}

TEST_CASE("cli: run stores evaluations with Pareto flags, query, plot and resume work on them",
          "[cli]") {
  TempDir dir;
  std::ofstream(dir.path() / "c.yaml") << kCampaign;
  const auto run = run_pade("run c.yaml --db out/r.db --threads 2", dir.path());
  INFO(run.err);
  REQUIRE(run.code == 0);
  CHECK(run.out.find("6 configurations evaluated") != std::string::npos);
  CHECK(fs::exists(dir.path() / "out/r.db"));

  const auto q = run_pade("query out/r.db --format json", dir.path());
  REQUIRE(q.code == 0);
  CHECK(q.out.front() == '[');
  CHECK(q.out.find("\"pareto\": 1") != std::string::npos);
  CHECK(q.out.find("\"benchmark\": \"llama2-7b/mmlu\"") != std::string::npos);
  // 6 configurations x 2 benchmarks.
  std::size_t rows = 0;
  for (std::size_t pos = q.out.find("\"config_hash\""); pos != std::string::npos;
       pos = q.out.find("\"config_hash\"", pos + 1))
    ++rows;
  CHECK(rows == 12);

  const auto csv = run_pade(
      "query out/r.db --points --front --columns config_hash,latency_s --format csv", dir.path());
  REQUIRE(csv.code == 0);
  CHECK(csv.out.rfind("config_hash,latency_s\n", 0) == 0);

  const auto again = run_pade("run c.yaml --db out/r.db -q", dir.path());
  CHECK(again.code == 2);  // same campaign name without --resume
  CHECK(again.err.find("--resume") != std::string::npos);

  const auto resumed = run_pade("run c.yaml --db out/r.db --resume -q", dir.path());
  CHECK(resumed.code == 0);
  CHECK(resumed.out.find("0 configurations evaluated, 6 resumed") != std::string::npos);

  const auto plot = run_pade("plot out/r.db --out figs", dir.path());
  INFO(plot.err);
  REQUIRE(plot.code == 0);
  for (const char* f : {"pareto.png", "pareto.svg", "pareto.pdf", "pareto.gp", "pareto.dat"}) {
    INFO(f);
    REQUIRE(fs::exists(dir.path() / "figs" / f));
    CHECK(fs::file_size(dir.path() / "figs" / f) > 100);
  }
  const std::string png = slurp(dir.path() / "figs/pareto.png");
  CHECK(png.substr(1, 3) == "PNG");
  CHECK(slurp(dir.path() / "figs/pareto.svg").find("<svg") != std::string::npos);
}

TEST_CASE("cli: the same campaign gives identical stored results for 1 and 2 threads", "[cli]") {
  TempDir dir;
  std::ofstream(dir.path() / "c.yaml") << kCampaign;
  REQUIRE(run_pade("run c.yaml --db one.db --threads 1 -q", dir.path()).code == 0);
  REQUIRE(run_pade("run c.yaml --db two.db --threads 2 -q", dir.path()).code == 0);
  const auto a = run_pade("query one.db --format csv", dir.path());
  const auto b = run_pade("query two.db --format csv", dir.path());
  REQUIRE(a.code == 0);
  CHECK(a.out == b.out);
}

namespace {

std::vector<std::vector<std::string>> csv_rows(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> cells;
    std::istringstream fields(line);
    for (std::string cell; std::getline(fields, cell, ',');) cells.push_back(cell);
    rows.push_back(cells);
  }
  return rows;
}

}  // namespace

TEST_CASE("cli: eval on several benchmarks and a suite prints one row each and the suite row",
          "[cli]") {
  TempDir dir;
  std::ofstream(dir.path() / "hw.yaml") << "kind: hardware\n";
  std::ofstream(dir.path() / "tiny.yaml")
      << "kind: suite\nname: tiny\ndescription: two\nbenchmarks: [opt-1.3b/mmlu, "
         "vit-l16/imagenet]\n";
  const auto listed =
      run_pade("eval hw.yaml -b opt-1.3b/mmlu -b vit-l16/imagenet -b opt-1.3b/mmlu --format csv",
               dir.path());
  INFO(listed.err);
  REQUIRE(listed.code == 0);
  const auto rows = csv_rows(listed.out);
  REQUIRE(rows.size() == 4);  // header, each benchmark once, the suite
  const auto col = [&](const std::string& name) {
    const auto it = std::find(rows[0].begin(), rows[0].end(), name);
    REQUIRE(it != rows[0].end());
    return static_cast<std::size_t>(it - rows[0].begin());
  };
  CHECK(rows[1][0] == "opt-1.3b/mmlu");
  CHECK(rows[3][0] == "suite");
  const std::size_t e = col("energy_j"), l = col("latency_s"), a = col("area_mm2");
  CHECK(std::stod(rows[3][e]) == Approx(std::stod(rows[1][e]) + std::stod(rows[2][e])));
  CHECK(std::stod(rows[3][l]) == Approx(std::sqrt(std::stod(rows[1][l]) * std::stod(rows[2][l]))));
  CHECK(std::stod(rows[3][a]) == Approx(std::stod(rows[1][a])));
  // A suite name stands for its benchmarks: the same rows.
  const auto suite = run_pade("eval hw.yaml -b tiny -w tiny.yaml --format csv", dir.path());
  INFO(suite.err);
  CHECK(suite.out == listed.out);
  // The screening model's old name still works, and its use is pointed out.
  const auto old = run_pade("eval hw.yaml -b opt-1.3b/mmlu --fidelity coarse", dir.path());
  CHECK(old.code == 0);
  CHECK(old.out.find("screening") != std::string::npos);
  CHECK(old.err.find("note: the screening roofline") != std::string::npos);
  CHECK(old.err.find("unbalanced") == std::string::npos);  // screening has no utilizations
  // A design whose softmax cannot keep up is pointed out, with the parameter to raise.
  std::ofstream(dir.path() / "starved.yaml") << "kind: hardware\nsoftmax: {exp_units: 1}\n";
  const auto starved = run_pade("eval starved.yaml -b opt-1.3b/mmlu", dir.path());
  CHECK(starved.code == 0);
  CHECK(starved.err.find("warning: unbalanced design: opt-1.3b/mmlu: softmax sets the pace") !=
        std::string::npos);
  CHECK(starved.err.find("raise softmax.exp_units") != std::string::npos);
  CHECK(listed.err.find("unbalanced") == std::string::npos);  // the default design is balanced
}

TEST_CASE("cli: eval prints metrics and the functional digest as JSON, workloads lists PADE-22",
          "[cli]") {
  TempDir dir;
  std::ofstream(dir.path() / "hw.yaml") << "kind: hardware\nqk_pu: {lanes_per_row: 32}\n";
  const auto e = run_pade("eval hw.yaml --benchmark opt-1.3b/mmlu --format json", dir.path());
  INFO(e.err);
  REQUIRE(e.code == 0);
  for (const char* key : {"\"latency_s\"", "\"energy_j\"", "\"area_mm2\"",
                          "\"stats.kept_fraction\"", "\"stats.accuracy.retained_mass\""}) {
    INFO(key);
    CHECK(e.out.find(key) != std::string::npos);
  }
  const auto bad = run_pade("eval hw.yaml --benchmark opt-1.3b/mmlx", dir.path());
  CHECK(bad.code == 2);
  CHECK(bad.err.find("did you mean") != std::string::npos);
  const auto w = run_pade("workloads list --suite pade22 --format csv", dir.path());
  REQUIRE(w.code == 0);
  CHECK(std::count(w.out.begin(), w.out.end(), '\n') == 23);  // header + 22
}
