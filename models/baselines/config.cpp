// The `kind: baseline` schema: normalization knobs and every baseline's rule knobs, each with its
// unit, default and where the default comes from (docs/baselines.md explains the choices).
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "models/baselines/baseline.hpp"

namespace pade::models {

using core::ParamSpec;

const core::Schema& baseline_schema() {
  static const core::Schema schema = [] {
    core::Schema s(
        "baseline",
        "How the baselines are normalized and which knobs their sparsity rules run with. Defaults: "
        "the PADE paper's normalization (28 nm, PADE's PE-array area, 352 KB SRAM, 256 GB/s HBM) "
        "and each design's published operating point (shared/design/baselines.md).");
    s.add(ParamSpec::choice("kind", {"baseline"})
              .defaults(std::string("baseline"))
              .not_identity()
              .describe("document kind"));
    s.add(ParamSpec::string("name")
              .defaults(std::string("paper-normalization"))
              .not_identity()
              .describe("a label for this configuration"));
    s.add(ParamSpec::choice("normalization", {"paper", "published"})
              .defaults(std::string("paper"))
              .describe(
                  "paper: every accelerator at target.* below (the PADE paper's normalization); "
                  "published: each at its published node, clock and area (baselines.md §1), "
                  "memory system still target.*"));
    s.add(ParamSpec::integer("target.node_nm")
              .with_unit("nm")
              .range(5, 180)
              .defaults(std::int64_t{28})
              .describe("technology node of every accelerator (paper: 28 nm)"));
    s.add(ParamSpec::real("target.clock_mhz")
              .with_unit("MHz")
              .range(50, 5000)
              .defaults(800.0)
              .describe("clock of every accelerator; default iso-clock with PADE's 800 MHz (the "
                        "paper does not "
                        "say; SOFA's own 1 GHz is available through normalization: published)"));
    s.add(ParamSpec::real("target.pe_area_mm2")
              .with_unit("mm^2")
              .at_least(0)
              .defaults(0.0)
              .describe("PE-array area each accelerator gets; 0 = PADE's QK-PU + V-PU area under "
                        "the compared "
                        "hardware file (the paper's iso-area rule)"));
    s.add(
        ParamSpec::real("target.sram_kib")
            .with_unit("KiB")
            .range(8, 65536)
            .defaults(352.0)
            .describe("on-chip SRAM of every accelerator (paper: PADE's 352 KB): the Q and output "
                      "buffers of the compared hardware configuration, the rest K/V buffer"));
    s.add(ParamSpec::real("target.hbm_gbps")
              .with_unit("GB/s")
              .range(1, 100000)
              .defaults(256.0)
              .describe("off-chip bandwidth of every accelerator (paper: 256 GB/s HBM2)"));
    s.add(ParamSpec::integer("target.operand_bits")
              .with_unit("bits")
              .range(4, 16)
              .defaults(std::int64_t{8})
              .describe("precision of Q/K/V in execution and in DRAM (paper: INT8 like PADE; "
                        "published designs use 16)"));
    s.add(ParamSpec::real("target.exp_units")
              .with_unit("units")
              .range(0, 65536)
              .defaults(0.0)
              .describe("exponential units of every accelerator; 0 = sized to its execution array "
                        "(one exp per "
                        "kept pair it retires per cycle at d = 128); PADE's own count is "
                        "softmax.exp_units"));
    s.add(ParamSpec::real("target.published_logic_share")
              .with_unit("ratio")
              .range(0.05, 1)
              .defaults(0.6)
              .describe("published normalization: share of a published die area that is PE array "
                        "(assumed)"));
    // Sanger
    s.add(ParamSpec::real("sanger.threshold")
              .with_unit("probability")
              .range(0, 1)
              .defaults(2e-3)
              .describe("mask threshold on the 4-bit predicted softmax probability (Sanger: 2e-3 "
                        "or 2e-2)"));
    s.add(ParamSpec::integer("sanger.predictor_bits")
              .with_unit("bits")
              .range(2, 8)
              .defaults(std::int64_t{4})
              .describe("Q and K precision of the prediction (Sanger: 4)"));
    s.add(ParamSpec::integer("sanger.subrow_width")
              .with_unit("keys")
              .range(1, 4096)
              .defaults(std::int64_t{64})
              .describe("mask sub-row width of pack & split"));
    s.add(ParamSpec::integer("sanger.pes_per_subrow")
              .with_unit("PEs")
              .range(1, 1024)
              .defaults(std::int64_t{16})
              .describe("PEs a (packed or split) sub-row occupies"));
    s.add(ParamSpec::real("sanger.predictor_area_fraction")
              .with_unit("ratio")
              .range(0.01, 0.99)
              .defaults(0.2)
              .describe("share of the PE-array area spent on the 4-bit predictor (assumed; not "
                        "published)"));
    // DOTA
    s.add(ParamSpec::real("dota.rank_ratio")
              .with_unit("ratio")
              .range(0.01, 1)
              .defaults(0.25)
              .describe("detector rank k = rank_ratio x d (DOTA: 0.1-0.25, unverified)"));
    s.add(ParamSpec::real("dota.retention")
              .with_unit("ratio")
              .range(0.001, 1)
              .defaults(0.2)
              .describe("keys kept per row (top of the detector's scores); 0.2 reads SOFA Table "
                        "II's '80 % compute "
                        "saved' for DOTA as the kept fraction"));
    s.add(ParamSpec::integer("dota.detector_bits")
              .with_unit("bits")
              .range(2, 8)
              .defaults(std::int64_t{4})
              .describe("precision of the low-rank detector"));
    s.add(
        ParamSpec::real("dota.detector_area_fraction")
            .with_unit("ratio")
            .range(0.01, 0.99)
            .defaults(0.2)
            .describe("share of the PE-array area spent on the detector (assumed; not published)"));
    // SOFA
    s.add(ParamSpec::real("sofa.keep_ratio")
              .with_unit("ratio")
              .range(0.001, 1)
              .defaults(0.18)
              .describe("top-k per row as a fraction of visible keys; 0.18 reads SOFA Table II's "
                        "'82 % compute saved'"));
    s.add(ParamSpec::real("sofa.kv_reuse_saving")
              .with_unit("ratio")
              .range(0, 0.99)
              .defaults(0.23)
              .describe("DRAM K/V access saved by SOFA's reuse scheduling (SOFA: -23 %)"));
    s.add(ParamSpec::real("sofa.predictor_area_fraction")
              .with_unit("ratio")
              .range(0.01, 0.99)
              .defaults(0.196)
              .describe(
                  "SOFA breakdown: prediction PEs + encoders 0.90 of 4.60 mm^2 attention logic"));
    s.add(ParamSpec::real("sofa.sorter_area_fraction")
              .with_unit("ratio")
              .range(0.01, 0.99)
              .defaults(0.15)
              .describe("SOFA breakdown: sorters 0.69 of 4.60 mm^2 attention logic"));
    // SpAtten
    s.add(ParamSpec::real("spatten.final_token_keep")
              .with_unit("ratio")
              .range(0.001, 1)
              .defaults(0.05)
              .describe(
                  "tokens kept at the last layer; the keep ratio falls geometrically from 1 at "
                  "layer 0, "
                  "averaging ~1/3 over depth = SOFA Table II's '67 % compute saved' for SpAtten"));
    s.add(ParamSpec::integer("spatten.msb_bits")
              .with_unit("bits")
              .range(1, 15)
              .defaults(std::int64_t{4})
              .describe("key MSBs fetched first by progressive quantization"));
    s.add(ParamSpec::real("spatten.flat_threshold")
              .with_unit("probability")
              .range(0, 1)
              .defaults(0.1)
              .describe(
                  "a row whose MSB-only softmax max is below this refetches the LSBs (assumed)"));
    s.add(ParamSpec::real("spatten.topk_area_fraction")
              .with_unit("ratio")
              .range(0.01, 0.99)
              .defaults(0.05)
              .describe("share of the PE-array area spent on the top-k engine (assumed)"));
    // Energon
    s.add(ParamSpec::integer("energon.round1_bits")
              .with_unit("bits")
              .range(1, 8)
              .defaults(std::int64_t{2})
              .describe("precision of the first filtering round (Energon: 2)"));
    s.add(ParamSpec::integer("energon.round2_bits")
              .with_unit("bits")
              .range(1, 8)
              .defaults(std::int64_t{4})
              .describe("precision of the second filtering round (Energon: 4)"));
    s.add(ParamSpec::real("energon.beta1")
              .with_unit("ratio")
              .range(-1, 1)
              .defaults(0.0)
              .describe("round-1 threshold mean + beta (max - mean) of the row's estimates (0: "
                        "keep above mean; "
                        "two rounds then keep ~1/4 = SOFA Table II's '77 % compute saved')"));
    s.add(ParamSpec::real("energon.beta2")
              .with_unit("ratio")
              .range(-1, 1)
              .defaults(0.0)
              .describe("round-2 threshold, as beta1"));
    s.add(ParamSpec::real("energon.filter_area_fraction")
              .with_unit("ratio")
              .range(0.01, 0.99)
              .defaults(0.2)
              .describe("share of the PE-array area spent on the low-bit filter units (assumed)"));
    // H100
    s.add(
        ParamSpec::choice("h100.kernel", {"fa3", "fa2"})
            .defaults(std::string("fa3"))
            .describe(
                "FlashAttention version whose measured throughput curve is used (the paper: FA3)"));
    s.add(ParamSpec::choice("h100.precision", {"fp16", "fp8"})
              .defaults(std::string("fp16"))
              .describe("attention precision on the GPU"));
    s.add(
        ParamSpec::choice("h100.normalization", {"single_chip", "iso_area", "iso_peak"})
            .defaults(std::string("iso_area"))
            .describe(
                "single_chip: one H100 as measured; iso_area: H100 shrunk to PADE's area at 28 nm "
                "(density and energy scaling coefficients h100.*); iso_peak: H100 scaled to PADE's "
                "peak "
                "throughput, same energy per operation"));
    // Added after baseline configurations were first hashed: at "board" (what every earlier
    // comparison computed) it stays out of the hash.
    core::ParamSpec basis =
        ParamSpec::choice("h100.power_basis", {"board", "dynamic"})
            .defaults(std::string("board"))
            .describe(
                "board: energy = board power (h100.tdp_w x h100.power_fraction_*) x time, DRAM "
                "included; dynamic: (board power - h100.idle_w) x time, active minus idle, the "
                "basis the PADE authors' group measures GPUs on (TensorRT-LLM + FlashAttention-3, "
                "batch 8-128)");
    basis.identity_implied = core::Value(std::string("board"));
    s.add(std::move(basis));
    return s;
  }();
  return schema;
}

core::Config read_baseline_config(const std::string& path) {
  const core::YamlDocument doc = core::load_yaml_file(path);
  return core::read_config(*doc.root, baseline_schema(), doc.file);
}

core::Config default_baseline_config() {
  return core::default_config(baseline_schema());
}

const PublishedDesign& published_design(const std::string& name) {
  // SOFA's Table II (arXiv 2407.10416; shared/design/baselines.md §1): node, clock, area, core
  // power, throughput and compute saved; operand width from each paper (16-bit execution,
  // SpAtten 12).
  static const std::vector<PublishedDesign> table = {
      {"sanger", 55, 500, 16.9, 2.76, 16, 2285, 0.24},
      {"dota", 22, 1000, 4.44, 3.02, 16, 4905, 0.20},
      {"energon", 45, 1000, 4.2, 0.32, 16, 1153, 0.23},
      {"spatten", 40, 1000, 1.55, 0.325, 12, 360, 0.33},
      {"sofa", 28, 1000, 5.69, 0.95, 16, 24423, 0.18},
  };
  for (const auto& d : table)
    if (d.name == name) return d;
  throw std::invalid_argument("no published configuration for '" + name + "'");
}

SameDepthOverheads same_depth_overheads(const PublishedDesign& d, const core::CoefficientTable& c,
                                        double logic_share) {
  const double b = d.operand_bits / 8.0;
  const double mac_um2 =
      (c.get("baseline.area_mul8_um2_45nm") * b * b +
       c.get("baseline.area_add8_um2_45nm") * (2.0 * d.operand_bits + 8.0) / 8.0) *
      std::pow(d.node_nm / 45.0, 2.0);
  const double mac_pj = (c.get("energy.mul8_pj_45nm") * b * b +
                         c.get("energy.add8_pj_45nm") * (2.0 * d.operand_bits + 8.0) / 8.0) *
                        c.get("tech.energy_scale_45_to_28") * (d.node_nm / 28.0);
  const double clock_hz = d.clock_mhz * 1e6;
  const double busy_macs = d.gops * 1e9 * d.kept_fraction / (2.0 * clock_hz);
  SameDepthOverheads o;
  o.macs = busy_macs / c.get("baseline.published_utilization");
  o.area = d.area_mm2 * logic_share / (o.macs * mac_um2 * 1e-6);
  o.energy = d.core_w * (1.0 - c.get("baseline.published_sram_power_share")) /
             (busy_macs * clock_hz * mac_pj * 1e-12);
  return o;
}

AcceleratorTarget accelerator_target(const BaselineContext& ctx, const std::string& baseline) {
  const auto& c = ctx.config;
  AcceleratorTarget t;
  t.normalization = c.string("normalization");
  t.sram_kib = c.real("target.sram_kib");
  t.hbm_gbps = c.real("target.hbm_gbps");
  t.dataflow = ctx.dataflow;
  t.dataflow.kv_buffer_kib =
      std::max(0.0, t.sram_kib - t.dataflow.q_buffer_kib - t.dataflow.out_buffer_kib);
  t.area_overhead = ctx.coefficients.get("baseline." + baseline + ".area_overhead");
  t.energy_overhead = ctx.coefficients.get("baseline." + baseline + ".energy_overhead");
  if (t.normalization == "published") {
    const PublishedDesign& d = published_design(baseline);
    t.node_nm = d.node_nm;
    t.clock_mhz = d.clock_mhz;
    t.pe_area_mm2 = d.area_mm2 * c.real("target.published_logic_share");
    t.operand_bits = d.operand_bits;
    return t;
  }
  t.node_nm = static_cast<int>(c.integer("target.node_nm"));
  t.clock_mhz = c.real("target.clock_mhz");
  t.pe_area_mm2 =
      c.real("target.pe_area_mm2") > 0 ? c.real("target.pe_area_mm2") : ctx.pade.logic_area_mm2;
  if (t.pe_area_mm2 <= 0)
    throw std::invalid_argument("baseline target area unknown (no PADE reference given)");
  t.operand_bits = static_cast<int>(c.integer("target.operand_bits"));
  return t;
}

}  // namespace pade::models
