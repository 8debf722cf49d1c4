#include "workloads/generator.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "core/rng.hpp"

namespace pade::workloads {

using core::InputError;
using core::ParamSpec;
using core::Schema;

// ----------------------------------------------------------------------------------------------
// Knob table

const Schema& generator_family_schema() {
  static const Schema schema = [] {
    Schema s("generator family",
             "Knobs of the synthetic attention generator for one model family "
             "(a map under `families` in generator.yaml); docs/generator.md "
             "gives each value's rationale.");
    s.add(ParamSpec::real("logit_std.first_layer")
              .at_least(0)
              .required()
              .with_unit("logits")
              .describe("Std of the content part of a row's logits in the first layer."));
    s.add(ParamSpec::real("logit_std.last_layer")
              .at_least(0)
              .required()
              .with_unit("logits")
              .describe("Same in the last layer; linear in depth between the two."));
    s.add(ParamSpec::real("logit_std.head_jitter")
              .at_least(0)
              .defaults(0.2)
              .with_unit("ln-std")
              .describe("Per-head multiplicative spread: T_h = T(depth)·exp(N(0, jitter))."));
    s.add(ParamSpec::real("sink.logit")
              .at_least(0)
              .required()
              .with_unit("logits")
              .describe("Logit bonus of the sink token(s) at full strength, for a query of unit "
                        "alignment."));
    s.add(ParamSpec::integer("sink.tokens")
              .range(0, 64)
              .defaults(std::int64_t{1})
              .with_unit("tokens")
              .describe("How many first tokens carry the sink (0 = none)."));
    s.add(ParamSpec::real("sink.head_fraction")
              .range(0, 1)
              .defaults(1.0)
              .with_unit("fraction")
              .describe("Share of query heads that attend to the sink."));
    s.add(ParamSpec::real("sink.early_strength")
              .range(0, 1)
              .defaults(1.0)
              .with_unit("fraction")
              .describe("Sink strength in layer 0, as a fraction of full strength."));
    s.add(ParamSpec::real("sink.full_depth")
              .range(0, 1)
              .defaults(0.0)
              .with_unit("depth fraction")
              .describe("Depth (layer / (layers−1)) from which the sink is at full strength; "
                        "linear ramp before."));
    s.add(ParamSpec::real("sink.query_jitter")
              .at_least(0)
              .defaults(0.3)
              .with_unit("alignment std")
              .describe("Per-query std of the alignment with the sink and heavy-hitter directions "
                        "(mean 1)."));
    s.add(ParamSpec::real("sink.length_gain")
              .at_least(0)
              .defaults(0.0)
              .with_unit("logits per ln(key)")
              .describe("Extra sink bonus per natural log of the keys a row sees, so the sink's "
                        "mass does not "
                        "fade with length: bonus = logit + length_gain·ln(visible keys)."));
    s.add(ParamSpec::real("broad_heads.fraction_first")
              .range(0, 1)
              .defaults(0.0)
              .with_unit("fraction")
              .describe("Share of query heads that are broad (no sink, all logit parts scaled) in "
                        "the first layer."));
    s.add(ParamSpec::real("broad_heads.fraction_last")
              .range(0, 1)
              .defaults(0.0)
              .with_unit("fraction")
              .describe("Share of broad heads from depth `ramp_depth` on; linear from "
                        "fraction_first before."));
    s.add(ParamSpec::real("broad_heads.ramp_depth")
              .range(0, 1)
              .defaults(1.0)
              .with_unit("depth fraction")
              .describe(
                  "Depth (layer / (layers−1)) at which the broad share reaches fraction_last."));
    s.add(ParamSpec::real("broad_heads.scale")
              .range(0, 1)
              .defaults(1.0)
              .with_unit("factor")
              .describe("Factor on every logit part of a broad head (a hotter softmax)."));
    s.add(ParamSpec::real("locality.logit")
              .at_least(0)
              .required()
              .with_unit("logits")
              .describe("Peak of the positional (RoPE-like) profile at distance 0."));
    s.add(ParamSpec::real("locality.min_period")
              .at_least(1)
              .defaults(4.0)
              .with_unit("tokens")
              .describe("Shortest wavelength of the positional components."));
    s.add(ParamSpec::real("locality.max_period")
              .at_least(1)
              .defaults(256.0)
              .with_unit("tokens")
              .describe("Longest wavelength: the profile has decayed at about this distance."));
    s.add(ParamSpec::integer("locality.components")
              .range(1, 32)
              .defaults(std::int64_t{8})
              .with_unit("frequencies")
              .describe("Number of geometric wavelengths."));
    s.add(ParamSpec::choice("locality.geometry", {"sequence", "grid"})
              .defaults(std::string{"sequence"})
              .describe("Distance along the token sequence, or on the 2-D patch grid (vision)."));
    s.add(ParamSpec::integer("recency.local_layers")
              .range(0, 1024)
              .defaults(std::int64_t{0})
              .with_unit("layers")
              .describe("How many bottom layers (global index) have only local heads: no sink, "
                        "not broad, positional peak recency.logit."));
    s.add(ParamSpec::real("recency.logit")
              .at_least(0)
              .defaults(0.0)
              .with_unit("logits")
              .describe("Peak of the positional profile at distance 0 in local heads (same "
                        "wavelengths as `locality`)."));
    s.add(ParamSpec::real("heavy_hitters.fraction")
              .range(0, 0.5)
              .defaults(0.0)
              .with_unit("fraction of keys")
              .describe("Share of keys that are heavy hitters (at least one when > 0)."));
    s.add(ParamSpec::real("heavy_hitters.logit")
              .at_least(0)
              .defaults(0.0)
              .with_unit("logits")
              .describe("Logit bonus of a heavy-hitter key along the shared query direction."));
    s.add(
        ParamSpec::real("key_bias_std")
            .at_least(0)
            .defaults(0.0)
            .with_unit("logits")
            .describe(
                "Std of a per-key logit offset (key-norm variation along the shared direction)."));
    return s;
  }();
  return schema;
}

const Schema& generator_schema() {
  static const Schema schema = [] {
    Schema s("generator",
             "The synthetic attention generator's knob table "
             "(workloads/data/generator.yaml).");
    s.add(ParamSpec::choice("kind", {"generator"})
              .required()
              .describe("File kind; must be `generator`."));
    s.add(ParamSpec::string("description").defaults(std::string{}).describe("Free text."));
    s.open_section("families",
                   "Map from family name to its knobs (the `generator family` schema).");
    return s;
  }();
  return schema;
}

namespace {
GeneratorKnobs read_family(const YAML::Node& node, const std::string& family,
                           const std::string& file) {
  const core::Config c =
      core::read_config(node, generator_family_schema(), file, "families." + family);
  GeneratorKnobs k;
  k.family = family;
  k.logit_std_first = c.real("logit_std.first_layer");
  k.logit_std_last = c.real("logit_std.last_layer");
  k.head_jitter = c.real("logit_std.head_jitter");
  k.sink_logit = c.real("sink.logit");
  k.sink_tokens = static_cast<int>(c.integer("sink.tokens"));
  k.sink_head_fraction = c.real("sink.head_fraction");
  k.sink_early_strength = c.real("sink.early_strength");
  k.sink_full_depth = c.real("sink.full_depth");
  k.query_jitter = c.real("sink.query_jitter");
  k.sink_length_gain = c.real("sink.length_gain");
  k.broad_fraction_first = c.real("broad_heads.fraction_first");
  k.broad_fraction_last = c.real("broad_heads.fraction_last");
  k.broad_scale = c.real("broad_heads.scale");
  k.broad_ramp_depth = c.real("broad_heads.ramp_depth");
  k.locality_logit = c.real("locality.logit");
  k.locality_min_period = c.real("locality.min_period");
  k.locality_max_period = c.real("locality.max_period");
  k.locality_components = static_cast<int>(c.integer("locality.components"));
  k.locality_geometry = c.string("locality.geometry");
  k.local_layers = static_cast<int>(c.integer("recency.local_layers"));
  k.recency_logit = c.real("recency.logit");
  k.heavy_hitter_fraction = c.real("heavy_hitters.fraction");
  k.heavy_hitter_logit = c.real("heavy_hitters.logit");
  k.key_bias_std = c.real("key_bias_std");
  k.values_hash = c.hash();
  k.where = core::location_of(node, file);
  if (k.locality_max_period < k.locality_min_period)
    throw InputError(c.where("locality.max_period"), "families." + family + ".locality.max_period",
                     "must be >= locality.min_period");
  return k;
}
}  // namespace

GeneratorTable GeneratorTable::from_document(const core::YamlDocument& doc) {
  const YAML::Node& root = *doc.root;
  (void)core::read_config(root, generator_schema(), doc.file);
  const YAML::Node fam = root["families"];
  if (!fam || !fam.IsMap() || fam.size() == 0)
    throw InputError(fam ? core::location_of(fam, doc.file) : core::location_of(root, doc.file),
                     "families", "expected a map from family name to knobs");
  GeneratorTable t;
  for (const auto& kv : fam) {
    const std::string family = kv.first.Scalar();
    if (t.families_.count(family))
      throw InputError(core::location_of(kv.first, doc.file), "families." + family,
                       "duplicate family");
    t.families_.emplace(family, read_family(kv.second, family, doc.file));
  }
  return t;
}

GeneratorTable GeneratorTable::parse(const std::string& yaml_text, const std::string& name) {
  return from_document(core::load_yaml_text(yaml_text, name));
}

GeneratorTable GeneratorTable::load(const std::filesystem::path& file) {
  return from_document(core::load_yaml_file(file.string()));
}

GeneratorTable GeneratorTable::builtin() {
  return load(builtin_data_dir() / "generator.yaml");
}

const GeneratorKnobs& GeneratorTable::family(std::string_view name) const {
  const auto it = families_.find(name);
  if (it != families_.end()) return it->second;
  std::string msg = "no generator knobs for model family '" + std::string(name) + "'";
  std::string best;
  std::size_t best_d = std::string::npos;
  for (const auto& [f, unused] : families_)
    if (const auto d = core::edit_distance(name, f); d < best_d) best_d = d, best = f;
  if (best_d <= std::max<std::size_t>(2, name.size() / 3)) msg += " (did you mean '" + best + "'?)";
  msg += "; add a row under `families` in generator.yaml";
  throw InputError(msg);
}

std::vector<std::string> GeneratorTable::families() const {
  std::vector<std::string> out;
  for (const auto& [f, unused] : families_) out.push_back(f);
  return out;
}

// ----------------------------------------------------------------------------------------------
// Generation

std::vector<std::size_t> all_rows(std::size_t n) {
  std::vector<std::size_t> rows(n);
  std::iota(rows.begin(), rows.end(), std::size_t{0});
  return rows;
}

double alibi_slope(double slope_max, int head) {
  return slope_max > 0.0 ? std::pow(slope_max, head + 1) : 0.0;
}

namespace {

constexpr double kTwoPi = 6.283185307179586;

/// Where the tokens of one side (queries or keys) sit: on a line, or on a square patch grid
/// (optionally after a CLS token), in units of the query grid's cells so that a spatially reduced
/// key grid (PVT) lines up with its query grid.
struct Layout {
  bool grid = false;
  bool cls = false;
  std::int64_t side = 0;
  double cell = 1.0;  // size of one cell of this grid in query-grid cells

