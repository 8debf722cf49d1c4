// pade llm perplexity --text FILE : stories260K with dense or PADE attention on real text.
#include <iostream>

#include "core/json.hpp"
#include "dse/cli/cli.hpp"
#include "dse/cli/common.hpp"
#include "dse/llm_eval.hpp"

namespace pade::dse::cli {

namespace {

struct LlmArgs {
  std::string text;
  std::string attention = "dense";
  double alpha = 0.5;
  double radius = 5.0;
  int bits = 8;
  std::size_t max_tokens = 0;
  std::string model_dir;
  std::string format = "table";
};

int perplexity(const LlmArgs& a) {
  const results::Format format = format_option(a.format);
  LlmEvalOptions o;
  if (a.attention == "dense")
    o.attention = LlmAttention::dense;
  else if (a.attention == "pade")
    o.attention = LlmAttention::pade;
  else if (a.attention == "dense-int")
    o.attention = LlmAttention::dense_quantized;
  else
    throw core::InputError("--attention: found '" + a.attention +
                           "', expected dense, pade or dense-int");
  if (a.bits < 4 || a.bits > 16)
    throw core::InputError("--bits: found " + std::to_string(a.bits) + ", expected 4..16");
  if (!(a.alpha >= 0)) throw core::InputError("--alpha: expected a number >= 0");
  if (!(a.radius > 0)) throw core::InputError("--radius: expected a number > 0");
  o.alpha = a.alpha;
  o.radius = a.radius;
  o.bits = a.bits;
  o.max_tokens = a.max_tokens;
  const auto model = a.model_dir.empty() ? workloads::Stories260K::load()
                                         : workloads::Stories260K::load(a.model_dir);
  const std::string text = read_text_file(a.text);
  const auto tokens = encode_text(model.tokenizer, text, a.max_tokens);
  const LlmEvalResult r = evaluate_text(model.model, tokens, o);

  results::Table t({"name", "value"});
  t.add_row({results::Table::text("model"), results::Table::text("stories260K")});
  t.add_row({results::Table::text("text"), results::Table::text(a.text)});
  t.add_row({results::Table::text("attention"), results::Table::text(a.attention)});
  if (o.attention != LlmAttention::dense) {
    t.add_row({results::Table::text("bits"), results::Table::integer(o.bits)});
    if (o.attention == LlmAttention::pade) {
      t.add_row({results::Table::text("alpha"), results::Table::number(o.alpha)});
      t.add_row({results::Table::text("radius"), results::Table::number(o.radius)});
    }
  }
  t.add_row({results::Table::text("tokens"),
             results::Table::integer(static_cast<std::int64_t>(r.text_tokens))});
  t.add_row({results::Table::text("windows"),
             results::Table::integer(static_cast<std::int64_t>(r.windows))});
  t.add_row({results::Table::text("perplexity"), results::Table::number(r.perplexity)});
  t.add_row({results::Table::text("mean_nll"), results::Table::number(r.mean_nll)});
  t.add_row(
      {results::Table::text("dense_fp32_perplexity"), results::Table::number(r.dense_perplexity)});
  t.add_row({results::Table::text("perplexity_change"),
             results::Table::number(r.perplexity / r.dense_perplexity - 1.0)});
  t.add_row(
      {results::Table::text("agreement_with_dense_fp32"), results::Table::number(r.agreement)});
  if (o.attention == LlmAttention::pade) {
    t.add_row({results::Table::text("pade.kept_fraction"),
               results::Table::number(r.pade.kept_fraction())});
    t.add_row(
        {results::Table::text("pade.mean_rounds"), results::Table::number(r.pade.mean_rounds())});
  }
  t.write_fields(std::cout, format);  // JSON: one object rather than name/value rows
  return 0;
}

}  // namespace

void add_llm(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<LlmArgs>();
  auto* cmd = app.add_subcommand(
      "llm", "A real model in the box (stories260K) with dense or PADE attention");
  cmd->require_subcommand(1);
  auto* p = cmd->add_subcommand("perplexity",
                                "Teacher-forced perplexity and next-token agreement vs dense FP32");
  p->add_option("--text", args->text, "text file (.gz/.dz are decompressed)")->required();
  p->add_option("--attention", args->attention,
                "dense (FP32), pade (functional model) or dense-int (INT-n, no pruning)");
  p->add_option("--alpha", args->alpha, "PADE guard alpha (default 0.5)");
  p->add_option("--radius", args->radius, "PADE guard radius in logits (default 5)");
  p->add_option("--bits", args->bits, "operand bits of Q and K (default 8)");
  p->add_option("--max-tokens", args->max_tokens,
                "score at most this many text tokens (default: all)");
  p->add_option("--model-dir", args->model_dir, "folder with stories260K.bin and tok512.bin");
  p->add_option("--format", args->format, "table, csv or json");
  cmd->footer(
      "Windows of the model's 512-token context, each starting with BOS.\nExample:\n"
      "  pade llm perplexity --text /usr/share/games/fortunes/fortunes --attention pade --alpha "
      "0.5 --max-tokens 2000");
  p->callback([&ctx, args] { ctx.action = [args] { return perplexity(*args); }; });
}

}  // namespace pade::dse::cli
