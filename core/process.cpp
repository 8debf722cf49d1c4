#include "core/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "core/error.hpp"

extern char** environ;

namespace pade::core {

namespace {

/// The two ends of a pipe, closed on destruction.
struct Pipe {
  std::array<int, 2> fd{-1, -1};
  Pipe() {
    if (::pipe2(fd.data(), O_CLOEXEC) != 0)
      throw RunError(std::string("cannot create a pipe: ") + std::strerror(errno));
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  ~Pipe() {
    close_end(0);
    close_end(1);
  }
  void close_end(int i) {
    if (fd[i] >= 0) ::close(fd[i]);
    fd[i] = -1;
  }
};

/// posix_spawn's attribute objects with their destroy calls.
struct FileActions {
  posix_spawn_file_actions_t a{};
  FileActions() { posix_spawn_file_actions_init(&a); }
  FileActions(const FileActions&) = delete;
  FileActions& operator=(const FileActions&) = delete;
  ~FileActions() { posix_spawn_file_actions_destroy(&a); }
};

/// Read both pipes until the child closes them (poll, so a child filling one pipe while we wait
/// on the other cannot deadlock).
void drain(Pipe& out_pipe, Pipe& err_pipe, ProgramResult& result) {
  std::array<pollfd, 2> fds{pollfd{out_pipe.fd[0], POLLIN, 0}, pollfd{err_pipe.fd[0], POLLIN, 0}};
  std::array<std::string*, 2> sinks{&result.out, &result.err};
  int open_count = 2;
  char buf[1 << 14];
  while (open_count > 0) {
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      throw RunError(std::string("poll on a child's output failed: ") + std::strerror(errno));
    }
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        sinks[i]->append(buf, static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        fds[i].fd = -1;  // poll ignores negative descriptors
        --open_count;
      }
    }
  }
}

}  // namespace

ProgramResult run_program(const ProgramCall& call) {
  if (call.argv.empty()) throw RunError("run_program: no program given");
  Pipe out_pipe;
  Pipe err_pipe;
  FileActions actions;
  posix_spawn_file_actions_addopen(&actions.a, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions.a, out_pipe.fd[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions.a, err_pipe.fd[1], STDERR_FILENO);
  if (!call.working_folder.empty())
    posix_spawn_file_actions_addchdir_np(&actions.a, call.working_folder.c_str());

  std::vector<char*> argv;
  argv.reserve(call.argv.size() + 1);
  for (const auto& a : call.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);

  pid_t pid = 0;
  const int rc = ::posix_spawnp(&pid, argv[0], &actions.a, nullptr, argv.data(), environ);
  if (rc != 0)
    throw RunError("cannot run " + call.argv[0] + ": " + std::strerror(rc) +
                   (rc == ENOENT ? " (is it installed?)" : ""));
  out_pipe.close_end(1);
  err_pipe.close_end(1);

  ProgramResult result;
  drain(out_pipe, err_pipe, result);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR)
      throw RunError("waiting for " + call.argv[0] + " failed: " + std::strerror(errno));
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

}  // namespace pade::core
