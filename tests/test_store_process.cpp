// The `pade` binary against databases in failure states: files that are not PADE-DSE databases,
// read-only storage, held write locks, concurrent runs of one campaign (the lease), and a run
// killed with SIGKILL.
#include <sys/stat.h>
#include <unistd.h>

#include <SQLiteCpp/Database.h>
#include <catch2/catch.hpp>

#include <algorithm>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/support/run_pade.hpp"

namespace fs = std::filesystem;

using pade::test::run_pade;
using pade::test::shell_quote;
using pade::test::slurp;
using pade::test::TempDir;

namespace {

constexpr const char* kTiny = R"(kind: campaign
name: tiny
seed: 1
benchmarks: [opt-1.3b/winogrande]
space:
  qk_pu.lanes_per_row: [8, 16]
strategy: grid
)";

/// Files of a folder and their bytes (to show that a command left them alone).
std::vector<std::pair<std::string, std::string>> snapshot(const fs::path& dir) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& e : fs::directory_iterator(dir))
    out.emplace_back(e.path().filename().string(),
                     e.is_regular_file() ? slurp(e.path()) : std::string("(not a file)"));
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE(
    "store process: every verb refuses an empty file, a non-SQLite file, a directory and a FIFO "
    "with exit 2, names it, and leaves it unchanged",
    "[store][cli]") {
  TempDir dir("badfiles");
  std::ofstream(dir.path() / "c.yaml") << kTiny;
  REQUIRE(run_pade("run c.yaml --db ok.db -q", dir.path()).code == 0);
  const fs::path bad = dir.path() / "bad";
  fs::create_directories(bad);
  std::ofstream(bad / "empty.db").flush();
  std::ofstream(bad / "text.db") << std::string(2000, 'z');
  fs::create_directories(bad / "folder.db");
  REQUIRE(::mkfifo((bad / "fifo.db").c_str(), 0644) == 0);
  const auto before = snapshot(bad);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"empty.db", "is not a PADE-DSE results database (empty file)"},
      {"text.db", "file is not a database"},
      {"folder.db", "is a folder, not a database file"},
      {"fifo.db", "is a FIFO (named pipe), not a database file"}};
  for (const auto& [name, message] : cases) {
    const std::string x = "bad/" + name;
    for (const std::string& cmd :
         {"query " + x, "show " + x + " abc", "diff " + x + " a b", "plot " + x + " --out figs",
          "report " + x + " --out rep", "run c.yaml -q --db " + x, "compare --db " + x,
          "merge out.db " + x, "merge " + x + " ok.db"}) {
      INFO(cmd);
      const auto r = run_pade(cmd, dir.path());
      INFO(r.err);
      CHECK(r.code == 2);
      CHECK(r.err.find(x) != std::string::npos);
      CHECK(r.err.find(message) != std::string::npos);
    }
  }
  CHECK(snapshot(bad) == before);  // nothing written, no -wal or -shm beside them
  CHECK_FALSE(fs::exists(dir.path() / "out.db"));
}

