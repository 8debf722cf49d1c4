#include "workloads/catalog.hpp"

#include "core/json.hpp"
#include "workloads/npy.hpp"
#include "workloads/stories260k.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace pade::workloads {

namespace fs = std::filesystem;
using core::InputError;
using core::ParamSpec;
using core::Schema;
using core::SourceLocation;

// ----------------------------------------------------------------------------------------------
// Shapes

double AttentionGroup::pairs_per_head() const {
  const auto q = static_cast<double>(queries);
  const auto k = static_cast<double>(keys);
  if (!causal) return q * k;
  // Query row i (0-based among the last q positions) sits at position k - q + i and sees
  // k - q + i + 1 keys. Sum over i: q*(k - q) + q*(q + 1)/2.
  return q * (k - q) + q * (q + 1.0) / 2.0;
}

double ModelShape::alibi_slope_max() const {
  if (position != "alibi" || stages.empty()) return 0.0;
  // BLOOM/ALiBi: slopes are powers of 2^(-8/n) for the closest power of two n <= heads; the
  // largest slope is the base itself.
  int n = 1;
  while (n * 2 <= stages.front().q_heads) n *= 2;
  return std::pow(2.0, -8.0 / n);
}

double Benchmark::total_pairs() const {
  double sum = 0.0;
  for (const auto& g : groups) sum += g.total_pairs();
  return sum;
}

int Benchmark::total_layers() const {
  int sum = 0;
  for (const auto& g : groups) sum += g.layers;
  return sum;
}

std::string_view trace_kind_name(TraceKind kind) {
  return core::enum_name(kind);
}

std::string TraceSpec::describe() const {
  switch (kind) {
    case TraceKind::synthetic:
      return "synthetic";
    case TraceKind::npy:
      return "npy folder " + path.string();
    case TraceKind::stories260k:
      return "stories260k over " + path.string();
  }
  return "?";
}

// ----------------------------------------------------------------------------------------------
// Schemas

const Schema& model_schema() {
  static const Schema schema = [] {
    Schema s("model",
             "A model file (workloads/data/models/*.yaml): public architecture facts of "
             "one transformer, enough to derive the attention shapes of a benchmark.");
    s.add(ParamSpec::choice("kind", {"model"}).required().describe("File kind; must be `model`."));
    s.add(ParamSpec::string("name").required().describe(
        "Model name used by benchmarks, e.g. `llama2-7b`."));
    s.add(ParamSpec::string("family").required().describe(
        "Family selecting the synthetic-generator knobs (a row of generator.yaml): llama, opt, "
        "bloom, qwen, vit, pvt."));
    s.add(ParamSpec::choice("attention", {"causal", "bidirectional"})
              .required()
              .describe("Causal (decoder LLM) or bidirectional (vision encoder) attention."));
    s.add(
        ParamSpec::choice("position", {"rope", "learned", "alibi", "none"})
            .required()
            .describe(
                "Position encoding; `alibi` adds a per-head linear distance bias to the logits."));
    s.add(ParamSpec::integer("layers")
              .at_least(0)
              .defaults(std::int64_t{0})
              .with_unit("layers")
              .describe("Transformer layers (required unless `stages` is given)."));
    s.add(ParamSpec::integer("q_heads")
              .at_least(0)
              .defaults(std::int64_t{0})
              .with_unit("heads")
              .describe("Query heads per layer (required unless `stages` is given)."));
    s.add(ParamSpec::integer("kv_heads")
              .at_least(0)
              .defaults(std::int64_t{0})
              .with_unit("heads")
              .describe("Key/value heads per layer; 0 = same as q_heads. Fewer means GQA/MQA."));
    s.add(ParamSpec::integer("head_dim")
              .at_least(0)
              .defaults(std::int64_t{0})
              .with_unit("elements")
              .describe("Dimension of one head (required unless `stages` is given)."));
    s.add(ParamSpec::integer("max_context")
              .at_least(1)
              .required()
              .with_unit("tokens")
              .describe("Context length the model was trained for (vision: its token count)."));
    s.add(ParamSpec::integer("tokens")
              .at_least(0)
              .defaults(std::int64_t{0})
              .with_unit("tokens")
              .describe("Fixed token count of a vision model (e.g. 197 for ViT-L/16 at 224²); "
                        "0 for language models, whose length comes from the task."));
    s.add(ParamSpec::string("source")
              .defaults(std::string{})
              .describe("Where the architecture facts come from (paper, model card)."));
    s.open_section("stages",
                   "List of stages with different attention shapes (pyramid vision "
                   "models); each item is read by the `model stage` schema.");
    return s;
  }();
  return schema;
}

