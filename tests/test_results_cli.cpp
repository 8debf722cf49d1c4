// The results verbs through the `pade` binary: show, diff, plot --figure, report; exit codes and
// output agree with the library (which the other results tests check against SQL).
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <sstream>

#include "results/plot.hpp"
#include "results/query.hpp"
#include "test_results_fixture.hpp"

using namespace pade;
namespace fs = std::filesystem;

namespace {

struct Run {
  int code = -1;
  std::string out, err;
};

Run pade_in(const fs::path& dir, const std::string& args) {
  const fs::path out = dir / "stdout.txt", err = dir / "stderr.txt";
  const std::string cmd = "cd '" + dir.string() + "' && '" + std::string(PADE_BINARY) + "' " +
                          args + " >'" + out.string() + "' 2>'" + err.string() + "' </dev/null";
  const int status = std::system(cmd.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, test::slurp_file(out),
          test::slurp_file(err)};
}

}  // namespace

TEST_CASE("results: pade show, diff, plot and report from the command line", "[results]") {
  test::ResultsTempDir dir("cli");
  {
    results::Store store((dir.path / "r.db").string());
    test::make_fixture(store, {false, false, true});
  }
  const std::string hash = test::fixture_designs({false, false, true})[3].hash;

  const auto show = pade_in(dir.path, "show r.db " + hash.substr(0, 6));
  INFO(show.err);
  REQUIRE(show.code == 0);
  CHECK(show.out.rfind("config_hash: " + hash + "\n", 0) == 0);
  CHECK(show.out.find("== evaluations (7) ==") != std::string::npos);
  CHECK(show.out.find("== provenance (6) ==") != std::string::npos);
  const auto json =
      pade_in(dir.path, "show r.db " + hash + " --campaign base --all-metrics --format json");
  REQUIRE(json.code == 0);
  CHECK(json.out.find("\"metrics\": [") != std::string::npos);
  CHECK(json.out.find("\"metric\": \"energy_core_j\"") != std::string::npos);
  const auto ambiguous = pade_in(dir.path, "show r.db ab0");
  CHECK(ambiguous.code == 2);
  CHECK(ambiguous.err.find("ambiguous") != std::string::npos);

  const auto diff = pade_in(
      dir.path, "diff r.db base variant --format csv --metric latency_s --metric kept_fraction");
  INFO(diff.err);
  REQUIRE(diff.code == 0);
  {
    results::Store store((dir.path / "r.db").string());
    results::DiffQuery q;
    q.campaign_a = "base";
    q.campaign_b = "variant";
    q.metrics = {"latency_s", "kept_fraction"};
    std::ostringstream expected;
    results::run_diff(store, q).write(expected, results::Format::Csv);
    CHECK(diff.out == expected.str());
  }
  CHECK(diff.out.rfind("benchmark,latency_s_a,latency_s_b,latency_s_ratio,kept_fraction_a", 0) ==
        0);
  CHECK(pade_in(dir.path, "diff r.db base nope").code == 2);
  CHECK(pade_in(dir.path, "diff r.db base variant --by design").code == 2);
  CHECK(pade_in(dir.path, "diff r.db base variant --sql").out.find("WITH a AS (") == 0);

  const auto plot = pade_in(dir.path, "plot r.db --campaign base --out figs");
  INFO(plot.err);
  REQUIRE(plot.code == 0);
  CHECK(plot.err.find(
            "note: figure speedup skipped: the comparisons table holds no 'speedup' rows") !=
        std::string::npos);
  CHECK(plot.err.find("note: figure ablation skipped") != std::string::npos);
  CHECK(plot.out.find("figure alpha: ") != std::string::npos);
  CHECK(fs::exists(dir.path / "figs/seqlen.svg"));
  const auto one = pade_in(dir.path, "plot r.db --figure speedup --out figs2");
  CHECK(one.code == 2);
  CHECK_FALSE(fs::exists(dir.path / "figs2/speedup.png"));
  CHECK(pade_in(dir.path, "plot r.db --figure nope --out figs2").code == 2);

  const auto report = pade_in(dir.path, "report r.db --campaign base --out rep");
  INFO(report.err);
  REQUIRE(report.code == 0);
  CHECK(report.out.find("report: rep/index.html (6 figures)") != std::string::npos);
  CHECK(fs::exists(dir.path / "rep/figures/pareto.svg"));
}

