// Every figure renders from a small database made here: PNG of the size asked for, well-formed
// SVG, a PDF, and .dat data that says what the formulas of the fixture imply.
#include <catch2/catch.hpp>
#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include "results/plot.hpp"
#include "test_results_fixture.hpp"
#include "test_results_svg.hpp"

using namespace pade;
namespace fs = std::filesystem;

namespace {

/// Non-comment, non-blank lines of a .dat file, split on spaces (quoted fields kept whole).
std::vector<std::vector<std::string>> dat_rows(const fs::path& p) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(test::slurp_file(p));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> f;
    for (std::size_t i = 0; i < line.size();) {
      if (line[i] == ' ') {
        ++i;
      } else if (line[i] == '"') {
        const auto e = line.find('"', i + 1);
        f.push_back(line.substr(i + 1, e - i - 1));
        i = e + 1;
      } else {
        const auto e = std::min(line.find(' ', i), line.size());
        f.push_back(line.substr(i, e - i));
        i = e;
      }
    }
    rows.push_back(f);
  }
  return rows;
}

void check_rendered(const results::FigureFiles& f) {
  INFO(f.name);
  REQUIRE(f.files.size() == 5);
  for (const auto& p : f.files) {
    INFO(p.string());
    REQUIRE(fs::exists(p));
    CHECK(fs::file_size(p) > 100);
  }
  const fs::path dir = f.files.front().parent_path();
  const auto png = test::png_size(test::slurp_file(dir / (f.name + ".png")));
  REQUIRE(png.ok);
  CHECK(png.width == static_cast<std::uint32_t>(f.png_width));
  CHECK(png.height == static_cast<std::uint32_t>(f.png_height));
  const auto svg = test::check_xml(test::slurp_file(dir / (f.name + ".svg")));
  INFO(svg.error);
  REQUIRE(svg.ok);
  CHECK(svg.root == "svg");
  CHECK(svg.root_tag.find("width=\"" + std::to_string(f.svg_width) + "\"") != std::string::npos);
  CHECK(test::slurp_file(dir / (f.name + ".pdf")).rfind("%PDF-", 0) == 0);
  const std::string gp = test::slurp_file(dir / (f.name + ".gp"));
  CHECK(gp.find("#0072B2") != std::string::npos);  // the shared Okabe-Ito style
  CHECK(gp.find("set terminal svg") != std::string::npos);
  CHECK_FALSE(f.caption.empty());
}

}  // namespace

TEST_CASE("results: the well-formedness check rejects broken XML", "[results]") {
  CHECK(test::check_xml("<?xml version=\"1.0\"?>\n<!DOCTYPE svg>\n<svg "
                        "a=\"x>y\"><g><path/></g><!-- c --></svg>\n")
            .ok);
  CHECK_FALSE(test::check_xml("<svg><g></svg>").ok);
  CHECK_FALSE(test::check_xml("<svg><g></g>").ok);
  CHECK_FALSE(test::check_xml("<svg></svg><svg></svg>").ok);
  CHECK_FALSE(test::check_xml("<svg></svg>trailing").ok);
  CHECK_FALSE(test::png_size("not a png at all, but long enough").ok);
}