  [[nodiscard]] bool has_position(std::int64_t token) const { return !(cls && token == 0); }
  [[nodiscard]] std::pair<double, double> xy(std::int64_t token) const {
    const std::int64_t t = cls ? token - 1 : token;
    const auto r = static_cast<double>(t / side);
    const auto c = static_cast<double>(t % side);
    return {(c + 0.5) * cell - 0.5, (r + 0.5) * cell - 0.5};
  }
};

std::int64_t square_side(std::int64_t n) {
  if (n <= 0) return -1;
  auto r = static_cast<std::int64_t>(std::llround(std::sqrt(static_cast<double>(n))));
  return r * r == n ? r : -1;
}

std::pair<Layout, Layout> layouts(const AttentionGroup& g, const GeneratorKnobs& k) {
  Layout q, kl;
  if (k.locality_geometry != "grid") return {q, kl};
  auto make = [](std::int64_t n) {
    Layout l;
    if (const auto s = square_side(n); s > 0) {
      l.grid = true, l.side = s;
    } else if (const auto s1 = square_side(n - 1); s1 > 0) {
      l.grid = true, l.cls = true, l.side = s1;
    }
    return l;
  };
  q = make(g.queries);
  kl = make(g.keys);
  if (!q.grid || !kl.grid) return {Layout{}, Layout{}};  // not a grid: fall back to a sequence
  kl.cell = static_cast<double>(q.side) / static_cast<double>(kl.side);
  return {q, kl};
}

/// Fixed per-head structure shared by the query and the key side.
struct Plan {
  int d = 0;
  int pos_dims = 0;  // dims 2 .. 2+pos_dims carry the positional features
  int content0 = 0;  // first content dimension
  double s = 1.0;  // d^(1/4): a pair of s-scaled components contributes their product to q·k/√d
  std::vector<double> theta;  // angular frequencies
  double w = 0.0;             // weight of one positional feature pair
  Layout qlay, klay;
  std::vector<double> v1, v2;  // Householder vectors of the shared rotation
};

/// Positional features of one token, scaled by s·√w, written into out[2 .. 2+pos_dims).
/// `gain` scales the features (the query side of a head whose profile peak differs from w's).
void positional(const Plan& p, bool query_side, std::int64_t token, double seq_pos,
                std::span<float> out, double gain = 1.0) {
  const Layout& lay = query_side ? p.qlay : p.klay;
  const double a = gain * p.s * std::sqrt(p.w);
  float* f = out.data() + 2;
  if (!lay.grid) {
    for (const double th : p.theta) {
      *f++ = static_cast<float>(a * std::cos(th * seq_pos));
      *f++ = static_cast<float>(a * std::sin(th * seq_pos));
    }
    return;
  }
  if (!lay.has_position(token)) return;  // CLS: no place on the grid, features stay 0
  const auto [x, y] = lay.xy(token);
  for (const double th : p.theta) {
    *f++ = static_cast<float>(a * std::cos(th * x));
    *f++ = static_cast<float>(a * std::sin(th * x));
    *f++ = static_cast<float>(a * std::cos(th * y));
    *f++ = static_cast<float>(a * std::sin(th * y));
  }
}

std::vector<double> unit_vector(core::Rng& rng, int d) {
  std::vector<double> v(static_cast<std::size_t>(d));
  double n2 = 0.0;
  for (auto& x : v) x = rng.normal(), n2 += x * x;
  const double inv = 1.0 / std::sqrt(n2);
  for (auto& x : v) x *= inv;
  return v;
}

/// x ← H2 H1 x: a rotation shared by Q and K, so it spreads the structured dimensions over all
/// dimensions (as in real projections) without changing any q·k.
void rotate(const Plan& p, std::span<float> x) {
  for (const auto* v : {&p.v1, &p.v2}) {
    double dot = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i) dot += (*v)[i] * x[i];
    for (std::size_t i = 0; i < x.size(); ++i)
      x[i] = static_cast<float>(x[i] - 2.0 * dot * (*v)[i]);
  }
}

/// The positional layout of a head. Local heads reuse the positional features: the key side
/// carries the profile at `locality_logit` (or `recency_logit` when the family has no other
/// locality) and the query side is scaled by `query_gain` to the head's own peak, so heads of
/// other layers are unchanged by the recency knobs.
Plan make_plan(const AttentionGroup& group, const GeneratorKnobs& knobs, bool local,
               double& query_gain) {
  Plan p;
  p.d = group.head_dim;
  p.s = std::pow(static_cast<double>(p.d), 0.25);
  std::tie(p.qlay, p.klay) = layouts(group, knobs);
  const bool grid = p.qlay.grid;
  const double profile_logit = knobs.locality_logit > 0.0 ? knobs.locality_logit
                               : knobs.local_layers > 0   ? knobs.recency_logit
                                                          : 0.0;
  query_gain = profile_logit > 0.0
                   ? (local ? knobs.recency_logit : knobs.locality_logit) / profile_logit
                   : 0.0;
  const int comps = profile_logit > 0.0 ? knobs.locality_components : 0;
  p.pos_dims = comps * (grid ? 4 : 2);
  p.content0 = 2 + p.pos_dims;
  if (const int content_dims = p.d - p.content0; content_dims < 8)
    throw InputError(knobs.where, "families." + knobs.family + ".locality.components",
                     "head_dim " + std::to_string(p.d) + " leaves " + std::to_string(content_dims) +
                         " content dimensions (need >= 8); use fewer locality components");
  for (int f = 0; f < comps; ++f) {
    const double t = comps > 1 ? static_cast<double>(f) / (comps - 1) : 0.0;
    const double period = knobs.locality_min_period *
                          std::pow(knobs.locality_max_period / knobs.locality_min_period, t);
    p.theta.push_back(kTwoPi / period);
  }
  // Peak of the profile: sequence pairs each add w; grid pairs add w per axis.
  p.w = comps > 0 ? profile_logit / (grid ? 2.0 * comps : comps) : 0.0;
  return p;
}

}  // namespace