const Schema& model_stage_schema() {
  static const Schema schema = [] {
    Schema s("model stage",
             "One item of a model's `stages` list: a run of layers with one "
             "attention shape.");
    s.add(ParamSpec::integer("layers").at_least(1).required().with_unit("layers").describe(
        "Layers in the stage."));
    s.add(ParamSpec::integer("heads").at_least(1).required().with_unit("heads").describe(
        "Query heads per layer."));
    s.add(ParamSpec::integer("kv_heads")
              .at_least(0)
              .defaults(std::int64_t{0})
              .with_unit("heads")
              .describe("Key/value heads; 0 = same as heads."));
    s.add(ParamSpec::integer("head_dim")
              .at_least(1)
              .required()
              .with_unit("elements")
              .describe("Head dimension."));
    s.add(ParamSpec::integer("queries").at_least(1).required().with_unit("tokens").describe(
        "Query tokens per head (e.g. 3136 = 56² patches)."));
    s.add(ParamSpec::integer("sr_ratio")
              .at_least(1)
              .defaults(std::int64_t{1})
              .with_unit("ratio per side")
              .describe("Spatial-reduction ratio per side: keys = (√queries / sr_ratio)²."));
    s.add(ParamSpec::integer("keys")
              .at_least(0)
              .defaults(std::int64_t{0})
              .with_unit("tokens")
              .describe("Key tokens per head; 0 = derived from queries and sr_ratio."));
    return s;
  }();
  return schema;
}

const Schema& suite_schema() {
  static const Schema schema = [] {
    Schema s("suite",
             "A suite file (workloads/data/suites/*.yaml): an ordered list of benchmarks.");
    s.add(ParamSpec::choice("kind", {"suite"}).required().describe("File kind; must be `suite`."));
    s.add(ParamSpec::string("name").required().describe("Suite name, e.g. `pade22`."));
    s.add(ParamSpec::string("description")
              .defaults(std::string{})
              .describe("What the suite is for."));
    s.open_section("benchmarks",
                   "Ordered list; an item is a benchmark name (a reference, e.g. "
                   "`llama2-7b/mmlu@decode`) or a map read by the `suite entry` schema.");
    return s;
  }();
  return schema;
}

const Schema& suite_entry_schema() {
  static const Schema schema = [] {
    Schema s("suite entry", "One benchmark defined inside a suite's `benchmarks` list.");
    s.add(ParamSpec::string("name")
              .defaults(std::string{})
              .describe("Benchmark name; empty = `model/task`, with `@decode` appended for the "
                        "decode phase."));
    s.add(ParamSpec::string("model").required().describe("A model name from models/."));
    s.add(ParamSpec::string("task").required().describe("Task (dataset) name, e.g. `mmlu`."));
    s.add(ParamSpec::integer("seq_len")
              .at_least(0)
              .defaults(std::int64_t{0})
              .with_unit("tokens")
              .describe("Sequence length (prefill: prompt length; decode: KV-cache length). "
                        "0 = the model's token count (vision models only)."));
    s.add(ParamSpec::choice("phase", {"prefill", "decode"})
              .defaults(std::string{"prefill"})
              .describe("Prefill (all queries) or decode (one new query per head)."));
    s.add(ParamSpec::choice("trace.kind", core::enum_names<TraceKind>())
              .defaults(std::string{"synthetic"})
              .describe("Where Q/K/V come from: the synthetic generator; a folder of .npy dumps "
                        "(`trace.folder`, files layer{L}_{q,k,v}.npy of shape [heads, tokens, "
                        "dim], e.g. from workloads/scripts/dump_qkv.py); or the stories260K model "
                        "run over `trace.text` (the benchmark's model must have its shape)."));
    s.add(ParamSpec::string("trace.folder")
              .defaults(std::string{})
              .describe("trace.kind npy: the dump folder, relative to this file. `seq_len` may be "
                        "left out: it is then the dumps' key length."));
    s.add(ParamSpec::string("trace.text")
              .defaults(std::string{})
              .describe("trace.kind stories260k: a text file (relative to this file; .gz/.dz are "
                        "decompressed); BOS plus its first seq_len - 1 tokens are run through the "
                        "model. Left out: the model's own greedy story, greedy256.txt beside its "
                        "checkpoint (PADE_SHARED_DIR/data/stories260K, a build setting)."));
    return s;
  }();
  return schema;
}

