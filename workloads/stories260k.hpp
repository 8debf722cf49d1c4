#pragma once
// A Llama-2 forward pass for llama2.c "legacy" checkpoints, used with the stories260K model in
// shared/data/stories260K: real Q/K/V on real text, and a hook that lets another attention
// (PADE's) replace dense attention inside the model to measure its end-to-end effect.
//
// Architecture: RMSNorm (eps 1e-5) before attention and FFN, SwiGLU FFN, RoPE on (even, odd)
// pairs inside each head with angle pos * 10000^(-i/head_dim), grouped-query attention (query head
// h reads KV head h / (n_heads / n_kv_heads)), causal, scores scaled by 1/sqrt(head_dim), KV
// cache. One token per step. The arithmetic is float32 in a fixed order so that results are
// reproducible bit-for-bit (greedy decoding matches greedy256.txt exactly).
#include <cstddef>
#include <filesystem>
#include <functional>
#include <span>
#include <vector>

#include "core/tensor.hpp"
#include "workloads/tokenizer.hpp"

namespace pade::workloads {

/// The 7-int32 header of a llama2.c checkpoint, validated.
struct Llama2Config {
  std::size_t dim = 0;
  std::size_t hidden_dim = 0;
  std::size_t n_layers = 0;
  std::size_t n_heads = 0;
  std::size_t n_kv_heads = 0;
  std::size_t vocab_size = 0;
  std::size_t seq_len = 0;
  bool shared_classifier = true;  // a positive vocab_size in the file: logits use tok_emb

  [[nodiscard]] std::size_t head_dim() const { return dim / n_heads; }
  [[nodiscard]] std::size_t kv_dim() const { return n_kv_heads * head_dim(); }
  /// Query heads per KV head.
  [[nodiscard]] std::size_t group() const { return n_heads / n_kv_heads; }
};

/// Everything an attention replacement sees for one (layer, query head) at one position.
/// k and v hold exactly the cached rows 0..position of the KV head this query head reads,
/// post-RoPE (keys) — i.e. causality is already applied by what is passed.
struct AttentionQuery {
  std::size_t layer = 0;
  std::size_t head = 0;     // query head
  std::size_t kv_head = 0;  // head / group
  std::size_t position = 0;
  std::span<const float> q;  // post-RoPE, head_dim values
  const core::Matrix& k;     // (position + 1) x head_dim
  const core::Matrix& v;     // (position + 1) x head_dim
};

/// Writes the attention output (head_dim values) for one query into `out`.
using AttentionFn = std::function<void(const AttentionQuery& query, std::span<float> out)>;

/// Dense softmax attention over rows 0..min(k.rows() - 1, position) of k/v; bit-identical to the
/// forward pass's built-in attention, so `InferenceSession(model, dense_attention)` reproduces
/// the default path exactly (which makes it the reference for any replacement).
void dense_attention(const AttentionQuery& query, std::span<float> out);

class Llama2Model {
 public:
  /// Reads a legacy llama2.c checkpoint. Throws core::InputError naming the file if the header
  /// is inconsistent or the file size does not match what the header implies.
  static Llama2Model load(const std::filesystem::path& checkpoint);

  [[nodiscard]] const Llama2Config& config() const { return config_; }

 private:
  friend class InferenceSession;
  Llama2Model() = default;

  Llama2Config config_;
  // Matrices are [out][in] row-major, per layer concatenated, as in the file.
  std::vector<float> tok_emb_, rms_att_, wq_, wk_, wv_, wo_, rms_ffn_, w1_, w2_, w3_, rms_final_,
      wcls_;
};

/// One decoding run: owns the KV cache and scratch buffers; the model must outlive it.
class InferenceSession {
 public:
  /// `attention` replaces dense attention for every (layer, query head) when set.
  explicit InferenceSession(const Llama2Model& model, AttentionFn attention = {});

  /// Runs `token` at position() and advances; returns the logits (valid until the next call).
  /// Throws core::InputError when the context (seq_len) is full or the token id is invalid.
  std::span<const float> forward(TokenId token);

  [[nodiscard]] std::size_t position() const { return pos_; }
  /// Forgets the cached keys/values: the next forward runs at position 0.
  void reset() { pos_ = 0; }

 private:
  void attention_layer(std::size_t layer);

  const Llama2Model* model_;
  AttentionFn attention_;
  std::size_t pos_ = 0;
  // KV cache laid out [layer][kv_head][position][head_dim] so that one KV head's rows 0..pos are
  // contiguous and can be handed to an attention replacement without gathering.
  std::vector<float> key_cache_, value_cache_;
  std::vector<float> x_, xb_, xb2_, hb_, hb2_, q_, k_, v_, scores_, logits_;
};

/// Greedy (argmax) decoding from BOS for at most `steps` positions, stopping early when the model
/// produces BOS (as llama2.c's run does). Returns the generated tokens, without the leading BOS.
[[nodiscard]] std::vector<TokenId> generate_greedy(const Llama2Model& model, std::size_t steps,
                                                   const AttentionFn& attention = {});

/// Post-RoPE Q/K/V of every (layer, query head) over a token sequence, from the dense path.
struct ModelTrace {
  std::size_t n_layers = 0;
  std::size_t n_heads = 0;
  std::size_t n_kv_heads = 0;
  /// heads[layer * n_heads + head]: q = all positions (tokens x head_dim), k/v = the KV head this
  /// query head reads, query_positions = 0..tokens-1, causal = true.
  std::vector<core::AttentionHead> heads;

  [[nodiscard]] const core::AttentionHead& at(std::size_t layer, std::size_t head) const {
    return heads.at(layer * n_heads + head);
  }
};

[[nodiscard]] ModelTrace trace_attention(const Llama2Model& model, std::span<const TokenId> tokens);

/// Teacher-forced next-token evaluation of a token sequence (at least two tokens).
struct Evaluation {
  double mean_nll = 0.0;             // mean -ln p(tokens[t+1] | tokens[0..t]), nats
  double perplexity = 0.0;           // exp(mean_nll)
  std::size_t scored_tokens = 0;     // tokens.size() - 1
  std::vector<TokenId> predictions;  // predictions[t] = argmax of the logits after tokens[t]
};

[[nodiscard]] Evaluation evaluate(const Llama2Model& model, std::span<const TokenId> tokens,
                                  const AttentionFn& attention = {});

/// Fraction of positions where two prediction sequences agree (over the shorter length).
[[nodiscard]] double prediction_agreement(std::span<const TokenId> a, std::span<const TokenId> b);

/// Index of the largest logit (the first one on ties).
[[nodiscard]] TokenId argmax(std::span<const float> logits);

/// The stories260K model and its tokenizer, read from `dir` (default: PADE_SHARED_DIR
/// "/data/stories260K", holding stories260K.bin and tok512.bin).
struct Stories260K {
  Llama2Model model;
  Tokenizer tokenizer;

  [[nodiscard]] static std::filesystem::path default_dir();
  [[nodiscard]] static Stories260K load(const std::filesystem::path& dir = default_dir());
};

}  // namespace pade::workloads
