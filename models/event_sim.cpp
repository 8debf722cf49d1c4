#include "models/event_sim.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <deque>
#include <vector>

#include "core/hash.hpp"
#include "core/json.hpp"
#include "core/rng.hpp"
#include "models/analytical.hpp"
#include "models/energy_area.hpp"

namespace pade::models {

namespace {

enum class EvKind : std::uint8_t { NodeDone, Release, ChunkDone, LaneDone };

// A small POD event. Its time is >= the time being processed (events are never scheduled in the
// past) and ties between equal times go by creation order, which keeps the run deterministic.
struct Event {
  double time;
  std::uint32_t inst;
  std::uint32_t lane : 24;
  std::uint32_t kind : 8;
};

// A monotone priority queue of events: a radix heap over the time's bit pattern (non-negative
// doubles order like their bits as unsigned integers). Bucket 0 holds the events at the last
// time popped, bucket i > 0 those whose time's bits first differ from it at bit i - 1. A push is
// an append; a pop takes bucket 0 in order, and when it is empty the first non-empty bucket is
// spread over the lower ones around its earliest time (each event moves down a few times at
// most). Events of equal time always share a bucket and buckets keep insertion order, so equal
// times pop in creation order, as a (time, sequence) heap would pop them.
class EventQueue {
 public:
  [[nodiscard]] bool empty() const { return size_ == 0; }
  void push(const Event& e) {
    buckets_[bucket_of(key_of(e))].push_back(e);
    ++size_;
  }
  Event pop() {
    if (head_ == buckets_[0].size()) refill();
    --size_;
    return buckets_[0][head_++];
  }

 private:
  static std::uint64_t key_of(const Event& e) { return std::bit_cast<std::uint64_t>(e.time); }
  [[nodiscard]] std::size_t bucket_of(std::uint64_t key) const {
    return key == last_ ? 0 : static_cast<std::size_t>(64 - std::countl_zero(key ^ last_));
  }
  void refill() {
    buckets_[0].clear();
    head_ = 0;
    std::size_t k = 1;
    while (buckets_[k].empty()) ++k;
    std::vector<Event>& from = buckets_[k];
    std::uint64_t earliest = key_of(from.front());
    for (const Event& e : from) earliest = std::min(earliest, key_of(e));
    last_ = earliest;
    for (const Event& e : from) buckets_[bucket_of(key_of(e))].push_back(e);
    from.clear();
  }
  std::array<std::vector<Event>, 65> buckets_;
  std::size_t head_ = 0, size_ = 0;
  std::uint64_t last_ = 0;
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
  std::vector<std::uint16_t> active;        // lane * bits + r
  std::vector<std::uint16_t> terminate;     // lane * bits + r
  std::vector<std::uint16_t> keys_on_lane;  // per lane of a row (same for every row)
  int kept = 0;
  int keys = 0;
};

enum class Cause : std::uint8_t { None, Memory, Scoreboard, Softmax, Dependency };

// What a node waits for when `stage` is its last predecessor to finish (the cause of a QK-PU
// idle gap that ends with it).
Cause cause_of(Stage stage) {
  switch (stage) {
    case Stage::PlaneFetch:
    case Stage::QLoad:
      return Cause::Memory;
    case Stage::Softmax:
    case Stage::VFetch:
    case Stage::PV:
    case Stage::Normalize:
    case Stage::OutWrite:
      return Cause::Softmax;
    default:
      return Cause::Dependency;
  }
}

// Simulates one attention group's stream window. Instances are (slot, vertex, column): slots
// 0..steps-1 are tile-steps, steps..steps+groups-1 the query groups' once-per-group nodes.
class StreamSim {
 public:
  StreamSim(const HardwareConfig& hw, const TaskGraph& tg, int groups, int tiles,
            std::uint64_t seed, core::JsonWriter* trace, std::size_t* trace_budget)
      : hw_(hw), tg_(tg), g_(tg.graph()), trace_(trace), trace_budget_(trace_budget), hbm_(tg.hbm) {
    nt_ = static_cast<std::uint32_t>(boost::num_vertices(g_));
    bits_ = tg.stats.rounds;  // lane rounds per key (k planes each)
    tiles_ = tiles;
    groups_ = groups;
    steps_ = groups_ * tiles_;
    lanes_ = tg.shape.lanes_active;
    lanes_per_row_ = hw.lanes_per_row;
    rows_ = tg.shape.rows_used;
    passes_ = tg.shape.passes;
    cols_ = 1;
    for (std::uint32_t v = 0; v < nt_; ++v) cols_ = std::max(cols_, tg_.node(v).columns);
    out_.resize(nt_);
    for (std::uint32_t v = 0; v < nt_; ++v)
      for (const auto e : boost::make_iterator_range(boost::out_edges(v, g_))) {
        const auto t = static_cast<std::uint32_t>(boost::target(e, g_));
        out_[v].push_back(FlatEdge{t, tg.edge(e).distance, tg.edge(e).kind, tg.node(t).scope});
      }
    const std::size_t instances =
        static_cast<std::size_t>(steps_ + groups_) * nt_ * static_cast<std::size_t>(cols_);
    pending_.assign(instances, 0);
    chunks_.assign(instances, 0);
    finish_.assign(instances, 0.0);
    cause_.assign(instances, Cause::None);
    lane_free_.assign(static_cast<std::size_t>(lanes_), 0.0);
    held_.assign(static_cast<std::size_t>(lanes_), 0);
    channel_free_.assign(static_cast<std::size_t>(tg.hbm.channels), 0.0);
    cursors_.assign(static_cast<std::size_t>(tg.dram_streams), StreamCursor{});
    burst_acc_.assign(nt_, 0.5);
    sb_queue_.resize(static_cast<std::size_t>(cols_));
    sb_blocked_.assign(static_cast<std::size_t>(steps_) * static_cast<std::size_t>(cols_), 0);
    draws_.resize(static_cast<std::size_t>(steps_));
    core::Rng rng(seed);
    lane_phase_.resize(static_cast<std::size_t>(lanes_));
    for (double& p : lane_phase_) p = rng.uniform();
    for (int i = 0; i < steps_; ++i) draw_tile(i);
    pv_done.assign(static_cast<std::size_t>(steps_), 0.0);
    pv_vertex_ = static_cast<std::uint32_t>(tg.pv);
    count_predecessors();
  }

