// What a reviewer checks on each figure, read from its .gp script and .dat data (issue #21): axis
// labels with units, a tic at every decade of a log axis, the data inside the plotted ranges,
// the legend outside the data, the caption naming normalization, energy scope and fidelity.
#include <catch2/catch.hpp>
#include <cmath>
#include <set>
#include <sstream>

#include "results/figures/figure.hpp"
#include "results/plot.hpp"
#include "test_results_fixture.hpp"

using namespace pade;
namespace fs = std::filesystem;

namespace {

/// The commands of one rendering (the PNG's) of a .gp script.
std::string body_of(const fs::path& gp, const std::string& name) {
  const std::string text = test::slurp_file(gp);
  const std::string start = "set output '" + name + ".png'\n";
  const auto a = text.find(start);
  const auto b = text.find("set terminal svg");
  REQUIRE(a != std::string::npos);
  REQUIRE(b != std::string::npos);
  return text.substr(a + start.size(), b - a - start.size());
}

std::vector<std::string> lines_starting(const std::string& body, const std::string& prefix) {
  std::vector<std::string> out;
  std::istringstream in(body);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(prefix, 0) == 0) out.push_back(line);
  return out;
}

/// "set yrange [a:b]" → {a, b}; NaN when the axis has no fixed range.
std::pair<double, double> range_of(const std::string& body, const std::string& axis) {
  const auto l = lines_starting(body, "set " + axis + "range [");
  if (l.empty()) return {NAN, NAN};
  const std::string& s = l.back();
  const auto open = s.find('['), colon = s.find(':'), close = s.find(']');
  const std::string lo = s.substr(open + 1, colon - open - 1);
  const std::string hi = s.substr(colon + 1, close - colon - 1);
  return {lo == "*" ? NAN : std::stod(lo), hi == "*" ? NAN : std::stod(hi)};
}

/// The positions of "set ytics ('label' v, …)".
std::vector<double> tics_of(const std::string& body, const std::string& axis) {
  std::vector<double> out;
  const auto l = lines_starting(body, "set " + axis + "tics (");
  if (l.empty()) return out;
  const std::string& s = l.back();
  std::size_t i = s.find('(') + 1;
  while (i < s.size() && s[i] != ')') {
    if (s[i] == '\'') i = s.find('\'', i + 1) + 1;  // the label
    const auto end = s.find_first_of(",)", i);
    out.push_back(std::stod(s.substr(i, end - i)));
    i = end + (s[end] == ',' ? 2 : 0);
  }
  return out;
}

/// At every `plot` of the body (each panel of a multiplot), each log axis has a fixed range and
/// a tic at each decade inside it: the settings are followed line by line, as gnuplot does.
void check_log_axes(const std::string& body) {
  std::istringstream in(body);
  std::string panel;  // the settings so far, re-read at each plot
  std::set<std::string> log;
  for (std::string line; std::getline(in, line);) {
    for (const std::string axis : {"x", "y"}) {
      // Decades are for base-10 axes; a base-2 one (sequence length, lanes) is ticked at its
      // values.
      if (line == "set logscale " + axis) log.insert(axis);
      if (line.rfind("unset logscale " + axis, 0) == 0) log.erase(axis);
    }
    panel += line + "\n";
    if (line.rfind("plot ", 0) != 0) continue;
    for (const auto& axis : log) {
      INFO("log axis " << axis << " at: " << line);
      const auto [lo, hi] = range_of(panel, axis);
      REQUIRE(lo > 0);
      REQUIRE(hi > lo);
      const auto tics = tics_of(panel, axis);
      CHECK(tics.size() >= 3);
      for (int k = static_cast<int>(std::ceil(std::log10(lo))); std::pow(10.0, k) <= hi; ++k) {
        const double decade = std::pow(10.0, k);
        INFO("decade " << decade);
        CHECK(std::any_of(tics.begin(), tics.end(),
                          [&](double t) { return std::abs(t - decade) <= 1e-9 * decade; }));
      }
    }
  }
}

