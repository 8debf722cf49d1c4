#pragma once
// The results store: one SQLite file per study, read and written through SQLiteCpp.
//
// Schema (documented for plain sqlite3/pandas users in docs/results-schema.md):
//   meta(key, value)                         — schema version, creator
//   campaigns(id, name, spec_yaml, seed, strategy, status, created_at, finished_at)
//   provenance(campaign_id, key, value)      — project version, git commit, model version, host…
//   configurations(hash, canonical, params_json, base_hash, canonical_delta) — since v5 a
//                                            configuration may be stored as a delta against a base
//   config_params(hash, key, num, text)      — one row per parameter, for range filters (since v5
//                                            a view over config_param_rows and the bases)
//   benchmarks(name, model, task, phase, seq_len)
//   evaluations(campaign_id, config_hash, benchmark, fidelity, latency_cycles, latency_s,
//               energy_j, area_mm2, power_w, kept_fraction, accuracy_loss, dram_bytes,
//               metrics_json, seq, created_at)       — UNIQUE(campaign, config, benchmark,
//               fidelity); metrics_json NULL (v5) when the campaign stored a summary
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
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/metrics.hpp"
#include "results/table.hpp"

namespace pade::results {

inline constexpr int kSchemaVersion = 5;

/// What an evaluation keeps besides the typed metric columns (a campaign's `store:` option).
/// Summary: the columns only (metrics_json NULL), ≈ 10× less disk for large campaigns. Full:
/// every metric the model reported, as JSON (what the breakdown figures read).
enum class MetricStorage { Summary, Full };

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
/// The same over core-only energy (no DRAM, no memory interface); energy_efficiency is device
/// scope (core + memory interface + DRAM).
inline constexpr std::string_view kComparisonEnergyEfficiencyCore = "energy_efficiency_core";
/// Rows of `pade compare --sensitivity` (benchmark column): "sensitivity:nominal|median|p05|p95"
/// (the suite geometric mean at the defaults and its spread over the coefficient box) and
/// "tornado-low:<axis>" / "tornado-high:<axis>" (the geometric mean with one axis at an end).
inline constexpr std::string_view kSensitivityPrefix = "sensitivity:";
inline constexpr std::string_view kTornadoLowPrefix = "tornado-low:";
inline constexpr std::string_view kTornadoHighPrefix = "tornado-high:";
struct ComparisonRecord {
  std::string benchmark;  // a benchmark, "geomean" / "arithmean", or a sensitivity row (above)
  std::string baseline;
  std::string metric;  // kComparisonSpeedup | kComparisonEnergyEfficiency[Core]
  double value = 0.0;
  bool operator==(const ComparisonRecord&) const = default;
  /// A benchmark's own value (not a suite average or a sensitivity row).
  [[nodiscard]] bool per_benchmark() const {
    return !core::metric::is_suite_average(benchmark) && benchmark.find(':') == std::string::npos;
  }
};

struct ParetoRecord {
  std::string scope;  // "suite" or a benchmark name
  std::string config_hash;
  int rank = 0;  // 0 = on the front
};

struct BenchmarkRecord {
  std::string name;
  std::string model;
  std::string task;
  std::string phase;
  std::int64_t seq_len = 0;
};

/// A point with its suite-level Pareto rank (what the figures read).
struct RankedPoint {
  PointRecord point;
  std::optional<int> suite_rank;  // none: not ranked
  /// At the fidelity the campaign's ranks were computed at (provenance 'front_fidelity';
  /// campaigns without it: every fidelity). A design screened and then refined has points at two
  /// fidelities; only the refined one carries the rank.
  bool at_front_fidelity = true;
};

/// Which evaluations of a campaign to read.
struct EvaluationFilter {
  std::string config_hash;   // empty: every design
  std::string fidelity;      // empty: every fidelity
  bool all_metrics = false;  // also every metric of metrics_json (else the columns only)
};

/// One configuration parameter as stored: its text, and its number when it is one (booleans are
/// 0/1).
struct ParamValue {
  std::optional<double> num;
  std::string text;
};
/// The parameters of a campaign's designs: config hash → key → value.
using DesignParameters = std::map<std::string, std::map<std::string, ParamValue>>;

/// Who holds a campaign's lease (results/lease.hpp).
struct LeaseHolder {
  std::int64_t pid = 0;
  std::string host;
  std::string token;  // unique per acquisition
  std::string acquired_at;
  std::string heartbeat_at;
  std::string expires_at;  // UTC, ISO 8601 (compares as text)
};

/// A configuration stored twice with different results (pade merge refuses such inputs).
struct PointConflict {
  std::string config_hash;
  std::string fidelity;
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
  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] int busy_timeout_ms() const { return busy_timeout_ms_; }
  /// Opened read-only with `immutable=1` because the folder is read-only: SQLite does no locking
  /// and no change detection, and a -wal file beside the database is not read.
  [[nodiscard]] bool immutable() const { return immutable_; }
  /// How long writes wait for another process's lock from now on (busy_timeout_ms() keeps the
  /// value the store was opened with).
  void set_busy_timeout(int ms);
  /// Copy the WAL into the database file and truncate it (PRAGMA wal_checkpoint(TRUNCATE)), so
  /// the file alone is complete (e.g. to copy it to read-only media). Best effort: false when a
  /// reader kept the checkpoint from finishing or it failed.
  bool checkpoint() noexcept;

