// Webhook deliveries and the fan-out position in the Store contract (storage/store.h), typed over
// every backend like store_test.cc.
#include <algorithm>

#include "storage/store_test_fixture.h"

namespace tt {
namespace {

template <typename Factory>
class DeliveryStoreTest : public StoreTest<Factory> {
 protected:
  std::string AddEndpoint(int n) {
    WebhookEndpoint endpoint;
    endpoint.id = this->NewId();
    endpoint.url = "https://hooks.example.com/" + std::to_string(n);
    endpoint.types = {"*"};
    endpoint.created_at = At(0);
    endpoint.updated_at = At(0);
    EXPECT_OK(RunSync(this->store().CreateWebhookEndpoint(
        endpoint, WebhookSecrets{"sb1:secret", std::nullopt, std::nullopt})));
    return endpoint.id;
  }

  void SetDisabled(const std::string& id, bool disabled) {
    auto found = RunSync(this->store().GetWebhookEndpoint(id));
    ASSERT_OK(found);
    WebhookEndpoint endpoint = found->first;
    endpoint.disabled = disabled;
    endpoint.version += 1;
    ASSERT_OK(RunSync(this->store().UpdateWebhookEndpoint(endpoint, found->first.version, {})));
  }

  static WebhookDelivery Delivery(const std::string& endpoint_id, int64_t change_id,
                                  Timestamp due) {
    WebhookDelivery delivery;
    delivery.endpoint_id = endpoint_id;
    delivery.change_id = change_id;
    delivery.type = ChangeType::kEventCreated;
    delivery.body = R"({"type":"event.created","timestamp":"t","data":{"n":)" +
                    std::to_string(change_id) + "}}";
    delivery.next_attempt_at = due;
    delivery.pending_since = due;
    delivery.created_at = due;
    return delivery;
  }

  // Fans out `deliveries` as changes (from, to], under a lease of its own.
  Status FanOutAll(int64_t from, int64_t to, const std::vector<WebhookDelivery>& deliveries) {
    const Lease lease{"fan-out-test", At(1000)};
    Result<int64_t> position = RunSync(this->store().LeaseFanOut(lease, At(0)));
    if (!position.ok()) return std::move(position).error();
    EXPECT_EQ(*position, from);
    return RunSync(this->store().FanOut(lease, from, to, deliveries));
  }

