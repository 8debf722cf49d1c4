#include "dse/merge.hpp"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <map>
#include <set>

#include "core/error.hpp"
#include "dse/runner.hpp"

namespace pade::dse {

namespace {

namespace fs = std::filesystem;

/// Objectives from provenance, or (databases written before it was recorded) the spec text.
std::vector<Objective> objectives_of(results::Store& store, const results::CampaignRecord& c) {
  auto out = stored_objectives(store, c.id);
  if (!out.empty()) return out;
  std::vector<std::string> names = {"latency", "energy", "area"};
  try {
    const YAML::Node root = YAML::Load(c.spec_yaml);
    if (root["objectives"] && root["objectives"].IsSequence())
      names = root["objectives"].as<std::vector<std::string>>();
  } catch (const YAML::Exception&) {
  }
  for (const auto& n : names)
    for (const auto o : {Objective::Latency, Objective::Energy, Objective::Area, Objective::Power,
                         Objective::AccuracyLoss})
      if (objective_name(o) == n) out.push_back(o);
  return out;
}

/// Provenance describing one input (its shard, its fronts) is left out; fronts are recomputed.
bool per_input_key(const std::string& key) {
  return key == "shard" || key == "stats_computed" || key == "hypervolume" ||
         key == "hypervolume_reference" || key == "front_fidelity";
}

/// Copy one input into the output (inside the caller's transaction); returns the merged campaign
/// ids. Reads through the input's own read-only connection, so any number of inputs fits in one
/// transaction.
std::vector<std::int64_t> merge_one(results::Store& out, results::Store& in,
                                    const std::string& input,
                                    std::map<std::int64_t, std::vector<std::string>>& shards,
                                    std::map<std::int64_t, bool>& all_finished) {
  std::vector<std::int64_t> ids;
  out.copy_shared_rows(in);
  for (const auto& c : in.campaigns()) {
    const std::int64_t old_id = c.id;
    const auto in_provenance = in.provenance(old_id);
    std::int64_t id = 0;
    if (const auto existing = out.find_campaign(c.name)) {
      if (existing->spec_yaml != c.spec_yaml || existing->seed != c.seed ||
          existing->strategy != c.strategy)
        throw core::InputError({input, 0, 0}, "",
                               "campaign '" + c.name +
                                   "' was run from a different campaign file than the one "
                                   "already in " +
                                   out.path() + "; only runs of the same campaign can be merged");
      id = existing->id;
      if (!all_finished.contains(id)) all_finished[id] = existing->status == "finished";
      // Shards of one campaign must have read the same data for every benchmark.
      std::map<std::string, std::string> have;
      for (const auto& [k, v] : out.provenance(id)) have[k] = v;
      for (const auto& [k, v] : in_provenance) {
        if (!k.starts_with("trace ")) continue;
        const auto it = have.find(k);
        if (it != have.end() && it->second != v)
          throw core::InputError({input, 0, 0}, "",
                                 "campaign '" + c.name + "': the data of benchmark '" +
                                     k.substr(6) + "' differs from the one already in " +
                                     out.path() + " (" + v + " vs " + it->second +
                                     "); only runs over the same data can be merged");
      }
    } else {
      results::CampaignRecord rec = c;
      rec.created_at.clear();
      id = out.create_campaign(rec);
      all_finished[id] = true;
    }
    ids.push_back(id);
    all_finished[id] = all_finished[id] && c.status == "finished";

    // The same point in two inputs must hold the same numbers.
    if (const auto conflict = out.first_conflicting_point(in, old_id, id))
      throw core::InputError({input, 0, 0}, "",
                             "campaign '" + c.name + "': configuration " + conflict->config_hash +
                                 " (" + conflict->fidelity +
                                 ") has different results in two inputs; were they run by "
                                 "different pade versions?");
    out.copy_campaign_rows(in, old_id, id);
    {
      std::string shard = "all";
      std::vector<std::pair<std::string, std::string>> kept;
      for (const auto& [k, v] : in_provenance) {
        if (k == "shard") shard = v;
        if (!per_input_key(k)) kept.emplace_back(k, v);
      }
      out.add_provenance(id, kept);
      shards[id].push_back(shard);
    }
  }
  return ids;
}

/// Remove a database this merge created (with its WAL files) after a failure.
void remove_database(const std::string& path) {
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(path + suffix, ec);
}

}  // namespace

MergeSummary merge_databases(const std::string& out_path, std::span<const std::string> inputs,
                             const results::StoreOptions& options) {
  if (inputs.empty()) throw core::InputError("merge: expected at least one input database");
  for (const auto& in : inputs) {
    // Validates that it is a PADE-DSE database (any schema version up to the current one).
    const results::Store check(in, results::Store::Mode::ReadOnly, options);
    if (fs::exists(out_path) && fs::equivalent(in, out_path))
      throw core::InputError({in, 0, 0}, "", "is also the output; merge into a new file");
  }
  const bool created = !fs::exists(out_path);
  MergeSummary summary;
  try {
    results::Store out(out_path, results::Store::Mode::ReadWrite, options);
    // One transaction for the whole merge: a merge that fails (a later input that does not fit,
    // a full disk, a kill) leaves the output as it was.
    try {
      results::WriteTransaction tx(out);
      std::map<std::int64_t, std::vector<std::string>> shards;
      std::map<std::int64_t, bool> all_finished;
      std::set<std::int64_t> merged;
      for (const auto& input : inputs) {
        results::Store in(input, results::Store::Mode::ReadOnly, options);
        try {
          for (const auto id : merge_one(out, in, input, shards, all_finished)) merged.insert(id);
        } catch (const SQLite::Exception& e) {
          // A damaged input reads as corrupt; anything else is the output's failure.
          if (results::classify_write_failure(e) == results::WriteFailure::Corrupt)
            throw core::InputError({input, 0, 0}, "",
                                   std::string("cannot be read (") + e.what() +
                                       "); nothing was merged into " + out_path);
          throw;
        }
      }
      for (const auto id : merged) {
        const auto rec = [&] {
          for (auto& c : out.campaigns())
            if (c.id == id) return c;
          throw core::RunError("merge: campaign vanished");
        }();
        summary.campaigns.push_back(rec.name);
        std::string from;
        for (const auto& s : shards[id]) from += (from.empty() ? "" : ",") + s;
        out.put_provenance(id, {{"merged_from", from}, {"merged_at", results::utc_now_iso8601()}});
        summary.front_size += mark_pareto(out, id, objectives_of(out, rec)).front_size;
        out.set_campaign_status(id, all_finished[id] ? "finished" : "interrupted");
        summary.points += static_cast<std::size_t>(out.count_points(id));
        summary.evaluations += static_cast<std::size_t>(out.count_evaluations(id));
      }
      tx.commit();
    } catch (const SQLite::Exception& e) {
      throw core::RunError(results::write_failure_message(
          e, out_path, out.busy_timeout_ms(), "run the merge again (nothing was merged)"));
    }
    (void)out.checkpoint();  // the file alone is complete (e.g. to copy it to read-only media)
  } catch (...) {
    if (created) remove_database(out_path);  // the output did not exist before: leave none
    throw;
  }
  return summary;
}

}  // namespace pade::dse
