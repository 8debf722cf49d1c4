// Hostile and odd input at the edges of the tool: shell and SQL text in arguments, file names from
// campaign names, files that are not files, whole files echoed in errors, output paths in the way.
// Each case asserts the exit code and the message a user sees (docs/security.md says why).
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <string>

#include "core/error.hpp"
#include "core/file_io.hpp"
#include "core/process.hpp"
#include "dse/campaign.hpp"
#include "results/query.hpp"
#include "results/store.hpp"
#include "test_results_fixture.hpp"
#include "tests/support/run_pade.hpp"

using namespace pade;
namespace fs = std::filesystem;
using test::run_pade;
using test::shell_quote;
using test::TempDir;

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

/// A results database with the test fixture in `dir`.
fs::path fixture_db(const TempDir& dir) {
  const fs::path db = dir.path() / "r.db";
  results::Store store(db.string());
  test::make_fixture(store, {false, false, true});
  return db;
}

}  // namespace

// --- no shell ------------------------------------------------------------------------------------

TEST_CASE("hardening: run_program passes arguments without a shell", "[hardening]") {
  const TempDir dir("proc");
  const std::string odd = "a'b $(touch INJECTED) ; c";
  const auto echo = core::run_program({{"printf", "%s|", odd, "x y"}, dir.path()});
  CHECK(echo.exit_code == 0);
  CHECK(echo.out == odd + "|x y|");
  CHECK_FALSE(fs::exists(dir.path() / "INJECTED"));

  const auto pwd = core::run_program({{"pwd"}, dir.path()});
  CHECK(pwd.out == fs::canonical(dir.path()).string() + "\n");

  const auto fails = core::run_program({{"sh", "-c", "echo oops >&2; exit 3"}, {}});
  CHECK(fails.exit_code == 3);
  CHECK(fails.err == "oops\n");

  CHECK_THROWS_WITH(core::run_program({{"no-such-program-pade-test"}, {}}),
                    Catch::Contains("cannot run no-such-program-pade-test") &&
                        Catch::Contains("is it installed?"));
}

TEST_CASE("hardening: plot --out with quotes and $(...) is only a folder name", "[hardening]") {
  const TempDir dir("plot-inject");
  fixture_db(dir);
  const std::string out = "o'$(touch INJECTED)'";
  const auto r =
      run_pade("plot r.db --figure pareto --campaign base --out " + shell_quote(out), dir.path());
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK_FALSE(fs::exists(dir.path() / "INJECTED"));
  for (const char* ext : {".png", ".svg", ".pdf", ".gp", ".dat"})
    CHECK(fs::file_size(dir.path() / out / (std::string("pareto") + ext)) > 0);
}

TEST_CASE("hardening: an existing file as the output folder is one clear error", "[hardening]") {
  const TempDir dir("plot-file");
  fixture_db(dir);
  dir.write("taken", "x");
  for (const std::string verb : {"plot", "report"}) {
    const auto r = run_pade(verb + " r.db --out taken", dir.path());
    CHECK(r.code == 2);
    CHECK(contains(r.err, "taken: error: output folder: is a file; give a folder"));
  }
  CHECK(test::slurp(dir.path() / "taken") == "x");
}

// --- no SQL from arguments -----------------------------------------------------------------------

TEST_CASE("hardening: query --param and --where cannot carry SQL", "[hardening]") {
  const TempDir dir("query-inject");
  fixture_db(dir);
  const auto inject = run_pade(
      "query r.db --points --param " + shell_quote("x\", abs(-9223372036854775808) AS \"y"),
      dir.path());
  CHECK(inject.code == 2);
  CHECK(contains(inject.err,
                 "--param: 'x\", abs(-9223372036854775808) AS \"y' is not a "
                 "parameter key"));
  CHECK_FALSE(contains(inject.err, "integer overflow"));

  const auto typo = run_pade("query r.db --points --param qk_pu.lanes_per_rw", dir.path());
  CHECK(typo.code == 2);
  CHECK(contains(typo.err,
                 "has a parameter 'qk_pu.lanes_per_rw' (did you mean "
                 "'qk_pu.lanes_per_row'?)"));

  const auto where = run_pade("query r.db --points --where feasibl=1", dir.path());
  CHECK(where.code == 2);
  CHECK(contains(where.err, "--where: no configuration in"));
  CHECK(contains(where.err, "(did you mean 'feasible'?)"));

  const auto top = run_pade("query r.db --top -1", dir.path());
  CHECK(top.code == 2);
  CHECK_FALSE(contains(top.err, "datatype mismatch"));

  // The quoting holds even when a name gets past the check (the SQL is built by the library).
  results::EvaluationQuery q;
  q.param_columns = {"a\"b"};
  CHECK(contains(results::query_sql(q), "AS \"a\"\"b\""));
}

