// The HTML report: its content, and — when Chromium is installed (scripts/pade-test.sh installs it)
// — that a headless browser loads it without console errors and shows every figure.
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "results/report.hpp"
#include "results/store_sql.hpp"
#include "test_results_fixture.hpp"
#include "test_results_svg.hpp"

using namespace pade;
namespace fs = std::filesystem;

namespace {

std::size_t occurrences(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
  return n;
}

bool have_chromium() {
  return std::system("command -v chromium >/dev/null 2>&1") == 0;
}

struct Browser {
  int code = -1;
  std::string dom;
  std::string log;
};

/// Load `page` (with `fragment`, e.g. "#selftest") in headless Chromium in a window `width`
/// pixels wide; the DOM after the load event, and the browser's log.
Browser load_in_chromium(const fs::path& page, const fs::path& work,
                         const std::string& fragment = "", int width = 1400) {
  const fs::path profile = work / "profile", dom = work / "dom.html", log = work / "chromium.log";
  fs::create_directories(profile);
  // Everything that could reach the network or a desktop session is off; the page is a file.
  const std::string cmd =
      "timeout 90 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
      "--disable-background-networking --disable-component-update --disable-sync "
      "--disable-dev-shm-usage "
      "--user-data-dir='" +
      profile.string() +
      "' --enable-logging=stderr --v=0 --virtual-time-budget=5000 --hide-scrollbars "
      "--window-size=" +
      std::to_string(width) + ",900 --dump-dom 'file://" + fs::absolute(page).string() + fragment +
      "' >'" + dom.string() + "' 2>'" + log.string() + "'";
  const int status = std::system(cmd.c_str());
  Browser b;
  b.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  b.dom = test::slurp_file(dom);
  b.log = test::slurp_file(log);
  return b;
}

/// Console errors and uncaught exceptions from the page (not the browser's own chatter).
std::string page_errors(const std::string& log) {
  std::string out;
  std::istringstream in(log);
  std::string line;
  while (std::getline(in, line))
    // Chromium logs every console message as ...:CONSOLE(line)] or ...:CONSOLE:line] depending on
    // its version, at INFO level even for console.error; the report writes none, so any is an
    // error.
    if (line.find("Uncaught") != std::string::npos || line.find(":CONSOLE") != std::string::npos)
      out += line + '\n';
  return out;
}

/// One report of the fixture's "base" campaign, rendered once and shared by the tests below
/// (rendering is the slow part); removed at exit.
struct SharedReport {
  test::ResultsTempDir dir{"report"};
  results::ReportFiles files;
  SharedReport() {
    results::Store store((dir.path / "r.db").string());
    test::make_fixture(store);
    results::FigureOptions o;
    o.campaign = "base";
    files = results::write_report(store, o, dir.path / "report");
  }
};
const SharedReport& shared_report() {
  static const SharedReport report;
  return report;
}

}  // namespace

