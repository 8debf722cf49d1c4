#include "models/event_sim.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <queue>
#include <vector>

#include "core/hash.hpp"
#include "core/json.hpp"
#include "core/rng.hpp"
#include "models/analytical.hpp"
#include "models/energy_area.hpp"

namespace pade::models {

namespace {

enum class EvKind : std::uint8_t { NodeDone, Release, ChunkDone, LaneDone };

struct Event {
  double time;
  std::uint64_t seq;  // ties break by creation order: deterministic
  std::uint32_t inst;
  std::uint32_t lane;
  EvKind kind;
};
struct Later {
  bool operator()(const Event& a, const Event& b) const { return a.time != b.time ? a.time > b.time : a.seq > b.seq; }
};

struct FlatEdge {
  std::uint32_t target;
  int distance;
  EdgeKind kind;
  Scope target_scope;
};

// Pair rounds drawn for one tile-step: per physical lane, per round, the pairs active and the
// pairs terminating after that round; the tile's kept pairs.
struct TileDraw {
  std::vector<std::uint16_t> active;     // lane * bits + r
  std::vector<std::uint16_t> terminate;  // lane * bits + r
  std::vector<std::uint16_t> keys_on_lane;  // per lane of a row (same for every row)
  int kept = 0;
  int keys = 0;
};

enum class Cause : std::uint8_t { None, Memory, Scoreboard, Dependency };

// Simulates one attention group's stream window.
class StreamSim {
 public:
  StreamSim(const HardwareConfig& hw, const TaskGraph& tg, const EventSimOptions& opt, std::uint64_t seed,
            core::JsonWriter* trace, std::size_t* trace_budget)
      : hw_(hw), tg_(tg), g_(tg.graph), trace_(trace), trace_budget_(trace_budget) {
    nt_ = static_cast<std::uint32_t>(boost::num_vertices(g_));
    bits_ = tg.stats.bits;
    tiles_ = std::min(tg.shape.tiles, std::max(1, opt.tiles_per_group));
    const int wanted = std::max(opt.min_groups, (opt.min_steps + tiles_ - 1) / tiles_);
    groups_ = std::max(1, static_cast<int>(std::min<double>(tg.shape.query_groups, wanted)));
    steps_ = groups_ * tiles_;
    lanes_ = tg.shape.lanes_active;
    lanes_per_row_ = hw.lanes_per_row;
    passes_ = tg.shape.passes;
    // Flatten the template's adjacency.
    out_.resize(nt_);
    for (std::uint32_t v = 0; v < nt_; ++v)
      for (const auto e : boost::make_iterator_range(boost::out_edges(v, g_))) {
        const auto t = static_cast<std::uint32_t>(boost::target(e, g_));
        out_[v].push_back(FlatEdge{t, g_[e].distance, g_[e].kind, g_[t].scope});
      }
    const std::size_t instances = static_cast<std::size_t>(steps_ + groups_) * nt_;
    pending_.assign(instances, 0);
    chunks_.assign(instances, 0);
    finish_.assign(instances, 0.0);
    cause_.assign(instances, Cause::None);
    pv_done_.assign(static_cast<std::size_t>(steps_), 0.0);
    lane_free_.assign(static_cast<std::size_t>(lanes_), 0.0);
    held_.assign(static_cast<std::size_t>(lanes_), 0);
    channel_free_.assign(static_cast<std::size_t>(hw.hbm_pseudo_channels), 0.0);
    burst_acc_.assign(nt_, 0.5);
    draws_.resize(static_cast<std::size_t>(steps_));
    sb_blocked_.assign(static_cast<std::size_t>(steps_), 0);
    core::Rng rng(seed);
    for (int i = 0; i < steps_; ++i) draw_tile(i, rng);
    count_predecessors();
  }