TEST_CASE("results: every figure renders as PNG, SVG and PDF, with data the fixture implies",
          "[results]") {
  test::ResultsTempDir dir("plot");
  results::Store store((dir.path / "r.db").string());
  test::make_fixture(store);
  results::FigureOptions o;
  o.campaign = "base";
  const auto all = results::render_all(store, o, dir.path / "figs");
  for (const auto& [name, why] : all.skipped) FAIL_CHECK(name << " skipped: " << why);
  REQUIRE(all.figures.size() == results::figure_names().size());
  const std::set<std::string> wide = {"speedup", "efficiency", "energy_breakdown", "tornado",
                                      "alpha"};
  for (const auto& f : all.figures) {
    check_rendered(f);
    CHECK(f.png_width == (wide.count(f.name) ? 1600 : 1200));
    CHECK(f.png_height == 800);
  }
  const fs::path figs = dir.path / "figs";

  // speedup: the paper's baselines in its order, then a geometric-mean row.
  {
    const auto header = test::slurp_file(figs / "speedup.dat");
    CHECK(header.find("# benchmark h100 sanger dota sofa\n") != std::string::npos);
    const auto rows = dat_rows(figs / "speedup.dat");
    REQUIRE(rows.size() == 5);
    CHECK(rows.back()[0] == "geo-mean");
    // h100 is stored as baseline index 1 in the fixture.
    double log_sum = 0;
    for (std::size_t b = 0; b < 4; ++b) log_sum += std::log(test::fixture_comparison(b, 1, true));
    CHECK(std::stod(rows.back()[1]) == Approx(std::exp(log_sum / 4)).epsilon(1e-8));
    CHECK(std::stod(rows[0][4]) == Approx(test::fixture_comparison(0, 0, true)));  // sofa, m1/a
    const auto eff = dat_rows(figs / "efficiency.dat");
    CHECK(std::stod(eff[0][1]) == Approx(test::fixture_comparison(0, 1, false)));
    CHECK(test::slurp_file(figs / "speedup.gp").find("set logscale y") != std::string::npos);
  }
  // ablation: six feature combinations; all of PADE is faster than none by the fixture's factors.
  {
    const auto rows = dat_rows(figs / "ablation.dat");
    REQUIRE(rows.size() == 6);
    CHECK(rows.front()[0] == "no PADE feature");
    CHECK(std::stod(rows.front()[1]) == Approx(1.0));
    CHECK(rows.back()[0] == "BUI-GF+BS-OOE+ISTA");
    CHECK(std::stod(rows.back()[1]) == Approx(1.8 * 1.2 * 1.3 * 1.1).epsilon(1e-9));
    std::set<std::string> labels;
    for (const auto& r : rows) labels.insert(r[0]);
    CHECK(labels.count("BS-OOE+ISTA"));    // BUI-GF off
    CHECK(labels.count("BUI-GF+ISTA"));    // bidirectional + out-of-order off
    CHECK(labels.count("BUI-GF+BS-OOE"));  // in-order tiles
    CHECK(labels.count("BUI-GF"));         // BUI-GF alone: the cumulative sequence's second step
  }
  // cumulative ablation: the paper's four steps, each relative to the bit-serial reference.
  {
    const auto rows = dat_rows(figs / "ablation_cumulative.dat");
    REQUIRE(rows.size() == 4);
    CHECK(rows.front()[0] == "bit-serial reference");
    CHECK(std::stod(rows[1][1]) == Approx(1 / 1.8));
    CHECK(std::stod(rows.back()[1]) == Approx(1 / (1.8 * 1.2 * 1.3 * 1.1)));
  }
  // energy breakdown: components add up to energy_j (no 'other'); area breakdown has 'other'.
  {
    auto rows = dat_rows(figs / "energy_breakdown.dat");
    REQUIRE(rows.size() == 4 + 2);  // per benchmark, then per component (core, dram) summed
    CHECK(rows[4][0] == "core");
    rows.resize(4);
    for (const auto& r : rows) {
      REQUIRE(r.size() == 5);  // benchmark energy_j stack_j core dram
      CHECK(std::stod(r[3]) + std::stod(r[4]) == Approx(std::stod(r[1])));
      CHECK(std::stod(r[2]) == Approx(std::stod(r[1])));
    }
    const auto area = test::slurp_file(figs / "area_breakdown.dat");
    CHECK(area.find("# design area_mm2 qk_pu sram v_pu other config_hash") != std::string::npos);
    for (const auto& r : dat_rows(figs / "area_breakdown.dat"))
      CHECK(std::stod(r[5]) == Approx(0.1));
  }
  // alpha: two values; kept fraction grows with alpha, accuracy loss shrinks.
  {
    const auto rows = dat_rows(figs / "alpha.dat");
    REQUIRE(rows.size() == 2);
    CHECK(std::stod(rows[0][0]) == 0.5);
    CHECK(std::stod(rows[1][1]) > std::stod(rows[0][1]));
    CHECK(std::stod(rows[1][4]) < std::stod(rows[0][4]));
  }
  // seqlen: two models, latency grows with the sequence length within each.
  {
    const auto text = test::slurp_file(figs / "seqlen.dat");
    CHECK(text.find("# index 0: model m1 / task") != std::string::npos);
    CHECK(text.find("# index 1: model m2 / task") != std::string::npos);
    const auto rows = dat_rows(figs / "seqlen.dat");
    REQUIRE(rows.size() == 4);
    CHECK(std::stod(rows[1][1]) > std::stod(rows[0][1]));
  }
  // sensitivity to a categorical parameter, of a metric that lives only in metrics_json.
  {
    results::FigureOptions c = o;
    c.param = "algorithm.tile_order";
    c.metric = "energy_dram_j";
    check_rendered(results::render_figure(store, "sensitivity", c, dir.path / "cat"));
    const auto gp = test::slurp_file(dir.path / "cat/sensitivity.gp");
    CHECK(gp.find("set xtics ('head_tail' 0, 'in_order' 1)") != std::string::npos);
    const auto rows = dat_rows(dir.path / "cat/sensitivity.dat");
    REQUIRE(rows.size() == 11 + 2);  // every design, then one row per value
    CHECK(rows[11][5] == "head_tail");
    CHECK(rows[12][4] == "3");  // three designs use in-order tiles
  }
  // pareto: the front block holds exactly the rank-0 rows of the first block.
  {
    const auto text = test::slurp_file(figs / "pareto.dat");
    const auto front_at = text.find("# index 1");
    REQUIRE(front_at != std::string::npos);
    std::size_t rank0 = 0;
    for (const auto& r : dat_rows(figs / "pareto.dat"))  // blocks 0 and 1 (blocks 2, 3: 3 columns)
      rank0 += r.size() == 5 && r[3] == "0" ? 1 : 0;
    CHECK(rank0 % 2 == 0);  // each front row appears twice: in the cloud and in the front
    CHECK(rank0 > 0);
  }
}