  void run() {
    for (std::uint32_t inst = 0; inst < pending_.size(); ++inst)
      if (pending_[inst] == 0 && valid(inst)) dispatch(inst, 0.0);
    while (!queue_.empty()) {
      const Event ev = queue_.pop();
      ++events_;
      now_ = ev.time;
      switch (static_cast<EvKind>(ev.kind)) {
        case EvKind::NodeDone:
          complete(ev.inst);
          break;
        case EvKind::Release:
          notify(ev.inst, true);
          break;
        case EvKind::ChunkDone:
          if (--chunks_[ev.inst] == 0) complete(ev.inst);
          break;
        case EvKind::LaneDone:
          lane_done(ev.inst, ev.lane);
          break;
      }
    }
  }

  double makespan = 0;
  std::vector<double> pv_done;  // per tile-step: when its P.V finished
  std::uint64_t events_ = 0;
  std::array<double, kUnitCount> busy{};
  double stall_memory = 0, stall_scoreboard = 0, stall_lockstep = 0, stall_softmax = 0,
         stall_dependency = 0;
  double scoreboard_waits = 0;
  [[nodiscard]] int steps() const { return steps_; }

 private:
  [[nodiscard]] std::uint32_t id(int slot, std::uint32_t v, int col = 0) const {
    return (static_cast<std::uint32_t>(slot) * nt_ + v) * static_cast<std::uint32_t>(cols_) +
           static_cast<std::uint32_t>(col);
  }
  [[nodiscard]] std::uint32_t vertex(std::uint32_t inst) const {
    return (inst / static_cast<std::uint32_t>(cols_)) % nt_;
  }
  [[nodiscard]] int slot(std::uint32_t inst) const {
    return static_cast<int>(inst / static_cast<std::uint32_t>(cols_) / nt_);
  }
  [[nodiscard]] int column(std::uint32_t inst) const {
    return static_cast<int>(inst % static_cast<std::uint32_t>(cols_));
  }
  [[nodiscard]] bool valid(std::uint32_t inst) const {
    const std::uint32_t v = vertex(inst);
    const bool group_slot = slot(inst) >= steps_;
    return group_slot == (tg_.node(v).scope != Scope::Tile) && column(inst) < tg_.node(v).columns;
  }

