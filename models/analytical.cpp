#include "models/analytical.hpp"

#include <algorithm>
#include <cmath>

#include "models/energy_area.hpp"

namespace pade::models {

double edge_delay(const TaskNode& source, const TaskEdge& edge) {
  // Ordering edges only keep issue order on a unit (a pipelined unit may start the next item when
  // the previous one has been issued); data and buffer edges wait for the result. Columns of a
  // node proceed in parallel, each with its share of the node's unit time.
  const double time = source.column_time();
  return edge.kind == EdgeKind::Order ? time - source.latency : time;
}

namespace {

// A term's value at a period and its derivative there.
struct Slope {
  double value = 0, derivative = 0;
};

// The fixed point of a non-increasing map g above `lo` (where g(lo) > lo): the root of
// h(P) = g(P) - P, strictly decreasing with h' <= -1, bracketed by [lo, g(lo)]. Newton's method
// on h (g returns its value and derivative), falling back to bisection when a step would leave
// the bracket, until a step or the bracket is below 1e-12 relative.
template <class G>
double fixed_point(G&& g, double lo) {
  Slope at = g(lo);
  double hi = at.value, x = lo;
  for (int it = 0; it < 100 && hi - lo > 1e-12 * hi; ++it) {
    const double h = at.value - x;
    if (h > 0)
      lo = x;
    else
      hi = x;
    if (h == 0) return x;
    double next = x - h / (at.derivative - 1.0);
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    if (std::abs(next - x) <= 1e-12 * x) return next;  // converged (Newton's last step)
    x = next;
    at = g(x);
  }
  return hi;
}

// Throughput X of a closed network of `entries` customers that each visit a deterministic server
// for `demand` cycles and otherwise wait `delay` cycles, by exact mean-value analysis with the
// residual service of a deterministic server (half a service, not a whole one, for the customer
// found in service):
//   R_1 = D,  R_k = D (1 + Q_{k-1} - U_{k-1} / 2),  X_k = k / (R_k + Z),  Q = X R,  U = X D.
// Substituting Q and U, R_k = (D k R_{k-1} + D Z - D^2 (k - 1) / 2) / (R_{k-1} + Z): a Moebius
// map of R_{k-1}, so R_N is the product of their 2x2 matrices applied to R_1 — multiplications
// only, without a division in every step of the dependent chain (rescaled every 8 steps; a
// Moebius map does not change when its matrix is scaled). With `derivative`, also dX/dZ, from
// the product's derivative (dM_k/dZ = [[0, D], [0, 1]]).
Slope closed_throughput(double demand, double delay, int entries, bool derivative) {
  const double dm = demand, z = delay;
  double a = 1, b = 0, c = 0, d = 1;      // the product, identity at first
  double da = 0, db = 0, dc = 0, dd = 0;  // its derivative in z
  for (int k = 2; k <= entries; ++k) {
    const double m11 = dm * k, m12 = dm * z - 0.5 * dm * dm * (k - 1);  // m21 = 1, m22 = z
    if (derivative) {
      const double na = m11 * da + m12 * dc + dm * c, nb = m11 * db + m12 * dd + dm * d;
      const double nc = da + z * dc + c, nd = db + z * dd + d;
      da = na;
      db = nb;
      dc = nc;
      dd = nd;
    }
    const double na = m11 * a + m12 * c, nb = m11 * b + m12 * d;
    const double nc = a + z * c, nd = b + z * d;
    a = na;
    b = nb;
    c = nc;
    d = nd;
    if ((k & 7) == 0) {
      const double scale = 1.0 / (std::abs(a) + std::abs(b) + std::abs(c) + std::abs(d));
      a *= scale;
      b *= scale;
      c *= scale;
      d *= scale;
      da *= scale;
      db *= scale;
      dc *= scale;
      dd *= scale;
    }
  }
  const double p = a * dm + b, q = c * dm + d;
  const double r = p / q, x = entries / (r + z);
  if (!derivative) return Slope{x, 0.0};
  const double dr = ((da * dm + db) * q - p * (dc * dm + dd)) / (q * q);
  return Slope{x, -x * (dr + 1.0) / (r + z)};
}

// Node times: the column time (service share + latency) and what an ordering edge waits for.
struct Flat {
  double time, order_time;
  bool dram, qk;
};
using FlatTimes = std::array<Flat, kMaxTaskNodes>;

// A closed queueing network bounding the period (time_template): `customers` circulate, each
// visiting one server for `demand` cycles and otherwise waiting `delay` cycles plus a DRAM
// queueing wait on each of its `dram_visits` plane fetches; a tile-step brings `per_customer`
// customer cycles to each server.
struct ClosedNetwork {
  double demand = 0, delay = 0, dram_visits = 0, per_customer = 1;
  int customers = 1;
};

// Out-of-order: a lane and its scoreboard entries; a (row, key) pair visits the lane once per
// active round (`passes` cycles) and otherwise waits for its plane, for the rest of its column's
// round and for the threshold.
ClosedNetwork scoreboard_network(const TaskGraph& tg, const FlatTimes& flat) {
  ClosedNetwork net;
  const double pairs0 = tg.node(tg.qk_round.front()).pairs;
  const double pass = tg.shape.passes;  // one key plane on a lane
  for (std::size_t r = 0; r < tg.qk_round.size(); ++r) {
    const double visits = pairs0 > 0 ? tg.node(tg.qk_round[r]).pairs / pairs0 : 0.0;
    const std::size_t f = tg.plane_fetch[r], q = tg.qk_round[r], th = tg.threshold[r];
    net.demand += visits * pass;
    net.delay += visits * (flat[f].time + flat[q].time - pass + flat[th].time);
    if (flat[f].dram) net.dram_visits += visits;
  }
  net.customers = tg.scoreboard_entries;
  net.per_customer = pairs0 / tg.shape.lanes_active;
  return net;
}

// In-order: the lockstep array and the K tiles in flight. A tile holds its slot from its first
// round's start to its last round's issue (the ordering edge of distance K): the array serves
// each round's lockstep time, and between rounds the tile waits for the pipeline, the threshold
// and its next round's planes.
ClosedNetwork lockstep_network(const TaskGraph& tg, const FlatTimes& flat) {
  ClosedNetwork net;
  const std::size_t rounds = tg.qk_round.size();
  for (std::size_t r = 0; r < rounds; ++r) {
    const std::size_t q = tg.qk_round[r];
    net.demand += flat[q].order_time;
    if (r + 1 == rounds) break;
    const std::size_t next = tg.plane_fetch[r + 1];
    net.delay += flat[q].time - flat[q].order_time + flat[tg.threshold[r]].time + flat[next].time;
    if (flat[next].dram) net.dram_visits += 1;
  }
  net.customers = tg.tiles_in_flight;
  return net;
}

}  // namespace

TemplateTiming time_template(const TaskGraph& tg) {
  const TaskTopology& topo = *tg.topology;
  const std::size_t n = tg.size();
  TemplateTiming t;
  const double tiles = tg.shape.tiles;
  std::array<Flat, kMaxTaskNodes> flat;
  for (std::size_t v = 0; v < n; ++v) {
    const TaskNode& node = tg.node(v);
    t.busy[static_cast<std::size_t>(node.unit)] +=
        node.scope == Scope::Tile ? node.service : node.service / tiles;
    const double time = node.column_time();
    flat[v] = {time, time - node.latency, node.unit == Unit::Dram && node.dram_bursts > 0,
               node.unit == Unit::QkPu};
  }
  if (tg.in_order) {
    for (const TaskVertex v : tg.qk_round) {
      const TaskNode& q = tg.node(v);
      t.lockstep_excess += q.service - q.lane_cycles / tg.shape.lanes_active;
    }
  }
  auto delay = [&](const TopologyEdge& e) {  // edge_delay() on the flat times
    return tg.edges[e.id].kind == EdgeKind::Order ? flat[e.from].order_time : flat[e.from].time;
  };
  // Fill: one tile-step with its group's start and end nodes, all resources free.
  std::array<double, kMaxTaskNodes> start{};
  double finish = 0;
  for (std::size_t v = 0; v < n; ++v) finish = std::max(finish, flat[v].time);
  for (const TopologyEdge& e : topo.fill_edges) {
    start[e.to] = std::max(start[e.to], start[e.from] + delay(e));
    finish = std::max(finish, start[e.to] + flat[e.to].time);
  }
  // With every resource free a tile-step still takes each unit's whole work on it (the nodes of
  // one unit serialize there): so every unit's busy time fits in F + (M - 1) P.
  t.fill = std::max(finish, *std::max_element(t.busy.begin(), t.busy.end()));
  // The Q buffer's recurrence (a back edge from a tile-scope node into a group's start, distance
  // k query groups): group g + k may load its Q once group g's last tile-step has passed the edge's
  // source. That takes the first tile-step's path L from the Q load, plus T - 1 periods for the
  // group's other tile-steps, against k T periods: P >= L / (k T - T + 1).
  const double refresh = 1.0 / (1.0 - tg.hbm.refresh_share());
  double group_recurrence = 0;
  for (const TopologyEdge& e : topo.group_back) {
    const double path = start[e.from] + delay(e);
    group_recurrence = std::max(group_recurrence,
                                refresh * path / (tg.edges[e.id].distance * tiles - tiles + 1.0));
  }
  // Queueing: a request meets, on average, the residual work of a FIFO server at utilization rho
  // (M/D/1: rho / (2 (1 - rho)) services). DRAM requests wait for their channel, QK work for its
  // lane; both waits lengthen the round chain, and the DRAM wait the scoreboard residence, and
  // both fall as the period grows, so the period is the fixed point of period = max(bounds(P)).
  double dram_service = 0, dram_weight = 0;  // mean per-channel chunk of a DRAM request
  for (std::size_t x = 0; x < n; ++x) {
    const TaskNode& node = tg.node(x);
    if (flat[x].dram && node.scope == Scope::Tile) {
      const double per_column = node.dram_bursts / node.columns;
      dram_service +=
          per_column * std::max(1.0, per_column / tg.hbm_channels) * node.dram_cost.channel;
      dram_weight += per_column;
    }
  }
  dram_service = dram_weight > 0 ? dram_service / dram_weight : 0.0;
  double qk_service = 0, qk_weight = 0;  // mean lane work of one column round
  for (const TaskVertex v : tg.qk_round) {
    const double per_lane = tg.node(v).lane_cycles / tg.shape.lanes_active;
    qk_service += per_lane * per_lane;
    qk_weight += per_lane;
  }
  qk_service = qk_weight > 0 ? qk_service / qk_weight : 0.0;
  // The wait at period P and its derivative in P (the utilization capped at 0.95).
  auto wait = [](double busy, double service, double period) {
    if (period <= 0 || busy <= 0) return Slope{};
    const double rho = busy / period;
    if (rho >= 0.95) return Slope{0.95 / (2.0 * 0.05) * service, 0.0};
    return Slope{rho / (2.0 * (1.0 - rho)) * service,
                 -service / (2.0 * (1.0 - rho) * (1.0 - rho)) * rho / period};
  };
  const double busy_dram = t.busy[static_cast<std::size_t>(Unit::Dram)];
  const double busy_qk = t.busy[static_cast<std::size_t>(Unit::QkPu)];
  auto dram_wait = [&](double period) { return wait(busy_dram, dram_service, period); };
  auto qk_wait = [&](double period) {
    return tg.in_order ? Slope{} : wait(busy_qk, qk_service, period);
  };
  // Recurrence of one back edge u -> v (distance k): the longest distance-0 path v ~> u plus u's
  // own time, over k. The path's edges (TaskTopology::cycle_edges) are in a topological order, so
  // one pass relaxes them; the derivative follows the longest path.
  // A cycle that is one path is the same sum at every period: its base time and how many DRAM
  // and QK nodes on it wait.
  struct PathSum {
    double base, dram, qk;
  };
  std::array<PathSum, kMaxTaskEdges> path_sum;
  for (std::size_t i = 0; i < topo.tile_back.size(); ++i) {
    if (topo.cycle_is_path[i] == 0) continue;
    PathSum& p = path_sum[i] = PathSum{};
    auto add = [&](const TopologyEdge& e) {
      p.base += delay(e);
      p.dram += flat[e.from].dram ? 1.0 : 0.0;
      p.qk += flat[e.from].qk ? 1.0 : 0.0;
    };
    for (const std::uint8_t k : topo.cycle_edges[i]) add(topo.tile_forward[k]);
    add(topo.tile_back[i]);
  }
  // Refresh (all-bank, every pseudo-channel at once, models/hbm.hpp) freezes whatever waits on
  // DRAM for tRFC every tREFI: a bound whose cycle passes through a DRAM node stretches by
  // 1 / (1 - tRFC / tREFI), as the DRAM unit's own bound already does (its channel time). Work
  // that does not wait on DRAM (a unit whose inputs are buffered) goes on through a refresh.
  // (`refresh`, defined with the Q buffer's recurrence, whose path starts at the Q load.)
  std::array<double, kMaxTaskEdges> cycle_refresh;
  for (std::size_t i = 0; i < topo.tile_back.size(); ++i) {
    bool dram = flat[topo.tile_back[i].from].dram;
    for (const std::uint8_t k : topo.cycle_edges[i])
      dram = dram || flat[topo.tile_forward[k].from].dram;
    cycle_refresh[i] = dram ? refresh : 1.0;
  }
  auto cycle_ratio_plain = [&](std::size_t i, double period) {
    const TopologyEdge& be = topo.tile_back[i];
    const auto& on_cycle = topo.cycle_edges[i];
    if (on_cycle.empty() && be.from != be.to) return Slope{};  // no cycle through this edge
    const Slope wd = dram_wait(period), wq = qk_wait(period);
    const double distance = tg.edges[be.id].distance;
    if (topo.cycle_is_path[i] != 0) {
      const PathSum& p = path_sum[i];
      return Slope{(p.base + p.dram * wd.value + p.qk * wq.value) / distance,
                   (p.dram * wd.derivative + p.qk * wq.derivative) / distance};
    }
    auto time = [&](std::size_t x, double base) {
      return Slope{base + (flat[x].dram ? wd.value : 0.0) + (flat[x].qk ? wq.value : 0.0),
                   (flat[x].dram ? wd.derivative : 0.0) + (flat[x].qk ? wq.derivative : 0.0)};
    };
    std::array<double, kMaxTaskNodes> at, slope;
    at[be.to] = 0;
    slope[be.to] = 0;
    for (const std::uint8_t k : on_cycle) at[topo.tile_forward[k].to] = -1;
    for (const std::uint8_t k : on_cycle) {
      const TopologyEdge& f = topo.tile_forward[k];
      const Slope d = time(f.from, delay(f));
      const double arrival = at[f.from] + d.value;
      if (arrival > at[f.to]) {
        at[f.to] = arrival;
        slope[f.to] = slope[f.from] + d.derivative;
      }
    }
    const Slope last = time(be.from, delay(be));
    return Slope{(at[be.from] + last.value) / distance,
                 (slope[be.from] + last.derivative) / distance};
  };
  auto cycle_ratio = [&](std::size_t i, double period) {
    const Slope r = cycle_ratio_plain(i, period);
    return Slope{r.value * cycle_refresh[i], r.derivative * cycle_refresh[i]};
  };
  // Scoreboard capacity (out-of-order lanes): each lane is a closed queueing network of its
  // `scoreboard_entries` entries. A (row, key) pair holds an entry from its first plane request
  // until it is pruned or finished; each active round it visits the lane for `passes` cycles
  // (the queue) and otherwise waits for its plane, for the rest of its column's round and for the
  // threshold (a delay). Mean-value analysis over the entries gives the lane's pair throughput X;
  // a tile-step brings pairs0 / lanes pairs per lane, so the bound is that over X. (An open-queue
  // wait at the lane would grow without bound as the lane saturates; the closed network's cannot,
  // its population being the entries.)
  //
  // In-order with K > 1 tiles in flight the same analysis applies one level up: the array is the
  // queue (a tile visits it for its rounds' lockstep service) and the K tiles are the customers,
  // each holding its register slot from its first round to its last and otherwise waiting for
  // the pipeline, the threshold and its next planes (round 0's planes were fetched ahead, inside
  // the K + 1 tile window). A tile-step is one customer cycle. (K = 1 is the in-order ordering
  // edge's cycle, D + Z, already.)
  const double pairs0 = tg.node(tg.qk_round.front()).pairs;
  const ClosedNetwork net = tg.in_order ? lockstep_network(tg, flat) : scoreboard_network(tg, flat);
  // Each evaluation costs a mean-value analysis over the entries: remember the last one, and
  // leave out the derivative where only the value is asked for.
  // A plane fetch meets a refresh with probability tRFC / tREFI and then waits tRFC / 2 on average.
  const double refresh_wait = tg.hbm.refresh_share() * tg.hbm.t.rfc / 2.0;
  double memo_period = -1;
  Slope memo;
  auto scoreboard = [&](double period, bool derivative) {
    if (pairs0 <= 0 || (tg.in_order && net.customers <= 1)) return Slope{};
    if (period == memo_period && (!derivative || memo.derivative != 0)) return memo;
    const Slope wd = dram_wait(period);
    const Slope x =
        closed_throughput(net.demand, net.delay + net.dram_visits * (wd.value + refresh_wait),
                          net.customers, derivative && wd.derivative != 0);
    const double k = net.per_customer;
    memo_period = period;
    memo = Slope{k / x.value,
                 -k / (x.value * x.value) * x.derivative * net.dram_visits * wd.derivative};
    return memo;
  };
  auto scoreboard_bound = [&](double period) { return scoreboard(period, true); };
  double busiest = 0;
  for (int u = 0; u < kUnitCount; ++u) {
    if (t.busy[static_cast<std::size_t>(u)] > busiest) {
      busiest = t.busy[static_cast<std::size_t>(u)];
      t.bound_unit = static_cast<Unit>(u);
    }
  }
  // The period is the fixed point of P = max(constant bounds, each cycle ratio(P), scoreboard(P)),
  // every term non-increasing in P. The fixed point of such a maximum is the largest of the
  // terms' own fixed points, and a term whose value at the running maximum does not exceed it
  // cannot raise it: so each term is checked once and solved only when it binds.
  double period = std::max(busiest, group_recurrence);
  const std::size_t n_back = topo.tile_back.size();
  for (std::size_t i = 0; i < n_back; ++i) {
    auto ratio = [&](double p) { return cycle_ratio(i, p); };
    if (ratio(period).value > period) period = fixed_point(ratio, period);
  }
  if (scoreboard(period, false).value > period) period = fixed_point(scoreboard_bound, period);
  t.period = period;
  // The bounds at the period, for the report.
  t.recurrence = group_recurrence;
  if (group_recurrence > 0) t.recurrence_stage = Stage::QLoad;
  for (std::size_t i = 0; i < n_back; ++i) {
    const double ratio = cycle_ratio(i, period).value;
    if (ratio > t.recurrence) {
      t.recurrence = ratio;
      t.recurrence_edge = tg.edges[topo.tile_back[i].id].kind;
      t.recurrence_stage = tg.node(topo.tile_back[i].to).stage;
    }
  }
  t.scoreboard = scoreboard(period, false).value;
  t.bound = Bound::Unit;
  if (t.recurrence >= std::max(busiest, t.scoreboard) * (1 - 1e-9)) t.bound = Bound::Recurrence;
  if (t.scoreboard >= std::max(busiest, t.recurrence) * (1 - 1e-9))
    t.bound = tg.in_order ? Bound::TilesInFlight : Bound::Scoreboard;
  return t;
}

void add_stall_fractions(core::Metrics& m, double cycles, const StallCycles& stalls) {
  const double c = cycles > 0 ? cycles : 1.0;
  m.set("stall_fraction_memory", stalls.memory / c);
  m.set("stall_fraction_lockstep", stalls.lockstep / c);
  m.set("stall_fraction_scoreboard", stalls.scoreboard / c);
  m.set("stall_fraction_softmax", stalls.softmax / c);
  m.set("stall_fraction_other", stalls.other / c);
}

void add_workload_metrics(core::Metrics& m, const HardwareConfig& hw, const WorkloadStats& s) {
  const EffectiveStats e = effective_stats(hw, s);
  double rounds = 0;
  for (int r = 0; r < e.rounds; ++r) rounds += e.active[static_cast<std::size_t>(r)];
  m.set(core::metric::kKeptFraction, e.kept);
  m.set(core::metric::kAccuracyLoss, hw.bui_gf ? s.accuracy_loss : 0.0);
  m.set("mean_rounds", rounds);
}

AnalyticalResult analyze(const HardwareConfig& hw, const workloads::Benchmark& bench,
                         const WorkloadStats& s) {
  AnalyticalResult out;
  out.groups.reserve(bench.groups.size());
  for (const auto& ag : bench.groups) {
    const TaskGraph tg = build_task_graph(hw, ag, s);
    const TemplateTiming t = time_template(tg);
    const double steps = tg.shape.tile_steps();
    const double cycles = t.fill + (steps - 1.0) * t.period;
    out.cycles += cycles;
    out.tile_steps += steps;
    out.ops += tg.per_tile.scaled(steps);
    out.ops += tg.per_group.scaled(tg.shape.query_groups);
    for (int u = 0; u < kUnitCount; ++u)
      out.busy[static_cast<std::size_t>(u)] += t.busy[static_cast<std::size_t>(u)] * steps;
    // QK-PU idle time, attributed to what sets the period.
    out.stall_lockstep += t.lockstep_excess * steps;
    const double idle =
        std::max(0.0, t.period - t.busy[static_cast<std::size_t>(Unit::QkPu)]) * steps;
    out.stall_fill += std::max(0.0, t.fill - t.period);
    switch (t.bound) {
      case Bound::Scoreboard:
        out.stall_scoreboard += idle;
        break;
      case Bound::TilesInFlight:  // too few tiles to cover the plane fetches' latency
        out.stall_latency += idle;
        break;
      case Bound::Recurrence:
        if (t.recurrence_stage == Stage::PlaneFetch || t.recurrence_stage == Stage::QkRound)
          out.stall_latency += idle;
        else
          out.stall_v_side += idle;
        break;
      case Bound::Unit:
        if (t.bound_unit == Unit::Dram)
          out.stall_dram_bandwidth += idle;
        else if (t.bound_unit == Unit::VPu || t.bound_unit == Unit::Softmax)
          out.stall_v_side += idle;
        else
          out.stall_other += idle;
        break;
    }
    out.groups.push_back(t);
  }
  return out;
}

core::Metrics analytical_model(const HardwareConfig& hw, const workloads::Benchmark& bench,
                               const WorkloadStats& s) {
  const AnalyticalResult r = analyze(hw, bench, s);
  core::Metrics m;
  add_energy_area_metrics(m, hw, r.ops, r.cycles);
  add_workload_metrics(m, hw, s);
  const double c = r.cycles > 0 ? r.cycles : 1.0;
  for (int u = 0; u < kUnitCount; ++u)
    m.set(util_metric(static_cast<Unit>(u)), r.busy[static_cast<std::size_t>(u)] / c);
  m.set("stall_fill_cycles", r.stall_fill);
  m.set("stall_dram_bandwidth_cycles", r.stall_dram_bandwidth);
  m.set("stall_latency_cycles", r.stall_latency);
  m.set("stall_scoreboard_cycles", r.stall_scoreboard);
  m.set("stall_v_side_cycles", r.stall_v_side);
  m.set("stall_lockstep_cycles", r.stall_lockstep);
  m.set("stall_other_cycles", r.stall_other);
  add_stall_fractions(m, r.cycles,
                      {.memory = r.stall_latency + r.stall_dram_bandwidth,
                       .lockstep = r.stall_lockstep,
                       .scoreboard = r.stall_scoreboard,
                       .softmax = r.stall_v_side,
                       .other = r.stall_other + r.stall_fill});
  m.set("tile_steps", r.tile_steps);
  add_dataflow_metrics(m, hw.dataflow(), bench, effective_stats(hw, s).bits);
  return m;
}

}  // namespace pade::models
