#include <catch2/catch.hpp>

#include "core/schema.hpp"

using namespace pade::core;

TEST_CASE("edit distance") { CHECK(edit_distance("lanes", "lane") == 1); }
