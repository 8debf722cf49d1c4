// pade trace dump : every per-key decision of one head of any trace source (docs/trace-dump.md).
#include <filesystem>
#include <iostream>

#include "core/error.hpp"
#include "core/file_io.hpp"
#include "core/json.hpp"
#include "workloads/npy.hpp"

#include "dse/cli/cli.hpp"
#include "dse/cli/common.hpp"
#include "dse/cli/trace_heads.hpp"
#include "dse/stats_source.hpp"

namespace pade::dse::cli {

namespace {

struct DumpArgs {
  TraceSourceArgs source;
  std::size_t layer = 0;
  std::size_t head = 0;
  std::size_t rows = 0;
  std::string out;
  std::string format = "table";
};

constexpr const char* kDumpFormat = "pade-trace-dump 1";

void write_options(core::JsonWriter& w, const AlgorithmPoint& p) {
  w.key("algorithm").begin_object();
  w.key("key").value(p.key());  // the statistics-cache key of these knobs
  w.key("bits").value(p.bits);
  w.key("bits_per_round").value(p.bits_per_round);
  w.key("bui_gf").value(p.bui_gf);
  w.key("alpha").value(p.alpha);
  w.key("radius").value(p.radius);
  w.key("query_group").value(p.qk_rows);
  w.key("key_tile").value(p.tile_keys);
  w.key("tile_order").value(models::to_string(p.tile_order));
  w.end_object();
}

void write_stats(core::JsonWriter& w, const models::FunctionalStats& st) {
  w.key("stats").begin_object();
  w.key("query_rows").value(static_cast<std::int64_t>(st.query_rows));
  w.key("pairs_considered").value(static_cast<std::int64_t>(st.pairs_considered));
  w.key("pairs_kept").value(static_cast<std::int64_t>(st.pairs_kept));
  w.key("kept_fraction").value(st.kept_fraction());
  w.key("mean_rounds").value(st.mean_rounds());
  w.key("mean_planes").value(st.mean_planes());
  w.key("rescale_events").value(static_cast<std::int64_t>(st.rescale_events));
  w.key("max_updates").value(static_cast<std::int64_t>(st.max_updates));
  // Index r = 1..R: pairs whose last processed round is r (index 0 is unused, always 0).
  w.key("rounds_hist").begin_array();
  for (int r = 0; r <= st.rounds(); ++r)
    w.value(static_cast<std::int64_t>(st.rounds_hist[static_cast<std::size_t>(r)]));
  w.end_array();
  w.end_object();
}

std::string manifest(const DumpArgs& a, const TraceHeads& t, const AlgorithmPoint& p,
                     const models::KeyDecisions& d, const models::FunctionalStats& st) {
  core::JsonWriter w(true);
  w.begin_object();
  w.key("format").value(kDumpFormat);
  w.key("source").value(t.describe);
  w.key("layer").value(static_cast<std::int64_t>(a.layer));
  w.key("head").value(static_cast<std::int64_t>(a.head));
  w.key("rows").value(static_cast<std::int64_t>(d.rows));
  w.key("keys").value(static_cast<std::int64_t>(d.keys));
  write_options(w, p);
  write_stats(w, st);
  w.key("files").begin_object();
  w.key("rounds.npy").value("uint8 [rows, keys]: last round processed per (row, key); 0 = masked");
  w.key("kept.npy").value("uint8 [rows, keys]: 1 = the key survived every round");
  w.key("row_kept.npy").value("uint32 [rows]: kept keys per row");
  w.key("row_rescales.npy").value("uint32 [rows]: online-softmax rescale events per row");
  w.key("positions.npy").value("int32 [rows]: token position of each query row");
  if (!t.tokens.empty()) w.key("tokens.npy").value("int32 [tokens]: the traced token ids");
  w.end_object();
  w.end_object();
  return w.str() + "\n";
}

int dump(const DumpArgs& a) {
  const results::Format format = format_option(a.format);
  const TraceHeads t = open_trace_heads(a.source);
  t.check(a.layer, a.head);
  const AlgorithmPoint point = trace_algorithm_point(a.source);
  models::FunctionalOptions o = functional_options(point);
  const core::AttentionHead head = t.head(a.layer, a.head, t.rows(a.layer, a.rows, o.query_group));
  o.compute_accuracy = false;  // decisions only: no dense reference needed
  // Two rows x keys bytes arrays in memory and on disk: refuse what would not be inspectable.
  constexpr std::size_t kMaxPairs = std::size_t{1} << 28;
  if (head.q.rows() * head.k.rows() > kMaxPairs)
    throw core::InputError("--rows: found " + std::to_string(head.q.rows()) + " rows x " +
                           std::to_string(head.k.rows()) +
                           " keys, expected at most 2^28 "
                           "pairs: pass --rows N for fewer query rows");
  models::KeyDecisions d;
  const models::FunctionalStats st = models::simulate_head_observed(head, o, d);

  const std::filesystem::path out(a.out);
  core::make_output_folder(out);
  const std::size_t grid[2] = {d.rows, d.keys};
  const std::size_t per_row[1] = {d.rows};
  workloads::write_npy_u8(out / "rounds.npy", grid, d.rounds);
  workloads::write_npy_u8(out / "kept.npy", grid, d.kept);
  workloads::write_npy_u32(out / "row_kept.npy", per_row, d.row_kept);
  workloads::write_npy_u32(out / "row_rescales.npy", per_row, d.row_rescales);
  std::vector<std::int32_t> positions(head.query_positions.begin(), head.query_positions.end());
  workloads::write_npy_i32(out / "positions.npy", per_row, positions);
  if (!t.tokens.empty()) {
    const std::size_t n[1] = {t.tokens.size()};
    workloads::write_npy_i32(out / "tokens.npy", n, t.tokens);
  }
  core::write_output_file(out / "manifest.json", manifest(a, t, point, d, st));

  results::Table tab({"name", "value"});
  const auto row = [&](const char* k, results::Cell v) {
    tab.add_row({results::Table::text(k), std::move(v)});
  };
  row("source", results::Table::text(t.describe));
  row("layer", results::Table::integer(static_cast<long long>(a.layer)));
  row("head", results::Table::integer(static_cast<long long>(a.head)));
  row("rows", results::Table::integer(static_cast<long long>(d.rows)));
  row("keys", results::Table::integer(static_cast<long long>(d.keys)));
  row("kept_fraction", results::Table::number(st.kept_fraction()));
  row("mean_planes", results::Table::number(st.mean_planes()));
  row("rescale_events", results::Table::integer(static_cast<long long>(st.rescale_events)));
  row("out", results::Table::text(out.string()));
  tab.write_fields(std::cout, format);
  return 0;
}

}  // namespace

void add_trace(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<DumpArgs>();
  auto* cmd = app.add_subcommand("trace", "Observe the functional model's per-key decisions");
  cmd->require_subcommand(1);
  auto* d = cmd->add_subcommand(
      "dump",
      "Write one head's per-key termination rounds and kept mask (.npy), per-row kept counts and "
      "rescale events, and a manifest.json (docs/trace-dump.md)");
  add_trace_source_options(d, args->source);
  d->add_option("--layer", args->layer, "layer (0 = first; default 0)");
  d->add_option("--head", args->head, "query head (default 0)");
  d->add_option("--rows", args->rows,
                "at most this many query rows, in query groups spread over the sequence "
                "(default 0: every row)");
  d->add_option("--out", args->out, "output folder")->required();
  d->add_option("--format", args->format, "summary format: table, csv or json");
  d->footer(
      "Examples:\n  pade trace dump -b llama2-7b/mmlu --layer 3 --head 5 --rows 256 --out d/\n"
      "  pade trace dump --text /usr/share/games/fortunes/fortunes --layer 1 --head 2 --out d/\n"
      "  pade trace dump --npy dumps/ --config examples/hw-default.yaml --out d/");
  d->callback([&ctx, args] { ctx.action = [args] { return dump(*args); }; });
}

}  // namespace pade::dse::cli
