// End-to-end: the `pade` binary in a temporary folder — run, query, plot, exit codes.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

namespace {

struct Result {
  int code = -1;
  std::string out;
  std::string err;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// Run `pade ARGS` in `dir`, capturing stdout, stderr and the exit code.
Result pade(const fs::path& dir, const std::string& args) {
  const fs::path out = dir / "stdout.txt", err = dir / "stderr.txt";
  const std::string cmd = "cd '" + dir.string() + "' && '" + std::string(PADE_BINARY) + "' " + args + " >'" +
                          out.string() + "' 2>'" + err.string() + "' </dev/null";
  const int status = std::system(cmd.c_str());
  Result r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("pade-cli-test-" + std::to_string(::getpid()));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
};

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
  const auto r = pade(dir.path, "--version");
  CHECK(r.code == 0);
  CHECK(r.out.rfind("pade 0.", 0) == 0);
  CHECK(r.out.find("(git ") != std::string::npos);
}

TEST_CASE("cli: usage errors exit 2, unfinished verbs exit 1 and say so", "[cli]") {
  TempDir dir;
  CHECK(pade(dir.path, "").code == 2);
  CHECK(pade(dir.path, "no-such-verb").code == 2);
  CHECK(pade(dir.path, "eval").code == 2);  // missing required arguments
  CHECK(pade(dir.path, "query missing.db").code == 2);
  const auto report = pade(dir.path, "report x.db --out r");
  CHECK(report.code == 2);
  CHECK(report.err.find("no such database") != std::string::npos);
  const auto help = pade(dir.path, "--help");
  CHECK(help.code == 0);
  for (const char* verb : {"validate", "eval", "run", "query", "plot", "report", "workloads", "merge"}) {
    INFO(verb);
    CHECK(help.out.find(verb) != std::string::npos);
  }
}

TEST_CASE("cli: run stores evaluations with Pareto flags; query, plot and resume work on them", "[cli]") {
  TempDir dir;
  std::ofstream(dir.path / "c.yaml") << kCampaign;
  const auto run = pade(dir.path, "run c.yaml --db out/r.db --threads 2");
  INFO(run.err);
  REQUIRE(run.code == 0);
  CHECK(run.out.find("6 configurations evaluated") != std::string::npos);
  CHECK(fs::exists(dir.path / "out/r.db"));

  const auto q = pade(dir.path, "query out/r.db --format json");
  REQUIRE(q.code == 0);
  CHECK(q.out.front() == '[');
  CHECK(q.out.find("\"pareto\": 1") != std::string::npos);
  CHECK(q.out.find("\"benchmark\": \"llama2-7b/mmlu\"") != std::string::npos);
  // 6 configurations x 2 benchmarks.
  std::size_t rows = 0;
  for (std::size_t pos = q.out.find("\"config_hash\""); pos != std::string::npos; pos = q.out.find("\"config_hash\"", pos + 1)) ++rows;
  CHECK(rows == 12);

  const auto csv = pade(dir.path, "query out/r.db --points --front --columns config_hash,latency_s --format csv");
  REQUIRE(csv.code == 0);
  CHECK(csv.out.rfind("config_hash,latency_s\n", 0) == 0);

  const auto again = pade(dir.path, "run c.yaml --db out/r.db -q");
  CHECK(again.code == 2);  // same campaign name without --resume
  CHECK(again.err.find("--resume") != std::string::npos);

  const auto resumed = pade(dir.path, "run c.yaml --db out/r.db --resume -q");
  CHECK(resumed.code == 0);
  CHECK(resumed.out.find("0 configurations evaluated, 6 resumed") != std::string::npos);

  const auto plot = pade(dir.path, "plot out/r.db --out figs");
  INFO(plot.err);
  REQUIRE(plot.code == 0);
  for (const char* f : {"pareto.png", "pareto.svg", "pareto.pdf", "pareto.gp", "pareto.dat"}) {
    INFO(f);
    REQUIRE(fs::exists(dir.path / "figs" / f));
    CHECK(fs::file_size(dir.path / "figs" / f) > 100);
  }
  const std::string png = slurp(dir.path / "figs/pareto.png");
  CHECK(png.substr(1, 3) == "PNG");
  CHECK(slurp(dir.path / "figs/pareto.svg").find("<svg") != std::string::npos);
}

TEST_CASE("cli: the same campaign gives identical stored results for 1 and 2 threads", "[cli]") {
  TempDir dir;
  std::ofstream(dir.path / "c.yaml") << kCampaign;
  REQUIRE(pade(dir.path, "run c.yaml --db one.db --threads 1 -q").code == 0);
  REQUIRE(pade(dir.path, "run c.yaml --db two.db --threads 2 -q").code == 0);
  const auto a = pade(dir.path, "query one.db --format csv");
  const auto b = pade(dir.path, "query two.db --format csv");
  REQUIRE(a.code == 0);
  CHECK(a.out == b.out);
}

TEST_CASE("cli: eval prints metrics and the functional digest as JSON; workloads lists PADE-22", "[cli]") {
  TempDir dir;
  std::ofstream(dir.path / "hw.yaml") << "kind: hardware\nqk_pu: {lanes_per_row: 32}\n";
  const auto e = pade(dir.path, "eval hw.yaml --benchmark opt-1.3b/mmlu --format json");
  INFO(e.err);
  REQUIRE(e.code == 0);
  for (const char* key : {"\"latency_s\"", "\"energy_j\"", "\"area_mm2\"", "\"stats.kept_fraction\"",
                          "\"stats.accuracy.retained_mass\""}) {
    INFO(key);
    CHECK(e.out.find(key) != std::string::npos);
  }
  const auto bad = pade(dir.path, "eval hw.yaml --benchmark opt-1.3b/mmlx");
  CHECK(bad.code == 2);
  CHECK(bad.err.find("did you mean") != std::string::npos);
  const auto w = pade(dir.path, "workloads list --suite pade22 --format csv");
  REQUIRE(w.code == 0);
  CHECK(std::count(w.out.begin(), w.out.end(), '\n') == 23);  // header + 22
}