  void run() {
    // Sources: every instance with no predecessors.
    for (std::uint32_t inst = 0; inst < pending_.size(); ++inst)
      if (pending_[inst] == 0 && valid(inst)) dispatch(inst, 0.0);
    while (!queue_.empty()) {
      const Event ev = queue_.top();
      queue_.pop();
      ++events_;
      now_ = ev.time;
      switch (ev.kind) {
        case EvKind::NodeDone: complete(ev.inst); break;
        case EvKind::Release: release_order(ev.inst); break;
        case EvKind::ChunkDone:
          if (--chunks_[ev.inst] == 0) complete(ev.inst);
          break;
        case EvKind::LaneDone: lane_done(ev.inst, ev.lane); break;
      }
    }
  }

  // Results.
  double makespan = 0;
  std::uint64_t events_ = 0;
  std::array<double, kUnitCount> busy{};
  double stall_memory = 0, stall_scoreboard = 0, stall_lockstep = 0, stall_dependency = 0;
  double scoreboard_waits = 0;
  [[nodiscard]] int steps() const { return steps_; }
  [[nodiscard]] int groups() const { return groups_; }
  [[nodiscard]] int tiles() const { return tiles_; }
  [[nodiscard]] const std::vector<double>& pv_done() const { return pv_done_; }

 private:
  // ---- instance bookkeeping ----------------------------------------------------------------------
  [[nodiscard]] std::uint32_t tile_inst(int step, std::uint32_t v) const { return static_cast<std::uint32_t>(step) * nt_ + v; }
  [[nodiscard]] std::uint32_t group_inst(int group, std::uint32_t v) const {
    return static_cast<std::uint32_t>(steps_ + group) * nt_ + v;
  }
  [[nodiscard]] bool valid(std::uint32_t inst) const {
    const std::uint32_t v = inst % nt_;
    const bool group_slot = inst / nt_ >= static_cast<std::uint32_t>(steps_);
    return group_slot == (g_[v].scope != Scope::Tile);
  }
  [[nodiscard]] int step_of(std::uint32_t inst) const { return static_cast<int>(inst / nt_); }

  void count_predecessors() {
    for (std::uint32_t v = 0; v < nt_; ++v) {
      const Scope sv = g_[v].scope;
      for (const FlatEdge& e : out_[v]) {
        if (sv == Scope::Tile && e.target_scope == Scope::Tile) {
          for (int i = 0; i + e.distance < steps_; ++i) ++pending_[tile_inst(i + e.distance, e.target)];
        } else if (sv == Scope::Tile) {  // tile -> group end: the group's last tile
          for (int gi = 0; gi < groups_; ++gi) ++pending_[group_inst(gi, e.target)];
        } else if (e.target_scope == Scope::Tile) {  // group start -> the group's first tile
          for (int gi = 0; gi < groups_; ++gi) ++pending_[tile_inst(gi * tiles_, e.target)];
        } else {
          for (int gi = 0; gi < groups_; ++gi) ++pending_[group_inst(gi, e.target)];
        }
      }
    }
  }

  void satisfy(std::uint32_t inst, Cause cause) {
    if (cause_[inst] == Cause::None || cause != Cause::None) cause_[inst] = cause;
    if (--pending_[inst] == 0) dispatch(inst, now_);
  }

  // Successors of a finished instance along edges of the given kinds.
  void notify(std::uint32_t inst, bool order_edges) {
    const std::uint32_t v = inst % nt_;
    const Scope sv = g_[v].scope;
    const Stage stage = g_[v].stage;
    const Cause cause = stage == Stage::PlaneFetch ? Cause::Memory : Cause::Dependency;
    for (const FlatEdge& e : out_[v]) {
      if ((e.kind == EdgeKind::Order) != order_edges) continue;
      if (sv == Scope::Tile) {
        const int i = step_of(inst);
        if (e.target_scope == Scope::Tile) {
          if (i + e.distance < steps_) satisfy(tile_inst(i + e.distance, e.target), cause);
        } else if (i % tiles_ == tiles_ - 1) {
          satisfy(group_inst(i / tiles_, e.target), cause);
        }
      } else {
        const int gi = step_of(inst) - steps_;
        if (e.target_scope == Scope::Tile) satisfy(tile_inst(gi * tiles_, e.target), cause);
        else satisfy(group_inst(gi, e.target), cause);
      }
    }
  }

