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

WebhookDelivery PendingSince(Timestamp since) {
  WebhookDelivery delivery;
  delivery.endpoint_id = "e";
  delivery.change_id = 7;
  delivery.pending_since = delivery.created_at = delivery.next_attempt_at = since;
  return delivery;
}

const Timestamp kStart = Timestamp(std::chrono::seconds(1'800'000'000));

TEST(ApplyAttempt, ATwoHundredSucceeds) {
  WebhookDelivery delivery = PendingSince(kStart);
  EXPECT_FALSE(ApplyAttempt(delivery, kStart, {204, ""}, 0.5));
  EXPECT_EQ(delivery.status, DeliveryStatus::kSucceeded);
  EXPECT_EQ(delivery.attempts, 1);
  EXPECT_EQ(delivery.last_response_code, 204);
  EXPECT_EQ(delivery.last_error, std::nullopt);
  EXPECT_EQ(delivery.last_attempt_at, kStart);
}

TEST(ApplyAttempt, AFailureIsRetriedAfterTheJitteredDelay) {
  WebhookDelivery delivery = PendingSince(kStart);
  const Timestamp first = kStart + std::chrono::seconds(1);
  EXPECT_FALSE(ApplyAttempt(delivery, first, {500, ""}, 0.5));
  EXPECT_EQ(delivery.status, DeliveryStatus::kPending);
  EXPECT_EQ(delivery.next_attempt_at, first + RetryDelay(1, 0.5));
  const Timestamp second = delivery.next_attempt_at;
  EXPECT_FALSE(ApplyAttempt(delivery, second, {std::nullopt, "timed out"}, 1.0));
  EXPECT_EQ(delivery.attempts, 2);
  EXPECT_EQ(delivery.last_response_code, std::nullopt) << "no answer this time";
  EXPECT_EQ(delivery.last_error, "timed out");
  EXPECT_EQ(delivery.next_attempt_at, second + RetryDelay(2, 1.0));
}

TEST(ApplyAttempt, ARedirectOrAClientErrorIsAFailureLikeAnyOther) {
  for (int code : {301, 307, 400, 404, 429}) {
    WebhookDelivery delivery = PendingSince(kStart);
    EXPECT_FALSE(ApplyAttempt(delivery, kStart, {code, ""}, 0.5)) << code;
    EXPECT_EQ(delivery.status, DeliveryStatus::kPending) << code;
  }
}

TEST(ApplyAttempt, GoneFailsTheDeliveryAndAsksToDisableTheEndpoint) {
  WebhookDelivery delivery = PendingSince(kStart);
  EXPECT_TRUE(ApplyAttempt(delivery, kStart, {410, ""}, 0.5));
  EXPECT_EQ(delivery.status, DeliveryStatus::kFailed);
  EXPECT_EQ(delivery.last_response_code, 410);
}

TEST(ApplyAttempt, FailsWhenTheNextAttemptWouldFallAfterTheWindow) {
  WebhookDelivery delivery = PendingSince(kStart);
  delivery.attempts = 30;
  const Timestamp late = kStart + kDeliveryRetryWindow - std::chrono::minutes(1);
  // A zero draw stays inside the window: one more attempt.
  EXPECT_FALSE(ApplyAttempt(delivery, late, {503, ""}, 0.0));
  EXPECT_EQ(delivery.status, DeliveryStatus::kPending);
  // A full draw (6 h) would not.
  EXPECT_FALSE(ApplyAttempt(delivery, late, {503, ""}, 0.99));
  EXPECT_EQ(delivery.status, DeliveryStatus::kFailed);
  EXPECT_EQ(delivery.attempts, 32);
}

TEST(ApplyAttempt, TheWindowCountsFromTheLastRedelivery) {
  WebhookDelivery delivery = PendingSince(kStart);
  delivery.pending_since = kStart + std::chrono::hours(100);  // redelivered later
  delivery.attempts = 30;
  EXPECT_FALSE(ApplyAttempt(delivery, kStart + std::chrono::hours(101), {503, ""}, 0.99));
  EXPECT_EQ(delivery.status, DeliveryStatus::kPending);
}

}  // namespace
}  // namespace tt
