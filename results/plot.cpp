#include "results/plot.hpp"

#include <array>

#include "core/file_io.hpp"
#include "core/process.hpp"
#include "results/figures/figure.hpp"
#include "results/query.hpp"

namespace pade::results {

namespace fs = std::filesystem;

std::string paper_style_preamble() {
  // Okabe & Ito (2008) colour-blind-safe palette, in its usual order; line style N is category N.
  return "# PADE-DSE paper style: Okabe-Ito colour-blind-safe palette (styles 1-8), grid (style "
         "9).\n"
         "set encoding utf8\n"
         "set style line 1 lc rgb '#0072B2' pt 7 ps 1.0 lw 2\n"   // blue
         "set style line 2 lc rgb '#E69F00' pt 9 ps 1.2 lw 2\n"   // orange
         "set style line 3 lc rgb '#009E73' pt 5 ps 1.0 lw 2\n"   // bluish green
         "set style line 4 lc rgb '#D55E00' pt 11 ps 1.0 lw 2\n"  // vermillion
         "set style line 5 lc rgb '#CC79A7' pt 13 ps 1.0 lw 2\n"  // reddish purple
         "set style line 6 lc rgb '#56B4E9' pt 3 ps 1.0 lw 2\n"   // sky blue
         "set style line 7 lc rgb '#F0E442' pt 15 ps 1.0 lw 2\n"  // yellow
         "set style line 8 lc rgb '#000000' pt 6 ps 1.0 lw 2\n"   // black
         "set style line 9 lc rgb '#999999' lw 0.5 dt 3\n"
         "# Continuous colour (area in the Pareto scatter): viridis, also colour-blind safe.\n"
         "set palette defined (0 '#440154', 1 '#3B528B', 2 '#21908D', 3 '#5DC863', 4 '#FDE725')\n"
         "set grid back ls 9\n"
         "set border 3 lw 1\n"
         "set tics nomirror out\n"
         "set key top right box opaque\n";
}

namespace {

using figures::Figure;
using figures::Size;

// --- rendering -----------------------------------------------------------------------------------

void run_gnuplot(const fs::path& dir, const std::string& script) {
  // No shell: the folder and the script name are arguments, never command text.
  const core::ProgramResult r = core::run_program({{"gnuplot", script}, dir});
  if (r.exit_code != 0)
    throw core::RunError("gnuplot failed on " + (dir / script).string() +
                         " (is gnuplot-nox installed?)" +
                         (r.err.empty() ? std::string() : ": " + r.err));
}

/// The script: the style, then the body rendered once per terminal. The body is repeated rather
/// than `replot`, which would redraw only the last panel of a multiplot.
std::string with_terminals(const std::string& name, const std::string& body, const Size& s) {
  std::string g = paper_style_preamble();
  g += "# Rendered three times: PNG for screens, SVG for the HTML report, PDF for papers.\n";
  g += "set terminal pngcairo size " + std::to_string(s.png_w) + "," + std::to_string(s.png_h) +
       " enhanced font 'Sans,13'\nset output '" + name + ".png'\n" + body;
  g += "set terminal svg size " + std::to_string(s.svg_w) + "," + std::to_string(s.svg_h) +
       " enhanced font 'Sans,12' background '#ffffff'\nset output '" + name + ".svg'\n" + body;
  g += "set terminal pdfcairo size " + figures::num(s.pdf_w_in) + "in," + figures::num(s.pdf_h_in) +
       "in enhanced font 'Sans,10'\nset output '" + name + ".pdf'\n" + body;
  g += "unset output\n";
  return g;
}

FigureFiles render(const std::string& name, const Figure& f, const fs::path& dir) {
  core::write_output_file(dir / (name + ".dat"), f.dat);
  core::write_output_file(dir / (name + ".gp"), with_terminals(name, f.body, f.size));
  run_gnuplot(dir, name + ".gp");
  FigureFiles out{name, {}, f.size.png_w, f.size.png_h, f.size.svg_w, f.size.svg_h, f.caption, {}};
  for (const char* ext : {".dat", ".gp", ".png", ".svg", ".pdf"}) {
    out.files.push_back(dir / (name + ext));
    // gnuplot exits 0 even when a full disk cut its output short.
    if (ext[1] != 'd' && ext[1] != 'g') core::require_written(out.files.back());
  }
  return out;
}

// --- the figure registry -------------------------------------------------------------------------

/// One figure: its name (`pade plot --figure NAME`, the files NAME.*), its builder, and whether
/// its data usually lives in a companion campaign of the same database (the baseline comparison
/// of `pade compare`, the ablation sweeping the feature switches).
struct FigureEntry {
  std::string_view name;
  Figure (*build)(Store&, std::int64_t cid, const FigureOptions&);
  bool companion = false;
};

/// The only list of figure names: `pade plot --figure`, the order of `render_all` and of the
/// report. Adding a figure is its file in results/figures/ (declared in figures/figure.hpp) plus
/// one line here.
constexpr auto kFigures = std::to_array<FigureEntry>({
    {"pareto", figures::pareto},
    {"speedup", figures::speedup, true},
    {"efficiency", figures::efficiency, true},
    {"energy_breakdown", figures::energy_breakdown},
    {"area_breakdown", figures::area_breakdown},
    {"alpha", figures::alpha},
    {"ablation", figures::ablation, true},
    {"ablation_cumulative", figures::ablation_cumulative, true},
    {"sensitivity", figures::sensitivity},
    {"seqlen", figures::seqlen},
    {"tornado", figures::tornado, true},
});

const FigureEntry& figure_entry(const std::string& figure) {
  for (const auto& f : kFigures)
    if (f.name == figure) return f;
  std::vector<std::string> known = figure_names();
  known.emplace_back("all");
  throw core::unknown_name("figure", figure, known, core::NameOrigin::option("--figure"));
}

/// The figure from campaign `cid`; for a companion figure the campaign lacks, from the latest
/// other campaign of the database that has the data, saying so in the caption. `shown` is set to
/// the campaign the figure shows.
Figure build_or_companion(Store& store, const std::string& figure, std::int64_t cid,
                          const FigureOptions& o, std::string& shown) {
  const FigureEntry& entry = figure_entry(figure);
  shown = campaign_name(store, cid);
  try {
    return entry.build(store, cid, o);
  } catch (const NoFigureData&) {
    if (!entry.companion) throw;
    auto campaigns = store.campaigns();
    for (auto it = campaigns.rbegin(); it != campaigns.rend(); ++it) {
      if (it->id == cid) continue;
      try {
        Figure f = entry.build(store, it->id, o);
        f.caption += " From campaign '" + it->name + "' of the same database ('" + shown +
                     "' has no data for this figure).";
        shown = it->name;
        return f;
      } catch (const NoFigureData&) {
      }
    }
    throw;
  }
}

}  // namespace

std::vector<std::string> figure_names() {
  std::vector<std::string> out;
  for (const auto& f : kFigures) out.emplace_back(f.name);
  return out;
}

bool figure_has_companion(const std::string& figure) {
  return figure_entry(figure).companion;
}

FigureFiles render_figure(Store& store, const std::string& figure, const FigureOptions& options,
                          const fs::path& out_dir) {
  const std::int64_t cid = campaign_id_or_latest(store, options.campaign);
  std::string shown;
  const Figure f = build_or_companion(store, figure, cid, options, shown);
  core::make_output_folder(out_dir);
  FigureFiles files = render(figure, f, out_dir);
  files.campaign = shown;
  return files;
}

RenderedFigures render_all(Store& store, const FigureOptions& options, const fs::path& out_dir) {
  const std::int64_t cid = campaign_id_or_latest(store, options.campaign);
  core::make_output_folder(out_dir);
  RenderedFigures out;
  for (const auto& name : figure_names()) {
    try {
      std::string shown;
      const Figure f = build_or_companion(store, name, cid, options, shown);
      out.figures.push_back(render(name, f, out_dir));
      out.figures.back().campaign = shown;
    } catch (const NoFigureData& e) {
      out.skipped.emplace_back(name, e.reason());
    }
  }
  return out;
}

}  // namespace pade::results
