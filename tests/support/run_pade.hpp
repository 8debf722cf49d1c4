#pragma once
// Test support: run the built `pade` binary (PADE_BINARY) as a child process and capture its
// stdout, stderr and exit code.
#include <sys/wait.h>

#include <cstdlib>
#include <string>

#include "tests/support/temp_dir.hpp"

namespace pade::test {

struct CliRun {
  int code = -1;  // exit code; -1 when the process did not exit normally (signal)
  std::string out;
  std::string err;
};

/// Single-quote a word for /bin/sh.
inline std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (const char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

/// `pade ARGS` (ARGS already shell-quoted where needed), run in `cwd` (default: the current
/// folder).
inline CliRun run_pade(const std::string& args, const fs::path& cwd = {}) {
  const TempDir capture("cli");
  const fs::path out = capture.path() / "stdout", err = capture.path() / "stderr";
  std::string cmd;
  if (!cwd.empty()) cmd = "cd " + shell_quote(cwd.string()) + " && ";
  cmd += shell_quote(PADE_BINARY) + " " + args + " >" + shell_quote(out.string()) + " 2>" +
         shell_quote(err.string()) + " </dev/null";
  const int status = std::system(cmd.c_str());
  CliRun r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

}  // namespace pade::test
