// The typed binding (core/binding.hpp) and the one-declaration rule it enforces for hardware
// parameters, algorithm knobs, enumerations and model coefficients (docs/contributing.md,
// "Adding a parameter"). The identities stored databases depend on are pinned in
// test_binding_pins.cpp.
#include <catch2/catch.hpp>

#include <yaml-cpp/yaml.h>

#include <array>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "core/binding.hpp"
#include "core/coefficients.hpp"
#include "core/schema.hpp"
#include "dse/stats_cache.hpp"
#include "models/functional.hpp"
#include "models/hardware.hpp"

using namespace pade;
using Catch::Matchers::Contains;
using core::Field;
using core::Value;

namespace toy {

enum class Shape { round, square };
inline constexpr core::EnumTable kShapeNames{std::to_array<core::EnumName<Shape>>({
    {Shape::square, "square"},
    {Shape::round, "round"},
})};
constexpr const auto& enum_table(Shape) {
  return kShapeNames;
}

struct Knobs {
  int depth = 3;
  Shape shape = Shape::square;
  double late = 1.5;  // a knob added after keys were stored
};
struct Thing : Knobs {
  std::string label = "toy";
  double width = 2.5;
  bool fast = true;
  std::int64_t big = 1LL << 40;
  int added = 4;  // a parameter added after configurations were hashed (identity_unless)
};

core::Binding<Thing, Knobs> binding() {
  core::Binding<Thing, Knobs> b("thing", "a toy");
  b.add(Field(&Thing::label, "label").not_identity().describe("a name"));
  b.add(Field(&Thing::width, "size.width").with_unit("mm").range(1, 10).describe("how wide"));
  b.add(Field(&Thing::shape, "size.shape").describe("its outline").key_part("s", 1));
  b.add(Field(&Thing::depth, "size.depth").range(1, 9).describe("how deep").key_part("d", 0));
  b.add(Field(&Thing::fast, "fast").describe("hurry"));
  b.add(Field(&Thing::big, "big").at_least(0).describe("a large count"));
  b.add(Field(&Thing::late, "late").at_least(0).describe("added later").key_part_unless("l", 1.5));
  return b;
}

core::Config read(const core::Schema& schema, const std::string& text) {
  const core::YamlDocument doc = core::load_yaml_text(text, "toy.yaml");
  return core::read_config(*doc.root, schema, doc.file);
}

}  // namespace toy

TEST_CASE("a binding deduces kinds and reads defaults from the member initializers", "[binding]") {
  const auto b = toy::binding();
  const core::Schema& s = b.schema();
  REQUIRE(s.params().size() == 7);
  CHECK(s.params()[0].key == "label");  // declaration order is the reference's order
  CHECK(s.find("label")->kind == core::ParamKind::String);
  CHECK_FALSE(s.find("label")->identity);
  CHECK(s.find("size.width")->kind == core::ParamKind::Real);
  CHECK(s.find("size.width")->unit == "mm");
  CHECK(*s.find("size.width")->default_value == Value(2.5));
  CHECK(s.find("size.depth")->kind == core::ParamKind::Integer);
  CHECK(*s.find("size.depth")->default_value == Value(std::int64_t{3}));
  CHECK(s.find("size.shape")->kind == core::ParamKind::Choice);
  CHECK(s.find("size.shape")->choices == std::vector<std::string>{"square", "round"});
  CHECK(*s.find("size.shape")->default_value == Value(std::string("square")));
  CHECK(s.find("fast")->kind == core::ParamKind::Boolean);
  CHECK(*s.find("big")->default_value == Value(std::int64_t{1} << 40));
  CHECK(s.find("size.width")->allowed() == "real in [1, 10]");
}

