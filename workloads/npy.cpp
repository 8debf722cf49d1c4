#include "workloads/npy.hpp"

#include <algorithm>
#include <bit>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <optional>
#include <stdexcept>

#include "core/error.hpp"

namespace pade::workloads {

// The byte-level code below reads and writes little-endian values with memcpy; a big-endian host
// would need byte swaps everywhere, and no supported platform is big-endian.
static_assert(std::endian::native == std::endian::little, "npy I/O assumes a little-endian host");

namespace {

constexpr std::string_view kMagic = "\x93NUMPY";

std::string shape_text(std::span<const std::size_t> shape) {
  std::string out = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) out += ", ";
    out += std::to_string(shape[i]);
  }
  if (shape.size() == 1) out += ",";
  return out + ")";
}

std::string printable(std::string_view bytes) {
  std::string out;
  for (const char c : bytes) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f) {
      out += c;
    } else {
      constexpr char hex[] = "0123456789abcdef";
      out += "\\x";
      out += hex[u >> 4];
      out += hex[u & 15];
    }
  }
  return out;
}

/// IEEE binary16 -> binary32, exact (every half is representable as a float).
float half_to_float(std::uint16_t h) {
  const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
  const std::uint32_t exponent = (h >> 10) & 0x1fu;
  std::uint32_t mantissa = h & 0x3ffu;
  std::uint32_t bits = 0;
  if (exponent == 0x1f) {  // inf / nan: keep the payload
    bits = sign | 0x7f800000u | (mantissa << 13);
  } else if (exponent != 0) {  // normal
    bits = sign | ((exponent + 112u) << 23) | (mantissa << 13);
  } else if (mantissa == 0) {  // signed zero
    bits = sign;
  } else {  // subnormal half: normalise it, it becomes a normal float
    std::uint32_t e = 113;
    while ((mantissa & 0x400u) == 0) {
      mantissa <<= 1;
      --e;
    }
    bits = sign | (e << 23) | ((mantissa & 0x3ffu) << 13);
  }
  return std::bit_cast<float>(bits);
}

/// The header of a .npy file is a Python dict literal such as
/// {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }. This parses exactly that subset.
class HeaderParser {
 public:
  HeaderParser(std::string_view text, std::string_view source) : text_(text), source_(source) {}

  struct Header {
    std::string descr;
    bool fortran_order = false;
    std::vector<std::size_t> shape;
  };

  Header parse() {
    Header h;
    bool have_descr = false, have_order = false, have_shape = false;
    expect('{');
    while (true) {
      skip_ws();
      if (peek() == '}') break;
      const std::string key = parse_string();
      expect(':');
      if (key == "descr") {
        h.descr = parse_string();
        have_descr = true;
      } else if (key == "fortran_order") {
        h.fortran_order = parse_bool();
        have_order = true;
      } else if (key == "shape") {
        h.shape = parse_shape();
        have_shape = true;
      } else {
        bad("unexpected key '" + key + "'; expected only 'descr', 'fortran_order' and 'shape'");
      }
      skip_ws();
      if (peek() == ',') {
        ++pos_;
      } else if (peek() != '}') {
        bad("expected ',' or '}' after the value of '" + key + "'");
      }
    }
    if (!have_descr || !have_order || !have_shape)
      bad("the header must have the keys 'descr', 'fortran_order' and 'shape'");
    return h;
  }

 private:
  [[noreturn]] void bad(const std::string& what) const {
    core::throw_file_error(source_, "malformed .npy header \"" + printable(text_) + "\": " + what);
  }
  void skip_ws() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  void expect(char c) {
    skip_ws();
    if (peek() != c) bad(std::string("expected '") + c + "'");
    ++pos_;
  }
  std::string parse_string() {
    skip_ws();
    const char quote = peek();
    if (quote != '\'' && quote != '"') bad("expected a quoted string");
    const std::size_t end = text_.find(quote, pos_ + 1);
    if (end == std::string_view::npos) bad("unterminated string");
    std::string out(text_.substr(pos_ + 1, end - pos_ - 1));
    pos_ = end + 1;
    return out;
  }
  bool parse_bool() {
    skip_ws();
    if (text_.substr(pos_, 4) == "True") {
      pos_ += 4;
      return true;
    }
    if (text_.substr(pos_, 5) == "False") {
      pos_ += 5;
      return false;
    }
    bad("'fortran_order' must be True or False");
  }
  std::vector<std::size_t> parse_shape() {
    expect('(');
    std::vector<std::size_t> shape;
    while (true) {
      skip_ws();
      if (peek() == ')') break;
      if (!std::isdigit(static_cast<unsigned char>(peek())))
        bad("'shape' must be a tuple of integers");
      std::size_t value = 0;
      while (std::isdigit(static_cast<unsigned char>(peek()))) {
        const auto digit = static_cast<std::size_t>(peek() - '0');
        if (value > (std::numeric_limits<std::size_t>::max() - digit) / 10) bad("shape too large");
        value = value * 10 + digit;
        ++pos_;
      }
      shape.push_back(value);
      skip_ws();
      if (peek() == ',') {
        ++pos_;
      } else if (peek() != ')') {
        bad("expected ',' or ')' in 'shape'");
      }
    }
    ++pos_;
    return shape;
  }

