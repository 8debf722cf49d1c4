#include "models/hbm.hpp"

#include <algorithm>
#include <cmath>

namespace pade::models {

namespace {

// The coefficients every HBM reads, by name (the baselines hold a table, not ModelCoefficients).
struct HbmCoefficients {
  double activate_pj, device_pj_per_bit, row_device_pj_per_bit, io_pj_per_bit;
  double rcd, rp, ras, rrd, faw, rfc, refi, wtr, rtw;  // ns
};

HbmCoefficients coefficients_of(const ModelCoefficients& c) {
  return {c.hbm_activate_pj,   c.hbm_device_pj_per_bit, c.hbm_row_device_pj_per_bit,
          c.hbm_io_pj_per_bit, c.hbm_t_rcd_ns,          c.hbm_t_rp_ns,
          c.hbm_t_ras_ns,      c.hbm_t_rrd_ns,          c.hbm_t_faw_ns,
          c.hbm_t_rfc_ns,      c.hbm_t_refi_ns,         c.hbm_t_wtr_ns,
          c.hbm_t_rtw_ns};
}

// `burst_cycles`: one pseudo-channel's bus time per burst.
HbmParams make_params(DramModel model, int channels, int banks, double row_bytes,
                      double burst_bytes, double burst_cycles, const HbmCoefficients& c,
                      double clock_hz) {
  HbmParams p;
  p.channels = std::max(1, channels);
  p.banks = std::max(1, banks);
  p.burst_bytes = std::max(1.0, burst_bytes);
  p.bursts_per_row = std::max(1, static_cast<int>(std::floor(row_bytes / p.burst_bytes)));
  p.t.burst = burst_cycles;
  p.io_pj_per_bit = c.io_pj_per_bit;
  if (model == DramModel::Bandwidth) {
    // The accounting designs were first evaluated with: no row-buffer timing, no activation
    // energy, the device energy per bit with activations folded in.
    p.device_pj_per_bit = c.device_pj_per_bit;
    return p;
  }
  p.row_buffer = true;
  const double cycles_per_ns = clock_hz * 1e-9;
  p.t.rcd = c.rcd * cycles_per_ns;
  p.t.rp = c.rp * cycles_per_ns;
  p.t.ras = c.ras * cycles_per_ns;
  p.t.rc = p.t.ras + p.t.rp;  // an activation, its row's lifetime, the precharge
  p.t.rrd = c.rrd * cycles_per_ns;
  p.t.faw = c.faw * cycles_per_ns;
  p.t.rfc = c.rfc * cycles_per_ns;
  p.t.refi = c.refi * cycles_per_ns;
  p.t.wtr = c.wtr * cycles_per_ns;
  p.t.rtw = c.rtw * cycles_per_ns;
  p.activate_pj = c.activate_pj;
  p.device_pj_per_bit = c.row_device_pj_per_bit;
  return p;
}

}  // namespace

double HbmParams::refresh_share() const {
  return t.refi > 0 ? std::clamp(t.rfc / t.refi, 0.0, 0.5) : 0.0;
}

HbmParams hbm_params(const HardwareConfig& hw) {
  return make_params(hw.dram_model, hw.hbm_pseudo_channels, hw.hbm_banks, hw.hbm_row_bytes,
                     hw.burst_bytes(), hw.burst_cycles(), coefficients_of(hw.coef), hw.clock_hz());
}

HbmParams hbm_params(const core::CoefficientTable& table, DramModel model, double gbps,
                     double clock_hz) {
  const HardwareConfig d;  // the default geometry
  const HbmCoefficients c{table.get("hbm.activate_pj"),
                          table.get("hbm.device_pj_per_bit"),
                          table.get("hbm.row_device_pj_per_bit"),
                          table.get("hbm.io_pj_per_bit"),
                          table.get("hbm.t_rcd_ns"),
                          table.get("hbm.t_rp_ns"),
                          table.get("hbm.t_ras_ns"),
                          table.get("hbm.t_rrd_ns"),
                          table.get("hbm.t_faw_ns"),
                          table.get("hbm.t_rfc_ns"),
                          table.get("hbm.t_refi_ns"),
                          table.get("hbm.t_wtr_ns"),
                          table.get("hbm.t_rtw_ns")};
  const double channel_bytes_per_cycle = gbps / d.hbm_pseudo_channels * 1e9 / clock_hz;
  return make_params(model, d.hbm_pseudo_channels, d.hbm_banks, d.hbm_row_bytes, d.burst_bytes(),
                     d.burst_bytes() / channel_bytes_per_cycle, c, clock_hz);
}

HbmBurstCost hbm_burst_cost(const HbmParams& p, const HbmStream& s) {
  HbmBurstCost cost;
  const double q = std::clamp(s.density, 1e-12, 1.0);
  // A pseudo-channel meets q x bursts_per_row of the stream's bursts per row it sweeps: one
  // activation per row, or one per burst when fewer than one burst falls in a row.
  cost.activations = s.shares_bank ? 1.0 : std::min(1.0, 1.0 / (q * p.bursts_per_row));
  const double act_rate = std::max(p.t.rrd, p.t.faw / 4.0);
  cost.channel = std::max(p.t.burst, cost.activations * act_rate) / (1.0 - p.refresh_share());
  if (s.write) cost.channel += (p.t.rtw + p.t.wtr) / std::max(1.0, s.batch);
  cost.bank = cost.activations * p.t.rc;
  cost.exposed = cost.activations * p.t.rcd;
  return cost;
}

double hbm_random_cycles_per_burst(const HbmParams& p) {
  const double act = std::max({p.t.burst, p.t.rc / p.banks, p.t.rrd, p.t.faw / 4.0});
  return act / (1.0 - p.refresh_share());
}

double hbm_energy_pj(const HbmParams& p, double bytes, double activations) {
  return activations * p.activate_pj + bytes * 8.0 * (p.device_pj_per_bit + p.io_pj_per_bit);
}

HbmStreamCharge hbm_sequential(const HbmParams& p, double bytes) {
  HbmStreamCharge out;
  const double bursts = bytes / p.burst_bytes;
  const HbmBurstCost c = hbm_burst_cost(p, HbmStream{});
  // Bandwidth mode: bytes over the peak bandwidth, as designs were first charged.
  out.cycles = p.row_buffer ? bursts * c.channel / p.channels : bytes / p.peak_bytes_per_cycle();
  out.activations = bursts * c.activations;
  out.energy_pj = hbm_energy_pj(p, bytes, out.activations);
  return out;
}

HbmAddress hbm_address(const HbmParams& p, int stream, int streams, double position,
                       std::uint64_t serial) {
  HbmAddress a;
  a.channel = static_cast<int>(serial % static_cast<std::uint64_t>(p.channels));
  a.bank = stream % p.banks;
  const auto row = static_cast<std::int64_t>(
      std::floor(std::max(0.0, position) / (static_cast<double>(p.bursts_per_row) * p.channels)));
  a.row = row * std::max(1, streams) + stream;  // rows of streams sharing a bank differ
  return a;
}

HbmDevice::HbmDevice(const HbmParams& p) : p_(p), ch_(static_cast<std::size_t>(p.channels)) {
  for (Channel& c : ch_) c.banks.resize(static_cast<std::size_t>(p.banks));
}

std::int64_t HbmDevice::epoch(double t) const {
  if (p_.t.refi <= 0) return 0;
  return static_cast<std::int64_t>(std::floor(t / p_.t.refi));
}

double HbmDevice::after_refresh(double t) const {
  if (p_.t.refi <= 0 || p_.t.rfc <= 0) return t;
  const std::int64_t e = epoch(t);
  if (e < 1) return t;  // the first refresh is one interval in
  const double begin = static_cast<double>(e) * p_.t.refi;
  return t < begin + p_.t.rfc ? begin + p_.t.rfc : t;
}

double HbmDevice::access(const HbmAddress& a, bool write, double now) {
  Channel& c = ch_[static_cast<std::size_t>(a.channel)];
  ++bursts_;
  if (write) {
    c.writes.push_back(a);
    // A full queue drains now, whatever reads wait.
    if (c.writes.size() >= static_cast<std::size_t>(kHbmWriteDrainBursts)) drain(c, now);
    return now;
  }
  // Queued writes drain in an idle gap of the bus before this read (reads first otherwise).
  const double drain_time = p_.t.rtw + p_.t.wtr + static_cast<double>(c.writes.size()) * p_.t.burst;
  if (!c.writes.empty() && c.bus_free + drain_time <= now) drain(c, c.bus_free);
  return serve(c, a, false, now);
}

void HbmDevice::flush(double now) {
  for (Channel& c : ch_)
    if (!c.writes.empty()) drain(c, now);
}

void HbmDevice::drain(Channel& c, double now) {
  for (const HbmAddress& w : c.writes) serve(c, w, true, now);
  c.writes.clear();
}

double HbmDevice::serve(Channel& c, const HbmAddress& a, bool write, double now) {
  Bank& b = c.banks[static_cast<std::size_t>(a.bank)];
  const double t = after_refresh(now);
  // A refresh since the bank's last activation closed its row.
  if (b.row >= 0 && epoch(t) > b.epoch) b.row = -1;
  if (b.row != a.row) {
    // Open page: precharge the old row and activate the new one no sooner than tRC after the
    // bank's last activation (tRAS + tRP), tRRD after the channel's last and tFAW after its
    // fourth-to-last.
    const double last = c.acts[(c.next + 3) % 4], fourth = c.acts[c.next];
    double act = std::max({t, b.next_act, last + p_.t.rrd, fourth + p_.t.faw});
    act = after_refresh(act);
    b.row = a.row;
    b.epoch = epoch(act);
    b.next_act = act + p_.t.rc;
    b.col_ready = act + p_.t.rcd;
    c.acts[c.next] = act;
    c.next = (c.next + 1) % 4;
    ++activations_;
  }
  double start = std::max({t, b.col_ready, c.bus_free});
  if (c.used && c.last_write != write)
    start = std::max(start, c.bus_free + (write ? p_.t.rtw : p_.t.wtr));
  start = after_refresh(start);
  c.bus_free = start + p_.t.burst;
  c.last_write = write;
  c.used = true;
  return c.bus_free;
}

}  // namespace pade::models
