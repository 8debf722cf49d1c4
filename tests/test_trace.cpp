// Trace sources: a workload YAML pointing at a folder of .npy dumps (or at the stories260K model)
// instead of the generator; the digest over them; the data identity in statistics-cache keys.
#include <catch2/catch.hpp>

#include "tests/support/run_pade.hpp"
#include "tests/support/temp_dir.hpp"

#include <sys/stat.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/hash.hpp"
#include "core/rng.hpp"
#include "dse/campaign.hpp"
#include "dse/stats_cache.hpp"
#include "dse/stats_source.hpp"
#include "models/digest.hpp"
#include "results/store.hpp"
#include "workloads/catalog.hpp"
#include "workloads/npy.hpp"
#include "workloads/trace.hpp"

namespace fs = std::filesystem;
using namespace pade;
using Catch::Matchers::Contains;
using test::TempDir;

namespace {

constexpr int kLayers = 2, kQHeads = 4, kKvHeads = 2, kDim = 32, kTokens = 256;

// A small GQA model (the generator can make its heads too, so the two sources compare).
const char* kModelYaml = R"(kind: model
name: tiny-llm
family: llama
attention: causal
position: rope
layers: 2
q_heads: 4
kv_heads: 2
head_dim: 32
max_context: 4096
)";

// float -> IEEE half for the values the tests write (multiples of 1/64 in [-8, 8]: exact).
std::uint16_t to_half(float f) {
  if (f == 0.0f) return std::signbit(f) ? 0x8000 : 0;
  const std::uint32_t bits = std::bit_cast<std::uint32_t>(f);
  const std::uint32_t sign = (bits >> 16) & 0x8000u;
  const int exponent = static_cast<int>((bits >> 23) & 0xff) - 127 + 15;
  const std::uint32_t mantissa = (bits >> 13) & 0x3ffu;
  if (exponent <= 0 || exponent >= 31 || (bits & 0x1fffu) != 0)
    throw std::logic_error("to_half: value not exact in half precision");
  return static_cast<std::uint16_t>(sign | (static_cast<std::uint32_t>(exponent) << 10) | mantissa);
}

void write_npy_f16(const fs::path& path, const std::vector<std::size_t>& shape,
                   const std::vector<float>& data) {
  std::string dict = "{'descr': '<f2', 'fortran_order': False, 'shape': (";
  for (const auto d : shape) dict += std::to_string(d) + ", ";
  dict += "), }";
  const std::size_t unpadded = 10 + dict.size() + 1;
  dict.append((64 - unpadded % 64) % 64, ' ');
  dict += '\n';
  std::string out = "\x93NUMPY";
  out += '\x01';
  out += '\0';
  out += static_cast<char>(dict.size() & 0xff);
  out += static_cast<char>(dict.size() >> 8);
  out += dict;
  for (const float f : data) {
    const std::uint16_t h = to_half(f);
    out += static_cast<char>(h & 0xff);
    out += static_cast<char>(h >> 8);
  }
  std::ofstream(path, std::ios::binary) << out;
}

// Structured attention unlike the generator's: every query aligns with one random "topic" key
// direction per KV head, keys drift along it with position. Values are multiples of 1/64.
std::vector<float> tensor(std::size_t heads, std::size_t tokens, std::size_t dim,
                          const std::string& label, double along) {
  core::Rng rng(7, label);
  std::vector<float> out(heads * tokens * dim);
  for (std::size_t h = 0; h < heads; ++h)
    for (std::size_t t = 0; t < tokens; ++t)
      for (std::size_t c = 0; c < dim; ++c) {
        double x = rng.normal();
        if (c < 4) x += along * (c == h % 4 ? 1.0 : 0.3) * static_cast<double>(t) / tokens;
        out[(h * tokens + t) * dim + c] =
            static_cast<float>(std::round(std::clamp(x, -7.9, 7.9) * 64.0) / 64.0);
      }
  return out;
}

/// Writes layer{L}_{q,k,v}.npy for the tiny model: layer 0 float32, layer 1 float16.
void write_dumps(const fs::path& dir, std::size_t dim = kDim, std::size_t tokens = kTokens) {
  fs::create_directories(dir);
  for (std::size_t l = 0; l < kLayers; ++l) {
    std::string tag(1, 'L');
    tag += std::to_string(l);
    const auto q = tensor(kQHeads, tokens, dim, tag + "q", 3.0);
    const auto k = tensor(kKvHeads, tokens, dim, tag + "k", 4.0);
    const auto v = tensor(kKvHeads, tokens, dim, tag + "v", 0.0);
    const std::vector<std::size_t> qs = {kQHeads, tokens, dim}, ks = {kKvHeads, tokens, dim};
    if (l == 0) {
      workloads::write_npy_f32(workloads::qkv_dump_path(dir, l, 'q'), qs, q);
      workloads::write_npy_f32(workloads::qkv_dump_path(dir, l, 'k'), ks, k);
      workloads::write_npy_f32(workloads::qkv_dump_path(dir, l, 'v'), ks, v);
    } else {
      write_npy_f16(workloads::qkv_dump_path(dir, l, 'q'), qs, q);
      write_npy_f16(workloads::qkv_dump_path(dir, l, 'k'), ks, k);
      write_npy_f16(workloads::qkv_dump_path(dir, l, 'v'), ks, v);
    }
  }
}

