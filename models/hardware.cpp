#include "models/hardware.hpp"

#include <yaml-cpp/yaml.h>

namespace pade::models {

using core::ParamSpec;

const core::Schema& hardware_schema() {
  static const core::Schema schema = [] {
    core::Schema s(
        "hardware",
        "A PADE accelerator configuration and the algorithm knobs it runs with. "
        "Defaults: the paper's design point (arXiv 2512.14322; shared/design/pade.md §6).");
    s.add(ParamSpec::choice("kind", {"hardware"})
              .defaults(std::string("hardware"))
              .not_identity()
              .describe("document kind"));
    s.add(ParamSpec::string("name")
              .defaults(std::string("pade-default"))
              .not_identity()
              .describe("a label for this configuration"));
    s.add(ParamSpec::integer("tech.node_nm")
              .with_unit("nm")
              .range(5, 180)
              .defaults(std::int64_t{28})
              .describe("technology node (energy and area coefficients are given at 28 nm)"));
    s.add(ParamSpec::real("tech.clock_mhz")
              .with_unit("MHz")
              .range(50, 5000)
              .defaults(800.0)
              .describe("core clock"));
    s.add(ParamSpec::integer("qk_pu.rows")
              .with_unit("query rows")
              .range(1, 256)
              .defaults(std::int64_t{8})
              .describe("query rows processed concurrently (a query group)"));
    s.add(ParamSpec::integer("qk_pu.lanes_per_row")
              .with_unit("lanes")
              .range(1, 1024)
              .defaults(std::int64_t{16})
              .describe("bit-serial PE lanes per query row"));
    s.add(ParamSpec::integer("qk_pu.dims_per_lane")
              .with_unit("dims")
              .range(8, 1024)
              .defaults(std::int64_t{128})
              .describe("head dimensions a lane's AND tree covers per cycle (wider heads take "
                        "several cycles)"));
    s.add(ParamSpec::integer("qk_pu.gsat_subgroup")
              .with_unit("dims")
              .range(1, 128)
              .defaults(std::int64_t{8})
              .describe("GSAT sub-group size (dims per adder sub-tree)"));
    s.add(ParamSpec::integer("qk_pu.scoreboard_entries")
              .with_unit("entries")
              .range(1, 1024)
              .defaults(std::int64_t{32})
              .describe("in-flight keys per lane (out-of-order window)"));
    s.add(ParamSpec::integer("qk_pu.scoreboard_entry_bits")
              .with_unit("bits")
              .range(8, 256)
              .defaults(std::int64_t{45})
              .describe("bits per scoreboard entry (partial score, round, key id)"));
    s.add(ParamSpec::integer("qk_pu.pipeline_cycles")
              .with_unit("cycles")
              .range(1, 64)
              .defaults(std::int64_t{3})
              .describe("lane pipeline latency: AND/adder tree, bound check, scoreboard write "
                        "(assumed; not in the paper)"));
    s.add(ParamSpec::real("v_pu.qk_to_v_ratio")
              .with_unit("ratio")
              .range(0.25, 128)
              .defaults(8.0)
              .describe("QK-PU key-plane operations per V-PU kept-pair operation (V-PU pair lanes "
                        "= lanes / ratio)"));
    s.add(ParamSpec::integer("softmax.exp_units")
              .with_unit("units")
              .range(1, 1024)
              .defaults(std::int64_t{16})
              .describe("exponential units (default: one per V-PU pair lane, so softmax keeps pace "
                        "with P.V; not in the paper)"));
    s.add(ParamSpec::integer("v_pu.pipeline_cycles")
              .with_unit("cycles")
              .range(1, 64)
              .defaults(std::int64_t{4})
              .describe("V-PU MAC pipeline latency (assumed)"));
    s.add(ParamSpec::integer("softmax.exp_latency_cycles")
              .with_unit("cycles")
              .range(1, 64)
              .defaults(std::int64_t{4})
              .describe("exponential unit latency (assumed)"));
    s.add(ParamSpec::real("sram.kv_buffer_kib")
              .with_unit("KiB")
              .range(8, 65536)
              .defaults(320.0)
              .describe("K/V buffer"));
    s.add(ParamSpec::real("sram.q_buffer_kib")
              .with_unit("KiB")
              .range(1, 65536)
              .defaults(16.0)
              .describe("query buffer"));
    s.add(ParamSpec::real("sram.out_buffer_kib")
              .with_unit("KiB")
              .range(1, 65536)
              .defaults(16.0)
              .describe("output / partial-sum buffer"));
    s.add(
        ParamSpec::real("sram.bank_kib")
            .with_unit("KiB")
            .range(1, 1024)
            .defaults(8.0)
            .describe(
                "SRAM bank size; buffers are built from banks (CACTI-like energy/area per bank)"));
    s.add(ParamSpec::integer("sram.latency_cycles")
              .with_unit("cycles")
              .range(1, 64)
              .defaults(std::int64_t{2})
              .describe("SRAM access latency (buffer hit)"));
    s.add(ParamSpec::integer("sram.v_tiles_in_flight")
              .with_unit("tiles")
              .range(1, 64)
              .defaults(std::int64_t{2})
              .describe("V tiles buffered ahead of the V-PU (2 = double buffering)"));
    s.add(ParamSpec::integer("hbm.pseudo_channels")
              .with_unit("channels")
              .range(1, 256)
              .defaults(std::int64_t{16})
              .describe("HBM pseudo-channels"));
    s.add(ParamSpec::integer("hbm.channel_bits")
              .with_unit("bits")
              .range(8, 1024)
              .defaults(std::int64_t{64})
              .describe("data width per pseudo-channel"));
    s.add(ParamSpec::real("hbm.pin_rate_gbps")
              .with_unit("Gb/s/pin")
              .range(0.1, 32)
              .defaults(2.0)
              .describe("data rate per pin (16 x 64 x 2 Gb/s = 256 GB/s)"));
    s.add(ParamSpec::integer("hbm.burst_length")
              .with_unit("beats")
              .range(1, 64)
              .defaults(std::int64_t{4})
              .describe("burst length (4 x 64 bit = 32 B per access)"));
    s.add(
        ParamSpec::real("hbm.latency_ns")
            .with_unit("ns")
            .range(0, 1000)
            .defaults(50.0)
            .describe("access latency (assumed typical HBM2 row-hit-to-data; not from the paper)"));
    s.add(ParamSpec::choice("memory.key_layout", {"bit_plane_first", "word_major"})
              .defaults(std::string("bit_plane_first"))
              .describe("K in DRAM: plane-major (fetch only needed planes) or whole words"));
    s.add(ParamSpec::integer("algorithm.bits")
              .with_unit("bits")
              .range(4, 16)
              .defaults(std::int64_t{8})
              .describe("operand bits of Q and K (key bit planes)"));
    s.add(ParamSpec::real("algorithm.alpha")
              .with_unit("ratio")
              .range(0, 100)
              .defaults(0.5)
              .describe("guard scale α in T = max lower bound − α·radius (larger prunes less)"));
    s.add(ParamSpec::real("algorithm.radius")
              .with_unit("logit")
              .range(0, 1000)
              .defaults(5.0)
              .describe("guard radius in the logit domain"));
    s.add(ParamSpec::integer("algorithm.tile_keys")
              .with_unit("keys")
              .range(8, 65536)
              .defaults(std::int64_t{64})
              .describe("ISTA key-tile size B_k"));
    s.add(ParamSpec::choice("algorithm.tile_order", {"head_tail", "in_order", "reverse"})
              .defaults(std::string("head_tail"))
              .describe("ISTA key-tile order"));
    s.add(ParamSpec::boolean("features.bui_gf")
              .defaults(true)
              .describe("BUI-GF early termination (off: every key runs all planes)"));
    s.add(ParamSpec::boolean("features.bidirectional")
              .defaults(true)
              .describe("bidirectional bit sparsity (sum the smaller of ones/zeros)"));
    s.add(ParamSpec::boolean("features.out_of_order")
              .defaults(true)
              .describe("out-of-order execution with per-lane scoreboards (off: lockstep lanes)"));
    // Every model coefficient is a parameter too: documented, overridable per file, sweepable.
    const core::CoefficientTable table = core::CoefficientTable::defaults();
    for (const auto& c : table.entries())
      s.add(ParamSpec::real("coefficients." + c.name)
                .with_unit(c.unit)
                .at_least(0)
                .defaults(c.value)
                .describe(c.source));
    return s;
  }();
  return schema;
}

ModelCoefficients ModelCoefficients::from(const core::CoefficientTable& table) {
  ModelCoefficients k;
  k.area_and2_ge = table.get("area.and2_ge");
  k.area_exp_unit_ge = table.get("area.exp_unit_ge");
  k.area_fa_ge = table.get("area.fa_ge");
  k.area_ff_ge = table.get("area.ff_ge");
  k.area_ge_um2 = table.get("area.ge_um2");
  k.area_mul8_ge = table.get("area.mul8_ge");
  k.area_rf_bit_ge = table.get("area.rf_bit_ge");
  k.area_xor2_ge = table.get("area.xor2_ge");
  k.calib_dynamic_energy_scale = table.get("calib.dynamic_energy_scale");
  k.calib_logic_area_scale = table.get("calib.logic_area_scale");
  k.energy_add16_pj_45nm = table.get("energy.add16_pj_45nm");
  k.energy_add32_pj_45nm = table.get("energy.add32_pj_45nm");
  k.energy_add8_pj_45nm = table.get("energy.add8_pj_45nm");
  k.energy_fp16_add_pj_45nm = table.get("energy.fp16_add_pj_45nm");
  k.energy_fp16_mul_pj_45nm = table.get("energy.fp16_mul_pj_45nm");
  k.energy_fp32_mul_pj_45nm = table.get("energy.fp32_mul_pj_45nm");
  k.energy_mul8_pj_45nm = table.get("energy.mul8_pj_45nm");
  k.energy_scoreboard_pj_per_bit = table.get("energy.scoreboard_pj_per_bit");
  k.hbm_device_pj_per_bit = table.get("hbm.device_pj_per_bit");
  k.hbm_io_pj_per_bit = table.get("hbm.io_pj_per_bit");
  k.leakage_logic_mw_per_mm2 = table.get("leakage.logic_mw_per_mm2");
  k.softmax_exp_fp16_ops = table.get("softmax.exp_fp16_ops");
  k.sram_area_mm2_per_4kib = table.get("sram.area_mm2_per_4kib");
  k.sram_area_mm2_per_8kib = table.get("sram.area_mm2_per_8kib");
  k.sram_leakage_mw_per_8kib = table.get("sram.leakage_mw_per_8kib");
  k.sram_read_pj_per_bit = table.get("sram.read_pj_per_bit");
  k.sram_read_pj_per_bit_4kib = table.get("sram.read_pj_per_bit_4kib");
  k.sram_write_pj_per_bit = table.get("sram.write_pj_per_bit");
  k.sram_write_pj_per_bit_4kib = table.get("sram.write_pj_per_bit_4kib");
  k.tech_energy_scale_45_to_28 = table.get("tech.energy_scale_45_to_28");
  return k;
}

HardwareConfig to_hardware(const core::Config& c) {
  HardwareConfig h;
  h.name = c.string("name");
  h.node_nm = static_cast<int>(c.integer("tech.node_nm"));
  h.clock_mhz = c.real("tech.clock_mhz");
  h.qk_rows = static_cast<int>(c.integer("qk_pu.rows"));
  h.lanes_per_row = static_cast<int>(c.integer("qk_pu.lanes_per_row"));
  h.dims_per_lane = static_cast<int>(c.integer("qk_pu.dims_per_lane"));
  h.gsat_subgroup = static_cast<int>(c.integer("qk_pu.gsat_subgroup"));
  h.scoreboard_entries = static_cast<int>(c.integer("qk_pu.scoreboard_entries"));
  h.scoreboard_entry_bits = static_cast<int>(c.integer("qk_pu.scoreboard_entry_bits"));
  h.qk_pipeline_cycles = static_cast<int>(c.integer("qk_pu.pipeline_cycles"));
  h.qk_to_v_ratio = c.real("v_pu.qk_to_v_ratio");
  h.v_pipeline_cycles = static_cast<int>(c.integer("v_pu.pipeline_cycles"));
  h.exp_units = static_cast<int>(c.integer("softmax.exp_units"));
  h.exp_latency_cycles = static_cast<int>(c.integer("softmax.exp_latency_cycles"));
  h.kv_buffer_kib = c.real("sram.kv_buffer_kib");
  h.q_buffer_kib = c.real("sram.q_buffer_kib");
  h.out_buffer_kib = c.real("sram.out_buffer_kib");
  h.sram_bank_kib = c.real("sram.bank_kib");
  h.sram_latency_cycles = static_cast<int>(c.integer("sram.latency_cycles"));
  h.v_tiles_in_flight = static_cast<int>(c.integer("sram.v_tiles_in_flight"));
  h.hbm_pseudo_channels = static_cast<int>(c.integer("hbm.pseudo_channels"));
  h.hbm_channel_bits = static_cast<int>(c.integer("hbm.channel_bits"));
  h.hbm_pin_rate_gbps = c.real("hbm.pin_rate_gbps");
  h.hbm_burst_length = static_cast<int>(c.integer("hbm.burst_length"));
  h.hbm_latency_ns = c.real("hbm.latency_ns");
  h.key_layout = c.string("memory.key_layout") == "word_major" ? KeyLayout::WordMajor
                                                               : KeyLayout::BitPlaneFirst;
  h.bits = static_cast<int>(c.integer("algorithm.bits"));
  h.alpha = c.real("algorithm.alpha");
  h.radius = c.real("algorithm.radius");
  h.tile_keys = static_cast<int>(c.integer("algorithm.tile_keys"));
  h.tile_order = c.string("algorithm.tile_order");
  h.bui_gf = c.boolean("features.bui_gf");
  h.bidirectional = c.boolean("features.bidirectional");
  h.out_of_order = c.boolean("features.out_of_order");
  // h.coefficients starts as the defaults; copy the names first, since set() writes into it.
  std::vector<std::string> names;
  for (const auto& coef : h.coefficients.entries()) names.push_back(coef.name);
  for (const auto& name : names) h.coefficients.set(name, c.real("coefficients." + name));
  h.coef = ModelCoefficients::from(h.coefficients);
  return h;
}

core::Config read_hardware(const std::string& path) {
  const core::YamlDocument doc = core::load_yaml_file(path);
  return core::read_config(*doc.root, hardware_schema(), doc.file);
}

}  // namespace pade::models