fs::path builtin_data_dir() {
  return fs::path(PADE_SOURCE_DIR) / "workloads" / "data";
}

// ----------------------------------------------------------------------------------------------
// Reading

namespace {

template <typename Map>
std::string closest_name(std::string_view name, const Map& names) {
  std::string best;
  std::size_t best_d = std::string::npos;
  for (const auto& [candidate, unused] : names) {
    const std::size_t d = core::edit_distance(name, candidate);
    if (d < best_d) best_d = d, best = candidate;
  }
  return best_d <= std::max<std::size_t>(2, name.size() / 3) ? best : std::string();
}

template <typename Map>
std::string unknown_message(std::string_view what, std::string_view name, const Map& names) {
  std::string msg = "unknown " + std::string(what) + " '" + std::string(name) + "'";
  if (const auto s = closest_name(name, names); !s.empty()) msg += " (did you mean '" + s + "'?)";
  return msg;
}

int as_int(const core::Config& c, std::string_view key) {
  return static_cast<int>(c.integer(key));
}

std::int64_t exact_sqrt(std::int64_t n) {
  auto r = static_cast<std::int64_t>(std::llround(std::sqrt(static_cast<double>(n))));
  while (r * r > n) --r;
  while ((r + 1) * (r + 1) <= n) ++r;
  return r * r == n ? r : -1;
}

ModelStage read_stage(const YAML::Node& item, const std::string& file, std::size_t index) {
  const std::string prefix = "stages[" + std::to_string(index) + "]";
  const core::Config c = core::read_config(item, model_stage_schema(), file, prefix);
  ModelStage s;
  s.layers = as_int(c, "layers");
  s.q_heads = as_int(c, "heads");
  s.kv_heads = c.integer("kv_heads") == 0 ? s.q_heads : as_int(c, "kv_heads");
  s.head_dim = as_int(c, "head_dim");
  s.queries = c.integer("queries");
  s.sr_ratio = as_int(c, "sr_ratio");
  s.keys = c.integer("keys");
  if (s.q_heads % s.kv_heads != 0)
    throw InputError(c.where("kv_heads"), prefix + ".kv_heads",
                     "heads (" + std::to_string(s.q_heads) + ") must be a multiple of kv_heads");
  if (s.keys == 0) {
    // Spatial reduction shrinks the key grid by sr_ratio per side.
    const std::int64_t side = exact_sqrt(s.queries);
    if (side < 0 || side % s.sr_ratio != 0)
      throw InputError(c.where("queries"), prefix + ".queries",
                       "cannot derive keys: queries (" + std::to_string(s.queries) +
                           ") must be a square grid whose side is divisible by sr_ratio (" +
                           std::to_string(s.sr_ratio) + "); give `keys` explicitly");
    const std::int64_t k_side = side / s.sr_ratio;
    s.keys = k_side * k_side;
  }
  return s;
}

// The `trace` map of a suite entry; paths resolve against the folder of `file`.
TraceSpec read_trace(const core::Config& e, const std::string& file, const std::string& key) {
  TraceSpec t;
  const std::string& kind = e.string("trace.kind");
  const std::string& folder = e.string("trace.folder");
  const std::string& text = e.string("trace.text");
  const auto resolve = [&](const std::string& given) {
    fs::path p(given);
    if (p.is_relative()) p = fs::path(file).parent_path() / p;
    return fs::absolute(p).lexically_normal();
  };
  const auto unexpected = [&](const char* param, const std::string& value) {
    if (!value.empty())
      throw InputError(e.where(param), key + "." + param,
                       "found '" + value + "', but trace.kind is " + kind +
                           (kind == "synthetic" && e.where("trace.kind").file == "<default>"
                                ? " (the default); add `kind: npy` or `kind: stories260k`"
                                : ""));
  };
  t.kind = core::enum_value<TraceKind>(kind);  // the schema admitted only the table's names
  if (t.kind == TraceKind::npy) {
    unexpected("trace.text", text);
    if (folder.empty())
      throw InputError(e.where("trace.kind"), key + ".trace.folder",
                       "missing: trace.kind npy needs `folder`, a folder of .npy dumps");
    t.path = resolve(folder);
    if (!fs::is_directory(t.path))
      throw InputError(e.where("trace.folder"), key + ".trace.folder",
                       "found '" + folder + "', expected a folder of .npy dumps ('" +
                           t.path.string() +
                           (fs::exists(t.path) ? "' is not a folder)" : "' does not exist)"));
  } else if (t.kind == TraceKind::stories260k) {
    unexpected("trace.folder", folder);
    // No text: the model's own greedy story, shipped beside its checkpoint.
    t.path = text.empty() ? Stories260K::default_dir() / "greedy256.txt" : resolve(text);
    if (!fs::is_regular_file(t.path))
      throw InputError(
          e.where(text.empty() ? "trace.kind" : "trace.text"), key + ".trace.text",
          (text.empty() ? "left out, so the model's own story '"
                        : "found '" + text + "', expected a text file ('") +
              t.path.string() + (fs::exists(t.path) ? "' is not a file)" : "' does not exist)") +
              (text.empty() ? "; give `text`, or build with -DPADE_SHARED_DIR=<the shared/ folder>"
                            : ""));
  } else {
    unexpected("trace.folder", folder);
    unexpected("trace.text", text);
  }
  return t;
}

}  // namespace