/// A catalog folder (models/, suites/) with the tiny model, dumps under dumps/ and a suite with
/// an npy-traced benchmark and a synthetic one of the same shape.
struct Fixture {
  TempDir dir{"trace"};
  fs::path suite;
  Fixture() {
    dir.write("cat/models/tiny-llm.yaml", kModelYaml);
    suite = dir.write("cat/suites/dumps.yaml", R"(kind: suite
name: dumps
benchmarks:
  - name: tiny/dumps
    model: tiny-llm
    task: wiki
    trace: {kind: npy, folder: ../dumps}
  - {name: tiny/synthetic, model: tiny-llm, task: wiki, seq_len: 256}
)");
    write_dumps(dir.path() / "cat" / "dumps");
  }
  [[nodiscard]] workloads::Catalog catalog() const {
    auto c = workloads::Catalog::builtin();
    c.add(dir.path() / "cat");
    return c;
  }
};

models::DigestOptions digest_options() {
  models::DigestOptions o;
  o.seed = 3;
  return o;
}

/// The shipped example model file of stories260K (the tests use it rather than a copy).
std::string stories_model_yaml() {
  return test::slurp(fs::path(PADE_SOURCE_DIR) / "examples" / "workloads" / "models" /
                     "stories260k.yaml");
}

/// That file with one text replaced (`from` must occur in it).
std::string stories_model_yaml(const std::string& from, const std::string& to) {
  std::string yaml = stories_model_yaml();
  const auto at = yaml.find(from);
  if (at == std::string::npos) throw std::logic_error("stories model file lacks " + from);
  return yaml.replace(at, from.size(), to);
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const core::InputError& e) {
    return e.what();
  }
  return "<no error>";
}

}  // namespace

TEST_CASE("a suite entry reads Q/K/V from a folder of .npy dumps", "[trace]") {
  const Fixture fx;
  const auto catalog = fx.catalog();
  const auto& b = catalog.benchmark("tiny/dumps");
  CHECK(b.trace.kind == workloads::TraceKind::npy);
  CHECK(b.trace.path == fs::absolute(fx.dir.path() / "cat" / "dumps").lexically_normal());
  CHECK(b.seq_len == kTokens);  // left out: the dumps' key length
  CHECK(catalog.benchmark("tiny/synthetic").trace.synthetic());
  // The derived decode form reads the same dumps (its one query is the last prefill row).
  const auto& d = catalog.benchmark("tiny/dumps@decode");
  CHECK(d.trace.kind == workloads::TraceKind::npy);
  CHECK(d.groups.front().queries == 1);
  CHECK(workloads::benchmark_json(b).find("\"trace\": {\"kind\": \"npy\"") != std::string::npos);
}

TEST_CASE("an npy trace source serves exactly the sampled slices of the dump files", "[trace]") {
  const Fixture fx;
  const auto catalog = fx.catalog();
  const fs::path dumps = fx.dir.path() / "cat" / "dumps";
  for (const char* name : {"tiny/dumps", "tiny/dumps@decode"}) {
    const auto& b = catalog.benchmark(name);
    const workloads::NpyTrace source(b, dumps);
    const auto samples = workloads::sample_heads(b, workloads::SamplingPlan{}, 3);
    REQUIRE(!samples.empty());
    source.check(samples);
    for (const auto& s : samples) {
      const auto head = source.head(s);
      const auto layer = static_cast<std::size_t>(s.layer);
      const auto q = workloads::read_npy_heads(workloads::qkv_dump_path(dumps, layer, 'q'));
      const auto k = workloads::read_npy_heads(workloads::qkv_dump_path(dumps, layer, 'k'));
      const auto v = workloads::read_npy_heads(workloads::qkv_dump_path(dumps, layer, 'v'));
      const std::size_t kv = static_cast<std::size_t>(s.head) / (kQHeads / kKvHeads);  // GQA
      const auto qh = q.head(static_cast<std::size_t>(s.head));
      const std::size_t offset = kTokens - static_cast<std::size_t>(b.groups.front().queries);
      REQUIRE(head.q.rows() == s.rows.size());
      for (std::size_t i = 0; i < s.rows.size(); ++i) {
        CHECK(head.query_positions[i] == offset + s.rows[i]);
        const auto want = qh.row(offset + s.rows[i]);
        const auto got = head.q.row(i);
        CHECK(std::equal(want.begin(), want.end(), got.begin()));
      }
      const auto kh = k.head(kv), vh = v.head(kv);
      CHECK(std::equal(kh.data().begin(), kh.data().end(), head.k.data().begin()));
      CHECK(std::equal(vh.data().begin(), vh.data().end(), head.v.data().begin()));
      CHECK(head.causal);
    }
  }
}

TEST_CASE("the digest of npy dumps is deterministic and differs from the generator's", "[trace]") {
  const Fixture fx;
  const auto catalog = fx.catalog();
  const auto generator = workloads::GeneratorTable::builtin();
  const auto compute =
      dse::synthetic_stats_source(catalog, generator, workloads::SamplingPlan{}, 3).compute;
  dse::AlgorithmPoint point;
  const auto& dumps = catalog.benchmark("tiny/dumps");
  const auto& synthetic = catalog.benchmark("tiny/synthetic");
  const models::WorkloadStats a = compute(dumps, point);
  const models::WorkloadStats b = compute(dumps, point);
  const models::WorkloadStats g = compute(synthetic, point);
  CHECK(dse::serialize_stats(a) == dse::serialize_stats(b));
  CHECK(a.sampled_rows == g.sampled_rows);  // the same plan over the same shape
  CHECK(a.kept_fraction > 0.0);
  CHECK(a.kept_fraction <= 1.0);
  CHECK(a.kept_fraction != g.kept_fraction);
  CHECK(a.ones_fraction != g.ones_fraction);
  CHECK_THAT(a.source, Contains("trace=npy"));
  // The same as the digest through the trace source directly.
  models::DigestOptions o = digest_options();
  const auto direct =
      models::digest_benchmark(dumps, workloads::NpyTrace(dumps, dumps.trace.path), o);
  CHECK(dse::serialize_stats(direct) == dse::serialize_stats(a));
}

