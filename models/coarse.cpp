#include "models/coarse.hpp"

#include "models/energy_area.hpp"
#include "models/hbm.hpp"

#include <algorithm>
#include <cmath>

namespace pade::models {

namespace {
// Lane rounds per pair with k = hw.planes_per_round() planes per round (a round runs iff its first
// plane does), and the expected rounds of the slowest of n lockstep pairs (as
// WorkloadStats::lockstep_rounds, per round instead of per plane).
struct LaneRounds {
  double mean = 0, lockstep = 0;
};
LaneRounds lane_rounds(const HardwareConfig& hw, const WorkloadStats& s) {
  const auto k = static_cast<std::size_t>(hw.planes_per_round());
  LaneRounds out;
  for (std::size_t r = 0; r < s.active_fraction.size(); r += k) {
    out.mean += s.active_fraction[r];
    out.lockstep += 1.0 - std::pow(1.0 - s.active_fraction[r], hw.lanes_per_row);
  }
  return out;
}
}  // namespace

core::Metrics coarse_model(const HardwareConfig& hw, const workloads::Benchmark& benchmark,
                           const WorkloadStats& s) {
  const ModelCoefficients& c = hw.coef;
  const double clock_hz = hw.clock_mhz * 1e6;
  const double bytes_per_cycle = hw.hbm_bandwidth_gbps() * 1e9 / clock_hz;
  const double e_scale = c.tech_energy_scale_45_to_28 * (hw.node_nm / 28.0);
  // Plane work (AND trees, SRAM reads) counts planes; lane time counts rounds of k planes.
  const double planes = hw.bui_gf ? s.mean_rounds() : static_cast<double>(s.bits);
  const LaneRounds lr = lane_rounds(hw, s);
  const double rounds = hw.bui_gf ? lr.mean : static_cast<double>(hw.rounds());
  const double kept = hw.bui_gf ? s.kept_fraction : 1.0;
  const double plane_fetch = hw.bui_gf ? s.group_plane_fetch_fraction : 1.0;
  const double v_fetch = hw.bui_gf ? s.group_v_fetch_fraction : 1.0;
  // In-order lanes move in lockstep: a batch of lanes_per_row keys takes as many rounds as its
  // slowest key. Out-of-order lanes (scoreboards) refill as soon as a key terminates.
  const double imbalance =
      hw.out_of_order || !hw.bui_gf || rounds <= 0 ? 1.0 : lr.lockstep / rounds;
  const double active_bits =
      hw.bidirectional ? s.subgroup_active(hw.gsat_subgroup, hw.dims_per_lane) : s.ones_fraction;

  // DRAM: sequential streams through the row-buffer model (models/hbm.hpp).
  const HbmParams hbm = hbm_params(hw);
  double cycles = 0, dram_bytes = 0, dyn_energy_pj = 0, activations = 0;
  double qk_busy = 0, v_busy = 0;
  for (const auto& g : benchmark.groups) {
    const double heads = static_cast<double>(g.layers) * g.q_heads;
    const double pairs = g.pairs_per_head();
    const double passes = std::ceil(static_cast<double>(g.head_dim) / hw.dims_per_lane);
    const double key_planes = pairs * planes;
    const double kept_pairs = pairs * kept;
    const double qk_cycles = pairs * rounds * passes * imbalance / hw.lanes();
    const double v_cycles = kept_pairs * passes / hw.v_pair_lanes();
    const double exp_cycles = kept_pairs / hw.exp_units;
    // DRAM, by the accounting every design shares (models/dataflow.hpp): a KV head's keys are
    // streamed plan.passes times; each stream serves plan.share() query groups, whose union of
    // needed planes is estimated as 1 - (1 - f)^share from the per-group fraction f (independent
    // groups: an upper bound).
    const DataflowPlan plan = plan_dataflow(hw.dataflow(), g, s.bits);
    const double share = plan.share();
    const double tile_plane_fetch = 1.0 - std::pow(1.0 - plane_fetch, share);
    const double tile_v_fetch = 1.0 - std::pow(1.0 - v_fetch, share);
    const double key_reads = plan.key_reads_per_q_head();
    const double plane_bytes = g.head_dim / 8.0;  // one key plane
    const double k_planes =
        hw.key_layout == KeyLayout::WordMajor ? s.bits : s.bits * tile_plane_fetch;
    const double k_bytes = key_reads * k_planes * plane_bytes;
    const double v_bytes = key_reads * tile_v_fetch * g.head_dim * s.bits / 8.0;
    const double q_bytes = static_cast<double>(g.queries) * g.head_dim * s.bits / 8.0;
    const double out_bytes = static_cast<double>(g.queries) * g.head_dim * 2.0;
    const double head_bytes = k_bytes + v_bytes + q_bytes + out_bytes;
    const HbmStreamCharge mem = hbm_sequential(hbm, head_bytes);
    const double mem_cycles = mem.cycles;
    activations += heads * mem.activations;
    const double head_cycles = std::max({qk_cycles, v_cycles, exp_cycles, mem_cycles});
    cycles += heads * head_cycles;
    qk_busy += heads * qk_cycles;
    v_busy += heads * v_cycles;
    dram_bytes += heads * head_bytes;
    // Dynamic energy (pJ): GSAT additions on the active bits of each processed key plane plus a
    // 32-bit accumulate and a bound compare per key plane; V-PU FP16 MAC per kept pair and dim;
    // exp as ~4 FP16 multiply-adds per kept pair; SRAM reads of every processed plane and kept V
    // row.
    const double gsat = key_planes * g.head_dim * active_bits * c.energy_add8_pj_45nm;
    const double accum = key_planes * 2.0 * c.energy_add32_pj_45nm;
    const double vpu =
        kept_pairs * g.head_dim * (c.energy_fp16_mul_pj_45nm + c.energy_fp16_add_pj_45nm);
    const double expo = kept_pairs * 4.0 * (c.energy_fp16_mul_pj_45nm + c.energy_fp16_add_pj_45nm);
    const double sram_bits = key_planes * g.head_dim + kept_pairs * g.head_dim * s.bits;
    const double sram =
        sram_bits * c.sram_read_pj_per_bit + head_bytes * 8.0 * c.sram_write_pj_per_bit;
    dyn_energy_pj += heads * ((gsat + accum + vpu + expo) * e_scale + sram);
  }
  const double seconds = cycles / clock_hz;
  const double dram_pj = hbm_energy_pj(hbm, dram_bytes, activations);
  const AreaBreakdown area = area_breakdown(hw);
  const double sram_leak_w = std::ceil(hw.sram_kib() / 8.0) * c.sram_leakage_mw_per_8kib * 1e-3;
  const double logic_leak_j = area.logic() * c.leakage_logic_mw_per_mm2 * 1e-3 * seconds;
  const double energy_j = (dyn_energy_pj + dram_pj) * 1e-12 + logic_leak_j + sram_leak_w * seconds;

  core::Metrics m;
  m.set(core::metric::kLatencyCycles, cycles);
  m.set(core::metric::kLatencyS, seconds);
  m.set(core::metric::kEnergyJ, energy_j);
  m.set(core::metric::kAreaMm2, area.total());
  m.set(core::metric::kPowerW, seconds > 0 ? energy_j / seconds : 0.0);
  m.set(core::metric::kKeptFraction, kept);
  m.set(core::metric::kAccuracyLoss, s.accuracy_loss);
  m.set(core::metric::kDramBytes, dram_bytes);
  m.set("energy_dram_j", dram_pj * 1e-12);
  m.set("energy_core_j", energy_j - dram_pj * 1e-12);
  m.set("utilization_qk", cycles > 0 ? qk_busy / cycles : 0.0);
  m.set("utilization_v", cycles > 0 ? v_busy / cycles : 0.0);
  m.set("dram_bandwidth_utilization", cycles > 0 ? dram_bytes / bytes_per_cycle / cycles : 0.0);
  m.set("mean_rounds", rounds);
  m.set("area_sram_mm2", area.sram());
  m.set("area_logic_mm2", area.logic());
  m.set("area_v_pu_mm2", area.v_pu_mm2);
  add_dataflow_metrics(m, hw.dataflow(), benchmark, s.bits);
  return m;
}

}  // namespace pade::models