core::AttentionHead generate_head(const Benchmark& bench, const AttentionGroup& group, int layer,
                                  int head, const GeneratorKnobs& knobs, std::uint64_t seed,
                                  std::span<const std::size_t> query_rows) {
  if (layer < 0 || layer >= group.layers)
    throw std::out_of_range("generate_head: layer out of range");
  if (head < 0 || head >= group.q_heads)
    throw std::out_of_range("generate_head: head out of range");
  for (const std::size_t r : query_rows)
    if (r >= static_cast<std::size_t>(group.queries))
      throw std::out_of_range("generate_head: query row out of range");

  const int global_layer = group.first_layer + layer;
  const int total_layers = std::max(1, bench.total_layers());
  const double depth =
      total_layers > 1 ? static_cast<double>(global_layer) / (total_layers - 1) : 1.0;
  const int kv_head = head / std::max(1, group.q_heads / group.kv_heads);
  const auto keys = static_cast<std::size_t>(group.keys);

  // Local heads: every query head of the bottom `local_layers` layers (docs/generator.md).
  const bool local = global_layer < knobs.local_layers && knobs.recency_logit > 0.0;
  double query_gain = 0.0;
  Plan p = make_plan(group, knobs, local, query_gain);
  const int content_dims = p.d - p.content0;

  // Streams: the benchmark's model and task (not its phase: a decode step sees the same cache),
  // the layer, and the head. Every component has its own stream so changing one knob leaves
  // the others' draws unchanged.
  const std::string base = bench.model + "/" + bench.task + "/L" + std::to_string(global_layer);
  const std::string kv_label = base + "/kv" + std::to_string(kv_head);
  const std::string q_label = base + "/q" + std::to_string(head);
  {
    core::Rng rot(seed, kv_label + "/rotation");
    p.v1 = unit_vector(rot, p.d);
    p.v2 = unit_vector(rot, p.d);
  }

  // --- keys and values (per KV head) ---
  // Sink bonus of a row that sees n keys: strength(depth) · (logit + length_gain · ln n).
  const double ramp =
      knobs.sink_full_depth > 0.0 ? std::min(1.0, depth / knobs.sink_full_depth) : 1.0;
  const double strength = knobs.sink_early_strength + (1.0 - knobs.sink_early_strength) * ramp;
  auto sink_bonus = [&](std::size_t visible) {
    return strength * (knobs.sink_logit +
                       knobs.sink_length_gain *
                           std::log(static_cast<double>(std::max<std::size_t>(1, visible))));
  };
  // The product q0·k0 is split evenly (√ of the largest bonus on each side): neither the sink key
  // nor the queries carry the whole bonus as one outlier element, which would set the per-tensor
  // INT8 scale of K (or Q) alone (docs/generator.md, "Why PADE decides late").
  const double sink_ref = std::sqrt(std::max(0.0, sink_bonus(keys)));
  const auto sink_tokens = std::min<std::size_t>(static_cast<std::size_t>(knobs.sink_tokens), keys);

  std::vector<char> heavy(keys, 0);
  if (knobs.heavy_hitter_fraction > 0.0 && keys > sink_tokens) {
    core::Rng hh(seed, kv_label + "/heavy");
    const std::size_t pool = keys - sink_tokens;
    auto count = static_cast<std::size_t>(
        std::llround(knobs.heavy_hitter_fraction * static_cast<double>(keys)));
    count = std::clamp<std::size_t>(count, 1, pool);
    for (std::size_t placed = 0; placed < count;) {
      const std::size_t j = sink_tokens + hh.below(pool);
      if (!heavy[j]) heavy[j] = 1, ++placed;
    }
  }

  core::AttentionHead out;
  out.causal = group.causal;
  out.additive_bias_slope = alibi_slope(group.alibi_slope_max, head);
  out.k = core::Matrix(keys, static_cast<std::size_t>(p.d));
  out.v = core::Matrix(keys, static_cast<std::size_t>(p.d));
  {
    core::Rng kr(seed, kv_label + "/keys");
    core::Rng vr(seed, kv_label + "/values");
    for (std::size_t j = 0; j < keys; ++j) {
      std::span<float> row = out.k.row(j);
      const double bias_draw = kr.normal();
      row[0] = static_cast<float>(p.s * (j < sink_tokens ? sink_ref : 0.0));
      const double hh_bonus = heavy[j] ? knobs.heavy_hitter_logit * (1.0 + 0.2 * bias_draw)
                                       : knobs.key_bias_std * bias_draw;
      row[1] = static_cast<float>(p.s * hh_bonus);
      positional(p, false, static_cast<std::int64_t>(j), static_cast<double>(j), row);
      for (int c = p.content0; c < p.d; ++c)
        row[static_cast<std::size_t>(c)] = static_cast<float>(kr.normal());
      rotate(p, row);
      for (float& x : out.v.row(j)) x = static_cast<float>(vr.normal());
    }
  }

  // --- queries (per query head; each row from its own position's stream) ---
  core::Rng hp(seed, q_label + "/params");
  const double temperature =
      (knobs.logit_std_first + (knobs.logit_std_last - knobs.logit_std_first) * depth) *
      std::exp(knobs.head_jitter * hp.normal());
  const bool sink_draw = hp.uniform() < knobs.sink_head_fraction;
  const double broad_ramp =
      knobs.broad_ramp_depth > 0.0 ? std::min(1.0, depth / knobs.broad_ramp_depth) : 1.0;
  const double broad_p = knobs.broad_fraction_first +
                         (knobs.broad_fraction_last - knobs.broad_fraction_first) * broad_ramp;
  // Head types are stratified over the layer's heads (a golden-ratio sequence from a per-layer
  // offset) rather than drawn independently, so every layer has the documented share of broad
  // heads up to one head and sampled statistics vary less.
  const double type_offset = core::Rng(seed, base + "/head-types").uniform();
  const double type_u = std::fmod(type_offset + (head + 0.5) * 0.6180339887498949, 1.0);
  const bool broad = type_u < broad_p && !local;
  const bool has_sink = sink_draw && !broad && !local && sink_ref > 0.0;
  const double head_scale = broad ? knobs.broad_scale : 1.0;
  // The content part of q·k/√d is temperature · N(0,1): k content is N(0,1) per dimension.
  const double q_content =
      temperature * std::sqrt(static_cast<double>(p.d) / static_cast<double>(content_dims));
  const std::int64_t offset = group.causal ? group.keys - group.queries : 0;

  out.q = core::Matrix(query_rows.size(), static_cast<std::size_t>(p.d));
  out.query_positions.reserve(query_rows.size());
  for (std::size_t i = 0; i < query_rows.size(); ++i) {
    const auto token = static_cast<std::int64_t>(query_rows[i]);
    const std::int64_t pos = token + offset;
    out.query_positions.push_back(static_cast<std::size_t>(pos));
    core::Rng qr(seed, q_label + "/p" + std::to_string(pos));
    const double g_sink = std::max(0.0, 1.0 + knobs.query_jitter * qr.normal());
    const double g_shared = std::max(0.0, 1.0 + knobs.query_jitter * qr.normal());
    std::span<float> row = out.q.row(i);
    const std::size_t visible =
        group.causal ? std::min<std::size_t>(static_cast<std::size_t>(pos) + 1, keys) : keys;
    row[0] = static_cast<float>(has_sink ? p.s * g_sink * sink_bonus(visible) / sink_ref : 0.0);
    row[1] = static_cast<float>(p.s * g_shared);
    positional(p, true, token, static_cast<double>(pos), row, query_gain);
    for (int c = p.content0; c < p.d; ++c)
      row[static_cast<std::size_t>(c)] = static_cast<float>(q_content * qr.normal());
    if (head_scale != 1.0)
      for (float& x : row) x = static_cast<float>(head_scale * x);
    rotate(p, row);
  }
  return out;
}