// --- paths from names ----------------------------------------------------------------------------

TEST_CASE("hardening: the default database file stays in the working folder", "[hardening]") {
  for (const std::string name :
       {"../../../x", "/abs/path", "..", ".hidden", "-rf", "a/b\\c", "", "a..b", "x\ny"}) {
    const std::string file = dse::default_database_file(name);
    INFO(name << " -> " << file);
    CHECK(file.find('/') == std::string::npos);
    CHECK(file.find('\\') == std::string::npos);
    CHECK(file.find("..") == std::string::npos);
    CHECK(file.front() != '.');
    CHECK(file.front() != '-');
    CHECK(file.size() > 3);
    CHECK(file.substr(file.size() - 3) == ".db");
    CHECK(fs::path(file).filename().string() == file);
  }
  CHECK(dse::default_database_file("default") == "default.db");
  CHECK(dse::default_database_file("sweep-2.v1") == "sweep-2.v1.db");
}

// --- inputs that are not (small, regular) files --------------------------------------------------

TEST_CASE("hardening: a folder or a FIFO as an input file is refused, not read", "[hardening]") {
  const TempDir dir("nonfile");
  fs::create_directories(dir.path() / "folder.yaml");
  const fs::path fifo = dir.path() / "pipe.yaml";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  for (const std::string verb : {"validate", "eval --benchmark llama2-7b/mmlu"}) {
    const auto folder = run_pade(verb + " folder.yaml", dir.path());
    CHECK(folder.code == 2);
    CHECK(contains(folder.err,
                   "folder.yaml: error: YAML file: is a folder, expected a regular "
                   "file"));
    const auto pipe = run_pade(verb + " pipe.yaml", dir.path());  // used to block forever
    CHECK(pipe.code == 2);
    CHECK(contains(pipe.err,
                   "pipe.yaml: error: YAML file: is a FIFO (named pipe), expected a "
                   "regular file"));
  }
  CHECK_THROWS_WITH(core::read_input_file(fifo, "text file"),
                    Catch::Contains("is a FIFO (named pipe)"));
  CHECK_THROWS_WITH(core::read_input_file(dir.path() / "missing", "text file"),
                    Catch::Contains("text file: no such file"));
}

TEST_CASE("hardening: an error quotes at most an excerpt of the file", "[hardening]") {
  const TempDir dir("echo");
  std::string secret;
  for (int i = 0; i < 40; ++i)
    secret += "user" + std::to_string(i) + ":x:1000:1000:Secret Person:/home/u:/bin/sh\n";
  dir.write("passwd", secret);
  const auto r = run_pade("eval passwd --benchmark llama2-7b/mmlu", dir.path());
  CHECK(r.code == 2);
  CHECK(r.err.size() < 400);
  CHECK(contains(r.err, "passwd:1:1: error:"));
  CHECK(contains(r.err, "characters in all)"));
  CHECK_FALSE(contains(r.err, "user5:"));  // a short excerpt, not the file

  dir.write("camp.yaml", "kind: campaign\nname: c\nhardware_file: passwd\n");
  const auto c = run_pade("validate camp.yaml", dir.path());
  CHECK(c.code == 2);
  CHECK(c.err.size() < 400);
  CHECK_FALSE(contains(c.err, "user5:"));

  CHECK(core::excerpt("short") == "short");
  CHECK(core::excerpt("one\ntwo") == "one... (7 characters in all)");
  CHECK(core::excerpt(std::string(100, 'a'), 10) == "aaaaaaaaaa... (100 characters in all)");
  // A cut never splits a UTF-8 sequence ("é" is two bytes).
  CHECK(core::excerpt("aaaaaaaaa\xc3\xa9zz", 10) == "aaaaaaaaa... (13 characters in all)");
}

