#include "results/report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "core/file_io.hpp"
#include "core/json.hpp"
#include "core/metrics.hpp"
#include "results/decision.hpp"
#include "results/figures/figure.hpp"
#include "results/query.hpp"
#include "results/report_assets.hpp"
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

/// Report cells: four significant digits.
std::string report_number(const std::string& full) {
  return short_number(full, 4);
}

/// A sortable, filterable table (report_script): `id` names it; rows whose first column is a
/// configuration hash carry it as data-hash, so a click selects the design everywhere.
std::string html_table(const Table& t, const std::string& empty_note, const std::string& id) {
  if (t.rows().empty()) return "<p class=\"note\">" + html_escape(empty_note) + "</p>\n";
  const bool designs = !t.columns().empty() && t.columns().front() == "config_hash";
  std::string out =
      "<div class=\"tools\"><label>Filter <input type=\"search\" class=\"filter\" "
      "data-table=\"" +
      id +
      "\" placeholder=\"text in any column\"></label> "
      "<span class=\"count\" data-table=\"" +
      id + "\">" + std::to_string(t.rows().size()) + " rows</span></div>\n";
  out += "<div class=\"scroll\"><table class=\"data\" id=\"" + id + "\">\n<thead><tr>";
  for (const auto& c : t.columns()) out += "<th>" + html_escape(c) + "</th>";
  out += "</tr></thead>\n<tbody>\n";
  for (const auto& row : t.rows()) {
    out += designs && !row.empty() ? "<tr data-hash=\"" + html_escape(row.front().text) + "\">"
                                   : std::string("<tr>");
    for (const auto& cell : row) {
      if (cell.null)
        out += "<td class=\"null\">–</td>";
      else if (cell.numeric)
        out += "<td class=\"num\" title=\"" + html_escape(cell.text) + "\">" +
               html_escape(report_number(cell.text)) + "</td>";
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

std::filesystem::path svg_file(const FigureFiles& f) {
  for (const auto& p : f.files)
    if (p.extension() == ".svg") return p;
  throw core::RunError("figure " + f.name + " has no SVG file");
}

/// The figures section: each figure's SVG inline (tooltips and selection work on it), with its
/// caption and links to the files, then the skipped ones.
void write_figures(std::ostream& h, const RenderedFigures& figures) {
  h << "<section id=\"figures\">\n<h2>Figures</h2>\n<p>Point at a design in the Pareto figure "
       "for its parameters and metrics; click it to select it in every figure and table. Each "
       "figure is also available as SVG, PNG and PDF, with the gnuplot script (<code>.gp</code>) "
       "and its data (<code>.dat</code>) to restyle it.</p>\n";
  for (const auto& f : figures.figures) {
    const std::string base = "figures/" + f.name;
    h << "<figure id=\"fig-" << f.name << "\">\n"
      << inline_svg(core::read_input_file(svg_file(f), "figure SVG"), f.name + "-")
      << "\n<figcaption><b>" << html_escape(f.name) << ".</b> " << html_escape(f.caption);
    for (const char* ext : {"svg", "png", "pdf", "gp", "dat"})
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

std::string list_or(const std::vector<std::string>& items, const std::string& none) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out.empty() ? none : out;
}

std::string percent_change(double from, double to) {
  if (!(std::abs(from) > 0) || !std::isfinite(from) || !std::isfinite(to)) return "n/a";
  const double pct = 100.0 * (to - from) / std::abs(from);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.1f %%", pct);
  return std::abs(pct) < 0.05 ? "same" : buf;
}

/// How the designs were chosen, stated on the page (decision.hpp has the same definitions).
std::string method_text(const DecisionInput& in, const Recommendations& r) {
  std::vector<std::string> constraints, unpaired;
  for (const auto& c : in.constraints)
    constraints.push_back(c.metric + " ≤ " + report_number(core::json_number(c.max)));
  for (const auto& k : in.swept)
    if (std::find(r.paper_keys.begin(), r.paper_keys.end(), k) == r.paper_keys.end())
      unpaired.push_back(k);
  return "<p>Objectives (the campaign's: " + html_escape(list_or(in.objectives, "none")) +
         ") are normalized to [0, 1] over the " + std::to_string(r.front_size) +
         " designs of the suite Pareto front at the <b>" + html_escape(in.fidelity) +
         "</b> fidelity: (v − min) / (max − min), so the ideal point (each objective's best on "
         "the front) is the origin. <b>Balanced</b>: the front design at the smallest Euclidean "
         "distance from the ideal point in that space. <b>Lowest X</b>: the front design with the "
         "lowest X; every front design meets the campaign's constraints (" +
         html_escape(list_or(constraints, "the campaign sets none")) +
         "). <b>Nearest the paper's point</b>, the default configuration "
         "(shared/design/pade.md §6, examples/hw-default.yaml): the smallest Euclidean distance "
         "in normalized parameter space over the swept parameters that point fixes (" +
         html_escape(list_or(r.paper_keys, "none")) +
         "): a number scaled by its swept range, a word 0 when equal and 1 otherwise (ties: "
         "the more balanced); swept parameters without a paper value (" +
         html_escape(list_or(unpaired, "none")) +
         ") do not count. Neighbours are the nearest other front designs in the normalized "
         "objective space. Utilizations and energies are over the design's benchmarks at the "
         "same fidelity.</p>\n";
}

/// Why one recommended design: its roles, bottlenecks, dominant energy and neighbour trades.
void write_why(std::ostream& h, Store& store, std::int64_t cid, const DecisionInput& in,
               const Recommendation& rec) {
  const auto& d = *std::find_if(in.designs.begin(), in.designs.end(),
                                [&](const FrontDesign& x) { return x.hash == rec.hash; });
  const DesignExplanation e = explain_design(store, cid, rec.hash, d.fidelity);
  h << "<div class=\"why\" data-hash=\"" << html_escape(rec.hash) << "\"><b>"
    << html_escape(list_or(rec.roles, "")) << "</b>: <code>" << html_escape(rec.hash) << "</code> ("
    << html_escape(d.fidelity)
    << ")\n<ul>\n<li>Why chosen: " << html_escape(list_or(rec.reasons, ""))
    << ".</li>\n<li>Normalized objectives: ";
  for (std::size_t k = 0; k < in.objectives.size(); ++k)
    h << (k ? ", " : "") << html_escape(in.objectives[k]) << ' '
      << report_number(core::json_number(rec.normalized[k]));
  h << " (distance to the ideal point " << report_number(core::json_number(rec.ideal_distance))
    << ").</li>\n<li>Bottlenecks (mean utilization over " << e.benchmarks << " benchmarks): ";
  std::vector<std::string> util;
  for (const auto& [name, u] : e.utilization)
    util.push_back(name + " " + report_number(core::json_number(u)));
  h << html_escape(list_or(util, "no util_* metrics recorded")) << ".</li>\n<li>Dominant energy: ";
  if (e.dominant_energy.empty())
    h << "no energy_&lt;component&gt;_j metrics recorded";
  else
    h << html_escape(e.dominant_energy) << ", "
      << report_number(core::json_number(e.dominant_energy_j)) << " J of "
      << report_number(core::json_number(e.energy_j)) << " J ("
      << report_number(core::json_number(100.0 * e.dominant_energy_j / e.energy_j))
      << " %) summed over the benchmarks";
  h << ".</li>\n";
  for (const auto& n : rec.neighbours) {
    h << "<li>Neighbour <code>" << html_escape(n.hash.substr(0, 12)) << "</code> (distance "
      << report_number(core::json_number(n.distance)) << "), relative to this design: ";
    std::vector<std::string> trades, differs;
    for (const auto& t : n.trades)
      trades.push_back(t.objective + " " + percent_change(t.design, t.neighbour));
    for (const auto& c : n.differs) differs.push_back(c.key + " " + c.design + " → " + c.neighbour);
    h << html_escape(list_or(trades, "")) << "; differs in "
      << html_escape(list_or(differs, "no swept parameter")) << ".</li>\n";
  }
  h << "</ul></div>\n";
}

/// The recommended designs: how they were chosen, one table row each, and why each.
void write_recommendations(std::ostream& h, Store& store, std::int64_t cid,
                           const DecisionInput& in) {
  const Recommendations r = recommend(in, figures::paper_parameters());
  h << "<section id=\"recommended\">\n<h2>Recommended designs</h2>\n";
  if (r.designs.empty()) {
    h << "<p class=\"note\">No Pareto front is stored for this campaign: nothing to "
         "recommend.</p>\n</section>\n";
    return;
  }
  h << method_text(in, r) << html_table(recommendations_table(in, r), "", "table-recommended");
  for (const auto& rec : r.designs) write_why(h, store, cid, in, rec);
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
                  "not been run.",
                  "table-comparisons")
    << "</section>\n";
}

void write_head(std::ostream& h, Store& store, const CampaignRecord& campaign) {
  h << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    << "<title>PADE-DSE report: " << html_escape(campaign.name) << "</title>\n<style>"
    << report_style() << "</style>\n</head>\n"
    << "<body>\n<h1>PADE-DSE report: campaign <code>" << html_escape(campaign.name)
    << "</code></h1>\n"
    << "<p>Database <code>" << html_escape(store.path()) << "</code> (schema version "
    << store.schema_version() << "), written " << utc_now_iso8601()
    << ". Campaign status: " << html_escape(campaign.status) << ".</p>\n"
    << "<nav><a href=\"#recommended\">Recommended</a><a href=\"#campaigns\">Campaigns</a>"
    << "<a href=\"#figures\">Figures</a><a href=\"#front\">Pareto front</a>"
    << "<a href=\"#benchmarks\">Benchmarks</a><a href=\"#comparisons\">Baselines</a>"
    << "<a href=\"#configuration\">Configuration</a><a href=\"#provenance\">Provenance</a></nav>\n"
    << "<p id=\"figure-warning\" class=\"warning\" hidden></p>\n"
    << "<p id=\"selection\" aria-live=\"polite\"></p>\n<pre id=\"selftest\" hidden></pre>\n"
    << "<div id=\"tooltip\" hidden></div>\n";
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
  const DecisionInput decision = decision_input(store, cid);

  std::ostringstream h;
  write_head(h, store, campaign);
  write_recommendations(h, store, cid, decision);
  h << "<section id=\"campaigns\">\n<h2>Campaigns in this database</h2>\n"
    << html_table(campaigns_table(store), "No campaign.", "table-campaigns") << "</section>\n";
  write_figures(h, out.figures);
  h << "<section id=\"front\">\n<h2>Pareto front (suite level)</h2>\n<p>One row per design at "
       "the front's fidelity (<b>"
    << html_escape(decision.fidelity)
    << "</b>). Latency is the geometric mean over the benchmarks, energy the total; swept "
       "parameters are columns. <code>pade show DB HASH</code> prints one design.</p>\n"
    << html_table(front_designs_table(decision), "No Pareto front is stored for this campaign.",
                  "table-front")
    << "</section>\n";
  h << "<section id=\"benchmarks\">\n<h2>Per-benchmark summary</h2>\n<p>Over the campaign's "
       "designs at the front's fidelity: the best latency and energy any design reached, the mean "
       "fraction of keys kept, "
       "the worst accuracy loss and the size of the benchmark's own Pareto front.</p>\n"
    << html_table(benchmark_summary_table(store, cid, decision.fidelity),
                  "No evaluation is stored for this campaign.", "table-benchmarks")
    << "</section>\n";
  write_comparisons(h, store, cid, campaign.name, out.figures);
  h << "<section id=\"configuration\">\n<h2>Campaign configuration</h2>\n<pre>"
    << html_escape(campaign.spec_yaml) << "</pre>\n</section>\n";
  h << "<section id=\"provenance\">\n<h2>Provenance</h2>\n"
    << html_table(provenance_table(store, cid), "No provenance is stored for this campaign.",
                  "table-provenance")
    << "</section>\n<script type=\"application/json\" id=\"designs\">" << designs_json(decision)
    << "</script>\n<script>" << report_script() << "</script>\n</body>\n</html>\n";
  core::write_output_file(out.index, h.str());
  return out;
}

}  // namespace pade::results
