// The typed YAML schema layer and the readers built on it: hardware files, campaign files with
// their design spaces, and `pade validate`. Bad inputs live in tests/data/bad/*.yaml, one file per
// mistake, each with the exact message the user sees (library and command line alike).
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>
#include "tests/support/run_pade.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "core/hash.hpp"
#include "core/schema.hpp"
#include "dse/campaign.hpp"
#include "dse/space.hpp"
#include "models/hardware.hpp"

using namespace pade;
using core::InputError;
using core::Value;
namespace fs = std::filesystem;

using pade::test::run_pade;
using pade::test::TempDir;

namespace {

const fs::path kDataDir = PADE_TEST_DATA_DIR;
const fs::path kBadDir = kDataDir / "bad";

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (auto pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size()))
    s.replace(pos, from.size(), to);
  return s;
}

// The InputError message of `fn`, or a test failure when it does not throw one.
std::string input_error(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const InputError& e) {
    return e.what();
  } catch (const std::exception& e) {
    FAIL("expected an InputError, got another exception: " << e.what());
  }
  FAIL("expected an InputError, nothing was thrown");
  return {};
}

// `pade ARGS`, with stdout and stderr captured.

core::Config hardware_text(const std::string& text, const std::string& name = "hw.yaml") {
  const core::YamlDocument doc = core::load_yaml_text(text, name);
  return core::read_config(*doc.root, models::hardware_schema(), doc.file);
}

dse::Campaign campaign_text(const std::string& text,
                            const fs::path& dir = fs::temp_directory_path()) {
  return dse::read_campaign_text(text, "campaign.yaml", dir);
}

const dse::Dimension& dimension(const dse::Campaign& c, const std::string& key) {
  for (const auto& d : c.space.dimensions())
    if (d.key == key) return d;
  FAIL("no dimension " << key);
  throw std::logic_error("unreachable");
}

std::vector<double> reals(const dse::Dimension& d) {
  std::vector<double> out;
  for (const auto& v : d.levels) out.push_back(std::get<double>(v));
  return out;
}

std::vector<std::int64_t> integers(const dse::Dimension& d) {
  std::vector<std::int64_t> out;
  for (const auto& v : d.levels) out.push_back(std::get<std::int64_t>(v));
  return out;
}

// ---------------------------------------------------------------------------------------------
// The bad files. `message` follows "<path>:"; {dir} stands for the folder of the bad files.

enum class Reader { Hardware, Campaign, CliOnly };

struct BadFile {
  const char* file;
  Reader reader;
  const char* message;                // InputError::what() after "<path>:"
  const char* cli_message = nullptr;  // when `pade validate` (which dispatches on kind:) differs
};

