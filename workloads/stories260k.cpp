#include "workloads/stories260k.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>

#include "core/error.hpp"
#include "core/file_io.hpp"

namespace pade::workloads {

namespace {

// The arithmetic below deliberately mirrors the reference float32 order of operations (sequential
// dot products, division by sqrt(head_dim), expf-based softmax and SiLU): greedy decoding must
// reproduce greedy256.txt byte for byte, and a one-ulp difference can flip an argmax.

[[noreturn]] void fail(const std::filesystem::path& file, const std::string& key,
                       const std::string& message) {
  throw core::InputError(core::SourceLocation{file.string(), 0, 0}, key, message);
}

/// out[r] = sum_c w[r][c] * in[c], w row-major rows x cols.
void matvec(std::span<float> out, std::span<const float> w, std::span<const float> in) {
  const std::size_t cols = in.size();
  for (std::size_t r = 0; r < out.size(); ++r) {
    const float* row = w.data() + r * cols;
    float acc = 0.0f;
    for (std::size_t c = 0; c < cols; ++c) acc += row[c] * in[c];
    out[r] = acc;
  }
}

void rmsnorm(std::span<float> out, std::span<const float> x, std::span<const float> weight) {
  float ss = 0.0f;
  for (const float v : x) ss += v * v;
  ss /= static_cast<float>(x.size());
  ss += 1e-5f;
  ss = 1.0f / std::sqrt(ss);
  for (std::size_t i = 0; i < x.size(); ++i) out[i] = weight[i] * (ss * x[i]);
}

void softmax(std::span<float> x) {
  const float max = *std::max_element(x.begin(), x.end());
  float sum = 0.0f;
  for (float& v : x) {
    v = std::exp(v - max);
    sum += v;
  }
  for (float& v : x) v /= sum;
}

/// Rotates (even, odd) pairs of every head in `vec` by pos * 10000^(-i/head_dim).
void rope(std::span<float> vec, std::size_t head_dim, std::size_t pos) {
  for (std::size_t i = 0; i < vec.size(); i += 2) {
    const auto i_in_head = static_cast<float>(i % head_dim);
    const float freq = 1.0f / std::pow(10000.0f, i_in_head / static_cast<float>(head_dim));
    const float angle = static_cast<float>(pos) * freq;
    const float c = std::cos(angle), s = std::sin(angle);
    const float v0 = vec[i], v1 = vec[i + 1];
    vec[i] = v0 * c - v1 * s;
    vec[i + 1] = v0 * s + v1 * c;
  }
}

/// Softmax attention of one query over `rows` contiguous key/value rows. The one dense kernel
/// both the built-in path and dense_attention use, hence their bit-identical results.
void attend(std::span<const float> q, const float* keys, const float* values, std::size_t rows,
            std::span<float> out, std::span<float> scores) {
  const std::size_t d = q.size();
  const float norm = std::sqrt(static_cast<float>(d));
  for (std::size_t t = 0; t < rows; ++t) {
    const float* k = keys + t * d;
    float s = 0.0f;
    for (std::size_t i = 0; i < d; ++i) s += q[i] * k[i];
    scores[t] = s / norm;
  }
  softmax(scores.first(rows));
  std::fill(out.begin(), out.end(), 0.0f);
  for (std::size_t t = 0; t < rows; ++t) {
    const float* v = values + t * out.size();
    const float a = scores[t];
    for (std::size_t i = 0; i < out.size(); ++i) out[i] += a * v[i];
  }
}

std::vector<float> read_all_floats(const std::filesystem::path& path, std::int32_t (&header)[7]) {
  core::require_regular_file(path, "checkpoint");  // a FIFO would block the read forever
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, "", "cannot open checkpoint for reading");
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.size() < sizeof header)
    fail(path, "",
         "file has " + std::to_string(bytes.size()) +
             " bytes, expected at least the 28-byte header of 7 int32");
  std::memcpy(header, bytes.data(), sizeof header);
  if ((bytes.size() - sizeof header) % 4 != 0)
    fail(path, "",
         "file size " + std::to_string(bytes.size()) +
             " is not 28 + a multiple of 4 (a header followed by float32 tensors)");
  std::vector<float> floats((bytes.size() - sizeof header) / 4);
  if (!floats.empty()) std::memcpy(floats.data(), bytes.data() + sizeof header, floats.size() * 4);
  return floats;
}

}  // namespace

void dense_attention(const AttentionQuery& query, std::span<float> out) {
  const std::size_t rows = std::min(query.k.rows(), query.position + 1);
  if (query.v.rows() < rows || query.k.cols() != query.q.size() || query.v.cols() != out.size())
    throw std::invalid_argument("dense_attention: q/k/v/out shapes do not agree");
  std::vector<float> scores(rows);
  attend(query.q, query.k.data().data(), query.v.data().data(), rows, out, scores);
}

