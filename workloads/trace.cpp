#include "workloads/trace.hpp"

#include <algorithm>
#include <fstream>
#include <set>
#include <utility>

#include "core/error.hpp"
#include "core/hash.hpp"
#include "workloads/npy.hpp"

namespace pade::workloads {

namespace fs = std::filesystem;

namespace {

std::string shape_text(const std::vector<std::size_t>& shape) {
  std::string out(1, '[');
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) out += ", ";
    out += std::to_string(shape[i]);
  }
  out += ']';
  return out;
}

/// Query positions of sampled rows: queries are the last `queries` of the group's keys (causal);
/// bidirectional groups number their queries from 0 (as the generator does).
std::vector<std::size_t> positions(const AttentionGroup& g, std::span<const std::size_t> rows) {
  const auto offset = static_cast<std::size_t>(g.causal ? g.keys - g.queries : 0);
  std::vector<std::size_t> out;
  out.reserve(rows.size());
  for (const std::size_t r : rows) out.push_back(offset + r);
  return out;
}

void check_rows(const AttentionGroup& g, const HeadSample& s) {
  if (s.layer < 0 || s.layer >= g.layers || s.head < 0 || s.head >= g.q_heads)
    throw std::out_of_range("trace source: sampled layer or head outside the group");
  for (const std::size_t r : s.rows)
    if (r >= static_cast<std::size_t>(g.queries))
      throw std::out_of_range("trace source: sampled query row outside the group");
}

void hash_file(const fs::path& path, core::ByteHasher& h) {
  require_regular_file(path, "a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) core::throw_file_error(path.string(), "cannot open file for reading");
  std::vector<char> buf(std::size_t{1} << 20);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    const auto n = static_cast<std::size_t>(in.gcount());
    if (n == 0) break;
    h.update(std::string_view(buf.data(), n));
  }
  if (in.bad()) core::throw_file_error(path.string(), "read failed");
}

}  // namespace

// ----------------------------------------------------------------------------------------------
// Synthetic

void SyntheticTrace::check(std::span<const HeadSample> /*samples*/) const {}

core::AttentionHead SyntheticTrace::head(const HeadSample& s) const {
  const AttentionGroup& g = benchmark_.groups.at(s.group);
  return generate_head(benchmark_, g, s.layer, s.head, knobs_, seed_, s.rows);
}

// ----------------------------------------------------------------------------------------------
// .npy dump folders

NpyTrace::NpyTrace(const Benchmark& benchmark, fs::path folder)
    : benchmark_(benchmark), folder_(std::move(folder)) {
  if (!fs::is_directory(folder_))
    core::throw_file_error(folder_.string(),
                           std::string("no such folder (the npy trace of benchmark '") +
                               benchmark_.name + "', " + benchmark_.where.str() + ")");
}

void NpyTrace::check(std::span<const HeadSample> samples) const {
  std::set<std::pair<std::size_t, int>> seen;
  for (const HeadSample& s : samples) {
    if (!seen.insert({s.group, s.layer}).second) continue;
    const AttentionGroup& g = benchmark_.groups.at(s.group);
    const auto layer = static_cast<std::size_t>(g.first_layer + s.layer);
    const std::string who = "benchmark '" + benchmark_.name + "' (" + benchmark_.where.str() +
                            ", model " + benchmark_.model + ")";
    for (const char which : {'q', 'k', 'v'}) {
      const fs::path path = qkv_dump_path(folder_, layer, which);
      if (!fs::exists(path))
        core::throw_file_error(path.string(), "missing dump file: " + who + " samples layer " +
                                                  std::to_string(layer) + ", which needs layer" +
                                                  std::to_string(layer) + "_{q,k,v}.npy in " +
                                                  folder_.string());
      const NpyFile f(path);
      auto shape = f.shape();
      if (shape.size() == 2) shape.insert(shape.begin(), 1);
      const bool is_q = which == 'q';
      const auto heads = static_cast<std::size_t>(is_q ? g.q_heads : g.kv_heads);
      const auto keys = static_cast<std::size_t>(g.keys);
      const auto queries = static_cast<std::size_t>(g.queries);
      const auto dim = static_cast<std::size_t>(g.head_dim);
      const bool tokens_ok =
          shape.size() == 3 && (is_q ? shape[1] == queries || shape[1] == keys : shape[1] == keys);
      if (shape.size() != 3 || shape[0] != heads || !tokens_ok || shape[2] != dim) {
        std::string expected = shape_text({heads, keys, dim});
        if (is_q && queries != keys) expected += " (or " + std::to_string(queries) + " tokens)";
        core::throw_file_error(
            path.string(), "shape " + shape_text(f.shape()) + " does not match " + who +
                               ": expected " + expected + " = [" + (is_q ? "q_heads" : "kv_heads") +
                               ", tokens = seq_len, head_dim] of the model's layer " +
                               std::to_string(layer));
      }
    }
  }
}

core::AttentionHead NpyTrace::head(const HeadSample& s) const {
  const AttentionGroup& g = benchmark_.groups.at(s.group);
  check_rows(g, s);
  const auto layer = static_cast<std::size_t>(g.first_layer + s.layer);
  const auto d = static_cast<std::size_t>(g.head_dim);
  const auto keys = static_cast<std::size_t>(g.keys);
  const auto queries = static_cast<std::size_t>(g.queries);
  const auto h = static_cast<std::size_t>(s.head);
  const std::size_t kv = h / static_cast<std::size_t>(std::max(1, g.q_heads / g.kv_heads));

  core::AttentionHead out;
  out.causal = g.causal;
  out.additive_bias_slope = alibi_slope(g.alibi_slope_max, s.head);
  out.query_positions = positions(g, s.rows);
  {
    NpyFile q(qkv_dump_path(folder_, layer, 'q'));
    const std::size_t tokens = q.shape()[q.shape().size() - 2];
    const std::size_t first = tokens - queries;  // the last `queries` rows (see the header)
    out.q = core::Matrix(s.rows.size(), d);
    for (std::size_t i = 0; i < s.rows.size(); ++i)
      q.read((h * tokens + first + s.rows[i]) * d, out.q.row(i));
  }
  out.k = core::Matrix(keys, d);
  NpyFile(qkv_dump_path(folder_, layer, 'k')).read(kv * keys * d, out.k.data());
  out.v = core::Matrix(keys, d);
  NpyFile(qkv_dump_path(folder_, layer, 'v')).read(kv * keys * d, out.v.data());
  return out;
}

