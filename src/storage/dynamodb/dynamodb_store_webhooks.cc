// DynamoDbStore: webhook endpoints, one item each (`webhook#<id>`), listed through gsi1's
// "webhooks" partition in creation order.
#include <algorithm>
#include <utility>

#include "storage/dynamodb/dynamodb_store.h"
#include "storage/dynamodb/item_codec.h"

namespace tt {

using dynamodb::Expression;
using dynamodb::Reply;

namespace {

constexpr char kNoSuchWebhook[] = "no such webhook";

}  // namespace

Async<Status> DynamoDbStore::CreateWebhookEndpoint(const WebhookEndpoint& endpoint,
                                                   const WebhookSecrets& secrets) {
  Item put{{"Item", dynamodb::WebhookEndpointItem(endpoint, secrets)},
           {"ConditionExpression", "attribute_not_exists(pk)"}};
  Result<Reply> created = co_await Call("PutItem", std::move(put));
  if (!created.ok()) co_return std::move(created).error();
  if (ConditionFailed(*created)) co_return Error::Conflict("a webhook with this id already exists");
  co_return Status::Ok();
}

Async<Result<std::pair<WebhookEndpoint, WebhookSecrets>>> DynamoDbStore::GetWebhookEndpoint(
    std::string_view id) {
  Result<std::optional<Item>> item = co_await GetItem(dynamodb::WebhookKey(id));
  if (!item.ok()) co_return std::move(item).error();
  if (!item->has_value()) co_return Error::NotFound(kNoSuchWebhook);
  Result<WebhookEndpoint> endpoint = dynamodb::ReadWebhookEndpoint(**item, logger_);
  if (!endpoint.ok()) co_return std::move(endpoint).error();
  Result<WebhookSecrets> secrets = dynamodb::ReadWebhookSecrets(**item, logger_);
  if (!secrets.ok()) co_return std::move(secrets).error();
  co_return std::pair(std::move(*endpoint), std::move(*secrets));
}

Async<Result<Page<WebhookEndpoint>>> DynamoDbStore::ListWebhookEndpoints(
    const WebhookEndpointQuery& query) {
  const size_t limit = static_cast<size_t>(std::max(query.limit, 1));
  Expression expression;
  Item request{{"IndexName", dynamodb::kGsi1}, {"Limit", limit + 1}};
  std::string key_condition = expression.Name(dynamodb::kGsi1Pk) + " = " +
                              expression.Value(dynamodb::S(dynamodb::kWebhookList));
  if (query.after.has_value()) {
    key_condition += " AND " + expression.Name(dynamodb::kGsi1Sk) + " > " +
                     expression.Value(dynamodb::S(
                         dynamodb::WebhookListKey(query.after->created_at, query.after->id)));
  }
  request["KeyConditionExpression"] = key_condition;
  expression.AddTo(request);
  Result<std::vector<Item>> items = co_await QueryUpTo(std::move(request), limit + 1);
  if (!items.ok()) co_return std::move(items).error();
  co_return dynamodb::ReadPage(std::move(*items), limit, &dynamodb::ReadWebhookEndpoint, logger_);
}

Async<Status> DynamoDbStore::UpdateWebhookEndpoint(const WebhookEndpoint& endpoint,
                                                   int64_t expected_version,
                                                   const std::optional<WebhookSecrets>& secrets) {
  const Item fields = dynamodb::WebhookEndpointItem(endpoint, secrets.value_or(WebhookSecrets{}));
  const std::vector<std::string_view> attributes =
      dynamodb::WebhookEndpointUpdatedAttributes(secrets.has_value());
  Expression expression;
  Item request{{"Key", dynamodb::WebhookKey(endpoint.id)}};
  request["UpdateExpression"] = expression.SetFrom(fields, attributes);
  request["ConditionExpression"] =
      expression.Name("version") + " = " + expression.Value(dynamodb::N(expected_version));
  expression.AddTo(request);
  Result<Reply> updated = co_await Call("UpdateItem", std::move(request));
  if (!updated.ok()) co_return std::move(updated).error();
  if (ConditionFailed(*updated)) {
    co_return co_await VersionFailure(dynamodb::WebhookKey(endpoint.id), kNoSuchWebhook);
  }
  co_return Status::Ok();
}

Async<Status> DynamoDbStore::DeleteWebhookEndpoint(std::string_view id,
                                                   std::optional<int64_t> expected_version) {
  const Item key = dynamodb::WebhookKey(id);
  Result<Reply> deleted = co_await DeleteVersioned(key, expected_version, kNoSuchWebhook);
  if (!deleted.ok()) co_return std::move(deleted).error();
  // Its deliveries share its partition. One created after this read (a fan-out racing the
  // delete) is removed by that fan-out, which reads the endpoint again after writing.
  Expression expression;
  Item query;
  query["KeyConditionExpression"] =
      expression.Name(dynamodb::kPk) + " = " +
      expression.Value(dynamodb::S(dynamodb::StringOf(key, dynamodb::kPk)));
  query["ProjectionExpression"] =
      expression.Name(dynamodb::kPk) + ", " + expression.Name(dynamodb::kSk);
  // Consistent: FanOut relies on this read seeing every delivery written before it.
  query["ConsistentRead"] = true;
  expression.AddTo(query);
  Result<std::vector<Item>> deliveries = co_await QueryAll(std::move(query));
  if (!deliveries.ok()) co_return std::move(deliveries).error();
  std::vector<Item> keys;
  for (const Item& delivery : *deliveries) {
    keys.push_back(dynamodb::Key(dynamodb::StringOf(delivery, dynamodb::kPk),
                                 dynamodb::StringOf(delivery, dynamodb::kSk)));
  }
  co_return co_await BatchDelete(std::move(keys));
}

}  // namespace tt
