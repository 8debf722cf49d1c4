// pade workloads list | show NAME | export stories260k | stats : the benchmark catalog and trace
// sources.
#include <tbb/parallel_for.h>

#include <algorithm>
#include <filesystem>
#include <iostream>

#include "core/file_io.hpp"
#include "core/json.hpp"
#include "dse/llm_eval.hpp"
#include "workloads/npy.hpp"
#include "workloads/stories260k.hpp"

#include "dse/cli/cli.hpp"
#include "dse/cli/common.hpp"
#include "dse/cli/trace_heads.hpp"
#include "dse/stats_source.hpp"

namespace pade::dse::cli {

namespace {

struct WorkloadsArgs {
  std::string suite;
  std::string name;
  std::string format = "table";
  std::string text;
  std::string out;
  std::string tokens;
  std::size_t max_tokens = 512;
  std::vector<std::string> workloads;
  TraceSourceArgs source;  // stats
  std::size_t rows = 256;
  std::size_t sink_tokens = 4;
};

constexpr const char* kStories = "stories260k";

// The real model in the box as a trace source: its shape, where it lives, how to export it.
int show_stories(results::Format format) {
  const auto dir = workloads::Stories260K::default_dir();
  const auto m = workloads::Stories260K::load(dir);
  const auto& c = m.model.config();
  if (format == results::Format::Json) {
    core::JsonWriter w(true);
    w.begin_object();
    w.key("name"), w.value(kStories);
    w.key("kind"), w.value("trace source (real model)");
    w.key("dir"), w.value(dir.string());
    w.key("layers"), w.raw(std::to_string(c.n_layers));
    w.key("q_heads"), w.raw(std::to_string(c.n_heads));
    w.key("kv_heads"), w.raw(std::to_string(c.n_kv_heads));
    w.key("head_dim"), w.raw(std::to_string(c.head_dim()));
    w.key("max_context"), w.raw(std::to_string(c.seq_len));
    w.key("vocab"), w.raw(std::to_string(c.vocab_size));
    w.key("attention"), w.value("causal, RoPE, GQA");
    w.end_object();
    std::cout << w.str() << '\n';
    return 0;
  }
  std::cout << kStories << ": trace source, a real trained Llama-2-style model (TinyStories), "
            << dir.string() << "\n  " << c.n_layers << " layers, " << c.n_heads << " query heads, "
            << c.n_kv_heads << " KV heads (GQA), head_dim " << c.head_dim() << ", context "
            << c.seq_len << ", vocab " << c.vocab_size
            << "; causal, RoPE\n  post-RoPE Q/K/V of any text: pade workloads export stories260k "
               "--text FILE --out DIR"
            << "\n  end-to-end effect of PADE attention: pade llm perplexity --text FILE "
               "--attention pade\n";
  return 0;
}

// Writes layer{L}_{q,k,v}.npy (the dump-folder convention of workloads/npy.hpp) for a text.
int export_stories(const WorkloadsArgs& a) {
  if (a.name != kStories)
    throw core::InputError(
        "workloads export: found '" + a.name + "', expected '" + kStories +
        "' (the only exportable trace source; synthetic heads come from the generator)");
  if (a.text.empty() == a.tokens.empty())
    throw core::InputError(
        "workloads export: give exactly one of --text FILE (BOS is prepended) "
        "and --tokens FILE (token ids as they are)");
  const auto m = workloads::Stories260K::load();
  const auto& c = m.model.config();
  std::vector<workloads::TokenId> tokens;
  if (!a.tokens.empty()) {
    tokens = workloads::read_token_ids(a.tokens, c.vocab_size, c.seq_len);
  } else {
    tokens = encode_text(m.tokenizer, read_text_file(a.text),
                         std::min<std::size_t>(a.max_tokens, c.seq_len - 1));
    tokens.insert(tokens.begin(), workloads::Tokenizer::kBos);
  }
  const workloads::ModelTrace trace = workloads::trace_attention(m.model, tokens);
  const std::filesystem::path out(a.out);
  core::make_output_folder(out);
  const std::size_t n_tokens[1] = {tokens.size()};
  workloads::write_npy_i32(out / "tokens.npy", n_tokens, tokens);
  for (std::size_t l = 0; l < c.n_layers; ++l) {
    std::vector<core::Matrix> q, k, v;
    for (std::size_t h = 0; h < c.n_heads; ++h) q.push_back(trace.at(l, h).q);
    for (std::size_t kv = 0; kv < c.n_kv_heads; ++kv) {
      k.push_back(trace.at(l, kv * c.group()).k);  // query head kv·group reads KV head kv
      v.push_back(trace.at(l, kv * c.group()).v);
    }
    workloads::write_npy_heads(workloads::qkv_dump_path(out, l, 'q'), q);
    workloads::write_npy_heads(workloads::qkv_dump_path(out, l, 'k'), k);
    workloads::write_npy_heads(workloads::qkv_dump_path(out, l, 'v'), v);
  }
  std::cout << "wrote " << c.n_layers << " layers x {q,k,v} and tokens.npy for " << tokens.size()
            << (a.tokens.empty() ? " tokens (BOS + text) to " : " tokens to ") << out.string()
            << '\n';
  return 0;
}

// Per-(layer, head) statistics of a trace source: what PADE's rule does on each head (kept
// fraction, planes, rescales) and what the head's dense attention looks like (entropy, sink mass).
int stats(const WorkloadsArgs& a) {
  const auto format = format_option(a.format);
  const TraceHeads t = open_trace_heads(a.source);
  const AlgorithmPoint point = trace_algorithm_point(a.source);
  models::FunctionalOptions o = functional_options(point);
  o.compute_accuracy = false;
  struct Cell {
    std::size_t layer = 0, head = 0;
    models::FunctionalStats st;
    models::AttentionProfile profile;
  };
  std::vector<Cell> cells;
  for (std::size_t l = 0; l < t.layers.size(); ++l)
    for (std::size_t h = 0; h < t.layers[l].heads; ++h) cells.push_back({l, h, {}, {}});
  // Heads are independent: each result lands in its own slot (order-independent output).
  tbb::parallel_for(std::size_t{0}, cells.size(), [&](std::size_t i) {
    Cell& c = cells[i];
    const auto head = t.head(c.layer, c.head, t.rows(c.layer, a.rows, o.query_group));
    c.st = models::simulate_head(head, o);
    c.profile = models::attention_profile(head, o, a.sink_tokens);
  });
  results::Table tab({"layer", "head", "rows", "pairs", "kept_fraction", "mean_planes",
                      "rescales_per_row", "entropy_nats", "sink_mass"});
  for (const Cell& c : cells) {
    const double rows = static_cast<double>(std::max<std::uint64_t>(1, c.st.query_rows));
    tab.add_row({results::Table::integer(static_cast<long long>(c.layer)),
                 results::Table::integer(static_cast<long long>(c.head)),
                 results::Table::integer(static_cast<long long>(c.st.query_rows)),
                 results::Table::integer(static_cast<long long>(c.st.pairs_considered)),
                 results::Table::number(c.st.kept_fraction()),
                 results::Table::number(c.st.mean_planes()),
                 results::Table::number(static_cast<double>(c.st.rescale_events) / rows),
                 results::Table::number(c.profile.mean_entropy),
                 results::Table::number(c.profile.mean_sink_mass)});
  }
  tab.write(std::cout, format);
  if (format == results::Format::Table)
    std::cout << "\n"
              << t.describe << "; knobs " << point.key() << "; sink mass = dense FP32 "
              << "probability on the first " << a.sink_tokens << " tokens, entropy in nats\n";
  return 0;
}

int list(const WorkloadsArgs& a) {
  const auto format = format_option(a.format);
  const auto catalog = load_catalog(workload_paths(a.workloads));
  const auto names = a.suite.empty() ? catalog.benchmark_names() : catalog.suite(a.suite);
  results::Table t({"benchmark", "model", "task", "phase", "seq_len", "layers", "pairs", "trace"});
  for (const auto& n : names) {
    const auto& b = catalog.benchmark(n);
    t.add_row({results::Table::text(b.name), results::Table::text(b.model),
               results::Table::text(b.task), results::Table::text(b.phase),
               results::Table::integer(b.seq_len), results::Table::integer(b.total_layers()),
               results::Table::number(b.total_pairs()),
               results::Table::text(std::string(workloads::trace_kind_name(b.trace.kind)))});
  }
  t.write(std::cout, format);
  if (format == results::Format::Table) {
    std::cout << "\nsuites:";
    for (const auto& s : catalog.suite_names()) std::cout << ' ' << s;
    std::cout << "\nmodels:";
    for (const auto& m : catalog.model_names()) std::cout << ' ' << m;
    std::cout << "\ntrace sources: synthetic generator (default), .npy dump folders, " << kStories
              << " (real model; pade workloads show " << kStories << ")\n";
  }
  return 0;
}

int show(const WorkloadsArgs& a) {
  const auto format = format_option(a.format);
  if (a.name == kStories) return show_stories(format);
  const auto catalog = load_catalog(workload_paths(a.workloads));
  const bool is_model = !catalog.has_benchmark(a.name) && [&] {
    const auto models = catalog.model_names();
    return std::find(models.begin(), models.end(), a.name) != models.end();
  }();
  if (format == results::Format::Json) {
    std::cout << (is_model ? workloads::model_json(catalog.model(a.name))
                           : workloads::benchmark_json(catalog.benchmark(a.name)))
              << '\n';
    return 0;
  }
  if (is_model) {
    const auto& m = catalog.model(a.name);
    std::cout << m.name << ": family " << m.family << ", " << m.attention << ", " << m.position
              << " positions, " << m.layers << " layers, context " << m.max_context
              << "\n  source: " << m.source << '\n';
    return 0;
  }
  const auto& b = catalog.benchmark(a.name);
  std::cout << b.name << ": model " << b.model << ", task " << b.task << ", " << b.phase << ", "
            << b.seq_len << " tokens\n  trace: " << b.trace.describe() << '\n';
  results::Table t(
      {"layers", "q_heads", "kv_heads", "head_dim", "queries", "keys", "causal", "pairs"});
  for (const auto& g : b.groups)
    t.add_row({results::Table::integer(g.layers), results::Table::integer(g.q_heads),
               results::Table::integer(g.kv_heads), results::Table::integer(g.head_dim),
               results::Table::integer(g.queries), results::Table::integer(g.keys),
               results::Table::text(g.causal ? "yes" : "no"),
               results::Table::number(g.total_pairs())});
  t.write(std::cout, format);
  return 0;
}

}  // namespace

void add_workloads(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<WorkloadsArgs>();
  auto* cmd =
      app.add_subcommand("workloads", "List and show the benchmark catalog (models and suites)");
  cmd->require_subcommand(1);
  auto* l = cmd->add_subcommand("list", "List benchmarks (all, or one suite's)");
  l->add_option("--suite", args->suite, "only this suite's benchmarks, in order");
  l->add_option("--format", args->format, "table, csv or json");
  l->add_option("--workloads,-w", args->workloads,
                "extra model/suite YAML file or catalog folder (repeatable)");
  auto* s = cmd->add_subcommand("show", "Show one benchmark or model");
  s->add_option("name", args->name, "benchmark or model name")->required();
  s->add_option("--format", args->format, "table or json");
  s->add_option("--workloads,-w", args->workloads,
                "extra model/suite YAML file or catalog folder (repeatable)");
  auto* e =
      cmd->add_subcommand("export", "Write a trace source's post-RoPE Q/K/V as .npy dump files");
  e->add_option("name", args->name, "trace source (stories260k)")->required();
  e->add_option("--text", args->text,
                "text to run through the model after BOS (.gz/.dz are decompressed)");
  e->add_option("--tokens", args->tokens,
                "token ids to run through the model as they are (a BOS anywhere is id 1): a .npy "
                "of integers such as the tokens.npy this writes, or a text file of ids");
  e->add_option("--out", args->out, "output folder (layer{L}_{q,k,v}.npy)")->required();
  e->add_option("--max-tokens", args->max_tokens,
                "text tokens (at most the context minus BOS; default 511)");
  auto* st = cmd->add_subcommand(
      "stats",
      "Per-(layer, head) statistics of a trace source: kept fraction, mean planes, "
      "rescales, attention entropy, sink mass");
  add_trace_source_options(st, args->source);
  st->add_option("--rows", args->rows,
                 "query rows per head, in query groups spread over the sequence (default 256; 0 "
                 "= every row)");
  st->add_option("--sink-tokens", args->sink_tokens,
                 "the first tokens whose attention mass is the sink mass (default 4)");
  st->add_option("--format", args->format, "table, csv or json");
  cmd->footer(
      "Examples:\n  pade workloads list --suite pade22\n  pade workloads show llama3-8b/dolly "
      "--format json\n"
      "  pade workloads show stories260k\n"
      "  pade workloads export stories260k --text /usr/share/games/fortunes/fortunes --out dumps/\n"
      "  pade workloads export stories260k --tokens ids.txt --out dumps/\n"
      "  pade workloads stats --text /usr/share/games/fortunes/fortunes --max-tokens 255\n"
      "  pade workloads stats -b llama2-7b/mmlu --rows 64 --format csv");
  l->callback([&ctx, args] { ctx.action = [args] { return list(*args); }; });
  s->callback([&ctx, args] { ctx.action = [args] { return show(*args); }; });
  e->callback([&ctx, args] { ctx.action = [args] { return export_stories(*args); }; });
  st->callback([&ctx, args] { ctx.action = [args] { return stats(*args); }; });
}

}  // namespace pade::dse::cli
