#include "dse/merge.hpp"

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <map>
#include <set>

#include "core/error.hpp"
#include "dse/runner.hpp"
#include "results/store.hpp"

namespace pade::dse {

namespace {

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

std::int64_t count(SQLite::Database& db, const std::string& sql, std::int64_t id) {
  SQLite::Statement st(db, sql);
  if (id >= 0) st.bind(1, id);
  st.executeStep();
  return st.getColumn(0).getInt64();
}

/// Copy one attached input (`src`) into the main database; returns the merged campaign ids.
std::vector<std::int64_t> merge_one(results::Store& out, const std::string& input,
                                    std::map<std::int64_t, std::vector<std::string>>& shards,
                                    std::map<std::int64_t, bool>& all_finished) {
  SQLite::Database& db = out.db();
  std::vector<std::int64_t> ids;
  SQLite::Transaction tx(db);
  // Shared tables first (configurations before their parameters: foreign keys).
  db.exec(
      "INSERT OR IGNORE INTO configurations SELECT hash, canonical, params_json FROM "
      "src.configurations");
  db.exec("INSERT OR IGNORE INTO config_params SELECT hash, key, num, text FROM src.config_params");
  db.exec(
      "INSERT OR IGNORE INTO benchmarks SELECT name, model, task, phase, seq_len FROM "
      "src.benchmarks");
  db.exec(
      "INSERT OR IGNORE INTO stats_cache SELECT key, version, payload, created_at FROM "
      "src.stats_cache");

  SQLite::Statement campaigns(
      db, "SELECT id, name, spec_yaml, seed, strategy, status FROM src.campaigns ORDER BY id");
  while (campaigns.executeStep()) {
    const std::int64_t old_id = campaigns.getColumn(0).getInt64();
    results::CampaignRecord rec;
    rec.name = campaigns.getColumn(1).getString();
    rec.spec_yaml = campaigns.getColumn(2).getString();
    rec.seed = campaigns.getColumn(3).getInt64();
    rec.strategy = campaigns.getColumn(4).getString();
    const std::string status = campaigns.getColumn(5).getString();
    std::int64_t id = 0;
    if (const auto existing = out.find_campaign(rec.name)) {
      if (existing->spec_yaml != rec.spec_yaml || existing->seed != rec.seed ||
          existing->strategy != rec.strategy)
        throw core::InputError({input, 0, 0}, "",
                               "campaign '" + rec.name +
                                   "' was run from a different campaign file than the one "
                                   "already in " +
                                   out.path() + "; only runs of the same campaign can be merged");
      id = existing->id;
      // Shards of one campaign must have read the same data for every benchmark.
      SQLite::Statement data(
          db,
          "SELECT s.key, s.value, t.value FROM src.provenance s JOIN provenance t ON "
          "t.campaign_id = ? AND t.key = s.key WHERE s.campaign_id = ? AND s.key LIKE 'trace %' "
          "AND s.value != t.value LIMIT 1");
      data.bind(1, id);
      data.bind(2, old_id);
      if (data.executeStep())
        throw core::InputError(
            {input, 0, 0}, "",
            "campaign '" + rec.name + "': the data of benchmark '" +
                data.getColumn(0).getString().substr(6) + "' differs from the one already in " +
                out.path() + " (" + data.getColumn(1).getString() + " vs " +
                data.getColumn(2).getString() + "); only runs over the same data can be merged");
    } else {
      rec.status = status;
      id = out.create_campaign(rec);
      all_finished[id] = true;
    }
    ids.push_back(id);
    all_finished[id] = all_finished[id] && status == "finished";

    // The same point in two inputs must hold the same numbers.
    {
      SQLite::Statement clash(
          db,
          "SELECT s.config_hash, s.fidelity FROM src.points s JOIN points t ON t.campaign_id = ? "
          "AND t.config_hash = s.config_hash AND t.fidelity = s.fidelity WHERE s.campaign_id = ? "
          "AND (t.objectives_json != s.objectives_json OR t.seq != s.seq OR t.feasible != "
          "s.feasible) "
          "LIMIT 1");
      clash.bind(1, id);
      clash.bind(2, old_id);
      if (clash.executeStep())
        throw core::InputError(
            {input, 0, 0}, "",
            "campaign '" + rec.name + "': configuration " + clash.getColumn(0).getString() + " (" +
                clash.getColumn(1).getString() +
                ") has different results in two inputs; were they run by different pade versions?");
    }
    auto copy = [&](const std::string& sql) {
      SQLite::Statement st(db, sql);
      st.bind(1, id);
      st.bind(2, old_id);
      st.exec();
    };
    copy(
        "INSERT OR IGNORE INTO evaluations(campaign_id, config_hash, benchmark, fidelity, "
        "latency_cycles, latency_s, "
        "energy_j, area_mm2, power_w, kept_fraction, accuracy_loss, dram_bytes, metrics_json, seq, "
        "created_at) "
        "SELECT ?, config_hash, benchmark, fidelity, latency_cycles, latency_s, energy_j, "
        "area_mm2, power_w, "
        "kept_fraction, accuracy_loss, dram_bytes, metrics_json, seq, created_at FROM "
        "src.evaluations "
        "WHERE campaign_id = ?");
    copy(
        "INSERT OR IGNORE INTO points(campaign_id, config_hash, seq, fidelity, feasible, reason, "
        "latency_s, energy_j, "
        "area_mm2, power_w, accuracy_loss, objectives_json) SELECT ?, config_hash, seq, fidelity, "
        "feasible, reason, "
        "latency_s, energy_j, area_mm2, power_w, accuracy_loss, objectives_json FROM src.points "
        "WHERE campaign_id = ?");
    // Provenance describing one input (its shard, its fronts) is left out; the fronts are
    // recomputed.
    copy(
        "INSERT OR IGNORE INTO provenance(campaign_id, key, value) SELECT ?, key, value FROM "
        "src.provenance "
        "WHERE campaign_id = ? AND key NOT IN ('shard', 'stats_computed', 'hypervolume', "
        "'hypervolume_reference', "
        "'front_fidelity')");
    SQLite::Statement shard(
        db, "SELECT value FROM src.provenance WHERE campaign_id = ? AND key = 'shard'");
    shard.bind(1, old_id);
    shards[id].push_back(shard.executeStep() ? shard.getColumn(0).getString() : std::string("all"));
  }
  tx.commit();
  return ids;
}

}  // namespace

MergeSummary merge_databases(const std::string& out_path, std::span<const std::string> inputs) {
  namespace fs = std::filesystem;
  if (inputs.empty()) throw core::InputError("merge: expected at least one input database");
  for (const auto& in : inputs) {
    if (!fs::is_regular_file(in)) throw core::InputError({in, 0, 0}, "", "no such database");
    if (fs::exists(out_path) && fs::equivalent(in, out_path))
      throw core::InputError({in, 0, 0}, "", "is also the output; merge into a new file");
    // Validates that it is a PADE-DSE database of the current schema version.
    results::Store check(in, results::Store::Mode::ReadOnly);
  }
  results::Store out(out_path);
  std::map<std::int64_t, std::vector<std::string>> shards;
  std::map<std::int64_t, bool> all_finished;
  std::set<std::int64_t> merged;
  for (const auto& in : inputs) {
    {
      SQLite::Statement attach(out.db(), "ATTACH DATABASE ? AS src");
      attach.bind(1, in);
      attach.exec();
    }
    try {
      for (const auto id : merge_one(out, in, shards, all_finished)) merged.insert(id);
    } catch (...) {
      out.db().exec("DETACH DATABASE src");
      throw;
    }
    out.db().exec("DETACH DATABASE src");
  }
  MergeSummary summary;
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
    summary.points += static_cast<std::size_t>(
        count(out.db(), "SELECT count(*) FROM points WHERE campaign_id = ?", id));
    summary.evaluations += static_cast<std::size_t>(
        count(out.db(), "SELECT count(*) FROM evaluations WHERE campaign_id = ?", id));
  }
  return summary;
}

}  // namespace pade::dse