  // Calls f(target instance) for every instance an edge from `inst` leads to.
  template <class F>
  void targets(std::uint32_t inst, const FlatEdge& e, F&& f) const {
    const std::uint32_t v = vertex(inst);
    const int s = slot(inst), c = column(inst);
    const int from_cols = tg_.node(v).columns, to_cols = tg_.node(e.target).columns;
    int to_slot = -1;
    if (tg_.node(v).scope == Scope::Tile) {
      if (e.target_scope == Scope::Tile)
        to_slot = s + e.distance < steps_ ? s + e.distance : -1;
      else if (s % tiles_ == tiles_ - 1 && s / tiles_ + e.distance < groups_)
        to_slot = steps_ + s / tiles_ + e.distance;  // a group `distance` later (TaskEdge)
    } else {
      to_slot = e.target_scope == Scope::Tile ? (s - steps_) * tiles_ : s;
    }
    if (to_slot < 0) return;
    if (from_cols > 1 && to_cols > 1)
      f(id(to_slot, e.target, c));  // column to column
    else if (to_cols > 1)
      for (int k = 0; k < to_cols; ++k) f(id(to_slot, e.target, k));  // to every column
    else
      f(id(to_slot, e.target, 0));  // all columns join
  }

  void count_predecessors() {
    for (std::uint32_t inst = 0; inst < pending_.size(); ++inst) {
      if (!valid(inst)) continue;
      for (const FlatEdge& e : out_[vertex(inst)])
        targets(inst, e, [&](std::uint32_t t) { ++pending_[t]; });
    }
  }

  void notify(std::uint32_t inst, bool order_edges) {
    const Cause cause = cause_of(tg_.node(vertex(inst)).stage);
    for (const FlatEdge& e : out_[vertex(inst)]) {
      if ((e.kind == EdgeKind::Order) != order_edges) continue;
      targets(inst, e, [&](std::uint32_t t) {
        cause_[t] = cause;
        if (--pending_[t] == 0) dispatch(t, now_);
      });
    }
  }

  void push(double time, std::uint32_t inst, EvKind kind, std::uint32_t lane = 0) {
    queue_.push(Event{time, inst, lane, static_cast<std::uint32_t>(kind)});
  }

  // Keys are dealt to the lanes round-robin, continuing across tiles, so that no lane is always
  // the one holding a tile's extra key (keys_per_tile is rarely a multiple of lanes_per_row).
  void draw_tile(int step) {
    const double kbar = tg_.shape.keys_per_tile;
    const auto before = static_cast<std::int64_t>(std::floor(step * kbar + 0.5));
    const auto keys =
        static_cast<int>(std::floor((step + 1) * kbar + 0.5) - static_cast<double>(before));
    const auto offset = static_cast<int>(before % lanes_per_row_);
    TileDraw& d = draws_[static_cast<std::size_t>(step)];
    d.keys = std::max(keys, 0);
    const auto b = static_cast<std::size_t>(bits_);
    d.active.assign(static_cast<std::size_t>(lanes_) * b, 0);
    d.terminate.assign(static_cast<std::size_t>(lanes_) * b, 0);
    d.keys_on_lane.assign(static_cast<std::size_t>(lanes_per_row_), 0);
    for (int j = 0; j < d.keys; ++j)
      ++d.keys_on_lane[static_cast<std::size_t>((j + offset) % lanes_per_row_)];
    const auto& a = tg_.stats.active;
    for (int row = 0; row < rows_; ++row)
      for (int j = 0; j < d.keys; ++j) {
        // Per lane, a golden-ratio sequence from a seeded start: the pairs' rounds follow the
        // digest's distribution tile by tile, but no lane drifts away from the mean over the
        // window as i.i.d. draws would (a random walk of O(sqrt(window)) that biases a short
        // window's period, while over a whole benchmark it is negligible).
        const auto lane_id =
            static_cast<std::size_t>(row * lanes_per_row_ + (j + offset) % lanes_per_row_);
        double& phase = lane_phase_[lane_id];
        phase += 0.6180339887498949;
        phase -= std::floor(phase);
        const double u = phase;
        int rounds = 0;
        while (rounds < bits_ && a[static_cast<std::size_t>(rounds)] > u) ++rounds;
        rounds = std::max(rounds, 1);  // the MSB plane of every visible key is processed
        const auto lane =
            static_cast<std::size_t>(row * lanes_per_row_ + (j + offset) % lanes_per_row_);
        for (int r = 0; r < rounds; ++r) ++d.active[lane * b + static_cast<std::size_t>(r)];
        ++d.terminate[lane * b + static_cast<std::size_t>(rounds - 1)];
        if (rounds == bits_ && u < tg_.stats.kept) ++d.kept;
      }
  }

