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

TemplateTiming time_template(const TaskGraph& tg) {
  const auto& g = tg.graph;
  const std::size_t n = boost::num_vertices(g);
  TemplateTiming t;
  const double tiles = tg.shape.tiles;
  for (std::size_t v = 0; v < n; ++v) {
    const TaskNode& node = g[v];
    t.busy[static_cast<std::size_t>(node.unit)] +=
        node.scope == Scope::Tile ? node.service : node.service / tiles;
  }
  if (tg.in_order) {
    for (const TaskVertex v : tg.qk_round) {
      const TaskNode& q = g[v];
      t.lockstep_excess += q.service - q.lane_cycles / tg.shape.lanes_active;
    }
  }
  // Flat copy of the tile-scope template: node times and the distance-0 and back edges.
  struct Flat {
    double time;        // column time (service share + latency)
    double order_time;  // what an ordering edge waits for
    bool dram, qk;
  };
  std::vector<Flat> flat(n);
  struct FlatEdge {
    std::size_t from, to;
    int distance;
    bool order;
  };
  std::vector<FlatEdge> forward, back;
  for (std::size_t x = 0; x < n; ++x) {
    const TaskNode& node = g[x];
    flat[x] = {node.column_time(), node.column_time() - node.latency,
               node.unit == Unit::Dram && node.dram_bursts > 0, node.unit == Unit::QkPu};
    if (node.scope != Scope::Tile) continue;
    for (const auto e : boost::make_iterator_range(boost::out_edges(x, g))) {
      const std::size_t y = boost::target(e, g);
      if (g[y].scope != Scope::Tile) continue;
      (g[e].distance == 0 ? forward : back)
          .push_back({x, y, g[e].distance, g[e].kind == EdgeKind::Order});
    }
  }
  // Fill: one tile-step with its group's start and end nodes, all resources free.
  std::vector<std::size_t> order;
  order.reserve(n);
  for (const Scope s : {Scope::GroupStart, Scope::Tile, Scope::GroupEnd})
    for (std::size_t v = 0; v < n; ++v)
      if (g[v].scope == s) order.push_back(v);
  std::vector<double> start(n, 0.0);
  double finish = 0;
  for (const std::size_t x : order) {
    finish = std::max(finish, start[x] + g[x].column_time());
    for (const auto f : boost::make_iterator_range(boost::out_edges(x, g)))
      if (g[f].distance == 0) {
        const std::size_t y = boost::target(f, g);
        start[y] = std::max(start[y], start[x] + edge_delay(g[x], g[f]));
      }
  }
  t.fill = finish;
  // The Q buffer's recurrence (a back edge from a tile-scope node into a group's start, distance
  // k query groups): group g + k may load its Q once group g's last tile-step has passed the edge's
  // source. That takes the first tile-step's path L from the Q load, plus T - 1 periods for the
  // group's other tile-steps, against k T periods: P >= L / (k T - T + 1).
  double group_recurrence = 0;
  for (std::size_t x = 0; x < n; ++x) {
    if (g[x].scope != Scope::Tile) continue;
    for (const auto e : boost::make_iterator_range(boost::out_edges(x, g))) {
      const std::size_t y = boost::target(e, g);
      if (g[y].scope != Scope::GroupStart || g[e].distance <= 0) continue;
      const double path = start[x] + edge_delay(g[x], g[e]);
      group_recurrence = std::max(group_recurrence, path / (g[e].distance * tiles - tiles + 1.0));
    }
  }
  // Queueing: a request meets, on average, the residual work of a FIFO server at utilization rho
  // (M/D/1: rho / (2 (1 - rho)) services). DRAM requests wait for their channel, QK work for its
  // lane; both waits lengthen the round chain and the scoreboard residence, and both fall as the
  // period grows, so the period is the fixed point of period = max(bounds(period)).
  double dram_service = 0, dram_weight = 0;  // mean per-channel chunk of a DRAM request
  for (std::size_t x = 0; x < n; ++x)
    if (flat[x].dram && g[x].scope == Scope::Tile) {
      const double per_column = g[x].dram_bursts / g[x].columns;
      dram_service += per_column * std::max(1.0, per_column / tg.hbm_channels) * tg.burst_cycles;
      dram_weight += per_column;
    }
  dram_service = dram_weight > 0 ? dram_service / dram_weight : 0.0;
  double qk_service = 0, qk_weight = 0;  // mean lane work of one column round
  for (const TaskVertex v : tg.qk_round) {
    const double per_lane = g[v].lane_cycles / tg.shape.lanes_active;
    qk_service += per_lane * per_lane;
    qk_weight += per_lane;
  }
  qk_service = qk_weight > 0 ? qk_service / qk_weight : 0.0;
  auto wait = [](double rho, double service) {
    rho = std::clamp(rho, 0.0, 0.95);
    return rho / (2.0 * (1.0 - rho)) * service;
  };
  constexpr double kUnreached = -1.0;
  struct Bounds {
    double recurrence = 0, scoreboard = 0;
    EdgeKind edge = EdgeKind::Buffer;
    Stage stage = Stage::PlaneFetch;
  };
  // Per pair: lane demand (cycles at the lane) and delay (everything else), over its rounds.
  auto scoreboard_bound = [&](double wd) {
    const double pairs0 = g[tg.qk_round.front()].pairs;
    if (pairs0 <= 0) return 0.0;
    const double s = tg.shape.passes;  // one key plane on a lane
    double demand = 0, delay = 0;
    for (std::size_t r = 0; r < tg.qk_round.size(); ++r) {
      const double visits = g[tg.qk_round[r]].pairs / pairs0;
      const std::size_t f = tg.plane_fetch[r], q = tg.qk_round[r], th = tg.threshold[r];
      demand += visits * s;
      delay +=
          visits * (flat[f].time + (flat[f].dram ? wd : 0.0) + flat[q].time - s + flat[th].time);
    }
    // Exact MVA recursion over the population, with the residual service of a deterministic
    // server (half a service, not a whole one, for the pair found in service).
    double queue = 0, util = 0, x = 0;
    for (int k = 1; k <= tg.scoreboard_entries; ++k) {
      const double residence = demand * (1.0 + queue - 0.5 * util);
      x = k / (residence + delay);
      queue = x * residence;
      util = x * demand;
    }
    return pairs0 / tg.shape.lanes_active / x;
  };
  auto bounds = [&](double period) {
    const double wd =
        period > 0 ? wait(t.busy[static_cast<std::size_t>(Unit::Dram)] / period, dram_service)
                   : 0.0;
    const double wq = period > 0 && !tg.in_order
                          ? wait(t.busy[static_cast<std::size_t>(Unit::QkPu)] / period, qk_service)
                          : 0.0;
    auto time = [&](std::size_t x, bool order) {
      return (order ? flat[x].order_time : flat[x].time) + (flat[x].dram ? wd : 0.0) +
             (flat[x].qk ? wq : 0.0);
    };
    Bounds b;
    if (group_recurrence > 0) {
      b.recurrence = group_recurrence;
      b.stage = Stage::QLoad;
    }
    // Recurrence: for each back edge u -> v (distance k), the longest distance-0 path v ~> u.
    // Vertex indices of tile-scope nodes are a topological order of the distance-0 edges.
    for (const FlatEdge& be : back) {
      std::fill(start.begin(), start.end(), kUnreached);
      start[be.to] = 0;
      for (const FlatEdge& f : forward) {  // sorted by source index, i.e. topologically
        if (start[f.from] == kUnreached || f.from > be.from || f.to > be.from) continue;
        start[f.to] = std::max(start[f.to], start[f.from] + time(f.from, f.order));
      }
      if (start[be.from] == kUnreached) continue;
      const double ratio = (start[be.from] + time(be.from, be.order)) / be.distance;
      if (ratio > b.recurrence) {
        b.recurrence = ratio;
        b.edge = be.order ? EdgeKind::Order : EdgeKind::Buffer;
        b.stage = g[be.to].stage;
      }
    }
    // Scoreboard capacity (out-of-order lanes): each lane is a closed queueing network of its
    // `scoreboard_entries` entries. A (row, key) pair holds an entry from its first plane request
    // until it is pruned or finished; each active round it visits the lane for `passes` cycles
    // (the queue) and otherwise waits for its plane, for the rest of its column's round and for the
    // threshold (a delay). Mean-value analysis over the entries gives the lane's pair throughput X;
    // a tile-step brings pairs0 / lanes pairs per lane, so the bound is that over X. (An open-queue
    // wait at the lane would grow without bound as the lane saturates; the closed network's cannot,
    // its population being the entries.)
    if (!tg.in_order) b.scoreboard = scoreboard_bound(wd);
    return b;
  };
  double busiest = 0;
  for (int u = 0; u < kUnitCount; ++u) {
    if (t.busy[static_cast<std::size_t>(u)] > busiest) {
      busiest = t.busy[static_cast<std::size_t>(u)];
      t.bound_unit = static_cast<Unit>(u);
    }
  }
  // f(P) = max(busiest, bounds(P)) is non-increasing in P: bisect for the fixed point.
  auto f = [&](double period) {
    const Bounds b = bounds(period);
    return std::max({busiest, b.recurrence, b.scoreboard});
  };
  double lo = f(1e300);  // no queueing
  double hi = f(lo);
  if (hi > lo * (1 + 1e-6)) {
    for (int it = 0; it < 40 && hi - lo > 1e-3 * lo; ++it) {
      const double mid = 0.5 * (lo + hi);
      (f(mid) > mid ? lo : hi) = mid;
    }
  }
  t.period = hi;
  const Bounds b = bounds(t.period);
  t.recurrence = b.recurrence;
  t.recurrence_edge = b.edge;
  t.recurrence_stage = b.stage;
  t.scoreboard = b.scoreboard;
  t.bound = Bound::Unit;
  if (t.recurrence >= std::max(busiest, t.scoreboard) * (1 - 1e-9)) t.bound = Bound::Recurrence;
  if (t.scoreboard >= std::max(busiest, t.recurrence) * (1 - 1e-9)) t.bound = Bound::Scoreboard;
  return t;
}