const std::vector<BadFile>& bad_files() {
  static const std::vector<BadFile> table = {
      // --- YAML itself ---------------------------------------------------------------------------
      {"hw_syntax_error.yaml", Reader::Hardware,
       "3:5: error: YAML syntax: end of map flow not found"},
      {"hw_duplicate_key.yaml", Reader::Hardware,
       "4:3: error: 'qk_pu.rows': duplicate key (each key may appear once)"},
      {"camp_duplicate_top_key.yaml", Reader::Campaign,
       "4:1: error: 'name': duplicate key (each key may appear once)"},
      {"hw_unterminated_quote.yaml", Reader::Hardware,  // used to read the rest as the name
       "2:7: error: a quoted string starts here and is never closed: its closing \" is missing"},
      {"camp_quote_closed_lines_later.yaml", Reader::Campaign,  // the next quote closed it
       "2:7: error: a quoted string runs from here over 4 lines (to line 5): is its closing \" "
       "missing? (values are one line each)"},
      {"hw_nested_too_deep.yaml", Reader::Hardware,  // used to say only "bad file"
       "2:6004: error: YAML nested too deeply (the parser stops at depth 500; configuration files "
       "need a handful)"},
      {"hw_second_document.yaml", Reader::Hardware,  // used to be ignored silently
       "6:1: error: a second YAML document (after '---') is not read: put everything in one "
       "document, or one document per file"},
      {"doc_top_level_sequence.yaml", Reader::Hardware,
       "1:1: error: found a list, expected a map of parameters",
       "1:1: error: expected a map with a 'kind' key at the top"},
      // --- unknown keys
      // ----------------------------------------------------------------------------
      {"hw_unknown_top_key.yaml", Reader::Hardware,
       "3:1: error: 'qk_pux': unknown hardware key (did you mean 'qk_pu'?)"},
      {"hw_unknown_nested_key.yaml", Reader::Hardware,
       "4:3: error: 'qk_pu.lanes_per_rwo': unknown hardware key (did you mean "
       "'qk_pu.lanes_per_row'?)"},
      {"camp_unknown_top_key.yaml", Reader::Campaign,
       "3:1: error: 'stratgy': unknown campaign key (did you mean 'strategy'?)"},
      {"camp_inline_hardware_unknown_key.yaml", Reader::Campaign,
       "5:5: error: 'hardware.qk_pu.lanes_per_rwo': unknown hardware key "
       "(did you mean 'hardware.qk_pu.lanes_per_row'?)"},
      // --- types
      // -----------------------------------------------------------------------------------
      {"hw_string_for_integer.yaml", Reader::Hardware,
       "3:9: error: 'qk_pu.rows': found 'eight', expected integer in [1, 256]"},
      {"hw_list_for_scalar.yaml", Reader::Hardware,
       "3:14: error: 'tech.clock_mhz': found a list, expected real in [50, 5000]"},
      {"hw_map_for_scalar.yaml", Reader::Hardware,
       "3:9: error: 'algorithm.bits': found a map, expected integer in [4, 16]"},
      {"hw_section_is_scalar.yaml", Reader::Hardware,
       "2:8: error: 'qk_pu': found '8', expected a map of parameters"},
      {"hw_real_for_integer.yaml", Reader::Hardware,
       "3:9: error: 'qk_pu.rows': found '8.5', expected integer in [1, 256]"},
      {"hw_quoted_integer.yaml", Reader::Hardware,  // quoted numbers are strings: rejected
       "3:18: error: 'qk_pu.lanes_per_row': found \"8\" (quoted, so a string), expected integer in "
       "[1, 1024]"},
      {"hw_boolean_yes.yaml", Reader::Hardware,  // YAML 1.1 yes/no are not booleans here
       "3:11: error: 'features.bui_gf': found 'yes', expected boolean"},
      {"hw_boolean_one.yaml", Reader::Hardware,
       "3:17: error: 'features.out_of_order': found '1', expected boolean"},
      // --- ranges and choices
      // ----------------------------------------------------------------------
      {"hw_below_min.yaml", Reader::Hardware,
       "3:12: error: 'tech.node_nm': found '3' (out of range), expected integer in [5, 180]"},
      {"hw_above_max.yaml", Reader::Hardware,
       "3:14: error: 'tech.clock_mhz': found '6000' (out of range), expected real in [50, 5000]"},
      {"hw_negative_coefficient.yaml", Reader::Hardware,
       "4:22: error: 'coefficients.sram.read_pj_per_bit': found '-0.5' (out of range), expected "
       "real >= 0"},
      {"camp_negative_seed.yaml", Reader::Campaign,
       "3:7: error: 'seed': found '-1' (out of range), expected integer >= 0"},
      {"hw_bad_choice.yaml", Reader::Hardware,
       "3:15: error: 'algorithm.tile_order': found 'head_tial' (did you mean 'head_tail'?), "
       "expected one of: head_tail, in_order, reverse"},
      {"camp_inline_hardware_bad.yaml", Reader::Campaign,
       "5:11: error: 'hardware.qk_pu.rows': found '0' (out of range), expected integer in [1, "
       "256]"},
      // --- kind and required keys
      // -------------------------------------------------------------------
      {"hw_wrong_kind.yaml", Reader::Hardware,
       "1:7: error: 'kind': found 'campaign', expected one of: hardware",
       "2:1: error: 'qk_pu': unknown campaign key"},  // validate reads it as the campaign it claims
                                                      // to be
      {"camp_hardware_wrong_kind.yaml", Reader::Campaign,
       "4:9: error: 'hardware.kind': found 'campaign', expected one of: hardware"},
      {"doc_unknown_kind.yaml", Reader::CliOnly,
       "1:7: error: 'kind': found 'hardwre', expected one of: hardware, campaign, model, suite, "
       "generator"},
      {"doc_missing_kind.yaml", Reader::CliOnly,
       "1:1: error: 'kind': missing document kind, expected one of: hardware, campaign, model, "
       "suite, generator"},
      {"camp_missing_name.yaml", Reader::Campaign,
       "1:1: error: 'name': missing required parameter (string)"},
      // --- campaign: hardware_file and objectives
      // ----------------------------------------------------
      {"camp_missing_hardware_file.yaml", Reader::Campaign,
       "3:16: error: 'hardware_file': found 'no-such-hardware.yaml', expected a hardware file "
       "('{dir}/no-such-hardware.yaml' does not exist)"},
      {"camp_hardware_file_is_folder.yaml", Reader::Campaign,
       "3:16: error: 'hardware_file': found '.', expected a hardware file ('{dir}/.' is not a "
       "file)"},
      {"camp_bad_objective.yaml", Reader::Campaign,
       "3:23: error: 'objectives': found 'energie' (did you mean 'energy'?), "
       "expected objectives from: latency, energy, area, power, accuracy_loss"},
      {"camp_duplicate_objective.yaml", Reader::Campaign,
       "6:5: error: 'objectives': found 'latency' a second time, expected each objective once"},
      // --- campaign: space
      // ---------------------------------------------------------------------------
      {"camp_space_not_parameter.yaml", Reader::Campaign,
       "4:3: error: 'space.qk_pu.lanes_per_rw': found an unknown parameter "
       "(did you mean 'qk_pu.lanes_per_row'?), expected a sweepable hardware parameter"},
      {"camp_space_nested_section.yaml", Reader::Campaign,
       "4:3: error: 'space.qk_pu': found a section, expected a dotted parameter key (e.g. "
       "'qk_pu.rows: [...]')"},
      {"camp_space_level_out_of_range.yaml", Reader::Campaign,
       "4:32: error: 'space.qk_pu.lanes_per_row': found '2048' (out of range), expected integer in "
       "[1, 1024]"},
      {"camp_space_quoted_level.yaml", Reader::Campaign,
       "4:19: error: 'space.qk_pu.rows': found \"8\" (quoted, so a string), expected integer in "
       "[1, 256]"},
      {"camp_space_step_and_factor.yaml", Reader::Campaign,
       "4:23: error: 'space.sram.kv_buffer_kib': found 'step' and 'factor', "
       "expected exactly one of 'step', 'factor' or 'steps'"},
      {"camp_space_to_below_from.yaml", Reader::Campaign,
       "4:40: error: 'space.algorithm.tile_keys.to': found '32', expected a number >= 'from' "
       "(256)"},
      {"camp_space_empty_list.yaml", Reader::Campaign,
       "4:15: error: 'space.qk_pu.rows': found an empty list, expected at least one level"},
      {"camp_space_unknown_range_key.yaml", Reader::Campaign,
       "4:41: error: 'space.algorithm.alpha.stpe': found an unknown range key (did you mean "
       "'step'?), "
       "expected one of: from, to, step, factor, steps, scale"},
      {"camp_space_too_many_levels.yaml", Reader::Campaign,  // used to allocate until bad_alloc
       "4:45: error: 'space.algorithm.alpha.step': found '1e-12' (100000000000001 levels), "
       "expected at most 100000 levels"},
      {"space_step_tiny.yaml", Reader::Campaign,  // used to say "-9223372036854775808 levels"
       "4:43: error: 'space.algorithm.alpha.step': found '1e-300' (too many levels), expected at "
       "most 100000 levels"},
      {"space_integer_half_step.yaml", Reader::Campaign,  // used to round into 8 levels silently
       "4:38: error: 'space.qk_pu.rows.step': found '0.5', expected a whole number (qk_pu.rows is "
       "an integer parameter)"},
      {"space_integer_fractional_to.yaml", Reader::Campaign,
       "4:38: error: 'space.qk_pu.lanes_per_row.to': found '64.5', expected a whole number "
       "(qk_pu.lanes_per_row is an integer parameter)"},
      {"space_integer_fractional_factor.yaml", Reader::Campaign,
       "4:41: error: 'space.qk_pu.rows.factor': found '1.5' (level 4 would be 13.5), expected a "
       "factor that keeps every level a whole number (qk_pu.rows is an integer parameter)"},
      {"space_scale_without_steps.yaml", Reader::Campaign,
       "4:59: error: 'space.algorithm.alpha.scale': found 'scale' with 'step', expected 'scale' "
       "only with 'steps' (a 'factor' range is geometric, a 'step' range linear)"},
      {"space_derived_too_deep.yaml", Reader::Campaign,  // 400k of them overflowed the stack
       "4:22: error: 'derived.softmax.exp_units': more than 200 nested parentheses, function "
       "calls or unary minus signs at character 201 of \"------------------------------------"
       "------------------------ ... (92 characters) ... ------------------------------------"
       "------------- qk_pu.rows\", expected at most 200 levels of nesting"},
  };
  return table;
}

