#include "results/store.hpp"

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <set>

#include "core/error.hpp"
#include "core/file_io.hpp"
#include "core/json.hpp"
#include "results/store_sql.hpp"

namespace pade::results {

namespace {

using core::metric::kEvaluationColumns;
using core::metric::kPointColumns;

// Each step takes the schema from version i to i + 1. Steps are never edited once released:
// a change is a new step, so every old file has a path to the current version.
struct Migration {
  const char* sql;
  /// What a read-only connection to a file before this step creates instead (TEMP objects on
  /// the connection only); nullptr: the step's own CREATE TABLEs as TEMP tables.
  const char* read_only_shim = nullptr;
};
const Migration kMigrations[] = {
    // 0 -> 1: the initial schema
    {R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE campaigns(
  id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, spec_yaml TEXT NOT NULL, seed INTEGER NOT NULL,
  strategy TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL, finished_at TEXT);
CREATE TABLE provenance(campaign_id INTEGER NOT NULL REFERENCES campaigns(id), key TEXT NOT NULL,
  value TEXT NOT NULL, PRIMARY KEY(campaign_id, key));
CREATE TABLE configurations(hash TEXT PRIMARY KEY, canonical TEXT NOT NULL, params_json TEXT NOT NULL);
CREATE TABLE config_params(hash TEXT NOT NULL REFERENCES configurations(hash), key TEXT NOT NULL,
  num REAL, text TEXT NOT NULL, PRIMARY KEY(hash, key));
CREATE TABLE benchmarks(name TEXT PRIMARY KEY, model TEXT NOT NULL, task TEXT NOT NULL,
  phase TEXT NOT NULL, seq_len INTEGER NOT NULL);
CREATE TABLE evaluations(
  campaign_id INTEGER NOT NULL REFERENCES campaigns(id), config_hash TEXT NOT NULL,
  benchmark TEXT NOT NULL, fidelity TEXT NOT NULL,
  latency_cycles REAL, latency_s REAL, energy_j REAL, area_mm2 REAL, power_w REAL,
  kept_fraction REAL, accuracy_loss REAL, dram_bytes REAL, metrics_json TEXT NOT NULL,
  seq INTEGER NOT NULL, created_at TEXT NOT NULL,
  PRIMARY KEY(campaign_id, config_hash, benchmark, fidelity));
CREATE TABLE points(
  campaign_id INTEGER NOT NULL REFERENCES campaigns(id), config_hash TEXT NOT NULL,
  seq INTEGER NOT NULL, fidelity TEXT NOT NULL, feasible INTEGER NOT NULL, reason TEXT NOT NULL,
  latency_s REAL, energy_j REAL, area_mm2 REAL, power_w REAL, accuracy_loss REAL,
  objectives_json TEXT NOT NULL,
  PRIMARY KEY(campaign_id, config_hash, fidelity));
CREATE TABLE pareto(campaign_id INTEGER NOT NULL REFERENCES campaigns(id), scope TEXT NOT NULL,
  config_hash TEXT NOT NULL, rank INTEGER NOT NULL, PRIMARY KEY(campaign_id, scope, config_hash));
CREATE INDEX evaluations_by_benchmark ON evaluations(benchmark);
)sql"},
    // 1 -> 2: the functional-statistics cache
    {R"sql(
CREATE TABLE stats_cache(key TEXT NOT NULL, version TEXT NOT NULL, payload TEXT NOT NULL,
  created_at TEXT NOT NULL, PRIMARY KEY(key, version));
)sql"},
    // 2 -> 3: PADE against the baselines (speedup and energy efficiency of PADE over each baseline)
    {R"sql(
CREATE TABLE comparisons(campaign_id INTEGER NOT NULL REFERENCES campaigns(id), benchmark TEXT NOT NULL,
  baseline TEXT NOT NULL, metric TEXT NOT NULL, value REAL,
  PRIMARY KEY(campaign_id, benchmark, baseline, metric));
)sql"},
    // 3 -> 4: campaign leases (which process runs a campaign; results/lease.hpp)
    {R"sql(
CREATE TABLE leases(campaign_id INTEGER PRIMARY KEY REFERENCES campaigns(id),
  owner_pid INTEGER NOT NULL, owner_host TEXT NOT NULL, owner_token TEXT NOT NULL,
  acquired_at TEXT NOT NULL, heartbeat_at TEXT NOT NULL, expires_at TEXT NOT NULL);
)sql"},
    // 4 -> 5: compact storage (issue #19). metrics_json becomes optional (NULL: the campaign
    // stored a summary, every metric is a column) and loses its by-benchmark index (queries
    // select a campaign first: the primary key serves them); rowids are kept (readers order by
    // them). A configuration may be a delta against a base configuration: config_param_rows
    // holds its rows that differ, canonical_delta its canonical lines that differ, and
    // config_params becomes a view that reads as the table did. Pareto rows live in their key.
    {R"sql(
CREATE TABLE evaluations_v5(
  campaign_id INTEGER NOT NULL REFERENCES campaigns(id), config_hash TEXT NOT NULL,
  benchmark TEXT NOT NULL, fidelity TEXT NOT NULL,
  latency_cycles REAL, latency_s REAL, energy_j REAL, area_mm2 REAL, power_w REAL,
  kept_fraction REAL, accuracy_loss REAL, dram_bytes REAL, metrics_json TEXT,
  seq INTEGER NOT NULL, created_at TEXT NOT NULL,
  PRIMARY KEY(campaign_id, config_hash, benchmark, fidelity));
INSERT INTO evaluations_v5(rowid, campaign_id, config_hash, benchmark, fidelity, latency_cycles,
  latency_s, energy_j, area_mm2, power_w, kept_fraction, accuracy_loss, dram_bytes, metrics_json,
  seq, created_at)
  SELECT rowid, campaign_id, config_hash, benchmark, fidelity, latency_cycles, latency_s, energy_j,
    area_mm2, power_w, kept_fraction, accuracy_loss, dram_bytes, metrics_json, seq, created_at
  FROM evaluations ORDER BY rowid;
DROP TABLE evaluations;
ALTER TABLE evaluations_v5 RENAME TO evaluations;
CREATE TABLE pareto_v5(campaign_id INTEGER NOT NULL REFERENCES campaigns(id), scope TEXT NOT NULL,
  config_hash TEXT NOT NULL, rank INTEGER NOT NULL, PRIMARY KEY(campaign_id, scope, config_hash))
  WITHOUT ROWID;
INSERT INTO pareto_v5 SELECT campaign_id, scope, config_hash, rank FROM pareto;
DROP TABLE pareto;
ALTER TABLE pareto_v5 RENAME TO pareto;
ALTER TABLE config_params RENAME TO config_param_rows;
ALTER TABLE configurations ADD COLUMN base_hash TEXT;
ALTER TABLE configurations ADD COLUMN canonical_delta TEXT;
CREATE VIEW config_params(hash, key, num, text) AS
  SELECT hash, key, num, text FROM config_param_rows
  UNION ALL
  SELECT c.hash, b.key, b.num, b.text FROM configurations c
    JOIN config_param_rows b ON b.hash = c.base_hash
   WHERE NOT EXISTS (SELECT 1 FROM config_param_rows o WHERE o.hash = c.hash AND o.key = b.key);
)sql",
     // Nothing to add: a v4 file read as it is has every configuration complete and
     // metrics_json on every evaluation; the readers ask which columns exist.
     ""},
};
static_assert(std::size(kMigrations) == kSchemaVersion);

int user_version(SQLite::Database& db) {
  return db.execAndGet("PRAGMA user_version").getInt();
}

namespace fs = std::filesystem;

/// Whether `path` exists; InputError when it is missing and must exist, or is not a regular file
/// (SQLite would fail on a directory and could block on a FIFO).
bool check_database_path(const std::string& path, bool must_exist) {
  std::error_code ec;
  const auto st = fs::status(path, ec);
  if (st.type() == fs::file_type::not_found) {
    if (must_exist) throw core::InputError({path, 0, 0}, "", "no such database");
    return false;
  }
  if (ec)
    throw core::InputError({path, 0, 0}, "", "cannot inspect the database file: " + ec.message());
  if (st.type() != fs::file_type::regular)
    throw core::InputError({path, 0, 0}, "",
                           "is " + core::file_type_text(st.type()) +
                               ", not a database file; give the path of a PADE-DSE results "
                               "database (a regular file)");
  return true;
}

/// A zero-length file with no WAL content: nothing SQLite would read.
bool empty_file(const std::string& path) {
  std::error_code ec;
  if (fs::file_size(path, ec) != 0 || ec) return false;
  const auto wal = fs::file_size(path + "-wal", ec);
  return ec || wal == 0;
}

/// `file:` URI of a path for sqlite3_open_v2 with SQLITE_OPEN_URI (absolute, percent-encoded).
std::string file_uri(const std::string& path, const std::string& query) {
  std::string out = "file://";
  for (const char ch : fs::absolute(path).lexically_normal().string()) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '%' || c == '?' || c == '#' || c < 0x21 || c >= 0x7f) {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    } else {
      out += ch;
    }
  }
  return out + "?" + query;
}

