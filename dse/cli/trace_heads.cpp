#include "dse/cli/trace_heads.hpp"

#include <algorithm>
#include <memory>

#include "core/error.hpp"
#include "dse/cli/common.hpp"
#include "dse/llm_eval.hpp"
#include "dse/stats_source.hpp"
#include "workloads/npy.hpp"
#include "workloads/stories260k.hpp"
#include "workloads/trace.hpp"

namespace pade::dse::cli {

namespace {

core::AttentionHead rows_of(const core::AttentionHead& full, const std::vector<std::size_t>& rows) {
  core::AttentionHead h;
  h.k = full.k;
  h.v = full.v;
  h.causal = full.causal;
  h.additive_bias_slope = full.additive_bias_slope;
  h.q = core::Matrix(rows.size(), full.q.cols());
  const std::size_t offset = full.k.rows() >= full.q.rows() ? full.k.rows() - full.q.rows() : 0;
  for (std::size_t a = 0; a < rows.size(); ++a) {
    const auto src = full.q.row(rows[a]);
    std::copy(src.begin(), src.end(), h.q.row(a).begin());
    // No positions given means the queries are the last rows of the keys (functional.hpp).
    h.query_positions.push_back(full.query_positions.empty() ? offset + rows[a]
                                                             : full.query_positions[rows[a]]);
  }
  return h;
}

// A catalog benchmark: its own trace source (generator, .npy suite entry, stories260K text).
TraceHeads benchmark_heads(const TraceSourceArgs& a) {
  struct Owned {
    explicit Owned(workloads::Catalog c) : catalog(std::move(c)) {}
    workloads::Catalog catalog;
    workloads::GeneratorTable generator = workloads::GeneratorTable::builtin();
    const workloads::Benchmark* bench = nullptr;
    std::unique_ptr<workloads::TraceSource> source;
  };
  auto o = std::make_shared<Owned>(load_catalog(workload_paths(a.workloads)));
  o->bench = &o->catalog.benchmark(a.benchmark);
  o->source = make_trace_source(*o->bench, o->catalog, o->generator, a.seed);
  TraceHeads t;
  t.describe = "benchmark " + o->bench->name + " (" + o->bench->trace.describe() + ")";
  struct Where {
    std::size_t group;
    int layer;
  };
  auto where = std::make_shared<std::vector<Where>>();
  for (std::size_t g = 0; g < o->bench->groups.size(); ++g) {
    const auto& grp = o->bench->groups[g];
    for (int l = 0; l < grp.layers; ++l) {
      t.layers.push_back(
          {static_cast<std::size_t>(grp.q_heads), static_cast<std::size_t>(grp.queries)});
      where->push_back({g, l});
    }
  }
  t.head = [o, where](std::size_t layer, std::size_t head, const std::vector<std::size_t>& rows) {
    const workloads::HeadSample s{(*where)[layer].group, (*where)[layer].layer,
                                  static_cast<int>(head), rows};
    o->source->check(std::span(&s, 1));
    return o->source->head(s);
  };
  return t;
}

TraceHeads npy_heads(const TraceSourceArgs& a) {
  const std::filesystem::path dir(a.npy);
  const auto layers = workloads::dump_layers(dir);
  if (layers.empty() || layers.front() != 0)
    throw core::InputError(core::SourceLocation{dir.string(), 0, 0}, "",
                           "found no layer0_q.npy, expected a dump folder of layer{L}_{q,k,v}.npy "
                           "files, L = 0, 1, ... (docs/workloads.md)");
  TraceHeads t;
  t.describe = "npy folder " + dir.string();
  for (std::size_t l = 0; l < layers.size() && layers[l] == l; ++l) {
    const workloads::NpyFile q(workloads::qkv_dump_path(dir, l, 'q'));
    const auto& s = q.shape();
    t.layers.push_back({s.size() == 3 ? s[0] : 1, s.size() >= 2 ? s[s.size() - 2] : 0});
  }
  t.head = [dir](std::size_t layer, std::size_t head, const std::vector<std::size_t>& rows) {
    return rows_of(workloads::load_qkv_layer(dir, layer).at(head), rows);
  };
  return t;
}

TraceHeads stories_heads(const TraceSourceArgs& a) {
  auto m = std::make_shared<const workloads::Stories260K>(workloads::Stories260K::load());
  const auto& c = m->model.config();
  TraceHeads t;
  if (!a.tokens.empty()) {
    t.tokens = workloads::read_token_ids(a.tokens, c.vocab_size, c.seq_len);
    t.describe = "stories260k over the token ids of " + a.tokens;
  } else {
    t.tokens = encode_text(m->tokenizer, read_text_file(a.text),
                           std::min<std::size_t>(a.max_tokens, c.seq_len - 1));
    t.tokens.insert(t.tokens.begin(), workloads::Tokenizer::kBos);
    t.describe = "stories260k over BOS + " + a.text;
  }
  auto trace =
      std::make_shared<const workloads::ModelTrace>(workloads::trace_attention(m->model, t.tokens));
  for (std::size_t l = 0; l < c.n_layers; ++l) t.layers.push_back({c.n_heads, t.tokens.size()});
  t.head = [trace](std::size_t layer, std::size_t head, const std::vector<std::size_t>& rows) {
    return rows_of(trace->at(layer, head), rows);
  };
  return t;
}

}  // namespace

void add_trace_source_options(CLI::App* cmd, TraceSourceArgs& a) {
  auto* g = cmd->add_option_group("trace source", "where the heads come from (exactly one)");
  g->add_option("--benchmark,-b", a.benchmark,
                "a benchmark (`pade workloads list`); its suite entry's trace is the source");
  g->add_option("--npy", a.npy, "a folder of layer{L}_{q,k,v}.npy dumps");
  g->add_option("--text", a.text, "stories260K over BOS and this text (.gz/.dz decompressed)");
  g->add_option("--tokens", a.tokens,
                "stories260K over these token ids: a .npy of integers or a text file of "
                "whitespace-separated ids (as `pade workloads export` writes them)");
  g->require_option(1);
  cmd->add_option("--workloads,-w", a.workloads,
                  "extra model/suite YAML file or catalog folder (repeatable), for --benchmark");
  cmd->add_option("--max-tokens", a.max_tokens, "text tokens after BOS for --text (default 511)");
  cmd->add_option("--seed", a.seed, "seed of the synthetic workload (default 1)");
  cmd->add_option("--config", a.config,
                  "hardware YAML whose algorithm knobs (bits, alpha, radius, tiles, order, "
                  "BUI-GF) the simulation uses; default: the defaults");
}

TraceHeads open_trace_heads(const TraceSourceArgs& a) {
  if (!a.benchmark.empty()) return benchmark_heads(a);
  if (!a.npy.empty()) return npy_heads(a);
  return stories_heads(a);
}

AlgorithmPoint trace_algorithm_point(const TraceSourceArgs& a) {
  return a.config.empty() ? AlgorithmPoint{}
                          : AlgorithmPoint::from(models::read_hardware(a.config));
}

void TraceHeads::check(std::size_t layer, std::size_t head) const {
  if (layer >= layers.size())
    throw core::InputError("--layer: found " + std::to_string(layer) + ", expected 0.." +
                           std::to_string(layers.size() - 1) + " (" + describe + ")");
  if (head >= layers[layer].heads)
    throw core::InputError("--head: found " + std::to_string(head) + ", expected 0.." +
                           std::to_string(layers[layer].heads - 1) + " (layer " +
                           std::to_string(layer) + " of " + describe + ")");
}

std::vector<std::size_t> TraceHeads::rows(std::size_t layer, std::size_t max_rows,
                                          std::size_t block) const {
  const std::size_t n = layers.at(layer).queries;
  std::vector<std::size_t> out;
  if (max_rows == 0 || max_rows >= n) {
    for (std::size_t i = 0; i < n; ++i) out.push_back(i);
    return out;
  }
  block = std::clamp<std::size_t>(block, 1, max_rows);
  const std::size_t blocks = max_rows / block;
  // Block b starts at floor(b (n - block) / (blocks - 1)): first and last rows always included.
  for (std::size_t b = 0; b < blocks; ++b) {
    const std::size_t start = blocks == 1 ? n - block : b * (n - block) / (blocks - 1);
    for (std::size_t i = start; i < start + block; ++i)
      if (out.empty() || i > out.back()) out.push_back(i);
  }
  return out;
}

}  // namespace pade::dse::cli
