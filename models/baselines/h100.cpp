#include "models/baselines/h100.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>

#include "models/hbm.hpp"

namespace pade::models {

namespace {

// Published FlashAttention forward throughput on H100 SXM5, TFLOPS, FP16, non-causal, FLOPs =
// 4·S²·D per head (FlashAttention-2 and -3 papers; shared/design/baselines.md §3).
constexpr std::array<double, 6> kLengths = {512, 1024, 2048, 4096, 8192, 16384};
struct Row {
  int head_dim;
  std::array<double, 6> tflops;
};
constexpr std::array<Row, 2> kFa2 = {
    {{64, {282, 306, 318, 321, 322, 324}}, {128, {309, 350, 362, 368, 370, 370}}}};
constexpr std::array<Row, 3> kFa3 = {{{64, {333, 392, 460, 476, 496, 497}},
                                      {128, {497, 565, 625, 638, 646, 648}},
                                      {256, {482, 639, 707, 736, 746, 756}}}};
// FA3 causal, D = 128 (same source): the causal/non-causal ratio is applied to every row.
constexpr std::array<double, 6> kFa3CausalD128 = {292, 423, 521, 579, 602, 616};

// Linear interpolation of `ys` over log2(x) of `xs`, clamped at both ends.
template <std::size_t N>
double interp_log(const std::array<double, N>& xs, const std::array<double, N>& ys, double x) {
  if (x <= xs.front()) return ys.front();
  if (x >= xs.back()) return ys.back();
  std::size_t i = 1;
  while (xs[i] < x) ++i;
  const double t =
      (std::log2(x) - std::log2(xs[i - 1])) / (std::log2(xs[i]) - std::log2(xs[i - 1]));
  return ys[i - 1] + t * (ys[i] - ys[i - 1]);
}

template <std::size_t N>
double by_head_dim(const std::array<Row, N>& rows, int head_dim, double seq_len) {
  if (head_dim <= rows.front().head_dim) return interp_log(kLengths, rows.front().tflops, seq_len);
  if (head_dim >= rows.back().head_dim) return interp_log(kLengths, rows.back().tflops, seq_len);
  std::size_t i = 1;
  while (rows[i].head_dim < head_dim) ++i;
  const double lo = interp_log(kLengths, rows[i - 1].tflops, seq_len);
  const double hi = interp_log(kLengths, rows[i].tflops, seq_len);
  const double t = (std::log2(head_dim) - std::log2(rows[i - 1].head_dim)) /
                   (std::log2(rows[i].head_dim) - std::log2(rows[i - 1].head_dim));
  return lo + t * (hi - lo);
}

}  // namespace

double flash_attention_tflops(const std::string& kernel, int head_dim, double seq_len,
                              bool causal) {
  double tflops = 0;
  if (kernel == "fa3")
    tflops = by_head_dim(kFa3, head_dim, seq_len);
  else if (kernel == "fa2")
    tflops = by_head_dim(kFa2, head_dim, seq_len);
  else
    throw std::invalid_argument("unknown FlashAttention kernel '" + kernel + "'");
  if (causal)
    tflops *= interp_log(kLengths, kFa3CausalD128, seq_len) /
              interp_log(kLengths, kFa3[1].tflops, seq_len);
  return tflops;
}

GpuScale h100_normalization(const std::string& normalization, const std::string& precision,
                            const core::CoefficientTable& c, const PadeReference& pade) {
  GpuScale s;
  if (normalization == "single_chip") return s;
  if (normalization == "iso_area") {
    if (pade.total_area_mm2 <= 0) throw std::invalid_argument("iso_area needs PADE's area");
    s.time = c.get("h100.die_mm2") * c.get("h100.density_ratio_4n_to_28nm") / pade.total_area_mm2;
    s.energy = c.get("h100.energy_ratio_28nm_to_4n");
    return s;
  }
  if (normalization == "iso_peak") {
    if (pade.peak_ops_per_s <= 0)
      throw std::invalid_argument("iso_peak needs PADE's peak throughput");
    const double peak =
        (precision == "fp8" ? c.get("h100.peak_fp8_tflops") : c.get("h100.peak_fp16_tflops")) *
        1e12;
    s.time = peak / pade.peak_ops_per_s;
    return s;
  }
  throw std::invalid_argument("unknown H100 normalization '" + normalization + "'");
}

namespace {

double max_keys(const workloads::Benchmark& bench) {
  double keys = 1;
  for (const auto& g : bench.groups) keys = std::max(keys, static_cast<double>(g.keys));
  return keys;
}

core::Metrics h100_cost(const BaselineContext& ctx, const workloads::Benchmark& bench,
                        const BaselineStats&) {
  const auto& c = ctx.coefficients;
  const std::string kernel = ctx.config.string("h100.kernel");
  const std::string precision = ctx.config.string("h100.precision");
  const bool fp8 = precision == "fp8";
  const double bytes_per_elem = fp8 ? 1.0 : 2.0;
  const double peak = (fp8 ? c.get("h100.peak_fp8_tflops") : c.get("h100.peak_fp16_tflops")) * 1e12;
  double seconds = 0, flops = 0, dram = 0;
  for (const auto& g : bench.groups) {
    const double heads = static_cast<double>(g.layers) * g.q_heads;
    const double f = 4.0 * g.pairs_per_head() * g.head_dim * heads;
    const double d = g.head_dim;
    const double kv_bytes = static_cast<double>(g.layers) * g.kv_heads *
                            static_cast<double>(g.keys) * d * 2.0 * bytes_per_elem;
    const double qo_bytes = heads * static_cast<double>(g.queries) * d * 2.0 * bytes_per_elem;
    flops += f;
    dram += kv_bytes + qo_bytes;
    if (bench.is_decode()) {
      const double bw = c.get("h100.hbm_tbps") * 1e12 * c.get("h100.decode_bandwidth_efficiency");
      seconds += std::max((kv_bytes + qo_bytes) / bw, f / peak);
    } else {
      double tflops =
          flash_attention_tflops(kernel, g.head_dim, static_cast<double>(g.keys), g.causal);
      if (fp8) tflops *= c.get("h100.fp8_speedup_fa3");
      seconds += f / (tflops * 1e12);
    }
  }
  const double board_w =
      c.get("h100.tdp_w") * (bench.is_decode() ? c.get("h100.power_fraction_decode")
                                               : c.get("h100.power_fraction_prefill"));
  const double dynamic_w = std::max(0.0, board_w - c.get("h100.idle_w"));
  const bool dynamic = ctx.config.string("h100.power_basis") == "dynamic";
  const GpuScale scale =
      h100_normalization(ctx.config.string("h100.normalization"), precision, c, ctx.pade);
  const double chip_energy = (dynamic ? dynamic_w : board_w) * seconds;
  const double energy = chip_energy * scale.energy;
  // The HBM share under the accelerators' one DRAM accounting (sequential streams through the
  // row-buffer model, models/hbm.hpp; its energy does not depend on the bandwidth), not scaled
  // with the logic: what "core only" leaves out of the board's energy.
  const HbmParams hbm = hbm_params(c, ctx.dataflow.dram_model, c.get("h100.hbm_tbps") * 1e3, 1e9);
  const double dram_j = std::min(energy, hbm_sequential(hbm, dram).energy_pj * 1e-12);
  core::Metrics m;
  m.set(core::metric::kLatencyS, seconds * scale.time);
  m.set(core::metric::kEnergyJ, energy);
  m.set(core::metric::kPowerW, energy / (seconds * scale.time));
  m.set(core::metric::kAreaMm2, ctx.config.string("h100.normalization") == "iso_area"
                                    ? ctx.pade.total_area_mm2
                                    : c.get("h100.die_mm2"));
  m.set(core::metric::kKeptFraction, 1.0);
  m.set(core::metric::kDramBytes, dram);
  m.set("energy_dram_j", dram_j);
  m.set("energy_core_j", energy - dram_j);
  m.set("flops", flops);
  m.set("single_chip_latency_s", seconds);
  m.set("single_chip_energy_j", chip_energy);
  m.set("single_chip_board_energy_j", board_w * seconds);
  m.set("single_chip_dynamic_energy_j", dynamic_w * seconds);
  m.set("board_power_w", board_w);
  m.set("idle_power_w", c.get("h100.idle_w"));
  m.set("power_basis_dynamic", dynamic ? 1.0 : 0.0);
  // The FlashAttention curves were measured at batch x length = 16k tokens (FA2/FA3 papers);
  // decode is bandwidth-bound, so its energy per request does not depend on the batch.
  m.set("batch_equivalent", bench.is_decode() ? 1.0 : std::max(1.0, 16384.0 / max_keys(bench)));
  m.set("achieved_tflops_single_chip", seconds > 0 ? flops / seconds * 1e-12 : 0.0);
  m.set("normalization_time_factor", scale.time);
  m.set("normalization_energy_factor", scale.energy);
  return m;
}

}  // namespace

void register_h100(BaselineRegistry& r) {
  r.add({"h100",
         "NVIDIA H100 SXM5, FlashAttention-3/2 throughput curves (batch x length = 16k tokens), "
         "board or dynamic (active - idle) power x time per h100.power_basis; normalization per "
         "h100.normalization",
         "h100-2", nullptr, h100_cost});
}

}  // namespace pade::models
