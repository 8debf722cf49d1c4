#include "dse/cli/common.hpp"

#include <unistd.h>

#include <mutex>

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

bool stderr_is_terminal() {
  return ::isatty(STDERR_FILENO) != 0;
}

results::Format format_option(const std::string& name) {
  try {
    return results::parse_format(name);
  } catch (const std::invalid_argument& e) {
    throw core::InputError(std::string("--format: ") + e.what());
  }
}

}  // namespace pade::dse::cli
