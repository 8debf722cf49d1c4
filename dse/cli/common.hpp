#pragma once
// Small helpers the verbs share: output format option, the statistics pipeline, terminal checks.
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "dse/stats_cache.hpp"
#include "dse/stats_source.hpp"
#include "results/store.hpp"
#include "results/table.hpp"
#include "workloads/catalog.hpp"
#include "workloads/generator.hpp"
#include "workloads/sampling.hpp"

namespace pade::dse::cli {

/// The synthetic-statistics pipeline with its catalog and generator kept alive beside the cache.
struct StatsPipeline {
  workloads::Catalog catalog = workloads::Catalog::builtin();
  workloads::GeneratorTable generator = workloads::GeneratorTable::builtin();
  workloads::SamplingPlan plan;
  std::unique_ptr<StatsCache> cache;
};

/// Build the pipeline; with a store, the cache persists through its stats_cache table.
/// `workload_files` (model/suite files or catalog folders) are added to the shipped catalog.
[[nodiscard]] std::unique_ptr<StatsPipeline> make_pipeline(
    std::uint64_t seed, const workloads::SamplingPlan& plan, results::Store* store,
    std::span<const std::filesystem::path> workload_files = {});

/// The shipped catalog plus `workload_files` (see make_pipeline).
[[nodiscard]] workloads::Catalog load_catalog(
    std::span<const std::filesystem::path> workload_files);

/// Command-line strings as paths.
[[nodiscard]] std::vector<std::filesystem::path> workload_paths(
    const std::vector<std::string>& given);

/// How verbs open result databases: the busy timeout (how long a write waits for another
/// process's lock) comes from PADE_BUSY_TIMEOUT_MS when set (milliseconds; tests lower it).
[[nodiscard]] results::StoreOptions store_options();

/// Open the database of a read verb (query, show, diff, plot, report): read-only, never written.
/// InputError when it is missing or not a PADE-DSE database. On read-only storage it is opened
/// immutable and a one-line note says so on stderr.
[[nodiscard]] results::Store open_for_reading(const std::string& path);

/// Open (creating when missing) the database of a write verb (run, compare).
[[nodiscard]] results::Store open_for_writing(const std::string& path);

[[nodiscard]] bool stderr_is_terminal();
[[nodiscard]] results::Format format_option(const std::string& name);  // InputError when unknown

/// "a, b, c": registry names for help texts.
[[nodiscard]] std::string join_names(std::span<const std::string> names);

/// The --fidelity option of a verb: the registered (current) name of `given` (an old name is
/// accepted), InputError listing the names when unknown; prints the model's caution, if it has
/// one, on stderr so a screening estimate is never mistaken for the model's answer.
[[nodiscard]] std::string fidelity_option(const std::string& given);
/// Help text of a --fidelity option: the registered names and the default.
[[nodiscard]] std::string fidelity_help();

}  // namespace pade::dse::cli