TEST_CASE("statistics-cache keys carry the dumps' content", "[trace]") {
  const Fixture fx;
  std::map<std::string, std::string> stored;
  std::mutex m;
  int computed = 0;
  const auto run = [&](const workloads::Catalog& catalog) {
    dse::StatsCache cache(
        [&](const workloads::Benchmark&, const dse::AlgorithmPoint&) {
          ++computed;
          models::WorkloadStats w = models::reference_workload_stats();
          return w;
        },
        "test-1");
    cache.set_persistence(
        [&](const std::string& key) -> std::optional<std::string> {
          const std::lock_guard lock(m);
          const auto it = stored.find(key);
          return it == stored.end() ? std::nullopt : std::optional<std::string>(it->second);
        },
        [&](const std::string& key, const std::string& payload) {
          const std::lock_guard lock(m);
          stored[key] = payload;
        });
    (void)cache.get(catalog.benchmark("tiny/dumps"), dse::AlgorithmPoint{});
    return cache.key(catalog.benchmark("tiny/dumps"), dse::AlgorithmPoint{});
  };
  const std::string k1 = run(fx.catalog());
  CHECK(computed == 1);
  const std::string k2 = run(fx.catalog());
  CHECK(computed == 1);  // the same dumps: loaded, not recomputed
  CHECK(k1 == k2);
  // One value of one file changes: a new key, computed again.
  const fs::path v1 = workloads::qkv_dump_path(fx.dir.path() / "cat" / "dumps", 1, 'v');
  std::string bytes = test::slurp(v1);
  bytes.back() = static_cast<char>(bytes.back() ^ 0x01);
  std::ofstream(v1, std::ios::binary) << bytes;
  const std::string k3 = run(fx.catalog());
  CHECK(computed == 2);
  CHECK(k3 != k1);
  CHECK_THAT(k1, Contains("npy="));
  // A synthetic benchmark under the same name is another key, and one of another shape too.
  const auto fake = [](const workloads::Benchmark&, const dse::AlgorithmPoint&) {
    return models::reference_workload_stats();
  };
  workloads::Benchmark other = fx.catalog().benchmark("tiny/dumps");
  other.trace = {};
  dse::StatsCache plain(fake, "test-1");
  const std::string synthetic_key = plain.key(other, {});
  other.groups.front().head_dim *= 2;
  dse::StatsCache reshaped(fake, "test-1");
  const std::string reshaped_key = reshaped.key(other, {});
  CHECK(synthetic_key != k1);
  CHECK(synthetic_key != k3);
  CHECK(reshaped_key != synthetic_key);
}

TEST_CASE("statistics-cache keys of synthetic benchmarks carry the family and its knobs",
          "[trace]") {
  const Fixture fx;
  std::map<std::string, std::string> stored;
  int computed = 0;
  // The real source's identity with a counting computation (the digest itself is not the point).
  const auto key_of = [&](const workloads::Catalog& catalog,
                          const workloads::GeneratorTable& generator) {
    auto source = dse::synthetic_stats_source(catalog, generator, workloads::SamplingPlan{}, 1);
    source.compute = [&](const workloads::Benchmark&, const dse::AlgorithmPoint&) {
      ++computed;
      return models::reference_workload_stats();
    };
    dse::StatsCache cache(source, "test-1");
    cache.set_persistence(
        [&](const std::string& key) -> std::optional<std::string> {
          const auto it = stored.find(key);
          return it == stored.end() ? std::nullopt : std::optional<std::string>(it->second);
        },
        [&](const std::string& key, const std::string& payload) { stored[key] = payload; });
    const auto& b = catalog.benchmark("tiny/synthetic");
    (void)cache.get(b, dse::AlgorithmPoint{});
    return cache.key(b, dse::AlgorithmPoint{});
  };
  const auto builtin = workloads::GeneratorTable::builtin();
  const std::string llama = key_of(fx.catalog(), builtin);
  CHECK(computed == 1);
  CHECK_THAT(llama, Contains("family=llama"));
  CHECK_THAT(llama,
             Contains(std::string("generator=") + std::string(workloads::kGeneratorVersion)));
  CHECK(key_of(fx.catalog(), builtin) == llama);
  CHECK(computed == 1);  // the same data: loaded
  // The model's family changes (same shapes): another key, computed again.
  std::string yaml = kModelYaml;
  yaml.replace(yaml.find("family: llama"), 13, "family: opt");
  fx.dir.write("cat/models/tiny-llm.yaml", yaml);
  const std::string opt = key_of(fx.catalog(), builtin);
  CHECK(opt != llama);
  CHECK(computed == 2);
  // One knob of that family changes: another key again.
  std::string table = test::slurp(workloads::builtin_data_dir() / "generator.yaml");
  const auto at = table.find("key_bias_std", table.find("\n  opt:"));
  REQUIRE(at != std::string::npos);
  table.insert(table.find(':', at) + 1, " 0.125 #");
  const auto edited = workloads::GeneratorTable::parse(table, "edited.yaml");
  CHECK(edited.family("opt").key_bias_std == 0.125);
  const std::string knob = key_of(fx.catalog(), edited);
  CHECK(knob != opt);
  CHECK(computed == 3);
}