/// Rows of data block `index` of a .dat file (blocks are separated by two blank lines).
std::vector<std::vector<std::string>> block(const fs::path& p, int index) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(test::slurp_file(p));
  int at = 0, blank = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) {
      if (++blank == 2) ++at;
      continue;
    }
    blank = 0;
    if (line[0] == '#' || at != index) continue;
    std::vector<std::string> f;
    std::istringstream fields(line);
    for (std::string w; fields >> w;) f.push_back(w);
    rows.push_back(f);
  }
  return rows;
}

void check_inside(const std::vector<std::vector<std::string>>& rows, std::size_t col,
                  std::pair<double, double> r) {
  for (const auto& row : rows) {
    if (row.size() <= col || row[col] == "NaN") continue;
    const double v = std::stod(row[col]);
    INFO("value " << v << " in [" << r.first << ", " << r.second << "]");
    CHECK(v >= r.first);
    CHECK(v <= r.second);
  }
}

}  // namespace

TEST_CASE("figures: log tics cover every decade, with 1-2-5 or an even step on short ranges",
          "[results][figures]") {
  const auto has = [](const std::vector<double>& v, double x) {
    return std::any_of(v.begin(), v.end(), [&](double t) { return std::abs(t - x) < 1e-9 * x; });
  };
  const auto wide = results::figures::log_tics(0.1, 70);  // ratios: 0.11 … 60
  for (const double x : {0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0}) CHECK(has(wide, x));
  const auto narrow = results::figures::log_tics(77, 174);  // the energy axis
  CHECK(has(narrow, 100));
  CHECK(narrow.size() >= 4);
  const auto huge = results::figures::log_tics(1e-6, 1e3);
  CHECK(huge.size() == 10);  // decades only
  CHECK(results::figures::humanize("qk_pu.lanes_per_row") == "QK-PU lanes per row");
  CHECK(results::figures::humanize("sram.kv_buffer_kib") == "SRAM K/V buffer (KiB)");
  CHECK(results::figures::component_colour("dram") == results::figures::component_colour("dram"));
  CHECK(results::figures::component_colour("dram") !=
        results::figures::component_colour("sram_kv"));
}