  std::string_view text_;
  std::string_view source_;
  std::size_t pos_ = 0;
};

NpyDtype dtype_from_descr(std::string_view descr, std::string_view source) {
  if (descr == "<f4") return NpyDtype::Float32;
  if (descr == "<f2") return NpyDtype::Float16;
  // One-byte types have no byte order; NumPy writes '|i1', other writers sometimes '<i1'.
  if (descr == "|i1" || descr == "<i1" || descr == "i1" || descr == "=i1") return NpyDtype::Int8;
  if (descr == "|u1" || descr == "<u1" || descr == "u1" || descr == "=u1") return NpyDtype::UInt8;
  if (descr == "<i4") return NpyDtype::Int32;
  if (descr == "<u4") return NpyDtype::UInt32;
  if (descr == "<i8") return NpyDtype::Int64;
  std::string why;
  if (!descr.empty() && descr.front() == '>') why = " (big-endian data is not supported)";
  core::throw_file_error(
      source, "unsupported dtype '" + std::string(descr) + "'" + why +
                  "; supported are '<f2' (float16), '<f4' (float32), '|i1' (int8), '|u1' "
                  "(uint8), '<i4' (int32), '<u4' (uint32) and '<i8' (int64)");
}

std::string_view descr_of(NpyDtype dtype) {
  switch (dtype) {
    case NpyDtype::Float16:
      return "<f2";
    case NpyDtype::Float32:
      return "<f4";
    case NpyDtype::Int8:
      return "|i1";
    case NpyDtype::UInt8:
      return "|u1";
    case NpyDtype::Int32:
      return "<i4";
    case NpyDtype::UInt32:
      return "<u4";
    case NpyDtype::Int64:
      return "<i8";
  }
  return "?";
}

std::size_t itemsize(NpyDtype dtype) {
  switch (dtype) {
    case NpyDtype::Float16:
      return 2;
    case NpyDtype::Float32:
      return 4;
    case NpyDtype::Int8:
    case NpyDtype::UInt8:
      return 1;
    case NpyDtype::Int32:
    case NpyDtype::UInt32:
      return 4;
    case NpyDtype::Int64:
      return 8;
  }
  return 0;
}

bool is_integer(NpyDtype dtype) {
  return dtype != NpyDtype::Float16 && dtype != NpyDtype::Float32;
}

/// Element i of integer data at p (little-endian), exact.
std::int64_t integer_at(NpyDtype dtype, const std::byte* p, std::size_t i) {
  const auto load = [&]<class T>(T) {
    T v{};
    std::memcpy(&v, p + i * sizeof(T), sizeof(T));
    return static_cast<std::int64_t>(v);
  };
  switch (dtype) {
    case NpyDtype::Int8:
      return load(std::int8_t{});
    case NpyDtype::UInt8:
      return load(std::uint8_t{});
    case NpyDtype::Int32:
      return load(std::int32_t{});
    case NpyDtype::UInt32:
      return load(std::uint32_t{});
    case NpyDtype::Int64:
      return load(std::int64_t{});
    case NpyDtype::Float16:
    case NpyDtype::Float32:
      break;
  }
  throw std::logic_error("integer_at: not an integer dtype");
}

