#include "models/analytical.hpp"

#include <algorithm>
#include <cmath>

#include "models/energy_area.hpp"

namespace pade::models {

double edge_delay(const TaskNode& source, const TaskEdge& edge) {
  // Ordering edges only keep issue order on a unit (a pipelined unit may start the next item when
  // the previous one has been issued); data and buffer edges wait for the result.
  return edge.kind == EdgeKind::Order ? source.service : source.service + source.latency;
}

TemplateTiming time_template(const TaskGraph& tg) {
  const auto& g = tg.graph;
  const std::size_t n = boost::num_vertices(g);
  TemplateTiming t;
  const double tiles = tg.shape.tiles;
  for (std::size_t v = 0; v < n; ++v) {
    const TaskNode& node = g[v];
    t.busy[static_cast<std::size_t>(node.unit)] += node.scope == Scope::Tile ? node.service : node.service / tiles;
  }
  if (tg.in_order) {
    for (const TaskVertex v : tg.qk_round) {
      const TaskNode& q = g[v];
      t.lockstep_excess += q.service - q.lane_cycles / tg.shape.lanes_active;
    }
  }
  // Recurrence bound: for each back edge u -> v (distance k), the longest distance-0 path v ~> u.
  // Vertex indices of tile-scope nodes are a topological order of the distance-0 edges.
  std::vector<double> start(n);
  constexpr double kUnreached = -1.0;
  for (std::size_t u = 0; u < n; ++u) {
    if (g[u].scope != Scope::Tile) continue;
    for (const auto e : boost::make_iterator_range(boost::out_edges(u, g))) {
      const TaskEdge& back = g[e];
      const std::size_t v = boost::target(e, g);
      if (back.distance <= 0 || g[v].scope != Scope::Tile) continue;
      std::fill(start.begin(), start.end(), kUnreached);
      start[v] = 0;
      for (std::size_t x = v; x <= u; ++x) {
        if (start[x] == kUnreached || g[x].scope != Scope::Tile) continue;
        for (const auto f : boost::make_iterator_range(boost::out_edges(x, g))) {
          const std::size_t y = boost::target(f, g);
          if (g[f].distance != 0 || g[y].scope != Scope::Tile || y > u) continue;
          start[y] = std::max(start[y], start[x] + edge_delay(g[x], g[f]));
        }
      }
      if (start[u] == kUnreached) continue;
      const double ratio = (start[u] + edge_delay(g[u], back)) / back.distance;
      if (ratio > t.recurrence) {
        t.recurrence = ratio;
        t.recurrence_edge = back.kind;
        t.recurrence_stage = g[v].stage;
      }
    }
  }
  // Scoreboard capacity (out-of-order lanes): a (row, key) pair holds an entry from its first
  // plane request until it is pruned or finished; each active round costs it the round's
  // fetch + compute + threshold time (Little's law over the lanes' entries).
  if (!tg.in_order) {
    double entry_cycles = 0;
    for (std::size_t r = 0; r < tg.qk_round.size(); ++r) {
      const TaskNode& pf = g[tg.plane_fetch[r]];
      const TaskNode& qk = g[tg.qk_round[r]];
      const TaskNode& th = g[tg.threshold[r]];
      entry_cycles += qk.pairs * (pf.service + pf.latency + qk.service + qk.latency + th.service + th.latency);
    }
    // Entries are per lane, so only the lanes holding a query count.
    t.scoreboard = entry_cycles / (static_cast<double>(tg.shape.lanes_active) * tg.scoreboard_entries);
  }
  t.period = t.recurrence;
  t.bound = Bound::Recurrence;
  if (t.scoreboard > t.period) {
    t.period = t.scoreboard;
    t.bound = Bound::Scoreboard;
  }
  for (int u = 0; u < kUnitCount; ++u)
    if (t.busy[static_cast<std::size_t>(u)] > t.period) {
      t.period = t.busy[static_cast<std::size_t>(u)];
      t.bound = Bound::Unit;
      t.bound_unit = static_cast<Unit>(u);
    }
  // Fill: one tile-step with its group's start and end nodes, all resources free.
  std::vector<std::size_t> order;
  order.reserve(n);
  for (const Scope s : {Scope::GroupStart, Scope::Tile, Scope::GroupEnd})
    for (std::size_t v = 0; v < n; ++v)
      if (g[v].scope == s) order.push_back(v);
  std::fill(start.begin(), start.end(), 0.0);
  double finish = 0;
  for (const std::size_t x : order) {
    finish = std::max(finish, start[x] + g[x].service + g[x].latency);
    for (const auto f : boost::make_iterator_range(boost::out_edges(x, g)))
      if (g[f].distance == 0) {
        const std::size_t y = boost::target(f, g);
        start[y] = std::max(start[y], start[x] + edge_delay(g[x], g[f]));
      }
  }
  t.fill = finish;
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

AnalyticalResult analyze(const HardwareConfig& hw, const workloads::Benchmark& bench, const WorkloadStats& s) {
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
    for (int u = 0; u < kUnitCount; ++u) out.busy[static_cast<std::size_t>(u)] += t.busy[static_cast<std::size_t>(u)] * steps;
    // QK-PU idle time, attributed to what sets the period.
    out.stall_lockstep += t.lockstep_excess * steps;
    const double idle = std::max(0.0, t.period - t.busy[static_cast<std::size_t>(Unit::QkPu)]) * steps;
    out.stall_fill += std::max(0.0, t.fill - t.period);
    switch (t.bound) {
      case Bound::Scoreboard: out.stall_scoreboard += idle; break;
      case Bound::Recurrence:
        if (t.recurrence_stage == Stage::PlaneFetch || t.recurrence_stage == Stage::QkRound) out.stall_latency += idle;
        else out.stall_v_side += idle;
        break;
      case Bound::Unit:
        if (t.bound_unit == Unit::Dram) out.stall_dram_bandwidth += idle;
        else if (t.bound_unit == Unit::VPu || t.bound_unit == Unit::Softmax) out.stall_v_side += idle;
        else out.stall_other += idle;
        break;
    }
    out.groups.push_back(t);
  }
  return out;
}

core::Metrics analytical_model(const HardwareConfig& hw, const workloads::Benchmark& bench, const WorkloadStats& s) {
  const AnalyticalResult r = analyze(hw, bench, s);
  core::Metrics m;
  add_energy_area_metrics(m, hw, r.ops, r.cycles);
  add_workload_metrics(m, hw, s);
  const double c = r.cycles > 0 ? r.cycles : 1.0;
  for (int u = 0; u < kUnitCount; ++u)
    m.set("util_" + std::string(to_string(static_cast<Unit>(u))), r.busy[static_cast<std::size_t>(u)] / c);
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
