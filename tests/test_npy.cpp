#include <catch2/catch.hpp>

#include "tests/support/temp_dir.hpp"

#include <sys/stat.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "workloads/npy.hpp"

namespace fs = std::filesystem;
using namespace pade::workloads;
using Catch::Matchers::Contains;

using pade::test::TempDir;

namespace {

/// A fresh directory under the system temp dir, removed with everything in it at scope exit.

/// A .npy file built by hand: magic, v1.0, the given header padded to 64 bytes, then `data`.
std::string npy_bytes(const std::string& dict, const std::string& data, char major = 1) {
  std::string header = dict;
  const std::size_t unpadded = 10 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header += '\n';
  std::string out = "\x93NUMPY";
  out += major;
  out += '\0';
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>(header.size() >> 8);
  return out + header + data;
}

fs::path write_file(const fs::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return p;
}

std::string message_of(const fs::path& p) {
  try {
    (void)read_npy(p);
  } catch (const pade::core::InputError& e) {
    return e.what();
  }
  return "<no error>";
}

}  // namespace

TEST_CASE("npy float32 round trip through the writer") {
  TempDir dir;
  const std::vector<std::size_t> shape = {2, 3, 4};
  std::vector<float> data(24);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<float>(i) * 0.25f - 3.0f;
  data[5] = -0.0f;
  data[7] = 1e-40f;  // a subnormal must survive bit-exactly
  const auto p = dir.path() / "a.npy";
  write_npy_f32(p, shape, data);

  // The data must start on a 64-byte boundary, as NumPy writes it.
  CHECK((fs::file_size(p) - 24 * 4) % 64 == 0);
  const NpyArray a = read_npy(p);
  CHECK(a.stored_dtype == NpyDtype::Float32);
  CHECK(a.shape == shape);
  REQUIRE(a.data.size() == data.size());
  CHECK(std::memcmp(a.data.data(), data.data(), data.size() * sizeof(float)) == 0);

  const HeadTensor t = read_npy_heads(p, {2, 3, 4});
  const auto h1 = t.head(1);
  CHECK(h1.rows() == 3);
  CHECK(h1.cols() == 4);
  CHECK(h1.at(0, 0) == data[12]);
  CHECK(h1.at(2, 3) == data[23]);
}

TEST_CASE("npy float16 file written byte by byte") {
  TempDir dir;
  // 1.0, -2.0, 65504 (max half), smallest subnormal 2^-24, smallest normal 2^-14, 0.5
  // (infinities and NaN are input errors: see below)
  const std::uint16_t halves[] = {0x3c00, 0xc000, 0x7bff, 0x0001, 0x0400, 0x3800};
  std::string data(sizeof halves, '\0');
  std::memcpy(data.data(), halves, sizeof halves);
  const auto p =
      write_file(dir.path() / "h.npy",
                 npy_bytes("{'descr': '<f2', 'fortran_order': False, 'shape': (2, 3), }", data));
  const NpyArray a = read_npy(p);
  CHECK(a.stored_dtype == NpyDtype::Float16);
  CHECK(a.shape == std::vector<std::size_t>{2, 3});
  REQUIRE(a.data.size() == 6);
  CHECK(a.data[0] == 1.0f);
  CHECK(a.data[1] == -2.0f);
  CHECK(a.data[2] == 65504.0f);
  CHECK(a.data[3] == std::ldexp(1.0f, -24));
  CHECK(a.data[4] == std::ldexp(1.0f, -14));
  CHECK(a.data[5] == 0.5f);

  // 2-D is read as one head.
  const HeadTensor t = read_npy_heads(p);
  CHECK(t.heads == 1);
  CHECK(t.tokens == 2);
  CHECK(t.dim == 3);
}

TEST_CASE("npy int8 file written byte by byte") {
  TempDir dir;
  const std::string data = {'\x00', '\x7f', '\x80', '\xff'};
  const auto p =
      write_file(dir.path() / "i.npy",
                 npy_bytes("{'descr': '|i1', 'fortran_order': False, 'shape': (1, 2, 2), }", data));
  const NpyArray a = read_npy(p);
  CHECK(a.stored_dtype == NpyDtype::Int8);
  CHECK(a.data == std::vector<float>{0.0f, 127.0f, -128.0f, -1.0f});
}