TEST_CASE("bad npy traces are input errors naming the file and what was expected", "[trace]") {
  SECTION("missing folder: at the suite entry's trace.folder") {
    const Fixture fx;
    const auto p = fx.dir.write("cat/suites/dumps.yaml", R"(kind: suite
name: dumps
benchmarks:
  - name: tiny/dumps
    model: tiny-llm
    task: wiki
    trace: {kind: npy, folder: nowhere}
)");
    const std::string e = error_of([&] { (void)fx.catalog(); });
    CHECK_THAT(e, Contains(p.string() + ":7:"));
    CHECK_THAT(e, Contains("trace.folder"));
    CHECK_THAT(e, Contains("does not exist"));
  }
  SECTION("a folder given without kind npy") {
    const Fixture fx;
    fx.dir.write("cat/suites/dumps.yaml", R"(kind: suite
name: dumps
benchmarks:
  - {name: tiny/dumps, model: tiny-llm, task: wiki, seq_len: 256, trace: {folder: ../dumps}}
)");
    const std::string e = error_of([&] { (void)fx.catalog(); });
    CHECK_THAT(e, Contains("trace.folder"));
    CHECK_THAT(e, Contains("kind: npy"));
  }
  SECTION("a missing layer file") {
    const Fixture fx;
    fs::remove(workloads::qkv_dump_path(fx.dir.path() / "cat" / "dumps", 1, 'k'));
    const auto catalog = fx.catalog();
    const auto& b = catalog.benchmark("tiny/dumps");
    const std::string e = error_of([&] {
      (void)models::digest_benchmark(b, workloads::NpyTrace(b, b.trace.path), digest_options());
    });
    CHECK_THAT(e, Contains("layer1_k.npy"));
    CHECK_THAT(e, Contains("missing dump file"));
  }
  SECTION("dumps whose head_dim disagrees with the model") {
    const Fixture fx;
    const fs::path dumps = fx.dir.path() / "cat" / "dumps";
    fs::remove_all(dumps);
    write_dumps(dumps, 16);
    const auto catalog = fx.catalog();
    const auto& b = catalog.benchmark("tiny/dumps");
    const std::string e = error_of([&] {
      (void)models::digest_benchmark(b, workloads::NpyTrace(b, b.trace.path), digest_options());
    });
    CHECK_THAT(e, Contains("layer0_q.npy"));
    CHECK_THAT(e, Contains("[4, 256, 16]"));
    CHECK_THAT(e, Contains("expected [4, 256, 32]"));
  }
  SECTION("dumps shorter than the declared seq_len") {
    const Fixture fx;
    fx.dir.write("cat/suites/dumps.yaml", R"(kind: suite
name: dumps
benchmarks:
  - {name: tiny/dumps, model: tiny-llm, task: wiki, seq_len: 512, trace: {kind: npy, folder: ../dumps}}
)");
    const auto catalog = fx.catalog();
    const auto& b = catalog.benchmark("tiny/dumps");
    const std::string e = error_of([&] {
      (void)models::digest_benchmark(b, workloads::NpyTrace(b, b.trace.path), digest_options());
    });
    CHECK_THAT(e, Contains("layer0_q.npy"));
    CHECK_THAT(e, Contains("expected [4, 512, 32]"));
  }
}

TEST_CASE("pade eval reads a workloads file with an npy trace, bad dumps exit 2", "[trace][cli]") {
  const Fixture fx;
  const std::string hw =
      test::shell_quote(std::string(PADE_SOURCE_DIR) + "/examples/hw-default.yaml");
  const auto ok = test::run_pade("eval " + hw + " --workloads " +
                                 test::shell_quote((fx.dir.path() / "cat").string()) +
                                 " --benchmark tiny/dumps");
  INFO(ok.err);
  CHECK(ok.code == 0);
  CHECK_THAT(ok.out, Contains("npy folder"));
  CHECK_THAT(ok.out, Contains("trace=npy"));
  const auto list =
      test::run_pade("workloads list --workloads " +
                     test::shell_quote((fx.dir.path() / "cat").string()) + " --suite dumps");
  CHECK(list.code == 0);
  CHECK_THAT(list.out, Contains("npy"));

  fs::remove(workloads::qkv_dump_path(fx.dir.path() / "cat" / "dumps", 0, 'v'));
  const auto bad = test::run_pade("eval " + hw + " --workloads " +
                                  test::shell_quote((fx.dir.path() / "cat").string()) +
                                  " --benchmark tiny/dumps");
  CHECK(bad.code == 2);
  CHECK_THAT(bad.err, Contains("layer0_v.npy"));
}

