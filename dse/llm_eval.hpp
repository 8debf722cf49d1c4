#pragma once
// End-to-end effect of PADE attention on a real model (stories260K): teacher-forced perplexity
// over a text in windows of the model's context, with dense FP32 attention or with the bit-exact
// PADE functional model in place of every head's attention (the forward pass's attention hook).
#include <cstddef>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "models/functional.hpp"
#include "workloads/stories260k.hpp"

namespace pade::dse {

enum class LlmAttention { dense, pade, dense_quantized };

struct LlmEvalOptions {
  LlmAttention attention = LlmAttention::dense;
  double alpha = 0.5;
  double radius = 5.0;
  int bits = 8;
  std::size_t max_tokens = 0;  ///< text tokens to score (0 = all)
};

struct LlmEvalResult {
  std::size_t text_tokens = 0;  ///< tokens of the text that were scored
  std::size_t windows = 0;      ///< context windows (each starts with BOS)
  double mean_nll = 0.0;        ///< nats per scored token
  double perplexity = 0.0;
  double dense_mean_nll = 0.0;  ///< the dense FP32 reference on the same windows
  double dense_perplexity = 0.0;
  double agreement = 1.0;        ///< next-token argmax agreement with dense FP32
  models::FunctionalStats pade;  ///< PADE's counters over every hooked head (empty for dense)
};

/// Text of a file; `.gz` / `.dz` files are decompressed with `gzip -dc`. Throws InputError when
/// the file cannot be read.
[[nodiscard]] std::string read_text_file(const std::filesystem::path& path);

/// The attention hook running the PADE functional model on one query (Q and the cached K
/// quantized at opt.bits, BUI-GF guard, output of the survivors); adds its counters to `stats`
/// when given (the hook is called sequentially by the forward pass).
[[nodiscard]] workloads::AttentionFn pade_attention_hook(const models::FunctionalOptions& opt,
                                                         models::FunctionalStats* stats = nullptr);
/// Dense attention over INT-n quantized Q and K (no pruning): the reference PADE equals when
/// α·radius is huge.
[[nodiscard]] workloads::AttentionFn dense_quantized_hook(const models::FunctionalOptions& opt);

/// Encodes a long text in chunks of whole lines of about 4 KB (llama2.c's BPE merge loop is
/// quadratic in the text length, too slow for a 1 MB dictionary). Each chunk gets the tokenizer's
/// dummy-prefix space, as a new document would. Stops once `max_tokens` tokens (0 = all) exist.
[[nodiscard]] std::vector<workloads::TokenId> encode_text(const workloads::Tokenizer& tokenizer,
                                                          std::string_view text,
                                                          std::size_t max_tokens = 0);

/// Scores `tokens` (text tokens, without BOS) in windows of seq_len − 1 tokens, each preceded by
/// BOS, with the chosen attention and with dense FP32 as the reference.
[[nodiscard]] LlmEvalResult evaluate_text(const workloads::Llama2Model& model,
                                          std::span<const workloads::TokenId> tokens,
                                          const LlmEvalOptions& options);

}  // namespace pade::dse
