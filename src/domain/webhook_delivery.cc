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

}  // namespace tt
