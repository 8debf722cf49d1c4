// The digest's dense references computed once per sampled head and shared by every algorithm
// point (issue 14, item 2): identical statistics with and without the cache, one computation per
// head, safe under concurrent digests.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <tbb/parallel_for.h>

#include "dse/stats_cache.hpp"
#include "models/digest.hpp"
#include "tests/support/catalog.hpp"
#include "workloads/catalog.hpp"
#include "workloads/generator.hpp"

using namespace pade;

namespace {

using test_support::catalog;

models::DigestOptions small_digest(double alpha, int bits) {
  models::DigestOptions o;
  o.plan = workloads::SamplingPlan{2, 2, 2, 8};
  o.bootstrap_samples = 20;
  o.functional.alpha = alpha;
  o.functional.bits = bits;
  return o;
}

}  // namespace

TEST_CASE("digests share dense references across algorithm points, with identical statistics",
          "[functional][digest]") {
  const auto generator = workloads::GeneratorTable::builtin();
  const auto& b = catalog().benchmark("llama2-7b/mmlu");
  const auto& knobs = generator.family(catalog().model(b.model).family);
  const auto cache = std::make_shared<models::DenseReferenceCache>();
  const std::vector<std::pair<double, int>> points = {{0.3, 8}, {0.6, 8}, {0.5, 4}};
  std::vector<std::string> shared(points.size());
  // Concurrent digests of the same benchmark: each reference is computed once.
  tbb::parallel_for(std::size_t{0}, points.size(), [&](std::size_t k) {
    auto o = small_digest(points[k].first, points[k].second);
    o.dense_references = cache;
    shared[k] = dse::serialize_stats(models::digest_benchmark(b, knobs, o));
  });
  const std::size_t heads = workloads::sample_heads(b, small_digest(0.5, 8).plan, 1).size();
  CHECK(heads > 1);
  CHECK(cache->computed() == heads);
  for (std::size_t k = 0; k < points.size(); ++k) {
    CAPTURE(points[k].first, points[k].second);
    const auto alone =
        models::digest_benchmark(b, knobs, small_digest(points[k].first, points[k].second));
    CHECK(dse::serialize_stats(alone) == shared[k]);
  }
  // Another benchmark (or plan) has references of its own.
  auto o = small_digest(0.5, 8);
  o.dense_references = cache;
  (void)models::digest_benchmark(catalog().benchmark("vit-l16/imagenet"),
                                 generator.family(catalog().model("vit-l16").family), o);
  CHECK(cache->computed() > heads);
}
