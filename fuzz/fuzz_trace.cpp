// Fuzz target: the npy trace-folder reader (workloads/trace.hpp NpyTrace, workloads/npy.hpp
// NpyFile, dump_layers, dump_key_tokens, load_qkv_folder) on a dump folder made from the input.
//
// The input is the three files of one layer back to back, each starting with the .npy magic
// "\x93NUMPY": layer0_q.npy up to the second magic, layer0_k.npy up to the third, layer0_v.npy the
// rest (fewer magics: the later files are missing). They are written into a private temporary
// folder, then read as `pade eval` reads a suite entry `trace: {kind: npy, folder: ...}`: the key
// length from the K file (as the catalog takes seq_len), the model shape from the Q and K headers
// (as a model file would declare it), the up-front check of every sampled file, the sampled
// slices (prefill and decode forms), the data identity (a hash of every file) and the whole-file
// reader. No functional model runs.
//
// Every input must be read or rejected with core::InputError; anything else is a finding.
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

#include "core/error.hpp"
#include "workloads/npy.hpp"
#include "workloads/sampling.hpp"
#include "workloads/trace.hpp"

namespace fs = std::filesystem;
using namespace pade;

namespace {

/// A private folder under the temp dir for the whole run, removed at exit.
class DumpFolder {
 public:
  DumpFolder() {
    std::string pattern = (fs::temp_directory_path() / "pade_fuzz_trace_XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) std::abort();
    path_ = pattern;
  }
  ~DumpFolder() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  DumpFolder(const DumpFolder&) = delete;
  DumpFolder& operator=(const DumpFolder&) = delete;

  [[nodiscard]] const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

constexpr std::string_view kMagic = "\x93NUMPY";

/// Writes `bytes` to `path`, or removes `path` when there are none (a missing file).
void put(const fs::path& path, std::optional<std::string_view> bytes) {
  std::error_code ec;
  fs::remove(path, ec);
  if (!bytes) return;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes->data(), static_cast<std::streamsize>(bytes->size()));
  if (!out) std::abort();
}

/// The heads and head_dim a header declares ([heads, tokens, dim] or [tokens, dim]).
struct Declared {
  int heads = 1;
  int dim = 4;
};
Declared declared(std::optional<std::string_view> bytes) {
  Declared d;
  if (!bytes) return d;
  try {
    const std::span<const std::byte> raw(reinterpret_cast<const std::byte*>(bytes->data()),
                                         bytes->size());
    const auto h = workloads::parse_npy_header(raw, raw.size(), "declared");
    const auto& s = h.shape;
    // A model file's own limits are the catalog's business; keep the shapes a model could have.
    if ((s.size() == 2 || s.size() == 3) && s.back() >= 1 && s.back() <= 4096)
      d.dim = static_cast<int>(s.back());
    if (s.size() == 3 && s[0] >= 1 && s[0] <= 1024) d.heads = static_cast<int>(s[0]);
  } catch (const core::InputError&) {
  }
  return d;
}

workloads::Benchmark benchmark(const fs::path& dir, std::int64_t tokens, const Declared& q,
                               const Declared& k, bool decode) {
  workloads::Benchmark b;
  b.name = decode ? "fuzz/dumps@decode" : "fuzz/dumps";
  b.model = "fuzz-model";
  b.task = "dumps";
  b.phase = decode ? "decode" : "prefill";
  b.seq_len = tokens;
  workloads::AttentionGroup g;
  g.layers = 1;
  g.q_heads = q.heads;
  g.kv_heads = q.heads % k.heads == 0 ? k.heads : 1;
  g.head_dim = q.dim;
  g.keys = tokens;
  g.queries = decode ? 1 : tokens;
  b.groups.push_back(g);
  b.trace.kind = workloads::TraceKind::npy;
  b.trace.path = dir;
  return b;
}

void read_folder(const fs::path& dir, const Declared& q, const Declared& k) {
  (void)workloads::dump_layers(dir);
  // seq_len left out: the catalog takes the K file's key length.
  const auto tokens = static_cast<std::int64_t>(workloads::dump_key_tokens(dir));
  if (tokens < 1) __builtin_trap();  // a benchmark without keys must be an input error
  workloads::SamplingPlan plan;
  plan.layers = 1;
  plan.heads_per_layer = 2;
  plan.row_groups = 2;
  plan.rows_per_group = 4;
  // The prefill form and the derived decode form (one query: a prefill Q dump serves both, a
  // one-token Q dump only the decode form): each is read on its own.
  for (const bool decode : {false, true}) {
    try {
      const workloads::Benchmark b = benchmark(dir, tokens, q, k, decode);
      const workloads::NpyTrace source(b, dir);
      const auto samples = workloads::sample_heads(b, plan, 1);
      source.check(samples);
      for (const auto& s : samples) {
        const core::AttentionHead h = source.head(s);
        if (h.q.rows() != s.rows.size() || h.k.rows() != static_cast<std::size_t>(tokens))
          __builtin_trap();
        for (const auto* m : {&h.q, &h.k, &h.v})
          for (const float x : m->data())
            if (!std::isfinite(x)) __builtin_trap();  // non-finite values are input errors
      }
      (void)workloads::trace_identity(b, nullptr);
    } catch (const core::InputError&) {
    }
  }
  (void)workloads::load_qkv_folder(dir);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const DumpFolder folder;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  // Split where a magic starts after the first byte: q up to the first such magic, k up to the
  // next, v the rest; a file with no magic to start it is missing.
  std::optional<std::string_view> files[3];
  std::size_t start = 0;
  for (int f = 0; f < 3; ++f) {
    const std::size_t end = f < 2 ? input.find(kMagic, start + 1) : std::string_view::npos;
    files[f] =
        input.substr(start, end == std::string_view::npos ? input.size() - start : end - start);
    if (end == std::string_view::npos) break;
    start = end;
  }
  const char which[3] = {'q', 'k', 'v'};
  for (int f = 0; f < 3; ++f) put(workloads::qkv_dump_path(folder.path(), 0, which[f]), files[f]);
  try {
    read_folder(folder.path(), declared(files[0]), declared(files[1]));
  } catch (const core::InputError&) {
  }
  return 0;
}
