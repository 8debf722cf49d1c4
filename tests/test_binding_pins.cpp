// Identities that stored databases depend on, pinned with the values the code produced BEFORE
// the typed binding (issue #13) replaced the hand-written schema, conversion and cache key. A
// database written by an earlier build resumes and merges only while these stay byte-identical:
// configuration hashes index designs, statistics-cache keys index stored digests.
#include <catch2/catch.hpp>

#include <string>

#include "core/schema.hpp"
#include "dse/stats_cache.hpp"
#include "models/hardware.hpp"

using namespace pade;

namespace {

core::Config hardware_with(std::initializer_list<std::pair<const char*, core::Value>> values) {
  core::Config c = core::default_config(models::hardware_schema());
  for (const auto& [key, value] : values) c.set(key, value, {"<test>", 0, 0});
  return c;
}

}  // namespace

TEST_CASE("pinned: statistics-cache keys of the default and two other points", "[binding]") {
  CHECK(dse::AlgorithmPoint{}.key() ==
        "bits=8;alpha=0.5;radius=5;bq=8;bk=64;order=head_tail;bui=1");
  CHECK(dse::AlgorithmPoint::from(hardware_with({})).key() ==
        "bits=8;alpha=0.5;radius=5;bq=8;bk=64;order=head_tail;bui=1");
  CHECK(dse::AlgorithmPoint::from(hardware_with({{"algorithm.bits", std::int64_t{6}},
                                                 {"algorithm.alpha", 0.3},
                                                 {"qk_pu.rows", std::int64_t{4}},
                                                 {"algorithm.tile_keys", std::int64_t{128}},
                                                 {"algorithm.tile_order", std::string("reverse")},
                                                 {"features.bui_gf", false}}))
            .key() == "bits=6;alpha=0.29999999999999999;radius=5;bq=4;bk=128;order=reverse;bui=0");
  // Hardware-only knobs never enter the key.
  CHECK(dse::AlgorithmPoint::from(hardware_with({{"algorithm.alpha", 0.7},
                                                 {"algorithm.radius", 2.5},
                                                 {"algorithm.tile_order", std::string("in_order")},
                                                 {"qk_pu.lanes_per_row", std::int64_t{32}},
                                                 {"coefficients.area.fa_ge", 8.0}}))
            .key() ==
        "bits=8;alpha=0.69999999999999996;radius=2.5;bq=8;bk=64;order=in_order;bui=1");
}

TEST_CASE("pinned: hardware configuration hashes", "[binding]") {
  const core::Config defaults = core::default_config(models::hardware_schema());
  CHECK(defaults.hash() == "ae5a5a3ab8e9a173");
  CHECK(hardware_with({{"algorithm.alpha", 0.3},
                       {"memory.key_layout", std::string("word_major")},
                       {"sram.kv_buffer_kib", 512.0},
                       {"name", std::string("other")},
                       {"coefficients.calib.logic_area_scale", 1.1}})
            .hash() == "d45cd5ef39ec1066");
}

TEST_CASE("pinned: the in-order array's tiles in flight enter only in-order hashes", "[binding]") {
  // qk_pu.tiles_in_flight was added after campaigns were stored, with a default (8) other than
  // what stored in-order designs meant (1): out-of-order designs never read it, so their hashes
  // (the default design's among them) do not move; an in-order design at 1 keeps its old hash.
  CHECK(hardware_with({{"qk_pu.tiles_in_flight", std::int64_t{4}}}).hash() == "ae5a5a3ab8e9a173");
  const auto in_order = [](std::int64_t k) {
    return hardware_with({{"features.out_of_order", false}, {"qk_pu.tiles_in_flight", k}});
  };
  CHECK(in_order(1).canonical().find("qk_pu.tiles_in_flight") == std::string::npos);
  CHECK(in_order(8).canonical().find("qk_pu.tiles_in_flight=8\n") != std::string::npos);
  CHECK(in_order(8).hash() != in_order(1).hash());
  CHECK(in_order(8).hash() == hardware_with({{"features.out_of_order", false}}).hash());
}