TEST_CASE("npy errors name the file and the problem") {
  TempDir dir;
  const std::string four_floats(16, '\0');
  const std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }";

  SECTION("bad magic") {
    const auto p = write_file(dir.path() / "bad_magic.npy", "PK\x03\x04 this is a zip file");
    const auto m = message_of(p);
    CHECK_THAT(m, Contains("bad_magic.npy"));
    CHECK_THAT(m, Contains("not a .npy file"));
    CHECK_THAT(m, Contains("NUMPY"));
  }
  SECTION("malformed header") {
    const auto p = write_file(
        dir.path() / "bad_header.npy",
        npy_bytes("{'descr': '<f4', 'fortran_order': Maybe, 'shape': (2, 2), }", four_floats));
    CHECK_THAT(message_of(p), Contains("malformed .npy header"));
  }
  SECTION("unsupported dtype") {
    const auto p =
        write_file(dir.path() / "f8.npy",
                   npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }",
                             std::string(32, '\0')));
    const auto m = message_of(p);
    CHECK_THAT(m, Contains("f8.npy"));
    CHECK_THAT(m, Contains("unsupported dtype '<f8'"));
    CHECK_THAT(m, Contains("'<f2'"));
    CHECK_THAT(m, Contains("'<f4'"));
    CHECK_THAT(m, Contains("'|i1'"));
  }
  SECTION("big-endian") {
    const auto p = write_file(
        dir.path() / "be.npy",
        npy_bytes("{'descr': '>f4', 'fortran_order': False, 'shape': (2, 2), }", four_floats));
    CHECK_THAT(message_of(p), Contains("big-endian"));
  }
  SECTION("fortran order") {
    const auto p = write_file(
        dir.path() / "fortran.npy",
        npy_bytes("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", four_floats));
    CHECK_THAT(message_of(p), Contains("Fortran"));
  }
  SECTION("truncated data") {
    const auto p = write_file(dir.path() / "short.npy", npy_bytes(dict, std::string(12, '\0')));
    const auto m = message_of(p);
    CHECK_THAT(m, Contains("short.npy"));
    CHECK_THAT(m, Contains("truncated"));
    CHECK_THAT(m, Contains("needs 16 bytes"));
    CHECK_THAT(m, Contains("has 12"));
  }
  SECTION("truncated header") {
    std::string bytes = npy_bytes(dict, four_floats);
    bytes.resize(30);
    const auto p = write_file(dir.path() / "cut.npy", bytes);
    CHECK_THAT(message_of(p), Contains("truncated .npy header"));
  }
  SECTION("wrong rank") {
    const auto p = write_file(
        dir.path() / "rank1.npy",
        npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", four_floats));
    CHECK_NOTHROW(read_npy(p));  // a rank-1 array is a valid .npy file ...
    try {
      (void)read_npy_heads(p);  // ... but not a per-head tensor
      FAIL("expected an InputError");
    } catch (const pade::core::InputError& e) {
      CHECK_THAT(std::string(e.what()), Contains("wrong rank"));
      CHECK_THAT(std::string(e.what()), Contains("(4,)"));
    }
  }
  SECTION("shape not what the caller expects") {
    const auto p = write_file(dir.path() / "shape.npy", npy_bytes(dict, four_floats));
    try {
      (void)read_npy_heads(p, {0, 0, 8});
      FAIL("expected an InputError");
    } catch (const pade::core::InputError& e) {
      CHECK_THAT(std::string(e.what()), Contains("dim = 2, expected 8"));
    }
  }
  SECTION("missing file") {
    CHECK_THAT(message_of(dir.path() / "nope.npy"), Contains("cannot open"));
  }
}

TEST_CASE("npy values that are not finite are input errors naming the element") {
  TempDir dir;
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  const std::vector<std::size_t> shape = {2, 3, 4};
  for (const auto& [bad, shown] :
       std::vector<std::pair<float, std::string>>{{nan, "NaN"}, {inf, "+inf"}, {-inf, "-inf"}}) {
    CAPTURE(shown);
    std::vector<float> data(24, 0.5f);
    data[17] = bad;  // (1, 1, 1)
    data[21] = bad;  // a later one is not reported
    const auto p = dir.path() / "nonfinite.npy";
    write_npy_f32(p, shape, data);
    const std::string expected = p.string() + ": error: found " + shown +
                                 " at element 17 (index (1, 1, 1) of shape (2, 3, 4)), expected "
                                 "finite values";
    CHECK(message_of(p) == expected);
    // The slice reader reports the element's index in the file, not in the slice.
    NpyFile f(p);
    std::vector<float> head(12);
    CHECK_NOTHROW(f.read(0, head));
    try {
      f.read(12, head);
      FAIL("expected an InputError");
    } catch (const pade::core::InputError& e) {
      CHECK(std::string(e.what()) == expected);
    }
  }
  SECTION("float16 infinities and NaN too") {
    // 0x7c00 = +inf, 0x7e00 = NaN in IEEE half precision.
    const std::string data = std::string("\x00\x3c", 2) + std::string("\x00\x7e", 2);
    const auto p =
        write_file(dir.path() / "half.npy",
                   npy_bytes("{'descr': '<f2', 'fortran_order': False, 'shape': (2,), }", data));
    CHECK(message_of(p) ==
          p.string() +
              ": error: found NaN at element 1 (index (1,) of shape (2,)), expected "
              "finite values");
    const auto q = write_file(dir.path() / "half_inf.npy",
                              npy_bytes("{'descr': '<f2', 'fortran_order': False, 'shape': (2,), }",
                                        std::string("\x00\xfc\x00\x3c", 4)));
    CHECK(message_of(q) ==
          q.string() +
              ": error: found -inf at element 0 (index (0,) of shape (2,)), expected "
              "finite values");
  }
}

