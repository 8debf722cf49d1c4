#pragma once
// The results store: one SQLite file per study, read and written through SQLiteCpp.
//
// Schema (documented for plain sqlite3/pandas users in docs/results-schema.md):
//   meta(key, value)                         — schema version, creator
//   campaigns(id, name, spec_yaml, seed, strategy, status, created_at, finished_at)
//   provenance(campaign_id, key, value)      — project version, git commit, model version, host…
//   configurations(hash, canonical, params_json)
//   config_params(hash, key, num, text)      — one row per parameter, for range filters
//   benchmarks(name, model, task, phase, seq_len)
//   evaluations(campaign_id, config_hash, benchmark, fidelity, latency_cycles, latency_s,
//               energy_j, area_mm2, power_w, kept_fraction, accuracy_loss, dram_bytes,
//               metrics_json, seq, created_at)       — UNIQUE(campaign, config, benchmark,
//               fidelity)
//   points(campaign_id, config_hash, seq, fidelity, feasible, reason, objectives_json, …)
//   pareto(campaign_id, scope, config_hash, rank) — scope 'suite' or a benchmark name
//   stats_cache(key, version, payload)       — functional statistics (since schema v2)
//   comparisons(campaign_id, benchmark, baseline, metric, value) — PADE over each baseline (v3)
//   leases(campaign_id, owner_pid, owner_host, owner_token, acquired_at, heartbeat_at,
//          expires_at)                   — which process runs a campaign (v4; lease.hpp)
// WAL mode and a busy timeout let a second process read while a campaign writes; every batch is
// one transaction, so an interrupted write leaves the last committed state. The Store's own
// multi-statement writes are savepoints, so a caller may wrap several calls in one transaction
// (WriteTransaction) that commits whole or not at all — `pade merge` does.
//
// Opening never takes over a file that is not a PADE-DSE database: a missing file is created
// (read-write only), but an existing empty file, a SQLite file with other tables, a file that is
// not SQLite at all, a directory or a FIFO is an InputError and is left untouched. Read-only
// opens (the read verbs) use `file:…?mode=ro`, never write, and on read-only storage (where the
// WAL's -shm file cannot be created) fall back to `immutable=1`.
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/metrics.hpp"

namespace pade::results {

/// SQL condition on a points/evaluations row aliased `t`: the row is at the fidelity its campaign's
/// Pareto ranks were computed at (provenance 'front_fidelity'; campaigns without it: any). A design
/// screened and then refined has rows at two fidelities; only the refined one carries the rank.
inline constexpr const char* kAtFrontFidelitySql =
    "t.fidelity = coalesce((SELECT pv.value FROM provenance pv WHERE pv.campaign_id = "
    "t.campaign_id "
    "AND pv.key = 'front_fidelity'), t.fidelity)";

inline constexpr int kSchemaVersion = 4;

struct CampaignRecord {
  std::int64_t id = 0;
  std::string name;
  std::string spec_yaml;  // the campaign file as given (for provenance and resume checks)
  std::int64_t seed = 0;
  std::string strategy;
  std::string status;  // running | finished | interrupted | budget | failed
  std::string created_at;
  std::string finished_at;
};

struct EvaluationRecord {
  std::int64_t campaign_id = 0;
  std::string config_hash;
  std::string benchmark;
  std::string fidelity;  // coarse | analytical | event | functional
  core::Metrics metrics;
  std::int64_t seq = 0;  // order in which the strategy asked for the point (determinism)
};

struct PointRecord {  // one configuration's suite-level result in a campaign
  std::int64_t campaign_id = 0;
  std::string config_hash;
  std::int64_t seq = 0;
  std::string fidelity;
  bool feasible = true;
  std::string reason;  // why infeasible (empty when feasible)
  core::Metrics objectives;
};

/// PADE against one baseline on one benchmark: value = baseline / PADE for latency (speedup) and
/// for energy (energy efficiency), so > 1 means PADE is better. Baseline names are lower case
/// (h100, sanger, dota, sofa, …); figures order the four named in the paper first.
inline constexpr std::string_view kComparisonSpeedup = "speedup";
inline constexpr std::string_view kComparisonEnergyEfficiency = "energy_efficiency";
struct ComparisonRecord {
  std::string benchmark;  // a benchmark, or "geomean" / "arithmean" for the suite averages
  std::string baseline;
  std::string metric;  // kComparisonSpeedup | kComparisonEnergyEfficiency
  double value = 0.0;
  bool operator==(const ComparisonRecord&) const = default;
};

struct ParetoRecord {
  std::string scope;  // "suite" or a benchmark name
  std::string config_hash;
  int rank = 0;  // 0 = on the front
};

struct StoreOptions {
  int busy_timeout_ms = 10000;  // how long a write waits for another process's write lock
  /// Read-only opens: act as if the database's folder were read-only (the -shm file cannot be
  /// created), to exercise the immutable fallback in tests.
  bool simulate_readonly_folder = false;
};

class Store {
 public:
  enum class Mode { ReadOnly, ReadWrite };
  /// ReadWrite: opens (creating a missing file) and migrates to kSchemaVersion. ReadOnly: opens
  /// without ever writing; an older schema stays as it is (its missing tables read as empty).
  /// A file from a newer version, or anything that is not a PADE-DSE database, is an InputError.
  explicit Store(const std::string& path, Mode mode = Mode::ReadWrite,
                 const StoreOptions& options = {});