TEST_CASE(
    "results: the report holds the campaigns, figures, front, benchmarks, configuration and "
    "provenance",
    "[results]") {
  const auto& shared = shared_report();
  const auto& r = shared.files;
  const auto& dir = shared.dir;
  results::Store store((dir.path / "r.db").string(), results::Store::Mode::ReadOnly);
  REQUIRE(fs::exists(r.index));
  CHECK(r.figures.skipped.empty());
  const std::string html = test::slurp_file(r.index);
  CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
  // Every figure inline (no <img>), its ids prefixed so the figures share one document.
  CHECK(occurrences(html, "<svg class=\"figure\"") == results::figure_names().size());
  CHECK(html.find("<img") == std::string::npos);
  CHECK(occurrences(html, "id=\"gnuplot_canvas\"") == 0);
  for (const auto& f : r.figures.figures) {
    INFO(f.name);
    CHECK(html.find("id=\"" + f.name + "-gnuplot_canvas\"") != std::string::npos);
    CHECK(html.find("href=\"figures/" + f.name + ".svg\"") != std::string::npos);
    CHECK(fs::exists(dir.path / "report/figures" / (f.name + ".svg")));
  }
  // Each Pareto point carries its design's hash; no gnuplot handler (its script is not inlined).
  CHECK(occurrences(html, "<g class=\"pt\" data-hash=\"") > 0);
  CHECK(html.find("gnuplot_svg.") == std::string::npos);
  for (const char* id : {"recommended", "campaigns", "figures", "front", "benchmarks",
                         "comparisons", "configuration", "provenance"})
    CHECK(html.find(std::string("<section id=\"") + id + "\">") != std::string::npos);
  // The configuration YAML is shown escaped, never as markup.
  CHECK(html.find("# &lt;b&gt;escaped&lt;/b&gt; &amp; kept") != std::string::npos);
  CHECK(html.find("<b>escaped</b>") == std::string::npos);
  CHECK(html.find("<td>git_commit</td><td>0123abc</td>") != std::string::npos);
  // Both campaigns are listed; the front table has one row per rank-0 suite design.
  CHECK(html.find("<td>variant</td>") != std::string::npos);
  const int front =
      results::connection(store)
          .execAndGet(
              "SELECT count(*) FROM pareto p JOIN campaigns c ON c.id = p.campaign_id "
              "WHERE c.name = 'base' AND p.scope = 'suite' AND p.rank = 0")
          .getInt();
  const auto front_at = html.find("<section id=\"front\">"),
             bench_at = html.find("<section id=\"benchmarks\">");
  CHECK(static_cast<int>(occurrences(html.substr(front_at, bench_at - front_at), "<tr")) ==
        front + 1);
  CHECK(html.find("<td>m2/b</td><td>coarse</td><td>m2</td>") != std::string::npos);
  // The recommended designs: how they were chosen, one row each, and why each.
  const auto rec_at = html.find("<section id=\"recommended\">"),
             rec_end = html.find("</section>", rec_at);
  const std::string rec = html.substr(rec_at, rec_end - rec_at);
  CHECK(rec.find("normalized to [0, 1] over the") != std::string::npos);
  CHECK(rec.find("smallest Euclidean distance from the ideal point") != std::string::npos);
  CHECK(rec.find("<th>fidelity</th>") != std::string::npos);
  CHECK(rec.find("<td>balanced") != std::string::npos);
  CHECK(occurrences(rec, "<div class=\"why\" data-hash=") == occurrences(rec, "<tr data-hash="));
  CHECK(rec.find("Bottlenecks (mean utilization over 4 benchmarks): util_qk_pu ") !=
        std::string::npos);
  CHECK(rec.find("Dominant energy: ") != std::string::npos);
  CHECK(rec.find("relative to this design: latency_s ") != std::string::npos);
  CHECK(html.find("<script type=\"application/json\" id=\"designs\">[{\"hash\":") !=
        std::string::npos);
  CHECK(html.find("<td>h100</td><td class=\"num\"") != std::string::npos);
  CHECK(results::html_escape("a<b & \"c\"") == "a&lt;b &amp; &quot;c&quot;");
}

TEST_CASE(
    "results: the report of a campaign without comparisons says so and names the skipped figures",
    "[results]") {
  test::ResultsTempDir dir("report-lean");
  results::Store store((dir.path / "r.db").string());
  test::make_fixture(store, {false, false, false});
  const auto r =
      results::write_report(store, {}, dir.path / "report");  // the latest campaign: variant
  const std::string html = test::slurp_file(r.index);
  CHECK(html.find("campaign <code>variant</code>") != std::string::npos);
  CHECK(html.find("The comparisons table is empty for this campaign") != std::string::npos);
  for (const auto& [name, why] : r.figures.skipped)
    CHECK(html.find("<li><b>" + name + "</b>: ") != std::string::npos);
  CHECK(r.figures.skipped.size() == 6);  // speedup, efficiency, alpha, both ablations, tornado
}

TEST_CASE("results: headless Chromium loads the report without errors and shows every figure",
          "[results][browser]") {
  if (!have_chromium()) {
    WARN(
        "chromium is not installed: browser check skipped (scripts/pade-test.sh installs it with "
        "PADE_WITH_BROWSER=1)");
    return;
  }
  const auto& r = shared_report().files;
  test::ResultsTempDir dir("browser");
  const std::string total = std::to_string(r.figures.figures.size());
  REQUIRE(r.figures.figures.size() == results::figure_names().size());

  const auto ok = load_in_chromium(r.index, dir.path / "run1");
  INFO(ok.log);
  REQUIRE(ok.code == 0);
  CHECK(page_errors(ok.log).empty());
  // The page's own check: every <img> decoded with a non-zero natural size.
  CHECK(ok.dom.find("data-figures=\"" + total + "/" + total + "\"") != std::string::npos);
  CHECK(ok.dom.find("id=\"figure-warning\" class=\"warning\" hidden") != std::string::npos);

  // The same check must fail when a figure draws nothing: hide one in a copy and load again…
  fs::copy(r.index.parent_path(), dir.path / "copy", fs::copy_options::recursive);
  std::string copy = test::slurp_file(dir.path / "copy/index.html");
  const std::string canvas = "<g id=\"pareto-gnuplot_canvas\"";
  REQUIRE(copy.find(canvas) != std::string::npos);
  copy.replace(copy.find(canvas), canvas.size(), canvas + " display=\"none\"");
  // …and a script error, to show that console errors are caught.
  std::ofstream(dir.path / "copy/index.html") << copy << "<script>no_such_function();</script>\n";
  const auto broken = load_in_chromium(dir.path / "copy/index.html", dir.path / "run2");
  INFO(broken.log);
  REQUIRE(broken.code == 0);
  const auto shown = std::to_string(r.figures.figures.size() - 1);
  CHECK(broken.dom.find("data-figures=\"" + shown + "/" + total + "\"") != std::string::npos);
  CHECK(broken.dom.find("1 figure(s) could not be shown") != std::string::npos);
  CHECK(page_errors(broken.log).find("no_such_function") != std::string::npos);
}