TEST_CASE("a binding converts a Config into the struct, errors stay the schema's", "[binding]") {
  const auto b = toy::binding();
  const toy::Thing t = b.from(toy::read(b.schema(),
                                        "label: x\nsize: {width: 4, shape: round, depth: 9}\n"
                                        "fast: false\nbig: 7\nlate: 2\n"));
  CHECK(t.label == "x");
  CHECK(t.width == 4.0);
  CHECK(t.shape == toy::Shape::round);
  CHECK(t.depth == 9);
  CHECK_FALSE(t.fast);
  CHECK(t.big == 7);
  CHECK(t.late == 2.0);
  const toy::Thing d = b.from(toy::read(b.schema(), ""));
  CHECK(d.label == "toy");
  CHECK(d.shape == toy::Shape::square);
  CHECK(b.value(d, "size.shape") == Value(std::string("square")));

  const auto message = [&](const std::string& text) {
    try {
      (void)toy::read(b.schema(), text);
    } catch (const core::InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK_THAT(message("size:\n  shape: sqare\n"),
             Contains("toy.yaml:2:10") && Contains("'size.shape'") &&
                 Contains("did you mean 'square'?") && Contains("one of: square, round"));
  CHECK_THAT(message("size:\n  depth: 10\n"), Contains("toy.yaml:2:10") &&
                                                  Contains("out of range") &&
                                                  Contains("integer in [1, 9]"));
  CHECK_THAT(message("size:\n  widht: 3\n"), Contains("did you mean 'size.width'?"));
}

TEST_CASE("a derived key: positioned parts, then later parts only when not implied", "[binding]") {
  const auto b = toy::binding();
  toy::Knobs k;
  CHECK(b.key(k) ==
        "d=3;s=square");  // `late` at its implied value: keys from before it still match
  k.late = 2.0;
  k.shape = toy::Shape::round;
  CHECK(b.key(k) == "d=3;s=round;l=2");
  CHECK(b.key_part_keys() == std::vector<std::string>{"size.depth", "size.shape", "late"});
  const toy::Knobs from =
      b.key_part_of(toy::read(b.schema(), "size: {depth: 5, width: 9}\nlate: 0.1\n"));
  CHECK(b.key(from) == "d=5;s=square;l=0.10000000000000001");
}

TEST_CASE("a parameter added later keeps every earlier configuration hash", "[binding]") {
  const auto before = toy::binding();
  auto after = toy::binding();
  after.add(Field(&toy::Thing::added, "added").range(0, 10).describe("new").identity_unless(4));
  const std::string text = "size: {depth: 5, width: 9}\nlate: 0.1\n";
  const core::Config old_config = toy::read(before.schema(), text);
  // At the implied value the new key is in the Config but not in its identity.
  CHECK(toy::read(after.schema(), text).hash() == old_config.hash());
  CHECK(toy::read(after.schema(), text + "added: 4\n").hash() == old_config.hash());
  // Any other value is a different design.
  const core::Config moved = toy::read(after.schema(), text + "added: 6\n");
  CHECK(moved.hash() != old_config.hash());
  CHECK(moved.canonical().find("added=6") != std::string::npos);
}

TEST_CASE("a binding refuses declarations that would break its guarantees", "[binding]") {
  core::Binding<toy::Thing, toy::Knobs> b("thing", "a toy");
  b.add(Field(&toy::Thing::depth, "depth").range(1, 9).key_part("d", 0));
  // An int member without a range could not hold every integer the schema accepts.
  CHECK_THROWS_AS(b.add(Field(&toy::Thing::depth, "other")), std::logic_error);
  CHECK_THROWS_AS(b.add(Field(&toy::Thing::width, "depth")), std::logic_error);  // key twice
  CHECK_THROWS_AS(b.add(Field(&toy::Thing::late, "x").key_part("d", 1)), std::logic_error);
  CHECK_THROWS_AS(b.add(Field(&toy::Thing::late, "y").key_part("z", 0)), std::logic_error);
  // A member of the key struct must be a key part, and a key part must live in the key struct,
  // or AlgorithmPoint-like views would miss it.
  CHECK_THROWS_AS(b.add(Field(&toy::Thing::shape, "shape")), std::logic_error);
  CHECK_THROWS_AS(b.add(Field(&toy::Thing::width, "w").key_part("w", 2)), std::logic_error);
  // Nothing refused was added.
  CHECK(b.schema().params().size() == 1);
  CHECK(b.key_part_keys() == std::vector<std::string>{"depth"});
}

// ---------------------------------------------------------------------------------------------
// The one-declaration rule for the hardware file

TEST_CASE("every hardware parameter is bound to a member and documented", "[binding]") {
  const auto& binding = models::hardware_binding();
  std::ifstream in(std::filesystem::path(PADE_SOURCE_DIR) / "docs" / "configuration.md");
  std::stringstream doc;
  doc << in.rdbuf();
  const std::string reference = core::schema_reference_markdown(models::hardware_schema());
  for (const auto& p : models::hardware_schema().params()) {
    CAPTURE(p.key);
    const bool document_only = p.key == "kind";  // names the file's kind; nothing to fill
    CHECK(binding.is_bound(p.key) != document_only);
    const std::string row = "| `" + p.key + "` | ";
    CHECK(reference.find(row) != std::string::npos);
    CHECK(doc.str().find(row) != std::string::npos);
  }
  CHECK(binding.unbound_keys() == std::vector<std::string>{"kind"});
}

namespace {

/// An allowed value of `p` other than its default.
Value other_value(const core::ParamSpec& p) {
  const Value& d = *p.default_value;
  const auto shifted = [&](double x) { return (!p.max || x + 1 <= *p.max) ? x + 1 : x - 1; };
  switch (p.kind) {
    case core::ParamKind::Integer:
      return static_cast<std::int64_t>(shifted(static_cast<double>(std::get<std::int64_t>(d))));
    case core::ParamKind::Real:
      return shifted(std::get<double>(d));
    case core::ParamKind::Boolean:
      return !std::get<bool>(d);
    case core::ParamKind::String:
      return std::get<std::string>(d) + "-other";
    case core::ParamKind::Choice:
      for (const auto& c : p.choices)
        if (Value(c) != d) return c;
      break;
    case core::ParamKind::StringList:
      break;
  }
  FAIL("no other value for " << p.key);
  return d;
}

}  // namespace

TEST_CASE("each hardware parameter fills its own member and no other", "[binding]") {
  // Two declarations bound to one member, or a conversion that skips a member, show up here:
  // changing one parameter must change exactly the value read back for that parameter.
  const auto& binding = models::hardware_binding();
  const core::Config defaults = core::default_config(models::hardware_schema());
  const models::HardwareConfig base = models::to_hardware(defaults);
  const std::string base_key = dse::AlgorithmPoint::from(defaults).key();
  std::set<std::string> in_key;
  for (const auto& k : binding.key_part_keys()) in_key.insert(k);
  for (const auto& p : models::hardware_schema().params()) {
    if (!binding.is_bound(p.key)) continue;
    CAPTURE(p.key);
    core::Config c = defaults;
    const Value v = other_value(p);
    c.set(p.key, v, {"<test>", 0, 0});
    const models::HardwareConfig h = models::to_hardware(c);
    CHECK(binding.value(h, p.key) == v);
    for (const auto& q : models::hardware_schema().params())
      if (q.key != p.key && binding.is_bound(q.key))
        CHECK(binding.value(h, q.key) == binding.value(base, q.key));
    // Sparsity knobs, and only they, move the statistics-cache key.
    CHECK((dse::AlgorithmPoint::from(c).key() != base_key) == (in_key.count(p.key) == 1));
  }
}

TEST_CASE("the sparsity knobs are exactly the statistics-cache key parts", "[binding]") {
  CHECK(models::hardware_binding().key_part_keys() ==
        std::vector<std::string>{"algorithm.bits", "algorithm.alpha", "algorithm.radius",
                                 "qk_pu.rows", "algorithm.tile_keys", "algorithm.tile_order",
                                 "features.bui_gf", "algorithm.bits_per_round"});
  // The default point's key part is the default HardwareConfig's knobs.
  const dse::AlgorithmPoint p =
      dse::AlgorithmPoint::from(core::default_config(models::hardware_schema()));
  const models::HardwareConfig h;
  CHECK(models::hardware_binding().key(p) == models::hardware_binding().key(h));
}

TEST_CASE("enumerations: one table each, used for choices and names", "[binding]") {
  for (const auto& e : models::kTileOrderNames.entries()) {
    CAPTURE(e.name);
    CHECK(models::to_string(e.value) == e.name);  // functional.cpp's own switch agrees
    CHECK(core::enum_value<models::TileOrder>(e.name) == e.value);
  }
  CHECK(models::hardware_schema().find("algorithm.tile_order")->choices ==
        models::kTileOrderNames.names());
  CHECK(models::hardware_schema().find("memory.key_layout")->choices ==
        std::vector<std::string>{"bit_plane_first", "word_major"});
  CHECK(models::TileOrder::reverse == "reverse");
  CHECK_FALSE(models::TileOrder::reverse == "in_order");
  CHECK_THROWS_AS((void)(models::TileOrder::reverse == "revrese"), std::logic_error);
}

TEST_CASE("every ModelCoefficients member reads its own table coefficient", "[binding]") {
  // ModelCoefficients is all doubles (hardware.cpp asserts it), so it can be compared as an array.
  constexpr std::size_t n = sizeof(models::ModelCoefficients) / sizeof(double);
  const auto as_array = [](const models::ModelCoefficients& m) {
    std::array<double, n> a{};
    std::memcpy(a.data(), &m, sizeof m);
    return a;
  };
  const core::CoefficientTable table = core::CoefficientTable::defaults();
  const auto base = as_array(models::ModelCoefficients::from(table));
  std::set<std::size_t> read;
  for (const auto& c : table.entries()) {
    CAPTURE(c.name);
    core::CoefficientTable t = table;
    t.set(c.name, c.value * 3 + 1);
    const auto changed = as_array(models::ModelCoefficients::from(t));
    int moved = 0;
    for (std::size_t i = 0; i < n; ++i)
      if (changed[i] != base[i]) {
        ++moved;
        CHECK(changed[i] == c.value * 3 + 1);
        CHECK(read.insert(i).second);  // no member reads two coefficients
      }
    CHECK(moved <= 1);
  }
  CHECK(read.size() == n);  // and every member reads one
}