TEST_CASE("results: comparison and ablation figures come from companion campaigns of the database",
          "[results]") {
  // The main job's database: the design-space campaign has neither baseline comparisons nor
  // feature ablations; `pade compare` and an ablation campaign beside it do.
  test::ResultsTempDir dir("companions");
  {
    results::Store store((dir.path / "r.db").string());
    test::make_fixture(store, {false, false, true});
    const auto designs = test::fixture_designs({false, false, true});
    test::fixture_campaign(store, "baselines", {designs.front()}, 1.0, 4, true);
    // With the α sweep the grid designs take the same hashes as the base campaign's (the
    // fixture's hashes count designs), so the ablation variants' hashes are its own.
    test::fixture_campaign(store, "ablation", test::fixture_designs({false, true, true}), 1.0, 4,
                           false);
  }
  const auto plot = pade_in(dir.path, "plot r.db --campaign base --out figs");
  INFO(plot.err);
  REQUIRE(plot.code == 0);
  CHECK(plot.err.find("skipped") == std::string::npos);
  CHECK(plot.err.find("note: figure speedup shows campaign 'baselines'") != std::string::npos);
  CHECK(plot.err.find("note: figure efficiency shows campaign 'baselines'") != std::string::npos);
  CHECK(plot.err.find("note: figure ablation shows campaign 'ablation'") != std::string::npos);
  // Figures the chosen campaign has data for are its own.
  CHECK(plot.err.find("figure alpha shows") == std::string::npos);
  for (const auto& name : results::figure_names())
    CHECK(fs::exists(dir.path / "figs" / (name + ".svg")));

  // Asked for by name, the companion is used too; a database without one still says why not.
  const auto one = pade_in(dir.path, "plot r.db --campaign base --figure speedup --out one");
  CHECK(one.code == 0);
  CHECK(fs::exists(dir.path / "one/speedup.png"));

  const auto report = pade_in(dir.path, "report r.db --campaign base --out rep");
  INFO(report.err);
  REQUIRE(report.code == 0);
  CHECK(report.out.find("(11 figures)") != std::string::npos);
  const std::string html = test::slurp_file(dir.path / "rep/index.html");
  CHECK(html.find("From campaign <code>baselines</code>") != std::string::npos);
  // The figure's caption names the campaign its data comes from (HTML-escaped quotes).
  const auto ablation_caption = html.find("<b>ablation.</b>");
  REQUIRE(ablation_caption != std::string::npos);
  CHECK(html.find("ablation&#39; of the same database", ablation_caption) != std::string::npos);
}

TEST_CASE("results: pade show lists balance warnings, pade query says what it read", "[results]") {
  test::ResultsTempDir dir("cli-warn");
  {
    results::Store store((dir.path / "w.db").string());
    test::make_fixture(store, {false, false, false});
    results::CampaignRecord c;
    c.name = "unbalanced";
    c.spec_yaml = "kind: campaign";
    c.strategy = "grid";
    c.status = "finished";
    const auto id = store.create_campaign(c);
    store.put_configuration("5eed5eed5eed5eed", "canonical", {{"softmax.exp_units", "4"}});
    results::EvaluationRecord e;
    e.campaign_id = id;
    e.config_hash = "5eed5eed5eed5eed";
    e.benchmark = "m1/a";
    e.fidelity = "analytical";
    e.metrics = test::fixture_metrics({}, test::fixture_benchmarks()[0], 1.0);
    e.metrics.set("util_qk_pu", 0.3);
    e.metrics.set("util_softmax", 1.0);
    e.metrics.set("util_v_pu", 0.2);
    const std::vector<results::EvaluationRecord> evals = {e};
    store.put_batch(evals, {});
  }
  const auto show = pade_in(dir.path, "show w.db 5eed");
  INFO(show.err);
  REQUIRE(show.code == 0);
  CHECK(show.out.find("== balance warnings (1) ==") != std::string::npos);
  CHECK(show.out.find("softmax sets the pace (busy 100 % of the time) while the QK-PU is busy "
                      "30 %: raise softmax.exp_units") != std::string::npos);
  const auto balanced = pade_in(dir.path, "show w.db " + test::fixture_designs({})[0].hash);
  CHECK(balanced.out.find("== balance warnings (0) ==") != std::string::npos);

  // The latest campaign by default, named on stderr; nothing matched says so and why.
  const auto latest = pade_in(dir.path, "query w.db --format csv");
  REQUIRE(latest.code == 0);
  CHECK(latest.out.find("unbalanced,5eed5eed5eed5eed,m1/a,analytical") != std::string::npos);
  CHECK(latest.out.find(",base,") == std::string::npos);
  const auto none = pade_in(dir.path, "query w.db --where 'energy_j>1e9'");
  CHECK(none.code == 0);
  CHECK(none.err.find("0 rows matched (campaign 'unbalanced', at its front fidelity, "
                      "energy_j>1e9)") != std::string::npos);
  CHECK(pade_in(dir.path, "query w.db --campaign base --all-campaigns").code == 2);
  const auto typo = pade_in(dir.path, "query w.db --sort enrgy_j");
  CHECK(typo.code == 2);
  CHECK(typo.err.find("did you mean 'energy_j'") != std::string::npos);
}