/// Throws naming the first non-finite value of `values`, which are the elements from `first` on
/// of an array of `shape`: NaN and infinities are not attention data, and the functional model's
/// quantizer and accuracy sums have no meaningful value for them.
void require_finite(std::span<const float> values, std::size_t first,
                    std::span<const std::size_t> shape, std::string_view source) {
  const auto bad =
      std::find_if(values.begin(), values.end(), [](float x) { return !std::isfinite(x); });
  if (bad == values.end()) return;
  const std::size_t element = first + static_cast<std::size_t>(bad - values.begin());
  // Its index in the array, e.g. (head, token, channel); every extent is >= 1 as there are values.
  std::vector<std::size_t> index(shape.size());
  std::size_t rest = element;
  for (std::size_t d = shape.size(); d-- > 0;) {
    index[d] = rest % shape[d];
    rest /= shape[d];
  }
  const std::string what = std::isnan(*bad) ? "NaN" : *bad > 0 ? "+inf" : "-inf";
  core::throw_file_error(source, "found " + what + " at element " + std::to_string(element) +
                                     " (index " + shape_text(index) + " of shape " +
                                     shape_text(shape) + "), expected finite values");
}

std::vector<std::byte> read_file_bytes(const std::filesystem::path& path) {
  require_regular_file(path, "a .npy file");
  std::ifstream in(path, std::ios::binary);
  if (!in) core::throw_file_error(path.string(), "cannot open file for reading");
  std::vector<char> chars((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::byte> bytes(chars.size());
  if (!chars.empty()) std::memcpy(bytes.data(), chars.data(), chars.size());
  return bytes;
}

}  // namespace

void require_regular_file(const std::filesystem::path& path, std::string_view expected) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  switch (status.type()) {
    case std::filesystem::file_type::regular:
      return;
    case std::filesystem::file_type::not_found:
      core::throw_file_error(path.string(), "cannot open file for reading: it does not exist");
    case std::filesystem::file_type::directory:
      core::throw_file_error(path.string(), "found a folder, expected " + std::string(expected));
    default:
      if (ec)
        core::throw_file_error(path.string(), "cannot open file for reading: " + ec.message());
      core::throw_file_error(
          path.string(),
          "found something that is not a regular file (a FIFO, socket or device), "
          "expected " +
              std::string(expected));
  }
}

std::string_view npy_dtype_name(NpyDtype dtype) {
  switch (dtype) {
    case NpyDtype::Float16:
      return "float16";
    case NpyDtype::Float32:
      return "float32";
    case NpyDtype::Int8:
      return "int8";
    case NpyDtype::UInt8:
      return "uint8";
    case NpyDtype::Int32:
      return "int32";
    case NpyDtype::UInt32:
      return "uint32";
    case NpyDtype::Int64:
      return "int64";
  }
  return "?";
}

std::size_t NpyHeader::element_count() const {
  std::size_t count = 1;
  for (const std::size_t d : shape) count *= d;
  return count;
}

std::size_t NpyHeader::item_size() const {
  return itemsize(dtype);
}

namespace {

/// Where the header dict starts and how long it is, from the magic and version; throws on a bad
/// magic or version. `size` is how many bytes of the file are available in `bytes`.
std::pair<std::size_t, std::size_t> header_extent(std::span<const std::byte> bytes,
                                                  std::string_view source) {
  const auto as_chars = [&](std::size_t off, std::size_t n) {
    return std::string_view(reinterpret_cast<const char*>(bytes.data()) + off, n);
  };
  if (bytes.size() >= 6 && bytes.size() < 10 && as_chars(0, 6) == kMagic)
    core::throw_file_error(source, "truncated .npy header: the file ends after " +
                                       std::to_string(bytes.size()) +
                                       " bytes, inside the version and header length");
  if (bytes.size() < 10 || as_chars(0, 6) != kMagic) {
    const std::size_t n = std::min<std::size_t>(bytes.size(), 6);
    core::throw_file_error(
        source, "not a .npy file: starts with \"" + printable(as_chars(0, n)) +
                    "\", expected the magic \"\\x93NUMPY\" followed by a version and header");
  }
  const auto major = std::to_integer<unsigned>(bytes[6]);
  const auto minor = std::to_integer<unsigned>(bytes[7]);
  if (major == 1)
    return {10,
            std::to_integer<std::size_t>(bytes[8]) | (std::to_integer<std::size_t>(bytes[9]) << 8)};
  if (major == 2 || major == 3) {
    if (bytes.size() < 12)
      core::throw_file_error(source, "truncated .npy header: file ends inside the header length");
    std::uint32_t len = 0;
    std::memcpy(&len, bytes.data() + 8, 4);
    return {12, len};
  }
  core::throw_file_error(source, "unsupported .npy format version " + std::to_string(major) + "." +
                                     std::to_string(minor) + "; supported are 1.0, 2.0 and 3.0");
}

/// Converts `out.size()` stored elements at `p` to float.
void convert(NpyDtype dtype, const std::byte* p, std::span<float> out) {
  switch (dtype) {
    case NpyDtype::Float32:
      if (!out.empty()) std::memcpy(out.data(), p, out.size_bytes());
      break;
    case NpyDtype::Float16:
      for (std::size_t i = 0; i < out.size(); ++i) {
        std::uint16_t h = 0;
        std::memcpy(&h, p + 2 * i, 2);
        out[i] = half_to_float(h);
      }
      break;
    case NpyDtype::Int8:
      for (std::size_t i = 0; i < out.size(); ++i)
        out[i] = static_cast<float>(static_cast<std::int8_t>(std::to_integer<std::uint8_t>(p[i])));
      break;
    case NpyDtype::UInt8:
    case NpyDtype::Int32:
    case NpyDtype::UInt32:
    case NpyDtype::Int64:
      for (std::size_t i = 0; i < out.size(); ++i)
        out[i] = static_cast<float>(integer_at(dtype, p, i));
      break;
  }
}

}  // namespace