  // Lanes a column instance works on: lane c of every row (all lanes for a whole-tile node).
  template <class F>
  void for_lanes(std::uint32_t inst, F&& f) const {
    if (tg_.node(vertex(inst)).columns > 1) {
      for (int row = 0; row < rows_; ++row) f(row * lanes_per_row_ + column(inst));
    } else {
      for (int lane = 0; lane < lanes_; ++lane) f(lane);
    }
  }

  void dispatch(std::uint32_t inst, double now) {
    const TaskNode& node = tg_.node(vertex(inst));
    if (node.stage == Stage::PlaneFetch && node.round == 0 && !tg_.in_order) {
      auto& q = sb_queue_[static_cast<std::size_t>(column(inst))];
      q.push_back(inst);
      try_admit(column(inst));
      if (!q.empty() && q.back() == inst) {  // not admitted: it waits for scoreboard entries
        sb_blocked_[static_cast<std::size_t>(slot(inst)) * static_cast<std::size_t>(cols_) +
                    static_cast<std::size_t>(column(inst))] = 1;
        scoreboard_waits += 1.0 / cols_;
      }
      return;
    }
    start(inst, now);
  }

  // Scoreboard admission, per key column, oldest tile first: each of the column's lanes must have
  // room for the tile's keys (a lane with nothing in flight always accepts).
  void try_admit(int col) {
    auto& q = sb_queue_[static_cast<std::size_t>(col)];
    while (!q.empty()) {
      const std::uint32_t inst = q.front();
      const TileDraw& d = draws_[static_cast<std::size_t>(slot(inst))];
      const int need = d.keys_on_lane[static_cast<std::size_t>(col % lanes_per_row_)];
      bool room = true;
      for_lanes(inst, [&](int lane) {
        const int held = held_[static_cast<std::size_t>(lane)];
        room = room && (held == 0 || held + need <= tg_.scoreboard_entries);
      });
      if (!room) break;
      q.pop_front();
      for_lanes(inst, [&](int lane) { held_[static_cast<std::size_t>(lane)] += need; });
      start(inst, now_);
    }
  }

  void trace_span(std::uint32_t inst, double begin, double end, Unit unit) {
    if (trace_ == nullptr || *trace_budget_ == 0) return;
    --*trace_budget_;
    const TaskNode& n = tg_.node(vertex(inst));
    std::string name(to_string(n.stage));
    if (n.round >= 0) name += " r" + std::to_string(n.round);
    trace_->begin_object();
    trace_->key("name").value(name);
    trace_->key("cat").value(std::string(to_string(unit)));
    trace_->key("ph").value("X");
    trace_->key("ts").value(begin);  // 1 trace microsecond = 1 clock cycle
    trace_->key("dur").value(std::max(end - begin, 0.0));
    trace_->key("pid").value(1);
    trace_->key("tid").value(static_cast<int>(unit) * 1000 + column(inst));
    trace_->key("args")
        .begin_object()
        .key("slot")
        .value(slot(inst))
        .key("column")
        .value(column(inst))
        .end_object();
    trace_->end_object();
  }

