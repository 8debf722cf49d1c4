#include "models/taskgraph.hpp"

#include "models/energy_area.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <stdexcept>

namespace pade::models {

std::string_view to_string(Unit u) {
  switch (u) {
    case Unit::Dram:
      return "dram";
    case Unit::QkPu:
      return "qk_pu";
    case Unit::Bui:
      return "bui";
    case Unit::Threshold:
      return "threshold";
    case Unit::Softmax:
      return "softmax";
    case Unit::VPu:
      return "v_pu";
  }
  return "?";
}

std::string_view util_metric(Unit u) {
  static constexpr std::array<std::string_view, kUnitCount> kNames = {
      "util_dram", "util_qk_pu", "util_bui", "util_threshold", "util_softmax", "util_v_pu"};
  return kNames[static_cast<std::size_t>(u)];
}

std::string_view to_string(Stage s) {
  switch (s) {
    case Stage::QLoad:
      return "q_load";
    case Stage::BuiGen:
      return "bui_gen";
    case Stage::PlaneFetch:
      return "plane_fetch";
    case Stage::QkRound:
      return "qk_round";
    case Stage::Threshold:
      return "threshold";
    case Stage::Softmax:
      return "softmax";
    case Stage::VFetch:
      return "v_fetch";
    case Stage::PV:
      return "pv";
    case Stage::Normalize:
      return "normalize";
    case Stage::OutWrite:
      return "out_write";
  }
  return "?";
}

OpCounts& OpCounts::operator+=(const OpCounts& o) {
  key_planes += o.key_planes;
  gsat_inputs += o.gsat_inputs;
  subgroup_adds += o.subgroup_adds;
  accum_adds += o.accum_adds;
  correction_adds += o.correction_adds;
  bs_logic_ge += o.bs_logic_ge;
  plane_extract_ge += o.plane_extract_ge;
  bit_granular_dram_bytes += o.bit_granular_dram_bytes;
  scoreboard_bits += o.scoreboard_bits;
  bound_ops += o.bound_ops;
  threshold_ops += o.threshold_ops;
  bui_ops += o.bui_ops;
  exps += o.exps;
  rescale_muls += o.rescale_muls;
  v_macs += o.v_macs;
  norm_ops += o.norm_ops;
  sram_kv_read_bits += o.sram_kv_read_bits;
  sram_kv_write_bits += o.sram_kv_write_bits;
  sram_q_read_bits += o.sram_q_read_bits;
  sram_q_write_bits += o.sram_q_write_bits;
  sram_out_read_bits += o.sram_out_read_bits;
  sram_out_write_bits += o.sram_out_write_bits;
  dram_read_bytes += o.dram_read_bytes;
  dram_write_bytes += o.dram_write_bytes;
  dram_activations += o.dram_activations;
  return *this;
}

OpCounts OpCounts::scaled(double k) const {
  OpCounts out = *this;
  for (double* f : {&out.key_planes,
                    &out.gsat_inputs,
                    &out.subgroup_adds,
                    &out.accum_adds,
                    &out.correction_adds,
                    &out.bs_logic_ge,
                    &out.plane_extract_ge,
                    &out.bit_granular_dram_bytes,
                    &out.scoreboard_bits,
                    &out.bound_ops,
                    &out.threshold_ops,
                    &out.bui_ops,
                    &out.exps,
                    &out.rescale_muls,
                    &out.v_macs,
                    &out.norm_ops,
                    &out.sram_kv_read_bits,
                    &out.sram_kv_write_bits,
                    &out.sram_q_read_bits,
                    &out.sram_q_write_bits,
                    &out.sram_out_read_bits,
                    &out.sram_out_write_bits,
                    &out.dram_read_bytes,
                    &out.dram_write_bytes,
                    &out.dram_activations})
    *f *= k;
  return out;
}

namespace {
// x^n for n >= 0 by squaring (the exponents here are small integers).
double ipow(double x, int n) {
  double result = 1;
  for (; n > 0; n >>= 1, x *= x)
    if ((n & 1) != 0) result *= x;
  return result;
}

// x^y, by squaring when y is a small whole number (the usual case: shares and records per burst
// are counts), else std::pow.
double power(double x, double y) {
  if (y >= 0 && y <= 4096 && y == std::floor(y)) return ipow(x, static_cast<int>(y));
  return std::pow(x, y);
}
}  // namespace

EffectiveStats effective_stats(const HardwareConfig& hw, const WorkloadStats& s) {
  EffectiveStats e;
  e.bits = std::clamp(s.bits, 1, 16);
  // The lane's round structure is the hardware's (k planes per round); a round runs for a pair
  // iff its first plane does, and its planes share that fraction (the guard decides per round).
  const int k = std::clamp(hw.bits_per_round, 1, e.bits);
  e.rounds = (e.bits + k - 1) / k;
  for (int r = 0; r < e.rounds; ++r) {
    const auto i = static_cast<std::size_t>(r);
    const auto first = static_cast<std::size_t>(r * k);
    e.planes[i] = std::min(k, e.bits - r * k);
    e.active[i] =
        hw.bui_gf ? std::clamp(first < s.active_fraction.size() ? s.active_fraction[first] : 1.0,
                               0.0, 1.0)
                  : 1.0;
    e.fetch[i] =
        hw.bui_gf ? std::clamp(s.group_fetch(static_cast<int>(first)), e.active[i], 1.0) : 1.0;
  }
  e.kept = hw.bui_gf
               ? std::clamp(s.kept_fraction, 0.0, e.active[static_cast<std::size_t>(e.rounds - 1)])
               : 1.0;
  e.v_fetch = hw.bui_gf ? std::clamp(s.group_v_fetch_fraction, e.kept, 1.0) : 1.0;
  // BS applies per GSAT sub-group (issue 17); sub-groups of the lane's dims.
  e.gsat_active =
      hw.bidirectional ? s.subgroup_active(hw.gsat_subgroup, hw.dims_per_lane) : s.ones_fraction;
  e.rescales_per_row = s.rescales_per_row;
  return e;
}

double expected_lockstep_max(int keys, double p, int lanes) {
  if (keys <= 0 || p <= 0) return 0.0;
  if (p >= 1) return keys;
  // E[max] = sum_{m=1..keys} P(max >= m) = sum_m 1 - F(m-1)^lanes, F the binomial CDF.
  const double odds = p / (1.0 - p);
  double expected = 0, pmf = ipow(1.0 - p, keys), cdf = 0;
  for (int m = 1; m <= keys; ++m) {
    cdf += pmf;  // F(m-1)
    pmf *= static_cast<double>(keys - m + 1) / m * odds;
    expected += 1.0 - ipow(std::min(cdf, 1.0), lanes);
  }
  return expected;
}

namespace {

// Expected bursts a query group's step must bring from DRAM for `keys` keys whose records of
// `record_bytes` each are needed with probability `need` by one query group and with
// `union_need` by any of the `share` groups that reuse the buffered tile; records are packed
// contiguously (bit-plane-first: one plane of consecutive keys), so a burst moves if any record
// in it is needed. The group's share of that traffic is 1/share.
double expected_bursts(double keys, double record_bytes, double union_need, double share,
                       double burst_bytes) {
  if (keys <= 0 || union_need <= 0) return 0.0;
  if (record_bytes >= burst_bytes)
    return keys * union_need * std::ceil(record_bytes / burst_bytes) / share;
  const double per_burst = burst_bytes / record_bytes;  // records per burst
  const double bursts = keys / per_burst;
  return bursts * (1.0 - power(1.0 - union_need, per_burst)) / share;
}

double union_of(double f, double share) {
  return 1.0 - power(1.0 - std::clamp(f, 0.0, 1.0), share);
}

}  // namespace

namespace {

// Vertex indices of a template with `bits` rounds (TaskGraph's named vertices).
struct Layout {
  int bits;
  [[nodiscard]] TaskVertex plane_fetch(int r) const { return static_cast<TaskVertex>(3 * r); }
  [[nodiscard]] TaskVertex qk_round(int r) const { return static_cast<TaskVertex>(3 * r + 1); }
  [[nodiscard]] TaskVertex threshold(int r) const { return static_cast<TaskVertex>(3 * r + 2); }
  [[nodiscard]] TaskVertex after(int k) const { return static_cast<TaskVertex>(3 * bits + k); }
  [[nodiscard]] TaskVertex softmax() const { return after(0); }
  [[nodiscard]] TaskVertex v_fetch() const { return after(1); }
  [[nodiscard]] TaskVertex pv() const { return after(2); }
  [[nodiscard]] TaskVertex q_load() const { return after(3); }
  [[nodiscard]] TaskVertex bui_gen() const { return after(4); }
  [[nodiscard]] TaskVertex normalize() const { return after(5); }
  [[nodiscard]] TaskVertex out_write() const { return after(6); }
  [[nodiscard]] std::size_t size() const { return static_cast<std::size_t>(3 * bits + 7); }
};

// What sets an edge's distance (TaskEdge::distance).
enum class Reach : std::uint8_t { Zero, One, KWindow, VTiles, QSlots, TilesInFlight };

// Every edge of the template, in one fixed order: f(from, to, kind, reach). The structure and its
// weighting both walk this list, so an edge's position is its TaskEdgeId.
template <class F>
void for_each_edge(const Layout& l, bool in_order, F&& visit) {
  // Edge ids index fixed-size arrays (kMaxTaskEdges): an edge added here without raising that
  // bound must fail loudly, not write past them.
  std::size_t count = 0;
  const auto f = [&](TaskVertex a, TaskVertex b, EdgeKind kind, Reach reach) {
    if (++count > kMaxTaskEdges)
      throw std::logic_error("task graph: more edges than kMaxTaskEdges (models/taskgraph.hpp)");
    visit(a, b, kind, reach);
  };
  for (int r = 0; r < l.bits; ++r) {
    f(l.plane_fetch(r), l.qk_round(r), EdgeKind::Data, Reach::Zero);
    f(l.qk_round(r), l.threshold(r), EdgeKind::Data, Reach::Zero);
    // The next plane is requested only for keys this round did not prune.
    if (r + 1 < l.bits) f(l.threshold(r), l.plane_fetch(r + 1), EdgeKind::Data, Reach::Zero);
  }
  const TaskVertex last_thr = l.threshold(l.bits - 1);
  f(last_thr, l.softmax(), EdgeKind::Data, Reach::Zero);
  f(last_thr, l.v_fetch(), EdgeKind::Data, Reach::Zero);
  f(l.softmax(), l.pv(), EdgeKind::Data, Reach::Zero);
  f(l.v_fetch(), l.pv(), EdgeKind::Data, Reach::Zero);
  // The V-PU accumulates tiles in order (online softmax); V tiles buffered ahead of it.
  f(l.pv(), l.pv(), EdgeKind::Order, Reach::One);
  f(l.pv(), l.v_fetch(), EdgeKind::Buffer, Reach::VTiles);
  // The K buffer's window of tile-steps in flight.
  f(l.qk_round(l.bits - 1), l.plane_fetch(0), EdgeKind::Buffer, Reach::KWindow);
  // In-order: the lockstep array interleaves the rounds of qk_pu.tiles_in_flight tiles, whose
  // partial scores it holds in registers; tile t + K starts its rounds once tile t has issued its
  // last one.
  if (in_order) f(l.qk_round(l.bits - 1), l.qk_round(0), EdgeKind::Order, Reach::TilesInFlight);
  // Group scope: distance 0 = the group's first (GroupStart) or last (GroupEnd) tile-step.
  f(l.q_load(), l.bui_gen(), EdgeKind::Data, Reach::Zero);
  f(l.bui_gen(), l.qk_round(0), EdgeKind::Data, Reach::Zero);
  // The Q buffer holds q_slots query groups: a group's Q is loaded once the group q_slots earlier
  // has finished its rounds (distance in query groups, see TaskEdge).
  f(l.qk_round(l.bits - 1), l.q_load(), EdgeKind::Buffer, Reach::QSlots);
  f(l.pv(), l.normalize(), EdgeKind::Data, Reach::Zero);
  f(l.normalize(), l.out_write(), EdgeKind::Data, Reach::Zero);
}

TaskTopology make_topology(int bits, bool in_order) {
  const Layout l{bits};
  TaskTopology t;
  t.graph = TaskGraphBase(l.size());
  for (std::size_t v = 0; v < l.size(); ++v) t.scope[v] = Scope::Tile;
  t.scope[l.q_load()] = t.scope[l.bui_gen()] = Scope::GroupStart;
  t.scope[l.normalize()] = t.scope[l.out_write()] = Scope::GroupEnd;
  std::array<bool, kMaxTaskEdges> zero{};  // by edge id: distance 0
  std::uint8_t id = 0;
  for_each_edge(l, in_order, [&](TaskVertex a, TaskVertex b, EdgeKind, Reach reach) {
    zero[id] = reach == Reach::Zero;
    boost::add_edge(a, b, TaskEdgeId{id++}, t.graph);
  });
  const auto& g = t.graph;
  auto edge_of = [&](const auto& e) {
    return TopologyEdge{static_cast<std::uint8_t>(boost::source(e, g)),
                        static_cast<std::uint8_t>(boost::target(e, g)), g[e].id};
  };
  for (const Scope sc : {Scope::GroupStart, Scope::Tile, Scope::GroupEnd})
    for (std::size_t x = 0; x < l.size(); ++x) {
      if (t.scope[x] != sc) continue;
      for (const auto e : boost::make_iterator_range(boost::out_edges(x, g))) {
        const TopologyEdge te = edge_of(e);
        const bool tile_to_tile = sc == Scope::Tile && t.scope[te.to] == Scope::Tile;
        if (zero[te.id]) {
          t.fill_edges.push_back(te);
          if (tile_to_tile) t.tile_forward.push_back(te);
        } else if (tile_to_tile) {
          t.tile_back.push_back(te);
        } else if (sc == Scope::Tile && t.scope[te.to] == Scope::GroupStart) {
          t.group_back.push_back(te);
        }
      }
    }
  // Each back edge's cycles: the distance-0 edges reachable from its target that reach its source.
  for (const TopologyEdge& be : t.tile_back) {
    std::array<bool, kMaxTaskNodes> from_v{}, to_u{};
    from_v[be.to] = true;
    for (const TopologyEdge& f : t.tile_forward)
      if (from_v[f.from]) from_v[f.to] = true;
    to_u[be.from] = true;
    for (auto f = t.tile_forward.rbegin(); f != t.tile_forward.rend(); ++f)
      if (to_u[f->to]) to_u[f->from] = true;
    std::vector<std::uint8_t> on_cycle;
    if (from_v[be.from])
      for (std::size_t k = 0; k < t.tile_forward.size(); ++k)
        if (from_v[t.tile_forward[k].from] && to_u[t.tile_forward[k].to])
          on_cycle.push_back(static_cast<std::uint8_t>(k));
    std::array<int, kMaxTaskNodes> in{};
    bool path = true;
    for (const std::uint8_t k : on_cycle) path = path && ++in[t.tile_forward[k].to] == 1;
    t.cycle_is_path.push_back(path ? 1 : 0);
    t.cycle_edges.push_back(std::move(on_cycle));
  }
  return t;
}

// Round r's vertex with offset k (0 plane fetch, 1 QK round, 2 threshold), for every r.
constexpr std::array<TaskVertex, kMaxBits> round_vertices(std::size_t k) {
  std::array<TaskVertex, kMaxBits> a{};
  for (std::size_t r = 0; r < a.size(); ++r) a[r] = 3 * r + k;
  return a;
}
constexpr std::array<TaskVertex, kMaxBits> kPlaneFetch = round_vertices(0);
constexpr std::array<TaskVertex, kMaxBits> kQkRound = round_vertices(1);
constexpr std::array<TaskVertex, kMaxBits> kThreshold = round_vertices(2);

}  // namespace

const TaskTopology& task_topology(int bits, bool in_order) {
  static const std::array<TaskTopology, 2 * kMaxBits> all = [] {
    std::array<TaskTopology, 2 * kMaxBits> a;
    for (int b = 1; b <= kMaxBits; ++b)
      for (const bool o : {false, true})
        a[static_cast<std::size_t>(2 * (b - 1) + (o ? 1 : 0))] = make_topology(b, o);
    return a;
  }();
  return all[static_cast<std::size_t>(2 * (std::clamp(bits, 1, kMaxBits) - 1) +
                                      (in_order ? 1 : 0))];
}

TaskGraph build_task_graph(const HardwareConfig& hw, const workloads::AttentionGroup& ag,
                           const WorkloadStats& ws) {
  TaskGraph tg;
  tg.in_order = !hw.out_of_order;
  tg.tiles_in_flight = tg.in_order ? std::max(1, hw.tiles_in_flight) : 1;
  tg.scoreboard_entries = hw.scoreboard_entries;
  tg.hbm_channels = hw.hbm_pseudo_channels;
  tg.burst_cycles = hw.burst_cycles();
  tg.hbm = hbm_params(hw);
  const EffectiveStats e = effective_stats(hw, ws);
  tg.stats = e;
  const int bits = e.bits;
  const int rounds = e.rounds;
  // Streams, one bank each: K round r's plane records (word-major: the words, stream 0), V, Q,
  // output.
  const int v_stream = rounds, q_stream = rounds + 1, out_stream = rounds + 2;
  tg.dram_streams = rounds + 3;
  const double hbm_lat = hw.hbm_latency_cycles();
  const double sram_lat = hw.sram_latency_cycles;
  const double burst = hw.burst_bytes();

  // ---- stream shape ----------------------------------------------------------------------------
  StreamShape& sh = tg.shape;
  const double queries = std::max<double>(1.0, static_cast<double>(ag.queries));
  const double groups_per_head = std::ceil(queries / hw.qk_rows);
  sh.query_groups = static_cast<double>(ag.layers) * ag.q_heads * groups_per_head;
  sh.rows_used = static_cast<int>(std::min<double>(hw.qk_rows, queries));
  sh.lanes_active = sh.rows_used * hw.lanes_per_row;
  sh.head_dim = ag.head_dim;
  sh.passes = std::max(1, (ag.head_dim + hw.dims_per_lane - 1) / hw.dims_per_lane);
  const double visible = std::max(1.0, ag.pairs_per_head() / queries);
  sh.tiles = std::max(1, static_cast<int>(std::ceil(visible / hw.tile_keys - 1e-9)));
  sh.keys_per_tile = visible / sh.tiles;
  const double kbar = sh.keys_per_tile;
  const double rows = sh.rows_used;
  const double d = ag.head_dim;
  const double word_bytes = d * bits / 8.0;  // one K or V row
  const double plane_bytes = d / 8.0;        // one key bit plane
  // K/V reuse through the buffer, by the accounting every design shares (models/dataflow.hpp):
  // the query groups of a query tile (or of every query head of a resident KV head) share each
  // buffered K/V tile; fetch_scale carries what the per-group template leaves out (a causal
  // tile's span, a last partial tile, a resident head's keys no row of a group sees).
  const double kv_buffer = hw.kv_buffer_kib * 1024.0;
  const DataflowPlan plan = plan_dataflow(hw.dataflow(), ag, bits);
  const double kv_head_bytes = static_cast<double>(ag.keys) * word_bytes * 2.0;
  sh.resident = plan.resident;
  sh.share = plan.share();
  sh.fetch_scale = plan.fetch_scale();
  sh.rows_per_tile = plan.rows_per_tile();
  const double q_groups = std::floor(hw.q_buffer_kib * 1024.0 / (hw.qk_rows * word_bytes));
  sh.q_slots = static_cast<int>(std::clamp(q_groups, 1.0, 1e6));
  const double v_tile_bytes = kbar * word_bytes;
  const double k_tile_bytes = kbar * word_bytes;
  const double k_space =
      kv_buffer - (sh.resident ? kv_head_bytes : 0.0) - hw.v_tiles_in_flight * v_tile_bytes;
  sh.window_tiles =
      std::clamp(static_cast<int>(std::floor(k_space / std::max(1.0, k_tile_bytes))), 1, 64);
  // In-order: the K tiles in their rounds plus the next one's first planes (K = 1: double
  // buffering).
  if (tg.in_order) sh.window_tiles = std::min(sh.window_tiles, tg.tiles_in_flight + 1);

  // ---- nodes
  // -------------------------------------------------------------------------------------
  const Layout lay{rounds};
  tg.topology = &task_topology(rounds, tg.in_order);
  tg.plane_fetch = std::span(kPlaneFetch).first(static_cast<std::size_t>(rounds));
  tg.qk_round = std::span(kQkRound).first(static_cast<std::size_t>(rounds));
  tg.threshold = std::span(kThreshold).first(static_cast<std::size_t>(rounds));
  tg.softmax = lay.softmax();
  tg.v_fetch = lay.v_fetch();
  tg.pv = lay.pv();
  tg.q_load = lay.q_load();
  tg.bui_gen = lay.bui_gen();
  tg.normalize = lay.normalize();
  tg.out_write = lay.out_write();
  // A DRAM node: `bursts` moved out of `region` bursts its stream sweeps (models/hbm.hpp), the
  // stream's bank, and the latency of the part that comes from DRAM (`from_dram` of it): the
  // access latency, the activation it may meet and the excess of its bank's row cycles over
  // its bus time (a sparse stream activates a row per burst in its one bank).
  const int bank_count = tg.hbm.banks;
  auto dram_node = [&](TaskVertex v, Stage st, Scope sc, int round, double bursts, double region,
                       double from_dram, bool write, int stream) -> TaskNode& {
    TaskNode& n = tg.nodes[v];
    n.stage = st;
    n.unit = Unit::Dram;
    n.scope = sc;
    n.round = round;
    n.dram_bursts = bursts;
    n.dram_bytes = bursts * burst;
    n.dram_write = write;
    n.dram_stream = stream;
    n.dram_density = region > 0 ? std::clamp(bursts / region, 1e-9, 1.0) : 1.0;
    // Streams s and s + banks share a bank (more streams than banks: long keys, k = 1).
    const bool shares = (stream % bank_count) + bank_count < tg.dram_streams;
    // A write request is one batch per pseudo-channel (the event model flushes it whole).
    const double batch = std::max(1.0, bursts / tg.hbm.channels);
    n.dram_cost = hbm_burst_cost(tg.hbm, HbmStream{n.dram_density, shares, write, batch});
    n.service = bursts * (n.dram_cost.channel / tg.hbm.channels);  // array-wide, per burst
    const double per_channel = bursts / std::max(1, n.columns) / tg.hbm.channels;
    const double bank_excess =
        std::max(0.0, per_channel * (n.dram_cost.bank - n.dram_cost.channel));
    const double exposed =
        bursts > 0
            ? std::min(1.0, n.dram_cost.activations * std::max(1.0, per_channel)) * tg.hbm.t.rcd
            : 0.0;
    const double f = std::clamp(from_dram, 0.0, 1.0);
    n.dram_row_wait = f * (exposed + bank_excess);
    n.latency = sram_lat + f * hbm_lat + n.dram_row_wait;
    return n;
  };
  OpCounts& op = tg.per_tile;
  const bool word_major = hw.key_layout == KeyLayout::WordMajor;
  const double lanes_active = sh.lanes_active;
  const int keys_per_lane = static_cast<int>(std::ceil(kbar / hw.lanes_per_row - 1e-9));
  const double subgroups = std::ceil(d / std::max(1, hw.gsat_subgroup));
  const LaneParts lane = lane_parts(hw);
  const int tree_cycles = lane_tree_cycles(hw, lane);
  // GE evaluated per plane in BS selection (always) and multiplexers (as their share of the
  // lane's h-input slots is active), in each of the head's passes through the lane.
  const auto bs_ge_per_plane = [&](double active) {
    const double lane_d = hw.dims_per_lane, g = std::min<double>(hw.gsat_subgroup, lane_d);
    const double slots = sh.passes * std::ceil(lane_d / g) * std::floor(g / 2);
    const double use = slots > 0 ? std::min(1.0, active * d / slots) : 0.0;
    return sh.passes * (lane.select_ge + lane.mux_ge * use) / hw.planes_per_round();
  };
  // In-order lanes move in lockstep, so the whole array acts on a round at once.
  const int columns = tg.in_order ? 1 : hw.lanes_per_row;
  // A threshold unit's max tree over the row's lanes, then the update.
  const double threshold_latency = std::ceil(std::log2(std::max(2, hw.lanes_per_row))) + 1;

  for (int r = 0; r < rounds; ++r) {
    const auto ri = static_cast<std::size_t>(r);
    const int np = e.planes[ri];  // planes of this round (k; issue 15)
    // Plane fetch: the group's needed planes of round r, the DRAM part being its share of the
    // union over the sharing groups; the rest hits in the K/V buffer. With k planes per round the
    // key's k planes of a round are stored together (slice-major), one record of k plane rows.
    double bursts = 0, need_from_dram = 0, region = 0;
    if (word_major) {
      if (r == 0) {
        bursts = sh.fetch_scale *
                 expected_bursts(kbar, word_bytes, union_of(e.fetch[0], sh.share), sh.share, burst);
        region = sh.fetch_scale * kbar * word_bytes / sh.share / burst;
        need_from_dram = union_of(e.fetch[0], sh.share) / (sh.share * std::max(e.fetch[0], 1e-12));
      }
    } else {
      const double u = union_of(e.fetch[ri], sh.share);
      // Bit-granular overhead (features.bit_granular_overhead): plane records smaller than a
      // burst come in whole bursts, and every round after the first is its own request that
      // waits for DRAM. Off: exactly the needed bytes, later rounds' planes arrive with the
      // first request's.
      region = sh.fetch_scale * kbar * np * plane_bytes / sh.share / burst;
      const double exact = region * u;
      bursts = hw.bit_granular_overhead
                   ? sh.fetch_scale * expected_bursts(kbar, np * plane_bytes, u, sh.share, burst)
                   : exact;
      op.bit_granular_dram_bytes += (bursts - exact) * burst;
      need_from_dram = e.fetch[ri] > 0 ? u / (sh.share * e.fetch[ri]) : 0.0;
      if (!hw.bit_granular_overhead && r > 0) need_from_dram = 0;
    }
    tg.nodes[tg.plane_fetch[ri]].columns = columns;
    const TaskNode& fetch = dram_node(tg.plane_fetch[ri], Stage::PlaneFetch, Scope::Tile, r, bursts,
                                      region, need_from_dram, false, r);
    op.dram_activations += bursts * fetch.dram_cost.activations;
    op.dram_read_bytes += bursts * burst;
    op.sram_kv_write_bits += bursts * burst * 8.0;
    op.sram_kv_read_bits +=
        kbar * e.fetch[ri] * d * np;  // the round's planes per needed key, broadcast to rows
    // Plane extraction: each needed key's plane records aligned out of the buffer's words.
    if (hw.bit_granular_overhead)
      op.plane_extract_ge += kbar * e.fetch[ri] * np * plane_extract_ge_per_plane(hw, d);

    TaskNode& qk = tg.nodes[tg.qk_round[ri]];
    qk.stage = Stage::QkRound;
    qk.unit = Unit::QkPu;
    qk.round = r;
    qk.pairs = rows * kbar * e.active[ri];
    qk.lane_cycles = qk.pairs * sh.passes;
    qk.service = tg.in_order ? expected_lockstep_max(keys_per_lane, e.active[ri], sh.lanes_active) *
                                   sh.passes
                             : qk.lane_cycles / lanes_active;
    // The k partial sums meet in a shift-add tree: ceil(log2 k) more adder stages.
    // The tree stage takes lane_tree_cycles (its logic levels, LaneParts); qk_pu.pipeline_cycles
    // counts it as one.
    qk.latency =
        hw.qk_pipeline_cycles - 1 + tree_cycles + std::bit_width(static_cast<unsigned>(np - 1));
    qk.columns = columns;
    // A column's round is over when the busiest of its rows' lanes is (in-order: of all lanes).
    qk.column_service =
        tg.in_order ? qk.service
                    : expected_lockstep_max(keys_per_lane, e.active[ri], sh.rows_used) * sh.passes;
    // Per plane: its sub-group trees, their combining adds, with BS the selection logic, the
    // multiplexers (in use as their inputs are active) and a correction per sub-group; per round:
    // k - 1 shift-adds combining the planes' sums and one accumulate, i.e. k adds, one entry
    // read and write and one bound check.
    op.key_planes += qk.pairs * np;
    op.gsat_inputs += qk.pairs * np * d * e.gsat_active;
    op.subgroup_adds += qk.pairs * np * subgroups;
    op.accum_adds += qk.pairs * np;
    if (hw.bidirectional) {
      op.correction_adds += qk.pairs * np * subgroups;
      op.bs_logic_ge += qk.pairs * np * bs_ge_per_plane(e.gsat_active);
    }
    op.scoreboard_bits += qk.pairs * 2.0 * hw.scoreboard_entry_width();
    op.bound_ops += qk.pairs * (hw.bui_gf ? 4.0 : 0.0);

    TaskNode& th = tg.nodes[tg.threshold[ri]];
    th.stage = Stage::Threshold;
    th.unit = Unit::Threshold;
    th.round = r;
    th.service = 1;
    th.latency = threshold_latency;
    th.columns = columns;
    op.threshold_ops += hw.bui_gf ? rows * (hw.lanes_per_row + 1.0) : 0.0;
  }
  const double kept_pairs = rows * kbar * e.kept;
  const double rescale_rows = rows * e.rescales_per_row / sh.tiles;
  {
    TaskNode& sm = tg.nodes[tg.softmax];
    sm.stage = Stage::Softmax;
    sm.unit = Unit::Softmax;
    sm.service = (kept_pairs + rescale_rows) / hw.exp_units;
    sm.latency = hw.exp_latency_cycles;
    op.exps += kept_pairs + rescale_rows;
  }
  {
    const double u = union_of(e.v_fetch, sh.share);
    const double bursts = sh.fetch_scale * expected_bursts(kbar, word_bytes, u, sh.share, burst);
    const double from_dram = e.v_fetch > 0 ? std::min(1.0, u / (sh.share * e.v_fetch)) : 0.0;
    const TaskNode& fetch = dram_node(tg.v_fetch, Stage::VFetch, Scope::Tile, -1, bursts,
                                      sh.fetch_scale * kbar * word_bytes / sh.share / burst,
                                      from_dram, false, v_stream);
    op.dram_activations += bursts * fetch.dram_cost.activations;
    op.dram_read_bytes += bursts * burst;
    op.sram_kv_write_bits += bursts * burst * 8.0;
    op.sram_kv_read_bits +=
        kbar * e.v_fetch * d * bits;  // RARS: one read per V row the group needs
  }
  {
    TaskNode& pv = tg.nodes[tg.pv];
    pv.stage = Stage::PV;
    pv.unit = Unit::VPu;
    pv.service = (kept_pairs + rescale_rows) * sh.passes / hw.v_pair_lanes();
    pv.latency = hw.v_pipeline_cycles;
    op.v_macs += kept_pairs * d;
    op.rescale_muls += rescale_rows * d;
    // Output accumulators: read and written once per tile-step that has survivors.
    const double touched = 1.0 - std::pow(1.0 - e.kept, kbar);
    op.sram_out_read_bits += rows * d * 32.0 * touched;
    op.sram_out_write_bits += rows * d * 32.0 * touched;
  }
  // ---- once per query group
  // ----------------------------------------------------------------------
  OpCounts& og = tg.per_group;
  {
    const double bursts = std::ceil(rows * word_bytes / burst);
    const TaskNode& load = dram_node(tg.q_load, Stage::QLoad, Scope::GroupStart, -1, bursts, bursts,
                                     1.0, false, q_stream);
    og.dram_read_bytes += bursts * burst;
    og.dram_activations += bursts * load.dram_cost.activations;
    og.sram_q_write_bits += rows * d * bits;
    og.sram_q_read_bits += rows * d * bits;  // Q into the lanes' registers once per group
  }
  {
    TaskNode& b = tg.nodes[tg.bui_gen];
    b.stage = Stage::BuiGen;
    b.unit = Unit::Bui;
    b.scope = Scope::GroupStart;
    b.service = bits;  // one table entry pair per cycle
    b.latency = std::ceil(std::log2(std::max(2.0, d)));
    og.bui_ops += rows * (d + 2.0 * bits);
  }
  {
    TaskNode& n = tg.nodes[tg.normalize];
    n.stage = Stage::Normalize;
    n.unit = Unit::VPu;
    n.scope = Scope::GroupEnd;
    n.service = rows * sh.passes / hw.v_pair_lanes();
    n.latency = hw.v_pipeline_cycles;
    og.norm_ops += rows * (d + 4.0);
    og.exps += rows;  // the reciprocal of the softmax sum, on the exp unit's datapath
  }
  {
    const double bursts = std::ceil(rows * d * 2.0 / burst);  // FP16 output rows
    // Posted writes: the output leaves the buffer without waiting for DRAM.
    const TaskNode& write = dram_node(tg.out_write, Stage::OutWrite, Scope::GroupEnd, -1, bursts,
                                      bursts, 0.0, true, out_stream);
    og.dram_write_bytes += bursts * burst;
    og.dram_activations += bursts * write.dram_cost.activations;
    og.sram_out_read_bits += rows * d * 16.0;
  }

  // ---- edge kinds and distances
  std::size_t id = 0;
  for_each_edge(lay, tg.in_order, [&](TaskVertex, TaskVertex, EdgeKind kind, Reach reach) {
    int distance = 0;
    switch (reach) {
      case Reach::Zero:
        break;
      case Reach::One:
        distance = 1;
        break;
      case Reach::KWindow:
        distance = sh.window_tiles;
        break;
      case Reach::VTiles:
        distance = hw.v_tiles_in_flight;
        break;
      case Reach::QSlots:
        distance = sh.q_slots;
        break;
      case Reach::TilesInFlight:
        distance = tg.tiles_in_flight;
        break;
    }
    tg.edges[id++] = TaskEdge{kind, distance};
  });
  return tg;
}

}  // namespace pade::models
