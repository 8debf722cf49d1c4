// Observability (issue 17 item 6): the functional model's per-key observer on every kernel path,
// the trace dump and workload statistics verbs, integer .npy files and token-id input.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <numeric>

#include "core/error.hpp"
#include "models/functional.hpp"
#include "tests/support/run_pade.hpp"
#include "tests/test_functional_helpers.hpp"
#include "workloads/npy.hpp"
#include "workloads/tokenizer.hpp"

using namespace pade;
using namespace pade::models;
using Catch::Matchers::Contains;
using pade::test::run_pade;
using pade::test::TempDir;
using pade_test::make_head;
namespace fs = std::filesystem;

namespace {

std::vector<KernelChoice> observed_kernels() {
  std::vector<KernelChoice> out{KernelChoice::scalar};
  for (const auto k : {KernelChoice::generic, KernelChoice::avx2, KernelChoice::avx512})
    if (kernel_available(k)) out.push_back(k);
  return out;
}

// What the decisions must agree with in the statistics of the same run.
void require_consistent(const KeyDecisions& d, const FunctionalStats& st) {
  FunctionalStats::RoundArray hist{};
  std::uint64_t visible = 0, kept = 0, rescales = 0;
  for (std::size_t i = 0; i < d.rows; ++i) {
    std::uint32_t row_kept = 0;
    for (std::size_t j = 0; j < d.keys; ++j) {
      const std::uint8_t r = d.rounds[i * d.keys + j];
      const std::uint8_t k = d.kept[i * d.keys + j];
      hist[r] += 1;
      visible += r > 0;
      row_kept += k;
      if (k != 0) REQUIRE(static_cast<int>(r) == st.rounds());  // kept keys ran every round
    }
    REQUIRE(row_kept == d.row_kept[i]);
    kept += row_kept;
    rescales += d.row_rescales[i];
  }
  hist[0] = 0;
  CHECK(hist == st.rounds_hist);
  CHECK(visible == st.pairs_considered);
  CHECK(kept == st.pairs_kept);
  CHECK(rescales == st.rescale_events);
}

}  // namespace

TEST_CASE("the per-key observer is identical on every kernel path and matches the statistics",
          "[functional][observe]") {
  struct Case {
    std::size_t d, key_tile, query_group;
    int bits, bits_per_round;
    core::Granularity gran;
    TileOrder order;
    bool sampled_rows;
  };
  const Case cases[] = {
      {64, 64, 8, 8, 1, core::Granularity::per_tensor, TileOrder::head_tail, false},
      {37, 50, 5, 8, 3, core::Granularity::per_tensor, TileOrder::in_order, true},
      {80, 64, 8, 12, 1, core::Granularity::per_tensor, TileOrder::head_tail, false},  // per row
      {128, 32, 8, 8, 2, core::Granularity::per_group, TileOrder::reverse, true},      // per row
  };
  std::uint64_t seed = 170;
  for (const auto& c : cases) {
    ++seed;
    auto head = make_head(seed, 200, c.d, true, 6.0, 8.0);
    if (c.sampled_rows) {  // 30 rows in runs that straddle query groups and tiles
      std::vector<std::size_t> rows;
      for (std::size_t i = 0; i < 200; i += 20)
        for (std::size_t k = 0; k < 3; ++k) rows.push_back(i + 7 + k);
      core::Matrix q(rows.size(), c.d);
      for (std::size_t a = 0; a < rows.size(); ++a) {
        const auto src = head.q.row(rows[a]);
        std::copy(src.begin(), src.end(), q.row(a).begin());
      }
      head.q = std::move(q);
      head.query_positions = rows;
    }
    FunctionalOptions opt;
    opt.bits = c.bits;
    opt.bits_per_round = c.bits_per_round;
    opt.granularity = c.gran;
    opt.key_tile = c.key_tile;
    opt.query_group = c.query_group;
    opt.order = c.order;
    opt.compute_accuracy = false;
    opt.kernel = KernelChoice::scalar;
    KeyDecisions ref;
    const FunctionalStats ref_st = simulate_head_observed(head, opt, ref);
    CAPTURE(seed);
    CHECK(ref_st == simulate_head(head, opt));  // observing changes nothing
    require_consistent(ref, ref_st);
    CHECK(ref_st.pairs_kept < ref_st.pairs_considered);  // something was pruned
    for (const auto k : observed_kernels()) {
      CAPTURE(to_string(k));
      opt.kernel = k;
      KeyDecisions got;
      const FunctionalStats st = simulate_head_observed(head, opt, got);
      REQUIRE(st == ref_st);
      REQUIRE(got.rounds == ref.rounds);
      REQUIRE(got.kept == ref.kept);
      REQUIRE(got.row_rescales == ref.row_rescales);
    }
    // The reference row trace agrees key by key.
    const std::size_t row = ref.rows / 2;
    const RowTrace tr = trace_row(head, opt, row);
    for (const KeyTrace& kt : tr.keys) {
      REQUIRE(kt.rounds == ref.rounds[row * ref.keys + kt.key]);
      REQUIRE(kt.kept == (ref.kept[row * ref.keys + kt.key] != 0));
    }
  }
}

