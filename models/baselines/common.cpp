#include "models/baselines/common.hpp"

#include <algorithm>
#include <map>
#include <numeric>

#include "models/hbm.hpp"

namespace pade::models {

std::size_t query_position(const core::AttentionHead& head, std::size_t row) {
  if (row < head.query_positions.size()) return head.query_positions[row];
  return head.k.rows() - head.q.rows() +
         row;  // the catalog's convention: queries are the last positions
}

std::size_t visible_end(const core::AttentionHead& head, std::size_t row) {
  const std::size_t keys = head.k.rows();
  return head.causal ? std::min(keys, query_position(head, row) + 1) : keys;
}

std::vector<double> exact_logits(const core::AttentionHead& head, std::size_t row) {
  const std::size_t end = visible_end(head, row);
  const std::size_t d = head.q.cols();
  const double inv_sqrt_d = 1.0 / std::sqrt(static_cast<double>(d));
  const auto q = head.q.row(row);
  const double pos = static_cast<double>(query_position(head, row));
  std::vector<double> out(end);
  for (std::size_t j = 0; j < end; ++j) {
    const auto k = head.k.row(j);
    double acc = 0;
    for (std::size_t t = 0; t < d; ++t)
      acc += static_cast<double>(q[t]) * static_cast<double>(k[t]);
    out[j] = acc * inv_sqrt_d - head.additive_bias_slope * (pos - static_cast<double>(j));
  }
  return out;
}

std::vector<double> softmax(std::span<const double> logits) {
  std::vector<double> p(logits.size());
  if (logits.empty()) return p;
  const double m = *std::max_element(logits.begin(), logits.end());
  double sum = 0;
  for (std::size_t j = 0; j < logits.size(); ++j) sum += p[j] = std::exp(logits[j] - m);
  for (double& x : p) x /= sum;
  return p;
}

std::vector<char> top_k_mask(std::span<const double> scores, std::size_t count) {
  std::vector<char> mask(scores.size(), 0);
  count = std::min(count, scores.size());
  if (count == 0) return mask;
  std::vector<std::size_t> idx(scores.size());
  std::iota(idx.begin(), idx.end(), std::size_t{0});
  // Strict weak order with the index as tie-breaker: the selected set is unique.
  const auto before = [&](std::size_t a, std::size_t b) {
    return scores[a] > scores[b] || (scores[a] == scores[b] && a < b);
  };
  std::nth_element(idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(count - 1), idx.end(),
                   before);
  for (std::size_t i = 0; i < count; ++i) mask[idx[i]] = 1;
  return mask;
}

double retained_mass(std::span<const double> exact, std::span<const char> kept) {
  const auto p = softmax(exact);
  double m = 0;
  for (std::size_t j = 0; j < p.size(); ++j)
    if (kept[j]) m += p[j];
  return m;
}

void KeyUnion::add_row(std::span<const char> kept) {
  for (std::size_t j = 0; j < kept.size(); ++j) {
    visible_[j] = 1;
    if (kept[j]) kept_[j] = 1;
  }
}
double KeyUnion::visible() const {
  return static_cast<double>(std::count(visible_.begin(), visible_.end(), 1));
}
double KeyUnion::kept() const {
  return static_cast<double>(std::count(kept_.begin(), kept_.end(), 1));
}

void count_row(RuleCounters& c, std::span<const double> exact, std::span<const char> kept) {
  c["rows"] += 1;
  c["pairs"] += static_cast<double>(kept.size());
  c["kept"] += static_cast<double>(std::count(kept.begin(), kept.end(), 1));
  c["row_retained_mass"] += retained_mass(exact, kept);
}

void count_union(RuleCounters& c, const KeyUnion& u) {
  c["keys"] += u.visible();
  c["key_kept"] += u.kept();
}

// ---- costs --------------------------------------------------------------------------------------

void add_part(HeadWork& w, std::span<const ComputeUnit> units, std::size_t unit, std::string name,
              double ops) {
  add_part(w, units, unit, std::move(name), ops, units[unit].kind, units[unit].bits);
}

void add_part(HeadWork& w, std::span<const ComputeUnit> units, std::size_t unit, std::string name,
              double ops, OpKind kind, int bits) {
  if (w.ops.size() < units.size()) w.ops.resize(units.size(), 0.0);
  w.ops[unit] += ops;
  w.parts.push_back({unit, std::move(name), kind, bits, ops});
}

double model_width(const workloads::AttentionGroup& g) {
  return static_cast<double>(g.q_heads) * g.head_dim;
}

double sorting_network_compares(double n, double k, double core_in, double core_out,
                                double core_cmp) {
  double compares = 0;
  // Each pass shrinks the candidates by core_out / core_in; stop once k or fewer remain (a pass
  // never runs on fewer candidates than one core keeps).
  for (double left = n; left > k && left > core_out; left *= core_out / core_in)
    compares += left / core_in * core_cmp;
  return compares;
}

double quickselect_compares(double n, double k) {
  if (n <= 1 || k <= 0) return 0;
  k = std::min(k, n);
  const double lo = k < n ? 2.0 * (n - k) * std::log(n / (n - k)) : 0.0;
  return 2.0 * n + 2.0 * k * std::log(n / k) + lo;
}

OpCosts::OpCosts(const core::CoefficientTable& table, int node_nm)
    : energy_scale(table.get("tech.energy_scale_45_to_28") * (node_nm / 28.0)),
      area_scale(std::pow(node_nm / 45.0, 2.0)),
      c(&table) {}

double OpCosts::pj(OpKind kind, int bits) const {
  const double b = bits / 8.0;
  switch (kind) {
    case OpKind::IntMac:
      return (c->get("energy.mul8_pj_45nm") * b * b +
              c->get("energy.add8_pj_45nm") * (2.0 * bits + 8.0) / 8.0) *
             energy_scale;
    case OpKind::IntAdd:
      return c->get("energy.add8_pj_45nm") * b * energy_scale;
    case OpKind::Exp:
      return c->get("baseline.exp_fp16_macs") *
             (c->get("energy.fp16_mul_pj_45nm") + c->get("energy.fp16_add_pj_45nm")) * energy_scale;
    case OpKind::CompareExchange:
      return c->get("baseline.cmp_exchange16_pj_45nm") * bits / 16.0 * energy_scale;
  }
  return 0;
}

double OpCosts::area_mm2(OpKind kind, int bits) const {
  const double b = bits / 8.0;
  double um2 = 0;
  switch (kind) {
    case OpKind::IntMac:
      um2 = c->get("baseline.area_mul8_um2_45nm") * b * b +
            c->get("baseline.area_add8_um2_45nm") * (2.0 * bits + 8.0) / 8.0;
      break;
    case OpKind::IntAdd:
      um2 = c->get("baseline.area_add8_um2_45nm") * b;
      break;
    case OpKind::Exp:
      um2 = c->get("baseline.exp_fp16_macs") *
            (c->get("baseline.area_fp16_mul_um2_45nm") + c->get("baseline.area_fp16_add_um2_45nm"));
      break;
    case OpKind::CompareExchange:
      um2 = c->get("baseline.area_cmp_exchange16_um2_45nm") * bits / 16.0;
      break;
  }
  return um2 * area_scale * 1e-6;
}

double unit_operators(const ComputeUnit& u, const OpCosts& costs, double pe_area_mm2,
                      double area_overhead) {
  if (u.kind == OpKind::Exp) return u.count;
  return std::max(1.0, std::floor(u.area_fraction * pe_area_mm2 /
                                  (costs.area_mm2(u.kind, u.bits) * area_overhead)));
}

bool is_prediction_unit(const ComputeUnit& u) {
  return u.name != "exec" && u.name != "exp";
}

namespace {

/// Energy (pJ) of unit `u` in one head: its named parts at their own operation, the rest at the
/// unit's (`unit_op_pj`, overhead included).
double unit_pj(const HeadWork& w, std::size_t u, double unit_op_pj, const OpCosts& costs,
               double overhead) {
  double parted = 0, pj = 0;
  for (const auto& p : w.parts)
    if (p.unit == u) {
      parted += p.ops;
      pj += p.ops * costs.pj(p.kind, p.bits) * overhead;
    }
  return pj + (w.ops[u] - parted) * unit_op_pj;
}

/// energy_<unit>_<part>_j of every named part, summed over the groups.
void add_part_metrics(core::Metrics& m, std::span<const ComputeUnit> units,
                      std::span<const GroupWork> groups, const OpCosts& costs, double overhead) {
  std::map<std::string, double> pj;
  for (const auto& g : groups)
    for (const auto& p : g.work.parts)
      pj["energy_" + units[p.unit].name + "_" + p.name + "_j"] +=
          g.heads * p.ops * costs.pj(p.kind, p.bits) * overhead;
  for (const auto& [name, e] : pj) m.set(name, e * 1e-12);
}

}  // namespace

core::Metrics accelerator_metrics(const BaselineContext& ctx, const workloads::Benchmark& bench,
                                  const AcceleratorTarget& target,
                                  std::span<const ComputeUnit> units,
                                  std::span<const GroupWork> groups, double kept_fraction) {
  const auto& c = ctx.coefficients;
  const OpCosts costs(c, target.node_nm);
  const double clock_hz = target.clock_mhz * 1e6;
  // DRAM: the baselines stream K/V word-major, sequential streams through the same row-buffer
  // model as PADE's (models/hbm.hpp) at the target's bandwidth.
  const HbmParams hbm = hbm_params(c, ctx.dataflow.dram_model, target.hbm_gbps, clock_hz);
  std::vector<double> operators;
  for (const auto& u : units)
    operators.push_back(unit_operators(u, costs, target.pe_area_mm2, target.area_overhead));
  // Exponential units left unsized (count 0) match the execution array: one exponential per kept
  // pair it retires per cycle at d = 128 (2·128 MACs per pair), as a designer would size them.
  double exec_ops = 0;
  for (std::size_t u = 0; u < units.size(); ++u)
    if (units[u].name == "exec") exec_ops = operators[u];
  for (std::size_t u = 0; u < units.size(); ++u)
    if (units[u].kind == OpKind::Exp && units[u].count <= 0)
      operators[u] = std::max(1.0, std::floor(exec_ops / 256.0));

  // Same depth: every operation carries the design's control/register energy (energy_overhead).
  std::vector<double> op_pj;
  for (const auto& u : units) op_pj.push_back(costs.pj(u.kind, u.bits) * target.energy_overhead);
  double cycles = 0, dram_bytes = 0, arith_pj = 0, sram_pj = 0, mem_cycles_total = 0,
         activations = 0;
  std::vector<double> busy(units.size(), 0.0);
  for (const auto& g : groups) {
    const HbmStreamCharge mem = hbm_sequential(hbm, g.work.dram_bytes);
    const double mem_cycles = mem.cycles;
    activations += g.heads * mem.activations;
    double head_cycles = mem_cycles;
    for (std::size_t u = 0; u < units.size(); ++u) {
      const double eff = g.work.efficiency.empty() ? 1.0 : std::max(1e-6, g.work.efficiency[u]);
      const double t = g.work.ops[u] / (operators[u] * eff);
      head_cycles = std::max(head_cycles, t);
      busy[u] += g.heads * t;
      arith_pj += g.heads * unit_pj(g.work, u, op_pj[u], costs, target.energy_overhead);
    }
    sram_pj += g.heads * (g.work.sram_read_bits * c.get("sram.read_pj_per_bit") +
                          g.work.sram_write_bits * c.get("sram.write_pj_per_bit"));
    cycles += g.heads * head_cycles;
    mem_cycles_total += g.heads * mem_cycles;
    dram_bytes += g.heads * g.work.dram_bytes;
  }
  const double seconds = cycles / clock_hz;
  const double dram_pj = hbm_energy_pj(hbm, dram_bytes, activations);
  const double banks = std::ceil(target.sram_kib / 8.0);
  const double sram_leak_w = banks * c.get("sram.leakage_mw_per_8kib") * 1e-3;
  // The same accounting as PADE's coarse model: logic leakage as a fraction of on-chip dynamic
  // energy.
  const double dyn_pj = arith_pj + sram_pj;
  const double energy_j = (dyn_pj + dram_pj) * 1e-12 +
                          dyn_pj * 1e-12 * c.get("power.logic_leakage_fraction") +
                          sram_leak_w * seconds;
  const double sram_area =
      banks * c.get("sram.area_mm2_per_8kib") * std::pow(target.node_nm / 28.0, 2.0);

  core::Metrics m;
  m.set(core::metric::kLatencyCycles, cycles);
  m.set(core::metric::kLatencyS, seconds);
  m.set(core::metric::kEnergyJ, energy_j);
  m.set(core::metric::kAreaMm2, target.pe_area_mm2 + sram_area);
  m.set(core::metric::kPowerW, seconds > 0 ? energy_j / seconds : 0.0);
  m.set(core::metric::kKeptFraction, kept_fraction);
  m.set(core::metric::kDramBytes, dram_bytes);
  m.set("energy_dram_j", dram_pj * 1e-12);
  m.set("energy_core_j", energy_j - dram_pj * 1e-12);
  m.set("energy_arith_j", arith_pj * 1e-12);
  m.set("energy_sram_j", sram_pj * 1e-12);
  m.set("dram_bandwidth_utilization", cycles > 0 ? mem_cycles_total / cycles : 0.0);
  double prediction_pj = 0;
  for (std::size_t u = 0; u < units.size(); ++u) {
    m.set("utilization_" + units[u].name, cycles > 0 ? busy[u] / cycles : 0.0);
    m.set("operators_" + units[u].name, operators[u]);
    double e = 0;
    for (const auto& g : groups)
      e += g.heads * unit_pj(g.work, u, op_pj[u], costs, target.energy_overhead);
    m.set("energy_" + units[u].name + "_j", e * 1e-12);
    if (is_prediction_unit(units[u])) prediction_pj += e;
  }
  // The predictor's share (issue #18): its arithmetic (with its share of leakage) over the core
  // energy (DRAM excluded) and over the device energy. Its SRAM reads are not split out.
  const double core_j = energy_j - dram_pj * 1e-12;
  const double prediction_j = prediction_pj * 1e-12 * (1.0 + c.get("power.logic_leakage_fraction"));
  m.set("energy_prediction_j", prediction_j);
  m.set("prediction_share_core", core_j > 0 ? prediction_j / core_j : 0.0);
  m.set("prediction_share_device", energy_j > 0 ? prediction_j / energy_j : 0.0);
  add_part_metrics(m, units, groups, costs, target.energy_overhead);
  add_dataflow_metrics(m, target.dataflow, bench, target.operand_bits);
  return m;
}

}  // namespace pade::models
