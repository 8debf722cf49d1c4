#pragma once
// NumPy .npy files: the exchange format for real Q/K/V dumped from users' models.
//
// Reader: format versions 1.0/2.0/3.0, C order, little-endian float16 ('<f2', converted to float),
// float32 ('<f4') and int8 ('|i1', values converted as-is; any quantisation scale is the caller's
// business); the integer types uint8, int32, uint32 and int64 ('|u1', '<i4', '<u4', '<i8': what
// the trace dumps and token-id files hold) read exactly with read_npy_integers (as float, exact
// below 2^24). Writer: float32, uint8, int32 and uint32, version 1.0.
//
// Dump folders (see load_qkv_layer / load_qkv_folder) follow one naming convention:
//
//   <dir>/layer{L}_q.npy   shape [q_heads,  q_tokens,  dim]
//   <dir>/layer{L}_k.npy   shape [kv_heads, kv_tokens, dim]
//   <dir>/layer{L}_v.npy   shape [kv_heads, kv_tokens, dim_v]
//
// with L = 0, 1, 2, ... written in decimal without padding. A 2-D array [tokens, dim] is read as
// one head. K and V may have fewer heads than Q (grouped-query attention): q_heads must be a
// multiple of kv_heads and query head h reads kv head h / (q_heads / kv_heads). Q and K share the
// same positions: if q_tokens < kv_tokens the queries are the *last* q_tokens positions (a decode
// step or the tail of a prefill), i.e. query row i sits at position kv_tokens - q_tokens + i.
// Positions in the dumps are post-RoPE unless the producer says otherwise (see
// workloads/scripts/dump_qkv.py).
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/tensor.hpp"

namespace pade::workloads {

enum class NpyDtype { Float16, Float32, Int8, UInt8, Int32, UInt32, Int64 };

[[nodiscard]] std::string_view npy_dtype_name(NpyDtype dtype);

/// A whole .npy array converted to float, C order.
struct NpyArray {
  NpyDtype stored_dtype = NpyDtype::Float32;  // what the file held, before conversion
  std::vector<std::size_t> shape;
  std::vector<float> data;

  [[nodiscard]] std::size_t element_count() const { return data.size(); }
};

/// The header of a .npy file: what the data section holds and where it starts.
struct NpyHeader {
  NpyDtype dtype = NpyDtype::Float32;
  std::vector<std::size_t> shape;
  std::size_t data_offset = 0;  // bytes from the start of the file

  [[nodiscard]] std::size_t element_count() const;
  [[nodiscard]] std::size_t item_size() const;
};

/// Parses the magic, version and header of a .npy file from its first bytes (`prefix`, which may
/// be the whole file) and checks that a file of `file_size` bytes holds exactly the data the
/// header describes. Throws core::InputError like parse_npy.
[[nodiscard]] NpyHeader parse_npy_header(std::span<const std::byte> prefix, std::size_t file_size,
                                         std::string_view source);

/// A .npy file opened for reading parts of its data: opening reads and checks the header only,
/// so a slice of a large dump (one head, a few query rows) costs what the slice costs.
/// Not thread-safe (one file position); open one per thread.
class NpyFile {
 public:
  /// Throws core::InputError if the file is not a regular file, cannot be opened or its header
  /// is bad.
  explicit NpyFile(const std::filesystem::path& path);

  [[nodiscard]] const NpyHeader& header() const { return header_; }
  [[nodiscard]] const std::vector<std::size_t>& shape() const { return header_.shape; }
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }
  /// Reads out.size() elements starting at element `first` (C order), converted to float.
  /// Throws std::out_of_range past the end and core::InputError on a read failure or a value
  /// that is not finite (naming its element index in the file).
  void read(std::size_t first, std::span<float> out);

 private:
  std::filesystem::path path_;
  std::ifstream in_;
  NpyHeader header_;
  std::vector<std::byte> buffer_;
};

/// Throws core::InputError unless `path` is a regular file (symlinks followed). Readers check
/// before opening: opening a FIFO blocks until a writer comes, and a folder reads as empty.
/// `expected` says what the file should have been ("a .npy file").
void require_regular_file(const std::filesystem::path& path, std::string_view expected);

/// Parses the bytes of a .npy file. `source` names the file in error messages.
/// Throws core::InputError on a bad magic or header, an unsupported dtype, Fortran order, a
/// data section whose size does not match the shape, or a value that is not finite (NaN, ±inf:
/// the message gives the first one's element index).
[[nodiscard]] NpyArray parse_npy(std::span<const std::byte> bytes, std::string_view source);