TEST_CASE("attention profile: entropy and sink mass of the dense distribution", "[observe]") {
  // A uniform row over n keys has entropy ln n; with zero queries every logit is equal.
  auto head = make_head(5, 64, 16, false);
  for (float& x : head.q.data()) x = 0.0f;
  FunctionalOptions opt;
  const AttentionProfile p = attention_profile(head, opt, 4);
  CHECK(p.rows == 64);
  CHECK(std::abs(p.mean_entropy - std::log(64.0)) < 1e-5);
  CHECK(std::abs(p.mean_sink_mass - 4.0 / 64.0) < 1e-6);
}

TEST_CASE("integer .npy files round-trip exactly", "[npy][observe]") {
  const TempDir dir("npy-int");
  const std::size_t shape[2] = {2, 3};
  const std::vector<std::uint8_t> u8{0, 1, 2, 200, 255, 7};
  const std::vector<std::int32_t> i32{-5, 0, 1, 1 << 30, -(1 << 30), 42};
  const std::vector<std::uint32_t> u32{0, 1, 4000000000u, 3, 2, 1};
  workloads::write_npy_u8(dir.path() / "a.npy", shape, u8);
  workloads::write_npy_i32(dir.path() / "b.npy", shape, i32);
  workloads::write_npy_u32(dir.path() / "c.npy", shape, u32);
  const auto a = workloads::read_npy_integers(dir.path() / "a.npy");
  const auto b = workloads::read_npy_integers(dir.path() / "b.npy");
  const auto c = workloads::read_npy_integers(dir.path() / "c.npy");
  CHECK(a.shape == std::vector<std::size_t>{2, 3});
  CHECK(a.stored_dtype == workloads::NpyDtype::UInt8);
  CHECK(a.data == std::vector<std::int64_t>(u8.begin(), u8.end()));
  CHECK(b.data == std::vector<std::int64_t>(i32.begin(), i32.end()));
  CHECK(c.data == std::vector<std::int64_t>(u32.begin(), u32.end()));
  CHECK(workloads::read_npy(dir.path() / "a.npy").data[3] == 200.0f);  // as float too
  const float f[6] = {};
  workloads::write_npy_f32(dir.path() / "f.npy", shape, f);
  CHECK_THROWS_WITH(workloads::read_npy_integers(dir.path() / "f.npy"),
                    Contains("expected integers"));
}

