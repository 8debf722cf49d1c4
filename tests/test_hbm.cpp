// HBM at row-buffer level (models/hbm.hpp): the state machine's sanity checks (a sequential
// stream reaches peak bandwidth less refresh and turnaround; a random stream is bound by the row
// cycle), the closed form against the state machine, and the key layouts in the models.
#include <array>
#include <catch2/catch.hpp>
#include <cstdint>
#include <iostream>
#include <string>
#include <vector>

#include "core/rng.hpp"
#include "models/analytical.hpp"
#include "models/event_sim.hpp"
#include "models/hardware.hpp"
#include "models/hbm.hpp"
#include "tests/support/catalog.hpp"
#include "workloads/catalog.hpp"

using namespace pade;

namespace {

using test_support::catalog;

// The default configuration with memory.dram_model: row_buffer (the model under test; the
// default, bandwidth, keeps the accounting designs were first evaluated with).
models::HardwareConfig default_hw() {
  auto hw = models::to_hardware(core::default_config(models::hardware_schema()));
  hw.dram_model = models::DramModel::RowBuffer;
  return hw;
}

// Issue `bursts` bursts at density `q`, all queued at time 0, `write`
// deciding each burst's direction; returns the makespan.
template <class Write>
double run_stream(models::HbmDevice& dev, const models::HbmParams& p, std::int64_t bursts, double q,
                  Write write) {
  double end = 0;
  std::array<double, 2> moved{};  // per stream
  for (std::int64_t k = 0; k < bursts; ++k) {
    // Reads are stream 0 (bank 0), writes stream 1 (bank 1), as the layout keeps them.
    const bool w = write(k);
    const auto a = models::hbm_address(p, w ? 1 : 0, 2, (moved[w ? 1 : 0]++ + 0.5) / q,
                                       static_cast<std::uint64_t>(k));
    end = std::max(end, dev.access(a, w, 0.0));
  }
  return end;
}

}  // namespace

TEST_CASE("hbm: memory.dram_model bandwidth charges bytes over the peak bandwidth at a flat pJ/bit",
          "[hbm]") {
  auto hw = default_hw();
  hw.dram_model = models::DramModel::Bandwidth;
  const auto p = models::hbm_params(hw);
  CHECK_FALSE(p.row_buffer);
  CHECK(p.t.burst == hw.burst_cycles());
  CHECK(p.refresh_share() == 0);
  CHECK(p.activate_pj == 0);
  CHECK(p.device_pj_per_bit == hw.coef.hbm_device_pj_per_bit);
  // Sparse or written, every burst costs its bus time: no row-buffer timing.
  for (const double q : {1.0, 0.01}) {
    const auto cost = models::hbm_burst_cost(p, {q, true, true, 1.0});
    CHECK(cost.channel == p.t.burst);
    CHECK(cost.bank == 0);
    CHECK(cost.exposed == 0);
  }
  const auto s = models::hbm_sequential(p, 1e6);
  CHECK(s.cycles == Approx(1e6 / (hw.hbm_bandwidth_gbps() * 1e9 / hw.clock_hz())));
  CHECK(s.energy_pj ==
        Approx(1e6 * 8.0 * (hw.coef.hbm_device_pj_per_bit + hw.coef.hbm_io_pj_per_bit)));
  // row_buffer: its own per-bit figure plus activations, and the JEDEC timings.
  const auto r = models::hbm_params(default_hw());
  CHECK(r.row_buffer);
  CHECK(r.device_pj_per_bit == hw.coef.hbm_row_device_pj_per_bit);
  CHECK(r.t.rc > 0);
  CHECK(r.refresh_share() > 0);
}

TEST_CASE("hbm: a sequential stream reaches peak bandwidth less refresh and turnaround", "[hbm]") {
  const auto p = models::hbm_params(default_hw());
  // The default: 16 pseudo-channels x 64 bit x 2 Gb/s = 256 GB/s; at 800 MHz 320 B per cycle.
  CHECK(p.peak_bytes_per_cycle() == Approx(256e9 / 800e6));
  CHECK(p.refresh_share() == Approx(260.0 / 3900.0));
  const std::int64_t n = 400000;  // ~100 us: many refresh intervals
  {
    models::HbmDevice dev(p);
    const double t = run_stream(dev, p, n, 1.0, [](std::int64_t) { return false; });
    const double achieved = static_cast<double>(n) * p.burst_bytes / t;
    CHECK(achieved == Approx(p.peak_bytes_per_cycle() * (1 - p.refresh_share())).epsilon(0.01));
    // One activation per row: 32 bursts of a 1 KB row.
    CHECK(static_cast<double>(dev.activations()) / n ==
          Approx(1.0 / p.bursts_per_row).epsilon(0.05));
    // The closed form says the same.
    const auto cost = models::hbm_burst_cost(p, {});
    CHECK(cost.channel == Approx(p.t.burst / (1 - p.refresh_share())));
    CHECK(cost.activations == Approx(1.0 / p.bursts_per_row));
  }
  {
    // One write in eight: posted writes drain kHbmWriteDrainBursts at a time, two bus
    // turnarounds per drain.
    models::HbmDevice dev(p);
    const double t =
        run_stream(dev, p, n, 1.0, [&](std::int64_t k) { return (k / p.channels) % 8 == 7; });
    const double writes_per_channel = 1.0 / 8.0;
    const double per_burst =
        (p.t.burst + writes_per_channel * (p.t.rtw + p.t.wtr) / models::kHbmWriteDrainBursts) /
        (1 - p.refresh_share());
    const double expected = p.burst_bytes * p.channels / per_burst;
    const double achieved = static_cast<double>(n) * p.burst_bytes / t;
    CHECK(achieved == Approx(expected).epsilon(0.02));
    CHECK(achieved < p.peak_bytes_per_cycle() * (1 - p.refresh_share()));
  }
}