NpyHeader parse_npy_header(std::span<const std::byte> prefix, std::size_t file_size,
                           std::string_view source) {
  const auto [header_start, header_len] = header_extent(prefix, source);
  if (prefix.size() < header_start + header_len)
    core::throw_file_error(source,
                           "truncated .npy header: it claims " + std::to_string(header_len) +
                               " bytes but the file has only " +
                               std::to_string(std::max(file_size, prefix.size()) - header_start) +
                               " after the magic");

  const auto header =
      HeaderParser(
          std::string_view(reinterpret_cast<const char*>(prefix.data()) + header_start, header_len),
          source)
          .parse();
  NpyHeader out;
  out.dtype = dtype_from_descr(header.descr, source);
  if (header.fortran_order)
    core::throw_file_error(source,
                           "array is stored in Fortran (column-major) order; expected C order "
                           "(fortran_order False): save it with numpy.ascontiguousarray first");

  std::size_t count = 1;
  for (const std::size_t d : header.shape) {
    if (d != 0 && count > std::numeric_limits<std::size_t>::max() / d / itemsize(out.dtype))
      core::throw_file_error(source, "shape " + shape_text(header.shape) + " is too large");
    count *= d;
  }
  const std::size_t need = count * itemsize(out.dtype);
  const std::size_t have = file_size - header_start - header_len;
  if (have < need)
    core::throw_file_error(source, "truncated data: shape " + shape_text(header.shape) + " of " +
                                       std::string(npy_dtype_name(out.dtype)) + " needs " +
                                       std::to_string(need) + " bytes but the file has " +
                                       std::to_string(have));
  if (have > need)
    core::throw_file_error(source, "unexpected trailing data: shape " + shape_text(header.shape) +
                                       " of " + std::string(npy_dtype_name(out.dtype)) + " needs " +
                                       std::to_string(need) + " bytes but the file has " +
                                       std::to_string(have));
  out.shape = header.shape;
  out.data_offset = header_start + header_len;
  return out;
}

NpyArray parse_npy(std::span<const std::byte> bytes, std::string_view source) {
  const NpyHeader header = parse_npy_header(bytes, bytes.size(), source);
  NpyArray out;
  out.stored_dtype = header.dtype;
  out.shape = header.shape;
  out.data.resize(header.element_count());
  convert(header.dtype, bytes.data() + header.data_offset, out.data);
  require_finite(out.data, 0, out.shape, source);
  return out;
}

NpyFile::NpyFile(const std::filesystem::path& path) : path_(path) {
  const std::string source = path.string();
  require_regular_file(path, "a .npy file");
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  in_.open(path, std::ios::binary);
  if (ec || !in_) core::throw_file_error(source, "cannot open file for reading");
  // The magic, version and header length first; then exactly the header.
  const auto fetch = [&](std::size_t n) {
    const std::size_t want = std::min<std::size_t>(n, size);
    std::vector<std::byte> bytes(want);
    in_.seekg(0);
    in_.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(want));
    if (!in_) core::throw_file_error(source, "read failed");
    return bytes;
  };
  std::vector<std::byte> prefix = fetch(12);
  const std::size_t extent = [&] {
    const auto [start, len] = header_extent(prefix, source);
    return start + len;
  }();
  if (extent > prefix.size()) prefix = fetch(extent);
  header_ = parse_npy_header(prefix, size, source);
}