void Catalog::read_model(const core::YamlDocument& doc) {
  const YAML::Node& root = *doc.root;
  const core::Config c = core::read_config(root, model_schema(), doc.file);
  ModelShape m;
  m.name = c.string("name");
  m.family = c.string("family");
  m.attention = c.string("attention");
  m.position = c.string("position");
  m.max_context = c.integer("max_context");
  m.tokens = c.integer("tokens");
  m.source = c.string("source");
  m.where = core::location_of(root, doc.file);

  if (m.name.empty() || m.name.find_first_of("/@ \t") != std::string::npos)
    throw InputError(
        c.where("name"), "name",
        "found '" + m.name + "', expected a non-empty name without '/', '@' or spaces");
  if (m.family.empty()) throw InputError(c.where("family"), "family", "must not be empty");

  const YAML::Node stages = root.IsMap() ? root["stages"] : YAML::Node();
  if (stages && !stages.IsNull()) {
    if (!stages.IsSequence() || stages.size() == 0)
      throw InputError(core::location_of(stages, doc.file), "stages",
                       "expected a non-empty list of stage maps");
    for (const char* key : {"layers", "q_heads", "kv_heads", "head_dim"})
      if (c.integer(key) != 0)
        throw InputError(c.where(key), key,
                         "give the shape either at the top level or per stage, not both");
    for (std::size_t i = 0; i < stages.size(); ++i)
      m.stages.push_back(read_stage(stages[i], doc.file, i));
    if (m.tokens == 0)
      throw InputError(
          c.where("tokens"), "tokens",
          "a staged model is a vision model: give its token count (first stage's queries)");
  } else {
    for (const char* key : {"layers", "q_heads", "head_dim"})
      if (c.integer(key) == 0)
        throw InputError(core::location_of(root, doc.file), key,
                         "missing required parameter (integer >= 1) when `stages` is not given");
    ModelStage s;
    s.layers = as_int(c, "layers");
    s.q_heads = as_int(c, "q_heads");
    s.kv_heads = c.integer("kv_heads") == 0 ? s.q_heads : as_int(c, "kv_heads");
    s.head_dim = as_int(c, "head_dim");
    if (s.q_heads % s.kv_heads != 0)
      throw InputError(c.where("kv_heads"), "kv_heads",
                       "q_heads (" + std::to_string(s.q_heads) +
                           ") must be a multiple of kv_heads (" + std::to_string(s.kv_heads) + ")");
    // A vision model has a fixed token count; a language model takes it from the benchmark.
    s.queries = m.tokens;
    s.keys = m.tokens;
    m.stages.push_back(s);
  }
  if (m.tokens > 0 && m.attention == "causal")
    throw InputError(c.where("tokens"), "tokens",
                     "a fixed token count is for bidirectional (vision) models; causal models "
                     "take their length from the benchmark");
  if (m.tokens == 0 && m.attention == "bidirectional")
    throw InputError(c.where("attention"), "attention",
                     "a bidirectional model needs its fixed token count in `tokens`");
  for (const auto& s : m.stages) m.layers += s.layers;

  if (const auto it = models_.find(m.name); it != models_.end())
    throw InputError(c.where("name"), "name",
                     "model '" + m.name + "' is already defined at " + it->second.where.str());
  models_.emplace(m.name, std::move(m));
}

