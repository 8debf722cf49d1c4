#pragma once
// Campaign leases: which process is running a campaign of a database, so a second `pade run` of
// the same campaign is refused instead of duplicating the work.
//
// A lease is a row of `leases` (schema v4): campaign, owner pid and host, a token unique to the
// acquisition, when it was taken, its last heartbeat and when it expires. The runner takes it
// in the transaction that marks the campaign running; a background thread renews it through its
// own connection (every `renew_every`, valid for `valid_for` after each renewal — far longer
// than the gap between renewals, so a slow batch never loses it); it is released when the run
// ends, normally or by an error or Ctrl-C. A lease left behind by a killed process is taken over
// by the next run when it has expired, or at once when its owner was on this host and its pid no
// longer exists (kill(pid, 0) fails with ESRCH) — so `--resume` right after SIGKILL works.
// Hosts compare expiry times by their clocks: keep them synchronized (NTP) when runs on several
// hosts share a database file.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "results/store.hpp"

namespace pade::results {

// LeaseHolder (who holds a lease) is the store's record type (results/store.hpp).

struct LeaseTiming {
  std::chrono::milliseconds renew_every{10'000};
  std::chrono::seconds valid_for{120};
};

/// This machine's host name.
[[nodiscard]] std::string host_name();

/// The lease row of a campaign, if any.
[[nodiscard]] std::optional<LeaseHolder> read_lease(Store& store, std::int64_t campaign_id);
/// The holder certainly no longer runs: it was on this host and its pid does not exist.
[[nodiscard]] bool holder_is_gone(const LeaseHolder& holder);
/// Not expired at `now` (utc_iso8601) and its holder not known to be gone.
[[nodiscard]] bool lease_is_live(const LeaseHolder& holder, const std::string& now);
/// "pid P on host H (lease renewed at T, valid until U)".
[[nodiscard]] std::string describe_holder(const LeaseHolder& holder);

/// The lease of one campaign, held by this process while the object lives.
class CampaignLease {
 public:
  /// Takes the lease (inside the caller's transaction when one is open) and starts renewing it.
  /// `store` must outlive the lease.
  /// RunError naming the holder and the database when a live run holds it. `log` gets a note
  /// when the lease of a dead or expired run is taken over.
  CampaignLease(Store& store, std::int64_t campaign_id, const std::string& campaign_name,
                const LeaseTiming& timing = {},
                const std::function<void(const std::string&)>& log = {});
  ~CampaignLease();
  CampaignLease(const CampaignLease&) = delete;
  CampaignLease& operator=(const CampaignLease&) = delete;

  /// Stops renewing and deletes the row (best effort; idempotent).
  void release() noexcept;
  /// Another run took the lease over (this one was not renewed in time): stop writing.
  [[nodiscard]] bool lost() const noexcept;
  /// Who took it over, once lost().
  [[nodiscard]] std::optional<LeaseHolder> taken_by() const;
  [[nodiscard]] const LeaseHolder& holder() const noexcept { return holder_; }

 private:
  struct Heartbeat;  // the renewing thread and its own connection
  Store* store_;
  LeaseHolder holder_;
  std::int64_t campaign_id_ = 0;
  bool released_ = false;
  std::unique_ptr<Heartbeat> heartbeat_;
};

}  // namespace pade::results
