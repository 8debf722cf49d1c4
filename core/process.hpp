#pragma once
// Running an external program (gnuplot, gzip) without a shell.
//
// The program and its arguments are passed as a vector straight to posix_spawnp: no shell parses
// them, so a path with quotes, spaces or `$(...)` in it is only ever a path. The working folder is
// set for the child alone; standard input is /dev/null; standard output and error are captured.
#include <filesystem>
#include <string>
#include <vector>

namespace pade::core {

struct ProgramResult {
  int exit_code = -1;  // the child's exit status; -1 when it was killed by a signal
  std::string out;     // its standard output
  std::string err;     // its standard error
};

struct ProgramCall {
  std::vector<std::string> argv;         // argv[0] is looked up on PATH
  std::filesystem::path working_folder;  // empty: the caller's
};

/// Run the program to completion. RunError when it cannot be started (not installed, say);
/// a non-zero exit is reported in the result, not thrown.
[[nodiscard]] ProgramResult run_program(const ProgramCall& call);

}  // namespace pade::core