void Catalog::read_suite(const core::YamlDocument& doc) {
  const YAML::Node& root = *doc.root;
  const core::Config c = core::read_config(root, suite_schema(), doc.file);
  SuiteDef suite;
  suite.name = c.string("name");
  suite.description = c.string("description");
  suite.where = core::location_of(root, doc.file);
  if (const auto it = suites_.find(suite.name); it != suites_.end())
    throw InputError(c.where("name"), "name",
                     "suite '" + suite.name + "' is already defined at " + it->second.where.str());

  const YAML::Node list = root["benchmarks"];
  if (!list || !list.IsSequence())
    throw InputError(list ? core::location_of(list, doc.file) : suite.where, "benchmarks",
                     "expected a list of benchmarks (names or maps)");
  for (std::size_t i = 0; i < list.size(); ++i) {
    const YAML::Node item = list[i];
    const SourceLocation where = core::location_of(item, doc.file);
    const std::string key = "benchmarks[" + std::to_string(i) + "]";
    if (item.IsScalar()) {
      suite.items.push_back({item.Scalar(), where});
      continue;
    }
    if (!item.IsMap())
      throw InputError(where, key,
                       "expected a benchmark name or a map (model, task, seq_len, phase)");
    const core::Config e = core::read_config(item, suite_entry_schema(), doc.file, key);
    EntryDef def;
    def.model = e.string("model");
    def.task = e.string("task");
    def.phase = e.string("phase");
    def.seq_len = e.integer("seq_len");
    def.trace = read_trace(e, doc.file, key);
    def.where = where;
    def.name = e.string("name");
    if (def.name.empty())
      def.name = def.model + "/" + def.task + (def.phase == "decode" ? "@decode" : "");
    if (const auto it = defs_.find(def.name); it != defs_.end())
      throw InputError(where, key,
                       "benchmark '" + def.name + "' is already defined at " +
                           it->second.where.str() +
                           "; refer to it by name or give this "
                           "one a distinct `name`");
    suite.items.push_back({def.name, where});
    defs_.emplace(def.name, std::move(def));
  }
  suites_.emplace(suite.name, std::move(suite));
}

void Catalog::read_file(const fs::path& file) {
  const core::YamlDocument doc = core::load_yaml_file(file.string());
  const YAML::Node& root = *doc.root;
  const YAML::Node kind = root.IsMap() ? root["kind"] : YAML::Node();
  if (!kind || !kind.IsScalar())
    throw InputError(core::location_of(root, doc.file), "kind",
                     "missing required parameter (one of: model, suite)");
  if (kind.Scalar() == "model") return read_model(doc);
  if (kind.Scalar() == "suite") return read_suite(doc);
  throw InputError(core::location_of(kind, doc.file), "kind",
                   "found '" + kind.Scalar() + "', expected one of: model, suite");
}

