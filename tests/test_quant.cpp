#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <limits>

#include "core/bitplanes.hpp"
#include "core/quant.hpp"
#include "core/rng.hpp"

using namespace pade::core;

namespace {

Matrix random_matrix(Rng& rng, std::size_t rows, std::size_t cols, double scale) {
  Matrix m(rows, cols);
  for (auto& x : m.data())
    x = static_cast<float>(rng.normal() * scale * (1.0 + 3.0 * rng.uniform()));
  return m;
}

}  // namespace

TEST_CASE("quantization round trip stays within half a step", "[quant]") {
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    Rng rng(seed, "quant");
    const std::size_t rows = 1 + rng.below(9), cols = 1 + rng.below(100);
    const Matrix m = random_matrix(rng, rows, cols, std::exp(rng.uniform(-4.0, 4.0)));
    for (const int bits : {4, 5, 8, 11, 16}) {
      for (const Granularity g : {Granularity::per_tensor, Granularity::per_head,
                                  Granularity::per_token, Granularity::per_group}) {
        const QuantizedMatrix q = quantize(m, {bits, g, 32});
        REQUIRE(q.rows() == rows);
        REQUIRE(q.cols() == cols);
        for (std::size_t r = 0; r < rows; ++r) {
          for (std::size_t c = 0; c < cols; ++c) {
            const double s = q.scale(r, c);
            REQUIRE(s > 0.0);
            REQUIRE(std::abs(q.at(r, c)) <= q.max_code());
            // Symmetric rounding: error at most half a step (float-scale slack for the clamp).
            REQUIRE(std::fabs(m.at(r, c) - q.at(r, c) * s) <= 0.5 * s * (1.0 + 1e-6));
            REQUIRE(q.dequantized(r, c) == static_cast<float>(q.at(r, c)) * q.scale(r, c));
            if (g == Granularity::per_group) {
              int e = 0;
              REQUIRE(std::frexp(s, &e) == 0.5);  // a power of two
              REQUIRE(q.group_scale(r, c / 32) == q.scale(r, c));
            }
          }
        }
        if (g == Granularity::per_tensor || g == Granularity::per_head)
          REQUIRE(q.scales().size() == 1);
        if (g == Granularity::per_token) REQUIRE(q.scales().size() == rows);
        if (g == Granularity::per_group) REQUIRE(q.scales().size() == rows * ((cols + 31) / 32));
      }
    }
  }
}

TEST_CASE("quantization is symmetric and uses the full code range", "[quant]") {
  Rng rng(7);
  Matrix m = random_matrix(rng, 4, 64, 1.0);
  Matrix neg = m;
  for (auto& x : neg.data()) x = -x;
  const auto a = quantize(m, {8, Granularity::per_token, 32});
  const auto b = quantize(neg, {8, Granularity::per_token, 32});
  for (std::size_t r = 0; r < 4; ++r) {
    int maxabs = 0;
    for (std::size_t c = 0; c < 64; ++c) {
      REQUIRE(a.at(r, c) == -b.at(r, c));
      maxabs = std::max(maxabs, std::abs(static_cast<int>(a.at(r, c))));
    }
    CHECK(maxabs == 127);  // per-token: each row's largest magnitude maps to the largest code
  }
  const auto i8 = a.to_int8();
  REQUIRE(i8.size() == a.codes().size());
  for (std::size_t n = 0; n < i8.size(); ++n) REQUIRE(i8[n] == a.codes()[n]);
  CHECK_THROWS(quantize(m, {16, Granularity::per_tensor, 32}).to_int8());
  CHECK_THROWS(quantize(m, {3, Granularity::per_tensor, 32}));
  CHECK_THROWS(quantize(m, {17, Granularity::per_tensor, 32}));
  CHECK(granularity_from_string("per_group") == Granularity::per_group);
  CHECK_THROWS(granularity_from_string("per_row"));
}

TEST_CASE("all-zero input quantizes to zero codes", "[quant]") {
  const Matrix z(3, 40);
  for (const Granularity g :
       {Granularity::per_tensor, Granularity::per_token, Granularity::per_group}) {
    const auto q = quantize(z, {8, g, 32});
    for (const auto v : q.codes()) REQUIRE(v == 0);
  }
}