  void start(std::uint32_t inst, double now) {
    const std::uint32_t v = vertex(inst);
    const TaskNode& node = tg_.node(v);
    const bool has_order_out = std::any_of(out_[v].begin(), out_[v].end(), [](const FlatEdge& e) {
      return e.kind == EdgeKind::Order;
    });
    switch (node.unit) {
      case Unit::Dram:
        start_dram(inst, node, now);
        return;
      case Unit::QkPu:
        start_qk(inst, node, now, has_order_out);
        return;
      default: {
        double service = node.service / node.columns;
        if (node.stage == Stage::Softmax || node.stage == Stage::PV) {
          // Kept pairs of this tile as drawn (the template's service is their expectation).
          const TileDraw& d = draws_[static_cast<std::size_t>(slot(inst))];
          const double expected = tg_.shape.rows_used * tg_.shape.keys_per_tile * tg_.stats.kept;
          const double rescale = tg_.shape.rows_used * tg_.stats.rescales_per_row / tg_.shape.tiles;
          const double per_pair =
              expected + rescale > 0 ? node.service / (expected + rescale) : 0.0;
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

  // A DRAM request of the node's bursts for this column (fractional expectations accumulate
  // into whole bursts), issued through the configured DRAM model (memory.dram_model).
  void start_dram(std::uint32_t inst, const TaskNode& node, double now) {
    double& acc = burst_acc_[vertex(inst)];
    acc += node.dram_bursts / node.columns;
    const auto bursts = static_cast<std::int64_t>(std::floor(acc));
    acc -= static_cast<double>(bursts);
    if (bursts == 0) {
      finish_[inst] = now + node.latency;
      push(finish_[inst], inst, EvKind::NodeDone);
      return;
    }
    const auto [chunks, last] = tg_.hbm.row_buffer ? issue_row_buffer(inst, node, bursts, now)
                                                   : issue_bandwidth(inst, node, bursts, now);
    busy[static_cast<std::size_t>(Unit::Dram)] += static_cast<double>(bursts) *
                                                  node.dram_cost.channel /
                                                  static_cast<double>(tg_.hbm.channels);
    chunks_[inst] = chunks;
    finish_[inst] = last;
    trace_span(inst, now, last, Unit::Dram);
  }

  // Chunks of a request (one per pseudo-channel it touches) and when the last one arrives.
  struct Issued {
    int chunks = 0;
    double last = 0;
  };

  // memory.dram_model: bandwidth. The bursts are dealt round-robin over the pseudo-channels; each
  // channel serves its share back to back at the burst time, the data arriving one access
  // latency after its last burst.
  Issued issue_bandwidth(std::uint32_t inst, const TaskNode& node, std::int64_t bursts,
                         double now) {
    const auto channels = static_cast<std::int64_t>(channel_free_.size());
    const std::int64_t first =
        static_cast<std::int64_t>(next_channel_++ % static_cast<std::uint64_t>(channels));
    const double bc = tg_.hbm.t.burst;
    Issued out{0, now};
    for (std::int64_t k = 0; k < std::min(bursts, channels); ++k) {
      const std::int64_t c = (first + k) % channels;
      const std::int64_t n = bursts / channels + (k < bursts % channels ? 1 : 0);
      double& free = channel_free_[static_cast<std::size_t>(c)];
      const double begin = std::max(now, free);
      free = begin + static_cast<double>(n) * bc;
      const double arrival = free + node.latency;
      out.last = std::max(out.last, arrival);
      push(arrival, inst, EvKind::ChunkDone);
      ++out.chunks;
    }
    next_channel_ += static_cast<std::uint64_t>(bursts);
    return out;
  }

  // memory.dram_model: row_buffer. The bursts go through the HBM's bank and row state
  // (models/hbm.hpp) at the addresses of the node's stream (the moved bursts spread evenly over
  // the part of the region the request sweeps); the data of a pseudo-channel's bursts is usable
  // one access latency after the last of them.
  Issued issue_row_buffer(std::uint32_t inst, const TaskNode& node, std::int64_t bursts,
                          double now) {
    StreamCursor& cur = cursors_[static_cast<std::size_t>(node.dram_stream)];
    const double stride = 1.0 / node.dram_density;
    // The access latency less the activation and bank waits the closed form adds: the device
    // state finds those itself.
    const double latency = node.latency - node.dram_row_wait;
    arrival_.assign(static_cast<std::size_t>(tg_.hbm.channels), -1.0);
    for (std::int64_t k = 0; k < bursts; ++k) {
      const HbmAddress a =
          hbm_address(tg_.hbm, node.dram_stream, tg_.dram_streams,
                      cur.position + (static_cast<double>(k) + 0.5) * stride, next_serial_++);
      const double done = hbm_.access(a, node.dram_write, now);
      double& at = arrival_[static_cast<std::size_t>(a.channel)];
      at = std::max(at, done + latency);
    }
    // A write request (a group's output) is one batch per pseudo-channel, as the closed form
    // charges it (HbmStream::batch).
    if (node.dram_write) hbm_.flush(now);
    cur.position += static_cast<double>(bursts) * stride;
    Issued out{0, now};
    for (const double at : arrival_)
      if (at >= 0) {
        push(at, inst, EvKind::ChunkDone);
        out.last = std::max(out.last, at);
        ++out.chunks;
      }
    return out;
  }

  void start_qk(std::uint32_t inst, const TaskNode& node, double now, bool has_order_out) {
    const TileDraw& d = draws_[static_cast<std::size_t>(slot(inst))];
    const auto b = static_cast<std::size_t>(bits_);
    const auto r = static_cast<std::size_t>(node.round);
    const double share = 1.0 / lanes_;
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
      busy[static_cast<std::size_t>(Unit::QkPu)] += work * passes_ * share;
      stall_lockstep += dur - work * passes_ * share;
      charge_idle(begin - qk_last_busy_, cause_[inst]);
      qk_last_busy_ = std::max(qk_last_busy_, array_free_);
      finish_[inst] = array_free_ + node.latency;
      push(finish_[inst], inst, EvKind::NodeDone);
      if (has_order_out) push(array_free_, inst, EvKind::Release);
      trace_span(inst, begin, array_free_, Unit::QkPu);
      return;
    }
    const bool sb =
        r == 0 &&
        sb_blocked_[static_cast<std::size_t>(slot(inst)) * static_cast<std::size_t>(cols_) +
                    static_cast<std::size_t>(column(inst))] != 0;
    const Cause cause = sb ? Cause::Scoreboard : cause_[inst];
    int lanes_busy = 0;
    double last = now;
    for_lanes(inst, [&](int lane) {
      const auto l = static_cast<std::size_t>(lane);
      const int w = d.active[l * b + r];
      if (w == 0) return;
      double& free = lane_free_[l];
      if (free < now) {
        charge_idle((now - free) * share, cause);
        free = now;
      }
      free += static_cast<double>(w) * passes_;
      busy[static_cast<std::size_t>(Unit::QkPu)] += static_cast<double>(w) * passes_ * share;
      push(free, inst, EvKind::LaneDone, static_cast<std::uint32_t>(lane));
      last = std::max(last, free);
      ++lanes_busy;
    });
    chunks_[inst] = lanes_busy;
    finish_[inst] = last + node.latency;
    trace_span(inst, now, last, Unit::QkPu);
    if (lanes_busy == 0) push(finish_[inst], inst, EvKind::NodeDone);
  }

  void charge_idle(double cycles, Cause cause) {
    if (cycles <= 0) return;
    switch (cause) {
      case Cause::Memory:
        stall_memory += cycles;
        break;
      case Cause::Scoreboard:
        stall_scoreboard += cycles;
        break;
      case Cause::Softmax:
        stall_softmax += cycles;
        break;
      default:
        stall_dependency += cycles;
        break;
    }
  }

  void lane_done(std::uint32_t inst, std::uint32_t lane) {
    const TileDraw& d = draws_[static_cast<std::size_t>(slot(inst))];
    const TaskNode& node = tg_.node(vertex(inst));
    held_[lane] -= d.terminate[static_cast<std::size_t>(lane) * static_cast<std::size_t>(bits_) +
                               static_cast<std::size_t>(node.round)];
    try_admit(static_cast<int>(lane) % lanes_per_row_ % cols_);
    if (--chunks_[inst] == 0) push(finish_[inst], inst, EvKind::NodeDone);
  }

  void complete(std::uint32_t inst) {
    makespan = std::max(makespan, now_);
    if (vertex(inst) == pv_vertex_ && slot(inst) < steps_)
      pv_done[static_cast<std::size_t>(slot(inst))] = now_;
    notify(inst, false);
  }

  const HardwareConfig& hw_;
  const TaskGraph& tg_;
  const TaskGraphBase& g_;
  core::JsonWriter* trace_;
  std::size_t* trace_budget_;
  std::uint32_t nt_ = 0, pv_vertex_ = 0;
  int bits_ = 8, groups_ = 1, tiles_ = 1, steps_ = 1, lanes_ = 1, lanes_per_row_ = 1, rows_ = 1,
      passes_ = 1, cols_ = 1;
  std::vector<std::vector<FlatEdge>> out_;
  std::vector<int> pending_;
  std::vector<int> chunks_;
  std::vector<double> finish_;
  std::vector<Cause> cause_;
  std::vector<double> lane_free_;
  std::vector<int> held_;
  // Per DRAM stream: how far it has swept its region (bursts) and its moved bursts so far.
  struct StreamCursor {
    double position = 0;
    std::uint64_t serial = 0;
  };
  // memory.dram_model: bandwidth — when each pseudo-channel's bus is free; bursts are dealt
  // round-robin. row_buffer — the device state and each stream's cursor.
  std::vector<double> channel_free_;
  std::uint64_t next_channel_ = 0;
  HbmDevice hbm_;
  std::vector<StreamCursor> cursors_;
  std::vector<double> arrival_;  // per pseudo-channel, scratch of start_dram
  std::uint64_t next_serial_ = 0;
  std::vector<double> burst_acc_;
  std::array<double, kUnitCount> unit_free_{};
  double array_free_ = 0, qk_last_busy_ = 0;
  std::vector<TileDraw> draws_;
  std::vector<double> lane_phase_;
  std::vector<std::deque<std::uint32_t>> sb_queue_;  // per key column
  std::vector<char> sb_blocked_;  // per (tile-step, column): waited for scoreboard entries
  EventQueue queue_;
  double now_ = 0;
};

// Cycles per tile-step in steady state: the least-squares slope of P.V completion time over
// tile-step index, over [S/4, 9S/10) of the window's S tile-steps (all of them when S < 8).
double steady_period(const StreamSim& w) {
  const int n = w.steps();
  const int lo = n < 8 ? 0 : n / 4, hi = n < 8 ? n : (9 * n) / 10;
  if (hi - lo < 2) return w.makespan / n;
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (int i = lo; i < hi; ++i) {
    const double x = i, y = w.pv_done[static_cast<std::size_t>(i)];
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
  }
  const double m = hi - lo;
  return (m * sxy - sx * sy) / (m * sxx - sx * sx);
}

}  // namespace

EventSimResult simulate_events(const HardwareConfig& hw, const workloads::Benchmark& bench,
                               const WorkloadStats& s, const EventSimOptions& opt) {
  EventSimResult out;
  core::JsonWriter trace(false);
  std::size_t budget = opt.max_trace_events;
  if (opt.trace) {
    trace.begin_object();
    trace.key("displayTimeUnit").value("ns");
    trace.key("otherData")
        .begin_object()
        .key("time_unit")
        .value("1 us in the viewer = 1 clock cycle")
        .key("benchmark")
        .value(bench.name)
        .end_object();
    trace.key("traceEvents").begin_array();
    for (int u = 0; u < kUnitCount; ++u) {
      trace.begin_object()
          .key("name")
          .value("thread_name")
          .key("ph")
          .value("M")
          .key("pid")
          .value(1)
          .key("tid")
          .value(u);
      trace.key("args")
          .begin_object()
          .key("name")
          .value(std::string(to_string(static_cast<Unit>(u))))
          .end_object()
          .end_object();
    }
  }
  for (std::size_t gi = 0; gi < bench.groups.size(); ++gi) {
    const TaskGraph tg = build_task_graph(hw, bench.groups[gi], s);
    const std::uint64_t seed =
        opt.seed ^ (0x9e3779b97f4a7c15ULL * (gi + 1)) ^ core::fnv1a64(bench.name);
    // One window of the stream: at least min_steps tile-steps in whole query groups. Its
    // steady-state period is the least-squares slope of the tile-steps' P.V completion times over
    // the window's middle (the first quarter, still filling the K window and the scoreboards, and
    // the last tenth, draining, left out); the whole group is the window's makespan plus the
    // remaining tile-steps at that period.
    const int tiles = std::min(tg.shape.tiles, std::max(1, opt.tiles_per_group));
    const auto n_groups = static_cast<int>(std::min<double>(tg.shape.query_groups, 1e9));
    const int want = std::max(opt.min_groups, (opt.min_steps + tiles - 1) / tiles);
    StreamSim w(hw, tg, std::max(1, std::min(n_groups, want)), tiles, seed,
                opt.trace && gi == 0 ? &trace : nullptr, &budget);
    w.run();
    const double total_steps = tg.shape.tile_steps();
    const int steps = w.steps();
    // The slope is an estimate from a short window; in steady state no unit does more than one
    // period's work per tile-step, so the window's mean work per tile-step of each unit bounds
    // the period from below. (Without the bound, a slope a little under a saturated unit's work
    // extrapolated it above 100 % busy: util_qk_pu up to 1.014 on seven PADE-22 benchmarks.)
    double period = steady_period(w);
    for (const double b : w.busy) period = std::max(period, b / steps);
    out.cycles += w.makespan + std::max(0.0, total_steps - steps) * period;
    out.simulated_cycles += w.makespan;
    out.simulated_tile_steps += steps;
    out.tile_steps += total_steps;
    out.events += w.events_;
    out.ops += tg.per_tile.scaled(total_steps);
    out.ops += tg.per_group.scaled(tg.shape.query_groups);
    const double scale = total_steps / w.steps();
    out.stall_memory += w.stall_memory * scale;
    out.stall_scoreboard += w.stall_scoreboard * scale;
    out.stall_lockstep += w.stall_lockstep * scale;
    out.stall_softmax += w.stall_softmax * scale;
    out.stall_dependency += w.stall_dependency * scale;
    out.stall_basis += w.makespan * scale;
    out.scoreboard_wait_tiles += w.scoreboard_waits;
    for (int u = 0; u < kUnitCount; ++u)
      out.busy_fraction[static_cast<std::size_t>(u)] += w.busy[static_cast<std::size_t>(u)] * scale;
  }
  for (double& b : out.busy_fraction) b = out.cycles > 0 ? b / out.cycles : 0.0;
  if (opt.trace) {
    trace.end_array();
    trace.end_object();
    out.trace_json = trace.str();
  }
  return out;
}

core::Metrics event_model(const HardwareConfig& hw, const workloads::Benchmark& bench,
                          const WorkloadStats& s) {
  const EventSimResult r = simulate_events(hw, bench, s);
  core::Metrics m;
  add_energy_area_metrics(m, hw, r.ops, r.cycles);
  add_workload_metrics(m, hw, s);
  for (int u = 0; u < kUnitCount; ++u)
    m.set(util_metric(static_cast<Unit>(u)), r.busy_fraction[static_cast<std::size_t>(u)]);
  m.set("stall_memory_cycles", r.stall_memory);
  m.set("stall_scoreboard_cycles", r.stall_scoreboard);
  m.set("stall_lockstep_cycles", r.stall_lockstep);
  m.set("stall_dependency_cycles", r.stall_dependency + r.stall_softmax);
  // Fractions of the simulated windows' time (each window's stalls fit in its makespan).
  add_stall_fractions(m, r.stall_basis,
                      {.memory = r.stall_memory,
                       .lockstep = r.stall_lockstep,
                       .scoreboard = r.stall_scoreboard,
                       .softmax = r.stall_softmax,
                       .other = r.stall_dependency});
  m.set("events", static_cast<double>(r.events));
  m.set("simulated_cycles", r.simulated_cycles);
  m.set("tile_steps", r.tile_steps);
  add_dataflow_metrics(m, hw.dataflow(), bench, effective_stats(hw, s).bits);
  return m;
}

}  // namespace pade::models
