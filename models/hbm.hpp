#pragma once
// HBM at row-buffer level (docs/hardware-models.md §6a): pseudo-channels of `banks` banks with an
// open-page policy, rows of `row_bytes`, bursts of `burst_bytes`, JEDEC timings (tRCD, tRP,
// tRAS, tRC = tRAS + tRP, tRRD, tFAW, tRFC/tREFI refresh, read/write turnaround) and energy per
// activation, per bit moved from an open row and per bit over the interface.
//
// One set of rules, two uses:
//  - the closed form (the analytical model, the coarse model and the baselines): a stream that
//    sweeps a region of DRAM and moves a fraction `density` of its bursts (pruned records are
//    skipped) costs min(1, 1 / (density x bursts per row)) activations per moved burst, and a
//    pseudo-channel spends max(tBURST, a x max(tRRD, tFAW / 4)) per burst, stretched by the
//    refresh share tRFC / tREFI; a stream's rows live in one bank (the layout gives every stream
//    its own bank: bit-plane-first puts plane records of round r in bank r, "banks interleaved
//    along the bit dimension"), so its activations are also bound by tRC per burst.
//  - the state machine (the event model): HbmDevice keeps per bank the open row and when it may
//    activate again, per pseudo-channel the data bus, the last four activations and the refresh
//    schedule, and serves bursts one by one at the time they are issued.
// Address mapping of a stream (both): its moved bursts are spread over the pseudo-channels
// round-robin (burst interleaving); its region advances `bursts_per_row x channels` bursts per
// row, so a pseudo-channel opens each of the stream's rows once while the stream sweeps it.
#include <array>
#include <cstdint>
#include <vector>

#include "models/hardware.hpp"