Llama2Model Llama2Model::load(const std::filesystem::path& checkpoint) {
  std::int32_t h[7] = {};
  const std::vector<float> floats = read_all_floats(checkpoint, h);
  const char* names[7] = {"dim",        "hidden_dim", "n_layers", "n_heads",
                          "n_kv_heads", "vocab_size", "seq_len"};
  for (int i = 0; i < 7; ++i) {
    const std::int32_t v = (i == 5) ? std::abs(h[i]) : h[i];  // vocab_size's sign is a flag
    if (v <= 0 || v > (1 << 24))
      fail(checkpoint, std::string("header.") + names[i],
           "found " + std::to_string(h[i]) + ", expected a positive value below 2^24");
  }
  Llama2Model m;
  Llama2Config& c = m.config_;
  c.dim = static_cast<std::size_t>(h[0]);
  c.hidden_dim = static_cast<std::size_t>(h[1]);
  c.n_layers = static_cast<std::size_t>(h[2]);
  c.n_heads = static_cast<std::size_t>(h[3]);
  c.n_kv_heads = static_cast<std::size_t>(h[4]);
  c.shared_classifier = h[5] > 0;
  c.vocab_size = static_cast<std::size_t>(std::abs(h[5]));
  c.seq_len = static_cast<std::size_t>(h[6]);
  if (c.dim % c.n_heads != 0 || c.head_dim() % 2 != 0)
    fail(checkpoint, "header.n_heads",
         "dim " + std::to_string(c.dim) + " / n_heads " + std::to_string(c.n_heads) +
             " must be an even integer head_dim (RoPE rotates pairs)");
  if (c.n_kv_heads > c.n_heads || c.n_heads % c.n_kv_heads != 0)
    fail(checkpoint, "header.n_kv_heads",
         "found " + std::to_string(c.n_kv_heads) +
             ", expected a divisor of n_heads = " + std::to_string(c.n_heads));

  const std::size_t L = c.n_layers, d = c.dim, kv = c.kv_dim(), hid = c.hidden_dim;
  // Tensors in file order; the old RoPE tables (seq_len * head_dim floats) are skipped.
  struct Slot {
    std::vector<float>* dst;
    std::size_t count;
  };
  const Slot slots[] = {{&m.tok_emb_, c.vocab_size * d},
                        {&m.rms_att_, L * d},
                        {&m.wq_, L * d * d},
                        {&m.wk_, L * kv * d},
                        {&m.wv_, L * kv * d},
                        {&m.wo_, L * d * d},
                        {&m.rms_ffn_, L * d},
                        {&m.w1_, L * hid * d},
                        {&m.w2_, L * d * hid},
                        {&m.w3_, L * hid * d},
                        {&m.rms_final_, d},
                        {nullptr, c.seq_len * c.head_dim()},
                        {&m.wcls_, c.shared_classifier ? 0 : c.vocab_size * d}};
  std::size_t expected = 0;
  for (const Slot& s : slots) expected += s.count;
  if (floats.size() != expected)
    fail(checkpoint, "",
         "file has " + std::to_string(28 + 4 * floats.size()) + " bytes but its header (dim=" +
             std::to_string(c.dim) + ", hidden_dim=" + std::to_string(c.hidden_dim) +
             ", n_layers=" + std::to_string(c.n_layers) + ", n_heads=" + std::to_string(c.n_heads) +
             ", n_kv_heads=" + std::to_string(c.n_kv_heads) +
             ", vocab_size=" + std::to_string(h[5]) + ", seq_len=" + std::to_string(c.seq_len) +
             ") implies " + std::to_string(28 + 4 * expected));
  std::size_t at = 0;
  for (const Slot& s : slots) {
    if (s.dst != nullptr)
      s.dst->assign(floats.begin() + static_cast<std::ptrdiff_t>(at),
                    floats.begin() + static_cast<std::ptrdiff_t>(at + s.count));
    at += s.count;
  }
  if (c.shared_classifier) m.wcls_ = m.tok_emb_;
  return m;
}

