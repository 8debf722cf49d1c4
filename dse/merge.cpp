#include "dse/merge.hpp"

#include <SQLiteCpp/Statement.h>
#include <sqlite3.h>
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

std::int64_t count(SQLite::Database& db, const std::string& sql, std::int64_t id) {
  SQLite::Statement st(db, sql);
  if (id >= 0) st.bind(1, id);
  st.executeStep();
  return st.getColumn(0).getInt64();
}

/// One column value as read from an input, to be bound unchanged into the output.
struct Value {
  int type = SQLITE_NULL;
  std::int64_t integer = 0;
  double real = 0;
  std::string bytes;  // TEXT or BLOB
};
using Row = std::vector<Value>;

/// Every row of `sql` on an input (first parameter bound to `id` when id >= 0).
std::vector<Row> read_rows(SQLite::Database& db, const std::string& sql, std::int64_t id = -1) {
  SQLite::Statement st(db, sql);
  if (id >= 0) st.bind(1, id);
  std::vector<Row> rows;
  while (st.executeStep()) {
    Row row(static_cast<std::size_t>(st.getColumnCount()));
    for (int c = 0; c < st.getColumnCount(); ++c) {
      const SQLite::Column col = st.getColumn(c);
      Value& v = row[static_cast<std::size_t>(c)];
      v.type = col.getType();
      if (v.type == SQLITE_INTEGER) v.integer = col.getInt64();
      if (v.type == SQLITE_FLOAT) v.real = col.getDouble();
      if (v.type == SQLITE_TEXT || v.type == SQLITE_BLOB)
        v.bytes.assign(static_cast<const char*>(col.getBlob()),
                       static_cast<std::size_t>(col.getBytes()));
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

void bind_value(SQLite::Statement& st, int index, const Value& v) {
  switch (v.type) {
    case SQLITE_INTEGER:
      st.bind(index, v.integer);
      break;
    case SQLITE_FLOAT:
      st.bind(index, v.real);
      break;
    case SQLITE_TEXT:
      st.bind(index, v.bytes);
      break;
    case SQLITE_BLOB:
      st.bind(index, v.bytes.data(), static_cast<int>(v.bytes.size()));
      break;
    default:
      st.bind(index);
  }
}

/// Insert each row into the output; `id` >= 0 is bound first (the campaign id in the output).
void write_rows(SQLite::Database& db, const std::string& sql, const std::vector<Row>& rows,
                std::int64_t id = -1) {
  SQLite::Statement st(db, sql);
  for (const auto& row : rows) {
    int i = 1;
    if (id >= 0) st.bind(i++, id);
    for (const auto& v : row) bind_value(st, i++, v);
    st.exec();
    st.reset();
  }
}

std::string text(const Value& v) {
  return v.bytes;
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
  SQLite::Database& db = out.db();
  SQLite::Database& src = in.db();
  std::vector<std::int64_t> ids;
  // Shared tables first (configurations before their parameters: foreign keys).
  write_rows(db, "INSERT OR IGNORE INTO configurations(hash, canonical, params_json) VALUES(?,?,?)",
             read_rows(src, "SELECT hash, canonical, params_json FROM configurations"));
  write_rows(db, "INSERT OR IGNORE INTO config_params(hash, key, num, text) VALUES(?,?,?,?)",
             read_rows(src, "SELECT hash, key, num, text FROM config_params"));
  write_rows(db,
             "INSERT OR IGNORE INTO benchmarks(name, model, task, phase, seq_len) "
             "VALUES(?,?,?,?,?)",
             read_rows(src, "SELECT name, model, task, phase, seq_len FROM benchmarks"));
  write_rows(db,
             "INSERT OR IGNORE INTO stats_cache(key, version, payload, created_at) "
             "VALUES(?,?,?,?)",
             read_rows(src, "SELECT key, version, payload, created_at FROM stats_cache"));

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
    const auto points = read_rows(src,
                                  "SELECT config_hash, seq, fidelity, feasible, reason, latency_s, "
                                  "energy_j, area_mm2, power_w, accuracy_loss, objectives_json "
                                  "FROM points WHERE campaign_id = ?",
                                  old_id);
    {
      SQLite::Statement same(db,
                             "SELECT objectives_json, seq, feasible FROM points WHERE "
                             "campaign_id = ? AND config_hash = ? AND fidelity = ?");
      for (const auto& p : points) {
        same.bind(1, id);
        bind_value(same, 2, p[0]);
        bind_value(same, 3, p[2]);
        if (same.executeStep() && (same.getColumn(0).getString() != text(p[10]) ||
                                   same.getColumn(1).getInt64() != p[1].integer ||
                                   same.getColumn(2).getInt64() != p[3].integer))
          throw core::InputError(
              {input, 0, 0}, "",
              "campaign '" + c.name + "': configuration " + text(p[0]) + " (" + text(p[2]) +
                  ") has different results in two inputs; were they run by different pade "
                  "versions?");
        same.reset();
      }
    }
    write_rows(db,
               "INSERT OR IGNORE INTO evaluations(campaign_id, config_hash, benchmark, fidelity, "
               "latency_cycles, latency_s, energy_j, area_mm2, power_w, kept_fraction, "
               "accuracy_loss, dram_bytes, metrics_json, seq, created_at) "
               "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
               read_rows(src,
                         "SELECT config_hash, benchmark, fidelity, latency_cycles, latency_s, "
                         "energy_j, area_mm2, power_w, kept_fraction, accuracy_loss, dram_bytes, "
                         "metrics_json, seq, created_at FROM evaluations WHERE campaign_id = ?",
                         old_id),
               id);
    write_rows(db,
               "INSERT OR IGNORE INTO points(campaign_id, config_hash, seq, fidelity, feasible, "
               "reason, latency_s, energy_j, area_mm2, power_w, accuracy_loss, objectives_json) "
               "VALUES(?,?,?,?,?,?,?,?,?,?,?,?)",
               points, id);
    {
      SQLite::Statement st(
          db, "INSERT OR IGNORE INTO provenance(campaign_id, key, value) VALUES(?, ?, ?)");
      std::string shard = "all";
      for (const auto& [k, v] : in_provenance) {
        if (k == "shard") shard = v;
        if (per_input_key(k)) continue;
        st.bind(1, id);
        st.bind(2, k);
        st.bind(3, v);
        st.exec();
        st.reset();
      }
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
        summary.points += static_cast<std::size_t>(
            count(out.db(), "SELECT count(*) FROM points WHERE campaign_id = ?", id));
        summary.evaluations += static_cast<std::size_t>(
            count(out.db(), "SELECT count(*) FROM evaluations WHERE campaign_id = ?", id));
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
