#include "dse/cli/common.hpp"

#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <mutex>

#include "models/fidelity.hpp"
#include "results/lease.hpp"

namespace pade::dse::cli {

workloads::Catalog load_catalog(std::span<const std::filesystem::path> workload_files) {
  workloads::Catalog catalog = workloads::Catalog::builtin();
  for (const auto& f : workload_files) catalog.add(f);
  return catalog;
}

std::unique_ptr<StatsPipeline> make_pipeline(
    std::uint64_t seed, const workloads::SamplingPlan& plan, results::Store* store,
    std::span<const std::filesystem::path> workload_files) {
  auto p = std::make_unique<StatsPipeline>();
  p->plan = plan;
  for (const auto& f : workload_files) p->catalog.add(f);
  p->cache =
      std::make_unique<StatsCache>(synthetic_stats_source(p->catalog, p->generator, p->plan, seed),
                                   synthetic_stats_version(plan, seed));
  if (store != nullptr) {
    // SQLite connections are not for concurrent use: serialize the cache's reads and writes.
    auto mutex = std::make_shared<std::mutex>();
    const std::string version = p->cache->version();
    p->cache->set_persistence(
        [store, mutex, version](const std::string& key) {
          const std::lock_guard lock(*mutex);
          return store->cached_stats(key, version);
        },
        [store, mutex, version](const std::string& key, const std::string& payload) {
          const std::lock_guard lock(*mutex);
          store->put_stats(key, version, payload);
        });
  }
  return p;
}

std::vector<std::filesystem::path> workload_paths(const std::vector<std::string>& given) {
  return {given.begin(), given.end()};
}

results::StoreOptions store_options() {
  results::StoreOptions o;
  if (const char* text = std::getenv("PADE_BUSY_TIMEOUT_MS"); text != nullptr && *text != '\0') {
    char* end = nullptr;
    const long ms = std::strtol(text, &end, 10);
    if (*end != '\0' || ms < 0 || ms > 3'600'000)
      throw core::InputError(std::string("PADE_BUSY_TIMEOUT_MS: found '") + text +
                             "', expected milliseconds (an integer from 0 to 3600000)");
    o.busy_timeout_ms = static_cast<int>(ms);
  }
  return o;
}

results::Store open_for_reading(const std::string& path) {
  results::Store store(path, results::Store::Mode::ReadOnly, store_options());
  if (store.immutable()) {
    std::cerr << "note: " << path
              << " is on read-only storage: opened immutable, so locking and change detection "
                 "are off (do not let another process write it meanwhile)\n";
    std::error_code ec;
    if (const auto wal = std::filesystem::file_size(path + "-wal", ec); !ec && wal > 0)
      std::cerr << "note: " << path << "-wal (" << wal
                << " bytes) cannot be read this way: results written after its last checkpoint "
                   "are missing; copy the database with its -wal to writable storage to see "
                   "them\n";
  }
  // A campaign that died or failed holds partial results: say so, so nobody mistakes them for a
  // finished study.
  const std::string now = results::utc_now_iso8601();
  for (const auto& c : store.campaigns()) {
    if (c.status == "failed") {
      std::cerr << "note: campaign '" << c.name << "' in " << path
                << " failed: its results are partial; continue it with pade run --resume\n";
    } else if (c.status == "running") {
      const auto holder = results::read_lease(store, c.id);
      if (!holder || !results::lease_is_live(*holder, now))
        std::cerr << "note: campaign '" << c.name << "' in " << path
                  << " is marked running but no process is running it (killed?): its results "
                     "are partial; continue it with pade run --resume\n";
    }
  }
  return store;
}

results::Store open_for_writing(const std::string& path) {
  return results::Store(path, results::Store::Mode::ReadWrite, store_options());
}

bool stderr_is_terminal() {
  return ::isatty(STDERR_FILENO) != 0;
}

results::Format format_option(const std::string& name) {
  return results::parse_format(name, core::NameOrigin::option("--format"));
}

std::string join_names(std::span<const std::string> names) {
  std::string out;
  for (const auto& n : names) out.append(out.empty() ? "" : ", ").append(n);
  return out;
}

std::string fidelity_option(const std::string& given) {
  const models::FidelityInfo& info =
      models::builtin_fidelities().get(given, core::NameOrigin::option("--fidelity"));
  if (!info.caution.empty()) std::cerr << "note: " << info.caution << "\n";
  return info.name;
}

std::string fidelity_help() {
  return "hardware model: " + join_names(models::builtin_fidelities().names()) + " (default " +
         models::kDefaultFidelity + ")";
}

}  // namespace pade::dse::cli
