// The webhook dispatcher: turns change records into deliveries and sends them (docs/WEBHOOKS.md).
//
// One per server instance, beside the requests on an io_context of its own, so that slow or dead
// receivers never hold an I/O thread. Everything it shares with other instances goes through the
// Store's leases (storage/store.h, "Webhook deliveries"):
//  - fan-out: the instance holding the fan-out lease reads the change log after the position and
//    creates a delivery for each (change, endpoint subscribed to its type), then moves the
//    position; a crash in between repeats idempotent creations;
//  - delivery: each instance claims due deliveries under a lease (at most `per_endpoint` of one
//    endpoint at once, across instances), makes one attempt each and records its outcome under
//    that lease. A killed instance's claims are taken again once their lease ends: deliveries are
//    at least once, and a receiver deduplicates them by `webhook-id`.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <string>

#include "domain/change.h"
#include "domain/clock.h"
#include "log/logger.h"
#include "security/secret_box.h"
#include "storage/store.h"
#include "webhooks/sender.h"

namespace tt::webhooks {

struct DispatcherOptions {
  // Owner of this instance's leases; unique per process (random).
  std::string instance_id;
  // How often the dispatcher looks for new changes and due deliveries when it has nothing to do.
  std::chrono::milliseconds poll_interval{1000};
  // Attempts under way at once, of all endpoints, in this instance.
  int max_in_flight = 32;
  // Attempts under way at once to one endpoint, across instances.
  int per_endpoint = 4;
  // Change records read at a time by the fan-out.
  int fan_out_batch = 200;
  // The fan-out lease: another instance takes the fan-out over this long after one stops.
  std::chrono::milliseconds fan_out_lease{10000};
  // How often the backlog shown on /metrics is read from the store (so that a scrape costs
  // none: on DynamoDB the read walks the due list).
  std::chrono::milliseconds backlog_interval{10000};
  SenderOptions sender;
};

// The lease on a claimed delivery: twice its attempt's timeout and 15 s for the store calls
// around it (45 s by default), so that a lease does not end while its attempt is under way.
std::chrono::milliseconds DeliveryLease(const SenderOptions& sender);

// The body sent for `change`: {"type", "timestamp" (RFC 3339, UTC), "data"}.
std::string DeliveryBody(const Change& change);

class Dispatcher {
 public:
  // All references must outlive the dispatcher; `random` and `clock` are used from the
  // dispatcher's thread.
  Dispatcher(Store& store, const SecretBox& secret_box, const Clock& clock, RandomSource& random,
             Logger& logger, DispatcherOptions options);
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // Fans out and delivers until cancelled (terminal cancellation); then cancels the attempts
  // under way, waits for them to end and returns, so that nothing is left in a store call. A
  // failed round (an error from the store, or an exception) is logged and the next round tries
  // again.
  // REQUIRES: run on a single-threaded executor (the attempts share the dispatcher's state).
  boost::asio::awaitable<void> Run();

  // The dispatcher's counters, and the store's backlog as last read, in the Prometheus text
  // format. Thread-safe.
  std::string RenderMetrics() const;

 private:
  struct AttemptCounters {
    std::atomic<uint64_t> succeeded{0};
    std::atomic<uint64_t> retrying{0};      // failed, another attempt is due later
    std::atomic<uint64_t> failed{0};        // failed, and the retries ran out
    std::atomic<uint64_t> gone{0};          // 410: failed, and the endpoint disabled
    std::atomic<uint64_t> superseded{0};    // outcome dropped: the lease had been taken again
    std::atomic<uint64_t> fanned_out{0};    // deliveries created
    std::atomic<uint64_t> round_errors{0};  // store errors in fan-out or claims
    // The backlog as last read (backlog_read false until then).
    std::atomic<bool> backlog_read{false};
    std::atomic<int64_t> pending{0};
    std::atomic<int64_t> oldest_pending_since_us{0};  // 0 when none is pending
  };

  // One fan-out round: moves the position over every change the log has now, or stops at the
  // first error (logged). Ends early, doing nothing, while another instance holds the lease.
  boost::asio::awaitable<void> FanOutRound();
  // Claims up to the free attempt slots and starts an attempt for each.
  boost::asio::awaitable<void> ClaimRound();
  // Reads the store's backlog for RenderMetrics.
  boost::asio::awaitable<void> BacklogRound();
  // One attempt at `delivery`, claimed under `lease`, and its outcome recorded.
  boost::asio::awaitable<void> Attempt(WebhookDelivery delivery, Lease lease);

  double JitterFraction();

  Store& store_;
  const SecretBox& secret_box_;
  const Clock& clock_;
  RandomSource& random_;
  Logger& logger_;
  const DispatcherOptions options_;
  AttemptCounters counters_;
  struct InFlight;
  InFlight* in_flight_ = nullptr;  // Run's, while it runs
};

}  // namespace tt::webhooks