TEST_CASE("hbm: a random stream is bound by the row cycle time", "[hbm]") {
  auto hw = default_hw();
  for (const int banks : {2, 4, 16}) {
    hw.hbm_banks = banks;
    const auto p = models::hbm_params(hw);
    models::HbmDevice dev(p);
    core::Rng rng(7);
    const std::int64_t n = 200000;
    double end = 0;
    for (std::int64_t k = 0; k < n; ++k) {
      const models::HbmAddress a{static_cast<int>(k % p.channels),
                                 static_cast<int>(rng.below(banks)),
                                 static_cast<std::int64_t>(rng.below(1u << 20))};
      end = std::max(end, dev.access(a, false, 0.0));
    }
    CAPTURE(banks);
    const double per_channel = end / (static_cast<double>(n) / p.channels);  // cycles per burst
    // Never faster than tRC per bank x banks, nor than the bus, tRRD or tFAW allow.
    CHECK(per_channel >= p.t.rc / banks * (1 - 1e-9));
    CHECK(per_channel >= p.t.faw / 4.0 * (1 - 1e-9));
    CHECK(static_cast<double>(dev.activations()) == Approx(static_cast<double>(n)).epsilon(1e-3));
    // The closed form's bound holds; the in-order controller meets bank conflicts (a burst
    // waits for its bank while later ones to idle banks wait behind it), so it is reached only
    // in part, but never worse than one row cycle per burst.
    const double bound = models::hbm_random_cycles_per_burst(p);
    CHECK(per_channel >= bound * (1 - 0.01));
    CHECK(per_channel <= p.t.rc + p.t.burst);
  }
}

TEST_CASE("hbm: the closed form's activations match the state machine's on sparse streams",
          "[hbm]") {
  const auto p = models::hbm_params(default_hw());
  for (const double q : {1.0, 0.5, 0.2, 0.05, 0.01}) {
    models::HbmDevice dev(p);
    const std::int64_t n = 50000;
    run_stream(dev, p, n, q, [](std::int64_t) { return false; });
    CAPTURE(q);
    CHECK(static_cast<double>(dev.activations()) / n ==
          Approx(models::hbm_burst_cost(p, {q, false}).activations).epsilon(0.05));
  }
}

TEST_CASE(
    "hbm: bit-plane-first moves fewer bytes than word-major when keys are pruned, the same "
    "bytes and row activations when none is",
    "[hbm][hw]") {
  const auto ws = models::reference_workload_stats();
  for (const char* name : {"llama2-7b/mmlu", "opt-1.3b/mmlu"}) {
    const auto& b = catalog().benchmark(name);
    CAPTURE(name);
    for (const auto model : {&models::analytical_model, &models::event_model}) {
      auto planes = default_hw();
      planes.kv_reuse = models::KvReuse::QueryGroup;  // streamed per query group: pruning shows
      auto words = planes;
      words.key_layout = models::KeyLayout::WordMajor;
      const auto mp = model(planes, b, ws), mw = model(words, b, ws);
      CHECK(mp.get("dram_bytes") < mw.get("dram_bytes"));
      // Nothing pruned (BUI-GF off): every plane of every key moves either way.
      planes.bui_gf = words.bui_gf = false;
      const auto np = model(planes, b, ws), nw = model(words, b, ws);
      CHECK(np.get("dram_bytes") == Approx(nw.get("dram_bytes")));
      CHECK(np.get("dram_activations") == Approx(nw.get("dram_activations")));
      CHECK(np.get("energy_dram_j") == Approx(nw.get("energy_dram_j")));
    }
  }
}

TEST_CASE("hbm: row activations cost energy and, sparse, time", "[hbm][hw]") {
  const auto ws = models::reference_workload_stats();
  const auto& b = catalog().benchmark("llama2-7b/mmlu");
  const auto base = models::analytical_model(default_hw(), b, ws);
  CHECK(base.get("dram_row_hit_rate") > 0.5);
  CHECK(base.get("dram_row_hit_rate") < 1.0);
  // Smaller rows: more activations, more DRAM energy, never faster.
  auto small = default_hw();
  small.hbm_row_bytes = 128;
  const auto m = models::analytical_model(small, b, ws);
  CHECK(m.get("dram_activations") > base.get("dram_activations"));
  CHECK(m.get("energy_dram_j") > base.get("energy_dram_j"));
  CHECK(m.get("dram_bytes") == Approx(base.get("dram_bytes")));
  CHECK(m.get("latency_cycles") >= base.get("latency_cycles") * (1 - 1e-9));
}

TEST_CASE("hbm report (hidden): analytical vs event and the DRAM side per benchmark",
          "[.hbmreport]") {
  const auto ws = models::reference_workload_stats();
  for (const char* layout : {"bit_plane_first", "word_major"}) {
    auto hw = default_hw();
    if (std::string(layout) == "word_major") hw.key_layout = models::KeyLayout::WordMajor;
    for (const auto& n : catalog().suite("pade22")) {
      const auto& b = catalog().benchmark(n);
      const auto a = models::analytical_model(hw, b, ws), e = models::event_model(hw, b, ws);
      std::cout << layout << ' ' << n << " latency an " << a.get("latency_cycles") << " ev "
                << e.get("latency_cycles") << " ("
                << e.get("latency_cycles") / a.get("latency_cycles") - 1 << ") util_dram "
                << a.get("util_dram") << '/' << e.get("util_dram") << " bytes "
                << a.get("dram_bytes") << " row_hit " << a.get("dram_row_hit_rate")
                << " energy_dram_j " << a.get("energy_dram_j") << '\n';
    }
  }
}