void add_workload_metrics(core::Metrics& m, const HardwareConfig& hw, const WorkloadStats& s) {
  const EffectiveStats e = effective_stats(hw, s);
  double rounds = 0;
  for (int r = 0; r < e.bits; ++r) rounds += e.active[static_cast<std::size_t>(r)];
  m.set(core::metric::kKeptFraction, e.kept);
  m.set(core::metric::kAccuracyLoss, hw.bui_gf ? s.accuracy_loss : 0.0);
  m.set("mean_rounds", rounds);
}

AnalyticalResult analyze(const HardwareConfig& hw, const workloads::Benchmark& bench,
                         const WorkloadStats& s) {
  AnalyticalResult out;
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
    m.set("util_" + std::string(to_string(static_cast<Unit>(u))),
          r.busy[static_cast<std::size_t>(u)] / c);
  m.set("stall_fill_cycles", r.stall_fill);
  m.set("stall_dram_bandwidth_cycles", r.stall_dram_bandwidth);
  m.set("stall_latency_cycles", r.stall_latency);
  m.set("stall_scoreboard_cycles", r.stall_scoreboard);
  m.set("stall_v_side_cycles", r.stall_v_side);
  m.set("stall_lockstep_cycles", r.stall_lockstep);
  m.set("stall_other_cycles", r.stall_other);
  m.set("tile_steps", r.tile_steps);
  return m;
}

}  // namespace pade::models
