#include "models/hardware.hpp"

#include <yaml-cpp/yaml.h>

#include <iterator>
#include <string_view>
#include <utility>

namespace pade::models {

using core::Field;
using core::ParamSpec;

namespace {

// The members of ModelCoefficients and the table names they read (the table in
// core/coefficients.cpp declares each name's default, unit and source).
constexpr std::pair<double ModelCoefficients::*, std::string_view> kModelCoefficientNames[] = {
    {&ModelCoefficients::area_and2_ge, "area.and2_ge"},
    {&ModelCoefficients::area_exp_unit_ge, "area.exp_unit_ge"},
    {&ModelCoefficients::area_fa_ge, "area.fa_ge"},
    {&ModelCoefficients::area_ff_ge, "area.ff_ge"},
    {&ModelCoefficients::area_ge_um2, "area.ge_um2"},
    {&ModelCoefficients::area_mul8_ge, "area.mul8_ge"},
    {&ModelCoefficients::area_mux2_ge, "area.mux2_ge"},
    {&ModelCoefficients::area_rf_bit_ge, "area.rf_bit_ge"},
    {&ModelCoefficients::area_xor2_ge, "area.xor2_ge"},
    {&ModelCoefficients::calib_dynamic_energy_scale, "calib.dynamic_energy_scale"},
    {&ModelCoefficients::calib_logic_area_scale, "calib.logic_area_scale"},
    {&ModelCoefficients::energy_add16_pj_45nm, "energy.add16_pj_45nm"},
    {&ModelCoefficients::energy_add32_pj_45nm, "energy.add32_pj_45nm"},
    {&ModelCoefficients::energy_add8_pj_45nm, "energy.add8_pj_45nm"},
    {&ModelCoefficients::energy_fp16_add_pj_45nm, "energy.fp16_add_pj_45nm"},
    {&ModelCoefficients::energy_fp16_mul_pj_45nm, "energy.fp16_mul_pj_45nm"},
    {&ModelCoefficients::energy_fp32_mul_pj_45nm, "energy.fp32_mul_pj_45nm"},
    {&ModelCoefficients::energy_logic_pj_per_ge_45nm, "energy.logic_pj_per_ge_45nm"},
    {&ModelCoefficients::energy_mul8_pj_45nm, "energy.mul8_pj_45nm"},
    {&ModelCoefficients::energy_scoreboard_pj_per_bit, "energy.scoreboard_pj_per_bit"},
    {&ModelCoefficients::hbm_activate_pj, "hbm.activate_pj"},
    {&ModelCoefficients::hbm_device_pj_per_bit, "hbm.device_pj_per_bit"},
    {&ModelCoefficients::hbm_io_pj_per_bit, "hbm.io_pj_per_bit"},
    {&ModelCoefficients::hbm_row_device_pj_per_bit, "hbm.row_device_pj_per_bit"},
    {&ModelCoefficients::hbm_t_faw_ns, "hbm.t_faw_ns"},
    {&ModelCoefficients::hbm_t_ras_ns, "hbm.t_ras_ns"},
    {&ModelCoefficients::hbm_t_rcd_ns, "hbm.t_rcd_ns"},
    {&ModelCoefficients::hbm_t_refi_ns, "hbm.t_refi_ns"},
    {&ModelCoefficients::hbm_t_rfc_ns, "hbm.t_rfc_ns"},
    {&ModelCoefficients::hbm_t_rp_ns, "hbm.t_rp_ns"},
    {&ModelCoefficients::hbm_t_rrd_ns, "hbm.t_rrd_ns"},
    {&ModelCoefficients::hbm_t_rtw_ns, "hbm.t_rtw_ns"},
    {&ModelCoefficients::hbm_t_wtr_ns, "hbm.t_wtr_ns"},
    {&ModelCoefficients::leakage_logic_mw_per_mm2, "leakage.logic_mw_per_mm2"},
    {&ModelCoefficients::softmax_exp_fp16_ops, "softmax.exp_fp16_ops"},
    {&ModelCoefficients::sram_area_mm2_per_4kib, "sram.area_mm2_per_4kib"},
    {&ModelCoefficients::sram_area_mm2_per_8kib, "sram.area_mm2_per_8kib"},
    {&ModelCoefficients::sram_leakage_mw_per_8kib, "sram.leakage_mw_per_8kib"},
    {&ModelCoefficients::sram_read_pj_per_bit, "sram.read_pj_per_bit"},
    {&ModelCoefficients::sram_read_pj_per_bit_4kib, "sram.read_pj_per_bit_4kib"},
    {&ModelCoefficients::sram_write_pj_per_bit, "sram.write_pj_per_bit"},
    {&ModelCoefficients::sram_write_pj_per_bit_4kib, "sram.write_pj_per_bit_4kib"},
    {&ModelCoefficients::tech_energy_scale_45_to_28, "tech.energy_scale_45_to_28"},
    {&ModelCoefficients::timing_levels_per_cycle, "timing.levels_per_cycle"},
};
// A member without a name would silently stay 0 in every model: every double must be bound.
static_assert(sizeof(ModelCoefficients) == std::size(kModelCoefficientNames) * sizeof(double),
              "every ModelCoefficients member needs its table name in kModelCoefficientNames");

core::Binding<HardwareConfig, SparsityKnobs> make_hardware_binding() {
  using H = HardwareConfig;
  core::Binding<H, SparsityKnobs> b(
      "hardware",
      "A PADE accelerator configuration and the algorithm knobs it runs with. "
      "Defaults: the paper's design point (arXiv 2512.14322; shared/design/pade.md §6).");
  b.add_unbound(ParamSpec::choice("kind", {"hardware"})
                    .defaults(std::string("hardware"))
                    .not_identity()
                    .describe("document kind"));
  b.add(Field(&H::name, "name").not_identity().describe("a label for this configuration"));
  b.add(Field(&H::node_nm, "tech.node_nm")
            .with_unit("nm")
            .range(5, 180)
            .describe("technology node (energy and area coefficients are given at 28 nm)"));
  b.add(Field(&H::clock_mhz, "tech.clock_mhz")
            .with_unit("MHz")
            .range(50, 5000)
            .describe("core clock"));
  b.add(Field(&H::qk_rows, "qk_pu.rows")
            .with_unit("query rows")
            .range(1, 256)
            .describe("query rows processed concurrently (a query group)")
            .key_part("bq", 3));
  b.add(Field(&H::lanes_per_row, "qk_pu.lanes_per_row")
            .with_unit("lanes")
            .range(1, 1024)
            .describe("bit-serial PE lanes per query row"));
  b.add(Field(&H::dims_per_lane, "qk_pu.dims_per_lane")
            .with_unit("dims")
            .range(8, 1024)
            .describe("head dimensions a lane's AND tree covers per cycle (wider heads take "
                      "several cycles)"));
  b.add(Field(&H::gsat_subgroup, "qk_pu.gsat_subgroup")
            .with_unit("dims")
            .range(1, 128)
            .describe("GSAT sub-group size (dims per adder sub-tree)"));
  b.add(Field(&H::scoreboard_entries, "qk_pu.scoreboard_entries")
            .with_unit("entries")
            .range(1, 1024)
            .describe("in-flight keys per lane (out-of-order window)"));
  b.add(Field(&H::scoreboard_entry_bits, "qk_pu.scoreboard_entry_bits")
            .with_unit("bits")
            .range(8, 256)
            .describe("bits per scoreboard entry (partial score, round, key id)"));
  // Added after campaigns were stored: every stored in-order design ran one tile at a time (1 is
  // left out of the hash), and out-of-order designs never read it (their hashes, the default
  // design's among them, stay what they were).
  b.add(Field(&H::tiles_in_flight, "qk_pu.tiles_in_flight")
            .with_unit("tiles")
            .range(1, 64)
            .describe("in-order reference (features.out_of_order: false): key tiles whose rounds "
                      "the lockstep array interleaves, so one tile's plane requests overlap "
                      "another's rounds (8: the scoreboard's register storage holds 8 tiles of "
                      "the default 4 keys per lane); out-of-order lanes ignore it")
            .identity_unless(1)
            .identity_only_when("features.out_of_order", false));
  b.add(Field(&H::qk_pipeline_cycles, "qk_pu.pipeline_cycles")
            .with_unit("cycles")
            .range(1, 64)
            .describe("lane pipeline latency: AND/adder tree, bound check, scoreboard write "
                      "(assumed; not in the paper)"));
  b.add(Field(&H::qk_to_v_ratio, "v_pu.qk_to_v_ratio")
            .with_unit("ratio")
            .range(0.25, 128)
            .describe("QK-PU key-plane operations per V-PU kept-pair operation (V-PU pair lanes "
                      "= lanes / ratio)"));
  b.add(Field(&H::exp_units, "softmax.exp_units")
            .with_unit("units")
            .range(1, 1024)
            .describe("exponential units (default: one per V-PU pair lane, so softmax keeps pace "
                      "with P.V; not in the paper)"));
  b.add(Field(&H::v_pipeline_cycles, "v_pu.pipeline_cycles")
            .with_unit("cycles")
            .range(1, 64)
            .describe("V-PU MAC pipeline latency (assumed)"));
  b.add(Field(&H::exp_latency_cycles, "softmax.exp_latency_cycles")
            .with_unit("cycles")
            .range(1, 64)
            .describe("exponential unit latency (assumed)"));
  b.add(Field(&H::kv_buffer_kib, "sram.kv_buffer_kib")
            .with_unit("KiB")
            .range(8, 65536)
            .describe("K/V buffer"));
  b.add(Field(&H::q_buffer_kib, "sram.q_buffer_kib")
            .with_unit("KiB")
            .range(1, 65536)
            .describe("query buffer"));
  b.add(Field(&H::out_buffer_kib, "sram.out_buffer_kib")
            .with_unit("KiB")
            .range(1, 65536)
            .describe("output / partial-sum buffer"));
  // Added with issue #16: each is left out of the hash at what configurations before it implied
  // (PADE's accounting then: FP32 accumulators in the output buffer, a head resident in half the
  // K/V buffer).
  b.add(Field(&H::accumulator_bits, "dataflow.accumulator_bits")
            .with_unit("bits")
            .range(8, 64)
            .describe("output accumulator precision of every design (32: FP32, as FlashAttention "
                      "keeps them; plus an FP32 running max and sum per row)")
            .identity_unless(32));
  b.add(Field(&H::accumulator_home, "dataflow.accumulators")
            .describe("where a query tile's output accumulators live: out_buffer (they bound the "
                      "query tile with the Q buffer) or datapath (registers outside the buffers; "
                      "only the Q buffer bounds the tile)")
            .identity_unless(AccumulatorHome::OutBuffer));
  b.add(Field(&H::kv_reuse, "dataflow.kv_reuse")
            .describe("K/V reuse of every design: query_group (streamed per query group), "
                      "query_tile (per query tile of as many groups as the Q and output buffers "
                      "hold), head (once per KV head when its K and V fit the resident budget, "
                      "else per query tile)")
            .identity_unless(KvReuse::Head));
  b.add(Field(&H::resident_budget, "dataflow.resident_budget")
            .with_unit("ratio")
            .range(0, 100)
            .describe("share of the K/V buffer a resident head's K and V may take (0.5: ping-pong "
                      "with the next head's fetch; 1: the whole buffer; 5: the paper's sizing "
                      "remark, retained keys at 20 % retention)")
            .identity_unless(0.5));
  b.add(Field(&H::sram_bank_kib, "sram.bank_kib")
            .with_unit("KiB")
            .range(1, 1024)
            .describe("SRAM bank size; buffers are built from banks (CACTI-like energy/area per "
                      "bank)"));
  b.add(Field(&H::sram_latency_cycles, "sram.latency_cycles")
            .with_unit("cycles")
            .range(1, 64)
            .describe("SRAM access latency (buffer hit)"));
  b.add(Field(&H::v_tiles_in_flight, "sram.v_tiles_in_flight")
            .with_unit("tiles")
            .range(1, 64)
            .describe("V tiles buffered ahead of the V-PU (2 = double buffering)"));
  b.add(Field(&H::hbm_pseudo_channels, "hbm.pseudo_channels")
            .with_unit("channels")
            .range(1, 256)
            .describe("HBM pseudo-channels"));
  b.add(Field(&H::hbm_channel_bits, "hbm.channel_bits")
            .with_unit("bits")
            .range(8, 1024)
            .describe("data width per pseudo-channel"));
  b.add(Field(&H::hbm_pin_rate_gbps, "hbm.pin_rate_gbps")
            .with_unit("Gb/s/pin")
            .range(0.1, 32)
            .describe("data rate per pin (16 x 64 x 2 Gb/s = 256 GB/s)"));
  b.add(Field(&H::hbm_burst_length, "hbm.burst_length")
            .with_unit("beats")
            .range(1, 64)
            .describe("burst length (4 x 64 bit = 32 B per access)"));
  b.add(Field(&H::hbm_latency_ns, "hbm.latency_ns")
            .with_unit("ns")
            .range(0, 1000)
            .describe("access latency (assumed typical HBM2 row-hit-to-data; not from the paper)"));
  b.add(Field(&H::hbm_banks, "hbm.banks")
            .with_unit("banks")
            .range(1, 256)
            .identity_unless(16)
            .describe("banks per pseudo-channel (HBM2: 4 bank groups x 4; JESD235A)"));
  b.add(Field(&H::hbm_row_bytes, "hbm.row_bytes")
            .with_unit("bytes")
            .range(64, 65536)
            .identity_unless(1024)
            .describe("row (page) size per pseudo-channel (HBM2 pseudo-channel mode: 1 KB; "
                      "JESD235A)"));
  b.add(Field(&H::dram_model, "memory.dram_model")
            .describe("how every design's DRAM traffic is charged: bandwidth (bytes over the peak "
                      "bandwidth, a flat pJ/bit) or row_buffer (HBM banks, rows, JEDEC timings, "
                      "refresh, activation energy; docs/hardware-models.md §6a: opt-in until the "
                      "event and analytical models agree within 5 % in it)")
            .identity_unless(DramModel::Bandwidth));
  b.add(Field(&H::key_layout, "memory.key_layout")
            .describe("K in DRAM: bit-plane-first (each plane of a key tile contiguous, plane "
                      "records of round r in bank r: fetch only needed planes) or word-major "
                      "(whole words)"));
  // The statistics-cache key has listed these as bits;alpha;radius;bq;bk;order;bui since it
  // was first stored: the positions keep that order (stored keys keep matching).
  b.add(Field(&H::bits, "algorithm.bits")
            .with_unit("bits")
            .range(4, 16)
            .describe("operand bits of Q and K (key bit planes)")
            .key_part("bits", 0));
  b.add(Field(&H::alpha, "algorithm.alpha")
            .with_unit("ratio")
            .range(0, 100)
            .describe("guard scale α in T = max lower bound − α·radius (larger prunes less)")
            .key_part("alpha", 1));
  b.add(Field(&H::radius, "algorithm.radius")
            .with_unit("logit")
            .range(0, 1000)
            .describe("guard radius in the logit domain")
            .key_part("radius", 2));
  b.add(Field(&H::tile_keys, "algorithm.tile_keys")
            .with_unit("keys")
            .range(8, 65536)
            .describe("ISTA key-tile size B_k")
            .key_part("bk", 4));
  b.add(Field(&H::tile_order, "algorithm.tile_order")
            .describe("ISTA key-tile order")
            .key_part("order", 5));
  b.add(Field(&H::bui_gf, "features.bui_gf")
            .describe("BUI-GF early termination (off: every key runs all planes)")
            .key_part("bui", 6));
  // Added after statistics and campaigns were stored: at 1 (the one-plane model every stored
  // record means) it is in neither the statistics-cache key nor the configuration hash.
  b.add(Field(&H::bits_per_round, "algorithm.bits_per_round")
            .with_unit("bits")
            .range(1, 16)
            .describe(
                "key bit planes a lane consumes per round (multi-bit stage fusion; the "
                "guard decides once per round; above algorithm.bits: one round; lanes have k AND "
                "trees, docs/multi-bit-rounds.md)")
            .key_part_unless("bpr", 1)
            .identity_unless(1));
  b.add(Field(&H::bidirectional, "features.bidirectional")
            .describe("bidirectional bit sparsity per GSAT sub-group (each adds the smaller of its "
                      "ones/zeros on a half-width tree behind (g/2+1):1 multiplexers; off: "
                      "full-width trees)"));
  b.add(Field(&H::out_of_order, "features.out_of_order")
            .describe("out-of-order execution with per-lane scoreboards (off: lockstep lanes)"));
  // Added with issue 17: at true (what every earlier configuration was charged) it is out of the
  // configuration hash.
  b.add(Field(&H::bit_granular_overhead, "features.bit_granular_overhead")
            .describe("charge the costs of bit-plane granularity: partial DRAM bursts of plane "
                      "records, a DRAM wait per round's plane request, plane-extraction aligners "
                      "(off: an idealized memory that delivers exactly the needed plane bytes "
                      "with the first request; isolates the overhead)")
            .identity_unless(true));
  // Every model coefficient is a parameter too: documented, overridable per file, sweepable.
  b.add_coefficients(&H::coefficients, "coefficients");
  return b;
}

}  // namespace

const core::Binding<HardwareConfig, SparsityKnobs>& hardware_binding() {
  static const core::Binding<HardwareConfig, SparsityKnobs> binding = make_hardware_binding();
  return binding;
}

const core::Schema& hardware_schema() {
  return hardware_binding().schema();
}

ModelCoefficients ModelCoefficients::from(const core::CoefficientTable& table) {
  ModelCoefficients k;
  for (const auto& [member, name] : kModelCoefficientNames) k.*member = table.get(name);
  return k;
}

const Dataflow& default_dataflow() {
  static const Dataflow df = HardwareConfig{}.dataflow();
  return df;
}

HardwareConfig to_hardware(const core::Config& c) {
  HardwareConfig h = hardware_binding().from(c);
  h.coef = ModelCoefficients::from(h.coefficients);
  return h;
}

core::Config read_hardware(const std::string& path) {
  const core::YamlDocument doc = core::load_yaml_file(path);
  return core::read_config(*doc.root, hardware_schema(), doc.file);
}

}  // namespace pade::models
