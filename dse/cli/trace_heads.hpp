#pragma once
// The heads `pade trace dump` and `pade workloads stats` read, from any trace source: a catalog
// benchmark (the generator, or a suite entry's .npy folder or stories260K text), a .npy dump
// folder given directly, or the stories260K model run over a text or over token ids (which can
// hold a BOS in the middle). One place parses these options so both verbs accept the same ones.
#include <CLI/CLI.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/tensor.hpp"
#include "dse/stats_cache.hpp"
#include "models/functional.hpp"
#include "workloads/tokenizer.hpp"

namespace pade::dse::cli {

struct TraceSourceArgs {
  std::string benchmark;               ///< a catalog benchmark (its `trace` picks the source)
  std::vector<std::string> workloads;  ///< extra model/suite files for --benchmark
  std::string npy;                     ///< a dump folder (layer{L}_{q,k,v}.npy)
  std::string text;                    ///< stories260K over BOS + this text
  std::string tokens;                  ///< stories260K over these token ids (.npy or text)
  std::size_t max_tokens = 511;        ///< text tokens after BOS (--text)
  std::uint64_t seed = 1;              ///< the generator's seed (synthetic benchmarks)
  std::string config;                  ///< hardware YAML: the algorithm knobs (empty: defaults)
};

/// Adds the options above to `cmd` (the source options are mutually exclusive; one is required).
void add_trace_source_options(CLI::App* cmd, TraceSourceArgs& args);

/// The (layer, head) grid of an opened trace source and a way to produce each head.
struct TraceHeads {
  struct Layer {
    std::size_t heads = 0;    ///< query heads
    std::size_t queries = 0;  ///< query rows per head
  };
  std::string describe;                    ///< e.g. "benchmark llama2-7b/mmlu (synthetic)"
  std::vector<Layer> layers;               ///< layers numbered 0.. across the model
  std::vector<workloads::TokenId> tokens;  ///< stories260K sources: the traced token ids
  /// The query rows `rows` (ascending indices among the layer's queries) of (layer, head): Q, K,
  /// V, positions, mask and bias.
  std::function<core::AttentionHead(std::size_t layer, std::size_t head,
                                    const std::vector<std::size_t>& rows)>
      head;

  /// Throws core::InputError naming the option when (layer, head) is outside the grid.
  void check(std::size_t layer, std::size_t head) const;
  /// At most `max_rows` of the layer's query rows (0: all), in blocks of `block` consecutive rows
  /// whose starts are spread evenly (a block is one hardware query group).
  [[nodiscard]] std::vector<std::size_t> rows(std::size_t layer, std::size_t max_rows,
                                              std::size_t block) const;
};

/// Opens the source the options name; core::InputError on a bad option, file or name.
[[nodiscard]] TraceHeads open_trace_heads(const TraceSourceArgs& args);

/// The algorithm knobs of the configuration (--config, else the defaults); the functional model
/// runs them as the statistics source does (dse::functional_options).
[[nodiscard]] AlgorithmPoint trace_algorithm_point(const TraceSourceArgs& args);

}  // namespace pade::dse::cli
