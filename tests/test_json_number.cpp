// core::json_number: the shortest "%.{p}g" (p = 6..17) that reads back, computed from
// std::to_chars instead of one printf per precision. Checked against that definition.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <random>
#include <string>

#include "core/json.hpp"

namespace {
/// The definition json_number used to compute directly.
std::string shortest_printf(double v) {
  char buf[32];
  for (int prec = 6; prec < 17; ++prec) {
    std::snprintf(buf, sizeof buf, "%.*g", prec, v);
    if (std::strtod(buf, nullptr) == v) return buf;
  }
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}
}  // namespace

TEST_CASE("json_number is the shortest %.{6..17}g that reads back", "[json]") {
  const double special[] = {0.0,
                            -0.0,
                            0.1,
                            2.24,
                            42,
                            536870912,
                            1e-4,
                            1e-5,
                            123456,
                            1234567,
                            1e16,
                            1e17,
                            1e21,
                            0.0036113405385549413,
                            std::numeric_limits<double>::max(),
                            std::numeric_limits<double>::min(),
                            std::numeric_limits<double>::denorm_min()};
  for (const double v : special) {
    CHECK(pade::core::json_number(v) == shortest_printf(v));
    CHECK(pade::core::json_number(-v) == shortest_printf(-v));
  }
  CHECK(pade::core::json_number(std::nan("")) == "null");
  std::mt19937_64 rng(19);
  std::uniform_real_distribution<double> unit(0, 1);
  int mismatches = 0;
  for (int i = 0; i < 20000; ++i) {
    const std::uint64_t bits = rng();
    double any = 0;
    std::memcpy(&any, &bits, sizeof any);  // every exponent, subnormals included
    const double values[] = {any, unit(rng) * std::pow(10.0, static_cast<int>(rng() % 40) - 20),
                             std::round(unit(rng) * 1e6) / 1000,
                             std::ldexp(1.0, static_cast<int>(rng() % 2000) - 1000)};
    for (const double v : values)
      if (std::isfinite(v) && pade::core::json_number(v) != shortest_printf(v)) ++mismatches;
  }
  CHECK(mismatches == 0);
}
