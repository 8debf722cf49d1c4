// The registries are the only source of strategy, fidelity, baseline, trace-kind and figure names:
// every registered name must reach the schema's choices and the reference (docs/configuration.md),
// and an unknown name is an InputError that lists the registered ones.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/enum_table.hpp"
#include "core/error.hpp"
#include "dse/campaign.hpp"
#include "models/baselines/baseline.hpp"
#include "models/fidelity.hpp"
#include "results/plot.hpp"
#include "search/strategy.hpp"
#include "workloads/catalog.hpp"

using namespace pade;

namespace {

std::string reference() {
  std::ifstream in(std::filesystem::path(PADE_SOURCE_DIR) / "docs" / "configuration.md");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> choices_of(const core::Schema& schema, const std::string& key) {
  const core::ParamSpec* p = schema.find(key);
  REQUIRE(p != nullptr);
  return p->choices;
}

/// The reference lists a registered name as a table row: "| `name` |".
bool documented(const std::string& doc, const std::string& name) {
  return doc.find("| `" + name + "` |") != std::string::npos;
}

std::string error_of(auto&& f) {
  try {
    f();
  } catch (const core::InputError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("registries: every registered name is a schema choice and documented", "[registry]") {
  const std::string doc = reference();
  REQUIRE(!doc.empty());

  // Choices in registry order: the reference and every error message list them so.
  CHECK(choices_of(dse::campaign_schema(), "strategy") == search::builtin_strategies().names());
  CHECK(choices_of(dse::campaign_schema(), "fidelity") == models::builtin_fidelities().names());
  CHECK(choices_of(workloads::suite_entry_schema(), "trace.kind") ==
        core::enum_names<workloads::TraceKind>());

  for (const auto& n : search::builtin_strategies().names()) {
    CAPTURE(n);
    CHECK(documented(doc, n));
  }
  for (const auto& n : models::builtin_fidelities().names()) {
    CAPTURE(n);
    CHECK(documented(doc, n));
  }
  for (const auto& n : models::builtin_baselines().names()) {
    CAPTURE(n);
    CHECK(documented(doc, n));
  }
  for (const auto& n : results::figure_names()) {
    CAPTURE(n);
    CHECK(documented(doc, n));
  }
  for (const auto& n : core::enum_names<workloads::TraceKind>()) {
    CAPTURE(n);
    CHECK(doc.find(n) != std::string::npos);
  }
}

TEST_CASE("registries: each strategy's options are campaign keys", "[registry]") {
  const std::string doc = reference();
  for (const auto& s : search::builtin_strategies().entries())
    for (const auto& o : s.options) {
      CAPTURE(s.name, o.spec.key);
      REQUIRE(dse::campaign_schema().find(o.spec.key) != nullptr);
      CHECK(dse::campaign_schema().find(o.spec.key)->doc == o.spec.doc);
      CHECK(documented(doc, o.spec.key));
    }
}

TEST_CASE("registries: unknown names are input errors listing the names", "[registry]") {
  CHECK(error_of([] { (void)models::builtin_fidelities().get("evnt"); }) ==
        "error: unknown fidelity 'evnt' (did you mean 'event'?), expected one of: screening, "
        "analytical, event");
  CHECK(error_of([] {
          (void)models::builtin_fidelities().get("xyzzy-model",
                                                 core::NameOrigin::option("--fidelity"));
        }) ==
        "error: --fidelity: unknown fidelity 'xyzzy-model', expected one of: screening, "
        "analytical, event");
  CHECK(error_of([] {
          (void)models::builtin_baselines().get("sangr", core::NameOrigin::option("--baseline"));
        }) ==
        "error: --baseline: unknown baseline 'sangr' (did you mean 'sanger'?), expected one "
        "of: h100, sanger, dota, sofa, spatten, energon");
  const std::vector<std::size_t> sizes{2, 2};
  CHECK(error_of([&] { (void)search::builtin_strategies().create("nsga3", sizes, {}); }) ==
        "error: unknown strategy 'nsga3' (did you mean 'nsga2'?), expected one of: grid, random, "
        "lhs, nsga2, halving");
  // At a YAML value: file:line:column of the value, as the schema reports a bad choice.
  CHECK(error_of([] {
          (void)dse::read_campaign_text(
              "kind: campaign\nname: d\nspace:\n  qk_pu.rows: [4, 8]\nstrategy: halving\n"
              "refine_fidelity: evnt\n",
              "d.yaml", ".");
        }) ==
        "d.yaml:6:18: error: 'refine_fidelity': found 'evnt' (did you mean 'event'?), "
        "expected one of: screening, analytical, event");
}
