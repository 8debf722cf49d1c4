#pragma once
// Reading input files and writing output files the same careful way everywhere.
//
// Inputs: only regular files are read. A directory, a FIFO (which would block forever), a device
// or a socket is refused with an InputError naming the file, before anything is opened.
// Outputs: written to a temporary file beside the target, checked (a full disk is reported as
// such, naming the file), then renamed into place — a failed write never leaves a truncated file
// under the target's name.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace pade::core {

/// "a file", "a folder", "a FIFO (named pipe)", "a socket", "a device": what a path is, for
/// messages.
[[nodiscard]] std::string file_type_text(std::filesystem::file_type type);

/// Throws InputError unless `path` names an existing regular file (symbolic links are followed).
/// `what` says what the file was for ("hardware file", "campaign file"...), for the message.
void require_regular_file(const std::filesystem::path& path, std::string_view what);

/// The whole content of a regular file; InputError when it is missing, not a regular file, larger
/// than `max_bytes`, or unreadable.
[[nodiscard]] std::string read_input_file(const std::filesystem::path& path, std::string_view what,
                                          std::uintmax_t max_bytes = 256u << 20);

/// Write `content` to `path` atomically (temporary file + rename). RunError naming the file when
/// any step fails (disk full, permission, a folder in the way).
void write_output_file(const std::filesystem::path& path, std::string_view content);

/// Throws RunError unless `path` exists as a regular file with at least one byte: the check made
/// on files an external program was asked to write.
void require_written(const std::filesystem::path& path);

/// Create `dir` (and parents) as an output folder; RunError when a file is in the way or it
/// cannot be created, naming the path.
void make_output_folder(const std::filesystem::path& dir);

}  // namespace pade::core