  void push(double time, std::uint32_t inst, EvKind kind, std::uint32_t lane = 0) {
    queue_.push(Event{time, seq_++, inst, lane, kind});
  }

  // ---- per-pair draws ----------------------------------------------------------------------------
  void draw_tile(int step, core::Rng& rng) {
    const double kbar = tg_.shape.keys_per_tile;
    const auto keys = static_cast<int>(std::floor((step + 1) * kbar + 0.5) - std::floor(step * kbar + 0.5));
    TileDraw& d = draws_[static_cast<std::size_t>(step)];
    d.keys = std::max(keys, 0);
    const auto b = static_cast<std::size_t>(bits_);
    d.active.assign(static_cast<std::size_t>(lanes_) * b, 0);
    d.terminate.assign(static_cast<std::size_t>(lanes_) * b, 0);
    d.keys_on_lane.assign(static_cast<std::size_t>(lanes_per_row_), 0);
    for (int j = 0; j < d.keys; ++j) ++d.keys_on_lane[static_cast<std::size_t>(j % lanes_per_row_)];
    const auto& a = tg_.stats.active;
    for (int row = 0; row < tg_.shape.rows_used; ++row)
      for (int j = 0; j < d.keys; ++j) {
        const double u = rng.uniform();
        int rounds = 0;
        while (rounds < bits_ && a[static_cast<std::size_t>(rounds)] > u) ++rounds;
        rounds = std::max(rounds, 1);  // the MSB plane of every visible key is processed
        const std::size_t lane = static_cast<std::size_t>(row * lanes_per_row_ + j % lanes_per_row_);
        for (int r = 0; r < rounds; ++r) ++d.active[lane * b + static_cast<std::size_t>(r)];
        ++d.terminate[lane * b + static_cast<std::size_t>(rounds - 1)];
        if (rounds == bits_ && u < tg_.stats.kept) ++d.kept;
      }
  }

  // ---- dispatch ----------------------------------------------------------------------------------
  void dispatch(std::uint32_t inst, double now) {
    const std::uint32_t v = inst % nt_;
    const TaskNode& node = g_[v];
    if (node.stage == Stage::PlaneFetch && node.round == 0 && !tg_.in_order) {
      sb_queue_.push_back(inst);
      try_admit();
      return;
    }
    start(inst, now);
  }

  // Scoreboard admission of tiles, oldest first: every lane must have room for its keys (a lane
  // with nothing in flight always accepts, so a tile larger than the scoreboard still proceeds).
  void try_admit() {
    while (!sb_queue_.empty()) {
      const std::uint32_t inst = sb_queue_.front();
      const TileDraw& d = draws_[static_cast<std::size_t>(step_of(inst))];
      bool room = true;
      for (int lane = 0; lane < lanes_ && room; ++lane) {
        const int need = d.keys_on_lane[static_cast<std::size_t>(lane % lanes_per_row_)];
        const int held = held_[static_cast<std::size_t>(lane)];
        room = held == 0 || held + need <= tg_.scoreboard_entries;
      }
      if (!room) break;
      sb_queue_.pop_front();
      for (int lane = 0; lane < lanes_; ++lane)
        held_[static_cast<std::size_t>(lane)] += d.keys_on_lane[static_cast<std::size_t>(lane % lanes_per_row_)];
      start(inst, now_);
    }
    // Tiles still waiting are blocked by the scoreboard: their lanes' idle time is charged to it.
    for (const std::uint32_t q : sb_queue_) {
      char& blocked = sb_blocked_[static_cast<std::size_t>(step_of(q))];
      if (blocked == 0) ++scoreboard_waits;
      blocked = 1;
    }
  }

  void trace_span(std::uint32_t inst, double begin, double end, Unit unit) {
    if (trace_ == nullptr || *trace_budget_ == 0) return;
    --*trace_budget_;
    const TaskNode& n = g_[inst % nt_];
    std::string name(to_string(n.stage));
    if (n.round >= 0) name += " r" + std::to_string(n.round);
    trace_->begin_object();
    trace_->key("name").value(name);
    trace_->key("cat").value(std::string(to_string(unit)));
    trace_->key("ph").value("X");
    trace_->key("ts").value(begin);  // 1 trace microsecond = 1 clock cycle
    trace_->key("dur").value(std::max(end - begin, 0.0));
    trace_->key("pid").value(1);
    trace_->key("tid").value(static_cast<int>(unit));
    trace_->key("args").begin_object().key("tile_step").value(step_of(inst)).end_object();
    trace_->end_object();
  }

