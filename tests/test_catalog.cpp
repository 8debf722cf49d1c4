#include <catch2/catch.hpp>

#include "tests/support/temp_dir.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "workloads/catalog.hpp"

using namespace pade::workloads;
using pade::core::InputError;
namespace fs = std::filesystem;

using pade::test::TempDir;

namespace {

const Catalog& shipped() {
  static const Catalog c = Catalog::builtin();  // read once: tests only query it
  return c;
}

}  // namespace

TEST_CASE("PADE-22 has the 22 benchmarks in the documented order") {
  const auto names = shipped().suite("pade22");
  REQUIRE(names.size() == 22);
  CHECK(names[0] == "llama2-7b/wikitext2");
  CHECK(names[3] == "llama2-7b/mmlu");
  CHECK(names[9] == "llama3-8b/dolly");
  CHECK(names[12] == "opt-1.3b/mmlu");
  CHECK(names[15] == "bloom-1.7b/winogrande");
  CHECK(names[18] == "qwen-7b/dolly");
  CHECK(names[19] == "vit-l16/imagenet");
  CHECK(names[20] == "vit-l16/vtab");
  CHECK(names[21] == "pvt-small/imagenet");
  for (const auto& n : names) CHECK_NOTHROW(shipped().benchmark(n));
  // PADE-22's 7 models plus BERT-base (512, 128) and BERT-large (the baselines' own workloads,
  // suite baseline-papers).
  CHECK(shipped().model_names().size() == 10);
  CHECK(shipped().suite("baseline-papers").size() == 3);
}

TEST_CASE("task sequence lengths follow workloads.md") {
  CHECK(shipped().benchmark("llama2-7b/wikitext2").seq_len == 2048);
  CHECK(shipped().benchmark("bloom-1.7b/wikilingua").seq_len == 2048);
  CHECK(shipped().benchmark("opt-1.3b/winogrande").seq_len == 256);
  CHECK(shipped().benchmark("qwen-7b/mmlu").seq_len == 512);
  CHECK(shipped().benchmark("llama3-8b/mbpp").seq_len == 1024);
  CHECK(shipped().benchmark("qwen-7b/dolly").seq_len == 15360);
  CHECK(shipped().benchmark("vit-l16/vtab").seq_len == 197);
}

TEST_CASE("LLM shapes match the public architecture facts") {
  const Benchmark& l3 = shipped().benchmark("llama3-8b/mmlu");
  REQUIRE(l3.groups.size() == 1);
  const AttentionGroup& g = l3.groups[0];
  CHECK(g.layers == 32);
  CHECK(g.q_heads == 32);
  CHECK(g.kv_heads == 8);
  CHECK(g.head_dim == 128);
  CHECK(g.queries == 512);
  CHECK(g.keys == 512);
  CHECK(g.causal);
  CHECK(g.alibi_slope_max == 0.0);
  CHECK(l3.phase == "prefill");
  // Causal prefill: N(N+1)/2 pairs per head.
  CHECK(l3.total_pairs() == Approx(32.0 * 32.0 * 512.0 * 513.0 / 2.0));

  const auto& l2 = shipped().benchmark("llama2-7b/wikitext2").groups.at(0);
  CHECK(l2.kv_heads == 32);
  const auto& opt = shipped().benchmark("opt-1.3b/mmlu").groups.at(0);
  CHECK(opt.layers == 24);
  CHECK(opt.q_heads == 32);
  CHECK(opt.head_dim == 64);
  const auto& bloom = shipped().benchmark("bloom-1.7b/wikitext2").groups.at(0);
  CHECK(bloom.q_heads == 16);
  CHECK(bloom.head_dim == 128);
  CHECK(bloom.alibi_slope_max == Approx(std::pow(2.0, -0.5)));  // 2^(-8/16)
  CHECK(shipped().model("qwen-7b").max_context == 8192);
  CHECK(shipped().model("llama3-8b").family == "llama");
}