void NpyFile::read(std::size_t first, std::span<float> out) {
  if (first > header_.element_count() || out.size() > header_.element_count() - first)
    throw std::out_of_range("NpyFile::read: elements [" + std::to_string(first) + ", " +
                            std::to_string(first + out.size()) + ") outside the " +
                            std::to_string(header_.element_count()) + " of " + path_.string());
  const std::size_t item = itemsize(header_.dtype);
  buffer_.resize(out.size() * item);
  in_.clear();
  in_.seekg(static_cast<std::streamoff>(header_.data_offset + first * item));
  in_.read(reinterpret_cast<char*>(buffer_.data()), static_cast<std::streamsize>(buffer_.size()));
  if (!in_)
    core::throw_file_error(path_.string(), "read failed (was the file changed while being read?)");
  convert(header_.dtype, buffer_.data(), out);
  require_finite(out, first, header_.shape, path_.string());
}

NpyArray read_npy(const std::filesystem::path& path) {
  const auto bytes = read_file_bytes(path);
  return parse_npy(bytes, path.string());
}

NpyIntegers read_npy_integers(const std::filesystem::path& path) {
  const auto bytes = read_file_bytes(path);
  const NpyHeader header = parse_npy_header(bytes, bytes.size(), path.string());
  if (!is_integer(header.dtype))
    core::throw_file_error(path.string(),
                           "found dtype " + std::string(npy_dtype_name(header.dtype)) +
                               ", expected integers (int8, uint8, int32, uint32 or int64)");
  NpyIntegers out;
  out.stored_dtype = header.dtype;
  out.shape = header.shape;
  out.data.resize(header.element_count());
  for (std::size_t i = 0; i < out.data.size(); ++i)
    out.data[i] = integer_at(header.dtype, bytes.data() + header.data_offset, i);
  return out;
}

core::Matrix HeadTensor::head(std::size_t h) const {
  if (h >= heads) throw std::out_of_range("HeadTensor::head: head index out of range");
  const auto first = data.begin() + static_cast<std::ptrdiff_t>(h * tokens * dim);
  return core::Matrix(tokens, dim,
                      std::vector<float>(first, first + static_cast<std::ptrdiff_t>(tokens * dim)));
}

HeadTensor read_npy_heads(const std::filesystem::path& path, const HeadShapeExpectation& expect) {
  NpyArray a = read_npy(path);
  const std::string source = path.string();
  HeadTensor t;
  if (a.shape.size() == 3) {
    t.heads = a.shape[0];
    t.tokens = a.shape[1];
    t.dim = a.shape[2];
  } else if (a.shape.size() == 2) {
    t.heads = 1;
    t.tokens = a.shape[0];
    t.dim = a.shape[1];
  } else {
    core::throw_file_error(source,
                           "wrong rank: shape " + shape_text(a.shape) + " has rank " +
                               std::to_string(a.shape.size()) +
                               ", expected rank 3 [heads, tokens, dim] or rank 2 [tokens, dim]");
  }
  const auto check = [&](std::string_view what, std::size_t found, std::size_t wanted) {
    if (wanted != 0 && found != wanted)
      core::throw_file_error(source, "shape " + shape_text(a.shape) + " has " + std::string(what) +
                                         " = " + std::to_string(found) + ", expected " +
                                         std::to_string(wanted));
  };
  check("heads", t.heads, expect.heads);
  check("tokens", t.tokens, expect.tokens);
  check("dim", t.dim, expect.dim);
  t.data = std::move(a.data);
  return t;
}

