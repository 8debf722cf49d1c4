// Guard rails: warnings for unbalanced designs, read off the model's utilizations.
#include <catch2/catch.hpp>

#include "core/metrics.hpp"
#include "models/guard_rails.hpp"

using pade::core::Metrics;
using pade::models::balance_warnings;

namespace {

Metrics utilizations(double qk, double softmax, double v_pu, double dram) {
  Metrics m;
  m.set("util_qk_pu", qk);
  m.set("util_softmax", softmax);
  m.set("util_v_pu", v_pu);
  m.set("util_dram", dram);
  return m;
}

}  // namespace

TEST_CASE("guard rails: a saturated unit with an idle QK-PU is named with its parameter",
          "[guard]") {
  const auto w = balance_warnings(utilizations(0.48, 1.0, 0.3, 0.2));
  REQUIRE(w.size() == 1);
  CHECK(w[0].unit == "softmax");
  CHECK_THAT(w[0].message, Catch::Contains("softmax.exp_units") && Catch::Contains("100 %") &&
                               Catch::Contains("48 %"));
  const auto dram = balance_warnings(utilizations(0.1, 0.1, 0.1, 0.99));
  REQUIRE(dram.size() == 1);
  CHECK(dram[0].unit == "dram");
}

TEST_CASE("guard rails: balanced designs and missing utilizations give no warning", "[guard]") {
  CHECK(balance_warnings(utilizations(0.97, 1.0, 0.5, 0.5)).empty());  // the array is the limit
  CHECK(balance_warnings(utilizations(0.5, 0.9, 0.9, 0.9)).empty());   // nothing saturated
  Metrics screening;  // a model without utilizations
  screening.set("latency_s", 1.0);
  CHECK(balance_warnings(screening).empty());
}