std::string expected_message(const BadFile& b, bool cli) {
  const std::string rest = cli && b.cli_message != nullptr ? b.cli_message : b.message;
  return (kBadDir / b.file).string() + ":" + replace_all(rest, "{dir}", kBadDir.string());
}

void read_with(Reader reader, const fs::path& path) {
  switch (reader) {
    case Reader::Hardware:
      (void)models::read_hardware(path.string());
      break;
    case Reader::Campaign:
      (void)dse::read_campaign(path.string());
      break;
    case Reader::CliOnly:
      break;
  }
}

const char* const kFullHardware = R"(kind: hardware
name: full
tech:
  node_nm: 16
  clock_mhz: 1000.5
qk_pu:
  rows: 4
  lanes_per_row: 32
  dims_per_lane: 64
  gsat_subgroup: 4
  scoreboard_entries: 64
  scoreboard_entry_bits: 48
v_pu:
  qk_to_v_ratio: 4
softmax:
  exp_units: 4
sram:
  kv_buffer_kib: 512
  q_buffer_kib: 32
  out_buffer_kib: 8.5
hbm:
  pseudo_channels: 32
  channel_bits: 128
  pin_rate_gbps: 3.2
  burst_length: 8
  latency_ns: 0
memory:
  key_layout: word_major
algorithm:
  bits: 12
  alpha: 0.25
  radius: 7.5
  tile_keys: 1e3
  tile_order: reverse
features:
  bui_gf: false
  bidirectional: False
  out_of_order: True
