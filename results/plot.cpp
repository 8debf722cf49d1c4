#include "results/plot.hpp"

#include <cstdlib>
#include <fstream>
#include <map>

#include "core/error.hpp"
#include "results/query.hpp"

namespace pade::results {

std::vector<std::string> figure_names() { return {"pareto"}; }

std::string paper_style_preamble() {
  // Okabe & Ito (2008) colour-blind-safe palette.
  return "# PADE-DSE paper style\n"
         "set style line 1 lc rgb '#0072B2' pt 7 ps 0.8 lw 1.5\n"
         "set style line 2 lc rgb '#E69F00' pt 9 ps 1.3 lw 2\n"
         "set style line 3 lc rgb '#009E73' pt 5 ps 1.0 lw 1.5\n"
         "set style line 4 lc rgb '#D55E00' pt 11 ps 1.0 lw 1.5\n"
         "set style line 5 lc rgb '#CC79A7' pt 13 ps 1.0 lw 1.5\n"
         "set style line 6 lc rgb '#56B4E9' pt 3 ps 1.0 lw 1.5\n"
         "set style line 9 lc rgb '#999999' lw 0.5 dt 3\n"
         "set grid back ls 9\n"
         "set border 3 lw 1\n"
         "set tics nomirror out\n"
         "set key top right box opaque\n";
}

namespace {

std::int64_t resolve_campaign(Store& store, const std::string& name) {
  if (!name.empty()) {
    const auto c = store.find_campaign(name);
    if (!c) throw core::InputError("--campaign: no campaign named '" + name + "' in " + store.path());
    return c->id;
  }
  const auto all = store.campaigns();
  if (all.empty()) throw core::InputError({store.path(), 0, 0}, "", "the database holds no campaign to plot");
  return all.back().id;
}

void run_gnuplot(const std::filesystem::path& dir, const std::string& script) {
  const std::string cmd = "cd '" + dir.string() + "' && gnuplot '" + script + "' 2> '" + script + ".log'";
  const int rc = std::system(cmd.c_str());
  if (rc != 0) {
    std::ifstream log(dir / (script + ".log"));
    std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
    throw core::RunError("gnuplot failed on " + (dir / script).string() + " (is gnuplot-nox installed?)" +
                         (text.empty() ? std::string() : ": " + text));
  }
  std::filesystem::remove(dir / (script + ".log"));
}

/// Write the script once per terminal; the plotting commands are shared.
std::string with_terminals(const std::string& name, const std::string& body) {
  std::string gp = paper_style_preamble();
  gp += "# Rendered three times: PNG for screens, SVG for the HTML report, PDF for papers.\n";
  gp += "set terminal pngcairo size 1200,800 enhanced font 'Sans,13'\nset output '" + name + ".png'\n" + body;
  gp += "set terminal svg size 900,600 enhanced font 'Sans,12' background '#ffffff'\nset output '" + name + ".svg'\nreplot\n";
  gp += "set terminal pdfcairo size 6in,4in enhanced font 'Sans,10'\nset output '" + name + ".pdf'\nreplot\n";
  gp += "unset output\n";
  return gp;
}

FigureFiles pareto_figure(Store& store, std::int64_t campaign_id, const std::filesystem::path& dir) {
  const auto points = store.points(campaign_id);
  std::map<std::string, int> ranks;
  {
    SQLite::Statement st(store.db(), "SELECT config_hash, rank FROM pareto WHERE campaign_id = ? AND scope = 'suite'");
    st.bind(1, campaign_id);
    while (st.executeStep()) ranks[st.getColumn(0).getString()] = st.getColumn(1).getInt();
  }
  std::ofstream dat(dir / "pareto.dat");
  dat << "# Suite-level objectives of every feasible configuration of the campaign.\n"
         "# latency_s = geometric mean over benchmarks; energy_j = total over benchmarks\n"
         "# latency_s energy_j area_mm2 pareto(1=front) config_hash\n";
  std::size_t n = 0, front = 0;
  for (const auto& p : points) {
    if (!p.feasible) continue;
    const int rank = ranks.count(p.config_hash) ? ranks[p.config_hash] : -1;
    dat << p.objectives.get("latency_s") << ' ' << p.objectives.get("energy_j") << ' ' << p.objectives.get("area_mm2")
        << ' ' << (rank == 0 ? 1 : 0) << ' ' << p.config_hash << '\n';
    ++n;
    front += rank == 0 ? 1 : 0;
  }
  dat.close();
  if (n == 0) throw core::InputError({store.path(), 0, 0}, "", "the campaign has no feasible point to plot");
  const std::string body =
      "set title 'Design space: suite latency vs energy (front highlighted)'\n"
      "set xlabel 'latency, geometric mean over benchmarks (s)'\n"
      "set ylabel 'energy, total over benchmarks (J)'\n"
      "set logscale xy\n"
      "set format x '%.1e'\nset format y '%.1e'\n"
      "# Point size grows with area (column 3).\n"
      "plot 'pareto.dat' using 1:2:(0.6+0.6*$3/4.53) with points ls 1 ps variable title 'configurations', \\\n"
      "     '< awk ''$4==1'' pareto.dat | sort -g' using 1:2 with linespoints ls 2 title 'Pareto front'\n";
  std::ofstream(dir / "pareto.gp") << with_terminals("pareto", body);
  run_gnuplot(dir, "pareto.gp");
  (void)front;
  FigureFiles f{"pareto", {}};
  for (const char* ext : {".dat", ".gp", ".png", ".svg", ".pdf"}) f.files.push_back(dir / (std::string("pareto") + ext));
  return f;
}

}  // namespace

FigureFiles render_figure(Store& store, const std::string& figure, const std::string& campaign,
                          const std::filesystem::path& out_dir) {
  std::filesystem::create_directories(out_dir);
  const std::int64_t id = resolve_campaign(store, campaign);
  if (figure == "pareto") return pareto_figure(store, id, out_dir);
  std::string names;
  for (const auto& n : figure_names()) names += (names.empty() ? "" : ", ") + n;
  throw core::InputError("--figure: unknown figure '" + figure + "' (expected one of: " + names + ", all)");
}

}  // namespace pade::results