SQLite::Database open_read_only(const std::string& path, bool immutable, int busy_timeout_ms) {
  return SQLite::Database(file_uri(path, immutable ? "mode=ro&immutable=1" : "mode=ro"),
                          SQLite::OPEN_READONLY | SQLite::OPEN_URI, busy_timeout_ms);
}

/// A read-only connection failed because the WAL index (-shm) cannot be created or locked: the
/// folder or the medium is read-only.
bool shared_memory_unavailable(const SQLite::Exception& e) {
  const int code = e.getErrorCode() & 0xff;
  return code == SQLITE_READONLY || code == SQLITE_CANTOPEN;
}

constexpr const char* kGiveAPadeDatabase =
    "give a database written by pade run, pade compare or pade merge";

bool has_pade_tables(SQLite::Database& db) {
  return db.tableExists("meta") && db.tableExists("campaigns");
}

/// InputError: the file exists but holds no PADE-DSE schema.
[[noreturn]] void throw_not_pade(const std::string& path, SQLite::Database& db, bool empty,
                                 const std::string& what_to_do) {
  std::string why = "foreign tables";
  if (empty) {
    why = "empty file";
  } else if (db.execAndGet("SELECT count(*) FROM sqlite_master").getInt() == 0) {
    why = "a SQLite database without tables";
  }
  throw core::InputError({path, 0, 0}, "",
                         "is not a PADE-DSE results database (" + why + "); " + what_to_do);
}