coefficients:
  sram:
    read_pj_per_bit: 0.04
)";

}  // namespace

// =============================================================================================
// Valid files

TEST_CASE("a full hardware file sets every value", "[schema]") {
  TempDir dir("full");
  const fs::path file = dir.write("hw.yaml", kFullHardware);
  const core::Config c = models::read_hardware(file.string());
  const models::HardwareConfig h = models::to_hardware(c);
  CHECK(h.name == "full");
  CHECK(h.node_nm == 16);
  CHECK(h.clock_mhz == 1000.5);
  CHECK(h.qk_rows == 4);
  CHECK(h.lanes_per_row == 32);
  CHECK(h.dims_per_lane == 64);
  CHECK(h.gsat_subgroup == 4);
  CHECK(h.scoreboard_entries == 64);
  CHECK(h.scoreboard_entry_bits == 48);
  CHECK(h.qk_to_v_ratio == 4.0);
  CHECK(h.exp_units == 4);
  CHECK(h.kv_buffer_kib == 512.0);
  CHECK(h.q_buffer_kib == 32.0);
  CHECK(h.out_buffer_kib == 8.5);
  CHECK(h.hbm_pseudo_channels == 32);
  CHECK(h.hbm_channel_bits == 128);
  CHECK(h.hbm_pin_rate_gbps == 3.2);
  CHECK(h.hbm_burst_length == 8);
  CHECK(h.hbm_latency_ns == 0.0);
  CHECK(h.key_layout == models::KeyLayout::WordMajor);
  CHECK(h.bits == 12);
  CHECK(h.alpha == 0.25);
  CHECK(h.radius == 7.5);
  CHECK(h.tile_keys == 1000);  // 1e3 is an integer when it is whole
  CHECK(h.tile_order == "reverse");
  CHECK_FALSE(h.bui_gf);
  CHECK_FALSE(h.bidirectional);  // False and True are booleans (YAML 1.2 core spellings)
  CHECK(h.out_of_order);
  CHECK(h.coefficients.get("sram.read_pj_per_bit") == 0.04);
  CHECK(h.coefficients.get("sram.write_pj_per_bit") ==
        core::CoefficientTable::defaults().get("sram.write_pj_per_bit"));
  // ... and the models' resolved view of the table follows the override.
  CHECK(h.coef.sram_read_pj_per_bit == 0.04);
  CHECK(h.coef.sram_write_pj_per_bit ==
        core::CoefficientTable::defaults().get("sram.write_pj_per_bit"));
  // Integers written for a real parameter are stored as reals; positions are kept.
  CHECK(std::holds_alternative<double>(c.value("v_pu.qk_to_v_ratio")));
  CHECK(c.where("qk_pu.lanes_per_row").str() == file.string() + ":8:18");
  CHECK(c.where("qk_pu.rows").line == 7);
  CHECK(c.where("hbm.latency_ns").column == 15);
}

TEST_CASE("an empty hardware file is the paper's design point", "[schema]") {
  const core::Config only_kind = hardware_text("kind: hardware\n");
  const core::Config empty_doc = hardware_text("");
  const core::Config defaults = core::default_config(models::hardware_schema());
  CHECK(only_kind.canonical() == defaults.canonical());
  CHECK(empty_doc.canonical() == defaults.canonical());
  CHECK(only_kind.hash() == defaults.hash());
  for (const auto& p : models::hardware_schema().params()) {
    CAPTURE(p.key);
    REQUIRE(only_kind.has(p.key));
    CHECK(only_kind.value(p.key) == *p.default_value);
    if (p.key != "kind") CHECK(only_kind.where(p.key).file == "<default>");
  }
  const models::HardwareConfig h = models::to_hardware(only_kind);
  const models::HardwareConfig paper;
  CHECK(h.name == "pade-default");
  CHECK(h.lanes() == paper.lanes());
  CHECK(h.lanes() == 128);
  CHECK(h.hbm_bandwidth_gbps() == 256.0);
  CHECK(h.sram_kib() == paper.sram_kib());
  CHECK(h.tile_order == paper.tile_order);
  CHECK(h.key_layout == models::KeyLayout::BitPlaneFirst);
  CHECK(h.bui_gf);
  CHECK(h.bidirectional);
  CHECK(h.out_of_order);
}