TEST_CASE("vision shapes: ViT is one bidirectional 197-token group, PVT has four SRA stages") {
  const Benchmark& vit = shipped().benchmark("vit-l16/imagenet");
  REQUIRE(vit.groups.size() == 1);
  CHECK(vit.groups[0].queries == 197);
  CHECK(vit.groups[0].keys == 197);
  CHECK_FALSE(vit.groups[0].causal);
  CHECK(vit.groups[0].layers == 24);
  CHECK(vit.groups[0].q_heads == 16);
  CHECK(vit.total_pairs() == Approx(24.0 * 16.0 * 197.0 * 197.0));

  const Benchmark& pvt = shipped().benchmark("pvt-small/imagenet");
  REQUIRE(pvt.groups.size() == 4);
  const std::int64_t queries[] = {3136, 784, 196, 49};
  const int heads[] = {1, 2, 5, 8};
  const int layers[] = {3, 4, 6, 3};
  const int first[] = {0, 3, 7, 13};
  for (std::size_t i = 0; i < 4; ++i) {
    INFO("stage " << i);
    CHECK(pvt.groups[i].queries == queries[i]);
    CHECK(pvt.groups[i].keys == 49);
    CHECK(pvt.groups[i].q_heads == heads[i]);
    CHECK(pvt.groups[i].kv_heads == heads[i]);
    CHECK(pvt.groups[i].layers == layers[i]);
    CHECK(pvt.groups[i].head_dim == 64);
    CHECK(pvt.groups[i].first_layer == first[i]);
    CHECK_FALSE(pvt.groups[i].causal);
  }
  CHECK(pvt.total_layers() == 16);
  CHECK(shipped().model("pvt-small").layers == 16);
  // Vision models have no decode form.
  CHECK_FALSE(shipped().has_benchmark("vit-l16/imagenet@decode"));
}

TEST_CASE("decode forms: one query per head against the full KV cache") {
  const Benchmark& d = shipped().benchmark("llama2-7b/mmlu@decode");
  CHECK(d.phase == "decode");
  CHECK(d.is_decode());
  CHECK(d.seq_len == 512);
  CHECK(d.model == "llama2-7b");
  CHECK(d.task == "mmlu");
  REQUIRE(d.groups.size() == 1);
  CHECK(d.groups[0].queries == 1);
  CHECK(d.groups[0].keys == 512);
  CHECK(d.total_pairs() == Approx(32.0 * 32.0 * 512.0));  // the one query sees every key

  const auto decode = shipped().suite("decode");
  CHECK(decode.size() == 19 + 8);
  CHECK(decode.front() == "llama2-7b/wikitext2@decode");
  const Benchmark& sweep = shipped().benchmark("llama3-8b/kv-16k@decode");
  CHECK(sweep.groups[0].keys == 16384);
  CHECK(sweep.groups[0].kv_heads == 8);

  const auto lc = shipped().suite("long-context");
  REQUIRE(lc.size() == 3);
  CHECK(shipped().benchmark("llama3-8b/pg19").seq_len == 100000);
  CHECK(shipped().benchmark("llama3-8b/infinitebench").groups[0].queries == 214000);
  const Benchmark& needle = shipped().benchmark("llama3-8b/needle@decode");
  CHECK(needle.groups[0].queries == 1);
  CHECK(needle.groups[0].keys == 1000000);
}

TEST_CASE("unknown names give an error with a suggestion") {
  try {
    (void)shipped().benchmark("llama2-7b/mmluu");
    FAIL("expected an InputError");
  } catch (const InputError& e) {
    CHECK_THAT(e.what(), Catch::Contains("did you mean 'llama2-7b/mmlu'"));
  }
  try {
    (void)shipped().model("llama3-7b");
    FAIL("expected an InputError");
  } catch (const InputError& e) {
    CHECK_THAT(e.what(), Catch::Contains("did you mean"));
  }
  CHECK_THROWS_AS(shipped().suite("nope-nothing-like-it"), InputError);
  const auto suites = shipped().suite_names();
  CHECK(std::find(suites.begin(), suites.end(), "pade22") != suites.end());
}

TEST_CASE("a bad model file is an InputError with file:line:column") {
  TempDir dir("badmodel");
  dir.write("models/m.yaml",
            "kind: model\n"
            "name: tiny\n"
            "family: llama\n"
            "attention: causal\n"
            "position: rope\n"
            "layers: 2\n"
            "q_heads: 4\n"
            "head_dims: 16\n"  // typo: line 8, column 1
            "max_context: 128\n");
  try {
    (void)Catalog::load(dir.path());
    FAIL("expected an InputError");
  } catch (const InputError& e) {
    CHECK(e.where().line == 8);
    CHECK(e.where().column == 1);
    CHECK_THAT(e.what(), Catch::Contains("m.yaml:8:1"));
    CHECK_THAT(e.what(), Catch::Contains("did you mean 'head_dim'"));
  }

  dir.write("models/m.yaml",
            "kind: model\nname: tiny\nfamily: llama\nattention: causal\nposition: rope\n"
            "layers: 2\nq_heads: 6\nkv_heads: 4\nhead_dim: 16\nmax_context: 128\n");
  try {
    (void)Catalog::load(dir.path());
    FAIL("expected an InputError");
  } catch (const InputError& e) {
    CHECK(e.where().line == 8);
    CHECK_THAT(e.what(), Catch::Contains("multiple of kv_heads"));
  }
}

