#pragma once
// The workload catalog: models and benchmark suites, shipped as YAML data (workloads/data/) so a
// user adds a model or a suite by writing a file, not code.
//
// A model file (`kind: model`) states public architecture facts. A suite file (`kind: suite`)
// lists benchmarks, either defined in place (model, task, sequence length, phase) or referenced by
// name. Every benchmark expands to the list of attention groups the hardware models consume: one
// group for a uniform LLM, one per stage for a pyramid vision model.
//
// Conventions the consumers rely on:
//  - A group's `queries` are the LAST `queries` token positions of its `keys` positions. For a
//    causal prefill queries == keys; a decode step is queries == 1 against keys == seq_len. With
//    this convention a causal mask is well defined for both, so `causal` keeps the model's value.
//  - Every LLM prefill benchmark `m/t` of a causal model has a derived decode form `m/t@decode`
//    (one new query per head against a KV cache of seq_len keys) unless a suite defines it itself.
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/enum_table.hpp"
#include "core/error.hpp"
#include "core/schema.hpp"

namespace pade::workloads {

/// One set of identically shaped attention layers of one benchmark.
struct AttentionGroup {
  int layers = 0;
  int q_heads = 0;
  int kv_heads = 0;  // q_heads / kv_heads query heads share one K/V head (GQA)
  int head_dim = 0;
  std::int64_t queries = 0;  // query rows per head
  std::int64_t keys = 0;     // key/value rows per head
  bool causal = true;
  double alibi_slope_max = 0.0;  // largest per-head ALiBi slope of the model; 0 = no ALiBi
  int first_layer = 0;           // index of this group's first layer in the whole model

  /// Query-key pairs one head evaluates, respecting the causal mask (queries are the last
  /// positions, see the file comment).
  [[nodiscard]] double pairs_per_head() const;
  /// pairs_per_head() summed over every head of every layer of the group.
  [[nodiscard]] double total_pairs() const { return pairs_per_head() * layers * q_heads; }
};

/// One stage of a model: a run of layers with one attention shape. `queries`/`keys` are 0 when
/// the shape comes from the benchmark's sequence length (LLMs), fixed for vision models.
struct ModelStage {
  int layers = 0;
  int q_heads = 0;
  int kv_heads = 0;
  int head_dim = 0;
  std::int64_t queries = 0;
  std::int64_t keys = 0;
  int sr_ratio = 1;  // spatial-reduction ratio per side (PVT); 1 = none
};

struct ModelShape {
  std::string name;
  std::string family;            // llama | opt | bloom | qwen | vit | pvt (selects generator knobs)
  std::string attention;         // causal | bidirectional
  std::string position;          // rope | learned | alibi | none
  int layers = 0;                // total over stages
  std::int64_t max_context = 0;  // tokens the model was trained for (LLMs) or its token count
  std::int64_t tokens = 0;       // fixed token count of a vision model; 0 for LLMs
  std::string source;            // where the architecture facts come from
  std::vector<ModelStage> stages;
  core::SourceLocation where;

  [[nodiscard]] bool causal() const { return attention == "causal"; }
  /// Largest ALiBi slope (2^(-8/n) for n heads, rounded to the closest power of two below, as
  /// BLOOM does); 0 unless position == alibi.
  [[nodiscard]] double alibi_slope_max() const;
};

/// Where a benchmark's Q/K/V come from: the synthetic generator (the default), a folder of .npy
/// dumps (workloads/npy.hpp names the files), or the stories260K model run over a text. Read
/// from a suite entry's `trace` map; workloads/trace.hpp turns it into a TraceSource.
enum class TraceKind { synthetic, npy, stories260k };
/// The only list of trace-kind names: the suite schema's `trace.kind` choices, the reference and
/// every printed kind come from it.
inline constexpr core::EnumTable kTraceKindNames{std::to_array<core::EnumName<TraceKind>>({
    {TraceKind::synthetic, "synthetic"},
    {TraceKind::npy, "npy"},
    {TraceKind::stories260k, "stories260k"},
})};
constexpr const auto& enum_table(TraceKind) {
  return kTraceKindNames;
}

[[nodiscard]] std::string_view trace_kind_name(TraceKind kind);

struct TraceSpec {
  TraceKind kind = TraceKind::synthetic;
  /// npy: the dump folder; stories260k: the text file. Absolute (a relative path in the YAML file
  /// resolves against the file's folder).
  std::filesystem::path path;