TEST_CASE("non-finite inputs quantize without undefined behaviour: saturate, NaN is 0", "[quant]") {
  // Readers of user data reject NaN and infinities; whatever reaches the quantizer anyway must
  // not convert NaN to an integer (undefined) nor let one infinity zero every other code.
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  Matrix m(2, 4);
  const float row0[4] = {1.0f, -2.0f, inf, nan};
  const float row1[4] = {-inf, 0.5f, 4.0f, -4.0f};
  for (std::size_t c = 0; c < 4; ++c) {
    m.at(0, c) = row0[c];
    m.at(1, c) = row1[c];
  }
  for (const Granularity g :
       {Granularity::per_tensor, Granularity::per_token, Granularity::per_group}) {
    CAPTURE(to_string(g));
    const auto q = quantize(m, {8, g, 2});
    for (std::size_t r = 0; r < 2; ++r)
      for (std::size_t c = 0; c < 4; ++c) CHECK(std::isfinite(q.scale(r, c)));
    CHECK(q.at(0, 2) == 127);   // +inf saturates
    CHECK(q.at(1, 0) == -127);  // -inf saturates
    CHECK(q.at(0, 3) == 0);     // NaN has no code
    CHECK(q.at(0, 1) < 0);      // the finite values keep their codes
    CHECK(q.at(1, 2) > 0);
  }
  // All values non-finite: the scale falls back to 1.
  Matrix only(1, 2);
  only.at(0, 0) = inf;
  only.at(0, 1) = nan;
  const auto q = quantize(only, {8, Granularity::per_tensor, 32});
  CHECK(q.scale(0, 0) == 1.0f);
  CHECK(q.at(0, 0) == 127);
  CHECK(q.at(0, 1) == 0);
}

TEST_CASE("bit planes reconstruct every code exactly", "[bitplanes]") {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    Rng rng(seed, "planes");
    const int bits = 4 + static_cast<int>(rng.below(13));
    const std::size_t rows = 1 + rng.below(20), cols = 1 + rng.below(200);
    std::vector<std::int16_t> codes(rows * cols);
    const std::int64_t lo = -(std::int64_t{1} << (bits - 1));
    for (auto& c : codes)
      c = static_cast<std::int16_t>(lo +
                                    static_cast<std::int64_t>(rng.below(std::uint64_t{1} << bits)));
    const BitPlanes bp(codes, rows, cols, bits);
    REQUIRE(bp.words_per_plane() == (cols + 63) / 64);
    for (std::size_t r = 0; r < rows; ++r) {
      for (std::size_t c = 0; c < cols; ++c) {
        REQUIRE(bp.reconstruct(r, c) == codes[r * cols + c]);
        // The sign plane is set exactly for negative codes.
        REQUIRE(bp.bit(bits - 1, r, c) == (codes[r * cols + c] < 0));
      }
      for (int t = 0; t < bits; ++t) {
        int ones = 0;
        for (std::size_t c = 0; c < cols; ++c) ones += code_bit(codes[r * cols + c], t) ? 1 : 0;
        REQUIRE(bp.ones(t, r) == ones);
        // Padding bits beyond the last dimension stay zero.
        const auto last = bp.plane(t, r).back();
        if (cols % 64 != 0) REQUIRE((last >> (cols % 64)) == 0);
      }
    }
    // Plane-major, sign plane first: the first rows*words words are every key's sign plane.
    REQUIRE(bp.raw().size() == static_cast<std::size_t>(bits) * rows * bp.words_per_plane());
    REQUIRE(bp.raw().data() == bp.plane(bits - 1, 0).data());
    REQUIRE(bp.plane(bits - 2, 0).data() == bp.raw().data() + rows * bp.words_per_plane());
  }
}

TEST_CASE("plane weights implement two's complement", "[bitplanes]") {
  CHECK(plane_weight(7, 8) == -128);
  CHECK(plane_weight(6, 8) == 64);
  CHECK(plane_weight(0, 8) == 1);
  CHECK(plane_weight(15, 16) == -32768);
}