  void start(std::uint32_t inst, double now) {
    const std::uint32_t v = inst % nt_;
    const TaskNode& node = g_[v];
    const bool has_order_out = std::any_of(out_[v].begin(), out_[v].end(), [](const FlatEdge& e) { return e.kind == EdgeKind::Order; });
    switch (node.unit) {
      case Unit::Dram: {
        double& acc = burst_acc_[v];
        acc += node.dram_bursts;
        const auto bursts = static_cast<std::int64_t>(std::floor(acc));
        acc -= static_cast<double>(bursts);
        if (bursts == 0) {
          finish_[inst] = now + node.latency;
          push(finish_[inst], inst, EvKind::NodeDone);
          return;
        }
        const auto channels = static_cast<std::int64_t>(channel_free_.size());
        const std::int64_t first = (static_cast<std::int64_t>(inst) * 7) % channels;
        const double bc = hw_.burst_cycles();
        int chunks = 0;
        double last = now;
        for (std::int64_t k = 0; k < std::min(bursts, channels); ++k) {
          const std::int64_t c = (first + k) % channels;
          const std::int64_t n = bursts / channels + (k < bursts % channels ? 1 : 0);
          double& free = channel_free_[static_cast<std::size_t>(c)];
          const double begin = std::max(now, free);
          free = begin + static_cast<double>(n) * bc;
          const double arrival = free + node.latency;
          last = std::max(last, arrival);
          push(arrival, inst, EvKind::ChunkDone);
          ++chunks;
        }
        busy[static_cast<std::size_t>(Unit::Dram)] += static_cast<double>(bursts) * bc / static_cast<double>(channels);
        chunks_[inst] = chunks;
        finish_[inst] = last;
        trace_span(inst, now, last, Unit::Dram);
        return;
      }
      case Unit::QkPu: {
        const TileDraw& d = draws_[static_cast<std::size_t>(step_of(inst))];
        const auto b = static_cast<std::size_t>(bits_);
        const auto r = static_cast<std::size_t>(node.round);
        if (tg_.in_order) {
          int widest = 0;
          double work = 0;
          for (int lane = 0; lane < lanes_; ++lane) {
            const int w = d.active[static_cast<std::size_t>(lane) * b + r];
            widest = std::max(widest, w);
            work += w;
          }
          const double begin = std::max(now, array_free_);
          const double dur = static_cast<double>(widest) * passes_;
          array_free_ = begin + dur;
          busy[static_cast<std::size_t>(Unit::QkPu)] += work * passes_ / lanes_;
          stall_lockstep += dur - work * passes_ / lanes_;
          charge_idle(begin - qk_last_busy_, cause_[inst]);
          qk_last_busy_ = std::max(qk_last_busy_, array_free_);
          finish_[inst] = array_free_ + node.latency;
          push(finish_[inst], inst, EvKind::NodeDone);
          if (has_order_out) push(array_free_, inst, EvKind::Release);
          trace_span(inst, begin, array_free_, Unit::QkPu);
          return;
        }
        int lanes_busy = 0;
        double last = now;
        for (int lane = 0; lane < lanes_; ++lane) {
          const auto l = static_cast<std::size_t>(lane);
          const int w = d.active[l * b + r];
          if (w == 0) continue;
          double& free = lane_free_[l];
          if (free < now) {
            const bool sb = r == 0 && sb_blocked_[static_cast<std::size_t>(step_of(inst))] != 0;
            charge_idle((now - free) / lanes_, sb ? Cause::Scoreboard : cause_[inst]);
            free = now;
          }
          free += static_cast<double>(w) * passes_;
          busy[static_cast<std::size_t>(Unit::QkPu)] += static_cast<double>(w) * passes_ / lanes_;
          push(free, inst, EvKind::LaneDone, static_cast<std::uint32_t>(lane));
          last = std::max(last, free);
          ++lanes_busy;
        }
        chunks_[inst] = lanes_busy;
        finish_[inst] = last + node.latency;
        trace_span(inst, now, last, Unit::QkPu);
        if (lanes_busy == 0) {
          push(finish_[inst], inst, EvKind::NodeDone);
          try_admit();
        }
        return;
      }
      default: {
        double service = node.service;
        if (node.stage == Stage::Softmax || node.stage == Stage::PV) {
          // Kept pairs of this tile as drawn (the template's service is their expectation).
          const TileDraw& d = draws_[static_cast<std::size_t>(step_of(inst))];
          const double expected = tg_.shape.rows_used * tg_.shape.keys_per_tile * tg_.stats.kept;
          const double rescale = tg_.shape.rows_used * tg_.stats.rescales_per_row / tg_.shape.tiles;
          const double per_pair = expected + rescale > 0 ? node.service / (expected + rescale) : 0.0;
          service = per_pair * (d.kept + rescale);
        }
        double& free = unit_free_[static_cast<std::size_t>(node.unit)];
        const double begin = std::max(now, free);
        free = begin + service;
        busy[static_cast<std::size_t>(node.unit)] += service;
        finish_[inst] = free + node.latency;
        push(finish_[inst], inst, EvKind::NodeDone);
        if (has_order_out) push(free, inst, EvKind::Release);
        trace_span(inst, begin, free, node.unit);
        return;
      }
    }
  }