  [[nodiscard]] bool synthetic() const { return kind == TraceKind::synthetic; }
  /// "synthetic", "npy folder /abs/dumps", "stories260k over /abs/text.txt".
  [[nodiscard]] std::string describe() const;
};

struct Benchmark {
  std::string name;  // "llama2-7b/mmlu", "llama2-7b/mmlu@decode"
  std::string model;
  std::string task;
  std::string phase;  // prefill | decode
  std::int64_t seq_len = 0;
  std::vector<AttentionGroup> groups;
  TraceSpec trace;
  core::SourceLocation where;

  /// Query-key pairs of one inference pass over all groups, respecting the causal mask.
  [[nodiscard]] double total_pairs() const;
  [[nodiscard]] int total_layers() const;
  [[nodiscard]] bool is_decode() const { return phase == "decode"; }
};

/// The schemas of the two data-file kinds (`pade validate --explain` prints them), and of the
/// list items inside them.
[[nodiscard]] const core::Schema& model_schema();
[[nodiscard]] const core::Schema& model_stage_schema();
[[nodiscard]] const core::Schema& suite_schema();
[[nodiscard]] const core::Schema& suite_entry_schema();

/// The folder holding the shipped models/, suites/ and generator.yaml.
[[nodiscard]] std::filesystem::path builtin_data_dir();

class Catalog {
 public:
  /// The shipped models and suites.
  [[nodiscard]] static Catalog builtin();
  /// A user folder with models/ and suites/ subfolders (either may be missing).
  [[nodiscard]] static Catalog load(const std::filesystem::path& dir);
  /// Add a user folder on top of what is loaded. Names must not collide with loaded ones. On error
  /// the catalog is left unchanged.
  void add_dir(const std::filesystem::path& dir);
  /// Add one model or suite file (its `kind` decides). Same guarantees as add_dir.
  void add_file(const std::filesystem::path& file);
  /// add_dir for a folder, add_file for a file; InputError when `path` does not exist.
  void add(const std::filesystem::path& path);

  /// Throws InputError (with a did-you-mean suggestion) for unknown names.
  [[nodiscard]] const Benchmark& benchmark(std::string_view name) const;
  [[nodiscard]] const ModelShape& model(std::string_view name) const;
  [[nodiscard]] std::vector<std::string> suite(std::string_view name) const;

  [[nodiscard]] std::vector<std::string> suite_names() const;
  [[nodiscard]] std::vector<std::string> model_names() const;
  [[nodiscard]] std::vector<std::string> benchmark_names() const;
  [[nodiscard]] bool has_benchmark(std::string_view name) const;

 private:
  // What a suite file said, kept raw so the catalog can be re-expanded when files are added.
  struct EntryDef {
    std::string name;  // explicit or derived
    std::string model;
    std::string task;
    std::string phase;
    std::int64_t seq_len = 0;  // 0 = the model's token count (vision) or the dump's length
    TraceSpec trace;
    core::SourceLocation where;
  };
  struct SuiteItem {
    std::string ref;  // benchmark name (a definition's name or a reference)
    core::SourceLocation where;
  };
  struct SuiteDef {
    std::string name;
    std::string description;
    std::vector<SuiteItem> items;
    core::SourceLocation where;
  };

  void read_file(const std::filesystem::path& file);
  void read_model(const core::YamlDocument& doc);
  void read_suite(const core::YamlDocument& doc);
  /// Expand definitions into benchmarks and check every suite reference.
  void rebuild();
  [[nodiscard]] Benchmark expand(const EntryDef& def) const;

  std::map<std::string, ModelShape, std::less<>> models_;
  std::map<std::string, EntryDef, std::less<>> defs_;
  std::map<std::string, SuiteDef, std::less<>> suites_;
  std::map<std::string, Benchmark, std::less<>> benchmarks_;
};

/// One benchmark as a JSON object (for `pade workloads show NAME --format json`).
[[nodiscard]] std::string benchmark_json(const Benchmark& b);
/// One model as a JSON object.
[[nodiscard]] std::string model_json(const ModelShape& m);

}  // namespace pade::workloads