TEST_CASE("hardening: a 100 KB key is named as too long", "[hardening]") {
  const TempDir dir("longkey");
  dir.write("hw.yaml", "kind: hardware\n{" + std::string(100000, 'k') + ": 1}\n");
  const auto r = run_pade("validate hw.yaml", dir.path());
  CHECK(r.code == 2);
  CHECK(contains(r.err, "line 2 is 100005 characters long (YAML keys are limited to 1024)"));
  CHECK(r.err.size() < 400);
}

// --- the command line ----------------------------------------------------------------------------

TEST_CASE("hardening: an unknown command is named, with the valid ones", "[hardening]") {
  const auto r = run_pade("qurey x.db");
  CHECK(r.code == 2);
  CHECK(contains(r.err,
                 "error: unknown command 'qurey' (did you mean 'query'?); the commands are: "
                 "validate, eval, run, query"));
}

// --- output files --------------------------------------------------------------------------------

TEST_CASE("hardening: outputs are written whole or not at all", "[hardening]") {
  const TempDir dir("write");
  const fs::path target = dir.path() / "index.html";
  core::write_output_file(target, "first");
  core::write_output_file(target, "second");
  CHECK(test::slurp(target) == "second");
  // A folder in the way: an error naming the file, and nothing left behind.
  fs::create_directories(dir.path() / "blocked" / "x");
  CHECK_THROWS_WITH(core::write_output_file(dir.path() / "blocked", "data"),
                    Catch::Contains("cannot write " + (dir.path() / "blocked").string()));
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir.path())) ++entries;
  CHECK(entries == 2);  // index.html and blocked/, no temporary file

  dir.write("empty.png", "");
  CHECK_THROWS_WITH(core::require_written(dir.path() / "empty.png"),
                    Catch::Contains("empty.png is empty"));
  CHECK_THROWS_WITH(core::require_written(dir.path() / "absent.png"),
                    Catch::Contains("absent.png was not written"));
}

TEST_CASE("hardening: suite and benchmark errors point at the campaign file", "[hardening]") {
  const TempDir dir("suite");
  dir.write("s.yaml", "kind: campaign\nname: c\nsuite: pade23\n");
  for (const std::string verb : {"validate s.yaml", "run s.yaml --db s.db"}) {
    const auto r = run_pade(verb, dir.path());
    CHECK(r.code == 2);
    CHECK(r.err == "s.yaml:3:8: error: 'suite': unknown suite 'pade23' (did you mean 'pade22'?)\n");
  }
  CHECK_FALSE(fs::exists(dir.path() / "s.db"));
}

TEST_CASE("hardening: fuzz findings end in one error, not a hang", "[hardening]") {
  // yaml-cpp 0.7's LoadAll looped forever on these (found by fuzz_hardware and fuzz_campaign).
  for (const char* file :
       {"regress_loadall_loop_hardware.yaml", "regress_loadall_loop_campaign.yaml"}) {
    const fs::path path = fs::path(PADE_TEST_DATA_DIR) / "fuzz" / file;
    const auto r = run_pade("validate " + shell_quote(path.string()));
    INFO(file << ": " << r.err);
    CHECK(r.code == 2);
    CHECK(contains(r.err, path.string() + ":"));
  }
  // A second document is still found without LoadAll, wherever its marker is.
  auto second = [](const std::string& text) {
    try {
      (void)core::load_yaml_text(text, "t.yaml");
    } catch (const core::InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::string msg = ": error: a second YAML document (after '---') is not read";
  CHECK(contains(second("a: 1\n---\nb: 2\n"), "t.yaml:3:1" + msg));
  CHECK(contains(second("a: 1\n--- {b: 2}\n"), "t.yaml:2:1" + msg));
  CHECK(contains(second("# c\n%YAML 1.2\n---\na: 1\n...\n\nb: 1\n"), "t.yaml:7:1" + msg));
  CHECK(second("---\na: 1\n---\n# only a comment\n") == "no error");
  CHECK(second("--- {a: 1}\n...\n") == "no error");
  CHECK(second("a: |\n  ---\n  text\n") == "no error");
}
