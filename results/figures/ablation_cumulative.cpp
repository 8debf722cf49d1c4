// Cumulative ablation: the bit-serial reference, then + BUI-GF, + BS-OOE, + ISTA in the paper's
// order, each step's PADE-22 geometric-mean latency and energy relative to the reference (the
// 16-combination `ablation` figure beside it shows every combination against the one with none).
#include <algorithm>
#include <sstream>

#include "results/ablation.hpp"
#include "results/figures/figure.hpp"

namespace pade::results::figures {

Figure ablation_cumulative(Store& store, std::int64_t cid, const FigureOptions&) {
  const CumulativeAblation a = cumulative_ablation(store, cid);
  const AblationStep& ref = a.steps.front();
  std::ostringstream dat;
  dat << "# Cumulative ablation (" << a.fidelity << ", geometric mean over " << a.benchmarks.size()
      << " benchmarks): each step adds one mechanism to the previous one.\n"
         "# latency_rel / energy_rel: relative to the bit-serial reference; *_change: to the "
         "previous step.\n"
         "# step latency_rel energy_rel latency_change energy_change latency_s energy_j "
         "config_hash\n";
  double lo = 1, hi = 1;
  for (const auto& s : a.steps) {
    const double l = s.latency_geomean / ref.latency_geomean;
    const double e = s.energy_geomean / ref.energy_geomean;
    lo = std::min({lo, l, e});
    hi = std::max({hi, l, e});
    dat << quoted(s.label) << ' ' << num(l) << ' ' << num(e) << ' ' << num(s.latency_change) << ' '
        << num(s.energy_change) << ' ' << num(s.latency_geomean) << ' ' << num(s.energy_geomean)
        << ' ' << s.config_hash << '\n';
  }
  Figure f;
  f.dat = dat.str();
  f.body = "set title " +
           gp("Cumulative ablation: latency and energy relative to the bit-serial reference "
              "(geomean, log scale)") +
           " noenhanced\n"
           "set ylabel 'relative to the reference (×)'\n"
           "set style data histograms\nset style histogram clustered gap 1\n"
           "set style fill solid 0.9 border rgb '#333333'\nset boxwidth 0.9\n" +
           log_axis("y", lo, hi) +
           "set xtics noenhanced\nset grid noxtics\nset key outside below horizontal\n"
           "set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead lc rgb '#333333' lw 1\n"
           "plot 'ablation_cumulative.dat' using 2:xtic(1) ls 1 title 'latency', '' using 3 ls 3 "
           "title 'energy'\n";
  f.caption = "Cumulative ablation in the paper's order over " +
              std::to_string(a.benchmarks.size()) + " benchmarks (" + a.fidelity +
              " model): each bar is a step's geometric-mean latency or energy over the bit-serial "
              "reference's; the change to the previous step is in the data file." +
              caption_facts(store, cid, "ratios to the bit-serial reference of the same campaign",
                            a.fidelity + " model");
  return f;
}

}  // namespace pade::results::figures