TEST_CASE("pade eval: non-finite values, keyless dumps and non-files exit 2 naming the file",
          "[trace][cli]") {
  const Fixture fx;
  const fs::path dumps = fx.dir.path() / "cat" / "dumps";
  const auto eval = [&] {
    return test::run_pade(
        "eval " + test::shell_quote(std::string(PADE_SOURCE_DIR) + "/examples/hw-default.yaml") +
        " --workloads " + test::shell_quote((fx.dir.path() / "cat").string()) +
        " --benchmark tiny/dumps");
  };
  SECTION("NaN or infinity in a dump (used to run, with accuracy_loss 1)") {
    for (const float bad :
         {std::numeric_limits<float>::quiet_NaN(), -std::numeric_limits<float>::infinity()}) {
      // Key head 0 (every sampled query head of the layer reads it), token 10, channel 3.
      auto k = tensor(kKvHeads, kTokens, kDim, "L0k", 4.0);
      k[(0 * kTokens + 10) * kDim + 3] = bad;
      const fs::path path = workloads::qkv_dump_path(dumps, 0, 'k');
      const std::vector<std::size_t> shape = {kKvHeads, kTokens, kDim};
      workloads::write_npy_f32(path, shape, k);
      const auto r = eval();
      CHECK(r.code == 2);
      CHECK_THAT(r.err,
                 Contains(path.string() + ": error: found " + (std::isnan(bad) ? "NaN" : "-inf") +
                          " at element 323 (index (0, 10, 3) of shape (2, 256, 32)), "
                          "expected finite values"));
    }
  }
  SECTION("dumps with no tokens (used to exit 1: sampled no query-key pairs)") {
    fs::remove_all(dumps);
    write_dumps(dumps, kDim, 0);
    const auto r = eval();
    CHECK(r.code == 2);
    CHECK_THAT(r.err, Contains(fx.suite.string() + ":4:5: error: 'seq_len'"));
    CHECK_THAT(r.err, Contains(workloads::qkv_dump_path(dumps, 0, 'k').string() +
                               ": error: shape (2, 0, 32) has 0 tokens, expected at least one "
                               "key token"));
  }
  SECTION("a FIFO in place of a dump file (used to block forever)") {
    const fs::path v = workloads::qkv_dump_path(dumps, 1, 'v');
    fs::remove(v);
    REQUIRE(::mkfifo(v.c_str(), 0600) == 0);
    const auto r = eval();
    CHECK(r.code == 2);
    CHECK_THAT(r.err, Contains(v.string() + ": error: found something that is not a regular "
                                            "file (a FIFO, socket or device)"));
  }
  SECTION("a folder in place of a dump file") {
    const fs::path q = workloads::qkv_dump_path(dumps, 1, 'q');
    fs::remove(q);
    fs::create_directories(q);
    const auto r = eval();
    CHECK(r.code == 2);
    CHECK_THAT(r.err, Contains(q.string() + ": error: found a folder, expected a"));
  }
}

TEST_CASE("a campaign adds workload files relative to itself", "[trace]") {
  const Fixture fx;
  const std::string text = R"(kind: campaign
name: t
workloads: [cat]
benchmarks: [tiny/dumps]
)";
  const auto c = dse::read_campaign_text(text, (fx.dir.path() / "c.yaml").string(), fx.dir.path());
  REQUIRE(c.workloads.size() == 1);
  CHECK(c.workloads.front() == fx.dir.path() / "cat");
  const std::string bad = R"(kind: campaign
name: t
workloads: [missing]
)";
  const std::string e = error_of([&] {
    (void)dse::read_campaign_text(bad, (fx.dir.path() / "c.yaml").string(), fx.dir.path());
  });
  CHECK_THAT(e, Contains(":3:"));
  CHECK_THAT(e, Contains("does not exist"));
}

TEST_CASE("the stories260K model is a trace source through the same digest", "[trace]") {
  TempDir dir("stories-trace");
  dir.write("models/stories260k.yaml", stories_model_yaml());
  std::string story;
  for (int i = 0; i < 20; ++i)
    story += "Once upon a time, there was a little girl named Lily. She liked to play outside. ";
  dir.write("story.txt", story);
  dir.write("suites/s.yaml", R"(kind: suite
name: s
benchmarks:
  - {model: stories260k, task: story, seq_len: 128, trace: {kind: stories260k, text: ../story.txt}}
)");
  auto catalog = workloads::Catalog::builtin();
  catalog.add(dir.path());
  const auto& b = catalog.benchmark("stories260k/story");
  const auto generator = workloads::GeneratorTable::builtin();
  const auto compute =
      dse::synthetic_stats_source(catalog, generator, workloads::SamplingPlan{}, 1).compute;
  const auto a = compute(b, dse::AlgorithmPoint{});
  CHECK(dse::serialize_stats(a) == dse::serialize_stats(compute(b, dse::AlgorithmPoint{})));
  CHECK(a.kept_fraction > 0.0);
  CHECK(a.kept_fraction <= 1.0);
  CHECK_THAT(a.source, Contains("trace=stories260k"));
  CHECK_THAT(workloads::trace_identity(b, nullptr), Contains("text="));

  // A model file that does not have the traced model's shape.
  dir.write("models/stories260k.yaml", stories_model_yaml("head_dim: 8", "head_dim: 16"));
  auto wrong = workloads::Catalog::builtin();
  wrong.add(dir.path());
  const std::string e =
      error_of([&] { (void)compute(wrong.benchmark("stories260k/story"), dse::AlgorithmPoint{}); });
  CHECK_THAT(e, Contains("head_dim 8"));
  CHECK_THAT(e, Contains("head_dim 16"));
  // Other KV heads, or bidirectional attention, than the checkpoint's: not its shape either.
  dir.write("models/stories260k.yaml", stories_model_yaml("kv_heads: 4", "kv_heads: 8"));
  auto kv = workloads::Catalog::builtin();
  kv.add(dir.path());
  const std::string e_kv =
      error_of([&] { (void)compute(kv.benchmark("stories260k/story"), dse::AlgorithmPoint{}); });
  CHECK_THAT(e_kv, Contains("4 KV heads"));
  CHECK_THAT(e_kv, Contains("8 KV heads"));
  // More tokens than the text has.
  dir.write("suites/s.yaml", R"(kind: suite
name: s
benchmarks:
  - {model: stories260k, task: story, seq_len: 500, trace: {kind: stories260k, text: ../story.txt}}
)");
  dir.write("story.txt", "Once upon a time.");
  dir.write("models/stories260k.yaml", stories_model_yaml());
  auto short_text = workloads::Catalog::builtin();
  short_text.add(dir.path());
  const std::string e2 = error_of(
      [&] { (void)compute(short_text.benchmark("stories260k/story"), dse::AlgorithmPoint{}); });
  CHECK_THAT(e2, Contains("story.txt"));
  CHECK_THAT(e2, Contains("needs seq_len - 1 = 499"));
}