std::vector<std::byte> encode_npy(std::span<const std::size_t> shape, NpyDtype dtype,
                                  std::span<const std::byte> data) {
  std::size_t count = 1;
  for (const std::size_t d : shape) count *= d;
  if (count * itemsize(dtype) != data.size())
    throw std::invalid_argument("encode_npy: data has " + std::to_string(data.size()) +
                                " bytes but shape " + shape_text(shape) + " of " +
                                std::string(npy_dtype_name(dtype)) + " needs " +
                                std::to_string(count * itemsize(dtype)));
  std::string header = "{'descr': '" + std::string(descr_of(dtype)) +
                       "', 'fortran_order': False, 'shape': " + shape_text(shape) + ", }";
  // NumPy pads the header with spaces and a newline so the data starts on a 64-byte boundary.
  const std::size_t unpadded = kMagic.size() + 2 + 2 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header += '\n';
  if (header.size() > 0xffff)
    throw std::invalid_argument("encode_npy: shape too long for a v1.0 header");

  // Sized once and filled with memcpy: simpler than repeated inserts (and GCC 12 issues a false
  // -Wstringop-overflow on vector<std::byte>::insert from a pointer range).
  std::vector<std::byte> out(kMagic.size() + 4 + header.size() + data.size_bytes());
  std::size_t at = 0;
  const auto put = [&](const void* src, std::size_t n) {
    if (n > 0) std::memcpy(out.data() + at, src, n);
    at += n;
  };
  put(kMagic.data(), kMagic.size());
  const unsigned char version[2] = {1, 0};
  put(version, 2);
  const auto len = static_cast<std::uint16_t>(header.size());
  put(&len, 2);
  put(header.data(), header.size());
  put(data.data(), data.size_bytes());
  return out;
}

std::vector<std::byte> encode_npy_f32(std::span<const std::size_t> shape,
                                      std::span<const float> data) {
  return encode_npy(shape, NpyDtype::Float32, std::as_bytes(data));
}

namespace {

void write_bytes(const std::filesystem::path& path, std::span<const std::byte> bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw core::RunError(path.string() + ": cannot open file for writing");
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  if (!out) throw core::RunError(path.string() + ": write failed");
}

}  // namespace

void write_npy_f32(const std::filesystem::path& path, std::span<const std::size_t> shape,
                   std::span<const float> data) {
  write_bytes(path, encode_npy_f32(shape, data));
}

void write_npy_u8(const std::filesystem::path& path, std::span<const std::size_t> shape,
                  std::span<const std::uint8_t> data) {
  write_bytes(path, encode_npy(shape, NpyDtype::UInt8, std::as_bytes(data)));
}

void write_npy_i32(const std::filesystem::path& path, std::span<const std::size_t> shape,
                   std::span<const std::int32_t> data) {
  write_bytes(path, encode_npy(shape, NpyDtype::Int32, std::as_bytes(data)));
}

void write_npy_u32(const std::filesystem::path& path, std::span<const std::size_t> shape,
                   std::span<const std::uint32_t> data) {
  write_bytes(path, encode_npy(shape, NpyDtype::UInt32, std::as_bytes(data)));
}

void write_npy_heads(const std::filesystem::path& path, std::span<const core::Matrix> heads) {
  const std::size_t rows = heads.empty() ? 0 : heads.front().rows();
  const std::size_t cols = heads.empty() ? 0 : heads.front().cols();
  std::vector<float> data;
  data.reserve(heads.size() * rows * cols);
  for (const auto& m : heads) {
    if (m.rows() != rows || m.cols() != cols)
      throw std::invalid_argument("write_npy_heads: all heads must have the same shape");
    data.insert(data.end(), m.data().begin(), m.data().end());
  }
  const std::size_t shape[3] = {heads.size(), rows, cols};
  write_npy_f32(path, shape, data);
}

std::filesystem::path qkv_dump_path(const std::filesystem::path& dir, std::size_t layer,
                                    char which) {
  return dir / ("layer" + std::to_string(layer) + "_" + which + ".npy");
}