// ----------------------------------------------------------------------------------------------
// Measurement

namespace {

/// Logits of row i over its visible keys (FP32 dot product, as the dense reference computes it,
/// plus the ALiBi bias); returns the number of visible keys and the row's query position.
struct RowLogits {
  std::size_t visible = 0;
  std::size_t pos = 0;
  double max = -INFINITY;
};

RowLogits row_logits(const core::AttentionHead& h, std::size_t i, std::vector<double>& logits) {
  const std::size_t rows = h.q.rows(), keys = h.k.rows(), d = h.q.cols();
  const double inv_sqrt_d = 1.0 / std::sqrt(static_cast<double>(d));
  RowLogits r;
  // Without explicit positions, queries are the last rows of the key sequence.
  r.pos = i < h.query_positions.size() ? h.query_positions[i] : keys - rows + i;
  r.visible = h.causal ? std::min(r.pos + 1, keys) : keys;
  const auto q = h.q.row(i);
  for (std::size_t j = 0; j < r.visible; ++j) {
    const auto k = h.k.row(j);
    float acc = 0.0f;
    for (std::size_t c = 0; c < d; ++c) acc += q[c] * k[c];
    const double bias =
        -h.additive_bias_slope * (static_cast<double>(r.pos) - static_cast<double>(j));
    logits[j] = acc * inv_sqrt_d + bias;
    r.max = std::max(r.max, logits[j]);
  }
  return r;
}

}  // namespace