TEST_CASE("ByteHasher: independent of how bytes are split, sensitive to every byte", "[trace]") {
  std::string data(1000, '\0');
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 131 + 7);
  core::ByteHasher whole;
  whole.update(data);
  for (const std::size_t step : {1u, 3u, 31u, 32u, 33u, 999u}) {
    core::ByteHasher parts;
    for (std::size_t at = 0; at < data.size(); at += step)
      parts.update(std::string_view(data).substr(at, step));
    CHECK(parts.digest() == whole.digest());
  }
  std::string changed = data;
  changed[517] = static_cast<char>(changed[517] ^ 0x40);
  core::ByteHasher other;
  other.update(changed);
  CHECK(other.digest() != whole.digest());
  core::ByteHasher shorter;
  shorter.update(std::string_view(data).substr(0, 999));
  CHECK(shorter.digest() != whole.digest());
  core::ByteHasher padded;  // a zero byte appended must not collide with the zero-padded tail
  padded.update(data + std::string(1, '\0'));
  CHECK(padded.digest() != whole.digest());
}

TEST_CASE("NpyFile reads slices equal to the whole-file reader", "[trace]") {
  TempDir dir("npyfile");
  write_dumps(dir.path());
  for (const std::size_t layer : {0u, 1u}) {  // float32 and float16
    const fs::path p = workloads::qkv_dump_path(dir.path(), layer, 'q');
    const auto whole = workloads::read_npy(p);
    workloads::NpyFile f(p);
    CHECK(f.shape() == whole.shape);
    std::vector<float> slice(100);
    f.read(5000, slice);
    CHECK(std::equal(slice.begin(), slice.end(), whole.data.begin() + 5000));
    CHECK_THROWS_AS(f.read(whole.data.size() - 10, slice), std::out_of_range);
  }
  CHECK(workloads::dump_layers(dir.path()) == std::vector<std::size_t>{0, 1});
  CHECK(workloads::dump_key_tokens(dir.path()) == kTokens);
}

TEST_CASE("stories260K exported as .npy dumps digests exactly like the stories260K trace",
          "[trace][cli]") {
  TempDir dir("stories-npy");
  dir.write("models/stories260k.yaml", stories_model_yaml());
  std::string story;
  for (int i = 0; i < 20; ++i)
    story += "Once upon a time, there was a little boy named Tim. He had a red ball. ";
  const fs::path text = dir.write("story.txt", story);
  const auto exported = test::run_pade(
      "workloads export stories260k --text " + test::shell_quote(text.string()) + " --out " +
      test::shell_quote((dir.path() / "dumps").string()) + " --max-tokens 150");
  INFO(exported.err);
  REQUIRE(exported.code == 0);
  // Two catalogs, one benchmark name (the sampling plan depends on it), two trace sources.
  const auto catalog_with = [&](const std::string& entry) {
    dir.write("suites/s.yaml", "kind: suite\nname: s\nbenchmarks:\n  - " + entry + "\n");
    auto c = workloads::Catalog::builtin();
    c.add(dir.path());
    return c;
  };
  const auto from_npy =
      catalog_with("{model: stories260k, task: story, trace: {kind: npy, folder: ../dumps}}");
  const auto from_model = catalog_with(
      "{model: stories260k, task: story, seq_len: 151, trace: {kind: stories260k, text: "
      "../story.txt}}");
  const auto generator = workloads::GeneratorTable::builtin();
  const workloads::SamplingPlan plan;
  const auto a = dse::synthetic_stats_source(from_npy, generator, plan, 1)
                     .compute(from_npy.benchmark("stories260k/story"), dse::AlgorithmPoint{});
  const auto b = dse::synthetic_stats_source(from_model, generator, plan, 1)
                     .compute(from_model.benchmark("stories260k/story"), dse::AlgorithmPoint{});
  CHECK(from_npy.benchmark("stories260k/story").seq_len == 151);
  CHECK(a.kept_fraction == b.kept_fraction);
  CHECK(a.active_fraction == b.active_fraction);
  CHECK(a.accuracy_loss == b.accuracy_loss);
  CHECK(a.sampled_rows == b.sampled_rows);
}

