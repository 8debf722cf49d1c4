// pade run [campaign.yaml] [--db FILE] : run a campaign (the embedded default without a file).
// Under `mpirun -np N` rank 0 runs the campaign and the other ranks evaluate its batches.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>

#include "core/file_io.hpp"
#include "dse/campaign.hpp"
#include "dse/cli/cli.hpp"
#include "dse/cli/common.hpp"
#include "dse/mpi.hpp"
#include "dse/runner.hpp"

namespace pade::dse::cli {

namespace {

struct RunArgs {
  std::string file;
  std::string db;
  bool resume = false;
  int threads = -1;
  bool quiet = false;
  std::string shard;  // "i/N"
};

Shard parse_shard(const std::string& text) {
  Shard s;
  if (text.empty()) return s;
  const auto slash = text.find('/');
  try {
    std::size_t used = 0;
    if (slash == std::string::npos) throw std::invalid_argument("no slash");
    const long i = std::stol(text.substr(0, slash), &used);
    if (used != slash) throw std::invalid_argument("index");
    const std::string rest = text.substr(slash + 1);
    const long n = std::stol(rest, &used);
    if (used != rest.size() || i < 0 || n < 1 || i >= n) throw std::invalid_argument("range");
    s.index = static_cast<std::size_t>(i);
    s.count = static_cast<std::size_t>(n);
  } catch (const std::exception&) {
    throw core::InputError("--shard: found '" + text +
                           "', expected i/N with 0 <= i < N (e.g. 0/4)");
  }
  return s;
}

std::string human_duration(double s) {
  char buf[32];
  if (s < 10)
    std::snprintf(buf, sizeof buf, "%.1fs", s);
  else if (s < 90)
    std::snprintf(buf, sizeof buf, "%.0fs", s);
  else if (s < 5400)
    std::snprintf(buf, sizeof buf, "%.0fm%02.0fs", std::floor(s / 60), std::fmod(s, 60));
  else
    std::snprintf(buf, sizeof buf, "%.1fh", s / 3600);
  return buf;
}

/// A time per design: "420 us", "12 ms", "1.3 s".
std::string per_design_duration(double s) {
  char buf[32];
  if (s < 1e-3)
    std::snprintf(buf, sizeof buf, "%.0f us", s * 1e6);
  else if (s < 1)
    std::snprintf(buf, sizeof buf, "%.0f ms", s * 1e3);
  else
    std::snprintf(buf, sizeof buf, "%.1f s", s);
  return buf;
}

/// An objective's unit on the progress line.
std::string_view objective_unit(std::string_view objective) {
  if (objective == "latency") return " s";
  if (objective == "energy") return " J";
  if (objective == "area") return " mm2";
  if (objective == "power") return " W";
  return "";  // accuracy loss: 1 - cosine similarity, no unit
}

/// "ETA 3m 10s", or "ETA >= 40s (event not timed yet)" while a rung with designs left has no
/// measured time per design.
std::string eta_text(const Progress& p) {
  if (p.done >= p.total) return "ETA 0s";
  std::string out = (p.eta_unmeasured.empty() ? "ETA " : "ETA >= ") + human_duration(p.eta_s);
  if (!p.eta_unmeasured.empty()) {
    std::string names;
    for (const auto& f : p.eta_unmeasured) names += (names.empty() ? "" : ", ") + f;
    out += " (" + names + " not timed yet)";
  }
  return out;
}

/// Per rung when the ladder has several: "analytical 243/243 at 12 ms, event 9/27 at 1.2 s".
std::string rungs_text(const Progress& p) {
  if (p.rungs.size() < 2) return "";
  std::string out;
  for (const auto& r : p.rungs) {
    out += (out.empty() ? " | " : ", ") + r.fidelity + " " + std::to_string(r.done) + "/" +
           std::to_string(r.planned);
    if (r.seconds_per_design > 0)
      out += " at " + per_design_duration(r.seconds_per_design) + "/design";
  }
  return out;
}

/// "[done/total designs] rate designs/s, ETA | rungs | front N (fidelity), hypervolume H | best
/// ..."
std::string progress_text(const Progress& p) {
  char buf[320];
  std::snprintf(buf, sizeof buf, "[%zu/%zu designs] %.1f designs/s, %s", p.done, p.total,
                p.rate_per_s, eta_text(p).c_str());
  std::string out = buf + rungs_text(p);
  std::snprintf(buf, sizeof buf, " | front %zu", p.front_size);
  out += buf;
  if (!p.fidelity.empty()) {
    std::snprintf(buf, sizeof buf, " (%s), hypervolume %.4g", p.fidelity.c_str(), p.hypervolume);
    out += buf;
  }
  for (const auto& [name, v] : p.best) {
    const auto design = p.best_design.find(name);
    std::snprintf(buf, sizeof buf, " | best %s %.4g%s", name.c_str(), v,
                  std::string(objective_unit(name)).c_str());
    out += buf;
    if (design != p.best_design.end() && !design->second.empty())
      out += " (" + design->second.substr(0, 8) + ")";
  }
  return out;
}

int run(const RunArgs& a, const Context& ctx) {
  const Campaign campaign = a.file.empty() ? read_campaign_text(embedded_default_campaign(),
                                                                "<embedded default campaign>",
                                                                std::filesystem::current_path())
                                           : read_campaign(a.file);
  const Shard shard = parse_shard(a.shard);
  check_shard(campaign, shard);
  auto cancelled = [&ctx] { return ctx.interrupted && ctx.interrupted->load(); };
  const int threads = a.threads >= 0 ? a.threads : campaign.threads;

  // Every input is checked on every rank before MPI starts, so a bad file fails the same way
  // everywhere and no rank is left waiting for another.
  std::optional<mpi::Session> session;
  if (mpi::launched_with_ranks()) {
    if (!mpi::available())
      throw core::RunError(
          "started by mpirun with several ranks, but this pade was built without MPI; "
          "rebuild with libopenmpi-dev installed, or use --shard i/N and pade merge");
    if (shard.count > 1)
      throw core::InputError("--shard: not with mpirun (the ranks already split the work)");
    const workloads::Catalog catalog = load_catalog(campaign.workloads);
    (void)resolve_benchmarks(campaign, catalog);
    session.emplace();
    if (session->rank() != 0) {
      workloads::SamplingPlan plan;
      auto pipeline = make_pipeline(static_cast<std::uint64_t>(campaign.seed), plan, nullptr,
                                    campaign.workloads);
      const auto benchmarks = resolve_benchmarks(campaign, pipeline->catalog);
      session->serve(campaign, benchmarks, *pipeline->cache, threads, cancelled);
      return 0;
    }
  }
  // Bad benchmark names are input errors before the database file is created.
  (void)resolve_benchmarks(campaign, load_catalog(campaign.workloads));
  const std::string db = a.db.empty() ? default_database_file(campaign.name) : a.db;
  if (const auto parent = std::filesystem::path(db).parent_path(); !parent.empty())
    core::make_output_folder(parent);
  results::Store store = open_for_writing(db);
  workloads::SamplingPlan plan;
  auto pipeline =
      make_pipeline(static_cast<std::uint64_t>(campaign.seed), plan, &store, campaign.workloads);
  (void)resolve_benchmarks(campaign,
                           pipeline->catalog);  // bad names are input errors before any work

  const bool live = !a.quiet && stderr_is_terminal();
  auto last_log = std::chrono::steady_clock::now() - std::chrono::seconds(10);
  RunOptions options;
  options.resume = a.resume;
  options.threads = a.threads;
  options.shard = shard;
  options.cancelled = cancelled;
  const auto benchmarks = resolve_benchmarks(campaign, pipeline->catalog);
  if (session) {
    options.evaluator =
        session->evaluator(campaign, benchmarks, *pipeline->cache, threads, cancelled);
    options.provenance.emplace_back("mpi_ranks", std::to_string(session->size()));
  }
  options.log = [&a](const std::string& s) {
    if (!a.quiet) std::cerr << s << '\n';
  };
  options.progress = [&](const Progress& p) {
    if (a.quiet) return;
    if (live) {
      std::cerr << "\r\033[K" << progress_text(p) << std::flush;
      return;
    }
    const auto now = std::chrono::steady_clock::now();
    if (now - last_log >= std::chrono::seconds(5) || p.done >= p.total) {
      std::cerr << "progress: " << progress_text(p) << '\n';
      last_log = now;
    }
  };
  if (!a.quiet) {
    std::string fidelities;
    for (const auto& f : campaign.fidelity_ladder())
      fidelities += (fidelities.empty() ? "" : " then ") + f;
    std::cerr << "campaign '" << campaign.name << "': " << campaign.space.cardinality()
              << " points in the space, "
              << "strategy " << campaign.strategy << ", fidelity " << fidelities << ", database "
              << db;
    if (shard.count > 1) std::cerr << ", shard " << shard.index << "/" << shard.count;
    if (session) std::cerr << ", " << session->size() << " MPI ranks";
    std::cerr << '\n';
    for (const auto o : campaign.objectives)
      std::cerr << "  minimize " << objective_name(o) << ": " << objective_aggregation(o) << '\n';
  }
  const RunSummary s = run_campaign(campaign, pipeline->catalog, store, *pipeline->cache, options);
  if (session) session->release();
  if (live) std::cerr << '\n';

  std::cout << "campaign '" << campaign.name << "' " << s.status << " in "
            << human_duration(s.seconds) << ": " << s.evaluated << " configurations evaluated";
  if (s.resumed > 0) std::cout << ", " << s.resumed << " resumed from the database";
  if (s.reused > 0) std::cout << ", " << s.reused << " repeated candidates reused";
  std::cout << ", " << s.feasible << " feasible, " << s.front_size << " on the Pareto front\n";
  for (const auto& [constraint, n] : s.rejected_by)
    std::cout << "  infeasible: " << n << " configurations violate " << constraint << '\n';
  std::cout << "  functional statistics computed: " << pipeline->cache->computed()
            << " (others from the cache)\n";
  std::cout << "  results: " << std::filesystem::absolute(db).string() << '\n';
  if (s.status == "interrupted") {
    std::cout << "  interrupted: everything evaluated so far is stored; continue with --resume\n";
    return 1;
  }
  return 0;
}

}  // namespace

void add_run(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<RunArgs>();
  auto* cmd =
      app.add_subcommand("run", "Run a design-space exploration campaign into a SQLite database");
  cmd->add_option("campaign", args->file,
                  "campaign YAML file (default: the embedded default campaign)");
  cmd->add_option("--db", args->db, "result database (default: <campaign name>.db)");
  cmd->add_flag("--resume", args->resume,
                "continue a stored campaign of the same name, reusing stored points (its file may "
                "raise budget: to extend a finished campaign)");
  cmd->add_option("--threads", args->threads,
                  "worker threads (default: the campaign's setting; 0 = all)")
      ->check(CLI::Range(0, 1024));
  cmd->add_flag("--quiet,-q", args->quiet, "no progress output");
  cmd->add_option("--shard", args->shard,
                  "i/N: evaluate only candidates with seq % N == i (grid, random, lhs); join "
                  "shards with pade merge");
  cmd->footer(
      "Examples:\n  pade run --db out/default.db\n  pade run examples/campaign-grid.yaml --db "
      "sweep.db --threads 2\n"
      "  pade run examples/campaign-grid.yaml --db sweep.db --resume   # after Ctrl-C\n"
      "  pade run examples/campaign-grid.yaml --shard 0/2 --db s0.db     # then: pade merge all.db "
      "s0.db s1.db\n"
      "  mpirun -np 4 pade run examples/campaign-nsga2.yaml --db nsga2.db  # rank 0 writes the "
      "database");
  cmd->callback([&ctx, args] { ctx.action = [&ctx, args] { return run(*args, ctx); }; });
}

}  // namespace pade::dse::cli
