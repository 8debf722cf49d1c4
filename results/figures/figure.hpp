#pragma once
// What every figure builder shares: the Figure it returns, the gnuplot text helpers, and the
// typed reads several figures make (the design to show, the metric to plot). Each figure lives
// in its own file of results/figures/ and reads typed data from the store, shapes it and emits
// gnuplot text; results/plot.cpp registers it (kFigures) and renders it.
#include <cstdint>
#include <functional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "results/plot.hpp"
#include "results/store.hpp"

namespace pade::results::figures {

struct Size {
  int png_w, png_h;
  int svg_w, svg_h;
  double pdf_w_in, pdf_h_in;
};
inline constexpr Size kNormal{1200, 800, 900, 600, 6.0, 4.0};
inline constexpr Size kWide{1600, 800, 1200, 600, 8.0, 4.0};  // one bar group per benchmark

/// What a figure builder produces; plot.cpp writes and renders it.
struct Figure {
  std::string dat;   // the data file's text
  std::string body;  // gnuplot commands after the style preamble, ending in `plot`
  Size size = kNormal;
  std::string caption;
};

// --- the builders (one file each; registered in kFigures, results/plot.cpp) ----------------------
Figure pareto(Store& store, std::int64_t cid, const FigureOptions& o);
Figure speedup(Store& store, std::int64_t cid, const FigureOptions& o);     // comparison.cpp
Figure efficiency(Store& store, std::int64_t cid, const FigureOptions& o);  // comparison.cpp
Figure energy_breakdown(Store& store, std::int64_t cid, const FigureOptions& o);
Figure area_breakdown(Store& store, std::int64_t cid, const FigureOptions& o);
Figure alpha(Store& store, std::int64_t cid, const FigureOptions& o);
Figure ablation(Store& store, std::int64_t cid, const FigureOptions& o);
Figure ablation_cumulative(Store& store, std::int64_t cid, const FigureOptions& o);
Figure sensitivity(Store& store, std::int64_t cid, const FigureOptions& o);
Figure seqlen(Store& store, std::int64_t cid, const FigureOptions& o);
Figure tornado(Store& store, std::int64_t cid, const FigureOptions& o);

// --- gnuplot text --------------------------------------------------------------------------------
/// %.9g, or NaN.
[[nodiscard]] std::string num(double v);
/// A string as one data-file column (gnuplot reads "double-quoted" fields whole).
[[nodiscard]] std::string quoted(const std::string& s);
/// A gnuplot single-quoted string literal ('' is a quote inside).
[[nodiscard]] std::string gp(const std::string& s);
[[nodiscard]] std::string short_hash(const std::string& h);
/// log-axis range with a little air around [lo, hi] (both > 0).
[[nodiscard]] std::pair<double, double> log_range(double lo, double hi);
[[nodiscard]] std::string range(const char* axis, std::pair<double, double> r);
/// The tics of a log axis over the plotted range [lo, hi]: every decade inside it, with 2 and 5
/// (or an even 1-2-5 step) when the range is too short for decades alone to be read.
[[nodiscard]] std::vector<double> log_tics(double lo, double hi);
/// A log axis over data [lo, hi]: the range with a little air, and explicit labelled tics
/// (log_tics), so every decade is ticked whatever gnuplot would choose.
[[nodiscard]] std::string log_axis(const std::string& axis, double lo, double hi);
/// A numeric axis through the given distinct (sorted) values.
[[nodiscard]] std::string value_axis(const std::string& axis, const std::vector<double>& values);
/// " (s)", " (J)"… from the metric's name; empty when it has no unit.
[[nodiscard]] std::string unit_of(const std::string& metric);
[[nodiscard]] double geomean(const std::vector<double>& v);
/// "energy_dram_j" with prefix "energy_" and suffix "_j" → "dram"; empty when not a component.
[[nodiscard]] std::string component(const std::string& key, const std::string& prefix,
                                    const std::string& suffix);
/// Component names that are sums of other reported components (counted twice when stacked).
[[nodiscard]] std::set<std::string> aggregate_components(const std::set<std::string>& names);
/// The `plot` clauses of a stacked histogram of `file`, one per column (column(i): the `using`
/// expression of column i), ending in a newline.
/// `index`: the data block (" index 0"), empty for the whole file.
[[nodiscard]] std::string stacked_plot(const std::string& file,
                                       const std::vector<std::string>& columns,
                                       const std::function<std::string(std::size_t)>& column,
                                       const std::string& index = "");
[[nodiscard]] bool contains(const std::vector<std::string>& v, const std::string& s);
/// The one colour of an energy or area component ("dram", "sram_kv", "v_pu"…) in every figure,
/// as gnuplot's "rgb '#rrggbb'"; unknown names get a stable colour from their text.
[[nodiscard]] std::string component_colour(const std::string& name);
/// A parameter key as a reader says it: "qk_pu.lanes_per_row" → "QK-PU lanes per row".
[[nodiscard]] std::string humanize(const std::string& key);

// --- captions ------------------------------------------------------------------------------------
/// What the energies of the figures include (models/: energy_j = energy_core_j + energy_dram_j).
inline constexpr const char* kEnergyScope =
    "energy = on-chip (compute, SRAM, leakage) + off-chip DRAM, per benchmark";
/// The fidelity the campaign's figures show: its provenance 'front_fidelity', else 'fidelity',
/// with the model version when recorded; "not recorded" otherwise.
[[nodiscard]] std::string campaign_fidelity(Store& store, std::int64_t cid);
/// The sentence every caption ends with: " Normalization: …. Energy: …. Fidelity: …." (an empty
/// fidelity: the campaign's; an empty energy scope: on-chip + DRAM).
[[nodiscard]] std::string caption_facts(Store& store, std::int64_t cid,
                                        const std::string& normalization,
                                        const std::string& fidelity = "",
                                        const std::string& energy_scope = "");
/// How the comparison campaign normalized the baselines (its provenance), for captions.
[[nodiscard]] std::string comparison_normalization(Store& store, std::int64_t cid);
/// The paper's design point (shared/design/pade.md §6, examples/hw-default.yaml): the values of
/// the parameters campaigns sweep, as stored text ("16", "0.5", "head_tail", "true").
[[nodiscard]] std::span<const std::pair<std::string_view, std::string_view>> paper_parameters();
/// Which of `hashes` is the paper's design point (shared/design/pade.md §6, examples/
/// hw-default.yaml): every paper parameter the design records has the paper's value. Empty: none.
[[nodiscard]] std::string paper_design(Store& store, std::int64_t cid,
                                       const std::vector<std::string>& hashes);

// --- typed reads several figures share -----------------------------------------------------------
struct Design {
  std::string hash;
  std::string fidelity;
};
/// The design the per-design figures show: the one asked for, else the suite Pareto-front
/// design with the lowest total energy, else the feasible point with the lowest energy — at the
/// fidelity the front was ranked at.
[[nodiscard]] Design pick_design(Store& store, std::int64_t cid, const std::string& config);
/// InputError when no evaluation of the campaign reports `metric` (a column or a metrics_json
/// key); the message lists what they report.
void require_metric(Store& store, std::int64_t cid, const std::string& metric);
/// "; the campaign stored a summary …" when it did (its breakdown metrics were not kept), else
/// empty: appended to the messages of figures that need them.
[[nodiscard]] std::string summary_note(Store& store, std::int64_t cid);
/// Whether `metric` is a column of the evaluations (else it is read from metrics_json).
[[nodiscard]] bool is_evaluation_column(const std::string& metric);

}  // namespace pade::results::figures