TEST_CASE(
    "store process: a finished database on read-only storage is queried (immutable, with a note)",
    "[store][cli]") {
  TempDir dir("rodir");
  std::ofstream(dir.path() / "c.yaml") << kTiny;
  REQUIRE(run_pade("run c.yaml --db done.db -q", dir.path()).code == 0);
  // The run checkpointed and closed the database: the file alone is complete.
  CHECK_FALSE(fs::exists(dir.path() / "done.db-wal"));
  const fs::path ro = dir.path() / "ro";
  fs::create_directories(ro);
  fs::copy_file(dir.path() / "done.db", ro / "done.db");
  const auto expected = run_pade("query done.db --points --format csv", dir.path());
  REQUIRE(expected.code == 0);

  // Root ignores folder permissions: run the query as nobody (with a copy of the binary it can
  // execute) when root, else as ourselves.
  std::string prefix;
  fs::path binary = PADE_BINARY;
  if (::geteuid() == 0) {
    if (std::system("command -v setpriv >/dev/null 2>&1") != 0) {
      WARN("running as root without setpriv: a read-only folder cannot be made; test skipped");
      return;
    }
    fs::permissions(dir.path(), fs::perms::owner_all | fs::perms::group_read |
                                    fs::perms::group_exec | fs::perms::others_read |
                                    fs::perms::others_exec);
    binary = dir.path() / "pade";
    fs::copy_file(PADE_BINARY, binary);
    prefix = "setpriv --reuid=65534 --regid=65534 --clear-groups ";
  }
  fs::permissions(ro, fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read |
                          fs::perms::group_exec | fs::perms::others_read | fs::perms::others_exec);
  const fs::path out = dir.path() / "q.out", err = dir.path() / "q.err";
  const std::string cmd = "cd " + shell_quote(dir.path().string()) + " && " + prefix +
                          shell_quote(binary.string()) +
                          " query ro/done.db --points --format csv >" + shell_quote(out.string()) +
                          " 2>" + shell_quote(err.string());
  const int status = std::system(cmd.c_str());
  fs::permissions(ro, fs::perms::owner_all, fs::perm_options::add);  // so TempDir can clean up
  INFO(slurp(err));
  if (::geteuid() == 0 && slurp(err).find("Operation not permitted") != std::string::npos) {
    WARN("setpriv cannot change user here: test skipped");
    return;
  }
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(slurp(out) == expected.out);
  CHECK(slurp(err).find("note: ro/done.db is on read-only storage: opened immutable") !=
        std::string::npos);
  CHECK_FALSE(fs::exists(ro / "done.db-shm"));
}

TEST_CASE(
    "store process: a run that meets another process's write lock beyond the busy timeout exits 1 "
    "naming the database and what to do",
    "[store][cli]") {
  TempDir dir("lock");
  std::ofstream(dir.path() / "c.yaml") << kTiny;
  REQUIRE(run_pade("run c.yaml --db x.db -q", dir.path()).code == 0);
  std::string other = kTiny;
  other.replace(other.find("name: tiny"), 10, "name: more");
  std::ofstream(dir.path() / "more.yaml") << other;
  {
    SQLite::Database holder((dir.path() / "x.db").string(), SQLite::OPEN_READWRITE);
    holder.exec("BEGIN IMMEDIATE");
    ::setenv("PADE_BUSY_TIMEOUT_MS", "200", 1);
    const auto r = run_pade("run more.yaml --db x.db -q", dir.path());
    const auto resume = run_pade("run c.yaml --db x.db -q --resume", dir.path());
    ::unsetenv("PADE_BUSY_TIMEOUT_MS");
    holder.exec("COMMIT");
    INFO(r.err);
    CHECK(r.code == 1);
    CHECK(r.err.find("another process holds a write lock on x.db") != std::string::npos);
    CHECK(r.err.find("wait for it to finish or use another --db") != std::string::npos);
    CHECK(r.err.find("nothing was recorded") != std::string::npos);
    INFO(resume.err);
    CHECK(resume.code == 1);
    CHECK(resume.err.find("another process holds a write lock on x.db") != std::string::npos);
  }
  // Nothing was recorded: the database is as the first run left it.
  const auto q = run_pade("query x.db --points --format csv --columns campaign", dir.path());
  CHECK(q.code == 0);
  CHECK(q.out == "campaign\ntiny\ntiny\n");
  CHECK(q.err.empty());
  ::setenv("PADE_BUSY_TIMEOUT_MS", "soon", 1);
  const auto bad = run_pade("query x.db", dir.path());
  ::unsetenv("PADE_BUSY_TIMEOUT_MS");
  CHECK(bad.code == 2);
  CHECK(bad.err.find("PADE_BUSY_TIMEOUT_MS: found 'soon'") != std::string::npos);
}