TEST_CASE("pade run: a campaign over npy-traced benchmarks records which data it used",
          "[trace][cli]") {
  const Fixture fx;
  const fs::path campaign = fx.dir.write("campaign.yaml", R"(kind: campaign
name: dumps-sweep
workloads: [cat]
benchmarks: [tiny/dumps, tiny/dumps@decode]
space:
  algorithm.alpha: [0.3, 0.6]
)");
  const fs::path db = fx.dir.path() / "out.db";
  const auto r = test::run_pade("run " + test::shell_quote(campaign.string()) + " --db " +
                                test::shell_quote(db.string()) + " -q --threads 2");
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK_THAT(r.out, Contains("2 configurations evaluated"));
  CHECK_THAT(r.out, Contains("functional statistics computed: 4"));
  results::Store store(db.string());
  const auto c = store.find_campaign("dumps-sweep");
  REQUIRE(c);
  std::map<std::string, std::string> prov;
  for (const auto& [k, v] : store.provenance(c->id)) prov[k] = v;
  REQUIRE(prov.count("trace tiny/dumps") == 1);
  CHECK_THAT(prov["trace tiny/dumps"], Contains("npy folder"));
  CHECK_THAT(prov["trace tiny/dumps"], Contains("npy="));
  // Another campaign over the same dumps, same database: every digest comes from the store.
  const auto rerun = [&](const std::string& name) {
    const fs::path file = fx.dir.write(name + ".yaml", "kind: campaign\nname: " + name +
                                                           "\nworkloads: [cat]\n"
                                                           "benchmarks: [tiny/dumps, "
                                                           "tiny/dumps@decode]\nspace:\n"
                                                           "  algorithm.alpha: [0.3, 0.6]\n");
    return test::run_pade("run " + test::shell_quote(file.string()) + " --db " +
                          test::shell_quote(db.string()) + " -q");
  };
  const auto cached = rerun("again");
  INFO(cached.err);
  CHECK(cached.code == 0);
  CHECK_THAT(cached.out, Contains("functional statistics computed: 0"));
  // New dumps under the same folder and names: nothing stale is reused.
  write_dumps(fx.dir.path() / "cat" / "dumps", kDim, kTokens);  // the same: still cached
  CHECK_THAT(rerun("same").out, Contains("functional statistics computed: 0"));
  // One value of one file changes (same shapes): computed again.
  const fs::path v1 = workloads::qkv_dump_path(fx.dir.path() / "cat" / "dumps", 1, 'v');
  std::string bytes = test::slurp(v1);
  bytes[bytes.size() - 2] = static_cast<char>(bytes[bytes.size() - 2] ^ 0x01);
  std::ofstream(v1, std::ios::binary) << bytes;
  const auto changed = rerun("changed");
  INFO(changed.err);
  CHECK(changed.code == 0);
  CHECK_THAT(changed.out, Contains("functional statistics computed: 4"));
}

TEST_CASE("pade run: a model's new family is not served the old family's statistics",
          "[trace][cli]") {
  const Fixture fx;
  const fs::path db = fx.dir.path() / "out.db";
  const auto run = [&](const std::string& name) {
    const fs::path file = fx.dir.write(name + ".yaml", "kind: campaign\nname: " + name +
                                                           "\nworkloads: [cat]\n"
                                                           "benchmarks: [tiny/synthetic]\nspace:\n"
                                                           "  algorithm.alpha: [0.3]\n");
    return test::run_pade("run " + test::shell_quote(file.string()) + " --db " +
                          test::shell_quote(db.string()) + " -q");
  };
  const auto a = run("a");
  INFO(a.err);
  REQUIRE(a.code == 0);
  CHECK_THAT(a.out, Contains("functional statistics computed: 1"));
  std::string yaml = kModelYaml;
  yaml.replace(yaml.find("family: llama"), 13, "family: opt");
  fx.dir.write("cat/models/tiny-llm.yaml", yaml);
  const auto b = run("b");
  INFO(b.err);
  REQUIRE(b.code == 0);
  CHECK_THAT(b.out, Contains("functional statistics computed: 1"));
}

