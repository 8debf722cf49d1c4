#include "results/report.hpp"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "core/file_io.hpp"
#include "core/metrics.hpp"
#include "results/query.hpp"
#include "results/store_query.hpp"

namespace pade::results {

namespace fs = std::filesystem;

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

namespace {

std::string short_number(const std::string& full) {
  char* end = nullptr;
  const double v = std::strtod(full.c_str(), &end);
  if (end == full.c_str() || *end != '\0') return full;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

std::string html_table(const Table& t, const std::string& empty_note) {
  if (t.rows().empty()) return "<p class=\"note\">" + html_escape(empty_note) + "</p>\n";
  std::string out = "<div class=\"scroll\"><table>\n<thead><tr>";
  for (const auto& c : t.columns()) out += "<th>" + html_escape(c) + "</th>";
  out += "</tr></thead>\n<tbody>\n";
  for (const auto& row : t.rows()) {
    out += "<tr>";
    for (const auto& cell : row) {
      if (cell.null)
        out += "<td class=\"null\">–</td>";
      else if (cell.numeric)
        out += "<td class=\"num\" title=\"" + html_escape(cell.text) + "\">" +
               html_escape(short_number(cell.text)) + "</td>";
      else
        out += "<td>" + html_escape(cell.text) + "</td>";
    }
    out += "</tr>\n";
  }
  return out + "</tbody></table></div>\n";
}

Table comparison_summary(Store& store, std::int64_t cid) {
  std::map<std::string, std::map<std::string, std::vector<double>>>
      v;  // baseline → metric → values
  for (const auto& r : store.comparisons(cid))
    if (r.value > 0 && r.per_benchmark()) v[r.baseline][r.metric].push_back(std::log(r.value));
  Table t({"baseline", "benchmarks", "geomean_speedup", "geomean_energy_efficiency",
           "geomean_energy_efficiency_core"});
  for (const auto& [baseline, m] : v) {
    const auto gm = [&](std::string_view metric) {
      const auto it = m.find(std::string(metric));
      if (it == m.end() || it->second.empty()) return Table::null_cell();
      double s = 0;
      for (const double x : it->second) s += x;
      return Table::number(std::exp(s / static_cast<double>(it->second.size())));
    };
    std::size_t n = 0;
    for (const auto& [_, xs] : m) n = std::max(n, xs.size());
    t.add_row({Table::text(baseline), Table::integer(static_cast<long long>(n)),
               gm(kComparisonSpeedup), gm(kComparisonEnergyEfficiency),
               gm(kComparisonEnergyEfficiencyCore)});
  }
  return t;
}

constexpr const char* kStyle = R"css(
body { font-family: system-ui, sans-serif; margin: 0 auto; max-width: 1280px; padding: 0 1.5rem 3rem; color: #222; }
h1 { font-size: 1.6rem; margin-top: 1.5rem; } h2 { border-bottom: 2px solid #0072B2; padding-bottom: .2rem; margin-top: 2.2rem; }
nav a { margin-right: 1rem; color: #0072B2; }
table { border-collapse: collapse; font-size: .85rem; margin: .5rem 0; }
th, td { border: 1px solid #ccc; padding: .2rem .5rem; text-align: left; }
th { background: #eef4f9; position: sticky; top: 0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; } td.null { color: #999; text-align: center; }
.scroll { max-height: 32rem; overflow: auto; }
figure { margin: 1.5rem 0; } figure img { max-width: 100%; height: auto; border: 1px solid #ddd; }
figcaption { font-size: .9rem; color: #444; } figcaption a { margin-left: .5rem; }
pre { background: #f6f8fa; padding: .8rem; overflow: auto; font-size: .85rem; }
.note { color: #555; font-style: italic; } .warning { background: #D55E00; color: #fff; padding: .5rem; }
code { background: #f6f8fa; padding: 0 .2rem; }
)css";

// Marks the page with how many figures the browser could show (data-figures="shown/total") and
// raises a banner when one is missing: the report checks itself, in a browser or a test.
constexpr const char* kSelfCheck = R"js(
window.addEventListener('load', function () {
  var images = document.querySelectorAll('img.figure');
  var shown = 0;
  images.forEach(function (img) {
    if (img.complete && img.naturalWidth > 0 && img.naturalHeight > 0) { shown += 1; }
    else { img.parentNode.className += ' missing'; }
  });
  document.body.setAttribute('data-figures', shown + '/' + images.length);
  if (shown < images.length) {
    var w = document.getElementById('figure-warning');
    w.hidden = false;
    w.textContent = (images.length - shown) + ' figure(s) could not be shown; re-run pade report.';
  }
});
)js";

/// The figures section: each figure's SVG with its caption and links, then the skipped ones.
void write_figures(std::ostream& h, const RenderedFigures& figures) {
  h << "<section id=\"figures\">\n<h2>Figures</h2>\n<p>Each figure is also available as PNG and "
       "PDF, with the gnuplot "
       "script (<code>.gp</code>) and its data (<code>.dat</code>) to restyle it.</p>\n";
  for (const auto& f : figures.figures) {
    const std::string base = "figures/" + f.name;
    h << "<figure id=\"fig-" << f.name << "\">\n<img class=\"figure\" src=\"" << base
      << ".svg\" width=\"" << f.svg_width << "\" height=\"" << f.svg_height << "\" alt=\""
      << html_escape(f.caption) << "\">\n<figcaption><b>" << html_escape(f.name) << ".</b> "
      << html_escape(f.caption);
    for (const char* ext : {"png", "pdf", "gp", "dat"})
      h << " <a href=\"" << base << '.' << ext << "\">" << ext << "</a>";
    h << "</figcaption>\n</figure>\n";
  }
  if (!figures.skipped.empty()) {
    h << "<p>Not drawn, for lack of data in this campaign:</p>\n<ul>\n";
    for (const auto& [name, why] : figures.skipped)
      h << "<li><b>" << html_escape(name) << "</b>: " << html_escape(why) << "</li>\n";
    h << "</ul>\n";
  }
  h << "</section>\n";
}

/// PADE against the baselines, from the campaign the speedup figure was drawn from.
void write_comparisons(std::ostream& h, Store& store, std::int64_t cid,
                       const std::string& campaign_name, const RenderedFigures& figures) {
  // The comparison usually lives in a companion campaign (`pade compare` into the same database):
  // the table shows the campaign the speedup figure was drawn from.
  std::int64_t compare_cid = cid;
  std::string compare_note;
  for (const auto& f : figures.figures)
    if (f.name == "speedup" && f.campaign != campaign_name)
      if (const auto c = store.find_campaign(f.campaign)) {
        compare_cid = c->id;
        compare_note = " From campaign <code>" + html_escape(c->name) + "</code>.";
      }
  h << "<section id=\"comparisons\">\n<h2>PADE against the baselines</h2>\n<p>Geometric means over "
       "benchmarks of "
       "baseline / PADE (latency: speedup; energy: energy efficiency); &gt; 1 means PADE is "
       "better."
    << compare_note << "</p>\n"
    << html_table(comparison_summary(store, compare_cid),
                  "The comparisons table is empty for this campaign: the baseline comparison has "
                  "not been run.")
    << "</section>\n";
}

}  // namespace

ReportFiles write_report(Store& store, const FigureOptions& options, const fs::path& out_dir) {
  const std::int64_t cid = campaign_id_or_latest(store, options.campaign);
  CampaignRecord campaign;
  for (auto& c : store.campaigns())
    if (c.id == cid) campaign = c;
  core::make_output_folder(out_dir);
  ReportFiles out;
  out.figures = render_all(store, options, out_dir / "figures");
  out.index = out_dir / "index.html";

  std::ostringstream h;
  h << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    << "<title>PADE-DSE report: " << html_escape(campaign.name) << "</title>\n<style>" << kStyle
    << "</style>\n</head>\n"
    << "<body>\n<h1>PADE-DSE report: campaign <code>" << html_escape(campaign.name)
    << "</code></h1>\n"
    << "<p>Database <code>" << html_escape(store.path()) << "</code> (schema version "
    << store.schema_version() << "), written " << utc_now_iso8601()
    << ". Campaign status: " << html_escape(campaign.status) << ".</p>\n"
    << "<nav><a href=\"#campaigns\">Campaigns</a><a href=\"#figures\">Figures</a><a "
       "href=\"#front\">Pareto front</a>"
    << "<a href=\"#benchmarks\">Benchmarks</a><a href=\"#comparisons\">Baselines</a>"
    << "<a href=\"#configuration\">Configuration</a><a href=\"#provenance\">Provenance</a></nav>\n"
    << "<p id=\"figure-warning\" class=\"warning\" hidden></p>\n";

  h << "<section id=\"campaigns\">\n<h2>Campaigns in this database</h2>\n"
    << html_table(campaigns_table(store), "No campaign.") << "</section>\n";

  write_figures(h, out.figures);

  h << "<section id=\"front\">\n<h2>Pareto front (suite level)</h2>\n<p>Latency is the geometric "
       "mean over the "
       "benchmarks, energy the total; swept parameters are columns. <code>pade show DB HASH</code> "
       "prints one design.</p>\n"
    << html_table(front_table(store, cid), "No Pareto front is stored for this campaign.")
    << "</section>\n";

  h << "<section id=\"benchmarks\">\n<h2>Per-benchmark summary</h2>\n<p>Over the campaign's "
       "designs: the best latency "
       "and energy any design reached, the mean fraction of keys kept, the worst accuracy loss and "
       "the size of the "
       "benchmark's own Pareto front.</p>\n"
    << html_table(benchmark_summary_table(store, cid), "No evaluation is stored for this campaign.")
    << "</section>\n";

  write_comparisons(h, store, cid, campaign.name, out.figures);

  h << "<section id=\"configuration\">\n<h2>Campaign configuration</h2>\n<pre>"
    << html_escape(campaign.spec_yaml) << "</pre>\n</section>\n";
  h << "<section id=\"provenance\">\n<h2>Provenance</h2>\n"
    << html_table(provenance_table(store, cid), "No provenance is stored for this campaign.")
    << "</section>\n<script>" << kSelfCheck << "</script>\n</body>\n</html>\n";

  core::write_output_file(out.index, h.str());
  return out;
}

}  // namespace pade::results
