#include "domain/webhook_delivery.h"

#include <algorithm>

namespace tt {

std::string_view DeliveryStatusName(DeliveryStatus status) {
  switch (status) {
    case DeliveryStatus::kPending:
      return "pending";
    case DeliveryStatus::kSucceeded:
      return "succeeded";
    case DeliveryStatus::kFailed:
      return "failed";
  }
  return "pending";
}

std::optional<DeliveryStatus> ParseDeliveryStatus(std::string_view name) {
  for (DeliveryStatus status :
       {DeliveryStatus::kPending, DeliveryStatus::kSucceeded, DeliveryStatus::kFailed}) {
    if (DeliveryStatusName(status) == name) return status;
  }
  return std::nullopt;
}

std::string WebhookMessageId(int64_t change_id) { return "msg_" + FormatChangeId(change_id); }

std::chrono::milliseconds RetryDelay(int failed_attempts, double fraction) {
  using std::chrono::milliseconds;
  const milliseconds longest = kLongestRetryCap;
  milliseconds cap = kFirstRetryCap;
  // Doubling stops at the longest cap, so no shift overflows whatever the attempt count.
  for (int i = 1; i < failed_attempts && cap < longest; ++i) cap *= 2;
  cap = std::min(cap, longest);
  fraction = std::clamp(fraction, 0.0, 1.0);
  return milliseconds(static_cast<int64_t>(static_cast<double>(cap.count()) * fraction));
}

bool ApplyAttempt(WebhookDelivery& delivery, Timestamp now, const AttemptOutcome& outcome,
                  double fraction) {
  delivery.attempts += 1;
  delivery.last_attempt_at = now;
  delivery.last_response_code = outcome.response_code;
  if (outcome.error.empty()) {
    delivery.last_error.reset();
  } else {
    delivery.last_error = outcome.error;
  }
  const int code = outcome.response_code.value_or(0);
  if (code >= 200 && code < 300) {
    delivery.status = DeliveryStatus::kSucceeded;
    return false;
  }
  if (code == 410) {
    delivery.status = DeliveryStatus::kFailed;
    return true;
  }
  const Timestamp next = now + std::chrono::duration_cast<std::chrono::microseconds>(
                                   RetryDelay(delivery.attempts, fraction));
  if (next > delivery.pending_since + kDeliveryRetryWindow) {
    delivery.status = DeliveryStatus::kFailed;
  } else {
    delivery.status = DeliveryStatus::kPending;
    delivery.next_attempt_at = next;
  }
  return false;
}

}  // namespace tt