HeadStats measure_head(const core::AttentionHead& h, double guard_gap) {
  HeadStats st;
  const std::size_t rows = h.q.rows();
  const std::size_t keys = h.k.rows();
  if (rows == 0 || keys == 0) return st;
  std::vector<double> logits(keys), probs(keys);
  for (std::size_t i = 0; i < rows; ++i) {
    const auto [visible, pos, mx] = row_logits(h, i, logits);
    double sum = 0.0, mean = 0.0;
    std::size_t kept = 0;
    for (std::size_t j = 0; j < visible; ++j) {
      probs[j] = std::exp(logits[j] - mx);
      sum += probs[j];
      mean += logits[j];
      if (logits[j] >= mx - guard_gap) ++kept;
    }
    mean /= static_cast<double>(visible);
    double var = 0.0;
    for (std::size_t j = 0; j < visible; ++j) var += (logits[j] - mean) * (logits[j] - mean);
    st.logit_std += std::sqrt(var / static_cast<double>(visible));
    st.first_token_mass += probs[0] / sum;
    st.oracle_kept_fraction += static_cast<double>(kept) / static_cast<double>(visible);
    std::sort(probs.begin(), probs.begin() + static_cast<std::ptrdiff_t>(visible),
              std::greater<>());
    double acc = 0.0;
    std::size_t n = 0;
    while (n < visible && acc < 0.9 * sum) acc += probs[n++];
    st.keys_for_90pct_mass += static_cast<double>(n) / static_cast<double>(visible);
  }
  const auto r = static_cast<double>(rows);
  st.first_token_mass /= r;
  st.keys_for_90pct_mass /= r;
  st.logit_std /= r;
  st.oracle_kept_fraction /= r;
  return st;
}

