#include "dse/stats_source.hpp"
#include "models/digest.hpp"
#include "workloads/generator.hpp"
#include "workloads/sampling.hpp"

namespace pade::dse {

StatsCache::Compute synthetic_stats_source(const workloads::Catalog& catalog,
                                           const workloads::GeneratorTable& generator,
                                           const workloads::SamplingPlan& plan,
                                           std::uint64_t seed) {
  return
      [&catalog, &generator, plan, seed](const workloads::Benchmark& b, const AlgorithmPoint& p) {
        models::DigestOptions o;
        o.plan = plan;
        o.seed = seed;
        o.functional.bits = p.bits;
        o.functional.alpha = p.alpha;
        o.functional.radius = p.radius;
        if (!p.bui_gf)
          o.functional.alpha = 1e30 / std::max(p.radius, 1e-9);  // no pruning: every plane runs
        o.functional.query_group = static_cast<std::size_t>(p.tile_queries);
        o.functional.key_tile = static_cast<std::size_t>(p.tile_keys);
        o.functional.order = p.tile_order == "in_order"  ? models::TileOrder::in_order
                             : p.tile_order == "reverse" ? models::TileOrder::reverse
                                                         : models::TileOrder::head_tail;
        const auto& family = catalog.model(b.model).family;
        return models::digest_benchmark(b, generator.family(family), o);
      };
}

std::string synthetic_stats_version(const workloads::SamplingPlan& plan, std::uint64_t seed) {
  return std::string(models::kDigestVersion) + ";" + plan.key() + ";seed=" + std::to_string(seed);
}

}  // namespace pade::dse