TEST_CASE("results: figures without data are errors by name, with the reason", "[results]") {
  test::ResultsTempDir dir("plot-absent");
  results::Store store((dir.path / "r.db").string());
  test::make_fixture(store, {false, false, false});
  results::FigureOptions o;
  o.campaign = "base";
  CHECK_THROWS_WITH(results::render_figure(store, "speedup", o, dir.path / "f"),
                    Catch::Contains("comparisons table holds no 'speedup' rows"));
  CHECK_THROWS_AS(results::render_figure(store, "ablation", o, dir.path / "f"), core::InputError);
  CHECK_THROWS_AS(results::render_figure(store, "alpha", o, dir.path / "f"), results::NoFigureData);
  CHECK_THROWS_WITH(results::render_figure(store, "nope", o, dir.path / "f"),
                    Catch::Contains("expected one of: pareto"));
  o.metric = "no_such_metric";
  CHECK_THROWS_WITH(results::render_figure(store, "seqlen", o, dir.path / "f"),
                    Catch::Contains("energy_dram_j"));
  o.metric.clear();
  o.param = "qk_pu.lanes";
  CHECK_THROWS_WITH(results::render_figure(store, "sensitivity", o, dir.path / "f"),
                    Catch::Contains("not a configuration parameter"));
  o.param = "algorithm.alpha";  // stored, but one value only
  CHECK_THROWS_AS(results::render_figure(store, "sensitivity", o, dir.path / "f"),
                  results::NoFigureData);
  CHECK_FALSE(fs::exists(dir.path / "f"));  // nothing written for figures that were refused

  // A metric that lives only in metrics_json.
  o.param = "qk_pu.lanes_per_row";
  o.metric = "energy_dram_j";
  const auto f = results::render_figure(store, "sensitivity", o, dir.path / "f");
  check_rendered(f);

  // render_all on this database (skipping those four) is covered through the report's tests.
}