  static std::vector<int64_t> ChangeIds(const std::vector<WebhookDelivery>& deliveries) {
    std::vector<int64_t> ids;
    for (const WebhookDelivery& delivery : deliveries) ids.push_back(delivery.change_id);
    return ids;
  }
};

TYPED_TEST_SUITE(DeliveryStoreTest, ::tt::testing::StoreBackends, BackendName);

TYPED_TEST(DeliveryStoreTest, TheFanOutLeaseIsOneOwnersUntilItExpires) {
  Store& store = this->store();
  EXPECT_EQ(*RunSync(store.LeaseFanOut({"a", At(60)}, At(0))), 0) << "the log's start";
  EXPECT_EQ(CodeOf(RunSync(store.LeaseFanOut({"b", At(90)}, At(30)))), "conflict");
  // Its owner renews it.
  EXPECT_OK(RunSync(store.LeaseFanOut({"a", At(120)}, At(30))));
  EXPECT_EQ(CodeOf(RunSync(store.LeaseFanOut({"b", At(150)}, At(100)))), "conflict");
  // Expired, another takes it.
  EXPECT_OK(RunSync(store.LeaseFanOut({"b", At(200)}, At(120))));
  // The old owner may no longer move the position.
  EXPECT_EQ(CodeOf(RunSync(store.FanOut({"a", At(120)}, 0, 5, {}))), "conflict");
  EXPECT_OK(RunSync(store.FanOut({"b", At(200)}, 0, 5, {})));
  EXPECT_EQ(*RunSync(store.LeaseFanOut({"b", At(300)}, At(150))), 5);
  EXPECT_EQ(CodeOf(RunSync(store.FanOut({"b", At(300)}, 0, 9, {}))), "conflict")
      << "the position is no longer 0";
}

TYPED_TEST(DeliveryStoreTest, FanOutCreatesEachDeliveryOnceAndKeepsWhatExists) {
  const std::string endpoint = this->AddEndpoint(1);
  ASSERT_OK(this->FanOutAll(
      0, 2, {this->Delivery(endpoint, 1, At(10)), this->Delivery(endpoint, 2, At(10))}));
  WebhookDelivery attempted = *RunSync(this->store().GetWebhookDelivery(endpoint, 1));
  EXPECT_EQ(attempted.status, DeliveryStatus::kPending);
  EXPECT_EQ(attempted.attempts, 0);
  EXPECT_EQ(attempted.type, ChangeType::kEventCreated);
  EXPECT_EQ(attempted.body, this->Delivery(endpoint, 1, At(10)).body);

  // A repeat of the same changes (a fan-out that crashed before moving the position) leaves
  // the deliveries as they are.
  auto claimed = RunSync(this->store().ClaimDueDeliveries({{"x", At(100)}, At(10), 10, 10}));
  ASSERT_OK(claimed);
  attempted.status = DeliveryStatus::kSucceeded;
  attempted.attempts = 1;
  attempted.last_response_code = 204;
  attempted.last_attempt_at = At(11);
  ASSERT_OK(RunSync(this->store().RecordDeliveryAttempt(attempted, {"x", At(100)}, false)));
  ASSERT_OK(this->FanOutAll(2, 2, {this->Delivery(endpoint, 1, At(50))}));
  const WebhookDelivery kept = *RunSync(this->store().GetWebhookDelivery(endpoint, 1));
  EXPECT_EQ(kept.status, DeliveryStatus::kSucceeded);
  EXPECT_EQ(kept.last_response_code, 204);
  EXPECT_EQ(kept.last_attempt_at, At(11));

  // A delivery for an endpoint deleted meanwhile is not created.
  ASSERT_OK(RunSync(this->store().DeleteWebhookEndpoint(endpoint, std::nullopt)));
  ASSERT_OK(this->FanOutAll(2, 3, {this->Delivery(endpoint, 3, At(50))}));
  EXPECT_EQ(CodeOf(RunSync(this->store().GetWebhookDelivery(endpoint, 3))), "not_found");
  EXPECT_EQ(CodeOf(RunSync(this->store().GetWebhookDelivery(endpoint, 1))), "not_found")
      << "deleting an endpoint deletes its deliveries";
}

TYPED_TEST(DeliveryStoreTest, ClaimsTakeDueUnleasedDeliveriesWithinTheLimits) {
  Store& store = this->store();
  const std::string busy = this->AddEndpoint(1);
  const std::string quiet = this->AddEndpoint(2);
  ASSERT_OK(this->FanOutAll(0, 6,
                            {this->Delivery(busy, 1, At(10)), this->Delivery(busy, 2, At(11)),
                             this->Delivery(busy, 3, At(12)), this->Delivery(quiet, 4, At(13)),
                             this->Delivery(quiet, 5, At(500)), this->Delivery(busy, 6, At(14))}));

  // Due at 20: 1, 2, 3, 6 of `busy` (two at most) and 4 of `quiet`; 5 is not due.
  auto first = RunSync(store.ClaimDueDeliveries({{"a", At(80)}, At(20), 10, 2}));
  ASSERT_OK(first);
  EXPECT_EQ(this->ChangeIds(*first), (std::vector<int64_t>{1, 2, 4}));
  // Leased ones are not claimed again while their lease runs, and count toward their
  // endpoint's limit: `busy` has two in flight already.
  auto second = RunSync(store.ClaimDueDeliveries({{"b", At(90)}, At(30), 10, 2}));
  ASSERT_OK(second);
  EXPECT_TRUE(second->empty());
  auto wider = RunSync(store.ClaimDueDeliveries({{"b", At(90)}, At(30), 10, 4}));
  ASSERT_OK(wider);
  EXPECT_EQ(this->ChangeIds(*wider), (std::vector<int64_t>{3, 6}));
  auto nothing = RunSync(store.ClaimDueDeliveries({{"c", At(90)}, At(40), 10, 10}));
  ASSERT_OK(nothing);
  EXPECT_TRUE(nothing->empty());
  // After "a"'s lease expired (a killed instance), another takes its deliveries; "a" can no
  // longer record an outcome for them.
  auto taken_over = RunSync(store.ClaimDueDeliveries({{"c", At(200)}, At(81), 1, 10}));
  ASSERT_OK(taken_over);
  EXPECT_EQ(this->ChangeIds(*taken_over), (std::vector<int64_t>{1}));
  WebhookDelivery late = (*first)[0];
  late.status = DeliveryStatus::kSucceeded;
  late.attempts = 1;
  EXPECT_EQ(CodeOf(RunSync(store.RecordDeliveryAttempt(late, {"a", At(80)}, false))), "conflict");
  // Nor can an owner with an older claim of its own: the lease is the owner and its expiry.
  auto reclaimed = RunSync(store.ClaimDueDeliveries({{"c", At(300)}, At(201), 1, 10}));
  ASSERT_OK(reclaimed);
  EXPECT_EQ(this->ChangeIds(*reclaimed), (std::vector<int64_t>{1}));
  EXPECT_EQ(CodeOf(RunSync(store.RecordDeliveryAttempt(late, {"c", At(200)}, false))), "conflict");
  EXPECT_OK(RunSync(store.RecordDeliveryAttempt(late, {"c", At(300)}, false)));

  // A disabled endpoint's deliveries are not claimed.
  auto endpoint = RunSync(store.GetWebhookEndpoint(quiet));
  ASSERT_OK(endpoint);
  endpoint->first.disabled = true;
  endpoint->first.version = 2;
  ASSERT_OK(RunSync(store.UpdateWebhookEndpoint(endpoint->first, 1, std::nullopt)));
  auto none_of_quiet = RunSync(store.ClaimDueDeliveries({{"d", At(2000)}, At(1000), 10, 10}));
  ASSERT_OK(none_of_quiet);
  for (const WebhookDelivery& delivery : *none_of_quiet) EXPECT_EQ(delivery.endpoint_id, busy);
}

TYPED_TEST(DeliveryStoreTest, AnAttemptsOutcomeIsRecordedAndA410DisablesTheEndpoint) {
  Store& store = this->store();
  const std::string endpoint = this->AddEndpoint(1);
  ASSERT_OK(this->FanOutAll(0, 1, {this->Delivery(endpoint, 1, At(10))}));
  auto claimed = RunSync(store.ClaimDueDeliveries({{"a", At(80)}, At(20), 10, 2}));
  ASSERT_OK(claimed);
  ASSERT_EQ(claimed->size(), 1U);
  WebhookDelivery retry = (*claimed)[0];
  retry.attempts = 1;
  retry.last_response_code = 503;
  retry.last_error = "answered 503";
  retry.last_attempt_at = At(21);
  retry.next_attempt_at = At(26);
  ASSERT_OK(RunSync(store.RecordDeliveryAttempt(retry, {"a", At(80)}, false)));
  const WebhookDelivery pending = *RunSync(store.GetWebhookDelivery(endpoint, 1));
  EXPECT_EQ(pending.status, DeliveryStatus::kPending);
  EXPECT_EQ(pending.attempts, 1);
  EXPECT_EQ(pending.last_response_code, 503);
  EXPECT_EQ(pending.last_error, "answered 503");
  EXPECT_EQ(pending.next_attempt_at, At(26));
  auto too_early = RunSync(store.ClaimDueDeliveries({{"b", At(80)}, At(25), 10, 2}));
  ASSERT_OK(too_early);
  EXPECT_TRUE(too_early->empty()) << "the lease was freed but the retry is not due yet";

  auto again = RunSync(store.ClaimDueDeliveries({{"b", At(90)}, At(26), 10, 2}));
  ASSERT_OK(again);
  ASSERT_EQ(again->size(), 1U);
  WebhookDelivery gone = (*again)[0];
  gone.status = DeliveryStatus::kFailed;
  gone.attempts = 2;
  gone.last_response_code = 410;
  gone.last_attempt_at = At(27);
  ASSERT_OK(RunSync(store.RecordDeliveryAttempt(gone, {"b", At(90)}, true)));
  auto disabled = RunSync(store.GetWebhookEndpoint(endpoint));
  ASSERT_OK(disabled);
  EXPECT_TRUE(disabled->first.disabled);
  EXPECT_EQ(disabled->first.version, 2);
  EXPECT_EQ(disabled->first.updated_at, At(27));
  EXPECT_EQ(RunSync(store.GetWebhookDelivery(endpoint, 1))->status, DeliveryStatus::kFailed);
  EXPECT_EQ(CodeOf(RunSync(store.RecordDeliveryAttempt(this->Delivery(endpoint, 9, At(0)),
                                                       {"b", At(90)}, false))),
            "not_found");
}

TYPED_TEST(DeliveryStoreTest, RedeliveryMakesAFailedDeliveryPendingAgain) {
  Store& store = this->store();
  const std::string endpoint = this->AddEndpoint(1);
  ASSERT_OK(this->FanOutAll(0, 1, {this->Delivery(endpoint, 1, At(10))}));
  WebhookDelivery failed = (*RunSync(store.ClaimDueDeliveries({{"a", At(80)}, At(20), 10, 2})))[0];
  failed.status = DeliveryStatus::kFailed;
  failed.attempts = 30;
  ASSERT_OK(RunSync(store.RecordDeliveryAttempt(failed, {"a", At(80)}, false)));

  ASSERT_OK(RunSync(store.RedeliverWebhookDelivery(endpoint, 1, At(5000))));
  const WebhookDelivery pending = *RunSync(store.GetWebhookDelivery(endpoint, 1));
  EXPECT_EQ(pending.status, DeliveryStatus::kPending);
  EXPECT_EQ(pending.attempts, 0);
  EXPECT_EQ(pending.next_attempt_at, At(5000));
  EXPECT_EQ(pending.pending_since, At(5000)) << "the retry window starts again";
  EXPECT_EQ(pending.created_at, At(10));
  EXPECT_EQ(CodeOf(RunSync(store.RedeliverWebhookDelivery(endpoint, 2, At(5000)))), "not_found");
}

TYPED_TEST(DeliveryStoreTest, DeliveriesListNewestFirstInPages) {
  const std::string endpoint = this->AddEndpoint(1);
  const std::string other = this->AddEndpoint(2);
  std::vector<WebhookDelivery> deliveries;
  for (int64_t id = 1; id <= 5; ++id) deliveries.push_back(this->Delivery(endpoint, id, At(id)));
  deliveries.push_back(this->Delivery(other, 6, At(6)));
  ASSERT_OK(this->FanOutAll(0, 6, deliveries));

  auto first = RunSync(this->store().ListWebhookDeliveries({endpoint, std::nullopt, 3}));
  ASSERT_OK(first);
  EXPECT_EQ(this->ChangeIds(first->items), (std::vector<int64_t>{5, 4, 3}));
  EXPECT_TRUE(first->has_more);
  auto second = RunSync(this->store().ListWebhookDeliveries({endpoint, 3, 3}));
  ASSERT_OK(second);
  EXPECT_EQ(this->ChangeIds(second->items), (std::vector<int64_t>{2, 1}));
  EXPECT_FALSE(second->has_more);
}

TYPED_TEST(DeliveryStoreTest, ABacklogAtOneEndpointDoesNotHoldBackAnother) {
  const std::string busy = this->AddEndpoint(1);
  const std::string quiet = this->AddEndpoint(2);
  std::vector<WebhookDelivery> deliveries;
  for (int64_t id = 1; id <= 60; ++id) deliveries.push_back(this->Delivery(busy, id, At(id)));
  deliveries.push_back(this->Delivery(quiet, 61, At(100)));
  ASSERT_OK(this->FanOutAll(0, 61, deliveries));
  auto first = RunSync(this->store().ClaimDueDeliveries({{"a", At(500)}, At(200), 10, 4}));
  ASSERT_OK(first);
  EXPECT_EQ(this->ChangeIds(*first), (std::vector<int64_t>{1, 2, 3, 4, 61}))
      << "four of the busy endpoint's (its limit), then the quiet one's";
  auto second = RunSync(this->store().ClaimDueDeliveries({{"b", At(500)}, At(201), 10, 4}));
  ASSERT_OK(second);
  EXPECT_TRUE(second->empty()) << "both endpoints are at their limit while the leases run";
}

// More pending deliveries than a claim on DynamoDB once read of its one due list (1,000), all of
// an endpoint that a 410 disabled, and all due before another endpoint's.
TYPED_TEST(DeliveryStoreTest, ADisabledEndpointsBacklogDoesNotHoldBackAnother) {
  const std::string stuck = this->AddEndpoint(1);
  const std::string quiet = this->AddEndpoint(2);
  constexpr int64_t kStuck = 1100;
  std::vector<WebhookDelivery> deliveries;
  for (int64_t id = 1; id <= kStuck; ++id) deliveries.push_back(this->Delivery(stuck, id, At(1)));
  deliveries.push_back(this->Delivery(quiet, kStuck + 1, At(60)));
  ASSERT_OK(this->FanOutAll(0, kStuck + 1, deliveries));
  this->SetDisabled(stuck, true);
  auto first = RunSync(this->store().ClaimDueDeliveries({{"a", At(500)}, At(100), 10, 4}));
  ASSERT_OK(first);
  EXPECT_EQ(this->ChangeIds(*first), (std::vector<int64_t>{kStuck + 1}));

  // Enabled again, its backlog goes out at its limit, and a later delivery of the other endpoint
  // is not held back behind the rest of it.
  this->SetDisabled(stuck, false);
  ASSERT_OK(this->FanOutAll(kStuck + 1, kStuck + 2, {this->Delivery(quiet, kStuck + 2, At(70))}));
  auto second = RunSync(this->store().ClaimDueDeliveries({{"b", At(500)}, At(101), 10, 4}));
  ASSERT_OK(second);
  EXPECT_EQ(this->ChangeIds(*second), (std::vector<int64_t>{1, 2, 3, 4, kStuck + 2}));
}

TYPED_TEST(DeliveryStoreTest, TheBacklogCountsPendingDeliveriesAndKnowsTheOldest) {
  Store& store = this->store();
  auto empty = RunSync(store.GetDeliveryBacklog());
  ASSERT_OK(empty);
  EXPECT_EQ(empty->pending, 0);
  EXPECT_EQ(empty->oldest_pending_since, std::nullopt);

  const std::string endpoint = this->AddEndpoint(1);
  ASSERT_OK(this->FanOutAll(0, 3,
                            {this->Delivery(endpoint, 1, At(1)), this->Delivery(endpoint, 2, At(2)),
                             this->Delivery(endpoint, 3, At(3))}));
  auto claimed = RunSync(store.ClaimDueDeliveries({{"a", At(80)}, At(1), 1, 1}));
  ASSERT_OK(claimed);
  ASSERT_EQ(claimed->size(), 1U);
  WebhookDelivery done = (*claimed)[0];
  done.status = DeliveryStatus::kSucceeded;
  done.attempts = 1;
  ASSERT_OK(RunSync(store.RecordDeliveryAttempt(done, {"a", At(80)}, false)));

  auto backlog = RunSync(store.GetDeliveryBacklog());
  ASSERT_OK(backlog);
  EXPECT_EQ(backlog->pending, 2);
  EXPECT_EQ(backlog->oldest_pending_since, At(2));
}

TYPED_TEST(DeliveryStoreTest, RetentionForgetsFinishedDeliveriesButNeverPendingOnes) {
  Store& store = this->store();
  const std::string endpoint = this->AddEndpoint(1);
  ASSERT_OK(
      this->FanOutAll(0, 4,
                      {this->Delivery(endpoint, 1, At(1)), this->Delivery(endpoint, 2, At(2)),
                       this->Delivery(endpoint, 3, At(3)), this->Delivery(endpoint, 4, At(4))}));
  const Lease lease{"a", At(900)};
  auto claimed = RunSync(store.ClaimDueDeliveries({lease, At(10), 10, 10}));
  ASSERT_OK(claimed);
  ASSERT_EQ(claimed->size(), 4U);
  // 1 succeeded and 2 failed long ago, 3 succeeded lately, 4 is still being retried.
  const std::pair<DeliveryStatus, int64_t> outcomes[] = {{DeliveryStatus::kSucceeded, 20},
                                                         {DeliveryStatus::kFailed, 30},
                                                         {DeliveryStatus::kSucceeded, 200},
                                                         {DeliveryStatus::kPending, 40}};
  for (WebhookDelivery delivery : *claimed) {
    const auto [status, attempted_at] = outcomes[delivery.change_id - 1];
    delivery.status = status;
    delivery.attempts = 1;
    delivery.last_response_code = 500;
    delivery.last_attempt_at = At(attempted_at);
    delivery.next_attempt_at = At(5000);
    ASSERT_OK(RunSync(store.RecordDeliveryAttempt(delivery, lease, false)));
  }

  auto deleted = RunSync(store.DeleteFinishedDeliveriesBefore(At(100)));
  ASSERT_OK(deleted);
  EXPECT_EQ(*deleted, 2);
  auto left = RunSync(store.ListWebhookDeliveries({endpoint, std::nullopt, 10}));
  ASSERT_OK(left);
  EXPECT_EQ(this->ChangeIds(left->items), (std::vector<int64_t>{4, 3}));
  EXPECT_EQ(*RunSync(store.DeleteFinishedDeliveriesBefore(At(100))), 0) << "a repeat is harmless";

  EXPECT_EQ(*RunSync(store.DeleteFinishedDeliveriesBefore(At(100000))), 1);
  left = RunSync(store.ListWebhookDeliveries({endpoint, std::nullopt, 10}));
  ASSERT_OK(left);
  EXPECT_EQ(this->ChangeIds(left->items), (std::vector<int64_t>{4}))
      << "a pending delivery is kept, however old";
  auto backlog = RunSync(store.GetDeliveryBacklog());
  ASSERT_OK(backlog);
  EXPECT_EQ(backlog->pending, 1);
}

}  // namespace
}  // namespace tt
