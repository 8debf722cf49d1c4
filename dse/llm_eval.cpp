#include "dse/llm_eval.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "core/file_io.hpp"
#include "core/process.hpp"

namespace pade::dse {

std::string read_text_file(const std::filesystem::path& path) {
  core::require_regular_file(path, "text file");
  const std::string ext = path.extension().string();
  if (ext == ".gz" || ext == ".dz") {
    // dictd's .dz is gzip with random-access extras: gzip -dc reads it. No shell is involved.
    const core::ProgramResult r = core::run_program({{"gzip", "-dc", "--", path.string()}, {}});
    if (r.exit_code != 0 || r.out.empty())
      throw core::InputError(path.string() + ": gzip -dc produced no text (not a gzip file?)" +
                             (r.err.empty() ? std::string() : ": " + r.err.substr(0, 200)));
    return r.out;
  }
  return core::read_input_file(path, "text file");
}

std::vector<workloads::TokenId> encode_text(const workloads::Tokenizer& tokenizer,
                                            std::string_view text, std::size_t max_tokens) {
  constexpr std::size_t kChunk = 4096;
  std::vector<workloads::TokenId> out;
  std::size_t pos = 0;
  while (pos < text.size() && (max_tokens == 0 || out.size() < max_tokens)) {
    std::size_t end = std::min(text.size(), pos + kChunk);
    if (end < text.size()) {
      const std::size_t nl = text.find('\n', end);
      end = nl == std::string_view::npos ? text.size() : nl + 1;
    }
    const auto part = tokenizer.encode(text.substr(pos, end - pos), false);
    out.insert(out.end(), part.begin(), part.end());
    pos = end;
  }
  if (max_tokens > 0 && out.size() > max_tokens) out.resize(max_tokens);
  return out;
}

namespace {
core::AttentionHead one_query_head(const workloads::AttentionQuery& q) {
  core::AttentionHead h;
  h.q = core::Matrix(1, q.q.size(), std::vector<float>(q.q.begin(), q.q.end()));
  h.k = q.k;
  h.v = q.v;
  h.query_positions = {q.position};
  h.causal = true;
  return h;
}
}  // namespace

workloads::AttentionFn pade_attention_hook(const models::FunctionalOptions& opt,
                                           models::FunctionalStats* stats) {
  models::FunctionalOptions o = opt;
  o.compute_accuracy = false;
  return [o, stats](const workloads::AttentionQuery& q, std::span<float> out) {
    const core::AttentionHead h = one_query_head(q);
    const models::FunctionalResult r = models::simulate_head_with_output(h, o);
    const auto row = r.output.row(0);
    std::copy(row.begin(), row.end(), out.begin());
    if (stats) *stats += r.stats;
  };
}

workloads::AttentionFn dense_quantized_hook(const models::FunctionalOptions& opt) {
  return [opt](const workloads::AttentionQuery& q, std::span<float> out) {
    const core::Matrix m = models::dense_quantized_attention(one_query_head(q), opt);
    const auto row = m.row(0);
    std::copy(row.begin(), row.end(), out.begin());
  };
}

LlmEvalResult evaluate_text(const workloads::Llama2Model& model,
                            std::span<const workloads::TokenId> tokens,
                            const LlmEvalOptions& options) {
  const std::size_t n =
      options.max_tokens > 0 ? std::min(options.max_tokens, tokens.size()) : tokens.size();
  if (n == 0) throw core::InputError("the text has no tokens to score");
  const std::size_t per_window = model.config().seq_len - 1;  // plus BOS = the model's context
  models::FunctionalOptions fo;
  fo.alpha = options.alpha;
  fo.radius = options.radius;
  fo.bits = options.bits;
  LlmEvalResult res;
  workloads::AttentionFn hook;
  if (options.attention == LlmAttention::pade) hook = pade_attention_hook(fo, &res.pade);
  if (options.attention == LlmAttention::dense_quantized) hook = dense_quantized_hook(fo);
  double nll = 0, dense_nll = 0, agree = 0;
  for (std::size_t start = 0; start < n; start += per_window) {
    std::vector<workloads::TokenId> window{workloads::Tokenizer::kBos};
    const std::size_t end = std::min(n, start + per_window);
    window.insert(window.end(), tokens.begin() + static_cast<std::ptrdiff_t>(start),
                  tokens.begin() + static_cast<std::ptrdiff_t>(end));
    const workloads::Evaluation ref = workloads::evaluate(model, window);
    const workloads::Evaluation e = hook ? workloads::evaluate(model, window, hook) : ref;
    const auto count = static_cast<double>(e.scored_tokens);
    nll += e.mean_nll * count;
    dense_nll += ref.mean_nll * count;
    agree += workloads::prediction_agreement(e.predictions, ref.predictions) * count;
    res.text_tokens += e.scored_tokens;
    res.windows += 1;
  }
  const auto total = static_cast<double>(res.text_tokens);
  res.mean_nll = nll / total;
  res.perplexity = std::exp(res.mean_nll);
  res.dense_mean_nll = dense_nll / total;
  res.dense_perplexity = std::exp(res.dense_mean_nll);
  res.agreement = agree / total;
  return res;
}

}  // namespace pade::dse