  // --- campaigns ---------------------------------------------------------------------------------
  std::int64_t create_campaign(const CampaignRecord& c);
  [[nodiscard]] std::optional<CampaignRecord> find_campaign(const std::string& name);
  [[nodiscard]] std::vector<CampaignRecord> campaigns();
  void set_campaign_status(std::int64_t id, const std::string& status);
  /// Replace the stored campaign file (a resumed campaign whose budget was raised).
  void set_campaign_spec(std::int64_t id, const std::string& spec_yaml);
  void put_provenance(std::int64_t campaign_id,
                      const std::vector<std::pair<std::string, std::string>>& kv);
  [[nodiscard]] std::vector<std::pair<std::string, std::string>> provenance(
      std::int64_t campaign_id);
  /// Like put_provenance, but keys the campaign already has keep their value (pade merge).
  void add_provenance(std::int64_t campaign_id,
                      const std::vector<std::pair<std::string, std::string>>& kv);

  // --- configurations and benchmarks -------------------------------------------------------------
  void put_configuration(const std::string& hash, const std::string& canonical,
                         const std::vector<std::pair<std::string, std::string>>& params);
  void put_benchmark(const std::string& name, const std::string& model, const std::string& task,
                     const std::string& phase, std::int64_t seq_len);
  /// Every benchmark, by name.
  [[nodiscard]] std::vector<BenchmarkRecord> benchmarks();
  /// The canonical text of a configuration (none when the hash is unknown).
  [[nodiscard]] std::optional<std::string> canonical_configuration(const std::string& hash);
  /// Configuration hashes starting with `prefix` (lower-case hex), sorted, at most `limit`.
  [[nodiscard]] std::vector<std::string> config_hashes_with_prefix(const std::string& prefix,
                                                                   std::size_t limit);
  /// Every parameter key of any stored configuration, sorted.
  [[nodiscard]] std::vector<std::string> parameter_keys();
  /// The parameters of the designs a campaign evaluated (its points and evaluations).
  [[nodiscard]] DesignParameters design_parameters(std::int64_t campaign_id);
  /// Parameters that take more than one value among the campaign's points, sorted.
  [[nodiscard]] std::vector<std::string> swept_parameters(std::int64_t campaign_id);

  // --- evaluations and points (each call is one transaction) -------------------------------------
  void put_batch(std::span<const EvaluationRecord> evaluations, std::span<const PointRecord> points,
                 MetricStorage storage = MetricStorage::Full);
  /// Whether any evaluation of the campaign stored only its summary (no metrics_json).
  [[nodiscard]] bool stores_summary(std::int64_t campaign_id);
  /// Ordered by seq, benchmark, fidelity.
  [[nodiscard]] std::vector<EvaluationRecord> evaluations(std::int64_t campaign_id,
                                                          const EvaluationFilter& filter = {});
  /// The first evaluation stored for the campaign (or one design at one fidelity), with every
  /// metric of metrics_json.
  [[nodiscard]] std::optional<EvaluationRecord> first_evaluation(
      std::int64_t campaign_id, const std::string& config_hash = {},
      const std::string& fidelity = {});
  /// Whether any evaluation of the campaign reports `metric` (a column or a metrics_json key).
  [[nodiscard]] bool any_evaluation_reports(std::int64_t campaign_id, const std::string& metric);
  /// Each evaluation as evaluations() would list it, one at a time: memory independent of the
  /// campaign's size (the final ranking of a large campaign reads this way). `visit` must not
  /// use the store.
  void for_each_evaluation(std::int64_t campaign_id, const EvaluationFilter& filter,
                           const std::function<void(const EvaluationRecord&)>& visit);
  /// Ordered by seq, fidelity.
  [[nodiscard]] std::vector<PointRecord> points(std::int64_t campaign_id);
  /// Each point as points() would list it, one at a time (resume and the final ranking).
  /// `visit` must not use the store.
  void for_each_point(std::int64_t campaign_id,
                      const std::function<void(const PointRecord&)>& visit);
  /// The points with their suite Pareto rank, ordered by seq, fidelity, config hash.
  [[nodiscard]] std::vector<RankedPoint> ranked_points(std::int64_t campaign_id);
  [[nodiscard]] std::int64_t count_points(std::int64_t campaign_id);
  [[nodiscard]] std::int64_t count_evaluations(std::int64_t campaign_id);
  [[nodiscard]] bool has_point(std::int64_t campaign_id, const std::string& config_hash,
                               const std::string& fidelity);