TEST_CASE("campaign space: lists and ranges produce the exact levels", "[schema]") {
  const dse::Campaign c = campaign_text(R"(kind: campaign
name: ranges
space:
  qk_pu.lanes_per_row: [8, 16, 32]
  algorithm.alpha: {from: 0.3, to: 0.7, step: 0.1}
  sram.kv_buffer_kib: {from: 64, to: 1024, factor: 2}
  algorithm.tile_keys: {from: 32, to: 256, steps: 4, scale: log}
  algorithm.radius: {from: 1, to: 2, steps: 5}
  qk_pu.rows: {from: 8, to: 10, steps: 5}
  tech.clock_mhz: 900
  features.bui_gf: [true, False]
  algorithm.tile_order: [head_tail, in_order]
)");
  CHECK(c.name == "ranges");
  REQUIRE(c.space.dimensions().size() == 9);
  CHECK(c.space.dimensions()[0].key == "qk_pu.lanes_per_row");  // file order is kept
  CHECK(integers(dimension(c, "qk_pu.lanes_per_row")) == std::vector<std::int64_t>{8, 16, 32});
  CHECK(reals(dimension(c, "algorithm.alpha")) == std::vector<double>{0.3, 0.4, 0.5, 0.6, 0.7});
  CHECK(reals(dimension(c, "sram.kv_buffer_kib")) == std::vector<double>{64, 128, 256, 512, 1024});
  CHECK(integers(dimension(c, "algorithm.tile_keys")) ==
        std::vector<std::int64_t>{32, 64, 128, 256});
  CHECK(reals(dimension(c, "algorithm.radius")) == std::vector<double>{1, 1.25, 1.5, 1.75, 2});
  // An integer parameter rounds `steps` points and drops the repeats (8.5 -> 9, 9.5 -> 10).
  CHECK(integers(dimension(c, "qk_pu.rows")) == std::vector<std::int64_t>{8, 9, 10});
  CHECK(reals(dimension(c, "tech.clock_mhz")) == std::vector<double>{900});
  CHECK(dimension(c, "features.bui_gf").levels == std::vector<Value>{true, false});
  CHECK(dimension(c, "algorithm.tile_order").levels ==
        std::vector<Value>{std::string("head_tail"), std::string("in_order")});
  CHECK(c.space.cardinality() == 3.0 * 5 * 5 * 4 * 5 * 3 * 1 * 2 * 2);
  CHECK(dimension(c, "algorithm.alpha").where.line == 5);

  // A point applies one level per dimension on top of the base.
  std::vector<std::size_t> pick(c.space.dimensions().size(), 0);
  pick[0] = 2;
  pick[1] = 4;
  const core::Config p = c.space.point(c.base, pick);
  CHECK(p.integer("qk_pu.lanes_per_row") == 32);
  CHECK(p.real("algorithm.alpha") == 0.7);
  CHECK(p.real("tech.clock_mhz") == 900.0);
  CHECK(p.hash() != c.base.hash());
}

TEST_CASE("campaign defaults and an absent space", "[schema]") {
  const dse::Campaign c = campaign_text("kind: campaign\nname: minimal\n");
  CHECK(c.space.dimensions().empty());
  CHECK(c.space.cardinality() == 1.0);
  CHECK(c.seed == 1);
  CHECK(c.suite == "pade22");
  CHECK(c.strategy == "grid");
  CHECK(c.fidelity == "analytical");  // every verb's default model
  CHECK(c.objectives == std::vector<dse::Objective>{dse::Objective::Latency, dse::Objective::Energy,
                                                    dse::Objective::Area});
  CHECK(c.constraints.empty());
  CHECK(c.batch_size == 32);
  CHECK(c.population == 16);
  CHECK(c.base.hash() == core::default_config(models::hardware_schema()).hash());
}

TEST_CASE("campaign hardware: hardware_file relative to the campaign, then inline overrides",
          "[schema]") {
  TempDir dir("hwfile");
  dir.write("study/hw/base.yaml",
            "kind: hardware\nname: base\nqk_pu: {rows: 16, lanes_per_row: 32}\n");
  const fs::path campaign = dir.write("study/campaign.yaml", R"(kind: campaign
name: with-hardware
hardware_file: hw/base.yaml
hardware:
  qk_pu:
    rows: 4
  algorithm: {alpha: 0.75}
space:
  qk_pu.scoreboard_entries: [16, 32]
)");
  // The working directory is not the campaign's folder: the path must resolve against the file.
  REQUIRE(fs::current_path() != campaign.parent_path());
  const dse::Campaign c = dse::read_campaign(campaign.string());
  CHECK(c.base.integer("qk_pu.rows") == 4);             // inline wins over the file
  CHECK(c.base.integer("qk_pu.lanes_per_row") == 32);   // from hardware_file
  CHECK(c.base.real("algorithm.alpha") == 0.75);        // inline only
  CHECK(c.base.integer("qk_pu.dims_per_lane") == 128);  // default
  CHECK(c.base.string("name") == "base");
  CHECK(c.base.where("qk_pu.rows").str() == campaign.string() + ":6:11");
  CHECK(c.base.where("qk_pu.lanes_per_row").file ==
        (campaign.parent_path() / "hw/base.yaml").string());

  // An error inside the referenced file names that file.
  dir.write("study/hw/base.yaml", "kind: hardware\nqk_pu: {rows: 999}\n");
  CHECK(input_error([&] { (void)dse::read_campaign(campaign.string()); }) ==
        (campaign.parent_path() / "hw/base.yaml").string() +
            ":2:15: error: 'qk_pu.rows': found '999' (out of range), expected integer in [1, 256]");
}

