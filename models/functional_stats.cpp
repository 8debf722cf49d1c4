// FunctionalStats: exact merging and a versioned text serialization.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <stdexcept>
#include <string>
#include <system_error>

#include "core/error.hpp"
#include "models/functional.hpp"

namespace pade::models {

namespace {

template <class Array>
void add_arrays(Array& a, const Array& b) {
  for (std::size_t i = 0; i < a.size(); ++i) a[i] += b[i];
}

double safe_div(double a, double b) {
  return b > 0.0 ? a / b : 0.0;
}

}  // namespace

FunctionalStats& FunctionalStats::operator+=(const FunctionalStats& o) {
  if (o.bits == 0 && o.query_rows == 0) return *this;  // merging an empty record is a no-op
  if (bits == 0 && query_rows == 0) {
    bits = o.bits;
    bits_per_round = o.bits_per_round;
    topk = o.topk;
  } else if (o.bits != bits || o.bits_per_round != bits_per_round || o.topk != topk) {
    throw std::invalid_argument(
        "FunctionalStats: merging records of different bit width, bits per round or top-k");
  }
  query_rows += o.query_rows;
  query_groups += o.query_groups;
  pairs_considered += o.pairs_considered;
  pairs_kept += o.pairs_kept;
  add_arrays(rounds_hist, o.rounds_hist);
  add_arrays(pruned_at_round, o.pruned_at_round);
  add_arrays(active_per_round, o.active_per_round);
  add_arrays(plane_ones, o.plane_ones);
  add_arrays(plane_processed, o.plane_processed);
  add_arrays(plane_bidir_adds, o.plane_bidir_adds);
  add_arrays(plane_fetches, o.plane_fetches);
  add_arrays(subgroup_active, o.subgroup_active);
  add_arrays(group_key_rounds_hist, o.group_key_rounds_hist);
  group_fetch_sum += o.group_fetch_sum;
  group_fetch_sumsq += o.group_fetch_sumsq;
  group_fetch_max = std::max(group_fetch_max, o.group_fetch_max);
  tiles += o.tiles;
  tile_adds_sum += o.tile_adds_sum;
  tile_adds_sumsq += o.tile_adds_sumsq;
  tile_adds_max = std::max(tile_adds_max, o.tile_adds_max);
  max_updates += o.max_updates;
  rescale_events += o.rescale_events;
  accuracy_rows += o.accuracy_rows;
  sum_rel_l2_fx += o.sum_rel_l2_fx;
  max_rel_l2 = std::max(max_rel_l2, o.max_rel_l2);
  sum_cosine_fx += o.sum_cosine_fx;
  min_cosine = std::min(min_cosine, o.min_cosine);
  sum_retained_mass_fx += o.sum_retained_mass_fx;
  topk_hits += o.topk_hits;
  topk_slots += o.topk_slots;
  return *this;
}

double FunctionalStats::kept_fraction() const {
  return safe_div(static_cast<double>(pairs_kept), static_cast<double>(pairs_considered));
}
int FunctionalStats::rounds() const {
  const int k = std::max(1, bits_per_round);
  return (bits + k - 1) / k;
}
int FunctionalStats::planes_through(int r) const {
  return std::min(bits, r * std::max(1, bits_per_round));
}
double FunctionalStats::mean_rounds() const {
  double rounds = 0.0;
  for (std::size_t r = 1; r < rounds_hist.size(); ++r)
    rounds += static_cast<double>(r * rounds_hist[r]);
  return safe_div(rounds, static_cast<double>(pairs_considered));
}
double FunctionalStats::mean_planes() const {
  double planes = 0.0;
  for (std::size_t r = 1; r < rounds_hist.size(); ++r)
    planes += static_cast<double>(planes_through(static_cast<int>(r))) *
              static_cast<double>(rounds_hist[r]);
  return safe_div(planes, static_cast<double>(pairs_considered));
}
namespace {
// Saturating: clamped to [-4, 4] first, so the sums cannot overflow. NaN has no fixed-point
// value (llround would return an unspecified one, LLONG_MIN on x86, and the next addition
// overflow): callers replace it first (see add_accuracy_row).
std::int64_t to_fixed(double v) {
  return std::llround(std::clamp(v, -4.0, 4.0) * FunctionalStats::kFixedOne);
}
double from_fixed(std::int64_t sum, std::uint64_t n) {
  return safe_div(static_cast<double>(sum) / FunctionalStats::kFixedOne, static_cast<double>(n));
}
}  // namespace

void FunctionalStats::add_accuracy_row(double rel_l2, double cosine, double retained_mass,
                                       std::uint64_t hits, std::uint64_t slots) {
  // An undefined measurement (the dense FP32 reference overflowed) counts as no agreement.
  if (std::isnan(rel_l2)) rel_l2 = 4.0;
  if (std::isnan(cosine)) cosine = 0.0;
  if (std::isnan(retained_mass)) retained_mass = 0.0;
  accuracy_rows += 1;
  sum_rel_l2_fx += to_fixed(rel_l2);
  max_rel_l2 = std::max(max_rel_l2, rel_l2);
  sum_cosine_fx += to_fixed(cosine);
  min_cosine = std::min(min_cosine, cosine);
  sum_retained_mass_fx += to_fixed(retained_mass);
  topk_hits += hits;
  topk_slots += slots;
}

double FunctionalStats::mean_rel_l2() const {
  return from_fixed(sum_rel_l2_fx, accuracy_rows);
}
double FunctionalStats::mean_cosine() const {
  return from_fixed(sum_cosine_fx, accuracy_rows);
}
double FunctionalStats::mean_retained_mass() const {
  return from_fixed(sum_retained_mass_fx, accuracy_rows);
}
double FunctionalStats::mean_topk_recall() const {
  return safe_div(static_cast<double>(topk_hits), static_cast<double>(topk_slots));
}
std::uint64_t FunctionalStats::total_bidir_adds() const {
  std::uint64_t s = 0;
  for (const auto v : plane_bidir_adds) s += v;
  return s;
}
std::uint64_t FunctionalStats::total_plane_fetches() const {
  std::uint64_t s = 0;
  for (const auto v : plane_fetches) s += v;
  return s;
}

// ---- serialization ---------------------------------------------------------------------------

namespace {

constexpr std::string_view kMagic = "pade-functional-stats";
constexpr int kVersion = 2;  // 2: subgroup_active (issue 17)

void put(std::string& s, std::string_view key, std::int64_t v) {
  s += key;
  s += ' ';
  s += std::to_string(v);
  s += '\n';
}
void put(std::string& s, std::string_view key, std::uint64_t v) {
  s += key;
  s += ' ';
  s += std::to_string(v);
  s += '\n';
}
void put(std::string& s, std::string_view key, double v) {
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof buf, v);  // shortest exact round-trip form
  s += key;
  s += ' ';
  s.append(buf, res.ptr);
  s += '\n';
}
template <std::size_t N>
void put(std::string& s, std::string_view key, const std::array<std::uint64_t, N>& a) {
  s += key;
  for (const auto v : a) {
    s += ' ';
    s += std::to_string(v);
  }
  s += '\n';
}

// Splits a line into whitespace-separated tokens.
std::vector<std::string_view> tokens(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    const std::size_t b = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r') ++i;
    if (i > b) out.push_back(line.substr(b, i - b));
  }
  return out;
}