Benchmark Catalog::expand(const EntryDef& def) const {
  const auto mit = models_.find(def.model);
  if (mit == models_.end())
    throw InputError(def.where, "model", unknown_message("model", def.model, models_));
  const ModelShape& m = mit->second;
  Benchmark b;
  b.name = def.name;
  b.model = def.model;
  b.task = def.task;
  b.phase = def.phase;
  b.trace = def.trace;
  b.where = def.where;
  const bool decode = def.phase == "decode";
  if (m.tokens > 0) {
    if (def.seq_len != 0 && def.seq_len != m.tokens)
      throw InputError(def.where, "seq_len",
                       "model '" + m.name + "' has a fixed token count of " +
                           std::to_string(m.tokens) + "; found " + std::to_string(def.seq_len) +
                           " (leave it out)");
    if (decode)
      throw InputError(def.where, "phase",
                       "decode needs a causal model; '" + m.name + "' is bidirectional");
    b.seq_len = m.tokens;
  } else if (def.seq_len <= 0 && def.trace.kind == TraceKind::npy) {
    try {
      b.seq_len = static_cast<std::int64_t>(dump_key_tokens(def.trace.path));
    } catch (const InputError& e) {
      throw InputError(
          def.where, "seq_len",
          std::string("left out, so it is the key length of the npy dumps, but ") + e.what());
    }
  } else {
    if (def.seq_len <= 0)
      throw InputError(def.where, "seq_len",
                       "language model '" + m.name + "' needs a sequence length (integer >= 1)");
    b.seq_len = def.seq_len;
  }
  int first_layer = 0;
  for (const ModelStage& s : m.stages) {
    AttentionGroup g;
    g.layers = s.layers;
    g.q_heads = s.q_heads;
    g.kv_heads = s.kv_heads;
    g.head_dim = s.head_dim;
    g.keys = s.keys > 0 ? s.keys : b.seq_len;
    g.queries = decode ? 1 : (s.queries > 0 ? s.queries : b.seq_len);
    g.causal = m.causal();
    g.alibi_slope_max = m.alibi_slope_max();
    g.first_layer = first_layer;
    first_layer += s.layers;
    b.groups.push_back(g);
  }
  return b;
}

void Catalog::rebuild() {
  std::map<std::string, Benchmark, std::less<>> out;
  for (const auto& [name, def] : defs_) out.emplace(name, expand(def));
  // Derived decode forms of every causal prefill benchmark (unless defined explicitly).
  for (const auto& [name, def] : defs_) {
    if (def.phase != "prefill" || !models_.at(def.model).causal()) continue;
    const std::string decode_name = name + "@decode";
    if (out.count(decode_name)) continue;
    EntryDef d = def;
    d.name = decode_name;
    d.phase = "decode";
    out.emplace(decode_name, expand(d));
  }
  for (const auto& [sname, suite] : suites_)
    for (const auto& item : suite.items)
      if (!out.count(item.ref))
        throw InputError(item.where, "benchmarks",
                         unknown_message("benchmark", item.ref, out) + " in suite '" + sname + "'");
  benchmarks_ = std::move(out);
}

namespace {
std::vector<fs::path> yaml_files(const fs::path& dir) {
  std::vector<fs::path> out;
  if (!fs::is_directory(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir)) {
    const auto ext = e.path().extension();
    if (e.is_regular_file() && (ext == ".yaml" || ext == ".yml")) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());  // a deterministic order, independent of the file system
  return out;
}
}  // namespace

void Catalog::add_dir(const fs::path& dir) {
  if (!fs::is_directory(dir)) throw InputError({dir.string(), 0, 0}, "", "no such folder");
  if (!fs::is_directory(dir / "models") && !fs::is_directory(dir / "suites"))
    throw InputError({dir.string(), 0, 0}, "",
                     "folder has neither a models/ nor a suites/ subfolder");
  Catalog next = *this;  // strong guarantee: only a fully valid result replaces *this
  for (const auto& f : yaml_files(dir / "models"))
    next.read_model(core::load_yaml_file(f.string()));
  for (const auto& f : yaml_files(dir / "suites"))
    next.read_suite(core::load_yaml_file(f.string()));
  next.rebuild();
  *this = std::move(next);
}

void Catalog::add_file(const fs::path& file) {
  Catalog next = *this;
  next.read_file(file);
  next.rebuild();
  *this = std::move(next);
}

void Catalog::add(const fs::path& path) {
  if (fs::is_directory(path)) return add_dir(path);
  if (!fs::is_regular_file(path))
    throw InputError({path.string(), 0, 0}, "",
                     "no such file or folder (expected a model or suite YAML file, or a folder "
                     "with models/ and suites/)");
  add_file(path);
}

Catalog Catalog::load(const fs::path& dir) {
  Catalog c;
  c.add_dir(dir);
  return c;
}

Catalog Catalog::builtin() {
  return load(builtin_data_dir());
}

// ----------------------------------------------------------------------------------------------
// Queries

