#include "domain/webhook_delivery.h"

#include <gtest/gtest.h>

namespace tt {
namespace {

using std::chrono::milliseconds;

TEST(RetryDelay, IsTheDrawnFractionOfACapThatDoublesUpToSixHours) {
  EXPECT_EQ(RetryDelay(1, 1.0), milliseconds(5'000));
  EXPECT_EQ(RetryDelay(2, 1.0), milliseconds(10'000));
  EXPECT_EQ(RetryDelay(3, 0.5), milliseconds(10'000));
  EXPECT_EQ(RetryDelay(1, 0.0), milliseconds(0)) << "full jitter reaches down to zero";
  // 5 s * 2^12 = 5.7 h; 2^13 would pass 6 h.
  EXPECT_EQ(RetryDelay(13, 1.0), milliseconds(5'000LL << 12));
  EXPECT_EQ(RetryDelay(14, 1.0), milliseconds(6 * 3600 * 1000));
  EXPECT_EQ(RetryDelay(1'000'000, 1.0), milliseconds(6 * 3600 * 1000)) << "no overflow";
  EXPECT_EQ(RetryDelay(1, 7.0), milliseconds(5'000)) << "a draw out of range is clamped";
}

TEST(RetryDelay, ExpectedWaitsSpreadAboutThreeDaysOverTheWindow) {
  // With the mean draw (0.5), the attempts that fit in the 72 h window: enough to ride out an
  // outage of a day or more, not so many that a dead endpoint is hammered.
  milliseconds elapsed{0};
  int attempts = 0;
  while (elapsed < kDeliveryRetryWindow) {
    ++attempts;
    elapsed += RetryDelay(attempts, 0.5);
  }
  EXPECT_GE(attempts, 20);
  EXPECT_LE(attempts, 40);
}

TEST(DeliveryStatus, NamesRoundTrip) {
  for (DeliveryStatus status :
       {DeliveryStatus::kPending, DeliveryStatus::kSucceeded, DeliveryStatus::kFailed}) {
    EXPECT_EQ(ParseDeliveryStatus(DeliveryStatusName(status)), status);
  }
  EXPECT_EQ(ParseDeliveryStatus("done"), std::nullopt);
}

}  // namespace
}  // namespace tt