InferenceSession::InferenceSession(const Llama2Model& model, AttentionFn attention)
    : model_(&model), attention_(std::move(attention)) {
  const Llama2Config& c = model.config();
  const std::size_t cache = c.n_layers * c.n_kv_heads * c.seq_len * c.head_dim();
  key_cache_.assign(cache, 0.0f);
  value_cache_.assign(cache, 0.0f);
  x_.assign(c.dim, 0.0f);
  xb_.assign(c.dim, 0.0f);
  xb2_.assign(c.dim, 0.0f);
  q_.assign(c.dim, 0.0f);
  k_.assign(c.kv_dim(), 0.0f);
  v_.assign(c.kv_dim(), 0.0f);
  hb_.assign(c.hidden_dim, 0.0f);
  hb2_.assign(c.hidden_dim, 0.0f);
  scores_.assign(c.seq_len, 0.0f);
  logits_.assign(c.vocab_size, 0.0f);
}

void InferenceSession::attention_layer(std::size_t layer) {
  const Llama2Config& c = model_->config();
  const std::size_t hd = c.head_dim(), rows = pos_ + 1;
  const std::size_t head_block = c.seq_len * hd;  // one KV head's cache
  for (std::size_t g = 0; g < c.n_kv_heads; ++g) {
    const std::size_t base = (layer * c.n_kv_heads + g) * head_block;
    const float* keys = key_cache_.data() + base;
    const float* values = value_cache_.data() + base;
    if (!attention_) {
      for (std::size_t j = 0; j < c.group(); ++j) {
        const std::size_t h = g * c.group() + j;
        attend(std::span<const float>(q_).subspan(h * hd, hd), keys, values, rows,
               std::span<float>(xb_).subspan(h * hd, hd), scores_);
      }
      continue;
    }
    // The replacement gets the KV head as matrices; both query heads of the group share them.
    const core::Matrix k(rows, hd, std::vector<float>(keys, keys + rows * hd));
    const core::Matrix v(rows, hd, std::vector<float>(values, values + rows * hd));
    for (std::size_t j = 0; j < c.group(); ++j) {
      const std::size_t h = g * c.group() + j;
      const AttentionQuery query{layer, h, g, pos_, std::span<const float>(q_).subspan(h * hd, hd),
                                 k,     v};
      attention_(query, std::span<float>(xb_).subspan(h * hd, hd));
    }
  }
}

std::span<const float> InferenceSession::forward(TokenId token) {
  const Llama2Model& m = *model_;
  const Llama2Config& c = m.config();
  if (pos_ >= c.seq_len)
    throw core::InputError("position " + std::to_string(pos_) +
                           " is beyond the model's context of " + std::to_string(c.seq_len) +
                           " tokens");
  if (token < 0 || static_cast<std::size_t>(token) >= c.vocab_size)
    throw core::InputError("token id " + std::to_string(token) + " is outside the vocabulary of " +
                           std::to_string(c.vocab_size));
  const std::size_t d = c.dim, kv = c.kv_dim(), hd = c.head_dim(), hid = c.hidden_dim;
  const auto slice = [](const std::vector<float>& w, std::size_t index, std::size_t size) {
    return std::span<const float>(w).subspan(index * size, size);
  };

  std::copy_n(m.tok_emb_.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(token) * d),
              d, x_.begin());
  for (std::size_t l = 0; l < c.n_layers; ++l) {
    rmsnorm(xb_, x_, slice(m.rms_att_, l, d));
    matvec(q_, slice(m.wq_, l, d * d), xb_);
    matvec(k_, slice(m.wk_, l, kv * d), xb_);
    matvec(v_, slice(m.wv_, l, kv * d), xb_);
    rope(q_, hd, pos_);
    rope(k_, hd, pos_);
    for (std::size_t g = 0; g < c.n_kv_heads; ++g) {
      const std::size_t row = ((l * c.n_kv_heads + g) * c.seq_len + pos_) * hd;
      std::copy_n(k_.begin() + static_cast<std::ptrdiff_t>(g * hd), hd,
                  key_cache_.begin() + static_cast<std::ptrdiff_t>(row));
      std::copy_n(v_.begin() + static_cast<std::ptrdiff_t>(g * hd), hd,
                  value_cache_.begin() + static_cast<std::ptrdiff_t>(row));
    }
    attention_layer(l);  // xb_ <- concatenated head outputs
    matvec(xb2_, slice(m.wo_, l, d * d), xb_);
    for (std::size_t i = 0; i < d; ++i) x_[i] += xb2_[i];

    rmsnorm(xb_, x_, slice(m.rms_ffn_, l, d));
    matvec(hb_, slice(m.w1_, l, hid * d), xb_);
    matvec(hb2_, slice(m.w3_, l, hid * d), xb_);
    for (std::size_t i = 0; i < hid; ++i) {
      const float a = hb_[i];
      hb_[i] = a * (1.0f / (1.0f + std::exp(-a))) * hb2_[i];  // SwiGLU: silu(w1 x) * (w3 x)
    }
    matvec(xb_, slice(m.w2_, l, d * hid), hb_);
    for (std::size_t i = 0; i < d; ++i) x_[i] += xb_[i];
  }
  rmsnorm(x_, x_, m.rms_final_);
  matvec(logits_, m.wcls_, x_);
  ++pos_;
  return logits_;
}

