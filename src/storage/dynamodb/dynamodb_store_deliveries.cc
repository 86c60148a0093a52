// DynamoDbStore: webhook deliveries. NOT BUILT YET (branch `webhooks`, docs/WEBHOOKS.md): every
// call answers kUnavailable so that nothing pretends to work; the plan is an item per delivery
// (pk webhook#<endpoint>, sk delivery#<change id>), the due ones in a gsi1 list by
// next_attempt_at, claims and the fan-out position as conditional updates.
#include "storage/dynamodb/dynamodb_store.h"

namespace tt {

namespace {

Error NotBuilt() { return Error::Unavailable("webhook deliveries are not built on DynamoDB yet"); }

}  // namespace

Async<Result<int64_t>> DynamoDbStore::LeaseFanOut(const Lease&, Timestamp) { co_return NotBuilt(); }

Async<Status> DynamoDbStore::FanOut(const Lease&, int64_t, int64_t,
                                    const std::vector<WebhookDelivery>&) {
  co_return NotBuilt();
}

Async<Result<std::vector<WebhookDelivery>>> DynamoDbStore::ClaimDueDeliveries(
    const DeliveryClaim&) {
  co_return NotBuilt();
}

Async<Status> DynamoDbStore::RecordDeliveryAttempt(const WebhookDelivery&, std::string_view, bool) {
  co_return NotBuilt();
}

Async<Result<WebhookDelivery>> DynamoDbStore::GetWebhookDelivery(std::string_view, int64_t) {
  co_return NotBuilt();
}

Async<Result<Page<WebhookDelivery>>> DynamoDbStore::ListWebhookDeliveries(
    const WebhookDeliveryQuery&) {
  co_return NotBuilt();
}

Async<Status> DynamoDbStore::RedeliverWebhookDelivery(std::string_view, int64_t, Timestamp) {
  co_return NotBuilt();
}

}  // namespace tt
