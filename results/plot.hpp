#pragma once
// Figures with gnuplot. Each figure is written as NAME.dat (the data), NAME.gp (the script, which
// a user can restyle) and rendered to NAME.png, NAME.svg and NAME.pdf by running gnuplot on it.
#include <filesystem>
#include <string>
#include <vector>

#include "results/store.hpp"

namespace pade::results {

struct FigureFiles {
  std::string name;
  std::vector<std::filesystem::path> files;  // .dat, .gp, .png, .svg, .pdf
};

/// The figure names `pade plot --figure` accepts.
[[nodiscard]] std::vector<std::string> figure_names();

/// Render one figure of a campaign (empty campaign: the latest one). InputError when the database
/// has nothing to plot; RunError when gnuplot is missing or fails.
FigureFiles render_figure(Store& store, const std::string& figure, const std::string& campaign,
                          const std::filesystem::path& out_dir);

/// The shared paper style: Okabe–Ito colour-blind-safe palette, fonts, grid (a gnuplot preamble).
[[nodiscard]] std::string paper_style_preamble();

}  // namespace pade::results
