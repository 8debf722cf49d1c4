#include "models/digest.hpp"

#include <tbb/parallel_for.h>

#include <cmath>

#include "core/rng.hpp"

namespace pade::models {

WorkloadStats digest_stats(const FunctionalStats& s, int head_dim) {
  WorkloadStats w;
  w.bits = s.bits;
  w.bits_per_round = s.bits_per_round;
  const double pairs = static_cast<double>(s.pairs_considered);
  // Per plane (0 = MSB): the active fraction of the round that processes it.
  w.active_fraction.assign(static_cast<std::size_t>(s.bits), 0.0);
  if (pairs > 0)
    for (int r = 0; r < s.bits; ++r)
      w.active_fraction[static_cast<std::size_t>(r)] =
          static_cast<double>(
              s.active_per_round[static_cast<std::size_t>(r / s.bits_per_round + 1)]) /
          pairs;
  w.kept_fraction = pairs > 0 ? static_cast<double>(s.pairs_kept) / pairs : 1.0;
  double processed = 0, ones = 0, bidir = 0, fetches = 0;
  for (int t = 0; t < s.bits; ++t) {
    processed += static_cast<double>(s.plane_processed[static_cast<std::size_t>(t)]);
    ones += static_cast<double>(s.plane_ones[static_cast<std::size_t>(t)]);
    bidir += static_cast<double>(s.plane_bidir_adds[static_cast<std::size_t>(t)]);
    fetches += static_cast<double>(s.plane_fetches[static_cast<std::size_t>(t)]);
  }
  if (processed > 0) {
    w.ones_fraction = ones / (processed * head_dim);
    w.bidir_active_fraction = bidir / (processed * head_dim);
    w.subgroup_active_fraction.clear();
    for (const std::uint64_t a : s.subgroup_active)
      w.subgroup_active_fraction.push_back(static_cast<double>(a) / (processed * head_dim));
  }
  double group_keys = 0;
  for (int r = 1; r <= s.bits; ++r)
    group_keys += static_cast<double>(s.group_key_rounds_hist[static_cast<std::size_t>(r)]);
  if (group_keys > 0) {
    w.group_plane_fetch_fraction = fetches / (group_keys * s.bits);
    // Round r (0 = MSB) fetches plane bits-1-r.
    w.group_fetch_fraction.assign(static_cast<std::size_t>(s.bits), 0.0);
    for (int r = 0; r < s.bits; ++r)
      w.group_fetch_fraction[static_cast<std::size_t>(r)] =
          static_cast<double>(s.plane_fetches[static_cast<std::size_t>(s.bits - 1 - r)]) /
          group_keys;
    // A key whose slowest row in the group ran every round needs its V row (an upper bound: the
    // exact-score round can still prune it).
    w.group_v_fetch_fraction =
        static_cast<double>(s.group_key_rounds_hist[static_cast<std::size_t>(s.rounds())]) /
        group_keys;
  }
  w.rescales_per_row =
      s.query_rows > 0 ? static_cast<double>(s.rescale_events) / static_cast<double>(s.query_rows)
                       : 0.0;
  w.accuracy_loss = s.accuracy_rows > 0 ? std::max(0.0, 1.0 - s.mean_cosine()) : 0.0;
  w.relative_l2_error = s.accuracy_rows > 0 ? s.mean_rel_l2() : 0.0;
  w.retained_mass = s.accuracy_rows > 0 ? s.mean_retained_mass() : 1.0;
  w.sampled_rows = static_cast<double>(s.query_rows);
  return w;
}

namespace {

// Weighted mean of group digests (weights: the groups' share of the benchmark's pairs).
WorkloadStats combine(const std::vector<WorkloadStats>& parts, const std::vector<double>& weights) {
  WorkloadStats out = parts.front();
  double total = 0;
  for (const double w : weights) total += w;
  if (parts.size() == 1 || total <= 0) return out;
  auto mix = [&](auto member) {
    double acc = 0;
    for (std::size_t i = 0; i < parts.size(); ++i) acc += weights[i] / total * parts[i].*member;
    return acc;
  };
  for (std::size_t r = 0; r < out.active_fraction.size(); ++r) {
    double acc = 0;
    for (std::size_t i = 0; i < parts.size(); ++i)
      acc += weights[i] / total * parts[i].active_fraction[r];
    out.active_fraction[r] = acc;
  }
  for (std::size_t r = 0; r < out.group_fetch_fraction.size(); ++r) {
    double acc = 0;
    for (std::size_t i = 0; i < parts.size(); ++i)
      acc += weights[i] / total * parts[i].group_fetch(static_cast<int>(r));
    out.group_fetch_fraction[r] = acc;
  }
  for (std::size_t i = 0; i < out.subgroup_active_fraction.size(); ++i) {
    double acc = 0;
    for (std::size_t k = 0; k < parts.size(); ++k)
      acc += weights[k] / total * parts[k].subgroup_active_fraction.at(i);
    out.subgroup_active_fraction[i] = acc;
  }
  out.kept_fraction = mix(&WorkloadStats::kept_fraction);
  out.bidir_active_fraction = mix(&WorkloadStats::bidir_active_fraction);
  out.ones_fraction = mix(&WorkloadStats::ones_fraction);
  out.group_plane_fetch_fraction = mix(&WorkloadStats::group_plane_fetch_fraction);
  out.group_v_fetch_fraction = mix(&WorkloadStats::group_v_fetch_fraction);
  out.rescales_per_row = mix(&WorkloadStats::rescales_per_row);
  out.accuracy_loss = mix(&WorkloadStats::accuracy_loss);
  out.relative_l2_error = mix(&WorkloadStats::relative_l2_error);
  out.retained_mass = mix(&WorkloadStats::retained_mass);
  out.sampled_rows = 0;
  for (const auto& p : parts) out.sampled_rows += p.sampled_rows;
  return out;
}

}  // namespace

std::shared_ptr<const DenseReference> DenseReferenceCache::get(const std::string& key,
                                                               const Make& make) {
  std::shared_ptr<Entry> entry;
  {
    const std::lock_guard lock(mutex_);
    auto& slot = entries_[key];
    if (!slot) slot = std::make_shared<Entry>();
    entry = slot;
  }
  // Outside the map lock: other keys proceed while this one is computed; a throwing make()
  // leaves the entry empty for the next caller to retry.
  std::call_once(entry->once, [&] {
    entry->value = std::make_shared<const DenseReference>(make());
    const std::lock_guard lock(mutex_);
    ++computed_;
  });
  return entry->value;
}

std::size_t DenseReferenceCache::computed() const {
  const std::lock_guard lock(mutex_);
  return computed_;
}

WorkloadStats digest_benchmark(const workloads::Benchmark& benchmark,
                               const workloads::GeneratorKnobs& knobs,
                               const DigestOptions& options) {
  return digest_benchmark(benchmark, workloads::SyntheticTrace(benchmark, knobs, options.seed),
                          options);
}

WorkloadStats digest_benchmark(const workloads::Benchmark& benchmark,
                               const workloads::TraceSource& source, const DigestOptions& options) {
  const auto samples = workloads::sample_heads(benchmark, options.plan, options.seed);
  source.check(samples);
  FunctionalOptions fo = options.functional;
  fo.compute_accuracy = true;
  // Heads are independent: simulate them in parallel, each result in its own slot.
  std::vector<FunctionalStats> per_head(samples.size());
  // The dense reference depends on the head, its mask and bias and topk, not on the algorithm
  // knobs: the key names everything else it rests on.
  const std::string ref_key =
      benchmark.name + ";" + options.plan.key() + ";seed=" + std::to_string(options.seed) +
      ";topk=" + std::to_string(fo.topk) +
      ";causal=" + (fo.causal ? std::to_string(*fo.causal) : "head") +
      ";slope=" + (fo.alibi_slope ? std::to_string(*fo.alibi_slope) : "head") + ";head=";
  tbb::parallel_for(std::size_t{0}, samples.size(), [&](std::size_t i) {
    const core::AttentionHead head = source.head(samples[i]);
    if (!options.dense_references) {
      per_head[i] = simulate_head(head, fo);
      return;
    }
    const auto ref = options.dense_references->get(ref_key + std::to_string(i),
                                                   [&] { return dense_reference(head, fo); });
    per_head[i] = simulate_head(head, fo, *ref);
  });

  // Digest per group (head dims may differ), combine by the groups' pair counts.
  std::vector<WorkloadStats> parts;
  std::vector<double> weights;
  for (std::size_t g = 0; g < benchmark.groups.size(); ++g) {
    FunctionalStats merged;
    for (std::size_t i = 0; i < samples.size(); ++i)
      if (samples[i].group == g) merged += per_head[i];
    if (merged.pairs_considered == 0) continue;
    parts.push_back(digest_stats(merged, benchmark.groups[g].head_dim));
    weights.push_back(benchmark.groups[g].total_pairs());
  }
  if (parts.empty())
    throw std::runtime_error("benchmark '" + benchmark.name + "' sampled no query-key pairs");
  WorkloadStats out = combine(parts, weights);

  // Bootstrap over heads: resample heads with replacement, recompute the kept fraction (a ratio
  // of sums), report the standard deviation of the replicates as its standard error.
  if (options.bootstrap_samples > 1 && samples.size() > 1) {
    core::Rng rng(options.seed, "bootstrap/" + benchmark.name);
    double sum = 0, sumsq = 0;
    for (int b = 0; b < options.bootstrap_samples; ++b) {
      double kept = 0, pairs = 0;
      for (std::size_t i = 0; i < samples.size(); ++i) {
        const auto& s = per_head[rng.below(samples.size())];
        kept += static_cast<double>(s.pairs_kept);
        pairs += static_cast<double>(s.pairs_considered);
      }
      const double f = pairs > 0 ? kept / pairs : 0.0;
      sum += f;
      sumsq += f * f;
    }
    const double n = options.bootstrap_samples;
    out.stderr_kept_fraction = std::sqrt(std::max(0.0, sumsq / n - (sum / n) * (sum / n)));
  }
  out.source = std::string(kDigestVersion) + ";plan=" + options.plan.key();
  if (!benchmark.trace.synthetic())
    out.source += ";trace=" + std::string(workloads::trace_kind_name(benchmark.trace.kind));
  return out;
}

}  // namespace pade::models
