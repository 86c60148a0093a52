// DynamoDbStore: webhook deliveries, one item each in their endpoint's partition
// (`webhook#<endpoint>`, `delivery#<change id>`); the pending ones in gsi1's "deliveries-due"
// list by when they are due. Leases are attributes (`lease_owner`, `lease_until` in microseconds)
// written by conditional updates, so two instances never hold one at once; the fan-out position
// is an item of its own, leased the same way. No transactions: see the contract in store.h for
// what a failed FanOut may leave (deliveries, which are idempotent).
#include <map>
#include <set>
#include <utility>

#include "storage/dynamodb/dynamodb_store.h"
#include "storage/dynamodb/item_codec.h"

namespace tt {

using dynamodb::Expression;
using dynamodb::Reply;
namespace json = boost::json;

namespace {

constexpr char kNoSuchDelivery[] = "no such delivery";
constexpr std::string_view kLeaseOwner = "lease_owner";
constexpr std::string_view kLeaseUntil = "lease_until";

int64_t Micros(Timestamp time) {
  return std::chrono::duration_cast<std::chrono::microseconds>(time.time_since_epoch()).count();
}

// "lease is free at `now`": none, or expired.
std::string LeaseFree(Expression& expression, Timestamp now) {
  return "(attribute_not_exists(" + expression.Name(kLeaseOwner) + ") OR " +
         expression.Name(kLeaseUntil) + " <= " + expression.Value(dynamodb::N(Micros(now))) + ")";
}

bool LeaseFreeIn(const json::object& item, Timestamp now) {
  const json::value* until = dynamodb::TypedValue(item, kLeaseUntil, "N");
  if (until == nullptr || !until->is_string()) return true;
  return std::stoll(std::string(until->get_string())) <= Micros(now);
}

const json::object* AttributesOf(const Reply& reply) {
  const json::value* attributes = reply.body.if_contains("Attributes");
  return attributes != nullptr && attributes->is_object() ? &attributes->get_object() : nullptr;
}

}  // namespace

Async<Result<int64_t>> DynamoDbStore::LeaseFanOut(const Lease& lease, Timestamp now) {
  Expression expression;
  Item request{{"Key", dynamodb::FanOutKey()}, {"ReturnValues", "ALL_NEW"}};
  request["UpdateExpression"] =
      "SET " + expression.Name(kLeaseOwner) + " = " + expression.Value(dynamodb::S(lease.owner)) +
      ", " + expression.Name(kLeaseUntil) + " = " +
      expression.Value(dynamodb::N(Micros(lease.until))) + ", " + expression.Name("position") +
      " = if_not_exists(" + expression.Name("position") + ", " + expression.Value(dynamodb::N(0)) +
      ")";
  request["ConditionExpression"] = LeaseFree(expression, now) + " OR " +
                                   expression.Name(kLeaseOwner) + " = " +
                                   expression.Value(dynamodb::S(lease.owner));
  expression.AddTo(request);
  Result<Reply> leased = co_await Call("UpdateItem", std::move(request));
  if (!leased.ok()) co_return std::move(leased).error();
  if (ConditionFailed(*leased)) co_return Error::Conflict("another instance is fanning out");
  const json::object* attributes = AttributesOf(*leased);
  const json::value* position =
      attributes != nullptr ? dynamodb::TypedValue(*attributes, "position", "N") : nullptr;
  if (position == nullptr || !position->is_string()) {
    logger_.Error("dynamodb: the webhook fan-out item has no position");
    co_return Error::Internal();
  }
  co_return std::stoll(std::string(position->get_string()));
}

Async<Status> DynamoDbStore::FanOut(const Lease& lease, int64_t from, int64_t to,
                                    const std::vector<WebhookDelivery>& deliveries) {
  // Deliveries first, then the position: a crash between repeats the creations, which are
  // idempotent, rather than skipping them.
  std::map<std::string, bool> endpoint_exists;
  for (const WebhookDelivery& delivery : deliveries) {
    auto [known, inserted] = endpoint_exists.try_emplace(delivery.endpoint_id, false);
    if (inserted) {
      Result<std::optional<Item>> endpoint =
          co_await GetItem(dynamodb::WebhookKey(delivery.endpoint_id));
      if (!endpoint.ok()) co_return std::move(endpoint).error();
      known->second = endpoint->has_value();
    }
    if (!known->second) continue;  // deleted since it was read
    Item put{{"Item", dynamodb::DeliveryItem(delivery)},
             {"ConditionExpression", "attribute_not_exists(pk)"}};
    Result<Reply> created = co_await Call("PutItem", std::move(put));
    if (!created.ok()) co_return std::move(created).error();
  }
  Expression expression;
  Item request{{"Key", dynamodb::FanOutKey()}};
  request["UpdateExpression"] =
      "SET " + expression.Name("position") + " = " + expression.Value(dynamodb::N(to));
  request["ConditionExpression"] =
      expression.Name("position") + " = " + expression.Value(dynamodb::N(from)) + " AND " +
      expression.Name(kLeaseOwner) + " = " + expression.Value(dynamodb::S(lease.owner));
  expression.AddTo(request);
  Result<Reply> moved = co_await Call("UpdateItem", std::move(request));
  if (!moved.ok()) co_return std::move(moved).error();
  if (ConditionFailed(*moved)) co_return Error::Conflict("the fan-out lease or position moved");
  co_return Status::Ok();
}

Async<Result<std::vector<WebhookDelivery>>> DynamoDbStore::ClaimDueDeliveries(
    const DeliveryClaim& claim) {
  // Candidates from the due list (eventually consistent; the conditional update below decides).
  Expression query_expression;
  Item query{{"IndexName", dynamodb::kGsi1}};
  query["KeyConditionExpression"] =
      query_expression.Name(dynamodb::kGsi1Pk) + " = " +
      query_expression.Value(dynamodb::S(dynamodb::kDueDeliveries)) + " AND " +
      query_expression.Name(dynamodb::kGsi1Sk) +
      " <= " + query_expression.Value(dynamodb::S(dynamodb::SortableInstant(claim.now) + "#~"));
  query_expression.AddTo(query);
  enum class EndpointState { kEnabled, kDisabled, kMissing };
  std::map<std::string, EndpointState> endpoint_state;
  std::map<std::string, int> taken_per_endpoint;
  std::vector<Item> candidates;
  std::vector<Item> orphans;
  // Due ones under an unexpired lease count toward their endpoint's limit. (So may not-yet-due
  // ones, which this walk does not see: the limit is approximate where they are leased, which
  // only happens to a delivery whose next attempt was moved while it was leased.)
  // The walk reads at most kMaxDueVisited of the list, so that a backlog at one endpoint (whose
  // deliveries it skips once that endpoint is at its limit) does not make every claim read the
  // whole list; deliveries of other endpoints behind such a backlog wait until it shrinks.
  constexpr int kMaxDueVisited = 1000;
  int visited = 0;
  Status walked = co_await QueryWhile(std::move(query), [&](const Item& item) {
    if (++visited > kMaxDueVisited) return false;
    const std::string endpoint(dynamodb::StringOf(item, "endpoint_id"));
    int& taken = taken_per_endpoint[endpoint];
    if (!LeaseFreeIn(item, claim.now)) {
      ++taken;
      return true;
    }
    if (taken >= claim.per_endpoint) return true;
    ++taken;
    candidates.push_back(item);
    // Read a few more than the limit: some may belong to disabled endpoints.
    return candidates.size() < static_cast<size_t>(claim.limit) * 2;
  });
  if (!walked.ok()) co_return std::move(walked).error();

  std::vector<WebhookDelivery> claimed;
  for (const Item& candidate : candidates) {
    if (claimed.size() >= static_cast<size_t>(claim.limit)) break;
    const std::string endpoint(dynamodb::StringOf(candidate, "endpoint_id"));
    const Item key = dynamodb::Key(dynamodb::StringOf(candidate, dynamodb::kPk),
                                   dynamodb::StringOf(candidate, dynamodb::kSk));
    auto [state, inserted] = endpoint_state.try_emplace(endpoint, EndpointState::kMissing);
    if (inserted) {
      Result<std::optional<Item>> found = co_await GetItem(dynamodb::WebhookKey(endpoint));
      if (!found.ok()) co_return std::move(found).error();
      if (found->has_value()) {
        const json::value* disabled = dynamodb::TypedValue(**found, "disabled", "BOOL");
        state->second = disabled != nullptr && disabled->is_bool() && disabled->get_bool()
                            ? EndpointState::kDisabled
                            : EndpointState::kEnabled;
      }
    }
    if (state->second == EndpointState::kMissing) orphans.push_back(key);
    if (state->second != EndpointState::kEnabled) continue;
    Expression expression;
    Item request{{"Key", key}, {"ReturnValues", "ALL_NEW"}};
    request["UpdateExpression"] = "SET " + expression.Name(kLeaseOwner) + " = " +
                                  expression.Value(dynamodb::S(claim.lease.owner)) + ", " +
                                  expression.Name(kLeaseUntil) + " = " +
                                  expression.Value(dynamodb::N(Micros(claim.lease.until)));
    // Still pending with the same due time (gsi1sk is only on pending ones), lease still free.
    request["ConditionExpression"] =
        expression.Name(dynamodb::kGsi1Sk) + " = " +
        expression.Value(dynamodb::S(dynamodb::StringOf(candidate, dynamodb::kGsi1Sk))) + " AND " +
        LeaseFree(expression, claim.now);
    expression.AddTo(request);
    Result<Reply> leased = co_await Call("UpdateItem", std::move(request));
    if (!leased.ok()) co_return std::move(leased).error();
    if (ConditionFailed(*leased)) continue;  // another instance was first
    const json::object* attributes = AttributesOf(*leased);
    if (attributes == nullptr) co_return Error::Internal();
    Result<WebhookDelivery> delivery = dynamodb::ReadDelivery(*attributes, logger_);
    if (!delivery.ok()) co_return std::move(delivery).error();
    claimed.push_back(std::move(*delivery));
  }
  // Deliveries whose endpoint was deleted while they were being created.
  if (!orphans.empty()) {
    if (Status removed = co_await BatchDelete(std::move(orphans)); !removed.ok()) {
      co_return std::move(removed).error();
    }
  }
  co_return claimed;
}

Async<Status> DynamoDbStore::RecordDeliveryAttempt(const WebhookDelivery& delivery,
                                                   const Lease& lease, bool disable_endpoint) {
  const Item fields = dynamodb::DeliveryItem(delivery);
  const bool pending = delivery.status == DeliveryStatus::kPending;
  std::vector<std::string_view> attributes = {"status",     "attempts",        "last_response_code",
                                              "last_error", "last_attempt_at", "next_attempt_at"};
  if (pending) {
    attributes.push_back(dynamodb::kGsi1Pk);
    attributes.push_back(dynamodb::kGsi1Sk);
  }
  Expression expression;
  const Item key = dynamodb::DeliveryKey(delivery.endpoint_id, delivery.change_id);
  Item request{{"Key", key}};
  std::string update = expression.SetFrom(fields, attributes) + " REMOVE " +
                       expression.Name(kLeaseOwner) + ", " + expression.Name(kLeaseUntil);
  if (!pending) {
    update += ", " + expression.Name(dynamodb::kGsi1Pk) + ", " + expression.Name(dynamodb::kGsi1Sk);
  }
  request["UpdateExpression"] = update;
  request["ConditionExpression"] =
      expression.Name(kLeaseOwner) + " = " + expression.Value(dynamodb::S(lease.owner)) + " AND " +
      expression.Name(kLeaseUntil) + " = " + expression.Value(dynamodb::N(Micros(lease.until)));
  expression.AddTo(request);
  Result<Reply> recorded = co_await Call("UpdateItem", std::move(request));
  if (!recorded.ok()) co_return std::move(recorded).error();
  if (ConditionFailed(*recorded)) {
    Result<std::optional<Item>> found = co_await GetItem(key);
    if (!found.ok()) co_return std::move(found).error();
    if (!found->has_value()) co_return Error::NotFound(kNoSuchDelivery);
    co_return Error::Conflict("the delivery's lease passed to another instance");
  }
  if (!disable_endpoint) co_return Status::Ok();

  Expression disable;
  Item endpoint{{"Key", dynamodb::WebhookKey(delivery.endpoint_id)}};
  endpoint["UpdateExpression"] =
      "SET " + disable.Name("disabled") + " = " + disable.Value(dynamodb::Bool(true)) + ", " +
      disable.Name("version") + " = " + disable.Name("version") + " + " +
      disable.Value(dynamodb::N(1)) + ", " + disable.Name("updated_at") + " = " +
      disable.Value(dynamodb::S(FormatUtc(delivery.last_attempt_at.value_or(Timestamp()))));
  endpoint["ConditionExpression"] = "attribute_exists(pk) AND " + disable.Name("disabled") + " = " +
                                    disable.Value(dynamodb::Bool(false));
  disable.AddTo(endpoint);
  Result<Reply> disabled = co_await Call("UpdateItem", std::move(endpoint));
  if (!disabled.ok()) co_return std::move(disabled).error();
  co_return Status::Ok();  // a failed condition: gone or already disabled
}

Async<Result<WebhookDelivery>> DynamoDbStore::GetWebhookDelivery(std::string_view endpoint_id,
                                                                 int64_t change_id) {
  Result<std::optional<Item>> item =
      co_await GetItem(dynamodb::DeliveryKey(endpoint_id, change_id));
  if (!item.ok()) co_return std::move(item).error();
  if (!item->has_value()) co_return Error::NotFound(kNoSuchDelivery);
  co_return dynamodb::ReadDelivery(**item, logger_);
}

Async<Result<Page<WebhookDelivery>>> DynamoDbStore::ListWebhookDeliveries(
    const WebhookDeliveryQuery& query) {
  const size_t limit = static_cast<size_t>(std::max(query.limit, 1));
  const int64_t below = query.before.value_or(INT64_MAX);
  if (below <= 0) co_return Page<WebhookDelivery>{};
  Expression expression;
  Item request{{"Limit", limit + 1}, {"ScanIndexForward", false}};
  const Item highest = dynamodb::DeliveryKey(query.endpoint_id, below - 1);
  request["KeyConditionExpression"] =
      expression.Name(dynamodb::kPk) + " = " +
      expression.Value(dynamodb::S(dynamodb::StringOf(highest, dynamodb::kPk))) + " AND " +
      expression.Name(dynamodb::kSk) + " BETWEEN " +
      expression.Value(dynamodb::S(dynamodb::kDeliveryPrefix)) + " AND " +
      expression.Value(dynamodb::S(dynamodb::StringOf(highest, dynamodb::kSk)));
  request["ConsistentRead"] = true;
  expression.AddTo(request);
  Result<std::vector<Item>> items = co_await QueryUpTo(std::move(request), limit + 1);
  if (!items.ok()) co_return std::move(items).error();
  co_return dynamodb::ReadPage(std::move(*items), limit, &dynamodb::ReadDelivery, logger_);
}

Async<Status> DynamoDbStore::RedeliverWebhookDelivery(std::string_view endpoint_id,
                                                      int64_t change_id, Timestamp now) {
  WebhookDelivery pending;
  pending.endpoint_id = std::string(endpoint_id);
  pending.change_id = change_id;
  pending.next_attempt_at = now;
  pending.pending_since = now;
  const Item fields = dynamodb::DeliveryItem(pending);
  static constexpr std::string_view kRewritten[] = {"status",          "attempts",
                                                    "next_attempt_at", "pending_since",
                                                    dynamodb::kGsi1Pk, dynamodb::kGsi1Sk};
  Expression expression;
  Item request{{"Key", dynamodb::DeliveryKey(endpoint_id, change_id)}};
  request["UpdateExpression"] = expression.SetFrom(fields, kRewritten) + " REMOVE " +
                                expression.Name(kLeaseOwner) + ", " + expression.Name(kLeaseUntil);
  request["ConditionExpression"] = "attribute_exists(pk)";
  expression.AddTo(request);
  Result<Reply> updated = co_await Call("UpdateItem", std::move(request));
  if (!updated.ok()) co_return std::move(updated).error();
  if (ConditionFailed(*updated)) co_return Error::NotFound(kNoSuchDelivery);
  co_return Status::Ok();
}

Async<Result<DeliveryBacklog>> DynamoDbStore::GetDeliveryBacklog() {
  Expression expression;
  Item query{{"IndexName", dynamodb::kGsi1}};
  query["KeyConditionExpression"] = expression.Name(dynamodb::kGsi1Pk) + " = " +
                                    expression.Value(dynamodb::S(dynamodb::kDueDeliveries));
  query["ProjectionExpression"] = expression.Name("pending_since");
  expression.AddTo(query);
  DeliveryBacklog backlog;
  Status walked = co_await QueryWhile(std::move(query), [&](const Item& item) {
    backlog.pending += 1;
    const std::optional<Timestamp> since = ParseInstant(dynamodb::StringOf(item, "pending_since"));
    if (since && (!backlog.oldest_pending_since || *since < *backlog.oldest_pending_since)) {
      backlog.oldest_pending_since = since;
    }
    return true;
  });
  if (!walked.ok()) co_return std::move(walked).error();
  co_return backlog;
}

}  // namespace tt