TokenId argmax(std::span<const float> logits) {
  return static_cast<TokenId>(std::max_element(logits.begin(), logits.end()) - logits.begin());
}

std::vector<TokenId> generate_greedy(const Llama2Model& model, std::size_t steps,
                                     const AttentionFn& attention) {
  InferenceSession session(model, attention);
  std::vector<TokenId> out;
  TokenId token = Tokenizer::kBos;
  for (std::size_t i = 0; i < std::min(steps, model.config().seq_len); ++i) {
    const TokenId next = argmax(session.forward(token));
    if (next == Tokenizer::kBos) break;
    out.push_back(next);
    token = next;
  }
  return out;
}

ModelTrace trace_attention(const Llama2Model& model, std::span<const TokenId> tokens) {
  const Llama2Config& c = model.config();
  const std::size_t n = tokens.size(), hd = c.head_dim();
  ModelTrace trace;
  trace.n_layers = c.n_layers;
  trace.n_heads = c.n_heads;
  trace.n_kv_heads = c.n_kv_heads;
  trace.heads.resize(c.n_layers * c.n_heads);
  for (auto& a : trace.heads) {
    a.q = core::Matrix(n, hd);
    a.query_positions.resize(n);
    for (std::size_t i = 0; i < n; ++i) a.query_positions[i] = i;
    a.causal = true;
  }
  // Observe through the public hook, computing the dense result: the trace is exactly what the
  // dense forward pass sees. K/V are taken at the last position, when they hold every row.
  const AttentionFn recorder = [&trace, n](const AttentionQuery& query, std::span<float> out) {
    core::AttentionHead& a = trace.heads[query.layer * trace.n_heads + query.head];
    std::copy(query.q.begin(), query.q.end(), a.q.row(query.position).begin());
    if (query.position + 1 == n) {
      a.k = query.k;
      a.v = query.v;
    }
    dense_attention(query, out);
  };
  InferenceSession session(model, recorder);
  for (const TokenId t : tokens) (void)session.forward(t);
  return trace;
}

Evaluation evaluate(const Llama2Model& model, std::span<const TokenId> tokens,
                    const AttentionFn& attention) {
  if (tokens.size() < 2)
    throw core::InputError(
        "evaluate needs at least 2 tokens (one context token and one to predict), got " +
        std::to_string(tokens.size()));
  InferenceSession session(model, attention);
  Evaluation e;
  double total = 0.0;
  for (std::size_t t = 0; t + 1 < tokens.size(); ++t) {
    const auto logits = session.forward(tokens[t]);
    const TokenId best = argmax(logits);
    // log-softmax in double: the sum over the vocabulary must not lose the small terms.
    const double max = logits[static_cast<std::size_t>(best)];
    double sum = 0.0;
    for (const float z : logits) sum += std::exp(static_cast<double>(z) - max);
    const auto target = static_cast<std::size_t>(tokens[t + 1]);
    if (target >= logits.size())
      throw core::InputError("token id " + std::to_string(tokens[t + 1]) +
                             " is outside the vocabulary of " + std::to_string(logits.size()));
    total += -(static_cast<double>(logits[target]) - max - std::log(sum));
    e.predictions.push_back(best);
  }
  e.scored_tokens = tokens.size() - 1;
  e.mean_nll = total / static_cast<double>(e.scored_tokens);
  e.perplexity = std::exp(e.mean_nll);
  return e;
}

double prediction_agreement(std::span<const TokenId> a, std::span<const TokenId> b) {
  const std::size_t n = std::min(a.size(), b.size());
  if (n == 0) return 0.0;
  std::size_t same = 0;
  for (std::size_t i = 0; i < n; ++i) same += (a[i] == b[i]) ? 1 : 0;
  return static_cast<double>(same) / static_cast<double>(n);
}

std::filesystem::path Stories260K::default_dir() {
  return std::filesystem::path(PADE_SHARED_DIR) / "data" / "stories260K";
}

Stories260K Stories260K::load(const std::filesystem::path& dir) {
  Llama2Model model = Llama2Model::load(dir / "stories260K.bin");
  Tokenizer tokenizer = Tokenizer::load(dir / "tok512.bin", model.config().vocab_size);
  return Stories260K{std::move(model), std::move(tokenizer)};
}

}  // namespace pade::workloads