TEST_CASE("token ids are read from text and .npy files, BOS anywhere", "[observe][stories260k]") {
  const TempDir dir("tokens");
  {
    std::ofstream f(dir.path() / "ids.txt");
    f << "# a story, then BOS, then another\n1 403, 87\n1 2 9 # end\n";
  }
  CHECK(workloads::read_token_ids(dir.path() / "ids.txt", 512, 512) ==
        std::vector<workloads::TokenId>{1, 403, 87, 1, 2, 9});
  const std::size_t n[1] = {4};
  const std::vector<std::int32_t> ids{1, 5, 1, 6};
  workloads::write_npy_i32(dir.path() / "ids.npy", n, ids);
  CHECK(workloads::read_token_ids(dir.path() / "ids.npy", 512, 512) == ids);
  {
    std::ofstream f(dir.path() / "bad.txt");
    f << "1 2\n3 512 4\n";
  }
  CHECK_THROWS_WITH(workloads::read_token_ids(dir.path() / "bad.txt", 512, 512),
                    Contains("bad.txt:2:3") && Contains("found '512'") && Contains("0..511"));
  CHECK_THROWS_WITH(workloads::read_token_ids(dir.path() / "ids.npy", 512, 3),
                    Contains("at most 3"));
  CHECK_THROWS_AS(workloads::read_token_ids(dir.path() / "missing.txt", 512, 512),
                  core::InputError);
}

namespace {

// A two-layer dump folder of two query heads over one KV head (GQA), 96 tokens, dim 32.
void write_dump(const fs::path& dir) {
  fs::create_directories(dir);
  for (std::size_t l = 0; l < 2; ++l) {
    std::vector<core::Matrix> q, k, v;
    for (std::uint64_t h = 0; h < 2; ++h) {
      auto head = make_head(900 + 10 * l + h, 96, 32, true, 6.0, 8.0);
      q.push_back(head.q);
      if (h == 0) k.push_back(head.k), v.push_back(head.v);
    }
    workloads::write_npy_heads(workloads::qkv_dump_path(dir, l, 'q'), q);
    workloads::write_npy_heads(workloads::qkv_dump_path(dir, l, 'k'), k);
    workloads::write_npy_heads(workloads::qkv_dump_path(dir, l, 'v'), v);
  }
}

std::vector<std::int64_t> ints(const fs::path& p) {
  return workloads::read_npy_integers(p).data;
}

template <class T>
std::vector<std::int64_t> widen(const std::vector<T>& v) {
  return {v.begin(), v.end()};
}

}  // namespace

TEST_CASE("pade trace dump: the files read back equal the in-memory decisions", "[cli][observe]") {
  const TempDir dir("trace-dump");
  write_dump(dir.path() / "dumps");
  const auto r =
      run_pade("trace dump --npy dumps --layer 1 --head 1 --out d --format json", dir.path());
  INFO(r.err);
  REQUIRE(r.code == 0);
  const auto head = workloads::load_qkv_layer(dir.path() / "dumps", 1).at(1);
  FunctionalOptions opt;
  opt.compute_accuracy = false;
  KeyDecisions d;
  const FunctionalStats st = simulate_head_observed(head, opt, d);
  const fs::path out = dir.path() / "d";
  const auto rounds = workloads::read_npy_integers(out / "rounds.npy");
  CHECK(rounds.shape == std::vector<std::size_t>{96, 96});
  CHECK(rounds.data == widen(d.rounds));
  CHECK(ints(out / "kept.npy") == widen(d.kept));
  CHECK(ints(out / "row_kept.npy") == widen(d.row_kept));
  CHECK(ints(out / "row_rescales.npy") == widen(d.row_rescales));
  const auto pos = ints(out / "positions.npy");
  CHECK(pos.front() == 0);
  CHECK(pos.back() == 95);
  const std::string manifest = pade::test::slurp(out / "manifest.json");
  CHECK_THAT(manifest, Contains("\"pairs_kept\": " + std::to_string(st.pairs_kept)));
  CHECK_THAT(manifest, Contains("\"format\": \"pade-trace-dump 1\""));
  CHECK_THAT(r.out, Contains("\"kept_fraction\""));

  // Fewer rows: whole query groups, first and last included.
  REQUIRE(run_pade("trace dump --npy dumps --rows 16 --out d2", dir.path()).code == 0);
  const auto pos2 = ints(dir.path() / "d2" / "positions.npy");
  CHECK(pos2.size() == 16);
  CHECK(pos2.front() == 0);
  CHECK(pos2.back() == 95);
}

