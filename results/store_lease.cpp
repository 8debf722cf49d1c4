// The leases table (results/lease.hpp): read, take, renew and release a campaign's lease.
#include <SQLiteCpp/Statement.h>

#include "results/store.hpp"
#include "results/store_sql.hpp"

namespace pade::results {

namespace {

std::optional<LeaseHolder> read_lease(SQLite::Database& db, std::int64_t campaign_id) {
  SQLite::Statement st(db,
                       "SELECT owner_pid, owner_host, owner_token, acquired_at, heartbeat_at, "
                       "expires_at FROM leases WHERE campaign_id = ?");
  st.bind(1, campaign_id);
  if (!st.executeStep()) return std::nullopt;
  LeaseHolder h;
  h.pid = st.getColumn(0).getInt64();
  h.host = st.getColumn(1).getString();
  h.token = st.getColumn(2).getString();
  h.acquired_at = st.getColumn(3).getString();
  h.heartbeat_at = st.getColumn(4).getString();
  h.expires_at = st.getColumn(5).getString();
  return h;
}

void delete_lease(SQLite::Database& db, std::int64_t campaign_id, const std::string& token) {
  SQLite::Statement st(db, "DELETE FROM leases WHERE campaign_id = ? AND owner_token = ?");
  st.bind(1, campaign_id);
  st.bind(2, token);
  st.exec();
}

}  // namespace

std::optional<LeaseHolder> Store::lease(std::int64_t campaign_id) {
  return read_lease(db_, campaign_id);
}

void Store::take_lease(std::int64_t campaign_id, const LeaseHolder& holder,
                       const std::function<void(const std::optional<LeaseHolder>&)>& check) {
  Savepoint sp(db_);
  check(read_lease(db_, campaign_id));
  SQLite::Statement st(db_,
                       "INSERT OR REPLACE INTO leases(campaign_id, owner_pid, owner_host, "
                       "owner_token, acquired_at, heartbeat_at, expires_at) VALUES(?, ?, ?, ?, "
                       "?, ?, ?)");
  st.bind(1, campaign_id);
  st.bind(2, holder.pid);
  st.bind(3, holder.host);
  st.bind(4, holder.token);
  st.bind(5, holder.acquired_at);
  st.bind(6, holder.heartbeat_at);
  st.bind(7, holder.expires_at);
  st.exec();
  sp.commit();
}

void Store::release_lease(std::int64_t campaign_id, const std::string& token) {
  delete_lease(db_, campaign_id, token);
}

LeaseConnection::LeaseConnection(const std::string& path, int busy_timeout_ms)
    : db_(path, SQLite::OPEN_READWRITE, busy_timeout_ms) {}

bool LeaseConnection::renew(std::int64_t campaign_id, const std::string& token,
                            const std::string& heartbeat_at, const std::string& expires_at) {
  SQLite::Statement st(db_,
                       "UPDATE leases SET heartbeat_at = ?, expires_at = ? WHERE "
                       "campaign_id = ? AND owner_token = ?");
  st.bind(1, heartbeat_at);
  st.bind(2, expires_at);
  st.bind(3, campaign_id);
  st.bind(4, token);
  return st.exec() > 0;
}

std::optional<LeaseHolder> LeaseConnection::lease(std::int64_t campaign_id) {
  return read_lease(db_, campaign_id);
}

void LeaseConnection::release(std::int64_t campaign_id, const std::string& token) {
  delete_lease(db_, campaign_id, token);
}

}  // namespace pade::results