LocalityStats measure_locality(const core::AttentionHead& h, const LocalityOptions& o) {
  LocalityStats st;
  const std::size_t rows = h.q.rows();
  const std::size_t keys = h.k.rows();
  if (rows == 0 || keys == 0) return st;
  std::vector<double> logits(keys), accumulated(keys, 0.0);
  std::uint64_t entries = 0, sparse = 0;
  for (std::size_t i = 0; i < rows; ++i) {
    const auto [visible, pos, mx] = row_logits(h, i, logits);
    double sum = 0.0;
    for (std::size_t j = 0; j < visible; ++j) sum += (logits[j] = std::exp(logits[j] - mx));
    double sink = 0.0, recent = 0.0;
    for (std::size_t j = 0; j < visible; ++j) {
      const double p = logits[j] / sum;
      accumulated[j] += p;
      if (j < o.sink_tokens)
        sink += p;
      else if (j + o.window > pos)
        recent += p;
      // exp(logit − max) is the entry relative to its row's max.
      if (logits[j] < o.sparse_ratio) ++sparse;
    }
    entries += visible;
    st.first_token_mass += logits[0] / sum;
    st.sink_mass += sink;
    st.recent_mass += recent;
  }
  const auto r = static_cast<double>(rows);
  st.first_token_mass /= r;
  st.sink_mass /= r;
  st.recent_mass /= r;
  st.sparsity = static_cast<double>(sparse) / static_cast<double>(entries);
  // Heavy hitters among the keys after the sinks, by accumulated attention (H2O).
  if (keys > o.sink_tokens) {
    std::vector<double> rest(accumulated.begin() + static_cast<std::ptrdiff_t>(o.sink_tokens),
                             accumulated.end());
    const double total = std::accumulate(rest.begin(), rest.end(), 0.0);
    const auto top = std::max<std::size_t>(
        1, static_cast<std::size_t>(
               std::llround(o.heavy_fraction * static_cast<double>(rest.size()))));
    std::partial_sort(rest.begin(), rest.begin() + static_cast<std::ptrdiff_t>(top), rest.end(),
                      std::greater<>());
    const double held =
        std::accumulate(rest.begin(), rest.begin() + static_cast<std::ptrdiff_t>(top), 0.0);
    st.heavy_hitter_mass = total > 0.0 ? held / total : 0.0;
  }
  return st;
}

}  // namespace pade::workloads
