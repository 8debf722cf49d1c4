#pragma once
// Trace sources: the Q/K/V of a benchmark's sampled heads, whatever produces them. The digest
// (models/digest.hpp) asks a TraceSource for each head of the sampling plan and never knows which
// kind it is:
//  - SyntheticTrace: the calibrated generator (workloads/generator.hpp), the default;
//  - NpyTrace: a folder of .npy dumps (naming and layout in workloads/npy.hpp), read slice by
//    slice: one sampled head costs its query rows plus one K and one V head, never a whole file;
//  - ModelTraceSource: heads computed by a real model's forward pass (stories260K).
// A benchmark's `trace` (TraceSpec, from its suite entry) says which one; trace_identity() names
// the data its statistics rest on, so a statistics cache never reuses a digest of other data.
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

#include "core/tensor.hpp"
#include "workloads/catalog.hpp"
#include "workloads/generator.hpp"
#include "workloads/sampling.hpp"
#include "workloads/stories260k.hpp"

namespace pade::workloads {

class TraceSource {
 public:
  TraceSource() = default;
  TraceSource(const TraceSource&) = delete;
  TraceSource& operator=(const TraceSource&) = delete;
  virtual ~TraceSource() = default;

  /// Throws core::InputError naming the file (or source) and what was expected when a head of
  /// `samples` cannot be produced: a missing file, a shape that disagrees with the benchmark's
  /// model. Cheap (headers only); the digest calls it before simulating anything.
  virtual void check(std::span<const HeadSample> samples) const = 0;
  /// Q/K/V of one sampled head: the query rows `sample.rows` (indices among the group's queries,
  /// which are the last `queries` positions of its `keys`), all keys and values, the causal flag
  /// and ALiBi slope of the group. Thread-safe.
  [[nodiscard]] virtual core::AttentionHead head(const HeadSample& sample) const = 0;
};

/// The synthetic generator (the default source). `benchmark` and `knobs` must outlive it.
class SyntheticTrace final : public TraceSource {
 public:
  SyntheticTrace(const Benchmark& benchmark, const GeneratorKnobs& knobs, std::uint64_t seed)
      : benchmark_(benchmark), knobs_(knobs), seed_(seed) {}
  void check(std::span<const HeadSample> samples) const override;
  [[nodiscard]] core::AttentionHead head(const HeadSample& sample) const override;

 private:
  const Benchmark& benchmark_;
  const GeneratorKnobs& knobs_;
  std::uint64_t seed_;
};

/// A folder of .npy dumps. Layer l of group g is file layer{first_layer + l}; its shapes must be
///   Q [q_heads, T_q, head_dim] with T_q = the group's queries, or = its keys (a prefill dump
///     serving the decode form or another tail: the last `queries` rows are used),
///   K, V [kv_heads, keys, head_dim]
/// (a rank-2 file is one head). `benchmark` must outlive the source.
class NpyTrace final : public TraceSource {
 public:
  NpyTrace(const Benchmark& benchmark, std::filesystem::path folder);
  void check(std::span<const HeadSample> samples) const override;
  [[nodiscard]] core::AttentionHead head(const HeadSample& sample) const override;

 private:
  const Benchmark& benchmark_;
  std::filesystem::path folder_;
};

/// The attention shape a real model's forward pass produces.
struct ModelTraceShape {
  std::size_t layers = 0;
  std::size_t q_heads = 0;
  std::size_t kv_heads = 0;
  std::size_t head_dim = 0;
  std::size_t tokens = 0;
  bool causal = true;

  [[nodiscard]] static ModelTraceShape of(const ModelTrace& trace);
  /// The shape of `config`'s forward pass over `tokens` tokens (no forward pass needed).
  [[nodiscard]] static ModelTraceShape of(const Llama2Config& config, std::size_t tokens);
};

/// Throws InputError (naming `what`, the source) unless `benchmark` has exactly that shape: one
/// group with the model's layers, query heads, KV heads, head_dim, tokens and causality.
void check_model_shape(const Benchmark& benchmark, const ModelTraceShape& shape,
                       const std::string& what);

/// Heads of a real model's forward pass over one token sequence (ModelTrace: every position of
/// every layer and query head). The benchmark's shape must match the model's (check_model_shape):
/// one causal group (layers, q_heads, kv_heads, head_dim) and seq_len = the traced tokens.
/// `benchmark` must outlive the source.
class ModelTraceSource final : public TraceSource {
 public:
  ModelTraceSource(const Benchmark& benchmark, ModelTrace trace, std::string what);
  void check(std::span<const HeadSample> samples) const override;
  [[nodiscard]] core::AttentionHead head(const HeadSample& sample) const override;

 private:
  const Benchmark& benchmark_;
  ModelTrace trace_;
  std::string what_;  // names the source in error messages
};

/// The identity of the data a benchmark's statistics rest on (part of every statistics-cache
/// key): a hash of the benchmark's shapes, plus
///  - for a synthetic trace, the generator version (kGeneratorVersion), the family of `knobs` and
///    the content hash of its knob values (GeneratorKnobs::values_hash): `knobs` are the generator
///    knobs of the benchmark's model family; nullptr when the statistics do not come from the
///    generator (then the identity is the shapes only);
///  - for an npy trace, a content hash of every dump file (names, headers and data: a changed,
///    added or removed file changes it);
///  - for a stories260k trace, a content hash of the text and of the model's checkpoint and
///    tokenizer.
/// Reads every byte of a dump folder (about 1 s per GB); callers keep the result.
[[nodiscard]] std::string trace_identity(const Benchmark& benchmark, const GeneratorKnobs* knobs);

}  // namespace pade::workloads
