#pragma once
// The HTML report: one static folder (index.html, figures/ beside it) that any browser opens
// without a server or network: the campaign list, every figure the campaign has data for (SVG,
// with PNG/PDF/.gp/.dat links), the Pareto front, a per-benchmark summary, the comparisons with
// the baselines, the campaign's configuration YAML and its provenance.
#include <filesystem>

#include "results/plot.hpp"
#include "results/store.hpp"

namespace pade::results {

struct ReportFiles {
  std::filesystem::path index;  // out_dir/index.html
  RenderedFigures figures;      // rendered into out_dir/figures; skipped ones are named on the page
};

/// Write the report of one campaign (options.campaign; empty: the latest). InputError when the
/// database holds no campaign; RunError when gnuplot fails.
ReportFiles write_report(Store& store, const FigureOptions& options,
                         const std::filesystem::path& out_dir);

/// `text` with & < > " ' replaced by entities.
[[nodiscard]] std::string html_escape(std::string_view text);

}  // namespace pade::results