TEST_CASE("pade run --resume and pade merge refuse a campaign whose data changed", "[trace][cli]") {
  const Fixture fx;
  const fs::path campaign = fx.dir.write("campaign.yaml", R"(kind: campaign
name: sweep
workloads: [cat]
benchmarks: [tiny/dumps, tiny/synthetic]
space:
  algorithm.alpha: [0.3, 0.6]
)");
  const auto run = [&](const std::string& db, const std::string& extra) {
    return test::run_pade("run " + test::shell_quote(campaign.string()) + " --db " +
                          test::shell_quote((fx.dir.path() / db).string()) + " -q " + extra);
  };
  const auto flip_a_value = [&] {
    const fs::path v1 = workloads::qkv_dump_path(fx.dir.path() / "cat" / "dumps", 1, 'v');
    std::string bytes = test::slurp(v1);
    bytes.back() = static_cast<char>(bytes.back() ^ 0x01);
    std::ofstream(v1, std::ios::binary) << bytes;
  };
  SECTION("every benchmark's data is recorded; resume with the same data works") {
    const auto r = run("a.db", "");
    INFO(r.err);
    REQUIRE(r.code == 0);
    results::Store store((fx.dir.path() / "a.db").string());
    std::map<std::string, std::string> prov;
    for (const auto& [k, v] : store.provenance(store.find_campaign("sweep")->id)) prov[k] = v;
    CHECK_THAT(prov["trace tiny/synthetic"], Contains("family=llama"));
    CHECK_THAT(prov["trace tiny/dumps"], Contains("npy="));
    const auto again = run("a.db", "--resume");
    INFO(again.err);
    CHECK(again.code == 0);
  }
  SECTION("a dump file rewritten before --resume") {
    REQUIRE(run("a.db", "").code == 0);
    flip_a_value();
    const auto r = run("a.db", "--resume");
    CHECK(r.code == 2);
    CHECK_THAT(r.err, Contains("benchmark 'tiny/dumps'"));
    CHECK_THAT(r.err, Contains("changed since campaign 'sweep' was started"));
  }
  SECTION("the model's family changed before --resume") {
    REQUIRE(run("a.db", "").code == 0);
    std::string yaml = kModelYaml;
    yaml.replace(yaml.find("family: llama"), 13, "family: opt");
    fx.dir.write("cat/models/tiny-llm.yaml", yaml);
    const auto r = run("a.db", "--resume");
    CHECK(r.code == 2);
    CHECK_THAT(r.err, Contains("benchmark 'tiny/synthetic'"));
  }
  SECTION("shards that read different dumps are not merged") {
    REQUIRE(run("s0.db", "--shard 0/2").code == 0);
    flip_a_value();
    REQUIRE(run("s1.db", "--shard 1/2").code == 0);
    const auto r = test::run_pade("merge " + test::shell_quote((fx.dir.path() / "m.db").string()) +
                                  " " + test::shell_quote((fx.dir.path() / "s0.db").string()) +
                                  " " + test::shell_quote((fx.dir.path() / "s1.db").string()));
    CHECK(r.code == 2);
    CHECK_THAT(r.err, Contains("the data of benchmark 'tiny/dumps' differs"));
  }
}

TEST_CASE("bad traces fail pade validate and pade run before a campaign is recorded",
          "[trace][cli]") {
  const Fixture fx;
  const fs::path campaign = fx.dir.write("campaign.yaml", R"(kind: campaign
name: sweep
workloads: [cat]
benchmarks: [tiny/dumps]
space:
  algorithm.alpha: [0.3, 0.6]
)");
  const auto validate = [&] {
    return test::run_pade("validate " + test::shell_quote(campaign.string()));
  };
  const auto ok = validate();
  INFO(ok.err);
  CHECK(ok.code == 0);
  const fs::path k1 = workloads::qkv_dump_path(fx.dir.path() / "cat" / "dumps", 1, 'k');
  fs::remove(k1);
  const auto bad = validate();
  CHECK(bad.code == 2);
  CHECK_THAT(bad.err, Contains(k1.string()));
  CHECK_THAT(bad.err, Contains("missing dump file"));
  const fs::path db = fx.dir.path() / "out.db";
  const auto run = test::run_pade("run " + test::shell_quote(campaign.string()) + " --db " +
                                  test::shell_quote(db.string()) + " -q");
  CHECK(run.code == 2);
  CHECK_THAT(run.err, Contains(k1.string()));
  if (fs::exists(db)) {
    results::Store store(db.string());
    CHECK_FALSE(store.find_campaign("sweep"));
  }
}

TEST_CASE("an npy trace without seq_len needs dump files to take it from", "[trace]") {
  const Fixture fx;
  fs::remove_all(fx.dir.path() / "cat" / "dumps");
  fs::create_directories(fx.dir.path() / "cat" / "dumps");
  const std::string e = error_of([&] { (void)fx.catalog(); });
  CHECK_THAT(e, Contains(fx.suite.string() + ":4:5"));
  CHECK_THAT(e, Contains("seq_len"));
  CHECK_THAT(e, Contains("no layer{L}_q.npy"));
}

TEST_CASE("the example workload folder runs stories260K through pade eval", "[trace][cli]") {
  const std::string src = PADE_SOURCE_DIR;
  const auto r = test::run_pade("eval " + test::shell_quote(src + "/examples/hw-default.yaml") +
                                " --workloads " + test::shell_quote(src + "/examples/workloads") +
                                " --benchmark stories260k/own-story --format json");
  INFO(r.err);
  CHECK(r.code == 0);
  CHECK_THAT(r.out, Contains("trace=stories260k"));
}

TEST_CASE("a stories260k trace without text runs the model over its own story", "[trace]") {
  auto catalog = workloads::Catalog::builtin();
  catalog.add(fs::path(PADE_SOURCE_DIR) / "examples" / "workloads");
  const auto& b = catalog.benchmark("stories260k/own-story");
  CHECK(b.trace.kind == workloads::TraceKind::stories260k);
  CHECK(b.trace.path == workloads::Stories260K::default_dir() / "greedy256.txt");
  // A given text still resolves against the suite file's folder.
  TempDir dir("stories-text");
  dir.write("models/stories260k.yaml", stories_model_yaml());
  dir.write("suites/s.yaml", R"(kind: suite
name: s
benchmarks:
  - {model: stories260k, task: story, seq_len: 16, trace: {kind: stories260k, text: ../nowhere.txt}}
)");
  auto bad = workloads::Catalog::builtin();
  const std::string e = error_of([&] { bad.add(dir.path()); });
  CHECK_THAT(e, Contains("trace.text"));
  CHECK_THAT(e, Contains((dir.path() / "nowhere.txt").string()));
}