const Benchmark& Catalog::benchmark(std::string_view name) const {
  const auto it = benchmarks_.find(name);
  if (it == benchmarks_.end())
    throw InputError(unknown_message("benchmark", name, benchmarks_) +
                     "; `pade workloads list` shows all");
  return it->second;
}

const ModelShape& Catalog::model(std::string_view name) const {
  const auto it = models_.find(name);
  if (it == models_.end()) throw InputError(unknown_message("model", name, models_));
  return it->second;
}

std::vector<std::string> Catalog::suite(std::string_view name) const {
  const auto it = suites_.find(name);
  if (it == suites_.end()) throw InputError(unknown_message("suite", name, suites_));
  std::vector<std::string> out;
  for (const auto& item : it->second.items) out.push_back(item.ref);
  return out;
}

namespace {
template <typename Map>
std::vector<std::string> keys_of(const Map& m) {
  std::vector<std::string> out;
  out.reserve(m.size());
  for (const auto& [k, v] : m) out.push_back(k);
  return out;
}
}  // namespace

std::vector<std::string> Catalog::suite_names() const {
  return keys_of(suites_);
}
std::vector<std::string> Catalog::model_names() const {
  return keys_of(models_);
}
std::vector<std::string> Catalog::benchmark_names() const {
  return keys_of(benchmarks_);
}
bool Catalog::has_benchmark(std::string_view name) const {
  return benchmarks_.find(name) != benchmarks_.end();
}

// ----------------------------------------------------------------------------------------------
// JSON

namespace {
std::string json_number(double d) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", d);
  return buf;
}
}  // namespace

std::string benchmark_json(const Benchmark& b) {
  std::string out =
      "{\"name\": " + core::json_escape(b.name) + ", \"model\": " + core::json_escape(b.model) +
      ", \"task\": " + core::json_escape(b.task) + ", \"phase\": " + core::json_escape(b.phase) +
      ", \"seq_len\": " + std::to_string(b.seq_len) +
      ", \"total_pairs\": " + json_number(b.total_pairs()) + ", \"groups\": [";
  for (std::size_t i = 0; i < b.groups.size(); ++i) {
    const AttentionGroup& g = b.groups[i];
    out += std::string(i ? ", " : "") + "{\"first_layer\": " + std::to_string(g.first_layer) +
           ", \"layers\": " + std::to_string(g.layers) +
           ", \"q_heads\": " + std::to_string(g.q_heads) +
           ", \"kv_heads\": " + std::to_string(g.kv_heads) +
           ", \"head_dim\": " + std::to_string(g.head_dim) +
           ", \"queries\": " + std::to_string(g.queries) + ", \"keys\": " + std::to_string(g.keys) +
           ", \"causal\": " + (g.causal ? "true" : "false") +
           ", \"alibi_slope_max\": " + json_number(g.alibi_slope_max) + "}";
  }
  out += "], \"trace\": {\"kind\": " + core::json_escape(trace_kind_name(b.trace.kind));
  if (!b.trace.synthetic()) out += ", \"path\": " + core::json_escape(b.trace.path.string());
  return out + "}}";
}

std::string model_json(const ModelShape& m) {
  std::string out = "{\"name\": " + core::json_escape(m.name) +
                    ", \"family\": " + core::json_escape(m.family) +
                    ", \"attention\": " + core::json_escape(m.attention) +
                    ", \"position\": " + core::json_escape(m.position) +
                    ", \"layers\": " + std::to_string(m.layers) +
                    ", \"max_context\": " + std::to_string(m.max_context) +
                    ", \"tokens\": " + std::to_string(m.tokens) +
                    ", \"source\": " + core::json_escape(m.source) + ", \"stages\": [";
  for (std::size_t i = 0; i < m.stages.size(); ++i) {
    const ModelStage& s = m.stages[i];
    out += std::string(i ? ", " : "") + "{\"layers\": " + std::to_string(s.layers) +
           ", \"q_heads\": " + std::to_string(s.q_heads) +
           ", \"kv_heads\": " + std::to_string(s.kv_heads) +
           ", \"head_dim\": " + std::to_string(s.head_dim) +
           ", \"queries\": " + std::to_string(s.queries) + ", \"keys\": " + std::to_string(s.keys) +
           ", \"sr_ratio\": " + std::to_string(s.sr_ratio) + "}";
  }
  return out + "]}";
}

}  // namespace pade::workloads