  [[nodiscard]] int schema_version() const;
  [[nodiscard]] SQLite::Database& db() { return db_; }
  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] int busy_timeout_ms() const { return busy_timeout_ms_; }
  /// Opened read-only with `immutable=1` because the folder is read-only: SQLite does no locking
  /// and no change detection, and a -wal file beside the database is not read.
  [[nodiscard]] bool immutable() const { return immutable_; }
  /// Copy the WAL into the database file and truncate it (PRAGMA wal_checkpoint(TRUNCATE)), so
  /// the file alone is complete (e.g. to copy it to read-only media). Best effort: false when a
  /// reader kept the checkpoint from finishing or it failed.
  bool checkpoint() noexcept;

  // --- campaigns ---------------------------------------------------------------------------------
  std::int64_t create_campaign(const CampaignRecord& c);
  [[nodiscard]] std::optional<CampaignRecord> find_campaign(const std::string& name);
  [[nodiscard]] std::vector<CampaignRecord> campaigns();
  void set_campaign_status(std::int64_t id, const std::string& status);
  void put_provenance(std::int64_t campaign_id,
                      const std::vector<std::pair<std::string, std::string>>& kv);
  [[nodiscard]] std::vector<std::pair<std::string, std::string>> provenance(
      std::int64_t campaign_id);

  // --- configurations and benchmarks -------------------------------------------------------------
  void put_configuration(const std::string& hash, const std::string& canonical,
                         const std::vector<std::pair<std::string, std::string>>& params);
  void put_benchmark(const std::string& name, const std::string& model, const std::string& task,
                     const std::string& phase, std::int64_t seq_len);

  // --- evaluations and points (each call is one transaction) -------------------------------------
  void put_batch(std::span<const EvaluationRecord> evaluations,
                 std::span<const PointRecord> points);
  [[nodiscard]] std::vector<EvaluationRecord> evaluations(std::int64_t campaign_id);
  [[nodiscard]] std::vector<PointRecord> points(std::int64_t campaign_id);
  [[nodiscard]] bool has_point(std::int64_t campaign_id, const std::string& config_hash,
                               const std::string& fidelity);

  /// Replace the Pareto membership of a campaign (all scopes) in one transaction.
  void set_pareto(std::int64_t campaign_id, std::span<const ParetoRecord> records);

  // --- PADE against the baselines (written by the baseline comparison, read by the figures)
  // -------
  /// Insert or replace, in one transaction; InputError for a metric other than the two above.
  void put_comparisons(std::int64_t campaign_id, std::span<const ComparisonRecord> records);
  /// The campaign's comparisons (NULL values left out), ordered by benchmark, baseline, metric.
  [[nodiscard]] std::vector<ComparisonRecord> comparisons(std::int64_t campaign_id);

  // --- functional-statistics cache ---------------------------------------------------------------
  [[nodiscard]] std::optional<std::string> cached_stats(const std::string& key,
                                                        const std::string& version);
  void put_stats(const std::string& key, const std::string& version, const std::string& payload);

 private:
  std::string path_;
  int busy_timeout_ms_ = 10000;
  bool immutable_ = false;
  SQLite::Database db_;
};

/// A savepoint: atomic on its own (a deferred transaction when none is open) and nested inside
/// an open transaction. The Store's multi-statement writes use one. Rolled back unless
/// committed.
class Savepoint {
 public:
  explicit Savepoint(SQLite::Database& db);
  ~Savepoint();
  Savepoint(const Savepoint&) = delete;
  Savepoint& operator=(const Savepoint&) = delete;
  void commit();

 private:
  SQLite::Database& db_;
  bool done_ = false;
};

/// One write transaction (BEGIN IMMEDIATE … COMMIT) around several Store calls: they commit
/// together or, unless commit() is called, not at all.
class WriteTransaction {
 public:
  explicit WriteTransaction(Store& store);
  ~WriteTransaction();
  WriteTransaction(const WriteTransaction&) = delete;
  WriteTransaction& operator=(const WriteTransaction&) = delete;
  void commit();

 private:
  SQLite::Database& db_;
  bool done_ = false;
};

/// Why a write to a database failed, from SQLite's result code.
enum class WriteFailure { Locked, Full, Io, ReadOnly, Corrupt, Other };
[[nodiscard]] WriteFailure classify_write_failure(const SQLite::Exception& e);
/// A message for a failed write to `path` that names the file and says what to do; `retry` is
/// the way to continue afterwards (e.g. "run again with --resume").
[[nodiscard]] std::string write_failure_message(const SQLite::Exception& e, const std::string& path,
                                                int busy_timeout_ms, const std::string& retry);

/// Bring a database to `target` schema version (exposed for the migration tests).
void migrate(SQLite::Database& db, int target);
/// UTC ISO 8601 with seconds, as stored in the database (compares as text).
[[nodiscard]] std::string utc_iso8601(std::chrono::system_clock::time_point t);
[[nodiscard]] std::string utc_now_iso8601();

}  // namespace pade::results
