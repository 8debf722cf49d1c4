#pragma once
// A small results database made in the test, with every kind of data the figures and queries
// read: two campaigns, four benchmarks of two models at four sequence lengths, a grid over QK-PU
// lanes and alpha, an ablation group (the same design with PADE features switched off), energy
// and area components in metrics_json, Pareto ranks, an infeasible design and baseline
// comparisons. The metric formulas are arbitrary but monotone, so tests can predict orderings.
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "results/store.hpp"

namespace pade::test {

struct ResultsTempDir {
  std::filesystem::path path;
  explicit ResultsTempDir(const std::string& tag) {
    static int counter = 0;
    path = std::filesystem::temp_directory_path() /
           ("pade-results-" + tag + "-" + std::to_string(::getpid()) + "-" +
            std::to_string(counter++));
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~ResultsTempDir() { std::filesystem::remove_all(path); }
  ResultsTempDir(const ResultsTempDir&) = delete;
  ResultsTempDir& operator=(const ResultsTempDir&) = delete;
};

struct FixtureDesign {
  std::string hash;
  int lanes = 16;
  double alpha = 0.5;
  bool bui_gf = true, bidirectional = true, out_of_order = true;
  std::string tile_order = "head_tail";
};

struct FixtureBenchmark {
  std::string name, model;
  std::int64_t seq_len;
};

inline const std::vector<FixtureBenchmark>& fixture_benchmarks() {
  static const std::vector<FixtureBenchmark> b = {
      {"m1/a", "m1", 512}, {"m1/b", "m1", 2048}, {"m2/a", "m2", 1024}, {"m2/b", "m2", 4096}};
  return b;
}

/// Baseline / PADE values the fixture stores in `comparisons` (benchmark index i, baseline j).
inline double fixture_comparison(std::size_t bench, std::size_t baseline, bool speedup) {
  return (speedup ? 2.0 : 3.0) * (1.0 + 0.5 * static_cast<double>(baseline)) *
         (1.0 + 0.25 * static_cast<double>(bench));
}
inline const std::vector<std::string>& fixture_baselines() {
  static const std::vector<std::string> b = {"sofa", "h100", "dota",
                                             "sanger"};  // stored out of paper order
  return b;
}

struct FixtureOptions {
  bool comparisons = true;
  bool ablation = true;
  bool alpha_sweep = true;
};

/// Per-benchmark metrics of a design: latency falls with lanes and with each feature,
/// energy = dram + core, area = sram + qk_pu + v_pu (+ an unnamed 0.1 mm² so 'other' shows).
inline core::Metrics fixture_metrics(const FixtureDesign& d, const FixtureBenchmark& b,
                                     double speed) {
  const double n = static_cast<double>(b.seq_len);
  double slow = 1.0;
  if (!d.bui_gf) slow *= 1.8;
  if (!d.bidirectional) slow *= 1.2;
  if (!d.out_of_order) slow *= 1.3;
  if (d.tile_order != "head_tail") slow *= 1.1;
  const double latency = speed * slow * n * n * 1e-9 * (16.0 / d.lanes + 0.5);
  const double dram = n * 1e-6 * (d.tile_order == "head_tail" ? 1.0 : 1.4);
  const double core_j = latency * (0.5 + 0.02 * d.lanes) * slow;
  core::Metrics m;
  m.set("latency_s", latency);
  m.set("latency_cycles", latency * 1e9);
  m.set("energy_dram_j", dram);
  m.set("energy_core_j", core_j);
  m.set("energy_j", dram + core_j);
  m.set("area_sram_mm2", 1.5);
  m.set("area_qk_pu_mm2", 0.05 * d.lanes);
  m.set("area_v_pu_mm2", 0.4);
  m.set("area_mm2", 1.5 + 0.05 * d.lanes + 0.4 + 0.1);
  m.set("kept_fraction", 0.1 + 0.3 * d.alpha + 0.00001 * n);
  m.set("accuracy_loss", 0.02 * (1.0 - d.alpha));
  m.set("power_w", (dram + core_j) / latency);
  // The QK-PU is the bottleneck of narrow designs, DRAM of wide ones.
  m.set("util_qk_pu", std::min(1.0, 8.0 / d.lanes));
  m.set("util_dram", 0.6);
  return m;
}

inline std::vector<FixtureDesign> fixture_designs(const FixtureOptions& o) {
  std::vector<FixtureDesign> out;
  int k = 0;
  const auto hash = [&k] {
    std::ostringstream s;
    // Two designs share the prefix "ab0" so prefix ambiguity can be tested.
    s << (k < 2 ? "ab0" : "c") << std::hex << (0x1000 + k) << "deadbeefdead";
    ++k;
    return s.str().substr(0, 16);
  };
  for (const int lanes : {8, 16, 32})
    for (const double alpha :
         o.alpha_sweep ? std::vector<double>{0.5, 0.7} : std::vector<double>{0.5}) {
      FixtureDesign d;
      d.hash = hash();
      d.lanes = lanes;
      d.alpha = alpha;
      out.push_back(d);
    }
  if (o.ablation) {
    // v = 4 (BUI-GF alone, tiles in order) completes the cumulative sequence: v3 → v4 → v2 →
    // the all-on base design.
    for (int v = 0; v < 5; ++v) {
      FixtureDesign d;
      d.hash = hash();
      d.bui_gf = v != 0 && v != 3;
      d.bidirectional = d.out_of_order = v != 1 && v != 3 && v != 4;
      d.tile_order = v >= 2 ? "in_order" : "head_tail";
      out.push_back(d);
    }
  }
  return out;
}

inline std::vector<std::pair<std::string, std::string>> fixture_params(const FixtureDesign& d) {
  std::ostringstream alpha;
  alpha << d.alpha;
  return {{"algorithm.alpha", alpha.str()},
          {"algorithm.tile_order", d.tile_order},
          {"features.bidirectional", d.bidirectional ? "true" : "false"},
          {"features.bui_gf", d.bui_gf ? "true" : "false"},
          {"features.out_of_order", d.out_of_order ? "true" : "false"},
          {"qk_pu.lanes_per_row", std::to_string(d.lanes)}};
}

/// Store one campaign of `designs`; `speed` scales latency; designs with lanes 32 violate area.
inline std::int64_t fixture_campaign(results::Store& store, const std::string& name,
                                     const std::vector<FixtureDesign>& designs, double speed,
                                     std::size_t benchmarks, bool comparisons) {
  results::CampaignRecord c;
  c.name = name;
  c.spec_yaml = "kind: campaign\nname: " + name +
                "\nspace:\n  qk_pu.lanes_per_row: [8, 16, 32]\n# <b>escaped</b> & kept\n";
  c.seed = 3;
  c.strategy = "grid";
  c.status = "finished";
  const auto id = store.create_campaign(c);
  store.put_provenance(id, {{"git_commit", "0123abc"}, {"fidelity", "coarse"}, {"seed", "3"}});
  std::vector<results::EvaluationRecord> evals;
  std::vector<results::PointRecord> points;
  std::vector<results::ParetoRecord> pareto;
  std::int64_t seq = 0;
  for (const auto& d : designs) {
    store.put_configuration(d.hash, "canonical " + d.hash + "\n", fixture_params(d));
    results::PointRecord p;
    p.campaign_id = id;
    p.config_hash = d.hash;
    p.seq = seq;
    p.fidelity = "coarse";
    double log_lat = 0, energy = 0, area = 0;
    for (std::size_t i = 0; i < benchmarks; ++i) {
      const auto& b = fixture_benchmarks()[i];
      results::EvaluationRecord e;
      e.campaign_id = id;
      e.config_hash = d.hash;
      e.benchmark = b.name;
      e.fidelity = "coarse";
      e.seq = seq;
      e.metrics = fixture_metrics(d, b, speed);
      log_lat += std::log(e.metrics.get("latency_s"));
      energy += e.metrics.get("energy_j");
      area = e.metrics.get("area_mm2");
      evals.push_back(e);
    }
    p.objectives.set("latency_s", std::exp(log_lat / static_cast<double>(benchmarks)));
    p.objectives.set("energy_j", energy);
    p.objectives.set("area_mm2", area);
    p.feasible = d.lanes != 32;
    if (!p.feasible) p.reason = "area_mm2 above 3";
    points.push_back(p);
    ++seq;
  }
  // Suite ranks: 0 when no other feasible point is at least as good in latency, energy and area.
  for (const auto& p : points) {
    if (!p.feasible) continue;
    bool dominated = false;
    for (const auto& q : points) {
      if (!q.feasible || &q == &p) continue;
      bool le = true, lt = false;
      for (const char* m : {"latency_s", "energy_j", "area_mm2"}) {
        le = le && q.objectives.get(m) <= p.objectives.get(m);
        lt = lt || q.objectives.get(m) < p.objectives.get(m);
      }
      dominated = dominated || (le && lt);
    }
    pareto.push_back({"suite", p.config_hash, dominated ? 1 : 0});
    for (std::size_t i = 0; i < benchmarks; ++i)
      pareto.push_back({fixture_benchmarks()[i].name, p.config_hash, dominated ? 1 : 0});
  }
  store.put_batch(evals, points);
  store.set_pareto(id, pareto);
  if (comparisons) {
    std::vector<results::ComparisonRecord> rows;
    for (std::size_t i = 0; i < benchmarks; ++i)
      for (std::size_t j = 0; j < fixture_baselines().size(); ++j) {
        rows.push_back({fixture_benchmarks()[i].name, fixture_baselines()[j], "speedup",
                        fixture_comparison(i, j, true)});
        rows.push_back({fixture_benchmarks()[i].name, fixture_baselines()[j], "energy_efficiency",
                        fixture_comparison(i, j, false)});
      }
    // A sensitivity study's rows (pade compare --sensitivity): the tornado figure reads them;
    // comparison figures and the report's averages must skip them.
    for (std::size_t j = 0; j < fixture_baselines().size(); ++j) {
      const std::string& b = fixture_baselines()[j];
      rows.push_back({"sensitivity:nominal", b, "energy_efficiency", 2.0});
      rows.push_back(
          {"tornado-low:coefficients.hbm.device_pj_per_bit", b, "energy_efficiency", 2.2});
      rows.push_back(
          {"tornado-high:coefficients.hbm.device_pj_per_bit", b, "energy_efficiency", 1.7});
    }
    store.put_comparisons(id, rows);
  }
  return id;
}

/// The full fixture: campaign "base" (every design, 4 benchmarks, comparisons) and "variant"
/// (the grid designs plus one of its own, 20 % faster, only 3 benchmarks, no comparisons).
inline void make_fixture(results::Store& store, const FixtureOptions& o = {}) {
  for (const auto& b : fixture_benchmarks())
    store.put_benchmark(b.name, b.model, "task", "prefill", b.seq_len);
  const auto designs = fixture_designs(o);
  fixture_campaign(store, "base", designs, 1.0, 4, o.comparisons);
  std::vector<FixtureDesign> variant(designs.begin(), designs.begin() + (o.alpha_sweep ? 6 : 3));
  FixtureDesign own;
  own.hash = "f00dfeedf00dfeed";
  own.lanes =
      12;  // slower than the best shared design, so the per-benchmark best stays a shared one
  variant.push_back(own);
  fixture_campaign(store, "variant", variant, 0.8, 3, false);
}

inline std::string slurp_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace pade::test
