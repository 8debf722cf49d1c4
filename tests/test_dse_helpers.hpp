#pragma once
// Helpers of the DSE-engine tests: temporary folders, the `pade` binary as a child process
// (blocking, or spawned to be signalled), and read-only peeks into a database being written.
#include <SQLiteCpp/Database.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace pade::test {

namespace fs = std::filesystem;

inline std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct TempDir {
  fs::path path;
  explicit TempDir(const std::string& tag) {
    path = fs::temp_directory_path() / ("pade-dse-" + tag + "-" + std::to_string(::getpid()));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] std::string str(const std::string& name) const { return (path / name).string(); }
};

struct Result {
  int code = -1;
  std::string out;
  std::string err;
};

/// Run a shell command line `prefix pade ARGS` in `dir`, capturing stdout, stderr and the exit
/// code.
inline Result run_in(const fs::path& dir, const std::string& args, const std::string& prefix = "") {
  static int counter = 0;
  const std::string tag = std::to_string(++counter);
  const fs::path out = dir / ("stdout-" + tag + ".txt"), err = dir / ("stderr-" + tag + ".txt");
  const std::string cmd = "cd '" + dir.string() + "' && " + prefix + "'" +
                          std::string(PADE_BINARY) + "' " + args + " >'" + out.string() + "' 2>'" +
                          err.string() + "' </dev/null";
  const int status = std::system(cmd.c_str());
  Result r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

/// `pade ARGS...` as a child process (stdout/stderr to files in `dir`), to be signalled.
class Child {
 public:
  Child(const fs::path& dir, std::vector<std::string> args)
      : out_(dir / "child.out"), err_(dir / "child.err") {
    std::vector<std::string> argv_s = {PADE_BINARY};
    for (auto& a : args) argv_s.push_back(std::move(a));
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int rc = posix_spawn(&pid_, argv[0], &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) pid_ = -1;
  }
  ~Child() {
    if (pid_ > 0 && !status_) {
      ::kill(pid_, SIGKILL);
      int st = 0;
      ::waitpid(pid_, &st, 0);
    }
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  [[nodiscard]] bool started() const { return pid_ > 0; }
  [[nodiscard]] pid_t pid() const { return pid_; }
  [[nodiscard]] bool running() {
    if (status_) return false;
    int st = 0;
    if (::waitpid(pid_, &st, WNOHANG) == pid_) status_ = st;
    return !status_;
  }
  void signal(int sig) const { ::kill(pid_, sig); }
  /// Wait up to `limit`; the raw wait status, or nullopt on timeout.
  std::optional<int> wait(std::chrono::duration<double> limit) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (running()) {
      if (std::chrono::steady_clock::now() > end) return std::nullopt;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return status_;
  }
  [[nodiscard]] std::string out() const { return slurp(out_); }
  [[nodiscard]] std::string err() const { return slurp(err_); }

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
  fs::path out_, err_;
};

/// Rows of `table` in a database another process may be writing (read-only; 0 while it does not
/// exist yet or has no such table).
inline long count_rows(const std::string& db, const std::string& table) {
  try {
    SQLite::Database d(db, SQLite::OPEN_READONLY, 2000);
    return static_cast<long>(d.execAndGet("SELECT count(*) FROM " + table).getInt64());
  } catch (const std::exception&) {
    return 0;
  }
}

/// Poll until `table` holds at least `n` rows, or the child ends, or `limit` passes.
inline long wait_for_rows(Child& child, const std::string& db, const std::string& table, long n,
                          std::chrono::duration<double> limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  long rows = 0;
  while (std::chrono::steady_clock::now() < end) {
    rows = count_rows(db, table);
    if (rows >= n || !child.running()) return rows;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return rows;
}

}  // namespace pade::test
