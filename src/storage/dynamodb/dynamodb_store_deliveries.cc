// DynamoDbStore: webhook deliveries, one item each in their endpoint's partition
// (`webhook#<endpoint>`, `delivery#<change id>`); the pending ones in gsi1's due list of their
// endpoint (`deliveries-due#<endpoint>`) by when they are due. Leases are attributes
// (`lease_owner`, `lease_until` in microseconds) written by conditional updates, so two instances
// never hold one at once; the fan-out position is an item of its own, leased the same way. No
// transactions: see the contract in store.h for what a failed FanOut may leave (deliveries, which
// are idempotent).
#include <algorithm>
#include <functional>
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

// A Query of due list `partition` (gsi1) for the entries due at `now`, `limit` a page.
dynamodb::Item DueListQuery(std::string_view partition, Timestamp now, int limit) {
  Expression expression;
  dynamodb::Item query{{"IndexName", dynamodb::kGsi1}, {"Limit", limit}};
  query["KeyConditionExpression"] =
      expression.Name(dynamodb::kGsi1Pk) + " = " + expression.Value(dynamodb::S(partition)) +
      " AND " + expression.Name(dynamodb::kGsi1Sk) +
      " <= " + expression.Value(dynamodb::S(dynamodb::SortableInstant(now) + "#~"));
  expression.AddTo(query);
  return query;
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
  std::map<std::string, std::vector<Item>> created_for;
  std::vector<Item> orphaned;
  for (const WebhookDelivery& delivery : deliveries) {
    auto [known, inserted] = endpoint_exists.try_emplace(delivery.endpoint_id, false);
    if (inserted) {
      Result<std::optional<Item>> endpoint =
          co_await GetItem(dynamodb::WebhookKey(delivery.endpoint_id));
      if (!endpoint.ok()) co_return std::move(endpoint).error();
      known->second = endpoint->has_value();
    }
    if (!known->second) {
      // Deleted since it was read. A earlier try of this step may have written its delivery
      // after the delete's read of the partition (and then failed): remove it (idempotent).
      orphaned.push_back(dynamodb::DeliveryKey(delivery.endpoint_id, delivery.change_id));
      continue;
    }
    Item put{{"Item", dynamodb::DeliveryItem(delivery)},
             {"ConditionExpression", "attribute_not_exists(pk)"}};
    Result<Reply> created = co_await Call("PutItem", std::move(put));
    if (!created.ok()) co_return std::move(created).error();
    if (!ConditionFailed(*created)) {
      created_for[delivery.endpoint_id].push_back(
          dynamodb::DeliveryKey(delivery.endpoint_id, delivery.change_id));
    }
  }
  // An endpoint deleted while its deliveries were written: DeleteWebhookEndpoint removes the
  // endpoint, then the deliveries a consistent read of its partition finds. A delivery written
  // before that read is found there; one written after it, here, by this consistent read of the
  // endpoint (which then sees it gone). So none is left behind in a list no claim reads.
  if (Status removed = co_await BatchDelete(std::move(orphaned)); !removed.ok()) co_return removed;
  for (auto& [endpoint_id, keys] : created_for) {
    Result<std::optional<Item>> endpoint = co_await GetItem(dynamodb::WebhookKey(endpoint_id));
    if (!endpoint.ok()) co_return std::move(endpoint).error();
    if (endpoint->has_value()) continue;
    if (Status removed = co_await BatchDelete(std::move(keys)); !removed.ok()) co_return removed;
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
  // Endpoint by endpoint, as on SQLite: each enabled endpoint's due list is read up to its limit,
  // so neither a backlog at one endpoint nor a disabled endpoint's pending deliveries hold back
  // another. The endpoints are read consistently, so that one just disabled (a 410 seen by
  // another instance, an admin's PATCH) is not sent to again; the due lists eventually (the
  // conditional update in LeaseDue decides).
  Result<std::vector<WebhookEndpoint>> endpoints =
      co_await AllWebhookEndpoints(/*consistent=*/true);
  if (!endpoints.ok()) co_return std::move(endpoints).error();
  std::erase_if(*endpoints, [](const WebhookEndpoint& endpoint) { return endpoint.disabled; });
  if (claim.limit <= 0 || claim.per_endpoint <= 0) co_return std::vector<WebhookDelivery>{};

  DueCandidates candidates{.per_endpoint = std::vector<std::vector<Item>>(endpoints->size()),
                           .met = std::vector<int>(endpoints->size(), 0)};
  if (Status walked = co_await WalkDueLists(*endpoints, claim, candidates); !walked.ok()) {
    co_return std::move(walked).error();
  }
  if (Status walked = co_await WalkLegacyDueList(*endpoints, claim, candidates); !walked.ok()) {
    co_return std::move(walked).error();
  }
  // The earliest due first (a due-list sort key starts with the due time).
  std::vector<Item> due;
  for (std::vector<Item>& list : candidates.per_endpoint) {
    for (Item& item : list) due.push_back(std::move(item));
  }
  std::sort(due.begin(), due.end(), [](const Item& a, const Item& b) {
    return dynamodb::StringOf(a, dynamodb::kGsi1Sk) < dynamodb::StringOf(b, dynamodb::kGsi1Sk);
  });
  co_return co_await LeaseDue(due, claim);
}

Async<Status> DynamoDbStore::WalkDueLists(const std::vector<WebhookEndpoint>& endpoints,
                                          const DeliveryClaim& claim, DueCandidates& due) {
  const std::function<Async<Status>(size_t)> walk = [&](size_t i) -> Async<Status> {
    // At most per_endpoint entries: each is either leased (counting toward the limit) or a
    // candidate. Leased ones are counted where the walk meets them; one leased behind a
    // candidate (its due time is later: moved while it was leased) is not, so the limit is
    // approximate there.
    Item query =
        DueListQuery(dynamodb::DueDeliveriesPk(endpoints[i].id), claim.now, claim.per_endpoint);
    co_return co_await QueryWhile(std::move(query), [&](const Item& item) {
      ++due.met[i];
      if (LeaseFreeIn(item, claim.now)) due.per_endpoint[i].push_back(item);
      return due.met[i] < claim.per_endpoint &&
             due.per_endpoint[i].size() < static_cast<size_t>(claim.limit);
    });
  };
  co_return co_await ForEachConcurrently(endpoints.size(), walk);
}

Async<Status> DynamoDbStore::WalkLegacyDueList(const std::vector<WebhookEndpoint>& endpoints,
                                               const DeliveryClaim& claim, DueCandidates& due) {
  constexpr int kMostRead = 100;
  std::map<std::string, size_t, std::less<>> index_of;
  for (size_t i = 0; i < endpoints.size(); ++i) index_of.emplace(endpoints[i].id, i);
  int visited = 0;
  co_return co_await QueryWhile(
      DueListQuery(dynamodb::kLegacyDueDeliveries, claim.now, kMostRead), [&](const Item& item) {
        const auto found = index_of.find(dynamodb::StringOf(item, "endpoint_id"));
        if (found != index_of.end() && due.met[found->second] < claim.per_endpoint) {
          ++due.met[found->second];
          if (LeaseFreeIn(item, claim.now)) due.per_endpoint[found->second].push_back(item);
        }
        return ++visited < kMostRead;
      });
}

Async<Result<std::vector<WebhookDelivery>>> DynamoDbStore::LeaseDue(const std::vector<Item>& due,
                                                                    const DeliveryClaim& claim) {
  std::vector<WebhookDelivery> claimed;
  for (const Item& candidate : due) {
    if (claimed.size() >= static_cast<size_t>(claim.limit)) break;
    const Item key = dynamodb::Key(dynamodb::StringOf(candidate, dynamodb::kPk),
                                   dynamodb::StringOf(candidate, dynamodb::kSk));
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
    if (!leased.ok()) {
      // Those leased already are this instance's: answer them rather than leave them idle until
      // their lease ends. The rest wait for the next claim.
      if (claimed.empty()) co_return std::move(leased).error();
      logger_.Warn("dynamodb: a claim of webhook deliveries stopped after " +
                   std::to_string(claimed.size()) + ": " + leased.error().message);
      break;
    }
    if (ConditionFailed(*leased)) continue;  // another instance was first
    const json::object* attributes = AttributesOf(*leased);
    Result<WebhookDelivery> delivery = attributes != nullptr
                                           ? dynamodb::ReadDelivery(*attributes, logger_)
                                           : Result<WebhookDelivery>(Error::Internal());
    if (!delivery.ok()) {
      if (claimed.empty()) co_return std::move(delivery).error();
      break;  // as above: answer those leased
    }
    claimed.push_back(std::move(*delivery));
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

Async<Result<int64_t>> DynamoDbStore::DeleteFinishedDeliveriesBefore(Timestamp before) {
  if (Status swept = co_await SweepDeletedWebhookEndpoints(); !swept.ok()) co_return swept.error();
  Result<std::vector<WebhookEndpoint>> endpoints =
      co_await AllWebhookEndpoints(/*consistent=*/false);
  if (!endpoints.ok()) co_return std::move(endpoints).error();
  constexpr size_t kChunk = 1000;
  int64_t deleted = 0;  // the tasks run on one strand
  const std::function<Async<Status>(size_t)> prune = [&](size_t i) -> Async<Status> {
    const std::string& endpoint_id = (*endpoints)[i].id;
    // Oldest change first; deliveries are made in about change order, so the first one made at
    // or after `before` ends the walk (one whose last attempt is that late was made earlier, so
    // none is missed but a few late-made ones, left to the next pass). A chunk at a time, each
    // going on after the last delivery the one before read.
    const std::string partition(
        dynamodb::StringOf(dynamodb::WebhookKey(endpoint_id), dynamodb::kPk));
    const std::string last_key(
        dynamodb::StringOf(dynamodb::DeliveryKey(endpoint_id, INT64_MAX), dynamodb::kSk));
    int64_t next_change = 0;
    while (true) {
      Expression expression;
      Item query{{"ConsistentRead", true}};
      query["KeyConditionExpression"] =
          expression.Name(dynamodb::kPk) + " = " + expression.Value(dynamodb::S(partition)) +
          " AND " + expression.Name(dynamodb::kSk) + " BETWEEN " +
          expression.Value(dynamodb::S(
              dynamodb::StringOf(dynamodb::DeliveryKey(endpoint_id, next_change), dynamodb::kSk))) +
          " AND " + expression.Value(dynamodb::S(last_key));
      query["ProjectionExpression"] =
          expression.Name(dynamodb::kPk) + ", " + expression.Name(dynamodb::kSk) + ", " +
          expression.Name("change_id") + ", " + expression.Name("status") + ", " +
          expression.Name("created_at") + ", " + expression.Name("last_attempt_at");
      expression.AddTo(query);
      std::vector<Item> keys;
      bool ended = true;
      Status walked = co_await QueryWhile(std::move(query), [&](const Item& item) {
        const std::optional<Timestamp> created =
            ParseInstant(dynamodb::StringOf(item, "created_at"));
        if (created && *created >= before) return false;
        const std::optional<Timestamp> attempted =
            ParseInstant(dynamodb::StringOf(item, "last_attempt_at"));
        if (dynamodb::StringOf(item, "status") != DeliveryStatusName(DeliveryStatus::kPending) &&
            attempted && *attempted < before) {
          keys.push_back(dynamodb::Key(dynamodb::StringOf(item, dynamodb::kPk),
                                       dynamodb::StringOf(item, dynamodb::kSk)));
        }
        const json::value* change = dynamodb::TypedValue(item, "change_id", "N");
        if (change == nullptr || !change->is_string()) return false;  // malformed: stop here
        next_change = std::stoll(std::string(change->get_string())) + 1;
        ended = keys.size() < kChunk;
        return ended;
      });
      if (!walked.ok()) co_return walked;
      const size_t count = keys.size();
      if (Status removed = co_await BatchDelete(std::move(keys)); !removed.ok()) co_return removed;
      deleted += static_cast<int64_t>(count);
      if (ended) co_return Status::Ok();
    }
  };
  if (Status pruned = co_await ForEachConcurrently(endpoints->size(), prune); !pruned.ok()) {
    co_return std::move(pruned).error();
  }
  co_return deleted;
}

Async<Result<DeliveryBacklog>> DynamoDbStore::GetDeliveryBacklog() {
  Result<std::vector<WebhookEndpoint>> endpoints =
      co_await AllWebhookEndpoints(/*consistent=*/false);
  if (!endpoints.ok()) co_return std::move(endpoints).error();
  std::vector<DeliveryBacklog> per_endpoint(endpoints->size());
  const std::function<Async<Status>(size_t)> walk = [&](size_t i) -> Async<Status> {
    Expression expression;
    Item query{{"IndexName", dynamodb::kGsi1}};
    query["KeyConditionExpression"] =
        expression.Name(dynamodb::kGsi1Pk) + " = " +
        expression.Value(dynamodb::S(dynamodb::DueDeliveriesPk((*endpoints)[i].id)));
    query["ProjectionExpression"] = expression.Name("pending_since");
    expression.AddTo(query);
    DeliveryBacklog& backlog = per_endpoint[i];
    co_return co_await QueryWhile(std::move(query), [&](const Item& item) {
      backlog.pending += 1;
      const std::optional<Timestamp> since =
          ParseInstant(dynamodb::StringOf(item, "pending_since"));
      if (since && (!backlog.oldest_pending_since || *since < *backlog.oldest_pending_since)) {
        backlog.oldest_pending_since = since;
      }
      return true;
    });
  };
  if (Status walked = co_await ForEachConcurrently(endpoints->size(), walk); !walked.ok()) {
    co_return std::move(walked).error();
  }
  DeliveryBacklog total;
  for (const DeliveryBacklog& backlog : per_endpoint) {
    total.pending += backlog.pending;
    if (backlog.oldest_pending_since &&
        (!total.oldest_pending_since ||
         *backlog.oldest_pending_since < *total.oldest_pending_since)) {
      total.oldest_pending_since = backlog.oldest_pending_since;
    }
  }
  co_return total;
}

}  // namespace tt
