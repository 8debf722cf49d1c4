#include "dse/stats_cache.hpp"

#include <cstdio>
#include <sstream>

#include "workloads/trace.hpp"

namespace pade::dse {

AlgorithmPoint AlgorithmPoint::from(const core::Config& hw) {
  AlgorithmPoint p;
  static_cast<models::SparsityKnobs&>(p) = models::hardware_binding().key_part_of(hw);
  return p;
}

std::string AlgorithmPoint::key() const {
  return models::hardware_binding().key(*this);
}

std::string StatsCache::key(const workloads::Benchmark& benchmark, const AlgorithmPoint& point) {
  return benchmark.name + "|" + identity(benchmark) + "|" + point.key();
}

std::string StatsCache::identity(const workloads::Benchmark& benchmark) {
  // The identity may hash a large dump folder: computed once per benchmark, outside the lock,
  // by the first asker; the others wait for it.
  std::promise<std::string> promise;
  std::shared_future<std::string> future;
  bool owner = false;
  {
    const std::lock_guard lock(mutex_);
    const auto it = identities_.find(benchmark.name);
    if (it == identities_.end()) {
      future = promise.get_future().share();
      identities_.emplace(benchmark.name, future);
      owner = true;
    } else {
      future = it->second;
    }
  }
  if (owner) {
    try {
      promise.set_value(identity_ ? identity_(benchmark)
                                  : workloads::trace_identity(benchmark, nullptr));
    } catch (...) {
      promise.set_exception(std::current_exception());
    }
  }
  return future.get();
}

models::WorkloadStats StatsCache::get(const workloads::Benchmark& benchmark,
                                      const AlgorithmPoint& point) {
  const std::string key = this->key(benchmark, point);
  std::promise<models::WorkloadStats> promise;
  std::shared_future<models::WorkloadStats> future;
  bool owner = false;
  {
    const std::lock_guard lock(mutex_);
    auto it = entries_.find(key);
    if (it == entries_.end()) {
      future = promise.get_future().share();
      entries_.emplace(key, future);
      owner = true;
    } else {
      future = it->second;
    }
  }
  if (owner) {
    try {
      std::optional<models::WorkloadStats> loaded;
      if (load_)
        if (auto text = load_(key)) loaded = deserialize_stats(*text);
      if (!loaded) {
        loaded = compute_(benchmark, point);
        {
          const std::lock_guard lock(mutex_);
          ++computed_;
        }
        if (save_) save_(key, serialize_stats(*loaded));
      }
      promise.set_value(*loaded);
    } catch (...) {
      promise.set_exception(std::current_exception());
    }
  }
  return future.get();
}

std::size_t StatsCache::computed() const {
  const std::lock_guard lock(mutex_);
  return computed_;
}

namespace {
void put(std::ostringstream& out, const char* name, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%a", v);  // hexadecimal float: exact
  out << name << ' ' << buf << '\n';
}
void put_list(std::ostringstream& out, const char* name, const std::vector<double>& values) {
  out << name;
  for (const double a : values) {
    char buf[64];
    std::snprintf(buf, sizeof buf, " %a", a);
    out << buf;
  }
  out << '\n';
}
// The rest of the current line as numbers.
std::vector<double> read_list(std::istream& in) {
  std::string line;
  std::getline(in, line);
  std::istringstream ls(line);
  std::vector<double> values;
  std::string tok;
  while (ls >> tok) values.push_back(std::strtod(tok.c_str(), nullptr));
  return values;
}
}  // namespace

std::string serialize_stats(const models::WorkloadStats& s) {
  std::ostringstream out;
  out << "pade-workload-stats 1\n";
  out << "bits " << s.bits << '\n';
  // Only when not 1: every payload of the one-plane model keeps its exact text.
  if (s.bits_per_round != 1) out << "bits_per_round " << s.bits_per_round << '\n';
  put_list(out, "active", s.active_fraction);
  if (!s.group_fetch_fraction.empty()) put_list(out, "group_fetch", s.group_fetch_fraction);
  if (!s.subgroup_active_fraction.empty())
    put_list(out, "subgroup_active", s.subgroup_active_fraction);
  put(out, "kept_fraction", s.kept_fraction);
  put(out, "bidir_active_fraction", s.bidir_active_fraction);
  put(out, "ones_fraction", s.ones_fraction);
  put(out, "group_plane_fetch_fraction", s.group_plane_fetch_fraction);
  put(out, "group_v_fetch_fraction", s.group_v_fetch_fraction);
  put(out, "rescales_per_row", s.rescales_per_row);
  put(out, "accuracy_loss", s.accuracy_loss);
  put(out, "relative_l2_error", s.relative_l2_error);
  put(out, "retained_mass", s.retained_mass);
  put(out, "sampled_rows", s.sampled_rows);
  put(out, "stderr_kept_fraction", s.stderr_kept_fraction);
  out << "source " << s.source << '\n';
  return out.str();
}

std::optional<models::WorkloadStats> deserialize_stats(const std::string& text) {
  std::istringstream in(text);
  std::string magic;
  int version = 0;
  if (!(in >> magic >> version) || magic != "pade-workload-stats" || version != 1)
    return std::nullopt;
  models::WorkloadStats s;
  std::string name;
  while (in >> name) {
    if (name == "bits") {
      in >> s.bits;
    } else if (name == "bits_per_round") {
      in >> s.bits_per_round;
    } else if (name == "active") {
      s.active_fraction = read_list(in);
    } else if (name == "group_fetch") {  // optional (older digests lack it)
      s.group_fetch_fraction = read_list(in);
    } else if (name == "subgroup_active") {  // optional (older digests lack it)
      s.subgroup_active_fraction = read_list(in);
    } else if (name == "source") {
      std::getline(in >> std::ws, s.source);
    } else {
      std::string tok;
      in >> tok;
      const double v = std::strtod(tok.c_str(), nullptr);
      if (name == "kept_fraction")
        s.kept_fraction = v;
      else if (name == "bidir_active_fraction")
        s.bidir_active_fraction = v;
      else if (name == "ones_fraction")
        s.ones_fraction = v;
      else if (name == "group_plane_fetch_fraction")
        s.group_plane_fetch_fraction = v;
      else if (name == "group_v_fetch_fraction")
        s.group_v_fetch_fraction = v;
      else if (name == "rescales_per_row")
        s.rescales_per_row = v;
      else if (name == "accuracy_loss")
        s.accuracy_loss = v;
      else if (name == "relative_l2_error")
        s.relative_l2_error = v;
      else if (name == "retained_mass")
        s.retained_mass = v;
      else if (name == "sampled_rows")
        s.sampled_rows = v;
      else if (name == "stderr_kept_fraction")
        s.stderr_kept_fraction = v;
      else
        return std::nullopt;
    }
  }
  if (static_cast<int>(s.active_fraction.size()) != s.bits) return std::nullopt;
  if (!s.group_fetch_fraction.empty() && static_cast<int>(s.group_fetch_fraction.size()) != s.bits)
    return std::nullopt;
  if (!s.subgroup_active_fraction.empty() &&
      s.subgroup_active_fraction.size() != models::FunctionalStats::kSubgroupSizes)
    return std::nullopt;
  return s;
}

}  // namespace pade::dse
