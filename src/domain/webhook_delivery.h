// Webhook deliveries: one per (endpoint, change) the endpoint asked for, sent until it succeeds
// or its retries run out (docs/WEBHOOKS.md), and the leases that keep two server instances from
// sending one at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "domain/change.h"
#include "domain/time.h"

namespace tt {

enum class DeliveryStatus { kPending, kSucceeded, kFailed };

// "pending", "succeeded", "failed", as the API shows them; and back.
std::string_view DeliveryStatusName(DeliveryStatus status);
std::optional<DeliveryStatus> ParseDeliveryStatus(std::string_view name);

struct WebhookDelivery {
  std::string endpoint_id;
  // The change delivered, which is also the delivery's id within its endpoint (one delivery per
  // endpoint and change) and, as msg_<id>, its stable `webhook-id`.
  int64_t change_id = 0;
  ChangeType type = ChangeType::kCompetitionCreated;
  // The JSON body sent, `{"type", "timestamp", "data"}`, made once from the change record so
  // that retries outlive the log's retention and send the same bytes.
  std::string body;
  DeliveryStatus status = DeliveryStatus::kPending;
  int attempts = 0;
  std::optional<int> last_response_code;
  std::optional<std::string> last_error;
  std::optional<Timestamp> last_attempt_at;
  // When the next attempt is due (pending deliveries only).
  Timestamp next_attempt_at;
  // Creation, or the last redelivery: the retry window (kDeliveryRetryWindow) counts from it.
  Timestamp pending_since;
  Timestamp created_at;
};

// The `webhook-id` header of a delivery of change `change_id`: "msg_<id>", the same for every
// attempt and redelivery, so that receivers can deduplicate.
std::string WebhookMessageId(int64_t change_id);

// Deliveries of one endpoint, newest change first.
struct WebhookDeliveryQuery {
  std::string endpoint_id;
  std::optional<int64_t> before;  // change ids below this one
  int limit = 50;
};

// The deliveries still pending, for /metrics.
struct DeliveryBacklog {
  int64_t pending = 0;
  // The pending_since of the one pending longest; nullopt when none is.
  std::optional<Timestamp> oldest_pending_since;
};

// A lease: `owner` (a server instance's random id) may act until `until`; after that anyone may
// take it over.
struct Lease {
  std::string owner;
  Timestamp until;
};

// What ClaimDueDeliveries takes: pending deliveries due at `now` whose lease is free, at most
// `limit` in all and `per_endpoint` of any one endpoint, leased to `lease.owner`.
struct DeliveryClaim {
  Lease lease;
  Timestamp now;
  int limit = 32;
  int per_endpoint = 4;
};

// Retries: exponential backoff with full jitter (a uniform draw below an exponentially growing
// cap), for kDeliveryRetryWindow from the delivery's pending_since; an attempt that would fall
// after it is not made and the delivery fails.
inline constexpr std::chrono::seconds kFirstRetryCap{5};
inline constexpr std::chrono::hours kLongestRetryCap{6};
inline constexpr std::chrono::hours kDeliveryRetryWindow{72};

// The wait after the `failed_attempts`-th failed attempt (1 or more): `fraction` (a draw in
// [0, 1)) of min(kLongestRetryCap, kFirstRetryCap * 2^(failed_attempts - 1)).
std::chrono::milliseconds RetryDelay(int failed_attempts, double fraction);

// What one attempt came to, as the sender saw it.
struct AttemptOutcome {
  std::optional<int> response_code;  // set when an answer's head was read
  std::string error;                 // why there was no answer (or a note about the answer)
};

// Applies the attempt made at `now` to `delivery` (attempts, last_*), and its consequence:
//  - a 2xx: succeeded;
//  - a 410 Gone: failed, and the answer is true: the receiver asked for its endpoint to be
//    disabled, which the caller does in the same write;
//  - anything else: pending again, due RetryDelay(attempts, fraction) later, unless that falls
//    after pending_since + kDeliveryRetryWindow: then failed.
// `fraction` is a uniform draw in [0, 1) (the jitter).
bool ApplyAttempt(WebhookDelivery& delivery, Timestamp now, const AttemptOutcome& outcome,
                  double fraction);

}  // namespace tt