TEST_CASE("a user folder adds a model and a suite on top of the shipped catalog") {
  TempDir dir("user");
  dir.write("models/tiny.yaml",
            "kind: model\nname: tiny\nfamily: llama\nattention: causal\nposition: rope\n"
            "layers: 2\nq_heads: 4\nkv_heads: 2\nhead_dim: 16\nmax_context: 128\n");
  dir.write("suites/mine.yaml",
            "kind: suite\nname: mine\nbenchmarks:\n"
            "  - {model: tiny, task: toy, seq_len: 64}\n"
            "  - llama2-7b/mmlu\n"
            "  - tiny/toy@decode\n");
  Catalog c = Catalog::builtin();
  c.add_dir(dir.path());
  const auto mine = c.suite("mine");
  REQUIRE(mine.size() == 3);
  CHECK(c.benchmark("tiny/toy").groups.at(0).kv_heads == 2);
  CHECK(c.benchmark("tiny/toy@decode").groups.at(0).queries == 1);
  CHECK(c.suite("pade22").size() == 22);

  // A reference to an unknown benchmark points at its line and leaves the catalog unchanged.
  TempDir bad("userbad");
  bad.write("suites/oops.yaml", "kind: suite\nname: oops\nbenchmarks:\n  - llama2-7b/mmlo\n");
  try {
    c.add_dir(bad.path());
    FAIL("expected an InputError");
  } catch (const InputError& e) {
    CHECK(e.where().line == 4);
    CHECK_THAT(e.what(), Catch::Contains("did you mean 'llama2-7b/mmlu'"));
  }
  CHECK_THROWS_AS(c.suite("oops"), InputError);
  CHECK(c.suite("mine").size() == 3);

  // Redefining a shipped model is refused.
  TempDir dup("userdup");
  dup.write("models/l.yaml",
            "kind: model\nname: llama2-7b\nfamily: llama\nattention: causal\nposition: rope\n"
            "layers: 2\nq_heads: 4\nhead_dim: 16\nmax_context: 128\n");
  CHECK_THROWS_WITH(c.add_dir(dup.path()), Catch::Contains("already defined"));
}

TEST_CASE("stage keys are derived from the spatial-reduction ratio, or rejected") {
  TempDir dir("stages");
  dir.write("models/p.yaml",
            "kind: model\nname: p\nfamily: pvt\nattention: bidirectional\nposition: learned\n"
            "max_context: 100\ntokens: 100\nstages:\n"
            "  - {layers: 1, heads: 1, head_dim: 8, queries: 100, sr_ratio: 5}\n"
            "  - {layers: 1, heads: 2, head_dim: 8, queries: 50, sr_ratio: 2}\n");
  try {
    (void)Catalog::load(dir.path());
    FAIL("expected an InputError");
  } catch (const InputError& e) {
    CHECK(e.where().line == 10);
    CHECK_THAT(e.what(), Catch::Contains("stages[1].queries"));
  }
}

TEST_CASE("benchmark_json carries the name, the phase and every group") {
  const std::string j = benchmark_json(shipped().benchmark("pvt-small/imagenet"));
  CHECK_THAT(j, Catch::StartsWith("{\"name\": \"pvt-small/imagenet\""));
  CHECK_THAT(j, Catch::Contains("\"phase\": \"prefill\""));
  CHECK_THAT(j, Catch::Contains("\"queries\": 3136"));
  CHECK_THAT(j, Catch::Contains("\"queries\": 49"));
  CHECK_THAT(j, Catch::Contains("\"causal\": false"));
  CHECK_THAT(model_json(shipped().model("llama3-8b")), Catch::Contains("\"kv_heads\": 8"));
}

TEST_CASE("schemas are exposed for the reference") {
  CHECK(model_schema().find("head_dim") != nullptr);
  CHECK(suite_schema().is_open_section("benchmarks"));
  CHECK(suite_entry_schema().find("phase") != nullptr);
  CHECK(model_stage_schema().find("sr_ratio") != nullptr);
}
