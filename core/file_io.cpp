#include "core/file_io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/error.hpp"

namespace pade::core {

namespace fs = std::filesystem;

std::string file_type_text(fs::file_type t) {
  switch (t) {
    case fs::file_type::regular:
      return "a file";
    case fs::file_type::directory:
      return "a folder";
    case fs::file_type::fifo:
      return "a FIFO (named pipe)";
    case fs::file_type::socket:
      return "a socket";
    case fs::file_type::block:
    case fs::file_type::character:
      return "a device";
    default:
      return "not a regular file";
  }
}

namespace {

std::string errno_text(int err) {
  if (err == ENOSPC || err == EDQUOT) return "disk full (free space and run again)";
  return std::strerror(err);
}

/// RAII for a POSIX file descriptor.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  [[nodiscard]] int get() const { return fd_; }
  /// Close now and report the error close() gives (NFS and full disks report late).
  int close_checked() {
    const int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

}  // namespace

void require_regular_file(const fs::path& path, std::string_view what) {
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (ec || st.type() == fs::file_type::not_found)
    throw InputError({path.string(), 0, 0}, "", std::string(what) + ": no such file");
  if (st.type() != fs::file_type::regular)
    throw InputError(
        {path.string(), 0, 0}, "",
        std::string(what) + ": is " + file_type_text(st.type()) + ", expected a regular file");
}

std::string read_input_file(const fs::path& path, std::string_view what, std::uintmax_t max_bytes) {
  require_regular_file(path, what);
  // O_NONBLOCK: should the file be swapped for a FIFO between the check and the open, the open
  // does not block; fstat then refuses it.
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (fd.get() < 0)
    throw InputError({path.string(), 0, 0}, "",
                     std::string(what) + ": cannot open (" + std::strerror(errno) + ")");
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode))
    throw InputError({path.string(), 0, 0}, "", std::string(what) + ": not a regular file");
  if (static_cast<std::uintmax_t>(st.st_size) > max_bytes)
    throw InputError({path.string(), 0, 0}, "",
                     std::string(what) + ": " + std::to_string(st.st_size) +
                         " bytes, more than the " + std::to_string(max_bytes) +
                         " this input may have");
  std::string out;
  out.reserve(static_cast<std::size_t>(st.st_size));
  char buf[1 << 15];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      throw InputError({path.string(), 0, 0}, "",
                       std::string(what) + ": read failed (" + std::strerror(errno) + ")");
    }
    out.append(buf, static_cast<std::size_t>(n));
    if (out.size() > max_bytes)
      throw InputError({path.string(), 0, 0}, "",
                       std::string(what) + ": grew past " + std::to_string(max_bytes) +
                           " bytes while being read");
  }
  return out;
}

void write_output_file(const fs::path& path, std::string_view content) {
  const fs::path tmp = path.string() + ".tmp-" + std::to_string(::getpid());
  auto fail = [&](const std::string& step, int err) {
    ::unlink(tmp.c_str());
    throw RunError("cannot write " + path.string() + ": " + step + " failed: " + errno_text(err));
  };
  {
    Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (fd.get() < 0) fail("create", errno);
    std::size_t done = 0;
    while (done < content.size()) {
      const ssize_t n = ::write(fd.get(), content.data() + done, content.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        fail("write", errno);
      }
      done += static_cast<std::size_t>(n);
    }
    if (fd.close_checked() != 0) fail("close", errno);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) fail("rename", errno);
}

void require_written(const fs::path& path) {
  std::error_code ec;
  const auto st = fs::status(path, ec);
  if (ec || st.type() != fs::file_type::regular)
    throw RunError(path.string() + " was not written (disk full or the folder not writable?)");
  if (fs::file_size(path, ec) == 0 || ec) throw RunError(path.string() + " is empty (disk full?)");
}

void make_output_folder(const fs::path& dir) {
  std::error_code ec;
  const auto st = fs::status(dir, ec);
  if (st.type() != fs::file_type::not_found && st.type() != fs::file_type::directory)
    throw InputError({dir.string(), 0, 0}, "",
                     "output folder: is " + file_type_text(st.type()) +
                         "; give a folder (it is created when missing)");
  fs::create_directories(dir, ec);
  if (ec) throw RunError("cannot create output folder " + dir.string() + ": " + ec.message());
}

}  // namespace pade::core