TEST_CASE("npy readers refuse what is not a regular file, without opening it") {
  TempDir dir;
  const std::vector<std::size_t> shape = {2, 2};
  const std::vector<float> data = {1, 2, 3, 4};
  SECTION("a folder") {
    const auto p = dir.path() / "folder.npy";
    fs::create_directories(p);
    CHECK(message_of(p) == p.string() + ": error: found a folder, expected a .npy file");
    CHECK_THROWS_AS(NpyFile(p), pade::core::InputError);
  }
  SECTION("a FIFO (opening it would block until a writer comes)") {
    const auto p = dir.path() / "fifo.npy";
    REQUIRE(::mkfifo(p.c_str(), 0600) == 0);
    const std::string expected =
        p.string() +
        ": error: found something that is not a regular file (a FIFO, socket or device), "
        "expected a .npy file";
    CHECK(message_of(p) == expected);
    try {
      NpyFile f(p);
      FAIL("expected an InputError");
    } catch (const pade::core::InputError& e) {
      CHECK(std::string(e.what()) == expected);
    }
  }
  SECTION("a symlink to a regular file is read") {
    const auto target = dir.path() / "real.npy";
    write_npy_f32(target, shape, data);
    fs::create_symlink(target, dir.path() / "link.npy");
    CHECK(read_npy(dir.path() / "link.npy").data == data);
  }
  SECTION("a missing file") {
    CHECK(message_of(dir.path() / "nope.npy") ==
          (dir.path() / "nope.npy").string() +
              ": error: cannot open file for reading: it does not exist");
  }
}

TEST_CASE("a dump folder whose keys have no tokens is an input error") {
  TempDir dir;
  for (const char which : {'q', 'k', 'v'}) {
    const std::vector<std::size_t> shape = {2, 0, 4};
    write_npy_f32(qkv_dump_path(dir.path(), 0, which), shape, {});
  }
  try {
    (void)dump_key_tokens(dir.path());
    FAIL("expected an InputError");
  } catch (const pade::core::InputError& e) {
    CHECK(std::string(e.what()) ==
          qkv_dump_path(dir.path(), 0, 'k').string() +
              ": error: shape (2, 0, 4) has 0 tokens, expected at least one key token");
  }
}

TEST_CASE("npy dump folder with grouped-query attention") {
  TempDir dir;
  const std::size_t q_heads = 4, kv_heads = 2, tokens = 3, q_tokens = 2, dim = 2;
  for (std::size_t layer = 0; layer < 2; ++layer) {
    std::vector<float> q(q_heads * q_tokens * dim), k(kv_heads * tokens * dim),
        v(kv_heads * tokens * dim);
    // Encode (layer, head) in the values so the mapping can be checked.
    for (std::size_t i = 0; i < q.size(); ++i)
      q[i] = static_cast<float>(100 * layer + i / (q_tokens * dim));
    for (std::size_t i = 0; i < k.size(); ++i)
      k[i] = static_cast<float>(100 * layer + 10 + i / (tokens * dim));
    for (std::size_t i = 0; i < v.size(); ++i)
      v[i] = static_cast<float>(100 * layer + 20 + i / (tokens * dim));
    const std::size_t qs[] = {q_heads, q_tokens, dim}, ks[] = {kv_heads, tokens, dim};
    write_npy_f32(qkv_dump_path(dir.path(), layer, 'q'), qs, q);
    write_npy_f32(qkv_dump_path(dir.path(), layer, 'k'), ks, k);
    write_npy_f32(qkv_dump_path(dir.path(), layer, 'v'), ks, v);
  }
  CHECK(qkv_dump_path(dir.path(), 3, 'k').filename() == "layer3_k.npy");

  const auto layers = load_qkv_folder(dir.path());
  REQUIRE(layers.size() == 2);
  REQUIRE(layers[1].size() == q_heads);
  for (std::size_t h = 0; h < q_heads; ++h) {
    const auto& a = layers[1][h];
    CHECK(a.q.rows() == q_tokens);
    CHECK(a.k.rows() == tokens);
    CHECK(a.q.at(0, 0) == static_cast<float>(100 + h));
    CHECK(a.k.at(0, 0) == static_cast<float>(110 + h / 2));  // query head h reads kv head h/2
    CHECK(a.v.at(2, 1) == static_cast<float>(120 + h / 2));
    CHECK(a.query_positions == std::vector<std::size_t>{1, 2});  // the last q_tokens positions
    CHECK(a.causal);
  }

  // A layer with a missing V file is an error that names the file.
  fs::remove(qkv_dump_path(dir.path(), 1, 'v'));
  try {
    (void)load_qkv_folder(dir.path());
    FAIL("expected an InputError");
  } catch (const pade::core::InputError& e) {
    CHECK_THAT(std::string(e.what()), Contains("layer1_v.npy"));
  }
  // Q heads not a multiple of KV heads.
  const std::size_t ks3[] = {3, tokens, dim};
  write_npy_f32(qkv_dump_path(dir.path(), 0, 'k'), ks3, std::vector<float>(3 * tokens * dim));
  write_npy_f32(qkv_dump_path(dir.path(), 0, 'v'), ks3, std::vector<float>(3 * tokens * dim));
  CHECK_THROWS_WITH(load_qkv_layer(dir.path(), 0), Contains("not a multiple"));
}