TEST_CASE("pade workloads stats: one row per (layer, head), equal to the model's numbers",
          "[cli][observe]") {
  const TempDir dir("workload-stats");
  write_dump(dir.path() / "dumps");
  const auto r = run_pade("workloads stats --npy dumps --rows 0 --format csv", dir.path());
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 5);  // header + 2 layers x 2 heads
  const auto head = workloads::load_qkv_layer(dir.path() / "dumps", 0).at(1);
  FunctionalOptions opt;
  opt.compute_accuracy = false;
  const FunctionalStats st = simulate_head(head, opt);
  const std::string row = "0,1,96," + std::to_string(st.pairs_considered) + ",";
  CHECK_THAT(r.out, Contains(row));
}

TEST_CASE("trace verbs: bad input is one clear error and exit 2", "[cli][observe]") {
  const TempDir dir("trace-bad");
  write_dump(dir.path() / "dumps");
  {
    std::ofstream f(dir.path() / "ids.txt");
    f << "1 2 x3\n";
  }
  const auto layer = run_pade("trace dump --npy dumps --layer 7 --out d", dir.path());
  CHECK(layer.code == 2);
  CHECK_THAT(layer.err, Contains("--layer") && Contains("expected 0..1"));
  const auto head = run_pade("trace dump --npy dumps --head 2 --out d", dir.path());
  CHECK(head.code == 2);
  CHECK_THAT(head.err, Contains("expected 0..1"));
  const auto none = run_pade("trace dump --out d", dir.path());
  CHECK(none.code == 2);
  const auto two = run_pade("trace dump --npy dumps --text t.txt --out d", dir.path());
  CHECK(two.code == 2);
  const auto tokens = run_pade("trace dump --tokens ids.txt --out d", dir.path());
  CHECK(tokens.code == 2);
  CHECK_THAT(tokens.err, Contains("ids.txt:1:5") && Contains("found 'x3'"));
  const auto missing = run_pade("workloads stats --npy nowhere", dir.path());
  CHECK(missing.code == 2);
  const auto export_both =
      run_pade("workloads export stories260k --text a --tokens b --out e", dir.path());
  CHECK(export_both.code == 2);
  CHECK_THAT(export_both.err, Contains("exactly one of --text"));
}

TEST_CASE("stories260K export writes token ids that reproduce the export", "[cli][stories260k]") {
  const TempDir dir("token-roundtrip");
  {
    std::ofstream f(dir.path() / "story.txt");
    f << "Once upon a time, there was a little dog. The dog liked to play in the park.\n";
  }
  REQUIRE(run_pade("workloads export stories260k --text story.txt --out a", dir.path()).code == 0);
  const auto tokens = ints(dir.path() / "a" / "tokens.npy");
  REQUIRE(tokens.size() > 10);
  CHECK(tokens.front() == workloads::Tokenizer::kBos);
  const auto again =
      run_pade("workloads export stories260k --tokens a/tokens.npy --out b", dir.path());
  INFO(again.err);
  REQUIRE(again.code == 0);
  CHECK(ints(dir.path() / "b" / "tokens.npy") == tokens);
  for (const char* f : {"layer0_q.npy", "layer4_k.npy", "layer2_v.npy"})
    CHECK(pade::test::slurp(dir.path() / "a" / f) == pade::test::slurp(dir.path() / "b" / f));
  // A BOS in the middle: the second story's attention restarts at its BOS position only through
  // the model (causal attention still sees the first story) — the dump records what it does.
  {
    std::ofstream f(dir.path() / "two.txt");
    for (const auto t : tokens) f << t << ' ';
    f << '\n';
    for (const auto t : tokens) f << t << ' ';
  }
  const auto two = run_pade("trace dump --tokens two.txt --layer 1 --head 3 --out t", dir.path());
  INFO(two.err);
  REQUIRE(two.code == 0);
  CHECK(ints(dir.path() / "t" / "tokens.npy").size() == 2 * tokens.size());
  CHECK(workloads::read_npy_integers(dir.path() / "t" / "kept.npy").shape ==
        std::vector<std::size_t>{2 * tokens.size(), 2 * tokens.size()});
}