/// Read-only access to an older schema: the tables later versions add exist as empty TEMP
/// tables on this connection (the file itself is never written).
void add_read_only_shims(SQLite::Database& db, int version) {
  for (int v = version; v < kSchemaVersion; ++v) {
    if (kMigrations[v].read_only_shim != nullptr) {
      db.exec(kMigrations[v].read_only_shim);
      continue;
    }
    std::string sql = kMigrations[v].sql;
    for (auto pos = sql.find("CREATE TABLE "); pos != std::string::npos;
         pos = sql.find("CREATE TABLE ", pos + 1))
      sql.replace(pos, 13, "CREATE TEMP TABLE ");
    db.exec(sql);
  }
}

void bind_optional(SQLite::Statement& st, int index, std::optional<double> v) {
  if (v) {
    st.bind(index, *v);
  } else {
    st.bind(index);  // NULL
  }
}

}  // namespace

std::string utc_now_iso8601() {
  return utc_iso8601(std::chrono::system_clock::now());
}

std::string utc_iso8601(std::chrono::system_clock::time_point when) {
  const std::time_t t = std::chrono::system_clock::to_time_t(when);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

void migrate(SQLite::Database& db, int target) {
  int version = user_version(db);
  if (version > kSchemaVersion)
    throw core::InputError({db.getFilename(), 0, 0}, "",
                           "database schema version " + std::to_string(version) +
                               " is newer than this pade (" + std::to_string(kSchemaVersion) +
                               "); upgrade pade");
  while (version < target) {
    SQLite::Transaction tx(db);
    db.exec(kMigrations[version].sql);
    ++version;
    db.exec("PRAGMA user_version = " + std::to_string(version));
    db.exec("INSERT OR REPLACE INTO meta(key, value) VALUES('schema_version', '" +
            std::to_string(version) + "')");
    tx.commit();
  }
}

Store::Store(const std::string& path, Mode mode, const StoreOptions& options)
    : path_(path), busy_timeout_ms_(options.busy_timeout_ms), db_([&]() -> SQLite::Database {
        const bool existed = check_database_path(path, mode == Mode::ReadOnly);
        if (mode == Mode::ReadOnly) {
          // mode=ro never writes the file. In WAL mode the first read maps the WAL index (the
          // -shm file); where it cannot be created (a read-only folder or medium), immutable=1
          // reads the file as it is, without locking.
          try {
            if (!options.simulate_readonly_folder) {
              SQLite::Database db = open_read_only(path, false, busy_timeout_ms_);
              (void)user_version(db);
              return db;
            }
          } catch (const SQLite::Exception& e) {
            if (!shared_memory_unavailable(e))
              throw core::InputError({path, 0, 0}, "",
                                     std::string("not a usable SQLite database: ") + e.what() +
                                         "; " + kGiveAPadeDatabase);
          }
          immutable_ = true;
          try {
            return open_read_only(path, true, busy_timeout_ms_);
          } catch (const SQLite::Exception& e) {
            throw core::InputError({path, 0, 0}, "",
                                   std::string("cannot open database: ") + e.what());
          }
        }
        // An existing file must already be a PADE-DSE database: never write into anything else.
        if (existed && empty_file(path))
          throw core::InputError({path, 0, 0}, "",
                                 "is not a PADE-DSE results database (empty file); remove it or "
                                 "choose another path (pade creates its database itself)");
        try {
          return SQLite::Database(
              path, SQLite::OPEN_READWRITE | (existed ? 0 : SQLite::OPEN_CREATE), busy_timeout_ms_);
        } catch (const SQLite::Exception& e) {
          throw core::InputError({path, 0, 0}, "",
                                 std::string("cannot open database: ") + e.what());
        }
      }()) {
  try {
    // A quick check that this is a SQLite file at all (the header is validated lazily).
    const int version = user_version(db_);
    if (version > kSchemaVersion)
      throw core::InputError({path, 0, 0}, "",
                             "database schema version " + std::to_string(version) +
                                 " is newer than this pade (" + std::to_string(kSchemaVersion) +
                                 "); upgrade pade");
    if (mode == Mode::ReadOnly) {
      if (version == 0 || !has_pade_tables(db_))
        throw_not_pade(path, db_, empty_file(path), kGiveAPadeDatabase);
      if (version < kSchemaVersion) add_read_only_shims(db_, version);
      return;
    }
    // A file this process just created is empty (version 0); any other file must be ours.
    const bool created = version == 0 && empty_file(path);
    if (!created && (version == 0 || !has_pade_tables(db_)))
      throw_not_pade(path, db_, false,
                     "remove it or choose another path (pade creates its database itself)");
    // A new file gets 16 KiB pages: an evaluation row (~2 KB with its metrics_json) took a whole
    // 4 KiB page, as two do not fit in one; seven fit in 16 KiB (a third less disk and I/O).
    // Only an empty file can take it (before WAL mode and the first table).
    if (created) db_.exec("PRAGMA page_size = 16384");
    db_.exec("PRAGMA journal_mode = WAL");
    db_.exec("PRAGMA synchronous = NORMAL");
    // 64 MiB of page cache (default 2 MiB): a campaign's inserts go to indexes keyed by random
    // configuration hashes, which touch pages all over the file; with the default cache every
    // batch re-read them and the cost per evaluation grew with the file. Constant in N.
    db_.exec("PRAGMA cache_size = -65536");
    db_.exec("PRAGMA foreign_keys = ON");
    migrate(db_, kSchemaVersion);
  } catch (const SQLite::Exception& e) {
    if (mode == Mode::ReadOnly)
      throw core::InputError(
          {path, 0, 0}, "",
          std::string("not a usable SQLite database: ") + e.what() + "; " + kGiveAPadeDatabase);
    switch (classify_write_failure(e)) {
      case WriteFailure::Locked:
        throw core::RunError(write_failure_message(e, path, busy_timeout_ms_, "try again"));
      case WriteFailure::ReadOnly:
        throw core::InputError({path, 0, 0}, "",
                               std::string("cannot be written (") + e.what() +
                                   "): a read-only file, folder or medium; use a writable --db");
      case WriteFailure::Corrupt:
        throw core::InputError({path, 0, 0}, "",
                               std::string("not a usable SQLite database: ") + e.what() +
                                   "; remove it or choose another path");
      default:
        throw core::InputError({path, 0, 0}, "",
                               std::string("not a usable SQLite database: ") + e.what());
    }
  }
}

bool Store::checkpoint() noexcept {
  try {
    SQLite::Statement st(db_, "PRAGMA wal_checkpoint(TRUNCATE)");
    return st.executeStep() && st.getColumn(0).getInt() == 0;
  } catch (const std::exception&) {
    return false;
  }
}

Savepoint::Savepoint(SQLite::Database& db) : db_(db) {
  db_.exec("SAVEPOINT pade_store");
}

Savepoint::~Savepoint() {
  if (done_) return;
  try {
    db_.exec("ROLLBACK TO pade_store");
    db_.exec("RELEASE pade_store");
  } catch (const SQLite::Exception&) {
    // SQLite may already have rolled the whole transaction back (e.g. on SQLITE_FULL).
  }
}

void Savepoint::commit() {
  db_.exec("RELEASE pade_store");
  done_ = true;
}

SQLite::Database& connection(Store& store) {
  return store.db_;
}

void Store::set_busy_timeout(int ms) {
  db_.setBusyTimeout(ms);
}

std::string column_list(std::span<const std::string_view> names, std::string_view prefix) {
  std::string out;
  for (const auto n : names) out.append(out.empty() ? "" : ", ").append(prefix).append(n);
  return out;
}

WriteTransaction::WriteTransaction(Store& store) : db_(connection(store)) {
  db_.exec("BEGIN IMMEDIATE");
}

WriteTransaction::~WriteTransaction() {
  if (done_) return;
  try {
    db_.exec("ROLLBACK");
  } catch (const SQLite::Exception&) {
    // Already rolled back by SQLite (e.g. after SQLITE_FULL): nothing left to undo.
  }
}

void WriteTransaction::commit() {
  db_.exec("COMMIT");
  done_ = true;
}

WriteFailure classify_write_failure(const SQLite::Exception& e) {
  switch (e.getErrorCode() & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return WriteFailure::Locked;
    case SQLITE_FULL:
      return WriteFailure::Full;
    case SQLITE_IOERR:
      return WriteFailure::Io;
    case SQLITE_READONLY:
    case SQLITE_PERM:
      return WriteFailure::ReadOnly;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return WriteFailure::Corrupt;
    default:
      return WriteFailure::Other;
  }
}

std::string write_failure_message(const SQLite::Exception& e, const std::string& path,
                                  int busy_timeout_ms, const std::string& retry) {
  switch (classify_write_failure(e)) {
    case WriteFailure::Locked: {
      char waited[32];
      std::snprintf(waited, sizeof waited, "%.3g s", busy_timeout_ms / 1000.0);
      return "another process holds a write lock on " + path + " (waited " + waited +
             "); wait for it to finish or use another --db, then " + retry;
    }
    case WriteFailure::Full:
      return "disk full writing " + path + " (" + e.what() + "); free space and " + retry;
    case WriteFailure::Io:
      return "I/O error writing " + path + " (" + e.what() + "); check the disk and " + retry;
    case WriteFailure::ReadOnly:
      return path + " cannot be written (" + e.what() +
             "): a read-only file, folder or medium; use a writable --db";
    case WriteFailure::Corrupt:
      return path + " is damaged (" + e.what() + "); restore it from a copy or use another --db";
    case WriteFailure::Other:
      break;
  }
  return "cannot write " + path + " (" + e.what() + "); " + retry;
}

int Store::schema_version() const {
  return const_cast<SQLite::Database&>(db_).execAndGet("PRAGMA user_version").getInt();
}

std::int64_t Store::create_campaign(const CampaignRecord& c) {
  SQLite::Statement st(db_,
                       "INSERT INTO campaigns(name, spec_yaml, seed, strategy, status, created_at) "
                       "VALUES(?, ?, ?, ?, ?, ?)");
  st.bind(1, c.name);
  st.bind(2, c.spec_yaml);
  st.bind(3, c.seed);
  st.bind(4, c.strategy);
  st.bind(5, c.status.empty() ? std::string("running") : c.status);
  st.bind(6, c.created_at.empty() ? utc_now_iso8601() : c.created_at);
  st.exec();
  return db_.getLastInsertRowid();
}

namespace {
CampaignRecord campaign_from_row(SQLite::Statement& st) {
  CampaignRecord c;
  c.id = st.getColumn(0).getInt64();
  c.name = st.getColumn(1).getString();
  c.spec_yaml = st.getColumn(2).getString();
  c.seed = st.getColumn(3).getInt64();
  c.strategy = st.getColumn(4).getString();
  c.status = st.getColumn(5).getString();
  c.created_at = st.getColumn(6).getString();
  c.finished_at = st.getColumn(7).isNull() ? std::string() : st.getColumn(7).getString();
  return c;
}
constexpr const char* kCampaignColumns =
    "SELECT id, name, spec_yaml, seed, strategy, status, created_at, finished_at FROM campaigns";
}  // namespace

std::optional<CampaignRecord> Store::find_campaign(const std::string& name) {
  SQLite::Statement st(db_, std::string(kCampaignColumns) + " WHERE name = ?");
  st.bind(1, name);
  if (st.executeStep()) return campaign_from_row(st);
  return std::nullopt;
}

std::vector<CampaignRecord> Store::campaigns() {
  SQLite::Statement st(db_, std::string(kCampaignColumns) + " ORDER BY id");
  std::vector<CampaignRecord> out;
  while (st.executeStep()) out.push_back(campaign_from_row(st));
  return out;
}

void Store::set_campaign_status(std::int64_t id, const std::string& status) {
  SQLite::Statement st(db_, "UPDATE campaigns SET status = ?, finished_at = ? WHERE id = ?");
  st.bind(1, status);
  st.bind(2, utc_now_iso8601());
  st.bind(3, id);
  st.exec();
}

void Store::set_campaign_spec(std::int64_t id, const std::string& spec_yaml) {
  SQLite::Statement st(db_, "UPDATE campaigns SET spec_yaml = ? WHERE id = ?");
  st.bind(1, spec_yaml);
  st.bind(2, id);
  st.exec();
}

namespace {
/// Insert provenance rows in one savepoint; `conflict` is OR REPLACE or OR IGNORE.
void insert_provenance(SQLite::Database& db, std::int64_t campaign_id,
                       const std::vector<std::pair<std::string, std::string>>& kv,
                       const char* conflict) {
  Savepoint tx(db);
  SQLite::Statement st(db, std::string("INSERT ") + conflict +
                               " INTO provenance(campaign_id, key, value) VALUES(?, ?, ?)");
  for (const auto& [k, v] : kv) {
    st.bind(1, campaign_id);
    st.bind(2, k);
    st.bind(3, v);
    st.exec();
    st.reset();
  }
  tx.commit();
}
}  // namespace

void Store::put_provenance(std::int64_t campaign_id,
                           const std::vector<std::pair<std::string, std::string>>& kv) {
  insert_provenance(db_, campaign_id, kv, "OR REPLACE");
}

void Store::add_provenance(std::int64_t campaign_id,
                           const std::vector<std::pair<std::string, std::string>>& kv) {
  insert_provenance(db_, campaign_id, kv, "OR IGNORE");
}

std::vector<std::pair<std::string, std::string>> Store::provenance(std::int64_t campaign_id) {
  SQLite::Statement st(db_, "SELECT key, value FROM provenance WHERE campaign_id = ? ORDER BY key");
  st.bind(1, campaign_id);
  std::vector<std::pair<std::string, std::string>> out;
  while (st.executeStep())
    out.emplace_back(st.getColumn(0).getString(), st.getColumn(1).getString());
  return out;
}

namespace {

/// The number a parameter's text is stored as (booleans 0/1), or none for text.
std::optional<double> parameter_number(const std::string& v) {
  char* end = nullptr;
  const double num = std::strtod(v.c_str(), &end);
  if (!v.empty() && end != nullptr && *end == '\0') return num;
  if (v == "true" || v == "false") return v == "true" ? 1.0 : 0.0;
  return std::nullopt;
}

std::vector<std::string> lines_of(std::string_view text) {
  std::vector<std::string> out;
  for (std::size_t pos = 0; pos < text.size();) {
    const auto nl = std::min(text.find('\n', pos), text.size());
    out.emplace_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return out;
}

}  // namespace

std::string canonical_delta(std::string_view base, std::string_view canonical) {
  const auto a = lines_of(base), b = lines_of(canonical);
  const std::set<std::string_view> in_a(a.begin(), a.end()), in_b(b.begin(), b.end());
  std::string out;
  for (const auto& l : a)
    if (in_b.count(l) == 0) out.append("-").append(l).append("\n");
  for (const auto& l : b)
    if (in_a.count(l) == 0) out.append("+").append(l).append("\n");
  return out;
}

std::string apply_canonical_delta(std::string_view base, std::string_view delta) {
  std::set<std::string> removed;
  std::vector<std::string> lines;
  for (auto& l : lines_of(delta)) {
    if (l.empty()) continue;
    if (l[0] == '-') removed.insert(l.substr(1));
    if (l[0] == '+') lines.push_back(l.substr(1));
  }
  for (auto& l : lines_of(base))
    if (removed.count(l) == 0) lines.push_back(std::move(l));
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (const auto& l : lines) out.append(out.empty() ? "" : "\n").append(l);
  if (!base.empty() && base.back() == '\n') out += '\n';
  return out;
}

const Store::BaseConfiguration* Store::base_configuration() {
  if (base_) return &*base_;
  SQLite::Statement st(db_,
                       "SELECT hash, canonical FROM configurations WHERE base_hash IS NULL "
                       "ORDER BY rowid LIMIT 1");
  if (!st.executeStep()) return nullptr;
  BaseConfiguration b{st.getColumn(0).getString(), st.getColumn(1).getString(), {}};
  SQLite::Statement p(db_, "SELECT key, text FROM config_param_rows WHERE hash = ?");
  p.bind(1, b.hash);
  while (p.executeStep()) b.params.emplace(p.getColumn(0).getString(), p.getColumn(1).getString());
  base_ = std::move(b);
  return &*base_;
}

void Store::put_configuration(const std::string& hash, const std::string& canonical,
                              const std::vector<std::pair<std::string, std::string>>& params) {
  Savepoint tx(db_);
  {
    SQLite::Statement known(db_, "SELECT 1 FROM configurations WHERE hash = ?");
    known.bind(1, hash);
    if (known.executeStep()) return;
  }
  // A delta against the base when it has no key this configuration lacks and its canonical
  // text comes back exactly; designs of one campaign differ in a few swept keys, so a delta is a
  // few rows where the whole configuration is ~110 (≈ 1 KB per evaluation of a PADE-22 design).
  const BaseConfiguration* base = base_configuration();
  std::vector<const std::pair<std::string, std::string>*> rows;
  std::string delta;
  bool as_delta = base != nullptr;
  if (as_delta) {
    std::size_t shared = 0;
    for (const auto& kv : params) {
      const auto it = base->params.find(kv.first);
      if (it != base->params.end()) ++shared;
      if (it == base->params.end() || it->second != kv.second) rows.push_back(&kv);
    }
    delta = canonical_delta(base->canonical, canonical);
    as_delta = shared == base->params.size() && 2 * rows.size() < params.size() &&
               apply_canonical_delta(base->canonical, delta) == canonical;
  }
  if (!as_delta) {
    rows.clear();
    for (const auto& kv : params) rows.push_back(&kv);
  }
  core::JsonWriter w;  // params_json: since v5 kept only where the rows are complete
  w.begin_object();
  for (const auto& [k, v] : params) w.key(k).value(v);
  w.end_object();
  SQLite::Statement st(db_,
                       "INSERT INTO configurations(hash, canonical, params_json, base_hash, "
                       "canonical_delta) VALUES(?, ?, ?, ?, ?)");
  st.bind(1, hash);
  st.bind(2, as_delta ? std::string() : canonical);
  st.bind(3, as_delta ? std::string() : w.str());
  if (as_delta) {
    st.bind(4, base->hash);
    st.bind(5, delta);
  }
  st.exec();
  SQLite::Statement p(db_,
                      "INSERT INTO config_param_rows(hash, key, num, text) VALUES(?, ?, ?, ?)");
  for (const auto* kv : rows) {
    p.bind(1, hash);
    p.bind(2, kv->first);
    bind_optional(p, 3, parameter_number(kv->second));
    p.bind(4, kv->second);
    p.exec();
    p.reset();
  }
  tx.commit();
  // A configuration too far from the base to be a delta (another key set: a newer pade) is the
  // base of those that follow.
  if (!as_delta) {
    BaseConfiguration b{hash, canonical, {}};
    for (const auto& [k, v] : params) b.params.emplace(k, v);
    base_ = std::move(b);
  }
}

void Store::put_benchmark(const std::string& name, const std::string& model,
                          const std::string& task, const std::string& phase, std::int64_t seq_len) {
  SQLite::Statement st(
      db_,
      "INSERT OR REPLACE INTO benchmarks(name, model, task, phase, seq_len) VALUES(?, ?, ?, ?, ?)");
  st.bind(1, name);
  st.bind(2, model);
  st.bind(3, task);
  st.bind(4, phase);
  st.bind(5, seq_len);
  st.exec();
}

void Store::put_batch(std::span<const EvaluationRecord> evaluations,
                      std::span<const PointRecord> points, MetricStorage storage) {
  const std::string now = utc_now_iso8601();
  Savepoint tx(db_);
  {
    std::string sql =
        "INSERT OR REPLACE INTO evaluations(campaign_id, config_hash, benchmark, fidelity, " +
        column_list(kEvaluationColumns) + ", metrics_json, seq, created_at) VALUES(?, ?, ?, ?";
    for (std::size_t i = 0; i < kEvaluationColumns.size(); ++i) sql += ", ?";
    sql += ", ?, ?, ?)";
    SQLite::Statement st(db_, sql);
    for (const auto& e : evaluations) {
      int i = 1;
      st.bind(i++, e.campaign_id);
      st.bind(i++, e.config_hash);
      st.bind(i++, e.benchmark);
      st.bind(i++, e.fidelity);
      for (const auto c : kEvaluationColumns) bind_optional(st, i++, e.metrics.find(c));
      if (storage == MetricStorage::Full) {
        st.bind(i++, e.metrics.to_json());
      } else {
        st.bind(i++);  // a summary: the columns hold every metric kept
      }
      st.bind(i++, e.seq);
      st.bind(i++, now);
      st.exec();
      st.reset();
    }
  }
  {
    std::string sql =
        "INSERT OR REPLACE INTO points(campaign_id, config_hash, seq, fidelity, feasible, "
        "reason, " +
        column_list(kPointColumns) + ", objectives_json) VALUES(?, ?, ?, ?, ?, ?";
    for (std::size_t i = 0; i < kPointColumns.size(); ++i) sql += ", ?";
    sql += ", ?)";
    SQLite::Statement st(db_, sql);
    for (const auto& p : points) {
      int i = 1;
      st.bind(i++, p.campaign_id);
      st.bind(i++, p.config_hash);
      st.bind(i++, p.seq);
      st.bind(i++, p.fidelity);
      st.bind(i++, p.feasible ? 1 : 0);
      st.bind(i++, p.reason);
      for (const auto c : kPointColumns) bind_optional(st, i++, p.objectives.find(c));
      st.bind(i++, p.objectives.to_json());
      st.exec();
      st.reset();
    }
  }
  tx.commit();
}

bool Store::has_point(std::int64_t campaign_id, const std::string& config_hash,
                      const std::string& fidelity) {
  SQLite::Statement st(
      db_, "SELECT 1 FROM points WHERE campaign_id = ? AND config_hash = ? AND fidelity = ?");
  st.bind(1, campaign_id);
  st.bind(2, config_hash);
  st.bind(3, fidelity);
  return st.executeStep();
}

void Store::set_pareto(std::int64_t campaign_id, std::span<const ParetoRecord> records) {
  set_pareto(campaign_id, [&](const ParetoSink& sink) {
    for (const auto& r : records) sink(r);
  });
}

void Store::set_pareto(std::int64_t campaign_id,
                       const std::function<void(const ParetoSink&)>& produce) {
  Savepoint tx(db_);
  {
    SQLite::Statement del(db_, "DELETE FROM pareto WHERE campaign_id = ?");
    del.bind(1, campaign_id);
    del.exec();
  }
  SQLite::Statement st(
      db_, "INSERT INTO pareto(campaign_id, scope, config_hash, rank) VALUES(?, ?, ?, ?)");
  produce([&](const ParetoRecord& r) {
    st.bind(1, campaign_id);
    st.bind(2, r.scope);
    st.bind(3, r.config_hash);
    st.bind(4, r.rank);
    st.exec();
    st.reset();
  });
  tx.commit();
}

void Store::put_comparisons(std::int64_t campaign_id, std::span<const ComparisonRecord> records) {
  Savepoint tx(db_);
  SQLite::Statement st(
      db_,
      "INSERT OR REPLACE INTO comparisons(campaign_id, benchmark, baseline, metric, value) "
      "VALUES(?, ?, ?, ?, ?)");
  for (const auto& r : records) {
    if (r.metric != kComparisonSpeedup && r.metric != kComparisonEnergyEfficiency &&
        r.metric != kComparisonEnergyEfficiencyCore)
      throw core::InputError("comparisons: unknown metric '" + r.metric + "' (expected " +
                             std::string(kComparisonSpeedup) + ", " +
                             std::string(kComparisonEnergyEfficiency) + " or " +
                             std::string(kComparisonEnergyEfficiencyCore) + ")");
    st.bind(1, campaign_id);
    st.bind(2, r.benchmark);
    st.bind(3, r.baseline);
    st.bind(4, r.metric);
    st.bind(5, r.value);
    st.exec();
    st.reset();
  }
  tx.commit();
}

std::vector<ComparisonRecord> Store::comparisons(std::int64_t campaign_id) {
  SQLite::Statement st(
      db_,
      "SELECT benchmark, baseline, metric, value FROM comparisons WHERE campaign_id = ? "
      "AND value IS NOT NULL ORDER BY benchmark, baseline, metric");
  st.bind(1, campaign_id);
  std::vector<ComparisonRecord> out;
  while (st.executeStep())
    out.push_back({st.getColumn(0).getString(), st.getColumn(1).getString(),
                   st.getColumn(2).getString(), st.getColumn(3).getDouble()});
  return out;
}

std::optional<std::string> Store::cached_stats(const std::string& key, const std::string& version) {
  SQLite::Statement st(db_, "SELECT payload FROM stats_cache WHERE key = ? AND version = ?");
  st.bind(1, key);
  st.bind(2, version);
  if (st.executeStep()) return st.getColumn(0).getString();
  return std::nullopt;
}

void Store::put_stats(const std::string& key, const std::string& version,
                      const std::string& payload) {
  SQLite::Statement st(
      db_,
      "INSERT OR REPLACE INTO stats_cache(key, version, payload, created_at) VALUES(?, ?, ?, ?)");
  st.bind(1, key);
  st.bind(2, version);
  st.bind(3, payload);
  st.bind(4, utc_now_iso8601());
  st.exec();
}

}  // namespace pade::results
