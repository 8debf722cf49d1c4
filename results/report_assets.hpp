#pragma once
// What the report page carries besides its data: its style sheet, its script (sorting, filtering,
// tooltips, selection, the page's own checks and the #selftest mode) and the gnuplot SVGs made fit
// to live inline in one HTML document. Everything is in the page: it needs no network.
#include <string>
#include <string_view>

namespace pade::results {

/// The page's CSS.
[[nodiscard]] std::string_view report_style();
/// The page's JavaScript (plain, no framework). It reads the designs from the JSON element
/// #designs, makes every table.data sortable (click a header) and filterable (its input.filter),
/// shows a tooltip over every element with data-hash, selects a design on click (class
/// "selected" on all its rows and points), counts the figures it can show (body data-figures)
/// and, at index.html#selftest, checks all of that and writes PASS/FAIL lines into #selftest.
[[nodiscard]] std::string_view report_script();

/// A gnuplot SVG file's text made fit to be inlined: the XML prolog and gnuplot's own title
/// dropped, every id (and reference to it) prefixed with `id_prefix` so several figures share one
/// document, the root marked class="figure", and each hypertext point (gnuplot `with labels
/// hypertext`, whose text is a configuration hash) turned into <g class="pt" data-hash="…">.
[[nodiscard]] std::string inline_svg(std::string_view svg, std::string_view id_prefix);

}  // namespace pade::results