  void charge_idle(double cycles, Cause cause) {
    if (cycles <= 0) return;
    switch (cause) {
      case Cause::Memory: stall_memory += cycles; break;
      case Cause::Scoreboard: stall_scoreboard += cycles; break;
      default: stall_dependency += cycles; break;
    }
  }

  void lane_done(std::uint32_t inst, std::uint32_t lane) {
    const TileDraw& d = draws_[static_cast<std::size_t>(step_of(inst))];
    const TaskNode& node = g_[inst % nt_];
    const std::size_t idx = static_cast<std::size_t>(lane) * static_cast<std::size_t>(bits_) + static_cast<std::size_t>(node.round);
    held_[lane] -= d.terminate[idx];
    try_admit();
    if (--chunks_[inst] == 0) push(finish_[inst], inst, EvKind::NodeDone);
  }

  void complete(std::uint32_t inst) {
    makespan = std::max(makespan, now_);
    const TaskNode& node = g_[inst % nt_];
    if (node.stage == Stage::PV) pv_done_[static_cast<std::size_t>(step_of(inst))] = now_;
    notify(inst, false);
  }

  void release_order(std::uint32_t inst) { notify(inst, true); }

  const HardwareConfig& hw_;
  const TaskGraph& tg_;
  const TaskGraphBase& g_;
  core::JsonWriter* trace_;
  std::size_t* trace_budget_;
  std::uint32_t nt_ = 0;
  int bits_ = 8, groups_ = 1, tiles_ = 1, steps_ = 1, lanes_ = 1, lanes_per_row_ = 1, passes_ = 1;
  std::vector<std::vector<FlatEdge>> out_;
  std::vector<int> pending_;
  std::vector<int> chunks_;
  std::vector<double> finish_;
  std::vector<Cause> cause_;
  std::vector<double> pv_done_;
  std::vector<double> lane_free_;
  std::vector<int> held_;
  std::vector<double> channel_free_;
  std::vector<double> burst_acc_;
  std::array<double, kUnitCount> unit_free_{};
  double array_free_ = 0, qk_last_busy_ = 0;
  std::vector<TileDraw> draws_;
  std::deque<std::uint32_t> sb_queue_;
  std::vector<char> sb_blocked_;  // per tile-step: waited for scoreboard entries
  std::priority_queue<Event, std::vector<Event>, Later> queue_;
  std::uint64_t seq_ = 0;
  double now_ = 0;
};

}  // namespace

EventSimResult simulate_events(const HardwareConfig& hw, const workloads::Benchmark& bench, const WorkloadStats& s,
                               const EventSimOptions& opt) {
  EventSimResult out;
  core::JsonWriter trace(false);
  std::size_t budget = opt.max_trace_events;
  if (opt.trace) {
    trace.begin_object();
    trace.key("displayTimeUnit").value("ns");
    trace.key("otherData").begin_object().key("time_unit").value("1 us in the viewer = 1 clock cycle").key("benchmark").value(bench.name).end_object();
    trace.key("traceEvents").begin_array();
    for (int u = 0; u < kUnitCount; ++u) {
      trace.begin_object().key("name").value("thread_name").key("ph").value("M").key("pid").value(1).key("tid").value(u);
      trace.key("args").begin_object().key("name").value(std::string(to_string(static_cast<Unit>(u)))).end_object().end_object();
    }
  }
  for (std::size_t gi = 0; gi < bench.groups.size(); ++gi) {
    const TaskGraph tg = build_task_graph(hw, bench.groups[gi], s);
    const std::uint64_t seed = opt.seed ^ (0x9e3779b97f4a7c15ULL * (gi + 1)) ^ core::fnv1a64(bench.name);
    StreamSim sim(hw, tg, opt, seed, opt.trace && gi == 0 ? &trace : nullptr, &budget);
    sim.run();
    const int steps = sim.steps();
    const double total_steps = tg.shape.tile_steps();
    // Steady-state period: PV completions over the window's second half, from a query-group
    // boundary on, so that it holds whole groups.
    const auto& pv = sim.pv_done();
    double period = sim.makespan;
    if (steps >= 2) {
      const int half = sim.groups() >= 2 ? (sim.groups() / 2) * sim.tiles() : steps / 2;
      period = (pv[static_cast<std::size_t>(steps - 1)] - pv[static_cast<std::size_t>(half - 1)]) / (steps - half);
    }
    const double extra = std::max(0.0, total_steps - steps);
    out.cycles += sim.makespan + extra * period;
    out.simulated_cycles += sim.makespan;
    out.simulated_tile_steps += steps;
    out.tile_steps += total_steps;
    out.events += sim.events_;
    out.ops += tg.per_tile.scaled(total_steps);
    out.ops += tg.per_group.scaled(tg.shape.query_groups);
    const double scale = total_steps / steps;  // window -> whole group
    out.stall_memory += sim.stall_memory * scale;
    out.stall_scoreboard += sim.stall_scoreboard * scale;
    out.stall_lockstep += sim.stall_lockstep * scale;
    out.stall_dependency += sim.stall_dependency * scale;
    out.scoreboard_wait_tiles += sim.scoreboard_waits;
    for (int u = 0; u < kUnitCount; ++u)
      out.busy_fraction[static_cast<std::size_t>(u)] += sim.busy[static_cast<std::size_t>(u)] * scale;
  }
  for (double& b : out.busy_fraction) b = out.cycles > 0 ? b / out.cycles : 0.0;
  if (opt.trace) {
    trace.end_array();
    trace.end_object();
    out.trace_json = trace.str();
  }
  return out;
}

core::Metrics event_model(const HardwareConfig& hw, const workloads::Benchmark& bench, const WorkloadStats& s) {
  const EventSimResult r = simulate_events(hw, bench, s);
  core::Metrics m;
  add_energy_area_metrics(m, hw, r.ops, r.cycles);
  add_workload_metrics(m, hw, s);
  for (int u = 0; u < kUnitCount; ++u)
    m.set("util_" + std::string(to_string(static_cast<Unit>(u))), r.busy_fraction[static_cast<std::size_t>(u)]);
  m.set("stall_memory_cycles", r.stall_memory);
  m.set("stall_scoreboard_cycles", r.stall_scoreboard);
  m.set("stall_lockstep_cycles", r.stall_lockstep);
  m.set("stall_dependency_cycles", r.stall_dependency);
  m.set("events", static_cast<double>(r.events));
  m.set("simulated_cycles", r.simulated_cycles);
  m.set("tile_steps", r.tile_steps);
  return m;
}

}  // namespace pade::models