/// Reads a .npy file (see parse_npy). Throws core::InputError if it is not a regular file or
/// cannot be opened.
[[nodiscard]] NpyArray read_npy(const std::filesystem::path& path);

/// A whole .npy array of integers, C order, values exact.
struct NpyIntegers {
  NpyDtype stored_dtype = NpyDtype::Int32;
  std::vector<std::size_t> shape;
  std::vector<std::int64_t> data;
};

/// Reads a .npy file of an integer dtype (int8, uint8, int32, uint32, int64). Throws
/// core::InputError as read_npy does, and for a floating-point dtype.
[[nodiscard]] NpyIntegers read_npy_integers(const std::filesystem::path& path);

/// What a caller expects of a per-head tensor; 0 means "any".
struct HeadShapeExpectation {
  std::size_t heads = 0;
  std::size_t tokens = 0;
  std::size_t dim = 0;
};

/// A [heads, tokens, dim] tensor (a 2-D file is one head).
struct HeadTensor {
  std::size_t heads = 0;
  std::size_t tokens = 0;
  std::size_t dim = 0;
  std::vector<float> data;

  /// Copy of one head as a tokens x dim matrix.
  [[nodiscard]] core::Matrix head(std::size_t h) const;
};

/// Reads a .npy file of rank 2 or 3 as a HeadTensor and checks it against `expect`.
[[nodiscard]] HeadTensor read_npy_heads(const std::filesystem::path& path,
                                        const HeadShapeExpectation& expect = {});

/// Serialises a float32 array (version 1.0 header, C order, little-endian).
[[nodiscard]] std::vector<std::byte> encode_npy_f32(std::span<const std::size_t> shape,
                                                    std::span<const float> data);

/// Writes a float32 .npy file. Throws std::invalid_argument if data does not match shape and
/// core::RunError if the file cannot be written.
void write_npy_f32(const std::filesystem::path& path, std::span<const std::size_t> shape,
                   std::span<const float> data);

/// Serialises `bytes` as an array of `dtype` (its item size times the element count of `shape`;
/// std::invalid_argument otherwise), version 1.0 header, C order, little-endian.
[[nodiscard]] std::vector<std::byte> encode_npy(std::span<const std::size_t> shape, NpyDtype dtype,
                                                std::span<const std::byte> bytes);
/// Writes an integer .npy file (uint8, int32, uint32); errors as write_npy_f32.
void write_npy_u8(const std::filesystem::path& path, std::span<const std::size_t> shape,
                  std::span<const std::uint8_t> data);
void write_npy_i32(const std::filesystem::path& path, std::span<const std::size_t> shape,
                   std::span<const std::int32_t> data);
void write_npy_u32(const std::filesystem::path& path, std::span<const std::size_t> shape,
                   std::span<const std::uint32_t> data);

/// Writes heads as [heads.size(), tokens, dim] float32 (all matrices must have the same shape).
void write_npy_heads(const std::filesystem::path& path, std::span<const core::Matrix> heads);

/// The path of one dump file under the naming convention above; `which` is 'q', 'k' or 'v'.
[[nodiscard]] std::filesystem::path qkv_dump_path(const std::filesystem::path& dir,
                                                  std::size_t layer, char which);

/// The layers L of a dump folder that have a layer{L}_q.npy file, ascending (any may be missing:
/// a dump of selected layers keeps the model's layer numbers).
[[nodiscard]] std::vector<std::size_t> dump_layers(const std::filesystem::path& dir);

/// The key length (tokens) of a dump folder: that of the K file of its first layer. Throws
/// core::InputError if the folder holds no layer{L}_q.npy or that layer's K file is missing, bad
/// or has no tokens.
[[nodiscard]] std::size_t dump_key_tokens(const std::filesystem::path& dir);

/// Loads layer{layer}_{q,k,v}.npy from `dir` as one AttentionHead per query head (GQA mapped as
/// documented above). `causal` is copied into each head.
[[nodiscard]] std::vector<core::AttentionHead> load_qkv_layer(const std::filesystem::path& dir,
                                                              std::size_t layer,
                                                              bool causal = true);

/// All layers of a dump folder: layers 0..n-1 where layer{n}_q.npy is the first one missing.
/// Throws core::InputError if the folder has no layer0_q.npy or a layer lacks its k or v file.
[[nodiscard]] std::vector<std::vector<core::AttentionHead>> load_qkv_folder(
    const std::filesystem::path& dir, bool causal = true);

}  // namespace pade::workloads