/// The PASS/FAIL lines the page's self-test wrote into <pre id="selftest">.
std::string selftest_lines(const std::string& dom) {
  const auto at = dom.find("<pre id=\"selftest\">");
  if (at == std::string::npos) return "";
  const auto start = at + std::string("<pre id=\"selftest\">").size();
  return dom.substr(start, dom.find("</pre>", start) - start);
}

TEST_CASE(
    "results: the report's self-test sorts, filters, hovers and selects in headless Chromium at "
    "1400 and 800 px",
    "[results][browser]") {
  if (!have_chromium()) {
    WARN(
        "chromium is not installed: the report's self-test is skipped (scripts/pade-test.sh "
        "installs it with PADE_WITH_BROWSER=1)");
    return;
  }
  const auto& r = shared_report().files;
  test::ResultsTempDir dir("selftest");
  for (const int width : {1400, 800}) {
    const auto b = load_in_chromium(r.index, dir.path / std::to_string(width), "#selftest", width);
    const std::string lines = selftest_lines(b.dom);
    INFO("width " << width << "\n" << lines);
    REQUIRE(b.code == 0);
    CHECK(page_errors(b.log).empty());
    // Every check the page runs, each of which can fail (the sort orders, the filtered row
    // counts, the tooltip's text, the selected rows and points, the figures, the page width).
    CHECK(b.dom.find("data-selftest=\"pass\"") != std::string::npos);
    CHECK(lines.find("FAIL") == std::string::npos);
    CHECK(lines.find("SKIP") == std::string::npos);  // the fixture's front has rows to try
    for (const char* check :
         {"PASS sort config_hash ascending", "PASS sort latency_s ascending",
          "PASS sort latency_s descending", "PASS filter by hash prefix",
          "PASS filter without a match leaves no row", "PASS empty filter shows all",
          "PASS hover shows the tooltip", "PASS leaving the point hides the tooltip",
          "PASS click selects the design", "PASS clicking the row again clears the selection",
          "PASS every figure shown", "PASS no horizontal overflow at "})
      CHECK(lines.find(check) != std::string::npos);
    CHECK(lines.find("no horizontal overflow at " + std::to_string(width) + " px") !=
          std::string::npos);
    CHECK(lines.find("selftest: 12 passed, 0 failed") != std::string::npos);
  }
  // The checks can fail: a copy whose page is wider than the window, and whose front table no
  // longer sorts (its header clicks are swallowed), reports both.
  fs::copy(r.index.parent_path(), dir.path / "copy", fs::copy_options::recursive);
  std::string copy = test::slurp_file(dir.path / "copy/index.html");
  const std::string head_end = "</head>";
  copy.replace(copy.find(head_end), head_end.size(),
               "<style>body { min-width: 2000px; }</style>" + head_end);
  const std::string script = "<script>\n(function () {";
  REQUIRE(copy.find(script) != std::string::npos);
  copy.replace(copy.find(script), script.size(),
               "<script>document.addEventListener('click', function (e) { if "
               "(e.target.tagName === 'TH') e.stopImmediatePropagation(); }, true);</script>" +
                   script);
  std::ofstream(dir.path / "copy/index.html") << copy;
  const auto bad = load_in_chromium(dir.path / "copy/index.html", dir.path / "bad", "#selftest");
  const std::string lines = selftest_lines(bad.dom);
  INFO(lines);
  CHECK(bad.dom.find("data-selftest=\"fail\"") != std::string::npos);
  CHECK(lines.find("FAIL no horizontal overflow at 1400 px: document ") != std::string::npos);
  CHECK(lines.find("FAIL sort latency_s descending") != std::string::npos);
  CHECK(lines.find("PASS hover shows the tooltip") != std::string::npos);
}