template <class T>
T parse_number(std::string_view tok, std::string_view key) {
  T v{};
  const auto res = std::from_chars(tok.data(), tok.data() + tok.size(), v);
  if (res.ec != std::errc{} || res.ptr != tok.data() + tok.size())
    throw core::InputError("FunctionalStats: bad number '" + std::string(tok) + "' for " +
                           std::string(key));
  return v;
}

}  // namespace

std::string FunctionalStats::serialize() const {
  std::string s;
  s += kMagic;
  s += ' ';
  s += std::to_string(kVersion);
  s += '\n';
  put(s, "bits", static_cast<std::uint64_t>(bits));
  // Written only when not 1, so every record of the one-plane model keeps its exact text.
  if (bits_per_round != 1) put(s, "bits_per_round", static_cast<std::uint64_t>(bits_per_round));
  put(s, "topk", topk);
  put(s, "query_rows", query_rows);
  put(s, "query_groups", query_groups);
  put(s, "pairs_considered", pairs_considered);
  put(s, "pairs_kept", pairs_kept);
  put(s, "rounds_hist", rounds_hist);
  put(s, "pruned_at_round", pruned_at_round);
  put(s, "active_per_round", active_per_round);
  put(s, "plane_ones", plane_ones);
  put(s, "plane_processed", plane_processed);
  put(s, "plane_bidir_adds", plane_bidir_adds);
  put(s, "plane_fetches", plane_fetches);
  put(s, "subgroup_active", subgroup_active);
  put(s, "group_key_rounds_hist", group_key_rounds_hist);
  put(s, "group_fetch_sum", group_fetch_sum);
  put(s, "group_fetch_sumsq", group_fetch_sumsq);
  put(s, "group_fetch_max", group_fetch_max);
  put(s, "tiles", tiles);
  put(s, "tile_adds_sum", tile_adds_sum);
  put(s, "tile_adds_sumsq", tile_adds_sumsq);
  put(s, "tile_adds_max", tile_adds_max);
  put(s, "max_updates", max_updates);
  put(s, "rescale_events", rescale_events);
  put(s, "accuracy_rows", accuracy_rows);
  put(s, "sum_rel_l2_fx", sum_rel_l2_fx);
  put(s, "max_rel_l2", max_rel_l2);
  put(s, "sum_cosine_fx", sum_cosine_fx);
  put(s, "min_cosine", min_cosine);
  put(s, "sum_retained_mass_fx", sum_retained_mass_fx);
  put(s, "topk_hits", topk_hits);
  put(s, "topk_slots", topk_slots);
  return s;
}