namespace pade::models {

/// Writes are posted: the controller queues them per pseudo-channel and drains them in an idle gap
/// of the bus, or all at once when this many are queued, so a drain pays the two bus turnarounds
/// (read-to-write, write-to-read) once for all of them (a controller's write-queue watermark; an
/// assumption, not a DRAM figure).
inline constexpr int kHbmWriteDrainBursts = 32;

/// Timings in core cycles (the coefficients give them in ns).
struct HbmTiming {
  double burst = 1;  // data bus time of one burst on one pseudo-channel
  double rcd = 0, rp = 0, ras = 0, rc = 0, rrd = 0, faw = 0, rfc = 0, refi = 0, wtr = 0, rtw = 0;
};

struct HbmParams {
  /// memory.dram_model: false (bandwidth) zeroes every row-buffer timing and the activation
  /// energy and charges hbm.device_pj_per_bit, so the same formulas reduce to bytes over the peak
  /// bandwidth at a flat energy per bit; activations are still counted (an estimate, not charged).
  bool row_buffer = false;
  int channels = 16;
  int banks = 16;
  int bursts_per_row = 32;
  double burst_bytes = 32;
  HbmTiming t;
  double activate_pj = 0;        // one activation + precharge of a row
  double device_pj_per_bit = 0;  // column access and on-die data movement, per bit moved
  double io_pj_per_bit = 0;      // the interface, per bit moved
  /// Share of time a pseudo-channel is refreshing (all-bank refresh: tRFC every tREFI).
  [[nodiscard]] double refresh_share() const;
  /// The peak data rate of the array in bytes per cycle (every bus busy, no refresh).
  [[nodiscard]] double peak_bytes_per_cycle() const { return channels * burst_bytes / t.burst; }
};

/// The HBM of a configuration: hbm.* parameters and hbm.* coefficients, at its clock.
[[nodiscard]] HbmParams hbm_params(const HardwareConfig& hw);
/// The default HBM geometry and timings at another peak bandwidth (the baselines' target):
/// the pin rate scales, so the burst time shrinks with it.
[[nodiscard]] HbmParams hbm_params(const core::CoefficientTable& coefficients, DramModel model,
                                   double gbps, double clock_hz);

/// A stream's shape: the fraction of the bursts of the region it sweeps that it moves (1 = a
/// sequential stream), and whether its rows share banks with another stream's (then every burst
/// may find another row open: one activation per burst).
struct HbmStream {
  double density = 1;
  bool shares_bank = false;
  bool write = false;  // posted writes, drained `batch` per pseudo-channel at a time
  /// Writes per pseudo-channel drained together (two bus turnarounds per drain): a full queue,
  /// or a whole write request that the controller flushes as one batch (HbmDevice::flush).
  double batch = kHbmWriteDrainBursts;
};

/// The closed form's cost of a stream, per moved burst.
struct HbmBurstCost {
  double activations = 0;  // activations per burst
  double channel = 0;      // cycles of one pseudo-channel (bus and activation rate, refresh)
  double bank = 0;         // cycles of the stream's bank per burst (a x tRC)
  double exposed = 0;      // expected activation latency a request meets (a x tRCD)
  [[nodiscard]] double row_hit_rate() const { return 1.0 - activations; }
};
[[nodiscard]] HbmBurstCost hbm_burst_cost(const HbmParams& p, const HbmStream& s);
/// Cycles per burst of a stream of independent random bursts over every bank of a channel: the
/// row-cycle bound max(tBURST, tRC / banks, tRRD, tFAW / 4), stretched by refresh.
[[nodiscard]] double hbm_random_cycles_per_burst(const HbmParams& p);

/// DRAM energy of `bytes` moved with `activations` row activations (pJ).
[[nodiscard]] double hbm_energy_pj(const HbmParams& p, double bytes, double activations);

/// Time and energy of `bytes` streamed sequentially (whole rows, word-major K/V): what the
/// baselines and the coarse model charge.
struct HbmStreamCharge {
  double cycles = 0, activations = 0, energy_pj = 0;
};
[[nodiscard]] HbmStreamCharge hbm_sequential(const HbmParams& p, double bytes);

/// Where a stream's burst lies: `position` counts bursts of the stream's region, `serial` the
/// stream's moved bursts so far (round-robin over the pseudo-channels).
struct HbmAddress {
  int channel = 0, bank = 0;
  std::int64_t row = 0;
};
[[nodiscard]] HbmAddress hbm_address(const HbmParams& p, int stream, int streams, double position,
                                     std::uint64_t serial);

/// The open-page state machine of every pseudo-channel.
class HbmDevice {
 public:
  explicit HbmDevice(const HbmParams& p);
  /// One burst to `a`, issued at `now`; returns when its data has crossed the bus (a write: when
  /// it is queued; the queue drains once it holds kHbmWriteDrainBursts).
  double access(const HbmAddress& a, bool write, double now);
  /// Drains every pseudo-channel's queued writes at `now`: the end of a write request, whose
  /// bursts the controller sends as one batch (the event model's output writes) rather than
  /// holding them for an idle gap or the watermark.
  void flush(double now);
  [[nodiscard]] std::uint64_t activations() const { return activations_; }
  [[nodiscard]] std::uint64_t bursts() const { return bursts_; }

 private:
  struct Bank {
    std::int64_t row = -1;
    std::int64_t epoch = 0;  // refresh interval of the bank's last activation
    double next_act = 0, col_ready = 0;
  };
  struct Channel {
    double bus_free = 0;
    bool last_write = false, used = false;
    std::array<double, 4> acts{-1e300, -1e300, -1e300, -1e300};  // last four activations
    std::size_t next = 0;
    std::vector<Bank> banks;
    std::vector<HbmAddress> writes;  // posted, not yet drained
  };
  double serve(Channel& c, const HbmAddress& a, bool write, double now);
  void drain(Channel& c, double now);
  // The refresh interval `t` falls in, and the first time from `t` on that is not refreshing.
  // Every pseudo-channel refreshes at once (all-bank refresh issued to all of them together): a
  // request striped over all of them then meets one refresh, not one per pseudo-channel, which
  // staggered refreshes would make nearly every request wait for.
  [[nodiscard]] std::int64_t epoch(double t) const;
  [[nodiscard]] double after_refresh(double t) const;

  HbmParams p_;
  std::vector<Channel> ch_;
  std::uint64_t activations_ = 0, bursts_ = 0;
};

}  // namespace pade::models