std::vector<core::AttentionHead> load_qkv_layer(const std::filesystem::path& dir, std::size_t layer,
                                                bool causal) {
  const auto q_path = qkv_dump_path(dir, layer, 'q');
  const auto k_path = qkv_dump_path(dir, layer, 'k');
  const auto v_path = qkv_dump_path(dir, layer, 'v');
  for (const auto& p : {q_path, k_path, v_path})
    if (!std::filesystem::exists(p))
      core::throw_file_error(
          p.string(),
          "missing dump file; a dump folder holds layer{L}_q.npy, layer{L}_k.npy "
          "and layer{L}_v.npy for each layer L");

  const HeadTensor q = read_npy_heads(q_path);
  const HeadTensor k = read_npy_heads(k_path, {0, 0, q.dim});
  const HeadTensor v = read_npy_heads(v_path, {k.heads, k.tokens, 0});
  if (k.heads == 0 || q.heads % k.heads != 0)
    core::throw_file_error(q_path.string(),
                           std::to_string(q.heads) + " query heads is not a multiple of the " +
                               std::to_string(k.heads) + " key/value heads in " + k_path.string() +
                               " (grouped-query attention needs q_heads = g * kv_heads)");
  if (q.tokens > k.tokens)
    core::throw_file_error(q_path.string(), std::to_string(q.tokens) + " query tokens but only " +
                                                std::to_string(k.tokens) + " key tokens in " +
                                                k_path.string() +
                                                "; expected q_tokens <= kv_tokens");

  const std::size_t group = q.heads / k.heads;
  const std::size_t offset = k.tokens - q.tokens;  // queries are the last q.tokens positions
  std::vector<core::Matrix> ks, vs;
  for (std::size_t g = 0; g < k.heads; ++g) {
    ks.push_back(k.head(g));
    vs.push_back(v.head(g));
  }
  std::vector<core::AttentionHead> heads;
  heads.reserve(q.heads);
  for (std::size_t h = 0; h < q.heads; ++h) {
    core::AttentionHead a;
    a.q = q.head(h);
    a.k = ks[h / group];
    a.v = vs[h / group];
    a.query_positions.resize(q.tokens);
    for (std::size_t i = 0; i < q.tokens; ++i) a.query_positions[i] = offset + i;
    a.causal = causal;
    heads.push_back(std::move(a));
  }
  return heads;
}

std::vector<std::size_t> dump_layers(const std::filesystem::path& dir) {
  std::vector<std::size_t> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    // layer{L}_q.npy with L in decimal without padding (as qkv_dump_path writes it).
    constexpr std::string_view head = "layer", tail = "_q.npy";
    if (name.size() <= head.size() + tail.size() || name.rfind(head, 0) != 0 ||
        name.compare(name.size() - tail.size(), tail.size(), tail) != 0)
      continue;
    const std::string digits = name.substr(head.size(), name.size() - head.size() - tail.size());
    if (digits.empty() || digits.size() > 6 || (digits.size() > 1 && digits[0] == '0') ||
        digits.find_first_not_of("0123456789") != std::string::npos)
      continue;
    out.push_back(std::stoul(digits));
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::size_t dump_key_tokens(const std::filesystem::path& dir) {
  const auto layers = dump_layers(dir);
  if (layers.empty())
    core::throw_file_error(
        dir.string(),
        "no layer{L}_q.npy in this folder; a dump folder holds layer{L}_q.npy, layer{L}_k.npy "
        "and layer{L}_v.npy per layer L (see workloads/scripts/dump_qkv.py)");
  const auto k_path = qkv_dump_path(dir, layers.front(), 'k');
  if (!std::filesystem::exists(k_path))
    core::throw_file_error(k_path.string(), "missing dump file (the key tensor of layer " +
                                                std::to_string(layers.front()) + ")");
  const NpyFile k(k_path);
  if (k.shape().size() != 2 && k.shape().size() != 3)
    core::throw_file_error(k_path.string(), "shape " + shape_text(k.shape()) +
                                                " is not [heads, tokens, dim] or [tokens, dim]");
  const std::size_t tokens = k.shape()[k.shape().size() - 2];
  if (tokens == 0)
    core::throw_file_error(k_path.string(), "shape " + shape_text(k.shape()) +
                                                " has 0 tokens, expected at least one key token");
  return tokens;
}

std::vector<std::vector<core::AttentionHead>> load_qkv_folder(const std::filesystem::path& dir,
                                                              bool causal) {
  if (!std::filesystem::exists(qkv_dump_path(dir, 0, 'q')))
    core::throw_file_error(dir.string(),
                           "no layer0_q.npy in this folder; a dump folder holds layer{L}_q.npy, "
                           "layer{L}_k.npy and layer{L}_v.npy for L = 0, 1, ...");
  std::vector<std::vector<core::AttentionHead>> layers;
  for (std::size_t l = 0; std::filesystem::exists(qkv_dump_path(dir, l, 'q')); ++l)
    layers.push_back(load_qkv_layer(dir, l, causal));
  return layers;
}

}  // namespace pade::workloads