TEST_CASE(
    "figures: every figure has units, ticked decades, data in range, legend outside and a "
    "caption with its normalization, energy scope and fidelity",
    "[results][figures]") {
  test::ResultsTempDir dir("figures");
  results::Store store((dir.path / "r.db").string());
  test::make_fixture(store);
  results::FigureOptions o;
  o.campaign = "base";
  const auto all = results::render_all(store, o, dir.path / "figs");
  REQUIRE(all.skipped.empty());
  const fs::path figs = dir.path / "figs";
  for (const auto& f : all.figures) {
    INFO(f.name);
    const std::string body = body_of(figs / (f.name + ".gp"), f.name);
    // Axis labels with a unit in parentheses (every panel).
    const auto ylabels = lines_starting(body, "set ylabel");
    REQUIRE_FALSE(ylabels.empty());
    for (const auto& l : ylabels) CHECK(l.find('(') != std::string::npos);
    check_log_axes(body);
    // The legend in its own region.
    for (const auto& k : lines_starting(body, "set key"))
      CHECK((k.find("outside") != std::string::npos || k.find("below") != std::string::npos ||
             k == "unset key"));
    for (const char* fact : {"Normalization: ", "Energy: ", "Fidelity: "})
      CHECK(f.caption.find(fact) != std::string::npos);
  }

  // Ratio bars start at 1 (boxxyerror from 1 to the value) and every ratio is inside the axis.
  for (const char* name : {"speedup", "efficiency"}) {
    INFO(name);
    const std::string body = body_of(figs / (std::string(name) + ".gp"), name);
    CHECK(body.find(":(1):2") != std::string::npos);
    CHECK(body.find("with boxxyerror") != std::string::npos);
    CHECK(body.find("geo-mean ") != std::string::npos);  // the mean labelled in the key
    const auto y = range_of(body, "y");
    CHECK(y.first < 1);
    CHECK(y.second > 1);
    for (std::size_t c = 1; c <= 4; ++c)
      check_inside(block(figs / (std::string(name) + ".dat"), 0), c, y);
  }
  // Pareto: the 2-D front is exactly the non-dominated points of the cloud; the paper's point
  // (lanes 16, α 0.5, every feature on) is labelled; the data is inside both ranges.
  {
    const std::string body = body_of(figs / "pareto.gp", "pareto");
    const auto cloud = block(figs / "pareto.dat", 0), front = block(figs / "pareto.dat", 2);
    std::set<std::string> expected, got;
    for (const auto& p : cloud) {
      bool dominated = false;
      for (const auto& q : cloud)
        dominated = dominated ||
                    (std::stod(q[0]) <= std::stod(p[0]) && std::stod(q[1]) <= std::stod(p[1]) &&
                     (std::stod(q[0]) < std::stod(p[0]) || std::stod(q[1]) < std::stod(p[1])));
      if (!dominated) expected.insert(p[4]);
    }
    for (const auto& p : front) got.insert(p[2]);
    CHECK(got == expected);
    CHECK(body.find("index 2 using 1:2 with steps") != std::string::npos);
    const std::string paper = test::fixture_designs({})[2].hash;
    CHECK(body.find("paper''s design (" + paper.substr(0, 8) + ")") != std::string::npos);
    CHECK(block(figs / "pareto.dat", 3).at(0).at(2) == paper);
    // The report's recommended designs are marked (index 4); the balanced one, worked out here
    // from the front (index 1: latency, energy, area normalized over it, nearest the origin), is
    // labelled.
    const auto full_front = block(figs / "pareto.dat", 1);
    std::vector<std::pair<double, double>> span(3, {INFINITY, -INFINITY});
    for (const auto& p : full_front)
      for (std::size_t k = 0; k < 3; ++k)
        span[k] = {std::min(span[k].first, std::stod(p[k])),
                   std::max(span[k].second, std::stod(p[k]))};
    std::pair<double, std::string> balanced{INFINITY, ""};
    for (const auto& p : full_front) {
      double sq = 0;
      for (std::size_t k = 0; k < 3; ++k)
        if (span[k].second > span[k].first)
          sq += std::pow((std::stod(p[k]) - span[k].first) / (span[k].second - span[k].first), 2);
      balanced = std::min(balanced, {std::sqrt(sq), p[4]});
    }
    const auto marked = block(figs / "pareto.dat", 4);
    REQUIRE_FALSE(marked.empty());
    CHECK(marked.at(0).at(2) == balanced.second);
    CHECK(marked.at(0).at(3).rfind("\"balanced", 0) == 0);
    CHECK(body.find("balanced (" + balanced.second.substr(0, 8) + ")") != std::string::npos);
    CHECK(body.find("index 4 using 1:2 with points") != std::string::npos);
    check_inside(cloud, 0, range_of(body, "x"));
    check_inside(cloud, 1, range_of(body, "y"));
  }
  // Breakdowns: each design once; one colour per component, the same function for all figures.
  {
    std::set<std::string> hashes;
    for (const auto& r : block(figs / "area_breakdown.dat", 0))
      CHECK(hashes.insert(r.back()).second);
    const std::string area = body_of(figs / "area_breakdown.gp", "area_breakdown");
    CHECK(area.find("lc " + results::figures::component_colour("sram") + " title 'sram'") !=
          std::string::npos);
    const std::string energy = body_of(figs / "energy_breakdown.gp", "energy_breakdown");
    CHECK(energy.find("lc " + results::figures::component_colour("dram") + " title 'dram'") !=
          std::string::npos);
    CHECK(energy.find("set ylabel 'energy, total over benchmarks (J)'") != std::string::npos);
    CHECK(energy.find("'energy_breakdown.dat' index 0 using (100*$4/$3)") != std::string::npos);
    CHECK(energy.find("share of the benchmark''s energy (%)") != std::string::npos);
  }
  // alpha: the paper's α marked, accuracy loss defined, kept fractions inside [0, 1].
  {
    const std::string body = body_of(figs / "alpha.gp", "alpha");
    CHECK(body.find("paper α = 0.5") != std::string::npos);
    CHECK(body.find("accuracy loss (%, 100 · (1 − cos)") != std::string::npos);
    check_inside(block(figs / "alpha.dat", 0), 1, {0.0, 1.0});
  }
  // seqlen: one line per (model, task).
  CHECK(test::slurp_file(figs / "seqlen.dat").find("# index 0: model m1 / task") !=
        std::string::npos);
}
