#pragma once
// Figures with gnuplot. Each figure is written as NAME.dat (the data), NAME.gp (the script, which
// a user can restyle) and rendered to NAME.png, NAME.svg and NAME.pdf by running gnuplot on it.
// Every figure shares one paper style (paper_style_preamble): the Okabe–Ito colour-blind-safe
// palette for categories, viridis for continuous colour, log axes for ratios.
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "results/store.hpp"

namespace pade::results {

/// Which campaign, design, parameter and metric the figures show. Empty means the default:
/// the latest campaign; the suite Pareto-front design with the lowest energy; the first swept
/// parameter; latency_s.
struct FigureOptions {
  std::string campaign;
  std::string config;  // hash or unique prefix: the design of energy_breakdown and seqlen
  std::string param;   // sensitivity: a configuration parameter
  std::string metric;  // sensitivity and seqlen: an evaluation column or any metrics_json key
};

struct FigureFiles {
  std::string name;
  std::vector<std::filesystem::path> files;  // .dat, .gp, .png, .svg, .pdf
  int png_width = 0;                         // pixels, as requested from gnuplot
  int png_height = 0;
  int svg_width = 0;
  int svg_height = 0;
  std::string caption;   // one sentence: what is shown, from which data
  std::string campaign;  // the campaign whose data the figure shows
};

/// The campaign lacks the data a figure needs (no comparisons, no ablation pairs, no α sweep…).
/// An InputError when the figure was asked for by name; `render_all` skips it with the message.
class NoFigureData : public core::InputError {
 public:
  explicit NoFigureData(const std::string& message) : core::InputError(message), reason_(message) {}
  [[nodiscard]] const std::string& reason() const {
    return reason_;
  }  // without the "error: " prefix

 private:
  std::string reason_;
};

/// The figure names `pade plot --figure` accepts (besides `all`), from the figure registry.
[[nodiscard]] std::vector<std::string> figure_names();
/// Whether the figure's data usually lives in a companion campaign (comparison, ablation).
/// core::InputError for an unknown name.
[[nodiscard]] bool figure_has_companion(const std::string& figure);

/// Render one figure. InputError for unknown names or options, NoFigureData when the campaign
/// has nothing for it; RunError when gnuplot is missing or fails. The comparison figures
/// (speedup, efficiency) and the ablation usually come from companion campaigns (`pade compare`,
/// a sweep of the feature switches): when the chosen campaign has no such data, the latest
/// campaign of the database that has it is shown instead, and the caption says so.
FigureFiles render_figure(Store& store, const std::string& figure, const FigureOptions& options,
                          const std::filesystem::path& out_dir);

struct RenderedFigures {
  std::vector<FigureFiles> figures;
  std::vector<std::pair<std::string, std::string>> skipped;  // figure name, why
};
/// Every figure whose data the campaign has; the others are listed in `skipped`.
RenderedFigures render_all(Store& store, const FigureOptions& options,
                           const std::filesystem::path& out_dir);

/// The shared paper style: palette, fonts, grid, as a gnuplot preamble.
[[nodiscard]] std::string paper_style_preamble();

}  // namespace pade::results