  /// Replace the Pareto membership of a campaign (all scopes) in one transaction.
  void set_pareto(std::int64_t campaign_id, std::span<const ParetoRecord> records);
  /// The same, with the records produced one at a time: `produce` is called once with a sink
  /// that stores one record (a large campaign's records need not exist all at once).
  using ParetoSink = std::function<void(const ParetoRecord&)>;
  void set_pareto(std::int64_t campaign_id, const std::function<void(const ParetoSink&)>& produce);

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

  // --- campaign leases (results/lease.hpp)
  // ---------------------------------------------------------
  [[nodiscard]] std::optional<LeaseHolder> lease(std::int64_t campaign_id);
  /// In one savepoint: `check` sees the current holder (if any) and may throw to refuse; then
  /// `holder` takes the lease.
  void take_lease(std::int64_t campaign_id, const LeaseHolder& holder,
                  const std::function<void(const std::optional<LeaseHolder>&)>& check);
  /// Delete the lease if `token` still holds it.
  void release_lease(std::int64_t campaign_id, const std::string& token);

  // --- pade merge: copy another database's rows (INSERT OR IGNORE, inside the caller's
  // transaction) ----------------------------------------------------------------------------------
  /// Configurations, their parameters, benchmarks and the statistics cache.
  void copy_shared_rows(Store& from);
  /// The evaluations and points of campaign `from_id` of `from` into campaign `to_id`.
  void copy_campaign_rows(Store& from, std::int64_t from_id, std::int64_t to_id);
  /// The first point of `from_id` in `from` that campaign `to_id` here holds with other results
  /// (objectives, seq or feasibility).
  [[nodiscard]] std::optional<PointConflict> first_conflicting_point(Store& from,
                                                                     std::int64_t from_id,
                                                                     std::int64_t to_id);

 private:
  friend SQLite::Database& connection(Store& store);
  /// The configuration new ones are stored as deltas against (since v5): the first complete one.
  struct BaseConfiguration {
    std::string hash;
    std::string canonical;
    std::map<std::string, std::string, std::less<>> params;
  };
  const BaseConfiguration* base_configuration();
  std::string path_;
  int busy_timeout_ms_ = 10000;
  std::optional<BaseConfiguration> base_;
  bool immutable_ = false;
  SQLite::Database db_;
};

/// A second read-write connection to a store's file, for the lease heartbeat's own thread (a
/// Store's connection is not for concurrent use). Opens the file as it is: no checks, no
/// migration (the Store that took the lease did those).
class LeaseConnection {
 public:
  LeaseConnection(const std::string& path, int busy_timeout_ms);
  /// Renew the lease `token` holds; false when no row of this token was changed.
  bool renew(std::int64_t campaign_id, const std::string& token, const std::string& heartbeat_at,
             const std::string& expires_at);
  [[nodiscard]] std::optional<LeaseHolder> lease(std::int64_t campaign_id);
  /// Delete the lease if `token` still holds it.
  void release(std::int64_t campaign_id, const std::string& token);

 private:
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

/// The lines of `canonical` that `base` lacks ("+line") and the lines of `base` that `canonical`
/// lacks ("-line"), one per line: how a configuration stored as a delta keeps its canonical text.
[[nodiscard]] std::string canonical_delta(std::string_view base, std::string_view canonical);
/// The canonical text back from its base and delta (the lines sorted, as canonical texts are);
/// the store keeps a delta only when this returns the text exactly.
[[nodiscard]] std::string apply_canonical_delta(std::string_view base, std::string_view delta);

/// Bring a database to `target` schema version (exposed for the migration tests).
void migrate(SQLite::Database& db, int target);
/// UTC ISO 8601 with seconds, as stored in the database (compares as text).
[[nodiscard]] std::string utc_iso8601(std::chrono::system_clock::time_point t);
[[nodiscard]] std::string utc_now_iso8601();

}  // namespace pade::results
