#include "results/lease.hpp"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <ctime>
#include <mutex>
#include <random>
#include <stop_token>
#include <thread>

#include "core/error.hpp"
#include "core/hash.hpp"

namespace pade::results {

std::string host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "unknown-host";
  return buf;
}

namespace {

std::string new_token() {
  std::random_device rd;
  const std::uint64_t r = (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
  const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
  return core::hex64(r ^ core::fnv1a64(std::to_string(::getpid()) + "/" + std::to_string(now)));
}

}  // namespace

std::optional<LeaseHolder> read_lease(Store& store, std::int64_t campaign_id) {
  return store.lease(campaign_id);
}

bool holder_is_gone(const LeaseHolder& holder) {
  if (holder.host != host_name() || holder.pid <= 0) return false;
  return ::kill(static_cast<pid_t>(holder.pid), 0) != 0 && errno == ESRCH;
}

bool lease_is_live(const LeaseHolder& holder, const std::string& now) {
  return now < holder.expires_at && !holder_is_gone(holder);
}

std::string describe_holder(const LeaseHolder& holder) {
  return "pid " + std::to_string(holder.pid) + " on host " + holder.host + " (lease renewed at " +
         holder.heartbeat_at + ", valid until " + holder.expires_at + ")";
}

/// Renews the lease every `renew_every` through a connection of its own (the runner's connection
/// is not for concurrent use), until stopped.
struct CampaignLease::Heartbeat {
  LeaseConnection db;
  LeaseTiming timing;
  std::atomic<bool> lost{false};
  mutable std::mutex mutex;  // guards taken_by and db after the thread ended
  std::optional<LeaseHolder> taken_by;
  std::condition_variable_any wake;
  std::jthread thread;

  Heartbeat(const std::string& path, const LeaseTiming& t) : db(path, 2000), timing(t) {}

  void start(std::int64_t campaign_id, const std::string& token) {
    thread = std::jthread([this, campaign_id, token](std::stop_token stop) {
      std::mutex m;
      std::unique_lock lock(m);
      while (!wake.wait_for(lock, stop, timing.renew_every, [] { return false; })) {
        if (stop.stop_requested()) return;
        renew(campaign_id, token);
        if (lost) return;
      }
    });
  }

  void renew(std::int64_t campaign_id, const std::string& token) noexcept {
    try {
      const auto now = std::chrono::system_clock::now();
      if (db.renew(campaign_id, token, utc_iso8601(now), utc_iso8601(now + timing.valid_for)))
        return;
      // Not renewed: lost only when another run holds it now (a missing row may just not be
      // committed yet).
      if (auto other = db.lease(campaign_id); other && other->token != token) {
        const std::lock_guard guard(mutex);
        taken_by = std::move(other);
        lost = true;
      }
    } catch (const std::exception&) {
      // A busy or failing database: try again at the next beat; the lease stays valid for
      // `valid_for`, far longer than a beat.
    }
  }
};

CampaignLease::CampaignLease(Store& store, std::int64_t campaign_id,
                             const std::string& campaign_name, const LeaseTiming& timing,
                             const std::function<void(const std::string&)>& log)
    : store_(&store), campaign_id_(campaign_id) {
  const auto now = std::chrono::system_clock::now();
  holder_.pid = static_cast<std::int64_t>(::getpid());
  holder_.host = host_name();
  holder_.token = new_token();
  holder_.acquired_at = utc_iso8601(now);
  holder_.heartbeat_at = holder_.acquired_at;
  holder_.expires_at = utc_iso8601(now + timing.valid_for);
  store.take_lease(campaign_id, holder_, [&](const std::optional<LeaseHolder>& other) {
    if (!other) return;
    if (lease_is_live(*other, holder_.acquired_at))
      throw core::RunError("campaign '" + campaign_name + "' in " + store.path() +
                           " is already being run by " + describe_holder(*other) +
                           "; wait for that run to finish or stop it (Ctrl-C), or use another "
                           "--db. A run killed on another host frees its lease when it expires");
    if (log)
      log("note: taking over the lease of campaign '" + campaign_name + "' from " +
          describe_holder(*other) +
          (holder_is_gone(*other) ? ": that process no longer exists" : ": it expired"));
  });
  try {
    heartbeat_ = std::make_unique<Heartbeat>(store.path(), timing);
    heartbeat_->start(campaign_id, holder_.token);
  } catch (const std::exception& e) {
    heartbeat_.reset();
    if (log)
      log(std::string("note: the lease of campaign '") + campaign_name + "' cannot be renewed (" +
          e.what() + "); another run may take it over after " + holder_.expires_at);
  }
}

CampaignLease::~CampaignLease() {
  release();
}

void CampaignLease::release() noexcept {
  if (released_) return;
  released_ = true;
  bool lost = false;
  if (heartbeat_) {
    heartbeat_->thread.request_stop();
    if (heartbeat_->thread.joinable()) heartbeat_->thread.join();
    lost = heartbeat_->lost;
  }
  if (lost) return;  // the row is another run's now
  try {
    if (heartbeat_)
      heartbeat_->db.release(campaign_id_, holder_.token);
    else
      store_->release_lease(campaign_id_, holder_.token);
  } catch (const std::exception&) {
    // Best effort: a lease left behind expires, and this host's next run sees the pid gone.
  }
}

bool CampaignLease::lost() const noexcept {
  return heartbeat_ && heartbeat_->lost;
}

std::optional<LeaseHolder> CampaignLease::taken_by() const {
  if (!heartbeat_) return std::nullopt;
  const std::lock_guard guard(heartbeat_->mutex);
  return heartbeat_->taken_by;
}

}  // namespace pade::results
