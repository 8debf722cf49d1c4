#pragma once
// Errors the whole product shares. Bad input (exit code 2) and failures while running (exit
// code 1) are different types so the command line can map them without guessing.
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

namespace pade::core {

/// Where a piece of input came from. Line and column are 1-based; 0 means "not known".
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;

  [[nodiscard]] std::string str() const;
};

/// Bad input: a malformed or out-of-range configuration, an unknown name, a broken data file.
/// The message names the location, the key path, what was found and what is allowed.
class InputError : public std::runtime_error {
 public:
  InputError(SourceLocation where, std::string key_path, const std::string& message);
  explicit InputError(const std::string& message);

  [[nodiscard]] const SourceLocation& where() const { return where_; }
  [[nodiscard]] const std::string& key_path() const { return key_path_; }
  /// The message alone, without location and key (for re-raising at a better location).
  [[nodiscard]] const std::string& message() const { return message_; }

 private:
  SourceLocation where_;
  std::string key_path_;
  std::string message_;
};

/// Bad content of a whole file (a binary or a format without lines): an InputError located at
/// `source` alone, with no key.
[[noreturn]] void throw_file_error(std::string_view source, const std::string& message);

/// A failure while running (I/O, a database that cannot be written, an external tool failing).
class RunError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// At most `max_bytes` of the first line of `text`, for quoting input in a message: an error
/// names where the input is and shows a short piece of it, never a whole file. A cut is marked
/// with "..." and the full length.
[[nodiscard]] std::string excerpt(std::string_view text, std::size_t max_bytes = 60);

/// Levenshtein distance, used for "did you mean" suggestions.
[[nodiscard]] std::size_t edit_distance(std::string_view a, std::string_view b);

/// " (did you mean 'x'?)" for the known name closest to `name` when it is close enough (edit
/// distance at most max(2, |name|/3)), else "".
[[nodiscard]] std::string did_you_mean(std::string_view name, std::span<const std::string> known);

/// Where a name looked up in a registry was given, so an unknown one is reported there: a YAML
/// value (`where` with its file, and the key) or a command-line option (`key_path` alone, e.g.
/// "--fidelity"). Empty: no context.
struct NameOrigin {
  SourceLocation where;
  std::string key_path;

  /// A command-line option such as "--fidelity".
  [[nodiscard]] static NameOrigin option(std::string name);
};

/// The error for a name no registry entry has, listing the valid names (in registry order) and
/// the closest one. `what` is the kind of name ("fidelity", "baseline"). With a YAML location:
///   file:line:column: error: 'key': found 'evnt' (did you mean 'event'?), expected one of: ...
/// otherwise:
///   error: --fidelity: unknown fidelity 'evnt' (did you mean 'event'?), expected one of: ...
[[nodiscard]] InputError unknown_name(std::string_view what, std::string_view name,
                                      std::span<const std::string> known,
                                      const NameOrigin& origin = {});

}  // namespace pade::core