// ----------------------------------------------------------------------------------------------
// A real model's forward pass

ModelTraceSource::ModelTraceSource(const Benchmark& benchmark, ModelTrace trace, std::string what)
    : benchmark_(benchmark), trace_(std::move(trace)), what_(std::move(what)) {}

ModelTraceShape ModelTraceShape::of(const ModelTrace& trace) {
  const auto& first = trace.heads.front();
  return {trace.n_layers, trace.n_heads,  trace.n_kv_heads,
          first.q.cols(), first.k.rows(), first.causal};
}

ModelTraceShape ModelTraceShape::of(const Llama2Config& config, std::size_t tokens) {
  return {config.n_layers, config.n_heads, config.n_kv_heads, config.head_dim(), tokens, true};
}

void check_model_shape(const Benchmark& b, const ModelTraceShape& m, const std::string& what) {
  const std::string who =
      "benchmark '" + b.name + "' (" + b.where.str() + ", model " + b.model + ")";
  const auto describe = [](std::size_t layers, std::size_t q, std::size_t kv, std::size_t dim,
                           std::size_t tokens, bool causal) {
    return std::to_string(layers) + " layers, " + std::to_string(q) + " query heads, " +
           std::to_string(kv) + " KV heads, head_dim " + std::to_string(dim) + ", " +
           std::to_string(tokens) + " tokens, " + (causal ? "causal" : "bidirectional");
  };
  const std::string shape =
      describe(m.layers, m.q_heads, m.kv_heads, m.head_dim, m.tokens, m.causal);
  if (b.groups.size() != 1)
    core::throw_file_error(what, "has one attention shape (" + shape + ") but " + who + " has " +
                                     std::to_string(b.groups.size()) + " stages");
  const AttentionGroup& g = b.groups.front();
  const auto n = [](int v) { return static_cast<std::size_t>(v); };
  if (n(g.layers) != m.layers || n(g.q_heads) != m.q_heads || n(g.kv_heads) != m.kv_heads ||
      n(g.head_dim) != m.head_dim || static_cast<std::size_t>(g.keys) != m.tokens ||
      g.causal != m.causal)
    core::throw_file_error(what,
                           "produces " + shape + " but " + who + " declares " +
                               describe(n(g.layers), n(g.q_heads), n(g.kv_heads), n(g.head_dim),
                                        static_cast<std::size_t>(g.keys), g.causal) +
                               "; the model file must have the traced model's shape");
}

void ModelTraceSource::check(std::span<const HeadSample> /*samples*/) const {
  check_model_shape(benchmark_, ModelTraceShape::of(trace_), what_);
}

core::AttentionHead ModelTraceSource::head(const HeadSample& s) const {
  const AttentionGroup& g = benchmark_.groups.at(s.group);
  check_rows(g, s);
  const core::AttentionHead& full = trace_.at(static_cast<std::size_t>(g.first_layer + s.layer),
                                              static_cast<std::size_t>(s.head));
  const std::size_t first = full.q.rows() - static_cast<std::size_t>(g.queries);
  core::AttentionHead out;
  out.causal = g.causal;
  out.additive_bias_slope = alibi_slope(g.alibi_slope_max, s.head);
  out.query_positions = positions(g, s.rows);
  out.q = core::Matrix(s.rows.size(), full.q.cols());
  for (std::size_t i = 0; i < s.rows.size(); ++i) {
    const auto src = full.q.row(first + s.rows[i]);
    std::copy(src.begin(), src.end(), out.q.row(i).begin());
  }
  out.k = full.k;
  out.v = full.v;
  return out;
}

// ----------------------------------------------------------------------------------------------
// Identity

std::string trace_identity(const Benchmark& b, const GeneratorKnobs* knobs) {
  std::string id = "shape=" + core::content_hash(benchmark_json(b));
  switch (b.trace.kind) {
    case TraceKind::synthetic:
      if (knobs != nullptr)
        id += ";generator=" + std::string(kGeneratorVersion) + ";family=" + knobs->family +
              ";knobs=" + knobs->values_hash;
      break;
    case TraceKind::npy: {
      core::ByteHasher h;
      for (const std::size_t layer : dump_layers(b.trace.path))
        for (const char which : {'q', 'k', 'v'}) {
          const fs::path path = qkv_dump_path(b.trace.path, layer, which);
          h.update(path.filename().string());
          if (fs::exists(path)) hash_file(path, h);
        }
      id += ";npy=" + core::hex64(h.digest());
      break;
    }
    case TraceKind::stories260k: {
      core::ByteHasher text, model;
      hash_file(b.trace.path, text);
      const fs::path dir = Stories260K::default_dir();
      hash_file(dir / "stories260K.bin", model);
      hash_file(dir / "tok512.bin", model);
      id += ";stories260k=" + core::hex64(model.digest()) + ";text=" + core::hex64(text.digest());
      break;
    }
  }
  return id;
}

}  // namespace pade::workloads
