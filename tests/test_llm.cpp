// pade llm perplexity: stories260K with dense FP32, dense INT-n and PADE attention.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/error.hpp"
#include "dse/llm_eval.hpp"

using namespace pade;

namespace {
const workloads::Stories260K& stories() {
  static const workloads::Stories260K s = workloads::Stories260K::load();
  return s;
}
// The first 80 tokens of the model's own greedy story: cheap and always present.
std::vector<workloads::TokenId> story_tokens() {
  const std::string text =
      dse::read_text_file(workloads::Stories260K::default_dir() / "greedy256.txt");
  return dse::encode_text(stories().tokenizer, text, 80);
}
}  // namespace

TEST_CASE("llm: dense perplexity is finite and reproducible, dense agrees with itself",
          "[workloads2]") {
  const auto tokens = story_tokens();
  REQUIRE(tokens.size() == 80);
  dse::LlmEvalOptions o;
  const auto a = dse::evaluate_text(stories().model, tokens, o);
  const auto b = dse::evaluate_text(stories().model, tokens, o);
  CHECK(std::isfinite(a.perplexity));
  CHECK(a.perplexity > 1.0);
  CHECK(a.perplexity < 10.0);  // the model's own story is easy for it
  CHECK(a.perplexity == b.perplexity);
  CHECK(a.agreement == 1.0);
  CHECK(a.text_tokens == 80);
  CHECK(a.windows == 1);
  CHECK(a.perplexity == a.dense_perplexity);
}

TEST_CASE("llm: PADE with a huge guard equals dense INT-8, small alpha degrades", "[workloads2]") {
  const auto tokens = story_tokens();
  dse::LlmEvalOptions o;
  o.attention = dse::LlmAttention::dense_quantized;
  const auto dense_int = dse::evaluate_text(stories().model, tokens, o);
  o.attention = dse::LlmAttention::pade;
  o.alpha = 1e6;  // α·radius far above any logit gap: nothing is pruned
  const auto wide = dse::evaluate_text(stories().model, tokens, o);
  CHECK(wide.pade.kept_fraction() == 1.0);
  // Same keys, same integer scores; only the softmax's float order differs (online vs two-pass).
  CHECK(wide.perplexity == Approx(dense_int.perplexity).epsilon(1e-4));
  CHECK(wide.agreement == Approx(dense_int.agreement));
  // INT8 alone moves perplexity by well under 1 % on this model.
  CHECK(std::abs(dense_int.perplexity / dense_int.dense_perplexity - 1.0) < 0.01);

  o.alpha = 0.02;  // a 0.1-logit guard keeps only the near-max keys
  const auto tight = dse::evaluate_text(stories().model, tokens, o);
  CHECK(tight.pade.kept_fraction() < 0.1);
  CHECK(tight.perplexity > dense_int.perplexity * 1.05);
  CHECK(tight.agreement < 0.95);
}

TEST_CASE("llm: long texts are encoded in chunks and scored in 512-token windows", "[workloads2]") {
  const auto dir = std::filesystem::temp_directory_path() / "pade_test_llm";
  std::filesystem::create_directories(dir);
  const auto file = dir / "story.txt";
  {
    std::ofstream out(file);
    for (int i = 0; i < 60; ++i)
      out << "Once upon a time, there was a little girl named Lily. She liked to play.\n";
  }
  const std::string text = dse::read_text_file(file);
  const auto tokens = dse::encode_text(stories().tokenizer, text, 600);
  REQUIRE(tokens.size() == 600);
  dse::LlmEvalOptions o;
  const auto r = dse::evaluate_text(stories().model, tokens, o);
  CHECK(r.windows == 2);  // 511 + 89 text tokens, each window after BOS
  CHECK(r.text_tokens == 600);
  CHECK(std::isfinite(r.perplexity));
  CHECK_THROWS_AS(dse::read_text_file(dir / "missing.txt"), core::InputError);
  std::filesystem::remove_all(dir);
}

#include "workloads/npy.hpp"

TEST_CASE("pade workloads export stories260k writes a dump folder the npy loader reads back",
          "[workloads2]") {
  const auto dir = std::filesystem::temp_directory_path() / "pade_test_export";
  std::filesystem::remove_all(dir);
  const auto story = workloads::Stories260K::default_dir() / "greedy256.txt";
  const std::string cmd = std::string(PADE_BINARY) + " workloads export stories260k --text '" +
                          story.string() + "' --max-tokens 40 --out '" + dir.string() +
                          "' > /dev/null";
  REQUIRE(std::system(cmd.c_str()) == 0);
  const auto layers = workloads::load_qkv_folder(dir);
  REQUIRE(layers.size() == 5);
  REQUIRE(layers[0].size() == 8);  // query heads; K/V mapped from 4 KV heads
  // The same numbers as the in-memory trace of BOS + the first 40 text tokens.
  auto tokens = dse::encode_text(stories().tokenizer, dse::read_text_file(story), 40);
  tokens.insert(tokens.begin(), workloads::Tokenizer::kBos);
  const auto trace = workloads::trace_attention(stories().model, tokens);
  for (std::size_t l = 0; l < 5; ++l)
    for (std::size_t h = 0; h < 8; ++h) {
      const auto& a = layers[l][h];
      const auto& b = trace.at(l, h);
      REQUIRE(a.q.rows() == 41);
      CHECK(std::equal(a.q.data().begin(), a.q.data().end(), b.q.data().begin()));
      CHECK(std::equal(a.k.data().begin(), a.k.data().end(), b.k.data().begin()));
      CHECK(std::equal(a.v.data().begin(), a.v.data().end(), b.v.data().begin()));
    }
  // Anything but stories260k is refused with exit code 2.
  const std::string bad = std::string(PADE_BINARY) + " workloads export llama2-7b/mmlu --text '" +
                          story.string() + "' --out '" + dir.string() + "' 2> /dev/null";
  CHECK(WEXITSTATUS(std::system(bad.c_str())) == 2);
  std::filesystem::remove_all(dir);
}