TEST_CASE("Config::hash is stable and independent of key order and name", "[schema]") {
  const std::string a =
      "kind: hardware\nname: first\nqk_pu: {rows: 4, lanes_per_row: 32}\ntech: {clock_mhz: 900}\n";
  const std::string b =
      "tech:\n  clock_mhz: 9e2\nqk_pu:\n  lanes_per_row: 32\n  rows: 4\nname: second\nkind: "
      "hardware\n";
  const core::Config ca = hardware_text(a);
  const core::Config cb = hardware_text(b);
  CHECK(ca.hash().size() == 16);
  CHECK(ca.hash().find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(ca.hash() == hardware_text(a).hash());  // same text, same hash
  CHECK(ca.hash() == cb.hash());                // order, spelling of numbers and name do not matter
  CHECK(ca.canonical() == cb.canonical());
  CHECK(ca.canonical().find("name=") == std::string::npos);
  CHECK(ca.canonical().find("kind=") == std::string::npos);
  CHECK(ca.hash() != hardware_text(replace_all(a, "rows: 4", "rows: 5")).hash());
  CHECK(ca.hash() != core::default_config(models::hardware_schema()).hash());

  // The canonical text and the hash function are pinned: stored results are keyed by them.
  core::Schema tiny("tiny", "for the test");
  tiny.add(core::ParamSpec::integer("b.count").defaults(std::int64_t{3}));
  tiny.add(core::ParamSpec::real("a.scale").defaults(0.1));
  tiny.add(core::ParamSpec::string("label").defaults(std::string("x")).not_identity());
  const core::Config t = core::default_config(tiny);
  CHECK(t.canonical() == "a.scale=0.1\nb.count=3\n");
  CHECK(t.hash() == core::content_hash("a.scale=0.1\nb.count=3\n"));
  CHECK(core::content_hash("") == "cbf29ce484222325");
}

TEST_CASE("Config::set validates like the reader", "[schema]") {
  core::Config c = core::default_config(models::hardware_schema());
  const core::SourceLocation at{"space.yaml", 3, 5};
  const std::string base_hash = c.hash();

  c.set("qk_pu.rows", std::int64_t{4}, at);
  CHECK(c.integer("qk_pu.rows") == 4);
  CHECK(c.where("qk_pu.rows").str() == "space.yaml:3:5");
  CHECK(c.hash() != base_hash);
  c.set("tech.clock_mhz", std::int64_t{900}, at);  // integers widen to reals
  CHECK(std::holds_alternative<double>(c.value("tech.clock_mhz")));
  c.set("algorithm.bits", 6.0, at);  // a whole real narrows to an integer
  CHECK(c.integer("algorithm.bits") == 6);
  const std::string h = c.hash();
  c.set("name", std::string("renamed"), at);  // not identity
  CHECK(c.hash() == h);

  struct Case {
    const char* key;
    Value value;
    const char* message;
  };
  const std::vector<Case> cases = {
      {"qk_pu.rows", std::int64_t{0},
       "'qk_pu.rows': found '0' (out of range), expected integer in [1, 256]"},
      {"qk_pu.rows", std::int64_t{257},
       "'qk_pu.rows': found '257' (out of range), expected integer in [1, 256]"},
      {"qk_pu.rows", 4.5, "'qk_pu.rows': found '4.5', expected integer in [1, 256]"},
      {"qk_pu.rows", std::string("4"), "'qk_pu.rows': found '4', expected integer in [1, 256]"},
      {"tech.clock_mhz", 49.5,
       "'tech.clock_mhz': found '49.5' (out of range), expected real in [50, 5000]"},
      {"hbm.pin_rate_gbps", std::numeric_limits<double>::infinity(),
       "'hbm.pin_rate_gbps': found 'inf' (not finite), expected real in [0.1, 32]"},
      {"features.bui_gf", std::int64_t{1}, "'features.bui_gf': found '1', expected boolean"},
      {"memory.key_layout", std::string("word-major"),
       "'memory.key_layout': found 'word-major' (did you mean 'word_major'?), "
       "expected one of: bit_plane_first, word_major"},
      {"qk_pu.row", std::int64_t{8}, "'qk_pu.row': unknown parameter (did you mean 'qk_pu.rows'?)"},
      {"qk_pu.lanes", std::int64_t{8}, "'qk_pu.lanes': unknown parameter"},  // nothing close enough
  };
  for (const auto& k : cases) {
    CAPTURE(k.key, core::value_text(k.value));
    CHECK(input_error([&] { c.set(k.key, k.value, at); }) ==
          std::string("space.yaml:3:5: error: ") + k.message);
  }
  CHECK(c.integer("qk_pu.rows") == 4);  // a rejected set leaves the value alone
}

// =============================================================================================
// Bad files: library and command line give the same exact message

TEST_CASE("every bad file in tests/data/bad has an exact, located error", "[schema]") {
  std::set<std::string> on_disk;
  for (const auto& entry : fs::directory_iterator(kBadDir))
    if (entry.path().extension() == ".yaml") on_disk.insert(entry.path().filename().string());
  std::set<std::string> listed;
  for (const auto& b : bad_files()) CHECK(listed.insert(b.file).second);
  CHECK(on_disk == listed);  // a new bad file needs an expected message here
  CHECK(listed.size() >= 20);

  for (const auto& b : bad_files()) {
    const fs::path path = kBadDir / b.file;
    CAPTURE(b.file);
    if (b.reader != Reader::CliOnly)
      CHECK(input_error([&] { read_with(b.reader, path); }) == expected_message(b, false));
    const pade::test::CliRun r = run_pade("validate " + pade::test::shell_quote(path.string()));
    CHECK(r.code == 2);
    CHECK(r.err == expected_message(b, true) + "\n");  // exactly one line
    CHECK(r.out.empty());
  }
}

TEST_CASE("more bad values, read from text", "[schema]") {
  struct Case {
    const char* yaml;
    const char* message;  // after "hw.yaml:"
  };
  const std::vector<Case> cases = {
      {"tech: {clock_mhz: inf}",
       "1:19: error: 'tech.clock_mhz': found 'inf' (not finite), expected real in [50, 5000]"},
      {"tech: {clock_mhz: .inf}",
       "1:19: error: 'tech.clock_mhz': found '.inf', expected real in [50, 5000]"},
      {"qk_pu: {rows: 0x10}",
       "1:15: error: 'qk_pu.rows': found '0x10', expected integer in [1, 256]"},
      {"qk_pu: {rows: 1e400}",
       "1:15: error: 'qk_pu.rows': found '1e400', expected integer in [1, 256]"},
      {"qk_pu: {rows: }",
       "1:9: error: 'qk_pu.rows': found nothing (null), expected integer in [1, 256]"},
      {"qk_pu:\n", "1:1: error: 'qk_pu': found nothing (null), expected a map of parameters"},
      {"features: {bui_gf: \"true\"}",
       "1:20: error: 'features.bui_gf': found \"true\" (quoted, so a string), expected boolean"},
      {"features: {bui_gf: TRUE}",
       "1:20: error: 'features.bui_gf': found 'TRUE', expected boolean"},
      {"name: [a, b]", "1:7: error: 'name': found a list, expected string"},
      {"? [a]\n: 1\n", "1:3: error: found a non-scalar key, expected a name"},
  };
  for (const auto& k : cases) {
    CAPTURE(k.yaml);
    CHECK(input_error([&] { (void)hardware_text(k.yaml); }) == std::string("hw.yaml:") + k.message);
  }
}

TEST_CASE("more bad design spaces, read from text", "[schema]") {
  struct Case {
    const char* space;    // the `space:` entry, on line 4 from column 3
    const char* message;  // after "campaign.yaml:"
  };
  const std::vector<Case> cases = {
      {"name: [a, b]",
       "4:3: error: 'space.name': found a label (not part of a design point), "
       "expected a sweepable hardware parameter"},
      {"qk_pu.rows: {from: 1, to: 8}",
       "4:15: error: 'space.qk_pu.rows': found none of them, "
       "expected exactly one of 'step', 'factor' or 'steps'"},
      {"qk_pu.rows: {from: 1, step: 1}",
       "4:15: error: 'space.qk_pu.rows': found a range without 'to', expected a range with 'from' "
       "and 'to'"},
      {"qk_pu.rows: {from: 1, to: 8, step: 0}",
       "4:38: error: 'space.qk_pu.rows.step': found '0', expected a number > 0"},
      {"qk_pu.rows: {from: 1, to: 8, factor: 1}",
       "4:40: error: 'space.qk_pu.rows.factor': found '1', expected a number > 1"},
      {"algorithm.alpha: {from: 0, to: 8, factor: 2}",
       "4:27: error: 'space.algorithm.alpha.from': found '0', expected a number > 0 (a geometric "
       "range)"},
      {"qk_pu.rows: {from: 1, to: 8, steps: 2.5}",
       "4:39: error: 'space.qk_pu.rows.steps': found '2.5', expected a whole number >= 1"},
      {"qk_pu.rows: {from: 1, to: 8, steps: 1e12}",
       "4:39: error: 'space.qk_pu.rows.steps': found '1e12' (1000000000000 levels), expected at "
       "most 100000 levels"},
      {"qk_pu.rows: {from: 1, to: 8, steps: 3, scale: exp}",
       "4:49: error: 'space.qk_pu.rows.scale': found 'exp', expected one of: linear, log"},
      {"algorithm.alpha: {from: 1e-300, to: 1e300, factor: 1.0000001}",
       "4:54: error: 'space.algorithm.alpha.factor': found '1.0000001' (13815511241 levels), "
       "expected at most 100000 levels"},
      {"qk_pu.rows: {from: one, to: 8, step: 1}",
       "4:22: error: 'space.qk_pu.rows.from': found 'one', expected a number"},
      {"qk_pu.rows: {from: 0, to: 4, step: 2}",
       "4:15: error: 'space.qk_pu.rows': found '0' (out of range), expected integer in [1, 256]"},
      {"algorithm.tile_order: {from: 1, to: 2, step: 1}",
       "4:25: error: 'space.algorithm.tile_order': found a range, expected a list of levels "
       "(one of: head_tail, in_order, reverse); ranges need a number"},
      {"algorithm.tile_order: [head_tail, tail_head]",
       "4:37: error: 'space.algorithm.tile_order': found 'tail_head', expected one of: head_tail, "
       "in_order, reverse"},
      {"features.bui_gf: [true, yes]",
       "4:27: error: 'space.features.bui_gf': found 'yes', expected boolean"},
      {"qk_pu.rows: [[1, 2]]",
       "4:16: error: 'space.qk_pu.rows': found a list, expected integer in [1, 256]"},
  };
  for (const auto& k : cases) {
    CAPTURE(k.space);
    const std::string text = std::string("kind: campaign\nname: s\nspace:\n  ") + k.space + "\n";
    CHECK(input_error([&] { (void)campaign_text(text); }) ==
          std::string("campaign.yaml:") + k.message);
  }
  // A duplicate space key and a space that is not a map.
  CHECK(input_error([&] {
          (void)campaign_text(
              "kind: campaign\nname: s\nspace:\n  qk_pu.rows: [1]\n  qk_pu.rows: [2]\n");
        }) ==
        "campaign.yaml:5:3: error: 'space.qk_pu.rows': duplicate key (each parameter may be swept "
        "once)");
  CHECK(
      input_error([&] { (void)campaign_text("kind: campaign\nname: s\nspace: [qk_pu.rows]\n"); }) ==
      "campaign.yaml:3:8: error: 'space': found a list, expected a map of parameter: levels");
  CHECK(input_error([&] { (void)campaign_text("kind: campaign\nname: ''\n"); }) ==
        "campaign.yaml:2:7: error: 'name': found an empty name, expected a campaign name");
  CHECK(input_error([&] { (void)campaign_text("kind: campaign\nname: s\nobjectives: []\n"); }) ==
        "campaign.yaml:3:13: error: 'objectives': found an empty list, expected at least one "
        "objective");
}

// =============================================================================================
// The command line

TEST_CASE("pade validate: good files exit 0, missing input exits 2", "[schema]") {
  TempDir dir("cli");
  const fs::path hw = dir.write("hw.yaml", kFullHardware);
  const fs::path campaign = dir.write(
      "campaign.yaml",
      "kind: campaign\nname: cli\nhardware_file: hw.yaml\nbenchmarks: [llama2-7b/mmlu]\n"
      "space:\n  qk_pu.rows: [4, 8]\n  algorithm.alpha: {from: 0.3, to: 0.7, step: 0.1}\n");

  const pade::test::CliRun h = run_pade("validate " + pade::test::shell_quote(hw.string()));
  CHECK(h.code == 0);
  CHECK(h.err.empty());
  CHECK(h.out == hw.string() + ": ok (hardware configuration, hash " +
                     models::read_hardware(hw.string()).hash() + ")\n");

  const pade::test::CliRun c = run_pade("validate " + pade::test::shell_quote(campaign.string()));
  CHECK(c.code == 0);
  CHECK(c.err.empty());
  CHECK(c.out ==
        campaign.string() + ": ok (campaign 'cli': 2 parameters swept, 10 points, 1 benchmarks)\n");

  const pade::test::CliRun none = run_pade("validate");
  CHECK(none.code == 2);
  CHECK(none.err == "error: validate needs a FILE (or --explain)\n");

  const fs::path missing = dir.path() / "missing.yaml";
  const pade::test::CliRun m = run_pade("validate " + pade::test::shell_quote(missing.string()));
  CHECK(m.code == 2);
  CHECK(m.err == missing.string() + ": error: YAML file: no such file\n");
}

TEST_CASE("pade validate --explain documents every parameter", "[schema]") {
  const pade::test::CliRun r = run_pade("validate --explain");
  REQUIRE(r.code == 0);
  CHECK(r.err.empty());
  for (const auto* schema : {&models::hardware_schema(), &dse::campaign_schema()}) {
    for (const auto& p : schema->params()) {
      CAPTURE(schema->name(), p.key);
      CHECK(r.out.find("| `" + p.key + "` |") != std::string::npos);
    }
  }
  CHECK(r.out.find("| `space` | section |") != std::string::npos);
}

TEST_CASE("docs/configuration.md is the output of pade validate --explain", "[schema]") {
  const fs::path doc = fs::path(PADE_SOURCE_DIR) / "docs" / "configuration.md";
  REQUIRE(fs::exists(doc));
  const pade::test::CliRun r = run_pade("validate --explain");
  REQUIRE(r.code == 0);
  const bool same = pade::test::slurp(doc) == r.out;
  if (!same)
    FAIL_CHECK(
        "docs/configuration.md is stale; regenerate it from the source folder with\n"
        "  ./build/pade validate --explain > docs/configuration.md\nand commit it.");
  CHECK(same);
}