FunctionalStats FunctionalStats::deserialize(std::string_view text) {
  std::map<std::string, std::vector<std::string_view>, std::less<>> fields;
  bool header = false;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    auto tok = tokens(line);
    if (tok.empty()) continue;
    if (!header) {
      if (tok.size() != 2 || tok[0] != kMagic)
        throw core::InputError("FunctionalStats: not a serialized stats record");
      if (parse_number<int>(tok[1], "version") != kVersion)
        throw core::InputError("FunctionalStats: unsupported version " + std::string(tok[1]));
      header = true;
      continue;
    }
    const std::string key(tok[0]);
    tok.erase(tok.begin());
    if (!fields.emplace(key, std::move(tok)).second)
      throw core::InputError("FunctionalStats: duplicate field " + key);
  }
  if (!header) throw core::InputError("FunctionalStats: empty text");

  auto take = [&](std::string_view key) -> const std::vector<std::string_view>& {
    const auto it = fields.find(key);
    if (it == fields.end())
      throw core::InputError("FunctionalStats: missing field " + std::string(key));
    return it->second;
  };
  auto u64 = [&](std::string_view key) {
    const auto& t = take(key);
    if (t.size() != 1)
      throw core::InputError("FunctionalStats: field " + std::string(key) + " wants 1 value");
    return parse_number<std::uint64_t>(t[0], key);
  };
  auto i64 = [&](std::string_view key) {
    const auto& t = take(key);
    if (t.size() != 1)
      throw core::InputError("FunctionalStats: field " + std::string(key) + " wants 1 value");
    return parse_number<std::int64_t>(t[0], key);
  };
  auto dbl = [&](std::string_view key) {
    const auto& t = take(key);
    if (t.size() != 1)
      throw core::InputError("FunctionalStats: field " + std::string(key) + " wants 1 value");
    return parse_number<double>(t[0], key);
  };
  auto arr = [&](std::string_view key, auto& a) {
    const auto& t = take(key);
    if (t.size() != a.size())
      throw core::InputError("FunctionalStats: field " + std::string(key) +
                             " has the wrong length");
    for (std::size_t i = 0; i < a.size(); ++i) a[i] = parse_number<std::uint64_t>(t[i], key);
  };

  FunctionalStats s;
  s.bits = static_cast<int>(u64("bits"));
  const bool has_k = fields.contains("bits_per_round");
  if (has_k) s.bits_per_round = static_cast<int>(u64("bits_per_round"));
  if (s.bits_per_round < 1 || s.bits_per_round > kMaxBits)
    throw core::InputError("FunctionalStats: bits_per_round out of 1..16");
  s.topk = u64("topk");
  s.query_rows = u64("query_rows");
  s.query_groups = u64("query_groups");
  s.pairs_considered = u64("pairs_considered");
  s.pairs_kept = u64("pairs_kept");
  arr("rounds_hist", s.rounds_hist);
  arr("pruned_at_round", s.pruned_at_round);
  arr("active_per_round", s.active_per_round);
  arr("plane_ones", s.plane_ones);
  arr("plane_processed", s.plane_processed);
  arr("plane_bidir_adds", s.plane_bidir_adds);
  arr("plane_fetches", s.plane_fetches);
  arr("subgroup_active", s.subgroup_active);
  arr("group_key_rounds_hist", s.group_key_rounds_hist);
  s.group_fetch_sum = u64("group_fetch_sum");
  s.group_fetch_sumsq = u64("group_fetch_sumsq");
  s.group_fetch_max = u64("group_fetch_max");
  s.tiles = u64("tiles");
  s.tile_adds_sum = u64("tile_adds_sum");
  s.tile_adds_sumsq = u64("tile_adds_sumsq");
  s.tile_adds_max = u64("tile_adds_max");
  s.max_updates = u64("max_updates");
  s.rescale_events = u64("rescale_events");
  s.accuracy_rows = u64("accuracy_rows");
  s.sum_rel_l2_fx = i64("sum_rel_l2_fx");
  s.max_rel_l2 = dbl("max_rel_l2");
  s.sum_cosine_fx = i64("sum_cosine_fx");
  s.min_cosine = dbl("min_cosine");
  s.sum_retained_mass_fx = i64("sum_retained_mass_fx");
  s.topk_hits = u64("topk_hits");
  s.topk_slots = u64("topk_slots");
  if (fields.size() != (has_k ? 33u : 32u))
    throw core::InputError("FunctionalStats: unknown extra fields");
  return s;
}

}  // namespace pade::models
